//! The main process's side of the popup (issue 5: the idle app holds no web process). Opening the popup spawns
//! `presently-app --popup` (this same executable) when none is alive, or asks a lingering one to show itself
//! through the IPC event `showPopup`. Quitting ends the child.

use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Mutex;

use presently_core::ipc::Endpoint;
use presently_core::{AppEvent, Presently};

use crate::args::TrayRect;

/// Spawns or wakes the popup process.
#[derive(Debug)]
pub struct Launcher {
    exe: PathBuf,
    endpoint: Endpoint,
    presently: Presently,
    child: Mutex<Option<Child>>,
}

impl Launcher {
    /// A launcher of `exe --popup --ipc <endpoint>`.
    pub fn new(exe: PathBuf, endpoint: Endpoint, presently: Presently) -> Self {
        Self {
            exe,
            endpoint,
            presently,
            child: Mutex::new(None),
        }
    }

    /// The popup's command line.
    pub fn popup_args(&self, rect: Option<TrayRect>) -> Vec<String> {
        let mut args = vec![
            "--popup".to_string(),
            "--ipc".to_string(),
            self.endpoint.address.display().to_string(),
        ];
        if let Some(rect) = rect {
            args.push("--tray-rect".into());
            args.push(rect.to_arg());
        }
        args
    }

    /// Shows the popup: wakes the lingering process, or starts one (beside `rect` when the tray was clicked).
    pub fn open(&self, rect: Option<TrayRect>) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(running) = child.as_mut()
            && matches!(running.try_wait(), Ok(None))
        {
            self.presently.announce(AppEvent::ShowPopup);
            return;
        }
        match Command::new(&self.exe).args(self.popup_args(rect)).spawn() {
            Ok(spawned) => {
                tracing::info!(pid = spawned.id(), "popup process started");
                *child = Some(spawned);
            }
            Err(e) => {
                tracing::error!(error = %e, exe = %self.exe.display(), "cannot start the popup process")
            }
        }
    }

    /// Ends the popup process, if one runs (on quit).
    pub fn close(&self) {
        if let Some(mut running) = self.child.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = running.kill();
            let _ = running.wait();
        }
    }
}
