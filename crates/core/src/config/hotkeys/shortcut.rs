//! The shortcut grammar: how a shortcut is written, read and checked ("Ctrl+Alt+Shift+2"), and a binding that may be empty.

use std::fmt;
use std::str::FromStr;

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
}
