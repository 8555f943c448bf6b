//! Control API: presence.

use axum::Router;

use crate::world::AppState;

/// Routes under `/_emulator/` for presence.
pub fn router() -> Router<AppState> {
    Router::new()
}
