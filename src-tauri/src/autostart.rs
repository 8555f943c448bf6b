//! Launch at login: the operating system's login entry follows the `launch-at-login` setting. The setting is
//! the truth (the popup's settings page and the tray's "Launch at login" check item both save it through the
//! core); this module makes the entry agree with it when the main process starts and whenever the settings
//! change. The entry starts `<absolute path of this executable> --autostart`: the tray only, no popup (see
//! [`crate::args::TrayArgs::autostart`]); nothing depends on the working directory the system starts it in.
//!
//! `tauri-plugin-autostart` (through the `auto-launch` crate) writes the entry:
//!
//! | platform | entry |
//! |---|---|
//! | Linux | XDG autostart file `~/.config/autostart/Presently.desktop`, `Exec=/usr/bin/presently-app --autostart` (under `$HOME/.config` even when `XDG_CONFIG_HOME` points elsewhere; an AppImage's own path when run from one) |
//! | macOS | LaunchAgent `~/Library/LaunchAgents/Presently.plist`: `ProgramArguments` = the executable inside `Presently.app` and `--autostart`, `RunAtLoad` |
//! | Windows | value `Presently` = `C:\…\presently-app.exe --autostart` under `HKCU\Software\Microsoft\Windows\CurrentVersion\Run` (the plugin tries `HKLM` first, which only succeeds when the app runs elevated), and its `StartupApproved` flag that Task Manager's Startup tab toggles |
//!
//! The demo (`--demo`) keeps an entry of its own, `Presently demo` with `--autostart --demo`, so trying the
//! toggle in the demo never changes the real app's entry. An entry that already exists is left as it is (a
//! development build run once does not redirect the installed app's entry to itself). The plugin writes the
//! Linux `Exec=` line unquoted: an executable path with spaces would break it, so that case is logged.

use presently_core::listen::{self, Heard};
use presently_core::{AppEvent, Presently};
use tauri::{AppHandle, Manager, Runtime};

/// The switch the login entry passes.
pub const AUTOSTART_ARG: &str = "--autostart";

/// The name of the login entry (the file name on Linux and macOS, the value name on Windows).
pub fn entry_name(demo: bool) -> &'static str {
    if demo { "Presently demo" } else { "Presently" }
}

/// The arguments the login entry passes.
pub fn entry_args(demo: bool) -> Vec<&'static str> {
    if demo {
        vec![AUTOSTART_ARG, "--demo"]
    } else {
        vec![AUTOSTART_ARG]
    }
}

/// The plugin, for the main process's builder; it takes the executable's absolute path itself.
pub fn plugin<R: Runtime>(demo: bool) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new()
        .app_name(entry_name(demo))
        .args(entry_args(demo))
        .build()
}

/// The login entry, as seen from here (the plugin in the app, a fake in tests).
pub trait LoginEntry {
    /// Whether the entry exists.
    fn is_enabled(&self) -> Result<bool, String>;
    /// Creates the entry.
    fn enable(&self) -> Result<(), String>;
    /// Removes the entry (nothing to do when there is none).
    fn disable(&self) -> Result<(), String>;
}

/// What [`reconcile`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The entry already agreed with the setting.
    Kept,
    /// The entry was created.
    Enabled,
    /// The entry was removed.
    Disabled,
}

/// Why the entry could not be brought in line with the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutostartError {
    /// Creating the entry failed.
    #[error("cannot create the login entry: {0}")]
    Enable(String),
    /// Removing the entry failed.
    #[error("cannot remove the login entry: {0}")]
    Disable(String),
}

/// Makes `entry` agree with `wanted` (the `launch-at-login` setting). When the entry cannot be read, it is
/// written as the setting says anyway (creating and removing are both safe to repeat).
pub fn reconcile(entry: &dyn LoginEntry, wanted: bool) -> Result<Step, AutostartError> {
    let present = match entry.is_enabled() {
        Ok(present) => Some(present),
        Err(e) => {
            tracing::warn!(error = %e, "cannot tell whether the login entry exists; writing it as the setting says");
            None
        }
    };
    match (wanted, present) {
        (true, Some(true)) | (false, Some(false)) => Ok(Step::Kept),
        (true, _) => entry
            .enable()
            .map(|()| Step::Enabled)
            .map_err(AutostartError::Enable),
        (false, _) => entry
            .disable()
            .map(|()| Step::Disabled)
            .map_err(AutostartError::Disable),
    }
}

