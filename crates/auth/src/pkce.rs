//! Sign-in with the browser: authorization code + PKCE through a loopback redirect (contract §5, primary flow).
//!
//! 1. Bind the loopback listener (module `loopback`) on 127.0.0.1 and an ephemeral port.
//! 2. Build the authorize URL with `oauth2`: `response_type=code`, a random `state` (CSRF), an S256 challenge of
//!    a random verifier, the scopes, `redirect_uri=http://localhost:{port}/`.
//! 3. Open it through the injected [`BrowserOpener`].
//! 4. Wait for the redirect (bounded by a timeout; cancellable with a token or by dropping the future), check
//!    `state`, redeem the code with the verifier, and answer the browser with a page that tells the outcome.
//!
//! The opener is a trait so tests can drive the emulator's pages over HTTP as a browser would. The real one,
//! [`SystemBrowser`], uses the `opener` crate: it honours `$BROWSER`, then the desktop's default handler
//! (`xdg-open`, `open`, `ShellExecute`), is what cargo and rustup use to open pages, and pulls no extra runtime
//! dependencies on Linux (unlike `webbrowser`, whose browser-detection heuristics we do not need for an https URL).

use std::borrow::Cow;
use std::time::Duration;

use oauth2::{CsrfToken, PkceCodeChallenge, RedirectUrl};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::client::AuthClient;
use crate::endpoint::{Adapter, map_request_error, refusal_context, token_set_from_response};
use crate::error::{AuthError, ServerRefusal, aadsts_prefix, classify};
use crate::loopback::{Loopback, Redirect, Responder, constant_time_eq, failure_page, success_page};
use crate::tokens::TokenSet;

/// Opens a URL in the person's browser.
pub trait BrowserOpener: Send + Sync {
    /// Starts showing `url`; returns once the browser was asked to, not when the person is done.
    fn open(&self, url: &Url) -> Result<(), String>;
}

/// The system's default browser, through the `opener` crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl BrowserOpener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        opener::open_browser(url.as_str()).map_err(|e| match e {
            opener::OpenError::Io(io) => io.to_string(),
            opener::OpenError::ExitStatus { cmd, status, .. } => format!("{cmd} exited with {status}"),
            other => other.to_string(),
        })
    }
}

/// What the authorize page should ask (`prompt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Let the person pick an account (`select_account`).
    SelectAccount,
    /// Ask for consent again (`consent`), after AADSTS65001.
    Consent,
    /// Ask for credentials again (`login`).
    Login,
}

impl Prompt {
    fn as_str(self) -> &'static str {
        match self {
            Prompt::SelectAccount => "select_account",
            Prompt::Consent => "consent",
            Prompt::Login => "login",
        }
    }
}

/// Options of a browser sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSignIn {
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
    /// `prompt`, if any.
    pub prompt: Option<Prompt>,
    /// `login_hint`: the account to preselect (e.g. the one that must sign in again).
    pub login_hint: Option<String>,
}

/// How long a browser sign-in waits by default: long enough for a password manager and MFA.
pub const DEFAULT_BROWSER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

impl Default for BrowserSignIn {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_BROWSER_TIMEOUT,
            prompt: Some(Prompt::SelectAccount),
            login_hint: None,
        }
    }
}

