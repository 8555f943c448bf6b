//! Global hotkeys, for the app's main process: registers the shortcuts of the settings (`[hotkeys]`, parsed and
//! checked by the core's `config::hotkeys`) with the desktop (on X11 through our own event-driven grabs, [`x11`];
//! on Windows and macOS through the `global-hotkey` crate, `native`), and acts on a key **press** (never the
//! release) exactly as the tray menu does, through the core facade (`Presently::choose_parsed` with the
//! `hotkey-duration` setting and origin `hotkey`, `back_to_automatic`, or opening the popup through
//! [`Target::open`]). The app registers again whenever the settings change (`src-tauri/src/hotkeys.rs`).
//!
//! Each shortcut is registered on its own, so one the desktop refuses (another application holds it: X11
//! answers the grab with `BadAccess`, Windows and macOS with what `global-hotkey` reports as
//! `AlreadyRegistered`; both are [`Refusal::Taken`]) fails alone and the others
//! keep working. The outcome goes to the core as a [`HotkeyReport`] (`Presently::report_hotkeys`): per action
//! the reason it failed, whether hotkeys can work at all ([`detect_support`]: a Wayland session cannot grab
//! keys, so nothing is registered there), and the `presently` command lines the settings page shows for binding
//! in the desktop's own keyboard settings instead. The settings page reads that report from the settings view.
//!
//! Threads: the backend lives in a thread-local of the main thread (Windows needs its message loop there, macOS
//! requires the main thread, and the crate's manager is not `Send`); the app calls [`start_here`] and
//! [`refresh`] there (Tauri's `run_on_main_thread`), so they run after the tray icon is up, not before it. Key
//! presses arrive on the X11 backend's own thread or the main thread, and only look up the action in a small
//! shared map.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use presently_core::config::hotkeys::{
    HotkeyAction, HotkeyReport, HotkeySupport, Shortcut, detect_support, quoted, refused_by_the_desktop,
    taken_by_another_application,
};
use presently_core::ipc::Endpoint;
use presently_core::{Presently, Problem};
use presently_model::{Intent, Origin};

// Compiled in Linux tests too, so its key mapping is tested here; only Windows and macOS start it.
#[cfg(any(windows, target_os = "macos", test))]
#[cfg_attr(not(any(windows, target_os = "macos")), allow(dead_code))]
mod native;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod x11;

/// What a registered shortcut is known by in key presses (given by the backend).
pub type HotkeyId = u32;

/// Why the desktop did not give us a shortcut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Another application holds it.
    Taken,
    /// Any other reason, as the desktop or the backend put it.
    Refused(String),
}

/// What registers keys with the desktop (a backend, or a stand-in in tests).
pub trait Registrar {
    /// Grabs `shortcut`; its presses will carry the id returned.
    fn register(&mut self, shortcut: &Shortcut) -> Result<HotkeyId, Refusal>;
    /// Releases what `id` grabbed.
    fn unregister(&mut self, id: HotkeyId);
}

/// Starts this platform's backend, which calls `on_press` once per press of a registered shortcut.
fn start_backend(on_press: impl Fn(HotkeyId) + Send + Sync + 'static) -> Result<Box<dyn Registrar>, String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    let backend = x11::X11Hotkeys::start(on_press).map(|b| Box::new(b) as Box<dyn Registrar>);
    #[cfg(any(windows, target_os = "macos"))]
    let backend = native::NativeHotkeys::start(on_press).map(|b| Box::new(b) as Box<dyn Registrar>);
    backend.map_err(|e| e.to_string())
}

/// The shortcuts wanted: every action with its shortcut or none, in `HotkeyAction::ALL` order.
pub type Wanted = Vec<(HotkeyAction, Option<Shortcut>)>;

/// What is registered now (kept on the main thread).
#[derive(Debug, Default)]
pub struct Registered {
    /// The grabs this process holds.
    pub hotkeys: Vec<HotkeyId>,
    /// The shortcuts they were registered for.
    pub wanted: Option<Wanted>,
    /// Why a wanted shortcut is not registered, per action.
    pub errors: BTreeMap<HotkeyAction, String>,
}

/// Which action a key event's id stands for (shared with the event side).
pub type Actions = Arc<Mutex<HashMap<u32, HotkeyAction>>>;

