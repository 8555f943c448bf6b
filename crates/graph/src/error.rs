//! What can go wrong talking to Graph, shaped like what went wrong (architecture convention 5): the server
//! refused ([`Refusal`], classified by status and Graph `code`, never by message), the transport failed, the
//! body was not what Graph documents, the token source failed, or the configuration is wrong.
//!
//! Each error has a short `Display` with its cause in `source()`, says whether trying again later may help
//! ([`GraphError::is_retryable`]) and what the user can do ([`GraphError::action`]); the core maps that
//! action to the UI in one place. No error carries a token or a whole response body (convention 7): a
//! refusal keeps only Graph's `code`, a truncated `message`, and the request ids; a body that fails to parse
//! keeps only where it failed.

use std::fmt;
use std::time::Duration;

use crate::token::{TokenErrorKind, TokenSourceError};

/// Longest Graph error message kept, in characters; the rest is cut (messages are for logs, not logic).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// A failed Graph call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// Graph answered with an error status. (Boxed: it is the largest variant, and errors travel in
    /// `Result`s that should stay small.)
    #[error("Microsoft Graph refused the request ({0})")]
    Refused(Box<Refusal>),
    /// No complete answer arrived.
    #[error("cannot reach Microsoft Graph ({kind})")]
    Transport {
        /// How it failed.
        kind: TransportKind,
        /// The HTTP library's error (its URL removed).
        #[source]
        source: reqwest::Error,
    },
    /// Graph answered success, or an error, with a body this client cannot read.
    #[error("unexpected response from Microsoft Graph (status {status})")]
    UnexpectedBody {
        /// The HTTP status of the answer.
        status: u16,
        /// Where reading the body failed.
        #[source]
        source: BodyError,
    },
    /// The proxy the request went through refused it (407) or could not be reached.
    #[error("cannot reach Microsoft Graph through the proxy {proxy}: {failure}")]
    Proxy {
        /// The proxy, without credentials (`http://proxy.example:3128`), or [`SYSTEM_PROXY`].
        proxy: String,
        /// What went wrong.
        failure: ProxyFailure,
        /// The HTTP library's error (its URL removed), when there was one (none for a 407 answer).
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The token source could not supply a token.
    #[error("no access token for Microsoft Graph")]
    Token(#[source] TokenSourceError),
    /// An argument cannot be sent (e.g. an empty user id); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidInput(&'static str),
    /// The client is configured wrongly.
    #[error("invalid Microsoft Graph client configuration")]
    Config(#[source] ConfigError),
}

/// How Graph refused a request: status, Graph's error code, and the ids Microsoft support asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// What it means for us (from status and `code`).
    pub kind: RefusalKind,
    /// Graph's `error.code`, when the body had one.
    pub code: Option<String>,
    /// Graph's `error.message`, cut to [`MAX_MESSAGE_CHARS`]. For logs only: never branch on it (contract §4).
    pub message: Option<String>,
    /// Graph's `request-id` (header or `innerError`).
    pub request_id: Option<String>,
    /// The `client-request-id` this client sent with the refused attempt.
    pub client_request_id: Option<String>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        Ok(())
    }
}

