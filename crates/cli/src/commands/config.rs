//! `presently config get|set|unset|path`: read the settings in force (with where each value comes from) and
//! change the user's settings file.
//!
//! A change is checked before anything is written: the value must parse, and the whole file with the change
//! must load as settings (the same checks every command makes, e.g. a client id must be a GUID, China has no
//! presence API). A broken file is never overwritten: fix it by hand first (the error names file, line and
//! key). Writes are atomic (the core's `update_user_file`).

use presently_core::wording::short_path;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use presently_core::config::file::{self, FileError};
use presently_core::config::settings::update_user_file;
use presently_core::config::settings::{ClockTime, CloudName};
use presently_core::config::{Locations, OnQuit, Overrides, Settings, SettingsFile, Source};
use presently_core::net::{NoProxy, ProxyCredentials, ProxySetting};
use presently_core::{Action, Problem, ProblemKind};
use presently_graph::{AccessToken, GraphClient, GraphConfig, StaticToken};
use presently_model::{DurationChoice, WorkDays};
use serde::Serialize;

use crate::args::{ConfigCommand, Global};
use crate::context::{load_settings, locations, settings_problem};
use crate::output::Output;

/// The settings `config` knows, in the user file's spelling.
pub const KEYS: [&str; 15] = [
    "tenant",
    "client-id",
    "cloud",
    "login-url",
    "graph-url",
    "workday-end",
    "work-days",
    "on-quit",
    "launch-at-login",
    "notifications",
    "tray-time-left",
    "clear-message-with-status",
    "hotkey-duration",
    "proxy",
    "no-proxy",
];

fn bad_input(message: impl Into<String>) -> Problem {
    Problem::new(ProblemKind::InvalidChoice, message).with_action(Action::OpenSettings)
}

/// The canonical key for what was typed (`client_id`, `endpoints.login` and case are accepted).
pub fn canonical_key(typed: &str) -> Result<&'static str, Problem> {
    let folded = typed.trim().to_ascii_lowercase().replace('_', "-");
    let folded = match folded.as_str() {
        "endpoints.login" => "login-url",
        "endpoints.graph" => "graph-url",
        other => other,
    };
    KEYS.into_iter().find(|k| *k == folded).ok_or_else(|| {
        bad_input(format!(
            "unknown setting \"{}\": expected one of {}",
            presently_model::text::shortened(typed, 40),
            KEYS.join(", ")
        ))
    })
}

/// A setting's value, checked.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Cloud(CloudName),
    Time(ClockTime),
    Days(WorkDays),
    OnQuit(OnQuit),
    Bool(bool),
    Duration(DurationChoice),
    /// The proxy, and the credentials typed in its URL (for the credential store only).
    Proxy(ProxySetting, Option<ProxyCredentials>),
    NoProxy(NoProxy),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Text(t) => f.write_str(t),
            Value::Cloud(c) => c.fmt(f),
            Value::Time(t) => t.fmt(f),
            Value::Days(d) => d.fmt(f),
            Value::OnQuit(OnQuit::Keep) => f.write_str("keep"),
            Value::OnQuit(OnQuit::Clear) => f.write_str("clear"),
            Value::Bool(b) => b.fmt(f),
            Value::Duration(d) => d.fmt(f),
            Value::Proxy(p, _) => p.fmt(f),
            Value::NoProxy(list) => list.fmt(f),
        }
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn parse_value(key: &'static str, text: &str) -> Result<Value, Problem> {
    let bad = |why: String| bad_input(format!("{key}: {why}"));
    let trimmed = text.trim();
    Ok(match key {
        "cloud" => Value::Cloud(CloudName::from_str(trimmed).map_err(bad)?),
        "workday-end" => Value::Time(ClockTime::from_str(trimmed).map_err(bad)?),
        "work-days" => Value::Days(WorkDays::from_str(trimmed).map_err(|e| bad(e.to_string()))?),
        "on-quit" => match trimmed.to_ascii_lowercase().as_str() {
            "keep" => Value::OnQuit(OnQuit::Keep),
            "clear" => Value::OnQuit(OnQuit::Clear),
            _ => return Err(bad(format!("\"{trimmed}\" is not keep or clear"))),
        },
        "launch-at-login" | "notifications" | "tray-time-left" | "clear-message-with-status" => Value::Bool(
            parse_bool(trimmed).ok_or_else(|| bad(format!("\"{trimmed}\" is not true or false")))?,
        ),
        "hotkey-duration" => {
            Value::Duration(DurationChoice::from_str(trimmed).map_err(|e| bad(e.to_string()))?)
        }
        "graph-url" => {
            // The same check the Graph client makes (https, or http on loopback only).
            let probe = GraphClient::new(
                GraphConfig::with_base_url(trimmed),
                presently_graph::tls::client_builder()
                    .build()
                    .map_err(|e| bad(e.to_string()))?,
                Arc::new(StaticToken::new(AccessToken::new("unused"))),
            );
            if let Err(e) = probe {
                let cause = std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                return Err(bad(format!("{e}: {cause}")));
            }
            Value::Text(trimmed.to_owned())
        }
        "proxy" => {
            let (setting, credentials) = ProxySetting::parse_with_credentials(trimmed).map_err(bad)?;
            Value::Proxy(setting, credentials)
        }
        // Empty is a value here: no host bypasses the proxy (`config unset` restores the default).
        "no-proxy" => Value::NoProxy(NoProxy::from_str(trimmed).map_err(bad)?),
        _ if trimmed.is_empty() => return Err(bad("an empty value is not valid; use `config unset`".into())),
        _ => Value::Text(trimmed.to_owned()),
    })
}

