//! The log file a user can find: where it lives and the size-rotated writer the app logs through.
//!
//! | Linux | macOS | Windows |
//! |---|---|---|
//! | `$XDG_STATE_HOME/presently` (`~/.local/state/presently`) | `~/Library/Logs/Presently` | `%LOCALAPPDATA%\Presently\logs` |
//!
//! `PRESENTLY_LOG_DIR` names another folder; without it, a data folder named by `PRESENTLY_DATA_DIR` keeps its
//! log in its `logs` folder, so a run with a folder of its own (a test, a portable copy) leaves the user's log
//! alone. Each file is cut at [`MAX_FILE_BYTES`] and [`KEPT_FILES`] earlier ones are kept (`app.log.1` is the
//! newest of those), so the log never holds more than about 10 MiB. The files are the user's only (0600 on Unix)
//! and, like every log line, never hold a secret (crates/auth/tests/no_secrets_in_logs.rs reads them).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};

use crate::paths::WINDOWS_FOLDER;

/// A file is cut once it has grown past this many bytes.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// How many cut files are kept besides the one being written.
pub const KEPT_FILES: usize = 4;

/// The log folder, or `None` when the platform has no home folder and no override is set.
pub fn log_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(dir) = env("PRESENTLY_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(data) = env("PRESENTLY_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(Path::new(&data).join("logs"));
    }
    platform_log_dir()
}

fn platform_log_dir() -> Option<PathBuf> {
    if cfg!(windows) {
        directories::BaseDirs::new().map(|d| d.data_local_dir().join(WINDOWS_FOLDER).join("logs"))
    } else if cfg!(target_os = "macos") {
        directories::BaseDirs::new().map(|d| d.home_dir().join("Library/Logs").join(WINDOWS_FOLDER))
    } else {
        // `state_dir` is `$XDG_STATE_HOME/presently`, or `~/.local/state/presently` when that is unset.
        directories::ProjectDirs::from("app", "presently", "Presently")
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
    }
}

/// The log file could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the log in {dir}: {source}; Presently runs on, logging to its standard error only", dir = dir.display())]
pub struct LogFileError {
    /// The folder.
    pub dir: PathBuf,
    /// Why.
    pub source: io::Error,
}

/// A log file cut by size: `{name}.log`, then `{name}.log.1` (newest) to `{name}.log.{kept}`.
pub struct LogFile {
    dir: PathBuf,
    path: PathBuf,
    max_file_bytes: usize,
    kept_files: usize,
    inner: FileRotate<AppendCount>,
}

impl std::fmt::Debug for LogFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogFile")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl LogFile {
    /// Opens (appending) `{name}.log` in `dir` with the app's limits, making the folder (private) if needed.
    pub fn open(dir: &Path, name: &str) -> Result<Self, LogFileError> {
        Self::open_with_limits(dir, name, MAX_FILE_BYTES, KEPT_FILES)
    }

    /// [`LogFile::open`] with other limits (tests cut small files to see the rotation).
    pub fn open_with_limits(
        dir: &Path,
        name: &str,
        max_file_bytes: usize,
        kept_files: usize,
    ) -> Result<Self, LogFileError> {
        let fail = |source| LogFileError {
            dir: dir.to_path_buf(),
            source,
        };
        if max_file_bytes == 0 {
            return Err(fail(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a log file needs room for at least one byte",
            )));
        }
        // Made here, so the library's own folder creation (which panics when it fails) has nothing to do.
        crate::config::file::ensure_private_dir(dir).map_err(fail)?;
        let path = dir.join(format!("{name}.log"));
        // Opened once here to report a folder that cannot be written; the library would only drop the lines.
        private_append_options().open(&path).map_err(fail)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            inner: rotating(&path, max_file_bytes, kept_files),
            path,
            max_file_bytes,
            kept_files,
        })
    }

    /// The folder the files are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn rotating(path: &Path, max_file_bytes: usize, kept_files: usize) -> FileRotate<AppendCount> {
    FileRotate::new(
        path,
        AppendCount::new(kept_files),
        ContentLimit::BytesSurpassed(max_file_bytes),
        Compression::None,
        Some(private_append_options()),
    )
}

