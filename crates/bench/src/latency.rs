//! `latency`: from the user's action to the request reaching the emulator, for a click in the popup and for a
//! global hotkey.
//!
//! The app runs in demo mode (its emulator a child process, on a port the benchmark picks) in a fresh account,
//! started by WebKitWebDriver through `tauri-driver` so that WebDriver can see into the popup's page. Both
//! actions are made as a person makes them, with XTest input into the X server ([`crate::desktop`]), and both
//! ends are stamped on the benchmark's one monotonic clock:
//! - **click**: WebDriver finds a status button in the popup and gives its rectangle; the pointer moves there
//!   and clicks. The action is the button's release (the page's `click` fires on it). The path measured is X
//!   → GTK → WebKit → the popup's command → local IPC → keeper → Graph request.
//! - **hotkey**: the default chord of a status (Ctrl+Alt+Shift+digit) is pressed with the popup closed. The
//!   action is the last key going down.
//!
//! The arrival is the emulator's live request stream, stamped on receipt ([`crate::watch`]). Each sample
//! chooses a status other than the current one (so a request must follow), waits until Graph agrees, then
//! pauses a different 0–99 ms before the next action so that actions do not fall in step with a timer of the
//! app.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use presently_core::ipc::Request;
use serde::Serialize;

use crate::desktop::{Desktop, keysym};
use crate::footprint::POPUP_TITLE;
use crate::launch::{Account, Keeper, free_port};
use crate::stats;
use crate::watch::Watch;
use crate::webdriver::Session;

/// Statuses in the order the samples cycle through them, with their hotkey digit.
const CYCLE: [(&str, char); 6] = [
    ("busy", '2'),
    ("available", '1'),
    ("dnd", '3'),
    ("brb", '4'),
    ("away", '5'),
    ("offline", '6'),
];

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release `presently-app`.
    pub app: PathBuf,
    /// Samples of each action.
    pub samples: usize,
}

/// One action's samples.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Samples {
    /// Action → request, ms, one per sample that arrived.
    pub ms: Vec<f64>,
    /// Samples after which no Graph request arrived within 5 s.
    pub lost: usize,
    /// Median, ms.
    pub p50: Option<f64>,
    /// 99th percentile, ms.
    pub p99: Option<f64>,
    /// Graph actions the first requests were (counted).
    pub kinds: std::collections::BTreeMap<String, usize>,
    /// Why nothing was measured, when nothing was.
    pub gap: Option<String>,
}

impl Samples {
    fn finish(mut self) -> Self {
        self.p50 = (!self.ms.is_empty()).then(|| stats::median(&self.ms));
        self.p99 = (!self.ms.is_empty()).then(|| stats::percentile(&self.ms, 99.0));
        self
    }
}

/// Everything `latency` measured.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// A click on a status in the popup.
    pub click: Samples,
    /// A status's global hotkey.
    pub hotkey: Samples,
}

/// `tauri-driver` and its WebKitWebDriver, ended on drop.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        crate::procs::end_tree(self.child.id(), Duration::from_secs(3));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the measurement.
pub fn run(options: &Options) -> anyhow::Result<Latency> {
    anyhow::ensure!(
        options.app.exists(),
        "{} is missing: build it first (scripts/bench.sh does)",
        options.app.display()
    );
    let runtime = tokio::runtime::Runtime::new()?;
    let desktop = Desktop::connect()?;
    let account = Account::new()?;
    let emulator_port = free_port()?;
    let (port, native_port) = (free_port()?, free_port()?);
    let log = std::fs::File::create(account.path().join("driver.log"))?;
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .envs(account.env())
        .env("PRESENTLY_DEMO_PORT", emulator_port.to_string())
        .env("PRESENTLY_DEMO_AUTO_APPROVE", "1")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start tauri-driver (scripts/setup.sh installs it): {e}"))?;
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let app = options.app.display().to_string();
    let result = runtime.block_on(measure(
        &desktop,
        &driver,
        &account,
        &app,
        emulator_port,
        options.samples,
    ));
    if result.is_err() {
        let log = std::fs::read_to_string(account.path().join("driver.log")).unwrap_or_default();
        eprintln!(
            "latency: tauri-driver's log ends with:\n{}",
            &log[log.len().saturating_sub(3000)..]
        );
    }
    drop(driver);
    result
}

