//! A harness that runs Presently's core against the emulator on **one** virtual clock: the emulator's clock
//! reads tokio's time, and the keeper's wall clock reads the emulator's, so a test under `start_paused` tokio time
//! lives through hours or days in seconds, and `advance_wall` makes the wall clock jump alone (a laptop that
//! slept). Used by the keeper's end-to-end tests and the request-economy benchmark. Shared test helpers may
//! depend on both the emulator and the client; neither depends on this.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a harness failure must fail the test loudly

pub mod pages;
pub mod proxy;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use presently_auth::{CancellationToken, Clock, MemoryStore, StoreChoice, TokenStore};
use presently_core::Services;
use presently_core::config::{Locations, Overrides, Settings};
use presently_core::keeper::{Keeper, KeeperConfig, Snapshot};
use presently_emulator::log::{LogEntry, Service};
use presently_emulator::world::AppState;
use presently_emulator::{Emulator, EmulatorConfig, Seed};

/// The emulator's virtual clock seen through the client's [`Clock`] trait.
#[derive(Debug, Clone)]
pub struct EmulatorClock(pub AppState);

impl Clock for EmulatorClock {
    fn now(&self) -> Timestamp {
        self.0.clock.now()
    }
}

/// An emulator, a signed-in core, and a running keeper.
pub struct Harness {
    /// The emulator (auto-approving sign-ins as its first user).
    pub emulator: Emulator,
    /// The signed-in user's object id.
    pub oid: String,
    /// The running keeper.
    pub keeper: Keeper,
    pub task: tokio::task::JoinHandle<()>,
    /// Sign-in and Graph clients.
    pub services: Services,
    store: Arc<dyn TokenStore>,
    settings: Settings,
    /// Data folder of the keeper (its `keeper.json`).
    pub data_dir: tempfile::TempDir,
    _config_dir: tempfile::TempDir,
}

impl Harness {
    /// Starts the emulator with the default seed, signs in by device code, and starts a keeper.
    pub async fn start() -> Self {
        Self::start_with(Seed::default()).await
    }

    /// As [`Harness::start`] with another seed (e.g. other lifetimes).
    pub async fn start_with(seed: Seed) -> Self {
        Self::start_with_store(seed, Arc::new(MemoryStore::default())).await
    }

    /// As [`Harness::start_with`], keeping the tokens in `store`.
    pub async fn start_with_store(seed: Seed, store: Arc<dyn TokenStore>) -> Self {
        let emulator = Emulator::start(EmulatorConfig {
            seed,
            auto_approve: Some(None),
            ..Default::default()
        })
        .await
        .expect("emulator starts");
        let config_dir = tempfile::tempdir().unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        let locations = Locations {
            user: config_dir.path().join("settings.toml"),
            managed: config_dir.path().join("managed.toml"),
        };
        let base = emulator.base_url().to_string();
        let overrides = Overrides {
            login_url: Some(base.clone()),
            graph_url: Some(base),
            ..Default::default()
        };
        let settings = Settings::load(&locations, &|_| None, &overrides).expect("settings");
        let services = services(&settings, &emulator, store.clone());
        let account = services
            .tokens
            .sign_in_with_device_code(|_prompt| {}, &CancellationToken::new())
            .await
            .expect("device-code sign-in against the auto-approving emulator");
        let (keeper, task) = Keeper::spawn(&services, keeper_config(data_dir.path()));
        let harness = Self {
            emulator,
            oid: account.oid,
            keeper,
            task,
            services,
            store,
            settings,
            data_dir,
            _config_dir: config_dir,
        };
        harness.settle().await;
        harness
    }

    /// Stops the keeper as if the process were killed (no goodbye) and starts a fresh one on the same token
    /// store and state file, as a restarted Presently would.
    pub async fn kill_and_restart(&mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
        self.services = services(&self.settings, &self.emulator, self.store.clone());
        let (keeper, task) = Keeper::spawn(&self.services, keeper_config(self.data_dir.path()));
        self.keeper = keeper;
        self.task = task;
        self.settle().await;
    }

    /// Signs in again by device code (auto-approved) through the same token manager, and tells the keeper.
    pub async fn sign_in_again(&self) {
        self.services
            .tokens
            .sign_in_with_device_code(|_| {}, &CancellationToken::new())
            .await
            .expect("signs in again");
        self.keeper.sign_in_changed().expect("the keeper runs");
    }

    /// Starts and keeps `status` "until I change it", chosen in the popup, once Graph shows it with no problem.
    pub async fn keeping(status: presently_model::PreferredPresence) -> Self {
        use presently_core::keeper::Agreement;
        use presently_model::{DurationChoice, Origin, Preset};
        let h = Self::start().await;
        h.keeper
            .choose(
                status,
                &DurationChoice::Preset(Preset::UntilChanged),
                Origin::Popup,
            )
            .expect("the keeper runs");
        h.wait_for(Duration::from_secs(60), |s| {
            s.intent.is_some_and(|i| i.status == status)
                && s.agreement == Agreement::Matches
                && s.problem.is_none()
        })
        .await;
        h
    }

    /// Lets the keeper finish what is due now (a few virtual seconds: writes, read-back).
    pub async fn settle(&self) {
        tokio::time::sleep(Duration::from_secs(5)).await;
    }

