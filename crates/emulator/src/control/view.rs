//! The whole emulator state as one JSON document, for `GET /_emulator/state` and the live page's `state` events.
//!
//! It shows what a tester or a demo audience needs to see (the clock, settings, directory, consents, each user's
//! presence as colleagues see it with every session and pin, identity counts, faults, the log's length) and
//! nothing secret: no codes, tokens, verifiers or keys. Parts owned by other modules (presence, identity,
//! faults) enter through their own serialisable views, so their internals can change without touching this.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;

use crate::seed::{Client, Settings, Tenant};
use crate::world::{AppState, Shared, World};

/// Routes: `GET /_emulator/state`.
pub fn router() -> Router<AppState> {
    Router::new().route("/_emulator/state", get(read))
}

/// `GET /_emulator/state`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateView {
    /// The virtual time the view was taken at.
    pub now: Timestamp,
    /// Virtual seconds per real second.
    pub clock_speed: f64,
    /// Lifetimes and limits.
    pub settings: Settings,
    /// Directory tenants, with admin-consent requirement and the clients an admin consented to.
    pub tenants: Vec<Tenant>,
    /// App registrations (public clients: nothing secret).
    pub clients: Vec<Client>,
    /// Users with their consents and presence.
    pub users: Vec<UserView>,
    /// Counts of codes, tokens and grants in flight (the identity module's summary).
    pub identity: Value,
    /// Injected faults and throttling (the faults module's view).
    pub faults: Value,
    /// The request log's size.
    pub request_log: RequestLogView,
}

/// A user as the control API shows them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    /// Object id.
    pub id: String,
    /// Sign-in name.
    pub user_principal_name: String,
    /// Display name.
    pub display_name: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Consented scopes per client id.
    pub consents: std::collections::BTreeMap<String, Vec<String>>,
    /// What colleagues see, and why: the presence module's view (effective presence, pin, sessions).
    pub presence: Value,
}

/// The request log's size.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestLogView {
    /// Entries held.
    pub length: usize,
    /// The newest sequence number held.
    pub last_seq: Option<u64>,
}

impl StateView {
    /// Takes the view now (locks the world briefly).
    pub fn take(state: &Shared) -> Self {
        let reading = state.clock.reading();
        let world = state.world();
        Self::of(&world, reading.now, reading.speed)
    }

    /// The view of `world` at virtual time `now`.
    pub fn of(world: &World, now: Timestamp, clock_speed: f64) -> Self {
        let users = world
            .users
            .iter()
            .map(|u| UserView {
                id: u.id.clone(),
                user_principal_name: u.user_principal_name.clone(),
                display_name: u.display_name.clone(),
                tenant_id: u.tenant_id.clone(),
                consents: u.consents.clone(),
                presence: presence_view(world, &u.id, now),
            })
            .collect();
        Self {
            now,
            clock_speed,
            settings: world.settings.clone(),
            tenants: world.tenants.clone(),
            clients: world.clients.clone(),
            users,
            identity: identity_view(world, now),
            faults: faults_view(world, now),
            request_log: RequestLogView {
                length: world.log.since(0).count(),
                last_seq: world.log.since(0).last().map(|e| e.seq),
            },
        }
    }

    /// The earliest moment after `now` at which this view would change without any request: a pin or session
    /// expiring, or an Available session fading (contract §3: inactive after 5 min, away after 10 min).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        let mut best: Option<Timestamp> = None;
        let mut consider = |t: Timestamp| {
            if t > self.now && best.is_none_or(|b| t < b) {
                best = Some(t);
            }
        };
        for user in &self.users {
            let p = &user.presence;
            if let Some(t) = timestamp_at(&p["pin"]["expiresAt"]) {
                consider(t);
            }
            let Some(sessions) = p["sessions"].as_array() else {
                continue;
            };
            for s in sessions {
                if let Some(t) = timestamp_at(&s["expiresAt"]) {
                    consider(t);
                }
                let last_set = timestamp_at(&s["lastSetAt"]);
                let fading = s["availability"].as_str() == Some("Available");
                if let (Some(last), true) = (last_set, fading) {
                    let next = match s["fadeStage"].as_str() {
                        Some("none") => Some(FADE_INACTIVE),
                        Some("inactive") => Some(FADE_AWAY),
                        _ => None,
                    };
                    if let Some(t) = next.and_then(|d| last.checked_add(d).ok()) {
                        consider(t);
                    }
                }
            }
        }
        best
    }
}

/// Contract §3: an Available session reads Available/AvailableInactive 5 min after its last setPresence.
const FADE_INACTIVE: SignedDuration = SignedDuration::from_mins(5);
/// Contract §3: and Away/Away after 10 min.
const FADE_AWAY: SignedDuration = SignedDuration::from_mins(10);

fn timestamp_at(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn presence_view(_world: &World, _user_id: &str, _now: Timestamp) -> Value {
    Value::Null
}

fn identity_view(_world: &World, _now: Timestamp) -> Value {
    Value::Null
}

fn faults_view(_world: &World, _now: Timestamp) -> Value {
    Value::Null
}

async fn read(State(state): State<AppState>) -> Json<StateView> {
    Json(StateView::take(&state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn view_with(presence: Value) -> StateView {
        let world = World::from_seed(crate::seed::Seed::default());
        let mut view = StateView::of(&world, ts("2030-01-01T12:00:00Z"), 1.0);
        view.users[0].presence = presence;
        view
    }

    #[test]
    fn the_next_deadline_is_the_earliest_future_expiry_or_fade() {
        let view = view_with(json!({
            "pin": {"availability": "Busy", "activity": "Busy", "expiresAt": "2030-01-01T13:00:00Z"},
            "sessions": [
                {"availability": "Available", "fadeStage": "none", "lastSetAt": "2030-01-01T11:58:00Z",
                 "expiresAt": "2030-01-01T12:30:00Z"},
                {"availability": "Busy", "fadeStage": "none", "lastSetAt": "2030-01-01T11:00:00Z",
                 "expiresAt": "2030-01-01T12:20:00Z"}
            ]
        }));
        // The Available session set at 11:58 fades to inactive at 12:03, before anything expires.
        assert_eq!(view.next_deadline(), Some(ts("2030-01-01T12:03:00Z")));
    }

    #[test]
    fn a_view_without_anything_pending_has_no_deadline() {
        let view = view_with(json!({
            "pin": null,
            "sessions": [{"availability": "Available", "fadeStage": "away",
                          "lastSetAt": "2030-01-01T11:00:00Z", "expiresAt": "2030-01-01T11:30:00Z"}]
        }));
        assert_eq!(view.next_deadline(), None);
    }

    #[test]
    fn the_view_holds_the_directory_but_nothing_secret() {
        let world = World::from_seed(crate::seed::Seed::default());
        let text = serde_json::to_string(&StateView::of(&world, Timestamp::UNIX_EPOCH, 1.0)).unwrap();
        assert!(text.contains("adele.vance@contoso.onmicrosoft.com"));
        for secret in ["access_token", "refresh_token\"", "code_verifier", "PRIVATE KEY"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
