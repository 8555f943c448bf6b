//! Editing settings from a view (the popup's settings page): what it shows ([`SettingsView`]), what it sends
//! back ([`SettingsPatch`]), how a patch is checked ([`validate`]) and written ([`apply`], [`save`]).
//!
//! Why a module of its own: the popup must refuse bad input **in place**, next to the field, with the reason,
//! and lose nothing the user typed. So every field is checked with the same parsers the settings file uses
//! ([`CloudName`], [`ClockTime`], [`DurationChoice`], and the sign-in checks of [`AuthConfig::endpoints`]),
//! every error is collected (not just the first) as a [`FieldError`] naming the patch field, and nothing is
//! written unless the whole patch is valid. Writing goes through [`update_user_file`]: atomic, keeps the
//! user's other keys, and refuses to replace a broken file.
//!
//! Locks. Settings layer as defaults < managed file < user file < environment < flags (see
//! [`settings`](super::settings)). Saving writes the **user** file, so a value set by an environment variable
//! or a flag would not take effect: the view marks it `locked` and [`save`] refuses to change it, naming the
//! variable or flag. A value from the administrator's managed file is an organisation default that the
//! user file overrides by design, so it is shown with its origin but not locked.
//!
//! A blank text field means "remove my value": the key is dropped from the user file and the managed file or
//! the built-in default applies again. Hotkeys are the exception: a blank shortcut means "no shortcut" (written
//! as `""`, so it stays cleared); restoring the default is typing it again (each row of [`HotkeysView`] says
//! it). A shortcut is checked by [`Shortcut`]'s parser (a modifier is required, the key must be one Presently
//! knows), and two actions may not share one: [`validate`] refuses that within a patch and [`save`] against the
//! shortcuts in force, each time on the field the patch changed, naming the other action.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use presently_auth::{AuthConfig, ConfigError};
use presently_model::{DurationChoice, WorkDays};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::file::FileError;
use super::hotkeys::{Binding, HotkeyAction, HotkeyReport, HotkeysView, Shortcut, duplicates};
use super::settings::{
    ClockTime, CloudName, OnQuit, Settings, SettingsFile, Source, Sourced, update_user_file,
};
use crate::net::{NoProxy, ProxyCredentials, ProxySetting};
use crate::problem::{Problem, ProblemKind};

/// One editable setting as a view shows it: the value in force, where it came from, and whether saving can
/// change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldView<T> {
    /// The value in force, in the same form the patch takes (`"gcc-high"`, `"17:30"`, `"1h"`).
    pub value: T,
    /// Where it came from.
    pub source: Source,
    /// The source in words (`default`, `managed file /etc/presently/settings.toml`, `environment
    /// PRESENTLY_TENANT`), for a tooltip or a note under the field.
    pub origin: String,
    /// True when an environment variable or a flag sets it: saving the user file would not change it.
    pub locked: bool,
}

impl<T> FieldView<T> {
    pub(crate) fn from_sourced<U>(sourced: &Sourced<U>, value: impl FnOnce(&U) -> T) -> Self {
        Self {
            value: value(&sourced.value),
            source: sourced.source.clone(),
            origin: sourced.source.to_string(),
            locked: is_locking(&sourced.source),
        }
    }
}

/// Whether a value from `source` outranks the user file (so saving cannot change it).
fn is_locking(source: &Source) -> bool {
    matches!(source, Source::Environment(_) | Source::Flag(_))
}

/// What the settings page shows: every editable setting with its effective value and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// `organizations`, a tenant id or a domain (contract §5).
    pub tenant: FieldView<String>,
    /// The app registration's client id (contract §6).
    pub client_id: FieldView<String>,
    /// `global`, `gcc-high` or `dod` (contract §1).
    pub cloud: FieldView<String>,
    /// When "end of day" ends, `HH:MM` local time.
    pub workday_end: FieldView<String>,
    /// The working days (`mon-fri`).
    pub work_days: FieldView<String>,
    /// `keep` (my status stays until it ends) or `clear` (back to automatic) when Presently quits.
    pub on_quit: FieldView<String>,
    /// Start Presently at login.
    pub launch_at_login: FieldView<bool>,
    /// Desktop notifications.
    pub notifications: FieldView<bool>,
    /// Time left beside the tray icon.
    pub tray_time_left: FieldView<bool>,
    /// A status message set with a status ends with it.
    pub clear_message_with_status: FieldView<bool>,
    /// How long a status set by a hotkey lasts, as the duration parser reads it (`1h`, `eod`, `until 17:00`).
    pub hotkey_duration: FieldView<String>,
    /// The proxy for sign-in and Graph: `system`, `none` or `http://host:port` (never with credentials: those are
    /// in the credential store).
    pub proxy: FieldView<String>,
    /// Hosts reached without the proxy, comma-separated (`localhost, 127.0.0.0/8, 0:0:0:0:0:0:0:1`).
    pub no_proxy: FieldView<String>,
    /// One row per hotkey action (its shortcut in force, source, label and default), whether hotkeys can work
    /// here (Wayland cannot grab keys), each row's registration result and equivalent command line (reported by
    /// the tray app's main process; see [`HotkeyReport`]).
    pub hotkeys: HotkeysView,
    /// The user's settings file, where saving writes.
    pub user_file: String,
}

/// The view of the settings in force, as a process without hotkeys shows it (no registration report).
pub fn view(settings: &Settings) -> SettingsView {
    view_with(settings, &HotkeyReport::default())
}