    /// Waits (in virtual time) until a snapshot satisfies `pred`, at most `limit`.
    pub async fn wait_for(&self, limit: Duration, pred: impl Fn(&Snapshot) -> bool) -> Snapshot {
        let mut rx = self.keeper.subscribe();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let snap = rx.borrow_and_update().clone();
            if pred(&snap) {
                return snap;
            }
            if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
                panic!("condition not met within {limit:?}; last snapshot: {snap:#?}");
            }
        }
    }

    /// What colleagues see now, as the emulator computes it: `(availability, activity)`.
    pub fn effective(&self) -> (String, String) {
        let now = self.emulator.clock().now();
        let pair = self.emulator.state().world().presence.effective(&self.oid, now);
        (
            pair.availability.as_str().to_string(),
            pair.activity.as_str().to_string(),
        )
    }

    /// The emulator's presence view of the user (pin, sessions, expiries) as JSON.
    pub fn presence_view(&self) -> serde_json::Value {
        let now = self.emulator.clock().now();
        serde_json::to_value(self.emulator.state().world().presence.view(&self.oid, now)).unwrap()
    }

    /// Identity and Graph requests logged so far.
    pub fn requests(&self) -> Vec<LogEntry> {
        self.emulator
            .state()
            .world()
            .log
            .since(0)
            .filter(|e| matches!(e.service, Service::Identity | Service::Graph))
            .cloned()
            .collect()
    }

    /// Moves the wall clock forward without moving tokio's monotonic time: the computer slept for `by`.
    pub fn advance_wall(&self, by: Duration) {
        self.emulator.clock().advance(by);
    }

    /// The emulator's base URL.
    pub fn base_url(&self) -> String {
        self.emulator.base_url().to_string()
    }

    /// POSTs JSON to the emulator's control API.
    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let response = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base_url()))
            .json(&body)
            .send()
            .await
            .expect("control API answers");
        let status = response.status();
        let value = response
            .json::<serde_json::Value>()
            .await
            .unwrap_or(serde_json::Value::Null);
        assert!(status.is_success(), "control {path} → {status}: {value}");
        value
    }
}

/// A "browser" that fetches the sign-in URL and follows its redirects: against an auto-approving emulator this
/// lands on the loopback listener with a code, like a person clicking through.
#[derive(Debug, Clone, Default)]
pub struct FollowingBrowser;

impl presently_auth::BrowserOpener for FollowingBrowser {
    fn open(&self, url: &reqwest::Url) -> Result<(), String> {
        let url = url.clone();
        tokio::spawn(async move {
            let _ = reqwest::Client::new().get(url).send().await;
        });
        Ok(())
    }
}

/// Starts the whole core facade against `emulator`, on its clock, with tokens in memory, settings and state in
/// `dir`, signing in through [`FollowingBrowser`].
pub async fn start_presently(emulator: &Emulator, dir: &std::path::Path) -> presently_core::Presently {
    let base = emulator.base_url().to_string();
    let options = presently_core::StartOptions {
        locations: Locations {
            user: dir.join("settings.toml"),
            managed: dir.join("managed.toml"),
        },
        overrides: Overrides {
            login_url: Some(base.clone()),
            graph_url: Some(base),
            ..Default::default()
        },
        env: |_| None,
        data_dir: dir.to_path_buf(),
        clock: Some(Arc::new(EmulatorClock(emulator.state().clone()))),
        store: Some(StoreChoice {
            store: Arc::new(MemoryStore::default()),
            place: presently_auth::StorePlace::memory(),
        }),
        browser: Some(Arc::new(FollowingBrowser)),
    };
    presently_core::Presently::start(options)
        .await
        .expect("the core starts")
}

/// A core on an emulator that approves sign-ins at once, served on a private IPC endpoint: what the popup and
/// the CLI talk to. Dropping it stops the server and the emulator and removes the folder.
pub struct ServedCore {
    /// The IPC server (its endpoint is where clients connect).
    pub server: presently_core::ipc::IpcServer,
    pub presently: presently_core::Presently,
    /// Its settings, state and socket folder.
    pub dir: tempfile::TempDir,
    /// Microsoft's side.
    pub emulator: Emulator,
}

/// Starts a [`ServedCore`].
pub async fn served_core() -> ServedCore {
    let emulator = Emulator::start(EmulatorConfig {
        auto_approve: Some(None),
        ..Default::default()
    })
    .await
    .expect("the emulator starts");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let presently = start_presently(&emulator, dir.path()).await;
    let server = presently_core::ipc::serve(presently.clone(), test_endpoint(dir.path()))
        .await
        .expect("the IPC server starts");
    ServedCore {
        server,
        presently,
        dir,
        emulator,
    }
}

fn services(settings: &Settings, emulator: &Emulator, store: Arc<dyn TokenStore>) -> Services {
    let clock: Arc<dyn Clock> = Arc::new(EmulatorClock(emulator.state().clone()));
    let choice = StoreChoice {
        store,
        place: presently_auth::StorePlace::memory(),
    };
    Services::new(settings, clock, choice).expect("services")
}

fn keeper_config(dir: &std::path::Path) -> KeeperConfig {
    KeeperConfig {
        data_dir: dir.to_path_buf(),
        zone: presently_core::keeper::LocalZone::Fixed(jiff::tz::TimeZone::UTC),
        week: presently_model::WorkWeek::default(),
        hour_cycle: presently_core::hour_cycle::HourCycle::H23,
    }
}

/// A private IPC endpoint for one test, named after its temporary folder `dir` (unique): a socket inside it on
/// Unix; on Windows a named pipe, since pipes live in their own namespace (`\\.\pipe\`), not in folders.
pub fn test_endpoint(dir: &std::path::Path) -> presently_core::ipc::Endpoint {
    if cfg!(windows) {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        presently_core::ipc::Endpoint::at(format!(r"\\.\pipe\presently-test-{name}"))
    } else {
        presently_core::ipc::Endpoint::at(dir.join("keeper.sock"))
    }
}
