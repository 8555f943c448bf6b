//! `POST /{tenant}/oauth2/v2.0/token` and `POST /{tenant}/oauth2/v2.0/devicecode` (contract §5).
//!
//! Grants: `authorization_code` (PKCE S256, single use, `auth_code_secs` of life, same redirect URI and client),
//! `refresh_token` (rotating: each use returns a new one and the old one stops working; no scope beyond what is
//! consented) and the device code grant (pending, `slow_down` pacing, declined, expired, unknown code).
//! Every refusal is an [`AadError`] with the fields of contract §5.
//!
//! Choices where Entra's behaviour is not documented, each marked [assumed] where it is made:
//! - Replaying a rotated refresh token is `invalid_grant` AADSTS70008 (the "expired or revoked" code of
//!   contract §5); a refresh token revoked through the control API is `invalid_grant` AADSTS50173.
//! - "Allow public client flows" off refuses the device code grant at the token endpoint with `invalid_client`
//!   AADSTS7000218 (the point where Entra reports it: after the user signed in). Authorization code + PKCE from
//!   a "Mobile and desktop" redirect URI and refreshing its tokens do not depend on that switch in Entra, so they
//!   are not refused.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::directory::{
    TenantSel, app_not_found, client_for, client_in_users_tenant, form_body, noted, required,
    tenant_not_found,
};
use super::issue::{Issue, access_lifetime, after, new_refresh_token, no_store_json, token_body};
use super::locked::{Changes, locked};
use super::scopes::{self, RequestedScopes};
use super::state::{DeviceGrant, DeviceStatus, RefreshStatus, digest, random_secret, random_user_code};
use crate::errors::AadError;
use crate::seed::Client;
use crate::world::{AppState, World};

/// The device code grant type.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What a grant decided under the lock: tokens to sign (or, for `/devicecode`, the body to send), or a
/// refusal; plus who it was about.
struct Decision<T = Issue> {
    result: Result<T, AadError>,
    user: Option<String>,
    changed: bool,
}

impl<T> Changes for Decision<T> {
    fn changed(&self) -> bool {
        self.changed
    }
}

impl<T> Decision<T> {
    fn refuse(err: AadError) -> Self {
        Self {
            result: Err(err),
            user: None,
            changed: false,
        }
    }
}

/// The 401 `invalid_client` for a public client that sent a secret or assertion (AADSTS700025).
fn secret_from_public_client(now: Timestamp) -> AadError {
    AadError::new(
        "invalid_client",
        700025,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    )
    .status(StatusCode::UNAUTHORIZED)
    .at(now)
}

fn unknown_client(client_id: &str, sel: &TenantSel, now: Timestamp) -> AadError {
    let directory = match sel {
        TenantSel::Any(s) => (*s).to_owned(),
        TenantSel::One(t) => t.id.clone(),
    };
    AadError::new(
        "unauthorized_client",
        700016,
        app_not_found(client_id, &directory),
    )
    .at(now)
}

fn bad_grant(code: u32, message: &str, now: Timestamp) -> AadError {
    AadError::new("invalid_grant", code, message).at(now)
}

fn malformed_grant(now: Timestamp) -> AadError {
    bad_grant(9002313, "Invalid request. Request is malformed or invalid.", now)
}

const EXPIRED_GRANT: &str = "The provided authorization code or refresh token has expired due to inactivity. \
Send a new interactive authorization request for this user and resource.";

/// `GET /{tenant}/oauth2/v2.0/token`: Entra answers a GET with AADSTS900561.
pub async fn token_get(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    let resp = AadError::new(
        "invalid_request",
        900561,
        "The endpoint only accepts POST, OPTIONS requests. Received a GET request.",
    )
    .status(StatusCode::METHOD_NOT_ALLOWED)
    .at(now)
    .into_response();
    noted(resp, None, None, "token")
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let params = form_body(&headers, &body);
    let client_id = params.get("client_id").cloned();
    let grant = params.get("grant_type").cloned().unwrap_or_default();
    let kind = match grant.as_str() {
        "authorization_code" => "authorization_code",
        "refresh_token" => "refresh_token",
        DEVICE_CODE_GRANT => "device_code",
        _ => "token",
    };
    let decision = locked(&state, now, |world| decide_grant(world, now, &tenant, &params));
    let with_client_info = params.get("client_info").is_some_and(|v| v == "1");
    let resp = match decision.result {
        Ok(issue) => match token_body(&state, &issue, with_client_info, now) {
            Ok(body) => no_store_json(body),
            Err(e) => {
                tracing::error!(error = %e, "cannot sign a token");
                AadError::new(
                    "temporarily_unavailable",
                    90006,
                    "The server is temporarily unable to sign tokens.",
                )
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .at(now)
                .into_response()
            }
        },
        Err(e) => e.into_response(),
    };
    noted(resp, client_id.as_deref(), decision.user.as_deref(), kind)
}

