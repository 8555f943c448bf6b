//! Reading a Graph action's JSON body the way Graph refuses bad ones: always a Graph error body, never a panic
//! or plain text.
//!
//! Graph's answers here are partly seen, partly assumed (contract §4 lists none of them):
//! - no body where one is required → 400 `BadRequest` "Empty Payload. JSON content expected." [seen];
//! - a body that is not JSON, or a `Content-Type` other than `application/json` → 400 `BadRequest` "Unable to
//!   read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
//!   [seen, for the gateway];
//! - a parameter the operation does not have → 400 `BadRequest` "The parameter 'x' in the request payload is not
//!   a valid parameter for the operation 'y'." [seen on other OData actions; assumed here]. So unknown fields
//!   are refused, not ignored: a client that misspells `expirationDuration` learns it at once instead of
//!   silently getting the default. Annotations (`@odata.type`) are ignored;
//! - a wrong JSON type → 400 `BadRequest` in the words of Graph's OData reader [assumed];
//! - a body over `settings.max_body_bytes` → 413 `RequestEntityTooLarge` [assumed].

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use crate::errors::GraphError;
use crate::world::AppState;

const UNREADABLE: &str = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.";

/// The parameters of one action call, checked against the names the operation takes.
#[derive(Debug)]
pub(super) struct Params {
    map: Map<String, Value>,
}

fn bad_request(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn too_large(limit: usize) -> GraphError {
    GraphError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        format!("The request body exceeds the maximum allowed size of {limit} bytes."),
    )
}

/// Reads and checks the body of operation `op`, whose parameters are `allowed`. With `required` false an empty
/// body reads as `{}` (`clearUserPreferredPresence`).
pub(super) async fn read(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    op: &str,
    allowed: &[&str],
    required: bool,
) -> Result<Params, GraphError> {
    let limit = state.world().settings.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(too_large(limit));
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large(limit))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return if required {
            Err(bad_request("Empty Payload. JSON content expected."))
        } else {
            Ok(Params { map: Map::new() })
        };
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(bad_request(UNREADABLE));
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(bad_request(UNREADABLE));
    };
    if let Some(unknown) = map
        .keys()
        .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
    {
        return Err(bad_request(format!(
            "The parameter '{unknown}' in the request payload is not a valid parameter for the operation '{op}'."
        )));
    }
    Ok(Params { map })
}

/// The OData reader's complaint about a value of the wrong JSON kind [assumed wording].
pub(super) fn wrong_kind(name: &str, value: &Value, expected: &str) -> GraphError {
    let node = match value {
        Value::Object(_) => "StartObject",
        Value::Array(_) => "StartArray",
        _ => "PrimitiveValue",
    };
    if node == "PrimitiveValue" {
        bad_request(format!(
            "Cannot convert a primitive value to the expected type '{expected}'. See the inner exception for more details."
        ))
    } else {
        bad_request(format!(
            "An unexpected '{node}' node was found for property named '{name}' when reading from the JSON reader. A '{}' node was expected.",
            if expected == "Edm.String" {
                "PrimitiveValue"
            } else {
                "StartObject"
            }
        ))
    }
}

/// A string member of `map`; `null` and absent are `None`.
pub(super) fn string<'a>(map: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, GraphError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_kind(name, other, "Edm.String")),
    }
}

/// An object member of `map` whose members must be among `allowed` (of OData type `type_name`).
pub(super) fn object<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    type_name: &str,
    allowed: &[&str],
) -> Result<Option<&'a Map<String, Value>>, GraphError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(inner)) => {
            if let Some(unknown) = inner
                .keys()
                .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
            {
                return Err(bad_request(format!(
                    "The property '{unknown}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type."
                )));
            }
            Ok(Some(inner))
        }
        Some(other) => Err(wrong_kind(name, other, type_name)),
    }
}

impl Params {
    /// A string parameter; `null` and absent are `None`.
    pub(super) fn string(&self, name: &str) -> Result<Option<&str>, GraphError> {
        string(&self.map, name)
    }

    /// An object parameter of OData type `type_name` with members among `allowed`.
    pub(super) fn object(
        &self,
        name: &str,
        type_name: &str,
        allowed: &[&str],
    ) -> Result<Option<&Map<String, Value>>, GraphError> {
        object(&self.map, name, type_name, allowed)
    }
}
