//! The Graph presence client: builds each request (path, headers, body), sends it with a token from the
//! injected [`TokenSource`], refreshes once on a rejected token, retries by the [`RetryPolicy`], and turns
//! the answer into a typed value or a typed [`GraphError`].
//!
//! Everything that varies is injected (architecture convention 4): the base URL (global Graph, a national
//! cloud, or the emulator; contract §1), the `reqwest::Client`, the token source, and the retry policy.
//! Sleeping between retries uses `tokio::time::sleep`, so tests with paused tokio time run hours of backoff
//! in milliseconds.
//!
//! Tracing: each call is a span `graph` with `action` and `method` (not the path, which holds the user's object
//! id); each attempt logs its
//! `client_request_id`, `status` and `elapsed_ms`. Headers are never logged: the `Authorization` header
//! exists only inside the request builder.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::{SignedDuration, Timestamp};
use presently_model::status::PreferredPresence;
use presently_model::wire::PresencePair;
use reqwest::header::{self, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use url::Url;

use crate::error::{
    BodyError, ConfigError, GraphError, MAX_MESSAGE_CHARS, PROXY_AUTHENTICATION_REQUIRED, Refusal,
    RefusalKind,
};
use crate::retry::{Decision, Failure, RetryPolicy, parse_retry_after};
use crate::token::{AccessToken, TokenSource};
use crate::wire;
use presently_model::text::shortened;

/// Graph for the global cloud (and GCC), contract §1.
pub const GRAPH_GLOBAL: &str = "https://graph.microsoft.com";
/// Graph for US Government L4 (GCC High), contract §1.
pub const GRAPH_US_GOV_L4: &str = "https://graph.microsoft.us";
/// Graph for US Government L5 (DoD), contract §1.
pub const GRAPH_US_GOV_L5: &str = "https://dod-graph.microsoft.us";
/// Graph operated by 21Vianet in China. It has **no presence API** (contract §1): every call here will fail.
pub const GRAPH_CHINA: &str = "https://microsoftgraph.chinacloudapi.cn";

/// The name of the correlation header sent with every request.
pub const CLIENT_REQUEST_ID: &str = "client-request-id";

/// Largest response body read, in bytes. Presence and `/me` answers are a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How to reach Graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphConfig {
    /// Graph's root, without `/v1.0` (contract §1): [`GRAPH_GLOBAL`], a national cloud, or the emulator's
    /// `http://127.0.0.1:PORT`. Must be https; plain http is accepted only for loopback addresses.
    pub base_url: String,
    /// Longest time one attempt may take, connect to last byte. Applied to every request, so it holds for
    /// an injected `reqwest::Client` too.
    pub request_timeout: Duration,
    /// Longest time to open a connection (used by [`GraphConfig::build_http_client`]).
    pub connect_timeout: Duration,
    /// The `User-Agent` of every request.
    pub user_agent: String,
    /// When to retry (contract §4).
    pub retry: RetryPolicy,
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            base_url: GRAPH_GLOBAL.to_owned(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("Presently/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
        }
    }
}

impl GraphConfig {
    /// A default configuration for another base URL.
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            ..Self::default()
        }
    }

    /// Builds the `reqwest::Client` Presently uses for Graph: rustls, connect and request timeouts, this
    /// user agent, and no redirects (Graph's presence calls never redirect; not following one keeps the
    /// bearer token from travelling anywhere unexpected).
    ///
    /// Proxies: for Graph itself no proxy is set here, so reqwest's automatic **system proxy** stays on (the
    /// workspace enables its `system-proxy` feature): `HTTPS_PROXY`/`https_proxy`, `ALL_PROXY` and `NO_PROXY`
    /// on every system, plus the Windows registry and macOS system settings. Calling `.proxy(..)` or
    /// `.no_proxy()` on a builder switches that off, so this function does so only for a loopback base URL
    /// (the emulator): a proxy cannot reach this machine's loopback, and reqwest does not exempt loopback
    /// addresses from `HTTP_PROXY` by itself.
    pub fn build_http_client(&self) -> Result<reqwest::Client, GraphError> {
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| GraphError::Config(ConfigError::BadUserAgent))?;
        let mut builder = crate::tls::client_builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none());
        if self.uses_loopback() {
            builder = builder.no_proxy();
        }
        builder
            .build()
            .map_err(|e| GraphError::Config(ConfigError::HttpClient(e)))
    }

    /// Whether the base URL names this machine (the emulator), which is never reached through a proxy.
    pub fn uses_loopback(&self) -> bool {
        Url::parse(self.base_url.trim()).is_ok_and(|u| is_loopback(&u))
    }
}

