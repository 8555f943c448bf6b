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

    /// Starts the popup if none runs (another launch of the app, or a CLI, asked for it with `showPopup`; a
    /// running popup hears that request itself).
    pub fn ensure_running(&self) {
        let running = {
            let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
            child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
        };
        if !running {
            self.open(None);
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

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::time::Duration;

    use presently_emulator::{Emulator, EmulatorConfig};

    use super::*;

    /// A stand-in for `presently-app --popup`: records its arguments, then stays alive like a popup.
    #[allow(clippy::unwrap_used)] // test setup: a failure must fail the test
    fn fake_popup(dir: &std::path::Path) -> (PathBuf, PathBuf) {
        let record = dir.join("launches.txt");
        let exe = dir.join("fake-popup");
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec sleep 30\n",
                record.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        (exe, record)
    }

    fn launches(record: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(record)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn wait_for_launches(record: &std::path::Path, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let lines = launches(record);
            if lines.len() >= n {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        launches(record)
    }

    #[test]
    fn the_popup_is_started_once_then_woken_over_the_ipc_and_ended_on_quit() {
        let dir = tempfile::tempdir().unwrap();
        let (emulator, presently) = tauri::async_runtime::block_on(async {
            let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let presently = presently_testkit::start_presently(&emulator, dir.path()).await;
            (emulator, presently)
        });
        let (exe, record) = fake_popup(dir.path());
        let endpoint = Endpoint::at(dir.path().join("keeper.sock"));
        let launcher = Launcher::new(exe, endpoint, presently.clone());
        let mut events = presently.events();

        launcher.open(Some(TrayRect {
            x: 1800,
            y: 1040,
            width: 24,
            height: 24,
        }));
        let socket = dir.path().join("keeper.sock").display().to_string();
        assert_eq!(
            wait_for_launches(&record, 1),
            [format!("--popup --ipc {socket} --tray-rect 1800,1040,24,24")]
        );

        // Alive: asked to show itself, not started again.
        launcher.open(None);
        launcher.ensure_running();
        assert_eq!(events.try_recv().unwrap(), AppEvent::ShowPopup);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(launches(&record).len(), 1, "{:?}", launches(&record));

        // Gone (quit, or it lingered out): the next request starts a new one.
        launcher.close();
        launcher.ensure_running();
        assert_eq!(
            wait_for_launches(&record, 2)[1],
            format!("--popup --ipc {socket}")
        );
        launcher.close();
        drop(emulator);
    }
}
