//! `/devicelogin`: the page where people type the code a device showed them, then pick an account.

use super::*;

/// `GET /devicelogin`: the page where people type the code a device showed them.
pub async fn device_login_page() -> Response {
    noted(html::device_code_entry(None), None, None, "devicelogin")
}

/// `POST /devicelogin` (field `otc`): looks the code up and shows the account picker.
pub async fn device_login_submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let now = state.clock.now();
    let form = form_body(&headers, &body);
    let typed = form.get("otc").cloned().unwrap_or_default();
    let out = locked(&state, now, |world| device_login_locked(world, now, &typed));
    noted(out.resp, out.client.as_deref(), None, "devicelogin")
}

pub(super) fn device_login_locked(world: &mut World, now: Timestamp, typed: &str) -> Outcome {
    // Picking the code only opens a page: nothing a watcher shows changes.
    let page = |resp: Response, client: Option<String>| Outcome {
        resp,
        user: None,
        client,
        changed: false,
    };
    let found = world
        .identity
        .device_by_user_code(typed)
        .map(|(d, g)| (d.clone(), g.clone()));
    let Some((device_digest, grant)) = found else {
        return page(
            html::device_code_entry(Some(
                "That code didn\u{2019}t work. Check the code and try again.",
            )),
            None,
        );
    };
    let client = Some(grant.client_id.clone());
    if grant.expires_at <= now {
        return page(
            html::device_code_entry(Some(
                "That code has expired. Go back to your device and start over to get a new one.",
            )),
            client,
        );
    }
    if grant.status != DeviceStatus::Pending {
        return page(
            html::device_code_entry(Some(
                "That code was already used. Go back to your device and start over to get a new one.",
            )),
            client,
        );
    }
    let Some(sel) = TenantSel::resolve(world, &grant.tenant_segment) else {
        return page(
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
    page(resp, client)
}
