//! Starting an app the way a fresh user account would: its own HOME (and XDG folders, and runtime folder) in a
//! throw-away directory, so no settings, sign-in, cache or socket carries over from one run to the next, and
//! nothing leaks into the machine. A "browser" that only follows sign-in redirects stands in for the system
//! browser (the demo's emulator approves sign-ins at once when asked to), and opens nothing else.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use presently_core::SignInMethod;
use presently_core::ipc::{Client, Endpoint, Request};
use presently_model::Origin;
use tempfile::TempDir;

use crate::procs;

/// A throw-away user account: HOME, XDG folders, runtime folder, browser stand-in.
pub struct Account {
    dir: TempDir,
}

impl Account {
    /// A new, empty account.
    pub fn new() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("presently-bench-").tempdir()?;
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run)?;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700))?;
        std::fs::create_dir_all(dir.path().join("home"))?;
        let browser = dir.path().join("browser");
        std::fs::write(
            &browser,
            "#!/bin/sh\n# Follows a sign-in's redirects back to the app; opens nothing else.\n\
             case \"$1\" in *authorize*) curl -fsSL -o /dev/null \"$1\" >/dev/null 2>&1 & ;; esac\nexit 0\n",
        )?;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))?;
        Ok(Self { dir })
    }

    /// The account's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The local IPC socket a Presently of this account listens on.
    pub fn ipc(&self) -> PathBuf {
        self.path().join("run").join("keeper.sock")
    }

    /// The environment of a program started in this account.
    pub fn env(&self) -> Vec<(String, String)> {
        let home = self.path().join("home");
        let at = |p: &Path| p.display().to_string();
        vec![
            ("HOME".into(), at(&home)),
            ("XDG_CONFIG_HOME".into(), at(&home.join(".config"))),
            ("XDG_DATA_HOME".into(), at(&home.join(".local/share"))),
            ("XDG_CACHE_HOME".into(), at(&home.join(".cache"))),
            ("XDG_STATE_HOME".into(), at(&home.join(".local/state"))),
            ("XDG_RUNTIME_DIR".into(), at(&self.path().join("run"))),
            ("PRESENTLY_IPC".into(), at(&self.ipc())),
            ("BROWSER".into(), at(&self.path().join("browser"))),
        ]
    }
}

/// An app started by the benchmark; its whole process tree ends when this is dropped.
pub struct Launched {
    /// The account it runs in.
    pub account: Account,
    child: Child,
    /// Just before `exec`.
    pub started: Instant,
}

impl Launched {
    /// Starts `exe args` in a fresh account with `extra` environment; its output goes to a log in the account.
    pub fn start(exe: &Path, args: &[&str], extra: &[(&str, String)]) -> anyhow::Result<Self> {
        let account = Account::new()?;
        let log = std::fs::File::create(account.path().join("app.log"))?;
        let mut command = Command::new(exe);
        command
            .args(args)
            .envs(account.env())
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        Ok(Self {
            account,
            child,
            started,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The end of the app's log (for error messages).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.account.path().join("app.log")).unwrap_or_default();
        let start = text.len().saturating_sub(2000);
        text.get(start..).unwrap_or_default().to_string()
    }

    /// Ends the app and every process it started.
    pub fn stop(mut self) {
        self.end();
    }

    fn end(&mut self) {
        procs::end_tree(self.child.id(), Duration::from_secs(3));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.end();
        }
    }
}

/// A connection to a running Presently's local IPC.
pub struct Keeper {
    client: Client,
}

impl Keeper {
    /// Connects to the app of `account`, waiting up to `timeout` for it to listen.
    pub async fn connect(account: &Account, timeout: Duration) -> anyhow::Result<Self> {
        let endpoint = Endpoint::at(account.ipc());
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match Client::connect(&endpoint).await {
                Ok(client) => return Ok(Self { client }),
                Err(e) if tokio::time::Instant::now() > deadline => {
                    return Err(anyhow::anyhow!("the app's IPC did not answer: {e}"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// One request; its answer.
    pub async fn call(&self, request: Request) -> anyhow::Result<serde_json::Value> {
        self.client
            .call(request)
            .await
            .map_err(|e| anyhow::anyhow!("IPC: {e:?}"))
    }

    /// The snapshot's `pointer` (JSON pointer, e.g. `/account/state`) as text.
    pub async fn field(&self, pointer: &str) -> anyhow::Result<String> {
        let snapshot = self.call(Request::Snapshot).await?;
        Ok(match snapshot.pointer(pointer) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        })
    }

    /// Signs in (the demo's emulator approves at once) and waits until the keeper is signed in.
    pub async fn sign_in(&self) -> anyhow::Result<()> {
        self.call(Request::SignIn {
            method: SignInMethod::Browser,
        })
        .await?;
        self.wait_field("/account/state", "signedIn", Duration::from_secs(20))
            .await
    }

    /// Keeps `status` until changed, and waits until Graph agrees.
    pub async fn choose(&self, status: &str) -> anyhow::Result<()> {
        self.choose_for(status, "forever").await
    }

    /// Keeps `status` for `duration` (a preset name: `1h`, `eod`, `forever`), and waits until Graph agrees.
    pub async fn choose_for(&self, status: &str, duration: &str) -> anyhow::Result<()> {
        self.call(Request::Choose {
            status: status.into(),
            duration: duration.into(),
            origin: Origin::Cli,
        })
        .await?;
        self.wait_field("/agreement/state", "matches", Duration::from_secs(20))
            .await
    }

    /// Waits until the snapshot's `pointer` reads `want`.
    pub async fn wait_field(&self, pointer: &str, want: &str, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.field(pointer).await?;
            if got == want {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("{pointer} is {got:?}, not {want:?}, after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A free TCP port on 127.0.0.1 (for the demo's emulator and the WebDriver servers).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The emulator, standing in for Microsoft's cloud, in a process of its own (`presently-emulator` beside the app,
/// approving sign-ins at once). The apps measured use it through `PRESENTLY_DEMO_EMULATOR` instead of starting
/// their own, so what is weighed is the app alone, as on a real user's machine, where the cloud is elsewhere.
pub struct StandInCloud {
    child: Child,
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub base_url: String,
}

impl StandInCloud {
    /// Starts the `presently-emulator` in the folder of `app`.
    pub fn start(app: &Path) -> anyhow::Result<Self> {
        use std::io::BufRead;
        let program = app.with_file_name("presently-emulator");
        let mut child = Command::new(&program)
            .args(["--port", "0", "--auto-approve", "--until-stdin-closes"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {} (scripts/bench.sh builds it)", program.display()))?;
        let stdout = child.stdout.take().context("the emulator's output")?;
        let mut lines = std::io::BufReader::new(stdout);
        let mut first = String::new();
        lines.read_line(&mut first)?;
        // The rest of its output is read to the end: closing the pipe would fail its next line, and with it the
        // emulator.
        std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
        let base_url = first
            .trim()
            .strip_prefix("Presently emulator listening on ")
            .map(str::to_string)
            .with_context(|| format!("the emulator did not start: {first:?}"))?;
        Ok(Self { child, base_url })
    }

    /// The environment that points a `presently-app --demo` at it.
    pub fn env(&self) -> (&'static str, String) {
        ("PRESENTLY_DEMO_EMULATOR", self.base_url.clone())
    }
}

impl Drop for StandInCloud {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
