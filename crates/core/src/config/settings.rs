//! The settings a user (or an administrator) sets, and where each effective value came from.
//!
//! Layers, later ones winning: built-in defaults < the managed file an administrator deploys < the user's file
//! < `PRESENTLY_*` environment variables < command-line flags. `doctor` shows the source of every value.
//!
//! | file | Linux | macOS | Windows |
//! |---|---|---|---|
//! | user | `$XDG_CONFIG_HOME/presently/settings.toml` | `~/Library/Application Support/app.presently.Presently/settings.toml` | `%APPDATA%\Presently\settings.toml` |
//! | managed | `/etc/presently/settings.toml` | `/Library/Application Support/Presently/settings.toml` | `%ProgramData%\Presently\settings.toml` |
//!
//! `PRESENTLY_CONFIG` and `PRESENTLY_MANAGED_CONFIG` name other files (tests, portable installs).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use jiff::civil::Time;
use presently_auth::{AuthConfig, Cloud, DEFAULT_CLIENT_ID, DEFAULT_TENANT, StorePreference};
use presently_model::{DEFAULT_WORKDAY_END, DurationChoice, Preset, WorkDays, WorkWeek};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

use super::file::{self, FileError};
use super::hotkeys::{Hotkeys, HotkeysFile};
use crate::net::{Network, NoProxy, ProxySetting};

/// What happens to the chosen status when Presently quits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnQuit {
    /// Keep my status until it ends: Graph drops the pin at its expiry (and the session within hours).
    #[default]
    Keep,
    /// Go back to automatic: clear the pin and the session before quitting.
    Clear,
}

/// One settings file as written: every key optional, unknown keys refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SettingsFile {
    /// `organizations`, a tenant id or a domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The app registration's client id (contract §6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `global`, `gcc-high` or `dod`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub cloud: Option<CloudName>,
    /// When "until end of day" ends, local time (`17:30`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub workday_end: Option<ClockTime>,
    /// The working days "until end of day" counts (`mon-fri`, `sun-thu`, `mon,wed,fri`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub work_days: Option<WorkDays>,
    /// Keep the status on quit, or go back to automatic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_quit: Option<OnQuit>,
    /// Start Presently when the user signs in to the computer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_at_login: Option<bool>,
    /// Desktop notifications (a timed status ended, sign-in needed, Graph disagrees).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<bool>,
    /// The time left of a timed status beside the tray icon (Linux, macOS; the tooltip on Windows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tray_time_left: Option<bool>,
    /// A status message set together with a status ends with that status (its expiry is the status's end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_message_with_status: Option<bool>,
    /// How long a status set by a global hotkey lasts (`1h`, `eod`, `forever`, `90m`, `until 17:00`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub hotkey_duration: Option<DurationChoice>,
    /// Where tokens are kept: `credential-store` (the default; memory only while it does not answer) or `file`
    /// (a plain file readable only by the user, not encrypted: only when the user asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub token_store: Option<StorePreference>,
    /// The proxy for sign-in and Graph: `system` (the default), `none`, or `http://host:port` (its user name
    /// and password live in the credential store, never here; see [`crate::net`]).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub proxy: Option<ProxySetting>,
    /// Hosts reached without the proxy (`localhost, 127.0.0.0/8, 0:0:0:0:0:0:0:1` by default; `""` for none).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_text")]
    pub no_proxy: Option<NoProxy>,
    /// Where the identity platform and Graph are, for the emulator or a proxy.
    #[serde(default, skip_serializing_if = "Endpoints::is_empty")]
    pub endpoints: Endpoints,
    /// Global shortcuts (`[hotkeys]`: `busy = "Ctrl+Alt+Shift+2"`, `""` for none; see [`super::hotkeys`]).
    #[serde(default, skip_serializing_if = "HotkeysFile::is_empty")]
    pub hotkeys: HotkeysFile,
}

/// Endpoint overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Endpoints {
    /// Replaces the cloud's sign-in host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// Replaces the cloud's Graph host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph: Option<String>,
}

impl Endpoints {
    fn is_empty(&self) -> bool {
        self.login.is_none() && self.graph.is_none()
    }
}

/// A cloud as written in settings (`global`, `gcc-high`, `dod`); `china` parses but is refused later with the
/// reason, so the message names the problem rather than calling the word unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudName(pub Cloud);

impl FromStr for CloudName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cloud::from_str(s).map(CloudName).map_err(|e| e.to_string())
    }
}

