//! The main process: the core (`Presently`: settings, sign-in, the keeper), the local IPC server the popup and
//! the CLI talk to, and the tray. It never creates a webview (so the idle app holds no web process): the popup is a child process, spawned
//! on demand by the [`Launcher`]. With `--demo` the core talks to the emulator, run as a child process
//! ([`Demo`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use presently_core::config::{Locations, Overrides};
use presently_core::diagnostics::TrayState;
use presently_core::ipc::{self, Endpoint, IpcServer};
use presently_core::listen;
use presently_core::tray_host::TrayHost;
use presently_core::{AppEvent, Presently, StartOptions, paths};
use tauri::RunEvent;

use crate::args::TrayArgs;
use crate::demo::{DEMO_PROFILE, DEMO_SERVICE, Demo, DemoOptions};
use crate::error::StartError;
use crate::launcher::Launcher;
use crate::single_instance::{self, Ask, Claim, InstanceLock};

/// The IPC profile of the real app.
pub const PROFILE: &str = "keeper";

/// The IPC endpoint of the real app or of the demo.
pub fn endpoint(demo: bool, env: &dyn Fn(&str) -> Option<String>) -> Result<Endpoint, StartError> {
    let data = paths::data_dir(env).ok_or(StartError::NoDataDir)?;
    Ok(if demo {
        Endpoint::for_profile(DEMO_PROFILE, &data.join("demo"), env)
    } else {
        Endpoint::for_profile(PROFILE, &data, env)
    })
}

/// What the main process runs.
struct Core {
    presently: Presently,
    server: IpcServer,
    demo: Option<Demo>,
}

async fn start_core(demo: bool, exe: &Path, env: fn(&str) -> Option<String>) -> Result<Core, StartError> {
    let data = paths::data_dir(&env).ok_or(StartError::NoDataDir)?;
    let demo = match demo {
        true => {
            let exe_dir = exe.parent().unwrap_or(Path::new("."));
            Some(Demo::start(&data, exe_dir, &DemoOptions::from_env(&env)).await?)
        }
        false => None,
    };
    let (locations, overrides, data_dir, store) = match &demo {
        Some(demo) => {
            let dir = demo.data_dir.clone();
            std::fs::create_dir_all(&dir).map_err(|e| StartError::Io {
                path: dir.clone(),
                source: e,
            })?;
            let store_dir = dir.clone();
            let store = tauri::async_runtime::spawn_blocking(move || {
                use presently_auth::StorePreference;
                let choice =
                    presently_auth::choose_store(&store_dir, DEMO_SERVICE, StorePreference::CredentialStore);
                // The demo's tokens are the emulator's, not a real sign-in: without a credential store a plain
                // file keeps the demo signed in across restarts, as before.
                if choice.store.is_waiting() {
                    presently_auth::choose_store(&store_dir, DEMO_SERVICE, StorePreference::File)
                } else {
                    choice
                }
            })
            .await
            .map_err(StartError::Tauri)?;
            (demo.locations(), demo.overrides(), dir, Some(store))
        }
        None => {
            let locations = Locations::from_env(&env).map_err(|e| {
                StartError::Core(presently_core::Problem::new(
                    presently_core::ProblemKind::Configuration,
                    e.to_string(),
                ))
            })?;
            (locations, Overrides::default(), data.clone(), None)
        }
    };
    let presently = Presently::start(StartOptions {
        locations,
        overrides,
        env,
        data_dir,
        clock: None,
        store,
        browser: None,
    })
    .await
    .map_err(StartError::Core)?;
    let server = ipc::serve(presently.clone(), endpoint(demo.is_some(), &env)?).await?;
    Ok(Core {
        presently,
        server,
        demo,
    })
}

/// One keeper per user and profile ([`single_instance`]): when Presently already runs, hands it what this launch
/// asks (show the popup, a `set`/`clear` command, or nothing for the login entry) and returns `None`.
async fn claim(args: &TrayArgs, env: fn(&str) -> Option<String>) -> Result<Option<InstanceLock>, StartError> {
    let data = paths::data_dir(&env).ok_or(StartError::NoDataDir)?;
    let profile = if args.demo { DEMO_PROFILE } else { PROFILE };
    let ask = match (&args.command, args.autostart) {
        (Some(command), _) => Ask::Command(command.clone()),
        (None, true) => Ask::Nothing,
        (None, false) => Ask::ShowPopup,
    };
    let claim = single_instance::claim(
        &endpoint(args.demo, &env)?,
        &single_instance::lock_path(&data, profile),
        &ask,
        single_instance::WAIT_FOR_FIRST,
    )
    .await?;
    match claim {
        Claim::First(lock) => Ok(Some(lock)),
        Claim::Forwarded(message) => {
            println!("{message}");
            Ok(None)
        }
    }
}

