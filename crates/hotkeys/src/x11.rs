//! Global hotkeys on X11 (Linux and the BSDs), event-driven: a connection of our own grabs each shortcut on the
//! root window (`GrabKey`), and a thread sleeps in `wait_for_event` until the X server sends a key press, a
//! keyboard mapping change, or our own wake-up message. Nothing polls, so an idle app does not wake at all and a
//! press is handled the moment it arrives.
//!
//! This replaces the `global-hotkey` crate here (it remains the backend on Windows and macOS,
//! `super::native`). Its X11 thread looked at the connection and its request channel every 50 ms: each
//! registration waited for that turn (eight of them delayed the tray icon by about 400 ms at start-up), the
//! thread woke 20 times a second all day, and a hotkey waited 0–50 ms before it was seen. `npm run bench`
//! measured all three.
//!
//! A grab is made four times, with and without Caps Lock and Num Lock (`Lock` and `Mod2`), so the shortcut
//! works whichever of them is on. The X server refuses a grab that another client holds with `BadAccess`:
//! that shortcut is reported as taken and only its own grabs are undone. XKB's detectable auto-repeat makes a
//! held key repeat as presses without releases, and [`Grabs`] acts on the first press only.

use std::sync::{Arc, Mutex, MutexGuard};

use presently_core::config::hotkeys::{Key, NamedKey, Shortcut};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, CreateWindowAux, EventMask, GrabMode, Keycode, ModMask,
    Window, WindowClass,
};
use x11rb::protocol::{ErrorKind, Event, xkb};
use x11rb::rust_connection::RustConnection;
use xkeysym::key;

use super::{HotkeyId, Refusal, Registrar};

/// Caps Lock and Num Lock: held or not, a shortcut is the same shortcut.
const LOCKS: [u16; 4] = [0, 1 << 4, 1 << 1, (1 << 4) | (1 << 1)]; // none, Mod2 (Num Lock), Lock, both

/// The modifiers a shortcut is made of (Ctrl, Shift, Alt = Mod1, Super = Mod4); the others are ignored when a
/// press is matched.
const SHORTCUT_MODIFIERS: u16 = (1 << 2) | 1 | (1 << 3) | (1 << 6); // Control, Shift, Mod1, Mod4

/// What the hotkey thread is woken with to end.
const QUIT: u32 = 0x5155_4954;

/// The X modifier mask of a shortcut.
pub fn modifier_mask(shortcut: &Shortcut) -> ModMask {
    let m = shortcut.modifiers;
    let mut mask = 0;
    for (held, bit) in [
        (m.ctrl, ModMask::CONTROL),
        (m.shift, ModMask::SHIFT),
        (m.alt, ModMask::M1),
        (m.super_key, ModMask::M4),
    ] {
        if held {
            mask |= bit.bits();
        }
    }
    ModMask::from(mask)
}

/// The keysym of a key (the unshifted symbol: a letter's small form; the keypad digit as Num Lock gives it).
pub fn keysym_of(key: Key) -> u32 {
    match key {
        Key::Letter(c) => u32::from(c.to_ascii_lowercase()),
        Key::Digit(d) => key::_0 + u32::from(d),
        Key::Numpad(d) => key::KP_0 + u32::from(d),
        Key::Function(n) => key::F1 + u32::from(n.saturating_sub(1)),
        Key::Named(named) => match named {
            NamedKey::Up => key::Up,
            NamedKey::Down => key::Down,
            NamedKey::Left => key::Left,
            NamedKey::Right => key::Right,
            NamedKey::Space => key::space,
            NamedKey::Enter => key::Return,
            NamedKey::Tab => key::Tab,
            NamedKey::Backspace => key::BackSpace,
            NamedKey::Delete => key::Delete,
            NamedKey::Insert => key::Insert,
            NamedKey::Home => key::Home,
            NamedKey::End => key::End,
            NamedKey::PageUp => key::Page_Up,
            NamedKey::PageDown => key::Page_Down,
            NamedKey::Escape => key::Escape,
            NamedKey::Minus => key::minus,
            NamedKey::Equal => key::equal,
            NamedKey::Comma => key::comma,
            NamedKey::Period => key::period,
            NamedKey::Slash => key::slash,
            NamedKey::Semicolon => key::semicolon,
            NamedKey::Quote => key::apostrophe,
            NamedKey::BracketLeft => key::bracketleft,
            NamedKey::BracketRight => key::bracketright,
            NamedKey::Backslash => key::backslash,
            NamedKey::Backquote => key::grave,
        },
    }
}

/// The keyboard mapping (keycode → keysyms), as `GetKeyboardMapping` gives it.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// The first keycode described.
    pub min_keycode: Keycode,
    /// Keysyms per keycode.
    pub per_keycode: u8,
    /// `per_keycode` keysyms for each keycode from `min_keycode` on.
    pub keysyms: Vec<u32>,
}

