//! The popup process (`presently-app --popup`): one webview window with the UI of `ui/`, and no tray. It
//! connects to the main process over the local IPC, registers the commands of [`crate::commands`], re-emits
//! the IPC event stream to the webview under the names of [`crate::events`], hides when it loses focus (or on
//! Esc, through `hide_popup`), and lingers hidden for a while so reopening is instant, then exits.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use presently_core::ipc::{Client, Endpoint, EventFrame, Request};
use presently_core::listen;
use tauri::tray::{MouseButton, MouseButtonState, TrayIconEvent, TrayIconId};
use tauri::{AppHandle, Emitter, Manager, PhysicalPosition, PhysicalSize, Runtime, WebviewWindow, Window};
use tauri_plugin_positioner::{Position, WindowExt};
use tokio::sync::broadcast;

use crate::args::{PopupArgs, TrayRect};
use crate::commands::Ipc;
use crate::error::StartError;
use presently_core::ipc::ui_events::{Route, UiEvent, route};

/// The popup window's label (its configuration is in `tauri.conf.json`, `app.windows`).
pub const POPUP: &str = "popup";

/// How long a hidden popup waits before the process exits: `PRESENTLY_POPUP_LINGER_SECS`, else 3 minutes.
pub fn linger_from_env(env: &dyn Fn(&str) -> Option<String>) -> Duration {
    env("PRESENTLY_POPUP_LINGER_SECS")
        .and_then(|s| s.trim().parse().ok())
        .map_or(Duration::from_secs(180), Duration::from_secs)
}

/// The hidden popup's countdown to exit. Every show and every hide starts a new generation; an exit timer only
/// fires if no show or hide happened since it was armed.
#[derive(Debug)]
pub struct Linger {
    generation: AtomicU64,
    /// How long to linger.
    pub duration: Duration,
}

impl Linger {
    /// A countdown of `duration`.
    pub fn new(duration: Duration) -> Self {
        Self {
            generation: AtomicU64::new(0),
            duration,
        }
    }

    /// The popup was shown: any pending exit is off.
    pub fn shown(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The popup was hidden: returns the ticket the exit timer checks.
    pub fn hidden(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether nothing happened since `ticket` was handed out (so the process may exit).
    pub fn expired(&self, ticket: u64) -> bool {
        self.generation.load(Ordering::SeqCst) == ticket
    }
}

/// `Some(note)` when no tray icon can be seen: the popup is then a normal window (decorated, in the taskbar,
/// staying when it loses focus) that shows the note and a Quit button.
#[derive(Debug, Default)]
pub struct NoTray(pub Option<String>);

impl NoTray {
    /// Whether the popup is a normal window.
    pub fn windowed(&self) -> bool {
        self.0.is_some()
    }
}

/// Where the tray icon was last clicked, to open beside it (the IPC's `showPopup` carries no position).
#[derive(Debug, Default)]
pub struct Anchor(pub Mutex<Option<TrayRect>>);

/// Runs the popup process until it has lingered hidden long enough.
pub fn run(args: PopupArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<(), StartError> {
    let endpoint = match args.ipc {
        Some(address) => Endpoint::at(address),
        None => crate::main_process::endpoint(false, env)?,
    };
    let (client, events) = tauri::async_runtime::block_on(connect(&endpoint))?;
    let linger = Linger::new(linger_from_env(env));
    let windowed = args.no_tray.is_some();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_positioner::init())
        .manage(Ipc(client))
        .manage(linger)
        .manage(Anchor(Mutex::new(args.tray_rect)))
        .manage(NoTray(args.no_tray))
        .invoke_handler(crate::commands::handler())
        .setup(move |app| {
            // macOS: the popup of a menu-bar app shows no Dock icon and no app menu, like the main process.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let handle = app.handle().clone();
            let window = build_window(&handle, windowed)?;
            show(&window.as_ref().window());
            tauri::async_runtime::spawn(forward(handle, events));
            Ok(())
        })
        .on_window_event(|window, event| match event {
            // A popup hides when the user clicks elsewhere; the window standing in for the tray stays.
            tauri::WindowEvent::Focused(false) if !window.state::<NoTray>().windowed() => hide(window),
            tauri::WindowEvent::CloseRequested { api, .. } => {
                api.prevent_close();
                hide(window);
            }
            _ => {}
        })
        .build(crate::context())?;
    app.run(|_, _| {});
    Ok(())
}

/// Connects and subscribes, listening before subscribing so the first state is not missed.
async fn connect(endpoint: &Endpoint) -> Result<(Client, broadcast::Receiver<EventFrame>), StartError> {
    let client = Client::connect(endpoint).await?;
    let events = client.events();
    client
        .call(Request::Subscribe)
        .await
        .map_err(|_| StartError::Core(crate::error::gone()))?;
    Ok((client, events))
}

/// The popup window from its configuration; `windowed`: as a normal window of the desktop instead (see
/// [`NoTray`]), a little taller for the note.
fn build_window<R: Runtime>(app: &AppHandle<R>, windowed: bool) -> tauri::Result<WebviewWindow<R>> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == POPUP)
        .cloned()
        .unwrap_or_else(|| tauri::utils::config::WindowConfig {
            label: POPUP.into(),
            ..Default::default()
        });
    if windowed {
        config.decorations = true;
        config.skip_taskbar = false;
        config.always_on_top = false;
        config.minimizable = true;
        config.center = true;
        config.height += 90.0;
    }
    let builder = tauri::WebviewWindowBuilder::from_config(app, &config)?;
    #[cfg(target_os = "linux")]
    let builder = builder.initialization_script(crate::desktop_font::PAGE_SCRIPT);
    let window = builder.build()?;
    #[cfg(target_os = "linux")]
    crate::desktop_font::apply(&window);
    Ok(window)
}

