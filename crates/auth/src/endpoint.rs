//! The wire to the identity platform's token and device-code endpoints (contract §5): the `oauth2` crate's client
//! typed with Entra's error body, driven through our own rustls `reqwest` client, and the mapping of every
//! failure into [`AuthError`].
//!
//! Why a custom HTTP adapter: `oauth2` 5 ships an adapter for `reqwest` 0.12 only, while the workspace uses 0.13;
//! implementing [`oauth2::AsyncHttpClient`] ourselves keeps one HTTP stack (rustls, no OpenSSL) and lets us record
//! each answer's status and `Retry-After`, which `oauth2`'s error type does not keep.
//!
//! Why a custom error body: Entra's errors carry `error_codes`, `suberror`, `trace_id` and `correlation_id`
//! beyond RFC 6749's fields, and the contract says to branch on them.
//!
//! Nothing here logs or returns a response body: a body that fails to parse is dropped and only the JSON path that
//! failed is kept (architecture convention 7).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use oauth2::basic::{BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType};
use oauth2::{
    EndpointNotSet, EndpointSet, ErrorResponse, ExtraDeviceAuthorizationFields, ExtraTokenFields,
    HttpRequest, HttpResponse, RequestTokenError, StandardRevocableToken, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::config::Endpoints;
use crate::error::{AuthError, PROXY_AUTHENTICATION_REQUIRED, RefusalContext, ServerRefusal, classify};
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::tokens::{TokenSet, account_from_id_token};

/// The largest answer read from the identity platform; a token set is a few KB.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The longest access-token life believed; longer values are clamped (contract §5: up to 28 h with CAE).
const MAX_EXPIRES_IN: Duration = Duration::from_secs(7 * 24 * 3600);

/// An Entra error body: RFC 6749 §5.2 plus `error_codes`, `suberror`, `trace_id`, `correlation_id`.
#[derive(Clone, Deserialize, Serialize)]
pub(crate) struct AadErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default)]
    pub error_codes: Vec<u32>,
    #[serde(default)]
    pub suberror: Option<String>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
}

impl std::fmt::Debug for AadErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AadErrorBody")
            .field("error", &self.error)
            .field("error_codes", &self.error_codes)
            .field("suberror", &self.suberror)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for AadErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.error, self.error_codes)
    }
}

impl ErrorResponse for AadErrorBody {}

/// The id token as `oauth2` deserializes it. `Serialize` exists only because `oauth2`'s trait bound asks for it.
#[derive(Clone, Deserialize, Serialize)]
#[serde(transparent)]
pub(crate) struct WireIdToken(String);

impl std::fmt::Debug for WireIdToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WireIdToken(<redacted>)")
    }
}

/// Entra's fields beyond RFC 6749 in a token answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct EntraTokenFields {
    #[serde(default)]
    id_token: Option<WireIdToken>,
}

impl ExtraTokenFields for EntraTokenFields {}

/// A token answer.
pub(crate) type EntraTokenResponse = StandardTokenResponse<EntraTokenFields, BasicTokenType>;

/// Entra's fields beyond RFC 8628 in a device-code answer.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct EntraDeviceFields {
    #[serde(default)]
    pub message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for EntraDeviceFields {}

/// The `oauth2` client with every endpoint this crate uses set.
pub(crate) type OAuthClient = oauth2::Client<
    AadErrorBody,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Builds the `oauth2` client for these endpoints: a public client that sends `client_id` in the body.
pub(crate) fn oauth_client(endpoints: &Endpoints) -> OAuthClient {
    oauth2::Client::new(oauth2::ClientId::new(endpoints.client_id.clone()))
        .set_auth_type(oauth2::AuthType::RequestBody)
        .set_auth_uri(oauth2::AuthUrl::from_url(endpoints.authorize.clone()))
        .set_token_uri(oauth2::TokenUrl::from_url(endpoints.token.clone()))
        .set_device_authorization_url(oauth2::DeviceAuthorizationUrl::from_url(
            endpoints.device_code.clone(),
        ))
}

