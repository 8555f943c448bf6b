//! Throttling and injected failures (contract §4).
//!
//! Two mechanisms live here, both on the virtual clock where time matters:
//! - **Throttling**: at most `settings.throttle_limit` Graph requests per app per tenant in any window of
//!   `settings.throttle_window_secs` (contract §4: 1,500 per 30 s). The window slides: each accepted request is
//!   remembered until it leaves the window, and a refused request gets `Retry-After` = the seconds until the
//!   oldest remembered one leaves, i.e. until a slot frees. Refused requests are not counted, so a client that
//!   honours `Retry-After` is served on its retry. A limit or window of 0 turns throttling off. The Graph
//!   handlers call [`Faults::throttle`] once they know the token's app and tenant.
//! - **Injected faults**: the control API (`POST /_emulator/faults`) aims a fault at a path (exact or prefix,
//!   any method or one) for the next N matching requests: a status (503/504 `serviceNotAvailable`, 429
//!   `TooManyRequests`, optionally with `Retry-After`), a real-time delay, a dropped connection, or an identity
//!   platform error (`invalid_grant` 70008, `interaction_required` 50076, ...). The [`inject`] middleware applies
//!   them before any handler runs. Faults never apply to the control API or the live page.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::errors::{AadError, GraphError};
use crate::log::{LogNote, Service};
use crate::world::AppState;

/// Longest injectable delay: two minutes of real time.
pub const MAX_DELAY_MS: u64 = 120_000;

/// Most requests one fault may apply to.
pub const MAX_COUNT: u32 = 1_000_000;

/// How a fault's `path` is compared with a request's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PathMatch {
    /// The request path equals `path` (the default).
    #[default]
    Exact,
    /// The request path starts with `path`.
    Prefix,
}

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum FaultKind {
    /// Answer at once with this status: 503 or 504 (`serviceNotAvailable`) or 429 (`TooManyRequests`), as a
    /// Graph error on Graph paths and as `temporarily_unavailable` on identity paths.
    #[serde(rename_all = "camelCase")]
    Status {
        /// 429, 503 or 504.
        status: u16,
        /// `Retry-After` in seconds, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Wait this many real milliseconds, then answer normally.
    #[serde(rename_all = "camelCase")]
    Delay {
        /// Milliseconds, at most [`MAX_DELAY_MS`].
        ms: u64,
    },
    /// Close the connection without an HTTP answer: the client sees a transport error.
    Drop,
    /// Refuse the bearer token as Graph does one it no longer accepts: 401 `InvalidAuthenticationToken` with
    /// `WWW-Authenticate` (contract §4), while the token endpoint still renews the sign-in. Models a token
    /// that lapsed on its way (the client slept mid-call, clocks apart) [assumed: the reasons Graph has
    /// beyond expiry are not in the contract]. Graph paths only.
    TokenRejected,
    /// Answer as the identity platform's token endpoint does when refusing: `invalid_grant` (70008, 700082,
    /// 50173, 70043, 65001 with `suberror: consent_required`), `interaction_required` (50076, 53000–53003) or
    /// `temporarily_unavailable` (90006, 50033).
    #[serde(rename_all = "camelCase")]
    IdentityError {
        /// The AADSTS number; the `error` value follows from it.
        code: u32,
        /// Optional check: the `error` value the caller expects for `code`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// `Retry-After` in seconds (sensible with `temporarily_unavailable`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
}

/// A fault to inject, as `POST /_emulator/faults` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// The request path to aim at, e.g. `/v1.0/me/presence` or `/organizations/oauth2/v2.0/token`.
    pub path: String,
    /// Exact (default) or prefix match.
    #[serde(default, rename = "match")]
    pub path_match: PathMatch,
    /// Only this HTTP method (case-insensitive); any method when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// How many matching requests the fault applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// What happens.
    pub fault: FaultKind,
}

fn one() -> u32 {
    1
}

/// A fault waiting for requests, as `GET /_emulator/faults` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveFault {
    /// Id, for the record.
    pub id: u64,
    /// What was asked for.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Matching requests it will still apply to.
    pub remaining: u32,
    /// Requests it has applied to so far.
    pub fired: u32,
}

