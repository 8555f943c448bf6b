//! Where Presently keeps its files.
//!
//! | folder | Linux | macOS | Windows |
//! |---|---|---|---|
//! | data (tokens, the keeper's intent, the last set) | `$XDG_DATA_HOME/presently` | `~/Library/Application Support/app.presently.Presently` | `%LOCALAPPDATA%\Presently` |
//! | settings (`settings.toml`) | `$XDG_CONFIG_HOME/presently` | `~/Library/Application Support/app.presently.Presently` | `%APPDATA%\Presently` |
//!
//! On Windows the data stays on this computer (Local) and the settings roam with the user's profile (Roaming), as
//! Windows apps keep them. `PRESENTLY_DATA_DIR` names another data folder (the settings file's override,
//! `PRESENTLY_CONFIG`, is read in `config::settings`).
//!
//! Earlier versions kept both under `%APPDATA%\presently\Presently\{data,config}` on Windows (the `directories`
//! crate's project layout, which repeats the name): [`move_earlier_windows_folders`] moves a user's files from
//! there once, at start.

use std::io;
use std::path::{Path, PathBuf};

/// The folder name under `%LOCALAPPDATA%` and `%APPDATA%` on Windows.
pub const WINDOWS_FOLDER: &str = "Presently";

/// The data folder, or `None` when the platform has no home directory and no override is set.
pub fn data_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    match env("PRESENTLY_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => platform_data_dir(),
    }
}

/// The platform's settings folder (the user's `settings.toml` lives in it), or `None` without a home directory.
pub fn config_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        directories::BaseDirs::new().map(|d| d.config_dir().join(WINDOWS_FOLDER))
    } else {
        project_dirs().map(|d| d.config_dir().to_path_buf())
    }
}

fn platform_data_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        directories::BaseDirs::new().map(|d| d.data_local_dir().join(WINDOWS_FOLDER))
    } else {
        project_dirs().map(|d| d.data_dir().to_path_buf())
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("app", "presently", "Presently")
}

/// Reads the process environment (the default `env` for [`data_dir`] and the settings).
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// What moving an earlier folder did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// Entries now in the new folder.
    pub moved: Vec<PathBuf>,
    /// Entries left in the earlier folder because the new folder already has one of that name (never overwritten).
    pub kept: Vec<PathBuf>,
}

/// Moving an earlier folder's files failed part way; what was moved stays moved.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot move {from} to {to}: {source}; move the files yourself, or leave them and sign in again",
    from = from.display(),
    to = to.display()
)]
pub struct MoveError {
    /// The entry that could not be moved.
    pub from: PathBuf,
    /// Where it was going.
    pub to: PathBuf,
    /// Why.
    pub source: io::Error,
}

/// Moves every entry of the folder `from` into the folder `to` (made if missing), keeping what `to` already has
/// (an entry of the same name is left in `from`), then removes `from` if it is left empty. Nothing to do when
/// `from` does not exist: that is how "once" holds, with no marker file. Safe when two processes start together:
/// an entry the other one moved first is skipped.
pub fn move_folder_contents(from: &Path, to: &Path) -> Result<Moved, MoveError> {
    let mut done = Moved::default();
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(done),
        Err(source) => {
            return Err(MoveError {
                from: from.to_path_buf(),
                to: to.to_path_buf(),
                source,
            });
        }
    };
    let fail = |from: &Path, to: &Path| {
        let (from, to) = (from.to_path_buf(), to.to_path_buf());
        move |source| MoveError { from, to, source }
    };
    crate::config::file::ensure_private_dir(to).map_err(fail(from, to))?;
    for entry in entries {
        let entry = entry.map_err(fail(from, to))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        if target.exists() {
            done.kept.push(source);
            continue;
        }
        match move_entry(&source, &target) {
            Ok(()) => done.moved.push(target),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(&source, &target)(e)),
        }
    }
    if done.kept.is_empty() {
        remove_if_empty(from);
    }
    Ok(done)
}

