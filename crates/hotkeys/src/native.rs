//! Global hotkeys on Windows and macOS, through the `global-hotkey` crate (`RegisterHotKey` and its message loop
//! on Windows, Carbon's `RegisterEventHotKey` on macOS). Its manager must live on the main thread there, which
//! is where `super` keeps it. On X11 the app uses its own event-driven backend instead (`super::x11`).

use std::collections::HashMap;

use global_hotkey::hotkey::{Code, HotKey, Modifiers};
use global_hotkey::{GlobalHotKeyEvent, GlobalHotKeyManager, HotKeyState};
use presently_core::config::hotkeys::{Key, NamedKey, Shortcut};

use super::{HotkeyId, Refusal, Registrar};

/// The `global-hotkey` key of a shortcut. Every [`Key`] the core accepts has one.
pub fn to_hotkey(shortcut: &Shortcut) -> HotKey {
    let m = shortcut.modifiers;
    let mut modifiers = Modifiers::empty();
    for (held, modifier) in [
        (m.ctrl, Modifiers::CONTROL),
        (m.alt, Modifiers::ALT),
        (m.shift, Modifiers::SHIFT),
        (m.super_key, Modifiers::META),
    ] {
        if held {
            modifiers |= modifier;
        }
    }
    HotKey::new(Some(modifiers), code_of(shortcut.key))
}

fn code_of(key: Key) -> Code {
    const LETTERS: [Code; 26] = [
        Code::KeyA,
        Code::KeyB,
        Code::KeyC,
        Code::KeyD,
        Code::KeyE,
        Code::KeyF,
        Code::KeyG,
        Code::KeyH,
        Code::KeyI,
        Code::KeyJ,
        Code::KeyK,
        Code::KeyL,
        Code::KeyM,
        Code::KeyN,
        Code::KeyO,
        Code::KeyP,
        Code::KeyQ,
        Code::KeyR,
        Code::KeyS,
        Code::KeyT,
        Code::KeyU,
        Code::KeyV,
        Code::KeyW,
        Code::KeyX,
        Code::KeyY,
        Code::KeyZ,
    ];
    const DIGITS: [Code; 10] = [
        Code::Digit0,
        Code::Digit1,
        Code::Digit2,
        Code::Digit3,
        Code::Digit4,
        Code::Digit5,
        Code::Digit6,
        Code::Digit7,
        Code::Digit8,
        Code::Digit9,
    ];
    const NUMPAD: [Code; 10] = [
        Code::Numpad0,
        Code::Numpad1,
        Code::Numpad2,
        Code::Numpad3,
        Code::Numpad4,
        Code::Numpad5,
        Code::Numpad6,
        Code::Numpad7,
        Code::Numpad8,
        Code::Numpad9,
    ];
    const FUNCTION: [Code; 24] = [
        Code::F1,
        Code::F2,
        Code::F3,
        Code::F4,
        Code::F5,
        Code::F6,
        Code::F7,
        Code::F8,
        Code::F9,
        Code::F10,
        Code::F11,
        Code::F12,
        Code::F13,
        Code::F14,
        Code::F15,
        Code::F16,
        Code::F17,
        Code::F18,
        Code::F19,
        Code::F20,
        Code::F21,
        Code::F22,
        Code::F23,
        Code::F24,
    ];
    // The core's parser keeps every index in range (A–Z, 0–9, F1–F24); `Escape` is never reached.
    let pick = |table: &[Code], index: usize| table.get(index).copied().unwrap_or(Code::Escape);
    match key {
        Key::Letter(c) => pick(&LETTERS, usize::from(c.wrapping_sub(b'A'))),
        Key::Digit(d) => pick(&DIGITS, usize::from(d)),
        Key::Numpad(d) => pick(&NUMPAD, usize::from(d)),
        Key::Function(n) => pick(&FUNCTION, usize::from(n.wrapping_sub(1))),
        Key::Named(named) => match named {
            NamedKey::Up => Code::ArrowUp,
            NamedKey::Down => Code::ArrowDown,
            NamedKey::Left => Code::ArrowLeft,
            NamedKey::Right => Code::ArrowRight,
            NamedKey::Space => Code::Space,
            NamedKey::Enter => Code::Enter,
            NamedKey::Tab => Code::Tab,
            NamedKey::Backspace => Code::Backspace,
            NamedKey::Delete => Code::Delete,
            NamedKey::Insert => Code::Insert,
            NamedKey::Home => Code::Home,
            NamedKey::End => Code::End,
            NamedKey::PageUp => Code::PageUp,
            NamedKey::PageDown => Code::PageDown,
            NamedKey::Escape => Code::Escape,
            NamedKey::Minus => Code::Minus,
            NamedKey::Equal => Code::Equal,
            NamedKey::Comma => Code::Comma,
            NamedKey::Period => Code::Period,
            NamedKey::Slash => Code::Slash,
            NamedKey::Semicolon => Code::Semicolon,
            NamedKey::Quote => Code::Quote,
            NamedKey::BracketLeft => Code::BracketLeft,
            NamedKey::BracketRight => Code::BracketRight,
            NamedKey::Backslash => Code::Backslash,
            NamedKey::Backquote => Code::Backquote,
        },
    }
}

