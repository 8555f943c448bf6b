//! Presently's tray app: Tauri v2 glue only. What it does (settings, sign-in, keeping the status true, the local
//! IPC) lives in `presently-core`; this crate puts it on screen, in two processes:
//!
//! - `presently-app` ([`main_process`]): tray icon and native menu ([`tray`], rendered from [`tray_view`]),
//!   the keeper and the IPC server; never a webview. `--demo` runs it against the emulator ([`demo`]).
//! - `presently-app --popup` ([`popup`]): the popup window of `ui/`, spawned on demand by [`launcher`]; its
//!   [`commands`] forward to the main process over the IPC and its [`events`] carry the state back.
#![warn(missing_docs)]

pub mod args;
pub mod autostart;
pub mod commands;
pub mod demo;
pub mod error;
pub mod events;
pub mod hotkeys;
pub mod launcher;
pub mod main_process;
pub mod notify;
pub mod popup;
pub mod settings_bridge;
pub mod single_instance;
pub mod tray;
pub mod tray_view;

use std::process::ExitCode;

use args::Mode;
use presently_core::paths::process_env;

/// The Tauri context (configuration, icons, embedded `ui/dist`) of both processes.
pub fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// Runs the process the command line asks for.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "presently_app=info,presently_core=info,presently_auth=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match args::parse(std::env::args().skip(1), &process_env) {
        Ok(Mode::Tray(tray)) => main_process::run(tray, process_env),
        Ok(Mode::Popup(popup)) => popup::run(popup, &process_env),
        Ok(Mode::Print(text)) => {
            print!("{text}");
            Ok(())
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("presently-app: {e}");
            ExitCode::FAILURE
        }
    }
}
