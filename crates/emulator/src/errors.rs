//! Error bodies exactly as Microsoft's services shape them (contract §4 for Graph, §5 for the identity platform).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::json;

/// A Graph error: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
#[derive(Debug, Clone)]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `code` clients branch on.
    pub code: &'static str,
    /// Human text; clients must not branch on it.
    pub message: String,
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    pub headers: HeaderMap,
    /// Echo of the caller's `client-request-id`, when sent.
    pub client_request_id: Option<String>,
    /// Virtual time of the answer.
    pub date: Option<Timestamp>,
}

impl GraphError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            headers: HeaderMap::new(),
            client_request_id: None,
            date: None,
        }
    }

    /// 400 `InvalidArgument`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    /// 404 for a path or resource Graph does not have.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    /// Adds a header.
    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }

    /// Sets `innerError.date` (virtual time) and the echoed client-request-id.
    pub fn stamped(mut self, now: Timestamp, client_request_id: Option<String>) -> Self {
        self.date = Some(now);
        self.client_request_id = client_request_id;
        self
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut inner = json!({
            "date": self.date.unwrap_or_else(Timestamp::now).strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": request_id,
        });
        if let Some(id) = &self.client_request_id {
            inner["client-request-id"] = json!(id);
        }
        let body = json!({"error": {"code": self.code, "message": self.message, "innerError": inner}});
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().extend(self.headers);
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("request-id", v);
        }
        resp
    }
}

/// An identity-platform error: `{"error","error_description","error_codes","suberror"?,"timestamp","trace_id",
/// "correlation_id","error_uri"}`. `error_description` starts with `AADSTS<number>: `.
#[derive(Debug, Clone)]
pub struct AadError {
    /// HTTP status (400 for most, 401 for `invalid_client`).
    pub status: StatusCode,
    /// The OAuth `error` value.
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u32,
    /// Text after `AADSTS<code>: `.
    pub description: String,
    /// `suberror`, e.g. `consent_required`.
    pub suberror: Option<&'static str>,
    /// Virtual time of the answer.
    pub timestamp: Option<Timestamp>,
    /// Extra headers (`Retry-After` on `temporarily_unavailable`).
    pub headers: HeaderMap,
}

impl AadError {
    /// A 400 with this error, AADSTS number and text.
    pub fn new(error: &'static str, code: u32, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            description: description.into(),
            suberror: None,
            timestamp: None,
            headers: HeaderMap::new(),
        }
    }

    /// Sets the status.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Sets the suberror.
    pub fn suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// Sets `timestamp` (virtual time).
    pub fn at(mut self, now: Timestamp) -> Self {
        self.timestamp = Some(now);
        self
    }

    /// The full `error_description` as sent.
    pub fn full_description(&self) -> String {
        format!("AADSTS{}: {}", self.code, self.description)
    }
}

impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let ts = self.timestamp.unwrap_or_else(Timestamp::now);
        let description = format!(
            "{} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {}",
            self.full_description(),
            ts.strftime("%Y-%m-%d %H:%M:%SZ")
        );
        let mut body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": ts.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Some(s) = self.suberror {
            body["suberror"] = json!(s);
        }
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().extend(self.headers);
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        );
        resp
    }
}
