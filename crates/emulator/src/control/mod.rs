//! The control API under `/_emulator/` (JSON): state, clock, settings, request log, live events, and per-area
//! sub-APIs (identity, presence, faults) owned by their own modules.
//!
//! This is the emulator's own API, for tests, scripts and the demo; it is not part of what it emulates. Its
//! inputs are parsed strictly ([`ControlJson`], [`ControlQuery`]: unknown fields refused) and its errors share one
//! shape ([`ControlError`]), including a JSON 404 for any unknown path under `/_emulator/`.

mod clock;
mod error;
mod events;
mod faults;
mod identity;
mod presence;
mod requests;
mod settings;
mod view;

use axum::Router;
use axum::http::{Method, Uri};
use axum::routing::any;

pub use error::{ControlError, ControlJson, ControlQuery, parse_json};
pub use requests::{LogPage, LogSummary, SummaryGroup};
pub use view::{StateView, UserView};

use crate::world::AppState;

/// Routes of the control API.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(view::router())
        .merge(clock::router())
        .merge(settings::router())
        .merge(requests::router())
        .merge(events::router())
        .merge(identity::router())
        .merge(presence::router())
        .merge(faults::router())
        .route("/_emulator", any(unknown_control_path))
        .route("/_emulator/", any(unknown_control_path))
        .route("/_emulator/{*rest}", any(unknown_control_path))
}

async fn unknown_control_path(method: Method, uri: Uri) -> ControlError {
    ControlError::not_found(format!(
        "the control API has no {method} {}; see GET /_emulator/state",
        uri.path()
    ))
}
