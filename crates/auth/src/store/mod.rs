//! Where the token set lives between runs: the OS credential store (through an encrypted envelope), a plain file
//! fallback that says it is one, or memory for tests.
//!
//! [`choose_store`] tries the credential store and falls back to the file store, and always reports which one is
//! in use and why, so the UI and `presently doctor` can show it: falling back is never silent.
//!
//! Every store writes atomically (temporary file in the same directory, `fsync`, rename), so a crash mid-write
//! leaves the previous tokens, not half of new ones. A file that cannot be decoded is reported as
//! [`StoreError::Corrupt`] and left exactly as it is.

mod file;
pub(crate) mod keyring;
mod memory;
mod pending;

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use self::file::{FILE_NAME, FileStore};
pub use self::keyring::{
    ENVELOPE_FILE, KEY_ENTRY, KeyringStore, MAX_CREDENTIAL_BYTES, delete_secret, load_secret, save_secret,
};
pub use self::memory::MemoryStore;
pub use self::pending::{PendingStore, Probe};
use crate::secret::{AccessToken, RefreshToken};
use crate::tokens::{Account, TokenSet};

/// The service name Presently's credential-store entries use.
pub const DEFAULT_SERVICE: &str = "presently";

/// What a store holds: a usable token set, or only the account that must sign in again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredAuth {
    /// Signed in, with tokens.
    SignedIn(TokenSet),
    /// The tokens were refused (revoked, expired); the account is kept so the UI can say who must sign in.
    SignInRequired(Account),
}

impl StoredAuth {
    /// The account either way.
    pub fn account(&self) -> &Account {
        match self {
            StoredAuth::SignedIn(set) => &set.account,
            StoredAuth::SignInRequired(account) => account,
        }
    }

    /// The token set, when signed in.
    pub fn tokens(&self) -> Option<&TokenSet> {
        match self {
            StoredAuth::SignedIn(set) => Some(set),
            StoredAuth::SignInRequired(_) => None,
        }
    }
}

/// Which kind of store holds the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StoreKind {
    /// The OS credential store holds the key; the tokens are encrypted in a file.
    CredentialStore,
    /// A plain file readable only by the user (mode 0600), not encrypted.
    File,
    /// Memory only: nothing survives the process.
    Memory,
}

impl StoreKind {
    /// Whether secrets never rest on disk as plain text.
    pub fn is_secure(self) -> bool {
        !matches!(self, StoreKind::File)
    }

    /// Whether the tokens survive a restart.
    pub fn is_persistent(self) -> bool {
        !matches!(self, StoreKind::Memory)
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreKind::CredentialStore => "the system credential store",
            StoreKind::File => "a plain file (not encrypted)",
            StoreKind::Memory => "memory only (not saved)",
        })
    }
}

/// A store failed. No variant carries secret bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The token file exists but cannot be decoded; it was left untouched.
    #[error(
        "the saved sign-in in {} is damaged ({reason}); it was left as it is. Sign in again to replace it.",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, without its content.
        reason: String,
    },
    /// The encrypted token file exists but its key is not in the credential store.
    #[error(
        "the key for the saved sign-in in {} is missing from the system credential store; sign in again.",
        path.display()
    )]
    KeyMissing {
        /// The encrypted file.
        path: PathBuf,
    },
    /// Reading or writing a file failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "remove").
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The credential store answered with an error.
    #[error("the system credential store failed to {op}: {detail}")]
    Keyring {
        /// What was being done.
        op: &'static str,
        /// The store's own message (never secret data).
        detail: String,
    },
}

/// A place to keep the token set.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// Which kind of store this is.
    fn kind(&self) -> StoreKind;

    /// Whether secrets never rest on disk as plain text (false for the file fallback: the UI warns).
    fn is_secure(&self) -> bool {
        self.kind().is_secure()
    }

    /// Where the tokens are, in words a person can check (paths, store names).
    fn location(&self) -> String;

    /// The saved state, `None` when nothing is saved.
    fn load(&self) -> Result<Option<StoredAuth>, StoreError>;

    /// Replaces the saved state, atomically.
    fn save(&self, auth: &StoredAuth) -> Result<(), StoreError>;

    /// Forgets everything saved.
    fn clear(&self) -> Result<(), StoreError>;

    /// Whether this store is waiting for the credential store to answer (tokens are in memory meanwhile).
    fn is_waiting(&self) -> bool {
        false
    }

    /// Asks the credential store again now; true when it is in use (then load again: a sign-in saved there
    /// earlier is readable now). Blocking, like every store call.
    fn try_again(&self) -> bool {
        !self.is_waiting()
    }

    /// Where the tokens are and why, for a store whose situation changes while it runs; `None` for the others
    /// (the place given when the store was chosen still holds).
    fn situation(&self) -> Option<StorePlace> {
        None
    }
}