impl fmt::Display for CloudName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.key())
    }
}

/// A local wall-clock time written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockTime(pub Time);

impl FromStr for ClockTime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("\"{s}\" is not a time of day: write it as HH:MM, like 17:30");
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        Time::new(h, m, 0, 0).map(ClockTime).map_err(|_| bad())
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

/// Serde through `FromStr`/`Display`, so a bad value's message says what is expected.
mod as_text {
    use super::*;

    pub fn serialize<T: fmt::Display, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: fmt::Display,
        D: Deserializer<'de>,
    {
        let text = String::deserialize(d)?;
        T::from_str(&text).map(Some).map_err(serde::de::Error::custom)
    }
}

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind", content = "detail")]
pub enum Source {
    /// Presently's built-in default.
    Default,
    /// The administrator's managed file.
    Managed(PathBuf),
    /// The user's settings file.
    User(PathBuf),
    /// An environment variable.
    Environment(String),
    /// A command-line flag.
    Flag(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::Managed(p) => write!(f, "managed file {}", p.display()),
            Source::User(p) => write!(f, "settings file {}", p.display()),
            Source::Environment(v) => write!(f, "environment {v}"),
            Source::Flag(v) => write!(f, "flag {v}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    /// Its origin.
    pub source: Source,
}

/// The settings in force after layering, each with its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Sign-in cloud.
    #[serde(serialize_with = "ser_cloud")]
    pub cloud: Sourced<Cloud>,
    /// Tenant segment.
    pub tenant: Sourced<String>,
    pub client_id: Sourced<String>,
    /// Sign-in host override.
    pub login_url: Sourced<Option<String>>,
    /// Graph host override.
    pub graph_url: Sourced<Option<String>>,
    /// End of the working day.
    #[serde(serialize_with = "ser_time")]
    pub workday_end: Sourced<Time>,
    /// The working days.
    #[serde(serialize_with = "ser_days")]
    pub work_days: Sourced<WorkDays>,
    /// Behaviour on quit.
    pub on_quit: Sourced<OnQuit>,
    pub launch_at_login: Sourced<bool>,
    /// Notifications on.
    pub notifications: Sourced<bool>,
    /// Time left beside the tray icon.
    pub tray_time_left: Sourced<bool>,
    /// A message set with a status ends with it.
    pub clear_message_with_status: Sourced<bool>,
    /// Duration of hotkey-set statuses.
    #[serde(serialize_with = "ser_choice")]
    pub hotkey_duration: Sourced<DurationChoice>,
    /// The global shortcut of each action (no two the same: loading refuses duplicates).
    pub hotkeys: Hotkeys,
    /// The proxy for sign-in and Graph.
    #[serde(serialize_with = "ser_text")]
    pub proxy: Sourced<ProxySetting>,
    /// Hosts reached without the proxy.
    #[serde(serialize_with = "ser_text")]
    pub no_proxy: Sourced<NoProxy>,
    /// Where tokens are kept (read when the token store is chosen at start; not shown on the settings page).
    #[serde(skip)]
    pub token_store: Sourced<StorePreference>,
    /// The user's settings file (where `save` writes).
    pub user_file: PathBuf,
    /// The managed file looked at.
    pub managed_file: PathBuf,
}

fn ser_cloud<S: Serializer>(v: &Sourced<Cloud>, s: S) -> Result<S::Ok, S::Error> {
    Sourced {
        value: v.value.key(),
        source: v.source.clone(),
    }
    .serialize(s)
}
fn ser_time<S: Serializer>(v: &Sourced<Time>, s: S) -> Result<S::Ok, S::Error> {
    Sourced {
        value: ClockTime(v.value).to_string(),
        source: v.source.clone(),
    }
    .serialize(s)
}
fn ser_days<S: Serializer>(v: &Sourced<WorkDays>, s: S) -> Result<S::Ok, S::Error> {
    Sourced {
        value: v.value.to_string(),
        source: v.source.clone(),
    }
    .serialize(s)
}
fn ser_text<T: fmt::Display, S: Serializer>(v: &Sourced<T>, s: S) -> Result<S::Ok, S::Error> {
    Sourced {
        value: v.value.to_string(),
        source: v.source.clone(),
    }
    .serialize(s)
}
fn ser_choice<S: Serializer>(v: &Sourced<DurationChoice>, s: S) -> Result<S::Ok, S::Error> {
    Sourced {
        value: v.value.to_string(),
        source: v.source.clone(),
    }
    .serialize(s)
}

/// Values given on the command line (the CLI fills these from its global flags).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--cloud`.
    pub cloud: Option<String>,
    /// `--tenant`.
    pub tenant: Option<String>,
    /// `--client-id`.
    pub client_id: Option<String>,
    /// `--login-url`.
    pub login_url: Option<String>,
    /// `--graph-url`.
    pub graph_url: Option<String>,
}