/// Whose presence to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserRef<'a> {
    /// The signed-in user (`/me/presence`).
    Me,
    /// A user by object id (`/users/{id}/presence`).
    Id(&'a str),
}

/// What `clearPresence` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCleared {
    /// The session existed and is gone.
    Cleared,
    /// Graph answered 404: there was no such session (it had expired, was never set, or an earlier attempt
    /// whose answer was lost already cleared it). The end state is the same: no session.
    NoSuchSession,
}

/// A Microsoft Graph presence client. Cheap to clone (the HTTP client and token source are shared).
#[derive(Clone)]
pub struct GraphClient {
    base: Url,
    http: reqwest::Client,
    tokens: Arc<dyn TokenSource>,
    user_agent: HeaderValue,
    request_timeout: Duration,
    retry: RetryPolicy,
    /// The proxy `http` sends through (without credentials), named in errors.
    proxy: Option<String>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.base.as_str())
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// A successful answer: status and (size-limited) body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl GraphClient {
    /// A client for `config.base_url`, sending with `http` and authorising with `tokens`.
    ///
    /// Fails when the base URL is not https (http only for loopback), carries a query, fragment or
    /// credentials, or the user agent is not a valid header value.
    pub fn new(
        config: GraphConfig,
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
    ) -> Result<Self, GraphError> {
        let base = check_base_url(&config.base_url).map_err(GraphError::Config)?;
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|_| GraphError::Config(ConfigError::BadUserAgent))?;
        Ok(Self {
            base,
            http,
            tokens,
            user_agent,
            request_timeout: config.request_timeout,
            retry: config.retry,
            proxy: None,
        })
    }

    /// The same client, telling it that its HTTP client sends through `proxy` (shown without credentials, as
    /// `http://proxy.example:3128`), so a proxy that refuses or cannot be reached is named in the error.
    pub fn with_proxy(mut self, proxy: Option<String>) -> Self {
        self.proxy = proxy;
        self
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The signed-in user: `GET /v1.0/me` (needs `User.Read`).
    pub async fn me(&self) -> Result<wire::Me, GraphError> {
        let url = self.url(&["me"])?;
        let answer = self.send("me", Method::GET, url, None).await?;
        decode(&answer)
    }

    /// A user's presence: `GET /v1.0/me/presence` or `GET /v1.0/users/{id}/presence` (contract §2).
    /// Unknown availability or activity values are kept, never a parse failure.
    pub async fn presence(&self, user: UserRef<'_>) -> Result<wire::Presence, GraphError> {
        let url = match user {
            UserRef::Me => self.url(&["me", "presence"])?,
            UserRef::Id(id) => self.url(&["users", checked_id(id, "user id")?, "presence"])?,
        };
        let answer = self.send("getPresence", Method::GET, url, None).await?;
        decode(&answer)
    }

    /// Pins one of the six statuses: `POST /v1.0/users/{oid}/presence/setUserPreferredPresence`
    /// with the status's exact pair (contract §2). `expiration` is sent as an ISO 8601 duration; `None`
    /// omits it and Graph applies its default (7 days, or 1 day for Busy and Do not disturb).
    pub async fn set_preferred(
        &self,
        user_oid: &str,
        status: PreferredPresence,
        expiration: Option<SignedDuration>,
    ) -> Result<(), GraphError> {
        let pair = status.preferred_pair();
        let body = wire::SetPreferredBody {
            availability: &pair.availability,
            activity: &pair.activity,
            expiration_duration: iso_duration(expiration)?,
        };
        self.write("setUserPreferredPresence", user_oid, &body)
            .await
            .map(drop)
    }

    /// Removes the pin: `POST .../clearUserPreferredPresence` with `{}`. Succeeds when nothing was pinned
    /// (contract §2: 200 even then).
    pub async fn clear_preferred(&self, user_oid: &str) -> Result<(), GraphError> {
        self.write("clearUserPreferredPresence", user_oid, &wire::EmptyBody {})
            .await
            .map(drop)
    }

    /// Creates or updates this app's presence session: `POST .../setPresence` (contract §2).
    ///
    /// `session_id` must be the app's client id (contract §2). `pair` is sent as given; Graph accepts only
    /// five pairs (the model's `SessionPlan` produces them) and answers 400 to any other, which is not
    /// retried. `expiration` must lie in PT5M..PT4H; `None` means Graph's default of PT5M.
    pub async fn set_session(
        &self,
        user_oid: &str,
        session_id: &str,
        pair: &PresencePair,
        expiration: Option<SignedDuration>,
    ) -> Result<(), GraphError> {
        let body = wire::SetSessionBody {
            session_id: checked_id(session_id, "session id")?,
            availability: &pair.availability,
            activity: &pair.activity,
            expiration_duration: iso_duration(expiration)?,
        };
        self.write("setPresence", user_oid, &body).await.map(drop)
    }

    /// Ends this app's presence session: `POST .../clearPresence` (contract §2). A 404 (no such session)
    /// is the outcome [`SessionCleared::NoSuchSession`], not an error.
    pub async fn clear_session(
        &self,
        user_oid: &str,
        session_id: &str,
    ) -> Result<SessionCleared, GraphError> {
        let body = wire::ClearSessionBody {
            session_id: checked_id(session_id, "session id")?,
        };
        match self.write("clearPresence", user_oid, &body).await {
            Ok(_) => Ok(SessionCleared::Cleared),
            Err(GraphError::Refused(r)) if r.kind == RefusalKind::NotFound => {
                Ok(SessionCleared::NoSuchSession)
            }
            Err(e) => Err(e),
        }
    }

    /// Sets the status message: `POST .../setStatusMessage` with plain text and, optionally, when it
    /// expires (sent as a UTC `dateTimeTimeZone` object, contract §2). An empty `message` clears it.
    pub async fn set_status_message(
        &self,
        user_oid: &str,
        message: &str,
        expires_at: Option<Timestamp>,
    ) -> Result<(), GraphError> {
        let body = wire::SetStatusMessageBody {
            status_message: wire::StatusMessageOut {
                message: wire::ItemBodyOut {
                    content: message,
                    content_type: "text",
                },
                expiry_date_time: expires_at.map(wire::DateTimeTimeZone::utc),
            },
        };
        self.write("setStatusMessage", user_oid, &body).await.map(drop)
    }

    // -----------------------------------------------------------------------------------------------------

    /// `POST /v1.0/users/{oid}/presence/{action}` with a JSON body.
    async fn write<B: Serialize>(
        &self,
        action: &'static str,
        user_oid: &str,
        body: &B,
    ) -> Result<Answer, GraphError> {
        let url = self.url(&["users", checked_id(user_oid, "user id")?, "presence", action])?;
        let bytes = serde_json::to_vec(body)
            .map_err(|_| GraphError::InvalidInput("request body cannot be encoded"))?;
        self.send(action, Method::POST, url, Some(bytes)).await
    }

    /// `{base}/v1.0/{segments...}`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Result<Url, GraphError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| GraphError::Config(ConfigError::UrlExtras))?
            .pop_if_empty()
            .push("v1.0")
            .extend(segments);
        Ok(url)
    }

    /// Sends one logical call: token, attempts, one refresh on a rejected token, retries by the policy.
    async fn send(
        &self,
        action: &'static str,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, GraphError> {
        // The action names the call; the path would carry the user's object id (`/users/{oid}/...`), which
        // stays out of logs.
        let span = tracing::info_span!("graph", action, method = %method);
        async move {
            let mut token = self.tokens.access_token().await.map_err(GraphError::Token)?;
            let mut refreshed = false;
            let mut retries_done = 0u32;
            loop {
                let (failure, error) = match self.attempt(&method, &url, body.as_deref(), &token).await {
                    Attempt::Success(answer) => return Ok(answer),
                    Attempt::Refused(refusal, retry_after) => {
                        if refusal.kind == RefusalKind::InvalidToken && !refreshed {
                            // Contract §4: on a 401 refresh once and retry once.
                            refreshed = true;
                            tracing::info!("token rejected; asking the token source for a fresh one");
                            token = self
                                .tokens
                                .refresh_after_rejection(&token)
                                .await
                                .map_err(GraphError::Token)?;
                            continue;
                        }
                        let failure = Failure::Status {
                            status: refusal.status,
                            retry_after,
                        };
                        (failure, GraphError::Refused(Box::new(refusal)))
                    }
                    Attempt::Failed(error @ GraphError::Proxy { .. }) => {
                        // Not retried within the call: asking again brings the same 407 (only other credentials
                        // help), and a proxy that refuses connections is this network's setup, not a blip of
                        // Graph's; the caller hears it at once, naming the proxy, and a keeper schedules its own
                        // retry of an unreachable proxy (`is_retryable`).
                        tracing::warn!(error = %error, "the proxy did not carry the request");
                        return Err(error);
                    }
                    Attempt::Failed(error) => (Failure::Transport, error),
                };
                match self.retry.decide(retries_done, failure) {
                    Decision::RetryAfter(delay) => {
                        retries_done += 1;
                        tracing::info!(
                            retry = retries_done,
                            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            error = %error,
                            "retrying"
                        );
                        tokio::time::sleep(delay).await;
                    }
                    Decision::GiveUp => {
                        tracing::warn!(error = %error, retries = retries_done, "Graph call failed");
                        return Err(error);
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// One HTTP exchange.
    async fn attempt(&self, method: &Method, url: &Url, body: Option<&[u8]>, token: &AccessToken) -> Attempt {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let started = tokio::time::Instant::now();
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.secret())
            .header(CLIENT_REQUEST_ID, &client_request_id)
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, self.user_agent.clone())
            .timeout(self.request_timeout);
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                let error = GraphError::transport_via(e, self.proxy.as_deref());
                tracing::info!(client_request_id = client_request_id.as_str(), elapsed_ms = elapsed_ms(started), error = %error, "no answer");
                return Attempt::Failed(error);
            }
        };
        let status = response.status();
        if status.as_u16() == PROXY_AUTHENTICATION_REQUIRED {
            // Only a proxy answers 407 (RFC 9110 §15.5.8); Graph never does.
            tracing::info!(
                client_request_id = client_request_id.as_str(),
                status = status.as_u16(),
                elapsed_ms = elapsed_ms(started),
                "proxy refused"
            );
            return Attempt::Failed(GraphError::proxy_refused(self.proxy.as_deref()));
        }
        let headers = response.headers().clone();
        let body = read_limited(response, MAX_BODY_BYTES).await;
        tracing::info!(
            client_request_id = client_request_id.as_str(),
            status = status.as_u16(),
            elapsed_ms = elapsed_ms(started),
            "answer"
        );
        if status.is_success() {
            return match body {
                Ok(body) => Attempt::Success(Answer {
                    status: status.as_u16(),
                    body,
                }),
                Err(ReadError::Transport(e)) => Attempt::Failed(GraphError::transport(e)),
                Err(ReadError::TooLarge) => Attempt::Failed(GraphError::UnexpectedBody {
                    status: status.as_u16(),
                    source: BodyError::TooLarge {
                        limit: MAX_BODY_BYTES,
                    },
                }),
            };
        }
        // An error body that cannot be read is treated as absent: the status alone still classifies it.
        let body = body.unwrap_or_default();
        let (refusal, retry_after) = refusal_from(status, &headers, &body, client_request_id);
        Attempt::Refused(refusal, retry_after)
    }
}

