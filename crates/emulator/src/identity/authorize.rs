//! The browser side of sign-in: `/authorize` (authorization code + PKCE), the device-login page, `/adminconsent`,
//! the logout endpoint, and the form every one of their pages posts to (contract §5).
//!
//! Errors that happen before the app's identity and redirect URI are established (unknown tenant or app,
//! redirect URI mismatch) are shown on the page and never redirected, as Entra does; later ones go back to the
//! app as `?error=...&error_description=AADSTS...&state=...`.
//!
//! A sign-in in progress is a [`PendingSignIn`] kept in the identity state under a random request id (the pages
//! carry it in a hidden field) and expires on the virtual clock. The steps are: pick an account → (consent
//! screen, or "Need admin approval") → redirect with a code / "you may close this window" / admin consent done.
//! With `--auto-approve`, `/authorize` redirects at once with a code for that user, consent granted.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::directory::{
    TenantSel, app_not_found, client_for, client_in_users_tenant, form_body, noted, parse_pairs,
    redirect_allowed, redirect_mismatch, tenant_not_found,
};
use super::html::{self, AccountChoice};
use super::issue::after;
use super::scopes::{self, RequestedScopes};
use super::state::{AuthCode, DeviceStatus, PendingKind, PendingSignIn, digest, random_secret};
use crate::seed::User;
use crate::world::{AppState, World};

/// How long a sign-in page accepts a decision, in virtual seconds.
const PENDING_SECS: u64 = 3600;

/// What a locked step produced: the response, who it was about, and whether the world changed.
struct Outcome {
    resp: Response,
    user: Option<String>,
    client: Option<String>,
    changed: bool,
}

impl Outcome {
    fn plain(resp: Response) -> Self {
        Self {
            resp,
            user: None,
            client: None,
            changed: false,
        }
    }
}

fn nonempty<'a>(params: &'a std::collections::HashMap<String, String>, name: &str) -> Option<&'a str> {
    params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A 302 to `location`.
fn redirect(location: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `base` with `pairs` appended to its query.
fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => base.to_owned(),
    }
}

/// The `error_description` Entra sends back to the app on a redirect.
fn redirect_description(code: u32, message: &str, now: Timestamp) -> String {
    format!(
        "AADSTS{code}: {message} Trace ID: {} Correlation ID: {} Timestamp: {}",
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        now.strftime("%Y-%m-%d %H:%M:%SZ")
    )
}

/// A redirect to the app carrying an error.
fn error_redirect(
    redirect_uri: &str,
    error: &str,
    code: u32,
    message: &str,
    state: Option<&str>,
    now: Timestamp,
) -> Response {
    let description = redirect_description(code, message, now);
    let error_uri = format!("https://login.microsoftonline.com/error?code={code}");
    let mut pairs = vec![
        ("error", error),
        ("error_description", description.as_str()),
        ("error_uri", error_uri.as_str()),
    ];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    redirect(&with_query(redirect_uri, &pairs))
}

fn directory_name(sel: &TenantSel) -> String {
    match sel {
        TenantSel::Any(s) => (*s).to_owned(),
        TenantSel::One(t) => t.id.clone(),
    }
}

fn accounts_for(world: &World, sel: &TenantSel, hint: Option<&str>) -> Vec<AccountChoice> {
    let mut users: Vec<&User> = sel.users(world);
    if let Some(h) = hint {
        // The hinted account first, as Entra puts the hinted account on top.
        users.sort_by_key(|u| {
            !(u.id.eq_ignore_ascii_case(h) || u.user_principal_name.eq_ignore_ascii_case(h))
        });
    }
    users
        .into_iter()
        .map(|u| AccountChoice {
            oid: u.id.clone(),
            name: u.display_name.clone(),
            upn: u.user_principal_name.clone(),
        })
        .collect()
}

fn app_name(world: &World, client_id: &str) -> String {
    world
        .client(client_id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| client_id.to_owned())
}

fn user_not_in_tenant(user: &User, sel: &TenantSel, world: &World, client_id: &str) -> String {
    let tenant = match sel {
        TenantSel::One(t) => t.name.clone(),
        TenantSel::Any(s) => (*s).to_owned(),
    };
    format!(
        "User account '{}' from identity provider '{}' does not exist in tenant '{tenant}' and cannot access the \
application '{client_id}'({}) in that tenant. The account needs to be added as an external user in the tenant \
first.",
        user.user_principal_name,
        user.tenant_id,
        app_name(world, client_id)
    )
}