fn decide_grant(
    world: &mut World,
    now: Timestamp,
    tenant: &str,
    params: &HashMap<String, String>,
) -> Decision {
    let grant = match required(params, "grant_type", now) {
        Ok(g) => g.to_owned(),
        Err(e) => return Decision::refuse(e),
    };
    let (sel, client) = match public_client(world, now, tenant, params) {
        Ok(found) => found,
        Err(e) => return Decision::refuse(e),
    };
    let decision = match grant.as_str() {
        "authorization_code" => authorization_code(world, now, &sel, &client, params),
        "refresh_token" => refresh_token(world, now, &client, params),
        DEVICE_CODE_GRANT => device_code(world, now, &sel, &client, params),
        other => Decision::refuse(
            AadError::new(
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            )
            .at(now),
        ),
    };
    blocked_in_users_tenant(world, now, &client, decision)
}

/// A grant that would issue tokens to a user whose tenant disabled the app (`Tenant::blocked_clients`: the
/// enterprise application's "Enabled for users to sign in?" set to No) is refused with AADSTS7000112 instead,
/// after the user signed in, as Entra reports it. [assumed] The `error` value (`unauthorized_client`) and the
/// 400 status are what field reports show; the code is the stable signal (contract §5).
fn blocked_in_users_tenant(world: &World, now: Timestamp, client: &Client, decision: Decision) -> Decision {
    let Ok(issue) = &decision.result else {
        return decision;
    };
    let blocked = world.tenant(&issue.user.tenant_id).is_some_and(|t| {
        t.blocked_clients
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&client.client_id))
    });
    if !blocked {
        return decision;
    }
    Decision {
        result: Err(AadError::new(
            "unauthorized_client",
            7000112,
            format!("Application '{}'({}) is disabled.", client.client_id, client.name),
        )
        .at(now)),
        ..decision
    }
}

/// The tenant and the registered public client a `/token` or `/devicecode` request is for, or the refusal:
/// unknown tenant (AADSTS90002), no `client_id` (900144), app not in that tenant (700016), a secret or an
/// assertion from a public client (700025).
// The error is the HTTP answer itself, as with `directory::required`: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
fn public_client(
    world: &World,
    now: Timestamp,
    tenant: &str,
    params: &HashMap<String, String>,
) -> Result<(TenantSel, Client), AadError> {
    let sel = TenantSel::resolve(world, tenant)
        .ok_or_else(|| AadError::new("invalid_request", 90002, tenant_not_found(tenant)).at(now))?;
    let client_id = required(params, "client_id", now)?;
    let client = client_for(world, &sel, client_id)
        .cloned()
        .ok_or_else(|| unknown_client(client_id, &sel, now))?;
    if params.contains_key("client_secret") || params.contains_key("client_assertion") {
        return Err(secret_from_public_client(now));
    }
    Ok((sel, client))
}