/// The outcome of one attempt.
enum Attempt {
    Success(Answer),
    Refused(Refusal, Option<Duration>),
    Failed(GraphError),
}

enum ReadError {
    Transport(reqwest::Error),
    TooLarge,
}

/// Reads a body up to `limit` bytes.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Builds a refusal from an error answer, and the server's `Retry-After` as a delay.
pub(crate) fn refusal_from(
    status: StatusCode,
    headers: &header::HeaderMap,
    body: &[u8],
    client_request_id: String,
) -> (Refusal, Option<Duration>) {
    // A Retry-After date is measured from the response's own Date (no clock skew), else from local time.
    let reference = headers
        .get(header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .unwrap_or_else(SystemTime::now);
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, reference));
    let detail = wire::ErrorBody::parse(body).error.unwrap_or_default();
    let request_id = headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| detail.inner_error.and_then(|i| i.request_id));
    let code = detail.code.filter(|c| is_graph_code(c));
    let refusal = Refusal {
        status: status.as_u16(),
        kind: RefusalKind::classify(status.as_u16(), code.as_deref(), retry_after),
        code,
        message: detail
            .message
            .filter(|m| !m.is_empty())
            .map(|m| shortened(&m, MAX_MESSAGE_CHARS)),
        request_id,
        client_request_id: Some(client_request_id),
    };
    (refusal, retry_after)
}

