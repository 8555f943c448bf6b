//! Whether the desktop has a tray host to show Presently's icon. On Linux a tray icon is shown by a
//! StatusNotifierItem watcher (the D-Bus name `org.kde.StatusNotifierWatcher` on the session bus: KDE, GNOME's
//! AppIndicator extension, most panels) or, through the indicator library's fallback, by an XEmbed tray manager
//! (an owner of the X selection `_NET_SYSTEM_TRAY_S<screen>`: tint2, stalonetray, older panels). Stock GNOME has
//! neither, and a tray-only app then looks as if it never started. Windows and macOS always have one (the
//! taskbar's notification area, the menu bar).
//!
//! [`decide`] is the pure decision; [`detect`] asks the desktop (Linux) and decides. The tray app opens its
//! popup as a normal window when there is no host (`src-tauri/src/main_process.rs`), and `presently doctor`
//! prints what was found with [`TrayHost::fix`].

use serde::{Deserialize, Serialize};

/// What shows tray icons on this desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TrayHost {
    /// A StatusNotifierItem watcher is on the session bus.
    StatusNotifierWatcher,
    /// An XEmbed tray manager owns the screen's system tray selection.
    XEmbedManager,
    /// The platform always has one (Windows' notification area, macOS' menu bar).
    Platform,
    /// Nothing: a tray icon would not be seen.
    None,
}

/// What one question to the desktop answered: there is a host, there is none, or the question could not be
/// asked (no session bus, no X display), with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Found,
    Absent,
    Unreachable(String),
}

/// The host for what the two questions answered. A watcher wins over an XEmbed manager (the indicator library
/// uses the watcher when there is one); a question that could not be asked counts as no host there.
pub fn decide(watcher: &Probe, xembed: &Probe) -> TrayHost {
    match (watcher, xembed) {
        (Probe::Found, _) => TrayHost::StatusNotifierWatcher,
        (_, Probe::Found) => TrayHost::XEmbedManager,
        _ => TrayHost::None,
    }
}

impl TrayHost {
    /// Whether a tray icon can be seen.
    pub fn found(self) -> bool {
        self != TrayHost::None
    }

    /// What was found, in a few words (`presently doctor`, the diagnostics report).
    pub fn describe(self) -> &'static str {
        match self {
            TrayHost::StatusNotifierWatcher => "StatusNotifierItem watcher",
            TrayHost::XEmbedManager => "XEmbed tray manager",
            TrayHost::Platform => "the system's notification area",
            TrayHost::None => "none",
        }
    }

    /// How to get tray icons, when there is no host: one sentence for the desktop named by
    /// `XDG_CURRENT_DESKTOP` (a colon-separated list such as `ubuntu:GNOME`). `None` when there is a host.
    pub fn fix(self, current_desktop: Option<&str>) -> Option<&'static str> {
        if self.found() {
            return None;
        }
        let desktops = current_desktop.unwrap_or_default();
        let is = |name: &str| desktops.split(':').any(|d| d.eq_ignore_ascii_case(name));
        Some(if is("GNOME") || is("ubuntu") {
            "GNOME shows tray icons with the AppIndicator extension: install gnome-shell-extension-appindicator \
             and turn it on in Extensions, then start Presently again."
        } else {
            "Add a system tray (StatusNotifierItem or XEmbed) to your panel to see Presently's icon, then start \
             Presently again."
        })
    }
}

/// The D-Bus name a StatusNotifierItem watcher owns.
pub const WATCHER_NAME: &str = "org.kde.StatusNotifierWatcher";

/// Asks this desktop which tray host it has. On Linux: the session bus, then the X display of `DISPLAY`; each
/// question takes a few milliseconds. Elsewhere: [`TrayHost::Platform`].
pub fn detect() -> TrayHost {
    #[cfg(target_os = "linux")]
    {
        let watcher = linux::watcher();
        let xembed = linux::xembed();
        tracing::info!(?watcher, ?xembed, "tray host");
        decide(&watcher, &xembed)
    }
    #[cfg(not(target_os = "linux"))]
    {
        TrayHost::Platform
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{Probe, WATCHER_NAME};

    /// Whether the watcher's name has an owner on the session bus.
    pub fn watcher() -> Probe {
        let asked = (|| -> zbus::Result<bool> {
            let connection = zbus::blocking::Connection::session()?;
            let bus = zbus::blocking::fdo::DBusProxy::new(&connection)?;
            let name = zbus::names::BusName::try_from(WATCHER_NAME)?;
            Ok(bus.name_has_owner(name)?)
        })();
        match asked {
            Ok(true) => Probe::Found,
            Ok(false) => Probe::Absent,
            Err(e) => Probe::Unreachable(format!("session bus: {e}")),
        }
    }

    /// Whether the default screen's system tray selection has an owner on the X display.
    pub fn xembed() -> Probe {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::ConnectionExt as _;
        if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
            return Probe::Unreachable("no X display (DISPLAY is not set)".into());
        }
        let asked = (|| -> Result<bool, Box<dyn std::error::Error>> {
            let (connection, screen) = x11rb::rust_connection::RustConnection::connect(None)?;
            let selection = format!("_NET_SYSTEM_TRAY_S{screen}");
            let atom = connection.intern_atom(false, selection.as_bytes())?.reply()?.atom;
            let owner = connection.get_selection_owner(atom)?.reply()?.owner;
            connection.flush()?;
            Ok(owner != x11rb::NONE)
        })();
        match asked {
            Ok(true) => Probe::Found,
            Ok(false) => Probe::Absent,
            Err(e) => Probe::Unreachable(format!("X display: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watcher_or_an_xembed_manager_is_a_host_and_neither_is_none() {
        let unreachable = || Probe::Unreachable("no session bus".into());
        assert_eq!(
            decide(&Probe::Found, &Probe::Found),
            TrayHost::StatusNotifierWatcher
        );
        assert_eq!(
            decide(&Probe::Found, &unreachable()),
            TrayHost::StatusNotifierWatcher
        );
        assert_eq!(decide(&Probe::Absent, &Probe::Found), TrayHost::XEmbedManager);
        assert_eq!(decide(&unreachable(), &Probe::Found), TrayHost::XEmbedManager);
        assert_eq!(decide(&Probe::Absent, &Probe::Absent), TrayHost::None);
        assert_eq!(decide(&unreachable(), &Probe::Absent), TrayHost::None);
        assert_eq!(decide(&unreachable(), &unreachable()), TrayHost::None);
    }

    #[test]
    fn only_a_missing_host_has_a_fix_and_gnome_gets_its_extension_named() {
        for host in [
            TrayHost::StatusNotifierWatcher,
            TrayHost::XEmbedManager,
            TrayHost::Platform,
        ] {
            assert!(host.found());
            assert_eq!(host.fix(Some("GNOME")), None, "{host:?}");
        }
        assert!(!TrayHost::None.found());
        let gnome = TrayHost::None.fix(Some("ubuntu:GNOME")).unwrap_or_default();
        assert!(gnome.contains("AppIndicator extension"), "{gnome}");
        let other = TrayHost::None.fix(Some("openbox")).unwrap_or_default();
        assert!(other.contains("Add a system tray"), "{other}");
        assert_eq!(TrayHost::None.fix(None), Some(other));
        for text in [gnome, other] {
            assert!(crate::wording::flaws(text, &[]).is_empty(), "{text}");
        }
    }
}
