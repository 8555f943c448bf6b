//! Typed sign-in and token errors, each with the action a user can take (contract §5, architecture conventions
//! 5 and 6).
//!
//! The identity platform's answers are classified by `error`, `error_codes` and `suberror` only, never by the
//! description text (contract §5). Messages are Presently's own plain words; the server's description is kept in
//! [`ServerRefusal::server_description`] for diagnostics and never shown as the message. No error carries a token,
//! code, verifier or response body: token-endpoint parse errors keep only the JSON path that failed.

use std::fmt;
use std::time::Duration;

use url::Url;

use crate::config::ConfigError;
use crate::store::StoreError;
use crate::tokens::Account;

/// What a person can do about a failure. The UI turns this into a button or a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    /// Sign in again: the saved sign-in expired or was revoked (AADSTS70008, 700082, 50173, 70043,
    /// `invalid_grant`).
    SignInAgain,
    /// Sign in with the browser and accept the permissions (AADSTS65001, `consent_required`).
    Consent,
    /// Sign in with the browser to satisfy multi-factor authentication or Conditional Access (AADSTS50076,
    /// 53000–53003, `interaction_required`); a silent refresh or the device code cannot.
    InteractiveSignIn,
    /// The app registration must be fixed by whoever owns it, or another client id chosen (AADSTS7000218,
    /// 700025, 50011, 700016, `invalid_client`).
    FixAppRegistration,
    /// An administrator must approve the app for the tenant (AADSTS90094): send them this URL.
    AskAdmin {
        /// `{login}/{tenant}/adminconsent?client_id=...`.
        admin_consent_url: Url,
    },
    /// The person declined the permissions (AADSTS65004, `authorization_declined`); start again to approve.
    Declined,
    /// Start the sign-in again (the device code expired or was not recognized, the browser took too long).
    StartOver,
    /// The service is temporarily unavailable (AADSTS90006, 50033, `temporarily_unavailable`): try again after
    /// this long.
    RetryLater {
        /// How long to wait: the server's `Retry-After`, else a backoff.
        after: Duration,
    },
    /// This tenant does not let this app (client id) sign in here (AADSTS50105, 50020, 53003, 65002, 700016,
    /// 7000112): use the organisation's own app registration instead (Settings, `presently config set
    /// client-id`, or the managed file); `admin_consent_url` is the link an administrator can use to approve
    /// this app when that is what is missing (the app is not in the directory, AADSTS700016).
    UseOwnApp {
        /// `{login}/{tenant}/adminconsent?client_id=...`, when approving this app would help.
        admin_consent_url: Option<Url>,
    },
    /// The sign-in service could not be reached: check the network.
    CheckConnection,
    /// The proxy requests go through refused them or cannot be reached: check the proxy setting.
    CheckProxy,
    /// The sign-in settings are wrong (cloud, tenant, client id, address).
    FixSettings,
    /// Something Presently did not expect: report it.
    Report,
    /// Nothing to do (the person cancelled).
    Nothing,
}

/// The specific reason the identity platform refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// AADSTS70008: the refresh token or code expired (or was revoked).
    Expired,
    /// AADSTS700082: the refresh token expired after 90 days without use.
    InactiveTooLong,
    /// AADSTS50173 or `suberror: bad_token`: the grant was revoked (password change, administrator).
    Revoked,
    /// AADSTS70043: the tenant's sign-in frequency policy requires a fresh sign-in.
    SignInFrequency,
    /// Another `invalid_grant`.
    InvalidGrant,
    /// AADSTS65001 or `suberror: consent_required`: the permissions were not granted.
    ConsentRequired,
    /// AADSTS50076: multi-factor authentication is required.
    MfaRequired,
    /// This client is blocked or not allowed for this user or tenant: AADSTS50105 (the user is not assigned to
    /// the app), 50020 (the account cannot use the app in this tenant), 53003 (blocked by Conditional Access),
    /// 65002 (a first-party app's use must be pre-authorised), 7000112 (the app is disabled in the tenant).
    ClientBlocked,
    /// AADSTS53000–53002: a Conditional Access policy needs more (a managed device, a trusted location).
    ConditionalAccess,
    /// Another `interaction_required`.
    InteractionRequired,
    /// AADSTS7000218: "Allow public client flows" is off for the app.
    PublicClientFlowsDisabled,
    /// AADSTS700025: the app is public but a secret or assertion was presented.
    PublicClientWithSecret,
    /// AADSTS50011: the redirect URI is not registered for the app.
    RedirectUriMismatch,
    /// AADSTS700016: the app does not exist in the tenant.
    AppNotInTenant,
    /// Another `invalid_client`.
    InvalidClient,
    /// AADSTS90094: an administrator must consent for the tenant.
    AdminConsentRequired,
    /// AADSTS65004 or `authorization_declined`/`access_denied`: the person declined.
    Declined,
    /// `temporarily_unavailable`, AADSTS90006 or 50033.
    TemporarilyUnavailable,
    /// `expired_token`: the device code expired before it was used.
    DeviceCodeExpired,
    /// `bad_verification_code`: the device code was not recognized.
    BadVerificationCode,
    /// `invalid_scope`: a requested scope is not valid for the app or resource.
    InvalidScope,
    /// Anything else.
    Other,
}

