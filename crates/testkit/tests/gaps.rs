//! The user's latest choice wins, wherever they made it (architecture convention 14): after every gap — a restart
//! (even after a kill), a wake from sleep, the network coming back, a new sign-in — the keeper reads Graph before
//! it writes anything. A status picked in Teams during the gap is adopted and nothing is written over it; what
//! lapsed of ours during the gap is posted again; a choice the user made here during the gap is written.
//! Everything runs on the emulator's virtual clock (contract sections cited where a rule decides the outcome).
#![allow(clippy::unwrap_used, clippy::expect_used)] // the helpers below are test code: a panic fails the test

use std::time::Duration;

use presently_core::ProblemKind;
use presently_core::keeper::{AccountView, Agreement, Snapshot};
use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use presently_testkit::Harness;
use reqwest::Method;
use serde_json::json;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn until_changed() -> DurationChoice {
    DurationChoice::Preset(Preset::UntilChanged)
}

fn pair(s: PreferredPresence) -> (String, String) {
    let p = s.preferred_pair();
    (
        p.availability.as_str().to_string(),
        p.activity.as_str().to_string(),
    )
}

/// Status writes (pin or session) so far: what must not happen over a choice made in Teams.
fn status_writes(h: &Harness) -> usize {
    h.requests()
        .iter()
        .filter(|e| {
            matches!(
                e.kind.as_deref(),
                Some("setUserPreferredPresence" | "setPresence")
            )
        })
        .count()
}

fn count(h: &Harness, kind: &str) -> usize {
    h.requests()
        .iter()
        .filter(|e| e.kind.as_deref() == Some(kind))
        .count()
}

fn adopted(status: PreferredPresence) -> impl Fn(&Snapshot) -> bool {
    move |s| {
        s.intent
            .is_some_and(|i| i.status == status && i.origin == Origin::Teams)
    }
}

fn kept(status: PreferredPresence) -> impl Fn(&Snapshot) -> bool {
    move |s| {
        s.intent
            .is_some_and(|i| i.status == status && i.origin != Origin::Teams)
            && s.agreement == Agreement::Matches
    }
}

/// The user opens Teams and picks a status there: the emulator's Teams client attaches its own session, and
/// the pick replaces the pin (contract §3).
async fn pick_in_teams(h: &Harness, status: PreferredPresence) {
    h.control(
        Method::POST,
        &format!("/_emulator/users/{}/teams", h.oid),
        json!({"availability": "Available", "activity": "Available"}),
    )
    .await;
    let p = status.preferred_pair();
    h.control(
        Method::POST,
        &format!("/_emulator/users/{}/teams/status", h.oid),
        json!({"availability": p.availability.as_str(), "activity": p.activity.as_str()}),
    )
    .await;
}

/// After a status was picked in Teams during a gap: it is the intent, nothing was written over it, and
/// colleagues still see it a while later.
async fn assert_adopted_without_writes(h: &Harness, writes_before: usize, status: PreferredPresence) {
    let snap = h.wait_for(5 * MINUTE, adopted(status)).await;
    assert!(snap.problem.is_none(), "{:?}", snap.problem);
    tokio::time::sleep(10 * MINUTE).await;
    assert_eq!(
        status_writes(h),
        writes_before,
        "nothing was written over the choice made in Teams"
    );
    assert_eq!(h.effective(), pair(status), "colleagues see the Teams choice");
    assert!(adopted(status)(&h.keeper.snapshot()));
}

#[tokio::test(start_paused = true)]
async fn restarted_after_a_kill_the_keeper_adopts_a_status_picked_in_teams_meanwhile() {
    let mut h = Harness::keeping(PreferredPresence::Busy).await;
    h.task.abort(); // killed: no goodbye (kill_and_restart reaps it)
    tokio::time::sleep(20 * MINUTE).await;
    pick_in_teams(&h, PreferredPresence::DoNotDisturb).await;
    let writes = status_writes(&h);
    h.kill_and_restart().await;
    assert_adopted_without_writes(&h, writes, PreferredPresence::DoNotDisturb).await;
}