/// What a refusal means, decided from the status and Graph's `code` (contract §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// 401 `InvalidAuthenticationToken` (or a 401 without a Graph body): the token is expired, revoked or not
    /// for Graph. The client already refreshed once and retried; signing in again is what is left.
    InvalidToken,
    /// 401 with another code, e.g. writing another user's presence with a delegated token (contract §2).
    Unauthorized,
    /// 403: the token lacks `Presence.ReadWrite` (missing consent or scope; contract §4).
    Forbidden,
    /// 400: a bad pair, duration, or missing field (`InvalidArgument`).
    InvalidArgument,
    /// 404: no such user or resource.
    NotFound,
    /// 429 `TooManyRequests`.
    Throttled {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// 503 or 504 (`serviceNotAvailable`).
    Unavailable {
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Any other status.
    Other,
}

impl RefusalKind {
    /// Classifies a refusal by status and Graph `code` (never by message, contract §4).
    pub fn classify(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> Self {
        match status {
            401 => match code {
                None => RefusalKind::InvalidToken,
                Some(c) if c.eq_ignore_ascii_case("InvalidAuthenticationToken") => RefusalKind::InvalidToken,
                Some(_) => RefusalKind::Unauthorized,
            },
            403 => RefusalKind::Forbidden,
            400 => RefusalKind::InvalidArgument,
            404 => RefusalKind::NotFound,
            429 => RefusalKind::Throttled { retry_after },
            503 | 504 => RefusalKind::Unavailable { retry_after },
            _ => RefusalKind::Other,
        }
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
    /// The proxy could not be reached.
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

/// How a transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No answer within the configured timeout.
    Timeout,
    /// The connection could not be opened (DNS, refused, TLS handshake, proxy).
    Connect,
    /// The connection broke while sending the request or reading the answer.
    Dropped,
    /// Anything else the HTTP library reported.
    Other,
}

impl TransportKind {
    /// Classifies an HTTP library error.
    pub fn of(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            TransportKind::Timeout
        } else if error.is_connect() {
            TransportKind::Connect
        } else if error.is_request() || error.is_body() || error.is_decode() {
            TransportKind::Dropped
        } else {
            TransportKind::Other
        }
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Timeout => "timed out",
            TransportKind::Connect => "cannot connect",
            TransportKind::Dropped => "connection dropped",
            TransportKind::Other => "transport error",
        })
    }
}

/// Why a response body could not be read. Keeps only where reading failed, never the body's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Not JSON, or JSON of another shape.
    #[error("body is not the expected JSON ({category} error at line {line}, column {column})")]
    Json {
        /// serde_json's category: `syntax`, `data` or `eof`.
        category: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Valid JSON perhaps, but not an object (Graph resources always are).
    #[error("body is not a JSON object")]
    NotAnObject,
    /// Larger than this client reads.
    #[error("body is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl BodyError {
    /// Keeps the position and category of a JSON error, dropping the message (which can quote the body).
    pub fn from_json(error: &serde_json::Error) -> Self {
        let category = match error.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Data => "data",
            serde_json::error::Category::Eof => "eof",
        };
        BodyError::Json {
            category,
            line: error.line(),
            column: error.column(),
        }
    }
}

/// A configuration the client refuses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL does not parse.
    #[error("the Graph base URL is not a valid URL")]
    BadUrl(#[source] url::ParseError),
    /// The base URL is not `https` (plain `http` is accepted only for loopback addresses, i.e. the emulator).
    #[error("the Graph base URL must use https (http is allowed only for a loopback address)")]
    InsecureUrl,
    /// The base URL has a query, a fragment, or credentials.
    #[error("the Graph base URL must not carry a query, a fragment or credentials")]
    UrlExtras,
    /// The user agent is not a valid header value.
    #[error("the user agent is not a valid HTTP header value")]
    BadUserAgent,
    /// The HTTP client could not be built (TLS backend, system configuration).
    #[error("the HTTP client could not be built")]
    HttpClient(#[source] reqwest::Error),
}

/// What the user can do about an error. The core maps each to the UI's error kinds in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    /// Sign in again (the token was refused even after a refresh, or the sign-in expired).
    SignInAgain,
    /// Grant the missing permission: sign in interactively to consent, or ask an administrator where the
    /// tenant requires admin consent. (Graph's 403 does not say which.)
    GrantConsent,
    /// Wait and try again; `after` is the server's delay when it named one.
    RetryLater {
        /// The server's requested delay.
        after: Option<Duration>,
    },
    /// Check the network connection; then try again.
    CheckConnection,
    /// Check the proxy setting: the proxy refused the request or cannot be reached.
    CheckProxy,
    /// Choose something else: the request itself was refused as invalid (e.g. a bad status or duration).
    FixInput,
    /// Nothing the user can do: a bug or an unexpected answer. Report it.
    None,
}

