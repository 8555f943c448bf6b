//! `GET /{tenant}/adminconsent`: an administrator grants an app for the whole tenant.

use super::*;

/// `GET /{tenant}/adminconsent?client_id=...&redirect_uri=...&state=...`: an administrator grants an app for the
/// whole tenant.
pub async fn admin_consent(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now();
    let params = query.as_deref().and_then(parse_pairs).unwrap_or_default();
    let out = locked(&state, now, |world| {
        admin_consent_locked(&state, world, now, &tenant, &params)
    });
    noted(
        out.resp,
        nonempty(&params, "client_id"),
        out.user.as_deref(),
        "adminconsent",
    )
}

pub(super) fn admin_consent_locked(
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
    let redirect_uri = nonempty(params, "redirect_uri");
    if let Some(uri) = redirect_uri
        && !redirect_allowed(&client, uri)
    {
        return page_error(50011, &redirect_mismatch(uri, client_id), now);
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