#[tokio::test(start_paused = true)]
async fn restarted_after_its_session_lapsed_the_keeper_re_asserts_it() {
    let mut h = Harness::keeping(PreferredPresence::Busy).await;
    h.task.abort();
    // Longer than our four-hour session (contract §2): with Teams closed, colleagues now see Offline (§3).
    tokio::time::sleep(5 * HOUR).await;
    assert_eq!(h.effective().0, "Offline");
    let pins = count(&h, "setUserPreferredPresence");
    h.kill_and_restart().await;
    h.wait_for(MINUTE, kept(PreferredPresence::Busy)).await;
    assert_eq!(
        h.effective(),
        pair(PreferredPresence::Busy),
        "the session is back"
    );
    assert_eq!(
        count(&h, "setUserPreferredPresence"),
        pins,
        "the pin never lapsed: only the session is posted again"
    );
}

#[tokio::test(start_paused = true)]
async fn after_two_hours_asleep_a_status_picked_in_teams_is_adopted() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    let writes = status_writes(&h);
    h.advance_wall(2 * HOUR); // asleep: the wall clock jumps, the monotonic one does not
    pick_in_teams(&h, PreferredPresence::BeRightBack).await;
    assert_adopted_without_writes(&h, writes, PreferredPresence::BeRightBack).await;
}

#[tokio::test(start_paused = true)]
async fn after_five_hours_asleep_the_lapsed_session_is_re_asserted() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    h.advance_wall(5 * HOUR);
    assert_eq!(h.effective().0, "Offline", "our session lapsed while asleep");
    tokio::time::sleep(2 * MINUTE).await;
    h.wait_for(MINUTE, kept(PreferredPresence::Busy)).await;
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
}

async fn network_down(h: &Harness) {
    h.control(
        Method::POST,
        "/_emulator/faults",
        json!({"path": "/v1.0/", "match": "prefix", "count": 100000, "fault": {"kind": "drop"}}),
    )
    .await;
}

async fn network_back(h: &Harness) {
    h.control(Method::DELETE, "/_emulator/faults", json!({})).await;
}

#[tokio::test(start_paused = true)]
async fn when_the_network_comes_back_a_status_picked_in_teams_meanwhile_is_adopted() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    network_down(&h).await;
    // The half-hourly check fails and is retried with backoff: the keeper knows it is offline.
    let snap = h
        .wait_for(HOUR, |s| {
            s.problem.as_ref().is_some_and(|p| p.kind == ProblemKind::Offline)
        })
        .await;
    assert!(
        snap.reading_predates_problem(),
        "the last reading is labelled as from before the problem"
    );
    pick_in_teams(&h, PreferredPresence::DoNotDisturb).await;
    let writes = status_writes(&h);
    network_back(&h).await;
    assert_adopted_without_writes(&h, writes, PreferredPresence::DoNotDisturb).await;
}

#[tokio::test(start_paused = true)]
async fn when_the_network_comes_back_after_our_session_lapsed_it_is_re_asserted() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    network_down(&h).await;
    tokio::time::sleep(5 * HOUR).await;
    assert_eq!(h.effective().0, "Offline", "the renewal could not reach Graph");
    network_back(&h).await;
    let snap = h
        .wait_for(15 * MINUTE, |s| {
            kept(PreferredPresence::Busy)(s) && s.problem.is_none()
        })
        .await;
    assert_eq!(snap.intent.unwrap().status, PreferredPresence::Busy);
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
}

#[tokio::test(start_paused = true)]
async fn a_choice_the_user_made_here_while_offline_is_written_when_the_network_comes_back() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    network_down(&h).await;
    h.keeper
        .choose(PreferredPresence::AppearAway, &until_changed(), Origin::Hotkey)
        .unwrap();
    let snap = h.wait_for(MINUTE, |s| s.problem.is_some()).await;
    assert_eq!(snap.problem.unwrap().kind, ProblemKind::Offline);
    tokio::time::sleep(30 * MINUTE).await;
    network_back(&h).await;
    h.wait_for(15 * MINUTE, kept(PreferredPresence::AppearAway)).await;
    assert_eq!(
        h.effective(),
        pair(PreferredPresence::AppearAway),
        "the user's own click is written"
    );
}

