//! `presently doctor`: everything that decides whether Presently can work, checked in order and explained.
//!
//! 1. Settings files (user and managed): path, whether each exists and parses.
//! 2. Every effective setting with its source (default, managed file, user file, environment, flag).
//! 3. The token store: kind and why; a loud warning when tokens rest unencrypted in a file.
//! 4. The endpoints: a cheap `GET` of the sign-in service's OpenID configuration, and an unauthenticated Graph
//!    request (any HTTP answer, normally 401, proves Graph is reachable).
//! 5. The sign-in: the saved account, confirmed with `GET /me`, and the scopes granted (from the saved token
//!    set; `Presence.ReadWrite` is required).
//! 6. The admin-consent URL, for an administrator.
//! 7. The tray host (`presently_core::tray_host`): a StatusNotifierItem watcher or an XEmbed tray manager on
//!    Linux; without either, a warning with how to get one (the app then opens its window instead of an icon).
//! 8. A running app or keeper, asked over the local IPC for its own state (`Request::ProcessState`): version,
//!    uptime, sign-in, intent, last reading and its age, next step, hotkeys, login entry, tray icon, log folder.
//!
//! The folder the app writes its log file to is printed too.
//!
//! It never stops at the first problem: each check reports, and the exit code is the one of the first failed
//! check (0 when none failed; warnings do not fail).

use presently_core::wording::short_path;
use std::sync::Arc;

use presently_auth::store::DEFAULT_SERVICE;
use presently_auth::{AuthStatus, StoreKind, StoredAuth, SystemClock, choose_store};
use presently_core::config::SettingsFile;
use presently_core::config::file;
use presently_core::config::hotkeys::HotkeySupport;
use presently_core::diagnostics::{LoginEntry, ProcessState};
use presently_core::ipc::Endpoint;
use presently_core::keeper::AccountView;
use presently_core::net::Network;
use presently_core::tray_host::TrayHost;
use presently_core::{Problem, ProblemKind, Services};
use presently_graph::GraphConfig;
use serde::Serialize;

use super::TokenStoreJson;
use super::config::{SettingJson, all_settings};
use crate::args::Global;
use crate::context::{Wired, data_folder, graph_problem, load_settings, locations};
use crate::exit;
use crate::output::{AccountJson, Output, account_label};

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckStatus {
    /// Fine.
    Ok,
    /// Works, but worth knowing (e.g. unencrypted tokens).
    Warn,
    /// Does not work.
    Fail,
    /// Not checked because an earlier check failed.
    Skipped,
}

