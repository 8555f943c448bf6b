//! [`TokenManager`]: hands out access tokens, refreshing them before they expire, one refresh at a time, and keeps
//! the store in step (contract §5 "Tokens").
//!
//! - **Before expiry**: a token is refreshed once the injected clock passes `expires_at` minus a margin (see
//!   [`TokenSet::refresh_due_at`]); `expires_in` decides, never an assumed hour. [`TokenManager::next_refresh_at`]
//!   tells the keeper when to wake up for it.
//! - **Single flight**: the state sits behind one `tokio::sync::Mutex` held across the refresh; a caller that got
//!   the lock after someone else refreshed re-checks and finds a fresh token, so many concurrent callers cause one
//!   token request.
//! - **Rotation**: the new token set (with its new refresh token) is saved to the store, atomically, before its
//!   access token is handed out. If saving fails (a keyring locked later, a full disk), the set stays in memory
//!   and is used: the old refresh token is spent, so refusing to go on would only stop Presently until the next
//!   start, when the saved (spent) set would fail anyway. Every later call tries to save again; only after
//!   [`SAVE_FAILURES_BEFORE_TELLING`] failures in a row does [`TokenManager::save_trouble`] tell the user.
//! - **Refused refresh**: an `invalid_grant`-type refusal (expired, revoked, inactive) saves
//!   [`StoredAuth::SignInRequired`] with the account, so the UI can say who must sign in, and returns
//!   [`AuthError::SignInRequired`].

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::client::AuthClient;
use crate::device::DeviceCodePrompt;
use crate::error::{AuthError, UserAction};
use crate::pkce::{BrowserOpener, BrowserSignIn};
use crate::secret::AccessToken;
use crate::store::{StoreError, StoreKind, StoredAuth, TokenStore};
use crate::tokens::{Account, TokenSet};

/// Failed saves in a row before the user is told (one failure is often a keyring busy for a moment).
pub const SAVE_FAILURES_BEFORE_TELLING: u32 = 3;

/// How long before expiry a token is refreshed by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What the manager knows, for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthStatus {
    /// Nobody is signed in.
    SignedOut,
    /// Signed in with tokens.
    SignedIn {
        /// Who.
        account: Account,
        /// When the access token expires.
        expires_at: Timestamp,
        /// When it will be refreshed.
        refresh_due_at: Timestamp,
    },
    /// The saved sign-in can no longer be used silently; this account must sign in again.
    SignInRequired {
        /// Who.
        account: Account,
    },
}

#[derive(Debug, Default)]
struct State {
    auth: Option<StoredAuth>,
    /// The in-memory state is newer than the store (a save failed).
    unsaved: bool,
    /// Saves that failed in a row.
    save_failures: u32,
}

/// Hands out access tokens for one account. Share it behind an `Arc`.
#[derive(Debug)]
pub struct TokenManager {
    client: AuthClient,
    store: Arc<dyn TokenStore>,
    state: Mutex<State>,
    margin: Duration,
    /// What to tell the user once saving keeps failing; read without the async lock (snapshots, `doctor`).
    trouble: std::sync::Mutex<Option<String>>,
}

impl TokenManager {
    /// A manager with nothing loaded yet (see [`TokenManager::load`]).
    pub fn new(client: AuthClient, store: Arc<dyn TokenStore>) -> Self {
        Self {
            client,
            store,
            state: Mutex::new(State::default()),
            margin: DEFAULT_REFRESH_MARGIN,
            trouble: std::sync::Mutex::new(None),
        }
    }

    /// The same manager refreshing `margin` before expiry.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The identity-platform client.
    pub fn client(&self) -> &AuthClient {
        &self.client
    }

    /// The kind of store in use (the UI warns when it is not secure).
    pub fn store_kind(&self) -> StoreKind {
        self.store.kind()
    }

    /// Where the store keeps the tokens, in words.
    pub fn store_location(&self) -> String {
        self.store.location()
    }

    /// When saving the tokens has failed [`SAVE_FAILURES_BEFORE_TELLING`] times in a row: what to tell the user.
    /// The tokens are in use from memory meanwhile, and every call tries to save them again.
    pub fn save_trouble(&self) -> Option<String> {
        self.trouble.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether the store waits for the credential store to answer (tokens are in memory only meanwhile).
    pub fn store_waiting(&self) -> bool {
        self.store.is_waiting()
    }

    /// Where the store keeps the tokens now, when that changes while running (see [`TokenStore::situation`]).
    pub fn store_situation(&self) -> Option<crate::StorePlace> {
        self.store.situation()
    }

    /// Asks a waiting store to try the credential store again; true when it is in use now. The caller then
    /// reloads ([`TokenManager::load`]) to read a sign-in saved there earlier.
    pub async fn retry_store(&self) -> bool {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.try_again())
            .await
            .unwrap_or(false)
    }

