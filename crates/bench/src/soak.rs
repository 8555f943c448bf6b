//! `soak`: the release app (demo, signed in) under a long stream of intents while the cloud misbehaves, and what
//! it holds afterwards.
//!
//! The app runs on the virtual desktop against its own stand-in cloud ([`StandInCloud`], the emulator in a
//! process of its own, so it is not in the tree weighed). After sign-in and a first status it rests `settle`, and
//! the tree is weighed: PSS, open file descriptors, threads. Then `intents` intents go over the local IPC, a
//! random one each time: a status (every one of the six) with a preset (every one of the eight), or back to
//! automatic, from the CLI, the popup, the tray menu or a hotkey. Along the way:
//! - every `fault_every` intents a random fault is armed at the emulator for the next Graph or token requests:
//!   429 with a `Retry-After`, 503, a dropped connection, or a 5 s delay (`POST /_emulator/faults`);
//! - every `jump_every` intents the emulator's clock jumps 1 to 6 hours (`POST /_emulator/clock/advance`), so
//!   tokens, pins and sessions expire under the app;
//! - `popups` times, spread over the run, the popup opens (`showPopup`) and is closed as a person would.
//!
//! The last intent is a status kept until changed. Then the faults are cleared and the emulator must come to show
//! that status (the keeper's agreement reads "matches" and the emulator's effective availability is the one
//! chosen). The tree is weighed right after, and again `after` later (past the popup's 3 minutes of lingering
//! hidden). Panics are counted in the app's output (stdout and stderr of the app and of every process it
//! starts). Targets: PSS `after` ≤ 1.05 × at start, descriptors and threads back to their starting count,
//! no panic, the last intent shown.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use presently_core::ipc::Request;
use presently_model::Origin;
use serde::Serialize;
use serde_json::json;

use crate::desktop::Desktop;
use crate::footprint::{close_popup, open_popup, start_keeping_busy, stop};
use crate::launch::StandInCloud;
use crate::procs::{self, Tree};

/// The CLI's status names, with the availability Graph shows for each.
const STATUSES: [(&str, &str); 6] = [
    ("available", "Available"),
    ("busy", "Busy"),
    ("dnd", "DoNotDisturb"),
    ("brb", "BeRightBack"),
    ("away", "Away"),
    ("offline", "Offline"),
];

/// Every preset's short name (`Preset::ALL`).
const PRESETS: [&str; 8] = ["30m", "1h", "2h", "4h", "8h", "eod", "forever", "default"];

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release `presently-app`.
    pub app: PathBuf,
    /// Intents sent over the IPC.
    pub intents: usize,
    /// Popup openings over the run.
    pub popups: usize,
    /// A fault is armed every this many intents.
    pub fault_every: usize,
    /// The emulator's clock jumps every this many intents.
    pub jump_every: usize,
    /// Pause between two intents.
    pub pace: Duration,
    /// Rest after sign-in before the first weighing.
    pub settle: Duration,
    /// Time after the run before the last weighing.
    pub after: Duration,
    /// Seed of the random choices (printed, so a run can be repeated).
    pub seed: u64,
}

/// A tree at one moment: what must come back.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    /// Tree PSS, MiB.
    pub pss_mib: f64,
    /// Open file descriptors of every process of the tree.
    pub fds: u64,
    /// Threads of the tree.
    pub threads: u64,
    /// Processes with their PSS.
    pub processes: String,
}

/// Everything `soak` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Soak {
    /// The random seed.
    pub seed: u64,
    /// Intents sent (and answered).
    pub intents: usize,
    /// Intents the app refused over the IPC (an error answer; none is expected).
    pub refused: usize,
    /// How many of each kind: choose, back to automatic.
    pub chooses: usize,
    /// Back to automatic.
    pub clears: usize,
    /// Popup openings.
    pub popups: usize,
    /// Faults armed, by kind.
    pub faults: Vec<(String, usize)>,
    /// Clock jumps and their total, hours.
    pub clock_jumps: usize,
    /// Total hours the emulator's clock jumped.
    pub clock_jumped_hours: u64,
    /// Seconds the intents took.
    pub run_s: f64,
    /// Seconds from the last intent until the emulator showed it.
    pub settle_s: f64,
    /// The tree after sign-in, at rest.
    pub start: Reading,
    /// Right after the run.
    pub after_run: Reading,
    /// `after_s` after the run.
    pub later: Reading,
    /// Seconds between the run's end and `later`.
    pub after_s: f64,
    /// `later.pss_mib / start.pss_mib`.
    pub pss_ratio: f64,
    /// Lines of the app's output that report a panic.
    pub panics: usize,
    /// The last intent: status and preset.
    pub last_intent: String,
    /// The availability the emulator ends showing.
    pub emulator_shows: String,
    /// Whether that is the last intent's.
    pub last_intent_shown: bool,
}