/// `GET /{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now();
    let params = query.as_deref().and_then(parse_pairs).unwrap_or_default();
    let out = {
        let mut world = state.world();
        world.identity.sweep(now);
        authorize_locked(&state, &mut world, now, &tenant, &params)
    };
    if out.changed {
        state.changed();
    }
    let client = nonempty(&params, "client_id");
    noted(out.resp, client, out.user.as_deref(), "authorize")
}

/// The tenant and the registered client a sign-in or admin-consent page is for, or the page refusing it:
/// unknown tenant (AADSTS90002), no `client_id` (900144), app not in that tenant (700016).
fn tenant_and_client<'p>(
    world: &World,
    now: Timestamp,
    tenant: &str,
    params: &'p std::collections::HashMap<String, String>,
) -> Result<(TenantSel, &'p str, crate::seed::Client), Box<Outcome>> {
    let page_error = |code: u32, msg: String| {
        Box::new(Outcome::plain(html::error_page(
            StatusCode::BAD_REQUEST,
            code,
            &msg,
            now,
        )))
    };
    let Some(sel) = TenantSel::resolve(world, tenant) else {
        return Err(page_error(90002, tenant_not_found(tenant)));
    };
    let Some(client_id) = nonempty(params, "client_id") else {
        return Err(page_error(
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        ));
    };
    let Some(client) = client_for(world, &sel, client_id).cloned() else {
        return Err(page_error(
            700016,
            app_not_found(client_id, &directory_name(&sel)),
        ));
    };
    Ok((sel, client_id, client))
}

fn authorize_locked(
    state: &AppState,
    world: &mut World,
    now: Timestamp,
    tenant: &str,
    params: &std::collections::HashMap<String, String>,
) -> Outcome {
    let page_error =
        |code: u32, msg: String| Outcome::plain(html::error_page(StatusCode::BAD_REQUEST, code, &msg, now));
    let (sel, client_id, client) = match tenant_and_client(world, now, tenant, params) {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let Some(redirect_uri) = nonempty(params, "redirect_uri") else {
        return page_error(900971, "No reply address provided.".into());
    };
    if !redirect_allowed(&client, redirect_uri) {
        return page_error(50011, redirect_mismatch(redirect_uri, client_id));
    }
    let app_state = params.get("state").map(String::as_str);
    let fail = |error: &str, code: u32, msg: &str| {
        Outcome::plain(error_redirect(redirect_uri, error, code, msg, app_state, now))
    };

    match params.get("response_type").map(String::as_str) {
        Some("code") => {}
        None => {
            return fail(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'response_type'.",
            );
        }
        Some(other) => {
            return fail(
                "unsupported_response_type",
                700054,
                &format!("response_type '{other}' is not enabled for the application."),
            );
        }
    }
    // [assumed] Only `query` responses: a loopback app reads the code from the redirect's query (contract §5).
    if let Some(mode) = params.get("response_mode").filter(|m| *m != "query") {
        return fail(
            "invalid_request",
            70007,
            &format!("The application returned an unsupported value '{mode}' of 'response_mode'."),
        );
    }
    let Some(scope) = nonempty(params, "scope") else {
        return fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let requested = match RequestedScopes::parse(scope) {
        Ok(r) => r,
        Err(e) => return fail("invalid_scope", 70011, &e.to_string()),
    };
    // [assumed] PKCE with S256 is required (contract §5); Entra would accept a native app without it, or `plain`.
    let Some(challenge) = nonempty(params, "code_challenge") else {
        return fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'code_challenge'. (This emulator requires \
PKCE with code_challenge_method=S256, contract §5.)",
        );
    };
    match params.get("code_challenge_method").map(String::as_str) {
        Some("S256") => {}
        other => {
            return fail(
                "invalid_request",
                90014,
                &format!(
                    "The code_challenge_method '{}' is not accepted; this emulator requires S256 (contract §5).",
                    other.unwrap_or("plain")
                ),
            );
        }
    }
    let challenge_ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !challenge_ok {
        return fail(
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        );
    }
    let prompt = params
        .get("prompt")
        .map(|p| p.to_ascii_lowercase())
        .unwrap_or_default();
    if prompt == "none" && state.auto_approve.is_none() {
        return fail(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        );
    }
    let kind = PendingKind::Authorize {
        redirect_uri: redirect_uri.to_owned(),
        state: app_state.map(str::to_owned),
        nonce: params.get("nonce").cloned(),
        code_challenge: challenge.to_owned(),
        client_info: params.get("client_info").is_some_and(|v| v == "1"),
        force_consent: prompt == "consent",
    };
    let pending = PendingSignIn {
        client_id: client.client_id.clone(),
        tenant_segment: sel.url_segment().to_owned(),
        requested,
        login_hint: nonempty(params, "login_hint").map(str::to_owned),
        chosen_user: None,
        kind,
        expires_at: after(now, PENDING_SECS),
    };

    if let Some(auto) = state.auto_approve.as_deref() {
        return auto_complete(world, now, &sel, pending, auto);
    }

    let request_id = random_secret(24);
    let accounts = accounts_for(world, &sel, pending.login_hint.as_deref());
    let action = format!("/{}/oauth2/v2.0/authorize/decide", sel.url_segment());
    let resp = html::account_picker(
        &action,
        &request_id,
        &client.name,
        &accounts,
        pending.login_hint.as_deref(),
    );
    world.identity.pending.insert(request_id, pending);
    Outcome::plain(resp)
}

/// `--auto-approve`: signs `who` in at once, consenting to whatever is needed.
fn auto_complete(
    world: &mut World,
    now: Timestamp,
    sel: &TenantSel,
    pending: PendingSignIn,
    who: &str,
) -> Outcome {
    let Some(user) = world.user(who).cloned() else {
        return Outcome::plain(html::error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            50034,
            &format!("The user account {who} does not exist in the directory."),
            now,
        ));
    };
    if !sel.admits(&user) {
        let msg = user_not_in_tenant(&user, sel, world, &pending.client_id);
        return deny(world, now, &pending, "invalid_request", 50020, &msg);
    }
    let Some(client) = world.client(&pending.client_id).cloned() else {
        return Outcome::plain(html::error_page(
            StatusCode::BAD_REQUEST,
            700016,
            &app_not_found(&pending.client_id, &user.tenant_id),
            now,
        ));
    };
    if !client_in_users_tenant(world, &client, &user) {
        return Outcome::plain(html::error_page(
            StatusCode::BAD_REQUEST,
            700016,
            &app_not_found(&pending.client_id, &user.tenant_id),
            now,
        ));
    }
    if let PendingKind::AdminConsent { .. } = pending.kind {
        return admin_consent_granted(world, now, &pending, &user);
    }
    let consented = scopes::consented(world, &user.id, &pending.client_id);
    let graph = pending.requested.graph_needed(&consented);
    scopes::record_consent(world, &user.id, &pending.client_id, &graph);
    let mut out = complete(world, now, &pending, &user, graph);
    out.changed = true;
    out
}