/// Where the user wants tokens kept (the `token-store` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StorePreference {
    /// The OS credential store; while it does not answer, memory only (`credential-store`, the default).
    #[default]
    CredentialStore,
    /// A plain file readable only by the user, not encrypted (`file`): only when the user asks for it.
    File,
}

impl StorePreference {
    /// The setting's value.
    pub fn key(self) -> &'static str {
        match self {
            StorePreference::CredentialStore => "credential-store",
            StorePreference::File => "file",
        }
    }
}

impl std::str::FromStr for StorePreference {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "credential-store" => Ok(StorePreference::CredentialStore),
            "file" => Ok(StorePreference::File),
            _ => Err(format!(
                "\"{s}\" is not a token store: write \"credential-store\" (the default) or \"file\""
            )),
        }
    }
}

impl fmt::Display for StorePreference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The store chosen at run time, and why.
#[derive(Debug, Clone)]
pub struct StoreChoice {
    pub store: Arc<dyn TokenStore>,
    /// Where the tokens are kept and why, in parts: each surface (the popup, `doctor`, `login`) words them for
    /// its own place (`presently_core::wording`).
    pub place: StorePlace,
}

/// Where the tokens are kept, as parts rather than a sentence: a sentence written for `doctor` reads badly when
/// the popup puts it inside its own ("Your sign-in will be kept in Tokens are encrypted in ...").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePlace {
    pub kind: StoreKind,
    /// The file that holds the tokens (encrypted or not); `None` in memory.
    pub file: Option<PathBuf>,
    /// The credential store that holds the key ("the Secret Service (GNOME Keyring or KWallet)"), for an
    /// encrypted file.
    pub key_kept_in: Option<&'static str>,
    /// Why it is this store, or what happened to an older one: whole sentences, or `None`.
    pub note: Option<String>,
}

impl StorePlace {
    /// Memory only, with nothing to add (a [`MemoryStore`] given by a test or an embedding program).
    pub fn memory() -> Self {
        Self {
            kind: StoreKind::Memory,
            file: None,
            key_kept_in: None,
            note: None,
        }
    }

    /// Appends a sentence to the note.
    pub fn add_note(&mut self, sentence: &str) {
        match &mut self.note {
            Some(note) => {
                note.push(' ');
                note.push_str(sentence);
            }
            None => self.note = Some(sentence.to_owned()),
        }
    }
}

/// Picks the token store. With [`StorePreference::File`] (the user chose it) that is the plain file in `dir`.
/// Otherwise the OS credential store when it answers, else a [`PendingStore`]: memory only, asking the credential
/// store again, so tokens never land in a plain file the user did not ask for. The choice always says which and
/// why, so the UI and `presently doctor` can show it. `service` names the credential-store entries (normally
/// [`DEFAULT_SERVICE`]).
///
/// When the credential store answers and a plain `tokens.json` from an earlier fallback is still there, the newer
/// of the two sign-ins is kept in the credential store and the plain file is deleted, so tokens do not linger
/// unencrypted; a damaged plain file is left as it is and mentioned. Probing talks to the OS (D-Bus on Linux), so
/// call this from a blocking context (`spawn_blocking`) or before the async runtime is busy.
pub fn choose_store(dir: &Path, service: &str, preference: StorePreference) -> StoreChoice {
    if preference == StorePreference::File {
        return choose_between(Err(String::new()), preference, dir, service);
    }
    match KeyringStore::probe(service, dir) {
        Ok(secure) => {
            let note = move_plain_file(&secure, &FileStore::new(dir));
            let mut choice = choose_between(Ok(secure), preference, dir, service);
            if let Some(note) = note {
                choice.place.add_note(&note);
            }
            choice
        }
        Err(why) => choose_between(Err(why), preference, dir, service),
    }
}

/// Moves a plain token file into the credential store (keeping the newer sign-in) and deletes it.
fn move_plain_file(secure: &KeyringStore, plain: &FileStore) -> Option<String> {
    if !plain.path().exists() {
        return None;
    }
    let from_plain = match plain.load() {
        Ok(Some(auth)) => auth,
        Ok(None) => return None,
        Err(e) => return Some(format!("An older plain token file could not be read ({e}).")),
    };
    let obtained = |a: &StoredAuth| a.tokens().map(|t| t.obtained_at);
    let keep_plain = match secure.load() {
        Ok(None) => true,
        Ok(Some(current)) => obtained(&from_plain) > obtained(&current),
        Err(e) => {
            return Some(format!(
                "A sign-in saved earlier in the plain file {} was not moved, because the encrypted one \
                 cannot be read ({e}).",
                file::FILE_NAME
            ));
        }
    };
    if keep_plain && let Err(e) = secure.save(&from_plain) {
        return Some(format!(
            "A sign-in saved earlier in the plain file {} could not be moved into the credential store \
             ({e}); the file stays.",
            file::FILE_NAME
        ));
    }
    match remove_optional(plain.path()) {
        Ok(()) => {
            tracing::info!(path = %plain.path().display(), "plain token file moved into the credential store");
            Some(format!(
                "The sign-in saved earlier unencrypted in {} was moved into the credential store and that \
                 file deleted.",
                file::FILE_NAME
            ))
        }
        Err(e) => Some(format!("The older plain token file could not be deleted ({e}).")),
    }
}