/// Puts `value` (or nothing) in the file's field for `key`.
fn apply(file: &mut SettingsFile, key: &str, value: Option<&Value>) {
    let text = || match value {
        Some(Value::Text(t)) => Some(t.clone()),
        _ => None,
    };
    match key {
        "tenant" => file.tenant = text(),
        "client-id" => file.client_id = text(),
        "login-url" => file.endpoints.login = text(),
        "graph-url" => file.endpoints.graph = text(),
        "proxy" => {
            file.proxy = match value {
                Some(Value::Proxy(p, _)) => Some(p.clone()),
                _ => None,
            }
        }
        "no-proxy" => {
            file.no_proxy = match value {
                Some(Value::NoProxy(list)) => Some(list.clone()),
                _ => None,
            }
        }
        "cloud" => {
            file.cloud = match value {
                Some(Value::Cloud(c)) => Some(*c),
                _ => None,
            }
        }
        "workday-end" => {
            file.workday_end = match value {
                Some(Value::Time(t)) => Some(*t),
                _ => None,
            }
        }
        "work-days" => {
            file.work_days = match value {
                Some(Value::Days(d)) => Some(*d),
                _ => None,
            }
        }
        "on-quit" => {
            file.on_quit = match value {
                Some(Value::OnQuit(q)) => Some(*q),
                _ => None,
            }
        }
        "launch-at-login" | "notifications" | "tray-time-left" | "clear-message-with-status" => {
            let b = match value {
                Some(Value::Bool(b)) => Some(*b),
                _ => None,
            };
            if key == "notifications" {
                file.notifications = b;
            } else if key == "tray-time-left" {
                file.tray_time_left = b;
            } else if key == "clear-message-with-status" {
                file.clear_message_with_status = b;
            } else {
                file.launch_at_login = b;
            }
        }
        _ => {
            file.hotkey_duration = match value {
                Some(Value::Duration(d)) => Some(*d),
                _ => None,
            }
        }
    }
}

/// The effective value of `key` as text (`None` when unset) and its source.
fn effective(settings: &Settings, key: &str) -> (Option<String>, Source) {
    match key {
        "tenant" => (
            Some(settings.tenant.value.clone()),
            settings.tenant.source.clone(),
        ),
        "client-id" => (
            Some(settings.client_id.value.clone()),
            settings.client_id.source.clone(),
        ),
        "cloud" => (
            Some(settings.cloud.value.key().to_owned()),
            settings.cloud.source.clone(),
        ),
        "login-url" => (
            settings.login_url.value.clone(),
            settings.login_url.source.clone(),
        ),
        "graph-url" => (
            settings.graph_url.value.clone(),
            settings.graph_url.source.clone(),
        ),
        "workday-end" => (
            Some(ClockTime(settings.workday_end.value).to_string()),
            settings.workday_end.source.clone(),
        ),
        "work-days" => (
            Some(settings.work_days.value.to_string()),
            settings.work_days.source.clone(),
        ),
        "on-quit" => (
            Some(
                match settings.on_quit.value {
                    OnQuit::Keep => "keep",
                    OnQuit::Clear => "clear",
                }
                .to_owned(),
            ),
            settings.on_quit.source.clone(),
        ),
        "launch-at-login" => (
            Some(settings.launch_at_login.value.to_string()),
            settings.launch_at_login.source.clone(),
        ),
        "notifications" => (
            Some(settings.notifications.value.to_string()),
            settings.notifications.source.clone(),
        ),
        "tray-time-left" => (
            Some(settings.tray_time_left.value.to_string()),
            settings.tray_time_left.source.clone(),
        ),
        "clear-message-with-status" => (
            Some(settings.clear_message_with_status.value.to_string()),
            settings.clear_message_with_status.source.clone(),
        ),
        "proxy" => (
            Some(settings.proxy.value.to_string()),
            settings.proxy.source.clone(),
        ),
        "no-proxy" => (
            Some(settings.no_proxy.value.to_string()),
            settings.no_proxy.source.clone(),
        ),
        _ => (
            Some(settings.hotkey_duration.value.to_string()),
            settings.hotkey_duration.source.clone(),
        ),
    }
}

