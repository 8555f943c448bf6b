//! Presently's core, free of any GUI toolkit: settings, the wiring of sign-in and Graph, the problems users see,
//! and the keeper that owns the one source of truth about the user's chosen presence and publishes it to every
//! view (tray, popup, hotkeys, CLI).

pub mod app;
pub mod config;
pub mod diagnostics;
pub mod hour_cycle;
pub mod ipc;
pub mod keeper;
pub mod listen;
pub mod log_file;
pub mod net;
pub mod notify;
pub mod paths;
pub mod problem;
pub mod services;
pub mod tokens;
pub mod tray_host;
pub mod tray_view;
pub mod wording;
pub mod writer;

pub use app::{AppEvent, Presently, SignInMethod, StartOptions};
pub use keeper::{Keeper, KeeperConfig, Snapshot};
pub use problem::{Action, Problem, ProblemKind};
pub use services::Services;
pub use writer::PresenceWriter;