/// The view of the settings in force with the hotkey registration `report` of the tray app's main process.
pub fn view_with(settings: &Settings, report: &HotkeyReport) -> SettingsView {
    view_in(settings, report, &crate::wording::KnownFolders::of_this_user())
}

/// [`view_with`], its paths shortened against `folders` (`~/.config/presently/settings.toml`).
pub fn view_in(
    settings: &Settings,
    report: &HotkeyReport,
    folders: &crate::wording::KnownFolders,
) -> SettingsView {
    SettingsView {
        tenant: FieldView::from_sourced(&settings.tenant, Clone::clone),
        client_id: FieldView::from_sourced(&settings.client_id, Clone::clone),
        cloud: FieldView::from_sourced(&settings.cloud, |c| c.key().to_owned()),
        workday_end: FieldView::from_sourced(&settings.workday_end, |t| ClockTime(*t).to_string()),
        work_days: FieldView::from_sourced(&settings.work_days, ToString::to_string),
        on_quit: FieldView::from_sourced(&settings.on_quit, |q| on_quit_name(*q).to_owned()),
        launch_at_login: FieldView::from_sourced(&settings.launch_at_login, |b| *b),
        notifications: FieldView::from_sourced(&settings.notifications, |b| *b),
        tray_time_left: FieldView::from_sourced(&settings.tray_time_left, |b| *b),
        clear_message_with_status: FieldView::from_sourced(&settings.clear_message_with_status, |b| *b),
        hotkey_duration: FieldView::from_sourced(&settings.hotkey_duration, ToString::to_string),
        proxy: FieldView::from_sourced(&settings.proxy, ToString::to_string),
        no_proxy: FieldView::from_sourced(&settings.no_proxy, ToString::to_string),
        hotkeys: HotkeysView::new(&settings.hotkeys, &settings.hotkey_duration.value, report),
        user_file: folders.shorten(&settings.user_file),
    }
}

fn on_quit_name(on_quit: OnQuit) -> &'static str {
    match on_quit {
        OnQuit::Keep => "keep",
        OnQuit::Clear => "clear",
    }
}

/// Changes a view asks for. Every field is optional: absent means "leave as it is". Text fields take the same
/// words as the settings file; a blank text removes the user's value (the default applies again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    /// Tenant: `organizations`, a tenant id or a domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Client id (a GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `global`, `gcc-high` or `dod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
    /// `HH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workday_end: Option<String>,
    /// Working days: `mon-fri`, `sun-thu`, `mon,wed,fri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_days: Option<String>,
    /// `keep` or `clear`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_quit: Option<String>,
    /// Start at login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_at_login: Option<bool>,
    /// Notifications on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<bool>,
    /// The time left beside the tray icon on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tray_time_left: Option<bool>,
    /// "Clear the message when the status ends" on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear_message_with_status: Option<bool>,
    /// A duration (`1h`, `90m`, `eod`, `forever`, `until 17:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey_duration: Option<String>,
    /// `system`, `none`, or a proxy URL; `user:password@` in it is kept in the credential store, not the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Hosts reached without the proxy. Unlike other text fields, blank is a value: no host bypasses it (use
    /// `system` or `none` in `proxy` to stop using one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_proxy: Option<String>,
    /// New shortcuts by action (`{"busy": "Ctrl+Alt+Shift+2"}`); a blank text = no shortcut. A refusal names
    /// the row's [`field`](HotkeyAction::field) (`hotkeyBusy`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[ts(type = "Partial<Record<HotkeyAction, string>>")]
    pub hotkeys: BTreeMap<HotkeyAction, String>,
}

/// Why one field of a patch was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The patch field, camelCase as sent (`workdayEnd`).
    pub field: String,
    /// What is wrong and what to write instead, as a sentence.
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: impl fmt::Display) -> Self {
        Self {
            field: field.to_owned(),
            message: sentence(&message.to_string()),
        }
    }
}

/// Starts a message with a capital letter (parsers' messages start lower-case to be embeddable).
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Why a patch was not saved: bad fields (shown next to each field), or a problem with the file itself.
///
/// Serialises as `{"fieldErrors":[{"field","message"}]}` or as a [`Problem`], the two error shapes of the
/// `save_settings` command. It also reads back from either shape (the popup process receives it over the IPC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum SettingsRejected {
    /// One or more fields are invalid; nothing was written.
    Fields {
        /// Every bad field, in patch order.
        #[serde(rename = "fieldErrors")]
        field_errors: Vec<FieldError>,
    },
    /// The file could not be written (it is broken, or the disk refused); nothing was written.
    Problem(Problem),
}

impl fmt::Display for SettingsRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsRejected::Fields { field_errors } => {
                let parts: Vec<String> = field_errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                write!(f, "settings not saved: {}", parts.join("; "))
            }
            SettingsRejected::Problem(p) => write!(f, "settings not saved: {}", p.message),
        }
    }
}

impl std::error::Error for SettingsRejected {}

impl From<FileError> for SettingsRejected {
    fn from(e: FileError) -> Self {
        // The user must fix or remove a broken file by hand; the message names the file, line and key.
        SettingsRejected::Problem(Problem::new(ProblemKind::Configuration, e.to_string()))
    }
}

/// One change to a key of the user file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// Write this value.
    Set(T),
    /// Remove the key: the managed file or the default applies again.
    Remove,
}

impl<T> Change<T> {
    fn apply_to(self, slot: &mut Option<T>) {
        *slot = match self {
            Change::Set(v) => Some(v),
            Change::Remove => None,
        };
    }
}

