//! `presently run`: the keeper as a daemon, and `set`/`status`/`clear` asking it over the local IPC instead of
//! calling Graph once (issue "The presence keeper", `presently run`).

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_status_and_clear_go_through_a_running_keeper_which_stops_cleanly_on_sigterm() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);

    let mut daemon = h.command(&["run"]);
    let log = h.dir.path().join("keeper.log");
    daemon
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let mut daemon = daemon.spawn().unwrap();
    let socket = h.ipc_address();
    for _ in 0..200 {
        if listens(&socket) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        listens(&socket),
        "the keeper serves its IPC at {}; it said:\n{}",
        socket.display(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );

    let set = h.run(&["--json", "set", "dnd", "--for", "2h"]).await;
    set.expect(0);
    let json = set.json();
    assert_eq!(json["mode"], "keeper", "{json:#}");
    assert_eq!(json["keeperRunning"], true);
    assert_eq!(
        json["graph"]["availability"], "DoNotDisturb",
        "the keeper read it back: {json:#}"
    );
    assert!(
        json["warnings"].as_array().unwrap().is_empty(),
        "no one-shot warning with a keeper: {json:#}"
    );
    let view = h.presence().await;
    assert_eq!(view["pin"]["availability"], "DoNotDisturb");
    assert!(
        !view["sessions"].as_array().unwrap().is_empty(),
        "the keeper keeps its session: {view:#}"
    );

    let status = h.run(&["--json", "status"]).await;
    status.expect(0);
    let json = status.json();
    assert_eq!(json["mode"], "keeper");
    assert_eq!(json["presently"]["status"], "dnd", "{json:#}");

    let bad = h.run(&["--json", "set", "busy", "--for", "-5m"]).await;
    bad.expect(2);

    let clear = h.run(&["--json", "clear"]).await;
    clear.expect(0);
    assert_eq!(clear.json()["mode"], "keeper");
    let view = h.presence().await;
    assert!(
        view["pin"].is_null() && view["sessions"].as_array().unwrap().is_empty(),
        "{view:#}"
    );

    // A second keeper is refused while one runs.
    h.run(&["run"]).await.expect(6);

    #[cfg(unix)]
    {
        let pid = daemon.id().unwrap();
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        let status = tokio::time::timeout(Duration::from_secs(20), daemon.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "the keeper exits 0 on SIGTERM: {status:?}");
    }
    // Windows has no SIGTERM, and Ctrl+C reaches only processes of the same console: the keeper is ended the way
    // Task Manager ends it, and its pipe must go with it.
    #[cfg(windows)]
    {
        daemon.kill().await.unwrap();
    }
    assert!(!listens(&socket), "and no longer listens at {}", socket.display());
}

/// Whether something serves the IPC at `address`: the socket file exists (Unix), a pipe instance accepts a
/// connection (Windows).
fn listens(address: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        address.exists()
    }
    #[cfg(windows)]
    {
        // ERROR_PIPE_BUSY (231): the server is there, between accepting a connection and offering the next one.
        match tokio::net::windows::named_pipe::ClientOptions::new().open(address) {
            Ok(_) => true,
            Err(e) => e.raw_os_error() == Some(231),
        }
    }
}
