//! Reading and writing TOML files without ever losing the user's words.
//!
//! - A file that does not parse, names an unknown key, or holds a bad value gives an error naming the file, the
//!   line and the key, so the user can fix it.
//! - A broken file is never overwritten or deleted: saving over it is refused until the user fixes or removes it.
//! - Writes are atomic: a temporary file in the same folder, flushed to disk, then renamed over the old one, so a
//!   crash leaves either the old or the new file, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file exists but could not be read (permissions, I/O).
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid, or holds an unknown key or a bad value.
    #[error("{path}, line {line}{}: {message}", key.as_deref().map(|k| format!(", key `{k}`")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// The key on that line, when there is one.
        key: Option<String>,
        /// What is wrong, in the parser's words (without the echoed source line).
        message: String,
    },
    /// Saving was refused because the file on disk is broken; it is left as it is.
    #[error(
        "not saving: {path} has an error the user must fix first ({reason}); the file was left untouched"
    )]
    RefusedOverBrokenFile {
        /// The file.
        path: PathBuf,
        /// The error the existing file has.
        reason: String,
    },
    /// Writing failed; the old file, if any, is unchanged.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The value could not be turned into TOML (a bug, not user input).
    #[error("cannot serialise settings: {0}")]
    Serialise(#[from] toml::ser::Error),
}

/// Reads `path` as `T`. `Ok(None)` when the file does not exist.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, FileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(FileError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    parse(path, &text).map(Some)
}

/// Parses `text` (the contents of `path`) as `T`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0).min(text.len());
        let line = text[..offset].matches('\n').count() + 1;
        let line_text = text.lines().nth(line - 1).unwrap_or("");
        FileError::Invalid {
            path: path.to_path_buf(),
            line,
            key: key_on_line(line_text),
            message: e.message().trim().to_string(),
        }
    })
}

/// The key a `key = value` line sets (`[table]` headers and blank lines have none).
fn key_on_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[') && !key.starts_with('#')).then(|| key.to_string())
}

/// Writes `value` to `path` atomically, creating the folder. Refuses when the existing file does not parse as
/// `T`, so a user's broken (and maybe half-fixed) file is never replaced by defaults.
pub fn save<T: Serialize + DeserializeOwned>(path: &Path, value: &T) -> Result<(), FileError> {
    if let Err(err) = load::<T>(path) {
        return Err(FileError::RefusedOverBrokenFile {
            path: path.to_path_buf(),
            reason: err.to_string(),
        });
    }
    let text = toml::to_string_pretty(value)?;
    write_atomically(path, text.as_bytes())
}

/// Replaces `path` with `bytes` atomically (temporary file in the same folder, fsync, rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "settings".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows opening a folder.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields, default)]
    struct Sample {
        name: String,
        count: u32,
        #[serde(rename = "section")]
        section: Section,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields, default)]
    struct Section {
        flag: bool,
    }

    #[test]
    fn a_missing_file_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load::<Sample>(&dir.path().join("nope.toml")).unwrap().is_none());
    }

    #[test]
    fn an_unknown_key_names_the_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "name = \"a\"\n\n[section]\nflg = true\n").unwrap();
        let err = load::<Sample>(&path).unwrap_err();
        let FileError::Invalid { line, key, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*line, key.as_deref()), (4, Some("flg")));
        let shown = err.to_string();
        assert!(shown.contains("s.toml, line 4, key `flg`"), "{shown}");
    }

    #[test]
    fn a_bad_value_names_its_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "name = \"a\"\ncount = -3\n").unwrap();
        let err = load::<Sample>(&path).unwrap_err();
        assert!(err.to_string().contains("line 2, key `count`"), "{err}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "\u{0}\u{1}[[[ = =").unwrap();
        assert!(matches!(load::<Sample>(&path), Err(FileError::Invalid { .. })));
    }

    #[test]
    fn saving_over_a_broken_file_is_refused_and_the_file_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        let broken = "name = \"half fixed\nflag = \n";
        std::fs::write(&path, broken).unwrap();
        let err = save(&path, &Sample::default()).unwrap_err();
        assert!(matches!(err, FileError::RefusedOverBrokenFile { .. }), "{err:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deeper").join("s.toml");
        let value = Sample {
            name: "x".into(),
            count: 3,
            section: Section { flag: true },
        };
        save(&path, &value).unwrap();
        assert_eq!(load::<Sample>(&path).unwrap(), Some(value));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s.toml")]);
    }
}
