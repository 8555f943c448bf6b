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
//! (`src-tauri/src/hotkeys/`) maps each [`Key`] to its toolkit's key code. Registering them with the operating
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

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use presently_model::{DurationChoice, PreferredPresence, Preset};
use serde::{Deserialize, Serialize, Serializer};

use super::settings::{Source, Sourced};

/// What a hotkey does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HotkeyAction {
    /// Keep this status for the hotkey duration (`hotkey-duration`).
    Status(PreferredPresence),
    /// Back to automatic.
    Automatic,
    /// Open the popup.
    Open,
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

    /// The key in the `[hotkeys]` table: a status's short name (`busy`, `dnd`), `automatic` or `open`.
    pub fn key(self) -> &'static str {
        match self {
            HotkeyAction::Status(status) => status.short_name(),
            HotkeyAction::Automatic => "automatic",
            HotkeyAction::Open => "open",
        }
    }

    /// The [`SettingsPatch`](super::edit::SettingsPatch) field that sets it (`hotkeyBusy`), which is also the
    /// `field` of a refusal.
    pub fn patch_field(self) -> &'static str {
        match self {
            HotkeyAction::Status(PreferredPresence::Available) => "hotkeyAvailable",
            HotkeyAction::Status(PreferredPresence::Busy) => "hotkeyBusy",
            HotkeyAction::Status(PreferredPresence::DoNotDisturb) => "hotkeyDnd",
            HotkeyAction::Status(PreferredPresence::BeRightBack) => "hotkeyBrb",
            HotkeyAction::Status(PreferredPresence::AppearAway) => "hotkeyAway",
            HotkeyAction::Status(PreferredPresence::AppearOffline) => "hotkeyOffline",
            HotkeyAction::Automatic => "hotkeyAutomatic",
            HotkeyAction::Open => "hotkeyOpen",
        }
    }

    /// What it does, in words (`Busy`, `Back to automatic`, `Open Presently`).
    pub fn label(self) -> &'static str {
        match self {
            HotkeyAction::Status(status) => status.display_name(),
            HotkeyAction::Automatic => "Back to automatic",
            HotkeyAction::Open => "Open Presently",
        }
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

/// The default shortcut of each action.
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
    let key = match action {
        HotkeyAction::Status(status) => Key::Digit(status.key()),
        HotkeyAction::Automatic => Key::Digit(0),
        HotkeyAction::Open => Key::Letter(b'P'),
    };
    Shortcut {
        modifiers: Modifiers {
            ctrl: true,
            alt: true,
            shift: true,
            super_key: false,
        },
        key,
    }
}

/// The modifier keys held with a shortcut's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Modifiers {
    /// Ctrl (Control).
    pub ctrl: bool,
    /// Alt (Option on macOS).
    pub alt: bool,
    /// Shift.
    pub shift: bool,
    /// Super: the Windows key, Command on macOS.
    pub super_key: bool,
}

/// A key a shortcut can use: the keys every keyboard layout Presently supports has, by physical position (a
/// letter or digit means the key that types it on a US layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// `A`–`Z` (the ASCII capital letter).
    Letter(u8),
    /// `0`–`9` on the main row.
    Digit(u8),
    /// `F1`–`F24`.
    Function(u8),
    /// `Numpad0`–`Numpad9`.
    Numpad(u8),
    /// Any other named key.
    Named(NamedKey),
}

impl Key {
    /// Every key a shortcut can use, letters first (what each hotkey backend must be able to grab).
    pub fn all() -> impl Iterator<Item = Key> {
        (b'A'..=b'Z')
            .map(Key::Letter)
            .chain((0..=9).map(Key::Digit))
            .chain((1..=24).map(Key::Function))
            .chain((0..=9).map(Key::Numpad))
            .chain(NamedKey::ALL.map(Key::Named))
    }
}

/// Keys with a name rather than a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedKey {
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Space bar.
    Space,
    /// Enter (Return).
    Enter,
    /// Tab.
    Tab,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Insert.
    Insert,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Escape.
    Escape,
    /// `-`.
    Minus,
    /// `=`.
    Equal,
    /// `,`.
    Comma,
    /// `.`.
    Period,
    /// `/`.
    Slash,
    /// `;`.
    Semicolon,
    /// `'`.
    Quote,
    /// `[`.
    BracketLeft,
    /// `]`.
    BracketRight,
    /// `\`.
    Backslash,
    /// `` ` ``.
    Backquote,
}