/// Classifies an identity-platform error by `error`, `error_codes` and `suberror` (contract §5 table), never by
/// its description.
pub fn classify(error: &str, codes: &[u32], suberror: Option<&str>) -> RefusalKind {
    let has = |c: u32| codes.contains(&c);
    let sub = suberror.unwrap_or_default();
    // Codes first: they are the most specific and stable signal.
    if has(65001) || sub == "consent_required" {
        return RefusalKind::ConsentRequired;
    }
    if has(90094) {
        return RefusalKind::AdminConsentRequired;
    }
    if has(65004) {
        return RefusalKind::Declined;
    }
    if has(7000218) {
        return RefusalKind::PublicClientFlowsDisabled;
    }
    if has(700025) {
        return RefusalKind::PublicClientWithSecret;
    }
    if has(50011) {
        return RefusalKind::RedirectUriMismatch;
    }
    if has(700016) {
        return RefusalKind::AppNotInTenant;
    }
    if has(700082) {
        return RefusalKind::InactiveTooLong;
    }
    if has(50173) || sub == "bad_token" {
        return RefusalKind::Revoked;
    }
    if has(70043) {
        return RefusalKind::SignInFrequency;
    }
    if has(70008) || sub == "token_expired" {
        return RefusalKind::Expired;
    }
    if has(50076) {
        return RefusalKind::MfaRequired;
    }
    if [50105, 50020, 53003, 65002, 7000112].iter().any(|c| has(*c)) {
        return RefusalKind::ClientBlocked;
    }
    if codes.iter().any(|c| (53000..=53002).contains(c)) {
        return RefusalKind::ConditionalAccess;
    }
    if has(90006) || has(50033) {
        return RefusalKind::TemporarilyUnavailable;
    }
    match error {
        "invalid_grant" if sub == "basic_action" || sub == "additional_action" => {
            RefusalKind::InteractionRequired
        }
        "invalid_grant" => RefusalKind::InvalidGrant,
        "interaction_required" | "login_required" => RefusalKind::InteractionRequired,
        "consent_required" => RefusalKind::ConsentRequired,
        "invalid_client" | "unauthorized_client" => RefusalKind::InvalidClient,
        "authorization_declined" | "access_denied" => RefusalKind::Declined,
        "temporarily_unavailable" | "server_error" => RefusalKind::TemporarilyUnavailable,
        "expired_token" => RefusalKind::DeviceCodeExpired,
        "bad_verification_code" => RefusalKind::BadVerificationCode,
        "invalid_scope" => RefusalKind::InvalidScope,
        _ => RefusalKind::Other,
    }
}

/// Who the refusal concerns, for messages that name the app, tenant or admin-consent URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalContext {
    /// The client id that asked.
    pub client_id: String,
    /// The tenant segment used.
    pub tenant: String,
    /// The admin-consent URL for this client and tenant.
    pub admin_consent_url: Url,
}