    /// Reads the saved state. A damaged store is reported as [`StoreError::Corrupt`] and left untouched; the
    /// manager then starts signed out, and the next sign-in replaces the damaged file.
    pub async fn load(&self) -> Result<AuthStatus, AuthError> {
        let mut state = self.state.lock().await;
        if state.unsaved {
            // Tokens refreshed since the last good save are newer than the store's (whose refresh token is
            // spent): keep them unless they can be saved now.
            self.save_or_keep(&mut state).await;
            if state.unsaved {
                return Ok(self.status_of(&state));
            }
        }
        let store = self.store.clone();
        let loaded = blocking(move || store.load()).await?;
        state.auth = loaded;
        state.unsaved = false;
        Ok(self.status_of(&state))
    }

    /// Who is signed in and until when.
    pub async fn status(&self) -> AuthStatus {
        let state = self.state.lock().await;
        self.status_of(&state)
    }

    /// The account, signed in or needing to sign in again.
    pub async fn account(&self) -> Option<Account> {
        self.state.lock().await.auth.as_ref().map(|a| a.account().clone())
    }

    /// When the current access token should be refreshed; `None` when there is none.
    pub async fn next_refresh_at(&self) -> Option<Timestamp> {
        let state = self.state.lock().await;
        match &state.auth {
            Some(StoredAuth::SignedIn(set)) => Some(set.refresh_due_at(self.margin)),
            _ => None,
        }
    }

    /// A valid access token, refreshed first if it is due.
    pub async fn access_token(&self) -> Result<AccessToken, AuthError> {
        let mut state = self.state.lock().await;
        self.save_or_keep(&mut state).await;
        let set = self.signed_in(&state)?.clone();
        if self.client.clock().now() < set.refresh_due_at(self.margin) {
            return Ok(set.access_token);
        }
        self.refresh_locked(&mut state, &set, false).await
    }

    /// Refreshes now if a refresh is due; for the keeper's timer.
    pub async fn refresh_if_due(&self) -> Result<(), AuthError> {
        self.access_token().await.map(|_| ())
    }

    /// After Graph answered 401 to `rejected`: refreshes once and returns the new token. If another caller already
    /// replaced `rejected`, returns the current token without a second refresh. The caller retries its request
    /// once with the result and gives up on a second 401.
    pub async fn refresh_after_rejection(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        let mut state = self.state.lock().await;
        self.save_or_keep(&mut state).await;
        let set = self.signed_in(&state)?.clone();
        if set.access_token != *rejected && self.client.clock().now() < set.refresh_due_at(self.margin) {
            return Ok(set.access_token);
        }
        tracing::info!("access token rejected by Graph; refreshing");
        self.refresh_locked(&mut state, &set, true).await
    }

    /// Saves a token set from a sign-in and starts using it.
    pub async fn adopt(&self, set: TokenSet) -> Result<Account, AuthError> {
        let account = set.account.clone();
        let mut state = self.state.lock().await;
        state.auth = Some(StoredAuth::SignedIn(set));
        state.unsaved = true;
        self.save_if_unsaved(&mut state).await?;
        Ok(account)
    }

    /// Signs in with the browser and adopts the result.
    pub async fn sign_in_with_browser(
        &self,
        opener: &dyn BrowserOpener,
        options: &BrowserSignIn,
        cancel: &CancellationToken,
    ) -> Result<Account, AuthError> {
        let set = self.client.sign_in_with_browser(opener, options, cancel).await?;
        self.adopt(set).await
    }

    /// Signs in with a device code and adopts the result.
    pub async fn sign_in_with_device_code(
        &self,
        on_prompt: impl FnOnce(DeviceCodePrompt) + Send,
        cancel: &CancellationToken,
    ) -> Result<Account, AuthError> {
        let set = self.client.sign_in_with_device_code(on_prompt, cancel).await?;
        self.adopt(set).await
    }

    /// Forgets the tokens here and in the store.
    pub async fn sign_out(&self) -> Result<(), AuthError> {
        let mut state = self.state.lock().await;
        let store = self.store.clone();
        blocking(move || store.clear()).await?;
        *state = State::default();
        *self.trouble.lock().unwrap_or_else(|e| e.into_inner()) = None;
        tracing::info!("signed out");
        Ok(())
    }

