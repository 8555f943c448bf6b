//! Where the Graph client gets its bearer tokens: the [`TokenSource`] trait, the redacting [`AccessToken`]
//! newtype, and the error a source reports.
//!
//! This crate knows nothing of sign-in flows or token storage; the auth crate implements [`TokenSource`] and
//! the core hands it to the client as an `Arc<dyn TokenSource>`.
//!
//! Why boxed futures instead of `async fn` in the trait: a trait with `async fn` is not dyn-compatible
//! (each implementation returns its own anonymous future type), and the client must hold "some token source"
//! chosen at run time. Returning `Pin<Box<dyn Future + Send>>` ([`TokenFuture`]) keeps the trait
//! object-safe and the futures `Send` (so the keeper can run them on any tokio worker) at the cost of one
//! allocation per token request, which is nothing next to an HTTPS round trip. It avoids the `async-trait`
//! macro, which would generate exactly this. Implementations write
//! `fn access_token(&self) -> TokenFuture<'_> { Box::pin(async move { ... }) }`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// A bearer token for Microsoft Graph. Opaque to this crate (contract §5: never parse access tokens).
///
/// `Debug` prints a redaction and there is no `Display`, so a token cannot slip into a log line or an error
/// message by formatting (architecture convention 7).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for the `Authorization` header. Do not log it.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// The future a [`TokenSource`] returns.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, TokenSourceError>> + Send + 'a>>;

/// Supplies access tokens for Graph, refreshing them when Graph refuses one.
///
/// The client calls [`access_token`](TokenSource::access_token) before every call. When Graph answers
/// `401 InvalidAuthenticationToken` it calls [`refresh_after_rejection`](TokenSource::refresh_after_rejection)
/// once with the token Graph refused, retries once with the new token, and reports a second 401 as an error.
pub trait TokenSource: Send + Sync {
    /// A token believed valid now. A source refreshes ahead of expiry itself; the client does not look at
    /// expiry times.
    fn access_token(&self) -> TokenFuture<'_>;

    /// Graph refused `rejected` (expired early, revoked, signing-key rollover): return a different, freshly
    /// obtained token. A source that cannot get one fails with [`TokenErrorKind::SignInRequired`].
    ///
    /// Concurrent callers may all report the same rejected token; a source should refresh once and hand
    /// every one of them the new token (it can compare `rejected` with the token it holds).
    fn refresh_after_rejection<'a>(&'a self, rejected: &'a AccessToken) -> TokenFuture<'a>;
}

impl<T: TokenSource + ?Sized> TokenSource for Arc<T> {
    fn access_token(&self) -> TokenFuture<'_> {
        (**self).access_token()
    }

    fn refresh_after_rejection<'a>(&'a self, rejected: &'a AccessToken) -> TokenFuture<'a> {
        (**self).refresh_after_rejection(rejected)
    }
}

/// What kind of trouble a token source ran into; decides what the user is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenErrorKind {
    /// No usable sign-in: never signed in, refresh token expired or revoked.
    SignInRequired,
    /// The user (or an administrator) must consent to a permission first.
    ConsentRequired,
    /// The identity platform could not be reached or asked us to wait.
    Unavailable {
        /// How long the identity platform asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// Anything else (e.g. the token store failed).
    Other,
}

impl fmt::Display for TokenErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenErrorKind::SignInRequired => "sign-in required",
            TokenErrorKind::ConsentRequired => "consent required",
            TokenErrorKind::Unavailable { .. } => "sign-in service unavailable",
            TokenErrorKind::Other => "cannot get an access token",
        })
    }
}

/// A token source could not supply a token. Carries its cause in `source()`; must never carry a token.
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct TokenSourceError {
    kind: TokenErrorKind,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TokenSourceError {
    /// An error of this kind without a cause.
    pub fn new(kind: TokenErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// An error of this kind caused by `source` (which must not contain token bytes).
    pub fn with_source(kind: TokenErrorKind, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            kind,
            source: Some(Box::new(source)),
        }
    }

    /// What kind of trouble it was.
    pub fn kind(&self) -> TokenErrorKind {
        self.kind
    }
}

/// A fixed token that cannot be refreshed: for one-shot tools (`presently --token`) and tests.
/// A rejection means [`TokenErrorKind::SignInRequired`].
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always hands out `token`.
    pub fn new(token: AccessToken) -> Self {
        Self(token)
    }
}

impl TokenSource for StaticToken {
    fn access_token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn refresh_after_rejection<'a>(&'a self, _rejected: &'a AccessToken) -> TokenFuture<'a> {
        Box::pin(async { Err(TokenSourceError::new(TokenErrorKind::SignInRequired)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_token_debug_prints_a_redaction() {
        let token = AccessToken::new("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part");
        let shown = format!("{token:?} {:?}", Some(&token));
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(!shown.contains("secret-part"), "{shown}");
        assert!(shown.contains("redacted"));
        assert_eq!(token.secret(), "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part");
    }

    #[tokio::test]
    async fn a_static_token_is_handed_out_and_cannot_be_refreshed() {
        let source: Arc<dyn TokenSource> = Arc::new(StaticToken::new(AccessToken::new("t")));
        let token = source.access_token().await.unwrap();
        assert_eq!(token.secret(), "t");
        let err = source.refresh_after_rejection(&token).await.unwrap_err();
        assert_eq!(err.kind(), TokenErrorKind::SignInRequired);
        assert_eq!(err.to_string(), "sign-in required");
    }

    #[test]
    fn a_token_source_error_keeps_its_cause_out_of_display() {
        let cause = std::io::Error::other("keyring locked");
        let err = TokenSourceError::with_source(TokenErrorKind::Other, cause);
        assert_eq!(err.to_string(), "cannot get an access token");
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("keyring locked"));
    }
}
