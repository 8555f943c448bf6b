//! `GET /{tenant}/oauth2/v2.0/logout`: the emulator keeps no browser session, so this only shows a page or
//! returns to a loopback `post_logout_redirect_uri`.

use super::*;

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