/// The identity platform refused a request (a token-endpoint error body, or an error on the redirect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRefusal {
    /// What the refusal means.
    pub kind: RefusalKind,
    /// The OAuth `error` value.
    pub error: String,
    /// The AADSTS numbers (`error_codes`).
    pub error_codes: Vec<u32>,
    /// `suberror`, when sent.
    pub suberror: Option<String>,
    /// HTTP status of the answer (`None` for a redirect error).
    pub http_status: Option<u16>,
    /// The server's `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
    /// `trace_id`, for support requests.
    pub trace_id: Option<String>,
    /// `correlation_id`, for support requests.
    pub correlation_id: Option<String>,
    /// The server's own description, for diagnostics only: never branched on, never the message.
    pub server_description: Option<String>,
    /// The app and tenant concerned.
    pub context: RefusalContext,
}

/// The backoff suggested for `temporarily_unavailable` when the server sends no `Retry-After` (contract §4's client
/// policy starts at 3 s).
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(3);

impl ServerRefusal {
    /// What the person can do.
    pub fn action(&self) -> UserAction {
        match self.kind {
            RefusalKind::Expired
            | RefusalKind::InactiveTooLong
            | RefusalKind::Revoked
            | RefusalKind::SignInFrequency
            | RefusalKind::InvalidGrant => UserAction::SignInAgain,
            RefusalKind::ConsentRequired => UserAction::Consent,
            RefusalKind::MfaRequired | RefusalKind::ConditionalAccess | RefusalKind::InteractionRequired => {
                UserAction::InteractiveSignIn
            }
            RefusalKind::PublicClientFlowsDisabled
            | RefusalKind::PublicClientWithSecret
            | RefusalKind::RedirectUriMismatch
            | RefusalKind::InvalidClient => UserAction::FixAppRegistration,
            RefusalKind::AppNotInTenant => UserAction::UseOwnApp {
                admin_consent_url: Some(self.context.admin_consent_url.clone()),
            },
            RefusalKind::ClientBlocked => UserAction::UseOwnApp {
                admin_consent_url: None,
            },
            RefusalKind::AdminConsentRequired => UserAction::AskAdmin {
                admin_consent_url: self.context.admin_consent_url.clone(),
            },
            RefusalKind::Declined => UserAction::Declined,
            RefusalKind::TemporarilyUnavailable => UserAction::RetryLater {
                after: self.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            },
            RefusalKind::DeviceCodeExpired | RefusalKind::BadVerificationCode => UserAction::StartOver,
            RefusalKind::InvalidScope => UserAction::FixSettings,
            RefusalKind::Other => UserAction::Report,
        }
    }

    /// The first AADSTS number, if any.
    pub fn code(&self) -> Option<u32> {
        self.error_codes.first().copied()
    }

    /// Why the saved sign-in can no longer be used, without the action, for the refusals whose only remedy is
    /// signing in again. [`AuthError::SignInRequired`] names the account and the action itself, so it adds only
    /// this reason rather than a second "Sign in again."
    pub fn sign_in_again_reason(&self) -> Option<&'static str> {
        Some(match self.kind {
            RefusalKind::Expired => "Your saved sign-in has expired.",
            RefusalKind::InactiveTooLong => {
                "Your saved sign-in expired because Presently was not used for 90 days."
            }
            RefusalKind::Revoked => {
                "Your saved sign-in was revoked, for example after a password change or by an administrator."
            }
            RefusalKind::SignInFrequency => {
                "Your organization requires you to sign in again after a set time."
            }
            RefusalKind::InvalidGrant => "Your saved sign-in is no longer valid.",
            _ => return None,
        })
    }
}

