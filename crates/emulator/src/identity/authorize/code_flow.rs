//! `GET /{tenant}/oauth2/v2.0/authorize`: the authorization-code flow's first page (account picker), or at once
//! a redirect with a code under `--auto-approve`.

use super::*;

/// `GET /{tenant}/oauth2/v2.0/authorize`.
pub async fn authorize(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now();
    let params = query.as_deref().and_then(parse_pairs).unwrap_or_default();
    let out = locked(&state, now, |world| {
        authorize_locked(&state, world, now, &tenant, &params)
    });
    let client = nonempty(&params, "client_id");
    noted(out.resp, client, out.user.as_deref(), "authorize")
}

pub(super) fn authorize_locked(
    state: &AppState,
    world: &mut World,
    now: Timestamp,
    tenant: &str,
    params: &std::collections::HashMap<String, String>,
) -> Outcome {
    let (sel, client_id, client) = match tenant_and_client(world, now, tenant, params) {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let Some(redirect_uri) = nonempty(params, "redirect_uri") else {
        return page_error(900971, "No reply address provided.", now);
    };
    if !redirect_allowed(&client, redirect_uri) {
        return page_error(50011, &redirect_mismatch(redirect_uri, client_id), now);
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
