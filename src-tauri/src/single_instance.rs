//! One Presently per user (and per profile: the demo is apart). A second launch starts no second keeper: it hands
//! its command line to the running app and exits. `presently-app` alone shows the running app's popup;
//! `presently-app set busy --for 1h` and `presently-app clear` are applied by the running app (origin `cli`, as
//! they are typed commands) and answered, so the second launch can print the result or the refusal;
//! `presently-app --autostart` (the login entry) does nothing when the app already runs.
//!
//! **One mechanism: the local IPC, on every platform.** The main process serves it anyway (the popup and the
//! `presently` CLI talk to it): a Unix socket on Linux and macOS, a named pipe on Windows, reachable by the
//! current user only. A second launch connects, sends a typed request (`showPopup`, `choose`, `backToAutomatic`)
//! and gets an answer. `tauri-plugin-single-instance` was considered and not used:
//!
//! - it acts inside Tauri's setup, after the window system started and after this process started its own
//!   keeper (which a second launch must never do), and it ends the second process without an answer, so a
//!   refused `set` could not say why;
//! - on Linux it needs a D-Bus session bus (a well-known name per app), a second channel beside the socket that
//!   the popup and the CLI already use; on macOS it opens a socket of its own, on Windows a named mutex and a
//!   hidden window — three mechanisms for what the IPC already does the same way everywhere.
//!
//! The only gap of "is someone listening?" is two launches at the same moment, both seeing no listener. An
//! [`InstanceLock`] closes it: an exclusive lock on `<data folder>/<profile>.lock` (`std::fs::File::try_lock`,
//! an advisory `flock` on Unix and `LockFileEx` on Windows, released by the OS when the process dies, so a crash
//! leaves nothing stale). The launch that gets the lock starts the keeper; the other waits for the IPC and
//! forwards. A `presently run` daemon serves the same IPC without the lock, and is found by the first check.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use presently_core::ipc::{Client, Endpoint, Request};
use presently_core::{Presently, Problem};
use presently_model::{DurationChoice, Intent, Origin, PreferredPresence, StatusChoice};

use crate::args::ArgsError;
use crate::error::StartError;

/// How long a second launch waits for an app that holds the lock to answer on the IPC (it may be starting:
/// reading settings, opening the credential store).
pub const WAIT_FOR_FIRST: Duration = Duration::from_secs(20);

/// A command for the app, given on its command line (`presently-app set busy --for 1h`, `presently-app clear`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCommand {
    /// Keep `status` for `duration`.
    Set {
        status: PreferredPresence,
        /// How long (Graph's default when no option was given, as with `presently set`).
        duration: DurationChoice,
    },
    /// Back to automatic.
    Clear,
}

impl AppCommand {
    /// Reads `set STATUS [--for D | --until T | --preset NAME]` or `clear`; `first` is the word already read.
    pub fn parse(first: &str, rest: &mut dyn Iterator<Item = String>) -> Result<Self, ArgsError> {
        match first {
            "clear" => Ok(AppCommand::Clear),
            "set" => {
                let status = rest.next().ok_or(ArgsError::BadValue(
                    "set",
                    "a status: available, busy, dnd, brb, away or offline",
                ))?;
                let (mut length, mut until, mut preset) = (None, None, None);
                while let Some(option) = rest.next() {
                    let (slot, flag, wants) = match option.as_str() {
                        "--for" => (&mut length, "--for", "a duration such as 30m, 1h30m or 2 hours"),
                        "--until" => (&mut until, "--until", "a time such as 17:30 or 5pm"),
                        "--preset" => (
                            &mut preset,
                            "--preset",
                            "30m, 1h, 2h, 4h, 8h, eod, forever or default",
                        ),
                        _ => return Err(ArgsError::Unknown(option)),
                    };
                    *slot = Some(rest.next().ok_or(ArgsError::BadValue(flag, wants))?);
                }
                // The model's one parser, shared with the `presently` CLI.
                let choice =
                    StatusChoice::parse(&status, length.as_deref(), until.as_deref(), preset.as_deref())
                        .map_err(|e| ArgsError::Invalid(e.to_string()))?;
                Ok(AppCommand::Set {
                    status: choice.status,
                    duration: choice.duration,
                })
            }
            other => Err(ArgsError::Unknown(other.to_string())),
        }
    }

