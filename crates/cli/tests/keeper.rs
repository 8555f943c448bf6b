//! `presently run`: the keeper as a daemon, and `set`/`status`/`clear` asking it over the local IPC instead of
//! calling Graph once (`presently run`, `crates/core/src/keeper`).

#![allow(clippy::unwrap_used)] // helpers of tests: a panic fails the test

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{ADELE, Harness};
use serde_json::json;

/// Starts `presently run` and waits for its socket.
async fn start_keeper(h: &Harness) -> tokio::process::Child {
    start_keeper_with(h, &[]).await
}

/// Starts `presently run` with extra environment and waits until it serves its IPC (socket or named pipe); what
/// it logged is shown if it never does.
async fn start_keeper_with(h: &Harness, env: &[(&str, &std::path::Path)]) -> tokio::process::Child {
    let mut daemon = h.command(&["run"]);
    for (key, value) in env {
        daemon.env(key, value);
    }
    let log = tempfile::Builder::new()
        .prefix("keeper")
        .suffix(".log")
        .tempfile_in(h.dir.path())
        .unwrap()
        .into_temp_path()
        .keep()
        .unwrap();
    daemon
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let daemon = daemon.spawn().unwrap();
    let address = h.ipc_address();
    for _ in 0..200 {
        if listens(&address) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        listens(&address),
        "the keeper serves its IPC at {}; it said:\n{}",
        address.display(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    daemon
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keeper_killed_and_restarted_adopts_the_status_picked_in_teams_meanwhile_and_writes_nothing_over_it()
 {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let mut daemon = start_keeper(&h).await;
    h.run(&["--json", "set", "busy", "--for", "2h"]).await.expect(0);

    // Killed (a crash, kill -9): no goodbye, the socket is left behind.
    daemon.start_kill().unwrap();
    daemon.wait().await.unwrap();
    // Meanwhile the user opens Teams and picks Do not disturb there (contract §3: it replaces the pin).
    h.post(
        &format!("/_emulator/users/{ADELE}/teams"),
        json!({"availability": "Available", "activity": "Available"}),
    )
    .await;
    h.post(
        &format!("/_emulator/users/{ADELE}/teams/status"),
        json!({"availability": "DoNotDisturb", "activity": "DoNotDisturb"}),
    )
    .await;
    let writes = h.logged("setUserPreferredPresence").len() + h.logged("setPresence").len();

    let mut daemon = start_keeper(&h).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let view = h.presence().await;
    assert_eq!(
        view["pin"]["availability"], "DoNotDisturb",
        "the Teams choice stands: {view:#}"
    );
    assert_eq!(
        h.logged("setUserPreferredPresence").len() + h.logged("setPresence").len(),
        writes,
        "the restarted keeper wrote nothing over it"
    );
    let status = h.run(&["--json", "status"]).await;
    status.expect(0);
    let json = status.json();
    assert_eq!(
        json["presently"]["status"], "dnd",
        "adopted as the intent: {json:#}"
    );
    assert_eq!(json["presently"]["origin"], "teams", "{json:#}");
    daemon.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nobody_signed_in_a_running_keeper_answers_set_with_sign_in_and_exit_3() {
    let h = Harness::auto_approving().await;
    let mut daemon = start_keeper(&h).await;
    let set = h.run(&["--json", "set", "busy", "--for", "1h"]).await;
    set.expect(3);
    assert_eq!(set.json()["error"]["kind"], "signInRequired", "{:#}", set.json());
    assert_eq!(set.json()["error"]["action"]["type"], "signIn");
    daemon.kill().await.unwrap();
}

#[cfg(unix)] // the zone is a symbolic link, as /etc/localtime is
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_time_zone_changed_while_the_keeper_runs_counts_from_the_next_choice() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    // The keeper's zone is a file TZ names; pointing it elsewhere is what changing the system zone does.
    let zones = tempfile::tempdir().unwrap();
    let localtime = zones.path().join("localtime");
    std::os::unix::fs::symlink("/usr/share/zoneinfo/Europe/Berlin", &localtime).unwrap();
    let mut daemon = start_keeper_with(&h, &[("TZ", &localtime)]).await;

    let wall_clock_of = |json: &serde_json::Value, zone: &str| {
        let end: jiff::Timestamp = json["endsAt"].as_str().unwrap().parse().unwrap();
        let local = end.to_zoned_datetime(jiff::tz::TimeZone::get(zone).unwrap());
        (local.hour(), local.minute())
    };
    let set = h.run(&["--json", "set", "busy", "--until", "17:30"]).await;
    set.expect(0);
    assert_eq!(
        wall_clock_of(&set.json(), "Europe/Berlin"),
        (17, 30),
        "{:#}",
        set.json()
    );

    std::fs::remove_file(&localtime).unwrap();
    std::os::unix::fs::symlink("/usr/share/zoneinfo/America/New_York", &localtime).unwrap();
    let set = h.run(&["--json", "set", "busy", "--until", "17:30"]).await;
    set.expect(0);
    assert_eq!(
        wall_clock_of(&set.json(), "America/New_York"),
        (17, 30),
        "the new zone counts without a restart: {:#}",
        set.json()
    );
    daemon.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_sign_in_revoked_set_and_status_answer_sign_in_again_with_exit_3_and_the_reading_s_age() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let mut daemon = start_keeper(&h).await;
    h.run(&["--json", "set", "busy", "--for", "4h"]).await.expect(0);

    // Revoked (a password change, an administrator); the access token in hand lapses (contract §5).
    h.post(&format!("/_emulator/users/{ADELE}/revoke"), json!({}))
        .await;
    h.advance(2 * 3600).await;

    let set = h.run(&["--json", "set", "dnd", "--for", "30m"]).await;
    set.expect(3);
    let json = set.json();
    assert_eq!(json["error"]["kind"], "signInRequired", "{json:#}");
    assert_eq!(json["error"]["action"]["type"], "signIn", "{json:#}");

    let status = h.run(&["--json", "status"]).await;
    status.expect(3);
    let json = status.json();
    assert_eq!(json["error"]["kind"], "signInRequired", "{json:#}");
    assert_eq!(
        json["presently"]["status"], "dnd",
        "the choice is kept as the intent: {json:#}"
    );
    assert_eq!(json["graph"]["availability"], "Busy", "{json:#}");
    assert_eq!(
        json["graph"]["beforeProblem"], true,
        "the last reading is labelled as from before the problem: {json:#}"
    );
    assert!(json["graph"]["ageSecs"].is_i64(), "{json:#}");
    assert!(
        json["warnings"].as_array().unwrap().is_empty(),
        "no guess at another cause: {json:#}"
    );
    let text = h.run(&["status"]).await;
    text.expect(3);
    assert!(
        text.stdout.lines().next().unwrap_or("").contains("sign in again"),
        "the problem comes first: {}",
        text.stdout
    );
    daemon.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_graph_unreachable_set_and_status_answer_offline_with_exit_5_and_the_choice_is_kept() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let mut daemon = start_keeper(&h).await;
    h.run(&["--json", "set", "busy", "--for", "4h"]).await.expect(0);

    h.fault(json!({"path": "/v1.0/", "match": "prefix", "count": 100000, "fault": {"kind": "drop"}}))
        .await;
    let set = h.run(&["--json", "set", "away", "--for", "1h"]).await;
    set.expect(5);
    assert_eq!(set.json()["error"]["kind"], "offline", "{:#}", set.json());

    let status = h.run(&["--json", "status"]).await;
    status.expect(5);
    let json = status.json();
    assert_eq!(json["error"]["kind"], "offline", "{json:#}");
    assert_eq!(
        json["presently"]["status"], "away",
        "the choice is kept: {json:#}"
    );
    assert_eq!(json["graph"]["beforeProblem"], true, "{json:#}");
    daemon.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_status_and_clear_go_through_a_running_keeper_which_stops_cleanly_on_sigterm() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);

    let mut daemon = start_keeper(&h).await;
    let socket = h.ipc_address();

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_asks_the_running_keeper_for_its_state_and_names_the_log_folder() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let alone = h.run(&["--json", "doctor"]).await;
    alone.expect(0);
    let json = alone.json();
    assert_eq!(json["running"], serde_json::Value::Null, "{json:#}");
    let check = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "running app")
        .cloned()
        .unwrap();
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .contains("no Presently app or keeper is running"),
        "{check:#}"
    );
    // With a data folder of its own, the log is kept beside it (presently_core::log_file).
    assert_eq!(
        json["logFolder"].as_str().map(std::path::PathBuf::from),
        Some(h.data_dir().join("logs"))
    );

    let mut daemon = start_keeper(&h).await;
    h.run(&["--json", "set", "busy", "--for", "2h"]).await.expect(0);
    let json = h.run(&["--json", "doctor"]).await.json();
    let running = &json["running"];
    assert_eq!(running["version"], env!("CARGO_PKG_VERSION"), "{json:#}");
    assert_eq!(running["account"]["state"], "signedIn");
    assert_eq!(running["account"]["name"], "Adele Vance");
    assert_eq!(running["intent"]["status"], "busy");
    assert_eq!(running["reported"]["availability"], "Busy", "{running:#}");
    assert!(running["readingAgeSecs"].as_i64().unwrap() >= 0);
    assert!(running["next"]["at"].is_string(), "{running:#}");
    assert_eq!(
        running["hotkeys"]["support"]["kind"], "inactive",
        "presently run registers none"
    );
    assert_eq!(running["loginEntry"], serde_json::Value::Null);
    assert_eq!(
        running["tray"],
        serde_json::Value::Null,
        "presently run has no tray"
    );
    // The tray host of this machine, whatever it is (none on a headless test machine; a warning, not a failure).
    let host = json["trayHost"].as_str().unwrap_or_default();
    assert!(
        ["statusNotifierWatcher", "xEmbedManager", "platform", "none"].contains(&host),
        "{json:#}"
    );
    let check = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tray host")
        .cloned()
        .unwrap();
    assert_eq!(
        check["status"],
        if host == "none" { "warn" } else { "ok" },
        "{check:#}"
    );

    let text = h.run(&["doctor"]).await;
    text.expect(0);
    for expected in [
        "The running app or keeper:",
        "signed in: Adele Vance",
        "intent: busy until",
        "last reading: Busy/Busy at",
        "next step: ",
        "hotkeys: none registered by this process",
        "login entry: not kept by this process",
    ] {
        assert!(
            text.stdout.contains(expected),
            "{expected:?} in:\n{}",
            text.stdout
        );
    }
    daemon.kill().await.unwrap();
}
