//! Build script of the reference tray: tauri-build reads `tauri.conf.json` beside `Cargo.toml`.

fn main() {
    tauri_build::build();
}
