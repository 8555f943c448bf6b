//! Settings: where they live, how they are layered, and how they are read and written safely.

pub mod edit;
pub mod file;
pub mod hotkeys;
pub mod settings;

pub use settings::{Locations, OnQuit, Overrides, Settings, SettingsError, SettingsFile, Source, Sourced};