async fn revoke_and_wait(h: &Harness) {
    h.control(
        Method::POST,
        &format!("/_emulator/users/{}/revoke", h.oid),
        json!({}),
    )
    .await;
    h.wait_for(3 * HOUR, |s| {
        matches!(s.account, AccountView::SignInRequired { .. })
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn after_signing_in_again_a_status_picked_in_teams_meanwhile_is_adopted() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    revoke_and_wait(&h).await;
    pick_in_teams(&h, PreferredPresence::DoNotDisturb).await;
    let writes = status_writes(&h);
    h.sign_in_again().await;
    assert_adopted_without_writes(&h, writes, PreferredPresence::DoNotDisturb).await;
}

#[tokio::test(start_paused = true)]
async fn after_signing_in_again_a_lapsed_session_is_re_asserted() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    revoke_and_wait(&h).await;
    tokio::time::sleep(5 * HOUR).await;
    assert_eq!(h.effective().0, "Offline");
    h.sign_in_again().await;
    let busy = kept(PreferredPresence::Busy);
    h.wait_for(MINUTE, |s| {
        matches!(s.account, AccountView::SignedIn { .. }) && busy(s)
    })
    .await;
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
}

#[tokio::test(start_paused = true)]
async fn a_status_picked_in_teams_while_presently_runs_is_noticed_within_half_an_hour() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    tokio::time::sleep(7 * MINUTE).await;
    let writes = status_writes(&h);
    pick_in_teams(&h, PreferredPresence::AppearAway).await;
    let picked_at = h.emulator.clock().now();
    h.wait_for(31 * MINUTE, adopted(PreferredPresence::AppearAway))
        .await;
    let noticed_after = h.emulator.clock().now().duration_since(picked_at);
    assert!(
        noticed_after <= jiff::SignedDuration::from_mins(30),
        "noticed after {noticed_after:#}"
    );
    assert_eq!(status_writes(&h), writes);
}

#[tokio::test(start_paused = true)]
async fn looking_reads_graph_once_for_a_burst_and_not_at_all_when_the_reading_is_fresh() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    let reads = count(&h, "getPresence");
    h.keeper.look().unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        count(&h, "getPresence"),
        reads,
        "a reading under a minute old is fresh enough"
    );

    tokio::time::sleep(10 * MINUTE).await;
    let reads = count(&h, "getPresence");
    pick_in_teams(&h, PreferredPresence::DoNotDisturb).await;
    for _ in 0..20 {
        h.keeper.look().unwrap();
    }
    h.wait_for(MINUTE, adopted(PreferredPresence::DoNotDisturb)).await;
    for _ in 0..20 {
        h.keeper.look().unwrap();
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        count(&h, "getPresence") - reads,
        1,
        "one read for the whole burst of looks"
    );
}

#[tokio::test(start_paused = true)]
async fn a_choice_made_while_sign_in_is_needed_is_kept_and_answered_with_that_problem() {
    let h = Harness::keeping(PreferredPresence::Busy).await;
    revoke_and_wait(&h).await;
    h.keeper
        .choose(PreferredPresence::DoNotDisturb, &until_changed(), Origin::Cli)
        .unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let snap = h.keeper.snapshot();
    assert_eq!(
        snap.intent.unwrap().status,
        PreferredPresence::DoNotDisturb,
        "kept as the intent"
    );
    assert_eq!(
        snap.problem.as_ref().map(|p| p.kind),
        Some(ProblemKind::SignInRequired),
        "the answer is the problem that stops the keeper"
    );
    assert!(
        snap.reading_predates_problem(),
        "the last reading is from before the problem"
    );
    tokio::time::sleep(HOUR).await;
    assert_eq!(
        h.keeper.snapshot().problem.map(|p| p.kind),
        Some(ProblemKind::SignInRequired),
        "and it stays until the user signs in"
    );
}
