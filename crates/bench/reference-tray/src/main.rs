//! `reference-tray`: the floor of a Tauri 2 tray app, for `presently-bench footprint` to compare against.
//!
//! A tray icon with a native menu of six items and Quit, and nothing else: no webview, no window, no timer, no
//! background work. Everything Presently's main process costs above this is Presently's own (the keeper, the
//! local IPC, the demo's emulator), which is what the benchmark's ratios show.

use tauri::RunEvent;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;

/// The six items a status tray app needs (the same count as Presently's six statuses).
const ITEMS: [&str; 6] = [
    "Available",
    "Busy",
    "Do not disturb",
    "Be right back",
    "Appear away",
    "Appear offline",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = tauri::Builder::default()
        .setup(|app| {
            let handle = app.handle();
            let mut items = Vec::new();
            for (n, label) in ITEMS.iter().enumerate() {
                items.push(MenuItem::with_id(
                    handle,
                    format!("item-{n}"),
                    *label,
                    true,
                    None::<&str>,
                )?);
            }
            let separator = PredefinedMenuItem::separator(handle)?;
            let quit = MenuItem::with_id(handle, "quit", "Quit", true, None::<&str>)?;
            let mut entries: Vec<&dyn tauri::menu::IsMenuItem<tauri::Wry>> = Vec::new();
            for item in &items {
                entries.push(item);
            }
            entries.push(&separator);
            entries.push(&quit);
            let menu = Menu::with_items(handle, &entries)?;
            // The same 32 px PNG Presently shows before it knows the status.
            let icon = Image::from_bytes(include_bytes!("../../../../icons/tray/unknown.png"))?;
            TrayIconBuilder::with_id("reference")
                .icon(icon)
                .tooltip("Reference tray")
                .menu(&menu)
                .on_menu_event(|app, event| {
                    if event.id().as_ref() == "quit" {
                        app.exit(0);
                    }
                })
                .build(handle)?;
            Ok(())
        })
        .build(tauri::generate_context!())?;
    app.run(|_, event| {
        // No window is ever open; the app ends only through Quit.
        if let RunEvent::ExitRequested { code: None, api, .. } = event {
            api.prevent_exit();
        }
    });
    Ok(())
}
