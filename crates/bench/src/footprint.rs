//! `footprint`: what Presently costs next to the floor of its stack, measured in the same run on the same
//! virtual desktop (dbus + Xvfb + openbox + tint2, `scripts/gui-session.sh`).
//!
//! The reference is `crates/bench/reference-tray` (a bare Tauri 2 tray, no webview ever). Every run starts its
//! app in a fresh account ([`crate::launch`]). The order is fixed: a throw-away warm-up start first (the first
//! GTK program in a new X session pays for loading software OpenGL), then the start-up runs alternate
//! reference and app, then the long runs, reference then app:
//!
//! 1. start-up (`runs` times each): exec → the tray icon docked ([`crate::desktop`]); for the app, also the popup
//!    opened cold through the local IPC (`showPopup`, what the tray's "Open Presently" does) → its first paint,
//!    then closed (Escape) and reopened `reopens` times → first paint again;
//! 2. idle: `idle` after the icon docked (the app signed in to the demo's emulator and keeping Busy, as on a
//!    working day), the whole process tree's PSS, RSS and threads; then, from the same moment, its CPU time over
//!    `cpu_window` and its wakeups ([`crate::wakeups`]) over `wakeup_window`;
//!
//! The emulator, which stands in for Microsoft's cloud, runs apart ([`StandInCloud`]): every app started here is
//! pointed at it, so it is in no tree weighed.
//! 3. app only: the popup opened and closed as a person would, then the tree again `after_popup` later. The
//!    popup process lingers hidden for its default 3 minutes before it exits, so this figure says whether its
//!    memory really came back.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use presently_core::ipc::Request;
use serde::Serialize;

use crate::desktop::{Desktop, keysym};
use crate::launch::{Keeper, Launched, StandInCloud};
use crate::procs::{self, Tree};
use crate::stats;
use crate::wakeups::{self, Wakeups};

/// The popup window's title (`tauri.conf.json`); no other window of the app has it.
pub const POPUP_TITLE: &str = "Presently";

/// What to measure and how long.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release `presently-app`.
    pub app: PathBuf,
    /// The release `reference-tray`.
    pub reference: PathBuf,
    /// Start-up runs of each.
    pub runs: usize,
    /// Reopenings of the popup per start-up run.
    pub reopens: usize,
    /// Idle time before weighing.
    pub idle: Duration,
    /// Window of the idle CPU measurement.
    pub cpu_window: Duration,
    /// Window of the idle wakeup count (it starts with the CPU window).
    pub wakeup_window: Duration,
    /// Time after the popup closed before weighing again.
    pub after_popup: Duration,
}

/// A process tree, weighed.
#[derive(Debug, Clone, Serialize)]
pub struct Weight {
    /// Tree PSS, MiB.
    pub pss_mib: f64,
    /// Tree RSS, MiB.
    pub rss_mib: f64,
    /// Threads of the tree.
    pub threads: u64,
    /// Processes with their PSS.
    pub processes: String,
}

impl From<&Tree> for Weight {
    fn from(tree: &Tree) -> Self {
        Self {
            pss_mib: tree.pss_mib(),
            rss_mib: tree.rss_mib(),
            threads: tree.threads(),
            processes: tree.breakdown(),
        }
    }
}

/// Figures of one program.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    /// Exec → icon docked, every run, ms.
    pub start_ms: Vec<f64>,
    /// Median of `start_ms`.
    pub start_ms_median: f64,
    /// The tree after the idle wait.
    pub idle: Weight,
    /// CPU milliseconds of the tree over the idle window.
    pub idle_cpu_ms: f64,
    /// The idle window, seconds.
    pub idle_cpu_window_s: f64,
    /// Voluntary context switches of every thread of the tree per minute, over the wakeup window.
    pub idle_wakeups_per_min: f64,
    /// The same by thread.
    pub idle_wakeups: Wakeups,
    /// Stripped binary size, bytes.
    pub binary_bytes: u64,
}

/// Everything `footprint` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Footprint {
    /// The bare Tauri tray.
    pub reference: Program,
    /// Presently's tray process (demo mode).
    pub app: Program,
    /// The app's tree while the popup was open.
    pub popup_open: Option<Weight>,
    /// The app's tree `after_popup_s` after the popup closed.
    pub after_popup: Weight,
    /// Seconds between closing the popup and `after_popup`.
    pub after_popup_s: f64,
    /// showPopup → first paint, popup process not running, ms (one per start-up run).
    pub popup_open_ms_cold: Vec<f64>,
    /// showPopup → first paint, popup lingering hidden, ms.
    pub popup_open_ms_reopen: Vec<f64>,
}