/// Shows the popup beside the tray (or where the platform's tray usually is), focused, and calls off the exit.
pub fn show<R: Runtime>(window: &Window<R>) {
    window.state::<Linger>().shown();
    let anchor = *window
        .state::<Anchor>()
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    // The window standing in for the tray opens where the window manager puts it (centred at first).
    if !window.state::<NoTray>().windowed() {
        place(window, anchor);
    }
    if let Err(e) = window.show().and_then(|()| window.set_focus()) {
        tracing::warn!(error = %e, "cannot show the popup");
    }
    // The user looks: the keeper reads Graph when its reading is over a minute old, and the popup shows the
    // reading it has as being checked until the answer comes (`Keeper::look`; a burst of looks, such as the
    // launcher's own before it started this process, costs one read). Whoever opened the popup (tray, menu,
    // a second launch of the app), this is the one place that sees it shown.
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = app.state::<Ipc>().0.call(Request::Look).await {
            tracing::warn!(error = %e, "cannot ask the keeper for a fresh reading");
        }
    });
    // A window manager may refuse focus to a window that is not mapped yet; ask again once it is, so that
    // losing focus (the user clicking elsewhere) hides the popup.
    let window = window.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        if window.is_visible().unwrap_or(false) && !window.is_focused().unwrap_or(true) {
            let _ = window.set_focus();
        }
    });
}

/// Hides the popup and arms the exit timer.
pub fn hide<R: Runtime>(window: &Window<R>) {
    let _ = window.hide();
    let linger = window.state::<Linger>();
    let ticket = linger.hidden();
    let wait = linger.duration;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(wait).await;
        if app.state::<Linger>().expired(ticket) {
            tracing::info!("the popup lingered hidden long enough; exiting");
            app.exit(0);
        }
    });
}

/// Moves the window beside the tray icon's rectangle, through the positioner plugin (which works from a tray
/// event, so the rectangle the main process passed is replayed as one). Without a rectangle (Linux panels
/// report none, or the menu's "Open Presently"), the corner where the platform's tray usually is.
fn place<R: Runtime>(window: &Window<R>, anchor: Option<TrayRect>) {
    let result = match anchor {
        Some(rect) => {
            let event = TrayIconEvent::Click {
                id: TrayIconId::new("presently"),
                position: PhysicalPosition::new(f64::from(rect.x), f64::from(rect.y)),
                rect: tauri::Rect {
                    position: PhysicalPosition::new(rect.x, rect.y).into(),
                    size: PhysicalSize::new(rect.width, rect.height).into(),
                },
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
            };
            tauri_plugin_positioner::on_tray_event(window.app_handle(), &event);
            window.move_window_constrained(Position::TrayCenter)
        }
        None if cfg!(target_os = "windows") => window.move_window(Position::BottomRight),
        None => window.move_window(Position::TopRight),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot place the popup");
    }
}

/// Re-emits the IPC event stream to the webview until the connection ends.
async fn forward<R: Runtime>(app: AppHandle<R>, mut events: broadcast::Receiver<EventFrame>) {
    while let Some(frame) = listen::next(&mut events).await {
        match route(&frame) {
            Route::Emit(event, payload) => emit(&app, event, payload),
            Route::FetchSettings => {
                let answer = app.state::<Ipc>().settings_view().await;
                if let Ok(view) = answer {
                    emit(&app, UiEvent::SettingsChanged, view);
                }
            }
            Route::ShowPopup => {
                if let Some(window) = app.get_webview_window(POPUP) {
                    show(&window.as_ref().window());
                }
            }
            Route::Ignore => {}
        }
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, event: UiEvent, payload: serde_json::Value) {
    if let Err(e) = app.emit_to(POPUP, event.name(), payload) {
        tracing::warn!(error = %e, event = event.name(), "cannot emit to the popup");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_popup_may_exit_only_if_nothing_happened_since() {
        let linger = Linger::new(Duration::from_secs(180));
        let first = linger.hidden();
        assert!(linger.expired(first));
        linger.shown();
        assert!(
            !linger.expired(first),
            "shown again: the first timer must not end the process"
        );
        let second = linger.hidden();
        let third = linger.hidden();
        assert!(
            !linger.expired(second),
            "an older timer yields to the newest hide"
        );
        assert!(linger.expired(third));
    }

    #[test]
    fn the_linger_time_is_three_minutes_unless_told() {
        assert_eq!(linger_from_env(&|_| None), Duration::from_secs(180));
        let env = |k: &str| (k == "PRESENTLY_POPUP_LINGER_SECS").then(|| "2".to_string());
        assert_eq!(linger_from_env(&env), Duration::from_secs(2));
    }
}