/// A checked patch, ready to apply to a [`SettingsFile`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Changes {
    /// Tenant, trimmed.
    pub tenant: Option<Change<String>>,
    /// Client id, normalised to lower-case hyphenated form.
    pub client_id: Option<Change<String>>,
    pub cloud: Option<Change<CloudName>>,
    /// Working-day end.
    pub workday_end: Option<Change<ClockTime>>,
    /// Working days.
    pub work_days: Option<Change<WorkDays>>,
    pub on_quit: Option<Change<OnQuit>>,
    pub launch_at_login: Option<bool>,
    pub notifications: Option<bool>,
    /// Time left beside the tray icon.
    pub tray_time_left: Option<bool>,
    /// A message set with a status ends with it.
    pub clear_message_with_status: Option<bool>,
    pub hotkey_duration: Option<Change<DurationChoice>>,
    /// The proxy, without credentials.
    pub proxy: Option<Change<ProxySetting>>,
    /// The credentials typed in the proxy's URL, for the credential store (never the file).
    pub proxy_credentials: Option<ProxyCredentials>,
    /// Hosts reached without the proxy.
    pub no_proxy: Option<NoProxy>,
    /// New shortcuts (`Binding(None)`: cleared), in [`HotkeyAction::ALL`] order.
    pub hotkeys: Vec<(HotkeyAction, Binding)>,
}

impl Changes {
    /// Writes these changes into `file`, leaving every other key as it is.
    pub fn apply_to(self, file: &mut SettingsFile) {
        if let Some(c) = self.tenant {
            c.apply_to(&mut file.tenant);
        }
        if let Some(c) = self.client_id {
            c.apply_to(&mut file.client_id);
        }
        if let Some(c) = self.cloud {
            c.apply_to(&mut file.cloud);
        }
        if let Some(c) = self.workday_end {
            c.apply_to(&mut file.workday_end);
        }
        if let Some(c) = self.work_days {
            c.apply_to(&mut file.work_days);
        }
        if let Some(c) = self.on_quit {
            c.apply_to(&mut file.on_quit);
        }
        if let Some(b) = self.launch_at_login {
            file.launch_at_login = Some(b);
        }
        if let Some(b) = self.notifications {
            file.notifications = Some(b);
        }
        if let Some(b) = self.tray_time_left {
            file.tray_time_left = Some(b);
        }
        if let Some(b) = self.clear_message_with_status {
            file.clear_message_with_status = Some(b);
        }
        if let Some(c) = self.hotkey_duration {
            c.apply_to(&mut file.hotkey_duration);
        }
        if let Some(c) = self.proxy {
            c.apply_to(&mut file.proxy);
        }
        if let Some(list) = self.no_proxy {
            file.no_proxy = Some(list);
        }
        for (action, binding) in self.hotkeys {
            file.hotkeys.set(action, binding);
        }
    }
}

/// Checks one optional text field: `None` = untouched, blank = remove, else `parse`.
fn check_text<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<Change<T>> {
    let text = text.as_deref()?;
    if text.trim().is_empty() {
        return Some(Change::Remove);
    }
    match parse(text) {
        Ok(v) => Some(Change::Set(v)),
        Err(message) => {
            errors.push(FieldError::new(field, message));
            None
        }
    }
}

/// The sign-in check of one field, the others at their (valid) defaults, so each error belongs to that field.
fn check_auth(config: AuthConfig) -> Result<presently_auth::Endpoints, String> {
    config.endpoints().map_err(|e: ConfigError| e.to_string())
}

/// Checks every field of `patch` with the parsers the settings file uses. All bad fields are reported.
pub fn validate(patch: &SettingsPatch) -> Result<Changes, Vec<FieldError>> {
    let mut errors = Vec::new();
    let tenant = check_text(&mut errors, "tenant", &patch.tenant, |t| {
        check_auth(AuthConfig {
            tenant: t.to_owned(),
            ..AuthConfig::default()
        })
        .map(|e| e.tenant)
    });
    let client_id = check_text(&mut errors, "clientId", &patch.client_id, |id| {
        check_auth(AuthConfig {
            client_id: id.to_owned(),
            ..AuthConfig::default()
        })
        .map(|e| e.client_id)
    });
    let cloud = check_text(&mut errors, "cloud", &patch.cloud, |c| {
        let cloud = CloudName::from_str(c)?;
        // contract §1: China has no presence API; the sign-in check says so in words.
        check_auth(AuthConfig {
            cloud: cloud.0,
            ..AuthConfig::default()
        })?;
        Ok(cloud)
    });
    let workday_end = check_text(&mut errors, "workdayEnd", &patch.workday_end, ClockTime::from_str);
    let work_days = check_text(&mut errors, "workDays", &patch.work_days, |d| {
        WorkDays::from_str(d).map_err(|e| e.to_string())
    });
    let on_quit = check_text(&mut errors, "onQuit", &patch.on_quit, |q| {
        match q.trim().to_ascii_lowercase().as_str() {
            "keep" => Ok(OnQuit::Keep),
            "clear" => Ok(OnQuit::Clear),
            _ => Err(format!(
                "\"{}\" is not a choice for quitting: use keep (my status stays until it ends) or clear (back to automatic)",
                shortened(q)
            )),
        }
    });
    let hotkey_duration = check_text(&mut errors, "hotkeyDuration", &patch.hotkey_duration, |d| {
        DurationChoice::from_str(d).map_err(|e| e.to_string())
    });
    let mut proxy_credentials = None;
    let proxy = check_text(&mut errors, "proxy", &patch.proxy, |p| {
        let (setting, credentials) = ProxySetting::parse_with_credentials(p)?;
        proxy_credentials = credentials;
        Ok(setting)
    });
    let no_proxy = match patch.no_proxy.as_deref().map(NoProxy::from_str) {
        None => None,
        Some(Ok(list)) => Some(list),
        Some(Err(message)) => {
            errors.push(FieldError::new("noProxy", message));
            None
        }
    };
    let hotkeys = parse_hotkeys(patch, &mut errors);
    // Two rows of the same patch with one shortcut: refused on the later row.
    errors.extend(duplicate_errors(hotkeys.iter().map(|(a, b)| (*a, b.0)), &hotkeys));
    if errors.is_empty() {
        Ok(Changes {
            tenant,
            client_id,
            cloud,
            workday_end,
            work_days,
            on_quit,
            launch_at_login: patch.launch_at_login,
            notifications: patch.notifications,
            tray_time_left: patch.tray_time_left,
            clear_message_with_status: patch.clear_message_with_status,
            hotkey_duration,
            proxy,
            proxy_credentials,
            no_proxy,
            hotkeys,
        })
    } else {
        Err(errors)
    }
}

