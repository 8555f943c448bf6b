//! Control API: identity.

use axum::Router;

use crate::world::AppState;

/// Routes under `/_emulator/` for identity.
pub fn router() -> Router<AppState> {
    Router::new()
}
