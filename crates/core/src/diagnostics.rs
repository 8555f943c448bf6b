//! What a running keeper (the tray app or `presently run`) says about itself when asked over the IPC
//! (`Request::ProcessState`): `presently doctor` prints it, so a problem in the running process is seen without
//! reading its log. Nothing in it is a secret: the account's names, the statuses, times and the log folder.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use jiff::Timestamp;
use presently_model::Intent;
use serde::{Deserialize, Serialize};

use crate::config::hotkeys::{HotkeyReport, HotkeySupport};
use crate::keeper::{AccountView, Planned, Reported, Snapshot};
use crate::problem::Problem;

/// Whether the login entry (launch at login) is there, as the process that keeps it in step last saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state", rename_all_fields = "camelCase")]
pub enum LoginEntry {
    /// The entry exists: the app starts at login.
    Present,
    /// There is no entry.
    Absent,
    /// It could not be brought in line with the setting.
    Failed {
        /// Why, as a sentence.
        reason: String,
    },
}

/// The hotkeys as the process that registers them reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HotkeysState {
    /// Whether hotkeys can work here at all.
    pub support: HotkeySupport,
    /// Each action whose shortcut could not be registered (by its settings key), with why.
    pub failed: BTreeMap<String, String>,
}

impl From<&HotkeyReport> for HotkeysState {
    fn from(report: &HotkeyReport) -> Self {
        Self {
            support: report.support.clone(),
            failed: report
                .errors
                .iter()
                .map(|(action, why)| (action.key().to_string(), why.clone()))
                .collect(),
        }
    }
}

/// The answer to `Request::ProcessState`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessState {
    /// The running process's version.
    pub version: String,
    /// Its process id.
    pub pid: u32,
    /// When it started.
    pub started_at: Timestamp,
    /// Seconds since then.
    pub uptime_secs: i64,
    /// Who is signed in.
    pub account: AccountView,
    /// What the user chose; `None` is automatic.
    pub intent: Option<Intent>,
    /// What Graph last reported, and when.
    pub reported: Option<Reported>,
    /// How old that reading is, in seconds.
    pub reading_age_secs: Option<i64>,
    /// The keeper's next step and when.
    pub next: Option<Planned>,
    /// The current trouble.
    pub problem: Option<Problem>,
    /// The hotkeys as registered (inactive in `presently run`, which registers none).
    pub hotkeys: HotkeysState,
    /// The login entry; `None` when this process does not keep one (`presently run`).
    pub login_entry: Option<LoginEntry>,
    /// Where this process writes its log file, if it writes one.
    pub log_dir: Option<PathBuf>,
    /// The tray host found at start and whether the icon is shown; `None` when this process has no tray
    /// (`presently run`) or is older than this field.
    #[serde(default)]
    pub tray: Option<TrayState>,
}

/// The tray as the tray process saw it at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrayState {
    /// What shows tray icons on this desktop.
    pub host: crate::tray_host::TrayHost,
    /// Whether the icon was made (false also when the desktop refused it): without it the popup opens as a
    /// window.
    pub icon_shown: bool,
}

impl TrayState {
    /// The tray of a process that found `host` and whose icon is (or is not) seen.
    pub fn new(host: crate::tray_host::TrayHost, icon_shown: bool) -> Self {
        Self { host, icon_shown }
    }
}

/// What the process reports about itself besides the keeper's snapshot, kept by [`crate::Presently`].
#[derive(Debug)]
pub struct SelfReports {
    started_at: Timestamp,
    started: std::time::Instant,
    login_entry: Mutex<Option<LoginEntry>>,
    log_dir: Mutex<Option<PathBuf>>,
    tray: Mutex<Option<TrayState>>,
}

