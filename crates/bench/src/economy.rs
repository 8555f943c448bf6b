//! `economy`: the keeper's request economy, and whether what it shows is true, measured.
//!
//! Runs the real keeper against the emulator for `--hours` simulated hours on one virtual clock (tokio's paused
//! time drives both), in two scenarios ([`Scenario`]):
//! - steady: Teams closed and Busy "until I change it", the hardest case for the request count, where Presently
//!   alone keeps the status visible (contract §3);
//! - Teams changes: Teams open, and every two hours the user picks another status in Teams itself, which the
//!   keeper must adopt (never overwrite) and show.
//!
//! Counts the emulator's request log by kind and samples, every simulated minute, whether colleagues see the
//! user's latest choice, and whether Presently presents another status as current without an age (a stale
//! claim, [`Snapshot::claim_without_age`](presently_core::keeper::Snapshot::claim_without_age)).

use std::collections::BTreeMap;
use std::time::Duration;

use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use presently_testkit::Harness;
use serde_json::json;

/// Which life the keeper lives in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Teams closed, Busy until I change it.
    Steady,
    /// Teams open; the user picks another status in Teams every two hours.
    TeamsChanges,
}

/// How often the user picks a status in Teams in [`Scenario::TeamsChanges`].
const TEAMS_CHANGE_EVERY_MINUTES: u64 = 120;
/// What they pick, in turn (never the status shown just before).
const TEAMS_PICKS: [PreferredPresence; 5] = [
    PreferredPresence::DoNotDisturb,
    PreferredPresence::BeRightBack,
    PreferredPresence::AppearAway,
    PreferredPresence::Available,
    PreferredPresence::Busy,
];

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Economy {
    /// The scenario.
    pub scenario: Scenario,
    /// Simulated hours.
    pub hours: u64,
    /// Requests by service and kind.
    pub by_kind: BTreeMap<String, usize>,
    /// All requests to Graph and the identity platform after the initial sign-in.
    pub total: usize,
    /// Minutes sampled.
    pub samples: u64,
    /// Minutes where colleagues saw the user's latest choice.
    pub correct: u64,
    /// Minutes where Presently presented a status other than what colleagues saw, without an age on it.
    pub stale_claim_minutes: u64,
    /// Changes made in Teams.
    pub teams_changes: u64,
    /// Changes made in Teams that the keeper adopted.
    pub adopted: u64,
    /// The longest time from a change in Teams to its adoption, in minutes (sampled each minute).
    pub adoption_max_minutes: u64,
}

impl Economy {
    /// Requests per simulated hour, both services together.
    pub fn requests_per_hour(&self) -> f64 {
        self.total as f64 / self.hours.max(1) as f64
    }

    /// Percentage of sampled minutes that showed the user's latest choice.
    pub fn presence_correct_pct(&self) -> f64 {
        100.0 * self.correct as f64 / self.samples.max(1) as f64
    }

    /// Stale-claim minutes per change made in Teams (all of them when there was none).
    pub fn stale_claim_minutes_per_change(&self) -> f64 {
        self.stale_claim_minutes as f64 / self.teams_changes.max(1) as f64
    }
}

/// Runs the measurement on a fresh single-threaded runtime with paused time.
pub fn run(hours: u64, scenario: Scenario) -> anyhow::Result<Economy> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()?;
    runtime.block_on(measure(hours, scenario))
}

fn pair_of(status: PreferredPresence) -> (String, String) {
    let pair = status.preferred_pair();
    (
        pair.availability.as_str().to_string(),
        pair.activity.as_str().to_string(),
    )
}