impl Soak {
    /// Whether every target is met.
    pub fn pass(&self) -> bool {
        self.pss_ratio <= 1.05
            && self.later.fds <= self.start.fds
            && self.later.threads <= self.start.threads
            && self.panics == 0
            && self.last_intent_shown
    }
}

/// A small, seeded generator (xorshift64*): the run's choices must be repeatable from the printed seed, and
/// the benchmark needs nothing stronger.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

fn read(pid: u32) -> Reading {
    let tree: Tree = procs::sample(pid);
    let fds = tree
        .procs
        .iter()
        .map(|p| {
            std::fs::read_dir(format!("/proc/{}/fd", p.pid))
                .map(|d| d.count() as u64)
                .unwrap_or(0)
        })
        .sum();
    Reading {
        pss_mib: tree.pss_mib(),
        fds,
        threads: tree.threads(),
        processes: tree.breakdown(),
    }
}

/// The emulator's control API.
struct Control {
    http: reqwest::Client,
    base: String,
}

impl Control {
    async fn post(&self, path: &str, body: serde_json::Value) -> anyhow::Result<()> {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("POST {path}"))?;
        Ok(())
    }

    async fn get(&self, path: &str) -> anyhow::Result<serde_json::Value> {
        Ok(self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("GET {path}"))?
            .json()
            .await?)
    }

    async fn clear_faults(&self) -> anyhow::Result<()> {
        self.http
            .delete(format!("{}/_emulator/faults", self.base))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
}

/// Arms one random fault on the app's next Graph or token requests; returns its kind.
async fn arm_fault(control: &Control, random: &mut Random) -> anyhow::Result<&'static str> {
    let path = if random.below(4) == 0 {
        "/organizations/oauth2/v2.0/token"
    } else {
        "/v1.0/"
    };
    let count = 1 + random.below(3) as u64;
    let (kind, fault) = match random.below(4) {
        0 => (
            "429 with Retry-After",
            json!({"kind": "status", "status": 429, "retryAfter": 1 + random.below(5) as u64}),
        ),
        1 => ("503", json!({"kind": "status", "status": 503})),
        2 => ("dropped connection", json!({"kind": "drop"})),
        _ => ("5 s delay", json!({"kind": "delay", "ms": 5000})),
    };
    control
        .post(
            "/_emulator/faults",
            json!({"path": path, "match": "prefix", "count": count, "fault": fault}),
        )
        .await?;
    Ok(kind)
}

