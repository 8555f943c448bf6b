//! The "last set" record: what a one-shot `presently set` pinned, until when, and when its presence session
//! lapses, kept in the data folder (`cli-last-set.json`) so that a later `presently status` can say what
//! Presently set without a keeper to ask.
//!
//! It is a note, not the truth: a change made in Teams, on another computer or by another app is not in it,
//! which is why `status` always shows Graph's reading beside it and says when they disagree. `clear` and
//! `logout` remove it; a record of another account is ignored. A record that cannot be read is reported as a
//! warning and otherwise ignored, never a failure. It holds no secret.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use presently_core::config::file::write_atomically;
use presently_model::Intent;
use serde::{Deserialize, Serialize};

/// The record's file name in the data folder (the keeper's own files use other names).
pub const FILE_NAME: &str = "cli-last-set.json";

const VERSION: u32 = 1;

/// What a one-shot `set` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LastSet {
    /// Format version (1).
    pub version: u32,
    /// The account whose presence was set (object id).
    pub account_oid: String,
    /// The status, its end, when and from where (always the CLI here).
    pub intent: Intent,
    /// When Graph drops the pin: the end, capped at the longest `expirationDuration` sent, or Graph's
    /// default expiry when none was sent.
    pub pin_expires_at: Option<Timestamp>,
    /// When Presently's presence session lapses; `None` for Appear offline, which has none.
    pub session_expires_at: Option<Timestamp>,
}

impl LastSet {
    /// A record of version 1.
    pub fn new(
        account_oid: impl Into<String>,
        intent: Intent,
        pin_expires_at: Option<Timestamp>,
        session_expires_at: Option<Timestamp>,
    ) -> Self {
        Self {
            version: VERSION,
            account_oid: account_oid.into(),
            intent,
            pin_expires_at,
            session_expires_at,
        }
    }
}

/// The record's path in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Reads the record; `Ok(None)` when there is none. The error says what is wrong, for a warning.
pub fn load(data_dir: &Path) -> Result<Option<LastSet>, String> {
    let path = path(data_dir);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let record: LastSet = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{} is not a record Presently understands ({e}); it is ignored",
            path.display()
        )
    })?;
    if record.version != VERSION {
        return Err(format!(
            "{} has version {}, not {VERSION}; it is ignored",
            path.display(),
            record.version
        ));
    }
    Ok(Some(record))
}

/// Replaces the record atomically.
pub fn save(data_dir: &Path, record: &LastSet) -> Result<(), String> {
    let bytes = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
    write_atomically(&path(data_dir), &bytes).map_err(|e| e.to_string())
}

/// Removes the record; nothing to do when there is none.
pub fn remove(data_dir: &Path) -> Result<(), String> {
    match std::fs::remove_file(path(data_dir)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path(data_dir).display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_model::{Origin, PreferredPresence, Until};

    fn sample() -> LastSet {
        let set_at: Timestamp = "2025-06-02T08:00:00Z".parse().unwrap();
        let end: Timestamp = "2025-06-02T09:00:00Z".parse().unwrap();
        LastSet::new(
            "oid-1",
            Intent::new(PreferredPresence::Busy, Until::at(end), set_at, Origin::Cli),
            Some(end),
            Some(end),
        )
    }

    #[test]
    fn a_record_round_trips_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        save(dir.path(), &sample()).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(sample()));
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(
            text.contains("\"accountOid\"") && text.contains("\"sessionExpiresAt\""),
            "{text}"
        );
        remove(dir.path()).unwrap();
        remove(dir.path()).unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
    }

    #[test]
    fn a_damaged_record_is_an_explained_error_and_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), "{not json").unwrap();
        let error = load(dir.path()).unwrap_err();
        assert!(error.contains(FILE_NAME), "{error}");
        assert_eq!(std::fs::read_to_string(path(dir.path())).unwrap(), "{not json");
    }
}
