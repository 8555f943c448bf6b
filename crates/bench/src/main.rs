//! `presently-bench`: benchmarks that print figures (never timed tests).
//!
//! - `economy --hours N`: requests per hour of the keeper keeping a status for N simulated hours, and the share
//!   of sampled minutes colleagues saw it.
//! - `footprint`: memory, start-up, idle CPU, popup opening and binary size of the release `presently-app`
//!   beside a bare Tauri tray (`crates/bench/reference-tray`), on a virtual desktop.
//! - `wakeups`: the idle app's wakeups thread by thread in each state it rests in, beside the reference's.
//! - `latency`: a click in the popup and a global hotkey, to the request reaching the emulator.
//! - `soak`: the release app under 10,000 intents, popups, injected faults and clock jumps; what it holds after.
//! - `all`: the three, one table of figures against their targets, and `target/bench/report.json`.
//!
//! `footprint`, `latency` and `all` need the virtual desktop and release builds: `scripts/bench.sh` (or `npm
//! run bench`) builds everything and runs `all` inside `scripts/gui-session.sh`.

mod desktop;
mod economy;
mod footprint;
mod latency;
mod launch;
mod procs;
mod report;
mod soak;
mod states;
mod stats;
mod wakeups;
mod watch;
mod webdriver;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand};

