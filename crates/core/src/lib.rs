//! Presently's core, free of any GUI toolkit: settings, and (as it grows) the keeper that owns the one source
//! of truth about the user's chosen presence and publishes it to every view (tray, popup, hotkeys, CLI).
#![warn(missing_docs)]

pub mod config;