/// The shortcuts `patch` sets that parse (in `HotkeyAction::ALL` order); the others' refusals go to `errors`.
fn parse_hotkeys(patch: &SettingsPatch, errors: &mut Vec<FieldError>) -> Vec<(HotkeyAction, Binding)> {
    let mut hotkeys = Vec::new();
    for action in HotkeyAction::ALL {
        let Some(text) = patch.hotkeys.get(&action) else {
            continue;
        };
        match Binding::from_str(text) {
            Ok(binding) => hotkeys.push((action, binding)),
            Err(e) => errors.push(FieldError::new(&action.field(), e)),
        }
    }
    hotkeys
}

/// A refusal for every pair of `bindings` sharing a shortcut, on the row `changed` holds (the later one when
/// both are), naming the other action.
fn duplicate_errors(
    bindings: impl IntoIterator<Item = (HotkeyAction, Option<Shortcut>)>,
    changed: &[(HotkeyAction, Binding)],
) -> Vec<FieldError> {
    let is_changed = |action: HotkeyAction| changed.iter().any(|(a, _)| *a == action);
    duplicates(bindings)
        .into_iter()
        .filter_map(|d| {
            let (blamed, other) = if is_changed(d.second) {
                (d.second, d.first)
            } else if is_changed(d.first) {
                (d.first, d.second)
            } else {
                return None;
            };
            Some(FieldError::new(
                &blamed.field(),
                format!(
                    "{} is already the shortcut of {other}: choose another one, or change {other} first",
                    d.shortcut
                ),
            ))
        })
        .collect()
}

/// At most 40 characters of user input, for a message.
fn shortened(text: &str) -> String {
    presently_model::text::shortened(text, 40)
}

/// Validates `patch` and writes it into the user file at `path` (atomically; other keys kept; a broken file is
/// refused and left untouched). Returns the file as written.
pub fn apply(path: &Path, patch: &SettingsPatch) -> Result<SettingsFile, SettingsRejected> {
    let changes = validate(patch).map_err(|field_errors| SettingsRejected::Fields { field_errors })?;
    keep_proxy_credentials(&changes)?;
    Ok(update_user_file(path, |file| changes.apply_to(file))?)
}

/// Puts the credentials typed in the proxy's URL in the credential store before the file names the proxy (a
/// refusal is the proxy field's: nothing is written). A proxy URL without credentials leaves those kept for it
/// (the settings page shows the URL without them, so saving the page again must not lose them).
fn keep_proxy_credentials(changes: &Changes) -> Result<(), SettingsRejected> {
    match (&changes.proxy, &changes.proxy_credentials) {
        (Some(Change::Set(ProxySetting::Url(url))), Some(credentials)) => {
            crate::net::save_credentials(url, credentials).map_err(|message| SettingsRejected::Fields {
                field_errors: vec![FieldError::new("proxy", message)],
            })
        }
        _ => Ok(()),
    }
}

