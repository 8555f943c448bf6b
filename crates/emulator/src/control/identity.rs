//! Control API: identity. Revoke a user's refresh tokens, mint an access token without a sign-in, make a tenant
//! require admin consent, and register or replace app registrations.
//!
//! - `POST /_emulator/users/{id}/revoke` (`id` = object id or UPN) → `{"user", "revoked"}`: every live refresh
//!   token of the user stops working (AADSTS50173 on the next refresh). Access tokens already issued stay valid
//!   until they expire, as with Entra (no continuous access evaluation here).
//! - `POST /_emulator/tokens` `{"user", "clientId"?, "scopes"?, "lifetimeSecs"?}` → `{"accessToken",
//!   "tokenType", "expiresIn", "scope"}`: a Graph access token for tests, with no consent checked or recorded.
//! - `POST /_emulator/tenants/{id}/require-admin-consent` `{"required": bool}` → the tenant's consent settings.
//! - `GET /_emulator/clients` lists app registrations; `POST /_emulator/clients` with a registration in the seed's
//!   shape (`clientId`, `name`, `publicClientFlows`, `redirectUris`, `tenants`) registers or replaces one.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::{ControlError, ControlJson};
use super::settings::MAX_LIFETIME_SECS;
use crate::identity::jwt::{mint_access_token, strip_graph_prefix};
use crate::identity::scopes::canonical_graph_scope;
use crate::seed::{Client, DEFAULT_CLIENT_ID};
use crate::world::AppState;

/// Routes under `/_emulator/` for identity.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/users/{id}/revoke", post(revoke))
        .route("/_emulator/tokens", post(mint))
        .route(
            "/_emulator/tenants/{id}/require-admin-consent",
            post(require_admin_consent),
        )
        .route("/_emulator/clients", get(list_clients).post(put_client))
}

async fn revoke(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ControlError> {
    let (oid, n) = {
        let mut world = state.world();
        let Some(oid) = world.user(&id).map(|u| u.id.clone()) else {
            return Err(ControlError::not_found(format!("no user {id}")));
        };
        let n = world.identity.revoke_user(&oid);
        (oid, n)
    };
    state.changed();
    Ok(Json(json!({"user": oid, "revoked": n})))
}

/// Body of `POST /_emulator/tokens`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MintRequest {
    /// Object id or UPN.
    user: String,
    /// The app; Presently's default client when absent.
    #[serde(default)]
    client_id: Option<String>,
    /// Delegated Graph scopes, bare or prefixed; `Presence.ReadWrite User.Read` when absent.
    #[serde(default)]
    scopes: Option<Vec<String>>,
    /// Token life in virtual seconds; 3600 when absent.
    #[serde(default)]
    lifetime_secs: Option<u64>,
}

/// Answer of `POST /_emulator/tokens`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MintResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    scope: String,
}

async fn mint(
    State(state): State<AppState>,
    ControlJson(req): ControlJson<MintRequest>,
) -> Result<Json<MintResponse>, ControlError> {
    let lifetime = req.lifetime_secs.unwrap_or(3600);
    if lifetime == 0 || lifetime > MAX_LIFETIME_SECS {
        return Err(ControlError::bad_request(format!(
            "lifetimeSecs must be between 1 and {MAX_LIFETIME_SECS}"
        )));
    }
    let requested = req
        .scopes
        .unwrap_or_else(|| vec!["Presence.ReadWrite".into(), "User.Read".into()]);
    let mut scopes = Vec::with_capacity(requested.len());
    for s in &requested {
        match canonical_graph_scope(strip_graph_prefix(s)) {
            Some(c) => scopes.push(c),
            None => {
                return Err(ControlError::bad_request(format!(
                    "unknown Graph scope '{s}'; known: {}",
                    crate::identity::scopes::GRAPH_SCOPES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    let client_id = req.client_id.unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned());
    if state.world().user(&req.user).is_none() {
        return Err(ControlError::not_found(format!("no user {}", req.user)));
    }
    let token = mint_access_token(&state, &req.user, &client_id, &scopes, lifetime)
        .map_err(|e| ControlError::bad_request(e.to_string()))?;
    Ok(Json(MintResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: lifetime,
        scope: scopes.join(" "),
    }))
}

/// Body of `POST /_emulator/tenants/{id}/require-admin-consent`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequireAdminConsent {
    required: bool,
}

async fn require_admin_consent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ControlJson(body): ControlJson<RequireAdminConsent>,
) -> Result<Json<Value>, ControlError> {
    let view = {
        let mut world = state.world();
        let Some(tenant) = world
            .tenants
            .iter_mut()
            .find(|t| t.id.eq_ignore_ascii_case(&id) || t.domain.eq_ignore_ascii_case(&id))
        else {
            return Err(ControlError::not_found(format!("no tenant {id}")));
        };
        tenant.requires_admin_consent = body.required;
        json!({
            "id": tenant.id,
            "domain": tenant.domain,
            "requiresAdminConsent": tenant.requires_admin_consent,
            "adminConsentedClients": tenant.admin_consented_clients,
        })
    };
    state.changed();
    Ok(Json(view))
}

async fn list_clients(State(state): State<AppState>) -> Json<Vec<Client>> {
    Json(state.world().clients.clone())
}

async fn put_client(
    State(state): State<AppState>,
    ControlJson(client): ControlJson<Client>,
) -> Result<Json<Client>, ControlError> {
    if client.client_id.trim().is_empty() {
        return Err(ControlError::bad_request("clientId must not be empty"));
    }
    for uri in &client.redirect_uris {
        if url::Url::parse(uri).is_err() {
            return Err(ControlError::bad_request(format!(
                "redirect URI '{uri}' is not an absolute URL"
            )));
        }
    }
    {
        let mut world = state.world();
        if let Some(tenants) = &client.tenants {
            for t in tenants {
                if world.tenant(t).is_none() {
                    return Err(ControlError::bad_request(format!("no tenant {t}")));
                }
            }
        }
        match world
            .clients
            .iter_mut()
            .find(|c| c.client_id.eq_ignore_ascii_case(&client.client_id))
        {
            Some(existing) => *existing = client.clone(),
            None => world.clients.push(client.clone()),
        }
    }
    state.changed();
    Ok(Json(client))
}
