//! A person on the emulator's sign-in pages, played over HTTP: the account picker, consent, "Need admin approval",
//! the device-code page, and the redirect back to the app's loopback listener. The client's tests use it wherever
//! a real browser would click (auth's browser sign-in, the CLI's `login`).

use url::Url;

/// What the person does on the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Pick the first account and accept any consent screen.
    Approve,
    /// Press Cancel on the first page.
    Decline,
    /// Approve, but change `state` in the redirect before following it.
    TamperState,
    /// Do nothing (the person walked away).
    Ignore,
    /// On "Need admin approval", press "Back to app".
    BackFromAdminPage,
    /// Approve, but before following the redirect send forged ones to the loopback listener, as another local
    /// process or web page that found the port could: answers with a wrong `state` or none.
    ForgeFirst,
    /// Approve, and follow the redirect to `[::1]` instead of `localhost` (a browser trying IPv6 first).
    ViaIpv6,
}

/// The forged redirects [`Choice::ForgeFirst`] sends, as query strings of `/`.
pub const FORGED: [&str; 5] = [
    "error=access_denied",
    "error=access_denied&state=not-the-state",
    "code=forged-code&state=not-the-state",
    "code=forged-code",
    "state=not-the-state",
];

/// What the person went through.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// The loopback redirect followed (it carries the authorization code or the error).
    pub redirect: Option<Url>,
    /// The loopback page's HTTP status and body.
    pub final_page: Option<(u16, String)>,
    /// The loopback listener's answers (status, page) to the [`FORGED`] redirects, in order.
    pub forged: Vec<(u16, String)>,
    /// The emulator's pages on the way (HTML), for diagnostics.
    pub pages: Vec<String>,
}

/// An HTTP client for tests: no redirects followed (the walk follows them itself), no proxy (loopback only).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap_or_else(|e| panic!("an HTTP client for the test: {e}"))
}

/// The value of `<input ... name="NAME" value="V">` (first match).
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

fn form_action(html: &str) -> Option<String> {
    let needle = "<form method=\"post\" action=\"";
    let start = html.find(needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

fn has_button(html: &str, value: &str) -> bool {
    html.contains(&format!("name=\"action\" value=\"{value}\""))
}

/// A page's text without its tags, for a message.
pub fn strip(html: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                out.push(' ');
            }
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Follows the emulator's pages from the authorize `url`, making `choice`, until the redirect to the loopback
/// listener has been followed. An error says what was unexpected on the way.
pub async fn walk_pages(choice: Choice, url: Url) -> Result<Walk, String> {
    let http = http();
    let mut walk = Walk::default();
    let mut response = http.get(url.clone()).send().await.map_err(|e| e.to_string())?;
    let mut base = url;
    for _ in 0..8 {
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or("redirect without Location")?;
            let mut target = base.join(location).map_err(|e| e.to_string())?;
            if target.host_str() == Some("localhost") {
                if choice == Choice::TamperState {
                    let pairs: Vec<(String, String)> = target
                        .query_pairs()
                        .map(|(k, v)| {
                            let v = if k == "state" {
                                format!("{v}x")
                            } else {
                                v.into_owned()
                            };
                            (k.into_owned(), v)
                        })
                        .collect();
                    target.query_pairs_mut().clear().extend_pairs(pairs);
                }
                if choice == Choice::ForgeFirst {
                    for query in FORGED {
                        let mut fake = target.clone();
                        fake.set_query(Some(query));
                        let page = http.get(fake).send().await.map_err(|e| e.to_string())?;
                        let status = page.status().as_u16();
                        walk.forged
                            .push((status, page.text().await.map_err(|e| e.to_string())?));
                    }
                }
                if choice == Choice::ViaIpv6 {
                    target.set_host(Some("[::1]")).map_err(|e| e.to_string())?;
                }
                let page = http.get(target.clone()).send().await.map_err(|e| e.to_string())?;
                let status = page.status().as_u16();
                walk.final_page = Some((status, page.text().await.map_err(|e| e.to_string())?));
                walk.redirect = Some(target);
                return Ok(walk);
            }
            base = target.clone();
            response = http.get(target).send().await.map_err(|e| e.to_string())?;
            continue;
        }
        let status = response.status().as_u16();
        let html = response.text().await.map_err(|e| e.to_string())?;
        walk.pages.push(html.clone());
        let Some(action) = form_action(&html) else {
            return Err(format!("a page without a form (HTTP {status}): {}", strip(&html)));
        };
        let request = input_value(&html, "request").ok_or("no request id on the page")?;
        let mut form = vec![("request".to_owned(), request)];
        let pressed = if choice == Choice::Decline {
            "deny"
        } else if has_button(&html, "continue") {
            let user = input_value(&html, "user").ok_or("no account to pick")?;
            form.push(("user".into(), user));
            "continue"
        } else if has_button(&html, "accept") {
            "accept"
        } else if has_button(&html, "back") {
            if choice != Choice::BackFromAdminPage {
                return Err("the admin-approval page appeared".into());
            }
            "back"
        } else {
            return Err(format!("no known button: {}", strip(&html)));
        };
        form.push(("action".into(), pressed.into()));
        let target = base.join(&action).map_err(|e| e.to_string())?;
        base = target.clone();
        response = http
            .post(target)
            .form(&form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
    }
    Err("too many pages".into())
}

/// A person at another device: types `user_code` on `/devicelogin`, picks the first account, and accepts (or
/// cancels when `approve` is false). Returns the last page's text; an error when the code was not taken.
pub async fn device_login(base: &str, user_code: &str, approve: bool) -> Result<String, String> {
    let http = http();
    let base = Url::parse(base).map_err(|e| e.to_string())?;
    let page = |path: &str| base.join(path).map_err(|e| e.to_string());
    let mut response = http
        .post(page("/devicelogin")?)
        .form(&[("otc", user_code)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    for _ in 0..4 {
        let html = response.text().await.map_err(|e| e.to_string())?;
        let Some(action) = form_action(&html) else {
            return Ok(strip(&html));
        };
        if action == "/devicelogin" {
            return Err(format!("the code was not taken: {}", strip(&html)));
        }
        let request = input_value(&html, "request").ok_or("no request id on the page")?;
        let mut form = vec![("request".to_owned(), request)];
        if !approve {
            form.push(("action".into(), "deny".into()));
        } else if has_button(&html, "continue") {
            let user = input_value(&html, "user").ok_or("no account to pick")?;
            form.push(("user".into(), user));
            form.push(("action".into(), "continue".into()));
        } else {
            form.push(("action".into(), "accept".into()));
        }
        response = http
            .post(page(&action)?)
            .form(&form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
    }
    Err("device login did not end".into())
}
