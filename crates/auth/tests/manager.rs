//! The token manager against the emulator on paused tokio time: refresh before expiry (by `expires_in`, contract
//! §5), one refresh for many callers, rotated refresh tokens saved before use, revoked and refused refreshes with
//! the action a person can take, and transient failures retried.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{
    Choice, FakeBrowser, client_for, emulator, first_user, graph_me, http, inject_identity_error, logged,
};
use jiff::SignedDuration;
use presently_auth::store::FileStore;
use presently_auth::{
    AuthClient, AuthError, AuthStatus, BrowserSignIn, CancellationToken, MemoryStore, RefusalKind,
    StoreError, StoreKind, StoredAuth, TokenManager, TokenSet, TokenStore, UserAction,
};
use presently_emulator::Emulator;

/// Signs the first user in through the (auto-approving) emulator and returns the client and tokens.
async fn signed_in(emu: &Emulator) -> (AuthClient, TokenSet) {
    let client = client_for(emu.base_url());
    let set = client
        .sign_in_with_browser(
            &FakeBrowser::new(Choice::Approve),
            &BrowserSignIn::default(),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    (client, set)
}

/// Moves tokio's paused time (and with it both clocks) to `at` on the client's clock.
async fn advance_to(client: &AuthClient, at: jiff::Timestamp) {
    let now = client.clock().now();
    let by = at.duration_since(now);
    assert!(by >= SignedDuration::ZERO, "time only moves forward");
    tokio::time::advance(Duration::try_from(by).unwrap()).await;
}

#[tokio::test(start_paused = true)]
async fn an_access_token_is_refreshed_a_margin_before_it_expires_and_not_sooner() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let store = Arc::new(MemoryStore::new());
    let manager = TokenManager::new(client.clone(), store.clone());
    manager.adopt(set.clone()).await.unwrap();
    let due = set.expires_at - SignedDuration::from_mins(5);
    assert_eq!(manager.next_refresh_at().await, Some(due));

    assert_eq!(manager.access_token().await.unwrap(), set.access_token);
    advance_to(&client, due - SignedDuration::from_secs(1)).await;
    assert_eq!(
        manager.access_token().await.unwrap(),
        set.access_token,
        "not due yet"
    );
    assert!(logged(&emu, "refresh_token").is_empty());

    advance_to(&client, due + SignedDuration::from_secs(1)).await;
    assert!(
        emu.clock().now() < set.expires_at,
        "the emulator still accepts the old token"
    );
    assert_eq!(graph_me(emu.base_url(), &set.access_token).await, 200);
    let fresh = manager.access_token().await.unwrap();
    assert_ne!(fresh, set.access_token);
    assert_eq!(logged(&emu, "refresh_token"), vec![200]);
    assert_eq!(graph_me(emu.base_url(), &fresh).await, 200);

    let StoredAuth::SignedIn(saved) = store.load().unwrap().unwrap() else {
        panic!("signed in")
    };
    assert_eq!(saved.access_token, fresh);
    assert_ne!(
        saved.refresh_token, set.refresh_token,
        "the rotated refresh token is saved"
    );
    assert_eq!(store.save_count(), 2);
    assert_eq!(
        manager.next_refresh_at().await,
        Some(saved.expires_at - SignedDuration::from_mins(5))
    );
    let life = saved.lifetime().as_secs();
    assert!(
        (3600..=5400).contains(&life),
        "the new life comes from expires_in: {life}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_token_graph_rejects_is_refreshed_once_even_when_several_callers_report_it() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let manager = TokenManager::new(client, Arc::new(MemoryStore::new()));
    manager.adopt(set.clone()).await.unwrap();
    // Only the emulator's clock jumps: it now thinks the token expired while the client does not.
    emu.clock()
        .advance(Duration::try_from(set.lifetime()).unwrap() + Duration::from_secs(1));
    let token = manager.access_token().await.unwrap();
    assert_eq!(token, set.access_token);
    assert_eq!(graph_me(emu.base_url(), &token).await, 401);

    let fresh = manager.refresh_after_rejection(&token).await.unwrap();
    assert_ne!(fresh, token);
    assert_eq!(graph_me(emu.base_url(), &fresh).await, 200);
    // A second caller reporting the same old token gets the new one without a second refresh.
    assert_eq!(manager.refresh_after_rejection(&token).await.unwrap(), fresh);
    assert_eq!(logged(&emu, "refresh_token"), vec![200]);
}

#[tokio::test(start_paused = true)]
async fn many_concurrent_callers_share_exactly_one_refresh() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let manager = Arc::new(TokenManager::new(client.clone(), Arc::new(MemoryStore::new())));
    manager.adopt(set.clone()).await.unwrap();
    advance_to(&client, set.expires_at - SignedDuration::from_mins(1)).await;

    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let m = manager.clone();
            tokio::spawn(async move { m.access_token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap());
    }
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "every caller got the same new token"
    );
    assert_ne!(tokens[0], set.access_token);
    assert_eq!(
        logged(&emu, "refresh_token"),
        vec![200],
        "one token request for 64 callers"
    );
}

