//! The main process's side of the popup (the idle app holds no web process, see docs/architecture.md). Opening the popup spawns
//! `presently-app --popup` (this same executable) when none is alive, or asks a lingering one to show itself
//! through the IPC event `showPopup`. Quitting ends the child.
//!
//! A task waits on each popup process, so one that ends by itself (it lingered its minutes out) is reaped at
//! once and leaves no zombie behind.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use presently_core::ipc::Endpoint;
use presently_core::{AppEvent, Presently};
use tokio::process::Command;
use tokio::sync::oneshot;

use crate::args::TrayRect;

/// A popup process, waited on by its own task.
#[derive(Debug)]
struct Running {
    pid: Option<u32>,
    /// Set by the task when the process has ended (and been reaped).
    ended: Arc<AtomicBool>,
    /// Asks the task to kill the process; it answers once the process is gone.
    kill: Option<oneshot::Sender<mpsc::Sender<()>>>,
}

impl Running {
    fn alive(&self) -> bool {
        !self.ended.load(Ordering::SeqCst)
    }

    /// Kills the process and waits (a little) until it is reaped.
    fn end(mut self) {
        let Some(kill) = self.kill.take() else { return };
        let (done, gone) = mpsc::channel();
        if kill.send(done).is_ok() {
            let _ = gone.recv_timeout(std::time::Duration::from_secs(2));
        }
    }
}

/// Spawns or wakes the popup process.
#[derive(Debug)]
pub struct Launcher {
    exe: PathBuf,
    endpoint: Endpoint,
    presently: Presently,
    child: Mutex<Option<Running>>,
    /// Set when no tray icon can be seen: the popup is then a normal window showing this note.
    no_tray: Mutex<Option<String>>,
}

impl Launcher {
    /// A launcher of `exe --popup --ipc <endpoint>`.
    pub fn new(exe: PathBuf, endpoint: Endpoint, presently: Presently) -> Self {
        Self {
            exe,
            endpoint,
            presently,
            child: Mutex::new(None),
            no_tray: Mutex::new(None),
        }
    }

    /// No tray icon can be seen (no tray host, or the desktop refused the icon): from now on the popup opens as
    /// a normal window that shows `note` (how to get tray icons) and a Quit button.
    pub fn set_no_tray(&self, note: String) {
        *self.no_tray.lock().unwrap_or_else(|e| e.into_inner()) = Some(note);
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
        if let Some(note) = self.no_tray.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            args.push("--no-tray".into());
            args.push(note);
        }
        args
    }

    /// Shows the popup: wakes the lingering process, or starts one (beside `rect` when the tray was clicked).
    pub fn open(&self, rect: Option<TrayRect>) {
        // The user looks: what the popup shows is read afresh unless it is under a minute old.
        let _ = self.presently.look();
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        if child.as_ref().is_some_and(Running::alive) {
            self.presently.announce(AppEvent::ShowPopup);
            return;
        }
        match self.spawn(rect) {
            Ok(running) => {
                tracing::info!(pid = running.pid, "popup process started");
                *child = Some(running);
            }
            Err(e) => {
                tracing::error!(error = %e, exe = %self.exe.display(), "cannot start the popup process")
            }
        }
    }

    fn spawn(&self, rect: Option<TrayRect>) -> std::io::Result<Running> {
        // Spawned inside the runtime, whose process driver the waiting task needs.
        let runtime = tauri::async_runtime::handle();
        let _entered = runtime.inner().enter();
        let mut process = Command::new(&self.exe)
            .args(self.popup_args(rect))
            .stdin(Stdio::null())
            .spawn()?;
        let ended = Arc::new(AtomicBool::new(false));
        let (kill, killed) = oneshot::channel::<mpsc::Sender<()>>();
        let pid = process.id();
        tauri::async_runtime::spawn({
            let ended = ended.clone();
            async move {
                let done = tokio::select! {
                    status = process.wait() => {
                        tracing::info!(?pid, status = ?status.ok(), "the popup process ended");
                        None
                    }
                    Ok(done) = killed => {
                        let _ = process.kill().await;
                        Some(done)
                    }
                };
                ended.store(true, Ordering::SeqCst);
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
        });
        Ok(Running {
            pid,
            ended,
            kill: Some(kill),
        })
    }

    /// Starts the popup if none runs (another launch of the app, or a CLI, asked for it with `showPopup`; a
    /// running popup hears that request itself).
    pub fn ensure_running(&self) {
        let _ = self.presently.look();
        let running = self
            .child
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(Running::alive);
        if !running {
            self.open(None);
        }
    }

    /// Ends the popup process, if one runs (on quit).
    pub fn close(&self) {
        let running = self.child.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(running) = running {
            running.end();
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

    /// A core on the emulator, for the launcher to announce `showPopup` on.
    #[allow(clippy::unwrap_used)] // test setup: a failure must fail the test
    fn core(dir: &std::path::Path) -> (Emulator, Presently) {
        tauri::async_runtime::block_on(async {
            let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let presently = presently_testkit::start_presently(&emulator, dir).await;
            (emulator, presently)
        })
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
        let (emulator, presently) = core(dir.path());
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

        // No tray icon can be seen: the popup is started as a window with the note.
        launcher.set_no_tray("Add a tray.".into());
        launcher.open(None);
        assert_eq!(
            wait_for_launches(&record, 3)[2],
            format!("--popup --ipc {socket} --no-tray Add a tray.")
        );
        launcher.close();
        drop(emulator);
    }

    /// The state letter of process `pid` in /proc (`Z` for a zombie), if it still exists.
    fn process_state(pid: u32) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(") ")?.1.chars().next()
    }

    #[test]
    fn a_popup_that_ends_by_itself_is_reaped_and_the_next_open_starts_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let (emulator, presently) = core(dir.path());
        let record = dir.path().join("launches.txt");
        let exe = dir.path().join("short-popup");
        // Lingers 0.2 s, then ends on its own, as a popup does after its lingering minutes.
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec sleep 0.2\n",
                record.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let launcher = Launcher::new(exe, Endpoint::at(dir.path().join("keeper.sock")), presently);
        launcher.open(None);
        let pid = launcher
            .child
            .lock()
            .unwrap()
            .as_ref()
            .and_then(|r| r.pid)
            .unwrap();
        wait_for_launches(&record, 1);
        let mut state = process_state(pid);
        for _ in 0..300 {
            if state.is_none() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
            state = process_state(pid);
        }
        assert_eq!(
            state, None,
            "the ended popup is still in the process table (Z = zombie)"
        );
        launcher.ensure_running();
        assert_eq!(wait_for_launches(&record, 2).len(), 2);
        launcher.close();
        drop(emulator);
    }
}
