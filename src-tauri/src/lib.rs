//! Presently's tray app: Tauri v2 glue only. What it does (settings, sign-in, keeping the status true, the local
//! IPC) lives in `presently-core`; this crate puts it on screen, in two processes:
//!
//! - `presently-app` ([`main_process`]): tray icon and native menu ([`tray`], rendered from `presently_core::tray_view`),
//!   the keeper and the IPC server; never a webview. `--demo` runs it against the emulator ([`demo`]).
//! - `presently-app --popup` ([`popup`]): the popup window of `ui/`, spawned on demand by [`launcher`]; its
//!   [`commands`] forward to the main process over the IPC and the IPC's events, named for the page by
//!   `presently_core::ipc::ui_events`, carry the state back.

pub mod args;
pub mod autostart;
pub mod commands;
pub mod demo;
#[cfg(target_os = "linux")]
pub mod desktop_font;
pub mod error;
pub mod hotkeys;
pub mod launcher;
pub mod main_process;
pub mod notify;
pub mod popup;
pub mod single_instance;
pub mod tray;

use std::process::ExitCode;

use args::Mode;
use presently_core::paths::process_env;

/// The Tauri context (configuration, icons, embedded `ui/dist`) of both processes.
pub fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// What is logged: `RUST_LOG` as targets and levels (`presently_core=debug,info`; spans and fields are not
/// filtered on), else information from Presently's own crates. A `RUST_LOG` that does not parse is ignored.
fn log_filter(rust_log: Option<&str>) -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    rust_log.and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        Targets::new().with_targets(
            ["presently_app", "presently_core", "presently_auth"].map(|t| (t, LevelFilter::INFO)),
        )
    })
}

/// The log file of a process: `app.log` for the tray process, `popup.log` for the popup (two processes never
/// cut the same file), none for one that only prints.
fn log_file_name(mode: &Result<Mode, args::ArgsError>) -> Option<&'static str> {
    match mode {
        Ok(Mode::Tray(_)) => Some("app"),
        Ok(Mode::Popup(_)) => Some("popup"),
        Ok(Mode::Print(_)) | Err(_) => None,
    }
}

/// The folder this process writes its log file in, once it does.
static LOG_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The folder this process writes its log file in; `None` when it logs to standard error only.
pub fn log_dir_in_use() -> Option<&'static std::path::Path> {
    LOG_DIR.get().map(std::path::PathBuf::as_path)
}

/// Logs to standard error and, for the two app processes, to a size-rotated file in the platform's log folder
/// (`presently_core::log_file`): a release build on Windows and an app started at login have no standard error
/// anyone sees. Both take the same filter, so the file holds information and above unless `RUST_LOG` says.
fn init_log(file_name: Option<&str>) {
    use presently_core::log_file::{LogFile, log_dir};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let file = file_name.map(|name| match log_dir(&process_env) {
        Some(dir) => LogFile::open(&dir, name).map_err(|e| e.to_string()),
        None => Err("no home folder to keep a log file in".to_string()),
    });
    let (file, problem) = match file {
        Some(Ok(file)) => {
            let _ = LOG_DIR.set(file.dir().to_path_buf());
            (Some(file), None)
        }
        Some(Err(problem)) => (None, Some(problem)),
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file.map(|file| {
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
        }))
        .with(log_filter(std::env::var("RUST_LOG").ok().as_deref()))
        .init();
    if let Some(problem) = problem {
        tracing::warn!("{problem}");
    }
}

/// Runs the process the command line asks for.
pub fn main() -> ExitCode {
    let mode = args::parse(std::env::args().skip(1), &process_env);
    init_log(log_file_name(&mode));
    presently_core::paths::move_earlier_windows_folders(&process_env);
    let result = match mode {
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

#[cfg(test)]
mod tests {
    use tracing::Level;

    #[test]
    fn the_log_is_presentlys_own_information_unless_rust_log_says_otherwise() {
        let default = super::log_filter(None);
        assert!(default.would_enable("presently_core::keeper", &Level::INFO));
        assert!(!default.would_enable("presently_core::keeper", &Level::DEBUG));
        assert!(!default.would_enable("hyper::client", &Level::INFO));
        let asked = super::log_filter(Some("presently_graph=trace,warn"));
        assert!(asked.would_enable("presently_graph::client", &Level::TRACE));
        assert!(asked.would_enable("tao", &Level::WARN));
        assert!(!asked.would_enable("tao", &Level::INFO));
        let unparsable = super::log_filter(Some("presently_core=loud"));
        assert!(unparsable.would_enable("presently_app", &Level::INFO));
    }

    #[test]
    fn the_tray_and_the_popup_log_to_files_of_their_own_and_a_print_to_none() {
        let env = |_: &str| None;
        let mode = |words: &[&str]| super::args::parse(words.iter().map(|w| w.to_string()), &env);
        assert_eq!(super::log_file_name(&mode(&[])), Some("app"));
        assert_eq!(super::log_file_name(&mode(&["--popup"])), Some("popup"));
        assert_eq!(super::log_file_name(&mode(&["--version"])), None);
        assert_eq!(super::log_file_name(&mode(&["--no-such-flag"])), None);
    }
}