/// Ends a sign-in successfully for `user` with the granted Graph scopes.
fn complete(
    world: &mut World,
    now: Timestamp,
    pending: &PendingSignIn,
    user: &User,
    graph: Vec<String>,
) -> Outcome {
    let app = app_name(world, &pending.client_id);
    let resp = match &pending.kind {
        PendingKind::Authorize {
            redirect_uri,
            state,
            nonce,
            code_challenge,
            client_info,
            ..
        } => {
            let code = random_secret(96);
            world.identity.codes.insert(
                digest(&code),
                AuthCode {
                    client_id: pending.client_id.clone(),
                    user_oid: user.id.clone(),
                    redirect_uri: redirect_uri.clone(),
                    graph_scopes: graph,
                    oidc_scopes: pending.requested.oidc.clone(),
                    code_challenge: code_challenge.clone(),
                    nonce: nonce.clone(),
                    expires_at: after(now, world.settings.auth_code_secs),
                    redeemed: false,
                },
            );
            let info = super::issue::client_info(user);
            let session = uuid::Uuid::new_v4().to_string();
            let mut pairs = vec![("code", code.as_str())];
            if *client_info {
                pairs.push(("client_info", info.as_str()));
            }
            if let Some(s) = state {
                pairs.push(("state", s.as_str()));
            }
            pairs.push(("session_state", session.as_str()));
            redirect(&with_query(redirect_uri, &pairs))
        }
        PendingKind::Device { device_digest } => match world.identity.device_grants.get_mut(device_digest) {
            Some(g) if g.status == DeviceStatus::Pending && g.expires_at > now => {
                g.status = DeviceStatus::Approved {
                    user_oid: user.id.clone(),
                    graph,
                };
                html::message_page(
                    "Signed in",
                    &format!("You have signed in to the {app} application on your device."),
                    "<p>You may now close this window.</p>",
                )
            }
            _ => html::device_code_entry(Some(
                "That code has expired or was already used. Go back to your device and start over.",
            )),
        },
        PendingKind::AdminConsent { .. } => return admin_consent_granted(world, now, pending, user),
    };
    Outcome {
        resp,
        user: Some(user.id.clone()),
        client: Some(pending.client_id.clone()),
        changed: true,
    }
}