/// What the adapter saw of the last answer.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ResponseMeta {
    pub status: u16,
    pub retry_after: Option<Duration>,
}

/// An HTTP failure below `oauth2`, already mapped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpFailure {
    #[error("transport")]
    Transport(#[source] reqwest::Error),
    #[error("the request could not be built")]
    Build,
    #[error("the answer is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
}

/// Runs `oauth2`'s requests through our `reqwest` client and records status and `Retry-After`.
pub(crate) struct Adapter<'a> {
    http: &'a reqwest::Client,
    /// The proxy `http` sends through, for messages.
    proxy: Option<&'a str>,
    meta: Mutex<Option<ResponseMeta>>,
}

impl<'a> Adapter<'a> {
    pub(crate) fn new(http: &'a reqwest::Client, proxy: Option<&'a str>) -> Self {
        Self {
            http,
            proxy,
            meta: Mutex::new(None),
        }
    }

    pub(crate) fn proxy(&self) -> Option<&'a str> {
        self.proxy
    }

    pub(crate) fn meta(&self) -> Option<ResponseMeta> {
        *self.meta.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
        let request = reqwest::Request::try_from(request).map_err(|_| HttpFailure::Build)?;
        let response = self.http.execute(request).await.map_err(HttpFailure::Transport)?;
        let meta = ResponseMeta {
            status: response.status().as_u16(),
            retry_after: retry_after(response.headers()),
        };
        *self.meta.lock().unwrap_or_else(|e| e.into_inner()) = Some(meta);
        let builder = http_response_builder(response.status(), response.headers());
        let body = read_capped(response).await?;
        builder.body(body).map_err(|_| HttpFailure::Build)
    }
}

fn http_response_builder(
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
) -> oauth2::http::response::Builder {
    let mut builder = oauth2::http::Response::builder().status(status.as_u16());
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    builder
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, HttpFailure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(HttpFailure::Transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(HttpFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl<'c> oauth2::AsyncHttpClient<'c> for Adapter<'_> {
    type Error = HttpFailure;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the identity platform and is ignored).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let secs: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(3600)))
}

/// Everything a refusal message needs to name.
pub(crate) fn refusal_context(endpoints: &Endpoints) -> RefusalContext {
    RefusalContext {
        client_id: endpoints.client_id.clone(),
        tenant: endpoints.tenant.clone(),
        admin_consent_url: endpoints.admin_consent.clone(),
    }
}

/// Turns an Entra error body into a typed refusal.
pub(crate) fn refusal_from_body(
    body: AadErrorBody,
    meta: Option<ResponseMeta>,
    endpoints: &Endpoints,
) -> ServerRefusal {
    ServerRefusal {
        kind: classify(&body.error, &body.error_codes, body.suberror.as_deref()),
        error: body.error,
        error_codes: body.error_codes,
        suberror: body.suberror,
        http_status: meta.map(|m| m.status),
        retry_after: meta.and_then(|m| m.retry_after),
        trace_id: body.trace_id,
        correlation_id: body.correlation_id,
        server_description: body.error_description,
        context: refusal_context(endpoints),
    }
}

/// Maps an `oauth2` failure, dropping any body it carries.
pub(crate) fn map_request_error(
    err: RequestTokenError<HttpFailure, AadErrorBody>,
    adapter: &Adapter<'_>,
    endpoints: &Endpoints,
) -> AuthError {
    let meta = adapter.meta();
    // Only a proxy answers 407 (RFC 9110 §15.5.8); its body is the proxy's, not the identity platform's.
    if meta.is_some_and(|m| m.status == PROXY_AUTHENTICATION_REQUIRED) {
        return AuthError::proxy_refused(adapter.proxy());
    }
    match err {
        RequestTokenError::ServerResponse(body) => {
            AuthError::Refused(Box::new(refusal_from_body(body, meta, endpoints)))
        }
        RequestTokenError::Request(HttpFailure::Transport(e)) => AuthError::transport_via(e, adapter.proxy()),
        RequestTokenError::Request(other) => AuthError::UnexpectedResponse(other.to_string()),
        RequestTokenError::Parse(e, _body) => {
            let status = meta.map(|m| m.status).unwrap_or_default();
            AuthError::UnexpectedResponse(format!(
                "HTTP {status}, the field \"{}\" does not fit",
                field_path(e.path())
            ))
        }
        RequestTokenError::Other(_) => {
            let status = meta.map(|m| m.status).unwrap_or_default();
            AuthError::UnexpectedResponse(format!("HTTP {status} without a JSON body"))
        }
    }
}

