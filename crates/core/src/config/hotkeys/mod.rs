//! Global hotkeys as settings: which actions have one ([`HotkeyAction`]), how a shortcut is written and checked
//! ([`Shortcut`]), the defaults ([`default_shortcut`]), the `[hotkeys]` table of a settings file
//! ([`HotkeysFile`]) and the layered result ([`Hotkeys`]); plus what the settings page shows about them
//! ([`HotkeysView`]): whether the desktop lets Presently grab keys at all ([`HotkeySupport`], with Wayland
//! detected by [`detect_support`]), the result of registering each one, and the `presently` command line to bind
//! in the desktop's own keyboard settings instead.
//!
//! Why this lives in the core and not in the tray app: the settings page (popup, over the IPC) and `presently
//! config` must refuse the same bad shortcuts with the same words, and the core must not depend on a GUI toolkit
//! (architecture convention 1). So shortcuts are parsed here into a small closed set of keys, and the tray app
//! (`crates/hotkeys`) maps each [`Key`] to its toolkit's key code. Registering them with the operating
//! system happens only in the tray app's main process, which reports the outcome with [`HotkeyReport`]
//! (`Presently::report_hotkeys`); the settings view shows that report next to each row.
//!
//! In the settings file:
//!
//! ```toml
//! [hotkeys]
//! busy = "Ctrl+Alt+Shift+2"
//! dnd = ""                    # no shortcut for Do not disturb
//! open = "Ctrl+Alt+Shift+P"
//! ```
//!
//! A key left out takes the default; an empty text means "no shortcut" (so a cleared shortcut stays cleared).
//!
//! The module's rooms: the actions and their defaults (here), the shortcut grammar (`shortcut.rs`), the table of
//! a settings file and its layering (`table.rs`), and what the settings page shows (`view.rs`).

mod shortcut;
mod table;
mod view;

pub use shortcut::*;
pub use table::*;
pub use view::*;

use std::fmt;

use presently_model::PreferredPresence;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a hotkey does. Every table of shortcuts (the settings file's `[hotkeys]`, the layered [`Hotkeys`], the
/// settings page's rows and the patch it sends back) is a map keyed by this enum, and each action's words and
/// default live in [`HotkeyAction::spec`]: a new action is a variant here, its entry in [`HotkeyAction::ALL`]
/// and its arm in `spec` (plus what pressing it does, in `crates/hotkeys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HotkeyAction {
    /// Keep this status for the hotkey duration (`hotkey-duration`).
    Status(PreferredPresence),
    /// Back to automatic.
    Automatic,
    /// Open the popup.
    Open,
}

/// What the settings file, the settings page and the registration need to know of one [`HotkeyAction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    /// The key in the `[hotkeys]` table and in a patch's `hotkeys` map (`busy`, `dnd`, `automatic`).
    pub key: &'static str,
    /// What it does, in words (`Busy`, `Back to automatic`).
    pub label: &'static str,
    /// The key of its default shortcut, pressed with Ctrl+Alt+Shift (see [`default_shortcut`] for why).
    pub default_key: Key,
}

impl HotkeyAction {
    /// Every action, in the order the settings page lists them (the six statuses in their stable order first).
    pub const ALL: [HotkeyAction; 8] = [
        HotkeyAction::Status(PreferredPresence::Available),
        HotkeyAction::Status(PreferredPresence::Busy),
        HotkeyAction::Status(PreferredPresence::DoNotDisturb),
        HotkeyAction::Status(PreferredPresence::BeRightBack),
        HotkeyAction::Status(PreferredPresence::AppearAway),
        HotkeyAction::Status(PreferredPresence::AppearOffline),
        HotkeyAction::Automatic,
        HotkeyAction::Open,
    ];