/// Ends a sign-in with an error: back to the app with `?error=`, or a page for the device and admin flows.
fn deny(
    world: &mut World,
    now: Timestamp,
    pending: &PendingSignIn,
    error: &str,
    code: u32,
    message: &str,
) -> Outcome {
    let app = app_name(world, &pending.client_id);
    let resp = match &pending.kind {
        PendingKind::Authorize {
            redirect_uri, state, ..
        } => error_redirect(redirect_uri, error, code, message, state.as_deref(), now),
        PendingKind::Device { device_digest } => {
            if let Some(g) = world.identity.device_grants.get_mut(device_digest)
                && g.status == DeviceStatus::Pending
            {
                g.status = DeviceStatus::Declined;
            }
            html::message_page(
                "Sign in declined",
                &format!("You have declined to sign in to the {app} application on your device."),
                &format!(
                    "<p>You may now close this window.</p><p class=\"muted\">AADSTS{code}: {}</p>",
                    html::esc(message)
                ),
            )
        }
        PendingKind::AdminConsent { redirect_uri, state } => match redirect_uri {
            Some(uri) => error_redirect(uri, error, code, message, state.as_deref(), now),
            None => html::message_page(
                "Permissions not granted",
                "Permissions were not granted",
                &format!(
                    "<p><span class=\"app\">{}</span> was not granted access for your organization.</p>",
                    html::esc(&app)
                ),
            ),
        },
    };
    Outcome {
        resp,
        user: pending.chosen_user.clone(),
        client: Some(pending.client_id.clone()),
        changed: true,
    }
}

/// Records tenant-wide consent and answers the admin-consent flow.
fn admin_consent_granted(
    world: &mut World,
    now: Timestamp,
    pending: &PendingSignIn,
    admin: &User,
) -> Outcome {
    let _ = now;
    let tenant_id = admin.tenant_id.clone();
    let mut tenant_name = tenant_id.clone();
    if let Some(t) = world
        .tenants
        .iter_mut()
        .find(|t| t.id.eq_ignore_ascii_case(&tenant_id))
    {
        if !t
            .admin_consented_clients
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&pending.client_id))
        {
            t.admin_consented_clients.push(pending.client_id.clone());
        }
        tenant_name = t.name.clone();
    }
    let app = app_name(world, &pending.client_id);
    let resp = match &pending.kind {
        PendingKind::AdminConsent {
            redirect_uri: Some(uri),
            state,
        } => {
            let mut pairs = vec![("admin_consent", "True"), ("tenant", tenant_id.as_str())];
            if let Some(s) = state {
                pairs.push(("state", s.as_str()));
            }
            redirect(&with_query(uri, &pairs))
        }
        _ => html::message_page(
            "Permissions granted",
            "Permissions granted",
            &format!(
                "<p><span class=\"app\">{}</span> can now be used by everyone in {} without asking for consent.</p>",
                html::esc(&app),
                html::esc(&tenant_name)
            ),
        ),
    };
    Outcome {
        resp,
        user: Some(admin.id.clone()),
        client: Some(pending.client_id.clone()),
        changed: true,
    }
}