/// The choice itself, apart from probing, so every outcome can be tested anywhere: `credential_store` is the
/// probe's answer (ignored when the user chose [`StorePreference::File`]).
pub fn choose_between(
    credential_store: Result<KeyringStore, String>,
    preference: StorePreference,
    dir: &Path,
    service: &str,
) -> StoreChoice {
    if preference == StorePreference::File {
        let file = FileStore::new(dir);
        let place = StorePlace {
            kind: StoreKind::File,
            file: Some(file.path().to_path_buf()),
            key_kept_in: None,
            note: Some("The settings ask for it: token-store = \"file\".".into()),
        };
        tracing::warn!(kind = "file", "token store is a plain file, as the settings ask");
        return StoreChoice {
            store: Arc::new(file),
            place,
        };
    }
    match credential_store {
        Ok(store) => {
            let place = store.place();
            tracing::info!(kind = "credentialStore", "token store chosen");
            StoreChoice {
                store: Arc::new(store),
                place,
            }
        }
        Err(why) => {
            let mut place = pending::waiting_place(&why);
            if dir.join(ENVELOPE_FILE).exists() {
                place.add_note(
                    "A sign-in saved earlier in the credential store is read as soon as it answers.",
                );
            }
            tracing::warn!(kind = "memory", why = %why, "credential store not available; tokens in memory until it is");
            StoreChoice {
                store: Arc::new(PendingStore::new(service, dir, why)),
                place,
            }
        }
    }
}

/// The saved form. Private: the only way a token set is serialized.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Document {
    version: u32,
    account: Account,
    #[serde(default)]
    tokens: Option<DocumentTokens>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DocumentTokens {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    obtained_at: Timestamp,
    expires_at: Timestamp,
    #[serde(default)]
    scopes: Vec<String>,
}

const DOCUMENT_VERSION: u32 = 1;

/// Encodes the state as JSON: the one place secrets are exposed for storage.
pub(crate) fn encode(auth: &StoredAuth) -> Vec<u8> {
    let doc = match auth {
        StoredAuth::SignedIn(set) => Document {
            version: DOCUMENT_VERSION,
            account: set.account.clone(),
            tokens: Some(DocumentTokens {
                access_token: set.access_token.expose_secret().to_owned(),
                refresh_token: set.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()),
                obtained_at: set.obtained_at,
                expires_at: set.expires_at,
                scopes: set.scopes.clone(),
            }),
        },
        StoredAuth::SignInRequired(account) => Document {
            version: DOCUMENT_VERSION,
            account: account.clone(),
            tokens: None,
        },
    };
    // Serializing plain strings and timestamps cannot fail; an empty document would fail to decode loudly.
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// Decodes what [`encode`] wrote. The error says what is wrong without quoting content.
pub(crate) fn decode(bytes: &[u8]) -> Result<StoredAuth, String> {
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not a saved sign-in (JSON {} at line {}, column {})",
            match e.classify() {
                serde_json::error::Category::Io => "read error",
                serde_json::error::Category::Syntax => "syntax error",
                serde_json::error::Category::Data => "with unexpected fields",
                serde_json::error::Category::Eof => "cut short",
            },
            e.line(),
            e.column()
        )
    })?;
    if doc.version != DOCUMENT_VERSION {
        return Err(format!(
            "format version {} is not one this Presently reads",
            doc.version
        ));
    }
    Ok(match doc.tokens {
        Some(t) => StoredAuth::SignedIn(TokenSet {
            access_token: AccessToken::new(t.access_token),
            refresh_token: t.refresh_token.map(RefreshToken::new),
            obtained_at: t.obtained_at,
            expires_at: t.expires_at,
            scopes: t.scopes,
            account: doc.account,
        }),
        None => StoredAuth::SignInRequired(doc.account),
    })
}

/// Writes `bytes` to `path` atomically: a new temporary file in the same directory (mode 0600 from creation on
/// Unix), `fsync`, rename over `path`, then `fsync` of the directory. The directory is created (mode 0700) if
/// missing.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let io = |op, source| StoreError::Io {
        op,
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir).map_err(|e| io("create the folder of", e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tokens".into());
    let temp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = create_private_file(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        sync_dir(&dir)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(io("write", e));
    }
    Ok(())
}

/// Reads a file, `None` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Io {
            op: "read",
            path: path.to_owned(),
            source,
        }),
    }
}

