//! Demo mode (`presently-app --demo`): the same app against the emulator of Microsoft's identity platform and
//! Graph presence, on 127.0.0.1. Sign-in shows the emulator's own sign-in page in the system browser (no
//! auto-approval), and the emulator's "what colleagues see" page opens beside it. Demo state lives apart:
//! settings, tokens (a file or the credential-store service `presently-demo`), the keeper's intent and the IPC
//! endpoint, so a demo never touches a real sign-in.
//!
//! The emulator is not part of the app's executable: it stands in for Microsoft's cloud, which a real user's
//! Presently only talks to. The demo runs the `presently-emulator` program installed beside this one as a child
//! process and reads its address from the first line it prints. The child ends when its standard input closes,
//! so it cannot outlive the app, however the app ends. `PRESENTLY_DEMO_EMULATOR=http://127.0.0.1:PORT` uses an
//! emulator that is already running instead (the benchmarks weigh the app without it).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use presently_core::config::{Locations, Overrides};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The credential-store service of demo tokens (real ones use `presently`).
pub const DEMO_SERVICE: &str = "presently-demo";

/// The IPC profile of the demo (the real app's is `keeper`).
pub const DEMO_PROFILE: &str = "keeper-demo";

/// The emulator's program name.
pub const EMULATOR_PROGRAM: &str = if cfg!(windows) {
    "presently-emulator.exe"
} else {
    "presently-emulator"
};

/// What the emulator's first line starts with; its address follows.
const READY_LINE: &str = "Presently emulator listening on ";

/// How long the emulator may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the demo's emulator is not there.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// No emulator program beside this one.
    #[error(
        "the demo needs the `{program}` program beside Presently ({}); build it with `cargo build -p \
         presently-emulator`, or point PRESENTLY_DEMO_EMULATOR at a running emulator",
        dir.display()
    )]
    NoEmulator {
        /// Its expected name.
        program: &'static str,
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// It could not be started.
    #[error("cannot start {}: {source}", program.display())]
    Spawn {
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It ended, or said nothing usable, before it was ready.
    #[error("the emulator did not start: {0}")]
    NotReady(String),
    /// `PRESENTLY_DEMO_EMULATOR` is not a loopback http(s) address.
    #[error(
        "PRESENTLY_DEMO_EMULATOR must be the address of an emulator on this machine \
         (http://127.0.0.1:PORT), not {0:?}"
    )]
    BadAddress(String),
}

/// A running demo: its emulator and where the demo keeps its files.
pub struct Demo {
    /// The emulator when it is our child (none when it was already running). Its standard input is the pipe
    /// it waits on; dropping the child kills it as well.
    _emulator: Option<Child>,
    base_url: String,
    /// `<data>/demo`.
    pub data_dir: PathBuf,
}

/// How the demo's emulator starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoOptions {
    /// The port (0: a free one).
    pub port: u16,
    /// Complete sign-ins at once (as the first user, or this one) instead of showing the emulator's pages.
    pub auto_approve: Option<Option<String>>,
    /// An emulator already running at this address.
    pub external: Option<String>,
}

impl DemoOptions {
    /// From `PRESENTLY_DEMO_PORT`, `PRESENTLY_DEMO_AUTO_APPROVE` and `PRESENTLY_DEMO_EMULATOR`.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        Self {
            port: port_from_env(env),
            auto_approve: auto_approve_from_env(env),
            external: env("PRESENTLY_DEMO_EMULATOR").filter(|v| !v.trim().is_empty()),
        }
    }

    /// The emulator's command line after the program.
    pub fn emulator_args(&self) -> Vec<String> {
        let mut args = vec![
            "--port".to_string(),
            self.port.to_string(),
            "--until-stdin-closes".to_string(),
        ];
        match &self.auto_approve {
            None => {}
            Some(None) => args.push("--auto-approve".into()),
            Some(Some(user)) => args.push(format!("--auto-approve={user}")),
        }
        args
    }
}

/// Writes a line to our standard output. Nobody may be reading it (a desktop launch, a closed pipe): that is no
/// error, where `println!` would panic.
pub fn echo(line: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}

/// The address in the emulator's ready line.
pub fn address_in(line: &str) -> Option<&str> {
    let address = line.trim().strip_prefix(READY_LINE)?.trim();
    address.starts_with("http").then_some(address)
}

/// Accepts only an http(s) address on 127.0.0.1 or localhost (demo tokens go there).
fn loopback_address(address: &str) -> Result<String, DemoError> {
    let trimmed = address.trim().trim_end_matches('/');
    let host = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .map(|rest| rest.split(['/', ':']).next().unwrap_or_default());
    match host {
        Some("127.0.0.1" | "localhost") => Ok(trimmed.to_string()),
        _ => Err(DemoError::BadAddress(address.to_string())),
    }
}

