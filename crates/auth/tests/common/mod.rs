//! Shared harness for the auth crate's tests against the emulator: start it on 127.0.0.1:0, a fake browser that
//! follows the emulator's sign-in pages over HTTP as a person would, the device-login page driver, and request-log
//! helpers. Only loopback addresses are ever contacted.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use presently_auth::{AuthClient, AuthConfig, BrowserOpener, TokioClock};
use presently_emulator::{Clock, Emulator, EmulatorConfig, Seed};
use tokio::sync::Notify;
use url::Url;

/// The fixed virtual start of every test's clocks.
pub fn t0() -> Timestamp {
    Timestamp::from_second(1_900_000_000).unwrap()
}

/// Starts an emulator whose clock reads `t0()` and then follows tokio's (pausable) time.
pub async fn emulator_with(seed: Seed, auto_approve: bool) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed,
        auto_approve: auto_approve.then_some(None),
        clock: Some(Clock::starting_at(t0())),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Starts an emulator with the default seed.
pub async fn emulator(auto_approve: bool) -> Emulator {
    emulator_with(Seed::default(), auto_approve).await
}

/// An HTTP client for tests: no redirects followed, no proxy (loopback only).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// An [`AuthClient`] aimed at `base` whose clock reads `t0()` and follows tokio's time, like the emulator's.
pub fn client_for(base: &str) -> AuthClient {
    client_with(AuthConfig::with_login_base(base))
}

/// An [`AuthClient`] for `config`.
pub fn client_with(config: AuthConfig) -> AuthClient {
    AuthClient::new(config, http(), Arc::new(TokioClock::starting_at(t0()))).unwrap()
}

/// The default seed's first user (Adele Vance).
pub fn first_user() -> presently_emulator::seed::User {
    Seed::default().users[0].clone()
}

/// What the fake browser does on the emulator's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// What the fake browser saw.
#[derive(Debug, Default, Clone)]
pub struct BrowserRun {
    /// The authorize URL it was asked to open.
    pub opened: Option<Url>,
    /// The loopback redirect URL (with the code) it followed.
    pub redirect: Option<Url>,
    /// The loopback page's HTTP status and body.
    pub final_page: Option<(u16, String)>,
    /// Something unexpected on the way.
    pub error: Option<String>,
    /// The loopback listener's answers (status, page) to the [`FORGED`] redirects, in order.
    pub forged: Vec<(u16, String)>,
}

/// A browser that follows the emulator's pages over HTTP, on its own task, as a person clicking would.
#[derive(Clone)]
pub struct FakeBrowser {
    choice: Choice,
    run: Arc<Mutex<BrowserRun>>,
    done: Arc<Notify>,
}

impl FakeBrowser {
    /// A browser that will make `choice`.
    pub fn new(choice: Choice) -> Self {
        Self {
            choice,
            run: Arc::new(Mutex::new(BrowserRun::default())),
            done: Arc::new(Notify::new()),
        }
    }

    /// What it saw so far.
    pub fn run(&self) -> BrowserRun {
        self.run.lock().unwrap().clone()
    }

    /// Waits until it has finished its walk.
    pub async fn finished(&self) -> BrowserRun {
        loop {
            let notified = self.done.notified();
            {
                let run = self.run.lock().unwrap();
                if run.final_page.is_some() || run.error.is_some() {
                    return run.clone();
                }
            }
            notified.await;
        }
    }

    async fn walk(self, url: Url) {
        let result = walk_pages(&self.choice, url).await;
        {
            let mut run = self.run.lock().unwrap();
            match result {
                Ok((redirect, page, forged)) => {
                    run.forged = forged;
                    run.redirect = redirect;
                    run.final_page = page;
                    if run.final_page.is_none() && self.choice != Choice::Ignore {
                        run.error = Some("no final page".into());
                    }
                }
                Err(e) => run.error = Some(e),
            }
        }
        self.done.notify_waiters();
    }
}

impl BrowserOpener for FakeBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        self.run.lock().unwrap().opened = Some(url.clone());
        if self.choice != Choice::Ignore {
            tokio::spawn(self.clone().walk(url.clone()));
        }
        Ok(())
    }
}

/// A browser that cannot open anything.
pub struct BrokenBrowser;