/// Removes a file; a missing file is fine.
pub(crate) fn remove_optional(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Io {
            op: "remove",
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    // On Windows a file under the user's profile inherits an ACL that admits only that user (and
    // administrators), which is the closest equivalent of 0600.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates the data folder 0700, or tightens it to 0700 when it exists with more (the tokens' folder is
/// Presently's own).
#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    if dir.is_dir() {
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use jiff::SignedDuration;

    use super::*;

    pub(crate) fn sample(tag: &str) -> TokenSet {
        let t0 = Timestamp::from_second(1_800_000_000).unwrap();
        TokenSet {
            access_token: AccessToken::new(format!("access-{tag}-{}", "A".repeat(1800))),
            refresh_token: Some(RefreshToken::new(format!("refresh-{tag}-{}", "R".repeat(1500)))),
            obtained_at: t0,
            expires_at: t0 + SignedDuration::from_secs(4321),
            scopes: vec![
                "https://graph.microsoft.com/Presence.ReadWrite".into(),
                "openid".into(),
            ],
            account: Account {
                oid: "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d".into(),
                tid: "8f2c4a1e-5b6d-4c3e-9a7f-1d2e3f4a5b6c".into(),
                username: "adele.vance@contoso.onmicrosoft.com".into(),
                name: "Adele Vance".into(),
            },
        }
    }

    #[test]
    fn a_token_set_and_a_sign_in_required_state_round_trip_through_the_document() {
        let signed = StoredAuth::SignedIn(sample("a"));
        assert_eq!(decode(&encode(&signed)).unwrap(), signed);
        let required = StoredAuth::SignInRequired(sample("b").account);
        assert_eq!(decode(&encode(&required)).unwrap(), required);
    }

    #[test]
    fn a_damaged_document_is_described_without_quoting_it() {
        let mut bytes = encode(&StoredAuth::SignedIn(sample("c")));
        bytes.truncate(bytes.len() / 2);
        let err = decode(&bytes).unwrap_err();
        assert!(!err.contains("access-c"), "{err}");
        assert!(err.contains("cut short"), "{err}");
        assert!(
            decode(
                b"{\"version\":9,\"account\":{\"oid\":\"o\",\"tid\":\"t\",\"username\":\"\",\"name\":\"\"}}"
            )
            .unwrap_err()
            .contains("version 9")
        );
    }

    #[test]
    fn a_plain_file_is_used_only_when_the_settings_ask_for_it_and_the_choice_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let choice = choose_between(
            Err("no Secret Service on the session bus".into()),
            StorePreference::File,
            dir.path(),
            "presently-test",
        );
        assert_eq!(choice.store.kind(), StoreKind::File);
        assert!(!choice.store.is_secure());
        assert_eq!(choice.place.kind, StoreKind::File);
        assert_eq!(
            choice.place.file.as_deref(),
            Some(dir.path().join("tokens.json").as_path())
        );
        let note = choice.place.note.unwrap_or_default();
        assert!(note.contains("token-store = \"file\""), "{note}");
    }

    #[test]
    fn the_preference_is_read_from_its_setting_value() {
        for p in [StorePreference::CredentialStore, StorePreference::File] {
            assert_eq!(p.key().parse::<StorePreference>().unwrap(), p);
        }
        assert_eq!(
            " File ".parse::<StorePreference>().unwrap(),
            StorePreference::File
        );
        let err = "keychain".parse::<StorePreference>().unwrap_err();
        assert!(err.contains("credential-store") && err.contains("file"), "{err}");
    }

    #[test]
    fn an_unavailable_credential_store_never_makes_tokens_land_in_a_plain_file() {
        let dir = tempfile::tempdir().unwrap();
        let choice = choose_between(
            Err("the default collection is locked".into()),
            StorePreference::CredentialStore,
            dir.path(),
            "presently-test",
        );
        assert_ne!(choice.store.kind(), StoreKind::File, "{:?}", choice.place);
        let auth = StoredAuth::SignedIn(sample("locked"));
        choice.store.save(&auth).unwrap();
        assert_eq!(choice.store.load().unwrap(), Some(auth), "kept for this run");
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(files.is_empty(), "nothing written to disk: {files:?}");
        assert_eq!(choice.place.kind, StoreKind::Memory);
        assert_eq!(choice.place.file, None);
        let note = choice.place.note.unwrap_or_default();
        assert!(note.contains("not available"), "{note}");
        assert!(note.contains("token-store = \"file\""), "{note}");
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_creates_the_file_0600_tightens_its_folder_to_0700_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("t.json");
        std::fs::create_dir(path.parent().unwrap()).unwrap();
        std::fs::set_permissions(path.parent().unwrap(), std::fs::Permissions::from_mode(0o755)).unwrap();
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("t.json")]);
    }
}
