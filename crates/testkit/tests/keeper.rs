//! The keeper against the emulator on one virtual clock (`crates/core/src/keeper`): each test lives through
//! hours or days of simulated time in seconds. Contract sections are cited where a rule decides the outcome.

use std::time::Duration;

use presently_core::ProblemKind;
use presently_core::config::OnQuit;
use presently_core::keeper::{AccountView, Agreement, KeeperEvent};
use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use presently_testkit::Harness;
use reqwest::Method;
use serde_json::json;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn preset(p: Preset) -> DurationChoice {
    DurationChoice::Preset(p)
}

fn pair(s: PreferredPresence) -> (String, String) {
    let p = s.preferred_pair();
    (
        p.availability.as_str().to_string(),
        p.activity.as_str().to_string(),
    )
}

/// The keeper keeps `status` and Graph agrees. (Matching alone is not enough: with no intent, automatic
/// matches too, and the keeper reads Graph as soon as it starts.)
fn kept(status: PreferredPresence) -> impl Fn(&presently_core::keeper::Snapshot) -> bool {
    move |s| s.intent.is_some_and(|i| i.status == status) && s.agreement == Agreement::Matches
}

fn count(h: &Harness, kind: &str) -> usize {
    h.requests()
        .iter()
        .filter(|e| e.kind.as_deref() == Some(kind))
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_chosen_status_is_pinned_with_its_end_and_our_session_then_read_back_as_matching() {
    let h = Harness::start().await;
    let intent = h
        .keeper
        .choose(PreferredPresence::Busy, &preset(Preset::Hour1), Origin::Popup)
        .unwrap();
    let snap = h.wait_for(MINUTE, kept(PreferredPresence::Busy)).await;
    assert_eq!(snap.intent, Some(intent));
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
    let view = h.presence_view();
    let pin = &view["pin"];
    assert_eq!(pin["availability"], "Busy");
    let pin_end: jiff::Timestamp = pin["expiresAt"].as_str().unwrap().parse().unwrap();
    let wanted = intent.ends_at().unwrap();
    assert!(
        (pin_end.as_second() - wanted.as_second()).abs() <= 2,
        "pin lapses at the intent's end"
    );
    let sessions = view["sessions"].as_array().unwrap();
    assert!(
        sessions
            .iter()
            .any(|s| s["sessionId"] == presently_emulator::DEFAULT_CLIENT_ID),
        "our own session keeps the pin visible while Teams is closed (contract §3): {view:#}"
    );
}

#[tokio::test(start_paused = true)]
async fn seventy_two_hours_until_i_change_it_with_teams_closed_stay_true_at_a_few_requests_an_hour() {
    let h = Harness::start().await;
    let before = h.requests().len();
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &preset(Preset::UntilChanged),
            Origin::Cli,
        )
        .unwrap();
    h.settle().await;
    let wanted = pair(PreferredPresence::Busy);
    let mut wrong = Vec::new();
    for minute in 0..72 * 60 {
        tokio::time::sleep(MINUTE).await;
        if h.effective() != wanted {
            wrong.push(minute);
        }
        let snap = h.keeper.snapshot();
        assert!(
            snap.problem.is_none(),
            "no problem surfaces (minute {minute}): {:?}",
            snap.problem
        );
        let age = snap.reading_age(h.emulator.clock().now()).unwrap();
        assert!(
            age <= jiff::SignedDuration::from_mins(31),
            "Graph is read at least every half hour while a status is kept (minute {minute}: {age:#})"
        );
    }
    assert!(
        wrong.is_empty(),
        "every sampled minute shows the intent; wrong at {wrong:?}"
    );
    let requests = &h.requests()[before..];
    let unauthorized = requests.iter().filter(|e| e.status == 401).count();
    assert_eq!(unauthorized, 0, "no 401: tokens are refreshed before they lapse");
    let per_hour = requests.len() as f64 / 72.0;
    println!(
        "requests over 72 h: {} → requests/hour: {per_hour:.2}",
        requests.len()
    );
    // Two reads an hour to notice a change made in Teams, a token refresh per token life, a session renewal
    // per four hours: the presence throttle is per app per tenant (contract §4), so this stays small.
    assert!(per_hour <= 3.5, "request economy: {per_hour:.2} requests/hour");
}