impl GraphError {
    /// The refusal, when Graph refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            GraphError::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// The HTTP status, when an answer arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Refused(r) => Some(r.status),
            GraphError::UnexpectedBody { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The delay the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GraphError::Refused(r) => match r.kind {
                RefusalKind::Throttled { retry_after } | RefusalKind::Unavailable { retry_after } => {
                    retry_after
                }
                _ => None,
            },
            GraphError::Token(e) => match e.kind() {
                TokenErrorKind::Unavailable { retry_after } => retry_after,
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the same call may succeed later without anything changing on our side: throttling, an
    /// unavailable service, a transport failure, or an unavailable identity platform.
    pub fn is_retryable(&self) -> bool {
        match self {
            GraphError::Refused(r) => matches!(
                r.kind,
                RefusalKind::Throttled { .. } | RefusalKind::Unavailable { .. }
            ),
            GraphError::Transport { .. } => true,
            GraphError::Proxy { failure, .. } => matches!(failure, ProxyFailure::Unreachable(_)),
            GraphError::Token(e) => matches!(e.kind(), TokenErrorKind::Unavailable { .. }),
            GraphError::UnexpectedBody { .. } | GraphError::InvalidInput(_) | GraphError::Config(_) => false,
        }
    }

    /// What the user can do about it.
    pub fn action(&self) -> UserAction {
        match self {
            GraphError::Refused(r) => match r.kind {
                RefusalKind::InvalidToken => UserAction::SignInAgain,
                RefusalKind::Forbidden => UserAction::GrantConsent,
                RefusalKind::InvalidArgument => UserAction::FixInput,
                RefusalKind::Throttled { retry_after } | RefusalKind::Unavailable { retry_after } => {
                    UserAction::RetryLater { after: retry_after }
                }
                RefusalKind::Other if r.status >= 500 => UserAction::RetryLater { after: None },
                RefusalKind::Unauthorized | RefusalKind::NotFound | RefusalKind::Other => UserAction::None,
            },
            GraphError::Transport { .. } => UserAction::CheckConnection,
            GraphError::Proxy { .. } => UserAction::CheckProxy,
            GraphError::Token(e) => match e.kind() {
                TokenErrorKind::SignInRequired => UserAction::SignInAgain,
                TokenErrorKind::ConsentRequired => UserAction::GrantConsent,
                TokenErrorKind::Unavailable { retry_after } => UserAction::RetryLater { after: retry_after },
                TokenErrorKind::Other => UserAction::None,
            },
            GraphError::UnexpectedBody { .. } | GraphError::InvalidInput(_) | GraphError::Config(_) => {
                UserAction::None
            }
        }
    }

    /// A transport error from the HTTP library, classified, with the URL removed (it names the user's id).
    /// A transport error; when `proxy` names the proxy the request went through and the connection could not be
    /// made, the proxy is what failed (reqwest connects to the proxy, never to the host, in that case).
    pub(crate) fn transport_via(error: reqwest::Error, proxy: Option<&str>) -> Self {
        match (proxy, TransportKind::of(&error)) {
            (Some(proxy), kind @ TransportKind::Connect) => GraphError::Proxy {
                proxy: proxy.to_owned(),
                failure: ProxyFailure::Unreachable(kind),
                source: Some(error.without_url()),
            },
            _ => Self::transport(error),
        }
    }

    /// The answer a proxy gives when it will not carry the request (HTTP 407), naming it.
    pub(crate) fn proxy_refused(proxy: Option<&str>) -> Self {
        GraphError::Proxy {
            proxy: proxy.unwrap_or(SYSTEM_PROXY).to_owned(),
            failure: ProxyFailure::AuthenticationRequired,
            source: None,
        }
    }

    pub(crate) fn transport(error: reqwest::Error) -> Self {
        GraphError::Transport {
            kind: TransportKind::of(&error),
            source: error.without_url(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> GraphError {
        GraphError::Refused(Box::new(Refusal {
            status,
            kind: RefusalKind::classify(status, code, retry_after),
            code: code.map(str::to_owned),
            message: None,
            request_id: None,
            client_request_id: None,
        }))
    }

    #[test]
    fn statuses_and_codes_classify_as_the_contract_lists_them() {
        // contract §4, one row each.
        assert_eq!(
            RefusalKind::classify(400, Some("InvalidArgument"), None),
            RefusalKind::InvalidArgument
        );
        assert_eq!(
            RefusalKind::classify(403, Some("Forbidden"), None),
            RefusalKind::Forbidden
        );
        assert_eq!(
            RefusalKind::classify(401, Some("InvalidAuthenticationToken"), None),
            RefusalKind::InvalidToken
        );
        let after = Some(Duration::from_secs(9));
        assert_eq!(
            RefusalKind::classify(429, Some("TooManyRequests"), after),
            RefusalKind::Throttled { retry_after: after }
        );
        assert_eq!(
            RefusalKind::classify(503, Some("serviceNotAvailable"), None),
            RefusalKind::Unavailable { retry_after: None }
        );
        assert_eq!(
            RefusalKind::classify(504, None, after),
            RefusalKind::Unavailable { retry_after: after }
        );
        assert_eq!(
            RefusalKind::classify(404, Some("ResourceNotFound"), None),
            RefusalKind::NotFound
        );
        assert_eq!(
            RefusalKind::classify(500, Some("generalException"), None),
            RefusalKind::Other
        );
        assert_eq!(RefusalKind::classify(409, None, None), RefusalKind::Other);
    }

    #[test]
    fn a_401_with_another_code_is_not_treated_as_a_bad_token() {
        // "Cannot set the presence of another user" (contract §2): refreshing cannot help.
        assert_eq!(
            RefusalKind::classify(401, Some("Unauthorized"), None),
            RefusalKind::Unauthorized
        );
        assert_eq!(RefusalKind::classify(401, None, None), RefusalKind::InvalidToken);
    }

    #[test]
    fn each_error_says_what_the_user_can_do() {
        let after = Some(Duration::from_secs(30));
        assert_eq!(
            refused(401, Some("InvalidAuthenticationToken"), None).action(),
            UserAction::SignInAgain
        );
        assert_eq!(
            refused(403, Some("Forbidden"), None).action(),
            UserAction::GrantConsent
        );
        assert_eq!(
            refused(400, Some("InvalidArgument"), None).action(),
            UserAction::FixInput
        );
        assert_eq!(
            refused(429, Some("TooManyRequests"), after).action(),
            UserAction::RetryLater { after }
        );
        assert_eq!(
            refused(503, None, None).action(),
            UserAction::RetryLater { after: None }
        );
        assert_eq!(
            refused(500, None, None).action(),
            UserAction::RetryLater { after: None }
        );
        assert_eq!(refused(404, None, None).action(), UserAction::None);
        assert_eq!(
            refused(401, Some("Unauthorized"), None).action(),
            UserAction::None
        );
        assert_eq!(
            GraphError::Token(TokenSourceError::new(TokenErrorKind::ConsentRequired)).action(),
            UserAction::GrantConsent
        );
        assert_eq!(
            GraphError::Token(TokenSourceError::new(TokenErrorKind::SignInRequired)).action(),
            UserAction::SignInAgain
        );
        assert_eq!(
            GraphError::InvalidInput("empty user id").action(),
            UserAction::None
        );
    }

    #[test]
    fn only_throttling_unavailability_and_transport_trouble_are_retryable() {
        assert!(refused(429, None, None).is_retryable());
        assert!(refused(503, None, None).is_retryable());
        assert!(refused(504, None, None).is_retryable());
        for status in [400, 401, 403, 404, 500, 502] {
            assert!(!refused(status, None, None).is_retryable(), "{status}");
        }
        let unavailable = TokenSourceError::new(TokenErrorKind::Unavailable {
            retry_after: Some(Duration::from_secs(5)),
        });
        let err = GraphError::Token(unavailable);
        assert!(err.is_retryable());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    }

    #[test]
    fn display_is_short_and_names_status_and_code_but_not_the_message() {
        let err = GraphError::Refused(Box::new(Refusal {
            status: 400,
            kind: RefusalKind::InvalidArgument,
            code: Some("InvalidArgument".into()),
            message: Some("The provided [ExpirationDuration] is out of range.".into()),
            request_id: Some("r".into()),
            client_request_id: None,
        }));
        assert_eq!(
            err.to_string(),
            "Microsoft Graph refused the request (400 InvalidArgument)"
        );
        assert_eq!(err.status(), Some(400));
    }

    #[test]
    fn a_json_error_keeps_its_position_but_not_the_text_it_quotes() {
        let err = serde_json::from_str::<u32>("\"secret-looking-value\"").unwrap_err();
        assert!(
            err.to_string().contains("secret-looking-value"),
            "serde_json quotes the body"
        );
        let body = BodyError::from_json(&err);
        let shown = format!("{body} {body:?}");
        assert!(!shown.contains("secret-looking-value"), "{shown}");
        assert!(matches!(
            body,
            BodyError::Json {
                category: "data",
                line: 1,
                ..
            }
        ));
    }
}