#[tokio::test(start_paused = true)]
async fn a_rotated_refresh_token_is_saved_so_a_new_manager_continues_and_the_old_one_is_refused() {
    let emu = emulator(true).await;
    let (client, original) = signed_in(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let first = TokenManager::new(client.clone(), Arc::new(FileStore::new(dir.path())));
    first.adopt(original.clone()).await.unwrap();
    advance_to(&client, original.expires_at - SignedDuration::from_mins(1)).await;
    first.access_token().await.unwrap();
    drop(first);

    let on_disk = FileStore::new(dir.path()).load().unwrap().unwrap();
    let rotated = on_disk.tokens().unwrap().clone();
    assert_ne!(rotated.refresh_token, original.refresh_token);

    // A new process: loads the file and keeps going with the rotated refresh token.
    let second = TokenManager::new(client.clone(), Arc::new(FileStore::new(dir.path())));
    assert!(matches!(
        second.load().await.unwrap(),
        AuthStatus::SignedIn { .. }
    ));
    advance_to(&client, rotated.expires_at - SignedDuration::from_mins(1)).await;
    let third_token = second.access_token().await.unwrap();
    assert_ne!(third_token, rotated.access_token);
    assert_eq!(logged(&emu, "refresh_token"), vec![200, 200]);

    // The spent refresh tokens no longer work (contract §5: they replace themselves on every use).
    for spent in [&original, &rotated] {
        let err = client.refresh(spent).await.unwrap_err();
        assert_eq!(err.refusal_kind(), Some(RefusalKind::Expired), "{err:?}");
        assert_eq!(err.action(), UserAction::SignInAgain);
    }
}

#[tokio::test(start_paused = true)]
async fn a_revoked_refresh_token_asks_the_same_account_to_sign_in_again_and_the_account_is_kept() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let store = Arc::new(MemoryStore::new());
    let manager = TokenManager::new(client.clone(), store.clone());
    manager.adopt(set.clone()).await.unwrap();
    let me = first_user();
    let resp = http()
        .post(format!("{}/_emulator/users/{}/revoke", emu.base_url(), me.id))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    advance_to(&client, set.expires_at - SignedDuration::from_mins(1)).await;
    let err = manager.access_token().await.unwrap_err();
    match &err {
        AuthError::SignInRequired { account, refusal } => {
            assert_eq!(account.oid, me.id);
            assert_eq!(refusal.as_ref().unwrap().kind, RefusalKind::Revoked);
            assert_eq!(refusal.as_ref().unwrap().code(), Some(50173));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.action(), UserAction::SignInAgain);
    assert!(
        err.to_string()
            .starts_with("Adele Vance (adele.vance@contoso.onmicrosoft.com) must sign in again."),
        "{err}"
    );
    assert!(
        matches!(manager.status().await, AuthStatus::SignInRequired { ref account } if account.oid == me.id)
    );
    assert_eq!(
        store.load().unwrap(),
        Some(StoredAuth::SignInRequired(set.account.clone()))
    );

    // After a restart the account is still known, and no request is wasted on the dead refresh token.
    let later = TokenManager::new(client, store);
    assert!(matches!(
        later.load().await.unwrap(),
        AuthStatus::SignInRequired { .. }
    ));
    let err = later.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::SignInRequired { ref account, refusal: None } if account.oid == me.id));
    assert_eq!(err.action(), UserAction::SignInAgain);
    assert_eq!(logged(&emu, "refresh_token"), vec![400]);
}