#[tokio::test(start_paused = true)]
async fn each_timed_preset_ends_on_time_and_presence_goes_back_to_automatic() {
    for (p, length) in [
        (Preset::Minutes30, 30 * MINUTE),
        (Preset::Hour1, HOUR),
        (Preset::Hours4, 4 * HOUR),
        (Preset::Hours8, 8 * HOUR),
    ] {
        let h = Harness::start().await;
        let mut events = h.keeper.events();
        h.keeper
            .choose(PreferredPresence::DoNotDisturb, &preset(p), Origin::Hotkey)
            .unwrap();
        h.settle().await;
        assert_eq!(
            h.effective(),
            pair(PreferredPresence::DoNotDisturb),
            "{p:?} applied"
        );
        tokio::time::sleep(length - 2 * MINUTE).await;
        assert_eq!(
            h.effective(),
            pair(PreferredPresence::DoNotDisturb),
            "{p:?} still on two minutes before its end"
        );
        tokio::time::sleep(3 * MINUTE).await;
        let view = h.presence_view();
        assert!(
            view["pin"].is_null(),
            "{p:?}: the pin is gone within a minute of the end: {view:#}"
        );
        assert!(
            view["sessions"].as_array().unwrap().is_empty(),
            "{p:?}: our session is gone: {view:#}"
        );
        assert_eq!(
            h.effective().0,
            "Offline",
            "{p:?}: Teams is closed, so automatic means Offline (contract §3)"
        );
        assert_eq!(h.keeper.snapshot().intent, None);
        let mut ended = false;
        while let Ok(event) = events.try_recv() {
            ended |= matches!(
                event,
                KeeperEvent::IntentEnded {
                    status: PreferredPresence::DoNotDisturb
                }
            );
        }
        assert!(ended, "{p:?}: an event says the status ended");
    }
}

#[tokio::test(start_paused = true)]
async fn a_teams_meeting_does_not_override_the_pin_and_a_change_made_in_teams_is_adopted_not_fought() {
    let h = Harness::start().await;
    let user = format!("/_emulator/users/{}", h.oid);
    h.control(
        Method::POST,
        &format!("{user}/teams"),
        json!({"availability": "Busy", "activity": "InAMeeting"}),
    )
    .await;
    h.keeper
        .choose(
            PreferredPresence::Available,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    h.wait_for(MINUTE, kept(PreferredPresence::Available)).await;
    assert_eq!(
        h.effective(),
        pair(PreferredPresence::Available),
        "the pin wins over a meeting (contract §3)"
    );

    // The user picks Do not disturb in Teams itself: it replaces the pin.
    h.control(
        Method::POST,
        &format!("{user}/teams/status"),
        json!({"availability": "DoNotDisturb", "activity": "DoNotDisturb"}),
    )
    .await;
    let snap = h
        .wait_for(5 * HOUR, |s| s.intent.is_some_and(|i| i.origin == Origin::Teams))
        .await;
    assert_eq!(
        snap.intent.unwrap().status,
        PreferredPresence::DoNotDisturb,
        "the keeper adopted the user's choice"
    );
    let writes_after_adoption = count(&h, "setUserPreferredPresence");
    // Within the day Teams keeps a DND pin (contract §2 default expiry), nothing of ours competes with it.
    tokio::time::sleep(12 * HOUR).await;
    assert_eq!(
        count(&h, "setUserPreferredPresence"),
        writes_after_adoption,
        "it never re-asserts over the user"
    );
    assert_eq!(h.effective(), pair(PreferredPresence::DoNotDisturb));
}

#[tokio::test(start_paused = true)]
async fn after_two_hours_asleep_the_keeper_refreshes_at_once_and_the_status_holds() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::BeRightBack,
            &preset(Preset::UntilChanged),
            Origin::TrayMenu,
        )
        .unwrap();
    h.settle().await;
    let token_requests = count(&h, "refresh_token");
    h.advance_wall(2 * HOUR); // the laptop slept: the wall clock jumped, tokio's monotonic time did not
    tokio::time::sleep(2 * MINUTE).await;
    assert!(
        count(&h, "refresh_token") > token_requests,
        "the expired access token was refreshed on resume"
    );
    assert_eq!(h.effective(), pair(PreferredPresence::BeRightBack));
    assert!(h.keeper.snapshot().problem.is_none());
}

