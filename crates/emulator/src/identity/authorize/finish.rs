//! The steps after an account is picked, shared by every flow: consent or "Need admin approval", the redirect
//! with a code, a refusal back to the app, admin consent granted, and `--auto-approve`'s shortcut.

use super::*;

/// `--auto-approve`: signs `who` in at once, consenting to whatever is needed.
pub(super) fn auto_complete(
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
        return page_error(700016, &app_not_found(&pending.client_id, &user.tenant_id), now);
    };
    if !client_in_users_tenant(world, &client, &user) {
        return page_error(700016, &app_not_found(&pending.client_id, &user.tenant_id), now);
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
pub(super) fn complete(
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
            let info = crate::identity::issue::client_info(user);
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
pub(super) fn deny(
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
pub(super) fn admin_consent_granted(
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

/// The tenant of `user` requires admin consent and no administrator consented to `client_id`.
pub(super) fn needs_admin(world: &World, user: &User, client_id: &str) -> bool {
    let required = world
        .tenant(&user.tenant_id)
        .is_some_and(|t| t.requires_admin_consent);
    required && !scopes::admin_consented(world, &user.tenant_id, client_id)
}

/// After an account is picked: straight to the app when everything is consented, else the consent screen or
/// "Need admin approval".
pub(super) fn step_after_account(
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