/// Presently's benchmarks.
#[derive(Debug, Parser)]
#[command(name = "presently-bench", version)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Requests per hour of the keeper over simulated hours, and whether what it shows is true: Teams closed with
    /// Busy "until I change it", then Teams open with a status picked there every two hours.
    Economy {
        /// Simulated hours to run.
        #[arg(long, default_value_t = 72)]
        hours: u64,
    },
    /// Footprint and start-up of the release app beside the bare Tauri tray (on a virtual desktop).
    Footprint(FootprintArgs),
    /// Wakeups of the idle app thread by thread, in each state it rests in, beside the reference (on a
    /// virtual desktop).
    Wakeups {
        /// The release tray app.
        #[arg(long, default_value = "target/release/presently-app")]
        app: PathBuf,
        /// The release reference tray.
        #[arg(long, default_value = "target/release/reference-tray")]
        reference: PathBuf,
        /// Seconds counted in each state.
        #[arg(long, default_value_t = 60)]
        window_secs: u64,
        /// Seconds left alone after entering a state, before counting.
        #[arg(long, default_value_t = 10)]
        settle_secs: u64,
    },
    /// Click and hotkey to the request reaching the emulator (on a virtual desktop).
    Latency {
        /// The release tray app.
        #[arg(long, default_value = "target/release/presently-app")]
        app: PathBuf,
        #[command(flatten)]
        latency: LatencyArgs,
    },
    /// The app under a long stream of intents, popups, injected faults and clock jumps: memory, descriptors and
    /// threads before and after, panics, and whether the emulator ends showing the last intent (on a virtual
    /// desktop). Writes target/bench/soak.json.
    Soak {
        /// The release tray app.
        #[arg(long, default_value = "target/release/presently-app")]
        app: PathBuf,
        /// Intents sent over the IPC.
        #[arg(long, default_value_t = 10_000)]
        intents: usize,
        /// Popup openings spread over the run.
        #[arg(long, default_value_t = 50)]
        popups: usize,
        /// A random fault is armed every this many intents.
        #[arg(long, default_value_t = 50)]
        fault_every: usize,
        /// The emulator's clock jumps every this many intents.
        #[arg(long, default_value_t = 500)]
        jump_every: usize,
        /// Milliseconds between two intents.
        #[arg(long, default_value_t = 10)]
        pace_ms: u64,
        /// Seconds of rest after sign-in before the first weighing.
        #[arg(long, default_value_t = 20)]
        settle_secs: u64,
        /// Seconds after the run before weighing again (the popup lingers 180 s by default).
        #[arg(long, default_value_t = 300)]
        after_secs: u64,
        /// Seed of the random choices (default: from the clock).
        #[arg(long)]
        seed: Option<u64>,
        /// Where to write the JSON report.
        #[arg(long, default_value = "target/bench/soak.json")]
        out: PathBuf,
    },
    /// All three, with a table of figures against their targets and target/bench/report.json.
    All {
        #[command(flatten)]
        footprint: FootprintArgs,
        #[command(flatten)]
        latency: LatencyArgs,
        /// Simulated hours of the economy run.
        #[arg(long, default_value_t = 72)]
        hours: u64,
        /// Where to write the JSON report (the Markdown table goes beside it, report.md).
        #[arg(long, default_value = "target/bench/report.json")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, ClapArgs)]
struct FootprintArgs {
    /// The release tray app.
    #[arg(long, default_value = "target/release/presently-app")]
    app: PathBuf,
    /// The release reference tray.
    #[arg(long, default_value = "target/release/reference-tray")]
    reference: PathBuf,
    /// Start-up runs of each program.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Reopenings of the popup in each start-up run.
    #[arg(long, default_value_t = 3)]
    reopens: usize,
    /// Seconds idle before weighing.
    #[arg(long, default_value_t = 20)]
    idle_secs: u64,
    /// Seconds of the idle CPU window.
    #[arg(long, default_value_t = 60)]
    cpu_secs: u64,
    /// Seconds of the idle wakeup count (it runs alongside the CPU window).
    #[arg(long, default_value_t = 300)]
    wakeup_secs: u64,
    /// Seconds after closing the popup before weighing again (the popup lingers 180 s by default).
    #[arg(long, default_value_t = 300)]
    after_popup_secs: u64,
}

#[derive(Debug, Clone, ClapArgs)]
struct LatencyArgs {
    /// Samples of each action.
    #[arg(long, default_value_t = 50)]
    samples: usize,
}

impl FootprintArgs {
    fn options(&self) -> footprint::Options {
        footprint::Options {
            app: self.app.clone(),
            reference: self.reference.clone(),
            runs: self.runs.max(1),
            reopens: self.reopens,
            idle: Duration::from_secs(self.idle_secs),
            cpu_window: Duration::from_secs(self.cpu_secs.max(1)),
            wakeup_window: Duration::from_secs(self.wakeup_secs.max(1)),
            after_popup: Duration::from_secs(self.after_popup_secs),
        }
    }
}

fn print_footprint(f: &footprint::Footprint) {
    println!("{}", report::side_by_side(f));
    println!(
        "popup first paint: cold {:?} ms, reopened {:?} ms",
        f.popup_open_ms_cold.iter().map(|v| v.round()).collect::<Vec<_>>(),
        f.popup_open_ms_reopen
            .iter()
            .map(|v| v.round())
            .collect::<Vec<_>>()
    );
    println!(
        "start-up runs: reference {:?} ms, app {:?} ms",
        f.reference.start_ms.iter().map(|v| v.round()).collect::<Vec<_>>(),
        f.app.start_ms.iter().map(|v| v.round()).collect::<Vec<_>>()
    );
    println!(
        "processes idle: reference [{}], app [{}]",
        f.reference.idle.processes, f.app.idle.processes
    );
    println!("processes after the popup: [{}]", f.after_popup.processes);
    for (name, p) in [("reference", &f.reference), ("app", &f.app)] {
        println!(
            "wakeups idle, {name}: {:.1}/min over {:.0} s [{}]",
            p.idle_wakeups.per_min,
            p.idle_wakeups.window_s,
            p.idle_wakeups.lines().join(", ")
        );
    }
}

fn print_latency(l: &latency::Latency) {
    for (name, s) in [("click", &l.click), ("hotkey", &l.hotkey)] {
        match (&s.gap, s.p50, s.p99) {
            (Some(gap), _, _) if s.ms.is_empty() => println!("{name}: not measured: {gap}"),
            (_, Some(p50), Some(p99)) => println!(
                "{name} → request: p50 {p50:.1} ms, p99 {p99:.1} ms ({} samples, {} lost; first requests {:?})",
                s.ms.len(),
                s.lost,
                s.kinds
            ),
            _ => println!("{name}: no sample arrived ({} lost)", s.lost),
        }
    }
}

fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Command::Economy { hours } => {
            let steady = economy::run(hours, economy::Scenario::Steady)?;
            print!("{}", economy::report(&steady));
            println!();
            let changes = economy::run(hours, economy::Scenario::TeamsChanges)?;
            print!("{}", economy::report(&changes));
        }
        Command::Footprint(args) => print_footprint(&footprint::run(&args.options())?),
        Command::Wakeups {
            app,
            reference,
            window_secs,
            settle_secs,
        } => print!(
            "{}",
            states::report(&states::run(&states::Options {
                app,
                reference,
                window: Duration::from_secs(window_secs.max(1)),
                settle: Duration::from_secs(settle_secs),
            })?)
        ),
        Command::Latency { app, latency: args } => print_latency(&latency::run(&latency::Options {
            app,
            samples: args.samples,
        })?),
        Command::Soak {
            app,
            intents,
            popups,
            fault_every,
            jump_every,
            pace_ms,
            settle_secs,
            after_secs,
            seed,
            out,
        } => {
            let seed = seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(1)
            });
            let mut machine = report::Machine::now();
            let soak = soak::run(&soak::Options {
                app,
                intents,
                popups,
                fault_every,
                jump_every,
                pace: Duration::from_millis(pace_ms),
                settle: Duration::from_secs(settle_secs),
                after: Duration::from_secs(after_secs),
                seed,
            })?;
            machine.finish();
            print!("{}", soak::report(&soak));
            println!("{}", machine.line());
            if let Some(dir) = out.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let json = serde_json::json!({
                "machine": machine.line(),
                "pass": soak.pass(),
                "soak": soak,
            });
            std::fs::write(&out, serde_json::to_string_pretty(&json)? + "\n")?;
            println!("wrote {}", out.display());
            anyhow::ensure!(soak.pass(), "soak: a target was missed");
        }
        Command::All {
            footprint: fargs,
            latency: largs,
            hours,
            out,
        } => {
            let mut machine = report::Machine::now();
            eprintln!("economy: {hours} simulated hours");
            let economy = economy::run(hours, economy::Scenario::Steady)?;
            let changes = economy::run(hours, economy::Scenario::TeamsChanges)?;
            let footprint = footprint::run(&fargs.options())?;
            let latency = latency::run(&latency::Options {
                app: fargs.app.clone(),
                samples: largs.samples,
            })?;
            machine.finish();
            print_footprint(&footprint);
            print_latency(&latency);
            let figures = report::figures(&footprint, &latency, &economy, &changes);
            let table = report::table(&figures);
            println!("\n{}\n\n{table}", machine.line());
            if let Some(dir) = out.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let json = report::json(&figures, &machine, &footprint, &latency, &economy);
            std::fs::write(&out, serde_json::to_string_pretty(&json)? + "\n")?;
            let markdown = format!(
                "Measured {}.\n\n{table}\n{}",
                machine.line(),
                report::side_by_side(&footprint)
            );
            std::fs::write(out.with_file_name("report.md"), markdown)?;
            println!("wrote {} and report.md beside it", out.display());
        }
    }
    Ok(())
}
