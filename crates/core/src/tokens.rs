//! The bridge between sign-in and Graph: Graph asks a [`TokenSource`] for tokens; the [`TokenManager`] has them.
//! Neither crate knows the other; this adapter is the only place they meet.

use std::sync::Arc;

use presently_auth::{AuthError, RefusalKind, TokenManager, UserAction};
use presently_graph::{AccessToken, TokenErrorKind, TokenFuture, TokenSource, TokenSourceError};

/// A [`TokenSource`] backed by the [`TokenManager`].
#[derive(Debug, Clone)]
pub struct ManagedTokens(pub Arc<TokenManager>);

fn kind_of(error: &AuthError) -> TokenErrorKind {
    if error.is_transient() {
        let retry_after = match error.action() {
            UserAction::RetryLater { after } => Some(after),
            _ => None,
        };
        return TokenErrorKind::Unavailable { retry_after };
    }
    match error {
        AuthError::SignInRequired { .. } | AuthError::NotSignedIn => TokenErrorKind::SignInRequired,
        _ if error.refusal_kind() == Some(RefusalKind::ConsentRequired) => TokenErrorKind::ConsentRequired,
        _ => match error.action() {
            UserAction::SignInAgain | UserAction::InteractiveSignIn => TokenErrorKind::SignInRequired,
            UserAction::Consent | UserAction::AskAdmin { .. } => TokenErrorKind::ConsentRequired,
            _ => TokenErrorKind::Other,
        },
    }
}

fn convert(result: Result<presently_auth::AccessToken, AuthError>) -> Result<AccessToken, TokenSourceError> {
    match result {
        Ok(token) => Ok(AccessToken::new(token.expose_secret())),
        Err(e) => Err(TokenSourceError::with_source(kind_of(&e), e)),
    }
}

impl TokenSource for ManagedTokens {
    fn access_token(&self) -> TokenFuture<'_> {
        Box::pin(async move { convert(self.0.access_token().await) })
    }

    fn refresh_after_rejection<'a>(&'a self, rejected: &'a AccessToken) -> TokenFuture<'a> {
        Box::pin(async move {
            let rejected = presently_auth::AccessToken::new(rejected.secret());
            convert(self.0.refresh_after_rejection(&rejected).await)
        })
    }
}