/// `POST /{tenant}/oauth2/v2.0/authorize/decide` (and the device-login and admin-consent equivalents): the
/// pages' form. Fields: `request` (the sign-in id), `action` (`continue`, `accept`, `deny`, `back`), `user`
/// (object id, with `continue`).
pub async fn decide(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let form = form_body(&headers, &body);
    let request_id = form.get("request").cloned().unwrap_or_default();
    let action = form.get("action").cloned().unwrap_or_default();
    let (out, kind) = {
        let mut world = state.world();
        world.identity.sweep(now);
        match world.identity.pending.get(&request_id).cloned() {
            None => (
                Outcome::plain(html::error_page(
                    StatusCode::BAD_REQUEST,
                    9002313,
                    "Invalid request. Request is malformed or invalid. (This sign-in page has expired or was \
already used: go back to the app and sign in again.)",
                    now,
                )),
                "authorize",
            ),
            Some(pending) => {
                let kind = match pending.kind {
                    PendingKind::Authorize { .. } => "authorize",
                    PendingKind::Device { .. } => "devicelogin",
                    PendingKind::AdminConsent { .. } => "adminconsent",
                };
                let out = decide_locked(
                    state.base_url(),
                    &mut world,
                    now,
                    &request_id,
                    pending,
                    &action,
                    form.get("user").map(String::as_str),
                );
                (out, kind)
            }
        }
    };
    if out.changed {
        state.changed();
    }
    noted(out.resp, out.client.as_deref(), out.user.as_deref(), kind)
}

/// `POST /{tenant}/oauth2/v2.0/authorize/decide` and `/{tenant}/adminconsent/decide`: the tenant segment is
/// already in the sign-in state, so it is ignored here.
pub async fn decide_in_tenant(
    state: State<AppState>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    decide(state, headers, body).await
}

fn decide_locked(
    base: &str,
    world: &mut World,
    now: Timestamp,
    request_id: &str,
    mut pending: PendingSignIn,
    action: &str,
    user_field: Option<&str>,
) -> Outcome {
    let Some(sel) = TenantSel::resolve(world, &pending.tenant_segment) else {
        world.identity.pending.remove(request_id);
        return Outcome::plain(html::error_page(
            StatusCode::BAD_REQUEST,
            90002,
            &tenant_not_found(&pending.tenant_segment),
            now,
        ));
    };
    match action {
        "deny" => {
            world.identity.pending.remove(request_id);
            deny(
                world,
                now,
                &pending,
                "access_denied",
                65004,
                "User declined to consent to access the app.",
            )
        }
        "back" => {
            world.identity.pending.remove(request_id);
            deny(
                world,
                now,
                &pending,
                "access_denied",
                90094,
                "Admin consent is required for the permissions requested by this application. An admin consent \
request may be sent to the admin.",
            )
        }
        "continue" => {
            let user = user_field
                .and_then(|u| world.user(u))
                .filter(|u| sel.admits(u))
                .cloned();
            let Some(user) = user else {
                return Outcome::plain(html::error_page(
                    StatusCode::BAD_REQUEST,
                    50034,
                    "The user account does not exist in the directory. To sign into this application, the account \
must be added to the directory.",
                    now,
                ));
            };
            let Some(client) = world.client(&pending.client_id).cloned() else {
                world.identity.pending.remove(request_id);
                return Outcome::plain(html::error_page(
                    StatusCode::BAD_REQUEST,
                    700016,
                    &app_not_found(&pending.client_id, &user.tenant_id),
                    now,
                ));
            };
            if !client_in_users_tenant(world, &client, &user) {
                world.identity.pending.remove(request_id);
                return Outcome::plain(html::error_page(
                    StatusCode::BAD_REQUEST,
                    700016,
                    &app_not_found(&pending.client_id, &user.tenant_id),
                    now,
                ));
            }
            pending.chosen_user = Some(user.id.clone());
            world
                .identity
                .pending
                .insert(request_id.to_owned(), pending.clone());
            step_after_account(base, world, now, request_id, &pending, &user, &client.name)
        }
        "accept" => {
            let user = pending
                .chosen_user
                .as_deref()
                .and_then(|u| world.user(u))
                .cloned();
            let Some(user) = user else {
                return Outcome::plain(html::error_page(
                    StatusCode::BAD_REQUEST,
                    9002313,
                    "Invalid request. Request is malformed or invalid. (Pick an account first.)",
                    now,
                ));
            };
            world.identity.pending.remove(request_id);
            if let PendingKind::AdminConsent { .. } = pending.kind {
                return admin_consent_granted(world, now, &pending, &user);
            }
            let consented = scopes::consented(world, &user.id, &pending.client_id);
            let graph = pending.requested.graph_needed(&consented);
            let missing = graph.iter().any(|s| !consented.contains(s));
            if missing && needs_admin(world, &user, &pending.client_id) {
                return deny(
                    world,
                    now,
                    &pending,
                    "access_denied",
                    90094,
                    "Admin consent is required for the permissions requested by this application.",
                );
            }
            scopes::record_consent(world, &user.id, &pending.client_id, &graph);
            complete(world, now, &pending, &user, graph)
        }
        _ => Outcome::plain(html::error_page(
            StatusCode::BAD_REQUEST,
            9002313,
            "Invalid request. Request is malformed or invalid. (Unknown action.)",
            now,
        )),
    }
}

