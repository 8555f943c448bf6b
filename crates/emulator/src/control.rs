//! The control API under `/_emulator/`.

use axum::Router;

use crate::world::AppState;

/// Routes of the control API.
pub fn router() -> Router<AppState> {
    Router::new()
}