/// `base64url(sha256(verifier))`, the S256 transformation (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn authorization_code(
    world: &mut World,
    now: Timestamp,
    sel: &TenantSel,
    client: &Client,
    params: &HashMap<String, String>,
) -> Decision {
    let mut fields = [""; 3];
    for (slot, name) in fields.iter_mut().zip(["code", "redirect_uri", "code_verifier"]) {
        match required(params, name, now) {
            Ok(v) => *slot = v,
            Err(e) => return Decision::refuse(e),
        }
    }
    let [code, redirect_uri, verifier] = fields;
    if let Some(scope) = params.get("scope")
        && let Err(e) = RequestedScopes::parse(scope)
    {
        return Decision::refuse(AadError::new("invalid_scope", 70011, e.to_string()).at(now));
    }
    let key = digest(code);
    let Some(entry) = world.identity.codes.get(&key).cloned() else {
        return Decision::refuse(malformed_grant(now));
    };
    let user_hint = Some(entry.user_oid.clone());
    let refuse = |err: AadError| Decision {
        result: Err(err),
        user: user_hint.clone(),
        changed: false,
    };
    if entry.redeemed {
        return refuse(bad_grant(
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an \
existing refresh token.",
            now,
        ));
    }
    if now >= entry.expires_at {
        return refuse(bad_grant(70008, EXPIRED_GRANT, now));
    }
    if !entry.client_id.eq_ignore_ascii_case(&client.client_id) {
        return refuse(bad_grant(
            70000,
            "The provided grant is invalid or malformed. (The code was issued to another application.)",
            now,
        ));
    }
    if entry.redirect_uri != redirect_uri {
        return refuse(bad_grant(
            500112,
            &format!(
                "The reply address '{redirect_uri}' does not match the reply address '{}' provided when \
requesting Authorization code.",
                entry.redirect_uri
            ),
            now,
        ));
    }
    if s256(verifier) != entry.code_challenge {
        return refuse(bad_grant(
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            now,
        ));
    }
    let Some(user) = world.user(&entry.user_oid).cloned() else {
        return refuse(bad_grant(70008, EXPIRED_GRANT, now));
    };
    if !sel.admits(&user) {
        return refuse(bad_grant(
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
            now,
        ));
    }
    if let Some(c) = world.identity.codes.get_mut(&key) {
        c.redeemed = true;
    }
    let refresh = entry
        .oidc_scopes
        .iter()
        .any(|s| s == "offline_access")
        .then(|| new_refresh_token(world, now, &user.id, &client.client_id, &entry.graph_scopes));
    let access_secs = access_lifetime(world);
    Decision {
        result: Ok(Issue {
            user: user.clone(),
            client_id: client.client_id.clone(),
            graph: entry.graph_scopes.clone(),
            oidc: entry.oidc_scopes.clone(),
            nonce: entry.nonce.clone(),
            refresh_token: refresh,
            access_secs,
        }),
        user: Some(user.id),
        changed: true,
    }
}

fn refresh_token(
    world: &mut World,
    now: Timestamp,
    client: &Client,
    params: &HashMap<String, String>,
) -> Decision {
    let token = match required(params, "refresh_token", now) {
        Ok(t) => t,
        Err(e) => return Decision::refuse(e),
    };
    let requested = match RequestedScopes::parse(params.get("scope").map_or("", String::as_str)) {
        Ok(r) => r,
        Err(e) => {
            return Decision::refuse(AadError::new("invalid_scope", 70011, e.to_string()).at(now));
        }
    };
    let key = digest(token);
    let Some(entry) = world.identity.refresh_tokens.get(&key).cloned() else {
        return Decision::refuse(malformed_grant(now));
    };
    let user_hint = Some(entry.user_oid.clone());
    let refuse = |err: AadError| Decision {
        result: Err(err),
        user: user_hint.clone(),
        changed: false,
    };
    if !entry.client_id.eq_ignore_ascii_case(&client.client_id) {
        return refuse(bad_grant(
            70000,
            "The provided grant is invalid or malformed. (The refresh token was issued to another application.)",
            now,
        ));
    }
    match entry.status {
        RefreshStatus::Revoked => {
            return refuse(bad_grant(
                50173,
                &format!(
                    "The provided grant has expired due to it being revoked, a fresh auth token is needed. The \
user might have changed or reset their password. The grant was issued before the TokensValidFrom date for this \
user ('{}').",
                    now.strftime("%Y-%m-%dT%H:%M:%SZ")
                ),
                now,
            ));
        }
        RefreshStatus::Rotated => {
            // [assumed] contract §5: refresh tokens replace themselves on every use; the emulator refuses the
            // old one so a client that forgets to store the new one fails in tests, not in production.
            return refuse(bad_grant(
                70008,
                &format!(
                    "{EXPIRED_GRANT} (Emulator: this refresh token was already redeemed and replaced by a newer \
one; store the new refresh token at once, contract §5.)"
                ),
                now,
            ));
        }
        RefreshStatus::Active => {}
    }
    if now >= entry.expires_at {
        return refuse(bad_grant(70008, EXPIRED_GRANT, now));
    }
    let Some(user) = world.user(&entry.user_oid).cloned() else {
        return refuse(bad_grant(70008, EXPIRED_GRANT, now));
    };
    let consented = scopes::consented(world, &user.id, &client.client_id);
    let graph = if requested.graph.is_empty() && !requested.default {
        entry.graph_scopes.clone()
    } else {
        requested.graph_needed(&consented)
    };
    let not_consented: Vec<&String> = graph.iter().filter(|s| !consented.contains(*s)).collect();
    if !not_consented.is_empty() {
        return refuse(
            bad_grant(
                65001,
                &format!(
                    "The user or administrator has not consented to use the application with ID '{}' named \
'{}'. Send an interactive authorization request for this user and resource.",
                    client.client_id, client.name
                ),
                now,
            )
            .suberror("consent_required"),
        );
    }
    if let Some(old) = world.identity.refresh_tokens.get_mut(&key) {
        old.status = RefreshStatus::Rotated;
    }
    let mut kept: Vec<String> = entry.graph_scopes.clone();
    for s in &graph {
        if !kept.contains(s) {
            kept.push(s.clone());
        }
    }
    let new_rt = new_refresh_token(world, now, &user.id, &client.client_id, &kept);
    let access_secs = access_lifetime(world);
    Decision {
        result: Ok(Issue {
            user: user.clone(),
            client_id: client.client_id.clone(),
            graph,
            oidc: requested.oidc.clone(),
            nonce: None,
            refresh_token: Some(new_rt),
            access_secs,
        }),
        user: Some(user.id),
        changed: true,
    }
}