impl fmt::Display for ServerRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.context;
        match self.kind {
            RefusalKind::Expired
            | RefusalKind::InactiveTooLong
            | RefusalKind::Revoked
            | RefusalKind::SignInFrequency
            | RefusalKind::InvalidGrant => {
                write!(f, "{} Sign in again.", self.sign_in_again_reason().unwrap_or_default())
            }
            RefusalKind::ConsentRequired => f.write_str(
                "Presently needs your permission to read and set your presence. Sign in with the browser and \
                 accept the permissions.",
            ),
            RefusalKind::MfaRequired => f.write_str(
                "Your organization requires multi-factor authentication. Sign in with the browser to complete it.",
            ),
            RefusalKind::ConditionalAccess => f.write_str(
                "Your organization's Conditional Access policy blocked this sign-in (it may require a managed \
                 device or a trusted location). Sign in with the browser; if it is still blocked, ask your IT \
                 administrator.",
            ),
            RefusalKind::InteractionRequired => {
                f.write_str("Microsoft needs you to sign in with the browser to continue.")
            }
            RefusalKind::PublicClientFlowsDisabled => write!(
                f,
                "The app registration {} does not allow public client flows, which sign-in without a browser \
                 needs. Its owner can turn on \"Allow public client flows\" on the registration's Authentication \
                 page; or sign in with the browser, or use another client id.",
                c.client_id
            ),
            RefusalKind::PublicClientWithSecret => write!(
                f,
                "The app registration {} is set up as a public client but a client secret was expected or sent. \
                 Check the registration's platform settings (\"Mobile and desktop applications\"), or use another \
                 client id.",
                c.client_id
            ),
            RefusalKind::RedirectUriMismatch => write!(
                f,
                "The app registration {} does not list http://localhost as a redirect address. Its owner can add \
                 http://localhost under \"Mobile and desktop applications\" on the Authentication page, or use \
                 another client id.",
                c.client_id
            ),
            RefusalKind::AppNotInTenant => write!(
                f,
                "The application {} was not found in your organization's directory (tenant {}). Use your \
                 organization's own app: set its client id in Settings or with `presently config set client-id \
                 ID`; or check the tenant, or send an administrator this link to approve the app: {}",
                c.client_id, c.tenant, c.admin_consent_url
            ),
            RefusalKind::ClientBlocked => write!(
                f,
                "Your organization does not allow the app {} to sign you in here. Use your organization's own \
                 app: set its client id in Settings or with `presently config set client-id ID` (docs/own-app.md \
                 has the steps to register one).",
                c.client_id
            ),
            RefusalKind::InvalidClient => write!(
                f,
                "Microsoft refused the app registration {}. Check the client id in the settings, or use another \
                 one.",
                c.client_id
            ),
            RefusalKind::AdminConsentRequired => write!(
                f,
                "Your organization requires an administrator to approve Presently before you can use it. Send this \
                 link to your IT administrator: {}",
                c.admin_consent_url
            ),
            RefusalKind::Declined => f.write_str(
                "The permissions were declined, so you are not signed in. Sign in again and approve them to use \
                 Presently.",
            ),
            RefusalKind::TemporarilyUnavailable => f.write_str(
                "Microsoft's sign-in service is temporarily unavailable. Presently will try again shortly.",
            ),
            RefusalKind::DeviceCodeExpired => f.write_str(
                "The sign-in code expired before it was entered. Start the sign-in again for a new code.",
            ),
            RefusalKind::BadVerificationCode => {
                f.write_str("The sign-in code was not recognized. Start the sign-in again for a new code.")
            }
            RefusalKind::InvalidScope => f.write_str(
                "Microsoft refused the permissions Presently asks for with this cloud or app. Check the cloud and \
                 client id in the settings.",
            ),
            RefusalKind::Other => match self.code() {
                Some(code) => write!(
                    f,
                    "Microsoft refused the sign-in ({}, AADSTS{code}).",
                    shown_error(&self.error)
                ),
                None => write!(f, "Microsoft refused the sign-in ({}).", shown_error(&self.error)),
            },
        }
    }
}

/// How a request to the identity platform failed to complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No answer in time.
    Timeout,
    /// The connection could not be made.
    Connect,
    /// Anything else on the way (TLS, reset, body).
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Timeout => "no answer in time",
            TransportKind::Connect => "cannot connect",
            TransportKind::Other => "the connection failed",
        })
    }
}

/// How a proxy Presently was not told about (the environment's or the system's) is named in messages.
pub const SYSTEM_PROXY: &str = "set by the system or the environment";

/// The HTTP status a proxy answers when it will not carry a request without (other) credentials.
pub const PROXY_AUTHENTICATION_REQUIRED: u16 = 407;

/// Why a proxy did not carry a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyFailure {
    /// The proxy answered 407: it wants credentials, or refused the ones sent.
    AuthenticationRequired,
    /// The proxy could not be reached (refused, timed out, reset).
    Unreachable(TransportKind),
}

impl fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyFailure::AuthenticationRequired => {
                f.write_str("it asks for credentials or refused the ones given (HTTP 407)")
            }
            ProxyFailure::Unreachable(kind) => write!(f, "the proxy cannot be reached ({kind})"),
        }
    }
}