/// What the main process holds until it exits: the instance lock, and once the core has started, the IPC server
/// (dropping it removes the socket), the demo's emulator and the popup launcher.
#[derive(Default)]
struct Held {
    _lock: Option<InstanceLock>,
    server: Option<IpcServer>,
    demo: Option<Demo>,
    launcher: Option<Arc<Launcher>>,
}

/// Runs the main process until the user quits.
///
/// The tray icon comes first: it is shown (as "starting") before the core starts, and the core (settings, the
/// token store, the keeper, the IPC server) starts beside the event loop, on the async runtime. When it is up,
/// [`connect`] gives the tray its menu and starts what needs the core. A core that cannot start ends the app
/// with its error, as before.
pub fn run(args: TrayArgs, env: fn(&str) -> Option<String>) -> Result<(), StartError> {
    let Some(lock) = tauri::async_runtime::block_on(claim(&args, env))? else {
        return Ok(());
    };
    let exe: PathBuf = std::env::current_exe().map_err(|e| StartError::Io {
        path: PathBuf::from("this program (current_exe)"),
        source: e,
    })?;
    let held = Arc::new(Mutex::new(Held {
        _lock: Some(lock),
        ..Held::default()
    }));
    let app = tauri::Builder::default()
        .plugin(crate::autostart::plugin(args.demo))
        .plugin(crate::notify::plugin())
        .setup({
            let held = held.clone();
            move |app| {
                #[cfg(target_os = "macos")]
                app.set_activation_policy(tauri::ActivationPolicy::Accessory);
                // A desktop without a tray host (Windows outside Explorer's shell: "Invalid window handle", os
                // error 1400) refuses the icon; the keeper, the IPC and the hotkeys work without it.
                let icon_made = match crate::tray::show_starting(app.handle()) {
                    Ok(()) => true,
                    Err(e) => {
                        no_tray(&e);
                        false
                    }
                };
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    // Asked beside the core's start: a few milliseconds on the session bus and the X display.
                    let host = tauri::async_runtime::spawn_blocking(presently_core::tray_host::detect);
                    // In a task of its own, so that even a panic in it ends the app with an error rather than
                    // leaving the icon "starting" for ever.
                    let (demo, core_exe) = (args.demo, exe.clone());
                    let core =
                        tauri::async_runtime::spawn(async move { start_core(demo, &core_exe, env).await })
                            .await
                            .map_err(StartError::Tauri)
                            .and_then(|core| core);
                    let host = host.await.unwrap_or(TrayHost::None);
                    let on_main = handle.clone();
                    let connected = handle.run_on_main_thread(move || {
                        let tray = TrayStart { host, icon_made };
                        let connected =
                            core.and_then(|core| connect(&on_main, core, &args, tray, exe, env, &held));
                        if let Err(e) = connected {
                            fail(&on_main, &e);
                        }
                    });
                    if let Err(e) = connected {
                        fail(&handle, &StartError::Tauri(e));
                    }
                });
                Ok(())
            }
        })
        .build(crate::context())?;

    app.run(move |_app, event| match event {
        // No window is ever open here; the app ends only through Quit (or a failed start, with a code).
        RunEvent::ExitRequested { code: None, api, .. } => api.prevent_exit(),
        RunEvent::Exit => {
            let held = std::mem::take(&mut *held.lock().unwrap_or_else(|e| e.into_inner()));
            if let Some(launcher) = &held.launcher {
                launcher.close();
            }
            drop(held);
        }
        _ => {}
    });
    Ok(())
}

/// The tray icon could not be made: says why and keeps running without it (the keeper, the IPC that
/// `presently-app set` and the `presently` CLI use, and the hotkeys do not need it).
fn no_tray(error: &tauri::Error) {
    tracing::warn!(error = %error, "no tray icon: the desktop refused it; Presently keeps running without one");
    eprintln!(
        "presently-app: no tray icon ({error}); Presently keeps running: use `presently` or `presently-app set …`"
    );
}

/// The tray as it stood at start: the host found ([`presently_core::tray_host`]) and whether the desktop took
/// the icon.
#[derive(Debug, Clone, Copy)]
struct TrayStart {
    host: TrayHost,
    icon_made: bool,
}

/// Whether the popup must stand in for the tray icon, and with which note: when no tray host exists, or the
/// icon could not be made, a tray-only app would look as if it never started. `None`: the icon is seen.
fn no_tray_note(host: TrayHost, icon_shown: bool, current_desktop: Option<&str>) -> Option<String> {
    match host.fix(current_desktop) {
        Some(fix) => Some(format!("No tray icon on this desktop. {fix}")),
        None if !icon_shown => Some(
            "The desktop refused Presently's tray icon, so Presently shows this window instead.".to_string(),
        ),
        None => None,
    }
}

