//! Build script of the tray app: tauri-build reads `tauri.conf.json` (at the repository root, beside
//! `Cargo.toml`) and the capability files in `src-tauri/capabilities`, which live outside Tauri's default
//! `capabilities/` folder because the app's sources sit in `src-tauri/` of a workspace root package.

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json");
    tauri_build::try_build(attributes).map_err(|e| format!("tauri-build failed: {e:#}"))
}
