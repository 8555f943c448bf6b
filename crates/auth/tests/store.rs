//! Token stores against real disks and a real Secret Service: round trips, owner-only files, damaged files left
//! untouched, and the credential-store envelope that keeps each entry under Windows' 2,560-byte cap (contract §7).
//!
//! The credential-store tests need a Secret Service on the session bus. Run them with
//! `scripts/with-keyring.sh cargo test -p presently-auth`, which starts a throw-away gnome-keyring and sets
//! `PRESENTLY_REQUIRE_KEYRING=1`: then a missing Secret Service fails the test. Without it they print
//! "NOT RUN: <name>" on stderr and pass.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use presently_auth::store::{FileStore, KEY_ENTRY};
use presently_auth::{
    AccessToken, Account, KeyringStore, MemoryStore, PendingStore, RefreshToken, StoreError, StoreKind,
    StorePreference, StoredAuth, TokenSet, TokenStore, choose_store,
};

fn sample(tag: &str) -> TokenSet {
    let t0 = Timestamp::from_second(1_800_000_000).unwrap();
    TokenSet {
        // Sized like real Graph tokens, so the set (~3.5 KB) would not fit one Windows credential.
        access_token: AccessToken::new(format!("eyJ0eXAiOiJKV1Qi.access-{tag}-{}", "a".repeat(2200))),
        refresh_token: Some(RefreshToken::new(format!(
            "0.AXkA-refresh-{tag}-{}",
            "r".repeat(1300)
        ))),
        obtained_at: t0,
        expires_at: t0 + SignedDuration::from_secs(4987),
        scopes: vec![
            "https://graph.microsoft.com/Presence.ReadWrite".into(),
            "https://graph.microsoft.com/User.Read".into(),
            "openid".into(),
            "profile".into(),
        ],
        account: Account {
            oid: "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d".into(),
            tid: "8f2c4a1e-5b6d-4c3e-9a7f-1d2e3f4a5b6c".into(),
            username: "adele.vance@contoso.onmicrosoft.com".into(),
            name: "Adele Vance".into(),
        },
    }
}