/// Every way signing in or refreshing can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The identity platform refused.
    #[error("{0}")]
    Refused(Box<ServerRefusal>),
    /// The saved sign-in cannot be used silently any more; the account is kept to say who must sign in.
    #[error("{} must sign in again.{}", account.label(), refusal.as_deref().map(why_again).unwrap_or_default())]
    SignInRequired {
        /// Who was signed in.
        account: Account,
        /// Why, when a refusal from this run caused it (`None` when the saved state already said so).
        refusal: Option<Box<ServerRefusal>>,
    },
    /// The request did not complete.
    #[error("cannot reach Microsoft's sign-in service ({kind}). Check your network connection.")]
    Transport {
        /// What went wrong.
        kind: TransportKind,
        /// The HTTP client's error, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// The proxy the request went through refused it or could not be reached.
    #[error(
        "Cannot reach Microsoft's sign-in service through the proxy {proxy}: {failure}. Check the proxy setting."
    )]
    Proxy {
        /// The proxy, without credentials (`http://proxy.example:3128`), or "the system's proxy".
        proxy: String,
        /// What went wrong.
        failure: ProxyFailure,
        /// The HTTP client's error, when there was one (none for a 407 answer).
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The identity platform answered something Presently does not understand. The detail names the status or
    /// the JSON path that failed, never the body.
    #[error("Microsoft's sign-in service sent an answer Presently does not understand ({0}).")]
    UnexpectedResponse(String),
    /// The caller cancelled.
    #[error("Sign-in was cancelled.")]
    Cancelled,
    /// No answer from the browser in time.
    #[error("Sign-in timed out: the browser did not come back within {} minutes. Start again.", .0.as_secs().div_ceil(60))]
    TimedOut(Duration),
    /// The redirect carried a `state` other than the one this sign-in sent (a forged or stale redirect).
    #[error(
        "The browser returned from a different sign-in than the one Presently started, so it was ignored for \
         your safety. Start the sign-in again."
    )]
    StateMismatch,
    /// The redirect had neither a code nor an error.
    #[error("The browser came back without a sign-in result. Start the sign-in again.")]
    MissingCode,
    /// The browser could not be opened.
    #[error(
        "Cannot open a web browser ({0}). Open the sign-in page yourself, or use sign-in with a code instead."
    )]
    Browser(String),
    /// The loopback listener could not be started.
    #[error("Cannot listen for the browser's answer on 127.0.0.1 ({0}).")]
    Loopback(#[source] std::io::Error),
    /// Nobody is signed in.
    #[error("You are not signed in.")]
    NotSignedIn,
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthError {
    /// What the person can do.
    pub fn action(&self) -> UserAction {
        match self {
            AuthError::Config(_) => UserAction::FixSettings,
            AuthError::Refused(r) => r.action(),
            AuthError::SignInRequired { refusal, .. } => refusal
                .as_ref()
                .map(|r| r.action())
                .unwrap_or(UserAction::SignInAgain),
            AuthError::Transport { .. } => UserAction::CheckConnection,
            AuthError::Proxy { .. } => UserAction::CheckProxy,
            AuthError::UnexpectedResponse(_) => UserAction::Report,
            AuthError::Cancelled => UserAction::Nothing,
            AuthError::TimedOut(_) | AuthError::StateMismatch | AuthError::MissingCode => {
                UserAction::StartOver
            }
            AuthError::Browser(_) => UserAction::StartOver,
            AuthError::Loopback(_) => UserAction::Report,
            AuthError::NotSignedIn => UserAction::SignInAgain,
            AuthError::Store(_) => UserAction::Report,
        }
    }

    /// The server refusal behind this error, if any.
    pub fn refusal(&self) -> Option<&ServerRefusal> {
        match self {
            AuthError::Refused(r) => Some(r),
            AuthError::SignInRequired { refusal, .. } => refusal.as_deref(),
            _ => None,
        }
    }

    /// The refusal's kind, if the server refused.
    pub fn refusal_kind(&self) -> Option<RefusalKind> {
        self.refusal().map(|r| r.kind)
    }

    /// Whether trying the same request again later may succeed (transport failures, `temporarily_unavailable`).
    pub fn is_transient(&self) -> bool {
        matches!(self, AuthError::Transport { .. } | AuthError::Proxy { .. })
            || self.refusal_kind() == Some(RefusalKind::TemporarilyUnavailable)
    }

    /// A transport error; when `proxy` names the proxy the request went through and the connection could not be
    /// made, the proxy is what failed (reqwest connects to the proxy, never to the host, in that case).
    pub(crate) fn transport_via(source: reqwest::Error, proxy: Option<&str>) -> Self {
        match Self::transport(source) {
            AuthError::Transport {
                kind: kind @ (TransportKind::Connect | TransportKind::Timeout),
                source,
            } if source.is_connect() && proxy.is_some() => AuthError::Proxy {
                proxy: proxy.unwrap_or_default().to_owned(),
                failure: ProxyFailure::Unreachable(kind),
                source: Some(source),
            },
            other => other,
        }
    }

    /// The answer a proxy gives when it will not carry the request (HTTP 407), naming it.
    pub(crate) fn proxy_refused(proxy: Option<&str>) -> Self {
        AuthError::Proxy {
            proxy: proxy.unwrap_or(SYSTEM_PROXY).to_owned(),
            failure: ProxyFailure::AuthenticationRequired,
            source: None,
        }
    }

    pub(crate) fn transport(source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            TransportKind::Timeout
        } else if source.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        AuthError::Transport {
            kind,
            source: source.without_url(),
        }
    }
}