/// A rename, or a copy and a removal where a rename cannot cross (a redirected Roaming folder on another volume).
fn move_entry(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(e),
        Err(_) => {
            copy_tree(from, to)?;
            if from.is_dir() {
                std::fs::remove_dir_all(from)
            } else {
                std::fs::remove_file(from)
            }
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Removes `dir` when nothing is in it; a folder with something in it (or gone) is left as it is.
fn remove_if_empty(dir: &Path) {
    // `remove_dir` refuses a folder that is not empty, which is the check.
    let _ = std::fs::remove_dir(dir);
}

/// The earlier Windows layout, under the Roaming folder `roaming`: `presently\Presently\{data,config}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierLayout {
    /// `%APPDATA%\presently\Presently`.
    pub root: PathBuf,
    /// Its `data` folder: tokens, the keeper's intent, the last set.
    pub data: PathBuf,
    /// Its `config` folder: `settings.toml`.
    pub config: PathBuf,
}

impl EarlierLayout {
    /// The layout under the Roaming folder `roaming`.
    pub fn under(roaming: &Path) -> Self {
        let root = roaming.join("presently").join("Presently");
        Self {
            data: root.join("data"),
            config: root.join("config"),
            root,
        }
    }

    /// Moves the data into `data` and the settings into `config` (each `None` when the user named a folder of
    /// their own, which is left alone), then removes what is left empty of the earlier folders. On Windows
    /// `%APPDATA%\presently` is the new settings folder `%APPDATA%\Presently` (names are not case-sensitive), so
    /// only `presently\Presently` below it is removed.
    pub fn move_to(&self, data: Option<&Path>, config: Option<&Path>) -> Result<Moved, MoveError> {
        let mut all = Moved::default();
        for (from, to) in [(&self.data, data), (&self.config, config)] {
            if let Some(to) = to {
                let Moved { moved, kept } = move_folder_contents(from, to)?;
                all.moved.extend(moved);
                all.kept.extend(kept);
            }
        }
        remove_if_empty(&self.root);
        Ok(all)
    }
}

/// On Windows, moves a user's files from the earlier layout ([`EarlierLayout`]) to `%LOCALAPPDATA%\Presently`
/// and `%APPDATA%\Presently`, once; what it did is logged. Elsewhere, and when there is nothing to move, nothing
/// happens. Called at start by the app and the CLI, before any file is read.
pub fn move_earlier_windows_folders(env: &dyn Fn(&str) -> Option<String>) {
    if !cfg!(windows) {
        return;
    }
    let Some(roaming) = directories::BaseDirs::new().map(|d| d.config_dir().to_path_buf()) else {
        return;
    };
    let named = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    let data = (!named("PRESENTLY_DATA_DIR")).then(platform_data_dir).flatten();
    let config = (!named("PRESENTLY_CONFIG")).then(config_dir).flatten();
    let earlier = EarlierLayout::under(&roaming);
    match earlier.move_to(data.as_deref(), config.as_deref()) {
        Ok(done) => {
            for path in &done.moved {
                tracing::info!(path = %path.display(), "moved from the earlier folder");
            }
            for path in &done.kept {
                tracing::warn!(
                    path = %path.display(),
                    "left in the earlier folder: the new folder already has a file of that name"
                );
            }
        }
        Err(e) => tracing::error!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// The Windows layout in a temporary folder: `Roaming` and `Local` as `%APPDATA%` and `%LOCALAPPDATA%`.
    /// On Windows (the tests run under Wine) `Roaming\presently` and `Roaming\Presently` are one folder, as there.
    struct Profile {
        _dir: tempfile::TempDir,
        earlier: EarlierLayout,
        data: PathBuf,
        config: PathBuf,
    }

    fn profile() -> Profile {
        let dir = tempfile::tempdir().unwrap();
        let roaming = dir.path().join("Roaming");
        Profile {
            earlier: EarlierLayout::under(&roaming),
            data: dir.path().join("Local").join(WINDOWS_FOLDER),
            config: roaming.join(WINDOWS_FOLDER),
            _dir: dir,
        }
    }

    #[test]
    fn the_earlier_windows_files_move_to_local_and_roaming_and_the_earlier_folders_go() {
        let p = profile();
        write(&p.earlier.data.join("tokens.enc"), "sealed");
        write(&p.earlier.data.join("demo").join("intent.json"), "{}");
        write(
            &p.earlier.config.join("settings.toml"),
            "tray-time-left = false\n",
        );

        let done = p.earlier.move_to(Some(&p.data), Some(&p.config)).unwrap();

        assert_eq!(read(&p.data.join("tokens.enc")), "sealed");
        assert_eq!(read(&p.data.join("demo").join("intent.json")), "{}");
        assert_eq!(read(&p.config.join("settings.toml")), "tray-time-left = false\n");
        assert_eq!(done.moved.len(), 3, "{done:?}");
        assert!(done.kept.is_empty());
        assert!(!p.earlier.data.exists(), "the earlier data folder is gone");
        assert!(!p.earlier.config.exists(), "the earlier settings folder is gone");
        assert!(!p.earlier.root.exists(), "presently\\Presently is gone");
        // The new settings folder (on Windows the same folder as Roaming\presently) holds only the settings.
        let names: Vec<_> = std::fs::read_dir(&p.config)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["settings.toml"]);
    }

    #[test]
    fn a_second_start_finds_nothing_to_move_and_changes_nothing() {
        let p = profile();
        write(&p.earlier.data.join("tokens.enc"), "sealed");
        p.earlier.move_to(Some(&p.data), Some(&p.config)).unwrap();
        write(&p.data.join("tokens.enc"), "newer");

        let again = p.earlier.move_to(Some(&p.data), Some(&p.config)).unwrap();

        assert_eq!(again, Moved::default());
        assert_eq!(read(&p.data.join("tokens.enc")), "newer");
    }

    #[test]
    fn a_file_the_new_folder_already_has_is_never_overwritten_and_the_earlier_one_stays() {
        let p = profile();
        write(&p.earlier.data.join("tokens.enc"), "earlier");
        write(&p.earlier.data.join("last-set.json"), "{}");
        write(&p.data.join("tokens.enc"), "current");

        let done = p.earlier.move_to(Some(&p.data), Some(&p.config)).unwrap();

        assert_eq!(read(&p.data.join("tokens.enc")), "current");
        assert_eq!(read(&p.data.join("last-set.json")), "{}");
        assert_eq!(done.kept, [p.earlier.data.join("tokens.enc")]);
        assert_eq!(read(&p.earlier.data.join("tokens.enc")), "earlier");
    }

    #[test]
    fn a_folder_the_user_named_is_not_filled_from_the_earlier_one() {
        let p = profile();
        write(&p.earlier.data.join("tokens.enc"), "sealed");
        write(&p.earlier.config.join("settings.toml"), "");

        // PRESENTLY_DATA_DIR named: the data stays where it was; the settings still move.
        p.earlier.move_to(None, Some(&p.config)).unwrap();

        assert!(!p.data.exists());
        assert_eq!(read(&p.earlier.data.join("tokens.enc")), "sealed");
        assert!(p.config.join("settings.toml").is_file());
    }

    #[test]
    fn nothing_to_move_makes_no_folder() {
        let p = profile();
        assert_eq!(
            p.earlier.move_to(Some(&p.data), Some(&p.config)).unwrap(),
            Moved::default()
        );
        assert!(!p.data.exists() && !p.config.exists());
    }

    #[test]
    fn on_windows_the_folders_are_named_presently_once_in_local_and_roaming() {
        let data = data_dir(&|_| None).unwrap();
        let config = config_dir().unwrap();
        if cfg!(windows) {
            let local = directories::BaseDirs::new()
                .unwrap()
                .data_local_dir()
                .to_path_buf();
            let roaming = directories::BaseDirs::new().unwrap().config_dir().to_path_buf();
            assert_eq!(data, local.join("Presently"));
            assert_eq!(config, roaming.join("Presently"));
        } else {
            // Linux and macOS keep the layout they had.
            let project = project_dirs().unwrap();
            assert_eq!(data, project.data_dir());
            assert_eq!(config, project.config_dir());
        }
        assert_eq!(
            data_dir(&|_| Some("/elsewhere".into())).unwrap(),
            PathBuf::from("/elsewhere")
        );
    }
}
