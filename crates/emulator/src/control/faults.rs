//! Control API: injected faults and throttling (contract §4).
//!
//! - `POST /_emulator/faults` with a [`FaultSpec`] (`{"path", "match"?: "exact"|"prefix", "method"?, "count"?,
//!   "fault": {"kind": "status"|"delay"|"drop"|"identityError", ...}}`) → 201 with the [`ActiveFault`];
//! - `GET /_emulator/faults` → `{"faults": [ActiveFault...]}` in the order they apply;
//! - `DELETE /_emulator/faults` → `{"cleared": n}`;
//! - `DELETE /_emulator/throttling` → forgets every throttling window (the limits live in `/_emulator/settings`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use serde_json::{Value, json};

use super::error::{ControlError, ControlJson};
use crate::faults::{ActiveFault, FaultSpec};
use crate::world::AppState;

/// Routes of the faults control API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/faults", post(add).get(list).delete(clear))
        .route("/_emulator/throttling", delete(reset_throttling))
}

async fn add(
    State(state): State<AppState>,
    ControlJson(spec): ControlJson<FaultSpec>,
) -> Result<(StatusCode, Json<ActiveFault>), ControlError> {
    let added = state
        .world()
        .faults
        .add(spec)
        .map_err(|e| ControlError::bad_request(e.to_string()))?;
    state.changed();
    Ok((StatusCode::CREATED, Json(added)))
}

async fn list(State(state): State<AppState>) -> Json<Value> {
    let faults = state.world().faults.list().to_vec();
    Json(json!({ "faults": faults }))
}

async fn clear(State(state): State<AppState>) -> Json<Value> {
    let cleared = state.world().faults.clear();
    state.changed();
    Json(json!({ "cleared": cleared }))
}

async fn reset_throttling(State(state): State<AppState>) -> StatusCode {
    state.world().faults.reset_throttling();
    StatusCode::NO_CONTENT
}
