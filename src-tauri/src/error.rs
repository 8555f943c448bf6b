//! Errors of the app's glue: what a command returns to the webview (always a shape the UI can act on,
//! architecture convention 6), and why a process could not start.

use presently_core::config::edit::SettingsRejected;
use presently_core::ipc::{CallError, IpcError};
use presently_core::{Problem, ProblemKind};
use serde::Serialize;

/// The error of a `#[tauri::command]`, serialised as the contract says: a `Problem`
/// (`{ kind, message, action?, retryInSecs? }`) or, for rejected settings, `{ fieldErrors: [...] }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CommandError {
    /// A problem, with the action that helps.
    Problem(Problem),
    /// Settings that were not saved: `{ fieldErrors: [{ field, message }] }`, or a problem with the file.
    Rejected(SettingsRejected),
}

impl From<Problem> for CommandError {
    fn from(problem: Problem) -> Self {
        CommandError::Problem(problem)
    }
}

impl From<CallError> for CommandError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Problem(problem) => CommandError::Problem(problem),
            CallError::Disconnected => CommandError::Problem(gone()),
        }
    }
}

/// The problem shown when the main process no longer answers (it quit or crashed).
pub fn gone() -> Problem {
    Problem::new(
        ProblemKind::Internal,
        "Presently's tray process stopped answering: start Presently again",
    )
}

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The command line is wrong.
    #[error(transparent)]
    Args(#[from] crate::args::ArgsError),
    /// The core refused to start (settings, token store...).
    #[error("Presently cannot start: {}", .0.message)]
    Core(Problem),
    /// The local IPC could not be served or reached.
    #[error(transparent)]
    Ipc(#[from] IpcError),
    /// The demo's emulator did not start.
    #[error(transparent)]
    Emulator(#[from] crate::demo::DemoError),
    /// The platform has no data folder.
    #[error("cannot find a data folder: set PRESENTLY_DATA_DIR")]
    NoDataDir,
    /// A file or folder could not be used.
    #[error("{}: {source}", path.display())]
    Io {
        /// What could not be used.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Tauri could not build or run the app.
    #[error("the window system refused: {0}")]
    Tauri(#[from] tauri::Error),
    /// The running app refused what a second launch asked (a bad duration, a stopped keeper).
    #[error("the running Presently refused: {0}")]
    Forward(presently_core::ipc::CallError),
    /// Another launch holds the instance lock but its IPC never answered.
    #[error("another Presently holds {} but does not answer at {endpoint}: is it stuck? (end it, then start again)", lock.display())]
    NotAnswering {
        /// The instance lock file.
        lock: std::path::PathBuf,
        /// The IPC endpoint it should serve.
        endpoint: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_core::Action;
    use serde_json::json;

    #[test]
    fn a_problem_serialises_with_its_kind_message_action_and_retry() {
        let problem = Problem::new(
            ProblemKind::ConsentRequired,
            "An administrator must approve Presently",
        )
        .with_action(Action::CopyAdminConsentLink {
            url: "http://127.0.0.1:1/contoso/adminconsent?client_id=x".into(),
        });
        let value = serde_json::to_value(CommandError::from(CallError::Problem(problem))).unwrap();
        assert_eq!(
            value,
            json!({
                "kind": "consentRequired",
                "message": "An administrator must approve Presently",
                "action": {"type": "copyAdminConsentLink", "url": "http://127.0.0.1:1/contoso/adminconsent?client_id=x"},
                "retryInSecs": null
            })
        );
    }

    #[test]
    fn a_lost_main_process_is_an_internal_problem_that_says_what_to_do() {
        let value = serde_json::to_value(CommandError::from(CallError::Disconnected)).unwrap();
        assert_eq!(value["kind"], "internal");
        assert!(
            value["message"]
                .as_str()
                .unwrap()
                .contains("start Presently again")
        );
    }

    #[test]
    fn rejected_settings_serialise_as_field_errors() {
        let rejected: SettingsRejected = serde_json::from_value(
            json!({"fieldErrors": [{"field": "workdayEnd", "message": "Expected HH:MM"}]}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(CommandError::Rejected(rejected)).unwrap(),
            json!({"fieldErrors": [{"field": "workdayEnd", "message": "Expected HH:MM"}]})
        );
    }
}