impl Demo {
    /// Starts (or finds) the emulator for data folder `data_dir`; `exe_dir` is where this program lives.
    pub async fn start(data_dir: &Path, exe_dir: &Path, options: &DemoOptions) -> Result<Self, DemoError> {
        let data_dir = data_dir.join("demo");
        if let Some(address) = &options.external {
            return Ok(Self {
                _emulator: None,
                base_url: loopback_address(address)?,
                data_dir,
            });
        }
        let program = exe_dir.join(EMULATOR_PROGRAM);
        if !program.is_file() {
            return Err(DemoError::NoEmulator {
                program: EMULATOR_PROGRAM,
                dir: exe_dir.to_path_buf(),
            });
        }
        let mut child = Command::new(&program)
            .args(options.emulator_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| DemoError::Spawn {
                program: program.clone(),
                source,
            })?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| DemoError::NotReady("its output is not readable".into()))?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
                echo(&line);
                if let Some(address) = address_in(&line) {
                    return Ok(address.to_string());
                }
            }
            Err("it ended before it was listening (see the lines above)".to_string())
        })
        .await
        .map_err(|_| DemoError::NotReady(format!("no address within {} s", START_TIMEOUT.as_secs())))?
        .map_err(DemoError::NotReady)?;
        // Its other lines (the addresses of its pages) go on to our output, so it never writes to a closed pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                echo(&line);
            }
        });
        Ok(Self {
            _emulator: Some(child),
            base_url: loopback_address(&ready)?,
            data_dir,
        })
    }

    /// The emulator's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sign-in and Graph point at the emulator.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            login_url: Some(self.base_url().to_string()),
            graph_url: Some(self.base_url().to_string()),
            ..Default::default()
        }
    }

    /// Demo settings files: a user file of its own and no managed file (an administrator's tenant or client id
    /// would not exist in the emulator).
    pub fn locations(&self) -> Locations {
        Locations {
            user: self.data_dir.join("settings.toml"),
            managed: self.data_dir.join("managed.toml"),
        }
    }

    /// The "what colleagues see" page.
    pub fn colleagues_page(&self) -> String {
        format!("{}/", self.base_url())
    }
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("base_url", &self.base_url())
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

/// For screenshots and end-to-end tests only: `PRESENTLY_DEMO_AUTO_APPROVE=1` (or a user's sign-in name)
/// makes the emulator complete every sign-in at once, as its first user (or that user), without its pages.
pub fn auto_approve_from_env(env: &dyn Fn(&str) -> Option<String>) -> Option<Option<String>> {
    match env("PRESENTLY_DEMO_AUTO_APPROVE")?.trim() {
        "" | "0" | "false" => None,
        "1" | "true" => Some(None),
        user => Some(Some(user.to_string())),
    }
}

