//! The one place where every failure becomes what the user sees: a [`Problem`] with a kind from a closed set,
//! a message in plain words, and the action that helps (architecture convention 6). The tray, the popup and the
//! CLI render it; none of them inspects library errors.

use std::time::Duration;

use presently_auth::{AuthError, UserAction as AuthAction};
use presently_graph::{GraphError, UserAction as GraphAction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of trouble it is (a closed set the UI styles and the CLI maps to exit codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProblemKind {
    /// The sign-in is missing, expired or revoked.
    SignInRequired,
    /// A permission must be granted (by the user or an administrator).
    ConsentRequired,
    /// Microsoft asked us to slow down or is briefly unavailable.
    Throttled,
    /// The network or the service cannot be reached.
    Offline,
    /// What was asked is not possible (bad status, duration, setting).
    InvalidChoice,
    /// The app registration or the settings must be fixed.
    Configuration,
    /// Something Presently did not expect.
    Internal,
}

/// What the user can do; the UI shows it as a button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Action {
    /// Sign in again (browser or code).
    SignIn,
    /// Sign in with the browser (MFA, Conditional Access or consent need the page).
    SignInWithBrowser,
    /// Send this link to an administrator.
    CopyAdminConsentLink {
        /// `{login}/{tenant}/adminconsent?client_id=...`.
        url: String,
    },
    /// Try again now (Presently also retries by itself when `retryInSecs` is set).
    Retry,
    /// Open the settings.
    OpenSettings,
    /// Use the organisation's own app registration: the settings' client id (or `presently config set
    /// client-id`). The tenant blocks or does not allow the app in use (contract §5, §6).
    UseOrganisationApp {
        /// An administrator's approval link for the app in use, when approving it would also help.
        consent_url: Option<String>,
    },
}

/// A failure as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub kind: ProblemKind,
    /// Plain words: what happened.
    pub message: String,
    /// What helps.
    pub action: Option<Action>,
    /// When Presently retries by itself, in how many seconds.
    pub retry_in_secs: Option<u64>,
}

impl Problem {
    /// A problem of this kind with this message and no action.
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            action: None,
            retry_in_secs: None,
        }
    }

    /// With an action.
    pub fn with_action(mut self, action: Action) -> Self {
        self.action = Some(action);
        self
    }

    /// With an automatic retry in `after`.
    pub fn retrying_in(mut self, after: Duration) -> Self {
        self.retry_in_secs = Some(after.as_secs().max(1));
        self
    }

    /// Whether Presently can get past it by waiting (no user action needed).
    pub fn is_transient(&self) -> bool {
        matches!(self.kind, ProblemKind::Throttled | ProblemKind::Offline)
    }
}

impl From<&AuthError> for Problem {
    fn from(e: &AuthError) -> Self {
        let message = e.to_string();
        match e.action() {
            AuthAction::SignInAgain | AuthAction::StartOver | AuthAction::Declined => {
                Problem::new(ProblemKind::SignInRequired, message).with_action(Action::SignIn)
            }
            AuthAction::InteractiveSignIn => {
                Problem::new(ProblemKind::SignInRequired, message).with_action(Action::SignInWithBrowser)
            }
            AuthAction::Consent => {
                Problem::new(ProblemKind::ConsentRequired, message).with_action(Action::SignInWithBrowser)
            }
            AuthAction::AskAdmin { admin_consent_url } => Problem::new(ProblemKind::ConsentRequired, message)
                .with_action(Action::CopyAdminConsentLink {
                    url: admin_consent_url.to_string(),
                }),
            AuthAction::UseOwnApp { admin_consent_url } => Problem::new(ProblemKind::Configuration, message)
                .with_action(Action::UseOrganisationApp {
                    consent_url: admin_consent_url.map(|u| u.to_string()),
                }),
            AuthAction::FixAppRegistration | AuthAction::FixSettings => {
                Problem::new(ProblemKind::Configuration, message).with_action(Action::OpenSettings)
            }
            AuthAction::RetryLater { after } => Problem::new(ProblemKind::Throttled, message)
                .with_action(Action::Retry)
                .retrying_in(after),
            AuthAction::CheckConnection => {
                Problem::new(ProblemKind::Offline, message).with_action(Action::Retry)
            }
            // The proxy setting is what to look at; waiting may also help (a proxy restarting), so it is
            // transient like being offline.
            AuthAction::CheckProxy => {
                Problem::new(ProblemKind::Offline, message).with_action(Action::OpenSettings)
            }
            AuthAction::Report | AuthAction::Nothing => Problem::new(ProblemKind::Internal, message),
        }
    }
}

impl From<&GraphError> for Problem {
    fn from(e: &GraphError) -> Self {
        // A token failure inside a Graph call is a sign-in problem: show the sign-in error's own words.
        if let GraphError::Token(t) = e
            && let Some(auth) = std::error::Error::source(t).and_then(|s| s.downcast_ref::<AuthError>())
        {
            return Problem::from(auth);
        }
        let message = e.to_string();
        match e.action() {
            GraphAction::SignInAgain => {
                Problem::new(ProblemKind::SignInRequired, message).with_action(Action::SignIn)
            }
            GraphAction::GrantConsent => {
                Problem::new(ProblemKind::ConsentRequired, message).with_action(Action::SignInWithBrowser)
            }
            GraphAction::RetryLater { after } => {
                // The popup and the tray add when it retries; the status code stays in the log.
                let message = match e.status() {
                    Some(429) => "Microsoft asked Presently to slow down.".to_owned(),
                    Some(_) => "Microsoft Graph is briefly unavailable.".to_owned(),
                    None => message,
                };
                let p = Problem::new(ProblemKind::Throttled, message).with_action(Action::Retry);
                match after {
                    Some(after) => p.retrying_in(after),
                    None => p,
                }
            }
            GraphAction::CheckConnection => Problem::new(
                ProblemKind::Offline,
                "Microsoft Graph cannot be reached: check your connection.",
            )
            .with_action(Action::Retry),
            GraphAction::CheckProxy => {
                let message = match e {
                    GraphError::Proxy { proxy, failure, .. } => format!(
                        "Cannot reach Microsoft Graph through the proxy {proxy}: {failure}. Check the proxy setting."
                    ),
                    other => other.to_string(),
                };
                Problem::new(ProblemKind::Offline, message).with_action(Action::OpenSettings)
            }
            GraphAction::FixInput => Problem::new(ProblemKind::InvalidChoice, message),
            GraphAction::None => Problem::new(ProblemKind::Internal, message),
        }
    }
}