#[tokio::test(start_paused = true)]
async fn thirty_minutes_without_network_keeps_the_intent_backs_off_and_applies_the_latest_on_return() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    h.settle().await;
    let before = h.requests().len();
    h.control(
        Method::POST,
        "/_emulator/faults",
        json!({"path": "/v1.0/", "match": "prefix", "count": 10000, "fault": {"kind": "drop"}}),
    )
    .await;
    h.keeper
        .choose(
            PreferredPresence::AppearAway,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    let snap = h.wait_for(MINUTE, |s| s.problem.is_some()).await;
    assert_eq!(snap.problem.unwrap().kind, ProblemKind::Offline);
    h.keeper
        .choose(
            PreferredPresence::DoNotDisturb,
            &preset(Preset::UntilChanged),
            Origin::Hotkey,
        )
        .unwrap();
    tokio::time::sleep(30 * MINUTE).await;
    assert_eq!(
        h.keeper.snapshot().intent.unwrap().status,
        PreferredPresence::DoNotDisturb,
        "the intent is kept"
    );
    let during = h.requests().len() - before;
    assert!(
        during <= 40,
        "bounded retries, no storm: {during} requests in 30 minutes offline"
    );
    h.control(Method::DELETE, "/_emulator/faults", json!({})).await;
    let snap = h
        .wait_for(15 * MINUTE, |s| {
            s.agreement == Agreement::Matches && s.problem.is_none()
        })
        .await;
    assert_eq!(snap.intent.unwrap().status, PreferredPresence::DoNotDisturb);
    assert_eq!(
        h.effective(),
        pair(PreferredPresence::DoNotDisturb),
        "the latest intent applied on return"
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttling_storm_with_retry_after_is_waited_out() {
    let h = Harness::start().await;
    h.control(
        Method::POST,
        "/_emulator/faults",
        json!({"path": "/v1.0/", "match": "prefix", "count": 12, "fault": {"kind": "status", "status": 429, "retryAfter": 120}}),
    )
    .await;
    h.keeper
        .choose(PreferredPresence::Busy, &preset(Preset::Hours2), Origin::Popup)
        .unwrap();
    let snap = h.wait_for(HOUR, kept(PreferredPresence::Busy)).await;
    assert!(snap.problem.is_none());
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
    let throttled: Vec<_> = h.requests().into_iter().filter(|e| e.status == 429).collect();
    assert_eq!(throttled.len(), 12);
    for pair in throttled.windows(2) {
        let gap = pair[1].time.duration_since(pair[0].time).as_secs();
        assert!(
            gap >= 119,
            "Retry-After: 120 honoured between attempts (gap {gap} s)"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn bursts_of_503_and_504_are_retried_and_the_status_lands() {
    let h = Harness::start().await;
    for status in [503, 504] {
        h.control(
            Method::POST,
            "/_emulator/faults",
            json!({"path": "/v1.0/", "match": "prefix", "count": 6, "fault": {"kind": "status", "status": status}}),
        )
        .await;
    }
    h.keeper
        .choose(
            PreferredPresence::DoNotDisturb,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    let dnd = kept(PreferredPresence::DoNotDisturb);
    h.wait_for(HOUR, |s| dnd(s) && s.problem.is_none()).await;
    assert_eq!(h.effective(), pair(PreferredPresence::DoNotDisturb));
    let failed = h
        .requests()
        .iter()
        .filter(|e| e.status == 503 || e.status == 504)
        .count();
    assert_eq!(
        failed, 12,
        "every injected failure was met once, then the writes succeeded"
    );
}

#[tokio::test(start_paused = true)]
async fn a_revoked_sign_in_keeps_the_intent_asks_to_sign_in_again_and_resumes_after() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    h.settle().await;
    h.control(
        Method::POST,
        &format!("/_emulator/users/{}/revoke", h.oid),
        json!({}),
    )
    .await;
    let snap = h
        .wait_for(2 * HOUR, |s| {
            matches!(s.account, AccountView::SignInRequired { .. })
        })
        .await;
    assert_eq!(
        snap.problem.as_ref().map(|p| p.kind),
        Some(ProblemKind::SignInRequired)
    );
    assert_eq!(
        snap.intent.unwrap().status,
        PreferredPresence::Busy,
        "the intent is kept"
    );

    h.sign_in_again().await;
    let snap = h
        .wait_for(MINUTE, |s| {
            matches!(s.account, AccountView::SignedIn { .. }) && s.agreement == Agreement::Matches
        })
        .await;
    assert!(snap.problem.is_none());
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
}

#[tokio::test(start_paused = true)]
async fn a_keeper_killed_mid_preset_reads_on_restart_writes_nothing_that_still_holds_and_ends_on_time() {
    let mut h = Harness::start().await;
    let intent = h
        .keeper
        .choose(PreferredPresence::Busy, &preset(Preset::Hours2), Origin::Popup)
        .unwrap();
    h.settle().await;
    tokio::time::sleep(30 * MINUTE).await;
    let writes = count(&h, "setPresence") + count(&h, "setUserPreferredPresence");
    let reads = count(&h, "getPresence");
    h.kill_and_restart().await;
    assert!(
        count(&h, "getPresence") > reads,
        "the restarted keeper read Graph first"
    );
    assert_eq!(
        count(&h, "setPresence") + count(&h, "setUserPreferredPresence"),
        writes,
        "pin and session still hold: nothing is written"
    );
    assert_eq!(
        h.keeper.snapshot().intent,
        Some(intent),
        "the intent survived the restart"
    );
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
    tokio::time::sleep(HOUR + 32 * MINUTE).await;
    assert!(h.presence_view()["pin"].is_null(), "it still ended on time");
    assert_eq!(h.keeper.snapshot().intent, None);
}

#[tokio::test(start_paused = true)]
async fn an_intent_that_ended_while_presently_was_not_running_is_cleaned_up_on_start() {
    let mut h = Harness::start().await;
    h.keeper
        .choose(PreferredPresence::Busy, &preset(Preset::Minutes30), Origin::Popup)
        .unwrap();
    h.settle().await;
    h.task.abort();
    tokio::time::sleep(45 * MINUTE).await;
    h.kill_and_restart().await;
    let view = h.presence_view();
    assert!(
        view["pin"].is_null() && view["sessions"].as_array().unwrap().is_empty(),
        "{view:#}"
    );
    assert_eq!(h.keeper.snapshot().intent, None);
}

#[tokio::test(start_paused = true)]
async fn a_hundred_intents_in_a_burst_become_one_write_of_the_last() {
    let h = Harness::start().await;
    let before = count(&h, "setUserPreferredPresence");
    let statuses = [
        PreferredPresence::Available,
        PreferredPresence::Busy,
        PreferredPresence::DoNotDisturb,
    ];
    for i in 0..100 {
        h.keeper
            .choose(statuses[i % 3], &preset(Preset::Hour1), Origin::Hotkey)
            .unwrap();
    }
    h.keeper
        .choose(
            PreferredPresence::BeRightBack,
            &preset(Preset::Hour1),
            Origin::Hotkey,
        )
        .unwrap();
    h.settle().await;
    assert_eq!(count(&h, "setUserPreferredPresence") - before, 1, "one write");
    assert_eq!(
        h.effective(),
        pair(PreferredPresence::BeRightBack),
        "of the last intent"
    );
}

#[tokio::test(start_paused = true)]
async fn quitting_goes_back_to_automatic_only_when_the_setting_says_so() {
    let mut h = Harness::start().await;
    h.keeper
        .choose(PreferredPresence::Busy, &preset(Preset::Hours4), Origin::Popup)
        .unwrap();
    h.settle().await;
    h.keeper.shutdown(OnQuit::Keep).await.unwrap();
    assert_eq!(
        h.presence_view()["pin"]["availability"],
        "Busy",
        "keep: the pin stays until it ends"
    );
    h.kill_and_restart().await;
    assert!(
        h.keeper.snapshot().intent.is_some(),
        "keep: the next start resumes the intent"
    );
    h.keeper.shutdown(OnQuit::Clear).await.unwrap();
    let view = h.presence_view();
    assert!(
        view["pin"].is_null() && view["sessions"].as_array().unwrap().is_empty(),
        "clear: back to automatic: {view:#}"
    );
    h.kill_and_restart().await;
    assert_eq!(h.keeper.snapshot().intent, None, "clear: nothing is resumed");
}

#[tokio::test(start_paused = true)]
async fn back_to_automatic_removes_the_pin_and_our_session() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::AppearAway,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    h.settle().await;
    h.keeper.back_to_automatic().unwrap();
    h.settle().await;
    let view = h.presence_view();
    assert!(
        view["pin"].is_null() && view["sessions"].as_array().unwrap().is_empty(),
        "{view:#}"
    );
    assert_eq!(h.keeper.snapshot().intent, None);
}

#[tokio::test(start_paused = true)]
async fn appear_offline_keeps_no_session_and_reads_as_offline() {
    let h = Harness::start().await;
    h.keeper
        .choose(
            PreferredPresence::AppearOffline,
            &preset(Preset::Hour1),
            Origin::Popup,
        )
        .unwrap();
    let snap = h.wait_for(MINUTE, |s| s.agreement != Agreement::Unknown).await;
    assert_eq!(snap.agreement, Agreement::Matches);
    assert_eq!(h.effective().0, "Offline");
    assert!(h.presence_view()["sessions"].as_array().unwrap().is_empty());
}

/// A server's `Retry-After` is clamped before the keeper adds it to the clock: a value past what a timestamp can
/// hold (about 2.6e11 s) must not panic the keeper, and one past `i64::MAX` must not turn into "retry at once"
/// (a request loop). Either way the keeper waits a bounded time and then lands the status.
#[tokio::test(start_paused = true)]
async fn an_absurd_retry_after_neither_kills_nor_spins_the_keeper() {
    for retry_after in [300_000_000_000_u64, u64::MAX] {
        let h = Harness::start().await;
        h.control(
            Method::POST,
            "/_emulator/faults",
            json!({"path": "/v1.0/", "match": "prefix", "count": 3, "fault": {"kind": "status", "status": 429, "retryAfter": retry_after}}),
        )
        .await;
        h.keeper
            .choose(
                PreferredPresence::Busy,
                &preset(Preset::UntilChanged),
                Origin::Popup,
            )
            .unwrap();
        tokio::time::sleep(MINUTE).await;
        assert!(
            !h.task.is_finished(),
            "Retry-After {retry_after}: the keeper is alive"
        );
        let throttled = h.requests().iter().filter(|e| e.status == 429).count();
        assert_eq!(throttled, 1, "Retry-After {retry_after}: no immediate retry loop");
        let snap = h.wait_for(6 * HOUR, kept(PreferredPresence::Busy)).await;
        assert!(snap.problem.is_none());
        assert_eq!(h.effective(), pair(PreferredPresence::Busy));
    }
}

/// The token store stops accepting writes after sign-in (here its folder is replaced by a file, which fails for
/// every user, root included); the refresh that follows succeeds but cannot be saved. The keeper keeps working
/// with the new tokens in memory, and the snapshot says saving keeps failing.
#[tokio::test(start_paused = true)]
async fn a_token_save_that_fails_after_a_refresh_does_not_stop_the_keeper() {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("tokens");
    let store = std::sync::Arc::new(presently_auth::FileStore::new(&folder));
    let h = Harness::start_with_store(presently_emulator::Seed::default(), store).await;
    assert!(folder.join(presently_auth::store::FILE_NAME).exists());
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();

    // Past the access token's life (60-90 minutes): the keeper refreshes, and the save fails.
    tokio::time::sleep(2 * HOUR).await;
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    let snap = h.wait_for(10 * MINUTE, kept(PreferredPresence::Busy)).await;
    assert!(snap.problem.is_none(), "{:?}", snap.problem);
    assert_eq!(h.effective(), pair(PreferredPresence::Busy));
    assert!(count(&h, "refresh_token") >= 1, "a refresh happened");
    assert!(!h.task.is_finished());

    // Hours later (more refreshes, more failed saves) it still works, and now it says so.
    tokio::time::sleep(4 * HOUR).await;
    h.keeper
        .choose(
            PreferredPresence::DoNotDisturb,
            &preset(Preset::UntilChanged),
            Origin::Popup,
        )
        .unwrap();
    let snap = h
        .wait_for(10 * MINUTE, |s| {
            s.agreement == Agreement::Matches
                && s.intent
                    .is_some_and(|i| i.status == PreferredPresence::DoNotDisturb)
        })
        .await;
    assert!(snap.problem.is_none(), "{:?}", snap.problem);
    let note = snap.token_store.note.clone().unwrap_or_default();
    assert!(note.contains("could not be saved"), "{:?}", snap.token_store);
}