/// The demo's port: `PRESENTLY_DEMO_PORT`, else 0 (a free one).
pub fn port_from_env(env: &dyn Fn(&str) -> Option<String>) -> u16 {
    env("PRESENTLY_DEMO_PORT")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folder of the `presently-emulator` that `cargo test --workspace` builds beside this test program's
    /// folder (`target/debug/deps/..`).
    fn built_emulator_dir() -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
        assert!(
            dir.join(EMULATOR_PROGRAM).is_file(),
            "no {EMULATOR_PROGRAM} in {}: run `cargo build -p presently-emulator` (cargo test --workspace builds it)",
            dir.display()
        );
        dir
    }

    async fn get(url: &str) -> std::io::Result<String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (host, path) = url.trim_start_matches("http://").split_once('/').unwrap();
        let mut stream = tokio::net::TcpStream::connect(host).await?;
        stream
            .write_all(
                format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        Ok(response)
    }

    #[tokio::test]
    async fn the_demo_runs_the_emulator_beside_the_app_on_loopback_and_it_ends_with_the_demo() {
        let data = tempfile::tempdir().unwrap();
        let demo = Demo::start(data.path(), &built_emulator_dir(), &DemoOptions::default())
            .await
            .unwrap();
        assert!(
            demo.base_url().starts_with("http://127.0.0.1:"),
            "{}",
            demo.base_url()
        );
        let overrides = demo.overrides();
        assert_eq!(overrides.login_url.as_deref(), Some(demo.base_url()));
        assert_eq!(overrides.graph_url.as_deref(), Some(demo.base_url()));
        assert_eq!(demo.data_dir, data.path().join("demo"));
        assert!(demo.locations().user.starts_with(data.path().join("demo")));
        assert!(demo.locations().managed.starts_with(data.path().join("demo")));
        // The emulator answers: the colleagues page is there.
        let page = demo.colleagues_page();
        let response = get(&page).await.unwrap();
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "{}",
            &response[..response.len().min(200)]
        );
        // Dropping the demo closes the emulator's input: it ends, and its port stops answering.
        drop(demo);
        let gone = tokio::time::timeout(Duration::from_secs(10), async {
            while get(&page).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(gone.is_ok(), "the emulator outlived the demo");
    }

    #[tokio::test]
    async fn a_missing_emulator_says_what_to_build_and_one_that_ends_early_is_reported() {
        let data = tempfile::tempdir().unwrap();
        let bin = tempfile::tempdir().unwrap();
        let error = Demo::start(data.path(), bin.path(), &DemoOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(error, DemoError::NoEmulator { .. }), "{error:?}");
        assert!(
            error.to_string().contains("cargo build -p presently-emulator"),
            "{error}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fake = bin.path().join(EMULATOR_PROGRAM);
            std::fs::write(&fake, "#!/bin/sh\necho 'port in use'\nexit 3\n").unwrap();
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
            let error = Demo::start(data.path(), bin.path(), &DemoOptions::default())
                .await
                .unwrap_err();
            assert!(matches!(error, DemoError::NotReady(_)), "{error:?}");
        }
    }

    #[tokio::test]
    async fn a_running_emulator_can_be_named_but_only_on_this_machine() {
        let data = tempfile::tempdir().unwrap();
        let nowhere = Path::new("/nonexistent");
        let external = |address: &str| DemoOptions {
            external: Some(address.into()),
            ..DemoOptions::default()
        };
        let demo = Demo::start(data.path(), nowhere, &external("http://127.0.0.1:8400/"))
            .await
            .unwrap();
        assert_eq!(demo.base_url(), "http://127.0.0.1:8400");
        for bad in [
            "http://login.microsoftonline.com",
            "http://127.0.0.1.example.com:80",
            "ftp://127.0.0.1",
        ] {
            let error = Demo::start(data.path(), nowhere, &external(bad))
                .await
                .unwrap_err();
            assert!(matches!(error, DemoError::BadAddress(_)), "{bad}: {error:?}");
        }
    }

    #[test]
    fn the_options_come_from_the_environment_and_become_the_emulators_arguments() {
        let env = |k: &str| match k {
            "PRESENTLY_DEMO_PORT" => Some("8400".to_string()),
            "PRESENTLY_DEMO_AUTO_APPROVE" => Some("adele@contoso.com".to_string()),
            _ => None,
        };
        let options = DemoOptions::from_env(&env);
        assert_eq!(
            options.emulator_args(),
            [
                "--port",
                "8400",
                "--until-stdin-closes",
                "--auto-approve=adele@contoso.com"
            ]
        );
        assert_eq!(options.external, None);
        let first_user = DemoOptions {
            auto_approve: Some(None),
            ..DemoOptions::default()
        };
        assert_eq!(
            first_user.emulator_args(),
            ["--port", "0", "--until-stdin-closes", "--auto-approve"]
        );
        assert_eq!(
            address_in("Presently emulator listening on http://127.0.0.1:41234"),
            Some("http://127.0.0.1:41234")
        );
        assert_eq!(
            address_in("  what colleagues see:  http://127.0.0.1:41234/"),
            None
        );
    }

    #[test]
    fn the_port_comes_from_the_environment_or_is_picked_free() {
        assert_eq!(port_from_env(&|_| None), 0);
        assert_eq!(
            port_from_env(&|k| (k == "PRESENTLY_DEMO_PORT").then(|| "8400".into())),
            8400
        );
        assert_eq!(port_from_env(&|_| Some("not a port".into())), 0);
    }

    #[test]
    fn sign_ins_show_the_emulators_pages_unless_auto_approval_is_asked_for() {
        let env_of =
            |v: &'static str| move |k: &str| (k == "PRESENTLY_DEMO_AUTO_APPROVE").then(|| v.to_string());
        assert_eq!(auto_approve_from_env(&|_| None), None);
        assert_eq!(auto_approve_from_env(&env_of("0")), None);
        assert_eq!(auto_approve_from_env(&env_of("1")), Some(None));
        assert_eq!(
            auto_approve_from_env(&env_of("adele.vance@contoso.onmicrosoft.com")),
            Some(Some("adele.vance@contoso.onmicrosoft.com".into()))
        );
    }
}
