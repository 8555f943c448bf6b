//! The events the popup webview listens to, as one enum of names (architecture convention 3; the names are
//! the contract's), and how each frame pushed by the local IPC becomes one of them. `ui/src/ipc.ts` listens to
//! exactly these names.

use crate::AppEvent;
use crate::ipc::EventFrame;
use serde::Serialize;
use serde_json::Value;

/// An event emitted to the popup webview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiEvent {
    /// `state:changed`: a whole keeper `Snapshot`.
    StateChanged,
    /// `keeper:event`: a notable moment (`KeeperEvent`).
    KeeperEvent,
    /// `signin:device-code`: show this code (`DeviceCodeView`).
    SignInDeviceCode,
    /// `signin:finished`: `{ ok, problem? }`.
    SignInFinished,
    /// `settings:changed`: the settings now in force.
    SettingsChanged,
}

impl UiEvent {
    /// Every event, for tests and documentation.
    pub const ALL: [UiEvent; 5] = [
        UiEvent::StateChanged,
        UiEvent::KeeperEvent,
        UiEvent::SignInDeviceCode,
        UiEvent::SignInFinished,
        UiEvent::SettingsChanged,
    ];

    /// The name the webview listens to.
    pub fn name(self) -> &'static str {
        match self {
            UiEvent::StateChanged => "state:changed",
            UiEvent::KeeperEvent => "keeper:event",
            UiEvent::SignInDeviceCode => "signin:device-code",
            UiEvent::SignInFinished => "signin:finished",
            UiEvent::SettingsChanged => "settings:changed",
        }
    }
}

/// What the popup process does with a frame from the IPC event stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// Emit this event with this payload to the webview.
    Emit(UiEvent, Value),
    /// The settings changed: fetch them and emit [`UiEvent::SettingsChanged`] with them (the IPC event carries
    /// no payload).
    FetchSettings,
    /// The main process asks the popup to show itself.
    ShowPopup,
    /// Nothing the popup knows (a newer main process); dropped.
    Ignore,
}

/// Routes one IPC event frame. The payloads are what the webview's types read (`ui/src/types.ts`; the golden
/// fixtures of `crates/core/tests/ui_payloads.rs` hold their shapes).
pub fn route(frame: &EventFrame) -> Route {
    match frame {
        EventFrame::State(snapshot) => emit(UiEvent::StateChanged, snapshot.as_ref()),
        EventFrame::App(AppEvent::Keeper(event)) => emit(UiEvent::KeeperEvent, event),
        EventFrame::App(AppEvent::DeviceCode(code)) => emit(UiEvent::SignInDeviceCode, code),
        EventFrame::App(AppEvent::SignInFinished { ok, problem }) => emit(
            UiEvent::SignInFinished,
            &serde_json::json!({ "ok": ok, "problem": problem }),
        ),
        EventFrame::App(AppEvent::SettingsChanged) => Route::FetchSettings,
        EventFrame::App(AppEvent::ShowPopup) => Route::ShowPopup,
        // The tray process acts on it and ends the popup.
        EventFrame::App(AppEvent::Quit) | EventFrame::Unknown => Route::Ignore,
    }
}

fn emit<T: Serialize + ?Sized>(event: UiEvent, payload: &T) -> Route {
    Route::Emit(event, serde_json::to_value(payload).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::DeviceCodeView;
    use crate::keeper::KeeperEvent;
    use crate::{Problem, ProblemKind};
    use presently_model::PreferredPresence;

    /// A frame as the popup reads it off the wire from the IPC server.
    fn app_frame(event: AppEvent) -> EventFrame {
        let line = serde_json::to_string(&EventFrame::App(event)).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    #[test]
    fn the_names_are_the_contracts_and_distinct() {
        let names: Vec<_> = UiEvent::ALL.iter().map(|e| e.name()).collect();
        assert_eq!(
            names,
            [
                "state:changed",
                "keeper:event",
                "signin:device-code",
                "signin:finished",
                "settings:changed"
            ]
        );
    }

    #[test]
    fn core_events_become_the_webviews_events_with_their_payloads() {
        let ended = KeeperEvent::IntentEnded {
            status: PreferredPresence::Busy,
        };
        assert_eq!(
            route(&app_frame(AppEvent::Keeper(ended.clone()))),
            Route::Emit(UiEvent::KeeperEvent, serde_json::to_value(&ended).unwrap())
        );

        let code = DeviceCodeView {
            message: "Go to the page and type ABCD".into(),
            user_code: "ABCD".into(),
            verification_uri: "http://127.0.0.1:1/devicelogin".into(),
            expires_at: "2025-06-02T08:15:00Z".parse().unwrap(),
        };
        let Route::Emit(UiEvent::SignInDeviceCode, payload) = route(&app_frame(AppEvent::DeviceCode(code)))
        else {
            panic!("a device code is shown")
        };
        assert_eq!(payload["userCode"], "ABCD");
        assert_eq!(payload["verificationUri"], "http://127.0.0.1:1/devicelogin");

        let problem = Problem::new(ProblemKind::SignInRequired, "declined");
        let Route::Emit(UiEvent::SignInFinished, payload) = route(&app_frame(AppEvent::SignInFinished {
            ok: false,
            problem: Some(problem),
        })) else {
            panic!("a finished sign-in is told")
        };
        assert_eq!(payload["ok"], false);
        assert_eq!(payload["problem"]["kind"], "signInRequired");
    }

    #[test]
    fn settings_changes_are_fetched_and_show_popup_is_for_the_popup_itself() {
        assert_eq!(route(&app_frame(AppEvent::SettingsChanged)), Route::FetchSettings);
        assert_eq!(route(&app_frame(AppEvent::ShowPopup)), Route::ShowPopup);
    }

    #[test]
    fn state_frames_carry_the_snapshot_through_and_unknown_frames_are_dropped() {
        // A golden snapshot the popup is tested with (crates/core/tests/ui_payloads.rs writes it).
        let golden = include_str!("../../../../ui/src/fixtures/snapshot-busy.json");
        let snapshot: crate::Snapshot = serde_json::from_str(golden).unwrap();
        let Route::Emit(UiEvent::StateChanged, payload) =
            route(&EventFrame::State(Box::new(snapshot.clone())))
        else {
            panic!("a state frame is the webview's state")
        };
        assert_eq!(payload, serde_json::to_value(&snapshot).unwrap());
        let newer: EventFrame = serde_json::from_str(r#"{"event": "telemetry", "data": null}"#).unwrap();
        assert_eq!(route(&newer), Route::Ignore);
    }
}