/// A credential store for this test under a unique service name, or `None` (reported by name) when no Secret
/// Service answers and none is required.
fn keyring_store(test: &str, dir: &Path) -> Option<KeyringStore> {
    let service = format!("presently-test-{}", uuid_like());
    match KeyringStore::probe(&service, dir) {
        Ok(store) => Some(store),
        Err(why) => {
            if std::env::var("PRESENTLY_REQUIRE_KEYRING").as_deref() == Ok("1") {
                panic!("{test}: a Secret Service is required here (PRESENTLY_REQUIRE_KEYRING=1) but: {why}");
            }
            // Written past the test harness's capture so it shows in a plain `cargo test` run.
            let _ = writeln!(
                std::io::stderr(),
                "NOT RUN: {test}: no Secret Service reachable ({why}); run it under scripts/with-keyring.sh"
            );
            None
        }
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{nanos:x}-{}", std::process::id())
}

#[test]
fn the_memory_store_round_trips_both_states() {
    let store = MemoryStore::new();
    for auth in [
        StoredAuth::SignedIn(sample("m")),
        StoredAuth::SignInRequired(sample("m").account),
    ] {
        store.save(&auth).unwrap();
        assert_eq!(store.load().unwrap(), Some(auth));
    }
    assert_eq!(store.kind(), StoreKind::Memory);
}

#[cfg(unix)]
#[test]
fn the_file_store_round_trips_with_an_owner_only_file_and_says_it_is_not_secure() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(&dir.path().join("app"));
    let auth = StoredAuth::SignedIn(sample("f"));
    store.save(&auth).unwrap();
    let mode = std::fs::metadata(store.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the token file must be owner-only");
    assert_eq!(
        FileStore::new(&dir.path().join("app")).load().unwrap(),
        Some(auth)
    );
    assert!(!store.is_secure());
    assert_eq!(store.kind(), StoreKind::File);
}

#[test]
fn a_damaged_token_file_is_a_typed_error_and_is_left_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path());
    store.save(&StoredAuth::SignedIn(sample("c"))).unwrap();
    let mut bytes = std::fs::read(store.path()).unwrap();
    bytes.truncate(bytes.len() - 40);
    bytes.extend_from_slice(b"\x00garbage");
    std::fs::write(store.path(), &bytes).unwrap();
    let before = std::fs::metadata(store.path()).unwrap().modified().unwrap();

    let err = store.load().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("access-c"),
        "the error must not quote the file: {text}"
    );
    assert_eq!(
        std::fs::read(store.path()).unwrap(),
        bytes,
        "the file must be left as it was"
    );
    assert_eq!(
        std::fs::metadata(store.path()).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn the_keyring_envelope_round_trips_through_the_real_secret_service() {
    let dir = tempfile::tempdir().unwrap();
    let Some(store) = keyring_store(
        "the_keyring_envelope_round_trips_through_the_real_secret_service",
        dir.path(),
    ) else {
        return;
    };
    assert_eq!(store.kind(), StoreKind::CredentialStore);
    assert!(store.is_secure());
    assert!(store.load().unwrap().is_none());

    let first = StoredAuth::SignedIn(sample("k1"));
    store.save(&first).unwrap();
    assert_eq!(store.load().unwrap(), Some(first));

    // A rotated set replaces the first, under the same key.
    let second = StoredAuth::SignedIn(sample("k2"));
    store.save(&second).unwrap();
    assert_eq!(store.load().unwrap(), Some(second.clone()));

    // The file holds no token in clear.
    let on_disk = std::fs::read(store.file_path()).unwrap();
    let needle = b"access-k2";
    assert!(
        !on_disk.windows(needle.len()).any(|w| w == needle),
        "tokens must be encrypted on disk"
    );
    assert!(
        on_disk.len() > 3000,
        "the whole set is in the file, not the credential"
    );

    store.clear().unwrap();
    assert!(store.load().unwrap().is_none());
    assert!(!store.file_path().exists());
}

#[test]
fn the_keyring_entry_holds_only_a_key_far_below_the_windows_credential_cap() {
    let dir = tempfile::tempdir().unwrap();
    let Some(store) = keyring_store(
        "the_keyring_entry_holds_only_a_key_far_below_the_windows_credential_cap",
        dir.path(),
    ) else {
        return;
    };
    store.save(&StoredAuth::SignedIn(sample("cap"))).unwrap();
    // The entry is read back through the same crate the store uses.
    let key = keyring::Entry::new(store.service(), KEY_ENTRY)
        .unwrap()
        .get_password()
        .unwrap();
    assert_eq!(key.len(), 44, "a base64 256-bit key");
    assert!(key.len() * 2 <= presently_auth::store::MAX_CREDENTIAL_BYTES);
    store.clear().unwrap();
}

#[test]
fn a_damaged_envelope_or_a_missing_key_is_a_typed_error_and_the_file_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let Some(store) = keyring_store(
        "a_damaged_envelope_or_a_missing_key_is_a_typed_error_and_the_file_is_left_untouched",
        dir.path(),
    ) else {
        return;
    };
    store.save(&StoredAuth::SignedIn(sample("d"))).unwrap();
    let mut bytes = std::fs::read(store.file_path()).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(store.file_path(), &bytes).unwrap();
    let err = store.load().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert_eq!(std::fs::read(store.file_path()).unwrap(), bytes);

    // Losing the key (a keyring reset) leaves an unreadable file: a typed error, not garbage.
    keyring::Entry::new(store.service(), KEY_ENTRY)
        .unwrap()
        .delete_credential()
        .unwrap();
    let err = store.load().unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing { .. }), "{err}");
    assert_eq!(std::fs::read(store.file_path()).unwrap(), bytes);
    store.clear().unwrap();
}

#[test]
fn choosing_a_store_reports_which_one_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("presently-test-{}", uuid_like());
    let choice = choose_store(dir.path(), &service, StorePreference::CredentialStore);
    let required = std::env::var("PRESENTLY_REQUIRE_KEYRING").as_deref() == Ok("1");
    match choice.store.kind() {
        StoreKind::CredentialStore => {
            assert_eq!(choice.place.kind, StoreKind::CredentialStore);
            assert_eq!(
                choice.place.file.as_deref(),
                Some(dir.path().join(presently_auth::store::ENVELOPE_FILE).as_path())
            );
            assert!(choice.place.key_kept_in.is_some(), "{:?}", choice.place);
            assert!(choice.store.is_secure());
        }
        StoreKind::Memory => {
            assert!(
                !required,
                "a Secret Service is required here but memory was chosen: {:?}",
                choice.place
            );
            let note = choice.place.note.clone().unwrap_or_default();
            assert!(note.contains("not available"), "{note}");
            assert_eq!(choice.place.file, None);
            assert!(choice.store.is_waiting());
        }
        StoreKind::File => panic!(
            "a plain file is used only when the settings ask for it: {:?}",
            choice.place
        ),
    }
    choice.store.clear().unwrap();
}

