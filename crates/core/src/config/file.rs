//! Reading and writing TOML files without ever losing the user's words.
//!
//! - A file that does not parse, names an unknown key, or holds a bad value gives an error naming the file, the
//!   line and the key, so the user can fix it.
//! - A broken file is never overwritten or deleted: saving over it is refused until the user fixes or removes it.
//! - Writes are atomic: a temporary file in the same folder, flushed to disk, then renamed over the old one, so a
//!   crash leaves either the old or the new file, never half of one. The temporary file has a random name and is
//!   created exclusively (`O_EXCL`), so two writers at once never share one; on Unix it is created 0600 and a folder
//!   the write creates is 0700.
//! - A save keeps the user's comments, blank lines and key order: only the values that changed are replaced
//!   (`toml_edit`).
//! - [`locked`] serialises a read-modify-write across threads and processes (the popup and the CLI saving at
//!   once), with an advisory lock on a `.NAME.lock` file beside the settings file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::wording::short_path;
use serde::de::DeserializeOwned;

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file exists but could not be read (permissions, I/O).
    #[error("cannot read {}: {source}", short_path(path))]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid, or holds an unknown key or a bad value.
    #[error(
        "{}, line {line}{}: {message}",
        short_path(path),
        key.as_deref().map(|k| format!(", key `{k}`")).unwrap_or_default()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// The key on that line, when there is one.
        key: Option<String>,
        /// What is wrong, in the parser's words (without the echoed source line).
        message: String,
    },
    /// Saving was refused because the file on disk is broken; it is left as it is.
    #[error(
        "{} has an error to fix first ({reason}); nothing was saved and the file was left as it is",
        short_path(path)
    )]
    RefusedOverBrokenFile {
        /// The file.
        path: PathBuf,
        /// The error the existing file has.
        reason: String,
    },
    /// Writing failed; the old file, if any, is unchanged.
    #[error("cannot write {}: {source}", short_path(path))]
    Write {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The value could not be turned into TOML (a bug, not user input).
    #[error("cannot serialise settings: {0}")]
    Serialise(#[from] toml::ser::Error),
}

/// Reads `path` as `T`. `Ok(None)` when the file does not exist.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, FileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FileError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    parse(path, &text).map(Some)
}

/// Parses `text` (the contents of `path`) as `T`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
        let line = text[..offset].matches('\n').count() + 1;
        let line_text = text.lines().nth(line - 1).unwrap_or("");
        FileError::Invalid {
            path: path.to_path_buf(),
            line,
            key: key_on_line(line_text),
            message: e.message().trim().to_string(),
        }
    })
}

/// The key a `key = value` line sets (`[table]` headers and blank lines have none).
fn key_on_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[') && !key.starts_with('#')).then(|| key.to_string())
}

/// Writes `value` to `path` atomically, creating the folder, and keeping the existing file's comments, blank
/// lines and key order (only changed values are replaced). Refuses when the existing file does not parse as `T`,
/// so a user's broken (and maybe half-fixed) file is never replaced by defaults.
pub fn save<T: Serialize + DeserializeOwned>(path: &Path, value: &T) -> Result<(), FileError> {
    let refused = |reason: String| FileError::RefusedOverBrokenFile {
        path: path.to_path_buf(),
        reason,
    };
    let old = match std::fs::read_to_string(path) {
        Ok(text) => {
            parse::<T>(path, &text).map_err(|e| refused(e.to_string()))?;
            text
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(refused(
                FileError::Read {
                    path: path.to_path_buf(),
                    source,
                }
                .to_string(),
            ));
        }
    };
    let fresh = toml::to_string_pretty(value)?;
    let text = match (
        old.parse::<toml_edit::DocumentMut>(),
        fresh.parse::<toml_edit::DocumentMut>(),
    ) {
        // A file of comments only: keep them first, where the user wrote them, then the values.
        (Ok(doc), Ok(_)) if doc.as_table().is_empty() => {
            let comments = doc.trailing().as_str().unwrap_or_default().to_owned();
            format!("{comments}{fresh}")
        }
        (Ok(mut doc), Ok(new)) => {
            let orphans = merge(doc.as_table_mut(), new.as_table());
            if !orphans.is_empty() {
                let trailing = doc.trailing().as_str().unwrap_or_default().to_owned();
                doc.set_trailing(format!("{orphans}{trailing}"));
            }
            doc.to_string()
        }
        // `old` parsed as TOML above and `fresh` is our own output; should either not, write it plainly.
        _ => fresh,
    };
    write_atomically(path, text.as_bytes())
}

/// Makes `doc` hold what `new` holds, touching only what differs: equal values keep their text and comments,
/// a changed value keeps the comments around it, new keys are added at the end of their table, and removed keys
/// go but the comment lines above them stay (moved above the table's first remaining key). Returns comment lines
/// that found no key to stay with, for the caller to keep at the end of the file.
fn merge(doc: &mut toml_edit::Table, new: &toml_edit::Table) -> String {
    let mut orphans = String::new();
    for (key, item) in new.iter() {
        match (doc.get_mut(key), item) {
            (Some(toml_edit::Item::Table(old)), toml_edit::Item::Table(table)) => {
                orphans.push_str(&merge(old, table));
            }
            (Some(toml_edit::Item::Value(old)), toml_edit::Item::Value(value)) => {
                if !same_value(old, value) {
                    let decor = old.decor().clone();
                    *old = value.clone();
                    *old.decor_mut() = decor;
                }
            }
            (Some(old), _) => *old = item.clone(),
            (None, _) => {
                doc.insert(key, item.clone());
            }
        }
    }
    let stale: Vec<String> = doc
        .iter()
        .map(|(k, _)| k.to_owned())
        .filter(|k| !new.contains_key(k))
        .collect();
    let mut comments = String::new();
    for key in stale {
        if let Some(prefix) = doc
            .key(&key)
            .and_then(|k| k.leaf_decor().prefix())
            .and_then(|p| p.as_str())
            .filter(|p| p.contains('#'))
        {
            comments.push_str(prefix);
        }
        doc.remove(&key);
    }
    if !comments.is_empty() {
        // Only a plain `key = value` line carries its comments in its key; a table header does not.
        let first = doc
            .iter()
            .find(|(_, item)| item.is_value())
            .map(|(k, _)| k.to_owned());
        match first.and_then(|k| doc.key_mut(&k)) {
            Some(mut key) => {
                let decor = key.leaf_decor_mut();
                let old = decor
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or_default()
                    .to_owned();
                decor.set_prefix(format!("{comments}{old}"));
            }
            None => orphans.push_str(&comments),
        }
    }
    orphans
}