#[tokio::test(start_paused = true)]
async fn injected_identity_errors_on_refresh_become_the_right_user_action() {
    let emu = emulator(true).await;
    let cases = [
        (70008, RefusalKind::Expired, UserAction::SignInAgain),
        (700082, RefusalKind::InactiveTooLong, UserAction::SignInAgain),
        (50173, RefusalKind::Revoked, UserAction::SignInAgain),
        (70043, RefusalKind::SignInFrequency, UserAction::SignInAgain),
        (65001, RefusalKind::ConsentRequired, UserAction::Consent),
        (50076, RefusalKind::MfaRequired, UserAction::InteractiveSignIn),
        (
            53001,
            RefusalKind::ConditionalAccess,
            UserAction::InteractiveSignIn,
        ),
        (
            53003,
            RefusalKind::ClientBlocked,
            UserAction::UseOwnApp {
                admin_consent_url: None,
            },
        ),
    ];
    for (code, kind, action) in cases {
        let (client, set) = signed_in(&emu).await;
        let manager = TokenManager::new(client.clone(), Arc::new(MemoryStore::new()));
        manager.adopt(set.clone()).await.unwrap();
        inject_identity_error(emu.base_url(), code, 1, None).await;
        let err = manager
            .refresh_after_rejection(&set.access_token)
            .await
            .unwrap_err();
        let refusal = err.refusal().unwrap_or_else(|| panic!("{code}: {err:?}"));
        assert_eq!(refusal.code(), Some(code));
        assert_eq!(refusal.kind, kind, "{code}");
        assert_eq!(err.action(), action, "{code}");
        assert!(
            !err.to_string().contains("AADSTS"),
            "{code}: plain words, not the server's text: {err}"
        );
        // Only a dead grant forgets the tokens; consent and MFA keep them for after the browser sign-in.
        let expect_kept = action != UserAction::SignInAgain;
        assert_eq!(
            matches!(manager.status().await, AuthStatus::SignedIn { .. }),
            expect_kept,
            "{code}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn temporarily_unavailable_is_retried_after_retry_after_and_then_reported_as_retry_later() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let manager = TokenManager::new(client.clone(), Arc::new(MemoryStore::new()));
    manager.adopt(set.clone()).await.unwrap();

    // One refusal: retried after the server's Retry-After, transparently.
    inject_identity_error(emu.base_url(), 90006, 1, Some(7)).await;
    let before = client.clock().now();
    let fresh = manager.refresh_after_rejection(&set.access_token).await.unwrap();
    assert_eq!(
        client.clock().now().duration_since(before),
        SignedDuration::from_secs(7)
    );
    assert_eq!(logged(&emu, "injectedFault").len(), 1);
    assert_eq!(logged(&emu, "refresh_token"), vec![200]);

    // Four refusals in a row outlast the policy (three retries): the person is told to retry later.
    inject_identity_error(emu.base_url(), 50033, 4, Some(7)).await;
    let err = manager.refresh_after_rejection(&fresh).await.unwrap_err();
    assert_eq!(
        err.refusal_kind(),
        Some(RefusalKind::TemporarilyUnavailable),
        "{err:?}"
    );
    assert_eq!(
        err.action(),
        UserAction::RetryLater {
            after: Duration::from_secs(7)
        }
    );
    assert!(err.is_transient());
    assert_eq!(logged(&emu, "injectedFault").len(), 5);
    assert!(
        matches!(manager.status().await, AuthStatus::SignedIn { .. }),
        "a passing failure keeps the sign-in"
    );
}

#[tokio::test(start_paused = true)]
async fn an_early_refresh_that_fails_for_a_passing_reason_keeps_handing_out_the_still_valid_token() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let manager = TokenManager::new(client.clone(), Arc::new(MemoryStore::new()));
    manager.adopt(set.clone()).await.unwrap();
    advance_to(&client, set.expires_at - SignedDuration::from_mins(4)).await;
    inject_identity_error(emu.base_url(), 90006, 4, Some(1)).await;
    assert_eq!(manager.access_token().await.unwrap(), set.access_token);
    assert!(client.clock().now() < set.expires_at);
    // Once the fault is gone, the next call refreshes.
    assert_ne!(manager.access_token().await.unwrap(), set.access_token);
}

/// A store whose saves can be made to fail (a keyring locked later, a full disk).
#[derive(Debug, Default)]
struct FlakyStore {
    inner: MemoryStore,
    failing: AtomicBool,
}

impl TokenStore for FlakyStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Memory
    }
    fn location(&self) -> String {
        "flaky".into()
    }
    fn load(&self) -> Result<Option<StoredAuth>, StoreError> {
        self.inner.load()
    }
    fn save(&self, auth: &StoredAuth) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Io {
                op: "write",
                path: "flaky".into(),
                source: std::io::Error::other("disk full"),
            });
        }
        self.inner.save(auth)
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.inner.clear()
    }
}