fn private_append_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A file or folder removed while the app runs (a user clearing the log) is made again at the next line;
        // the library would write on into the removed file until its next cut. The folder is made here, as the
        // library panics when it cannot make it: here that is an error, not a crash.
        if !self.path.exists() {
            crate::config::file::ensure_private_dir(&self.dir)?;
            self.inner = rotating(&self.path, self.max_file_bytes, self.kept_files);
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn the_override_wins_then_a_named_data_folder_then_the_platforms_folder() {
        let both = env_of(&[("PRESENTLY_LOG_DIR", "/tmp/l"), ("PRESENTLY_DATA_DIR", "/tmp/d")]);
        assert_eq!(log_dir(&both), Some(PathBuf::from("/tmp/l")));
        let data = env_of(&[("PRESENTLY_LOG_DIR", ""), ("PRESENTLY_DATA_DIR", "/tmp/d")]);
        assert_eq!(log_dir(&data), Some(Path::new("/tmp/d").join("logs")));
        let platform = log_dir(&env_of(&[])).unwrap();
        let shown = platform.to_string_lossy().replace('\\', "/");
        if cfg!(windows) {
            assert!(shown.ends_with("/Presently/logs"), "{shown}");
        } else if cfg!(target_os = "macos") {
            assert!(shown.ends_with("/Library/Logs/Presently"), "{shown}");
        } else {
            assert!(shown.ends_with("/presently"), "{shown}");
            let state = std::env::var("XDG_STATE_HOME")
                .ok()
                .filter(|s| s.starts_with('/'));
            match state {
                Some(state) => assert_eq!(platform, Path::new(&state).join("presently")),
                None => assert!(shown.ends_with("/.local/state/presently"), "{shown}"),
            }
        }
    }

    #[test]
    fn files_are_cut_by_size_and_only_the_kept_ones_remain() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("logs");
        let mut log = LogFile::open_with_limits(&dir, "app", 100, 2).unwrap();
        for i in 0..20 {
            writeln!(log, "line {i:02} {}", "x".repeat(40)).unwrap();
        }
        log.flush().unwrap();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["app.log", "app.log.1", "app.log.2"]);
        for name in &names {
            let len = std::fs::metadata(dir.join(name)).unwrap().len();
            assert!(len > 0 && len < 200, "{name} holds {len} bytes");
        }
        let newest = std::fs::read_to_string(dir.join("app.log")).unwrap();
        assert!(newest.contains("line 19"), "{newest}");
        let oldest = std::fs::read_to_string(dir.join("app.log.2")).unwrap();
        assert!(!oldest.contains("line 00"), "the oldest lines are gone: {oldest}");
    }

    #[test]
    fn a_reopened_log_appends() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("logs");
        writeln!(LogFile::open(&dir, "app").unwrap(), "first").unwrap();
        let mut log = LogFile::open(&dir, "app").unwrap();
        writeln!(log, "second").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("app.log")).unwrap(),
            "first\nsecond\n"
        );
    }

    // Unix only: Windows refuses to remove a folder while the log holds a file in it open, so a log folder cleared
    // under a running app cannot happen there.
    #[cfg(unix)]
    #[test]
    fn a_removed_folder_is_made_again() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("logs");
        let mut log = LogFile::open(&dir, "app").unwrap();
        writeln!(log, "first").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        writeln!(log, "second").unwrap();
        log.flush().unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("app.log")).unwrap(), "second\n");
    }

    #[cfg(unix)]
    #[test]
    fn the_files_and_folder_are_the_users_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("logs");
        let mut log = LogFile::open_with_limits(&dir, "app", 10, 1).unwrap();
        writeln!(log, "a line longer than ten bytes").unwrap();
        writeln!(log, "another").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("app.log")), 0o600);
        assert_eq!(mode(&dir.join("app.log.1")), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_not_a_panic() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-folder");
        std::fs::write(&file, "").unwrap();
        let err = LogFile::open(&file.join("logs"), "app").unwrap_err();
        assert!(err.to_string().contains("cannot write the log in"), "{err}");
    }
}