    /// The IPC request that applies it in the running app.
    pub fn request(&self) -> Request {
        match self {
            AppCommand::Set { status, duration } => Request::Choose {
                status: status.short_name().to_string(),
                duration: duration.to_string(),
                origin: Origin::Cli,
            },
            AppCommand::Clear => Request::BackToAutomatic,
        }
    }

    /// Applies it in this process's core (the first launch was given a command).
    pub fn apply(&self, presently: &Presently) -> Result<(), Problem> {
        match self {
            AppCommand::Set { status, duration } => presently
                .choose_parsed(*status, duration, Origin::Cli)
                .map(|_| ()),
            AppCommand::Clear => presently.back_to_automatic(),
        }
    }

    /// What a second launch prints once the running app applied it.
    pub fn done(&self, answer: &serde_json::Value) -> String {
        match self {
            AppCommand::Set { status, duration } => {
                // The same words as the tray and `presently set` (presently_core::wording).
                match serde_json::from_value::<Intent>(answer.clone()) {
                    Ok(intent) => format!(
                        "Presently is running: {} {}",
                        intent.status.display_name(),
                        presently_core::wording::until_words(
                            &intent,
                            jiff::Timestamp::now(),
                            &jiff::tz::TimeZone::system(),
                            presently_core::hour_cycle::HourCycle::of_this_user(),
                        )
                    ),
                    Err(_) => format!("Presently is running: {} ({duration})", status.display_name()),
                }
            }
            AppCommand::Clear => "Presently is running: back to automatic".to_string(),
        }
    }
}

/// What the launch asks of a running app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Show the popup (a plain launch from the desktop's menu).
    ShowPopup,
    /// Nothing (the login entry: the app already runs).
    Nothing,
    /// Apply this command.
    Command(AppCommand),
}

/// The exclusive lock of the process that runs the keeper; released when dropped or when the process ends.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Whether this process may start the keeper.
#[derive(Debug)]
pub enum Claim {
    /// Yes: keep the lock until the process ends.
    First(InstanceLock),
    /// No: the running app was told; this line says what happened.
    Forwarded(String),
}

/// Tries to take the lock at `path` without waiting. `Ok(None)`: another process holds it.
pub fn try_lock(path: &Path) -> Result<Option<InstanceLock>, StartError> {
    let io = |source| StartError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(InstanceLock {
            _file: file,
            path: path.to_path_buf(),
        })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

/// The lock file of `profile` in the data folder `data`.
pub fn lock_path(data: &Path, profile: &str) -> PathBuf {
    data.join(format!("{profile}.lock"))
}

/// Decides whether this launch runs the keeper, or tells the running app what `ask` says and returns.
pub async fn claim(endpoint: &Endpoint, lock: &Path, ask: &Ask, wait: Duration) -> Result<Claim, StartError> {
    if let Some(client) = connect(endpoint).await {
        return forward(&client, ask).await;
    }
    if let Some(lock) = try_lock(lock)? {
        return Ok(Claim::First(lock));
    }
    // Another launch holds the lock and is starting: wait for its IPC.
    let deadline = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(client) = connect(endpoint).await {
            return forward(&client, ask).await;
        }
    }
    Err(StartError::NotAnswering {
        lock: lock.to_path_buf(),
        endpoint: endpoint.to_string(),
    })
}

/// A connection to a keeper that answers `hello`.
async fn connect(endpoint: &Endpoint) -> Option<Client> {
    let client = Client::connect(endpoint).await.ok()?;
    client.call(Request::Hello).await.ok()?;
    Some(client)
}

