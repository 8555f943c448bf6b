//! Global hotkeys in the app: what needs Tauri around `presently_hotkeys` (crates/hotkeys): the backend is started
//! and re-registered on the main thread through `run_on_main_thread`, and again whenever the settings change
//! ([`AppEvent::SettingsChanged`]).

use std::sync::Arc;

use presently_core::config::hotkeys::{HotkeyReport, HotkeySupport};
use presently_core::{AppEvent, Presently, listen};
use presently_hotkeys::{Actions, Target};
use tauri::{AppHandle, Runtime};

use crate::launcher::Launcher;

pub use presently_hotkeys::base_report;

/// Starts the hotkeys: called once from the app's `setup` (on the main thread). `base` is the report without
/// registration errors (support and command lines). The backend starts and registers on the event loop's first
/// turn, after the tray icon is up.
pub fn install<R: Runtime>(
    app: &AppHandle<R>,
    presently: Presently,
    launcher: Arc<Launcher>,
    base: HotkeyReport,
) {
    if base.support != HotkeySupport::Active {
        tracing::info!(support = ?base.support, "global hotkeys are not registered here");
        presently.report_hotkeys(base);
        return;
    }
    let actions: Actions = Arc::default();
    let target = Target {
        presently: presently.clone(),
        open: Arc::new(move || launcher.open(None)),
    };
    let refresh = {
        let (presently, actions, base) = (presently.clone(), actions.clone(), base.clone());
        move || presently_hotkeys::refresh(&presently, &actions, &base)
    };
    let start = {
        let presently = presently.clone();
        move || presently_hotkeys::start_here(&presently, &actions, target, &base)
    };
    if let Err(e) = app.run_on_main_thread(start) {
        tracing::warn!(error = %e, "cannot start the hotkeys");
    }
    // Register again after every settings change (also retrying refused ones: the other application may have let
    // go). A report equal to the last one is not announced again, so this does not loop.
    let app = app.clone();
    let mut events = presently.events();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = listen::next(&mut events).await {
            if matches!(event, AppEvent::SettingsChanged)
                && let Err(e) = app.run_on_main_thread(refresh.clone())
            {
                tracing::warn!(error = %e, "cannot register the hotkeys again");
            }
        }
    });
}