impl BrowserOpener for BrokenBrowser {
    fn open(&self, _url: &Url) -> Result<(), String> {
        Err("no display".into())
    }
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

type Walked = (Option<Url>, Option<(u16, String)>, Vec<(u16, String)>);

async fn walk_pages(choice: &Choice, url: Url) -> Result<Walked, String> {
    let http = http();
    let mut response = http.get(url.clone()).send().await.map_err(|e| e.to_string())?;
    let mut base = url;
    for _ in 0..6 {
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or("redirect without Location")?;
            let mut target = base.join(location).map_err(|e| e.to_string())?;
            if target.host_str() == Some("localhost") {
                if *choice == Choice::TamperState {
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
                let mut forged = Vec::new();
                if *choice == Choice::ForgeFirst {
                    for query in FORGED {
                        let mut fake = target.clone();
                        fake.set_query(Some(query));
                        let page = http.get(fake).send().await.map_err(|e| e.to_string())?;
                        let status = page.status().as_u16();
                        forged.push((status, page.text().await.map_err(|e| e.to_string())?));
                    }
                }
                if *choice == Choice::ViaIpv6 {
                    target.set_host(Some("[::1]")).map_err(|e| e.to_string())?;
                }
                let page = http.get(target.clone()).send().await.map_err(|e| e.to_string())?;
                let status = page.status().as_u16();
                let body = page.text().await.map_err(|e| e.to_string())?;
                return Ok((Some(target), Some((status, body)), forged));
            }
            base = target.clone();
            response = http.get(target).send().await.map_err(|e| e.to_string())?;
            continue;
        }
        let status = response.status().as_u16();
        let html = response.text().await.map_err(|e| e.to_string())?;
        let Some(action) = form_action(&html) else {
            return Err(format!("a page without a form (HTTP {status}): {}", strip(&html)));
        };
        let request = input_value(&html, "request").ok_or("no request id on the page")?;
        let mut form = vec![("request".to_owned(), request)];
        let pressed = if *choice == Choice::Decline {
            "deny"
        } else if has_button(&html, "continue") {
            let user = input_value(&html, "user").ok_or("no account to pick")?;
            form.push(("user".into(), user));
            "continue"
        } else if has_button(&html, "accept") {
            "accept"
        } else if has_button(&html, "back") {
            if *choice != Choice::BackFromAdminPage {
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

fn strip(html: &str) -> String {
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

/// A person at another device: types `user_code` on `/devicelogin`, picks the first account, and accepts
/// (or cancels when `approve` is false). Returns the last page's text.
pub async fn device_login(base: &str, user_code: &str, approve: bool) -> String {
    let http = http();
    let base = Url::parse(base).unwrap();
    let mut response = http
        .post(base.join("/devicelogin").unwrap())
        .form(&[("otc", user_code)])
        .send()
        .await
        .unwrap();
    for _ in 0..4 {
        let html = response.text().await.unwrap();
        let Some(action) = form_action(&html) else {
            return strip(&html);
        };
        if action == "/devicelogin" {
            return strip(&html);
        }
        let request = input_value(&html, "request").unwrap();
        let mut form = vec![("request".to_owned(), request)];
        if !approve {
            form.push(("action".into(), "deny".into()));
        } else if has_button(&html, "continue") {
            form.push(("user".into(), input_value(&html, "user").unwrap()));
            form.push(("action".into(), "continue".into()));
        } else {
            form.push(("action".into(), "accept".into()));
        }
        response = http
            .post(base.join(&action).unwrap())
            .form(&form)
            .send()
            .await
            .unwrap();
    }
    panic!("device login did not end");
}

/// Requests of `kind` (grant type, e.g. `refresh_token`) in the emulator's request log, with their statuses.
pub fn logged(emulator: &Emulator, kind: &str) -> Vec<u16> {
    emulator
        .state()
        .world()
        .log
        .since(0)
        .filter(|e| e.kind.as_deref() == Some(kind))
        .map(|e| e.status)
        .collect()
}

/// Injects an identity-platform error on the next `count` token requests, through the control API.
pub async fn inject_identity_error(base: &str, code: u32, count: u32, retry_after: Option<u64>) {
    let mut fault = serde_json::json!({"kind": "identityError", "code": code});
    if let Some(s) = retry_after {
        fault["retryAfter"] = s.into();
    }
    let resp = http()
        .post(format!("{base}/_emulator/faults"))
        .json(&serde_json::json!({
            "path": "/organizations/oauth2/v2.0/token",
            "method": "POST",
            "count": count,
            "fault": fault,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
}

/// Calls Graph's `GET /v1.0/me` with `token` and returns the status.
pub async fn graph_me(base: &str, token: &presently_auth::AccessToken) -> u16 {
    http()
        .get(format!("{base}/v1.0/me"))
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Lets spawned tasks run without moving paused time.
pub async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// A short real-time bound for things that must already have happened.
pub const SOON: Duration = Duration::from_secs(10);
