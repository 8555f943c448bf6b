//! The control API's error shape and its strict JSON and query extractors.
//!
//! The control API is the emulator's own, not Microsoft's, so its errors have one simple shape:
//! `{"error": {"code": "badRequest", "message": "..."}}`. Every body and query is parsed strictly (unknown
//! fields refused, `deny_unknown_fields` on every input type) and every refusal names what was wrong, so a test
//! or a script that mistypes a field learns it at once instead of silently changing nothing.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// A refusal from the control API: `{"error": {"code", "message"}}` with an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ControlError {
    /// HTTP status.
    pub status: StatusCode,
    /// A short camelCase code scripts can branch on (`badRequest`, `notFound`, ...).
    pub code: &'static str,
    /// What was wrong, for people.
    pub message: String,
}

impl ControlError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `badRequest`: the input was malformed or out of range.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "badRequest", message)
    }

    /// 404 `notFound`: no such path, user, session or other thing.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "notFound", message)
    }

    /// 409 `conflict`: the request is well formed but cannot apply to the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

/// A JSON body parsed strictly: any content type is accepted (so `curl -d` works), but the bytes must be one
/// JSON value of type `T`. Malformed JSON, a wrong type or an unknown field is a 400 [`ControlError`] that
/// quotes serde's explanation (which names the field and position); a body over the limit is a 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlJson<T>(pub T);

impl<S, T> FromRequest<S> for ControlJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ControlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            ControlError::new(rejection.status(), "badRequest", rejection.body_text())
        })?;
        parse_json(&bytes).map(ControlJson)
    }
}

/// Parses a control API body, with the error the API sends.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ControlError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ControlError::bad_request(
            "the request body is empty; send a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ControlError::bad_request(format!("invalid JSON body: {e}")))
}

/// A query string parsed strictly (unknown parameters refused), with a 400 [`ControlError`] when it does not fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ControlQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ControlError::bad_request(rejection.body_text()))?;
        Ok(ControlQuery(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Speed {
        #[allow(dead_code)]
        speed: f64,
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_name() {
        let err = parse_json::<Speed>(br#"{"speed": 2, "sped": 3}"#).unwrap_err();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("sped"), "{}", err.message);
    }

    #[test]
    fn an_empty_body_is_refused_rather_than_read_as_nothing() {
        let err = parse_json::<Speed>(b"  \n").unwrap_err();
        assert_eq!(err.code, "badRequest");
        assert!(err.message.contains("empty"));
    }
}