/// One check.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// How it went.
    pub status: CheckStatus,
    /// In words.
    pub detail: String,
    /// For a failure: the kind of problem (decides the exit code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProblemKind>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFileJson {
    role: &'static str,
    path: std::path::PathBuf,
    exists: bool,
    parses: bool,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EndpointJson {
    url: String,
    reachable: bool,
    http_status: Option<u16>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DoctorJson {
    ok: bool,
    checks: Vec<Check>,
    config_files: Vec<ConfigFileJson>,
    settings: Option<Vec<SettingJson>>,
    token_store: Option<TokenStoreJson>,
    endpoints: Vec<EndpointJson>,
    account: Option<AccountJson>,
    scopes: Option<Vec<String>>,
    admin_consent_url: Option<String>,
    /// The running app or keeper's own state; `None` when none runs.
    running: Option<ProcessState>,
    /// Where the app writes its log file.
    log_folder: Option<std::path::PathBuf>,
    /// What shows tray icons on this desktop.
    tray_host: Option<TrayHost>,
}

struct Report {
    checks: Vec<Check>,
}

impl Report {
    fn add(&mut self, name: &'static str, status: CheckStatus, detail: impl Into<String>) {
        self.checks.push(Check {
            name,
            status,
            detail: detail.into(),
            kind: None,
        });
    }

    fn fail(&mut self, name: &'static str, kind: ProblemKind, detail: impl Into<String>) {
        self.checks.push(Check {
            name,
            status: CheckStatus::Fail,
            detail: detail.into(),
            kind: Some(kind),
        });
    }

    fn problem(&mut self, name: &'static str, problem: &Problem) {
        let mut detail = problem.message.clone();
        if let Some(hint) = crate::output::hint(problem) {
            detail = format!("{detail} {hint}");
        }
        self.fail(name, problem.kind, detail);
    }
}

/// Runs `presently doctor`.
pub async fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let mut report = Report { checks: Vec::new() };
    let mut json = DoctorJson {
        ok: true,
        checks: Vec::new(),
        config_files: Vec::new(),
        settings: None,
        token_store: None,
        endpoints: Vec::new(),
        account: None,
        scopes: None,
        admin_consent_url: None,
        running: None,
        log_folder: presently_core::log_file::log_dir(&presently_core::paths::process_env),
        tray_host: None,
    };

    // 1. Settings files.
    let locations = locations()?;
    for (role, path) in [("user", &locations.user), ("managed", &locations.managed)] {
        let exists = path.exists();
        let loaded = file::load::<SettingsFile>(path);
        let error = loaded.as_ref().err().map(ToString::to_string);
        let name = if role == "user" {
            "user settings file"
        } else {
            "managed settings file"
        };
        match (&error, exists) {
            (Some(e), _) => report.fail(name, ProblemKind::InvalidChoice, e.clone()),
            (None, true) => report.add(name, CheckStatus::Ok, format!("{} parses", short_path(path))),
            (None, false) => report.add(
                name,
                CheckStatus::Ok,
                format!("{} does not exist (fine)", short_path(path)),
            ),
        }
        json.config_files.push(ConfigFileJson {
            role,
            path: path.clone(),
            exists,
            parses: error.is_none(),
            error,
        });
    }

    // 2. Effective settings.
    let settings = match load_settings(global) {
        Ok(settings) => {
            report.add("settings", CheckStatus::Ok, "the settings in force are valid");
            json.settings = Some(all_settings(&settings));
            Some(settings)
        }
        Err(problem) => {
            report.problem("settings", &problem);
            None
        }
    };

    // 3. Token store.
    let data_dir = data_folder();
    let wired = match (&settings, &data_dir) {
        (Some(settings), Ok(dir)) => {
            let choice = choose_store(dir, DEFAULT_SERVICE, settings.token_store.value);
            let store = choice.store.clone();
            match Services::new(settings, Arc::new(SystemClock), choice) {
                Ok(services) => Some(Wired {
                    settings: settings.clone(),
                    data_dir: dir.clone(),
                    services,
                    store,
                }),
                Err(problem) => {
                    report.problem("clients", &problem);
                    None
                }
            }
        }
        (_, Err(problem)) => {
            report.problem("data folder", problem);
            None
        }
        (None, Ok(_)) => None,
    };
    if let Some(wired) = &wired {
        let store = TokenStoreJson::of(wired);
        if store.kind == StoreKind::Memory {
            // The credential store does not answer: a sign-in made now lasts only as long as the process.
            report.add("token store", CheckStatus::Warn, wired.store_sentences());
        } else if store.secure {
            report.add("token store", CheckStatus::Ok, wired.store_sentences());
        } else {
            report.add(
                "token store",
                CheckStatus::Warn,
                format!(
                    "TOKENS ARE NOT ENCRYPTED. {} Anyone who can read that file as you can act as you in Microsoft \
                     Graph until the tokens expire.",
                    wired.store_sentences()
                ),
            );
        }
        json.token_store = Some(store);
    } else {
        report.add("token store", CheckStatus::Skipped, "not checked: see above");
    }

    // 4. Endpoints.
    if let Some(settings) = &settings {
        json.admin_consent_url = settings.auth().admin_consent_url().ok().map(|u| u.to_string());
        match settings.auth().endpoints() {
            Ok(endpoints) => {
                let mut discovery = endpoints.token.clone();
                let tenant_path = discovery
                    .path()
                    .strip_suffix("/oauth2/v2.0/token")
                    .unwrap_or_default()
                    .to_owned();
                discovery.set_path(&format!("{tenant_path}/v2.0/.well-known/openid-configuration"));
                let endpoint = probe_login(&discovery, &settings.network(), &mut report).await;
                json.endpoints.push(endpoint);
            }
            Err(e) => report.fail("sign-in service", ProblemKind::InvalidChoice, e.to_string()),
        }
        let endpoint = probe_graph(&settings.graph_base(), &settings.network(), &mut report).await;
        json.endpoints.push(endpoint);
    } else {
        report.add(
            "sign-in service",
            CheckStatus::Skipped,
            "not checked: the settings are not valid",
        );
        report.add(
            "Microsoft Graph",
            CheckStatus::Skipped,
            "not checked: the settings are not valid",
        );
    }

    // 5. Sign-in and scopes.
    if let Some(wired) = &wired {
        check_sign_in(wired, &mut report, &mut json).await;
    } else {
        report.add("sign-in", CheckStatus::Skipped, "not checked: see above");
    }

    // 6. The tray host.
    let host = tokio::task::spawn_blocking(presently_core::tray_host::detect)
        .await
        .unwrap_or(TrayHost::None);
    let desktop = std::env::var("XDG_CURRENT_DESKTOP").ok();
    let (status, detail) = tray_host_check(host, desktop.as_deref());
    report.add("tray host", status, detail);
    json.tray_host = Some(host);

    // 7. A running app or keeper.
    if let Ok(dir) = &data_dir {
        let endpoint = Endpoint::for_profile("keeper", dir, &presently_core::paths::process_env);
        match crate::keeper_backend::running_process_state(endpoint).await {
            None => report.add(
                "running app",
                CheckStatus::Ok,
                "no Presently app or keeper is running",
            ),
            Some(Ok(state)) => {
                report.add(
                    "running app",
                    CheckStatus::Ok,
                    format!(
                        "version {} (process {}) answers, up {}",
                        state.version,
                        state.pid,
                        span_words(state.uptime_secs)
                    ),
                );
                json.running = Some(state);
            }
            Some(Err(problem)) => report.add(
                "running app",
                CheckStatus::Warn,
                format!("a keeper answers but not with its state: {}", problem.message),
            ),
        }
    }

    // Print.
    for check in &report.checks {
        let mark = match check.status {
            CheckStatus::Ok => "ok  ",
            CheckStatus::Warn => "WARN",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skipped => "skip",
        };
        out.line(format!("[{mark}] {}: {}", check.name, check.detail));
    }
    if let Some(settings) = &json.settings {
        out.line("Settings in force:");
        for s in settings {
            out.line(format!(
                "  {} = {}  ({})",
                s.key,
                s.value.as_deref().unwrap_or("(not set)"),
                s.source
            ));
        }
    }
    if let Some(scopes) = &json.scopes {
        out.line(format!("Granted scopes: {}", scopes.join(" ")));
    }
    if let Some(url) = &json.admin_consent_url {
        out.line(format!("Admin-consent URL (for an administrator): {url}"));
    }
    if let Some(state) = &json.running {
        for line in running_lines(state) {
            out.line(line);
        }
    }
    match &json.log_folder {
        Some(dir) => out.line(format!("Log folder of the app: {}", short_path(dir))),
        None => out.line("Log folder of the app: none (no home folder)"),
    }
    if !out.json {
        for check in report.checks.iter().filter(|c| c.status == CheckStatus::Warn) {
            out.warn(&check.detail);
        }
    }
    let first_failure = report.checks.iter().find_map(|c| match c.status {
        CheckStatus::Fail => Some(c.kind.unwrap_or(ProblemKind::Internal)),
        _ => None,
    });
    json.ok = first_failure.is_none();
    json.checks = report.checks;
    out.json_value(&json);
    Ok(first_failure.map(exit::code_for).unwrap_or(exit::OK))
}

