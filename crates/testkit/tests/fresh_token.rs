//! A token Graph refuses right after it was renewed (401 `InvalidAuthenticationToken` on the retry the Graph
//! client makes after its one refresh, contract §4). The identity service renewed the sign-in moments before, so
//! the keeper retries with its backoff (a token can lapse on its way when the machine sleeps mid-call) and offers
//! the user to sign in again meanwhile; only the identity service refusing a refresh proves the sign-in is gone.
//! Runs on the emulator's virtual clock; the refusals are the emulator's `tokenRejected` fault.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic fails the test

use std::time::Duration;

use presently_core::keeper::{Agreement, Snapshot};
use presently_core::{Action, ProblemKind};
use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use presently_testkit::Harness;
use reqwest::Method;
use serde_json::json;

const MINUTE: Duration = Duration::from_secs(60);

fn until_changed() -> DurationChoice {
    DurationChoice::Preset(Preset::UntilChanged)
}

fn kept(status: PreferredPresence) -> impl Fn(&Snapshot) -> bool {
    move |s| {
        s.intent.is_some_and(|i| i.status == status)
            && s.agreement == Agreement::Matches
            && s.problem.is_none()
    }
}

/// Graph refuses the next `count` bearer tokens it is shown.
async fn refuse_tokens(h: &Harness, count: u32) {
    h.control(
        Method::POST,
        "/_emulator/faults",
        json!({"path": "/v1.0/", "match": "prefix", "count": count, "fault": {"kind": "tokenRejected"}}),
    )
    .await;
}

fn token_refreshes(h: &Harness) -> usize {
    h.requests()
        .iter()
        .filter(|e| e.kind.as_deref() == Some("refresh_token"))
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_renewed_token_refused_once_is_retried_and_the_choice_is_written_without_asking_to_sign_in() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    let refreshes = token_refreshes(&h);
    // The user's click meets a refusal, the client's refresh, and a second refusal of the new token.
    refuse_tokens(&h, 2).await;
    h.keeper
        .choose(PreferredPresence::DoNotDisturb, &until_changed(), Origin::Popup)
        .unwrap();
    let waiting = h
        .wait_for(MINUTE, |s| {
            s.problem
                .as_ref()
                .is_some_and(|p| p.kind != ProblemKind::SignInRequired)
        })
        .await;
    let problem = waiting.problem.unwrap();
    assert!(problem.message.contains("just renewed"), "{problem:?}");
    assert!(
        problem.retry_in_secs.is_some(),
        "the problem says when it retries: {problem:?}"
    );
    let snap = h
        .wait_for(5 * MINUTE, kept(PreferredPresence::DoNotDisturb))
        .await;
    assert!(snap.problem.is_none());
    assert_eq!(
        h.effective().0,
        "DoNotDisturb",
        "colleagues see the user's choice"
    );
    assert!(
        token_refreshes(&h) > refreshes,
        "the sign-in was renewed, not abandoned"
    );
}

#[tokio::test(start_paused = true)]
async fn renewed_tokens_refused_again_and_again_keep_the_keeper_trying_and_offer_to_sign_in_again() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    refuse_tokens(&h, 1000).await;
    h.keeper
        .choose(PreferredPresence::DoNotDisturb, &until_changed(), Origin::Popup)
        .unwrap();
    // An hour of refusals: the keeper keeps trying with its backoff, never stops as signed out, and offers the
    // user to sign in again.
    tokio::time::sleep(60 * MINUTE).await;
    let snap = h.keeper.snapshot();
    let problem = snap.problem.clone().expect("the refusals are reported");
    assert_ne!(problem.kind, ProblemKind::SignInRequired, "{problem:?}");
    assert_eq!(problem.action, Some(Action::SignIn), "{problem:?}");
    assert!(problem.retry_in_secs.is_some(), "{problem:?}");
    assert_eq!(
        snap.intent.map(|i| i.status),
        Some(PreferredPresence::DoNotDisturb),
        "the choice waits"
    );
    let graph_calls = h
        .requests()
        .iter()
        .filter(|e| e.kind.as_deref() == Some("injectedFault"))
        .count();
    assert!(
        graph_calls < 40,
        "{graph_calls} refused calls in an hour: the backoff holds"
    );
    // Once Graph accepts tokens again, the choice is written without the user signing in.
    h.control(Method::DELETE, "/_emulator/faults", json!({})).await;
    h.wait_for(60 * MINUTE, kept(PreferredPresence::DoNotDisturb))
        .await;
    assert_eq!(h.effective().0, "DoNotDisturb");
}