#[tokio::test(start_paused = true)]
async fn a_refreshed_token_whose_save_fails_is_used_from_memory_and_saved_when_the_store_recovers() {
    let emu = emulator(true).await;
    let (client, set) = signed_in(&emu).await;
    let store = Arc::new(FlakyStore::default());
    let manager = TokenManager::new(client.clone(), store.clone());
    manager.adopt(set.clone()).await.unwrap();
    advance_to(&client, set.expires_at - SignedDuration::from_mins(1)).await;

    store.failing.store(true, Ordering::SeqCst);
    let fresh = manager
        .access_token()
        .await
        .expect("the refreshed token is handed out although it could not be saved");
    assert_ne!(fresh, set.access_token);
    assert_eq!(logged(&emu, "refresh_token"), vec![200]);
    assert_eq!(graph_me(emu.base_url(), &fresh).await, 200);
    assert!(
        manager.save_trouble().is_none(),
        "one failed save is not worth telling the user"
    );
    for _ in 0..3 {
        assert_eq!(manager.access_token().await.unwrap(), fresh, "kept in memory");
    }
    assert_eq!(logged(&emu, "refresh_token"), vec![200], "no second refresh");
    let trouble = manager
        .save_trouble()
        .expect("it keeps failing: the user is told");
    assert!(trouble.contains("disk full"), "{trouble}");

    store.failing.store(false, Ordering::SeqCst);
    assert_eq!(manager.access_token().await.unwrap(), fresh);
    let StoredAuth::SignedIn(saved) = store.load().unwrap().unwrap() else {
        panic!()
    };
    assert_eq!(saved.access_token, fresh, "the save was retried and succeeded");
    assert!(manager.save_trouble().is_none());
}

#[tokio::test]
async fn nobody_signed_in_is_a_typed_error() {
    let emu = emulator(true).await;
    let manager = TokenManager::new(client_for(emu.base_url()), Arc::new(MemoryStore::new()));
    assert_eq!(manager.load().await.unwrap(), AuthStatus::SignedOut);
    let err = manager.access_token().await.unwrap_err();
    assert!(matches!(err, AuthError::NotSignedIn));
    assert_eq!(err.action(), UserAction::SignInAgain);
}

#[tokio::test]
async fn a_damaged_store_is_reported_and_the_manager_starts_signed_out_without_touching_it() {
    let emu = emulator(true).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(presently_auth::store::FILE_NAME);
    std::fs::write(&path, b"{ not json").unwrap();
    let manager = TokenManager::new(client_for(emu.base_url()), Arc::new(FileStore::new(dir.path())));
    let err = manager.load().await.unwrap_err();
    assert!(
        matches!(err, AuthError::Store(StoreError::Corrupt { .. })),
        "{err:?}"
    );
    assert_eq!(manager.status().await, AuthStatus::SignedOut);
    assert_eq!(std::fs::read(&path).unwrap(), b"{ not json");
}
