//! The OS credential store (Secret Service on Linux, the Keychain on macOS, the Credential Manager on Windows)
//! through the `keyring` crate, as an envelope.
//!
//! A Windows Credential Manager entry holds at most 2,560 bytes, less than a Graph token set (~3.5 KB, contract
//! §7). So the credential store keeps only a random 256-bit key (44 characters of base64), and the token set is
//! AES-256-GCM-encrypted with it in `tokens.enc` in the app data directory, with a fresh random nonce on every
//! save. The file alone is useless without the key; the key alone holds no token. The same design works on every
//! platform, so all three behave alike.
//!
//! `keyring` 4 with its default `v1` feature brings the real platform stores: `zbus-secret-service-keyring-store`
//! with the `crypto-rust` feature on Linux (pure Rust D-Bus and session encryption, no OpenSSL or libdbus), the
//! Keychain on macOS and the Credential Manager on Windows.
//!
//! Envelope layout: `PRESENTLY-TOKENS-V1\n` (20 bytes, also the AEAD's associated data) ‖ nonce (12 bytes) ‖
//! ciphertext with its 16-byte tag.

use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, Generate, KeyInit, Nonce, Payload};
use aes_gcm::{Aes256Gcm, Key};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{
    StoreError, StoreKind, StoredAuth, TokenStore, decode, encode, read_optional, remove_optional,
    write_atomic,
};

/// The Windows Credential Manager's per-entry limit in bytes (contract §7); every entry we write stays under it.
pub const MAX_CREDENTIAL_BYTES: usize = 2560;

/// The encrypted token file's name inside the app data directory.
pub const ENVELOPE_FILE: &str = "tokens.enc";

/// The credential-store entry (user name) that holds the key.
pub const KEY_ENTRY: &str = "token-encryption-key";

const MAGIC: &[u8] = b"PRESENTLY-TOKENS-V1\n";
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;
/// The key as stored: standard base64 of 32 bytes.
const STORED_KEY_CHARS: usize = KEY_LEN.div_ceil(3) * 4;
const _: () = assert!(
    STORED_KEY_CHARS * 2 <= MAX_CREDENTIAL_BYTES,
    "the key must fit a Windows credential even as UTF-16"
);

/// Tokens encrypted in a file, the key in the OS credential store.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
    file: PathBuf,
}

impl KeyringStore {
    /// A store using credential-store service `service` and `dir/tokens.enc`, without checking the credential
    /// store is there (see [`KeyringStore::probe`]).
    pub fn new(service: &str, dir: &Path) -> Self {
        Self {
            service: service.to_owned(),
            file: dir.join(ENVELOPE_FILE),
        }
    }

    /// A store, if the credential store answers; else why not, in words.
    pub fn probe(service: &str, dir: &Path) -> Result<Self, String> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(describe_keyring_error(e));
        }
        let store = Self::new(service, dir);
        let entry = store.entry().map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(store),
            Err(e) => Err(describe_keyring_error(&e)),
        }
    }

    /// The credential-store service name of the key entry (whose user name is [`KEY_ENTRY`]).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The encrypted token file.
    pub fn file_path(&self) -> &Path {
        &self.file
    }

    /// Where this store keeps the tokens, in parts.
    pub fn place(&self) -> super::StorePlace {
        super::StorePlace {
            kind: super::StoreKind::CredentialStore,
            file: Some(self.file.clone()),
            key_kept_in: Some(self.backend_name()),
            note: None,
        }
    }

    /// The platform's credential store, by name.
    pub fn backend_name(&self) -> &'static str {
        if cfg!(target_os = "windows") {
            "the Windows Credential Manager"
        } else if cfg!(target_os = "macos") {
            "the macOS Keychain"
        } else {
            "the Secret Service (GNOME Keyring or KWallet)"
        }
    }

    fn entry(&self) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, KEY_ENTRY).map_err(|e| keyring_failure("open the key entry", &e))
    }

    fn read_key(&self) -> Result<Option<Aes256Gcm>, StoreError> {
        match self.entry()?.get_password() {
            Ok(text) => {
                let bytes = STANDARD.decode(text.trim()).map_err(|_| StoreError::Keyring {
                    op: "read the key",
                    detail: "the stored key is not base64".into(),
                })?;
                Aes256Gcm::new_from_slice(&bytes)
                    .map(Some)
                    .map_err(|_| StoreError::Keyring {
                        op: "read the key",
                        detail: format!("the stored key is {} bytes, not {KEY_LEN}", bytes.len()),
                    })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_failure("read the key", &e)),
        }
    }

    fn create_key(&self) -> Result<Aes256Gcm, StoreError> {
        let key = Key::<Aes256Gcm>::try_generate().map_err(|_| StoreError::Keyring {
            op: "create a key",
            detail: "the system random number generator failed".into(),
        })?;
        let text = STANDARD.encode(key.as_slice());
        debug_assert_eq!(text.len(), STORED_KEY_CHARS);
        self.entry()?
            .set_password(&text)
            .map_err(|e| keyring_failure("save the key", &e))?;
        Ok(Aes256Gcm::new(&key))
    }

    fn corrupt(&self, reason: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: self.file.clone(),
            reason: reason.into(),
        }
    }
}