impl NamedKey {
    /// Every named key.
    pub const ALL: [NamedKey; 26] = [
        NamedKey::Up,
        NamedKey::Down,
        NamedKey::Left,
        NamedKey::Right,
        NamedKey::Space,
        NamedKey::Enter,
        NamedKey::Tab,
        NamedKey::Backspace,
        NamedKey::Delete,
        NamedKey::Insert,
        NamedKey::Home,
        NamedKey::End,
        NamedKey::PageUp,
        NamedKey::PageDown,
        NamedKey::Escape,
        NamedKey::Minus,
        NamedKey::Equal,
        NamedKey::Comma,
        NamedKey::Period,
        NamedKey::Slash,
        NamedKey::Semicolon,
        NamedKey::Quote,
        NamedKey::BracketLeft,
        NamedKey::BracketRight,
        NamedKey::Backslash,
        NamedKey::Backquote,
    ];

    /// The canonical name, which [`Key::from_str`] reads back.
    pub fn name(self) -> &'static str {
        match self {
            NamedKey::Up => "Up",
            NamedKey::Down => "Down",
            NamedKey::Left => "Left",
            NamedKey::Right => "Right",
            NamedKey::Space => "Space",
            NamedKey::Enter => "Enter",
            NamedKey::Tab => "Tab",
            NamedKey::Backspace => "Backspace",
            NamedKey::Delete => "Delete",
            NamedKey::Insert => "Insert",
            NamedKey::Home => "Home",
            NamedKey::End => "End",
            NamedKey::PageUp => "PageUp",
            NamedKey::PageDown => "PageDown",
            NamedKey::Escape => "Escape",
            NamedKey::Minus => "Minus",
            NamedKey::Equal => "Equal",
            NamedKey::Comma => "Comma",
            NamedKey::Period => "Period",
            NamedKey::Slash => "Slash",
            NamedKey::Semicolon => "Semicolon",
            NamedKey::Quote => "Quote",
            NamedKey::BracketLeft => "BracketLeft",
            NamedKey::BracketRight => "BracketRight",
            NamedKey::Backslash => "Backslash",
            NamedKey::Backquote => "Backquote",
        }
    }

    /// Other spellings people type (lower case, compared case-insensitively).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            NamedKey::Up => &["arrowup"],
            NamedKey::Down => &["arrowdown"],
            NamedKey::Left => &["arrowleft"],
            NamedKey::Right => &["arrowright"],
            NamedKey::Enter => &["return"],
            NamedKey::Delete => &["del"],
            NamedKey::Insert => &["ins"],
            NamedKey::PageUp => &["pgup"],
            NamedKey::PageDown => &["pgdn", "pgdown"],
            NamedKey::Escape => &["esc"],
            NamedKey::Minus => &["-"],
            NamedKey::Equal => &["="],
            NamedKey::Comma => &[","],
            NamedKey::Period => &["."],
            NamedKey::Slash => &["/"],
            NamedKey::Semicolon => &[";"],
            NamedKey::Quote => &["'"],
            NamedKey::BracketLeft => &["["],
            NamedKey::BracketRight => &["]"],
            NamedKey::Backslash => &["\\"],
            NamedKey::Backquote => &["`"],
            _ => &[],
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Letter(c) => write!(f, "{}", char::from(*c)),
            Key::Digit(d) => write!(f, "{d}"),
            Key::Function(n) => write!(f, "F{n}"),
            Key::Numpad(d) => write!(f, "Numpad{d}"),
            Key::Named(named) => f.write_str(named.name()),
        }
    }
}

impl FromStr for Key {
    type Err = ();

