//! The live "what colleagues see" page at `/`.

use axum::Router;

use crate::world::AppState;

/// Routes of the page.
pub fn router() -> Router<AppState> {
    Router::new()
}
