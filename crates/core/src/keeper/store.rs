//! The keeper's memory across restarts: the intent and what was last applied, in one small JSON file in the
//! data folder, written atomically after every change. On start the keeper re-asserts a still-valid intent and
//! cleans up an expired one.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use presently_model::{Intent, PreferredPresence, StatusMessage};
use serde::{Deserialize, Serialize};

use crate::config::file::{ensure_private_dir, write_atomically};

/// What Graph should hold because of us.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// The pin we posted, if any.
    pub pin: Option<PreferredPresence>,
    /// When Graph drops that pin (its `expirationDuration` end); `None` = Graph's default.
    pub pin_lapses_at: Option<Timestamp>,
    /// When our session lapses, if we posted one.
    pub session_until: Option<Timestamp>,
    /// Graph has shown that pin since it was posted: after a gap, a different reading is then a change made
    /// elsewhere (Teams) and is adopted, not overwritten. Missing in files from older versions: not shown.
    #[serde(default)]
    pub shown: bool,
}

impl Applied {
    /// Whether anything of ours may still be on the service (a pin or a session).
    pub fn anything(&self) -> bool {
        self.pin.is_some() || self.session_until.is_some()
    }
}

/// The saved state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    /// The user's intent; `None` = automatic.
    pub intent: Option<Intent>,
    /// What we applied for it.
    pub applied: Applied,
    /// The status message the user chose, or the one Graph last showed (contract §2). Missing in files from
    /// older versions: none.
    #[serde(default)]
    pub message: Option<StatusMessage>,
    /// That message (or its removal) has not reached Graph yet: it is written before Graph's is adopted.
    #[serde(default)]
    pub message_pending: bool,
}

/// The state file.
#[derive(Debug, Clone)]
pub struct IntentFile {
    path: PathBuf,
}

impl IntentFile {
    /// The file `keeper.json` in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join("keeper.json"),
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the saved state. A missing file is a fresh start; a damaged one is set aside as `keeper.json.bad`
    /// (never deleted) and the keeper starts from automatic, saying so in the log.
    pub fn load(&self) -> Saved {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Saved::default(),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot read the keeper's state; starting from automatic");
                return Saved::default();
            }
        };
        match serde_json::from_str(&text) {
            Ok(saved) => saved,
            Err(e) => {
                let aside = self.path.with_extension("json.bad");
                let _ = std::fs::rename(&self.path, &aside);
                tracing::warn!(path = %self.path.display(), error = %e, kept = %aside.display(), "the keeper's state file was damaged; starting from automatic");
                Saved::default()
            }
        }
    }

    /// Saves atomically. Failure is logged, not fatal: the keeper keeps working from memory.
    pub fn save(&self, saved: &Saved) {
        if let Some(dir) = self.path.parent()
            && let Err(e) = ensure_private_dir(dir)
        {
            tracing::warn!(path = %dir.display(), error = %e, "cannot make the data folder owner-only");
        }
        let result = serde_json::to_vec_pretty(saved)
            .map_err(|e| e.to_string())
            .and_then(|bytes| write_atomically(&self.path, &bytes).map_err(|e| e.to_string()));
        if let Err(e) = result {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot save the keeper's state");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_model::{Origin, Until};

    #[test]
    fn state_round_trips_and_a_missing_file_is_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let file = IntentFile::in_dir(dir.path());
        assert_eq!(file.load(), Saved::default());
        let at: Timestamp = "2026-01-05T09:00:00Z".parse().unwrap();
        let saved = Saved {
            intent: Some(Intent::new(
                PreferredPresence::Busy,
                Until::UntilChanged,
                at,
                Origin::Popup,
            )),
            applied: Applied {
                pin: Some(PreferredPresence::Busy),
                pin_lapses_at: Some(at),
                session_until: Some(at),
                shown: true,
            },
            message: Some(StatusMessage {
                text: "Back at 3".into(),
                expires_at: Some(at),
                with_status: true,
                set_at: at,
                origin: Origin::Cli,
            }),
            message_pending: true,
        };
        file.save(&saved);
        assert_eq!(file.load(), saved);
    }

    #[cfg(unix)]
    #[test]
    fn the_state_file_is_owner_only_and_its_folder_is_tightened_to_0700() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = IntentFile::in_dir(&data);
        file.save(&Saved::default());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(file.path()), 0o600, "keeper.json");
        assert_eq!(mode(&data), 0o700, "an existing data folder is tightened");
    }

    #[test]
    fn a_state_file_from_before_the_shown_flag_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let file = IntentFile::in_dir(dir.path());
        std::fs::write(
            file.path(),
            r#"{"intent":null,"applied":{"pin":"busy","pinLapsesAt":null,"sessionUntil":null}}"#,
        )
        .unwrap();
        let saved = file.load();
        assert_eq!(saved.applied.pin, Some(PreferredPresence::Busy));
        assert!(!saved.applied.shown);
        assert_eq!(saved.message, None);
    }

    #[test]
    fn a_damaged_file_is_set_aside_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let file = IntentFile::in_dir(dir.path());
        std::fs::write(file.path(), "{ not json").unwrap();
        assert_eq!(file.load(), Saved::default());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("keeper.json.bad")).unwrap(),
            "{ not json"
        );
    }
}