/// Why a fault spec was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultSpecError {
    /// The path does not start with `/`, or aims at the control API or the live page.
    #[error(
        "path must start with '/' and aim at an identity or Graph path (not /_emulator or the live page): {0:?}"
    )]
    BadPath(String),
    /// Not an HTTP method token.
    #[error("method must be an HTTP method such as GET or POST: {0:?}")]
    BadMethod(String),
    /// Count out of range.
    #[error("count must be between 1 and {MAX_COUNT}, got {0}")]
    BadCount(u32),
    /// Unsupported status.
    #[error("status must be 429, 503 or 504, got {0}")]
    BadStatus(u16),
    /// Delay too long.
    #[error("delay ms must be at most {MAX_DELAY_MS}, got {0}")]
    BadDelay(u64),
    /// Unknown AADSTS number.
    #[error(
        "identityError code must be one of 70008, 700082, 50173, 70043, 65001, 50076, 53000, 53001, 53002, 53003, 90006, 50033; got {0}"
    )]
    UnknownIdentityCode(u32),
    /// `error` does not fit `code`.
    #[error("identityError code {code} is sent with error {expected:?}, not {given:?}")]
    IdentityErrorMismatch {
        /// The AADSTS number.
        code: u32,
        /// The error it goes with.
        expected: &'static str,
        /// What the spec said.
        given: String,
    },
}

/// An identity-platform error the fault injector knows how to send.
#[derive(Debug, Clone, Copy)]
struct IdentityErrorShape {
    code: u32,
    error: &'static str,
    suberror: Option<&'static str>,
    description: &'static str,
}

const IDENTITY_ERRORS: &[IdentityErrorShape] = &[
    IdentityErrorShape {
        code: 70008,
        error: "invalid_grant",
        suberror: None,
        description: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    },
    IdentityErrorShape {
        code: 700082,
        error: "invalid_grant",
        suberror: None,
        description: "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90.00:00:00.",
    },
    IdentityErrorShape {
        code: 50173,
        error: "invalid_grant",
        suberror: None,
        description: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
    },
    IdentityErrorShape {
        code: 70043,
        error: "invalid_grant",
        suberror: None,
        description: "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
    },
    IdentityErrorShape {
        code: 65001,
        error: "invalid_grant",
        suberror: Some("consent_required"),
        description: "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
    },
    IdentityErrorShape {
        code: 50076,
        error: "interaction_required",
        suberror: None,
        description: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
    },
    IdentityErrorShape {
        code: 53000,
        error: "interaction_required",
        suberror: None,
        description: "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant.",
    },
    IdentityErrorShape {
        code: 53001,
        error: "interaction_required",
        suberror: None,
        description: "Device is not in required device state: domain_joined. Conditional Access policy requires a domain joined device, and the device is not domain joined.",
    },
    IdentityErrorShape {
        code: 53002,
        error: "interaction_required",
        suberror: None,
        description: "Application used is not an approved application for Conditional Access.",
    },
    IdentityErrorShape {
        code: 53003,
        error: "interaction_required",
        suberror: None,
        description: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
    },
    IdentityErrorShape {
        code: 90006,
        error: "temporarily_unavailable",
        suberror: None,
        description: "The server is temporarily too busy to handle the request. Please try again later.",
    },
    IdentityErrorShape {
        code: 50033,
        error: "temporarily_unavailable",
        suberror: None,
        description: "A transient error has occurred. Please try again.",
    },
];

fn identity_shape(code: u32) -> Option<&'static IdentityErrorShape> {
    IDENTITY_ERRORS.iter().find(|s| s.code == code)
}

