//! `all`'s verdict: each figure beside its target, one table to read and one JSON file to keep
//! (`target/bench/report.json`), with the machine and the load it ran under, since absolute times on a shared
//! machine mean little (which is why most figures are ratios against the reference measured in the same run).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::economy::Economy;
use crate::footprint::Footprint;
use crate::latency::Latency;
use crate::stats;

const MIB: f64 = 1024.0 * 1024.0;

/// Which way a figure must lie.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Bound {
    /// At most the target.
    AtMost,
    /// At least the target.
    AtLeast,
}

/// One figure and its target.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// The key in `report.json`.
    pub key: &'static str,
    /// The measured value (`None`: not measured).
    pub value: Option<f64>,
    /// The target.
    pub target: f64,
    /// Its direction.
    pub bound: Bound,
    /// What it means, in a few words.
    pub what: &'static str,
}

impl Figure {
    /// `Some(true)` pass, `Some(false)` miss, `None` not measured.
    pub fn pass(&self) -> Option<bool> {
        let v = self.value.filter(|v| v.is_finite())?;
        Some(match self.bound {
            Bound::AtMost => v <= self.target,
            Bound::AtLeast => v >= self.target,
        })
    }
}

/// The machine the figures came from.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// `nproc`.
    pub cpus: usize,
    /// `model name` of /proc/cpuinfo.
    pub cpu_model: String,
    /// MemTotal, GiB.
    pub memory_gib: f64,
    /// /proc/loadavg's first three fields when the run started and ended.
    pub load_start: String,
    /// As above, at the end.
    pub load_end: String,
    /// When (UTC).
    pub date: String,
}