impl Keymap {
    /// The keycode that produces `keysym`, preferring the one where it is the plain (first) symbol: the keypad's
    /// `KP_1` is the second symbol of its key, and `1` must not find the keypad.
    pub fn keycode_of(&self, keysym: u32) -> Option<Keycode> {
        let per = usize::from(self.per_keycode.max(1));
        let rows = self.keysyms.chunks(per);
        (0..per).find_map(|column| {
            rows.clone()
                .position(|row| row.get(column) == Some(&keysym))
                .and_then(|index| Keycode::try_from(usize::from(self.min_keycode) + index).ok())
        })
    }
}

/// One grabbed shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grab {
    keycode: Keycode,
    modifiers: u16,
    id: HotkeyId,
    pressed: bool,
}

/// What is grabbed, shared by the registering side and the event thread; decides which press acts.
#[derive(Debug, Default)]
pub struct Grabs {
    grabs: Vec<Grab>,
}

impl Grabs {
    /// Records a grab of `keycode` with `modifiers` for `id`.
    pub fn add(&mut self, keycode: Keycode, modifiers: ModMask, id: HotkeyId) {
        self.grabs.push(Grab {
            keycode,
            modifiers: modifiers.bits(),
            id,
            pressed: false,
        });
    }

    /// Forgets `id`'s grab; returns its keycode and modifiers.
    pub fn remove(&mut self, id: HotkeyId) -> Option<(Keycode, ModMask)> {
        let index = self.grabs.iter().position(|g| g.id == id)?;
        let grab = self.grabs.remove(index);
        Some((grab.keycode, ModMask::from(grab.modifiers)))
    }

    /// A key press with modifier state `state`: the id to act on, once per press (a held key's repeats, which
    /// come as presses without releases, act no more).
    pub fn press(&mut self, keycode: Keycode, state: u16) -> Option<HotkeyId> {
        let modifiers = state & SHORTCUT_MODIFIERS;
        let grab = self
            .grabs
            .iter_mut()
            .find(|g| g.keycode == keycode && g.modifiers == modifiers)?;
        if grab.pressed {
            return None;
        }
        grab.pressed = true;
        Some(grab.id)
    }

    /// A key release: the key's shortcuts can act again.
    pub fn release(&mut self, keycode: Keycode) {
        for grab in self.grabs.iter_mut().filter(|g| g.keycode == keycode) {
            grab.pressed = false;
        }
    }
}