    fn status_of(&self, state: &State) -> AuthStatus {
        match &state.auth {
            None => AuthStatus::SignedOut,
            Some(StoredAuth::SignedIn(set)) => AuthStatus::SignedIn {
                account: set.account.clone(),
                expires_at: set.expires_at,
                refresh_due_at: set.refresh_due_at(self.margin),
            },
            Some(StoredAuth::SignInRequired(account)) => AuthStatus::SignInRequired {
                account: account.clone(),
            },
        }
    }

    fn signed_in<'s>(&self, state: &'s State) -> Result<&'s TokenSet, AuthError> {
        match &state.auth {
            None => Err(AuthError::NotSignedIn),
            Some(StoredAuth::SignInRequired(account)) => Err(AuthError::SignInRequired {
                account: account.clone(),
                refusal: None,
            }),
            Some(StoredAuth::SignedIn(set)) => Ok(set),
        }
    }

    async fn save_if_unsaved(&self, state: &mut State) -> Result<(), AuthError> {
        if !state.unsaved {
            return Ok(());
        }
        let Some(auth) = state.auth.clone() else {
            state.unsaved = false;
            return Ok(());
        };
        let store = self.store.clone();
        match blocking(move || store.save(&auth)).await {
            Ok(()) => {
                state.unsaved = false;
                if state.save_failures > 0 {
                    tracing::info!(failures = state.save_failures, "the tokens are saved again");
                }
                state.save_failures = 0;
                *self.trouble.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(())
            }
            Err(e) => {
                state.save_failures = state.save_failures.saturating_add(1);
                if state.save_failures >= SAVE_FAILURES_BEFORE_TELLING {
                    *self.trouble.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!(
                        "The sign-in could not be saved ({e}); Presently keeps working and keeps trying, but if it \
                         quits now you will have to sign in again."
                    ));
                }
                Err(e)
            }
        }
    }

    /// Saves what is unsaved; a failure is logged and counted, and the in-memory state stays in use.
    async fn save_or_keep(&self, state: &mut State) {
        if let Err(e) = self.save_if_unsaved(state).await {
            if state.save_failures == 1 || state.save_failures == SAVE_FAILURES_BEFORE_TELLING {
                tracing::warn!(error = %e, failures = state.save_failures, "cannot save the tokens; keeping them in memory");
            } else {
                tracing::debug!(error = %e, failures = state.save_failures, "cannot save the tokens yet");
            }
        }
    }

    async fn refresh_locked(
        &self,
        state: &mut State,
        current: &TokenSet,
        forced: bool,
    ) -> Result<AccessToken, AuthError> {
        tracing::debug!(forced, expires_at = %current.expires_at, "refreshing the access token");
        match self.client.refresh(current).await {
            Ok(new) => {
                tracing::info!(expires_at = %new.expires_at, "access token refreshed");
                let token = new.access_token.clone();
                state.auth = Some(StoredAuth::SignedIn(new));
                state.unsaved = true;
                // The old refresh token is spent: save the new one before anything uses the new set, and if that
                // fails, go on with it from memory (see the module docs).
                self.save_or_keep(state).await;
                Ok(token)
            }
            Err(AuthError::Refused(refusal)) if refusal.action() == UserAction::SignInAgain => {
                tracing::warn!(error = %refusal, "refresh refused; the account must sign in again");
                let account = current.account.clone();
                state.auth = Some(StoredAuth::SignInRequired(account.clone()));
                state.unsaved = true;
                if let Err(e) = self.save_if_unsaved(state).await {
                    tracing::warn!(error = %e, "cannot save the sign-in-required state");
                }
                Err(AuthError::SignInRequired {
                    account,
                    refusal: Some(refusal),
                })
            }
            Err(AuthError::Refused(refusal))
                if matches!(
                    refusal.action(),
                    UserAction::Consent | UserAction::InteractiveSignIn
                ) =>
            {
                tracing::warn!(error = %refusal, "refresh needs the person at the browser");
                Err(AuthError::SignInRequired {
                    account: current.account.clone(),
                    refusal: Some(refusal),
                })
            }
            Err(e) if e.is_transient() && !forced && self.client.clock().now() < current.expires_at => {
                // Refreshing early failed for a passing reason; the current token is still good.
                tracing::warn!(error = %e, "early refresh failed; using the current token until it expires");
                Ok(current.access_token.clone())
            }
            Err(e) => Err(e),
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AuthError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(AuthError::Store),
        Err(join) => Err(AuthError::Store(StoreError::Io {
            op: "use",
            path: "the token store".into(),
            source: std::io::Error::other(join.to_string()),
        })),
    }
}