    /// A key name, case-insensitively: `A`, `7`, `F5`, `Numpad3`, `Space`, `PageUp` (or `PgUp`), `-`, ...
    fn from_str(s: &str) -> Result<Self, ()> {
        let lower = s.trim().to_ascii_lowercase();
        let bytes = lower.as_bytes();
        if let [c] = bytes {
            if c.is_ascii_lowercase() {
                return Ok(Key::Letter(c.to_ascii_uppercase()));
            }
            if c.is_ascii_digit() {
                return Ok(Key::Digit(c - b'0'));
            }
        }
        let number = |rest: &str, max: u8, min: u8| -> Option<u8> {
            // No leading zeros or signs: `F05` and `F+5` are not key names.
            (!rest.starts_with('0') || rest == "0")
                .then(|| rest.parse::<u8>().ok())
                .flatten()
                .filter(|n| rest.bytes().all(|b| b.is_ascii_digit()) && (min..=max).contains(n))
        };
        if let Some(n) = lower.strip_prefix('f').and_then(|rest| number(rest, 24, 1)) {
            return Ok(Key::Function(n));
        }
        for prefix in ["numpad", "num", "kp"] {
            if let Some(n) = lower.strip_prefix(prefix).and_then(|rest| number(rest, 9, 0)) {
                return Ok(Key::Numpad(n));
            }
        }
        NamedKey::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(&lower) || k.aliases().contains(&lower.as_str()))
            .map(Key::Named)
            .ok_or(())
    }
}

/// A global shortcut: modifiers and one key. Written `Ctrl+Alt+Shift+2` (modifiers in the order Ctrl, Alt, Shift,
/// Super, then the key); read case-insensitively, in any order, with spaces around `+` allowed, and with the
/// aliases `Control`, `Option`, `Win`, `Meta`, `Cmd`/`Command` (Super).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shortcut {
    /// The modifiers.
    pub modifiers: Modifiers,
    /// The key.
    pub key: Key,
}

/// Why a shortcut was refused. Messages start lower-case (they are embedded; the settings page capitalises).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShortcutError {
    /// Only modifiers, no key (`Ctrl+Alt`).
    #[error("\"{text}\" has no key: end it with a key, like Ctrl+Alt+Shift+2")]
    NoKey {
        /// What was written.
        text: String,
    },
    /// A part that is no key Presently knows.
    #[error(
        "\"{part}\" is not a key Presently knows: use a letter, a digit, F1–F24, Numpad0–Numpad9, an arrow (Up, \
         Down, Left, Right), Space, Enter, Tab, Backspace, Delete, Insert, Home, End, PageUp, PageDown, Escape, or \
         - = , . / ; ' [ ] \\ `"
    )]
    UnknownKey {
        /// The unknown part.
        part: String,
    },
    /// Two keys (`Ctrl+A+B`).
    #[error("\"{text}\" has two keys ({first} and {second}): a shortcut is modifiers and one key")]
    TwoKeys {
        /// What was written.
        text: String,
        /// The first key.
        first: String,
        /// The second key.
        second: String,
    },
    /// An empty part (`Ctrl++2`, a trailing `+`).
    #[error("\"{text}\" has an empty part between two +")]
    EmptyPart {
        /// What was written.
        text: String,
    },
    /// No modifier, or Shift alone.
    #[error(
        "\"{text}\" needs a modifier: hold Ctrl, Alt or Super with the key (Shift alone is not enough), or every \
         time you type it anywhere your status would change"
    )]
    NoModifier {
        /// What was written.
        text: String,
    },
}

/// At most 40 characters of user input, for a message.
fn shortened(text: &str) -> String {
    presently_model::text::shortened(text, 40)
}

impl FromStr for Shortcut {
    type Err = ShortcutError;