/// Why the settings in force could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A settings file is broken (names file, line and key).
    #[error(transparent)]
    File(#[from] FileError),
    /// An environment variable or flag holds a bad value.
    #[error("{origin}: {message}")]
    BadValue {
        /// The variable or flag.
        origin: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The platform has no configuration folder (no home directory).
    #[error("cannot find a configuration folder: set PRESENTLY_CONFIG to a settings file path")]
    NoConfigDir,
}

/// Where the two files live, honouring `PRESENTLY_CONFIG` / `PRESENTLY_MANAGED_CONFIG`.
#[derive(Debug, Clone)]
pub struct Locations {
    /// The user's file.
    pub user: PathBuf,
    /// The administrator's file.
    pub managed: PathBuf,
}

impl Locations {
    /// The platform's locations, or those the environment names.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let user = match env("PRESENTLY_CONFIG") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => crate::paths::config_dir()
                .ok_or(SettingsError::NoConfigDir)?
                .join("settings.toml"),
        };
        let managed = match env("PRESENTLY_MANAGED_CONFIG") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => managed_default(),
        };
        Ok(Self { user, managed })
    }
}

fn managed_default() -> PathBuf {
    if cfg!(target_os = "windows") {
        let base = std::env::var_os("ProgramData")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        base.join("Presently").join("settings.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Presently/settings.toml")
    } else {
        PathBuf::from("/etc/presently/settings.toml")
    }
}

impl Settings {
    /// The working week "until end of day" follows.
    pub fn work_week(&self) -> WorkWeek {
        WorkWeek::new(self.workday_end.value, self.work_days.value)
    }

