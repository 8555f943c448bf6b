//! Throttling and injected failures (contract §4).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::world::AppState;

/// Injected faults and throttling windows (placeholder).
#[derive(Debug, Default)]
pub struct Faults {}

/// Middleware: applies an injected fault aimed at this request's path, if any.
pub async fn inject(State(_state): State<AppState>, req: Request, next: Next) -> Response {
    next.run(req).await
}