fn same_value(a: &toml_edit::Value, b: &toml_edit::Value) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    a.decor_mut().clear();
    b.decor_mut().clear();
    a.to_string().trim() == b.to_string().trim()
}

/// Runs `f` holding an exclusive advisory lock on `.NAME.lock` beside `path` (created 0600 if missing), so a
/// read-modify-write of `path` by another thread or process waits for this one. The lock file stays: removing
/// it could let two writers lock two different files.
pub fn locked<R>(path: &Path, f: impl FnOnce() -> Result<R, FileError>) -> Result<R, FileError> {
    let err = |source| FileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = parent_of(path);
    create_private_dir(dir).map_err(err)?;
    let lock_path = dir.join(format!(".{}.lock", file_name(path)));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let lock = options.open(&lock_path).map_err(err)?;
    lock.lock().map_err(err)?;
    let result = f();
    let _ = lock.unlock();
    result
}

/// Creates `dir` (and missing parents) owner-only on Unix, or tightens it to 0700 when it exists with more. For
/// Presently's own folders (data, settings, runtime), never for a folder the user named for something else.
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    create_private_dir(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    Ok(())
}

/// Creates `dir` and missing parents, 0700 on Unix; an existing folder is left as it is.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "settings".into())
}

/// Renames `tmp` over `path`. On Windows a replace fails with "access denied" while another replace of the same
/// file is under way (the destination is briefly open); it is tried again for a short while, as the write is.
fn replace(tmp: &Path, path: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        let mut tries = 0;
        loop {
            match std::fs::rename(tmp, path) {
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }
    #[cfg(not(windows))]
    {
        std::fs::rename(tmp, path)
    }
}

/// Replaces `path` with `bytes` atomically: a new temporary file in the same folder (random name, created
/// exclusively, 0600 on Unix), fsync, rename. A folder it has to create is 0700 on Unix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = parent_of(path);
    create_private_dir(dir).map_err(err)?;
    let tmp = dir.join(format!(".{}.{:016x}.tmp", file_name(path), rand::random::<u64>()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        replace(&tmp, path)?;
        // Make the rename itself durable where the platform allows opening a folder.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields, default)]
    struct Sample {
        name: String,
        count: u32,
        #[serde(rename = "section")]
        section: Section,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields, default)]
    struct Section {
        flag: bool,
    }

    #[test]
    fn a_missing_file_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load::<Sample>(&dir.path().join("nope.toml")).unwrap().is_none());
    }

    #[test]
    fn an_unknown_key_names_the_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "name = \"a\"\n\n[section]\nflg = true\n").unwrap();
        let err = load::<Sample>(&path).unwrap_err();
        let FileError::Invalid { line, key, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*line, key.as_deref()), (4, Some("flg")));
        let shown = err.to_string();
        assert!(shown.contains("s.toml, line 4, key `flg`"), "{shown}");
    }

    #[test]
    fn a_bad_value_names_its_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "name = \"a\"\ncount = -3\n").unwrap();
        let err = load::<Sample>(&path).unwrap_err();
        assert!(err.to_string().contains("line 2, key `count`"), "{err}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "\u{0}\u{1}[[[ = =").unwrap();
        assert!(matches!(load::<Sample>(&path), Err(FileError::Invalid { .. })));
    }

    #[test]
    fn saving_over_a_broken_file_is_refused_and_the_file_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let broken = "name = \"half fixed\nflag = \n";
        std::fs::write(&path, broken).unwrap();
        let err = save(&path, &Sample::default()).unwrap_err();
        assert!(matches!(err, FileError::RefusedOverBrokenFile { .. }), "{err:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }

    #[cfg(unix)]
    #[test]
    fn a_written_file_is_owner_only_and_a_folder_it_creates_is_0700() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("s.toml");
        write_atomically(&path, b"name = \"x\"\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn writes_from_many_threads_at_once_never_fail_or_mix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let contents: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 64 * 1024]).collect();
        std::thread::scope(|scope| {
            for content in &contents {
                let path = &path;
                scope.spawn(move || {
                    for _ in 0..40 {
                        write_atomically(path, content).unwrap();
                    }
                });
            }
        });
        let last = std::fs::read(&path).unwrap();
        assert!(contents.contains(&last), "the file is one whole write");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("s.toml")],
            "no temporary file left"
        );
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deeper").join("s.toml");
        let value = Sample {
            name: "x".into(),
            count: 3,
            section: Section { flag: true },
        };
        save(&path, &value).unwrap();
        assert_eq!(load::<Sample>(&path).unwrap(), Some(value));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s.toml")]);
    }
}
