//! The virtual desktop, seen and driven through the X protocol (x11rb): the signal that a tray icon docked, the
//! popup window and whether it shows anything yet, and input as a person makes it (XTest).
//!
//! - **Docked**: tint2's system tray embeds each icon (XEmbed) by reparenting the icon's window into a small
//!   window of its own, a child of the panel window. An icon is docked when a grandchild of the panel window
//!   (the icon; tint2's own windows have no `WM_CLASS`) is *viewable*, i.e. it and every ancestor are mapped,
//!   so the panel shows it. Both apps dock the same way (Tauri's tray on Linux falls back to a GtkStatusIcon
//!   when no StatusNotifier host runs), so the same signal times both. Polled every 2 ms.
//! - **First paint**: the popup's window is mapped before WebKit has drawn anything into it; the window
//!   shows content once its pixels are no longer one plain colour (the window background, or the desktop
//!   behind an unpainted window). The pixels are read with `GetImage` whenever the X server reports the window
//!   drawn into (a `DAMAGE` object on it); Xvfb has no compositor, so they are what is on the screen.
//! - **Input**: XTest's fake key and button events enter the X server as a real keyboard's and mouse's would,
//!   so they reach global key grabs and WebKit exactly as a person's do.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use rustix::event::{PollFd, PollFlags, Timespec};
use x11rb::NONE;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    AtomEnum, BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, ChangeWindowAttributesAux, ConnectionExt as _,
    EventMask, ImageFormat, KEY_PRESS_EVENT, KEY_RELEASE_EVENT, MOTION_NOTIFY_EVENT, MapState, Window,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

/// How long [`Desktop::wait_painted`] waits for an event before it looks and reads anyway.
const RECHECK: Duration = Duration::from_millis(100);

/// A connection to the desktop's X server (`DISPLAY`).
pub struct Desktop {
    conn: RustConnection,
    root: Window,
}

/// A window's rectangle on the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left edge, root coordinates.
    pub x: i32,
    /// Top edge, root coordinates.
    pub y: i32,
    /// Width.
    pub width: u16,
    /// Height.
    pub height: u16,
}

impl Desktop {
    /// Connects to `DISPLAY`; fails with a hint when there is no virtual desktop.
    pub fn connect() -> anyhow::Result<Self> {
        let (conn, screen) = x11rb::connect(None).context(
            "no X display: run the benchmarks on the virtual desktop (scripts/bench.sh, or \
             scripts/gui-session.sh target/release/presently-bench ...)",
        )?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or_else(|| anyhow!("no X screen"))?;
        Ok(Self { conn, root })
    }

    fn children(&self, window: Window) -> anyhow::Result<Vec<Window>> {
        Ok(self.conn.query_tree(window)?.reply()?.children)
    }

    fn class(&self, window: Window) -> anyhow::Result<String> {
        let reply = self
            .conn
            .get_property(false, window, AtomEnum::WM_CLASS, AtomEnum::STRING, 0, 256)?
            .reply()?;
        Ok(String::from_utf8_lossy(&reply.value)
            .replace('\0', " ")
            .trim()
            .to_string())
    }

