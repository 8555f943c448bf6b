//! What the settings page shows about hotkeys: whether the desktop lets Presently grab keys, the result of registering each one, and the command line to bind instead.

use std::collections::BTreeMap;

use presently_model::{DurationChoice, Preset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::*;
use crate::config::edit::FieldView;

/// Whether global hotkeys can work where the tray app runs, as the settings page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum HotkeySupport {
    /// No process has registered hotkeys: the keeper runs as `presently run` (no tray app), or the tray app has
    /// not reported yet.
    #[default]
    Inactive,
    /// The tray app registered them with the desktop; a row that failed says why in its `registrationError`.
    Active,
    /// A Wayland session: applications cannot grab keys there, so bind each action's command in the desktop's
    /// own keyboard settings.
    Wayland,
    /// Hotkeys cannot work here, for `reason` (no X display, the hotkey service failed to start).
    Unavailable {
        /// Why, as a sentence.
        reason: String,
    },
}

/// Decides [`HotkeySupport`] for an operating system (`std::env::consts::OS`) and environment.
///
/// Linux and the BSDs: a Wayland session (`XDG_SESSION_TYPE=wayland`, or `WAYLAND_DISPLAY` set) is
/// [`HotkeySupport::Wayland`] even when `DISPLAY` (Xwayland) is set or `GDK_BACKEND=x11` runs the app through
/// Xwayland: a key grab on Xwayland only sees keys while an X11 window has the focus, so it would silently not
/// work. `PRESENTLY_HOTKEYS=x11` overrides that for compositors that forward keys to X11 grabs (KDE Plasma's
/// "legacy X11 app support"). Otherwise an X11 session needs `DISPLAY`. Windows and macOS always have them.
/// `PRESENTLY_HOTKEYS=off` turns them off (a note says so).
pub fn detect_support(os: &str, env: &dyn Fn(&str) -> Option<String>) -> HotkeySupport {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let choice = var("PRESENTLY_HOTKEYS").map(|v| v.trim().to_ascii_lowercase());
    if choice.as_deref() == Some("off") {
        return HotkeySupport::Unavailable {
            reason: "Hotkeys are turned off by PRESENTLY_HOTKEYS=off.".into(),
        };
    }
    if matches!(os, "windows" | "macos") {
        return HotkeySupport::Active;
    }
    let wayland = var("XDG_SESSION_TYPE").is_some_and(|t| t.trim().eq_ignore_ascii_case("wayland"))
        || var("WAYLAND_DISPLAY").is_some();
    let forced_x11 = choice.as_deref() == Some("x11");
    if wayland && !forced_x11 {
        return HotkeySupport::Wayland;
    }
    if var("DISPLAY").is_none() {
        return HotkeySupport::Unavailable {
            reason: "There is no X display (DISPLAY is not set), so Presently cannot listen for global keys."
                .into(),
        };
    }
    HotkeySupport::Active
}

/// What the tray app's main process reports after registering the hotkeys (`Presently::report_hotkeys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotkeyReport {
    /// Whether hotkeys can work at all.
    pub support: HotkeySupport,
    /// Why a shortcut could not be registered, per action (taken by another application, ...). Actions not
    /// here are registered (or have no shortcut).
    pub errors: BTreeMap<HotkeyAction, String>,
    /// The command line that takes `set STATUS --preset 1h` or `clear` and acts on this keeper: the `presently`
    /// CLI installed beside the app, else the app itself (a second launch forwards them to the running one).
    pub cli: String,
    /// The command line that opens the popup (a second launch of the tray app shows the running one's popup).
    pub open: String,
}

impl Default for HotkeyReport {
    /// Nobody registered hotkeys; commands by their plain names.
    fn default() -> Self {
        Self {
            support: HotkeySupport::Inactive,
            errors: BTreeMap::new(),
            cli: "presently".into(),
            open: "presently-app".into(),
        }
    }
}

/// The registration error of a shortcut the desktop refused because another application holds it (on X11 a
/// `BadAccess` to the key grab; on Windows `RegisterHotKey` fails; on macOS the combination is reserved).
pub fn taken_by_another_application(shortcut: &Shortcut) -> String {
    format!(
        "Another application already uses {shortcut}, so the desktop refused it. Choose another shortcut, or \
         free it in that application."
    )
}

/// The registration error of a shortcut the desktop refused for another `reason`.
pub fn refused_by_the_desktop(shortcut: &Shortcut, reason: &str) -> String {
    format!("The desktop refused {shortcut}: {reason}")
}

