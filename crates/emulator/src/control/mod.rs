//! The control API under `/_emulator/` (JSON): state, clock, settings, request log, and per-area sub-APIs.

mod faults;
mod identity;
mod presence;

use axum::Router;

use crate::world::AppState;

/// Routes of the control API.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(identity::router())
        .merge(presence::router())
        .merge(faults::router())
}
