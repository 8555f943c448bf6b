//! [`Presently`]: the application core behind every view. The tray process, the popup (over the local IPC), the
//! `presently run` daemon and the CLI all go through it, so a click, a hotkey and a typed command behave the
//! same. It loads the settings, builds the sign-in and Graph clients, runs the keeper, and runs sign-in flows.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use presently_auth::{
    BrowserOpener, BrowserSignIn, CancellationToken, Clock, DeviceCodePrompt, StoreChoice, SystemBrowser,
    SystemClock,
};
use presently_model::{DurationChoice, Intent, Origin, PreferredPresence};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use ts_rs::TS;

use crate::config::hotkeys::HotkeyReport;
use crate::config::{Locations, OnQuit, Overrides, Settings};
use crate::keeper::{Keeper, KeeperConfig, KeeperEvent, Snapshot};
use crate::problem::{Problem, ProblemKind};
use crate::services::Services;

/// How to start the core.
pub struct StartOptions {
    /// Where the settings files are.
    pub locations: Locations,
    /// Command-line overrides.
    pub overrides: Overrides,
    /// Reads environment variables (`PRESENTLY_*`).
    pub env: fn(&str) -> Option<String>,
    /// Token store and keeper state folder.
    pub data_dir: PathBuf,
    /// The wall clock; the system's when `None` (tests inject a virtual one).
    pub clock: Option<Arc<dyn Clock>>,
    /// The token store; chosen at run time (credential store, else a file, saying so) when `None`.
    pub store: Option<StoreChoice>,
    /// Opens the sign-in page; the system browser when `None`.
    pub browser: Option<Arc<dyn BrowserOpener>>,
}

impl std::fmt::Debug for StartOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartOptions")
            .field("locations", &self.locations)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

/// How to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SignInMethod {
    /// Authorization code + PKCE in the system browser (contract §5).
    Browser,
    /// A code typed on another device (fallback; Conditional Access may block it).
    DeviceCode,
}

/// The device-code prompt as views show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeView {
    /// Microsoft's own sentence.
    pub message: String,
    /// The code to type.
    pub user_code: String,
    /// Where to type it.
    pub verification_uri: String,
    /// When the code stops working.
    #[ts(type = "string")]
    pub expires_at: jiff::Timestamp,
}

impl From<DeviceCodePrompt> for DeviceCodeView {
    fn from(p: DeviceCodePrompt) -> Self {
        Self {
            message: p.message,
            user_code: p.user_code,
            verification_uri: p.verification_uri,
            expires_at: p.expires_at,
        }
    }
}

/// Something views react to, besides the state snapshot (which comes from [`Presently::subscribe`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "type", content = "data")]
pub enum AppEvent {
    /// A notable moment of the keeper (for notifications).
    Keeper(KeeperEvent),
    /// A device-code sign-in started: show this.
    DeviceCode(DeviceCodeView),
    /// A sign-in ended.
    SignInFinished {
        /// Whether it worked.
        ok: bool,
        /// Why not.
        problem: Option<Problem>,
    },
    SettingsChanged,
    /// The main process asks a lingering popup to show itself.
    ShowPopup,
    /// Someone asked the app to quit (the window's Quit when there is no tray menu): the tray process quits as
    /// its menu's Quit does.
    Quit,
}

struct Inner {
    settings: Mutex<Settings>,
    services: Services,
    keeper: Keeper,
    events: broadcast::Sender<AppEvent>,
    sign_in: Mutex<Option<CancellationToken>>,
    browser: Arc<dyn BrowserOpener>,
    locations: Locations,
    overrides: Overrides,
    env: fn(&str) -> Option<String>,
    hotkeys: Mutex<HotkeyReport>,
    reports: crate::diagnostics::SelfReports,
}

/// The application core. Cheap to clone.
#[derive(Clone)]
pub struct Presently {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Presently {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presently").finish_non_exhaustive()
    }
}