/// One action's row on the settings page: what it does, its shortcut in force and where that came from, its
/// default, the registration result and the command to bind instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HotkeyRowView {
    /// `available` ... `offline`, `automatic`, `open`: the key of a patch's `hotkeys` map.
    pub action: HotkeyAction,
    /// The row's name (`hotkeyBusy`): the `field` of a refusal, and the row's id on the page.
    pub field: String,
    /// What it does, in words.
    pub label: &'static str,
    /// The default shortcut (to restore it).
    pub default_shortcut: String,
    /// The shortcut in force (`Ctrl+Alt+Shift+2`; `""` = none), with its source.
    pub shortcut: FieldView<String>,
    /// The command line to bind in the desktop's keyboard settings instead (Wayland), doing the same thing.
    pub command: String,
    /// Why the desktop refused this shortcut, if it did.
    pub registration_error: Option<String>,
}

/// The hotkeys part of the settings view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HotkeysView {
    /// Whether they can work.
    pub support: HotkeySupport,
    /// One row per action, in [`HotkeyAction::ALL`] order.
    pub actions: Vec<HotkeyRowView>,
}

impl HotkeysView {
    /// The view of `hotkeys`, a status set by one lasting `duration`, with the main process's `report`.
    pub fn new(hotkeys: &Hotkeys, duration: &DurationChoice, report: &HotkeyReport) -> Self {
        Self {
            support: report.support.clone(),
            actions: HotkeyAction::ALL
                .into_iter()
                .map(|action| HotkeyRowView {
                    action,
                    field: action.field(),
                    label: action.label(),
                    default_shortcut: default_shortcut(action).to_string(),
                    shortcut: FieldView::from_sourced(hotkeys.get(action), |s| Binding(*s).to_string()),
                    command: command_line(action, duration, report),
                    registration_error: report.errors.get(&action).cloned(),
                })
                .collect(),
        }
    }

    /// The row of `action`.
    pub fn row(&self, action: HotkeyAction) -> Option<&HotkeyRowView> {
        self.actions.iter().find(|r| r.action == action)
    }
}

/// The command line doing what `action`'s hotkey does: `presently set busy --preset 1h`, `presently clear`, or
/// the tray app (which shows the running one's popup). Arguments that contain a space are single-quoted, which
/// both a shell and the desktops' shortcut editors (GLib's argument parser) read back.
pub fn command_line(action: HotkeyAction, duration: &DurationChoice, report: &HotkeyReport) -> String {
    match action {
        HotkeyAction::Status(status) => {
            let (flag, value) = duration_args(duration);
            format!(
                "{} set {} {flag} {}",
                report.cli,
                status.short_name(),
                quoted(&value)
            )
        }
        HotkeyAction::Automatic => format!("{} clear", report.cli),
        HotkeyAction::Open => report.open.clone(),
    }
}

/// `presently set`'s flag and value for a duration (`--preset eod`, `--for 90m`, `--until 17:00`).
fn duration_args(duration: &DurationChoice) -> (&'static str, String) {
    match duration {
        DurationChoice::Preset(Preset::GraphDefault) => ("--preset", "default".into()),
        DurationChoice::Preset(preset) => ("--preset", preset.to_string()),
        // The friendly text without its spaces (`1h 30m` -> `1h30m`), which `--for` reads back.
        DurationChoice::For(_) => ("--for", duration.to_string().replace(' ', "")),
        DurationChoice::Until(_) => {
            let text = duration.to_string();
            let value = text.strip_prefix("until ").unwrap_or(&text).to_owned();
            ("--until", value)
        }
    }
}

