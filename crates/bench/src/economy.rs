//! `economy`: the keeper's request economy, measured (issue "The presence keeper").
//!
//! Runs the real keeper against the emulator for `--hours` simulated hours on one virtual clock (tokio's paused
//! time drives both), with Teams closed and "until I change it": the hardest case, where Presently alone keeps
//! the status visible (contract §3). Counts the emulator's request log by kind and samples, every simulated
//! minute, whether what colleagues see equals the intent.

use std::collections::BTreeMap;
use std::time::Duration;

use presently_model::{DurationChoice, Origin, PreferredPresence, Preset};
use presently_testkit::Harness;

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Economy {
    /// Simulated hours.
    pub hours: u64,
    /// Requests by service and kind.
    pub by_kind: BTreeMap<String, usize>,
    /// All requests to Graph and the identity platform after the initial sign-in.
    pub total: usize,
    /// Minutes sampled.
    pub samples: u64,
    /// Minutes where colleagues saw the intent.
    pub correct: u64,
}

impl Economy {
    /// Requests per simulated hour, both services together.
    pub fn requests_per_hour(&self) -> f64 {
        self.total as f64 / self.hours.max(1) as f64
    }

    /// Percentage of sampled minutes that showed the intent.
    pub fn presence_correct_pct(&self) -> f64 {
        100.0 * self.correct as f64 / self.samples.max(1) as f64
    }
}

/// Runs the measurement on a fresh single-threaded runtime with paused time.
pub fn run(hours: u64) -> anyhow::Result<Economy> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()?;
    runtime.block_on(measure(hours))
}

async fn measure(hours: u64) -> anyhow::Result<Economy> {
    let h = Harness::start().await;
    let start = h.requests().len();
    h.keeper
        .choose(
            PreferredPresence::Busy,
            &DurationChoice::Preset(Preset::UntilChanged),
            Origin::Cli,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let wanted = PreferredPresence::Busy.preferred_pair();
    let wanted = (
        wanted.availability.as_str().to_string(),
        wanted.activity.as_str().to_string(),
    );
    let (mut samples, mut correct) = (0, 0);
    for _ in 0..hours * 60 {
        tokio::time::sleep(Duration::from_secs(60)).await;
        samples += 1;
        if h.effective() == wanted {
            correct += 1;
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
        hours,
        by_kind,
        total: requests.len(),
        samples,
        correct,
    })
}

/// The table `economy` prints, ending with the two lines scripts read.
pub fn report(e: &Economy) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Request economy: {} simulated hours, Teams closed, Busy until I change it\n\n",
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
    out
}