/// The plugin's entry for the app `app`.
struct PluginEntry<'a, R: Runtime>(&'a AppHandle<R>);

impl<R: Runtime> LoginEntry for PluginEntry<'_, R> {
    fn is_enabled(&self) -> Result<bool, String> {
        use tauri_plugin_autostart::ManagerExt;
        self.0.autolaunch().is_enabled().map_err(|e| e.to_string())
    }

    fn enable(&self) -> Result<(), String> {
        use tauri_plugin_autostart::ManagerExt;
        self.0.autolaunch().enable().map_err(|e| e.to_string())
    }

    fn disable(&self) -> Result<(), String> {
        use tauri_plugin_autostart::ManagerExt;
        self.0.autolaunch().disable().map_err(|e| e.to_string())
    }
}

/// Brings the entry in line with the setting now (logging what changed) and returns what was done.
pub fn sync<R: Runtime>(app: &AppHandle<R>, wanted: bool) -> Result<Step, AutostartError> {
    if app
        .try_state::<tauri_plugin_autostart::AutoLaunchManager>()
        .is_none()
    {
        return Err(AutostartError::Enable(
            "the autostart plugin is not installed".into(),
        ));
    }
    let step = reconcile(&PluginEntry(app), wanted)?;
    match step {
        Step::Kept => tracing::debug!(
            launch_at_login = wanted,
            "login entry already as the setting says"
        ),
        Step::Enabled => {
            if let Ok(exe) = std::env::current_exe()
                && exe.to_string_lossy().contains(char::is_whitespace)
            {
                tracing::warn!(exe = %exe.display(), "the login entry's command has a space in its path: some desktops will not start it");
            }
            tracing::info!("launch at login: entry created");
        }
        Step::Disabled => tracing::info!("launch at login: entry removed"),
    }
    Ok(step)
}

