//! The Microsoft identity platform, public-client side (contract §5).

pub mod keys;
pub mod state;
pub mod tokens;

use axum::Router;

use crate::world::AppState;

/// Routes of the identity platform.
pub fn router() -> Router<AppState> {
    Router::new()
}