impl Default for SelfReports {
    fn default() -> Self {
        Self {
            started_at: Timestamp::now(),
            started: std::time::Instant::now(),
            login_entry: Mutex::new(None),
            log_dir: Mutex::new(None),
            tray: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SelfReports {
    /// The process keeping the login entry in step says how it stands.
    pub fn set_login_entry(&self, entry: LoginEntry) {
        *lock(&self.login_entry) = Some(entry);
    }

    /// The process says where it writes its log file.
    pub fn set_log_dir(&self, dir: PathBuf) {
        *lock(&self.log_dir) = Some(dir);
    }

    /// The tray process says which tray host it found and whether its icon is shown.
    pub fn set_tray(&self, tray: TrayState) {
        *lock(&self.tray) = Some(tray);
    }

    /// The whole state at `now` (the keeper's clock, which the reading's time is on).
    pub fn state(&self, snapshot: Snapshot, hotkeys: &HotkeyReport, now: Timestamp) -> ProcessState {
        let uptime = i64::try_from(self.started.elapsed().as_secs()).unwrap_or(i64::MAX);
        ProcessState {
            version: env!("CARGO_PKG_VERSION").to_string(),
            pid: std::process::id(),
            started_at: self.started_at,
            uptime_secs: uptime,
            reading_age_secs: snapshot
                .reported
                .as_ref()
                .map(|r| now.duration_since(r.at).as_secs()),
            account: snapshot.account,
            intent: snapshot.intent,
            reported: snapshot.reported,
            next: snapshot.next,
            problem: snapshot.problem,
            hotkeys: HotkeysState::from(hotkeys),
            login_entry: lock(&self.login_entry).clone(),
            log_dir: lock(&self.log_dir).clone(),
            tray: *lock(&self.tray),
        }
    }
}
/// The answer to `Request::Diagnostics`: the report for "Copy diagnostics" and the folder "Open log folder" opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostics {
    /// [`report_text`] of the running process.
    pub text: String,
    /// Where it writes its log file, if it writes one.
    pub log_dir: Option<PathBuf>,
}

/// The popup's "Copy diagnostics": what a person pastes into a support request. Plain text, one fact per line:
/// version and platform, every setting with where it came from, the token store's kind and place, the keeper's
/// last reading and next step, the current problem, hotkeys and the login entry. No token, code or secret is
/// in any of its inputs; the account is named, as `presently doctor` names it.
pub fn report_text(
    state: &ProcessState,
    settings: &crate::config::edit::SettingsView,
    store: &crate::keeper::TokenStoreView,
    now: Timestamp,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "Presently {} on {} {} (pid {}, up {} s)",
        state.version,
        std::env::consts::OS,
        std::env::consts::ARCH,
        state.pid,
        state.uptime_secs
    ));
    line(format!("Report taken {now}"));
    line(format!("Account: {}", account_words(&state.account)));
    let intent = state.intent.as_ref().map_or_else(
        || "automatic".to_owned(),
        |i| {
            format!(
                "{} ({:?}, set from {:?} at {})",
                i.status.display_name(),
                i.until,
                i.origin,
                i.set_at
            )
        },
    );
    line(format!("Intent: {intent}"));
    line(format!(
        "Graph reported: {}",
        state.reported.as_ref().map_or_else(
            || "nothing yet".to_owned(),
            |r| format!(
                "{}/{} at {} ({} s ago)",
                r.availability.as_str(),
                r.activity.as_str(),
                r.at,
                state.reading_age_secs.unwrap_or_default()
            )
        )
    ));
    line(format!(
        "Next step: {}",
        state
            .next
            .as_ref()
            .map_or_else(|| "none".to_owned(), |n| format!("{:?} at {}", n.action, n.at))
    ));
    line(format!(
        "Problem: {}",
        state
            .problem
            .as_ref()
            .map_or_else(|| "none".to_owned(), |p| format!("{:?}: {}", p.kind, p.message))
    ));
    line(format!(
        "Token store: {:?}{}{}",
        store.kind,
        store
            .location
            .as_ref()
            .map(|l| format!(" in {l}"))
            .unwrap_or_default(),
        store
            .key_kept_in
            .as_ref()
            .map(|k| format!(", key in {k}"))
            .unwrap_or_default()
    ));
    if let Some(note) = &store.note {
        line(format!("  {note}"));
    }
    line(format!("Hotkeys: {:?}", state.hotkeys.support));
    for (action, why) in &state.hotkeys.failed {
        line(format!("  {action}: {why}"));
    }
    line(format!(
        "Login entry: {}",
        match &state.login_entry {
            Some(LoginEntry::Present) => "present".to_owned(),
            Some(LoginEntry::Absent) => "absent".to_owned(),
            Some(LoginEntry::Failed { reason }) => format!("failed: {reason}"),
            None => "not kept by this process".to_owned(),
        }
    ));
    line(format!(
        "Tray: {}",
        state.tray.map_or_else(
            || "none in this process".to_owned(),
            |t| format!(
                "host {}, icon {}",
                t.host.describe(),
                if t.icon_shown {
                    "shown"
                } else {
                    "not shown (the popup opens as a window)"
                }
            )
        )
    ));
    line(format!(
        "Log folder: {}",
        state
            .log_dir
            .as_deref()
            .map_or_else(|| "none".to_owned(), crate::wording::short_path)
    ));
    line(format!("Settings ({}):", settings.user_file));
    // Every field of the view that has a value and an origin, walked from its serialised form so that a setting
    // added to `SettingsView` is reported without an edit here. Names as the settings file writes them.
    let view = serde_json::to_value(settings).unwrap_or_default();
    for (key, field) in view.as_object().into_iter().flatten() {
        if let (Some(value), Some(origin)) =
            (field.get("value"), field.get("origin").and_then(|o| o.as_str()))
        {
            let _ = writeln!(out, "  {} = {} ({origin})", kebab(key), plain(value));
        }
    }
    for row in &settings.hotkeys.actions {
        let _ = writeln!(
            out,
            "  hotkeys.{} = {} ({})",
            row.action.key(),
            row.shortcut.value,
            row.shortcut.origin
        );
    }
    out
}

/// `workdayEnd` → `workday-end`, the settings file's spelling of a view field.
fn kebab(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A setting's value as the file writes it: a string without its quotes, anything else as JSON.
fn plain(value: &serde_json::Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

fn account_words(account: &AccountView) -> String {
    match account {
        AccountView::Unknown => "not known yet".to_owned(),
        AccountView::SignedOut => "signed out".to_owned(),
        AccountView::SignedIn {
            name,
            username,
            tenant_id,
        } => format!("{name} ({username}), tenant {tenant_id}"),
        AccountView::SignInRequired { name, username } => format!("{name} ({username}) must sign in again"),
    }
}
