//! The local IPC end to end: a core on the emulator served on a real Unix socket (or pipe), driven by the client
//! the popup process and the CLI use.

#![allow(clippy::unwrap_used)] // the setup helper is test code: a failure must fail the test

use std::time::Duration;

use presently_core::ipc::{self, CallError, Client, EventFrame, Request};
use presently_core::keeper::{AccountView, Agreement};
use presently_core::{ProblemKind, SignInMethod};
use presently_emulator::Emulator;
use presently_model::Origin;
use presently_model::PreferredPresence;

async fn setup() -> (
    Emulator,
    tempfile::TempDir,
    presently_core::Presently,
    ipc::IpcServer,
) {
    let served = presently_testkit::served_core().await;
    (served.emulator, served.dir, served.presently, served.server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_signs_in_chooses_a_status_and_follows_the_state_as_events() {
    let (emulator, _dir, _presently, server) = setup().await;
    let client = Client::connect(server.endpoint()).await.unwrap();
    let hello = client.call(Request::Hello).await.unwrap();
    assert_eq!(hello["version"], 1);

    client.call(Request::Subscribe).await.unwrap();
    let mut events = client.events();
    client
        .call(Request::SignIn {
            method: SignInMethod::Browser,
        })
        .await
        .expect("browser sign-in through the emulator");

    let intent = client
        .call(Request::Choose {
            status: "dnd".into(),
            duration: "2h".into(),
            origin: Origin::Cli,
        })
        .await
        .unwrap();
    assert_eq!(intent["status"], "dnd");
    assert_eq!(intent["origin"], "cli");

    // State arrives as pushed events until Graph confirms the choice.
    let confirmed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let EventFrame::State(snapshot) = events.recv().await.unwrap()
                && snapshot.agreement == Agreement::Matches
                && snapshot.intent.map(|i| i.status) == Some(PreferredPresence::DoNotDisturb)
            {
                return snapshot;
            }
        }
    })
    .await
    .expect("a state event with the confirmed choice");
    let AccountView::SignedIn { username: user, .. } = confirmed.account else {
        panic!("signed in: {:?}", confirmed.account)
    };
    let view = reqwest::get(format!("{}/_emulator/users/{user}/presence", emulator.base_url()))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(view["pin"]["availability"], "DoNotDisturb");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_problems_and_the_connection_stays_usable() {
    let (_emulator, _dir, _presently, server) = setup().await;
    let client = Client::connect(server.endpoint()).await.unwrap();
    let err = client
        .call(Request::Choose {
            status: "sleepy".into(),
            duration: "1h".into(),
            origin: Origin::Cli,
        })
        .await
        .unwrap_err();
    let CallError::Problem(problem) = err else {
        panic!("{err:?}")
    };
    assert_eq!(problem.kind, ProblemKind::InvalidChoice);
    assert!(
        problem.message.contains("busy"),
        "the message lists the valid names: {}",
        problem.message
    );
    let err = client
        .call(Request::Choose {
            status: "busy".into(),
            duration: "-5m".into(),
            origin: Origin::Cli,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Problem(p) if p.kind == ProblemKind::InvalidChoice));

    // Garbage on the wire: answered, not fatal.
    {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        #[cfg(unix)]
        let mut raw = tokio::net::UnixStream::connect(&server.endpoint().address)
            .await
            .unwrap();
        #[cfg(windows)]
        let mut raw = tokio::net::windows::named_pipe::ClientOptions::new()
            .open(&server.endpoint().address)
            .unwrap();
        raw.write_all(b"{not json\n{\"id\":3,\"op\":\"hello\"}\n")
            .await
            .unwrap();
        let mut lines = BufReader::new(raw).lines();
        let first = lines.next_line().await.unwrap().unwrap();
        assert!(first.contains("invalidChoice"), "{first}");
        let second = lines.next_line().await.unwrap().unwrap();
        assert!(
            second.contains("\"id\":3") && second.contains("version"),
            "{second}"
        );
    }
    assert!(client.call(Request::Snapshot).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_the_same_endpoint_is_refused_and_a_stale_socket_is_replaced() {
    let (_emulator, dir, presently, server) = setup().await;
    let again = ipc::serve(presently.clone(), server.endpoint().clone()).await;
    assert!(
        matches!(again, Err(ipc::IpcError::AlreadyRunning(_))),
        "{again:?}"
    );
    let endpoint = server.endpoint().clone();
    drop(server);
    // Dropping a server aborts its task; on Windows the pipe closes when the runtime then drops that task, a moment
    // later (a pipe has no file to leave behind).
    #[cfg(windows)]
    for _ in 0..100 {
        if Client::connect(&endpoint).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    #[cfg(unix)]
    {
        // A socket file left behind by a crash.
        let stale = std::os::unix::net::UnixListener::bind(&endpoint.address).unwrap();
        drop(stale);
        assert!(endpoint.address.exists());
    }
    let fresh = ipc::serve(presently, endpoint.clone())
        .await
        .expect("a stale socket is replaced");
    assert!(Client::connect(fresh.endpoint()).await.is_ok());
    drop(dir);
}

#[tokio::test]
async fn connecting_when_nothing_runs_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let err = Client::connect(&presently_testkit::test_endpoint(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(err, ipc::IpcError::NotRunning(_)), "{err:?}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_is_private_to_its_user() {
    use std::os::unix::fs::PermissionsExt;
    let (_emulator, _dir, _presently, server) = setup().await;
    let mode = std::fs::metadata(&server.endpoint().address)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
}

/// A client that sends requests but never reads the answers must not make the server buffer them forever: its
/// outgoing queue is bounded and the server drops the connection once it is full.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_dropped_not_buffered_forever() {
    use tokio::io::AsyncWriteExt as _;
    let (_emulator, _dir, _presently, server) = setup().await;
    let mut stream = tokio::net::UnixStream::connect(&server.endpoint().address)
        .await
        .unwrap();
    let request = b"{\"id\":1,\"op\":\"snapshot\"}\n".repeat(100);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut sent = 0usize;
    let dropped = loop {
        // Each round asks for 100 snapshots (each answer is hundreds of bytes) and reads nothing back.
        match tokio::time::timeout(Duration::from_secs(5), stream.write_all(&request)).await {
            Ok(Ok(())) => sent += 100,
            Ok(Err(_)) => break true,
            // Our writes block: the server stopped reading, which only happens once it dropped us.
            Err(_) => break true,
        }
        if tokio::time::Instant::now() > deadline {
            break false;
        }
    };
    assert!(
        dropped,
        "{sent} requests answered into an unbounded queue: the server never dropped the client"
    );
    assert!(sent < 200_000, "dropped only after {sent} requests");
    // The server itself is fine: a well-behaved client is served.
    let client = Client::connect(server.endpoint()).await.unwrap();
    assert_eq!(client.call(Request::Hello).await.unwrap()["version"], 1);
}

/// A file at the socket path that is not a socket (a user's file, a path mistyped in PRESENTLY_IPC) is never
/// removed: the server refuses to start and says why.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_socket_at_the_socket_path_is_left_alone() {
    let emulator = Emulator::start(presently_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let presently = presently_testkit::start_presently(&emulator, dir.path()).await;
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"my notes").unwrap();
    let err = ipc::serve(presently, ipc::Endpoint::at(&path)).await.unwrap_err();
    assert!(err.to_string().contains("not a socket"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"my notes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_state_tells_doctor_the_version_sign_in_intent_reading_next_step_hotkeys_and_login_entry() {
    use presently_core::config::hotkeys::{HotkeyAction, HotkeyReport, HotkeySupport};
    use presently_core::diagnostics::{LoginEntry, ProcessState};

    let (_emulator, _dir, presently, server) = setup().await;
    let client = Client::connect(server.endpoint()).await.unwrap();
    let before: ProcessState =
        serde_json::from_value(client.call(Request::ProcessState).await.unwrap()).unwrap();
    assert_eq!(before.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(before.pid, std::process::id());
    assert!(before.intent.is_none());
    assert_eq!(before.login_entry, None, "nobody reported a login entry yet");
    assert_eq!(before.hotkeys.support, HotkeySupport::Inactive);

    client
        .call(Request::SignIn {
            method: SignInMethod::Browser,
        })
        .await
        .expect("browser sign-in through the emulator");
    client
        .call(Request::Choose {
            status: "busy".into(),
            duration: "1h".into(),
            origin: Origin::Cli,
        })
        .await
        .unwrap();
    let mut report = HotkeyReport {
        support: HotkeySupport::Active,
        ..HotkeyReport::default()
    };
    report.errors.insert(
        HotkeyAction::Status(PreferredPresence::Busy),
        "taken by another application".into(),
    );
    presently.report_hotkeys(report);
    presently.self_reports().set_login_entry(LoginEntry::Present);
    presently.self_reports().set_log_dir("/somewhere/logs".into());

    // Until the keeper has written the choice and read it back.
    let state = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let state: ProcessState =
                serde_json::from_value(client.call(Request::ProcessState).await.unwrap()).unwrap();
            if state.reported.as_ref().and_then(|r| r.as_status) == Some(PreferredPresence::Busy) {
                return state;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("a reading of the chosen status");
    assert!(
        matches!(state.account, AccountView::SignedIn { .. }),
        "{:?}",
        state.account
    );
    assert_eq!(state.intent.map(|i| i.status), Some(PreferredPresence::Busy));
    let age = state.reading_age_secs.unwrap();
    assert!((0..60).contains(&age), "a fresh reading: {age} s");
    assert!(state.next.is_some(), "a kept status has a next step");
    assert!(state.uptime_secs >= 0 && state.started_at <= jiff::Timestamp::now());
    assert_eq!(state.hotkeys.support, HotkeySupport::Active);
    assert_eq!(
        state
            .hotkeys
            .failed
            .get(HotkeyAction::Status(PreferredPresence::Busy).key())
            .map(String::as_str),
        Some("taken by another application")
    );
    assert_eq!(state.login_entry, Some(LoginEntry::Present));
    assert_eq!(state.log_dir, Some(std::path::PathBuf::from("/somewhere/logs")));

    // The settings page's "Copy diagnostics" and "Open log folder" ask the same process.
    let diagnostics: presently_core::diagnostics::Diagnostics =
        serde_json::from_value(client.call(Request::Diagnostics).await.unwrap()).unwrap();
    assert_eq!(diagnostics.log_dir, state.log_dir);
    let text = diagnostics.text;
    for expected in [
        format!("Presently {}", env!("CARGO_PKG_VERSION")),
        "Account: ".into(),
        "Intent: Busy".into(),
        "Graph reported: Busy/Busy".into(),
        "Token store: ".into(),
        "Login entry: present".into(),
        "busy: taken by another application".into(),
        "Log folder: /somewhere/logs".into(),
        "  tenant = ".into(),
        "  hotkeys.busy = ".into(),
    ] {
        assert!(text.contains(&expected), "{expected:?} missing from:\n{text}");
    }
    // Signed in, the process holds JWTs (access and id tokens start `eyJ`): none is in the report.
    assert!(!text.contains("eyJ"), "a token in the report:\n{text}");
}
