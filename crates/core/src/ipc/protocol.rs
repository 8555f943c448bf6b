//! The wire format of the local IPC: one JSON object per line, both ways.
//!
//! Client → server: `{"id": 7, "op": "choose", "status": "busy", "duration": "1h", "origin": "cli"}`.
//! Server → client: a reply `{"id": 7, "ok": <value>}` or `{"id": 7, "error": <Problem>}`, and, on a connection
//! that subscribed, events `{"event": "state", "data": <Snapshot>}` / `{"event": "app", "data": <AppEvent>}`.
//! Lines are at most [`MAX_LINE`] bytes; anything else is answered with an `invalidChoice` problem, never a crash.

use presently_model::Origin;
use serde::{Deserialize, Serialize};

use crate::app::SignInMethod;
use crate::problem::Problem;

/// The protocol version; `hello` tells a client which one the server speaks.
pub const VERSION: u32 = 1;

/// The longest line either side accepts.
pub const MAX_LINE: usize = 1 << 20;

/// What a client asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
// `SaveSettings` carries the whole settings patch (a few hundred bytes); a request lives for one line read, so
// boxing it would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Request {
    /// Which protocol version and process answer (ok: `{version, pid}`).
    Hello,
    /// The current state (ok: a Snapshot).
    Snapshot,
    /// Keep a status (ok: the Intent).
    Choose {
        /// `available`, `busy`, `dnd`, `brb`, `away`, `offline`.
        status: String,
        /// `30m`, `1h`, `eod`, `forever`, `90m`, `until 17:30`, ...
        duration: String,
        /// Where the choice was made.
        origin: Origin,
    },
    /// Back to automatic (ok: null).
    BackToAutomatic,
    /// Set the status message (ok: null). Without `until` it ends with the status kept now when the
    /// `clear-message-with-status` setting is on (the default), else never.
    SetMessage {
        /// The text (trimmed; at most 280 characters).
        text: String,
        /// When it ends, as a duration is written (`1h`, `until 15:00`, `eod`, `forever`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
        /// Where it was set.
        origin: Origin,
    },
    /// Remove the status message (ok: null).
    ClearMessage,
    /// Retry pending work now (ok: null).
    Retry,
    /// Someone looks: read Graph unless the last reading is under a minute old (ok: null; the new reading arrives
    /// as a state event).
    Look,
    /// Sign in; the result also arrives as an app event (ok: null once signed in).
    SignIn {
        /// Browser or device code.
        method: SignInMethod,
    },
    /// Cancel a sign-in in progress (ok: null).
    CancelSignIn,
    /// Back to automatic and sign out (ok: null).
    SignOut,
    /// The saved sign-in changed in another process (`presently login`/`logout`): reload it (ok: null).
    SignInChanged,
    /// The settings in force with their sources (ok: Settings).
    Settings,
    /// Re-read the settings files after a change (ok: Settings).
    ReloadSettings,
    /// The settings page's view (ok: SettingsView).
    SettingsView,
    /// Save a change from the settings page (ok: the new SettingsView, or `{"fieldErrors": [...]}` when fields
    /// were refused; error: a Problem when the file could not be written).
    SaveSettings {
        /// The change.
        patch: crate::config::edit::SettingsPatch,
    },
    /// Send state and app events on this connection from now on (ok: null; the current state follows).
    Subscribe,
    /// Ask the popup to show itself (ok: null).
    ShowPopup,
    /// Ask the tray app to quit, as its menu's Quit does (ok: null; the app then ends the connection). A
    /// `presently run` keeper, which has no Quit, answers and keeps running.
    Quit,
    /// The running process's own state for `presently doctor` (ok: `diagnostics::ProcessState`).
    ProcessState,
    /// The settings page's diagnostics report and log folder (ok: `diagnostics::Diagnostics`).
    Diagnostics,
}

/// A request with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFrame {
    /// Chosen by the client; echoed in the reply.
    pub id: u64,
    #[serde(flatten)]
    pub request: Request,
}

/// A reply to request `id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReplyFrame {
    /// The request's id.
    pub id: u64,
    /// The result on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<serde_json::Value>,
    /// The problem on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
}

/// An event pushed to a subscribed connection: `{"event": "state", "data": Snapshot}` or
/// `{"event": "app", "data": AppEvent}` on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "event", content = "data")]
pub enum EventFrame {
    /// The keeper's whole state, sent first and after every change.
    State(Box<crate::keeper::Snapshot>),
    /// Something views react to besides the state.
    App(crate::AppEvent),
    /// A frame this build does not know (sent by a newer main process): ignored by everyone.
    #[serde(other)]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_as_documented() {
        let frame: RequestFrame =
            serde_json::from_str(r#"{"id":7,"op":"choose","status":"busy","duration":"1h","origin":"cli"}"#)
                .unwrap();
        assert_eq!(
            frame,
            RequestFrame {
                id: 7,
                request: Request::Choose {
                    status: "busy".into(),
                    duration: "1h".into(),
                    origin: Origin::Cli
                }
            }
        );
        let frame: RequestFrame =
            serde_json::from_str(r#"{"id":1,"op":"signIn","method":"deviceCode"}"#).unwrap();
        assert_eq!(
            frame.request,
            Request::SignIn {
                method: SignInMethod::DeviceCode
            }
        );
        assert!(serde_json::from_str::<RequestFrame>(r#"{"id":1,"op":"format-disk"}"#).is_err());
        let frame: RequestFrame = serde_json::from_str(r#"{"id":2,"op":"processState"}"#).unwrap();
        assert_eq!(frame.request, Request::ProcessState);
    }
}
