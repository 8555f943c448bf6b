//! The harness of the CLI tests: an in-process emulator on 127.0.0.1, the real `presently` binary run with a
//! private environment (temporary settings files, data folder, HOME; no D-Bus, so the token store is the
//! 0600 file; no proxy; TZ=UTC), a browser that follows the emulator's pages over HTTP, and helpers for the
//! emulator's control API. Only loopback addresses are ever contacted.
// A test harness: a failed unwrap is a failed test, which is the point.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use presently_emulator::{Emulator, EmulatorConfig, Seed};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use url::Url;

pub use presently_testkit::pages::{Choice, Walk as PageWalk};

/// The default seed's first user (Adele Vance).
pub const ADELE: &str = "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d";
/// The default client id (Microsoft Graph Command Line Tools), also Presently's session id.
pub const CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
/// The token path of the default tenant segment.
pub const TOKEN_PATH: &str = "/organizations/oauth2/v2.0/token";

/// A finished run of `presently`.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// stdout as JSON; panics with both streams when it is not one JSON object.
    pub fn json(&self) -> Value {
        let value: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        });
        assert!(value.is_object(), "not an object: {value}");
        value
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// An emulator and a private home for the binary.
pub struct Harness {
    pub emu: Emulator,
    /// The temporary folder everything lives in.
    pub dir: tempfile::TempDir,
    /// HTTP for the control API and the fake browser.
    pub http: reqwest::Client,
}

/// An HTTP client that follows no redirects and uses no proxy.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

impl Harness {
    /// An emulator that completes every sign-in at once as Adele.
    pub async fn auto_approving() -> Self {
        Self::start(EmulatorConfig {
            auto_approve: Some(None),
            ..Default::default()
        })
        .await
    }

    /// An emulator that shows its sign-in pages.
    pub async fn with_pages() -> Self {
        Self::start(EmulatorConfig::default()).await
    }

    /// An emulator with this seed, showing its pages.
    pub async fn with_seed(seed: Seed) -> Self {
        Self::start(EmulatorConfig {
            seed,
            ..Default::default()
        })
        .await
    }

