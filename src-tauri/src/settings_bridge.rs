//! The settings page's data, until the local IPC serves it itself.
//!
//! WORKAROUND (remove when the IPC has requests for the settings view and for saving a patch): the IPC answers
//! `settings` with the core's layered `Settings` and has no request that saves, while the contract's
//! `get_settings` / `save_settings` speak `SettingsView` and `SettingsPatch`. So the popup process asks the
//! main process where the settings files are, reads them itself with the core's own layering (it inherits the
//! main process's environment, and the tray app takes no flag that the view shows), checks and writes a patch
//! with the core's `config::edit::save`, and asks the main process to reload (which applies the change and
//! announces `settingsChanged` to every view). No rule of its own lives here: every check is the core's.

use std::path::PathBuf;

use presently_core::config::edit::{self, SettingsPatch};
use presently_core::config::{Locations, Overrides, Settings};
use presently_core::ipc::Request;
use presently_core::paths::process_env;
use presently_core::{Action, Problem, ProblemKind};
use serde_json::Value;

use crate::commands::Ipc;
use crate::error::CommandError;

/// The settings page's view (`SettingsView`) of the settings the main process uses.
pub async fn view(ipc: &Ipc) -> Result<Value, CommandError> {
    let settings = load(ipc).await?;
    serde_json::to_value(edit::view(&settings)).map_err(|e| internal(&e))
}

/// Checks and saves `patch` into the user's file, has the main process reload, and returns the new view.
pub async fn save(ipc: &Ipc, patch: SettingsPatch) -> Result<Value, CommandError> {
    let settings = load(ipc).await?;
    edit::save(&settings, &patch).map_err(CommandError::Rejected)?;
    ipc.call(Request::ReloadSettings).await?;
    view(ipc).await
}

async fn load(ipc: &Ipc) -> Result<Settings, CommandError> {
    let raw = ipc.call(Request::Settings).await?;
    let file = |key: &str| {
        raw.get(key)
            .and_then(Value::as_str)
            .map(PathBuf::from)
            .ok_or_else(|| {
                internal(&format!(
                    "the tray process did not say where its settings are ({key})"
                ))
            })
    };
    let locations = Locations {
        user: file("userFile")?,
        managed: file("managedFile")?,
    };
    Settings::load(&locations, &process_env, &Overrides::default()).map_err(|e| {
        CommandError::Problem(
            Problem::new(ProblemKind::Configuration, e.to_string()).with_action(Action::OpenSettings),
        )
    })
}

fn internal(e: &dyn std::fmt::Display) -> CommandError {
    CommandError::Problem(Problem::new(ProblemKind::Internal, e.to_string()))
}
