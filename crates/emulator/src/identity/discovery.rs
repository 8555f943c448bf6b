//! Discovery: the OpenID Connect configuration per tenant, the JWKS, and the instance-discovery document
//! Microsoft's client libraries fetch before they trust an authority.
//!
//! What MSAL Python 1.39 does (read from its `authority.py` and `application.py`): for a host it does not know
//! (anything but `login.microsoftonline.com` and the other Microsoft clouds) it fetches instance discovery
//! `GET {endpoint}?api-version=1.0&authorization_endpoint=https://{host}/{tenant}/oauth2/v2.0/authorize` and
//! reads `tenant_discovery_endpoint` (or `error: invalid_instance`); by default `{endpoint}` is
//! `https://login.microsoftonline.com/common/discovery/instance` (not the authority's host), so a client of the
//! emulator passes `instance_discovery=False` or this emulator's own `{base}/common/discovery/instance`. It then
//! fetches the OpenID configuration and requires `authorization_endpoint` and `token_endpoint` (and
//! `device_authorization_endpoint` for the device flow); it takes the tenant from `token_endpoint`'s first path
//! segment. For account aliases it reads `metadata[].aliases` of the `api-version=1.1` answer.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::directory::{TenantSel, noted, parse_pairs, tenant_not_found};
use crate::errors::AadError;
use crate::world::AppState;

fn cacheable_json(value: serde_json::Value) -> Response {
    let mut resp = axum::Json(value).into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    resp.headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

fn unknown_tenant(segment: &str, now: jiff::Timestamp) -> Response {
    AadError::new("invalid_tenant", 90002, tenant_not_found(segment))
        .at(now)
        .into_response()
}

/// The OpenID Connect configuration document of `base` for a tenant selection, as Entra's v2.0 endpoint shapes it.
pub fn openid_configuration_document(base: &str, sel: &TenantSel) -> serde_json::Value {
    let seg = sel.url_segment();
    let issuer = match sel {
        TenantSel::Any(_) => format!("{base}/{{tenantid}}/v2.0"),
        TenantSel::One(t) => super::jwt::issuer(base, &t.id),
    };
    json!({
        "token_endpoint": format!("{base}/{seg}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{seg}/discovery/v2.0/keys"),
        "response_modes_supported": ["query"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{seg}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{seg}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{seg}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "preferred_username", "name", "tid", "oid", "ver", "email"
        ],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": [
            "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "tenant_region_scope": null,
        "cloud_instance_name": "presently-emulator",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub async fn openid_configuration(State(state): State<AppState>, Path(tenant): Path<String>) -> Response {
    let now = state.clock.now();
    let sel = TenantSel::resolve(&state.world(), &tenant);
    let resp = match sel {
        Some(sel) => cacheable_json(openid_configuration_document(state.base_url(), &sel)),
        None => unknown_tenant(&tenant, now),
    };
    noted(resp, None, None, "discovery")
}

/// `GET /{tenant}/discovery/v2.0/keys` (and `/discovery/keys`): the JWKS with this run's signing key.
pub async fn jwks(State(state): State<AppState>, Path(tenant): Path<String>) -> Response {
    let now = state.clock.now();
    let known = TenantSel::resolve(&state.world(), &tenant).is_some();
    let resp = if known {
        cacheable_json(state.keys.jwks())
    } else {
        unknown_tenant(&tenant, now)
    };
    noted(resp, None, None, "discovery")
}

/// `GET /{tenant}/discovery/instance?api-version=1.1&authorization_endpoint=...`: instance discovery.
///
/// An authorization endpoint on this emulator (`127.0.0.1` or `localhost`, with the emulator's port or none) gets
/// `tenant_discovery_endpoint` (with the emulator's port) and a `metadata` group holding only that host (MSAL builds alias authorities
/// without a port, so offering `localhost` as an alias of `127.0.0.1` would send it to the wrong port); any other
/// host gets `invalid_instance` (AADSTS50049), as Entra answers an unknown cloud.
pub async fn instance(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let now = state.clock.now();
    let params = query.as_deref().and_then(parse_pairs).unwrap_or_default();
    let api = params.get("api-version").cloned().unwrap_or_default();
    if api.is_empty() {
        return noted(
            AadError::new(
                "invalid_request",
                900143,
                "The request body must contain the following parameter: 'api-version'.",
            )
            .at(now)
            .into_response(),
            None,
            None,
            "discovery",
        );
    }
    let Some(endpoint) = params.get("authorization_endpoint").cloned() else {
        return noted(
            AadError::new(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'authorization_endpoint'.",
            )
            .at(now)
            .into_response(),
            None,
            None,
            "discovery",
        );
    };
    let own = url::Url::parse(state.base_url()).ok();
    let asked = url::Url::parse(&endpoint).ok();
    let resp = match (own, asked) {
        // MSAL Python builds this URL from the authority's host name alone (`https://{hostname}{path}/oauth2/
        // v2.0/authorize`), dropping the port, so a loopback endpoint without a port means this emulator too.
        (Some(own), Some(asked))
            if asked.scheme() == own.scheme()
                && (asked.port().is_none()
                    || asked.port_or_known_default() == own.port_or_known_default())
                && matches!(asked.host_str(), Some("127.0.0.1") | Some("localhost")) =>
        {
            let host = asked.host_str().unwrap_or("127.0.0.1").to_owned();
            let port = own.port_or_known_default().unwrap_or(443);
            let origin = format!("{}://{host}:{port}", own.scheme());
            let tenant = asked
                .path_segments()
                .and_then(|mut s| s.next())
                .filter(|s| !s.is_empty())
                .unwrap_or("common")
                .to_owned();
            // [assumed] Entra points a v1 authorize endpoint at the v1 configuration; the emulator has only v2.
            let tenant_discovery = format!("{origin}/{tenant}/v2.0/.well-known/openid-configuration");
            cacheable_json(json!({
                "tenant_discovery_endpoint": tenant_discovery,
                "api-version": api,
                "metadata": [{
                    "preferred_network": host,
                    "preferred_cache": host,
                    "aliases": [host],
                }],
            }))
        }
        _ => {
            let mut resp = AadError::new("invalid_instance", 50049, "Unknown or invalid instance.")
                .at(now)
                .into_response();
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            resp
        }
    };
    noted(resp, None, None, "discovery")
}