    /// Starts the emulator (its clock reads the real time and can be advanced).
    pub async fn start(config: EmulatorConfig) -> Self {
        let emu = Emulator::start(config).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        for sub in ["config", "data", "home", "run"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Self {
            emu,
            dir,
            http: http(),
        }
    }

    /// The emulator's base URL.
    pub fn base(&self) -> String {
        self.emu.base_url().to_owned()
    }

    /// The data folder (tokens, last-set record).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The token file: the plain-file store on Linux (there is no D-Bus, so no Secret Service); on Windows the
    /// encrypted file whose key is in the Credential Manager, which Windows always has.
    pub fn token_file(&self) -> PathBuf {
        if cfg!(windows) {
            self.data_dir().join(presently_auth::store::ENVELOPE_FILE)
        } else {
            self.data_dir().join(presently_auth::store::FILE_NAME)
        }
    }

    /// The user's settings file.
    pub fn settings_file(&self) -> PathBuf {
        self.dir.path().join("config").join("settings.toml")
    }

    /// The managed settings file.
    pub fn managed_file(&self) -> PathBuf {
        self.dir.path().join("managed.toml")
    }

    /// The command with the private environment (nothing inherited but PATH).
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let root = self.dir.path();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_presently"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", root.join("home"))
            .env("XDG_CONFIG_HOME", root.join("home/.config"))
            .env("XDG_DATA_HOME", root.join("home/.local/share"))
            .env("XDG_RUNTIME_DIR", root.join("run"))
            .env("TZ", "UTC")
            .env("PRESENTLY_CONFIG", self.settings_file())
            .env("PRESENTLY_MANAGED_CONFIG", self.managed_file())
            .env("PRESENTLY_DATA_DIR", self.data_dir())
            .env("PRESENTLY_LOGIN_URL", self.base())
            .env("PRESENTLY_GRAPH_URL", self.base())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if !cfg!(windows) {
            // No credential store answers here (the session bus is not passed on); these tests read the saved
            // tokens from the plain file, which is used only when chosen. On Windows the Credential Manager
            // answers, and `saved_tokens` reads through it.
            command.env("PRESENTLY_TOKEN_STORE", "file");
        }
        if cfg!(windows) {
            // Windows programs need SystemRoot (Winsock loads its providers from it). The pipe is named after this
            // test's folder: pipes share one machine-wide namespace, and tests run side by side.
            for keep in ["SystemRoot", "windir"] {
                if let Ok(value) = std::env::var(keep) {
                    command.env(keep, value);
                }
            }
            command.env("PRESENTLY_IPC", self.ipc_address());
        }
        command
    }

    /// Where `presently run` serves its IPC: the socket in the private runtime folder on Unix, a pipe named after
    /// the test's folder on Windows.
    pub fn ipc_address(&self) -> PathBuf {
        if cfg!(windows) {
            let name = self
                .dir
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            PathBuf::from(format!(r"\\.\pipe\presently-test-{name}"))
        } else {
            self.dir.path().join("run/presently/keeper.sock")
        }
    }

    /// Runs `presently ARGS` to the end.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[]).await
    }

    /// Runs `presently ARGS` with extra environment variables.
    pub async fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let output = tokio::time::timeout(Duration::from_secs(120), command.output())
            .await
            .expect("presently did not finish within 2 minutes")
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Signs in with `BROWSER="curl -fsSL"` against an auto-approving emulator: curl follows the redirect to
    /// the loopback listener, as a browser would.
    pub async fn login_with_curl(&self) -> Run {
        self.run_with(&["login"], &[("BROWSER", "curl -fsSL")]).await
    }

    /// Starts `presently ARGS` (which prints a URL or code on stderr), waits for a stderr line that `pick`
    /// accepts, hands it to `act`, and returns the finished run.
    pub async fn run_interactive<F, Fut>(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        pick: fn(&str) -> bool,
        act: F,
    ) -> Run
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let mut command = self.command(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let stdout_task = tokio::spawn(async move {
            let mut text = String::new();
            stdout.read_to_string(&mut text).await.unwrap();
            text
        });
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut stderr = String::new();
        let found = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                stderr.push_str(&line);
                stderr.push('\n');
                if pick(&line) {
                    return Some(line);
                }
            }
            None
        })
        .await
        .expect("no prompt within 30 s");
        let line = found.unwrap_or_else(|| panic!("presently ended without the expected line:\n{stderr}"));
        act(line).await;
        let rest = tokio::time::timeout(Duration::from_secs(60), async {
            let mut rest = String::new();
            while let Some(line) = lines.next_line().await.unwrap() {
                rest.push_str(&line);
                rest.push('\n');
            }
            rest
        })
        .await
        .expect("presently did not finish");
        stderr.push_str(&rest);
        let status = child.wait().await.unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: stdout_task.await.unwrap(),
            stderr,
        }
    }

    /// `presently login --no-browser ARGS`, with a person on the emulator's pages making `choice`.
    pub async fn login_through_pages(&self, extra: &[&str], choice: Choice) -> (Run, PageWalk) {
        let mut args = vec!["login", "--no-browser"];
        args.extend_from_slice(extra);
        let walk = std::sync::Arc::new(std::sync::Mutex::new(PageWalk::default()));
        let recorded = walk.clone();
        let run = self
            .run_interactive(
                &args,
                &[],
                |l| l.trim_start().starts_with("http://"),
                |line| async move {
                    let url = Url::parse(line.trim()).unwrap();
                    let result = presently_testkit::pages::walk_pages(choice, url).await;
                    *recorded.lock().unwrap() = result.unwrap();
                },
            )
            .await;
        let walk = walk.lock().unwrap().clone();
        (run, walk)
    }

    /// `presently login --device-code`, with a person approving the code on `/devicelogin`.
    pub async fn login_with_device_code(&self, extra: &[&str]) -> Run {
        let mut args = vec!["login", "--device-code"];
        args.extend_from_slice(extra);
        let base = self.base();
        self.run_interactive(
            &args,
            &[],
            |l| l.starts_with("Code: "),
            |line| async move {
                let code = line["Code: ".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_owned();
                presently_testkit::pages::device_login(&base, &code, true)
                    .await
                    .unwrap();
            },
        )
        .await
    }

    /// `GET` a control-API path, as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.base()))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// `POST` JSON to a control-API path; asserts success.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `PATCH /_emulator/settings`.
    pub async fn patch_settings(&self, body: Value) {
        let response = self
            .http
            .patch(format!("{}/_emulator/settings", self.base()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }

    /// Adele's presence picture.
    pub async fn presence(&self) -> Value {
        self.get(&format!("/_emulator/users/{ADELE}/presence")).await
    }

    /// The emulator's virtual now.
    pub fn now(&self) -> jiff::Timestamp {
        self.emu.clock().now()
    }

    /// Jumps the emulator's clock forward.
    pub async fn advance(&self, seconds: u64) {
        self.post("/_emulator/clock/advance", json!({ "seconds": seconds }))
            .await;
    }

    /// Injects a fault.
    pub async fn fault(&self, spec: Value) {
        self.post("/_emulator/faults", spec).await;
    }

    /// Injects an identity-platform error on the next `count` token requests.
    pub async fn identity_fault(&self, code: u32, count: u32, retry_after: Option<u64>) {
        let mut fault = json!({ "kind": "identityError", "code": code });
        if let Some(s) = retry_after {
            fault["retryAfter"] = s.into();
        }
        self.fault(json!({ "path": TOKEN_PATH, "method": "POST", "count": count, "fault": fault }))
            .await;
    }

    /// Statuses of the logged requests of a kind (grant type or Graph action), oldest first.
    pub fn logged(&self, kind: &str) -> Vec<u16> {
        self.emu
            .state()
            .world()
            .log
            .since(0)
            .filter(|e| e.kind.as_deref() == Some(kind))
            .map(|e| e.status)
            .collect()
    }

    /// Statuses of the logged requests to paths ending with `suffix` (faulted ones included), oldest first.
    pub fn logged_path(&self, suffix: &str) -> Vec<u16> {
        self.emu
            .state()
            .world()
            .log
            .since(0)
            .filter(|e| e.path.ends_with(suffix))
            .map(|e| e.status)
            .collect()
    }

    /// The saved token set, in the plain-file store's layout. On Windows it is read through the Credential
    /// Manager's key and written once more by a plain-file store in a scratch folder, to be read the same way.
    pub fn saved_tokens(&self) -> Value {
        let plain = if cfg!(windows) {
            use presently_auth::TokenStore as _;
            let secure =
                presently_auth::KeyringStore::new(presently_auth::store::DEFAULT_SERVICE, &self.data_dir());
            let auth = secure.load().unwrap().expect("a saved sign-in");
            let scratch = self.dir.path().join("decrypted");
            std::fs::create_dir_all(&scratch).unwrap();
            presently_auth::FileStore::new(&scratch).save(&auth).unwrap();
            scratch.join(presently_auth::store::FILE_NAME)
        } else {
            self.token_file()
        };
        let text = std::fs::read_to_string(plain).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn saved_refresh_token(&self) -> String {
        self.saved_tokens()["tokens"]["refreshToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn saved_access_token(&self) -> String {
        self.saved_tokens()["tokens"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A timestamp field of a JSON value.
pub fn ts(value: &Value) -> jiff::Timestamp {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"))
        .parse()
        .unwrap()
}

/// Asserts two instants are within a minute of each other.
#[track_caller]
pub fn within_a_minute(actual: jiff::Timestamp, expected: jiff::Timestamp, what: &str) {
    let gap = actual.duration_since(expected).abs();
    assert!(
        gap <= jiff::SignedDuration::from_mins(1),
        "{what}: {actual} is not within a minute of {expected}"
    );
}

/// Bytes of a file, or `None` when it does not exist.
pub fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}