impl FaultSpec {
    /// Checks the spec and normalises the method to upper case.
    pub fn validated(mut self) -> Result<Self, FaultSpecError> {
        if !self.path.starts_with('/') || crate::log::service_of(&self.path).is_none() {
            return Err(FaultSpecError::BadPath(self.path));
        }
        if let Some(m) = &self.method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) || m.len() > 16 {
                return Err(FaultSpecError::BadMethod(m.clone()));
            }
            self.method = Some(m.to_ascii_uppercase());
        }
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(FaultSpecError::BadCount(self.count));
        }
        match &self.fault {
            FaultKind::Status { status, .. } if !matches!(status, 429 | 503 | 504) => {
                return Err(FaultSpecError::BadStatus(*status));
            }
            FaultKind::Delay { ms } if *ms > MAX_DELAY_MS => return Err(FaultSpecError::BadDelay(*ms)),
            FaultKind::TokenRejected if crate::log::service_of(&self.path) != Some(Service::Graph) => {
                return Err(FaultSpecError::BadPath(self.path));
            }
            FaultKind::IdentityError { code, error, .. } => {
                let shape = identity_shape(*code).ok_or(FaultSpecError::UnknownIdentityCode(*code))?;
                if let Some(given) = error
                    && given != shape.error
                {
                    return Err(FaultSpecError::IdentityErrorMismatch {
                        code: *code,
                        expected: shape.error,
                        given: given.clone(),
                    });
                }
            }
            _ => {}
        }
        Ok(self)
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let path_ok = match self.path_match {
            PathMatch::Exact => path == self.path,
            PathMatch::Prefix => path.starts_with(&self.path),
        };
        path_ok
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Injected faults and throttling windows.
#[derive(Debug, Default)]
pub struct Faults {
    active: Vec<ActiveFault>,
    next_id: u64,
    /// Accepted Graph requests per (tenant, client), oldest first, within the last window.
    windows: HashMap<(String, String), VecDeque<Timestamp>>,
}

impl Faults {
    /// Adds a fault after checking it; later faults apply only once earlier matching ones are used up.
    pub fn add(&mut self, spec: FaultSpec) -> Result<ActiveFault, FaultSpecError> {
        let spec = spec.validated()?;
        self.next_id += 1;
        let fault = ActiveFault {
            id: self.next_id,
            remaining: spec.count,
            fired: 0,
            spec,
        };
        self.active.push(fault.clone());
        Ok(fault)
    }

    /// Faults still waiting, in the order they will apply.
    pub fn list(&self) -> &[ActiveFault] {
        &self.active
    }

    /// Forgets every waiting fault. Returns how many there were.
    pub fn clear(&mut self) -> usize {
        std::mem::take(&mut self.active).len()
    }

    /// Takes one use of the first fault matching this request, if any.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let i = self.active.iter().position(|f| f.spec.matches(method, path))?;
        let f = &mut self.active[i];
        f.remaining = f.remaining.saturating_sub(1);
        f.fired = f.fired.saturating_add(1);
        let kind = f.spec.fault.clone();
        if f.remaining == 0 {
            self.active.remove(i);
        }
        Some(kind)
    }

    /// Counts a Graph request of `client_id` in `tenant_id` at `now`, or refuses it with the time until a slot
    /// frees (contract §4). `limit` or `window_secs` of 0 turns throttling off.
    pub fn throttle(
        &mut self,
        tenant_id: &str,
        client_id: &str,
        now: Timestamp,
        limit: u32,
        window_secs: u64,
    ) -> Result<(), SignedDuration> {
        if limit == 0 || window_secs == 0 {
            return Ok(());
        }
        let window = SignedDuration::from_secs(i64::try_from(window_secs).unwrap_or(i64::MAX));
        let start = now.checked_sub(window).unwrap_or(Timestamp::MIN);
        let key = (tenant_id.to_ascii_lowercase(), client_id.to_ascii_lowercase());
        let seen = self.windows.entry(key).or_default();
        while seen.front().is_some_and(|t| *t <= start) {
            seen.pop_front();
        }
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        // The limit may have been lowered since: only the newest `limit` entries decide.
        while seen.len() > limit {
            seen.pop_front();
        }
        if seen.len() < limit {
            seen.push_back(now);
            return Ok(());
        }
        let oldest = seen.front().copied().unwrap_or(now);
        let frees_at = oldest.checked_add(window).unwrap_or(Timestamp::MAX);
        Err(frees_at.duration_since(now))
    }

    /// Forgets every throttling window.
    pub fn reset_throttling(&mut self) {
        self.windows.clear();
    }
}

/// `Retry-After` seconds for a wait: rounded up, at least 1.
pub fn retry_after_secs(wait: SignedDuration) -> u64 {
    let secs = wait.as_secs() + i64::from(wait.subsec_nanos() > 0);
    u64::try_from(secs.max(1)).unwrap_or(1)
}

