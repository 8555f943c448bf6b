//! Windows: clicks on the tray icon that the shell cannot place (`presently-wintray` says why they are lost).
//! [`install`] subclasses `tray-icon`'s hidden window so that such a click still does what a click does here: a
//! left click opens the popup (beside the cursor, where the icon is), a right click shows the tray's menu at the
//! cursor. The menu's commands then arrive as the usual menu events (`on_menu` in tray.rs).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use presently_wintray::{ClickFallback, Point};
use tauri::menu::{ContextMenu, Menu};
use tauri::{AppHandle, Manager, Runtime};

use crate::args::TrayRect;
use crate::launcher::Launcher;

use super::TRAY_ID;

/// The menu the tray shows now, for a right click the subclass handles (Tauri's tray gives no way to read it).
struct ShownMenu<R: Runtime>(Mutex<Option<Menu<R>>>);

/// Subclasses the tray icon's window, with `menu` as the tray's menu. Logs and carries on when it cannot: then
/// only clicks the shell can place work.
pub fn install<R: Runtime>(app: &AppHandle<R>, menu: &Menu<R>, launcher: Arc<Launcher>) {
    app.manage(ShownMenu(Mutex::new(Some(menu.clone()))));
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let hwnd = match tray.with_inner_tray_icon(|icon| icon.window_handle() as isize) {
        Ok(hwnd) => hwnd,
        Err(e) => {
            tracing::warn!(error = %e, "cannot reach the tray icon's window: clicks the shell cannot place are lost");
            return;
        }
    };
    let fallback = Clicks {
        app: app.clone(),
        launcher,
        told: AtomicBool::new(false),
    };
    if let Err(refused) = presently_wintray::subclass(hwnd, Box::new(fallback)) {
        tracing::warn!(error = %refused, "tray clicks");
    }
}

/// Keeps the menu a right click shows in step with the tray's (call it wherever the tray gets a new menu).
pub fn menu_set<R: Runtime>(app: &AppHandle<R>, menu: &Menu<R>) {
    if let Some(shown) = app.try_state::<ShownMenu<R>>() {
        *shown.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(menu.clone());
    }
}

struct Clicks<R: Runtime> {
    app: AppHandle<R>,
    launcher: Arc<Launcher>,
    /// The log said once that clicks are placed at the cursor.
    told: AtomicBool,
}

impl<R: Runtime> Clicks<R> {
    fn tell_once(&self) {
        if !self.told.swap(true, Ordering::Relaxed) {
            tracing::info!(
                "the shell does not say where the tray icon is; its clicks are placed at the cursor"
            );
        }
    }
}

impl<R: Runtime> ClickFallback for Clicks<R> {
    fn left_click(&self, cursor: Point) {
        self.tell_once();
        self.launcher.open(Some(TrayRect {
            x: cursor.x,
            y: cursor.y,
            width: 1,
            height: 1,
        }));
    }

    fn menu(&self) -> Option<isize> {
        self.tell_once();
        let menu = self
            .app
            .try_state::<ShownMenu<R>>()?
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        // On the main thread (the window's), so Tauri runs this at once rather than queueing it.
        match menu.hpopupmenu() {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::warn!(error = %e, "cannot show the tray menu");
                None
            }
        }
    }
}
