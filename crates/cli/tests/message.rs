//! `presently message` and `presently set --message` with the real binary, read back from the emulator's own
//! picture of the user: the status message (contract §2), its expiry (an object on the wire), its end with
//! the status, the 280-character limit, and the same through a running keeper (`presently run`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Harness, ts, within_a_minute};
use serde_json::Value;

fn shown(view: &Value) -> Option<String> {
    view["statusMessage"]["content"].as_str().map(str::to_string)
}

#[tokio::test]
async fn set_with_a_message_ends_the_message_with_the_status_and_status_shows_it() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let set = h
        .run(&["--json", "set", "busy", "--for", "1h", "--message", " Back at 3 "])
        .await;
    set.expect(0);
    let json = set.json();
    assert_eq!(json["message"]["text"], "Back at 3", "{json:#}");
    let view = h.presence().await;
    assert_eq!(shown(&view).as_deref(), Some("Back at 3"), "{view:#}");
    within_a_minute(
        ts(&view["statusMessage"]["expiresAt"]),
        ts(&json["endsAt"]),
        "the message ends with the status (clear-message-with-status is on by default)",
    );
    assert_eq!(h.logged("setStatusMessage"), vec![200]);

    let status = h.run(&["--json", "status"]).await;
    status.expect(0);
    assert_eq!(status.json()["graph"]["message"]["text"], "Back at 3");
    let text = h.run(&["status"]).await;
    assert!(
        text.stdout.contains("Status message: “Back at 3” (until "),
        "{}",
        text.stdout
    );

    h.advance(3601).await;
    assert_eq!(
        shown(&h.presence().await),
        None,
        "gone at the status's end without a write"
    );
    assert_eq!(h.logged("setStatusMessage").len(), 1);
}

#[tokio::test]
async fn a_message_on_its_own_has_its_own_end_never_one_with_the_setting_off_and_can_be_cleared() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let set = h
        .run(&[
            "--json",
            "message",
            "On a train, slow replies",
            "--until",
            "23:59",
        ])
        .await;
    set.expect(0);
    assert_eq!(set.json()["message"]["text"], "On a train, slow replies");
    assert!(set.json()["message"]["expiresAt"].is_string(), "{:#}", set.json());

    h.run(&["config", "set", "clear-message-with-status", "false"])
        .await
        .expect(0);
    h.run(&["set", "dnd", "--for", "30m", "--message", "Heads down"])
        .await
        .expect(0);
    let view = h.presence().await;
    assert_eq!(shown(&view).as_deref(), Some("Heads down"));
    assert!(
        view["statusMessage"]["expiresAt"].is_null(),
        "with the setting off it stays: {view:#}"
    );

    let clear = h.run(&["--json", "message", "--clear"]).await;
    clear.expect(0);
    assert!(clear.json()["message"].is_null(), "{:#}", clear.json());
    assert_eq!(shown(&h.presence().await), None);
}

#[tokio::test]
async fn a_message_over_280_characters_or_empty_is_bad_input_before_anything_is_sent() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let long = "x".repeat(281);
    let run = h.run(&["--json", "message", &long]).await;
    run.expect(2);
    assert_eq!(run.json()["error"]["kind"], "invalidChoice", "{:#}", run.json());
    h.run(&["message", "  "]).await.expect(2);
    h.run(&["set", "busy", "--message", &long]).await.expect(2);
    h.run(&["message"]).await.expect(2);
    assert!(h.logged("setStatusMessage").is_empty());
    assert!(h.logged("setUserPreferredPresence").is_empty());
}

#[cfg_attr(
    windows,
    ignore = "waits for the keeper's Unix socket file; Windows listens on a named pipe"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_running_keeper_the_message_is_kept_shown_and_cleared() {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    let mut daemon = h.command(&["run"]);
    daemon.stdout(Stdio::null()).stderr(Stdio::null());
    let mut daemon = daemon.spawn().unwrap();
    let address = h.ipc_address();
    for _ in 0..200 {
        if address.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let set = h
        .run(&["--json", "set", "busy", "--for", "2h", "--message", "Back at 3"])
        .await;
    set.expect(0);
    assert_eq!(set.json()["mode"], "keeper", "{:#}", set.json());
    assert_eq!(set.json()["message"]["text"], "Back at 3", "{:#}", set.json());
    let view = h.presence().await;
    assert_eq!(shown(&view).as_deref(), Some("Back at 3"), "{view:#}");
    within_a_minute(
        ts(&view["statusMessage"]["expiresAt"]),
        ts(&set.json()["endsAt"]),
        "the keeper's message ends with the status",
    );

    // `status` shows the keeper's message (a message changed in Teams is adopted by the keeper's reading: see
    // the keeper's own tests on virtual time, crates/testkit/tests/message.rs).
    let status = h.run(&["--json", "status"]).await;
    status.expect(0);
    assert_eq!(
        status.json()["graph"]["message"]["text"],
        "Back at 3",
        "{:#}",
        status.json()
    );
    assert_eq!(h.logged("setStatusMessage").len(), 1, "written once");

    let clear = h.run(&["--json", "message", "--clear"]).await;
    clear.expect(0);
    assert_eq!(clear.json()["mode"], "keeper");
    assert_eq!(shown(&h.presence().await), None);
    daemon.kill().await.unwrap();
}