/// Runs the soak.
pub fn run(options: &Options) -> anyhow::Result<Soak> {
    anyhow::ensure!(
        options.app.exists(),
        "{} is missing: build it first (scripts/bench.sh does)",
        options.app.display()
    );
    let desktop = Desktop::connect()?;
    let panel = desktop.panel()?;
    let already = desktop.docked_icons(panel);
    let runtime = tokio::runtime::Runtime::new()?;
    let cloud = StandInCloud::start(&options.app)?;
    let control = Control {
        http: reqwest::Client::builder().no_proxy().build()?,
        base: cloud.base_url.clone(),
    };
    let mut random = Random(options.seed | 1);
    eprintln!("soak: seed {}", options.seed);

    let (app, keeper) = start_keeping_busy(&desktop, panel, &already, &runtime, &options.app, &cloud)?;
    let user = runtime.block_on(control.get("/_emulator/state"))?["users"][0]["id"]
        .as_str()
        .context("the emulator's first user")?
        .to_string();
    eprintln!("soak: signed in; resting {:?} before weighing", options.settle);
    std::thread::sleep(options.settle);
    let start = read(app.pid());
    eprintln!(
        "soak: start {:.1} MiB PSS, {} fds, {} threads; sending {} intents",
        start.pss_mib, start.fds, start.threads, options.intents
    );

    let popup_every = options.intents / options.popups.max(1);
    let mut faults: Vec<(String, usize)> = Vec::new();
    let (mut chooses, mut clears, mut refused, mut popups, mut jumps, mut jumped) = (0, 0, 0, 0, 0, 0u64);
    let mut last_intent = String::new();
    let mut expected = "";
    let begun = Instant::now();
    for i in 0..options.intents {
        let last = i + 1 == options.intents;
        if options.fault_every > 0 && i % options.fault_every == options.fault_every / 2 && !last {
            let kind = runtime.block_on(arm_fault(&control, &mut random))?;
            match faults.iter_mut().find(|(k, _)| k == kind) {
                Some((_, n)) => *n += 1,
                None => faults.push((kind.to_string(), 1)),
            }
        }
        if options.jump_every > 0 && i % options.jump_every == options.jump_every - 1 && !last {
            let hours = 1 + random.below(6) as u64;
            runtime.block_on(control.post("/_emulator/clock/advance", json!({"seconds": hours * 3600})))?;
            jumps += 1;
            jumped += hours;
        }
        let origin = [Origin::Cli, Origin::Popup, Origin::TrayMenu, Origin::Hotkey][random.below(4)];
        let request = if !last && random.below(8) == 0 {
            clears += 1;
            last_intent = "back to automatic".into();
            Request::BackToAutomatic
        } else {
            chooses += 1;
            let (status, availability) = STATUSES[random.below(STATUSES.len())];
            let preset = if last {
                "forever"
            } else {
                PRESETS[random.below(PRESETS.len())]
            };
            last_intent = format!("{status} {preset}");
            expected = availability;
            Request::Choose {
                status: status.into(),
                duration: preset.into(),
                origin,
            }
        };
        if runtime.block_on(keeper.call(request)).is_err() {
            refused += 1;
        }
        if popup_every > 0 && i % popup_every == popup_every / 2 && popups < options.popups {
            open_popup(&desktop, &runtime, &keeper)?;
            close_popup(&desktop)?;
            popups += 1;
        }
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "soak: {} intents, {popups} popups, {jumps} clock jumps, {:.0} s",
                i + 1,
                begun.elapsed().as_secs_f64()
            );
        }
        std::thread::sleep(options.pace);
    }
    let run_s = begun.elapsed().as_secs_f64();
    runtime.block_on(control.clear_faults())?;
    let ended = Instant::now();
    let shown = runtime.block_on(async {
        // Faults armed last may still be retried after; the keeper reaches the emulator within its backoff.
        keeper
            .wait_field("/agreement/state", "matches", Duration::from_secs(120))
            .await?;
        // The agreement is the keeper's view; the emulator's is the one that counts.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let view = control.get(&format!("/_emulator/users/{user}/presence")).await?;
            let shows = view["effective"]["availability"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if shows == expected || tokio::time::Instant::now() > deadline {
                return anyhow::Ok(shows);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let settle_s = ended.elapsed().as_secs_f64();
    let emulator_shows = match shown {
        Ok(s) => s,
        Err(e) => format!("not shown: {e}"),
    };
    let after_run = read(app.pid());
    eprintln!(
        "soak: run {run_s:.0} s; emulator shows {emulator_shows} for {last_intent}; {:.1} MiB PSS, {} fds, {} \
         threads; weighing again {:?} later",
        after_run.pss_mib, after_run.fds, after_run.threads, options.after
    );
    std::thread::sleep(options.after);
    let later = read(app.pid());
    let after_s = ended.elapsed().as_secs_f64();
    let log = std::fs::read_to_string(app.account.path().join("app.log")).unwrap_or_default();
    let panics = log.lines().filter(|l| l.contains("panicked at")).count();
    drop(keeper);
    stop(&desktop, panel, &already, app);
    Ok(Soak {
        seed: options.seed,
        intents: options.intents,
        refused,
        chooses,
        clears,
        popups,
        faults,
        clock_jumps: jumps,
        clock_jumped_hours: jumped,
        run_s,
        settle_s,
        pss_ratio: later.pss_mib / start.pss_mib.max(f64::MIN_POSITIVE),
        start,
        after_run,
        later,
        after_s,
        panics,
        last_intent_shown: emulator_shows == expected,
        last_intent,
        emulator_shows,
    })
}

/// The figures against their targets, as text.
pub fn report(s: &Soak) -> String {
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    format!(
        "soak (seed {}): {} intents ({} choose, {} back to automatic, {} refused) in {:.0} s, {} popups, faults \
         {:?}, {} clock jumps ({} h)\n\
         PSS: start {:.1} MiB, after the run {:.1} MiB, {:.0} s later {:.1} MiB: ×{:.3} (target ≤ 1.05: {})\n\
         fds: start {}, after the run {}, later {} (target back to start: {})\n\
         threads: start {}, after the run {}, later {} (target back to start: {})\n\
         panics: {} (target 0: {})\n\
         last intent {}: the emulator shows {} after {:.1} s ({})\n",
        s.seed,
        s.intents,
        s.chooses,
        s.clears,
        s.refused,
        s.run_s,
        s.popups,
        s.faults,
        s.clock_jumps,
        s.clock_jumped_hours,
        s.start.pss_mib,
        s.after_run.pss_mib,
        s.after_s,
        s.later.pss_mib,
        s.pss_ratio,
        mark(s.pss_ratio <= 1.05),
        s.start.fds,
        s.after_run.fds,
        s.later.fds,
        mark(s.later.fds <= s.start.fds),
        s.start.threads,
        s.after_run.threads,
        s.later.threads,
        mark(s.later.threads <= s.start.threads),
        s.panics,
        mark(s.panics == 0),
        s.last_intent,
        s.emulator_shows,
        s.settle_s,
        mark(s.last_intent_shown),
    )
}