/// Runs the whole measurement.
pub fn run(options: &Options) -> anyhow::Result<Footprint> {
    for exe in [&options.app, &options.reference] {
        anyhow::ensure!(
            exe.exists(),
            "{} is missing: build it first (scripts/bench.sh does)",
            exe.display()
        );
    }
    let desktop = Desktop::connect()?;
    let panel = desktop.panel()?;
    let already = desktop.docked_icons(panel);
    let runtime = tokio::runtime::Runtime::new()?;
    let cloud = StandInCloud::start(&options.app)?;

    eprintln!("footprint: warm-up start (not measured)");
    let warm = Launched::start(&options.reference, &[], &[])?;
    docked(&desktop, panel, &already, &warm)?;
    stop(&desktop, panel, &already, warm);

    let (mut ref_starts, mut app_starts, mut cold, mut reopen) = (vec![], vec![], vec![], vec![]);
    for run in 1..=options.runs {
        let reference = Launched::start(&options.reference, &[], &[])?;
        ref_starts.push(ms(
            docked(&desktop, panel, &already, &reference)? - reference.started
        ));
        stop(&desktop, panel, &already, reference);

        let app = Launched::start(&options.app, &["--demo"], &[cloud.env()])?;
        app_starts.push(ms(docked(&desktop, panel, &already, &app)? - app.started));
        let keeper = runtime.block_on(Keeper::connect(&app.account, Duration::from_secs(10)))?;
        std::thread::sleep(Duration::from_secs(2));
        cold.push(open_popup(&desktop, &runtime, &keeper)?);
        for _ in 0..options.reopens {
            close_popup(&desktop)?;
            std::thread::sleep(Duration::from_millis(700));
            reopen.push(open_popup(&desktop, &runtime, &keeper)?);
        }
        drop(keeper);
        stop(&desktop, panel, &already, app);
        eprintln!(
            "footprint: run {run}/{}: start reference {:.0} ms, app {:.0} ms; popup cold {:.0} ms",
            options.runs,
            ref_starts.last().copied().unwrap_or_default(),
            app_starts.last().copied().unwrap_or_default(),
            cold.last().copied().unwrap_or_default(),
        );
    }

    let ticks = procs::ticks_per_sec();
    eprintln!(
        "footprint: reference idle ({:?} + {:?})",
        options.idle,
        options.cpu_window.max(options.wakeup_window)
    );
    let reference = Launched::start(&options.reference, &[], &[])?;
    docked(&desktop, panel, &already, &reference)?;
    let (ref_idle, ref_cpu, ref_wakeups) = idle(reference.pid(), options, ticks);
    stop(&desktop, panel, &already, reference);

    eprintln!(
        "footprint: app idle, signed in and keeping Busy ({:?} + {:?})",
        options.idle,
        options.cpu_window.max(options.wakeup_window)
    );
    let (app, keeper) = start_keeping_busy(&desktop, panel, &already, &runtime, &options.app, &cloud)?;
    let (app_idle, app_cpu, app_wakeups) = idle(app.pid(), options, ticks);
    eprintln!(
        "footprint: app idle {:.1} MiB PSS, {:.1} wakeups/min (reference {:.1}); opening and closing the popup",
        app_idle.pss_mib(),
        app_wakeups.per_min,
        ref_wakeups.per_min
    );

    open_popup(&desktop, &runtime, &keeper)?;
    std::thread::sleep(Duration::from_secs(2));
    let popup_open = Weight::from(&procs::sample(app.pid()));
    close_popup(&desktop)?;
    let closed = Instant::now();
    eprintln!(
        "footprint: popup open {:.1} MiB PSS; weighing again {:?} after closing",
        popup_open.pss_mib, options.after_popup
    );
    std::thread::sleep(options.after_popup);
    let after = procs::sample(app.pid());
    let after_popup_s = closed.elapsed().as_secs_f64();
    drop(keeper);
    stop(&desktop, panel, &already, app);

    Ok(Footprint {
        reference: program(
            ref_starts,
            &ref_idle,
            ref_cpu,
            ref_wakeups,
            options,
            &options.reference,
        )?,
        app: program(app_starts, &app_idle, app_cpu, app_wakeups, options, &options.app)?,
        popup_open: Some(popup_open),
        after_popup: Weight::from(&after),
        after_popup_s,
        popup_open_ms_cold: cold,
        popup_open_ms_reopen: reopen,
    })
}

