//! Control API: presence. Reads one user's presence picture and plays the **Teams desktop client** of a user,
//! so tests can reproduce what Teams does beside an app (contract §3): run (attach, with a status such as
//! `Busy`/`InAMeeting`), close (detach), the user picking a status in Teams (replaces the pin) and "Reset
//! status" (clears it).
//!
//! Routes (`{id}` = object id or UPN, case-insensitive; an unknown user is a 404):
//! - `GET /_emulator/users/{id}/presence` → [`UserPresenceView`];
//! - `POST /_emulator/users/{id}/teams` `{"availability","activity"}` → attach or update the Teams client;
//! - `DELETE /_emulator/users/{id}/teams` → close it;
//! - `POST /_emulator/users/{id}/teams/status` `{"availability","activity","expiresInSecs"?}` → the user picks
//!   one of the six preferred statuses in Teams (default expiry per contract §2's table);
//! - `DELETE /_emulator/users/{id}/teams/status` → "Reset status";
//! - `POST /_emulator/users/{id}/teams/message` `{"content","contentType"?,"expiresInSecs"?}` → the user sets a
//!   status message in Teams (`html` by default: [assumed] Teams writes its messages as HTML);
//! - `DELETE /_emulator/users/{id}/teams/message` → the user clears it in Teams.
//!
//! Every success answers 200 with the user's [`UserPresenceView`] after the change.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use jiff::SignedDuration;
use serde::Deserialize;

use super::error::{ControlError, ControlJson};
use crate::presence_rules::{Activity, Availability, Pair, UserPresenceView};
use crate::world::{AppState, World};

/// Longest `expiresInSecs` for a status picked in Teams (longer values are capped): ten years.
pub const MAX_TEAMS_STATUS_SECS: u64 = 10 * 365 * 24 * 3600;

/// Routes of the presence control API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/users/{id}/presence", get(read))
        .route("/_emulator/users/{id}/teams", post(attach).delete(detach))
        .route(
            "/_emulator/users/{id}/teams/status",
            post(pick_status).delete(reset_status),
        )
        .route(
            "/_emulator/users/{id}/teams/message",
            post(set_message).delete(clear_message),
        )
}

/// Body of `POST /_emulator/users/{id}/teams/message`: the status message the user sets in Teams.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamsMessageBody {
    /// The message; empty clears it.
    pub content: String,
    /// `text` or `html` (default).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Seconds until it is cleared; never when absent.
    #[serde(default)]
    pub expires_in_secs: Option<u64>,
}

async fn set_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ControlJson(body): ControlJson<TeamsMessageBody>,
) -> Result<Json<UserPresenceView>, ControlError> {
    let content_type = body.content_type.unwrap_or_else(|| "html".into());
    if content_type != "text" && content_type != "html" {
        return Err(ControlError::bad_request("contentType must be text or html"));
    }
    let lifetime = body
        .expires_in_secs
        .map(|s| SignedDuration::from_secs(i64::try_from(s.min(MAX_TEAMS_STATUS_SECS)).unwrap_or(i64::MAX)));
    change(&state, &id, |world, oid, now| {
        let expires_at = lifetime.and_then(|l| now.checked_add(l).ok());
        world
            .presence
            .set_status_message(oid, &body.content, &content_type, expires_at, now);
        Ok(())
    })
}

async fn clear_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<UserPresenceView>, ControlError> {
    change(&state, &id, |world, oid, now| {
        world.presence.set_status_message(oid, "", "text", None, now);
        Ok(())
    })
}

/// Body of `POST /_emulator/users/{id}/teams`: the status the running Teams client reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamsClientBody {
    /// Exact-case availability, e.g. `Busy`. Not `Offline` (close the client instead).
    pub availability: Availability,
    /// Exact-case activity, e.g. `InAMeeting`.
    pub activity: Activity,
}

/// Body of `POST /_emulator/users/{id}/teams/status`: the status the user picks in Teams.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamsStatusBody {
    /// One of the six preferred pairs' availability.
    pub availability: Availability,
    pub activity: Activity,
    /// Seconds until the status resets; the status's default (1 day Busy/DoNotDisturb, 7 days else) when absent.
    #[serde(default)]
    pub expires_in_secs: Option<u64>,
}

/// The user's object id, or a 404.
fn user_id(world: &World, id: &str) -> Result<String, ControlError> {
    world
        .user(id)
        .map(|u| u.id.clone())
        .ok_or_else(|| ControlError::not_found(format!("no user with object id or UPN {id:?}")))
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<UserPresenceView>, ControlError> {
    let world = state.world();
    let oid = user_id(&world, &id)?;
    Ok(Json(world.presence.view(&oid, state.clock.now())))
}

/// Runs `change` on the user's presence, announces it, and answers with the new view.
fn change(
    state: &AppState,
    id: &str,
    change: impl FnOnce(&mut World, &str, jiff::Timestamp) -> Result<(), ControlError>,
) -> Result<Json<UserPresenceView>, ControlError> {
    let now = state.clock.now();
    let view = {
        let mut world = state.world();
        let oid = user_id(&world, id)?;
        change(&mut world, &oid, now)?;
        world.presence.view(&oid, now)
    };
    state.changed();
    Ok(Json(view))
}

async fn attach(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ControlJson(body): ControlJson<TeamsClientBody>,
) -> Result<Json<UserPresenceView>, ControlError> {
    change(&state, &id, |world, oid, now| {
        world
            .presence
            .attach_teams(oid, Pair::new(body.availability, body.activity), now)
            .map_err(|e| ControlError::bad_request(e.to_string()))
    })
}

async fn detach(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<UserPresenceView>, ControlError> {
    change(&state, &id, |world, oid, now| {
        world.presence.detach_teams(oid, now);
        Ok(())
    })
}

async fn pick_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ControlJson(body): ControlJson<TeamsStatusBody>,
) -> Result<Json<UserPresenceView>, ControlError> {
    let lifetime = match body.expires_in_secs {
        None => None,
        Some(0) => return Err(ControlError::bad_request("expiresInSecs must be positive")),
        Some(s) => Some(SignedDuration::from_secs(
            i64::try_from(s.min(MAX_TEAMS_STATUS_SECS)).unwrap_or(i64::MAX),
        )),
    };
    change(&state, &id, |world, oid, now| {
        world
            .presence
            .teams_sets_status(oid, Pair::new(body.availability, body.activity), lifetime, now)
            .map_err(|e| ControlError::bad_request(e.to_string()))
    })
}

async fn reset_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<UserPresenceView>, ControlError> {
    change(&state, &id, |world, oid, now| {
        world.presence.teams_resets_status(oid, now);
        Ok(())
    })
}
