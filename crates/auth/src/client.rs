//! [`AuthClient`]: one configured connection to the identity platform, shared by the browser sign-in
//! ([`crate::pkce`]), the device-code sign-in ([`crate::device`]) and token refresh.
//!
//! Everything that varies is injected (architecture convention 4): the configuration (so tests point it at the
//! emulator), the HTTP client, and the clock that stamps `expires_at`.

use std::future::Future;
use std::sync::Arc;

use url::Url;

use crate::clock::Clock;
use crate::config::{AuthConfig, ConfigError, Endpoints};
use crate::endpoint::{Adapter, OAuthClient, map_request_error, oauth_client, token_set_from_response};
use crate::error::AuthError;
use crate::retry::RetryPolicy;
use crate::tokens::TokenSet;

/// The user agent sent to the identity platform.
pub const USER_AGENT: &str = concat!("Presently/", env!("CARGO_PKG_VERSION"));

/// A configured client of the identity platform. Cheap to clone.
#[derive(Clone)]
pub struct AuthClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: AuthConfig,
    endpoints: Endpoints,
    oauth: OAuthClient,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    /// The proxy `http` sends through (without credentials), named in errors; `None` when it goes direct or
    /// through a proxy of the system's.
    proxy: Option<String>,
}

impl std::fmt::Debug for AuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthClient")
            .field("endpoints", &self.inner.endpoints)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl AuthClient {
    /// Checks `config` and builds a client that sends through `http` and stamps times with `clock`.
    pub fn new(
        config: AuthConfig,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConfigError> {
        let endpoints = config.endpoints()?;
        let oauth = oauth_client(&endpoints);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                endpoints,
                oauth,
                http,
                clock,
                retry: RetryPolicy::default(),
                proxy: None,
            }),
        })
    }

    /// The same client with another retry policy for token requests.
    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                config: inner.config.clone(),
                endpoints: inner.endpoints.clone(),
                oauth: inner.oauth.clone(),
                http: inner.http.clone(),
                clock: inner.clock.clone(),
                retry,
                proxy: inner.proxy.clone(),
            }),
        }
    }

    /// The same client, telling it that its HTTP client sends through `proxy` (shown without credentials, as
    /// `http://proxy.example:3128`), so a proxy that refuses or cannot be reached is named in the error.
    pub fn with_proxy(self, proxy: Option<String>) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                config: inner.config.clone(),
                endpoints: inner.endpoints.clone(),
                oauth: inner.oauth.clone(),
                http: inner.http.clone(),
                clock: inner.clock.clone(),
                retry: inner.retry,
                proxy,
            }),
        }
    }

    /// The proxy requests go through, when one was named with [`AuthClient::with_proxy`].
    pub fn proxy(&self) -> Option<&str> {
        self.inner.proxy.as_deref()
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig {
        &self.inner.config
    }

    /// The checked endpoints and scopes.
    pub fn endpoints(&self) -> &Endpoints {
        &self.inner.endpoints
    }

    /// The admin-consent URL for this client and tenant (contract §5, AADSTS90094).
    pub fn admin_consent_url(&self) -> &Url {
        &self.inner.endpoints.admin_consent
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub(crate) fn oauth(&self) -> &OAuthClient {
        &self.inner.oauth
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn scope_param(&self) -> String {
        self.inner.endpoints.scopes.join(" ")
    }

    pub(crate) fn scopes(&self) -> impl Iterator<Item = oauth2::Scope> + '_ {
        self.inner
            .endpoints
            .scopes
            .iter()
            .cloned()
            .map(oauth2::Scope::new)
    }

    /// Runs `attempt` until it succeeds, fails in a way that retrying cannot fix, or the retry policy gives up.
    pub(crate) async fn with_retries<T, F, Fut>(
        &self,
        what: &'static str,
        mut attempt: F,
    ) -> Result<T, AuthError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AuthError>>,
    {
        let mut retry = 0;
        loop {
            match attempt().await {
                Ok(v) => return Ok(v),
                Err(e) => {
                    retry += 1;
                    match self.inner.retry.delay(retry, &e) {
                        Some(wait) => {
                            tracing::warn!(
                                request = what,
                                retry,
                                wait_secs = wait.as_secs_f64(),
                                error = %e,
                                "token request failed; retrying"
                            );
                            tokio::time::sleep(wait).await;
                        }
                        None => return Err(e),
                    }
                }
            }
        }
    }

    /// Redeems `current`'s refresh token for a new token set (contract §5 "Refresh"), retrying transient failures.
    ///
    /// The answer's refresh token replaces the old one (it rotates on every use); the caller must store the result
    /// before using its access token ([`crate::TokenManager`] does).
    pub async fn refresh(&self, current: &TokenSet) -> Result<TokenSet, AuthError> {
        let Some(refresh_token) = &current.refresh_token else {
            return Err(AuthError::SignInRequired {
                account: current.account.clone(),
                refusal: None,
            });
        };
        let rt = oauth2::RefreshToken::new(refresh_token.expose_secret().to_owned());
        self.with_retries("refresh", || async {
            let requested_at = self.inner.clock.now();
            let adapter = Adapter::new(&self.inner.http, self.proxy());
            let answer = self
                .inner
                .oauth
                .exchange_refresh_token(&rt)
                .add_scopes(self.scopes())
                .request_async(&adapter)
                .await
                .map_err(|e| map_request_error(e, &adapter, &self.inner.endpoints))?;
            token_set_from_response(&answer, requested_at, Some(current))
        })
        .await
    }
}
