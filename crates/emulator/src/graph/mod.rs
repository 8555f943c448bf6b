//! Microsoft Graph v1.0: `GET /me` and the presence endpoints (contract §2–§4).
//!
//! Every Graph handler runs the same checks in the same order, then does its own work:
//! 1. bearer token ([`crate::identity::jwt::verify_access_token`]) → 401 `InvalidAuthenticationToken` with
//!    Graph's `WWW-Authenticate` header (contract §4);
//! 2. throttling per app per tenant ([`crate::faults::Faults::throttle`]) → 429 `TooManyRequests` with
//!    `Retry-After` (contract §4);
//! 3. delegated permission → 403 (`Forbidden` with an empty message for presence, contract §4;
//!    `Authorization_RequestDenied` for `/me`);
//! 4. the body, read by [`body`] (never axum's `Json`, whose refusals are plain text) → 400/413 Graph errors;
//! 5. the call's own rules (pairs, durations, "another user", sessions).
//!
//! Each response carries a `request-id`, echoes the caller's `client-request-id` (also in an error's
//! `innerError`), and a [`LogNote`] naming the app, the user and the action for the request log.

// Handlers return `Result<Response, GraphError>`; the error is built at most once per request and turned into a
// response at once, so its size (it carries a header map) costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

mod body;
pub mod duration;
mod me;
mod presence;

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;

use crate::errors::GraphError;
use crate::identity::jwt::{AccessClaims, GRAPH_APP_ID, verify_access_token};
use crate::log::LogNote;
use crate::world::AppState;

pub use presence::Action;

/// Routes of Graph.
pub fn router() -> Router<AppState> {
    let mut r = Router::new()
        .route("/v1.0/me", get(me::get_me))
        .route("/v1.0/me/presence", get(presence::get_mine))
        .route("/v1.0/users/{id}/presence", get(presence::get_users));
    for action in Action::ALL {
        r = presence::route_action(r, action);
    }
    r
}

/// The version segment every Graph path starts with.
const VERSION_PREFIX: &str = "/v1.0/";