impl AuthClient {
    /// Signs in with the browser (authorization code + PKCE, loopback redirect) and returns the new token set.
    ///
    /// Ends with [`AuthError::Cancelled`] when `cancel` fires, [`AuthError::TimedOut`] after `options.timeout`, or
    /// the typed refusal the redirect or the token endpoint carried. A redirect without this sign-in's `state`
    /// does not end it: the listener answers it with an error page and keeps waiting. Dropping the future also stops it and closes the listener.
    pub async fn sign_in_with_browser(
        &self,
        opener: &dyn BrowserOpener,
        options: &BrowserSignIn,
        cancel: &CancellationToken,
    ) -> Result<TokenSet, AuthError> {
        let loopback = Loopback::bind().await.map_err(AuthError::Loopback)?;
        let redirect_uri = RedirectUrl::new(loopback.redirect_uri())
            .map_err(|_| AuthError::UnexpectedResponse("cannot form the loopback redirect URI".into()))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .oauth()
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes())
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Borrowed(&redirect_uri));
        if let Some(prompt) = options.prompt {
            request = request.add_extra_param("prompt", prompt.as_str());
        }
        if let Some(hint) = &options.login_hint {
            request = request.add_extra_param("login_hint", hint.as_str());
        }
        let (url, state) = request.url();
        tracing::info!(
            port = loopback.port(),
            host = url.host_str().unwrap_or_default(),
            "opening the browser for sign-in"
        );
        opener.open(&url).map_err(AuthError::Browser)?;

        let wait = async {
            let (redirect, responder) =
                tokio::time::timeout(options.timeout, loopback.next_redirect(state.secret()))
                    .await
                    .map_err(|_| AuthError::TimedOut(options.timeout))?
                    .map_err(AuthError::Loopback)?;
            self.finish(redirect, responder, state.secret(), verifier, &redirect_uri)
                .await
        };
        tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                tracing::info!("browser sign-in cancelled");
                Err(AuthError::Cancelled)
            }
            result = wait => result,
        }
    }

    async fn finish(
        &self,
        redirect: Redirect,
        mut responder: Responder,
        expected_state: &str,
        verifier: oauth2::PkceCodeVerifier,
        redirect_uri: &RedirectUrl,
    ) -> Result<TokenSet, AuthError> {
        let result = match redirect {
            Redirect::Code { state, .. }
            | Redirect::Error {
                state: Some(state), ..
            } if !constant_time_eq(state.as_bytes(), expected_state.as_bytes()) => {
                // The listener already refuses these; kept so this function is safe on its own.
                tracing::warn!("sign-in redirect with a state this sign-in did not send; refused");
                Err(AuthError::StateMismatch)
            }
            Redirect::Error { error, .. } if error.is_empty() => Err(AuthError::MissingCode),
            Redirect::Error {
                error, description, ..
            } => Err(self.redirect_refusal(error, description)),
            Redirect::Code { code, .. } => {
                tracing::debug!("sign-in redirect received; redeeming the code");
                let code = oauth2::AuthorizationCode::new(code.expose_secret().to_owned());
                let verifier = verifier.secret().to_owned();
                self.with_retries("authorization_code", || async {
                    let requested_at = self.clock().now();
                    let adapter = Adapter::new(self.http(), self.proxy());
                    let answer = self
                        .oauth()
                        .exchange_code(code.clone())
                        .set_pkce_verifier(oauth2::PkceCodeVerifier::new(verifier.clone()))
                        .set_redirect_uri(Cow::Borrowed(redirect_uri))
                        .add_extra_param("scope", self.scope_param())
                        .request_async(&adapter)
                        .await
                        .map_err(|e| map_request_error(e, &adapter, self.endpoints()))?;
                    token_set_from_response(&answer, requested_at, None)
                })
                .await
            }
        };
        match &result {
            Ok(set) => {
                tracing::info!("browser sign-in complete");
                responder.send(200, &success_page(&set.account.label())).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "browser sign-in failed");
                responder.send(200, &failure_page(&e.to_string())).await;
            }
        }
        result
    }

    /// A refusal from the redirect's `error` and the AADSTS number that prefixes its description (the redirect has
    /// no `error_codes` array).
    fn redirect_refusal(&self, error: String, description: Option<String>) -> AuthError {
        let codes: Vec<u32> = description
            .as_deref()
            .and_then(aadsts_prefix)
            .into_iter()
            .collect();
        AuthError::Refused(Box::new(ServerRefusal {
            kind: classify(&error, &codes, None),
            error,
            error_codes: codes,
            suberror: None,
            http_status: None,
            retry_after: None,
            trace_id: None,
            correlation_id: None,
            server_description: description,
            context: refusal_context(self.endpoints()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_comparison_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn the_default_options_wait_five_minutes_and_let_the_person_pick_an_account() {
        let o = BrowserSignIn::default();
        assert_eq!(o.timeout, Duration::from_secs(300));
        assert_eq!(o.prompt.map(Prompt::as_str), Some("select_account"));
    }
}
