//! Tray clicks on Windows that the `tray-icon` crate drops.
//!
//! `tray-icon` (under Tauri's tray) asks the shell for the icon's rectangle (`Shell_NotifyIconGetRect`) on every
//! mouse message of its icon, and when the call fails it returns without an event and without showing the menu:
//! the click is lost. Wine 8 implements the call as a stub that always fails, and real Windows 11 has been seen
//! to fail it too. [`subclass`] puts a window subclass (comctl32's `SetWindowSubclass`) on `tray-icon`'s hidden
//! window: for a button-up message of the icon whose rectangle the shell cannot give, it does what `tray-icon`
//! would have done, placed at the cursor ([`ClickFallback`]); every other message, and every click the shell can
//! place, goes on to `tray-icon` untouched.
//!
//! This relies on one private detail of `tray-icon`: the number of the message its icon posts to its window
//! ([`TRAY_ICON_CALLBACK_MESSAGE`], `WM_USER_TRAYICON` in its `src/platform_impl/windows/mod.rs`). The tests pin
//! it to the `tray-icon` version in Cargo.lock ([`TRAY_ICON_VERSION`]), so an upgrade fails them until someone has
//! read the new source again.
//!
//! Empty on other platforms but for those two constants.

#[cfg(windows)]
mod windows;

#[cfg(windows)]
pub use windows::{ClickFallback, SubclassRefused, subclass};

/// The message `tray-icon` registers as its icon's callback (`uCallbackMessage` of `Shell_NotifyIconW`): wParam is
/// the icon's id, the low word of lParam the mouse message. Private to `tray-icon` (`WM_USER_TRAYICON` in
/// `src/platform_impl/windows/mod.rs`), read from version [`TRAY_ICON_VERSION`].
pub const TRAY_ICON_CALLBACK_MESSAGE: u32 = 6002;

/// The `tray-icon` version whose source [`TRAY_ICON_CALLBACK_MESSAGE`] was read from.
pub const TRAY_ICON_VERSION: &str = "0.25.1";

/// A point on the screen, in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version of `package` in a Cargo.lock.
    fn locked_version<'a>(lock: &'a str, package: &str) -> Vec<&'a str> {
        let name = format!("name = \"{package}\"");
        let mut lines = lock.lines();
        let mut found = vec![];
        while let Some(line) = lines.next() {
            if line == name
                && let Some(version) = lines
                    .next()
                    .and_then(|l| l.strip_prefix("version = \""))
                    .and_then(|v| v.strip_suffix('"'))
            {
                found.push(version);
            }
        }
        found
    }

    #[test]
    fn the_callback_message_was_read_from_the_locked_tray_icon() {
        let lock = include_str!("../../../Cargo.lock");
        assert_eq!(
            locked_version(lock, "tray-icon"),
            [TRAY_ICON_VERSION],
            "tray-icon changed in Cargo.lock: read WM_USER_TRAYICON (and what tray_proc does when \
             Shell_NotifyIconGetRect fails) in its src/platform_impl/windows/mod.rs again, then update \
             TRAY_ICON_CALLBACK_MESSAGE and TRAY_ICON_VERSION in crates/wintray/src/lib.rs"
        );
    }

    #[test]
    fn the_lock_reader_finds_a_package_and_only_it() {
        let lock = "[[package]]\nname = \"tray-icon\"\nversion = \"9.8.7\"\n\n[[package]]\nname = \
                    \"tray-icon-extra\"\nversion = \"1.0.0\"\n";
        assert_eq!(locked_version(lock, "tray-icon"), ["9.8.7"]);
        assert_eq!(locked_version(lock, "muda"), Vec::<&str>::new());
    }

    /// Where cargo unpacked the locked `tray-icon`, if it did here.
    fn tray_icon_source() -> Option<std::path::PathBuf> {
        let home = std::env::var_os("CARGO_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))?;
        std::fs::read_dir(home.join("registry/src"))
            .ok()?
            .filter_map(Result::ok)
            .map(|index| {
                index.path().join(format!(
                    "tray-icon-{TRAY_ICON_VERSION}/src/platform_impl/windows/mod.rs"
                ))
            })
            .find(|file| file.is_file())
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "reads cargo's registry on the build machine; under Wine the Linux paths of CARGO_HOME do not apply"
    )]
    fn the_locked_tray_icon_posts_the_callback_message_and_drops_clicks_it_cannot_place() {
        let file = tray_icon_source().unwrap_or_else(|| {
            panic!("tray-icon {TRAY_ICON_VERSION}'s source is not in cargo's registry: run `cargo fetch --locked`")
        });
        let source = std::fs::read_to_string(&file).unwrap();
        let declared = format!("const WM_USER_TRAYICON: u32 = {TRAY_ICON_CALLBACK_MESSAGE};");
        assert!(source.contains(&declared), "{}: no `{declared}`", file.display());
        assert!(
            source.contains("uCallbackMessage: WM_USER_TRAYICON"),
            "{}: the icon no longer posts WM_USER_TRAYICON",
            file.display()
        );
        // What the subclass makes up for: the rectangle asked for on every click, the click dropped without it.
        assert!(
            source.contains("Shell_NotifyIconGetRect")
                && source
                    .contains("let rect = match get_tray_rect(userdata.internal_id, userdata.guid, hwnd) {")
                && source.contains("None => return 0,"),
            "{}: tray_proc no longer drops a click whose rectangle is unknown; the subclass may be needless",
            file.display()
        );
    }
}