/// Whether an `error.code` has the shape of Graph's codes (`Forbidden`, `Request_ResourceNotFound`): one short
/// word. Anything else (a proxy's text, control characters, kilobytes) is dropped rather than carried into the
/// error's text, the popup and the logs; the refusal is then classified by its status alone.
fn is_graph_code(code: &str) -> bool {
    (1..=100).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Reads a Graph resource. It must be a JSON object: serde would also accept an array for a struct whose
/// fields all have defaults, and a `[]` from some proxy must not read as "presence unknown".
pub(crate) fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, GraphError> {
    let unexpected = |source| GraphError::UnexpectedBody {
        status: answer.status,
        source,
    };
    if answer.body.trim_ascii_start().first() != Some(&b'{') {
        return Err(unexpected(BodyError::NotAnObject));
    }
    serde_json::from_slice(&answer.body).map_err(|e| unexpected(BodyError::from_json(&e)))
}

fn elapsed_ms(started: tokio::time::Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A path segment or id that must not be empty or a dot segment (which URL joining would drop).
fn checked_id<'a>(id: &'a str, what: &'static str) -> Result<&'a str, GraphError> {
    let trimmed = id.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." || trimmed != id {
        return Err(GraphError::InvalidInput(match what {
            "session id" => "the session id is empty or malformed",
            _ => "the user id is empty or malformed",
        }));
    }
    Ok(id)
}

/// An `expirationDuration` value: a positive duration as ISO 8601 (`PT15M`), via the model's formatter.
fn iso_duration(expiration: Option<SignedDuration>) -> Result<Option<String>, GraphError> {
    match expiration {
        None => Ok(None),
        Some(d) if d.is_positive() => Ok(Some(presently_model::duration::iso8601(d))),
        Some(_) => Err(GraphError::InvalidInput(
            "the expiration must be a positive duration",
        )),
    }
}

/// Checks and normalises the base URL.
fn check_base_url(base: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(base.trim()).map_err(ConfigError::BadUrl)?;
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(ConfigError::UrlExtras);
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        _ => return Err(ConfigError::InsecureUrl),
    }
    if url.cannot_be_a_base() {
        return Err(ConfigError::UrlExtras);
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::StaticToken;

    #[test]
    fn an_error_code_is_kept_only_when_it_has_the_shape_of_a_graph_code() {
        let refusal_with = |code: &str| {
            let body = serde_json::json!({"error": {"code": code, "message": "m"}}).to_string();
            refusal_from(
                StatusCode::FORBIDDEN,
                &header::HeaderMap::new(),
                body.as_bytes(),
                "c".into(),
            )
            .0
        };
        assert_eq!(refusal_with("Forbidden").code.as_deref(), Some("Forbidden"));
        assert_eq!(
            refusal_with("Request_ResourceNotFound").code.as_deref(),
            Some("Request_ResourceNotFound")
        );
        for odd in [
            "z".repeat(5_000),
            "two\nlines".into(),
            "esc\u{1b}[2J".into(),
            "a b".into(),
        ] {
            let refusal = refusal_with(&odd);
            assert_eq!(refusal.code, None, "{odd:?}");
            assert_eq!(refusal.kind, RefusalKind::classify(403, None, None));
            let shown = GraphError::Refused(Box::new(refusal)).to_string();
            assert_eq!(shown, "Microsoft Graph refused the request (403)");
        }
    }

    fn client(base: &str) -> Result<GraphClient, GraphError> {
        GraphClient::new(
            GraphConfig::with_base_url(base),
            crate::tls::client_builder().build().unwrap(),
            Arc::new(StaticToken::new(AccessToken::new("t"))),
        )
    }

    #[test]
    fn https_bases_and_loopback_http_bases_are_accepted() {
        for ok in [
            GRAPH_GLOBAL,
            GRAPH_US_GOV_L4,
            GRAPH_US_GOV_L5,
            "https://graph.microsoft.com/",
            "http://127.0.0.1:8123",
            "http://[::1]:8123",
            "http://localhost:9",
        ] {
            assert!(client(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn plain_http_elsewhere_and_odd_urls_are_configuration_errors() {
        for bad in [
            "http://graph.microsoft.com",
            "ftp://127.0.0.1",
            "https://graph.microsoft.com/?x=1",
            "https://user:pw@graph.microsoft.com",
            "not a url",
        ] {
            assert!(matches!(client(bad), Err(GraphError::Config(_))), "{bad}");
        }
    }

    #[test]
    fn paths_are_built_under_v1_0_with_ids_percent_encoded() {
        let c = client("https://graph.microsoft.com/").unwrap();
        let url = c.url(&["users", "3c5e7a9b", "presence", "setPresence"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://graph.microsoft.com/v1.0/users/3c5e7a9b/presence/setPresence"
        );
        let url = c.url(&["users", "a/b?c#d", "presence"]).unwrap();
        assert_eq!(url.path(), "/v1.0/users/a%2Fb%3Fc%23d/presence");
        let c = client("http://127.0.0.1:9/prefix").unwrap();
        assert_eq!(c.url(&["me"]).unwrap().path(), "/prefix/v1.0/me");
    }

    #[test]
    fn empty_and_dot_ids_are_refused_before_sending() {
        for bad in ["", " ", ".", "..", " x"] {
            assert!(
                matches!(checked_id(bad, "user id"), Err(GraphError::InvalidInput(_))),
                "{bad:?}"
            );
        }
        assert_eq!(checked_id("3c5e7a9b", "user id").unwrap(), "3c5e7a9b");
    }

    #[test]
    fn expirations_are_sent_as_iso_durations_and_must_be_positive() {
        assert_eq!(iso_duration(None).unwrap(), None);
        assert_eq!(
            iso_duration(Some(SignedDuration::from_mins(15)))
                .unwrap()
                .as_deref(),
            Some("PT15M")
        );
        assert!(iso_duration(Some(SignedDuration::ZERO)).is_err());
        assert!(iso_duration(Some(SignedDuration::from_secs(-5))).is_err());
    }

    #[test]
    fn a_refusal_takes_code_request_id_and_retry_after_from_the_answer() {
        let mut headers = header::HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("12"));
        headers.insert("request-id", HeaderValue::from_static("rid-header"));
        let body = br#"{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"request-id":"rid-body"}}}"#;
        let (refusal, retry_after) =
            refusal_from(StatusCode::TOO_MANY_REQUESTS, &headers, body, "cid".into());
        assert_eq!(retry_after, Some(Duration::from_secs(12)));
        assert_eq!(
            refusal.kind,
            RefusalKind::Throttled {
                retry_after: Some(Duration::from_secs(12))
            }
        );
        assert_eq!(refusal.code.as_deref(), Some("TooManyRequests"));
        assert_eq!(refusal.request_id.as_deref(), Some("rid-header"));
        assert_eq!(refusal.client_request_id.as_deref(), Some("cid"));
    }

    #[test]
    fn a_retry_after_date_is_measured_from_the_answers_date_header() {
        let mut headers = header::HeaderMap::new();
        headers.insert(
            header::DATE,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:27:00 GMT"),
        );
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        let (refusal, retry_after) =
            refusal_from(StatusCode::SERVICE_UNAVAILABLE, &headers, b"", "cid".into());
        assert_eq!(retry_after, Some(Duration::from_secs(60)));
        assert_eq!(refusal.code, None);
        assert_eq!(
            refusal.kind,
            RefusalKind::Unavailable {
                retry_after: Some(Duration::from_secs(60))
            }
        );
    }

    #[test]
    fn a_non_graph_error_body_still_classifies_by_status() {
        let headers = header::HeaderMap::new();
        let (refusal, _) = refusal_from(
            StatusCode::BAD_GATEWAY,
            &headers,
            b"<html>proxy</html>",
            "c".into(),
        );
        assert_eq!(refusal.kind, RefusalKind::Other);
        assert_eq!(refusal.message, None);
        let (refusal, _) = refusal_from(StatusCode::UNAUTHORIZED, &headers, b"", "c".into());
        assert_eq!(refusal.kind, RefusalKind::InvalidToken);
    }

    #[test]
    fn a_body_that_is_not_a_json_object_is_an_unexpected_body() {
        for (body, want) in [
            (&b"[]"[..], BodyError::NotAnObject),
            (b"<html>", BodyError::NotAnObject),
            (b"", BodyError::NotAnObject),
        ] {
            let answer = Answer {
                status: 200,
                body: body.to_vec(),
            };
            match decode::<wire::Presence>(&answer) {
                Err(GraphError::UnexpectedBody { status: 200, source }) => assert_eq!(source, want),
                other => panic!("{body:?}: {other:?}"),
            }
        }
        let truncated = Answer {
            status: 200,
            body: br#"{"availability":"Busy""#.to_vec(),
        };
        assert!(matches!(
            decode::<wire::Presence>(&truncated),
            Err(GraphError::UnexpectedBody {
                source: BodyError::Json { category: "eof", .. },
                ..
            })
        ));
        let fine = Answer {
            status: 200,
            body: br#" {"availability":"Busy","activity":"InACall"}"#.to_vec(),
        };
        assert_eq!(
            decode::<wire::Presence>(&fine).unwrap().pair().to_string(),
            "Busy/InACall"
        );
    }

    #[test]
    fn only_loopback_bases_bypass_the_system_proxy() {
        assert!(!GraphConfig::default().uses_loopback());
        assert!(!GraphConfig::with_base_url(GRAPH_US_GOV_L4).uses_loopback());
        assert!(GraphConfig::with_base_url("http://127.0.0.1:4000").uses_loopback());
        assert!(GraphConfig::with_base_url("https://localhost:4000").uses_loopback());
        assert!(!GraphConfig::with_base_url("garbage").uses_loopback());
    }

    #[test]
    fn calls_are_send_so_the_keeper_can_spawn_them() {
        fn is_send<T: Send>(_: &T) {}
        fn is_send_sync<T: Send + Sync + 'static>() {}
        let c = client(GRAPH_GLOBAL).unwrap();
        let pair = PreferredPresence::Busy.preferred_pair();
        is_send(&c.me());
        is_send(&c.presence(UserRef::Me));
        is_send(&c.set_preferred("x", PreferredPresence::Busy, None));
        is_send(&c.clear_preferred("x"));
        is_send(&c.set_session("x", "s", &pair, None));
        is_send(&c.clear_session("x", "s"));
        is_send(&c.set_status_message("x", "m", None));
        is_send_sync::<GraphClient>();
        is_send_sync::<GraphError>();
    }

    #[test]
    fn the_default_http_client_builds_with_rustls() {
        let client = GraphConfig::default().build_http_client();
        assert!(client.is_ok());
    }

    #[test]
    fn a_user_agent_with_a_newline_is_a_configuration_error() {
        let config = GraphConfig {
            user_agent: "Presently\r\nX: y".into(),
            ..GraphConfig::default()
        };
        assert!(matches!(
            config.build_http_client(),
            Err(GraphError::Config(ConfigError::BadUserAgent))
        ));
    }
}
