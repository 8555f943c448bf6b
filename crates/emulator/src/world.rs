//! The emulator's state: one [`World`] behind one lock, plus the shared pieces every handler needs.
//!
//! Handlers lock the world, decide, change it and unlock; nothing awaits while holding the lock. Every change
//! that the "what colleagues see" page or a test could care about is announced on [`Shared::events`].

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tokio::sync::broadcast;

use crate::clock::Clock;
use crate::seed::{Client, Seed, Settings, Tenant, User};

/// Handlers' view of the emulator.
pub type AppState = Arc<Shared>;

/// What every handler shares.
#[derive(Debug)]
pub struct Shared {
    /// The virtual clock all expiries follow.
    pub clock: Clock,
    /// The state.
    world: Mutex<World>,
    /// Keys that sign the tokens this emulator issues.
    pub keys: crate::identity::keys::SigningKeys,
    /// State changes and logged requests, for the live page and tests.
    pub events: broadcast::Sender<Event>,
    /// `http(s)://127.0.0.1:port`, set once the listener is bound.
    pub base_url: OnceLock<String>,
    /// When set, sign-ins complete at once as this user (UPN or object id) without showing a page.
    pub auto_approve: Option<String>,
}

/// Something happened that watchers may want to re-render.
#[derive(Debug, Clone)]
pub enum Event {
    /// Users, consents, sessions, pins or settings changed.
    StateChanged,
    /// A request was answered (already recorded in the log).
    Request(crate::log::LogEntry),
}

/// Everything the emulator knows.
#[derive(Debug)]
pub struct World {
    /// Lifetimes and limits.
    pub settings: Settings,
    /// Directory tenants.
    pub tenants: Vec<Tenant>,
    /// Directory users.
    pub users: Vec<User>,
    /// App registrations.
    pub clients: Vec<Client>,
    /// Codes, tokens and device-code grants in flight.
    pub identity: crate::identity::state::IdentityState,
    /// Presence sessions and pins per user.
    pub presence: crate::presence_rules::PresenceBook,
    /// Injected faults and throttling windows.
    pub faults: crate::faults::Faults,
    /// Every answered request, newest last.
    pub log: crate::log::RequestLog,
}

impl World {
    /// A world holding what the seed describes.
    pub fn from_seed(seed: Seed) -> Self {
        let log = crate::log::RequestLog::with_capacity(seed.settings.request_log_capacity);
        Self {
            settings: seed.settings,
            tenants: seed.tenants,
            users: seed.users,
            clients: seed.clients,
            identity: Default::default(),
            presence: Default::default(),
            faults: Default::default(),
            log,
        }
    }

    /// The tenant named by a path segment: its id or domain (case-insensitive). `organizations` and `common`
    /// are not tenants; callers resolve them from the signed-in user.
    pub fn tenant(&self, segment: &str) -> Option<&Tenant> {
        self.tenants
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(segment) || t.domain.eq_ignore_ascii_case(segment))
    }

    /// The user with this object id or user principal name (case-insensitive).
    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.id.eq_ignore_ascii_case(id_or_upn) || u.user_principal_name.eq_ignore_ascii_case(id_or_upn)
        })
    }

    /// The app registration with this client id.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients
            .iter()
            .find(|c| c.client_id.eq_ignore_ascii_case(client_id))
    }
}

impl Shared {
    /// Shared state for a fresh emulator.
    pub fn new(
        seed: Seed,
        clock: Clock,
        auto_approve: Option<String>,
    ) -> Result<AppState, crate::identity::keys::KeyError> {
        let (events, _) = broadcast::channel(1024);
        Ok(Arc::new(Self {
            clock,
            world: Mutex::new(World::from_seed(seed)),
            keys: crate::identity::keys::SigningKeys::generate()?,
            events,
            base_url: OnceLock::new(),
            auto_approve,
        }))
    }

    /// Locks the world. A handler that panicked mid-change cannot leave it half-written in a way later
    /// requests trip over worse than a fresh error, so poisoning is ignored.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells watchers that state changed.
    pub fn changed(&self) {
        let _ = self.events.send(Event::StateChanged);
    }

    /// The emulator's own base URL (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.base_url
            .get()
            .map(String::as_str)
            .unwrap_or("http://127.0.0.1")
    }
}