/// Keeps the login entry in step with the setting: once now, then after every settings change (the popup's
/// settings page, the tray's check item, `presently config set launch-at-login`, all announced by the core).
pub fn install<R: Runtime>(app: &AppHandle<R>, presently: Presently) {
    let app = app.clone();
    let mut events = presently.events();
    tauri::async_runtime::spawn(async move {
        let mut applied: Option<bool> = None;
        loop {
            let wanted = presently.settings().launch_at_login.value;
            if applied != Some(wanted) {
                let app = app.clone();
                let result = tauri::async_runtime::spawn_blocking(move || sync(&app, wanted)).await;
                use presently_core::diagnostics::LoginEntry;
                let entry = match result {
                    Ok(Ok(_)) => {
                        applied = Some(wanted);
                        if wanted {
                            LoginEntry::Present
                        } else {
                            LoginEntry::Absent
                        }
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "launch at login");
                        LoginEntry::Failed {
                            reason: e.to_string(),
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "launch at login: the task failed");
                        LoginEntry::Failed {
                            reason: e.to_string(),
                        }
                    }
                };
                presently.self_reports().set_login_entry(entry);
            }
            // Until the settings change (or a missed event might have said so).
            loop {
                match listen::hear(&mut events).await {
                    Some(Heard::Event(AppEvent::SettingsChanged) | Heard::Missed) => break,
                    Some(Heard::Event(_)) => {}
                    None => return,
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// A login entry in memory that records what was done to it and can be made to fail.
    #[derive(Default)]
    struct FakeEntry {
        present: RefCell<bool>,
        unreadable: bool,
        refuse: bool,
        calls: RefCell<Vec<&'static str>>,
    }

    impl LoginEntry for FakeEntry {
        fn is_enabled(&self) -> Result<bool, String> {
            self.calls.borrow_mut().push("check");
            if self.unreadable {
                return Err("no home folder".into());
            }
            Ok(*self.present.borrow())
        }
        fn enable(&self) -> Result<(), String> {
            self.calls.borrow_mut().push("enable");
            if self.refuse {
                return Err("permission denied".into());
            }
            *self.present.borrow_mut() = true;
            Ok(())
        }
        fn disable(&self) -> Result<(), String> {
            self.calls.borrow_mut().push("disable");
            if self.refuse {
                return Err("permission denied".into());
            }
            *self.present.borrow_mut() = false;
            Ok(())
        }
    }

    #[test]
    fn the_entry_is_created_when_the_setting_is_on_and_removed_when_it_is_off() {
        let entry = FakeEntry::default();
        assert_eq!(reconcile(&entry, true), Ok(Step::Enabled));
        assert!(*entry.present.borrow());
        assert_eq!(reconcile(&entry, true), Ok(Step::Kept));
        assert_eq!(reconcile(&entry, false), Ok(Step::Disabled));
        assert!(!*entry.present.borrow());
        assert_eq!(reconcile(&entry, false), Ok(Step::Kept));
        assert_eq!(
            *entry.calls.borrow(),
            ["check", "enable", "check", "check", "disable", "check"]
        );
    }

    #[test]
    fn an_unreadable_entry_is_written_as_the_setting_says() {
        let entry = FakeEntry {
            unreadable: true,
            ..Default::default()
        };
        assert_eq!(reconcile(&entry, false), Ok(Step::Disabled));
        assert_eq!(reconcile(&entry, true), Ok(Step::Enabled));
    }

    #[test]
    fn a_refused_write_is_an_error_that_says_which_way() {
        let entry = FakeEntry {
            refuse: true,
            ..Default::default()
        };
        let error = reconcile(&entry, true).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot create the login entry: permission denied"
        );
        *entry.present.borrow_mut() = true;
        assert!(matches!(
            reconcile(&entry, false),
            Err(AutostartError::Disable(_))
        ));
    }

    #[test]
    fn the_entry_starts_the_tray_only_and_the_demo_has_its_own() {
        assert_eq!(entry_name(false), "Presently");
        assert_eq!(entry_args(false), ["--autostart"]);
        assert_eq!(entry_name(true), "Presently demo");
        assert_eq!(entry_args(true), ["--autostart", "--demo"]);
        // What the entry passes is what the command line reads as the login start.
        let args = entry_args(true).into_iter().map(String::from);
        let Ok(crate::args::Mode::Tray(tray)) = crate::args::parse(args, &|_| None) else {
            panic!("the entry's arguments are not the tray's")
        };
        assert!(tray.autostart && tray.demo && !tray.show_popup_on_start);
    }

    /// The plugin's real entry on Linux, in a throw-away home: this test runs itself again as a child process
    /// with `HOME` and `XDG_CONFIG_HOME` pointing at a temporary folder (the environment of this process is not
    /// changed), and the child turns the entry on and off through the plugin inside a mock Tauri app.
    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_the_entry_is_an_xdg_autostart_file_with_the_absolute_command_and_goes_away_when_turned_off() {
        let home = tempfile::tempdir().unwrap();
        let file = home.path().join(".config/autostart/Presently.desktop");
        let run_child = |wanted: &str| {
            let output = std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "autostart::tests::child_turns_the_login_entry_on_or_off",
                    "--nocapture",
                ])
                .env("HOME", home.path())
                .env("XDG_CONFIG_HOME", home.path().join(".config"))
                .env(CHILD_WANTS, wanted)
                .current_dir("/")
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&output.stdout).to_string()
                + &String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{text}");
            assert!(text.contains("1 passed"), "the child did not run: {text}");
            text
        };

        let said = run_child("on");
        assert!(said.contains("step=Enabled"), "{said}");
        let entry = std::fs::read_to_string(&file).unwrap();
        let exe = std::env::current_exe().unwrap();
        assert!(exe.is_absolute());
        assert!(
            entry
                .lines()
                .any(|l| l == format!("Exec={} --autostart", exe.display())),
            "{entry}"
        );
        assert!(
            entry.contains("Type=Application") && entry.contains("Name=Presently"),
            "{entry}"
        );

        assert!(run_child("on").contains("step=Kept"));
        assert!(run_child("off").contains("step=Disabled"));
        assert!(!file.exists(), "the entry is still there");
        assert!(run_child("off").contains("step=Kept"));
    }

    #[cfg(target_os = "linux")]
    const CHILD_WANTS: &str = "PRESENTLY_TEST_AUTOSTART_CHILD";

    /// The child half of the test above; it does nothing unless that test started it.
    #[cfg(target_os = "linux")]
    #[test]
    fn child_turns_the_login_entry_on_or_off() {
        let Ok(wanted) = std::env::var(CHILD_WANTS) else {
            return;
        };
        let app = tauri::test::mock_builder()
            .plugin(plugin(false))
            .build(tauri::test::mock_context(tauri::test::noop_assets()))
            .unwrap();
        let step = sync(app.handle(), wanted == "on").unwrap();
        println!("step={step:?}");
    }
}