/// Releases what `registered` holds and registers `wanted`, each shortcut on its own (so one refusal does not
/// stop the others). Returns the new id → action map; `registered` records what is held and every refusal.
pub fn apply(
    registrar: &mut dyn Registrar,
    registered: &mut Registered,
    wanted: Wanted,
) -> HashMap<u32, HotkeyAction> {
    for id in registered.hotkeys.drain(..) {
        registrar.unregister(id);
    }
    registered.errors.clear();
    let mut actions = HashMap::new();
    for (action, shortcut) in &wanted {
        let Some(shortcut) = shortcut else { continue };
        match registrar.register(shortcut) {
            Ok(id) => {
                registered.hotkeys.push(id);
                actions.insert(id, *action);
            }
            Err(Refusal::Taken) => {
                tracing::warn!(%shortcut, %action, "another application holds this hotkey");
                registered
                    .errors
                    .insert(*action, taken_by_another_application(shortcut));
            }
            Err(Refusal::Refused(reason)) => {
                tracing::warn!(%shortcut, %action, %reason, "the desktop refused this hotkey");
                registered
                    .errors
                    .insert(*action, refused_by_the_desktop(shortcut, &reason));
            }
        }
    }
    registered.wanted = Some(wanted);
    actions
}

/// What a hotkey acts on.
#[derive(Clone)]
pub struct Target {
    /// The core.
    pub presently: Presently,
    /// Opens the popup.
    pub open: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").finish_non_exhaustive()
    }
}

impl Target {
    /// Does what `action`'s hotkey does, as the tray menu would: a status for the `hotkey-duration` setting
    /// (origin `hotkey`), back to automatic, or the popup. Returns the intent a status became.
    pub fn act(&self, action: HotkeyAction) -> Result<Option<Intent>, Problem> {
        match action {
            HotkeyAction::Status(status) => {
                let duration = self.presently.settings().hotkey_duration.value;
                self.presently
                    .choose_parsed(status, &duration, Origin::Hotkey)
                    .map(Some)
            }
            HotkeyAction::Automatic => self.presently.back_to_automatic().map(|()| None),
            HotkeyAction::Open => {
                (self.open)();
                Ok(None)
            }
        }
    }
}

/// Handles the press of a registered shortcut (backends report presses only): acts on its action; an id
/// registered no more does nothing.
pub fn on_press(actions: &Actions, target: &Target, id: HotkeyId) {
    let action = actions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .copied();
    let Some(action) = action else { return };
    tracing::info!(%action, "hotkey pressed");
    if let Err(problem) = target.act(action) {
        tracing::warn!(%action, message = %problem.message, "the hotkey's action was refused");
    }
}