    /// Loads both files and layers them with the environment and flags.
    pub fn load(
        locations: &Locations,
        env: &dyn Fn(&str) -> Option<String>,
        flags: &Overrides,
    ) -> Result<Self, SettingsError> {
        let managed = file::load::<SettingsFile>(&locations.managed)?.unwrap_or_default();
        let user = file::load::<SettingsFile>(&locations.user)?.unwrap_or_default();
        let layers = [
            (Source::Managed(locations.managed.clone()), &managed),
            (Source::User(locations.user.clone()), &user),
        ];
        // The value from the last file layer that sets it.
        macro_rules! from_files {
            ($field:ident, $default:expr) => {{
                let mut v = Sourced {
                    value: $default,
                    source: Source::Default,
                };
                for (source, layer) in &layers {
                    if let Some(x) = layer.$field.clone() {
                        v = Sourced {
                            value: x,
                            source: source.clone(),
                        };
                    }
                }
                v
            }};
        }
        let mut cloud = {
            let v = from_files!(cloud, CloudName(Cloud::Global));
            Sourced {
                value: v.value.0,
                source: v.source,
            }
        };
        let mut tenant = from_files!(tenant, DEFAULT_TENANT.to_string());
        let mut client_id = from_files!(client_id, DEFAULT_CLIENT_ID.to_string());
        let mut login_url = Sourced {
            value: None,
            source: Source::Default,
        };
        let mut graph_url = Sourced {
            value: None,
            source: Source::Default,
        };
        for (source, layer) in &layers {
            if let Some(u) = &layer.endpoints.login {
                login_url = Sourced {
                    value: Some(u.clone()),
                    source: source.clone(),
                };
            }
            if let Some(u) = &layer.endpoints.graph {
                graph_url = Sourced {
                    value: Some(u.clone()),
                    source: source.clone(),
                };
            }
        }

        let text_overrides: [(&str, &str, &Option<String>); 5] = [
            ("cloud", "--cloud", &flags.cloud),
            ("tenant", "--tenant", &flags.tenant),
            ("client-id", "--client-id", &flags.client_id),
            ("login-url", "--login-url", &flags.login_url),
            ("graph-url", "--graph-url", &flags.graph_url),
        ];
        for (key, flag, flag_value) in text_overrides {
            let var = format!("PRESENTLY_{}", key.to_ascii_uppercase().replace('-', "_"));
            let (value, source) = match (flag_value, env(&var)) {
                (Some(v), _) => (v.clone(), Source::Flag(flag.to_string())),
                (None, Some(v)) if !v.is_empty() => (v, Source::Environment(var)),
                _ => continue,
            };
            match key {
                "cloud" => {
                    let c = CloudName::from_str(&value).map_err(|message| SettingsError::BadValue {
                        origin: source.to_string(),
                        message,
                    })?;
                    cloud = Sourced { value: c.0, source };
                }
                "tenant" => tenant = Sourced { value, source },
                "client-id" => client_id = Sourced { value, source },
                "login-url" => {
                    login_url = Sourced {
                        value: Some(value),
                        source,
                    }
                }
                _ => {
                    graph_url = Sourced {
                        value: Some(value),
                        source,
                    }
                }
            }
        }

        let settings = Settings {
            cloud,
            tenant,
            client_id,
            login_url,
            graph_url,
            workday_end: {
                let v = from_files!(workday_end, ClockTime(DEFAULT_WORKDAY_END));
                Sourced {
                    value: v.value.0,
                    source: v.source,
                }
            },
            work_days: from_files!(work_days, WorkDays::default()),
            on_quit: from_files!(on_quit, OnQuit::Keep),
            launch_at_login: from_files!(launch_at_login, false),
            notifications: from_files!(notifications, true),
            tray_time_left: from_files!(tray_time_left, true),
            clear_message_with_status: from_files!(clear_message_with_status, true),
            hotkey_duration: from_files!(hotkey_duration, DurationChoice::Preset(Preset::Hour1)),
            hotkeys: Hotkeys::layered(
                layers
                    .iter()
                    .map(|(source, layer)| (source.clone(), &layer.hotkeys)),
            ),
            proxy: from_files!(proxy, ProxySetting::System),
            no_proxy: from_files!(no_proxy, NoProxy::default()),
            token_store: {
                let mut v = from_files!(token_store, StorePreference::CredentialStore);
                if let Some(text) = env("PRESENTLY_TOKEN_STORE").filter(|t| !t.is_empty()) {
                    let origin = Source::Environment("PRESENTLY_TOKEN_STORE".into());
                    v = Sourced {
                        value: text.parse().map_err(|message| SettingsError::BadValue {
                            origin: origin.to_string(),
                            message,
                        })?,
                        source: origin,
                    };
                }
                v
            },
            user_file: locations.user.clone(),
            managed_file: locations.managed.clone(),
        };
        // Two actions on one shortcut: the second could never work, so refuse now, naming where it was set.
        if let Some(duplicate) = settings.hotkeys.duplicate() {
            return Err(SettingsError::BadValue {
                origin: settings.hotkeys.get(duplicate.second).source.to_string(),
                message: format!("[hotkeys] {duplicate}"),
            });
        }
        // Refuse a configuration sign-in would refuse, now, with the setting's origin in the message.
        settings.auth().endpoints().map_err(|e| SettingsError::BadValue {
            origin: settings.origin_of_auth_error(&e),
            message: e.to_string(),
        })?;
        Ok(settings)
    }

    fn origin_of_auth_error(&self, e: &presently_auth::ConfigError) -> String {
        use presently_auth::ConfigError as E;
        match e {
            E::CloudWithoutPresence | E::UnknownCloud(_) => self.cloud.source.to_string(),
            E::InvalidTenant(_) | E::ConsumersTenant => self.tenant.source.to_string(),
            E::InvalidClientId(_) => self.client_id.source.to_string(),
            E::InvalidLoginBase { .. } => self.login_url.source.to_string(),
        }
    }

    /// The sign-in configuration these settings describe.
    pub fn auth(&self) -> AuthConfig {
        AuthConfig {
            cloud: self.cloud.value,
            tenant: self.tenant.value.clone(),
            client_id: self.client_id.value.clone(),
            login_base: self.login_url.value.clone(),
        }
    }

    /// The network settings, without the proxy's credentials (see [`crate::net::load_credentials`]).
    pub fn network(&self) -> Network {
        Network {
            proxy: self.proxy.value.clone(),
            no_proxy: self.no_proxy.value.clone(),
            credentials: None,
        }
    }

    /// Graph's base URL: the override, or the cloud's host.
    pub fn graph_base(&self) -> String {
        self.graph_url
            .value
            .clone()
            .unwrap_or_else(|| self.cloud.value.graph_base().to_string())
    }
}