/// Quits as the tray menu's Quit does: the core applies the on-quit setting, the popup ends, then the app.
fn quit<R: tauri::Runtime>(app: &tauri::AppHandle<R>, presently: Presently, launcher: Arc<Launcher>) {
    static QUITTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if QUITTING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        presently.shutdown().await;
        launcher.close();
        app.exit(0);
    });
}

/// The core did not start: says why, as a failed start always has, and ends the app.
fn fail<R: tauri::Runtime>(app: &tauri::AppHandle<R>, error: &StartError) {
    tracing::error!("{error}");
    eprintln!("presently-app: {error}");
    app.exit(1);
}

/// On the main thread, once the core is up: the tray's menu, the launch-at-login entry, notifications, hotkeys,
/// the demo's page, the popup when asked for, and the command of the command line.
fn connect<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    core: Core,
    args: &TrayArgs,
    tray: TrayStart,
    exe: PathBuf,
    env: fn(&str) -> Option<String>,
    held: &Mutex<Held>,
) -> Result<(), StartError> {
    let Core {
        presently,
        server,
        demo,
    } = core;
    let hotkeys = crate::hotkeys::base_report(&exe, server.endpoint(), args.demo, &env);
    let launcher = Arc::new(Launcher::new(exe, server.endpoint().clone(), presently.clone()));
    tracing::info!(ipc = %server.endpoint(), demo = demo.is_some(), "Presently is running");
    if let Some(command) = &args.command
        && let Err(problem) = command.apply(&presently)
    {
        tracing::warn!(message = %problem.message, "the command line's choice was refused");
    }
    // Started by the login entry: the tray only (no demo page, no popup).
    let demo_page = demo
        .as_ref()
        .map(Demo::colleagues_page)
        .filter(|_| !args.autostart);
    {
        let mut held = held.lock().unwrap_or_else(|e| e.into_inner());
        held.server = Some(server);
        held.demo = demo;
        held.launcher = Some(launcher.clone());
    }
    let icon_shown = match crate::tray::install(app, presently.clone(), launcher.clone()) {
        Ok(()) => tray.icon_made,
        Err(e) => {
            no_tray(&e);
            false
        }
    };
    let desktop = env("XDG_CURRENT_DESKTOP");
    let note = no_tray_note(tray.host, icon_shown, desktop.as_deref());
    presently
        .self_reports()
        .set_tray(TrayState::new(tray.host, icon_shown && note.is_none()));
    if let Some(note) = &note {
        tracing::warn!(
            host = tray.host.describe(),
            "no tray icon can be seen; the popup opens as a window"
        );
        launcher.set_no_tray(note.clone());
    }
    crate::autostart::install(app, presently.clone());
    if let Some(dir) = crate::log_dir_in_use() {
        presently.self_reports().set_log_dir(dir.to_path_buf());
    }
    crate::notify::install(app, presently.clone());
    crate::hotkeys::install(app, presently.clone(), launcher.clone(), hotkeys);
    if let Some(page) = &demo_page {
        crate::demo::echo(&format!("Presently demo: what colleagues see is at {page}"));
        if let Err(e) = opener::open_browser(page) {
            tracing::warn!(error = %e, "cannot open the browser at {page}");
        }
    }
    // Without a tray icon the window is the app's only face: it opens at every start, the login entry's too.
    if (args.show_popup_on_start && !args.autostart) || note.is_some() {
        launcher.open(None);
    }
    // `showPopup` from another launch or the CLI: start the popup when none runs to hear it. `quit` from the
    // window that stands in for the tray.
    let mut events = presently.events();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(event) = listen::next(&mut events).await {
            match event {
                AppEvent::ShowPopup => launcher.ensure_running(),
                AppEvent::Quit => quit(&app, presently.clone(), launcher.clone()),
                _ => {}
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_popup_stands_in_for_the_tray_when_no_host_exists_or_the_icon_was_refused() {
        assert_eq!(
            no_tray_note(TrayHost::StatusNotifierWatcher, true, Some("KDE")),
            None
        );
        assert_eq!(no_tray_note(TrayHost::XEmbedManager, true, None), None);
        assert_eq!(no_tray_note(TrayHost::Platform, true, None), None);
        let gnome = no_tray_note(TrayHost::None, true, Some("GNOME")).unwrap_or_default();
        assert!(gnome.starts_with("No tray icon on this desktop. "), "{gnome}");
        assert!(gnome.contains("AppIndicator extension"), "{gnome}");
        // Windows outside Explorer's shell: a host, but the icon was refused.
        let refused = no_tray_note(TrayHost::Platform, false, None).unwrap_or_default();
        assert!(refused.contains("refused"), "{refused}");
        for note in [gnome, refused] {
            assert!(presently_core::wording::flaws(&note, &[]).is_empty(), "{note}");
        }
    }
}