impl TokenStore for KeyringStore {
    fn kind(&self) -> StoreKind {
        StoreKind::CredentialStore
    }

    fn location(&self) -> String {
        format!(
            "{} (encrypted; key \"{}/{KEY_ENTRY}\" in {})",
            self.file.display(),
            self.service,
            self.backend_name()
        )
    }

    fn load(&self) -> Result<Option<StoredAuth>, StoreError> {
        let Some(bytes) = read_optional(&self.file)? else {
            return Ok(None);
        };
        let Some(cipher) = self.read_key()? else {
            return Err(StoreError::KeyMissing {
                path: self.file.clone(),
            });
        };
        let plain = open_envelope(&cipher, &bytes).map_err(|reason| self.corrupt(reason))?;
        decode(&plain).map(Some).map_err(|reason| self.corrupt(reason))
    }

    fn save(&self, auth: &StoredAuth) -> Result<(), StoreError> {
        let cipher = match self.read_key()? {
            Some(c) => c,
            None => self.create_key()?,
        };
        let nonce = Nonce::<Aes256Gcm>::try_generate().map_err(|_| StoreError::Keyring {
            op: "encrypt",
            detail: "the system random number generator failed".into(),
        })?;
        let out = seal_envelope(&cipher, &nonce, &encode(auth)).map_err(|_| StoreError::Keyring {
            op: "encrypt",
            detail: "AES-GCM refused the message".into(),
        })?;
        write_atomic(&self.file, &out)
    }

    fn clear(&self) -> Result<(), StoreError> {
        remove_optional(&self.file)?;
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_failure("delete the key", &e)),
        }
    }
}

/// Builds an envelope: magic ‖ nonce ‖ AES-256-GCM ciphertext of `plain` with the magic as associated data.
pub(crate) fn seal_envelope(
    cipher: &Aes256Gcm,
    nonce: &Nonce<Aes256Gcm>,
    plain: &[u8],
) -> Result<Vec<u8>, aes_gcm::Error> {
    let ciphertext = cipher.encrypt(
        nonce,
        Payload {
            msg: plain,
            aad: MAGIC,
        },
    )?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(nonce.as_slice());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens an envelope made by [`seal_envelope`]. The reason for a refusal is fixed text: the file's bytes are
/// never quoted.
pub(crate) fn open_envelope(cipher: &Aes256Gcm, bytes: &[u8]) -> Result<Vec<u8>, &'static str> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or("it does not start like a Presently token envelope")?;
    if rest.len() < NONCE_LEN + 16 {
        return Err("it is too short to hold a nonce and a tag");
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::<Aes256Gcm>::try_from(nonce).map_err(|_| "bad nonce")?;
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad: MAGIC,
            },
        )
        .map_err(|_| "it does not decrypt with the key in the credential store")
}

/// Keeps one secret other than the tokens (a proxy's password) in the credential store, as the entry `name` of
/// `service`. Fails when no credential store answers: such a secret is never written anywhere else.
pub fn save_secret(service: &str, name: &str, secret: &str) -> Result<(), StoreError> {
    keyring::Entry::new(service, name)
        .and_then(|entry| entry.set_password(secret))
        .map_err(|e| keyring_failure("keep a secret", &e))
}

/// The secret kept as `name` of `service`, `None` when there is none.
pub fn load_secret(service: &str, name: &str) -> Result<Option<String>, StoreError> {
    let entry = keyring::Entry::new(service, name).map_err(|e| keyring_failure("read a secret", &e))?;
    match entry.get_password() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_failure("read a secret", &e)),
    }
}

/// Forgets the secret kept as `name` of `service` (nothing to forget is fine).
pub fn delete_secret(service: &str, name: &str) -> Result<(), StoreError> {
    let entry = keyring::Entry::new(service, name).map_err(|e| keyring_failure("forget a secret", &e))?;
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_failure("forget a secret", &e)),
    }
}

fn keyring_failure(op: &'static str, e: &keyring::Error) -> StoreError {
    StoreError::Keyring {
        op,
        detail: describe_keyring_error(e),
    }
}

/// The credential store's error in words, never its data (some variants carry the raw secret bytes, so this never
/// uses `Debug`).
fn describe_keyring_error(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(inner) => format!("platform failure: {inner}"),
        keyring::Error::NoStorageAccess(inner) => format!("no access (is it locked?): {inner}"),
        keyring::Error::NoEntry => "no such entry".into(),
        keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
            "the entry holds malformed data".into()
        }
        keyring::Error::NoDefaultStore => "no credential store is set up on this system".into(),
        keyring::Error::Ambiguous(items) => format!("{} entries match", items.len()),
        keyring::Error::TooLong(name, limit) => format!("{name} is longer than the limit of {limit}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_key_is_44_characters_and_fits_a_windows_credential_even_as_utf16() {
        let key = STANDARD.encode([7u8; KEY_LEN]);
        assert_eq!(key.len(), STORED_KEY_CHARS);
        assert_eq!(key.len(), 44);
        assert!(key.encode_utf16().count() * 2 <= MAX_CREDENTIAL_BYTES);
    }
}