/// The refusal's words after "… must sign in again.": its reason alone when signing in again is its only remedy
/// (the sentence before already says so), its whole message otherwise.
fn why_again(refusal: &ServerRefusal) -> String {
    match refusal.sign_in_again_reason() {
        Some(reason) => format!(" {reason}"),
        None => format!(" {refusal}"),
    }
}

/// The `error` value as a message may quote it: only with the shape of an OAuth error code (RFC 6749 §5.2 codes
/// are short words such as `invalid_grant`). Anything else (a proxy's page, control characters, kilobytes of text)
/// would reach the popup, the tray's tooltip and the logs as the server sent it.
fn shown_error(error: &str) -> &str {
    let fits = (1..=64).contains(&error.len())
        && error
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if fits { error } else { "an unrecognised error" }
}

/// Extracts the AADSTS number at the start of an `error_description` (`"AADSTS65004: ..."`), for the redirect
/// errors that carry no `error_codes` array. This reads the documented numeric prefix, not the prose.
pub(crate) fn aadsts_prefix(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || !rest[digits.len()..].starts_with(':') {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> RefusalContext {
        RefusalContext {
            client_id: crate::config::DEFAULT_CLIENT_ID.into(),
            tenant: "organizations".into(),
            admin_consent_url: Url::parse(
                "https://login.microsoftonline.com/organizations/adminconsent?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e",
            )
            .unwrap(),
        }
    }

    fn refusal(error: &str, codes: &[u32], suberror: Option<&str>) -> ServerRefusal {
        ServerRefusal {
            kind: classify(error, codes, suberror),
            error: error.into(),
            error_codes: codes.to_vec(),
            suberror: suberror.map(str::to_owned),
            http_status: Some(400),
            retry_after: None,
            trace_id: None,
            correlation_id: None,
            server_description: Some("AADSTS00000: text that must never decide anything".into()),
            context: context(),
        }
    }

    #[test]
    fn an_unknown_error_value_is_quoted_only_when_it_has_the_shape_of_an_oauth_error_code() {
        let plain = refusal("some_new_error", &[], None).to_string();
        assert_eq!(plain, "Microsoft refused the sign-in (some_new_error).");
        for odd in [
            "x".repeat(10_000),
            "bad\nline".into(),
            "red\u{1b}[31m".into(),
            "quote\"it\"".into(),
        ] {
            let shown = refusal(&odd, &[], None).to_string();
            assert!(shown.len() < 120, "{} bytes", shown.len());
            assert!(!shown.contains(odd.as_str()), "{shown:?}");
            assert!(shown.chars().all(|c| !c.is_control()), "{shown:?}");
        }
        let coded = refusal(&"y".repeat(500), &[123], None).to_string();
        assert_eq!(
            coded,
            "Microsoft refused the sign-in (an unrecognised error, AADSTS123)."
        );
    }

    #[test]
    fn every_row_of_the_contract_table_maps_to_its_user_action() {
        let admin = UserAction::AskAdmin {
            admin_consent_url: context().admin_consent_url,
        };
        type Row<'a> = (&'a str, Vec<u32>, Option<&'a str>, RefusalKind, UserAction);
        let rows: Vec<Row> = vec![
            (
                "invalid_grant",
                vec![70008],
                None,
                RefusalKind::Expired,
                UserAction::SignInAgain,
            ),
            (
                "invalid_grant",
                vec![700082],
                None,
                RefusalKind::InactiveTooLong,
                UserAction::SignInAgain,
            ),
            (
                "invalid_grant",
                vec![50173],
                None,
                RefusalKind::Revoked,
                UserAction::SignInAgain,
            ),
            (
                "invalid_grant",
                vec![70043],
                None,
                RefusalKind::SignInFrequency,
                UserAction::SignInAgain,
            ),
            (
                "invalid_grant",
                vec![9999],
                None,
                RefusalKind::InvalidGrant,
                UserAction::SignInAgain,
            ),
            (
                "invalid_grant",
                vec![65001],
                Some("consent_required"),
                RefusalKind::ConsentRequired,
                UserAction::Consent,
            ),
            (
                "interaction_required",
                vec![50076],
                None,
                RefusalKind::MfaRequired,
                UserAction::InteractiveSignIn,
            ),
            (
                "invalid_grant",
                vec![50076],
                Some("basic_action"),
                RefusalKind::MfaRequired,
                UserAction::InteractiveSignIn,
            ),
            (
                "interaction_required",
                vec![53000],
                None,
                RefusalKind::ConditionalAccess,
                UserAction::InteractiveSignIn,
            ),
            (
                "interaction_required",
                vec![53002],
                None,
                RefusalKind::ConditionalAccess,
                UserAction::InteractiveSignIn,
            ),
            (
                "interaction_required",
                vec![53003],
                None,
                RefusalKind::ClientBlocked,
                UserAction::UseOwnApp {
                    admin_consent_url: None,
                },
            ),
            (
                "unauthorized_client",
                vec![7000112],
                None,
                RefusalKind::ClientBlocked,
                UserAction::UseOwnApp {
                    admin_consent_url: None,
                },
            ),
            (
                "invalid_grant",
                vec![50105],
                None,
                RefusalKind::ClientBlocked,
                UserAction::UseOwnApp {
                    admin_consent_url: None,
                },
            ),
            (
                "interaction_required",
                vec![],
                None,
                RefusalKind::InteractionRequired,
                UserAction::InteractiveSignIn,
            ),
            (
                "invalid_client",
                vec![7000218],
                None,
                RefusalKind::PublicClientFlowsDisabled,
                UserAction::FixAppRegistration,
            ),
            (
                "invalid_client",
                vec![700025],
                None,
                RefusalKind::PublicClientWithSecret,
                UserAction::FixAppRegistration,
            ),
            (
                "invalid_request",
                vec![50011],
                None,
                RefusalKind::RedirectUriMismatch,
                UserAction::FixAppRegistration,
            ),
            (
                "unauthorized_client",
                vec![700016],
                None,
                RefusalKind::AppNotInTenant,
                UserAction::UseOwnApp {
                    admin_consent_url: Some(context().admin_consent_url),
                },
            ),
            (
                "invalid_grant",
                vec![90094],
                None,
                RefusalKind::AdminConsentRequired,
                admin.clone(),
            ),
            (
                "access_denied",
                vec![65004],
                None,
                RefusalKind::Declined,
                UserAction::Declined,
            ),
            (
                "authorization_declined",
                vec![],
                None,
                RefusalKind::Declined,
                UserAction::Declined,
            ),
            (
                "temporarily_unavailable",
                vec![90006],
                None,
                RefusalKind::TemporarilyUnavailable,
                UserAction::RetryLater {
                    after: DEFAULT_RETRY_AFTER,
                },
            ),
            (
                "temporarily_unavailable",
                vec![50033],
                None,
                RefusalKind::TemporarilyUnavailable,
                UserAction::RetryLater {
                    after: DEFAULT_RETRY_AFTER,
                },
            ),
            (
                "expired_token",
                vec![],
                None,
                RefusalKind::DeviceCodeExpired,
                UserAction::StartOver,
            ),
            (
                "bad_verification_code",
                vec![],
                None,
                RefusalKind::BadVerificationCode,
                UserAction::StartOver,
            ),
            (
                "something_new",
                vec![],
                None,
                RefusalKind::Other,
                UserAction::Report,
            ),
        ];
        for (error, codes, sub, kind, action) in rows {
            let r = refusal(error, &codes, sub);
            assert_eq!(r.kind, kind, "{error} {codes:?} {sub:?}");
            assert_eq!(r.action(), action, "{error} {codes:?} {sub:?}");
            let message = r.to_string();
            assert!(!message.contains("must never decide"), "{message}");
            assert!(!message.is_empty());
        }
    }

    #[test]
    fn a_sign_in_the_account_must_redo_says_sign_in_again_once_with_the_reason() {
        let account = crate::tokens::Account {
            oid: "oid".into(),
            tid: "tid".into(),
            username: "adele@contoso.com".into(),
            name: "Adele Vance".into(),
        };
        // One refusal per kind whose only remedy is signing in again, and one that has its own advice.
        for (error, codes, reason) in [
            ("invalid_grant", &[70008][..], "Your saved sign-in has expired."),
            ("invalid_grant", &[50173][..], "Your saved sign-in was revoked"),
            ("invalid_grant", &[][..], "Your saved sign-in is no longer valid."),
        ] {
            let r = refusal(error, codes, None);
            assert!(r.sign_in_again_reason().is_some(), "{r}");
            assert!(r.to_string().ends_with(" Sign in again."), "{r}");
            let message = AuthError::SignInRequired {
                account: account.clone(),
                refusal: Some(Box::new(r)),
            }
            .to_string();
            assert!(
                message.starts_with("Adele Vance (adele@contoso.com) must sign in again. "),
                "{message}"
            );
            assert!(message.contains(reason), "{message}");
            assert_eq!(
                message.to_lowercase().matches("sign in again").count(),
                1,
                "{message}"
            );
            assert!(!message.contains(".."), "{message}");
        }
        let consent = refusal("invalid_grant", &[65001], None);
        assert_eq!(consent.sign_in_again_reason(), None);
        let message = AuthError::SignInRequired {
            account,
            refusal: Some(Box::new(consent)),
        }
        .to_string();
        assert!(message.contains("accept the permissions"), "{message}");
    }

    #[test]
    fn the_admin_consent_message_carries_the_url_to_send_to_the_administrator() {
        let r = refusal("invalid_grant", &[90094], None);
        assert!(
            r.to_string()
                .contains("/organizations/adminconsent?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e")
        );
    }

    #[test]
    fn app_registration_messages_name_the_client_id_and_say_what_to_fix() {
        let r = refusal("invalid_client", &[7000218], None);
        let m = r.to_string();
        assert!(
            m.contains(crate::config::DEFAULT_CLIENT_ID) && m.contains("Allow public client flows"),
            "{m}"
        );
        let m = refusal("invalid_request", &[50011], None).to_string();
        assert!(m.contains("http://localhost"), "{m}");
        let m = refusal("unauthorized_client", &[700016], None).to_string();
        assert!(m.contains("organizations"), "{m}");
    }

    #[test]
    fn a_retry_after_from_the_server_becomes_the_retry_delay() {
        let mut r = refusal("temporarily_unavailable", &[90006], None);
        r.retry_after = Some(Duration::from_secs(42));
        assert_eq!(
            r.action(),
            UserAction::RetryLater {
                after: Duration::from_secs(42)
            }
        );
    }

    #[test]
    fn the_description_text_never_changes_the_classification() {
        assert_eq!(classify("invalid_grant", &[], None), RefusalKind::InvalidGrant);
        // A description that "says" MFA cannot turn a plain invalid_grant into anything else: classify does not
        // even see it.
        assert_eq!(classify("invalid_grant", &[70008], None), RefusalKind::Expired);
    }

    #[test]
    fn the_aadsts_prefix_is_read_only_when_it_has_the_documented_shape() {
        assert_eq!(
            aadsts_prefix("AADSTS65004: User declined to consent"),
            Some(65004)
        );
        assert_eq!(aadsts_prefix("  AADSTS90094: x"), Some(90094));
        assert_eq!(aadsts_prefix("The AADSTS65004: in the middle"), None);
        assert_eq!(aadsts_prefix("AADSTS: none"), None);
        assert_eq!(aadsts_prefix("AADSTS123 without colon"), None);
    }
}