impl Machine {
    /// The machine now (`load_end` filled in by [`Machine::finish`]).
    pub fn now() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_kib: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|r| r.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        Self {
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model: cpuinfo
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|r| r.trim_start_matches([' ', '\t', ':']).trim().to_string())
                .unwrap_or_else(|| "unknown".into()),
            memory_gib: mem_kib / 1024.0 / 1024.0,
            load_start: load(),
            load_end: String::new(),
            date: date(),
        }
    }

    /// Records the load at the end.
    pub fn finish(&mut self) {
        self.load_end = load();
    }

    /// One line: date and machine.
    pub fn line(&self) -> String {
        format!(
            "{}, {} × {}, {:.0} GiB, load average {} at the start and {} at the end",
            self.date, self.cpus, self.cpu_model, self.memory_gib, self.load_start, self.load_end
        )
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn date() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The figures with their targets (the README's Benchmarks table).
pub fn figures(
    footprint: &Footprint,
    latency: &Latency,
    economy: &Economy,
    changes: &Economy,
) -> Vec<Figure> {
    let (app, reference) = (&footprint.app, &footprint.reference);
    let window_ms = reference.idle_cpu_window_s.max(1.0) * 1000.0;
    let nonempty = |v: &[f64]| (!v.is_empty()).then(|| stats::median(v));
    vec![
        Figure {
            key: "idle_pss_ratio",
            value: Some(app.idle.pss_mib / reference.idle.pss_mib),
            target: 1.2,
            bound: Bound::AtMost,
            what: "tree PSS idle, popup never opened, ÷ reference",
        },
        Figure {
            key: "after_popup_pss_ratio",
            value: Some(footprint.after_popup.pss_mib / reference.idle.pss_mib),
            target: 1.3,
            bound: Bound::AtMost,
            what: "tree PSS 5 min after the popup closed ÷ reference",
        },
        Figure {
            key: "start_ratio",
            value: Some(app.start_ms_median / reference.start_ms_median),
            target: 1.2,
            bound: Bound::AtMost,
            what: "exec → icon docked, median ÷ reference",
        },
        Figure {
            key: "idle_cpu_pct_over_ref",
            value: Some((app.idle_cpu_ms - reference.idle_cpu_ms) / window_ms * 100.0),
            target: 0.1,
            bound: Bound::AtMost,
            what: "idle CPU above the reference, % of one core",
        },
        Figure {
            key: "idle_wakeups_over_ref_per_min",
            value: Some(app.idle_wakeups_per_min - reference.idle_wakeups_per_min),
            target: 3.0,
            bound: Bound::AtMost,
            what: "idle wakeups of all threads above the reference, per minute",
        },
        Figure {
            key: "binary_over_ref_mb",
            value: Some((app.binary_bytes as f64 - reference.binary_bytes as f64) / MIB),
            target: 8.0,
            bound: Bound::AtMost,
            what: "stripped binary above the reference, MiB",
        },
        Figure {
            key: "popup_open_ms_cold",
            value: nonempty(&footprint.popup_open_ms_cold),
            target: 500.0,
            bound: Bound::AtMost,
            what: "showPopup → first paint, no popup process, median ms",
        },
        Figure {
            key: "popup_open_ms_reopen",
            value: nonempty(&footprint.popup_open_ms_reopen),
            target: 100.0,
            bound: Bound::AtMost,
            what: "showPopup → first paint, popup lingering, median ms",
        },
        Figure {
            key: "click_to_request_ms_p50",
            value: latency.click.p50,
            target: 20.0,
            bound: Bound::AtMost,
            what: "click in the popup → Graph request, median ms",
        },
        Figure {
            key: "click_to_request_ms_p99",
            value: latency.click.p99,
            target: 50.0,
            bound: Bound::AtMost,
            what: "click in the popup → Graph request, p99 ms",
        },
        Figure {
            key: "hotkey_to_request_ms_p50",
            value: latency.hotkey.p50,
            target: 20.0,
            bound: Bound::AtMost,
            what: "global hotkey → Graph request, median ms",
        },
        Figure {
            key: "requests_per_hour",
            value: Some(economy.requests_per_hour()),
            // Two reads an hour notice a change made in Teams; the presence throttle is per app per tenant
            // (contract §4), so each request an hour a user costs the largest tenants.
            target: 3.5,
            bound: Bound::AtMost,
            what: "Graph + identity requests per hour over 72 h, Busy until changed",
        },
        Figure {
            key: "presence_correct_pct",
            value: Some(economy.presence_correct_pct()),
            target: 99.9,
            bound: Bound::AtLeast,
            what: "share of minutes colleagues saw the chosen status",
        },
        Figure {
            key: "teams_changes_requests_per_hour",
            value: Some(changes.requests_per_hour()),
            target: 3.5,
            bound: Bound::AtMost,
            what: "requests per hour over 72 h with a status picked in Teams every 2 h",
        },
        Figure {
            key: "teams_changes_presence_correct_pct",
            value: Some(changes.presence_correct_pct()),
            target: 99.9,
            bound: Bound::AtLeast,
            what: "share of minutes colleagues saw the user's latest choice (Teams changes)",
        },
        Figure {
            key: "teams_change_adopted_max_min",
            value: (changes.adopted == changes.teams_changes).then_some(changes.adoption_max_minutes as f64),
            target: 30.0,
            bound: Bound::AtMost,
            what: "longest time to adopt a status picked in Teams, minutes (every change adopted)",
        },
        Figure {
            key: "stale_claim_minutes_per_change",
            value: Some(changes.stale_claim_minutes_per_change()),
            target: 5.0,
            bound: Bound::AtMost,
            what: "minutes per Teams change Presently showed another status without its age",
        },
    ]
}

fn number(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The Markdown table of figures (what `all` prints and the README shows).
pub fn table(figures: &[Figure]) -> String {
    let mut out = String::from("| figure | measured | target | |\n|---|---:|---:|---|\n");
    for f in figures {
        let bound = match f.bound {
            Bound::AtMost => "≤",
            Bound::AtLeast => "≥",
        };
        let verdict = match f.pass() {
            Some(true) => "pass",
            Some(false) => "**miss**",
            None => "not measured",
        };
        out.push_str(&format!(
            "| `{}` ({}) | {} | {bound} {} | {verdict} |\n",
            f.key,
            f.what,
            f.value.map_or_else(|| "–".into(), number),
            number(f.target),
        ));
    }
    out
}

/// The side-by-side table of the two programs (the figures behind the ratios).
pub fn side_by_side(footprint: &Footprint) -> String {
    let (a, r) = (&footprint.app, &footprint.reference);
    let mut out = String::from(
        "| program | tree PSS | tree RSS | threads | exec → icon docked (median) | idle CPU | idle wakeups | stripped binary |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (name, p) in [
        ("bare Tauri 2.12 tray (reference)", r),
        ("Presently, signed in, popup never opened", a),
    ] {
        out.push_str(&format!(
            "| {name} | {:.1} MiB | {:.1} MiB | {} | {:.0} ms | {:.0} ms / {:.0} s | {:.1} /min | {:.1} MiB |\n",
            p.idle.pss_mib,
            p.idle.rss_mib,
            p.idle.threads,
            p.start_ms_median,
            p.idle_cpu_ms,
            p.idle_cpu_window_s,
            p.idle_wakeups_per_min,
            p.binary_bytes as f64 / MIB,
        ));
    }
    if let Some(open) = &footprint.popup_open {
        out.push_str(&format!(
            "| Presently, popup open | {:.1} MiB | {:.1} MiB | {} | | | | |\n",
            open.pss_mib, open.rss_mib, open.threads
        ));
    }
    out.push_str(&format!(
        "| Presently, {:.0} s after the popup closed | {:.1} MiB | {:.1} MiB | {} | | | | |\n",
        footprint.after_popup_s,
        footprint.after_popup.pss_mib,
        footprint.after_popup.rss_mib,
        footprint.after_popup.threads
    ));
    out
}

/// `report.json`: the figures by key (the keys of the README's Benchmarks table), their targets and verdicts, the machine, and
/// everything measured.
pub fn json(
    figures: &[Figure],
    machine: &Machine,
    footprint: &Footprint,
    latency: &Latency,
    economy: &Economy,
) -> Value {
    let mut root = serde_json::Map::new();
    for f in figures {
        root.insert(f.key.to_string(), f.value.map_or(Value::Null, |v| json!(v)));
    }
    let targets: BTreeMap<&str, Value> = figures
        .iter()
        .map(|f| {
            (
                f.key,
                json!({ "target": f.target, "bound": f.bound, "pass": f.pass(), "what": f.what }),
            )
        })
        .collect();
    root.insert("hotkey_to_request_ms_p99".into(), json!(latency.hotkey.p99));
    root.insert("targets".into(), json!(targets));
    root.insert("machine".into(), json!(machine));
    root.insert("footprint".into(), json!(footprint));
    root.insert("latency".into(), json!(latency));
    root.insert(
        "economy".into(),
        json!({ "hours": economy.hours, "total": economy.total, "byKind": economy.by_kind }),
    );
    Value::Object(root)
}