async fn forward(client: &Client, ask: &Ask) -> Result<Claim, StartError> {
    let message = match ask {
        Ask::Nothing => "Presently is already running".to_string(),
        Ask::ShowPopup => {
            client
                .call(Request::ShowPopup)
                .await
                .map_err(StartError::Forward)?;
            "Presently is already running: showing its popup".to_string()
        }
        Ask::Command(command) => {
            let answer = client
                .call(command.request())
                .await
                .map_err(StartError::Forward)?;
            command.done(&answer)
        }
    };
    Ok(Claim::Forwarded(message))
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    use presently_emulator::{Emulator, EmulatorConfig};
    use presently_model::Preset;
    #[cfg(unix)]
    use presently_model::Until;

    use super::*;

    fn parse(words: &[&str]) -> Result<AppCommand, ArgsError> {
        let mut rest = words[1..].iter().map(|w| w.to_string());
        AppCommand::parse(words[0], &mut rest)
    }

    #[test]
    fn set_takes_a_status_and_one_duration_option_like_the_cli() {
        assert_eq!(
            parse(&["set", "busy"]),
            Ok(AppCommand::Set {
                status: PreferredPresence::Busy,
                duration: DurationChoice::Preset(Preset::GraphDefault)
            })
        );
        assert_eq!(
            parse(&["set", "do-not-disturb", "--for", "90m"]),
            Ok(AppCommand::Set {
                status: PreferredPresence::DoNotDisturb,
                duration: "90m".parse().unwrap()
            })
        );
        assert_eq!(
            parse(&["set", "away", "--until", "17:30"]),
            Ok(AppCommand::Set {
                status: PreferredPresence::AppearAway,
                duration: "until 17:30".parse().unwrap()
            })
        );
        assert_eq!(
            parse(&["set", "brb", "--preset", "eod"]),
            Ok(AppCommand::Set {
                status: PreferredPresence::BeRightBack,
                duration: DurationChoice::Preset(Preset::EndOfDay)
            })
        );
        assert_eq!(parse(&["clear"]), Ok(AppCommand::Clear));
    }

    #[test]
    fn bad_statuses_durations_and_extra_words_are_refused_before_anything_starts() {
        assert!(matches!(parse(&["set"]), Err(ArgsError::BadValue("set", _))));
        assert!(matches!(parse(&["set", "sleepy"]), Err(ArgsError::Invalid(m)) if m.contains("sleepy")));
        assert!(matches!(
            parse(&["set", "busy", "--for"]),
            Err(ArgsError::BadValue("--for", _))
        ));
        assert!(matches!(
            parse(&["set", "busy", "--for", "soon"]),
            Err(ArgsError::Invalid(_))
        ));
        assert!(matches!(
            parse(&["set", "busy", "--for", "1h", "--preset", "eod"]),
            Err(ArgsError::Invalid(m)) if m.contains("not several")
        ));
        assert_eq!(
            parse(&["set", "busy", "now"]),
            Err(ArgsError::Unknown("now".into()))
        );
    }

    #[test]
    fn a_command_becomes_the_ipc_request_the_cli_would_send() {
        let set = parse(&["set", "dnd", "--for", "1h"]).unwrap();
        assert_eq!(
            set.request(),
            Request::Choose {
                status: "dnd".into(),
                duration: "1h".into(),
                origin: Origin::Cli
            }
        );
        assert_eq!(AppCommand::Clear.request(), Request::BackToAutomatic);
        // The duration text survives the trip: the running app parses what was checked here.
        let until = parse(&["set", "busy", "--until", "17:30"]).unwrap();
        let Request::Choose { duration, .. } = until.request() else {
            panic!()
        };
        assert_eq!(
            duration.parse::<DurationChoice>().unwrap(),
            "until 17:30".parse().unwrap()
        );
    }

    #[test]
    fn the_lock_is_held_by_one_holder_until_it_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(dir.path(), "keeper");
        let first = try_lock(&path).unwrap().expect("the first launch gets the lock");
        assert_eq!(first.path(), path);
        assert!(try_lock(&path).unwrap().is_none(), "a second holder");
        drop(first);
        assert!(try_lock(&path).unwrap().is_some(), "released on drop");
    }

    #[cfg(unix)]
    #[test]
    fn a_second_launch_forwards_its_command_to_the_running_keeper_which_applies_it() {
        let dir = tempfile::tempdir().unwrap();
        tauri::async_runtime::block_on(async {
            let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let presently = presently_testkit::start_presently(&emulator, dir.path()).await;
            let endpoint = Endpoint::at(dir.path().join("keeper.sock"));
            let lock = lock_path(dir.path(), "keeper");

            // Nobody runs: this launch is the first and holds the lock.
            let first = claim(&endpoint, &lock, &Ask::ShowPopup, Duration::from_millis(50))
                .await
                .unwrap();
            let Claim::First(held) = first else {
                panic!("expected to be first: {first:?}")
            };
            let server = presently_core::ipc::serve(presently.clone(), endpoint.clone())
                .await
                .unwrap();

            // A second launch with `set busy --for 2h`: applied by the running core, origin cli.
            let command = parse(&["set", "busy", "--for", "2h"]).unwrap();
            let second = claim(
                &endpoint,
                &lock,
                &Ask::Command(command),
                Duration::from_millis(50),
            )
            .await
            .unwrap();
            let Claim::Forwarded(message) = second else {
                panic!("expected to forward: {second:?}")
            };
            assert!(
                message.starts_with("Presently is running: Busy until "),
                "{message}"
            );
            let mut states = presently.subscribe();
            let intent =
                tokio::time::timeout(Duration::from_secs(5), states.wait_for(|s| s.intent.is_some()))
                    .await
                    .expect("the keeper took the choice")
                    .unwrap()
                    .intent
                    .unwrap();
            assert_eq!(intent.status, PreferredPresence::Busy);
            assert_eq!(intent.origin, Origin::Cli);
            assert!(matches!(intent.until, Until::At { .. }), "{:?}", intent.until);

            // A plain second launch asks for the popup.
            let mut events = presently.events();
            let third = claim(&endpoint, &lock, &Ask::ShowPopup, Duration::from_millis(50))
                .await
                .unwrap();
            assert!(matches!(third, Claim::Forwarded(_)), "{third:?}");
            assert_eq!(events.recv().await.unwrap(), presently_core::AppEvent::ShowPopup);

            // `clear` goes back to automatic.
            let clear = claim(
                &endpoint,
                &lock,
                &Ask::Command(AppCommand::Clear),
                Duration::from_millis(50),
            )
            .await
            .unwrap();
            assert!(matches!(clear, Claim::Forwarded(m) if m.contains("automatic")));
            tokio::time::timeout(Duration::from_secs(5), states.wait_for(|s| s.intent.is_none()))
                .await
                .expect("the keeper went back to automatic")
                .unwrap();
            drop((server, held, emulator));
        });
    }

    #[cfg(unix)]
    #[test]
    fn a_launch_that_finds_the_lock_taken_but_no_answer_gives_up_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let lock = lock_path(dir.path(), "keeper");
        let _held = try_lock(&lock).unwrap().unwrap();
        let endpoint = Endpoint::at(dir.path().join("keeper.sock"));
        let result = tauri::async_runtime::block_on(claim(
            &endpoint,
            &lock,
            &Ask::ShowPopup,
            Duration::from_millis(300),
        ));
        let error = result.unwrap_err();
        assert!(matches!(error, StartError::NotAnswering { .. }), "{error}");
        assert!(error.to_string().contains("keeper.lock"), "{error}");
    }
}