#[test]
fn the_credential_store_takes_over_a_plain_token_file_left_by_an_earlier_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let Some(probe) = keyring_store(
        "the_credential_store_takes_over_a_plain_token_file_left_by_an_earlier_fallback",
        dir.path(),
    ) else {
        return;
    };
    let service = probe.service().to_owned();
    let plain = FileStore::new(dir.path());
    let auth = StoredAuth::SignedIn(sample("plain"));
    plain.save(&auth).unwrap();

    let choice = choose_store(dir.path(), &service, StorePreference::CredentialStore);
    assert_eq!(choice.store.kind(), StoreKind::CredentialStore);
    let note = choice.place.note.clone().unwrap_or_default();
    assert!(note.contains("moved into the credential store"), "{note}");
    assert!(!plain.path().exists(), "no plain copy lingers");
    assert_eq!(choice.store.load().unwrap(), Some(auth));
    choice.store.clear().unwrap();
}

/// A probe that says "locked" until `open` is set, then asks the real credential store.
fn locked_until(
    open: &std::sync::Arc<std::sync::atomic::AtomicBool>,
    service: &str,
    dir: &Path,
) -> presently_auth::store::Probe {
    let (open, service, dir) = (open.clone(), service.to_owned(), dir.to_owned());
    Box::new(move || {
        if open.load(std::sync::atomic::Ordering::SeqCst) {
            KeyringStore::probe(&service, &dir)
        } else {
            Err("the default collection is locked".into())
        }
    })
}

#[test]
fn a_sign_in_made_while_the_credential_store_is_locked_stays_in_memory_then_moves_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let Some(real) = keyring_store(
        "a_sign_in_made_while_the_credential_store_is_locked_stays_in_memory_then_moves_into_it",
        dir.path(),
    ) else {
        return;
    };
    let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let store = PendingStore::with_probe(
        dir.path(),
        "locked".into(),
        locked_until(&open, real.service(), dir.path()),
    );
    let auth = StoredAuth::SignedIn(sample("while-locked"));
    store.save(&auth).unwrap();
    assert_eq!(store.kind(), StoreKind::Memory);
    assert!(!store.try_again(), "still locked");
    assert_eq!(store.load().unwrap(), Some(auth.clone()));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing on disk"
    );

    open.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(store.try_again(), "the credential store answers now");
    assert_eq!(store.kind(), StoreKind::CredentialStore);
    assert!(!store.is_waiting());
    assert_eq!(
        real.load().unwrap(),
        Some(auth.clone()),
        "moved into the credential store"
    );
    assert!(
        !dir.path().join(presently_auth::store::FILE_NAME).exists(),
        "never a plain file"
    );
    let next = StoredAuth::SignedIn(sample("after"));
    store.save(&next).unwrap();
    assert_eq!(real.load().unwrap(), Some(next));
    store.clear().unwrap();
}

#[test]
fn a_sign_in_saved_earlier_in_the_credential_store_is_read_once_it_answers() {
    let dir = tempfile::tempdir().unwrap();
    let Some(real) = keyring_store(
        "a_sign_in_saved_earlier_in_the_credential_store_is_read_once_it_answers",
        dir.path(),
    ) else {
        return;
    };
    let auth = StoredAuth::SignedIn(sample("earlier"));
    real.save(&auth).unwrap();
    let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let store = PendingStore::with_probe(
        dir.path(),
        "locked".into(),
        locked_until(&open, real.service(), dir.path()),
    );
    assert_eq!(store.load().unwrap(), None, "not readable while locked");
    open.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(store.try_again());
    assert_eq!(
        store.load().unwrap(),
        Some(auth),
        "the encrypted sign-in is read now"
    );
    store.clear().unwrap();
}

#[test]
fn signing_out_while_the_credential_store_is_locked_removes_the_encrypted_file() {
    let dir = tempfile::tempdir().unwrap();
    let envelope = dir.path().join(presently_auth::store::ENVELOPE_FILE);
    std::fs::write(&envelope, b"sealed").unwrap();
    let store = PendingStore::with_probe(dir.path(), "locked".into(), Box::new(|| Err("locked".into())));
    store.save(&StoredAuth::SignedIn(sample("x"))).unwrap();
    store.clear().unwrap();
    assert_eq!(store.load().unwrap(), None);
    assert!(!envelope.exists());
}