    /// The one place each action's key, label and default are written. A status takes its short name, its
    /// display name and its popup digit (1 = Available ... 6 = Appear offline).
    pub fn spec(self) -> ActionSpec {
        match self {
            HotkeyAction::Status(status) => ActionSpec {
                key: status.short_name(),
                label: status.display_name(),
                default_key: Key::Digit(status.key()),
            },
            HotkeyAction::Automatic => ActionSpec {
                key: "automatic",
                label: "Back to automatic",
                default_key: Key::Digit(0),
            },
            HotkeyAction::Open => ActionSpec {
                key: "open",
                label: "Open Presently",
                default_key: Key::Letter(b'P'),
            },
        }
    }

    /// The key in the `[hotkeys]` table: a status's short name (`busy`, `dnd`), `automatic` or `open`.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The name of its row on the settings page (`hotkeyBusy`): the `field` of a refusal and the row's id.
    /// Derived from the key, so it needs no list of its own.
    pub fn field(self) -> String {
        let key = self.key();
        let mut chars = key.chars();
        let capitalised: String = match chars.next() {
            Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
            None => String::new(),
        };
        format!("hotkey{capitalised}")
    }

    /// What it does, in words (`Busy`, `Back to automatic`, `Open Presently`).
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The action of a `[hotkeys]` key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

impl fmt::Display for HotkeyAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for HotkeyAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for HotkeyAction {
    /// Reads a key (`busy`); an unknown one is refused with the keys there are.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        HotkeyAction::from_key(&key).ok_or_else(|| {
            let known: Vec<&str> = HotkeyAction::ALL.iter().map(|a| a.key()).collect();
            serde::de::Error::custom(format!(
                "unknown hotkey `{key}`, expected one of {}",
                known.join(", ")
            ))
        })
    }
}

/// The popup's TypeScript type: the union of the keys, from [`HotkeyAction::ALL`].
impl ts_rs::TS for HotkeyAction {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &ts_rs::Config) -> String {
        "HotkeyAction".to_owned()
    }

    fn inline(_: &ts_rs::Config) -> String {
        presently_model::string_union(Self::ALL.map(Self::key))
    }

    fn decl(cfg: &ts_rs::Config) -> String {
        format!("type HotkeyAction = {};", Self::inline(cfg))
    }

    fn docs() -> Option<String> {
        Some(ts_rs::format_docs(&[
            " What a hotkey does, by its `[hotkeys]` key.",
        ]))
    }
}