/// While the credential store does not answer (often a keyring unlocked a moment after login), asks it again,
/// soon at first and then every minute; once it answers, the keeper reloads the sign-in, which may have been
/// saved there in an earlier run.
async fn wait_for_credential_store(tokens: Arc<presently_auth::TokenManager>, keeper: Keeper) {
    let mut wait = std::time::Duration::from_secs(2);
    loop {
        tokio::time::sleep(wait).await;
        if tokens.retry_store().await {
            tracing::info!("the credential store answers now; reloading the sign-in");
            let _ = keeper.sign_in_changed();
            return;
        }
        wait = (wait * 2).min(std::time::Duration::from_secs(60));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Presently {
    /// Loads the settings, builds the clients and starts the keeper on the current tokio runtime.
    pub async fn start(options: StartOptions) -> Result<Self, Problem> {
        let settings = Settings::load(&options.locations, &options.env, &options.overrides)
            .map_err(|e| Problem::new(ProblemKind::Configuration, e.to_string()))?;
        let clock = options.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let store = match options.store {
            Some(store) => store,
            None => {
                let dir = options.data_dir.clone();
                let preference = settings.token_store.value;
                tokio::task::spawn_blocking(move || {
                    presently_auth::choose_store(&dir, presently_auth::store::DEFAULT_SERVICE, preference)
                })
                .await
                .map_err(|e| {
                    Problem::new(
                        ProblemKind::Internal,
                        format!("choosing the token store failed: {e}"),
                    )
                })?
            }
        };
        let services = Services::new(&settings, clock, store)?;
        let (keeper, _task) = Keeper::spawn(
            &services,
            KeeperConfig {
                data_dir: options.data_dir,
                zone: crate::keeper::LocalZone::System,
                week: settings.work_week(),
                hour_cycle: crate::hour_cycle::HourCycle::of_this_user(),
            },
        );
        if services.tokens.store_waiting() {
            tokio::spawn(wait_for_credential_store(services.tokens.clone(), keeper.clone()));
        }
        let (events, _) = broadcast::channel(64);
        // Forward the keeper's notable moments as app events.
        let mut keeper_events = keeper.events();
        let forward = events.clone();
        tokio::spawn(async move {
            while let Some(event) = crate::listen::next(&mut keeper_events).await {
                let _ = forward.send(AppEvent::Keeper(event));
            }
        });
        Ok(Self {
            inner: Arc::new(Inner {
                settings: Mutex::new(settings),
                services,
                keeper,
                events,
                sign_in: Mutex::new(None),
                browser: options.browser.unwrap_or_else(|| Arc::new(SystemBrowser)),
                locations: options.locations,
                overrides: options.overrides,
                env: options.env,
                hotkeys: Mutex::new(HotkeyReport::default()),
                reports: crate::diagnostics::SelfReports::default(),
            }),
        })
    }

    /// The latest state.
    pub fn snapshot(&self) -> Snapshot {
        self.inner.keeper.snapshot()
    }

    /// Every state from now on.
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.inner.keeper.subscribe()
    }

    /// Events from now on.
    pub fn events(&self) -> broadcast::Receiver<AppEvent> {
        self.inner.events.subscribe()
    }

    /// Sends an event to every listener (e.g. [`AppEvent::ShowPopup`]).
    pub fn announce(&self, event: AppEvent) {
        let _ = self.inner.events.send(event);
    }

    pub fn keeper(&self) -> &Keeper {
        &self.inner.keeper
    }

    /// The sign-in and Graph clients.
    pub fn services(&self) -> &Services {
        &self.inner.services
    }

    /// Keeps `status` (`busy`, `dnd`, ...) for `duration` (`1h`, `eod`, `forever`, `90m`, `until 17:30`).
    pub fn choose(&self, status: &str, duration: &str, origin: Origin) -> Result<Intent, Problem> {
        let status = PreferredPresence::from_str(status).map_err(invalid)?;
        let duration = DurationChoice::from_str(duration).map_err(invalid)?;
        self.choose_parsed(status, &duration, origin)
    }

    /// As [`Presently::choose`] with parsed values.
    pub fn choose_parsed(
        &self,
        status: PreferredPresence,
        duration: &DurationChoice,
        origin: Origin,
    ) -> Result<Intent, Problem> {
        self.inner
            .keeper
            .choose(status, duration, origin)
            .map_err(|e| match e {
                crate::keeper::ChooseError::Duration(e) => invalid(e),
                crate::keeper::ChooseError::Stopped(e) => stopped(e),
            })
    }

    /// Sets the status message. `until` (`1h`, `until 15:00`, `forever`) gives its end; without it, it ends with
    /// the status kept now when the `clear-message-with-status` setting is on, else never.
    pub fn set_message(&self, text: &str, until: Option<&str>, origin: Origin) -> Result<(), Problem> {
        let until = until.map(DurationChoice::from_str).transpose().map_err(invalid)?;
        let end = if self.settings().clear_message_with_status.value {
            crate::keeper::MessageEnd::WithStatus
        } else {
            crate::keeper::MessageEnd::Never
        };
        self.inner
            .keeper
            .set_message(text, until.as_ref(), end, origin)
            .map_err(|e| match e {
                crate::keeper::MessageRefused::Stopped(e) => stopped(e),
                other => invalid(other),
            })
    }

    /// Removes the status message.
    pub fn clear_message(&self) -> Result<(), Problem> {
        self.inner.keeper.clear_message().map_err(stopped)
    }

    pub fn back_to_automatic(&self) -> Result<(), Problem> {
        self.inner.keeper.back_to_automatic().map_err(stopped)
    }

    /// Someone looks at the state (the popup opens, the tray is clicked, `presently status`): Graph is read unless
    /// the last reading is under a minute old; a burst of looks costs one read.
    pub fn look(&self) -> Result<(), Problem> {
        self.inner.keeper.look().map_err(stopped)
    }

    /// Retries pending work now and reads presence back.
    pub fn retry(&self) -> Result<(), Problem> {
        self.inner.keeper.retry_now().map_err(stopped)
    }

    /// Signs in (replacing a sign-in in progress). Progress and the result are also announced as events.
    pub async fn sign_in(&self, method: SignInMethod) -> Result<(), Problem> {
        let cancel = CancellationToken::new();
        if let Some(previous) = lock(&self.inner.sign_in).replace(cancel.clone()) {
            previous.cancel();
        }
        let tokens = &self.inner.services.tokens;
        let result = match method {
            SignInMethod::Browser => {
                let hint = tokens
                    .account()
                    .await
                    .map(|a| a.username)
                    .filter(|u| !u.is_empty());
                let options = BrowserSignIn {
                    login_hint: hint,
                    ..BrowserSignIn::default()
                };
                tokens
                    .sign_in_with_browser(self.inner.browser.as_ref(), &options, &cancel)
                    .await
            }
            SignInMethod::DeviceCode => {
                let events = self.inner.events.clone();
                tokens
                    .sign_in_with_device_code(
                        move |prompt| {
                            let _ = events.send(AppEvent::DeviceCode(prompt.into()));
                        },
                        &cancel,
                    )
                    .await
            }
        };
        lock(&self.inner.sign_in).take();
        let result = result.map(|_| ()).map_err(|e| Problem::from(&e));
        if result.is_ok() {
            let _ = self.inner.keeper.sign_in_changed();
        }
        let _ = self.inner.events.send(AppEvent::SignInFinished {
            ok: result.is_ok(),
            problem: result.clone().err(),
        });
        result
    }

    /// Reloads the saved sign-in after another process changed it (`presently login` beside a running keeper).
    pub fn sign_in_changed(&self) -> Result<(), Problem> {
        self.inner.keeper.sign_in_changed().map_err(stopped)
    }

    /// Cancels a sign-in in progress.
    pub fn cancel_sign_in(&self) {
        if let Some(cancel) = lock(&self.inner.sign_in).take() {
            cancel.cancel();
        }
    }

    /// Goes back to automatic and signs out.
    pub async fn sign_out(&self) -> Result<(), Problem> {
        self.inner.keeper.sign_out().await.map_err(stopped)
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        lock(&self.inner.settings).clone()
    }

    /// Reloads the settings from disk (after a change), announcing it. Sign-in settings (cloud, tenant, client
    /// id, endpoints) take effect at the next start; the working week at once.
    pub fn reload_settings(&self) -> Result<Settings, Problem> {
        let settings = Settings::load(&self.inner.locations, &self.inner.env, &self.inner.overrides)
            .map_err(|e| Problem::new(ProblemKind::Configuration, e.to_string()))?;
        self.inner.keeper.set_work_week(settings.work_week());
        *lock(&self.inner.settings) = settings.clone();
        let _ = self.inner.events.send(AppEvent::SettingsChanged);
        Ok(settings)
    }

    /// The settings as the settings page shows them (value, source, locked), with the hotkey report.
    pub fn settings_view(&self) -> crate::config::edit::SettingsView {
        crate::config::edit::view_with(&self.settings(), &self.hotkey_report())
    }

    /// The process that registers global hotkeys (the tray app's main process) reports how that went; the
    /// settings view shows it. A report that changes something is announced as [`AppEvent::SettingsChanged`]
    /// (so an open settings page reads it); the same report again is not (registering again after that event
    /// must not loop).
    pub fn report_hotkeys(&self, report: HotkeyReport) {
        let changed = {
            let mut current = lock(&self.inner.hotkeys);
            let changed = *current != report;
            *current = report;
            changed
        };
        if changed {
            let _ = self.inner.events.send(AppEvent::SettingsChanged);
        }
    }

    /// The latest hotkey report ([`HotkeyReport::default`] when no process registers hotkeys).
    pub fn hotkey_report(&self) -> HotkeyReport {
        lock(&self.inner.hotkeys).clone()
    }

    /// What this process reports about itself when asked (`presently doctor`): the tray app says how its login
    /// entry stands and where it logs; the rest comes from the keeper and the hotkey report.
    pub fn self_reports(&self) -> &crate::diagnostics::SelfReports {
        &self.inner.reports
    }

    /// The settings page's "Copy diagnostics" report and the log folder "Open log folder" opens.
    pub fn diagnostics(&self) -> crate::diagnostics::Diagnostics {
        let now = self.inner.services.clock.now();
        let state = self.process_state();
        let store = self.snapshot().token_store;
        crate::diagnostics::Diagnostics {
            text: crate::diagnostics::report_text(&state, &self.settings_view(), &store, now),
            log_dir: state.log_dir,
        }
    }

    /// The running process's state, as `presently doctor` prints it.
    pub fn process_state(&self) -> crate::diagnostics::ProcessState {
        let now = self.inner.services.clock.now();
        self.inner
            .reports
            .state(self.snapshot(), &self.hotkey_report(), now)
    }

    /// Checks and saves a change from the settings page into the user's file (atomically; a broken file is
    /// refused untouched), then reloads and announces it. Bad fields come back one by one.
    pub fn save_settings(
        &self,
        patch: &crate::config::edit::SettingsPatch,
    ) -> Result<crate::config::edit::SettingsView, crate::config::edit::SettingsRejected> {
        crate::config::edit::save(&self.settings(), patch)?;
        let settings = self
            .reload_settings()
            .map_err(crate::config::edit::SettingsRejected::Problem)?;
        Ok(crate::config::edit::view_with(&settings, &self.hotkey_report()))
    }

    /// The user's settings file.
    pub fn locations(&self) -> &Locations {
        &self.inner.locations
    }

    /// Stops the keeper, first going back to automatic when the on-quit setting says so.
    pub async fn shutdown(&self) {
        self.cancel_sign_in();
        let on_quit: OnQuit = lock(&self.inner.settings).on_quit.value;
        let _ = self.inner.keeper.shutdown(on_quit).await;
    }
}

fn invalid(e: impl std::fmt::Display) -> Problem {
    Problem::new(ProblemKind::InvalidChoice, e.to_string())
}

fn stopped(e: crate::keeper::KeeperStopped) -> Problem {
    Problem::new(ProblemKind::Internal, format!("{e}: restart Presently"))
}