/// The tray host check: found (which), or none with how to get one.
fn tray_host_check(host: TrayHost, current_desktop: Option<&str>) -> (CheckStatus, String) {
    match host.fix(current_desktop) {
        None => (CheckStatus::Ok, format!("found: {}", host.describe())),
        Some(fix) => (
            CheckStatus::Warn,
            format!("none: no tray icon can be seen here, so the app opens its window instead. {fix}"),
        ),
    }
}

/// A span of seconds in words: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
fn span_words(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// A value's name on the wire (`busy`, `refresh`), which is also how the CLI names it.
fn wire_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => "?".into(),
    }
}

/// The running process's state as doctor prints it under the checks.
fn running_lines(state: &ProcessState) -> Vec<String> {
    let now = jiff::Timestamp::now();
    let mut lines = vec!["The running app or keeper:".to_string()];
    lines.push(format!(
        "  signed in: {}",
        match &state.account {
            AccountView::SignedIn { name, username, .. } => format!("{name} <{username}>"),
            AccountView::SignInRequired { name, username } =>
                format!("{name} <{username}>, who must sign in again"),
            AccountView::SignedOut => "nobody".into(),
            AccountView::Unknown => "not known yet (starting)".into(),
        }
    ));
    lines.push(format!(
        "  intent: {}",
        match &state.intent {
            Some(intent) => {
                let until = intent
                    .ends_at()
                    .map_or("until changed".to_string(), |at| format!("until {at}"));
                format!(
                    "{} {until} (chosen in {})",
                    wire_name(&intent.status),
                    wire_name(&intent.origin)
                )
            }
            None => "automatic (Teams decides)".into(),
        }
    ));
    lines.push(format!(
        "  last reading: {}",
        match (&state.reported, state.reading_age_secs) {
            (Some(r), Some(age)) => format!(
                "{}/{} at {}, {} ago",
                wire_name(&r.availability),
                wire_name(&r.activity),
                r.at,
                span_words(age)
            ),
            _ => "none yet".into(),
        }
    ));
    lines.push(format!(
        "  next step: {}",
        match &state.next {
            Some(next) => format!(
                "{} at {} (in {})",
                wire_name(&next.action),
                next.at,
                span_words(next.at.duration_since(now).as_secs())
            ),
            None => "none planned".into(),
        }
    ));
    if let Some(problem) = &state.problem {
        lines.push(format!("  problem: {}", problem.message));
    }
    let hotkeys = match &state.hotkeys.support {
        HotkeySupport::Active if state.hotkeys.failed.is_empty() => "registered".to_string(),
        HotkeySupport::Active => {
            let failed: Vec<String> = state
                .hotkeys
                .failed
                .iter()
                .map(|(key, why)| format!("{key} failed ({why})"))
                .collect();
            format!("registered except: {}", failed.join("; "))
        }
        HotkeySupport::Inactive => "none registered by this process".into(),
        HotkeySupport::Wayland => {
            "not registered: Wayland (bind the commands in the desktop's settings)".into()
        }
        HotkeySupport::Unavailable { reason } => format!("unavailable: {reason}"),
    };
    lines.push(format!("  hotkeys: {hotkeys}"));
    lines.push(format!(
        "  login entry: {}",
        match &state.login_entry {
            Some(LoginEntry::Present) => "present (starts at login)".to_string(),
            Some(LoginEntry::Absent) => "absent".to_string(),
            Some(LoginEntry::Failed { reason }) => format!("cannot be set: {reason}"),
            None => "not kept by this process".to_string(),
        }
    ));
    if let Some(tray) = state.tray {
        lines.push(format!(
            "  tray icon: {} (tray host: {})",
            if tray.icon_shown {
                "shown"
            } else {
                "not shown, the popup opens as a window"
            },
            tray.host.describe()
        ));
    }
    lines.push(format!(
        "  log folder: {}",
        match &state.log_dir {
            Some(dir) => short_path(dir),
            None => "none (this process logs to its standard error only)".into(),
        }
    ));
    lines
}