/// Global hotkeys through `global-hotkey`.
pub struct NativeHotkeys {
    manager: GlobalHotKeyManager,
    held: HashMap<HotkeyId, HotKey>,
}

impl std::fmt::Debug for NativeHotkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeHotkeys")
            .field("held", &self.held.len())
            .finish_non_exhaustive()
    }
}

impl NativeHotkeys {
    /// Creates the manager (on the main thread) and sends each press, never a release, to `on_press`.
    pub fn start(on_press: impl Fn(HotkeyId) + Send + Sync + 'static) -> Result<Self, global_hotkey::Error> {
        let manager = GlobalHotKeyManager::new()?;
        GlobalHotKeyEvent::set_event_handler(Some(move |event: GlobalHotKeyEvent| {
            if event.state == HotKeyState::Pressed {
                on_press(event.id);
            }
        }));
        Ok(Self {
            manager,
            held: HashMap::new(),
        })
    }
}

/// Our refusal for the crate's error: a key another application holds is `AlreadyRegistered`.
pub fn refusal(error: global_hotkey::Error) -> Refusal {
    match error {
        global_hotkey::Error::AlreadyRegistered(_) => Refusal::Taken,
        other => Refusal::Refused(other.to_string()),
    }
}

impl Registrar for NativeHotkeys {
    fn register(&mut self, shortcut: &Shortcut) -> Result<HotkeyId, Refusal> {
        let hotkey = to_hotkey(shortcut);
        self.manager.register(hotkey).map_err(refusal)?;
        self.held.insert(hotkey.id(), hotkey);
        Ok(hotkey.id())
    }

    fn unregister(&mut self, id: HotkeyId) {
        if let Some(hotkey) = self.held.remove(&id)
            && let Err(e) = self.manager.unregister(hotkey)
        {
            tracing::debug!(error = %e, "releasing a hotkey failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::str::FromStr;

    fn shortcut(text: &str) -> Shortcut {
        Shortcut::from_str(text).unwrap()
    }

    #[test]
    fn every_key_the_settings_accept_maps_to_its_own_key_code() {
        let keys: Vec<Key> = Key::all().collect();
        let codes: HashSet<Code> = keys.iter().map(|k| code_of(*k)).collect();
        assert_eq!(codes.len(), keys.len(), "two keys share a code");
        assert_eq!(code_of(Key::Letter(b'P')), Code::KeyP);
        assert_eq!(code_of(Key::Digit(2)), Code::Digit2);
        assert_eq!(code_of(Key::Function(24)), Code::F24);
        // The crate spells the same shortcut the same way (same id), so events find their action.
        let ours = to_hotkey(&shortcut("Ctrl+Alt+Shift+2"));
        let theirs = HotKey::from_str("control+alt+shift+Digit2").unwrap();
        assert_eq!(ours.id(), theirs.id());
        assert_eq!(
            to_hotkey(&shortcut("Super+P")),
            HotKey::new(Some(Modifiers::META), Code::KeyP)
        );
    }

    #[test]
    fn a_key_another_application_holds_is_taken_and_other_failures_are_refusals() {
        let hotkey = to_hotkey(&shortcut("Ctrl+Alt+Shift+3"));
        assert_eq!(
            refusal(global_hotkey::Error::AlreadyRegistered(hotkey)),
            Refusal::Taken
        );
        assert!(matches!(
            refusal(global_hotkey::Error::FailedToRegister("Unable to find keycode".into())),
            Refusal::Refused(reason) if reason.contains("Unable to find keycode")
        ));
    }
}