/// Serves `/v1.0//me` like `/v1.0/me`: Graph does, and Microsoft's Python SDK with its default base URL (which
/// ends in `/`) sends exactly that (contract §2). Only the slashes right after the version are collapsed, as the
/// contract describes; that a longer run (`/v1.0///me`) is served too is [assumed], and a doubled slash further
/// along (`/v1.0/me//presence`) is left to answer 404. Runs before routing, so the router, the fault rules and
/// the handlers see the one path.
pub async fn collapse_slashes_after_version(mut req: axum::extract::Request) -> axum::extract::Request {
    if let Some(canonical) = canonical_path_and_query(req.uri()) {
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = Some(canonical);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// The path and query with the slashes after the version collapsed; `None` when there is nothing to collapse.
fn canonical_path_and_query(uri: &axum::http::Uri) -> Option<axum::http::uri::PathAndQuery> {
    let rest = uri.path().strip_prefix(VERSION_PREFIX)?;
    if !rest.starts_with('/') {
        return None;
    }
    let mut canonical = format!("{VERSION_PREFIX}{}", rest.trim_start_matches('/'));
    if let Some(query) = uri.query() {
        canonical.push('?');
        canonical.push_str(query);
    }
    canonical.parse().ok()
}

/// The content type Graph answers JSON with.
const GRAPH_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// 401 `InvalidAuthenticationToken` with `WWW-Authenticate`, as Graph refuses a bearer token (contract §4).
pub(crate) fn token_rejected(why: &str) -> GraphError {
    GraphError::new(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        why.to_owned(),
    )
    .with_header(header::WWW_AUTHENTICATE, &www_authenticate())
}

/// `WWW-Authenticate` on a 401 `InvalidAuthenticationToken` (contract §4).
fn www_authenticate() -> String {
    format!(
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\""
    )
}

/// One Graph request being answered: what the log and the response headers need, gathered as checks pass.
struct Call {
    state: AppState,
    kind: &'static str,
    now: Timestamp,
    client_request_id: Option<String>,
    client_id: Option<String>,
    user_id: Option<String>,
}

impl Call {
    fn new(state: &AppState, headers: &HeaderMap, kind: &'static str) -> Self {
        Self {
            state: state.clone(),
            kind,
            now: state.clock.now(),
            client_request_id: headers
                .get("client-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            client_id: None,
            user_id: None,
        }
    }

    /// Step 1: the bearer token.
    fn authenticate(&mut self, headers: &HeaderMap) -> Result<AccessClaims, GraphError> {
        let token = match headers.get(header::AUTHORIZATION) {
            None => "",
            Some(v) => {
                let v = v.to_str().unwrap_or("");
                match v.split_once(' ') {
                    Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
                    // Another scheme (`Basic ...`) is read as a malformed token [assumed].
                    _ => v.trim(),
                }
            }
        };
        let claims = verify_access_token(&self.state, token)
            .map_err(|rejection| token_rejected(&rejection.to_string()))?;
        self.client_id = Some(claims.client_id.clone());
        self.user_id = Some(claims.oid.clone());
        Ok(claims)
    }

    /// Step 2: throttling per app per tenant on the virtual clock.
    fn throttle(&self, claims: &AccessClaims) -> Result<(), GraphError> {
        let mut world = self.state.world();
        let limit = world.settings.throttle_limit;
        let window = world.settings.throttle_window_secs;
        world
            .faults
            .throttle(&claims.tid, &claims.client_id, self.now, limit, window)
            .map_err(|wait| {
                let secs = crate::faults::retry_after_secs(wait);
                GraphError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests. Please retry after the time given in the Retry-After header.",
                )
                .with_header(header::RETRY_AFTER, &secs.to_string())
            })
    }

    /// A 200 with this JSON body.
    fn json(&self, body: serde_json::Value) -> Response {
        let mut r = (StatusCode::OK, body.to_string()).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPH_JSON));
        r
    }

    /// The 200 with an empty body every write answers (contract §2).
    fn empty(&self) -> Response {
        StatusCode::OK.into_response()
    }

    /// Stamps an error, adds the common headers and the log note.
    fn finish(self, result: Result<Response, GraphError>) -> Response {
        let mut response = match result {
            Ok(mut r) => {
                let request_id = uuid::Uuid::new_v4().to_string();
                if let Ok(v) = HeaderValue::from_str(&request_id) {
                    r.headers_mut().insert("request-id", v);
                }
                r
            }
            Err(e) => e
                .stamped(self.now, self.client_request_id.clone())
                .into_response(),
        };
        if let Some(id) = &self.client_request_id
            && let Ok(v) = HeaderValue::from_str(id)
        {
            response
                .headers_mut()
                .insert(HeaderName::from_static("client-request-id"), v);
        }
        response.extensions_mut().insert(LogNote {
            client_id: self.client_id,
            user_id: self.user_id,
            kind: Some(self.kind.to_string()),
        });
        response
    }
}

/// Whether the token grants any of these delegated scopes (case-insensitive).
fn has_any_scope(claims: &AccessClaims, wanted: &[&str]) -> bool {
    claims
        .scopes
        .iter()
        .any(|s| wanted.iter().any(|w| s.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(uri: &str) -> Option<String> {
        canonical_path_and_query(&uri.parse().unwrap()).map(|p| p.to_string())
    }

    #[test]
    fn slashes_right_after_the_version_collapse_and_nothing_else_changes() {
        assert_eq!(canonical("/v1.0//me").as_deref(), Some("/v1.0/me"));
        assert_eq!(
            canonical("/v1.0///users/abc/presence?$select=id").as_deref(),
            Some("/v1.0/users/abc/presence?$select=id")
        );
        assert_eq!(canonical("/v1.0/me"), None);
        assert_eq!(canonical("/v1.0/me//presence"), None);
        assert_eq!(canonical("//v1.0/me"), None);
        assert_eq!(canonical("/beta//me"), None);
    }
}