/// Why the X11 hotkeys did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No X display (or it refused us).
    #[error("cannot connect to the X display: {0}")]
    Connect(#[from] x11rb::errors::ConnectError),
    /// The connection broke while setting up.
    #[error("the X connection failed: {0}")]
    Connection(#[from] x11rb::errors::ConnectionError),
    /// A setup request was refused.
    #[error("the X server refused a request: {0}")]
    Reply(#[from] ReplyError),
    /// No window id left.
    #[error("the X server refused a request: {0}")]
    ReplyOrId(#[from] x11rb::errors::ReplyOrIdError),
    /// The event thread did not start.
    #[error("cannot start the hotkey thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Global hotkeys on an X display.
pub struct X11Hotkeys {
    conn: Arc<RustConnection>,
    root: Window,
    /// Our own unmapped window: the event thread is woken through it to end.
    wake: Window,
    grabs: Arc<Mutex<Grabs>>,
    keymap: Arc<Mutex<Keymap>>,
    next_id: HotkeyId,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for X11Hotkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("X11Hotkeys")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_keymap(conn: &RustConnection) -> Result<Keymap, ReplyError> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let reply = conn
        .get_keyboard_mapping(min, max.saturating_sub(min).saturating_add(1))?
        .reply()?;
    Ok(Keymap {
        min_keycode: min,
        per_keycode: reply.keysyms_per_keycode,
        keysyms: reply.keysyms,
    })
}

impl X11Hotkeys {
    /// Connects to the display of `$DISPLAY` and starts the event thread, which calls `on_press` with the id
    /// [`Registrar::register`] gave, on that thread, once per press.
    pub fn start(on_press: impl Fn(HotkeyId) + Send + 'static) -> Result<Self, StartError> {
        let (conn, screen) = RustConnection::connect(None)?;
        let conn = Arc::new(conn);
        let root = conn.setup().roots.get(screen).map_or(0, |s| s.root);
        // Detectable auto-repeat: a held key repeats presses only. Without XKB a held shortcut would act again
        // at each repeat, which is worth a warning but not a refusal.
        let detectable = conn
            .extension_information(xkb::X11_EXTENSION_NAME)?
            .is_some()
            .then(|| -> Result<bool, ReplyError> {
                xkb::ConnectionExt::xkb_use_extension(&*conn, 1, 0)?.reply()?;
                let flag = xkb::PerClientFlag::DETECTABLE_AUTO_REPEAT;
                let reply = xkb::ConnectionExt::xkb_per_client_flags(
                    &*conn,
                    xkb::ID::USE_CORE_KBD.into(),
                    flag,
                    flag,
                    Default::default(),
                    Default::default(),
                    Default::default(),
                )?
                .reply()?;
                Ok(reply.value.contains(flag))
            })
            .transpose()?
            .unwrap_or(false);
        if !detectable {
            tracing::warn!(
                "the X server has no detectable auto-repeat: a held hotkey may act more than once"
            );
        }
        let keymap = Arc::new(Mutex::new(read_keymap(&conn)?));
        let wake = conn.generate_id()?;
        conn.create_window(
            0,
            wake,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new(),
        )?
        .check()?;
        let grabs = Arc::new(Mutex::new(Grabs::default()));
        let thread = std::thread::Builder::new().name("x11-hotkeys".into()).spawn({
            let (conn, grabs, keymap) = (conn.clone(), grabs.clone(), keymap.clone());
            move || listen(&conn, wake, &grabs, &keymap, &on_press)
        })?;
        Ok(Self {
            conn,
            root,
            wake,
            grabs,
            keymap,
            next_id: 1,
            thread: Some(thread),
        })
    }

    fn ungrab(&self, keycode: Keycode, modifiers: ModMask) {
        for lock in LOCKS {
            if let Ok(cookie) = self
                .conn
                .ungrab_key(keycode, self.root, modifiers | ModMask::from(lock))
            {
                cookie.ignore_error();
            }
        }
        if let Err(e) = self.conn.flush() {
            tracing::debug!(error = %e, "releasing a hotkey failed");
        }
    }
}

/// The event thread: sleeps until the X server sends something.
fn listen(
    conn: &RustConnection,
    wake: Window,
    grabs: &Mutex<Grabs>,
    keymap: &Mutex<Keymap>,
    on_press: &dyn Fn(HotkeyId),
) {
    loop {
        match conn.wait_for_event() {
            Ok(Event::KeyPress(event)) => {
                let id = lock(grabs).press(event.detail, u16::from(event.state));
                if let Some(id) = id {
                    on_press(id);
                }
            }
            Ok(Event::KeyRelease(event)) => lock(grabs).release(event.detail),
            // The keyboard layout changed: later registrations look keys up in the new one. (Grabs already
            // made keep their keycodes, as with every X11 hotkey tool.)
            Ok(Event::MappingNotify(_)) => match read_keymap(conn) {
                Ok(new) => *lock(keymap) = new,
                Err(e) => tracing::debug!(error = %e, "cannot read the new keyboard mapping"),
            },
            Ok(Event::ClientMessage(event)) if event.window == wake && event.data.as_data32()[0] == QUIT => {
                return;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the X connection of the hotkeys closed; hotkeys stop working");
                return;
            }
        }
    }
}

impl Registrar for X11Hotkeys {
    fn register(&mut self, shortcut: &Shortcut) -> Result<HotkeyId, Refusal> {
        let keysym = keysym_of(shortcut.key);
        let keycode = lock(&self.keymap)
            .keycode_of(keysym)
            .ok_or_else(|| Refusal::Refused("this keyboard layout has no such key".into()))?;
        let modifiers = modifier_mask(shortcut);
        let refused = |e: &dyn std::fmt::Display| Refusal::Refused(e.to_string());
        // Send the four grabs, then check them (one round trip for all four).
        let mut cookies = Vec::with_capacity(LOCKS.len());
        for lock in LOCKS {
            let cookie = self
                .conn
                .grab_key(
                    false,
                    self.root,
                    modifiers | ModMask::from(lock),
                    keycode,
                    GrabMode::ASYNC,
                    GrabMode::ASYNC,
                )
                .map_err(|e| refused(&e))?;
            cookies.push(cookie);
        }
        let mut outcome = Ok(());
        for cookie in cookies {
            let result = match cookie.check() {
                Ok(()) => continue,
                Err(ReplyError::X11Error(e)) if e.error_kind == ErrorKind::Access => Err(Refusal::Taken),
                Err(e) => Err(refused(&e)),
            };
            if outcome.is_ok() {
                outcome = result;
            }
        }
        if let Err(refusal) = outcome {
            // Undo the grabs that did succeed (ours only: an ungrab of another client's grab does nothing).
            self.ungrab(keycode, modifiers);
            return Err(refusal);
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        lock(&self.grabs).add(keycode, modifiers, id);
        Ok(id)
    }

    fn unregister(&mut self, id: HotkeyId) {
        let grab = lock(&self.grabs).remove(id);
        if let Some((keycode, modifiers)) = grab {
            self.ungrab(keycode, modifiers);
        }
    }
}

impl Drop for X11Hotkeys {
    fn drop(&mut self) {
        let event = ClientMessageEvent::new(32, self.wake, AtomEnum::INTEGER, [QUIT, 0, 0, 0, 0]);
        // An empty event mask sends the event to the window's creator: us.
        let sent = self
            .conn
            .send_event(false, self.wake, EventMask::NO_EVENT, event)
            .map(|cookie| cookie.ignore_error())
            .and_then(|()| self.conn.flush());
        if sent.is_ok()
            && let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::debug!("the hotkey thread panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn shortcut(text: &str) -> Shortcut {
        Shortcut::from_str(text).unwrap()
    }

    #[test]
    fn every_key_the_settings_accept_has_its_own_keysym() {
        let keys: Vec<Key> = Key::all().collect();
        let syms: std::collections::HashSet<u32> = keys.iter().map(|k| keysym_of(*k)).collect();
        assert_eq!(syms.len(), keys.len(), "two keys share a keysym");
        assert_eq!(keysym_of(Key::Letter(b'P')), key::p);
        assert_eq!(keysym_of(Key::Digit(2)), key::_2);
        assert_eq!(keysym_of(Key::Numpad(7)), key::KP_7);
        assert_eq!(keysym_of(Key::Function(24)), key::F24);
        assert_eq!(keysym_of(Key::Named(NamedKey::Quote)), key::apostrophe);
    }

    #[test]
    fn the_lock_and_shortcut_masks_are_the_x_modifier_bits() {
        let bits = |masks: &[ModMask]| masks.iter().fold(0, |all, m| all | m.bits());
        assert_eq!(
            LOCKS,
            [
                0,
                bits(&[ModMask::M2]),
                bits(&[ModMask::LOCK]),
                bits(&[ModMask::M2, ModMask::LOCK])
            ]
        );
        assert_eq!(
            SHORTCUT_MODIFIERS,
            bits(&[ModMask::CONTROL, ModMask::SHIFT, ModMask::M1, ModMask::M4])
        );
    }

    #[test]
    fn modifiers_are_ctrl_shift_mod1_and_mod4() {
        assert_eq!(
            modifier_mask(&shortcut("Ctrl+Alt+Shift+2")),
            ModMask::CONTROL | ModMask::SHIFT | ModMask::M1
        );
        assert_eq!(modifier_mask(&shortcut("Super+P")), ModMask::M4);
    }

    /// A US layout's corner: keycode 10 = `1 !`, 87 = `KP_End KP_1`, 38 = `a A`.
    fn us_keymap() -> Keymap {
        let mut keysyms = vec![0; 2 * 248];
        let mut set =
            |code: usize, syms: [u32; 2]| keysyms[(code - 8) * 2..(code - 8) * 2 + 2].copy_from_slice(&syms);
        set(10, [key::_1, key::exclam]);
        set(87, [key::KP_End, key::KP_1]);
        set(38, [key::a, key::A]);
        Keymap {
            min_keycode: 8,
            per_keycode: 2,
            keysyms,
        }
    }

    #[test]
    fn a_keysym_finds_its_key_and_a_plain_symbol_wins_over_a_shifted_one() {
        let keymap = us_keymap();
        assert_eq!(keymap.keycode_of(key::_1), Some(10));
        assert_eq!(keymap.keycode_of(key::KP_1), Some(87));
        assert_eq!(keymap.keycode_of(key::a), Some(38));
        assert_eq!(keymap.keycode_of(key::F24), None);
        assert_eq!(Keymap::default().keycode_of(key::a), None);
    }

    #[test]
    fn a_press_acts_once_whatever_the_locks_and_again_after_a_release() {
        let mut grabs = Grabs::default();
        let chord = ModMask::CONTROL | ModMask::SHIFT | ModMask::M1;
        grabs.add(11, chord, 7);
        let num_lock = u16::from(chord | ModMask::M2);
        assert_eq!(grabs.press(11, num_lock), Some(7));
        // Auto-repeat: more presses, no release.
        assert_eq!(grabs.press(11, num_lock), None);
        grabs.release(11);
        assert_eq!(grabs.press(11, u16::from(chord | ModMask::LOCK)), Some(7));
        grabs.release(11);
        // Another chord on the same key, or the same chord on another key, is not this shortcut.
        assert_eq!(grabs.press(11, u16::from(ModMask::CONTROL)), None);
        assert_eq!(grabs.press(12, u16::from(chord)), None);
        assert_eq!(grabs.remove(7), Some((11, chord)));
        assert_eq!(grabs.press(11, u16::from(chord)), None);
        assert_eq!(grabs.remove(7), None);
    }
}
