//! Microsoft Graph v1.0: `/me` and presence (contract §2–§4).

use axum::Router;

use crate::world::AppState;

/// Routes of Graph.
pub fn router() -> Router<AppState> {
    Router::new()
}
