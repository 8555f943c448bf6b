//! Presently's tray app: Tauri v2 glue only.

/// Runs the app.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
