//! Where the local IPC listens: a Unix domain socket in the user's runtime folder (`$XDG_RUNTIME_DIR/presently`,
//! else the data folder), created 0600 inside a 0700 folder; on Windows a named pipe named after the user.
//! `PRESENTLY_IPC` names another socket path or pipe (tests, several profiles). The demo uses its own profile,
//! so a demo never talks to a real keeper.

use std::path::{Path, PathBuf};

/// An IPC address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Socket path (Unix) or pipe name (Windows, `\\.\pipe\...`).
    pub address: PathBuf,
}

impl Endpoint {
    /// The endpoint of `profile` (`keeper` normally, `keeper-demo` for the demo).
    pub fn for_profile(profile: &str, data_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Self {
        if let Some(explicit) = env("PRESENTLY_IPC").filter(|v| !v.is_empty()) {
            return Self {
                address: PathBuf::from(explicit),
            };
        }
        if cfg!(windows) {
            let user = env("USERNAME").unwrap_or_else(|| "user".into());
            let user: String = user
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            return Self {
                address: PathBuf::from(format!(r"\\.\pipe\presently-{profile}-{user}")),
            };
        }
        let dir = match env("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
            Some(runtime) => PathBuf::from(runtime).join("presently"),
            None => data_dir.to_path_buf(),
        };
        Self {
            address: dir.join(format!("{profile}.sock")),
        }
    }

    /// An endpoint at an explicit address.
    pub fn at(address: impl Into<PathBuf>) -> Self {
        Self {
            address: address.into(),
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.address.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_socket_lives_in_the_runtime_folder_when_there_is_one() {
        let env = |k: &str| (k == "XDG_RUNTIME_DIR").then(|| "/run/user/1000".to_string());
        let e = Endpoint::for_profile("keeper", Path::new("/home/a/.local/share/presently"), &env);
        assert_eq!(e.address, PathBuf::from("/run/user/1000/presently/keeper.sock"));
        let e = Endpoint::for_profile("keeper-demo", Path::new("/data"), &|_| None);
        assert_eq!(e.address, PathBuf::from("/data/keeper-demo.sock"));
    }

    #[test]
    fn presently_ipc_overrides_the_address() {
        let env = |k: &str| (k == "PRESENTLY_IPC").then(|| "/tmp/x.sock".to_string());
        assert_eq!(
            Endpoint::for_profile("keeper", Path::new("/d"), &env).address,
            PathBuf::from("/tmp/x.sock")
        );
    }
}
