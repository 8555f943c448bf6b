//! Where Presently keeps its files: the token store and the keeper's intent file live in the platform's data
//! folder (`$XDG_DATA_HOME/presently` on Linux, `~/Library/Application Support/app.presently.Presently` on
//! macOS, `%APPDATA%\Presently\Presently\data` on Windows); `PRESENTLY_DATA_DIR` names another.

use std::path::PathBuf;

/// The data folder, or `None` when the platform has no home directory and no override is set.
pub fn data_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    match env("PRESENTLY_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("app", "presently", "Presently")
            .map(|d| d.data_dir().to_path_buf()),
    }
}

/// Reads the process environment (the default `env` for [`data_dir`] and the settings).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
