//! The HTML of the sign-in, consent, device-login and admin-consent pages.
//!
//! Every page is self-contained: inline CSS, no script, no external resource, served with a strict
//! `Content-Security-Policy` (only inline styles; forms may post to the emulator and be redirected to a loopback
//! app). Every value that came from a request is escaped with [`esc`]. The pages are built for people (a demo
//! signs in through them) and for tests, which post the same forms a browser would: each form carries the sign-in
//! request id in a hidden `request` field and names its buttons `action`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
 background:#eef1f5;font:15px/1.45 "Segoe UI",system-ui,-apple-system,Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b1b1b}
main{background:#fff;width:100%;max-width:440px;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.brand{display:flex;align-items:center;gap:10px;font-weight:600;color:#5e5e5e;font-size:14px;line-height:1.3;margin-bottom:20px}
.brand .muted{font-weight:400;font-size:12px}
.logo{display:grid;grid-template-columns:9px 9px;gap:2px}
.logo i{display:block;width:9px;height:9px}
.logo i:nth-child(1){background:#f25022}.logo i:nth-child(2){background:#7fba00}
.logo i:nth-child(3){background:#00a4ef}.logo i:nth-child(4){background:#ffb900}
h1{font-size:24px;font-weight:600;margin:0 0 12px}
p{margin:0 0 12px}
.muted{color:#5e5e5e;font-size:13px}
.app{font-weight:600}
.accounts{list-style:none;margin:16px 0;padding:0;border-top:1px solid #e1e1e1}
.accounts li{border-bottom:1px solid #e1e1e1}
.accounts label{display:flex;align-items:center;gap:12px;padding:12px 4px;cursor:pointer}
.accounts label:hover{background:#f2f2f2}
.accounts input{accent-color:#0067b8}
.avatar{width:36px;height:36px;border-radius:50%;background:#0067b8;color:#fff;display:grid;place-items:center;font-weight:600;flex:none}
.who small{display:block;color:#5e5e5e}
ul.scopes{margin:8px 0 16px;padding-left:20px}
ul.scopes li{margin:4px 0}
.buttons{display:flex;justify-content:flex-end;gap:8px;margin-top:24px}
button{font:inherit;min-width:108px;padding:6px 12px;border:1px solid transparent;cursor:pointer}
button.primary{background:#0067b8;color:#fff}
button.primary:hover{background:#005da6}
button.secondary{background:#cfcfcf;color:#1b1b1b}
button.secondary:hover{background:#bbb}
input[type=text]{font:inherit;width:100%;padding:6px 0;border:0;border-bottom:1px solid #666;outline:none;letter-spacing:2px;text-transform:uppercase}
input[type=text]:focus{border-bottom-color:#0067b8}
.error{color:#e81123;margin:8px 0}
.code{font-family:Consolas,monospace;background:#f2f2f2;padding:8px;word-break:break-all;font-size:13px}
.notice{border-left:4px solid #ffb900;background:#fff8e5;padding:8px 12px;margin:12px 0}
a{color:#0067b8}
"#;

/// `Content-Security-Policy` of every page: nothing loads, inline styles only, forms post to the emulator and
/// may be redirected to a loopback app.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
form-action 'self' http://localhost:* http://127.0.0.1:*; frame-ancestors 'none'; base-uri 'none'";

/// A whole page with the common look, as a response with the security headers.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>{STYLE}</style></head>\
<body><main><div class=\"brand\"><span class=\"logo\"><i></i><i></i><i></i><i></i></span>\
<span>Microsoft identity platform<br><span class=\"muted\">Presently emulator: test accounts only</span></span></div>{body}</main></body></html>\n",
        title = esc(title),
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

/// The error page Entra shows when it cannot send the browser back to the app (unknown tenant or app,
/// redirect URI mismatch, ...): "Sorry, but we're having trouble signing you in." plus the AADSTS line.
pub fn error_page(status: StatusCode, code: u32, message: &str, now: jiff::Timestamp) -> Response {
    let body = format!(
        "<h1>Sorry, but we\u{2019}re having trouble signing you in.</h1>\
<p class=\"error\" id=\"aadsts\">AADSTS{code}: {msg}</p>\
<p class=\"muted\">Request Id: {rid}<br>Correlation Id: {cid}<br>Timestamp: {ts}</p>",
        msg = esc(message),
        rid = uuid::Uuid::new_v4(),
        cid = uuid::Uuid::new_v4(),
        ts = now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    );
    page(status, "Sign in to your account", &body)
}

/// A page with a heading and a paragraph (already escaped HTML allowed in `body_html`).
pub fn message_page(title: &str, heading: &str, body_html: &str) -> Response {
    let body = format!("<h1>{}</h1>{body_html}", esc(heading));
    page(StatusCode::OK, title, &body)
}

/// One account on the picker.
#[derive(Debug, Clone)]
pub struct AccountChoice {
    /// Object id (the form value).
    pub oid: String,
    /// Display name.
    pub name: String,
    pub upn: String,
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// "Pick an account": one radio button per user, `Continue` (action=continue) and `Cancel` (action=deny).
pub fn account_picker(
    form_action: &str,
    request_id: &str,
    app_name: &str,
    accounts: &[AccountChoice],
    preselect: Option<&str>,
) -> Response {
    let mut items = String::new();
    for (i, a) in accounts.iter().enumerate() {
        let checked = match preselect {
            Some(p) => a.oid.eq_ignore_ascii_case(p) || a.upn.eq_ignore_ascii_case(p),
            None => i == 0,
        };
        items.push_str(&format!(
            "<li><label><input type=\"radio\" name=\"user\" value=\"{oid}\"{chk} required>\
<span class=\"avatar\">{ini}</span><span class=\"who\">{name}<small>{upn}</small></span></label></li>",
            oid = esc(&a.oid),
            chk = if checked { " checked" } else { "" },
            ini = esc(&initials(&a.name)),
            name = esc(&a.name),
            upn = esc(&a.upn),
        ));
    }
    let list = if accounts.is_empty() {
        "<p class=\"error\">This directory has no users who can sign in.</p>".to_owned()
    } else {
        format!("<ul class=\"accounts\">{items}</ul>")
    };
    let body = format!(
        "<h1>Pick an account</h1><p>to continue to <span class=\"app\">{app}</span></p>\
<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"request\" value=\"{rid}\">{list}\
<div class=\"buttons\"><button class=\"secondary\" type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Cancel</button>\
<button class=\"primary\" type=\"submit\" name=\"action\" value=\"continue\">Continue</button></div></form>",
        app = esc(app_name),
        action = esc(form_action),
        rid = esc(request_id),
    );
    page(StatusCode::OK, "Sign in to your account", &body)
}

/// "Permissions requested": the scopes to consent to, `Accept` (action=accept) and `Cancel` (action=deny).
/// `for_organization` words it for an administrator consenting for the tenant.
pub fn consent_page(
    form_action: &str,
    request_id: &str,
    app_name: &str,
    upn: &str,
    scopes: &[String],
    for_organization: bool,
) -> Response {
    let list: String = scopes
        .iter()
        .map(|s| {
            format!(
                "<li>{} <span class=\"muted\">({})</span></li>",
                esc(crate::identity::scopes::describe(s)),
                esc(s)
            )
        })
        .collect();
    let org = if for_organization {
        "<p class=\"notice\">Consent on behalf of your organization: everyone in it will be able to use this \
app with these permissions without being asked.</p>"
    } else {
        ""
    };
    let body = format!(
        "<p class=\"muted\">{upn}</p><h1>Permissions requested</h1>\
<p><span class=\"app\">{app}</span> needs permission to:</p><ul class=\"scopes\">{list}</ul>{org}\
<p class=\"muted\">Accepting these permissions means that you allow this app to use your data as specified \
in its terms of service and privacy statement. You can change these permissions later.</p>\
<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"request\" value=\"{rid}\">\
<div class=\"buttons\"><button class=\"secondary\" type=\"submit\" name=\"action\" value=\"deny\">Cancel</button>\
<button class=\"primary\" type=\"submit\" name=\"action\" value=\"accept\">Accept</button></div></form>",
        upn = esc(upn),
        app = esc(app_name),
        action = esc(form_action),
        rid = esc(request_id),
    );
    page(StatusCode::OK, "Permissions requested", &body)
}

/// "Need admin approval" (AADSTS90094): the admin-consent link and `Back to app` (action=back).
pub fn admin_needed_page(
    form_action: &str,
    request_id: &str,
    app_name: &str,
    upn: &str,
    admin_consent_url: &str,
) -> Response {
    let body = format!(
        "<p class=\"muted\">{upn}</p><h1>Need admin approval</h1>\
<p><span class=\"app\">{app}</span> needs permission to access resources in your organization that only an \
admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>\
<p class=\"error\" id=\"aadsts\">AADSTS90094: Admin consent is required for the permissions requested by this application.</p>\
<p>An administrator can grant it here: <a id=\"admin-consent\" href=\"{url}\">{url}</a></p>\
<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"request\" value=\"{rid}\">\
<div class=\"buttons\"><button class=\"primary\" type=\"submit\" name=\"action\" value=\"back\">Back to app</button></div></form>",
        upn = esc(upn),
        app = esc(app_name),
        url = esc(admin_consent_url),
        action = esc(form_action),
        rid = esc(request_id),
    );
    page(StatusCode::OK, "Need admin approval", &body)
}

/// The device-login page: "Enter code", with an optional error line.
pub fn device_code_entry(error: Option<&str>) -> Response {
    let err = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>{err}\
<form method=\"post\" action=\"/devicelogin\"><input type=\"text\" name=\"otc\" placeholder=\"Code\" \
autocomplete=\"off\" autofocus required maxlength=\"32\" aria-label=\"Code\">\
<div class=\"buttons\"><button class=\"primary\" type=\"submit\">Next</button></div></form>"
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(status, "Enter code", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn initials_take_the_first_letters_of_two_words() {
        assert_eq!(initials("Adele Vance"), "AV");
        assert_eq!(initials("x"), "X");
        assert_eq!(initials(""), "");
    }
}
