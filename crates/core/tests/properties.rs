//! Round trips over generated values: a settings file saved (over a file with the user's comments) loads back
//! as what was saved, and IPC frames serialise and parse back equal.

#![allow(clippy::unwrap_used)] // property bodies: a failed unwrap is a failed case

use presently_core::SignInMethod;
use presently_core::config::file;
use presently_core::config::{OnQuit, SettingsFile};
use presently_core::ipc::Request;
use presently_core::ipc::protocol::{EventFrame, ReplyFrame, RequestFrame};
use presently_core::problem::{Problem, ProblemKind};
use presently_model::{DurationChoice, Origin};
use proptest::prelude::*;

fn settings_file() -> impl Strategy<Value = SettingsFile> {
    (
        proptest::option::of("[a-z]{1,12}\\.(com|example)"),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(prop_oneof![Just(OnQuit::Keep), Just(OnQuit::Clear)]),
        proptest::option::of((0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h:02}:{m:02}"))),
        proptest::option::of(prop::sample::select(vec!["30m", "1h", "90m", "eod", "forever"])),
    )
        .prop_map(
            |(tenant, notifications, launch, on_quit, end, hotkey)| SettingsFile {
                tenant,
                notifications,
                launch_at_login: launch,
                on_quit,
                workday_end: end.map(|e| e.parse().unwrap()),
                hotkey_duration: hotkey.map(|h| h.parse::<DurationChoice>().unwrap()),
                ..SettingsFile::default()
            },
        )
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::Hello),
        Just(Request::Snapshot),
        Just(Request::BackToAutomatic),
        Just(Request::Retry),
        Just(Request::Subscribe),
        Just(Request::SignOut),
        prop_oneof![Just(SignInMethod::Browser), Just(SignInMethod::DeviceCode)]
            .prop_map(|method| Request::SignIn { method }),
        (
            "\\PC{0,16}",
            "\\PC{0,16}",
            prop::sample::select(vec![Origin::Popup, Origin::TrayMenu, Origin::Hotkey, Origin::Cli]),
        )
            .prop_map(|(status, duration, origin)| Request::Choose {
                status,
                duration,
                origin,
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_settings_file_saved_over_a_commented_one_loads_back_equal(before in settings_file(), after in settings_file()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        file::save(&path, &before).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("# my settings\n{text}# the end\n")).unwrap();
        file::save(&path, &after).unwrap();
        prop_assert_eq!(file::load::<SettingsFile>(&path).unwrap().unwrap_or_default(), after);
        let saved = std::fs::read_to_string(&path).unwrap();
        prop_assert!(saved.starts_with("# my settings\n"), "{}", saved);
    }

    #[test]
    fn request_frames_round_trip(id in any::<u64>(), request in request()) {
        let frame = RequestFrame { id, request };
        let line = serde_json::to_string(&frame).unwrap();
        prop_assert!(!line.contains('\n'), "one frame, one line");
        prop_assert_eq!(serde_json::from_str::<RequestFrame>(&line).unwrap(), frame);
    }

    #[test]
    fn reply_and_event_frames_round_trip(id in any::<u64>(), message in "\\PC{0,40}", text in "\\PC{0,40}") {
        let reply = ReplyFrame {
            id,
            ok: None,
            error: Some(Problem::new(ProblemKind::InvalidChoice, message)),
        };
        let line = serde_json::to_string(&reply).unwrap();
        let back: ReplyFrame = serde_json::from_str(&line).unwrap();
        prop_assert_eq!(back.id, id);
        prop_assert_eq!(back.error, reply.error);
        let event = EventFrame::App(presently_core::AppEvent::SignInFinished {
            ok: false,
            problem: Some(Problem::new(ProblemKind::SignInRequired, text)),
        });
        let line = serde_json::to_string(&event).unwrap();
        let back: EventFrame = serde_json::from_str(&line).unwrap();
        prop_assert_eq!(back, event);
    }
}