async fn measure(
    desktop: &Desktop,
    driver: &Driver,
    account: &Account,
    app: &str,
    emulator_port: u16,
    samples: usize,
) -> anyhow::Result<Latency> {
    // tauri-driver listens once it has started WebKitWebDriver.
    let http = reqwest::Client::builder().no_proxy().build()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{}/status", driver.base)).send().await.is_err() {
        anyhow::ensure!(Instant::now() < deadline, "tauri-driver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let session = Session::start(&driver.base, app, &["--demo", "--show-popup-on-start"]).await?;
    let keeper = Keeper::connect(account, Duration::from_secs(20)).await?;
    keeper.sign_in().await?;
    keeper.choose("available").await?;
    let mut watch = Watch::start(&format!("http://127.0.0.1:{emulator_port}")).await?;

    let click = clicks(desktop, &session, &keeper, &mut watch, samples).await;
    let click = match click {
        Ok(samples) => samples,
        Err(e) => Samples {
            gap: Some(format!("click: {e:#}")),
            ..Samples::default()
        },
    };
    eprintln!("latency: click p50 {:?} ms, p99 {:?} ms", click.p50, click.p99);

    // Hotkeys are pressed with the popup closed, as over any other app.
    let _ = desktop.tap(keysym::ESCAPE);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hotkey = hotkeys(desktop, &keeper, &mut watch, samples).await?;
    eprintln!("latency: hotkey p50 {:?} ms, p99 {:?} ms", hotkey.p50, hotkey.p99);
    let _ = session.end().await;
    Ok(Latency { click, hotkey })
}

/// The status to choose next: the next in the cycle that is not the current one.
async fn next_status(keeper: &Keeper, n: usize) -> anyhow::Result<(&'static str, char)> {
    let current = keeper.field("/intent/status").await?;
    let mut pick = CYCLE[n % CYCLE.len()];
    if pick.0 == current {
        pick = CYCLE[(n + 1) % CYCLE.len()];
    }
    Ok(pick)
}

/// A pause of 0–99 ms before an action, different each time. Without it every action would fall at the same
/// point of any periodic timer inside the app (the benchmark's own waits are paced by the app's answers), and a
/// timer's delay would be measured always at its worst or always at its best; a person's action falls anywhere.
async fn unsynchronised_pause(n: usize) {
    // A fixed sequence spread evenly over 0..100 ms (stride 37 is coprime with 100): repeatable, unbiased.
    tokio::time::sleep(Duration::from_millis(((n * 37) % 100) as u64)).await;
}

/// Waits until the keeper holds `status` and Graph agrees, then lets the follow-up requests pass.
async fn settle(keeper: &Keeper, watch: &mut Watch, status: &str) -> anyhow::Result<()> {
    keeper
        .wait_field("/intent/status", status, Duration::from_secs(10))
        .await?;
    keeper
        .wait_field("/agreement/state", "matches", Duration::from_secs(10))
        .await?;
    tokio::time::sleep(Duration::from_millis(250)).await;
    watch.drain();
    Ok(())
}

async fn clicks(
    desktop: &Desktop,
    session: &Session,
    keeper: &Keeper,
    watch: &mut Watch,
    samples: usize,
) -> anyhow::Result<Samples> {
    session
        .wait_for(r#"button.status[data-status="busy"]"#, Duration::from_secs(30))
        .await?;
    let mut out = Samples::default();
    for n in 0..samples {
        let (status, _) = next_status(keeper, n).await?;
        let popup = match desktop.find_window(POPUP_TITLE) {
            Some(w) => w,
            None => {
                keeper.call(Request::ShowPopup).await?;
                desktop.wait_painted(POPUP_TITLE, Duration::from_secs(10))?;
                tokio::time::sleep(Duration::from_millis(300)).await;
                desktop
                    .find_window(POPUP_TITLE)
                    .ok_or_else(|| anyhow::anyhow!("the popup is not shown"))?
            }
        };
        let window = desktop.rect(popup)?;
        let button = session
            .wait_for(
                &format!(r#"button.status[data-status="{status}"]"#),
                Duration::from_secs(5),
            )
            .await?;
        let rect = session.rect(&button).await?;
        let x = window.x + (rect.x + rect.width / 2.0).round() as i32;
        let y = window.y + (rect.y + rect.height / 2.0).round() as i32;
        watch.drain();
        unsynchronised_pause(n).await;
        let at = desktop.click(x, y)?;
        record(&mut out, watch, at).await;
        settle(keeper, watch, status).await?;
    }
    Ok(out.finish())
}

async fn hotkeys(
    desktop: &Desktop,
    keeper: &Keeper,
    watch: &mut Watch,
    samples: usize,
) -> anyhow::Result<Samples> {
    let modifiers = [
        desktop.keycode(keysym::CONTROL_L)?,
        desktop.keycode(keysym::ALT_L)?,
        desktop.keycode(keysym::SHIFT_L)?,
    ];
    let mut out = Samples::default();
    for n in 0..samples {
        let (status, digit) = next_status(keeper, n).await?;
        let key = desktop.keycode(keysym::of_char(digit).unwrap_or(0x31))?;
        watch.drain();
        unsynchronised_pause(n).await;
        let mut chord = modifiers.to_vec();
        chord.push(key);
        let at = desktop.chord(&chord)?;
        if !record(&mut out, watch, at).await {
            if out.ms.is_empty() {
                out.gap = Some(format!(
                    "Ctrl+Alt+Shift+{digit} (the default hotkey of {status}) sent no request within 5 s: the \
                     app registered no global hotkey"
                ));
                break;
            }
            continue;
        }
        settle(keeper, watch, status).await?;
    }
    Ok(out.finish())
}

/// Waits for the first Graph request after `at`; records it. Whether one came.
async fn record(out: &mut Samples, watch: &mut Watch, at: Instant) -> bool {
    match watch.next_graph(Duration::from_secs(5)).await {
        Some(arrival) => {
            let ms = arrival.at.saturating_duration_since(at).as_secs_f64() * 1000.0;
            out.ms.push(ms);
            let kind = arrival.entry.kind.unwrap_or(arrival.entry.path);
            *out.kinds.entry(kind).or_insert(0) += 1;
            true
        }
        None => {
            out.lost += 1;
            false
        }
    }
}
