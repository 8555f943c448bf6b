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

pub use presently_testkit::pages::Choice;

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
        let result = presently_testkit::pages::walk_pages(self.choice, url).await;
        {
            let mut run = self.run.lock().unwrap();
            match result {
                Ok(walk) => {
                    run.forged = walk.forged;
                    run.redirect = walk.redirect;
                    run.final_page = walk.final_page;
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

/// A person at another device on `/devicelogin` (see [`presently_testkit::pages::device_login`]).
pub async fn device_login(base: &str, user_code: &str, approve: bool) -> String {
    presently_testkit::pages::device_login(base, user_code, approve)
        .await
        .unwrap()
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