/// Middleware: applies an injected fault aimed at this request's path, if any.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(service) = crate::log::service_of(req.uri().path()) else {
        return next.run(req).await;
    };
    let fault = state.world().faults.take(req.method().as_str(), req.uri().path());
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    state.changed();
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let now = state.clock.now();
    let mut response = match fault {
        FaultKind::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            return next.run(req).await;
        }
        FaultKind::Drop => dropped_connection(),
        FaultKind::TokenRejected => crate::graph::token_rejected("The token has expired.")
            .stamped(now, client_request_id)
            .into_response(),
        FaultKind::Status { status, retry_after } => {
            status_fault(service, status, retry_after, now, client_request_id)
        }
        FaultKind::IdentityError {
            code, retry_after, ..
        } => identity_fault(code, retry_after, now),
    };
    response.extensions_mut().insert(LogNote {
        client_id: None,
        user_id: None,
        kind: Some("injectedFault".into()),
    });
    response
}

fn status_fault(
    service: Service,
    status: u16,
    retry_after: Option<u64>,
    now: Timestamp,
    client_request_id: Option<String>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = match service {
        Service::Graph => {
            let (code, message) = if status == StatusCode::TOO_MANY_REQUESTS {
                (
                    "TooManyRequests",
                    "Too many requests. Please retry after the time given in the Retry-After header.",
                )
            } else {
                (
                    "serviceNotAvailable",
                    "The service is temporarily unavailable. Please retry later.",
                )
            };
            let mut e = GraphError::new(status, code, message).stamped(now, client_request_id.clone());
            if let Some(id) = &client_request_id {
                e = e.with_header(header::HeaderName::from_static("client-request-id"), id);
            }
            e.into_response()
        }
        // [assumed] The identity platform answers an overload with an OAuth error body.
        Service::Identity => AadError::new(
            "temporarily_unavailable",
            50033,
            "A transient error has occurred. Please try again.",
        )
        .status(status)
        .at(now)
        .into_response(),
    };
    if let Some(secs) = retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn identity_fault(code: u32, retry_after: Option<u64>, now: Timestamp) -> Response {
    let Some(shape) = identity_shape(code) else {
        // Unreachable for validated specs; answer like an unknown server hiccup rather than panic.
        return AadError::new(
            "temporarily_unavailable",
            50033,
            "A transient error has occurred.",
        )
        .at(now)
        .into_response();
    };
    let mut e = AadError::new(shape.error, shape.code, shape.description).at(now);
    if let Some(s) = shape.suberror {
        e = e.suberror(s);
    }
    if let Some(secs) = retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        e.headers.insert(header::RETRY_AFTER, v);
    }
    e.into_response()
}