/// Builds a [`TokenSet`] from a token answer received at `requested_at`.
///
/// `expires_at` counts from the moment the request was sent, so network time shortens the believed life rather
/// than lengthening it. The account comes from the id token when one came back, else from `previous` (a refresh
/// without `openid` answers no id token).
pub(crate) fn token_set_from_response(
    response: &EntraTokenResponse,
    requested_at: Timestamp,
    previous: Option<&TokenSet>,
) -> Result<TokenSet, AuthError> {
    let access = response.access_token().secret();
    if access.is_empty() {
        return Err(AuthError::UnexpectedResponse("empty access_token".into()));
    }
    let expires_in = response
        .expires_in()
        .ok_or_else(|| AuthError::UnexpectedResponse("no expires_in in the token answer".into()))?;
    if expires_in.is_zero() {
        return Err(AuthError::UnexpectedResponse("expires_in is 0".into()));
    }
    let expires_in = SignedDuration::try_from(expires_in.min(MAX_EXPIRES_IN))
        .map_err(|_| AuthError::UnexpectedResponse("expires_in out of range".into()))?;
    let expires_at = requested_at
        .checked_add(expires_in)
        .map_err(|_| AuthError::UnexpectedResponse("expires_in out of range".into()))?;
    let account = match &response.extra_fields().id_token {
        Some(WireIdToken(raw)) => account_from_id_token(&IdToken::new(raw.clone()))?,
        None => match previous {
            Some(p) => p.account.clone(),
            None => {
                return Err(AuthError::UnexpectedResponse(
                    "no id_token in the first token answer (is the openid scope granted?)".into(),
                ));
            }
        },
    };
    let refresh_token = match response.refresh_token() {
        Some(rt) if !rt.secret().is_empty() => Some(RefreshToken::new(rt.secret().clone())),
        // RFC 6749 §6: without a new refresh token, the old one stays valid.
        _ => previous.and_then(|p| p.refresh_token.clone()),
    };
    let scopes = match response.scopes() {
        Some(scopes) => scopes.iter().map(|s| s.to_string()).collect(),
        None => previous.map(|p| p.scopes.clone()).unwrap_or_default(),
    };
    Ok(TokenSet {
        access_token: AccessToken::new(access.clone()),
        refresh_token,
        obtained_at: requested_at,
        expires_at,
        scopes,
        account,
    })
}

/// The fields of a token answer and of an Entra error body: the only names a failure may quote.
pub(crate) const KNOWN_FIELDS: &[&str] = &[
    "access_token",
    "token_type",
    "expires_in",
    "ext_expires_in",
    "refresh_token",
    "scope",
    "id_token",
    "error",
    "error_description",
    "error_codes",
    "error_uri",
    "suberror",
    "trace_id",
    "correlation_id",
    "timestamp",
];

/// Where reading failed, as a path of the fields we know; any other key is the answer's own content (a server
/// or proxy may put anything there) and shows as `?`.
fn field_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        if !out.is_empty() {
            out.push('.');
        }
        match segment {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } if KNOWN_FIELDS.contains(&key.as_str()) => out.push_str(key),
            _ => out.push('?'),
        }
    }
    if out.is_empty() { "?".into() } else { out }
}