/// One setting in `--json` output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingJson {
    pub key: &'static str,
    /// The effective value, `null` when unset.
    pub value: Option<String>,
    /// Where it came from: `{"kind": "default"|"managed"|"user"|"environment"|"flag", "detail"?: ...}`.
    pub source: Source,
}

/// Every setting in force, with its source.
pub fn all_settings(settings: &Settings) -> Vec<SettingJson> {
    KEYS.into_iter()
        .map(|key| {
            let (value, source) = effective(settings, key);
            SettingJson { key, value, source }
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AllJson {
    settings: Vec<SettingJson>,
    user_file: PathBuf,
    managed_file: PathBuf,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangedJson<'a> {
    key: &'static str,
    value: Option<String>,
    file: &'a Path,
    effective: SettingJson,
    warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FileJson<'a> {
    path: &'a Path,
    exists: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PathJson<'a> {
    user: FileJson<'a>,
    managed: FileJson<'a>,
}

/// Runs `presently config ...`.
pub fn run(global: &Global, command: &ConfigCommand, out: Output) -> Result<u8, Problem> {
    match command {
        ConfigCommand::Path => {
            let locations = locations()?;
            out.line(format!("user:    {}", short_path(&locations.user)));
            out.line(format!("managed: {}", short_path(&locations.managed)));
            out.json_value(&PathJson {
                user: FileJson {
                    path: &locations.user,
                    exists: locations.user.exists(),
                },
                managed: FileJson {
                    path: &locations.managed,
                    exists: locations.managed.exists(),
                },
            });
        }
        ConfigCommand::Get { key: None } => {
            let settings = load_settings(global)?;
            let all = all_settings(&settings);
            for s in &all {
                out.line(format!(
                    "{} = {}  ({})",
                    s.key,
                    s.value.as_deref().unwrap_or("(not set)"),
                    s.source
                ));
            }
            out.json_value(&AllJson {
                settings: all,
                user_file: settings.user_file.clone(),
                managed_file: settings.managed_file.clone(),
            });
        }
        ConfigCommand::Get { key: Some(key) } => {
            let key = canonical_key(key)?;
            let settings = load_settings(global)?;
            let (value, source) = effective(&settings, key);
            out.line(value.as_deref().unwrap_or(""));
            out.note(format!("({source})"));
            out.json_value(&SettingJson { key, value, source });
        }
        ConfigCommand::Set { key, value } => {
            let key = canonical_key(key)?;
            let value = parse_value(key, value)?;
            change(global, key, Some(value), out)?;
        }
        ConfigCommand::Unset { key } => {
            let key = canonical_key(key)?;
            change(global, key, None, out)?;
        }
    }
    Ok(crate::exit::OK)
}

fn file_problem(error: &FileError) -> Problem {
    bad_input(format!("{error}; nothing was changed"))
}

/// Checks the change against the whole file and the managed file, then writes it.
fn change(global: &Global, key: &'static str, value: Option<Value>, out: Output) -> Result<(), Problem> {
    let locations = locations()?;
    let current = file::load::<SettingsFile>(&locations.user)
        .map_err(|e| file_problem(&e))?
        .unwrap_or_default();
    let mut candidate = current;
    apply(&mut candidate, key, value.as_ref());
    check(&locations, &candidate)?;
    // The proxy's user name and password go to the credential store, never the file; refused, nothing is written.
    if let Some(Value::Proxy(ProxySetting::Url(url), Some(credentials))) = &value {
        presently_core::net::save_credentials(url, credentials)
            .map_err(|e| bad_input(format!("proxy: {e}")))?;
        out.note("the proxy's user name and password are kept in the credential store");
    }
    update_user_file(&locations.user, |f| apply(f, key, value.as_ref())).map_err(|e| file_problem(&e))?;

    let written = value.as_ref().map(Value::to_string);
    match &written {
        Some(v) => out.line(format!("{key} = {v}  (saved in {})", short_path(&locations.user))),
        None => out.line(format!("{key} removed from {}", short_path(&locations.user))),
    }
    let mut warnings = Vec::new();
    let settings = load_settings(global)?;
    let (in_force, source) = effective(&settings, key);
    if !matches!(&source, Source::User(_)) && written.is_some() {
        let text = format!(
            "{key} in force is {} from {source}, which wins over the settings file",
            in_force.as_deref().unwrap_or("(not set)")
        );
        out.warn(&text);
        warnings.push(text);
    }
    out.json_value(&ChangedJson {
        key,
        value: written,
        file: &locations.user,
        effective: SettingJson {
            key,
            value: in_force,
            source,
        },
        warnings,
    });
    Ok(())
}

/// Loads `candidate` as the user file would be, with the real managed file and no environment or flags,
/// through a temporary copy, so the check is exactly what every command will do.
fn check(locations: &Locations, candidate: &SettingsFile) -> Result<(), Problem> {
    let text = toml::to_string_pretty(candidate)
        .map_err(|e| Problem::new(ProblemKind::Internal, format!("cannot write settings: {e}")))?;
    let temp = std::env::temp_dir().join(format!(
        "presently-settings-check-{}-{}.toml",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::write(&temp, text)
        .map_err(|e| Problem::new(ProblemKind::Internal, format!("cannot check the settings: {e}")))?;
    let result = Settings::load(
        &Locations {
            user: temp.clone(),
            managed: locations.managed.clone(),
        },
        &|_| None,
        &Overrides::default(),
    );
    let _ = std::fs::remove_file(&temp);
    result.map(drop).map_err(|e| {
        let mut problem = settings_problem(&e);
        problem.message = problem
            .message
            .replace(&temp.display().to_string(), &locations.user.display().to_string());
        problem.message.push_str("; nothing was changed");
        problem
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_recognised_in_several_spellings() {
        assert_eq!(canonical_key("client_id").unwrap(), "client-id");
        assert_eq!(canonical_key("Endpoints.Login").unwrap(), "login-url");
        assert_eq!(canonical_key("WORKDAY-END").unwrap(), "workday-end");
        let problem = canonical_key("tennant").unwrap_err();
        assert_eq!(problem.kind, ProblemKind::InvalidChoice);
        assert!(problem.message.contains("client-id"), "{}", problem.message);
    }

    #[test]
    fn values_are_checked_with_the_settings_own_rules() {
        assert!(parse_value("workday-end", "18:15").is_ok());
        assert!(parse_value("workday-end", "25:99").is_err());
        assert_eq!(
            parse_value("work-days", "Sun-Thu").unwrap().to_string(),
            "mon-thu,sun"
        );
        assert!(parse_value("work-days", "weekdays").is_err());
        assert!(parse_value("cloud", "gcc-high").is_ok());
        assert!(parse_value("cloud", "mars").is_err());
        assert!(parse_value("notifications", "off").is_ok());
        assert!(parse_value("notifications", "maybe").is_err());
        assert!(parse_value("hotkey-duration", "90m").is_ok());
        assert!(parse_value("hotkey-duration", "-5m").is_err());
        assert!(parse_value("graph-url", "http://127.0.0.1:9").is_ok());
        assert!(parse_value("graph-url", "http://example.com").is_err());
        assert!(parse_value("tenant", "  ").is_err());
    }

    #[test]
    fn applying_and_removing_a_value_touches_only_its_field() {
        let mut file = SettingsFile {
            tenant: Some("contoso.com".into()),
            ..SettingsFile::default()
        };
        apply(
            &mut file,
            "workday-end",
            Some(&parse_value("workday-end", "18:00").unwrap()),
        );
        apply(
            &mut file,
            "login-url",
            Some(&Value::Text("http://127.0.0.1:1".into())),
        );
        assert_eq!(file.tenant.as_deref(), Some("contoso.com"));
        assert_eq!(file.workday_end.map(|t| t.to_string()).as_deref(), Some("18:00"));
        assert_eq!(file.endpoints.login.as_deref(), Some("http://127.0.0.1:1"));
        apply(&mut file, "tenant", None);
        assert_eq!(file.tenant, None);
    }
}
