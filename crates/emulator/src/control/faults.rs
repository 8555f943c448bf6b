//! Control API: faults.

use axum::Router;

use crate::world::AppState;

/// Routes under `/_emulator/` for faults.
pub fn router() -> Router<AppState> {
    Router::new()
}
