//! `wakeups`: the idle app's wakeups in every state it rests in, thread by thread, beside the bare Tauri tray's,
//! on the virtual desktop: where [`crate::footprint`] gives one figure (signed in, keeping Busy), this says which
//! thread wakes and in which state.
//!
//! One app is started (`--demo`, against the stand-in cloud, in a fresh account) and led through the states in
//! order, each left alone for `settle` before its `window` is counted ([`crate::wakeups`]):
//!
//! 1. signed out (as started);
//! 2. signed in, no status chosen;
//! 3. keeping Busy for 1 hour (a timed status);
//! 4. keeping Busy until changed;
//! 5. the popup opened, closed, and lingering hidden (its process waits to be reopened; the linger is set
//!    longer than the window so that it is still there at the end).

use std::time::Duration;

use anyhow::Context;
use serde::Serialize;

use crate::desktop::Desktop;
use crate::footprint::{close_popup, docked, open_popup, stop};
use crate::launch::{Keeper, Launched, StandInCloud};
use crate::wakeups::{self, Wakeups};

/// What to measure and how long.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release `presently-app`.
    pub app: std::path::PathBuf,
    /// The release `reference-tray`.
    pub reference: std::path::PathBuf,
    /// Wakeups are counted over this long in each state.
    pub window: Duration,
    /// Left alone this long after entering a state, before counting.
    pub settle: Duration,
}

/// One state's wakeups.
#[derive(Debug, Clone, Serialize)]
pub struct State {
    /// Which program, in which state.
    pub name: &'static str,
    /// Its tree's wakeups.
    pub wakeups: Wakeups,
}

/// Runs the reference, then the app through its states.
pub fn run(options: &Options) -> anyhow::Result<Vec<State>> {
    let desktop = Desktop::connect()?;
    let panel = desktop.panel()?;
    let already = desktop.docked_icons(panel);
    let runtime = tokio::runtime::Runtime::new()?;
    let cloud = StandInCloud::start(&options.app)?;
    let mut states = Vec::new();
    let mut count = |name: &'static str, pid: u32| {
        std::thread::sleep(options.settle);
        eprintln!("wakeups: {name} ({:?})", options.window);
        let wakeups = wakeups::measure(pid, options.window);
        eprintln!("wakeups: {name}: {:.1}/min", wakeups.per_min);
        states.push(State { name, wakeups });
    };

    let reference = Launched::start(&options.reference, &[], &[])?;
    docked(&desktop, panel, &already, &reference)?;
    count("bare Tauri tray (reference)", reference.pid());
    stop(&desktop, panel, &already, reference);

    // Still lingering when the last window ends.
    let linger = (options.settle + options.window + Duration::from_secs(60)).as_secs();
    let app = Launched::start(
        &options.app,
        &["--demo"],
        &[cloud.env(), ("PRESENTLY_POPUP_LINGER_SECS", linger.to_string())],
    )?;
    docked(&desktop, panel, &already, &app)?;
    let keeper = runtime.block_on(Keeper::connect(&app.account, Duration::from_secs(10)))?;
    let pid = app.pid();
    count("Presently, signed out", pid);
    runtime.block_on(keeper.sign_in()).context("signing in")?;
    count("Presently, signed in, no status chosen", pid);
    runtime
        .block_on(keeper.choose_for("busy", "1h"))
        .context("choosing Busy for 1 hour")?;
    count("Presently, keeping Busy for 1 hour", pid);
    runtime
        .block_on(keeper.choose("busy"))
        .context("choosing Busy until changed")?;
    count("Presently, keeping Busy until changed", pid);
    open_popup(&desktop, &runtime, &keeper)?;
    std::thread::sleep(Duration::from_secs(2));
    close_popup(&desktop)?;
    count("Presently, popup lingering hidden (Busy until changed)", pid);
    drop(keeper);
    stop(&desktop, panel, &already, app);
    Ok(states)
}

/// One line per state, then its threads that woke.
pub fn report(states: &[State]) -> String {
    let mut out = String::new();
    for s in states {
        out.push_str(&format!(
            "{}: {:.1} wakeups/min over {:.0} s\n",
            s.name, s.wakeups.per_min, s.wakeups.window_s
        ));
        for line in s.wakeups.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}