    fn from_str(s: &str) -> Result<Self, ShortcutError> {
        let text = shortened(s);
        let mut modifiers = Modifiers::default();
        let mut key: Option<(Key, String)> = None;
        // A lone `+` is not a key we take (it is Shift+= on most layouts), so `+` only separates.
        for part in s.trim().split('+').map(str::trim) {
            if part.is_empty() {
                return Err(if s.trim().is_empty() {
                    ShortcutError::NoKey { text }
                } else {
                    ShortcutError::EmptyPart { text }
                });
            }
            match part.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "ctl" => modifiers.ctrl = true,
                "alt" | "option" | "opt" => modifiers.alt = true,
                "shift" => modifiers.shift = true,
                "super" | "win" | "windows" | "meta" | "cmd" | "command" | "logo" => {
                    modifiers.super_key = true
                }
                _ => {
                    let parsed = Key::from_str(part).map_err(|()| ShortcutError::UnknownKey {
                        part: shortened(part),
                    })?;
                    if let Some((first, _)) = &key {
                        return Err(ShortcutError::TwoKeys {
                            text,
                            first: first.to_string(),
                            second: parsed.to_string(),
                        });
                    }
                    key = Some((parsed, part.to_owned()));
                }
            }
        }
        let Some((key, _)) = key else {
            return Err(ShortcutError::NoKey { text });
        };
        if !(modifiers.ctrl || modifiers.alt || modifiers.super_key) {
            return Err(ShortcutError::NoModifier { text });
        }
        Ok(Shortcut { modifiers, key })
    }
}

impl fmt::Display for Shortcut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.modifiers;
        for (held, name) in [
            (m.ctrl, "Ctrl"),
            (m.alt, "Alt"),
            (m.shift, "Shift"),
            (m.super_key, "Super"),
        ] {
            if held {
                write!(f, "{name}+")?;
            }
        }
        self.key.fmt(f)
    }
}

/// One action's shortcut as a settings file writes it: a [`Shortcut`], or nothing (`""`: cleared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Binding(pub Option<Shortcut>);

impl FromStr for Binding {
    type Err = ShortcutError;
    fn from_str(s: &str) -> Result<Self, ShortcutError> {
        if s.trim().is_empty() {
            Ok(Binding(None))
        } else {
            Shortcut::from_str(s).map(|s| Binding(Some(s)))
        }
    }
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(shortcut) => shortcut.fmt(f),
            None => Ok(()),
        }
    }
}

/// The `[hotkeys]` table of a settings file: every key optional (left out = the default), unknown keys refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotkeysFile {
    /// Available.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub available: Option<Binding>,
    /// Busy.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub busy: Option<Binding>,
    /// Do not disturb.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub dnd: Option<Binding>,
    /// Be right back.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub brb: Option<Binding>,
    /// Appear away.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub away: Option<Binding>,
    /// Appear offline.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub offline: Option<Binding>,
    /// Back to automatic.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub automatic: Option<Binding>,
    /// Open Presently.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "binding_text")]
    pub open: Option<Binding>,
}

impl HotkeysFile {
    /// Whether no key is set (the table is then left out of the file).
    pub fn is_empty(&self) -> bool {
        HotkeyAction::ALL.into_iter().all(|a| self.get(a).is_none())
    }

    /// The entry of `action`.
    pub fn get(&self, action: HotkeyAction) -> Option<Binding> {
        *self.slot(action)
    }

    fn slot(&self, action: HotkeyAction) -> &Option<Binding> {
        match action {
            HotkeyAction::Status(PreferredPresence::Available) => &self.available,
            HotkeyAction::Status(PreferredPresence::Busy) => &self.busy,
            HotkeyAction::Status(PreferredPresence::DoNotDisturb) => &self.dnd,
            HotkeyAction::Status(PreferredPresence::BeRightBack) => &self.brb,
            HotkeyAction::Status(PreferredPresence::AppearAway) => &self.away,
            HotkeyAction::Status(PreferredPresence::AppearOffline) => &self.offline,
            HotkeyAction::Automatic => &self.automatic,
            HotkeyAction::Open => &self.open,
        }
    }

    /// The entry of `action`, to change.
    pub fn slot_mut(&mut self, action: HotkeyAction) -> &mut Option<Binding> {
        match action {
            HotkeyAction::Status(PreferredPresence::Available) => &mut self.available,
            HotkeyAction::Status(PreferredPresence::Busy) => &mut self.busy,
            HotkeyAction::Status(PreferredPresence::DoNotDisturb) => &mut self.dnd,
            HotkeyAction::Status(PreferredPresence::BeRightBack) => &mut self.brb,
            HotkeyAction::Status(PreferredPresence::AppearAway) => &mut self.away,
            HotkeyAction::Status(PreferredPresence::AppearOffline) => &mut self.offline,
            HotkeyAction::Automatic => &mut self.automatic,
            HotkeyAction::Open => &mut self.open,
        }
    }
}

