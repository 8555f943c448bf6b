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
//!
//! One file per flow: `code_flow` (`/authorize`), `device_login`, `admin_consent`, `logout`, and `decide` (the
//! form their pages post to); `finish` holds the steps after an account is picked, which every flow shares.
//! This file keeps the helpers they all use.

mod admin_consent;
mod code_flow;
mod decide;
mod device_login;
mod finish;
mod logout;

pub use admin_consent::admin_consent;
pub use code_flow::authorize;
pub use decide::{decide, decide_in_tenant};
pub use device_login::{device_login_page, device_login_submit};
pub use logout::logout;

use finish::{admin_consent_granted, auto_complete, complete, deny, needs_admin, step_after_account};

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
use super::locked::{Changes, locked};
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

impl Changes for Outcome {
    fn changed(&self) -> bool {
        self.changed
    }
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

/// A sign-in page refusing the request (400, with its AADSTS code), shown in the browser instead of a redirect
/// to the app.
fn page_error(code: u32, message: &str, now: Timestamp) -> Outcome {
    Outcome::plain(html::error_page(StatusCode::BAD_REQUEST, code, message, now))
}

/// The tenant and the registered client a sign-in or admin-consent page is for, or the page refusing it:
/// unknown tenant (AADSTS90002), no `client_id` (900144), app not in that tenant (700016).
fn tenant_and_client<'p>(
    world: &World,
    now: Timestamp,
    tenant: &str,
    params: &'p std::collections::HashMap<String, String>,
) -> Result<(TenantSel, &'p str, crate::seed::Client), Box<Outcome>> {
    let refuse = |code: u32, msg: String| Box::new(page_error(code, &msg, now));
    let Some(sel) = TenantSel::resolve(world, tenant) else {
        return Err(refuse(90002, tenant_not_found(tenant)));
    };
    let Some(client_id) = nonempty(params, "client_id") else {
        return Err(refuse(
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        ));
    };
    let Some(client) = client_for(world, &sel, client_id).cloned() else {
        return Err(refuse(700016, app_not_found(client_id, &directory_name(&sel))));
    };
    Ok((sel, client_id, client))
}