/// Parses a token-endpoint answer that did not go through `oauth2` (device-code polling): 200 → token answer,
/// otherwise an Entra error body.
pub(crate) fn parse_token_answer(
    status: u16,
    body: &[u8],
) -> Result<Result<EntraTokenResponse, AadErrorBody>, String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    if status == 200 {
        serde_path_to_error::deserialize::<_, EntraTokenResponse>(&mut de)
            .map(Ok)
            .map_err(|e| format!("HTTP 200, the field \"{}\" does not fit", field_path(e.path())))
    } else {
        serde_path_to_error::deserialize::<_, AadErrorBody>(&mut de)
            .map(Err)
            .map_err(|e| {
                format!(
                    "HTTP {status}, the field \"{}\" does not fit",
                    field_path(e.path())
                )
            })
    }
}

/// Sends a form to the token endpoint with our client (for device-code polling) and returns status, headers'
/// `Retry-After` and the capped body.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    proxy: Option<&str>,
    url: &url::Url,
    form: &[(&str, &str)],
) -> Result<(ResponseMeta, Vec<u8>), AuthError> {
    let response = http
        .post(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .map_err(|e| AuthError::transport_via(e, proxy))?;
    if response.status().as_u16() == PROXY_AUTHENTICATION_REQUIRED {
        return Err(AuthError::proxy_refused(proxy));
    }
    let meta = ResponseMeta {
        status: response.status().as_u16(),
        retry_after: retry_after(response.headers()),
    };
    let body = read_capped(response).await.map_err(|e| match e {
        HttpFailure::Transport(e) => AuthError::transport(e),
        other => AuthError::UnexpectedResponse(other.to_string()),
    })?;
    Ok((meta, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entra_error_body_parses_with_codes_suberror_and_ids() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS65001: x","error_codes":[65001],
            "suberror":"consent_required","timestamp":"2026-01-01 00:00:00Z","trace_id":"t","correlation_id":"c",
            "error_uri":"https://login.microsoftonline.com/error?code=65001"}"#;
        let parsed = parse_token_answer(400, body).unwrap().unwrap_err();
        assert_eq!(parsed.error, "invalid_grant");
        assert_eq!(parsed.error_codes, vec![65001]);
        assert_eq!(parsed.suberror.as_deref(), Some("consent_required"));
        assert_eq!(parsed.trace_id.as_deref(), Some("t"));
    }

    #[test]
    fn a_body_that_does_not_parse_yields_a_path_and_never_the_body() {
        let body = br#"{"token_type":"Bearer","access_token":12345,"expires_in":"secret-ish"}"#;
        let err = parse_token_answer(200, body).unwrap_err();
        assert!(err.contains("access_token"), "{err}");
        assert!(!err.contains("12345"), "{err}");
    }

    #[test]
    fn a_failure_inside_a_field_the_answer_invented_never_quotes_its_name() {
        // Bytes that are not UTF-8 inside the value of a key Entra never sends: the key is the answer's content.
        let mut body = br#"{"token_type":"Bearer","eyJsecret-looking-key":""#.to_vec();
        body.extend_from_slice(&[0x9b, 0x95]);
        body.extend_from_slice(br#"","access_token":"a"}"#);
        for status in [200, 400] {
            let err = parse_token_answer(status, &body).unwrap_err();
            assert!(!err.contains("eyJsecret"), "{err}");
            assert!(err.contains("the field \"?\""), "{err}");
        }
    }

    #[test]
    fn a_token_answer_without_expires_in_is_refused_rather_than_assumed_to_last_an_hour() {
        let body = br#"{"token_type":"Bearer","access_token":"a","refresh_token":"r"}"#;
        let answer = parse_token_answer(200, body).unwrap().unwrap();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let err = token_set_from_response(&answer, now, None).unwrap_err();
        assert!(matches!(err, AuthError::UnexpectedResponse(_)), "{err}");
    }

    #[test]
    fn retry_after_in_seconds_is_read_and_dates_are_ignored() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
