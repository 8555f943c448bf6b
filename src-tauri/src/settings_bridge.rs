//! The settings page's data: the main process's core answers `settingsView` and `saveSettings` over the local
//! IPC; refused fields come back as a `{fieldErrors}` answer and become the command's error for the page.

use presently_core::config::edit::{SettingsPatch, SettingsRejected};
use presently_core::ipc::Request;
use presently_core::{Problem, ProblemKind};
use serde_json::Value;

use crate::commands::Ipc;
use crate::error::CommandError;

/// The settings page's view (`SettingsView`) of the settings the main process uses.
pub async fn view(ipc: &Ipc) -> Result<Value, CommandError> {
    ipc.call(Request::SettingsView).await
}

/// Checks and saves `patch` in the main process, which reloads and announces it; returns the new view.
pub async fn save(ipc: &Ipc, patch: SettingsPatch) -> Result<Value, CommandError> {
    let answer = ipc.call(Request::SaveSettings { patch }).await?;
    if answer.get("fieldErrors").is_some() {
        let rejected: SettingsRejected = serde_json::from_value(answer).map_err(|e| {
            CommandError::Problem(Problem::new(
                ProblemKind::Internal,
                format!("unexpected answer: {e}"),
            ))
        })?;
        return Err(CommandError::Rejected(rejected));
    }
    Ok(answer)
}