    fn name(&self, window: Window) -> anyhow::Result<String> {
        let reply = self
            .conn
            .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 256)?
            .reply()?;
        Ok(String::from_utf8_lossy(&reply.value).to_string())
    }

    fn viewable(&self, window: Window) -> bool {
        self.conn
            .get_window_attributes(window)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == MapState::VIEWABLE)
    }

    /// Every window below `from`, depth first.
    fn all_below(&self, from: Window) -> Vec<Window> {
        let mut out = Vec::new();
        let mut stack = vec![from];
        while let Some(window) = stack.pop() {
            for child in self.children(window).unwrap_or_default() {
                out.push(child);
                stack.push(child);
            }
        }
        out
    }

    /// tint2's panel window (the one whose `WM_CLASS` is tint2's).
    pub fn panel(&self) -> anyhow::Result<Window> {
        self.all_below(self.root)
            .into_iter()
            .find(|w| self.class(*w).is_ok_and(|c| c.starts_with("tint2")))
            .ok_or_else(|| anyhow!("no tint2 panel on this desktop (is tint2 running after openbox?)"))
    }

    /// The tray icons docked in the panel now: viewable grandchildren of the panel window.
    pub fn docked_icons(&self, panel: Window) -> Vec<Window> {
        let mut icons = Vec::new();
        for embedder in self.children(panel).unwrap_or_default() {
            for icon in self.children(embedder).unwrap_or_default() {
                if self.viewable(icon) && self.class(icon).is_ok_and(|c| !c.is_empty()) {
                    icons.push(icon);
                }
            }
        }
        icons
    }

    /// Waits until an icon other than `before` is docked; returns when it was first seen.
    pub fn wait_docked(
        &self,
        panel: Window,
        before: &[Window],
        timeout: Duration,
    ) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.docked_icons(panel).iter().any(|w| !before.contains(w)) {
                return Ok(Instant::now());
            }
            if Instant::now() > deadline {
                return Err(anyhow!("no tray icon docked within {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits until no icon but those of `keep` is docked (the app quit), so the next run starts clean.
    pub fn wait_undocked(&self, panel: Window, keep: &[Window], timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline && self.docked_icons(panel).iter().any(|w| !keep.contains(w)) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The viewable client window titled `title` (one with a `WM_CLASS`, not a window manager's frame), if any.
    pub fn find_window(&self, title: &str) -> Option<Window> {
        self.all_below(self.root).into_iter().find(|w| {
            self.name(*w).is_ok_and(|n| n == title)
                && self.class(*w).is_ok_and(|c| !c.is_empty())
                && self.viewable(*w)
        })
    }

    /// Where `window` is on the screen.
    pub fn rect(&self, window: Window) -> anyhow::Result<Rect> {
        let geometry = self.conn.get_geometry(window)?.reply()?;
        let at = self
            .conn
            .translate_coordinates(window, self.root, 0, 0)?
            .reply()?;
        Ok(Rect {
            x: i32::from(at.dst_x),
            y: i32::from(at.dst_y),
            width: geometry.width,
            height: geometry.height,
        })
    }

    /// Whether `window` shows content: its pixels are not all one colour. `None` when it cannot be read
    /// (not viewable).
    pub fn shows_content(&self, window: Window) -> Option<bool> {
        if !self.viewable(window) {
            return None;
        }
        let geometry = self.conn.get_geometry(window).ok()?.reply().ok()?;
        let image = self
            .conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                window,
                0,
                0,
                geometry.width,
                geometry.height,
                !0,
            )
            .ok()?
            .reply()
            .ok()?;
        let bytes_per_pixel =
            (image.data.len() / (usize::from(geometry.width) * usize::from(geometry.height)).max(1)).max(1);
        let first = image.data.get(..bytes_per_pixel)?;
        Some(
            image
                .data
                .chunks_exact(bytes_per_pixel)
                .any(|pixel| pixel.get(..3) != first.get(..3)),
        )
    }

    /// Waits until a window titled `title` is viewable and shows content; returns when.
    ///
    /// Woken by the X server, not by a timer: the root window's structure and property events say that a
    /// window was mapped or managed (look for it again), and a `DAMAGE` object on the found window says that
    /// something was drawn into it (read its pixels again). The probe before this one walked the window tree and
    /// read the whole window every 3 ms: during a cold open it used nearly as much CPU as the popup's process
    /// (`perf record -a`, about 180 against 200 ms per open), on a machine with two cores. This one reads when
    /// there is news; over a footprint run the probe's CPU fell from 1.45 to 0.62 s and the X server's from 1.05
    /// to 0.65 s, and the cold figure stayed where it was (medians 434 and 447 ms over 28 opens each, 2026-12-04,
    /// within the spread between runs). A tick of [`RECHECK`] stands in for an event that never comes, so a
    /// missed one costs time, not a hang.
    pub fn wait_painted(&self, title: &str, timeout: Duration) -> anyhow::Result<Instant> {
        self.conn.damage_query_version(1, 1)?.reply()?;
        self.select(
            self.root,
            EventMask::SUBSTRUCTURE_NOTIFY | EventMask::PROPERTY_CHANGE,
        )?;
        // Events from before this wait say nothing about the window now; the first look below does.
        while self.conn.poll_for_event()?.is_some() {}
        // The window found and the damage object that says when something was drawn into it.
        let mut shown = None;
        let result = self.watch_paint(title, Instant::now() + timeout, &mut shown);
        if let Some((window, damage)) = shown {
            let _ = self.conn.damage_destroy(damage);
            let _ = self.select(window, EventMask::NO_EVENT);
        }
        let _ = self.select(self.root, EventMask::NO_EVENT);
        self.conn.flush()?;
        result.map_err(|e| {
            e.context(format!(
                "the window \"{title}\" showed nothing within {timeout:?}"
            ))
        })
    }

    fn watch_paint(
        &self,
        title: &str,
        deadline: Instant,
        shown: &mut Option<(Window, damage::Damage)>,
    ) -> anyhow::Result<Instant> {
        let (mut look, mut read) = (true, false);
        loop {
            if look
                && shown.is_none()
                && let Some(window) = self.find_window(title)
            {
                self.select(window, EventMask::STRUCTURE_NOTIFY)?;
                let damage = self.conn.generate_id()?;
                self.conn
                    .damage_create(damage, window, damage::ReportLevel::NON_EMPTY)?;
                *shown = Some((window, damage));
                read = true;
            }
            if let Some((window, damage)) = shown.filter(|_| read) {
                // Empty the damage before reading, so that whatever is drawn after the read reports again.
                self.conn.damage_subtract(damage, NONE, NONE)?;
                match self.shows_content(window) {
                    Some(true) => return Ok(Instant::now()),
                    Some(false) => {}
                    None => self.forget(shown),
                }
            }
            (look, read) = (false, false);
            let now = Instant::now();
            if now > deadline {
                return Err(anyhow!("timed out"));
            }
            let news = self.next_events(RECHECK.min(deadline - now))?;
            if news.is_empty() {
                (look, read) = (true, true);
            }
            for event in news {
                match event {
                    Event::DamageNotify(_) => read = true,
                    Event::UnmapNotify(e) if shown.is_some_and(|(window, _)| window == e.window) => {
                        self.forget(shown);
                        look = true;
                    }
                    _ => look = true,
                }
            }
        }
    }

    /// Drops the watched window (no longer viewable) and its damage object.
    fn forget(&self, shown: &mut Option<(Window, damage::Damage)>) {
        if let Some((_, damage)) = shown.take() {
            let _ = self.conn.damage_destroy(damage);
        }
    }

    /// The events that arrive within `wait` (all that are queued when some are; none after `wait`).
    fn next_events(&self, wait: Duration) -> anyhow::Result<Vec<Event>> {
        self.conn.flush()?;
        let mut events = Vec::new();
        while let Some(event) = self.conn.poll_for_event()? {
            events.push(event);
        }
        if events.is_empty() {
            let timeout = Timespec::try_from(wait)?;
            let mut fds = [PollFd::new(self.conn.stream(), PollFlags::IN)];
            rustix::event::poll(&mut fds, Some(&timeout))?;
            while let Some(event) = self.conn.poll_for_event()? {
                events.push(event);
            }
        }
        Ok(events)
    }

    fn select(&self, window: Window, events: EventMask) -> anyhow::Result<()> {
        self.conn
            .change_window_attributes(window, &ChangeWindowAttributesAux::new().event_mask(events))?;
        Ok(())
    }

    /// Waits until no window titled `title` is viewable.
    pub fn wait_hidden(&self, title: &str, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        while self.find_window(title).is_some() {
            if Instant::now() > deadline {
                return Err(anyhow!("the window \"{title}\" is still shown after {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    /// The keycode of `keysym` on this server's keyboard map.
    pub fn keycode(&self, keysym: u32) -> anyhow::Result<u8> {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self.conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
        let per = usize::from(map.keysyms_per_keycode.max(1));
        map.keysyms
            .chunks(per)
            .position(|syms| syms.contains(&keysym))
            .and_then(|i| u8::try_from(usize::from(min) + i).ok())
            .ok_or_else(|| anyhow!("no key for keysym {keysym:#x}"))
    }

    /// Waits until the server has handled every request sent so far.
    fn sync(&self) -> anyhow::Result<()> {
        self.conn.get_input_focus()?.reply()?;
        Ok(())
    }

    /// Presses `keys` in order and releases them in reverse: a chord like Ctrl+Alt+1. Returns the moment the
    /// last key went down (the chord is complete: what a global hotkey reacts to).
    pub fn chord(&self, keycodes: &[u8]) -> anyhow::Result<Instant> {
        let (last, modifiers) = keycodes.split_last().ok_or_else(|| anyhow!("no key"))?;
        for key in modifiers {
            self.conn
                .xtest_fake_input(KEY_PRESS_EVENT, *key, 0, self.root, 0, 0, 0)?;
        }
        self.sync()?;
        let at = Instant::now();
        self.conn
            .xtest_fake_input(KEY_PRESS_EVENT, *last, 0, self.root, 0, 0, 0)?;
        self.conn.flush()?;
        for key in keycodes.iter().rev() {
            self.conn
                .xtest_fake_input(KEY_RELEASE_EVENT, *key, 0, self.root, 0, 0, 0)?;
        }
        self.sync()?;
        Ok(at)
    }

    /// Moves the pointer to (x, y) and clicks the left button. Returns the moment the button came up (a click
    /// is complete, and the page's `click` fires, on release).
    pub fn click(&self, x: i32, y: i32) -> anyhow::Result<Instant> {
        let (x, y) = (i16::try_from(x)?, i16::try_from(y)?);
        self.conn
            .xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, self.root, x, y, 0)?;
        self.conn
            .xtest_fake_input(BUTTON_PRESS_EVENT, 1, 0, self.root, 0, 0, 0)?;
        self.sync()?;
        std::thread::sleep(Duration::from_millis(30));
        let at = Instant::now();
        self.conn
            .xtest_fake_input(BUTTON_RELEASE_EVENT, 1, 0, self.root, 0, 0, 0)?;
        self.sync()?;
        Ok(at)
    }

    /// Presses and releases one key (e.g. Escape to close the popup).
    pub fn tap(&self, keysym: u32) -> anyhow::Result<()> {
        let key = self.keycode(keysym)?;
        self.conn
            .xtest_fake_input(KEY_PRESS_EVENT, key, 0, self.root, 0, 0, 0)?;
        self.conn
            .xtest_fake_input(KEY_RELEASE_EVENT, key, 0, self.root, 0, 0, 0)?;
        self.sync()
    }
}

/// X keysyms the benchmarks type.
pub mod keysym {
    /// Escape.
    pub const ESCAPE: u32 = 0xff1b;
    /// Left Control.
    pub const CONTROL_L: u32 = 0xffe3;
    /// Left Shift.
    pub const SHIFT_L: u32 = 0xffe1;
    /// Left Alt.
    pub const ALT_L: u32 = 0xffe9;

    /// The keysym of a plain character key (`'1'`, `'b'`): Latin-1 keysyms equal the character.
    pub fn of_char(c: char) -> Option<u32> {
        let code = u32::from(c.to_ascii_lowercase());
        (0x20..0x7f).contains(&code).then_some(code)
    }
}