/// `text`, single-quoted when it holds a space or a character a shell would read.
pub fn quoted(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn a_wayland_session_is_detected_from_the_environment_even_with_xwayland() {
        let cases: [(&[(&str, &str)], HotkeySupport); 6] = [
            (&[("XDG_SESSION_TYPE", "wayland")], HotkeySupport::Wayland),
            (&[("WAYLAND_DISPLAY", "wayland-0")], HotkeySupport::Wayland),
            // Xwayland's DISPLAY and GDK_BACKEND=x11 do not make grabs global.
            (
                &[
                    ("XDG_SESSION_TYPE", "wayland"),
                    ("WAYLAND_DISPLAY", "wayland-0"),
                    ("DISPLAY", ":0"),
                    ("GDK_BACKEND", "x11"),
                ],
                HotkeySupport::Wayland,
            ),
            (
                &[("XDG_SESSION_TYPE", "x11"), ("DISPLAY", ":0")],
                HotkeySupport::Active,
            ),
            // A session type left empty by a display manager, with an X display: X11.
            (
                &[
                    ("XDG_SESSION_TYPE", ""),
                    ("DISPLAY", ":99"),
                    ("WAYLAND_DISPLAY", ""),
                ],
                HotkeySupport::Active,
            ),
            // The override for compositors that forward keys to X11 grabs.
            (
                &[
                    ("WAYLAND_DISPLAY", "wayland-0"),
                    ("DISPLAY", ":0"),
                    ("PRESENTLY_HOTKEYS", "x11"),
                ],
                HotkeySupport::Active,
            ),
        ];
        for (env, want) in cases {
            let pairs: &'static [(&'static str, &'static str)] = Box::leak(env.to_vec().into_boxed_slice());
            assert_eq!(detect_support("linux", &env_of(pairs)), want, "{env:?}");
        }
    }

    #[test]
    fn without_a_display_or_when_turned_off_hotkeys_are_unavailable_with_the_reason() {
        let HotkeySupport::Unavailable { reason } = detect_support("linux", &env_of(&[])) else {
            panic!("expected unavailable")
        };
        assert!(reason.contains("DISPLAY"), "{reason}");
        let HotkeySupport::Unavailable { reason } =
            detect_support("windows", &env_of(&[("PRESENTLY_HOTKEYS", "off")]))
        else {
            panic!("expected unavailable")
        };
        assert!(reason.contains("PRESENTLY_HOTKEYS=off"), "{reason}");
        assert_eq!(detect_support("windows", &env_of(&[])), HotkeySupport::Active);
        assert_eq!(
            detect_support("macos", &env_of(&[("WAYLAND_DISPLAY", "x")])),
            HotkeySupport::Active
        );
    }

    #[test]
    fn each_action_has_the_cli_command_doing_the_same_with_the_hotkey_duration() {
        let report = HotkeyReport {
            cli: "env PRESENTLY_IPC=/run/user/1000/presently/keeper-demo.sock /opt/presently/presently"
                .into(),
            open: "/opt/presently/presently-app --demo".into(),
            ..HotkeyReport::default()
        };
        let busy = HotkeyAction::Status(PreferredPresence::Busy);
        let one_hour = DurationChoice::Preset(Preset::Hour1);
        assert_eq!(
            command_line(busy, &one_hour, &report),
            "env PRESENTLY_IPC=/run/user/1000/presently/keeper-demo.sock /opt/presently/presently set busy --preset 1h"
        );
        let plain = HotkeyReport::default();
        let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
        for (duration, args) in [
            ("eod", "--preset eod"),
            ("forever", "--preset forever"),
            ("default", "--preset default"),
            ("90m", "--for 90m"),
            ("1h30m", "--for 1h30m"),
            ("1d", "--for 1d"),
            ("until 17:00", "--until 17:00"),
            ("until tomorrow 09:00", "--until 'tomorrow 09:00'"),
        ] {
            let duration = DurationChoice::from_str(duration).unwrap();
            assert_eq!(
                command_line(dnd, &duration, &plain),
                format!("presently set dnd {args}")
            );
        }
        assert_eq!(
            command_line(HotkeyAction::Automatic, &one_hour, &plain),
            "presently clear"
        );
        assert_eq!(command_line(HotkeyAction::Open, &one_hour, &report), report.open);
    }

    #[test]
    fn quoting_leaves_plain_words_and_single_quotes_the_rest() {
        assert_eq!(quoted("/usr/bin/presently"), "/usr/bin/presently");
        assert_eq!(quoted("/home/a b/presently"), "'/home/a b/presently'");
        assert_eq!(quoted("it's"), r"'it'\''s'");
        assert_eq!(quoted(""), "''");
    }

    #[test]
    fn the_view_has_a_row_per_action_with_its_default_command_and_registration_error() {
        let mut report = HotkeyReport {
            support: HotkeySupport::Active,
            ..HotkeyReport::default()
        };
        let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
        report.errors.insert(dnd, "taken by another application".into());
        let view = HotkeysView::new(
            &Hotkeys::default(),
            &DurationChoice::Preset(Preset::Hours2),
            &report,
        );
        assert_eq!(view.actions.len(), 8);
        let row = &view.actions[2];
        assert_eq!(
            (
                row.field.as_str(),
                row.label,
                row.shortcut.value.as_str(),
                row.default_shortcut.as_str(),
                row.command.as_str()
            ),
            (
                "hotkeyDnd",
                "Do not disturb",
                "Ctrl+Alt+Shift+3",
                "Ctrl+Alt+Shift+3",
                "presently set dnd --preset 2h"
            )
        );
        assert_eq!(
            row.registration_error.as_deref(),
            Some("taken by another application")
        );
        assert!(
            view.actions
                .iter()
                .filter(|r| r.registration_error.is_some())
                .count()
                == 1
        );
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["support"]["kind"], "active");
        assert_eq!(json["actions"][7]["action"], "open");
        assert_eq!(json["actions"][7]["defaultShortcut"], "Ctrl+Alt+Shift+P");
        assert_eq!(json["actions"][0]["registrationError"], serde_json::Value::Null);
    }
}
