//! The plain-file fallback: the token set as JSON in `tokens.json`, created with mode 0600 (owner only) from the
//! first byte, used only when no credential store answers. It is not encrypted, and [`FileStore::kind`] says so
//! ([`StoreKind::File`], `is_secure() == false`) so the UI and `doctor` can warn.

use std::path::{Path, PathBuf};

use super::{
    StoreError, StoreKind, StoredAuth, TokenStore, decode, encode, read_optional, remove_optional,
    write_atomic,
};

/// The file name inside the app data directory.
pub const FILE_NAME: &str = "tokens.json";

/// Tokens in a plain file readable only by the user.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store for `dir/tokens.json`.
    pub fn new(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE_NAME),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl TokenStore for FileStore {
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }

    fn location(&self) -> String {
        format!("{} (plain file, owner-only)", self.path.display())
    }

    fn load(&self) -> Result<Option<StoredAuth>, StoreError> {
        let Some(bytes) = read_optional(&self.path)? else {
            return Ok(None);
        };
        warn_if_readable_by_others(&self.path);
        decode(&bytes).map(Some).map_err(|reason| StoreError::Corrupt {
            path: self.path.clone(),
            reason,
        })
    }

    fn save(&self, auth: &StoredAuth) -> Result<(), StoreError> {
        write_atomic(&self.path, &encode(auth))
    }

    fn clear(&self) -> Result<(), StoreError> {
        remove_optional(&self.path)
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format_args!("{mode:o}"),
                "the token file is readable by other users; it will be rewritten owner-only on the next save"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::sample;

    #[test]
    fn the_file_store_round_trips_and_clears() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        assert!(store.load().unwrap().is_none());
        let auth = StoredAuth::SignedIn(sample("f"));
        store.save(&auth).unwrap();
        assert_eq!(store.load().unwrap(), Some(auth));
        store.clear().unwrap();
        assert!(store.load().unwrap().is_none());
        store.clear().unwrap();
    }

    #[test]
    fn the_file_store_says_it_is_not_secure() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        assert_eq!(store.kind(), StoreKind::File);
        assert!(!store.is_secure());
        assert!(store.location().contains("tokens.json"));
    }
}
