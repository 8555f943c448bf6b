//! Building a successful token response: access token, refresh token, id token, `client_info`.
//!
//! The decision (which user, which scopes, whether a refresh token) is taken under the world lock by the grant
//! handlers, which also record the new refresh token there; signing happens after the lock is released.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use rand::Rng as _;
use serde_json::json;

use super::jwt::{MintError, sign_access_token, sign_id_token};
use super::state::{RefreshGrant, RefreshStatus, digest, random_secret};
use crate::seed::User;
use crate::world::{Shared, World};

/// id tokens live one hour, as Entra's do.
const ID_TOKEN_SECS: u64 = 3600;

/// Everything needed to sign a token response, decided under the lock.
#[derive(Debug, Clone)]
pub struct Issue {
    /// The signed-in user.
    pub user: User,
    /// The app.
    pub client_id: String,
    /// Graph scopes the access token carries (bare).
    pub graph: Vec<String>,
    /// OpenID Connect scopes that were asked for.
    pub oidc: Vec<String>,
    /// The authorize request's nonce, for the id token.
    pub nonce: Option<String>,
    /// A refresh token already recorded in the world, when one is issued.
    pub refresh_token: Option<String>,
    /// Access-token life in seconds.
    pub access_secs: u64,
}

/// `t + secs`, saturating at the largest timestamp.
pub fn after(t: Timestamp, secs: u64) -> Timestamp {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    t.checked_add(SignedDuration::from_secs(secs))
        .unwrap_or(Timestamp::MAX)
}

/// A random access-token life within the configured range (contract §5: never assume 3600).
pub fn access_lifetime(world: &World) -> u64 {
    let (lo, hi) = (
        world.settings.access_token_min_secs,
        world.settings.access_token_max_secs,
    );
    if lo >= hi {
        lo
    } else {
        rand::rng().random_range(lo..=hi)
    }
}

/// Records a new refresh token for `user_oid` and `client_id` and returns it.
pub fn new_refresh_token(
    world: &mut World,
    now: Timestamp,
    user_oid: &str,
    client_id: &str,
    graph: &[String],
) -> String {
    let secret = random_secret(64);
    let expires_at = after(now, world.settings.refresh_token_secs);
    world.identity.refresh_tokens.insert(
        digest(&secret),
        RefreshGrant {
            client_id: client_id.to_owned(),
            user_oid: user_oid.to_owned(),
            graph_scopes: graph.to_vec(),
            expires_at,
            status: RefreshStatus::Active,
        },
    );
    secret
}

/// `client_info`: base64url of `{"uid": oid, "utid": tid}`, which MSAL turns into the account's home id.
pub fn client_info(user: &User) -> String {
    let json = json!({"uid": user.id, "utid": user.tenant_id}).to_string();
    URL_SAFE_NO_PAD.encode(json)
}

/// Signs the tokens and builds the JSON body of a successful token response.
pub fn token_body(
    shared: &Shared,
    issue: &Issue,
    with_client_info: bool,
    now: Timestamp,
) -> Result<serde_json::Value, MintError> {
    let access = sign_access_token(
        shared,
        &issue.user,
        &issue.client_id,
        &issue.graph,
        now,
        issue.access_secs,
    )?;
    let mut body = json!({
        "token_type": "Bearer",
        "scope": super::scopes::response_scope(&issue.graph, &issue.oidc),
        "expires_in": issue.access_secs,
        "ext_expires_in": issue.access_secs,
        "access_token": access,
    });
    if let Some(rt) = &issue.refresh_token {
        body["refresh_token"] = json!(rt);
    }
    if issue.oidc.iter().any(|s| s == "openid") {
        let with_email = issue.oidc.iter().any(|s| s == "email");
        body["id_token"] = json!(sign_id_token(
            shared,
            &issue.user,
            &issue.client_id,
            issue.nonce.as_deref(),
            with_email,
            now,
            ID_TOKEN_SECS,
        )?);
    }
    if with_client_info {
        body["client_info"] = json!(client_info(&issue.user));
    }
    Ok(body)
}

/// A token-endpoint JSON answer with `Cache-Control: no-store` (RFC 6749 §5.1).
pub fn no_store_json(body: serde_json::Value) -> Response {
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}
