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
use jiff::Timestamp;
use serde::Serialize;

use crate::faults::ActiveFault;
use crate::identity::state::IdentitySummary;
use crate::presence_rules::{
    Availability, FADE_AWAY_AFTER, FADE_INACTIVE_AFTER, FadeStage, SessionKind, UserPresenceView,
};
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
    pub identity: IdentitySummary,
    /// Injected faults still waiting for requests.
    pub faults: FaultsView,
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
    pub display_name: String,
    pub tenant_id: String,
    /// Consented scopes per client id.
    pub consents: std::collections::BTreeMap<String, Vec<String>>,
    /// What colleagues see, and why: the presence module's view (effective presence, pin, sessions).
    pub presence: UserPresenceView,
}

/// Faults as the state shows them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultsView {
    /// Faults still waiting for requests, in the order they apply.
    pub active: Vec<ActiveFault>,
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
                presence: world.presence.view(&u.id, now),
            })
            .collect();
        Self {
            now,
            clock_speed,
            settings: world.settings.clone(),
            tenants: world.tenants.clone(),
            clients: world.clients.clone(),
            users,
            identity: world.identity.summary(now),
            faults: FaultsView {
                active: world.faults.list().to_vec(),
            },
            request_log: RequestLogView {
                length: world.log.since(0).count(),
                last_seq: world.log.since(0).last().map(|e| e.seq),
            },
        }
    }

    /// The earliest moment after `now` at which this view would change without any request: a pin, session or
    /// status message expiring, or an Available app session fading (contract §3: inactive after 5 min, away after
    /// 10 min).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        let mut candidates = Vec::new();
        for user in &self.users {
            let p = &user.presence;
            candidates.extend(p.pin.as_ref().map(|pin| pin.expires_at));
            candidates.extend(p.status_message.as_ref().and_then(|m| m.expires_at));
            for s in &p.sessions {
                candidates.extend(s.expires_at);
                if s.kind == SessionKind::App && s.availability == Availability::Available {
                    let fade = match s.fade_stage {
                        FadeStage::None => Some(FADE_INACTIVE_AFTER),
                        FadeStage::Inactive => Some(FADE_AWAY_AFTER),
                        FadeStage::Away => None,
                    };
                    candidates.extend(fade.and_then(|d| s.last_set_at.checked_add(d).ok()));
                }
            }
        }
        candidates.into_iter().filter(|t| *t > self.now).min()
    }
}

async fn read(State(state): State<AppState>) -> Json<StateView> {
    Json(StateView::take(&state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presence_rules::{Activity, Pair};
    use jiff::SignedDuration;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const ADELE: &str = "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d";
    const APP: &str = crate::seed::DEFAULT_CLIENT_ID;

    fn world() -> World {
        World::from_seed(crate::seed::Seed::default())
    }

    #[test]
    fn the_next_deadline_is_an_available_session_fading_before_anything_expires() {
        let mut world = world();
        let t0 = ts("2030-01-01T12:00:00Z");
        let available = Pair::new(Availability::Available, Activity::Available);
        world
            .presence
            .set_app_session(ADELE, APP, available, SignedDuration::from_hours(1), t0)
            .unwrap();
        let view = StateView::of(&world, t0, 1.0);
        assert_eq!(view.next_deadline(), Some(ts("2030-01-01T12:05:00Z")));
        // Once inactive, the next step is Away at 10 min.
        let later = ts("2030-01-01T12:06:00Z");
        let view = StateView::of(&world, later, 1.0);
        assert_eq!(view.next_deadline(), Some(ts("2030-01-01T12:10:00Z")));
        // Once Away, only the expiry is left.
        let view = StateView::of(&world, ts("2030-01-01T12:11:00Z"), 1.0);
        assert_eq!(view.next_deadline(), Some(ts("2030-01-01T13:00:00Z")));
    }

    #[test]
    fn a_busy_session_has_its_expiry_as_deadline_and_an_empty_world_has_none() {
        let t0 = ts("2030-01-01T12:00:00Z");
        assert_eq!(StateView::of(&world(), t0, 1.0).next_deadline(), None);
        let mut world = world();
        let busy = Pair::new(Availability::Busy, Activity::InACall);
        world
            .presence
            .set_app_session(ADELE, APP, busy, SignedDuration::from_mins(30), t0)
            .unwrap();
        let view = StateView::of(&world, t0, 1.0);
        assert_eq!(view.next_deadline(), Some(ts("2030-01-01T12:30:00Z")));
    }

    #[test]
    fn the_view_holds_the_directory_and_presence_but_nothing_secret() {
        let mut world = world();
        let t0 = ts("2030-01-01T12:00:00Z");
        let busy = Pair::new(Availability::Busy, Activity::Busy);
        world
            .presence
            .set_preferred(ADELE, busy, SignedDuration::from_hours(24), APP, t0)
            .unwrap();
        let text = serde_json::to_string(&StateView::of(&world, t0, 1.0)).unwrap();
        assert!(text.contains("adele.vance@contoso.onmicrosoft.com"));
        assert!(text.contains(r#""pin":{"availability":"Busy""#), "{text}");
        for secret in ["access_token", "refresh_token\"", "code_verifier", "PRIVATE KEY"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