/// A response that makes the server abandon the connection: its body fails on the first read, before any
/// byte of the response (not even the status line) is sent, so hyper closes the connection. `tests/faults.rs`
/// checks that a client sees a transport error and that not a byte comes back. The status, never sent, is
/// 444 ("closed without response") so that the request log does not record a 200.
fn dropped_connection() -> Response {
    let body = Body::from_stream(futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault injection: connection dropped",
        ))
    }));
    let mut response = Response::new(body);
    if let Ok(status) = StatusCode::from_u16(444) {
        *response.status_mut() = status;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn spec(json: serde_json::Value) -> FaultSpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_fault_applies_to_the_next_n_matching_requests_only() {
        let mut f = Faults::default();
        f.add(spec(serde_json::json!({
            "path": "/v1.0/me/presence", "count": 2, "fault": {"kind": "status", "status": 503}
        })))
        .unwrap();
        assert!(f.take("GET", "/v1.0/me").is_none(), "exact match by default");
        assert!(f.take("GET", "/v1.0/me/presence").is_some());
        assert_eq!(f.list()[0].remaining, 1);
        assert!(f.take("POST", "/v1.0/me/presence").is_some());
        assert!(f.take("GET", "/v1.0/me/presence").is_none());
        assert!(f.list().is_empty());
    }

    #[test]
    fn a_prefix_fault_with_a_method_matches_only_that_method_under_the_prefix() {
        let mut f = Faults::default();
        f.add(spec(serde_json::json!({
            "path": "/v1.0/users/", "match": "prefix", "method": "post", "fault": {"kind": "drop"}
        })))
        .unwrap();
        assert_eq!(f.list()[0].spec.method.as_deref(), Some("POST"));
        assert!(f.take("GET", "/v1.0/users/x/presence").is_none());
        assert_eq!(
            f.take("POST", "/v1.0/users/x/presence/setPresence"),
            Some(FaultKind::Drop)
        );
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let mut f = Faults::default();
        let cases = [
            serde_json::json!({"path": "/_emulator/state", "fault": {"kind": "drop"}}),
            serde_json::json!({"path": "v1.0/me", "fault": {"kind": "drop"}}),
            serde_json::json!({"path": "/v1.0/me", "count": 0, "fault": {"kind": "drop"}}),
            serde_json::json!({"path": "/v1.0/me", "fault": {"kind": "status", "status": 418}}),
            serde_json::json!({"path": "/v1.0/me", "fault": {"kind": "delay", "ms": 10_000_000}}),
            serde_json::json!({"path": "/v1.0/me", "fault": {"kind": "identityError", "code": 1}}),
            serde_json::json!({"path": "/x/oauth2/v2.0/token", "fault": {"kind": "identityError", "code": 50076, "error": "invalid_grant"}}),
            serde_json::json!({"path": "/v1.0/me", "method": "GE T", "fault": {"kind": "drop"}}),
            // A bearer token is refused by Graph, never by the token endpoint.
            serde_json::json!({"path": "/organizations/oauth2/v2.0/token", "fault": {"kind": "tokenRejected"}}),
        ];
        for c in cases {
            let s: FaultSpec = serde_json::from_value(c.clone()).unwrap();
            assert!(f.add(s).is_err(), "{c}");
        }
        assert!(f.list().is_empty());
    }

    #[test]
    fn unknown_fields_in_a_spec_or_its_fault_are_refused() {
        for c in [
            serde_json::json!({"path": "/v1.0/me", "fault": {"kind": "drop"}, "cuont": 2}),
            serde_json::json!({"path": "/v1.0/me", "fault": {"kind": "status", "status": 503, "retryafter": 2}}),
            serde_json::json!({"path": "/v1.0/me", "fault": {"kind": "teapot"}}),
        ] {
            assert!(serde_json::from_value::<FaultSpec>(c.clone()).is_err(), "{c}");
        }
    }

    #[test]
    fn throttling_refuses_the_request_over_the_limit_until_the_oldest_leaves_the_window() {
        let mut f = Faults::default();
        let s = |n: i64| t0() + SignedDuration::from_secs(n);
        assert!(f.throttle("T", "A", s(0), 3, 30).is_ok());
        assert!(f.throttle("T", "A", s(10), 3, 30).is_ok());
        assert!(f.throttle("T", "A", s(20), 3, 30).is_ok());
        assert_eq!(
            f.throttle("T", "A", s(21), 3, 30),
            Err(SignedDuration::from_secs(9))
        );
        // Another app, or the same app in another tenant, has its own window.
        assert!(f.throttle("T", "B", s(21), 3, 30).is_ok());
        assert!(f.throttle("U", "A", s(21), 3, 30).is_ok());
        // Honouring Retry-After works: refused requests did not count.
        assert!(f.throttle("t", "a", s(30), 3, 30).is_ok());
        assert_eq!(
            f.throttle("T", "A", s(31), 3, 30),
            Err(SignedDuration::from_secs(9))
        );
    }

    #[test]
    fn a_zero_limit_or_window_turns_throttling_off() {
        let mut f = Faults::default();
        for _ in 0..10 {
            assert!(f.throttle("T", "A", t0(), 0, 30).is_ok());
            assert!(f.throttle("T", "A", t0(), 1, 0).is_ok());
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds_and_is_never_zero() {
        assert_eq!(retry_after_secs(SignedDuration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(SignedDuration::from_secs(9)), 9);
        assert_eq!(retry_after_secs(SignedDuration::ZERO), 1);
    }
}