/// Serde of an optional [`Binding`] through its text, so a bad shortcut's message says what is expected.
mod binding_text {
    use super::*;
    use serde::Deserializer;

    pub fn serialize<S: Serializer>(v: &Option<Binding>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Binding>, D::Error> {
        let text = String::deserialize(d)?;
        Binding::from_str(&text)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

/// The shortcuts in force after layering (default < managed file < user file), each with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hotkeys {
    bindings: [Sourced<Option<Shortcut>>; 8],
}

impl Default for Hotkeys {
    /// Every action on its default shortcut.
    fn default() -> Self {
        Self {
            bindings: HotkeyAction::ALL.map(|a| Sourced {
                value: Some(default_shortcut(a)),
                source: Source::Default,
            }),
        }
    }
}

/// Two actions with the same shortcut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{shortcut} is the shortcut of both {first} and {second}: give one of them another")]
pub struct DuplicateShortcut {
    /// The shortcut.
    pub shortcut: Shortcut,
    /// The action listed first.
    pub first: HotkeyAction,
    /// The other one.
    pub second: HotkeyAction,
}

impl Hotkeys {
    /// Layers the `[hotkeys]` tables of `layers` (in order, later wins) over the defaults.
    pub fn layered<'a>(layers: impl IntoIterator<Item = (Source, &'a HotkeysFile)>) -> Self {
        let mut hotkeys = Hotkeys::default();
        for (source, file) in layers {
            for action in HotkeyAction::ALL {
                if let Some(Binding(shortcut)) = file.get(action) {
                    hotkeys.bindings[action.index()] = Sourced {
                        value: shortcut,
                        source: source.clone(),
                    };
                }
            }
        }
        hotkeys
    }

    /// The shortcut of `action` and where it came from.
    pub fn get(&self, action: HotkeyAction) -> &Sourced<Option<Shortcut>> {
        &self.bindings[action.index()]
    }

    /// Every action with its shortcut (or `None`), in [`HotkeyAction::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (HotkeyAction, Option<Shortcut>)> + '_ {
        HotkeyAction::ALL.into_iter().map(|a| (a, self.get(a).value))
    }

    /// The first pair of actions sharing a shortcut, if any.
    pub fn duplicate(&self) -> Option<DuplicateShortcut> {
        duplicates(self.iter()).into_iter().next()
    }
}

impl Serialize for Hotkeys {
    /// `{"busy": {"value": "Ctrl+Alt+Shift+2", "source": {...}}, ...}`; `""` for none.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&str, Sourced<String>> = HotkeyAction::ALL
            .into_iter()
            .map(|a| {
                let b = self.get(a);
                (
                    a.key(),
                    Sourced {
                        value: Binding(b.value).to_string(),
                        source: b.source.clone(),
                    },
                )
            })
            .collect();
        map.serialize(s)
    }
}

/// Every pair of actions (in `bindings` order, the later one second) whose shortcuts are the same.
pub fn duplicates(
    bindings: impl IntoIterator<Item = (HotkeyAction, Option<Shortcut>)>,
) -> Vec<DuplicateShortcut> {
    let mut seen: Vec<(HotkeyAction, Shortcut)> = Vec::new();
    let mut found = Vec::new();
    for (action, shortcut) in bindings {
        let Some(shortcut) = shortcut else { continue };
        if let Some((first, _)) = seen.iter().find(|(_, s)| *s == shortcut) {
            found.push(DuplicateShortcut {
                shortcut,
                first: *first,
                second: action,
            });
        } else {
            seen.push((action, shortcut));
        }
    }
    found
}

/// Whether global hotkeys can work where the tray app runs, as the settings page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

/// One action's row on the settings page, besides its shortcut field (`hotkeyBusy` and so on in the view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HotkeyRowView {
    /// `available` ... `offline`, `automatic`, `open`.
    pub action: HotkeyAction,
    /// The settings field holding its shortcut (`hotkeyBusy`).
    pub field: &'static str,
    /// What it does, in words.
    pub label: &'static str,
    /// The default shortcut (to restore it).
    pub default_shortcut: String,
    /// The command line to bind in the desktop's keyboard settings instead (Wayland), doing the same thing.
    pub command: String,
    /// Why the desktop refused this shortcut, if it did.
    pub registration_error: Option<String>,
}