async fn probe_login(url: &url::Url, network: &Network, report: &mut Report) -> EndpointJson {
    let name = "sign-in service";
    let http = match presently_core::net::http_client(network, url.as_str(), presently_auth::USER_AGENT) {
        Ok(client) => client.http,
        Err(e) => {
            report.fail(name, ProblemKind::Configuration, e.to_string());
            return EndpointJson {
                url: url.to_string(),
                reachable: false,
                http_status: None,
            };
        }
    };
    match http.get(url.clone()).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            if response.status().is_success() {
                report.add(name, CheckStatus::Ok, format!("{url} answered {status}"));
            } else {
                report.fail(
                    name,
                    ProblemKind::Configuration,
                    format!("{url} answered {status}: check the tenant and the sign-in address"),
                );
            }
            EndpointJson {
                url: url.to_string(),
                reachable: true,
                http_status: Some(status),
            }
        }
        Err(e) => {
            report.fail(
                name,
                ProblemKind::Offline,
                format!("cannot reach {url}: {}", e.without_url()),
            );
            EndpointJson {
                url: url.to_string(),
                reachable: false,
                http_status: None,
            }
        }
    }
}

async fn probe_graph(base: &str, network: &Network, report: &mut Report) -> EndpointJson {
    let name = "Microsoft Graph";
    let url = format!("{}/v1.0/me", base.trim_end_matches('/'));
    let config = GraphConfig::with_base_url(base);
    let http = match presently_core::net::http_client(network, base, &config.user_agent) {
        Ok(client) => client.http,
        Err(e) => {
            report.fail(name, ProblemKind::Configuration, e.to_string());
            return EndpointJson {
                url,
                reachable: false,
                http_status: None,
            };
        }
    };
    match http.get(&url).timeout(config.request_timeout).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            report.add(
                name,
                CheckStatus::Ok,
                format!("{url} answered {status} to a request without a token (reachable)"),
            );
            EndpointJson {
                url,
                reachable: true,
                http_status: Some(status),
            }
        }
        Err(e) => {
            report.fail(
                name,
                ProblemKind::Offline,
                format!("cannot reach {url}: {}", e.without_url()),
            );
            EndpointJson {
                url,
                reachable: false,
                http_status: None,
            }
        }
    }
}

