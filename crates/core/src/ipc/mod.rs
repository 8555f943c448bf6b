//! The local IPC between Presently's processes: the tray process (which runs the keeper) serves it; the popup
//! process, the CLI (`presently set/clear/status` while a keeper runs) and a second launch of the app are
//! clients. JSON lines over a Unix socket or a Windows named pipe, reachable by the current user only.

mod client;
mod endpoint;
pub mod protocol;
mod server;
pub mod ui_events;

pub use client::{CallError, Client};
pub use endpoint::Endpoint;
pub use protocol::{EventFrame, Request};
pub use server::{IpcServer, serve};

/// Why the IPC could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// Nothing listens at the endpoint: no keeper runs.
    #[error("Presently is not running (nothing listens at {0})")]
    NotRunning(Endpoint),
    /// Another process already serves the endpoint.
    #[error("Presently is already running (it listens at {0})")]
    AlreadyRunning(Endpoint),
    /// Anything else.
    #[error("local connection failed: {0}")]
    Io(String),
}

impl IpcError {
    fn io(e: std::io::Error) -> Self {
        IpcError::Io(e.to_string())
    }
}