/// The hotkeys part of the settings view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HotkeysView {
    /// Whether they can work.
    pub support: HotkeySupport,
    /// One row per action, in [`HotkeyAction::ALL`] order.
    pub actions: Vec<HotkeyRowView>,
}

impl HotkeysView {
    /// The view of `hotkeys` lasting `duration`, with the main process's `report`.
    pub fn new(duration: &DurationChoice, report: &HotkeyReport) -> Self {
        Self {
            support: report.support.clone(),
            actions: HotkeyAction::ALL
                .into_iter()
                .map(|action| HotkeyRowView {
                    action,
                    field: action.patch_field(),
                    label: action.label(),
                    default_shortcut: default_shortcut(action).to_string(),
                    command: command_line(action, duration, report),
                    registration_error: report.errors.get(&action).cloned(),
                })
                .collect(),
        }
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
    use super::*;

    fn shortcut(text: &str) -> Shortcut {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_shortcut_reads_in_any_case_order_and_spacing_and_writes_canonically() {
        for text in [
            "Ctrl+Alt+Shift+2",
            "ctrl+alt+shift+2",
            "shift + CONTROL + alt + 2",
            "2+Alt+Shift+Ctrl",
        ] {
            assert_eq!(shortcut(text).to_string(), "Ctrl+Alt+Shift+2", "{text}");
        }
        assert_eq!(shortcut("Super+Option+pgup").to_string(), "Alt+Super+PageUp");
        assert_eq!(shortcut("cmd+shift+f12").to_string(), "Shift+Super+F12");
        assert_eq!(shortcut("Ctrl+Alt+Numpad7").to_string(), "Ctrl+Alt+Numpad7");
        assert_eq!(shortcut("Ctrl+Alt+kp0").to_string(), "Ctrl+Alt+Numpad0");
        assert_eq!(shortcut("Ctrl+Alt+/").to_string(), "Ctrl+Alt+Slash");
        assert_eq!(shortcut("Ctrl+Alt+esc").to_string(), "Ctrl+Alt+Escape");
        assert_eq!(shortcut("Ctrl+Alt+p").key, Key::Letter(b'P'));
    }

    #[test]
    fn every_key_name_reads_back_from_its_canonical_text() {
        assert_eq!(Key::all().count(), 26 + 10 + 24 + 10 + NamedKey::ALL.len());
        for key in Key::all() {
            let text = key.to_string();
            assert_eq!(Key::from_str(&text), Ok(key), "{text}");
        }
    }

    #[test]
    fn a_shortcut_without_ctrl_alt_or_super_is_refused_with_the_reason() {
        for text in ["P", "F5", "Shift+P", "shift+2"] {
            let error = Shortcut::from_str(text).unwrap_err();
            assert!(
                matches!(error, ShortcutError::NoModifier { .. }),
                "{text}: {error:?}"
            );
            let message = error.to_string();
            assert!(
                message.contains("needs a modifier") && message.contains("Shift alone"),
                "{message}"
            );
        }
    }

    #[test]
    fn an_unknown_key_is_refused_naming_it_and_listing_what_is_known() {
        let error = Shortcut::from_str("Ctrl+Alt+Banana").unwrap_err();
        assert_eq!(
            error,
            ShortcutError::UnknownKey {
                part: "Banana".into()
            }
        );
        let message = error.to_string();
        assert!(
            message.starts_with("\"Banana\" is not a key Presently knows") && message.contains("F1–F24"),
            "{message}"
        );
        for bad in [
            "Ctrl+F0",
            "Ctrl+F25",
            "Ctrl+F05",
            "Ctrl+Numpad10",
            "Ctrl+é",
            "Ctrl+AB",
        ] {
            assert!(
                matches!(Shortcut::from_str(bad), Err(ShortcutError::UnknownKey { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_shortcut_has_exactly_one_key_and_no_empty_parts() {
        assert!(matches!(
            Shortcut::from_str("Ctrl+Alt"),
            Err(ShortcutError::NoKey { .. })
        ));
        assert_eq!(
            Shortcut::from_str("Ctrl+A+B").unwrap_err().to_string(),
            "\"Ctrl+A+B\" has two keys (A and B): a shortcut is modifiers and one key"
        );
        for bad in ["Ctrl++2", "Ctrl+Alt+", "+Ctrl+2"] {
            assert!(
                matches!(Shortcut::from_str(bad), Err(ShortcutError::EmptyPart { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_empty_binding_means_no_shortcut_and_writes_back_empty() {
        assert_eq!(Binding::from_str("  "), Ok(Binding(None)));
        assert_eq!(Binding(None).to_string(), "");
        assert_eq!(
            Binding::from_str("Ctrl+Alt+Shift+3").map(|b| b.to_string()),
            Ok("Ctrl+Alt+Shift+3".to_string())
        );
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

    #[test]
    fn duplicates_name_both_actions_in_order() {
        let busy = HotkeyAction::Status(PreferredPresence::Busy);
        let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
        let same = shortcut("Ctrl+Alt+B");
        let found = duplicates([
            (busy, Some(same)),
            (HotkeyAction::Open, None),
            (HotkeyAction::Automatic, None),
            (dnd, Some(same)),
        ]);
        assert_eq!(
            found,
            [DuplicateShortcut {
                shortcut: same,
                first: busy,
                second: dnd
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "Ctrl+Alt+B is the shortcut of both Busy and Do not disturb: give one of them another"
        );
        // Cleared shortcuts never collide.
        assert!(duplicates([(busy, None), (dnd, None)]).is_empty());
    }

    #[test]
    fn layers_override_defaults_key_by_key_and_empty_clears() {
        let managed = HotkeysFile {
            busy: Some(Binding(Some(shortcut("Ctrl+Alt+B")))),
            open: Some(Binding(None)),
            ..HotkeysFile::default()
        };
        let user = HotkeysFile {
            busy: Some(Binding(Some(shortcut("Ctrl+Alt+U")))),
            ..HotkeysFile::default()
        };
        let managed_path = Source::Managed("/etc/presently/settings.toml".into());
        let user_path = Source::User("/home/a/settings.toml".into());
        let hotkeys = Hotkeys::layered([(managed_path.clone(), &managed), (user_path.clone(), &user)]);
        let busy = hotkeys.get(HotkeyAction::Status(PreferredPresence::Busy));
        assert_eq!(
            (busy.value, &busy.source),
            (Some(shortcut("Ctrl+Alt+U")), &user_path)
        );
        let open = hotkeys.get(HotkeyAction::Open);
        assert_eq!((open.value, &open.source), (None, &managed_path));
        let away = hotkeys.get(HotkeyAction::Status(PreferredPresence::AppearAway));
        assert_eq!(
            (away.value, &away.source),
            (Some(shortcut("Ctrl+Alt+Shift+5")), &Source::Default)
        );
    }

    #[test]
    fn the_hotkeys_table_reads_and_writes_as_text_and_refuses_unknown_keys() {
        let file: HotkeysFile = toml::from_str("busy = \"ctrl+alt+b\"\ndnd = \"\"\n").unwrap();
        assert_eq!(file.busy, Some(Binding(Some(shortcut("Ctrl+Alt+B")))));
        assert_eq!(file.dnd, Some(Binding(None)));
        assert_eq!(file.open, None);
        let written = toml::to_string(&file).unwrap();
        assert_eq!(written, "busy = \"Ctrl+Alt+B\"\ndnd = \"\"\n");
        let error = toml::from_str::<HotkeysFile>("busy = \"B\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("needs a modifier"), "{error}");
        let error = toml::from_str::<HotkeysFile>("bussy = \"Ctrl+B\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("bussy"), "{error}");
    }

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
        let view = HotkeysView::new(&DurationChoice::Preset(Preset::Hours2), &report);
        assert_eq!(view.actions.len(), 8);
        let row = &view.actions[2];
        assert_eq!(
            (
                row.field,
                row.label,
                row.default_shortcut.as_str(),
                row.command.as_str()
            ),
            (
                "hotkeyDnd",
                "Do not disturb",
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
