//! Demo mode (`presently-app --demo`): the same app against the emulator of Microsoft's identity platform and
//! Graph presence, started in this process on 127.0.0.1. Sign-in shows the emulator's own sign-in page in the
//! system browser (no auto-approval), and the emulator's "what colleagues see" page opens beside it. Demo
//! state lives apart: settings, tokens (a file or the credential-store service `presently-demo`), the
//! keeper's intent and the IPC endpoint, so a demo never touches a real sign-in.

use std::path::{Path, PathBuf};

use presently_core::config::{Locations, Overrides};
use presently_emulator::{Emulator, EmulatorConfig};

/// The credential-store service of demo tokens (real ones use `presently`).
pub const DEMO_SERVICE: &str = "presently-demo";

/// The IPC profile of the demo (the real app's is `keeper`).
pub const DEMO_PROFILE: &str = "keeper-demo";

/// A running demo: the emulator and where the demo keeps its files.
pub struct Demo {
    /// The emulator, serving until the app exits.
    pub emulator: Emulator,
    /// `<data>/demo`.
    pub data_dir: PathBuf,
}

impl Demo {
    /// Starts the emulator on `port` (0: a free one) for data folder `data_dir`. Sign-ins show the emulator's
    /// pages unless `auto_approve` (screenshots and end-to-end tests) completes them at once.
    pub async fn start(
        data_dir: &Path,
        port: u16,
        auto_approve: Option<Option<String>>,
    ) -> Result<Self, presently_emulator::StartError> {
        let emulator = Emulator::start(EmulatorConfig {
            port,
            auto_approve,
            ..Default::default()
        })
        .await?;
        Ok(Self {
            emulator,
            data_dir: data_dir.join("demo"),
        })
    }

    /// The emulator's base URL.
    pub fn base_url(&self) -> &str {
        self.emulator.base_url()
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

    #[tokio::test]
    async fn the_demo_points_sign_in_and_graph_at_a_loopback_emulator_and_keeps_its_files_apart() {
        let data = tempfile::tempdir().unwrap();
        let demo = Demo::start(data.path(), 0, None).await.unwrap();
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
        let (host, path) = page.trim_start_matches("http://").split_once('/').unwrap();
        let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(
                format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .await
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "{}",
            &response[..response.len().min(200)]
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
