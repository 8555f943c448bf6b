//! `presently-app`: the tray app (see `lib.rs`). On Windows a release build opens no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    presently_app::main()
}