/// The command lines of the report: one that takes `set STATUS --preset 1h` / `clear` and acts on this keeper,
/// and one that opens the popup.
///
/// The first is the `presently` CLI installed beside this program (an absolute path), which talks to the
/// running keeper over the IPC. When there is none, or in the demo, it is this program itself: a second launch
/// with `set ...`/`clear` forwards the choice to the running instance (`single_instance`), and that also works
/// for the demo, whose sign-in lives in a store of its own the CLI does not read. `env PRESENTLY_IPC=...` is
/// added when the app listens where a new process would not look (`PRESENTLY_IPC` set for the app); `env`
/// rather than a shell's `VAR=value`, because the desktops' shortcut editors run the command without a shell.
/// Opening is this program again (a second launch shows the running one's popup).
pub fn command_lines(
    exe: &Path,
    endpoint: &Endpoint,
    demo: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> (String, String) {
    let mut app = quoted(&exe.display().to_string());
    if demo {
        app.push_str(" --demo");
    }
    let cli_name = if cfg!(windows) {
        "presently.exe"
    } else {
        "presently"
    };
    let cli = exe
        .parent()
        .map(|dir| dir.join(cli_name))
        .filter(|path| path.is_file() && !demo)
        .map_or_else(|| app.clone(), |path| quoted(&path.display().to_string()));
    let explicit_ipc = env("PRESENTLY_IPC").is_some_and(|v| !v.is_empty());
    let cli = if explicit_ipc && !cfg!(windows) {
        format!(
            "env PRESENTLY_IPC={} {cli}",
            quoted(&endpoint.address.display().to_string())
        )
    } else {
        cli
    };
    (cli, app)
}

thread_local! {
    /// The backend and what it holds; only ever touched on the main thread.
    static MAIN_THREAD: RefCell<Option<(Box<dyn Registrar>, Registered)>> = const { RefCell::new(None) };
}

/// On the main thread (see the crate's notes on threads): starts this platform's backend, keeps it in the
/// thread, and registers the settings' shortcuts; a press acts on `target`. A backend that does not start is
/// reported to the core with its reason.
pub fn start_here(presently: &Presently, actions: &Actions, target: Target, base: &HotkeyReport) {
    let backend = start_backend({
        let actions = actions.clone();
        move |id| on_press(&actions, &target, id)
    });
    match backend {
        Ok(backend) => {
            MAIN_THREAD.with(|slot| *slot.borrow_mut() = Some((backend, Registered::default())));
            refresh(presently, actions, base);
        }
        Err(e) => {
            tracing::warn!(error = %e, "the hotkey service did not start");
            presently.report_hotkeys(HotkeyReport {
                support: HotkeySupport::Unavailable {
                    reason: format!("the hotkey service did not start ({e})."),
                },
                ..base.clone()
            });
        }
    }
}

/// On the main thread, after [`start_here`]: registers the shortcuts of the settings in force when they differ
/// from what is held (or some were refused), and reports the result.
pub fn refresh(presently: &Presently, actions: &Actions, base: &HotkeyReport) {
    let wanted: Wanted = presently.settings().hotkeys.iter().collect();
    let errors = MAIN_THREAD.with(|slot| {
        let mut slot = slot.borrow_mut();
        let (backend, registered) = slot.as_mut()?;
        if registered.wanted.as_ref() == Some(&wanted) && registered.errors.is_empty() {
            return Some(registered.errors.clone());
        }
        let map = apply(backend.as_mut(), registered, wanted);
        *actions.lock().unwrap_or_else(|e| e.into_inner()) = map;
        Some(registered.errors.clone())
    });
    if let Some(errors) = errors {
        presently.report_hotkeys(HotkeyReport {
            errors,
            ..base.clone()
        });
    }
}

/// The report before registering: whether hotkeys can work in this process's environment, and the commands.
pub fn base_report(
    exe: &Path,
    endpoint: &Endpoint,
    demo: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> HotkeyReport {
    let (cli, open) = command_lines(exe, endpoint, demo, env);
    HotkeyReport {
        support: detect_support(std::env::consts::OS, env),
        errors: BTreeMap::new(),
        cli,
        open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One runtime for every test: the emulator and the core keep tasks on it after `block_on` returns.
    fn runtime() -> &'static tokio::runtime::Runtime {
        static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        RUNTIME.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
        })
    }
    use std::str::FromStr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use presently_core::AppEvent;
    use presently_core::config::hotkeys::default_shortcut;
    use presently_emulator::{Emulator, EmulatorConfig};
    use presently_model::{PreferredPresence, Until};

    fn shortcut(text: &str) -> Shortcut {
        Shortcut::from_str(text).unwrap()
    }

    /// A desktop where some keys are held by another application, and which records what is grabbed.
    #[derive(Default)]
    struct Desktop {
        taken: Vec<Shortcut>,
        broken: Vec<Shortcut>,
        held: Vec<(HotkeyId, Shortcut)>,
        next: HotkeyId,
        released: usize,
    }

    impl Desktop {
        fn holds(&self, shortcut: &Shortcut) -> bool {
            self.held.iter().any(|(_, s)| s == shortcut)
        }
    }

    impl Registrar for Desktop {
        fn register(&mut self, shortcut: &Shortcut) -> Result<HotkeyId, Refusal> {
            if self.taken.contains(shortcut) {
                return Err(Refusal::Taken);
            }
            if self.broken.contains(shortcut) {
                return Err(Refusal::Refused("this keyboard layout has no such key".into()));
            }
            self.next += 1;
            self.held.push((self.next, *shortcut));
            Ok(self.next)
        }

        fn unregister(&mut self, id: HotkeyId) {
            self.held.retain(|(held, _)| *held != id);
            self.released += 1;
        }
    }

    fn defaults() -> Wanted {
        HotkeyAction::ALL
            .into_iter()
            .map(|a| (a, Some(default_shortcut(a))))
            .collect()
    }

    #[test]
    fn a_shortcut_another_application_holds_is_reported_on_its_row_and_the_others_are_registered() {
        let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
        let away = HotkeyAction::Status(PreferredPresence::AppearAway);
        let mut desktop = Desktop {
            taken: vec![default_shortcut(dnd)],
            broken: vec![default_shortcut(away)],
            ..Desktop::default()
        };
        let mut registered = Registered::default();
        let actions = apply(&mut desktop, &mut registered, defaults());
        assert_eq!(desktop.held.len(), 6);
        assert_eq!(actions.len(), 6);
        assert!(!actions.values().any(|a| *a == dnd || *a == away));
        assert_eq!(registered.errors.len(), 2);
        assert_eq!(
            registered.errors[&dnd],
            "Another application already uses Ctrl+Alt+Shift+3, so the desktop refused it. Choose another \
             shortcut, or free it in that application."
        );
        assert!(
            registered.errors[&away]
                .starts_with("The desktop refused Ctrl+Alt+Shift+5: this keyboard layout has no such key"),
            "{}",
            registered.errors[&away]
        );
        let busy = default_shortcut(HotkeyAction::Status(PreferredPresence::Busy));
        let (busy_id, _) = desktop.held.iter().find(|(_, s)| *s == busy).unwrap();
        assert_eq!(
            actions.get(busy_id),
            Some(&HotkeyAction::Status(PreferredPresence::Busy))
        );
    }

    #[test]
    fn registering_again_releases_what_was_held_and_skips_cleared_shortcuts() {
        let mut desktop = Desktop::default();
        let mut registered = Registered::default();
        apply(&mut desktop, &mut registered, defaults());
        assert_eq!(desktop.held.len(), 8);
        let mut wanted = defaults();
        wanted[0].1 = None; // Available cleared
        wanted[7].1 = Some(shortcut("Ctrl+Alt+O")); // Open moved
        let actions = apply(&mut desktop, &mut registered, wanted.clone());
        assert_eq!(desktop.released, 8);
        assert_eq!(desktop.held.len(), 7);
        assert!(desktop.holds(&shortcut("Ctrl+Alt+O")));
        assert!(!desktop.holds(&shortcut("Ctrl+Alt+Shift+1")));
        assert_eq!(actions.len(), 7);
        assert_eq!(registered.wanted, Some(wanted));
        assert!(registered.errors.is_empty());
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_commands_use_the_cli_beside_the_app_else_the_app_itself_which_the_demo_always_uses() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("presently-app");
        let app = exe.display().to_string();
        let endpoint = Endpoint::at("/run/user/1000/presently/keeper.sock");
        // No CLI beside the app: the app's own `set`/`clear`, forwarded to the running instance.
        let (cli, open) = command_lines(&exe, &endpoint, false, &env_of(&[]));
        assert_eq!((cli.as_str(), open.as_str()), (app.as_str(), app.as_str()));
        let beside = dir.path().join(if cfg!(windows) {
            "presently.exe"
        } else {
            "presently"
        });
        std::fs::write(&beside, "").unwrap();
        let (cli, _) = command_lines(&exe, &endpoint, false, &env_of(&[]));
        assert_eq!(cli, beside.display().to_string());
        // The demo: the app with --demo (the CLI cannot read the demo's sign-in).
        let (cli, open) = command_lines(&exe, &endpoint, true, &env_of(&[]));
        assert_eq!(cli, format!("{app} --demo"));
        assert_eq!(open, format!("{app} --demo"));
        // A socket named for the app is named for the command too.
        if !cfg!(windows) {
            let (cli, _) = command_lines(
                &exe,
                &endpoint,
                false,
                &env_of(&[("PRESENTLY_IPC", "/tmp/x.sock")]),
            );
            assert_eq!(
                cli,
                format!(
                    "env PRESENTLY_IPC=/run/user/1000/presently/keeper.sock {}",
                    beside.display()
                )
            );
        }
        // A path with a space is quoted so a shortcut editor reads it as one argument.
        let spaced = dir.path().join("My Apps").join("presently-app");
        let (_, open) = command_lines(&spaced, &endpoint, false, &env_of(&[]));
        assert_eq!(open, format!("'{}'", spaced.display()));
    }

    /// A core on the emulator (signed out: a chosen status is kept as the user's intent all the same).
    fn core(dir: &Path) -> (Emulator, Presently) {
        runtime().block_on(async {
            let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let presently = presently_testkit::start_presently(&emulator, dir).await;
            (emulator, presently)
        })
    }

    #[test]
    fn a_press_applies_the_status_for_the_hotkey_duration_with_origin_hotkey() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.toml"), "hotkey-duration = \"2h\"\n").unwrap();
        let (_emulator, presently) = core(dir.path());
        let opened = Arc::new(AtomicUsize::new(0));
        let target = Target {
            presently: presently.clone(),
            open: {
                let opened = opened.clone();
                Arc::new(move || {
                    opened.fetch_add(1, Ordering::SeqCst);
                })
            },
        };
        let busy = HotkeyAction::Status(PreferredPresence::Busy);
        let intent = target.act(busy).unwrap().unwrap();
        assert_eq!(intent.status, PreferredPresence::Busy);
        assert_eq!(intent.origin, Origin::Hotkey);
        let Until::At { at: end } = intent.until else {
            panic!("a 2-hour status has an end: {:?}", intent.until)
        };
        assert_eq!(
            end.duration_since(intent.set_at),
            jiff::SignedDuration::from_hours(2)
        );

        let actions: Actions = Arc::default();
        let (away, open) = (21, 22);
        actions.lock().unwrap().extend([
            (away, HotkeyAction::Status(PreferredPresence::AppearAway)),
            (open, HotkeyAction::Open),
        ]);
        let wait_for = |status: PreferredPresence| {
            let mut snapshots = presently.subscribe();
            runtime().block_on(async {
                tokio::time::timeout(Duration::from_secs(5), async {
                    loop {
                        if snapshots.borrow_and_update().intent.map(|i| i.status) == Some(status) {
                            return;
                        }
                        snapshots.changed().await.unwrap();
                    }
                })
                .await
                .unwrap_or_else(|_| panic!("the keeper never held {status}"))
            })
        };
        wait_for(PreferredPresence::Busy);
        on_press(&actions, &target, away);
        wait_for(PreferredPresence::AppearAway);
        assert_eq!(
            presently.snapshot().intent.map(|i| i.origin),
            Some(Origin::Hotkey)
        );
        // An id nobody registered does nothing; Open opens the popup.
        on_press(&actions, &target, 12345);
        assert_eq!(opened.load(Ordering::SeqCst), 0);
        on_press(&actions, &target, open);
        assert_eq!(opened.load(Ordering::SeqCst), 1);
        // Back to automatic clears the intent.
        target.act(HotkeyAction::Automatic).unwrap();
        let mut snapshots = presently.subscribe();
        runtime().block_on(async {
            tokio::time::timeout(Duration::from_secs(5), async {
                while snapshots.borrow_and_update().intent.is_some() {
                    snapshots.changed().await.unwrap();
                }
            })
            .await
            .unwrap()
        });
    }

    #[test]
    fn the_report_reaches_the_settings_view_and_is_announced_once() {
        let dir = tempfile::tempdir().unwrap();
        let (_emulator, presently) = core(dir.path());
        assert_eq!(presently.settings_view().hotkeys.support, HotkeySupport::Inactive);
        let mut events = presently.events();
        let dnd = HotkeyAction::Status(PreferredPresence::DoNotDisturb);
        let report = HotkeyReport {
            support: HotkeySupport::Active,
            errors: [(dnd, "taken".to_owned())].into(),
            cli: "/opt/presently".into(),
            open: "/opt/presently-app".into(),
        };
        presently.report_hotkeys(report.clone());
        assert_eq!(events.try_recv().unwrap(), AppEvent::SettingsChanged);
        // The same report again (registering after that very event) is not announced: no loop.
        presently.report_hotkeys(report);
        assert!(events.try_recv().is_err());
        let view = presently.settings_view();
        assert_eq!(view.hotkeys.support, HotkeySupport::Active);
        assert_eq!(
            view.hotkeys.actions[2].registration_error.as_deref(),
            Some("taken")
        );
        assert_eq!(
            view.hotkeys.actions[1].command,
            "/opt/presently set busy --preset 1h"
        );
    }
}