/// The tenant of `user` requires admin consent and no administrator consented to `client_id`.
fn needs_admin(world: &World, user: &User, client_id: &str) -> bool {
    let required = world
        .tenant(&user.tenant_id)
        .is_some_and(|t| t.requires_admin_consent);
    required && !scopes::admin_consented(world, &user.tenant_id, client_id)
}

/// After an account is picked: straight to the app when everything is consented, else the consent screen or
/// "Need admin approval".
fn step_after_account(
    base: &str,
    world: &mut World,
    now: Timestamp,
    request_id: &str,
    pending: &PendingSignIn,
    user: &User,
    app: &str,
) -> Outcome {
    let (action, for_org) = match &pending.kind {
        PendingKind::Authorize { .. } => (
            format!("/{}/oauth2/v2.0/authorize/decide", pending.tenant_segment),
            false,
        ),
        PendingKind::Device { .. } => ("/devicelogin/decide".to_owned(), false),
        PendingKind::AdminConsent { .. } => {
            (format!("/{}/adminconsent/decide", pending.tenant_segment), true)
        }
    };
    if for_org {
        // [assumed] Any user of the tenant may act as its administrator: the seed models no directory roles.
        // Entra grants the app's configured permissions; the emulator has none configured, so it grants every
        // Graph permission it knows.
        let all: Vec<String> = scopes::GRAPH_SCOPES
            .iter()
            .map(|(s, _)| (*s).to_owned())
            .collect();
        let resp = html::consent_page(&action, request_id, app, &user.user_principal_name, &all, true);
        return Outcome {
            resp,
            user: Some(user.id.clone()),
            client: Some(pending.client_id.clone()),
            changed: false,
        };
    }
    let consented = scopes::consented(world, &user.id, &pending.client_id);
    let graph = pending.requested.graph_needed(&consented);
    let missing: Vec<String> = graph
        .iter()
        .filter(|s| !consented.contains(*s))
        .cloned()
        .collect();
    let force = matches!(
        pending.kind,
        PendingKind::Authorize {
            force_consent: true,
            ..
        }
    );
    if missing.is_empty() && !force {
        world.identity.pending.remove(request_id);
        return complete(world, now, pending, user, graph);
    }
    let resp = if !missing.is_empty() && needs_admin(world, user, &pending.client_id) {
        let url = format!(
            "{}/{}/adminconsent?client_id={}",
            base, user.tenant_id, pending.client_id
        );
        html::admin_needed_page(&action, request_id, app, &user.user_principal_name, &url)
    } else {
        let mut shown: Vec<String> = if missing.is_empty() { graph } else { missing };
        shown.extend(pending.requested.oidc.iter().filter(|s| *s != "openid").cloned());
        html::consent_page(&action, request_id, app, &user.user_principal_name, &shown, false)
    };
    Outcome {
        resp,
        user: Some(user.id.clone()),
        client: Some(pending.client_id.clone()),
        changed: false,
    }
}

/// `GET /{tenant}/adminconsent?client_id=...&redirect_uri=...&state=...`: an administrator grants an app for the
/// whole tenant.
pub async fn admin_consent(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now();
    let params = query.as_deref().and_then(parse_pairs).unwrap_or_default();
    let out = {
        let mut world = state.world();
        world.identity.sweep(now);
        admin_consent_locked(&state, &mut world, now, &tenant, &params)
    };
    if out.changed {
        state.changed();
    }
    noted(
        out.resp,
        nonempty(&params, "client_id"),
        out.user.as_deref(),
        "adminconsent",
    )
}

