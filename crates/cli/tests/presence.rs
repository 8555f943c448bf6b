//! `set`, `status` and `clear` with the real binary, read back from the emulator's own picture of the user
//! (`/_emulator/users/{id}/presence`): the pin's pair and expiry (contract §2), Presently's session (contract
//! §3: it keeps the pin visible while Teams is closed; none for Appear offline), the warning that a one-shot
//! session lapses, and honest reporting when Graph shows something else.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CLIENT_ID, Harness, ts, within_a_minute};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// An availability/activity pair.
type Pair = (&'static str, &'static str);
/// A status's short name, the pin pair it must send (contract §2), the session pair (model `session` docs;
/// `None` for offline), and Graph's default expiry in hours.
type StatusRow = (&'static str, Pair, Option<Pair>, i64);

const STATUSES: [StatusRow; 6] = [
    (
        "available",
        ("Available", "Available"),
        Some(("Available", "Available")),
        7 * 24,
    ),
    ("busy", ("Busy", "Busy"), Some(("Busy", "InACall")), 24),
    (
        "dnd",
        ("DoNotDisturb", "DoNotDisturb"),
        Some(("DoNotDisturb", "Presenting")),
        24,
    ),
    (
        "brb",
        ("BeRightBack", "BeRightBack"),
        Some(("Away", "Away")),
        7 * 24,
    ),
    ("away", ("Away", "Away"), Some(("Away", "Away")), 7 * 24),
    ("offline", ("Offline", "OffWork"), None, 7 * 24),
];

const PRESETS: [&str; 8] = ["30m", "1h", "2h", "4h", "8h", "eod", "forever", "default"];

/// The next 17:30 UTC strictly after `now` on a weekday (the tests run the binary with TZ=UTC and the default
/// working week, Monday to Friday ending at 17:30): on Friday evening and at the weekend, Monday's.
fn next_workday_end(now: Timestamp) -> Timestamp {
    let mut date = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    loop {
        let end = date
            .at(17, 30, 0, 0)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp();
        let weekend = matches!(
            date.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        if !weekend && end > now {
            return end;
        }
        date = date.tomorrow().unwrap();
    }
}

fn our_session(presence: &Value) -> Option<&Value> {
    presence["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sessionId"] == CLIENT_ID)
}

async fn signed_in() -> Harness {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    h
}

#[tokio::test(flavor = "multi_thread")]
async fn every_status_with_every_preset_pins_the_exact_pair_for_the_chosen_time_with_our_session() {
    let h = signed_in().await;
    for (name, (availability, activity), session_pair, default_hours) in STATUSES {
        for preset in PRESETS {
            let before = h.now();
            let run = h.run(&["--json", "set", name, "--preset", preset]).await;
            run.expect(0);
            let json = run.json();
            let context = format!("{name} --preset {preset}");
            assert_eq!(json["status"], name, "{context}");
            assert_eq!(json["matches"], true, "{context}: {json}");
            if session_pair.is_some() {
                assert_eq!(json["graph"]["availability"], availability, "{context}");
                assert_eq!(json["graph"]["activity"], activity, "{context}");
            }

            let presence = h.presence().await;
            let pin = &presence["pin"];
            assert_eq!(pin["availability"], availability, "{context}: {presence}");
            assert_eq!(pin["activity"], activity, "{context}");
            assert_eq!(pin["setBy"], CLIENT_ID, "{context}");
            let expected_pin_end = match preset {
                "eod" => next_workday_end(before),
                "forever" => before + SignedDuration::from_hours(7 * 24),
                "default" => before + SignedDuration::from_hours(default_hours),
                fixed => {
                    before
                        + fixed
                            .parse::<jiff::Span>()
                            .map(|s| SignedDuration::try_from(s).unwrap())
                            .unwrap()
                }
            };
            within_a_minute(ts(&pin["expiresAt"]), expected_pin_end, &context);
            if preset == "default" {
                assert!(
                    json["expirationDuration"].is_null(),
                    "{context}: Graph's default sends none"
                );
            } else {
                assert!(
                    json["expirationDuration"].as_str().unwrap().starts_with("PT"),
                    "{context}"
                );
            }

            match session_pair {
                Some((s_availability, s_activity)) => {
                    let session = our_session(&presence).unwrap_or_else(|| panic!("{context}: no session"));
                    assert_eq!(session["kind"], "app");
                    assert_eq!(session["availability"], s_availability, "{context}");
                    assert_eq!(session["activity"], s_activity, "{context}");
                    // Until the end, within PT5M..PT4H (contract §2): within five minutes of the working day's
                    // end, "eod" gets the five-minute minimum.
                    let session_end = expected_pin_end
                        .min(before + SignedDuration::from_hours(4))
                        .max(before + SignedDuration::from_mins(5));
                    within_a_minute(ts(&session["expiresAt"]), session_end, &context);
                    let warnings = json["warnings"].as_array().unwrap();
                    assert!(
                        warnings
                            .iter()
                            .any(|w| w.as_str().unwrap().contains("No keeper is running")),
                        "{context}: {warnings:?}"
                    );
                    assert!(run.stderr.contains("warning: No keeper is running"), "{context}");
                    assert!(run.stderr.contains("presently run"), "{context}");
                }
                None => {
                    assert!(
                        our_session(&presence).is_none(),
                        "{context}: offline keeps no session"
                    );
                    assert!(json["session"].is_null());
                    // With no session alive Graph reports Offline/Offline: what Appear offline wants.
                    assert_eq!(presence["effective"]["availability"], "Offline");
                    assert_eq!(json["graph"]["availability"], "Offline");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn for_and_until_resolve_against_the_local_clock() {
    let h = signed_in().await;
    let before = h.now();
    let run = h.run(&["--json", "set", "dnd", "--for", "90m"]).await;
    run.expect(0);
    let pin = h.presence().await["pin"].clone();
    within_a_minute(
        ts(&pin["expiresAt"]),
        before + SignedDuration::from_mins(90),
        "--for 90m",
    );
    assert_eq!(run.json()["session"]["expirationDuration"], "PT1H30M");

    // A time two hours from now, written as HH:MM in UTC (the test's TZ).
    let end = (h.now() + SignedDuration::from_hours(2)).to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let until = format!("{:02}:{:02}", end.hour(), end.minute());
    let run = h.run(&["--json", "set", "busy", "--until", &until]).await;
    run.expect(0);
    let json = run.json();
    let ends_at = ts(&json["endsAt"]);
    assert_eq!(ends_at.as_second() % 60, 0, "a wall-clock minute");
    within_a_minute(ends_at, h.now() + SignedDuration::from_hours(2), "--until HH:MM");
    within_a_minute(
        ts(&h.presence().await["pin"]["expiresAt"]),
        ends_at,
        "the pin ends then",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_shows_graph_and_what_presently_set_and_clear_goes_back_to_automatic() {
    let h = signed_in().await;
    let none = h.run(&["--json", "status"]).await;
    none.expect(0);
    let json = none.json();
    assert_eq!(json["graph"]["availability"], "Offline");
    assert!(json["presently"].is_null(), "{json}");
    assert_eq!(json["mode"], "oneShot");
    assert_eq!(json["keeperRunning"], false);

    h.run(&["set", "dnd", "--for", "1h"]).await.expect(0);
    let run = h.run(&["status"]).await;
    run.expect(0);
    assert!(
        run.stdout.contains("Graph reports: DoNotDisturb"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Presently set: Do not disturb until"),
        "{}",
        run.stdout
    );
    let json = h.run(&["--json", "status"]).await.json();
    assert_eq!(json["presently"]["status"], "dnd");
    assert_eq!(json["presently"]["active"], true);
    assert_eq!(json["presently"]["sessionAlive"], true);
    assert_eq!(json["presently"]["shownByGraph"], true);

    let run = h.run(&["--json", "clear"]).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json["cleared"], true);
    assert_eq!(json["sessionCleared"], true);
    assert_eq!(json["graph"]["availability"], "Offline");
    let presence = h.presence().await;
    assert!(presence["pin"].is_null(), "{presence}");
    assert!(our_session(&presence).is_none());
    assert!(h.run(&["--json", "status"]).await.json()["presently"].is_null());

    // Clearing again is fine: Graph's 404 for a missing session means there was none (contract §2).
    let again = h.run(&["--json", "clear"]).await;
    again.expect(0);
    assert_eq!(again.json()["sessionCleared"], false);
    assert_eq!(h.logged("clearPresence").last(), Some(&404));
}

#[tokio::test(flavor = "multi_thread")]
async fn once_the_one_shot_session_lapses_status_explains_why_colleagues_see_offline() {
    let h = signed_in().await;
    h.run(&["set", "busy", "--preset", "8h"]).await.expect(0);
    // Past the 4-hour session, within the 8-hour pin (contract §3: no session, Offline).
    h.advance(5 * 3600).await;
    assert_eq!(h.presence().await["effective"]["availability"], "Offline");
    let run = h.run(&["--json", "status"]).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json["graph"]["availability"], "Offline");
    assert_eq!(json["presently"]["shownByGraph"], false);
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("no live presence session"), "{warnings}");
    assert!(warnings.contains("presently run"), "{warnings}");
}

#[tokio::test(flavor = "multi_thread")]
async fn set_says_so_when_graph_reports_something_else_than_what_was_set() {
    let h = signed_in().await;
    // The user picks Do not disturb in Teams right after the pin is set, before the read-back: the read-back
    // is held by a delay fault, and Teams picks once the fault has caught it.
    h.fault(json!({
        "path": format!("/v1.0/users/{}/presence", common::ADELE),
        "method": "GET",
        "fault": { "kind": "delay", "ms": 2000 }
    }))
    .await;
    let command = h.run(&["--json", "set", "available", "--for", "1h"]);
    let teams = async {
        // The fault leaves the list once it has caught the read-back.
        while !h.get("/_emulator/faults").await["faults"]
            .as_array()
            .unwrap()
            .is_empty()
        {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        h.post(
            &format!("/_emulator/users/{}/teams/status", common::ADELE),
            json!({ "availability": "DoNotDisturb", "activity": "DoNotDisturb" }),
        )
        .await;
    };
    let (run, ()) = tokio::join!(command, teams);
    run.expect(0);
    let json = run.json();
    assert_eq!(json["matches"], false, "{json}");
    assert_eq!(json["graph"]["availability"], "DoNotDisturb");
    let warnings = json["warnings"].to_string();
    assert!(
        warnings.contains("Graph now reports DoNotDisturb, not Available"),
        "{warnings}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn appear_offline_masks_a_running_teams_and_reads_back_as_offline_off_work() {
    let h = signed_in().await;
    h.post(
        &format!("/_emulator/users/{}/teams", common::ADELE),
        json!({ "availability": "Available", "activity": "Available" }),
    )
    .await;
    let run = h.run(&["--json", "set", "offline", "--for", "2h"]).await;
    run.expect(0);
    let json = run.json();
    // Teams' session is alive, so the pin shows (contract §3).
    assert_eq!(json["graph"]["availability"], "Offline");
    assert_eq!(json["graph"]["activity"], "OffWork");
    assert_eq!(json["matches"], true);
    assert!(json["warnings"].as_array().unwrap().is_empty(), "{json}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_socket_that_does_not_answer_like_a_keeper_is_not_taken_for_one() {
    let h = signed_in().await;
    let socket = h.dir.path().join("keeper.sock");
    // Something accepts connections where the keeper would listen, but never answers.
    let _listener = tokio::net::UnixListener::bind(&socket).unwrap();
    let socket = socket.display().to_string();
    let env = [("PRESENTLY_IPC", socket.as_str())];
    let run = h.run_with(&["--json", "set", "busy", "--for", "1h"], &env).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json["mode"], "oneShot", "{json}");
    assert_eq!(json["keeperRunning"], false);
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("No keeper is running"), "{warnings}");
}
