//! Security of the named pipe Presently's IPC uses on Windows (`presently_core::ipc`):
//! - the server creates the pipe with an explicit DACL that grants access to the current user and SYSTEM only
//!   (the default DACL also lets Everyone and Anonymous read, and administrators in);
//! - a client asks whose process serves the pipe before it sends anything, and refuses a server that does not
//!   run as the current user (a pipe name can be taken first by anyone who knows it: "pipe squatting").
//!
//! Empty on other platforms, where the IPC is a 0600 Unix socket checked with the peer's credentials.

#[cfg(windows)]
mod windows;

#[cfg(windows)]
pub use windows::{create_server, current_user_sid, pipe_dacl, server_owner_sid};