async fn check_sign_in(wired: &Wired, report: &mut Report, json: &mut DoctorJson) {
    match wired.load_tokens().await {
        Err(problem) => report.problem("sign-in", &problem),
        Ok(AuthStatus::SignedOut) => report.fail(
            "sign-in",
            ProblemKind::SignInRequired,
            "nobody is signed in: run `presently login`",
        ),
        Ok(AuthStatus::SignInRequired { account }) => {
            json.account = Some(AccountJson::from(&account));
            report.fail(
                "sign-in",
                ProblemKind::SignInRequired,
                format!(
                    "{} must sign in again: run `presently login`",
                    account_label(&account)
                ),
            );
        }
        Ok(AuthStatus::SignedIn { account, .. }) => {
            json.account = Some(AccountJson::from(&account));
            match wired.services.graph.me().await {
                Ok(me) => report.add(
                    "sign-in",
                    CheckStatus::Ok,
                    format!(
                        "signed in as {} (tenant {}); Graph confirms user {}",
                        account_label(&account),
                        account.tid,
                        me.id
                    ),
                ),
                Err(e) => report.problem("sign-in", &graph_problem(&e)),
            }
        }
    }
    // The saved token set is read again: the check above may have refreshed it.
    let store = wired.store.clone();
    let loaded = tokio::task::spawn_blocking(move || store.load()).await;
    if let Ok(Ok(Some(StoredAuth::SignedIn(set)))) = loaded {
        let scopes: Vec<String> = set.scopes.clone();
        if set.has_scope("Presence.ReadWrite") {
            report.add(
                "permissions",
                CheckStatus::Ok,
                "Presence.ReadWrite is granted".to_owned(),
            );
        } else {
            report.fail(
                "permissions",
                ProblemKind::ConsentRequired,
                "Presence.ReadWrite is not granted: sign in again and accept it, or ask an administrator \
                 (`presently consent-url`)",
            );
        }
        json.scopes = Some(scopes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_host_check_names_the_host_or_warns_with_the_fix() {
        let (status, detail) = tray_host_check(TrayHost::StatusNotifierWatcher, Some("KDE"));
        assert_eq!(status, CheckStatus::Ok);
        assert_eq!(detail, "found: StatusNotifierItem watcher");
        let (status, detail) = tray_host_check(TrayHost::XEmbedManager, None);
        assert_eq!(
            (status, detail.as_str()),
            (CheckStatus::Ok, "found: XEmbed tray manager")
        );
        let (status, detail) = tray_host_check(TrayHost::None, Some("GNOME"));
        assert_eq!(status, CheckStatus::Warn);
        assert!(detail.starts_with("none: "), "{detail}");
        assert!(detail.contains("AppIndicator extension"), "{detail}");
        assert!(
            presently_core::wording::flaws(&detail, &[]).is_empty(),
            "{detail}"
        );
    }
}
