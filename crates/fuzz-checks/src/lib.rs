//! The checks behind each fuzz target (`fuzz/fuzz_targets/*.rs`), kept in the workspace so that a stable test
//! (`tests/corpora.rs`) replays every checked-in corpus file through them: CI catches a regression without
//! nightly Rust. Each check takes raw bytes, as a fuzzer gives them, and panics only when something that must
//! hold does not: a parser must never panic, and what parses must survive format → parse unchanged.
//!
//! Parsers private to their crate (the loopback request line, the token document and envelope, id_token claims,
//! Entra's error bodies and token answers, Graph's error and presence bodies) are reached through the `fuzzing`
//! module their crate builds with its `fuzzing` feature; the emulator's request bodies through its router
//! ([`emulator`]).

// A failed check must panic: that is how a fuzzer (and the replay test) sees it.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, SystemTime};

use presently_core::config::SettingsFile;
use presently_core::config::hotkeys::Binding;
use presently_core::ipc::protocol::RequestFrame;
use presently_model::DurationChoice;

mod emulator;

pub use emulator::emulator_body;
pub use presently_auth::fuzzing as auth;
pub use presently_graph::fuzzing as graph;

/// A check: takes a fuzzer's bytes, panics when something that must hold does not, and says whether they
/// parsed.
pub type Check = fn(&[u8]) -> bool;

/// Every target: its name (the folder of its corpus, the name of its fuzz target) and its check, which returns
/// whether the input parsed (so the replay can tell a corpus that exercises nothing).
pub const TARGETS: &[(&str, Check)] = &[
    ("duration", duration),
    ("retry_after", retry_after),
    ("settings", settings),
    ("ipc_request", ipc_request),
    ("hotkey", hotkey),
    ("graph_presence", graph_presence),
    ("graph_error", presently_graph::fuzzing::error_body),
    ("loopback_request", presently_auth::fuzzing::loopback_request),
    ("token_document", presently_auth::fuzzing::token_document),
    ("token_envelope", presently_auth::fuzzing::token_envelope),
    ("id_token", presently_auth::fuzzing::id_token),
    ("aadsts", presently_auth::fuzzing::aadsts),
    ("token_answer", presently_auth::fuzzing::token_answer),
    ("emulator_body", emulator_body),
];

/// `DurationChoice` text (popup, `--until`, settings): parse → show → parse gives the same choice.
pub fn duration(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(choice) = text.parse::<DurationChoice>() else {
        return false;
    };
    let shown = choice.to_string();
    let again = shown.parse::<DurationChoice>();
    assert_eq!(again.as_ref(), Ok(&choice), "{text:?} shown as {shown:?}");
    true
}

/// A `Retry-After` header: never panics, never more than the clamp, whatever the reference time.
pub fn retry_after(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let mut parsed = false;
    for reference in [
        SystemTime::UNIX_EPOCH,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ] {
        if let Some(delay) = presently_graph::retry::parse_retry_after(text, reference) {
            assert!(
                delay <= presently_graph::retry::MAX_RETRY_AFTER,
                "{text:?} gave {delay:?}"
            );
            parsed = true;
        }
    }
    parsed
}

/// A settings file: never panics; what parses serialises and parses back equal.
pub fn settings(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let path = Path::new("settings.toml");
    let Ok(file) = presently_core::config::file::parse::<SettingsFile>(path, text) else {
        return false;
    };
    let written = toml::to_string_pretty(&file).expect("a parsed settings file serialises");
    let again = presently_core::config::file::parse::<SettingsFile>(path, &written);
    assert_eq!(again.ok().as_ref(), Some(&file), "{written}");
    true
}

/// An IPC request line: never panics; what parses serialises and parses back equal.
pub fn ipc_request(data: &[u8]) -> bool {
    let Ok(frame) = serde_json::from_slice::<RequestFrame>(data) else {
        return false;
    };
    let line = serde_json::to_string(&frame).expect("a parsed frame serialises");
    assert!(!line.contains('\n'), "a frame is one line");
    let again = serde_json::from_str::<RequestFrame>(&line).ok();
    assert_eq!(again.as_ref(), Some(&frame), "{line}");
    true
}

/// A hotkey binding (`Ctrl+Alt+Shift+2`, `""` for none): parse → show → parse gives the same binding.
pub fn hotkey(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(binding) = text.parse::<Binding>() else {
        return false;
    };
    let shown = binding.to_string();
    let again = shown.parse::<Binding>().ok();
    assert_eq!(again.as_ref(), Some(&binding), "{text:?} shown as {shown:?}");
    true
}

/// A Graph presence or `/me` body, read as the client reads it: never panics, only an object is read.
pub fn graph_presence(data: &[u8]) -> bool {
    presently_graph::fuzzing::presence_body(data)
}