/// Like [`apply`] on the user file of `settings`, but first refuses changes to fields that an environment
/// variable or a flag sets (saving could not change them), naming the variable or flag.
pub fn save(settings: &Settings, patch: &SettingsPatch) -> Result<SettingsFile, SettingsRejected> {
    let current = view(settings);
    let locked = |field: &str, asked: bool, source: &Source| -> Option<FieldError> {
        (asked && is_locking(source)).then(|| {
            FieldError::new(
                field,
                format!("set by {source}, which wins over the settings file: change it there"),
            )
        })
    };
    let field_errors: Vec<FieldError> = [
        locked("tenant", patch.tenant.is_some(), &current.tenant.source),
        locked("clientId", patch.client_id.is_some(), &current.client_id.source),
        locked("cloud", patch.cloud.is_some(), &current.cloud.source),
        locked(
            "workdayEnd",
            patch.workday_end.is_some(),
            &current.workday_end.source,
        ),
        locked("workDays", patch.work_days.is_some(), &current.work_days.source),
        locked("onQuit", patch.on_quit.is_some(), &current.on_quit.source),
        locked(
            "launchAtLogin",
            patch.launch_at_login.is_some(),
            &current.launch_at_login.source,
        ),
        locked(
            "notifications",
            patch.notifications.is_some(),
            &current.notifications.source,
        ),
        locked(
            "trayTimeLeft",
            patch.tray_time_left.is_some(),
            &current.tray_time_left.source,
        ),
        locked(
            "clearMessageWithStatus",
            patch.clear_message_with_status.is_some(),
            &current.clear_message_with_status.source,
        ),
        locked(
            "hotkeyDuration",
            patch.hotkey_duration.is_some(),
            &current.hotkey_duration.source,
        ),
        locked("proxy", patch.proxy.is_some(), &current.proxy.source),
        locked("noProxy", patch.no_proxy.is_some(), &current.no_proxy.source),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !field_errors.is_empty() {
        return Err(SettingsRejected::Fields { field_errors });
    }
    let validated = validate(patch);
    let (hotkeys, mut field_errors) = match &validated {
        Ok(changes) => (changes.hotkeys.clone(), Vec::new()),
        Err(errors) => (parse_hotkeys(patch, &mut Vec::new()), errors.clone()),
    };
    // A new shortcut may not be one another action already has (reported with any other refusal, at once).
    let in_force = HotkeyAction::ALL.map(|action| {
        let changed = hotkeys.iter().find(|(a, _)| *a == action);
        (
            action,
            changed.map_or(settings.hotkeys.get(action).value, |(_, b)| b.0),
        )
    });
    for error in duplicate_errors(in_force, &hotkeys) {
        if !field_errors.iter().any(|e| e.field == error.field) {
            field_errors.push(error);
        }
    }
    // In the page's order: the other settings, then the hotkey rows.
    field_errors.sort_by_key(|e| {
        HotkeyAction::ALL
            .iter()
            .position(|a| a.field() == e.field)
            .map_or(0, |i| i + 1)
    });
    match validated {
        Ok(changes) if field_errors.is_empty() => {
            keep_proxy_credentials(&changes)?;
            Ok(update_user_file(&settings.user_file, |file| {
                changes.apply_to(file)
            })?)
        }
        _ => Err(SettingsRejected::Fields { field_errors }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::{Locations, Overrides};
    use presently_auth::{Cloud, DEFAULT_CLIENT_ID};
    use presently_model::Preset;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
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

    /// A patch's `hotkeys` map from `[hotkeys]` keys.
    fn keyed<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<HotkeyAction, String> {
        pairs
            .into_iter()
            .map(|(key, text)| (HotkeyAction::from_key(key).unwrap(), text.to_owned()))
            .collect()
    }

    /// The shortcut row of the action with `key`, as `view` shows it.
    fn shortcut_of<'a>(view: &'a SettingsView, key: &str) -> &'a FieldView<String> {
        let action = HotkeyAction::from_key(key).unwrap();
        &view.hotkeys.row(action).unwrap().shortcut
    }

    fn errors_of(patch: SettingsPatch) -> Vec<FieldError> {
        validate(&patch).expect_err("the patch should be refused")
    }

    fn only_error(patch: SettingsPatch, field: &str) -> String {
        let errors = errors_of(patch);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, field);
        errors[0].message.clone()
    }

    #[test]
    fn an_empty_patch_is_valid_and_changes_nothing() {
        let changes = validate(&SettingsPatch::default()).unwrap();
        let mut file = SettingsFile {
            tenant: Some("contoso.com".into()),
            ..SettingsFile::default()
        };
        let before = file.clone();
        changes.apply_to(&mut file);
        assert_eq!(file, before);
    }

    #[test]
    fn a_tenant_is_trimmed_and_bad_ones_are_refused_with_the_sign_in_reason() {
        let changes = validate(&SettingsPatch {
            tenant: Some("  contoso.onmicrosoft.com ".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            changes.tenant,
            Some(Change::Set("contoso.onmicrosoft.com".into()))
        );

        let message = only_error(
            SettingsPatch {
                tenant: Some("con toso".into()),
                ..Default::default()
            },
            "tenant",
        );
        assert!(
            message.starts_with("The tenant \"con toso\" is not valid"),
            "{message}"
        );
        let message = only_error(
            SettingsPatch {
                tenant: Some("consumers".into()),
                ..Default::default()
            },
            "tenant",
        );
        assert!(message.contains("personal Microsoft accounts"), "{message}");
    }

    #[test]
    fn a_client_id_must_be_a_guid_and_is_stored_in_lower_case() {
        let changes = validate(&SettingsPatch {
            client_id: Some("11111111-2222-3333-4444-5555555555AA".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            changes.client_id,
            Some(Change::Set("11111111-2222-3333-4444-5555555555aa".into()))
        );
        let message = only_error(
            SettingsPatch {
                client_id: Some("my-app".into()),
                ..Default::default()
            },
            "clientId",
        );
        assert!(
            message.contains("is not valid") && message.contains(DEFAULT_CLIENT_ID),
            "{message}"
        );
    }

    #[test]
    fn a_cloud_is_one_of_three_and_china_is_refused_because_it_has_no_presence_api() {
        let changes = validate(&SettingsPatch {
            cloud: Some("gcc-high".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(changes.cloud, Some(Change::Set(CloudName(Cloud::UsGovHigh))));
        let message = only_error(
            SettingsPatch {
                cloud: Some("mars".into()),
                ..Default::default()
            },
            "cloud",
        );
        assert!(message.starts_with("Unknown cloud \"mars\""), "{message}");
        let message = only_error(
            SettingsPatch {
                cloud: Some("china".into()),
                ..Default::default()
            },
            "cloud",
        );
        assert!(message.contains("no presence API"), "{message}");
    }

    #[test]
    fn a_workday_end_is_hh_mm() {
        let changes = validate(&SettingsPatch {
            workday_end: Some("18:15".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            changes.workday_end,
            Some(Change::Set(ClockTime(jiff::civil::time(18, 15, 0, 0))))
        );
        for bad in ["25:00", "17.30", "5pm", "17:60"] {
            let message = only_error(
                SettingsPatch {
                    workday_end: Some(bad.into()),
                    ..Default::default()
                },
                "workdayEnd",
            );
            assert!(message.contains("HH:MM"), "{bad}: {message}");
        }
    }

    #[test]
    fn on_quit_is_keep_or_clear() {
        for (text, want) in [("keep", OnQuit::Keep), ("Clear", OnQuit::Clear)] {
            let changes = validate(&SettingsPatch {
                on_quit: Some(text.into()),
                ..Default::default()
            })
            .unwrap();
            assert_eq!(changes.on_quit, Some(Change::Set(want)));
        }
        let message = only_error(
            SettingsPatch {
                on_quit: Some("explode".into()),
                ..Default::default()
            },
            "onQuit",
        );
        assert!(message.contains("keep") && message.contains("clear"), "{message}");
    }

    #[test]
    fn a_hotkey_duration_uses_the_duration_parser() {
        let changes = validate(&SettingsPatch {
            hotkey_duration: Some("2h".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            changes.hotkey_duration,
            Some(Change::Set(DurationChoice::Preset(Preset::Hours2)))
        );
        assert!(
            validate(&SettingsPatch {
                hotkey_duration: Some("until 17:30".into()),
                ..Default::default()
            })
            .is_ok()
        );
        let message = only_error(
            SettingsPatch {
                hotkey_duration: Some("a while".into()),
                ..Default::default()
            },
            "hotkeyDuration",
        );
        assert!(
            message.contains("is not a duration") && message.contains("90m"),
            "{message}"
        );
    }

    #[test]
    fn a_hotkey_is_checked_by_the_shortcut_parser_and_a_blank_one_means_none() {
        let changes = validate(&SettingsPatch {
            hotkeys: keyed([("busy", "ctrl + alt + b"), ("open", "  ")]),
            ..Default::default()
        })
        .unwrap();
        let busy = HotkeyAction::Status(presently_model::PreferredPresence::Busy);
        assert_eq!(
            changes.hotkeys,
            [
                (busy, Binding(Some("Ctrl+Alt+B".parse().unwrap()))),
                (HotkeyAction::Open, Binding(None))
            ]
        );
        let message = only_error(
            SettingsPatch {
                hotkeys: keyed([("dnd", "D")]),
                ..Default::default()
            },
            "hotkeyDnd",
        );
        assert!(message.starts_with("\"D\" needs a modifier"), "{message}");
        let message = only_error(
            SettingsPatch {
                hotkeys: keyed([("away", "Ctrl+Alt+Banana")]),
                ..Default::default()
            },
            "hotkeyAway",
        );
        assert!(
            message.starts_with("\"Banana\" is not a key Presently knows"),
            "{message}"
        );
    }

    #[test]
    fn two_rows_of_one_patch_with_the_same_shortcut_are_refused_on_the_later_row() {
        let message = only_error(
            SettingsPatch {
                hotkeys: keyed([("busy", "Ctrl+Alt+X"), ("away", "ctrl+alt+x")]),
                ..Default::default()
            },
            "hotkeyAway",
        );
        assert_eq!(
            message,
            "Ctrl+Alt+X is already the shortcut of Busy: choose another one, or change Busy first"
        );
    }

    #[test]
    fn saving_a_shortcut_another_action_has_is_refused_naming_it_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        let settings = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        // Ctrl+Alt+Shift+2 is Busy's default.
        let SettingsRejected::Fields { field_errors } = save(
            &settings,
            &SettingsPatch {
                hotkeys: keyed([("open", "Ctrl+Alt+Shift+2")]),
                ..Default::default()
            },
        )
        .unwrap_err() else {
            panic!("expected field errors")
        };
        assert_eq!(field_errors.len(), 1, "{field_errors:?}");
        assert_eq!(field_errors[0].field, "hotkeyOpen");
        assert!(
            field_errors[0].message.contains("already the shortcut of Busy"),
            "{field_errors:?}"
        );
        assert!(!loc.user.exists(), "nothing may be written");

        // With another bad field in the same save, both are reported at once, in the page's order.
        let SettingsRejected::Fields { field_errors } = save(
            &settings,
            &SettingsPatch {
                workday_end: Some("late".into()),
                hotkeys: keyed([("busy", "ctrl+alt+shift+3"), ("away", "Q")]),
                ..Default::default()
            },
        )
        .unwrap_err() else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["workdayEnd", "hotkeyBusy", "hotkeyAway"]);
        assert!(
            field_errors[1]
                .message
                .contains("already the shortcut of Do not disturb"),
            "{field_errors:?}"
        );
        assert!(!loc.user.exists(), "nothing may be written");

        // Swapping two shortcuts in one save is fine, and so is taking one that was cleared in the same save.
        save(
            &settings,
            &SettingsPatch {
                hotkeys: keyed([
                    ("busy", "Ctrl+Alt+Shift+3"),
                    ("dnd", "Ctrl+Alt+Shift+2"),
                    ("automatic", ""),
                    ("open", "Ctrl+Alt+Shift+0"),
                ]),
                ..Default::default()
            },
        )
        .unwrap();
        let settings = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        let shown = view(&settings);
        assert_eq!(
            (
                shortcut_of(&shown, "busy").value.as_str(),
                shortcut_of(&shown, "dnd").value.as_str(),
                shortcut_of(&shown, "automatic").value.as_str(),
                shortcut_of(&shown, "open").value.as_str()
            ),
            ("Ctrl+Alt+Shift+3", "Ctrl+Alt+Shift+2", "", "Ctrl+Alt+Shift+0")
        );
        assert_eq!(
            shortcut_of(&shown, "automatic").source,
            Source::User(loc.user.clone())
        );
        assert_eq!(shortcut_of(&shown, "away").source, Source::Default);
        let written = std::fs::read_to_string(&loc.user).unwrap();
        assert!(
            written.contains("[hotkeys]") && written.contains("automatic = \"\""),
            "{written}"
        );
    }

    #[test]
    fn the_view_shows_each_shortcut_and_the_registration_report_of_the_tray_app() {
        use crate::config::hotkeys::HotkeySupport;
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load(&locations(dir.path()), &env_of(&[]), &Overrides::default()).unwrap();
        let plain = view(&settings);
        assert_eq!(shortcut_of(&plain, "available").value, "Ctrl+Alt+Shift+1");
        assert_eq!(plain.hotkeys.support, HotkeySupport::Inactive);
        assert!(
            plain
                .hotkeys
                .actions
                .iter()
                .all(|r| r.registration_error.is_none())
        );

        let busy = HotkeyAction::Status(presently_model::PreferredPresence::Busy);
        let mut report = HotkeyReport {
            support: HotkeySupport::Active,
            ..HotkeyReport::default()
        };
        report
            .errors
            .insert(busy, "another application already uses it".into());
        let shown = view_with(&settings, &report);
        let json = serde_json::to_value(&shown).unwrap();
        assert_eq!(json["hotkeys"]["support"]["kind"], "active");
        assert_eq!(json["hotkeys"]["actions"][1]["action"], "busy");
        assert_eq!(
            json["hotkeys"]["actions"][1]["shortcut"]["value"],
            "Ctrl+Alt+Shift+2"
        );
        assert_eq!(json["hotkeys"]["actions"][1]["field"], "hotkeyBusy");
        assert_eq!(
            json["hotkeys"]["actions"][1]["registrationError"],
            "another application already uses it"
        );
        assert_eq!(
            json["hotkeys"]["actions"][1]["command"],
            "presently set busy --preset 1h"
        );
    }

    #[test]
    fn booleans_are_taken_as_they_are() {
        let changes = validate(&SettingsPatch {
            launch_at_login: Some(true),
            notifications: Some(false),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            (changes.launch_at_login, changes.notifications),
            (Some(true), Some(false))
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once_in_patch_order() {
        let errors = errors_of(SettingsPatch {
            tenant: Some("a b".into()),
            client_id: Some("x".into()),
            cloud: Some("mars".into()),
            workday_end: Some("99".into()),
            on_quit: Some("?".into()),
            launch_at_login: Some(true),
            notifications: None,
            hotkey_duration: Some("soon".into()),
            hotkeys: keyed([("busy", "B")]),
            ..Default::default()
        });
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tenant",
                "clientId",
                "cloud",
                "workdayEnd",
                "onQuit",
                "hotkeyDuration",
                "hotkeyBusy"
            ]
        );
    }

    #[test]
    fn a_blank_text_removes_the_users_value_so_the_default_applies_again() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "tenant = \"contoso.com\"\nworkday-end = \"18:00\"\n").unwrap();
        apply(
            &loc.user,
            &SettingsPatch {
                tenant: Some("   ".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let settings = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(settings.tenant.value, "organizations");
        assert_eq!(settings.tenant.source, Source::Default);
        assert_eq!(ClockTime(settings.workday_end.value).to_string(), "18:00");
    }

    #[test]
    fn apply_writes_valid_changes_and_keeps_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "notifications = false\n").unwrap();
        let written = apply(
            &loc.user,
            &SettingsPatch {
                cloud: Some("dod".into()),
                workday_end: Some("16:45".into()),
                on_quit: Some("clear".into()),
                hotkey_duration: Some("90m".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(written.notifications, Some(false));
        let settings = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(settings.cloud.value, Cloud::UsGovDod);
        assert_eq!(settings.on_quit.value, OnQuit::Clear);
        assert!(!settings.notifications.value);
        let shown = view(&settings);
        assert_eq!(shown.workday_end.value, "16:45");
        assert_eq!(shown.hotkey_duration.value, "90m");
        assert_eq!(shown.on_quit.value, "clear");
        assert_eq!(shown.cloud.source, Source::User(loc.user.clone()));
    }

    #[test]
    fn apply_writes_nothing_when_any_field_is_bad() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "tenant = \"contoso.com\"\n").unwrap();
        let rejected = apply(
            &loc.user,
            &SettingsPatch {
                tenant: Some("fabrikam.com".into()),
                workday_end: Some("late".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        let SettingsRejected::Fields { field_errors } = rejected else {
            panic!("expected field errors")
        };
        assert_eq!(field_errors[0].field, "workdayEnd");
        assert_eq!(
            std::fs::read_to_string(&loc.user).unwrap(),
            "tenant = \"contoso.com\"\n"
        );
    }

    #[test]
    fn apply_refuses_to_overwrite_a_broken_file_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.user, "tenant = [\n").unwrap();
        let rejected = apply(
            &loc.user,
            &SettingsPatch {
                notifications: Some(false),
                ..Default::default()
            },
        )
        .unwrap_err();
        let SettingsRejected::Problem(problem) = rejected else {
            panic!("expected a problem")
        };
        assert_eq!(problem.kind, ProblemKind::Configuration);
        assert!(problem.message.contains("user.toml"), "{}", problem.message);
        assert_eq!(std::fs::read_to_string(&loc.user).unwrap(), "tenant = [\n");
    }

    #[test]
    fn a_value_set_by_the_environment_or_a_flag_is_locked_and_saving_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        let flags = Overrides {
            client_id: Some("11111111-2222-3333-4444-555555555555".into()),
            ..Default::default()
        };
        let settings = Settings::load(&loc, &env_of(&[("PRESENTLY_TENANT", "contoso.com")]), &flags).unwrap();
        let shown = view(&settings);
        assert!(shown.tenant.locked && shown.client_id.locked);
        assert_eq!(shown.tenant.origin, "environment PRESENTLY_TENANT");
        assert!(!shown.cloud.locked && !shown.workday_end.locked);

        let SettingsRejected::Fields { field_errors } = save(
            &settings,
            &SettingsPatch {
                tenant: Some("fabrikam.com".into()),
                client_id: Some(DEFAULT_CLIENT_ID.into()),
                notifications: Some(false),
                ..Default::default()
            },
        )
        .unwrap_err() else {
            panic!("expected field errors")
        };
        let fields: Vec<&str> = field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tenant", "clientId"]);
        assert!(
            field_errors[0].message.contains("PRESENTLY_TENANT"),
            "{field_errors:?}"
        );
        assert!(
            field_errors[1].message.contains("--client-id"),
            "{field_errors:?}"
        );
        assert!(!loc.user.exists(), "nothing may be written");

        save(
            &settings,
            &SettingsPatch {
                notifications: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(loc.user.exists());
    }

    #[test]
    fn a_managed_value_is_shown_with_its_origin_and_the_user_may_override_it() {
        let dir = tempfile::tempdir().unwrap();
        let loc = locations(dir.path());
        std::fs::write(&loc.managed, "tenant = \"contoso.com\"\n").unwrap();
        let settings = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        let shown = view(&settings);
        assert_eq!(shown.tenant.value, "contoso.com");
        assert!(!shown.tenant.locked);
        assert!(
            shown.tenant.origin.starts_with("managed file"),
            "{}",
            shown.tenant.origin
        );
        save(
            &settings,
            &SettingsPatch {
                tenant: Some("fabrikam.com".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let settings = Settings::load(&loc, &env_of(&[]), &Overrides::default()).unwrap();
        assert_eq!(settings.tenant.value, "fabrikam.com");
    }

    #[test]
    fn the_view_serialises_camel_case_with_sources() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load(&locations(dir.path()), &env_of(&[]), &Overrides::default()).unwrap();
        let json = serde_json::to_value(view(&settings)).unwrap();
        assert_eq!(json["workdayEnd"]["value"], "17:30");
        assert_eq!(json["clientId"]["source"]["kind"], "default");
        assert_eq!(json["onQuit"]["value"], "keep");
        assert_eq!(json["hotkeyDuration"]["value"], "1h");
        assert_eq!(json["launchAtLogin"]["locked"], false);
        // Shown as the user knows the folder (under the home folder on Windows, where the temporary folder is).
        assert_eq!(
            json["userFile"].as_str().unwrap(),
            crate::wording::short_path(&dir.path().join("user.toml"))
        );
    }

    #[test]
    fn a_rejection_serialises_as_field_errors_or_as_a_problem() {
        let fields = SettingsRejected::Fields {
            field_errors: vec![FieldError::new("workdayEnd", "bad")],
        };
        assert_eq!(
            serde_json::to_string(&fields).unwrap(),
            r#"{"fieldErrors":[{"field":"workdayEnd","message":"Bad"}]}"#
        );
        let problem = SettingsRejected::Problem(Problem::new(ProblemKind::Configuration, "broken"));
        assert_eq!(serde_json::to_value(&problem).unwrap()["kind"], "configuration");
        for rejected in [fields, problem] {
            let json = serde_json::to_string(&rejected).unwrap();
            assert_eq!(serde_json::from_str::<SettingsRejected>(&json).unwrap(), rejected);
        }
    }

    #[test]
    fn an_unknown_patch_field_is_refused_when_read() {
        let error = serde_json::from_str::<SettingsPatch>(r#"{"tennant":"x"}"#).unwrap_err();
        assert!(error.to_string().contains("tennant"), "{error}");
        let patch: SettingsPatch = serde_json::from_str(r#"{"workdayEnd":"18:00"}"#).unwrap();
        assert_eq!(patch.workday_end.as_deref(), Some("18:00"));
    }

    #[test]
    fn a_proxy_keeps_its_credentials_out_of_the_file_and_a_blank_no_proxy_is_an_empty_list() {
        let changes = validate(&SettingsPatch {
            proxy: Some(" http://me:pw@proxy.example:3128 ".into()),
            no_proxy: Some("  ".into()),
            ..SettingsPatch::default()
        })
        .unwrap();
        assert_eq!(
            changes.proxy_credentials.as_ref().map(|c| c.user.as_str()),
            Some("me")
        );
        let mut file = SettingsFile::default();
        changes.apply_to(&mut file);
        let text = toml::to_string(&file).unwrap();
        assert!(text.contains("proxy = \"http://proxy.example:3128\""), "{text}");
        assert!(text.contains("no-proxy = \"\""), "{text}");
        assert!(!text.contains("pw"), "{text}");

        let errors = validate(&SettingsPatch {
            proxy: Some("socks5://p:1080".into()),
            no_proxy: Some("bad host!".into()),
            ..SettingsPatch::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["proxy", "noProxy"]);
    }
}