fn admin_consent_locked(
    state: &AppState,
    world: &mut World,
    now: Timestamp,
    tenant: &str,
    params: &std::collections::HashMap<String, String>,
) -> Outcome {
    let page_error =
        |code: u32, msg: String| Outcome::plain(html::error_page(StatusCode::BAD_REQUEST, code, &msg, now));
    let (sel, client_id, client) = match tenant_and_client(world, now, tenant, params) {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let redirect_uri = nonempty(params, "redirect_uri");
    if let Some(uri) = redirect_uri
        && !redirect_allowed(&client, uri)
    {
        return page_error(50011, redirect_mismatch(uri, client_id));
    }
    let pending = PendingSignIn {
        client_id: client.client_id.clone(),
        tenant_segment: sel.url_segment().to_owned(),
        requested: RequestedScopes::default(),
        login_hint: None,
        chosen_user: None,
        kind: PendingKind::AdminConsent {
            redirect_uri: redirect_uri.map(str::to_owned),
            state: params.get("state").cloned(),
        },
        expires_at: after(now, PENDING_SECS),
    };
    if let Some(auto) = state.auto_approve.as_deref() {
        return auto_complete(world, now, &sel, pending, auto);
    }
    let request_id = random_secret(24);
    let accounts = accounts_for(world, &sel, None);
    let action = format!("/{}/adminconsent/decide", sel.url_segment());
    let resp = html::account_picker(&action, &request_id, &client.name, &accounts, None);
    world.identity.pending.insert(request_id, pending);
    Outcome::plain(resp)
}

/// `GET /devicelogin`: the page where people type the code a device showed them.
pub async fn device_login_page() -> Response {
    noted(html::device_code_entry(None), None, None, "devicelogin")
}

/// `POST /devicelogin` (field `otc`): looks the code up and shows the account picker.
pub async fn device_login_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let form = form_body(&headers, &body);
    let typed = form.get("otc").cloned().unwrap_or_default();
    let (resp, client) = {
        let mut world = state.world();
        world.identity.sweep(now);
        device_login_locked(&mut world, now, &typed)
    };
    noted(resp, client.as_deref(), None, "devicelogin")
}

fn device_login_locked(world: &mut World, now: Timestamp, typed: &str) -> (Response, Option<String>) {
    let found = world
        .identity
        .device_by_user_code(typed)
        .map(|(d, g)| (d.clone(), g.clone()));
    let Some((device_digest, grant)) = found else {
        return (
            html::device_code_entry(Some(
                "That code didn\u{2019}t work. Check the code and try again.",
            )),
            None,
        );
    };
    let client = Some(grant.client_id.clone());
    if grant.expires_at <= now {
        return (
            html::device_code_entry(Some(
                "That code has expired. Go back to your device and start over to get a new one.",
            )),
            client,
        );
    }
    if grant.status != DeviceStatus::Pending {
        return (
            html::device_code_entry(Some(
                "That code was already used. Go back to your device and start over to get a new one.",
            )),
            client,
        );
    }
    let Some(sel) = TenantSel::resolve(world, &grant.tenant_segment) else {
        return (
            html::device_code_entry(Some(
                "That code didn\u{2019}t work. Check the code and try again.",
            )),
            client,
        );
    };
    let request_id = random_secret(24);
    let accounts = accounts_for(world, &sel, None);
    let app = app_name(world, &grant.client_id);
    let resp = html::account_picker("/devicelogin/decide", &request_id, &app, &accounts, None);
    world.identity.pending.insert(
        request_id,
        PendingSignIn {
            client_id: grant.client_id.clone(),
            tenant_segment: grant.tenant_segment.clone(),
            requested: grant.requested.clone(),
            login_hint: None,
            chosen_user: None,
            kind: PendingKind::Device { device_digest },
            expires_at: grant.expires_at.min(after(now, PENDING_SECS)),
        },
    );
    (resp, client)
}

/// `GET /{tenant}/oauth2/v2.0/logout`: the emulator keeps no browser session, so signing out only shows a page,
/// or returns to `post_logout_redirect_uri` when it is a loopback URL.
pub async fn logout(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now();
    let params = query.as_deref().and_then(parse_pairs).unwrap_or_default();
    let known = TenantSel::resolve(&state.world(), &tenant).is_some();
    let resp = if !known {
        html::error_page(StatusCode::BAD_REQUEST, 90002, &tenant_not_found(&tenant), now)
    } else {
        match nonempty(&params, "post_logout_redirect_uri").and_then(|u| url::Url::parse(u).ok()) {
            Some(u)
                if u.scheme() == "http" && matches!(u.host_str(), Some("localhost") | Some("127.0.0.1")) =>
            {
                redirect(u.as_str())
            }
            _ => html::message_page(
                "Sign out",
                "You signed out of your account",
                "<p>It\u{2019}s a good idea to close all browser windows.</p>",
            ),
        }
    };
    noted(resp, nonempty(&params, "client_id"), None, "logout")
}