async fn measure(hours: u64, scenario: Scenario) -> anyhow::Result<Economy> {
    let h = Harness::start().await;
    let user = format!("/_emulator/users/{}", h.oid);
    if scenario == Scenario::TeamsChanges {
        // Teams is open: its client keeps a session of its own (contract §3).
        h.control(
            reqwest::Method::POST,
            &format!("{user}/teams"),
            json!({"availability": "Available", "activity": "Available"}),
        )
        .await;
    }
    let start = h.requests().len();
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &DurationChoice::Preset(Preset::UntilChanged),
            Origin::Cli,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut latest = PreferredPresence::Busy;
    let (mut samples, mut correct, mut stale) = (0, 0, 0);
    let (mut changes, mut adopted, mut adoption_max) = (0u64, 0u64, 0u64);
    let mut waiting_since: Option<u64> = None;
    for minute in 1..=hours * 60 {
        // Pick k falls at minute 120·k plus a shift that walks through the keeper's half-hourly check (7 minutes
        // further each time), so the slowest adoption and the stale minutes right after a read are both measured.
        let k = changes + 1;
        let due = k * TEAMS_CHANGE_EVERY_MINUTES + (k * 7) % 30;
        if scenario == Scenario::TeamsChanges && minute == due {
            let pick = TEAMS_PICKS[(changes as usize) % TEAMS_PICKS.len()];
            let pair = pick.preferred_pair();
            h.control(
                reqwest::Method::POST,
                &format!("{user}/teams/status"),
                json!({"availability": pair.availability.as_str(), "activity": pair.activity.as_str()}),
            )
            .await;
            latest = pick;
            changes += 1;
            waiting_since = Some(minute);
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
        samples += 1;
        let seen = h.effective();
        if seen == pair_of(latest) {
            correct += 1;
        }
        let snapshot = h.keeper.snapshot();
        let now = h.emulator.clock().now();
        if snapshot
            .claim_without_age(now)
            .is_some_and(|claimed| pair_of(claimed) != seen)
        {
            stale += 1;
        }
        if let Some(since) = waiting_since
            && snapshot
                .intent
                .is_some_and(|i| i.origin == Origin::Teams && i.status == latest)
        {
            adopted += 1;
            adoption_max = adoption_max.max(minute - since);
            waiting_since = None;
        }
    }
    let requests = &h.requests()[start..];
    let mut by_kind = BTreeMap::new();
    for entry in requests {
        let service = format!("{:?}", entry.service).to_lowercase();
        let kind = entry.kind.clone().unwrap_or_else(|| entry.path.clone());
        *by_kind
            .entry(format!("{service} {kind} {}", entry.status))
            .or_insert(0) += 1;
    }
    Ok(Economy {
        scenario,
        hours,
        by_kind,
        total: requests.len(),
        samples,
        correct,
        stale_claim_minutes: stale,
        teams_changes: changes,
        adopted,
        adoption_max_minutes: adoption_max,
    })
}

/// The table `economy` prints, ending with the two lines scripts read.
pub fn report(e: &Economy) -> String {
    let mut out = String::new();
    let what = match e.scenario {
        Scenario::Steady => "Teams closed, Busy until I change it".to_string(),
        Scenario::TeamsChanges => format!(
            "Teams open, a status picked in Teams every {} min ({} picks)",
            TEAMS_CHANGE_EVERY_MINUTES, e.teams_changes
        ),
    };
    out.push_str(&format!(
        "Request economy: {} simulated hours, {what}\n\n",
        e.hours
    ));
    out.push_str(&format!(
        "{:<48} {:>8} {:>10}\n",
        "service, kind, status", "requests", "per hour"
    ));
    for (kind, n) in &e.by_kind {
        out.push_str(&format!(
            "{kind:<48} {n:>8} {:>10.2}\n",
            *n as f64 / e.hours.max(1) as f64
        ));
    }
    out.push_str(&format!(
        "{:<48} {:>8} {:>10.2}\n\n",
        "all",
        e.total,
        e.requests_per_hour()
    ));
    out.push_str("Peers for scale: a 240 s re-arm costs 15/h, a 5 s poller 720/h.\n");
    out.push_str(&format!("requests/hour: {:.2}\n", e.requests_per_hour()));
    out.push_str(&format!("presence-correct: {:.2} %\n", e.presence_correct_pct()));
    out.push_str(&format!("stale-claim-minutes: {}\n", e.stale_claim_minutes));
    if e.scenario == Scenario::TeamsChanges {
        out.push_str(&format!(
            "adopted: {} of {} changes made in Teams, the slowest after {} min\n",
            e.adopted, e.teams_changes, e.adoption_max_minutes
        ));
        out.push_str(&format!(
            "stale-claim-minutes per change: {:.2}\n",
            e.stale_claim_minutes_per_change()
        ));
    }
    out
}