fn device_code(
    world: &mut World,
    now: Timestamp,
    sel: &TenantSel,
    client: &Client,
    params: &HashMap<String, String>,
) -> Decision {
    // [assumed] See the module comment: public client flows off refuses the device code grant here.
    if !client.public_client_flows {
        return Decision::refuse(
            AadError::new(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
            .status(StatusCode::UNAUTHORIZED)
            .at(now),
        );
    }
    let code = match required(params, "device_code", now) {
        Ok(c) => c,
        Err(e) => return Decision::refuse(e),
    };
    let key = digest(code);
    let Some(grant) = world.identity.device_grants.get(&key).cloned() else {
        return Decision::refuse(
            AadError::new(
                "bad_verification_code",
                70018,
                "Invalid verification code due to the device code being unknown. The code may be mistyped or \
was not issued by this service.",
            )
            .at(now),
        );
    };
    if !grant.client_id.eq_ignore_ascii_case(&client.client_id) {
        return Decision::refuse(bad_grant(
            70000,
            "The provided grant is invalid or malformed. (The device code was issued to another application.)",
            now,
        ));
    }
    if now >= grant.expires_at {
        return Decision::refuse(AadError::new("expired_token", 70019, "Verification code expired.").at(now));
    }
    match grant.status {
        DeviceStatus::Pending => {
            let too_soon = grant.last_poll.is_some_and(|last| {
                let secs = i64::try_from(grant.interval_secs).unwrap_or(i64::MAX);
                now.duration_since(last) < SignedDuration::from_secs(secs)
            });
            let mut required_interval = grant.interval_secs;
            if let Some(g) = world.identity.device_grants.get_mut(&key) {
                g.last_poll = Some(now);
                if too_soon {
                    g.interval_secs = g.interval_secs.saturating_add(5);
                    required_interval = g.interval_secs;
                }
            }
            let err = if too_soon {
                // [assumed] contract §5: Entra is not documented to send slow_down; the emulator does (RFC 8628
                // §3.5) when a client polls faster than the interval, and adds 5 s to the interval it demands.
                AadError::new(
                    "slow_down",
                    70016,
                    format!(
                        "OAuth 2.0 device flow error. Polling too fast: wait at least {required_interval} seconds \
between requests."
                    ),
                )
            } else {
                AadError::new(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            };
            Decision::refuse(err.at(now))
        }
        DeviceStatus::Declined => Decision::refuse(
            AadError::new(
                "authorization_declined",
                65004,
                "User declined to consent to access the app.",
            )
            .at(now),
        ),
        DeviceStatus::Redeemed => Decision::refuse(bad_grant(
            70000,
            "The provided grant is invalid or malformed. (This device code was already redeemed.)",
            now,
        )),
        DeviceStatus::Approved { user_oid, graph } => {
            let Some(user) = world.user(&user_oid).cloned() else {
                return Decision::refuse(bad_grant(70008, EXPIRED_GRANT, now));
            };
            if !sel.admits(&user) || !client_in_users_tenant(world, client, &user) {
                return Decision::refuse(unknown_client(&client.client_id, sel, now));
            }
            if let Some(g) = world.identity.device_grants.get_mut(&key) {
                g.status = DeviceStatus::Redeemed;
            }
            let refresh = grant
                .requested
                .has_oidc("offline_access")
                .then(|| new_refresh_token(world, now, &user.id, &client.client_id, &graph));
            let access_secs = access_lifetime(world);
            Decision {
                result: Ok(Issue {
                    user: user.clone(),
                    client_id: client.client_id.clone(),
                    graph,
                    oidc: grant.requested.oidc.clone(),
                    nonce: None,
                    refresh_token: refresh,
                    access_secs,
                }),
                user: Some(user.id),
                changed: true,
            }
        }
    }
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`: starts a device code grant.
pub async fn devicecode(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.clock.now();
    let params = form_body(&headers, &body);
    let client_id = params.get("client_id").cloned();
    let base = state.base_url().to_owned();
    let decision = locked(&state, now, |world| {
        devicecode_locked(world, now, &tenant, &params, &base, state.auto_approve.as_deref())
    });
    let resp = match decision.result {
        Ok(body) => no_store_json(body),
        Err(e) => e.into_response(),
    };
    noted(resp, client_id.as_deref(), decision.user.as_deref(), "devicecode")
}

fn devicecode_locked(
    world: &mut World,
    now: Timestamp,
    tenant: &str,
    params: &HashMap<String, String>,
    base: &str,
    auto_approve: Option<&str>,
) -> Decision<serde_json::Value> {
    let (sel, client) = match public_client(world, now, tenant, params) {
        Ok(found) => found,
        Err(e) => return Decision::refuse(e),
    };
    let scope = match required(params, "scope", now) {
        Ok(s) => s,
        Err(e) => return Decision::refuse(e),
    };
    let requested = match RequestedScopes::parse(scope) {
        Ok(r) => r,
        Err(e) => return Decision::refuse(AadError::new("invalid_scope", 70011, e.to_string()).at(now)),
    };
    let device_code = random_secret(64);
    let mut user_code = random_user_code();
    for _ in 0..8 {
        if world.identity.device_by_user_code(&user_code).is_none() {
            break;
        }
        user_code = random_user_code();
    }
    let expires_in = world.settings.device_code_secs;
    let interval = world.settings.device_interval_secs;
    let mut status = DeviceStatus::Pending;
    let mut user = None;
    let mut changed = false;
    if let Some(who) = auto_approve
        && let Some(u) = world.user(who).cloned()
        && sel.admits(&u)
        && client_in_users_tenant(world, &client, &u)
    {
        // --auto-approve: the code is approved as that user at once, consent granted.
        let consented = scopes::consented(world, &u.id, &client.client_id);
        let graph = requested.graph_needed(&consented);
        scopes::record_consent(world, &u.id, &client.client_id, &graph);
        status = DeviceStatus::Approved {
            user_oid: u.id.clone(),
            graph,
        };
        user = Some(u.id);
        changed = true;
    }
    world.identity.device_grants.insert(
        digest(&device_code),
        DeviceGrant {
            client_id: client.client_id.clone(),
            tenant_segment: sel.url_segment().to_owned(),
            user_code: user_code.clone(),
            requested,
            expires_at: after(now, expires_in),
            interval_secs: interval,
            last_poll: None,
            status,
        },
    );
    let verification_uri = format!("{base}/devicelogin");
    let body = json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": expires_in,
        "interval": interval,
        "message": format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to \
    authenticate."
        ),
    });
    Decision {
        result: Ok(body),
        user,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_s256_transformation_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_random_secret_is_long_and_url_safe() {
        let s = random_secret(64);
        assert!(s.len() >= 85);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