/// Changes the user's file with `change`, atomically; refuses if the file on disk is broken (it is left as is).
pub fn update_user_file(
    path: &Path,
    change: impl FnOnce(&mut SettingsFile),
) -> Result<SettingsFile, FileError> {
    // Presently's own settings folder is owner-only; a folder the user named (PRESENTLY_CONFIG) is left alone.
    if let (Some(dir), Some(own)) = (path.parent(), crate::paths::config_dir())
        && dir == own
    {
        file::ensure_private_dir(dir).map_err(|source| FileError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    }
    // One read-modify-write at a time, across processes too (the popup and the CLI may save together).
    file::locked(path, || {
        let mut current = file::load::<SettingsFile>(path)?.unwrap_or_default();
        change(&mut current);
        file::save(path, &current)?;
        Ok(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn locations(dir: &Path) -> Locations {
        Locations {
            user: dir.join("user.toml"),
            managed: dir.join("managed.toml"),
        }
    }

    #[test]
    fn updating_the_file_keeps_the_users_comments_and_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("user.toml");
        let text = "# My Presently settings\n\
                    notifications = false # too noisy\n\
                    tenant = \"contoso.com\"\n\
                    \n\
                    # shortcuts I use\n\
                    [hotkeys]\n\
                    busy = \"Ctrl+Alt+B\" # busy!\n";
        std::fs::write(&path, text).unwrap();
        update_user_file(&path, |f| {
            f.workday_end = Some("18:15".parse().unwrap());
            f.tenant = None;
        })
        .unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(
            after.starts_with("# My Presently settings\nnotifications = false # too noisy\n"),
            "{after}"
        );
        assert!(
            after.contains("# shortcuts I use\n[hotkeys]\nbusy = \"Ctrl+Alt+B\" # busy!"),
            "{after}"
        );
        assert!(after.contains("workday-end = \"18:15\""), "{after}");
        assert!(!after.contains("tenant"), "{after}");
        let reread = file::load::<SettingsFile>(&path).unwrap().unwrap();
        assert_eq!(
            reread.workday_end.map(|t| t.to_string()).as_deref(),
            Some("18:15")
        );
        assert_eq!(reread.notifications, Some(false));
    }

    #[test]
    fn updates_from_two_processes_at_once_lose_neither_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("user.toml");
        std::thread::scope(|scope| {
            let path = &path;
            scope.spawn(move || {
                for i in 0..60 {
                    update_user_file(path, |f| f.notifications = Some(i % 2 == 0)).unwrap();
                }
                update_user_file(path, |f| f.tenant = Some("a.example".into())).unwrap();
            });
            scope.spawn(move || {
                for i in 0..60 {
                    update_user_file(path, |f| f.launch_at_login = Some(i % 2 == 0)).unwrap();
                }
                update_user_file(path, |f| f.client_id = Some("b".into())).unwrap();
            });
        });
        let last = file::load::<SettingsFile>(&path).unwrap().unwrap();
        assert_eq!(last.tenant.as_deref(), Some("a.example"));
        assert_eq!(last.client_id.as_deref(), Some("b"));
        assert_eq!(last.notifications, Some(false));
        assert_eq!(last.launch_at_login, Some(false));
    }

    #[test]
    fn with_no_files_the_defaults_apply_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let s = Settings::load(&locations(dir.path()), &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(s.tenant.value, "organizations");
        assert_eq!(s.client_id.value, DEFAULT_CLIENT_ID);
        assert_eq!(s.cloud.value, Cloud::Global);
        assert_eq!(s.workday_end.value, DEFAULT_WORKDAY_END);
        assert_eq!(s.tenant.source, Source::Default);
        assert_eq!(s.graph_base(), "https://graph.microsoft.com");
    }

    #[test]
    fn layers_apply_in_order_managed_user_environment_flag() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(
            &loc.managed,
            "tenant = \"contoso.com\"\nclient-id = \"11111111-2222-3333-4444-555555555555\"\n",
        )
        .unwrap();
        std::fs::write(&loc.user, "tenant = \"fabrikam.com\"\nworkday-end = \"18:15\"\n").unwrap();
        let s = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(
            (s.tenant.value.as_str(), &s.tenant.source),
            ("fabrikam.com", &Source::User(loc.user.clone()))
        );
        assert_eq!(s.client_id.source, Source::Managed(loc.managed.clone()));
        assert_eq!(ClockTime(s.workday_end.value).to_string(), "18:15");

        let env = env_of(&[
            ("PRESENTLY_TENANT", "env.example"),
            ("PRESENTLY_CLOUD", "gcc-high"),
        ]);
        let s = Settings::load(&loc, &env, &Overrides::default()).unwrap();
        assert_eq!(s.tenant.value, "env.example");
        assert_eq!(s.cloud.value, Cloud::UsGovHigh);
        assert_eq!(s.graph_base(), "https://graph.microsoft.us");

        let flags = Overrides {
            tenant: Some("flag.example".into()),
            ..Default::default()
        };
        let s = Settings::load(&loc, &env, &flags).unwrap();
        assert_eq!(
            (s.tenant.value.as_str(), &s.tenant.source),
            ("flag.example", &Source::Flag("--tenant".into()))
        );
    }

    #[test]
    fn a_bad_value_in_the_file_names_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "tenant = \"a\"\n\nworkday-end = \"25:99\"\n").unwrap();
        let err = Settings::load(&loc, &env_of(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("user.toml, line 3, key `workday-end`"), "{err}");
        assert!(err.contains("HH:MM"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "tennant = \"a\"\n").unwrap();
        let err = Settings::load(&loc, &env_of(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1, key `tennant`"), "{err}");
    }

    #[test]
    fn the_china_cloud_is_refused_naming_where_it_was_set() {
        let dir = tempfile::tempdir().unwrap();
        let err = Settings::load(
            &locations(dir.path()),
            &env_of(&[("PRESENTLY_CLOUD", "china")]),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("PRESENTLY_CLOUD") && err.contains("no presence API"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_client_id_flag_is_refused_naming_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let flags = Overrides {
            client_id: Some("not-a-guid".into()),
            ..Default::default()
        };
        let err = Settings::load(&locations(dir.path()), &env_of(&[]), &flags)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--client-id"), "{err}");
    }

    #[test]
    fn hotkeys_default_per_action_and_a_file_changes_or_clears_them_key_by_key() {
        use crate::config::hotkeys::HotkeyAction;
        use presently_model::PreferredPresence;
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        let s = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        let busy = HotkeyAction::Status(PreferredPresence::Busy);
        assert_eq!(
            s.hotkeys.get(busy).value.map(|k| k.to_string()).as_deref(),
            Some("Ctrl+Alt+Shift+2")
        );
        std::fs::write(&loc.user, "[hotkeys]\nbusy = \"ctrl+alt+b\"\nopen = \"\"\n").unwrap();
        let s = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(
            s.hotkeys.get(busy).value.map(|k| k.to_string()).as_deref(),
            Some("Ctrl+Alt+B")
        );
        assert_eq!(s.hotkeys.get(busy).source, Source::User(loc.user.clone()));
        assert_eq!(s.hotkeys.get(HotkeyAction::Open).value, None);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["hotkeys"]["busy"]["value"], "Ctrl+Alt+B");
        assert_eq!(json["hotkeys"]["open"]["value"], "");
        assert_eq!(json["hotkeys"]["dnd"]["value"], "Ctrl+Alt+Shift+3");
    }

    #[test]
    fn a_bad_or_duplicate_hotkey_in_a_file_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "[hotkeys]\naway = \"Ctrl+Alt+Shift+Banana\"\n").unwrap();
        let err = Settings::load(&loc, &env_of(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("user.toml, line 2, key `away`"), "{err}");
        assert!(err.contains("\"Banana\" is not a key"), "{err}");

        // The managed file gives Busy a shortcut the user gives Do not disturb: the user's one is refused.
        std::fs::write(&loc.managed, "[hotkeys]\nbusy = \"Ctrl+Alt+B\"\n").unwrap();
        std::fs::write(&loc.user, "[hotkeys]\ndnd = \"ctrl+alt+b\"\n").unwrap();
        let err = Settings::load(&loc, &env_of(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("user.toml"), "{err}");
        assert!(
            err.contains("Ctrl+Alt+B is the shortcut of both Busy and Do not disturb"),
            "{err}"
        );
    }

    #[test]
    fn updating_the_user_file_keeps_other_keys_and_refuses_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "tenant = \"fabrikam.com\"\n").unwrap();
        update_user_file(&loc.user, |f| f.on_quit = Some(OnQuit::Clear)).unwrap();
        let s = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(
            (s.tenant.value.as_str(), s.on_quit.value),
            ("fabrikam.com", OnQuit::Clear)
        );

        std::fs::write(&loc.user, "tenant = [").unwrap();
        assert!(update_user_file(&loc.user, |f| f.notifications = Some(false)).is_err());
        assert_eq!(std::fs::read_to_string(&loc.user).unwrap(), "tenant = [");
    }
}