fn program(
    start_ms: Vec<f64>,
    idle: &Tree,
    idle_cpu_ms: f64,
    idle_wakeups: Wakeups,
    options: &Options,
    exe: &Path,
) -> anyhow::Result<Program> {
    Ok(Program {
        start_ms_median: stats::median(&start_ms),
        start_ms,
        idle: Weight::from(idle),
        idle_cpu_ms,
        idle_cpu_window_s: options.cpu_window.as_secs_f64(),
        idle_wakeups_per_min: idle_wakeups.per_min,
        idle_wakeups,
        binary_bytes: stripped_size(exe)?,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn docked(
    desktop: &Desktop,
    panel: u32,
    already: &[u32],
    app: &Launched,
) -> anyhow::Result<Instant> {
    desktop
        .wait_docked(panel, already, Duration::from_secs(30))
        .map_err(|e| anyhow::anyhow!("{e}; the app's log ends with:\n{}", app.log_tail()))
}

/// Starts the app in demo mode against the stand-in cloud, waits until its icon docks, signs in through its keeper
/// and chooses Busy: the state the footprint's idle weighing and the soak start from.
pub(crate) fn start_keeping_busy(
    desktop: &Desktop,
    panel: u32,
    already: &[u32],
    runtime: &tokio::runtime::Runtime,
    exe: &Path,
    cloud: &StandInCloud,
) -> anyhow::Result<(Launched, Keeper)> {
    let app = Launched::start(exe, &["--demo"], &[cloud.env()])?;
    docked(desktop, panel, already, &app)?;
    let keeper = runtime.block_on(Keeper::connect(&app.account, Duration::from_secs(10)))?;
    runtime.block_on(async {
        keeper.sign_in().await?;
        keeper.choose("busy").await
    })?;
    Ok((app, keeper))
}

pub(crate) fn stop(desktop: &Desktop, panel: u32, already: &[u32], app: Launched) {
    app.stop();
    desktop.wait_undocked(panel, already, Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(500));
}

/// Waits `idle`, weighs the tree, then measures its CPU time over `cpu_window` and, from the same moment, its
/// wakeups over `wakeup_window`.
fn idle(pid: u32, options: &Options, ticks: u64) -> (Tree, f64, Wakeups) {
    std::thread::sleep(options.idle);
    let weighed = procs::sample(pid);
    let before = procs::sample(pid);
    let cpu_window = options.cpu_window;
    let cpu = std::thread::spawn(move || {
        std::thread::sleep(cpu_window);
        procs::sample(pid)
    });
    let wakeups = wakeups::measure(pid, options.wakeup_window);
    let after = cpu.join().unwrap_or_default();
    (weighed, after.cpu_ms_since(&before, ticks), wakeups)
}

/// Asks the app to open its popup and times it to the popup's first paint.
pub(crate) fn open_popup(
    desktop: &Desktop,
    runtime: &tokio::runtime::Runtime,
    keeper: &Keeper,
) -> anyhow::Result<f64> {
    let asked = Instant::now();
    runtime.block_on(keeper.call(Request::ShowPopup))?;
    let painted = desktop.wait_painted(POPUP_TITLE, Duration::from_secs(30))?;
    Ok(ms(painted - asked))
}

/// Closes the popup as a person would: Escape (the popup has the focus), or a click on the desktop.
pub(crate) fn close_popup(desktop: &Desktop) -> anyhow::Result<()> {
    // Give the popup its moment to take the focus (it asks again 150 ms after showing).
    std::thread::sleep(Duration::from_millis(300));
    desktop.tap(keysym::ESCAPE)?;
    if desktop.wait_hidden(POPUP_TITLE, Duration::from_secs(2)).is_ok() {
        return Ok(());
    }
    desktop.click(400, 300)?;
    desktop.wait_hidden(POPUP_TITLE, Duration::from_secs(3))
}

/// The size of `exe` once stripped of every symbol (`strip` on a copy; the release profile strips symbols
/// already, so this normally equals the file's size).
pub fn stripped_size(exe: &Path) -> anyhow::Result<u64> {
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("stripped");
    let status = std::process::Command::new("strip")
        .arg("--strip-all")
        .arg("-o")
        .arg(&copy)
        .arg(exe)
        .status();
    let path = match status {
        Ok(s) if s.success() => copy,
        _ => exe.to_path_buf(),
    };
    Ok(std::fs::metadata(path)?.len())
}
