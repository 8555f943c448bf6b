//! `POST .../authorize/decide` (and `/adminconsent/decide`, `/devicelogin/decide`): the form every sign-in page
//! posts to; it moves a pending sign-in to its next step.

use super::*;

/// `POST /{tenant}/oauth2/v2.0/authorize/decide` (and the device-login and admin-consent equivalents): the
/// pages' form. Fields: `request` (the sign-in id), `action` (`continue`, `accept`, `deny`, `back`), `user`
/// (object id, with `continue`).
pub async fn decide(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let form = form_body(&headers, &body);
    let request_id = form.get("request").cloned().unwrap_or_default();
    let action = form.get("action").cloned().unwrap_or_default();
    let (out, kind) = locked(&state, now, |world| {
        match world.identity.pending.get(&request_id).cloned() {
            None => (
                page_error(
                    9002313,
                    "Invalid request. Request is malformed or invalid. (This sign-in page has expired or was \
already used: go back to the app and sign in again.)",
                    now,
                ),
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
                    world,
                    now,
                    &request_id,
                    pending,
                    &action,
                    form.get("user").map(String::as_str),
                );
                (out, kind)
            }
        }
    });
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

pub(super) fn decide_locked(
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
        return page_error(90002, &tenant_not_found(&pending.tenant_segment), now);
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
                return page_error(
                    50034,
                    "The user account does not exist in the directory. To sign into this application, the account \
must be added to the directory.",
                    now,
                );
            };
            let Some(client) = world.client(&pending.client_id).cloned() else {
                world.identity.pending.remove(request_id);
                return page_error(700016, &app_not_found(&pending.client_id, &user.tenant_id), now);
            };
            if !client_in_users_tenant(world, &client, &user) {
                world.identity.pending.remove(request_id);
                return page_error(700016, &app_not_found(&pending.client_id, &user.tenant_id), now);
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
                return page_error(
                    9002313,
                    "Invalid request. Request is malformed or invalid. (Pick an account first.)",
                    now,
                );
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
        _ => page_error(
            9002313,
            "Invalid request. Request is malformed or invalid. (Unknown action.)",
            now,
        ),
    }
}
