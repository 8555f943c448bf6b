//! `GET /v1.0/me`: the signed-in user (contract §5: `User.Read` for `GET /me`).
//!
//! Permissions follow Graph's reference for "Get user": delegated `User.Read` is the least privileged; the
//! broader `User.ReadWrite`, `User.ReadBasic.All`, `User.Read.All`, `User.ReadWrite.All`, `Directory.Read.All`,
//! `Directory.ReadWrite.All` and `Directory.AccessAsUser.All` also do. `openid`/`profile` alone do not. Without
//! one, Graph's directory answers 403 `Authorization_RequestDenied` "Insufficient privileges to complete the
//! operation." [seen].

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{Call, has_any_scope};
use crate::errors::GraphError;
use crate::world::AppState;

/// Scopes that let a token read `/me`.
pub(super) const ME_SCOPES: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];

/// `GET /v1.0/me`.
pub(super) async fn get_me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut call = Call::new(&state, &headers, "me");
    let result = me(&mut call, &headers);
    call.finish(result)
}

fn me(call: &mut Call, headers: &HeaderMap) -> Result<Response, GraphError> {
    let claims = call.authenticate(headers)?;
    call.throttle(&claims)?;
    if !has_any_scope(&claims, ME_SCOPES) {
        return Err(GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    let world = call.state.world();
    let Some(user) = world
        .user(&claims.oid)
        .filter(|u| u.id.eq_ignore_ascii_case(&claims.oid))
    else {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{}' does not exist or one of its queried reference-property objects are not present.",
                claims.oid
            ),
        ));
    };
    let (given, surname) = match user.display_name.split_once(' ') {
        Some((g, s)) => (json!(g), json!(s)),
        None => (json!(user.display_name), json!(null)),
    };
    let body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#users/$entity", call.state.base_url()),
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": given,
        "jobTitle": null,
        "mail": user.user_principal_name,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": surname,
        "userPrincipalName": user.user_principal_name,
        "id": user.id,
    });
    drop(world);
    Ok(call.json(body))
}
