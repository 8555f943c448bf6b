//! The status message through the keeper, on the emulator's virtual clock (contract §2): written once with its
//! own expiry and never renewed, read back, gone with the status it was set with, and adopted when changed in
//! Teams like a status picked there.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic fails the test

use std::time::Duration;

use presently_core::keeper::{Agreement, MessageEnd, Snapshot};
use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use presently_testkit::Harness;
use reqwest::Method;
use serde_json::json;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn message_writes(h: &Harness) -> usize {
    h.requests()
        .iter()
        .filter(|e| e.kind.as_deref() == Some("setStatusMessage"))
        .count()
}

/// The message colleagues see, from the emulator's own view.
fn shown_message(h: &Harness) -> Option<String> {
    h.presence_view()["statusMessage"]["content"]
        .as_str()
        .map(str::to_string)
}

fn message_is(text: &'static str) -> impl Fn(&Snapshot) -> bool {
    move |s| s.message.as_ref().is_some_and(|m| m.text == text)
}

#[tokio::test(start_paused = true)]
async fn a_message_set_with_a_timed_status_ends_with_it_without_a_second_write() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &DurationChoice::Preset(Preset::Hour1),
            Origin::Cli,
        )
        .unwrap();
    h.keeper
        .set_message("  Back at 3 ", None, MessageEnd::WithStatus, Origin::Cli)
        .unwrap();
    let snap = h
        .wait_for(MINUTE, |s| {
            message_is("Back at 3")(s) && s.agreement == Agreement::Matches
        })
        .await;
    let message = snap.message.unwrap();
    assert!(message.with_status);
    assert_eq!(
        message.expires_at, snap.ends_at,
        "the message's expiry is the status's end"
    );
    assert_eq!(shown_message(&h).as_deref(), Some("Back at 3"));
    assert_eq!(message_writes(&h), 1);

    tokio::time::sleep(HOUR + 5 * MINUTE).await;
    let snap = h.keeper.snapshot();
    assert!(snap.intent.is_none());
    assert!(snap.message.is_none());
    assert_eq!(shown_message(&h), None, "Graph dropped it at its expiry");
    assert_eq!(message_writes(&h), 1, "nothing was written to remove it");
}

#[tokio::test(start_paused = true)]
async fn a_message_with_a_status_until_changed_is_cleared_when_going_back_to_automatic() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::DoNotDisturb,
            &DurationChoice::Preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    h.keeper
        .set_message("In focus time", None, MessageEnd::WithStatus, Origin::Popup)
        .unwrap();
    h.wait_for(MINUTE, message_is("In focus time")).await;
    tokio::time::sleep(MINUTE).await;
    assert_eq!(shown_message(&h).as_deref(), Some("In focus time"));
    tokio::time::sleep(10 * HOUR).await;
    assert_eq!(message_writes(&h), 1, "a message is never renewed");

    h.keeper.back_to_automatic().unwrap();
    h.wait_for(MINUTE, |s| s.intent.is_none() && s.message.is_none())
        .await;
    tokio::time::sleep(MINUTE).await;
    assert_eq!(shown_message(&h), None);
    assert_eq!(message_writes(&h), 2);
}

#[tokio::test(start_paused = true)]
async fn a_message_on_its_own_stays_until_its_end_and_can_be_cleared() {
    let h = Harness::start().await;
    h.keeper
        .set_message(
            "On a train, slow replies",
            Some(&DurationChoice::Preset(Preset::Hours2)),
            MessageEnd::Never,
            Origin::Cli,
        )
        .unwrap();
    let snap = h.wait_for(MINUTE, message_is("On a train, slow replies")).await;
    tokio::time::sleep(MINUTE).await;
    assert!(snap.message.unwrap().expires_at.is_some());
    assert_eq!(shown_message(&h).as_deref(), Some("On a train, slow replies"));
    h.keeper.clear_message().unwrap();
    h.wait_for(MINUTE, |s| s.message.is_none()).await;
    tokio::time::sleep(MINUTE).await;
    assert_eq!(shown_message(&h), None);
    assert!(
        h.keeper
            .set_message(&"x".repeat(281), None, MessageEnd::Never, Origin::Cli)
            .is_err(),
        "over 280 characters is refused before anything is sent"
    );
}

#[tokio::test(start_paused = true)]
async fn a_message_changed_in_teams_is_adopted_not_overwritten() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &DurationChoice::Preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    h.keeper
        .set_message("Back at 3", None, MessageEnd::Never, Origin::Popup)
        .unwrap();
    h.wait_for(MINUTE, message_is("Back at 3")).await;
    tokio::time::sleep(5 * MINUTE).await;
    let writes = message_writes(&h);

    h.control(
        Method::POST,
        &format!("/_emulator/users/{}/teams/message", h.oid),
        json!({"content": "<p>Out&nbsp;&amp; about</p>"}),
    )
    .await;
    h.keeper.look().unwrap();
    let snap = h.wait_for(MINUTE, message_is("Out & about")).await;
    assert_eq!(snap.message.unwrap().origin, Origin::Teams);

    h.control(
        Method::DELETE,
        &format!("/_emulator/users/{}/teams/message", h.oid),
        json!({}),
    )
    .await;
    // Noticed at the next periodic check, at most half an hour later.
    h.wait_for(31 * MINUTE, |s| s.message.is_none()).await;
    assert_eq!(
        message_writes(&h),
        writes,
        "nothing was written over the change made in Teams"
    );
    assert_eq!(
        h.keeper.snapshot().intent.unwrap().status,
        PreferredPresence::Busy,
        "the status is untouched"
    );
}