/// The default shortcut of each action: Ctrl+Alt+Shift with the key of its [`ActionSpec`].
///
/// Why Ctrl+Alt+Shift with a digit: the digits follow the popup's own keys (1 = Available ... 6 = Appear
/// offline, the statuses' stable order), 0 is "back to automatic" and P is "Presently"; three modifiers make an
/// accidental press unlikely; and this family is left alone by the software people run beside Teams:
/// - Teams itself uses Ctrl+Shift+letter (mute M, camera O, accept A/S, decline D, share E, hang up H, raise hand
///   K, ...) and Ctrl+digit (its app bar), never Ctrl+Alt+Shift+digit;
/// - GNOME, KDE and Windows use Super+digit (task bar / dash) and Super+letters (lock, desktop);
/// - GNOME, KDE and Xorg use Ctrl+Alt+arrows (workspaces), Ctrl+Alt+Shift+arrows (move a window to a workspace),
///   Ctrl+Alt+T (terminal), Ctrl+Alt+L (lock), Ctrl+Alt+Del / Ctrl+Alt+Shift+Del, PgUp, PgDown (log out, restart,
///   shut down in KDE), Ctrl+Alt+Backspace and Ctrl+Alt+F1–F12 (X server, virtual terminals), Ctrl+Alt+Shift+R
///   (GNOME's screen recording);
/// - macOS uses Cmd+Shift+3/4/5 (screenshots) and Ctrl+Cmd+Q (lock); Ctrl+Option+Shift+digit is free there too.
///
/// `known_conflicts_for_tests` in this module's tests lists them; a test proves no default is among them.
pub fn default_shortcut(action: HotkeyAction) -> Shortcut {
    Shortcut {
        modifiers: Modifiers {
            ctrl: true,
            alt: true,
            shift: true,
            super_key: false,
        },
        key: action.spec().default_key,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn shortcut(text: &str) -> Shortcut {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn the_defaults_are_distinct_and_each_has_three_modifiers() {
        let defaults: Vec<_> = HotkeyAction::ALL.map(|a| (a, Some(default_shortcut(a)))).into();
        assert!(duplicates(defaults.clone()).is_empty());
        for (action, shortcut) in defaults {
            let shortcut = shortcut.unwrap_or_else(|| panic!("{action} has a default"));
            let m = shortcut.modifiers;
            assert!(m.ctrl && m.alt && m.shift && !m.super_key, "{action}: {shortcut}");
            // The text form reads back to the same shortcut.
            assert_eq!(Shortcut::from_str(&shortcut.to_string()), Ok(shortcut));
        }
        assert_eq!(
            default_shortcut(HotkeyAction::Status(PreferredPresence::Busy)).to_string(),
            "Ctrl+Alt+Shift+2"
        );
        assert_eq!(
            default_shortcut(HotkeyAction::Automatic).to_string(),
            "Ctrl+Alt+Shift+0"
        );
        assert_eq!(
            default_shortcut(HotkeyAction::Open).to_string(),
            "Ctrl+Alt+Shift+P"
        );
    }

    /// Fails to compile when a variant is added, until it is named here: then it must also be in `ALL`, which
    /// the test below checks by counting.
    fn kinds_listed(action: HotkeyAction) -> usize {
        match action {
            HotkeyAction::Status(_) => PreferredPresence::ALL.len(),
            HotkeyAction::Automatic | HotkeyAction::Open => 1,
        }
    }

    #[test]
    fn every_action_is_listed_once_with_a_key_label_default_toml_entry_patch_entry_and_row() {
        use crate::config::edit::SettingsPatch;
        use crate::config::settings::Source;
        // Every variant is in ALL: one per status, one per other variant.
        let statuses = HotkeyAction::ALL
            .iter()
            .filter(|a| matches!(a, HotkeyAction::Status(_)))
            .count();
        let others = HotkeyAction::ALL.len() - statuses;
        assert_eq!(
            statuses,
            kinds_listed(HotkeyAction::Status(PreferredPresence::Busy))
        );
        let other_kinds = [HotkeyAction::Automatic, HotkeyAction::Open];
        assert_eq!(
            others,
            other_kinds.iter().map(|a| kinds_listed(*a)).sum::<usize>()
        );
        for status in PreferredPresence::ALL {
            assert!(
                HotkeyAction::ALL.contains(&HotkeyAction::Status(status)),
                "{status:?}"
            );
        }
        let keys: std::collections::BTreeSet<&str> = HotkeyAction::ALL.iter().map(|a| a.key()).collect();
        assert_eq!(keys.len(), HotkeyAction::ALL.len(), "keys are distinct");
        let fields: std::collections::BTreeSet<String> =
            HotkeyAction::ALL.iter().map(|a| a.field()).collect();
        assert_eq!(fields.len(), HotkeyAction::ALL.len(), "row names are distinct");
        for action in HotkeyAction::ALL {
            let spec = action.spec();
            assert!(!spec.label.is_empty() && !spec.key.is_empty(), "{action:?}");
            assert_eq!(HotkeyAction::from_key(spec.key), Some(action));
            // A `[hotkeys]` entry reads back to the same action and shortcut.
            let default = default_shortcut(action);
            let toml_text = format!("{} = \"{default}\"\n", spec.key);
            let file: HotkeysFile = toml::from_str(&toml_text).unwrap();
            assert_eq!(file.get(action), Some(Binding(Some(default))), "{toml_text}");
            assert_eq!(toml::to_string(&file).unwrap(), toml_text);
            // A patch's `hotkeys` map takes it by the same key.
            let patch: SettingsPatch =
                serde_json::from_value(serde_json::json!({ "hotkeys": { spec.key: "" } })).unwrap();
            assert_eq!(patch.hotkeys.get(&action).map(String::as_str), Some(""));
            // The settings page has its row, with the label, the default and the shortcut in force.
            let view = HotkeysView::new(
                &Hotkeys::default(),
                &presently_model::DurationChoice::Preset(presently_model::Preset::Hour1),
                &HotkeyReport::default(),
            );
            let row = view.row(action).unwrap_or_else(|| panic!("{action:?} has a row"));
            assert_eq!(
                (
                    row.label,
                    row.default_shortcut.clone(),
                    &row.shortcut.value,
                    &row.shortcut.source
                ),
                (
                    spec.label,
                    default.to_string(),
                    &default.to_string(),
                    &Source::Default
                )
            );
        }
    }

    /// Shortcuts taken by Teams, the common Linux desktops, Xorg, Windows and macOS (`Super` is the Windows
    /// key / Command). Written in this module's syntax, so a typo here fails to parse instead of passing.
    fn known_conflicts_for_tests() -> Vec<Shortcut> {
        let mut texts: Vec<String> = Vec::new();
        // Microsoft Teams: Ctrl+Shift+letter in calls and chats, Ctrl+digit for the app bar, Ctrl+Shift+Space.
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
            texts.push(format!("Ctrl+Shift+{letter}"));
            texts.push(format!("Ctrl+{letter}"));
            texts.push(format!("Alt+Shift+{letter}"));
        }
        for digit in 0..=9 {
            texts.push(format!("Ctrl+{digit}"));
            texts.push(format!("Ctrl+Shift+{digit}"));
            // GNOME, KDE, Windows: Super+digit opens or switches to the task bar's n-th app.
            texts.push(format!("Super+{digit}"));
            texts.push(format!("Super+Shift+{digit}"));
            texts.push(format!("Super+Ctrl+{digit}"));
            texts.push(format!("Super+Alt+{digit}"));
        }
        texts.push("Ctrl+Shift+Space".into());
        // GNOME / KDE / Xorg.
        for arrow in ["Left", "Right", "Up", "Down"] {
            texts.push(format!("Ctrl+Alt+{arrow}"));
            texts.push(format!("Ctrl+Alt+Shift+{arrow}"));
            texts.push(format!("Super+{arrow}"));
            texts.push(format!("Super+Shift+{arrow}"));
            texts.push(format!("Ctrl+Super+{arrow}"));
        }
        for n in 1..=12 {
            texts.push(format!("Ctrl+Alt+F{n}"));
            texts.push(format!("Alt+F{n}"));
            texts.push(format!("Ctrl+F{n}"));
        }
        texts.extend(
            [
                "Ctrl+Alt+T",
                "Ctrl+Alt+L",
                "Ctrl+Alt+D",
                "Ctrl+Alt+Delete",
                "Ctrl+Alt+Backspace",
                "Ctrl+Alt+Escape",
                "Ctrl+Alt+Tab",
                "Ctrl+Alt+Shift+Delete",
                "Ctrl+Alt+Shift+PageUp",
                "Ctrl+Alt+Shift+PageDown",
                "Ctrl+Alt+Shift+R",
                "Ctrl+Shift+Escape",
                "Alt+Tab",
                "Alt+Shift+Tab",
                "Alt+Space",
                "Alt+Escape",
                "Super+L",
                "Super+D",
                "Super+E",
                "Super+A",
                "Super+V",
                "Super+Tab",
                "Super+Space",
                // macOS: screenshots, Spotlight, lock, force quit.
                "Shift+Super+3",
                "Shift+Super+4",
                "Shift+Super+5",
                "Ctrl+Super+Q",
                "Alt+Super+Escape",
            ]
            .map(String::from),
        );
        texts.iter().map(|t| shortcut(t)).collect()
    }

    #[test]
    fn no_default_collides_with_a_known_system_or_teams_shortcut() {
        let known = known_conflicts_for_tests();
        assert!(known.len() > 100, "the list is not empty by mistake");
        for action in HotkeyAction::ALL {
            let default = default_shortcut(action);
            assert!(
                !known.contains(&default),
                "{action}'s default {default} is a known system or Teams shortcut"
            );
        }
    }
}
