//! How Teams combines presence sessions and the preferred pin into what colleagues see (contract §3).
//!
//! This module is pure logic: no I/O, no locks, no timers. Every question is asked "at" a virtual instant
//! (`now`, from [`crate::clock::Clock`]) and every expiry is computed lazily against it, so a test can jump
//! the clock by a day and read the consequence at once.
//!
//! Per user the [`PresenceBook`] keeps:
//! - zero or more **sessions**: one per app that called `setPresence` (its `sessionId` is the app's client id,
//!   contract §2) and at most one **simulated Teams desktop client** attached through the control API;
//! - at most one **preferred pin** (`setUserPreferredPresence`, or the user picking a status in Teams);
//! - an optional status message (`setStatusMessage`).
//!
//! The rules, in the order [`PresenceBook::effective`] applies them (contract §3):
//! 1. no live session → `Offline`/`Offline`, whatever the pin;
//! 2. a live pin and a live session → the pin, over every session (so an `Offline`/`OffWork` pin masks them all);
//! 3. otherwise the highest-ranked session, by its *shown* pair (after the fade, see below). The contract gives
//!    DoNotDisturb > Busy > Available > Away. Where the other values rank is not documented; the emulator
//!    decides [assumed]: `DoNotDisturb` > `Busy` > `BusyIdle` > `Available` > `AvailableIdle` and a faded
//!    `Available`/`AvailableInactive` > `BeRightBack` > `Away` > `Offline` > `PresenceUnknown`. `BeRightBack`
//!    ranks above `Away` because it is an explicit "I am nearby", `Away` an inferred absence. Ties go to the
//!    session set most recently, then to the smaller session id, so the answer is deterministic.
//!
//! An app session whose availability is `Available` fades (contract §3): [`FADE_INACTIVE_AFTER`] after its last
//! `setPresence` it shows `Available`/`AvailableInactive`, after [`FADE_AWAY_AFTER`] `Away`/`Away`; it still
//! counts as a live session, so a pin still shows over it. The simulated Teams client is kept alive by Teams
//! itself: it neither fades nor expires until detached. A session past its expiry is gone. A pin past its
//! expiry is gone and the sessions decide [assumed, contract §2 "what happens when it lapses is undocumented"].

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// After this long without a new `setPresence`, an `Available` app session shows `Available`/`AvailableInactive`.
pub const FADE_INACTIVE_AFTER: SignedDuration = SignedDuration::from_mins(5);

/// After this long without a new `setPresence`, an `Available` app session shows `Away`/`Away`.
pub const FADE_AWAY_AFTER: SignedDuration = SignedDuration::from_mins(10);

/// The session id of the simulated Teams desktop client (app sessions use their client id, a GUID).
pub const TEAMS_SESSION_ID: &str = "teams";

/// Who set a pin chosen in Teams itself (apps are named by their client id).
pub const SET_BY_TEAMS: &str = "teams";

/// Shortest `expirationDuration` of `setPresence` (contract §2: PT5M..PT4H, default PT5M).
pub const SESSION_MIN_LIFETIME: SignedDuration = SignedDuration::from_mins(5);

/// Longest `expirationDuration` of `setPresence`.
pub const SESSION_MAX_LIFETIME: SignedDuration = SignedDuration::from_hours(4);

/// `setPresence`'s lifetime when `expirationDuration` is absent.
pub const SESSION_DEFAULT_LIFETIME: SignedDuration = SESSION_MIN_LIFETIME;

/// A presence availability, spelled on the wire exactly as the variant name (contract §2: PascalCase, exact
/// case). The list covers what Graph can report; only some are accepted by the write calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Availability {
    Available,
    AvailableIdle,
    Away,
    BeRightBack,
    Busy,
    BusyIdle,
    DoNotDisturb,
    Offline,
    PresenceUnknown,
}

/// A presence activity, spelled on the wire exactly as the variant name (contract §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Activity {
    Available,
    AvailableInactive,
    Away,
    BeRightBack,
    Busy,
    DoNotDisturb,
    InACall,
    InAConferenceCall,
    InAMeeting,
    Inactive,
    OffWork,
    Offline,
    OutOfOffice,
    PresenceUnknown,
    Presenting,
    UrgentInterruptionsOnly,
}

impl Availability {
    /// Every availability the emulator knows.
    pub const ALL: [Availability; 9] = [
        Self::Available,
        Self::AvailableIdle,
        Self::Away,
        Self::BeRightBack,
        Self::Busy,
        Self::BusyIdle,
        Self::DoNotDisturb,
        Self::Offline,
        Self::PresenceUnknown,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::AvailableIdle => "AvailableIdle",
            Self::Away => "Away",
            Self::BeRightBack => "BeRightBack",
            Self::Busy => "Busy",
            Self::BusyIdle => "BusyIdle",
            Self::DoNotDisturb => "DoNotDisturb",
            Self::Offline => "Offline",
            Self::PresenceUnknown => "PresenceUnknown",
        }
    }

    /// Parses the exact wire spelling; `"donotdisturb"` is not `DoNotDisturb` (contract §2).
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl Activity {
    /// Every activity the emulator knows.
    pub const ALL: [Activity; 16] = [
        Self::Available,
        Self::AvailableInactive,
        Self::Away,
        Self::BeRightBack,
        Self::Busy,
        Self::DoNotDisturb,
        Self::InACall,
        Self::InAConferenceCall,
        Self::InAMeeting,
        Self::Inactive,
        Self::OffWork,
        Self::Offline,
        Self::OutOfOffice,
        Self::PresenceUnknown,
        Self::Presenting,
        Self::UrgentInterruptionsOnly,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::AvailableInactive => "AvailableInactive",
            Self::Away => "Away",
            Self::BeRightBack => "BeRightBack",
            Self::Busy => "Busy",
            Self::DoNotDisturb => "DoNotDisturb",
            Self::InACall => "InACall",
            Self::InAConferenceCall => "InAConferenceCall",
            Self::InAMeeting => "InAMeeting",
            Self::Inactive => "Inactive",
            Self::OffWork => "OffWork",
            Self::Offline => "Offline",
            Self::OutOfOffice => "OutOfOffice",
            Self::PresenceUnknown => "PresenceUnknown",
            Self::Presenting => "Presenting",
            Self::UrgentInterruptionsOnly => "UrgentInterruptionsOnly",
        }
    }

    /// Parses the exact wire spelling.
    pub fn from_wire(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for Availability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Activity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An availability with its activity: what Graph reports and what the write calls take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pair {
    /// The coarse state (the colour of the dot).
    pub availability: Availability,
    /// What the user is doing.
    pub activity: Activity,
}

/// The six pairs `setUserPreferredPresence` accepts (contract §2), which are also what a user can pick in Teams.
pub const PREFERRED_PAIRS: [Pair; 6] = [
    Pair::new(Availability::Available, Activity::Available),
    Pair::new(Availability::Busy, Activity::Busy),
    Pair::new(Availability::DoNotDisturb, Activity::DoNotDisturb),
    Pair::new(Availability::BeRightBack, Activity::BeRightBack),
    Pair::new(Availability::Away, Activity::Away),
    Pair::new(Availability::Offline, Activity::OffWork),
];

/// The five pairs `setPresence` accepts (contract §2).
pub const SESSION_PAIRS: [Pair; 5] = [
    Pair::new(Availability::Available, Activity::Available),
    Pair::new(Availability::Busy, Activity::InACall),
    Pair::new(Availability::Busy, Activity::InAConferenceCall),
    Pair::new(Availability::Away, Activity::Away),
    Pair::new(Availability::DoNotDisturb, Activity::Presenting),
];

impl Pair {
    /// `Offline`/`Offline`: what a user with no live session shows.
    pub const OFFLINE: Pair = Pair::new(Availability::Offline, Activity::Offline);

    /// A pair.
    pub const fn new(availability: Availability, activity: Activity) -> Self {
        Self {
            availability,
            activity,
        }
    }

    /// One of the six `setUserPreferredPresence` pairs.
    pub fn is_preferred(&self) -> bool {
        PREFERRED_PAIRS.contains(self)
    }

    /// One of the five `setPresence` pairs.
    pub fn is_app_session(&self) -> bool {
        SESSION_PAIRS.contains(self)
    }

    /// The pin lifetime when `expirationDuration` is absent (contract §2 table): 1 day for Busy and
    /// DoNotDisturb, 7 days for the others.
    pub fn default_pin_lifetime(&self) -> SignedDuration {
        match self.availability {
            Availability::Busy | Availability::DoNotDisturb => SignedDuration::from_hours(24),
            _ => SignedDuration::from_hours(7 * 24),
        }
    }

    /// Rank of a shown pair among sessions; higher wins (see the module docs; partly [assumed]).
    fn rank(&self) -> u8 {
        match self.availability {
            Availability::DoNotDisturb => 90,
            Availability::Busy => 80,
            Availability::BusyIdle => 75,
            Availability::Available if self.activity == Activity::AvailableInactive => 65,
            Availability::Available => 70,
            Availability::AvailableIdle => 65,
            Availability::BeRightBack => 50,
            Availability::Away => 40,
            Availability::Offline => 10,
            Availability::PresenceUnknown => 0,
        }
    }
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.availability, self.activity)
    }
}

/// Where a session comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SessionKind {
    /// An app's `setPresence` session; its id is the app's client id.
    App,
    /// The simulated Teams desktop client.
    Teams,
}

/// How far an `Available` app session has faded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FadeStage {
    /// Shown as set.
    None,
    /// `Available`/`AvailableInactive` (5 min after the last `setPresence`).
    Inactive,
    /// `Away`/`Away` (10 min after the last `setPresence`).
    Away,
}

/// Which rule decided a user's effective presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "camelCase")]
pub enum DecidedBy {
    /// No live session: `Offline`/`Offline` (a pin, if any, does not show).
    NoSession,
    /// The preferred pin, over every live session.
    Pin,
    /// The highest-ranked live session.
    #[serde(rename_all = "camelCase")]
    Session { session_id: String },
}

/// Why the engine refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresenceError {
    /// `clearPresence` named a session that does not exist (or has expired).
    #[error("the presence session {0} does not exist")]
    NoSuchSession(String),
    /// Not one of the six preferred pairs.
    #[error("{0} is not a preferred presence (one of the six pairs of setUserPreferredPresence)")]
    NotAPreferredPair(Pair),
    /// Not one of the five session pairs.
    #[error("{0} is not a session presence (one of the five pairs of setPresence)")]
    NotASessionPair(Pair),
    /// A running Teams client is never Offline or PresenceUnknown; detach it instead.
    #[error("a running Teams client cannot report {0}; detach it instead")]
    TeamsCannotBe(Pair),
    /// A lifetime must be positive.
    #[error("a lifetime must be positive")]
    NonPositiveLifetime,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    kind: SessionKind,
    set: Pair,
    last_set_at: Timestamp,
    /// `None` for the Teams client, which Teams keeps alive.
    expires_at: Option<Timestamp>,
}

impl Session {
    fn alive(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }

    fn fade(&self, now: Timestamp) -> FadeStage {
        if self.kind == SessionKind::Teams || self.set.availability != Availability::Available {
            return FadeStage::None;
        }
        let idle = now.duration_since(self.last_set_at);
        if idle >= FADE_AWAY_AFTER {
            FadeStage::Away
        } else if idle >= FADE_INACTIVE_AFTER {
            FadeStage::Inactive
        } else {
            FadeStage::None
        }
    }

    fn shown(&self, now: Timestamp) -> Pair {
        match self.fade(now) {
            FadeStage::None => self.set,
            FadeStage::Inactive => Pair::new(Availability::Available, Activity::AvailableInactive),
            FadeStage::Away => Pair::new(Availability::Away, Activity::Away),
        }
    }
}

#[derive(Debug, Clone)]
struct Pin {
    pair: Pair,
    set_by: String,
    set_at: Timestamp,
    expires_at: Timestamp,
}

#[derive(Debug, Clone)]
struct StatusMessage {
    content: String,
    content_type: String,
    expires_at: Option<Timestamp>,
    published_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
struct UserBook {
    sessions: Vec<Session>,
    pin: Option<Pin>,
    status: Option<StatusMessage>,
    sequence: u64,
}

impl UserBook {
    fn live_pin(&self, now: Timestamp) -> Option<&Pin> {
        self.pin.as_ref().filter(|p| now < p.expires_at)
    }

    fn live_sessions(&self, now: Timestamp) -> impl Iterator<Item = &Session> {
        self.sessions.iter().filter(move |s| s.alive(now))
    }

    fn live_status(&self, now: Timestamp) -> Option<&StatusMessage> {
        self.status
            .as_ref()
            .filter(|m| m.expires_at.is_none_or(|at| now < at))
    }

    /// Forgets what has expired by `now`, so stale entries do not pile up.
    fn prune(&mut self, now: Timestamp) {
        self.sessions.retain(|s| s.alive(now));
        if self.pin.as_ref().is_some_and(|p| now >= p.expires_at) {
            self.pin = None;
        }
        if self.live_status(now).is_none() {
            self.status = None;
        }
    }

    fn decide(&self, now: Timestamp) -> (Pair, DecidedBy) {
        let best = self.live_sessions(now).max_by(|a, b| {
            (a.shown(now).rank(), a.last_set_at)
                .cmp(&(b.shown(now).rank(), b.last_set_at))
                // Deterministic tie-break: the smaller id wins, so it must compare as "greater".
                .then_with(|| b.id.cmp(&a.id))
        });
        match (best, self.live_pin(now)) {
            (None, _) => (Pair::OFFLINE, DecidedBy::NoSession),
            (Some(_), Some(pin)) => (pin.pair, DecidedBy::Pin),
            (Some(s), None) => (
                s.shown(now),
                DecidedBy::Session {
                    session_id: s.id.clone(),
                },
            ),
        }
    }
}

/// The preferred pin as the live page and the state document show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PinView {
    /// Pinned availability.
    pub availability: Availability,
    /// Pinned activity.
    pub activity: Activity,
    /// When the pin lapses.
    pub expires_at: Timestamp,
    /// Who set it: an app's client id, or `"teams"` when the user picked it in Teams.
    pub set_by: String,
    /// When it was set.
    pub set_at: Timestamp,
}

/// One live session as the live page and the state document show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The app's client id, or `"teams"`.
    pub session_id: String,
    /// App or simulated Teams client.
    pub kind: SessionKind,
    /// Availability as last set.
    pub availability: Availability,
    /// Activity as last set.
    pub activity: Activity,
    /// What the session shows now, after the fade.
    pub shown: Pair,
    /// How far it has faded.
    pub fade_stage: FadeStage,
    /// When it was last set (the fade counts from here).
    pub last_set_at: Timestamp,
    /// When it expires; `None` for the Teams client.
    pub expires_at: Option<Timestamp>,
}

/// A live status message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusMessageView {
    /// The text (or HTML).
    pub content: String,
    /// `text` or `html`.
    pub content_type: String,
    /// When it lapses; `None` = never.
    pub expires_at: Option<Timestamp>,
    /// When it was set.
    pub published_at: Timestamp,
}

/// Everything about one user's presence at one instant: what colleagues see and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPresenceView {
    /// The user's object id (as asked, lower-cased).
    pub user_id: String,
    /// What colleagues see.
    pub effective: Pair,
    /// Which rule decided `effective`.
    pub decided_by: DecidedBy,
    /// The live pin, if any (it shows only while a session is alive).
    pub pin: Option<PinView>,
    /// Live sessions, strongest first.
    pub sessions: Vec<SessionView>,
    /// The live status message, if any.
    pub status_message: Option<StatusMessageView>,
    /// Bumped by every change to this user's sessions, pin or status message.
    pub sequence_number: u64,
}

/// Sessions, pins and status messages of every user, keyed by object id (case-insensitive).
#[derive(Debug, Default, Clone)]
pub struct PresenceBook {
    users: BTreeMap<String, UserBook>,
}

fn key(oid: &str) -> String {
    oid.to_ascii_lowercase()
}

fn after(now: Timestamp, d: SignedDuration) -> Timestamp {
    now.checked_add(d).unwrap_or(Timestamp::MAX)
}

impl PresenceBook {
    /// An empty book: everybody is Offline.
    pub fn new() -> Self {
        Self::default()
    }

    fn user_mut(&mut self, oid: &str, now: Timestamp) -> &mut UserBook {
        let book = self.users.entry(key(oid)).or_default();
        book.prune(now);
        book
    }

    /// What colleagues see for this user at `now`.
    pub fn effective(&self, user_oid: &str, now: Timestamp) -> Pair {
        self.users
            .get(&key(user_oid))
            .map_or(Pair::OFFLINE, |u| u.decide(now).0)
    }

    /// The whole picture of one user at `now` (for the live page, the state document and tests).
    pub fn view(&self, user_oid: &str, now: Timestamp) -> UserPresenceView {
        let user_id = key(user_oid);
        let Some(u) = self.users.get(&user_id) else {
            return UserPresenceView {
                user_id,
                effective: Pair::OFFLINE,
                decided_by: DecidedBy::NoSession,
                pin: None,
                sessions: vec![],
                status_message: None,
                sequence_number: 0,
            };
        };
        let (effective, decided_by) = u.decide(now);
        let mut sessions: Vec<SessionView> = u
            .live_sessions(now)
            .map(|s| SessionView {
                session_id: s.id.clone(),
                kind: s.kind,
                availability: s.set.availability,
                activity: s.set.activity,
                shown: s.shown(now),
                fade_stage: s.fade(now),
                last_set_at: s.last_set_at,
                expires_at: s.expires_at,
            })
            .collect();
        sessions.sort_by(|a, b| {
            (b.shown.rank(), b.last_set_at)
                .cmp(&(a.shown.rank(), a.last_set_at))
                .then_with(|| a.session_id.cmp(&b.session_id))
        });
        UserPresenceView {
            user_id,
            effective,
            decided_by,
            pin: u.live_pin(now).map(|p| PinView {
                availability: p.pair.availability,
                activity: p.pair.activity,
                expires_at: p.expires_at,
                set_by: p.set_by.clone(),
                set_at: p.set_at,
            }),
            sessions,
            status_message: u.live_status(now).map(|m| StatusMessageView {
                content: m.content.clone(),
                content_type: m.content_type.clone(),
                expires_at: m.expires_at,
                published_at: m.published_at,
            }),
            sequence_number: u.sequence,
        }
    }

    /// Object ids (lower-cased) of every user the book has ever recorded something for.
    pub fn users(&self) -> impl Iterator<Item = &str> {
        self.users.keys().map(String::as_str)
    }

    /// `setPresence`: creates or refreshes the app session `session_id` (the app's client id) with one of the
    /// five session pairs, alive for `lifetime` from `now`. Refreshing restarts the fade.
    pub fn set_app_session(
        &mut self,
        user_oid: &str,
        session_id: &str,
        pair: Pair,
        lifetime: SignedDuration,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        if !pair.is_app_session() {
            return Err(PresenceError::NotASessionPair(pair));
        }
        if !lifetime.is_positive() {
            return Err(PresenceError::NonPositiveLifetime);
        }
        let u = self.user_mut(user_oid, now);
        let expires_at = Some(after(now, lifetime));
        match u
            .sessions
            .iter_mut()
            .find(|s| s.kind == SessionKind::App && s.id.eq_ignore_ascii_case(session_id))
        {
            Some(s) => {
                s.set = pair;
                s.last_set_at = now;
                s.expires_at = expires_at;
            }
            None => u.sessions.push(Session {
                id: session_id.to_string(),
                kind: SessionKind::App,
                set: pair,
                last_set_at: now,
                expires_at,
            }),
        }
        u.sequence += 1;
        Ok(())
    }

    /// `clearPresence`: ends the app session `session_id`. [`PresenceError::NoSuchSession`] when it does not
    /// exist or has already expired (contract §2: 404).
    pub fn clear_app_session(
        &mut self,
        user_oid: &str,
        session_id: &str,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let u = self.user_mut(user_oid, now);
        let before = u.sessions.len();
        u.sessions
            .retain(|s| !(s.kind == SessionKind::App && s.id.eq_ignore_ascii_case(session_id)));
        if u.sessions.len() == before {
            return Err(PresenceError::NoSuchSession(session_id.to_string()));
        }
        u.sequence += 1;
        Ok(())
    }

    /// `setUserPreferredPresence` (or any pin): replaces the pin with one of the six preferred pairs, set by
    /// `set_by` (a client id or [`SET_BY_TEAMS`]), alive for `lifetime` from `now`.
    pub fn set_preferred(
        &mut self,
        user_oid: &str,
        pair: Pair,
        lifetime: SignedDuration,
        set_by: &str,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        if !pair.is_preferred() {
            return Err(PresenceError::NotAPreferredPair(pair));
        }
        if !lifetime.is_positive() {
            return Err(PresenceError::NonPositiveLifetime);
        }
        let u = self.user_mut(user_oid, now);
        u.pin = Some(Pin {
            pair,
            set_by: set_by.to_string(),
            set_at: now,
            expires_at: after(now, lifetime),
        });
        u.sequence += 1;
        Ok(())
    }

    /// `clearUserPreferredPresence`: drops the pin, whoever set it. Returns whether a live pin was there
    /// (the Graph call answers 200 either way, contract §2).
    pub fn clear_preferred(&mut self, user_oid: &str, now: Timestamp) -> bool {
        let u = self.user_mut(user_oid, now);
        let had = u.pin.take().is_some();
        if had {
            u.sequence += 1;
        }
        had
    }

    /// Attaches the simulated Teams desktop client with this pair, or updates it (e.g. `Busy`/`InAMeeting`
    /// when a meeting starts). It neither fades nor expires until [`PresenceBook::detach_teams`].
    pub fn attach_teams(&mut self, user_oid: &str, pair: Pair, now: Timestamp) -> Result<(), PresenceError> {
        if matches!(
            pair.availability,
            Availability::Offline | Availability::PresenceUnknown
        ) {
            return Err(PresenceError::TeamsCannotBe(pair));
        }
        let u = self.user_mut(user_oid, now);
        match u.sessions.iter_mut().find(|s| s.kind == SessionKind::Teams) {
            Some(s) => {
                s.set = pair;
                s.last_set_at = now;
            }
            None => u.sessions.push(Session {
                id: TEAMS_SESSION_ID.to_string(),
                kind: SessionKind::Teams,
                set: pair,
                last_set_at: now,
                expires_at: None,
            }),
        }
        u.sequence += 1;
        Ok(())
    }

    /// Closes the simulated Teams client. Returns whether one was attached.
    pub fn detach_teams(&mut self, user_oid: &str, now: Timestamp) -> bool {
        let u = self.user_mut(user_oid, now);
        let before = u.sessions.len();
        u.sessions.retain(|s| s.kind != SessionKind::Teams);
        let had = u.sessions.len() != before;
        if had {
            u.sequence += 1;
        }
        had
    }

    /// The user picks a status in Teams: it replaces the pin (set by [`SET_BY_TEAMS`]) with one of the six
    /// preferred pairs, for `lifetime` or the status's default (1 day Busy/DoNotDisturb, 7 days else).
    pub fn teams_sets_status(
        &mut self,
        user_oid: &str,
        pair: Pair,
        lifetime: Option<SignedDuration>,
        now: Timestamp,
    ) -> Result<(), PresenceError> {
        let lifetime = lifetime.unwrap_or_else(|| pair.default_pin_lifetime());
        self.set_preferred(user_oid, pair, lifetime, SET_BY_TEAMS, now)
    }

    /// The user chooses "Reset status" in Teams: the pin is cleared. Returns whether one was there.
    pub fn teams_resets_status(&mut self, user_oid: &str, now: Timestamp) -> bool {
        self.clear_preferred(user_oid, now)
    }

    /// `setStatusMessage`: sets the message, or clears it when `content` is empty.
    pub fn set_status_message(
        &mut self,
        user_oid: &str,
        content: &str,
        content_type: &str,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) {
        let u = self.user_mut(user_oid, now);
        u.status = (!content.is_empty()).then(|| StatusMessage {
            content: content.to_string(),
            content_type: content_type.to_string(),
            expires_at,
            published_at: now,
        });
        u.sequence += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADELE: &str = "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d";
    const APP: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";
    const OTHER_APP: &str = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

    fn t0() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn mins(m: i64) -> SignedDuration {
        SignedDuration::from_mins(m)
    }

    fn at(m: i64) -> Timestamp {
        t0() + mins(m)
    }

    const AVAILABLE: Pair = Pair::new(Availability::Available, Activity::Available);
    const BUSY: Pair = Pair::new(Availability::Busy, Activity::Busy);
    const DND: Pair = Pair::new(Availability::DoNotDisturb, Activity::DoNotDisturb);
    const BRB: Pair = Pair::new(Availability::BeRightBack, Activity::BeRightBack);
    const AWAY: Pair = Pair::new(Availability::Away, Activity::Away);
    const APPEAR_OFFLINE: Pair = Pair::new(Availability::Offline, Activity::OffWork);
    const IN_A_CALL: Pair = Pair::new(Availability::Busy, Activity::InACall);
    const CONFERENCE: Pair = Pair::new(Availability::Busy, Activity::InAConferenceCall);
    const PRESENTING: Pair = Pair::new(Availability::DoNotDisturb, Activity::Presenting);
    const IN_A_MEETING: Pair = Pair::new(Availability::Busy, Activity::InAMeeting);
    const INACTIVE: Pair = Pair::new(Availability::Available, Activity::AvailableInactive);

    fn book_with_app_session(pair: Pair) -> PresenceBook {
        let mut b = PresenceBook::new();
        b.set_app_session(ADELE, APP, pair, SignedDuration::from_hours(4), t0())
            .unwrap();
        b
    }

    #[test]
    fn a_user_nobody_has_touched_is_offline() {
        let b = PresenceBook::new();
        assert_eq!(b.effective(ADELE, t0()), Pair::OFFLINE);
        let v = b.view(ADELE, t0());
        assert_eq!(v.decided_by, DecidedBy::NoSession);
        assert!(v.sessions.is_empty() && v.pin.is_none());
    }

    #[test]
    fn every_pin_is_hidden_while_no_session_is_alive_contract_3() {
        for pin in PREFERRED_PAIRS {
            let mut b = PresenceBook::new();
            b.set_preferred(ADELE, pin, mins(60), APP, t0()).unwrap();
            assert_eq!(b.effective(ADELE, at(1)), Pair::OFFLINE, "pin {pin}");
            let v = b.view(ADELE, at(1));
            assert_eq!(v.decided_by, DecidedBy::NoSession);
            // The pin is still there, waiting for a session.
            assert_eq!(v.pin.map(|p| p.availability), Some(pin.availability));
        }
    }

    #[test]
    fn every_pin_wins_over_every_app_session_contract_3() {
        for session in SESSION_PAIRS {
            for pin in PREFERRED_PAIRS {
                let mut b = book_with_app_session(session);
                b.set_preferred(ADELE, pin, mins(60), APP, t0()).unwrap();
                assert_eq!(b.effective(ADELE, at(1)), pin, "pin {pin} over session {session}");
                assert_eq!(b.view(ADELE, at(1)).decided_by, DecidedBy::Pin);
            }
        }
    }

    #[test]
    fn every_pin_wins_over_a_teams_client_in_a_meeting_contract_3() {
        for pin in PREFERRED_PAIRS {
            let mut b = PresenceBook::new();
            b.attach_teams(ADELE, IN_A_MEETING, t0()).unwrap();
            b.set_preferred(ADELE, pin, mins(60), APP, t0()).unwrap();
            assert_eq!(b.effective(ADELE, at(1)), pin);
        }
    }

    #[test]
    fn appear_offline_masks_every_session_until_cleared() {
        let mut b = book_with_app_session(PRESENTING);
        b.attach_teams(ADELE, IN_A_MEETING, t0()).unwrap();
        b.set_preferred(ADELE, APPEAR_OFFLINE, mins(60), APP, t0())
            .unwrap();
        assert_eq!(b.effective(ADELE, at(1)), APPEAR_OFFLINE);
        assert!(b.clear_preferred(ADELE, at(2)));
        assert_eq!(b.effective(ADELE, at(2)), PRESENTING);
    }

    #[test]
    fn without_a_pin_the_highest_session_wins_dnd_over_busy_over_available_over_away() {
        let order = [PRESENTING, IN_A_CALL, AVAILABLE, AWAY];
        for (i, higher) in order.iter().enumerate() {
            for lower in &order[i + 1..] {
                // Both orders of arrival, so recency cannot be what decides.
                for (first, second) in [(higher, lower), (lower, higher)] {
                    let mut b = PresenceBook::new();
                    b.set_app_session(ADELE, APP, *first, mins(60), t0()).unwrap();
                    b.set_app_session(ADELE, OTHER_APP, *second, mins(60), t0())
                        .unwrap();
                    assert_eq!(b.effective(ADELE, t0()), *higher, "{higher} vs {lower}");
                }
            }
        }
    }

    #[test]
    fn a_teams_session_competes_with_app_sessions_by_rank() {
        let mut b = book_with_app_session(AVAILABLE);
        b.attach_teams(ADELE, IN_A_MEETING, t0()).unwrap();
        assert_eq!(b.effective(ADELE, t0()), IN_A_MEETING);
        assert_eq!(
            b.view(ADELE, t0()).decided_by,
            DecidedBy::Session {
                session_id: TEAMS_SESSION_ID.into()
            }
        );
        b.set_app_session(ADELE, APP, PRESENTING, mins(60), t0()).unwrap();
        assert_eq!(b.effective(ADELE, t0()), PRESENTING);
    }

    #[test]
    fn be_right_back_ranks_between_a_faded_available_and_away_assumed() {
        let mut b = PresenceBook::new();
        b.attach_teams(ADELE, BRB, t0()).unwrap();
        b.set_app_session(ADELE, APP, AWAY, mins(60), t0()).unwrap();
        assert_eq!(b.effective(ADELE, t0()), BRB);
        b.set_app_session(ADELE, OTHER_APP, AVAILABLE, mins(60), t0())
            .unwrap();
        assert_eq!(b.effective(ADELE, t0()), AVAILABLE);
        // Faded to AvailableInactive it still beats BeRightBack; faded to Away it loses.
        assert_eq!(b.effective(ADELE, at(6)), INACTIVE);
        assert_eq!(b.effective(ADELE, at(11)), BRB);
    }

    #[test]
    fn equal_sessions_go_to_the_most_recently_set() {
        let mut b = PresenceBook::new();
        b.set_app_session(ADELE, OTHER_APP, IN_A_CALL, mins(60), t0())
            .unwrap();
        b.set_app_session(ADELE, APP, CONFERENCE, mins(60), at(1))
            .unwrap();
        assert_eq!(b.effective(ADELE, at(2)), CONFERENCE);
        b.set_app_session(ADELE, OTHER_APP, IN_A_CALL, mins(60), at(3))
            .unwrap();
        assert_eq!(b.effective(ADELE, at(4)), IN_A_CALL);
    }

    #[test]
    fn an_available_app_session_fades_to_inactive_at_5_min_and_away_at_10_min() {
        let b = book_with_app_session(AVAILABLE);
        assert_eq!(
            b.effective(ADELE, t0() + mins(5) - SignedDuration::from_secs(1)),
            AVAILABLE
        );
        assert_eq!(b.effective(ADELE, at(5)), INACTIVE);
        assert_eq!(b.effective(ADELE, at(9)), INACTIVE);
        assert_eq!(b.effective(ADELE, at(10)), AWAY);
        let v = b.view(ADELE, at(10));
        assert_eq!(v.sessions[0].fade_stage, FadeStage::Away);
        assert_eq!(v.sessions[0].availability, Availability::Available, "as set");
        assert_eq!(v.sessions[0].shown, AWAY);
        assert_eq!(b.view(ADELE, at(5)).sessions[0].fade_stage, FadeStage::Inactive);
        assert_eq!(b.view(ADELE, at(4)).sessions[0].fade_stage, FadeStage::None);
    }

    #[test]
    fn a_new_set_presence_restarts_the_fade() {
        let mut b = book_with_app_session(AVAILABLE);
        b.set_app_session(ADELE, APP, AVAILABLE, mins(60), at(8)).unwrap();
        assert_eq!(b.effective(ADELE, at(12)), AVAILABLE);
        assert_eq!(b.effective(ADELE, at(13)), INACTIVE);
    }

    #[test]
    fn only_available_sessions_fade() {
        for pair in [IN_A_CALL, CONFERENCE, PRESENTING, AWAY] {
            let b = book_with_app_session(pair);
            assert_eq!(b.effective(ADELE, at(30)), pair);
        }
    }

    #[test]
    fn a_faded_session_still_counts_so_a_pin_shows_over_it() {
        let mut b = book_with_app_session(AVAILABLE);
        b.set_preferred(ADELE, DND, mins(600), APP, t0()).unwrap();
        assert_eq!(b.effective(ADELE, at(30)), DND);
    }

    #[test]
    fn the_teams_client_neither_fades_nor_expires_until_detached() {
        let mut b = PresenceBook::new();
        b.attach_teams(ADELE, AVAILABLE, t0()).unwrap();
        let much_later = t0() + SignedDuration::from_hours(24 * 30);
        assert_eq!(b.effective(ADELE, much_later), AVAILABLE);
        assert!(b.detach_teams(ADELE, much_later));
        assert_eq!(b.effective(ADELE, much_later), Pair::OFFLINE);
        assert!(!b.detach_teams(ADELE, much_later));
    }

    #[test]
    fn attaching_teams_twice_updates_the_one_client() {
        let mut b = PresenceBook::new();
        b.attach_teams(ADELE, AVAILABLE, t0()).unwrap();
        b.attach_teams(ADELE, IN_A_MEETING, at(1)).unwrap();
        let v = b.view(ADELE, at(1));
        assert_eq!(v.sessions.len(), 1);
        assert_eq!(v.sessions[0].kind, SessionKind::Teams);
        assert_eq!(v.sessions[0].expires_at, None);
        assert_eq!(v.effective, IN_A_MEETING);
    }

    #[test]
    fn a_running_teams_client_cannot_be_offline() {
        let mut b = PresenceBook::new();
        assert!(matches!(
            b.attach_teams(ADELE, Pair::OFFLINE, t0()),
            Err(PresenceError::TeamsCannotBe(_))
        ));
        assert_eq!(b.view(ADELE, t0()).sessions.len(), 0);
    }

    #[test]
    fn an_app_session_is_gone_at_its_expiry() {
        let mut b = PresenceBook::new();
        b.set_app_session(ADELE, APP, IN_A_CALL, mins(5), t0()).unwrap();
        assert_eq!(
            b.effective(ADELE, at(5) - SignedDuration::from_secs(1)),
            IN_A_CALL
        );
        assert_eq!(b.effective(ADELE, at(5)), Pair::OFFLINE);
        assert!(b.view(ADELE, at(5)).sessions.is_empty());
    }

    #[test]
    fn with_teams_closed_the_pin_shows_only_while_the_app_keeps_its_session_alive_contract_7() {
        let mut b = PresenceBook::new();
        b.set_preferred(ADELE, BUSY, SignedDuration::from_hours(24), APP, t0())
            .unwrap();
        assert_eq!(b.effective(ADELE, t0()), Pair::OFFLINE);
        b.set_app_session(ADELE, APP, AVAILABLE, mins(5), t0()).unwrap();
        assert_eq!(b.effective(ADELE, at(4)), BUSY);
        assert_eq!(b.effective(ADELE, at(5)), Pair::OFFLINE, "session lapsed");
        b.set_app_session(ADELE, APP, AVAILABLE, mins(5), at(5)).unwrap();
        assert_eq!(b.effective(ADELE, at(6)), BUSY);
    }

    #[test]
    fn a_lapsed_pin_is_dropped_and_the_sessions_decide_assumed() {
        let mut b = book_with_app_session(IN_A_CALL);
        b.set_preferred(ADELE, AVAILABLE, mins(30), APP, t0()).unwrap();
        assert_eq!(b.effective(ADELE, at(29)), AVAILABLE);
        assert_eq!(b.effective(ADELE, at(30)), IN_A_CALL);
        let v = b.view(ADELE, at(30));
        assert!(v.pin.is_none());
        assert_eq!(
            v.decided_by,
            DecidedBy::Session {
                session_id: APP.into()
            }
        );
    }

    #[test]
    fn clearing_the_only_session_makes_the_user_offline() {
        let mut b = book_with_app_session(PRESENTING);
        b.set_preferred(ADELE, BUSY, mins(60), APP, t0()).unwrap();
        b.clear_app_session(ADELE, APP, at(1)).unwrap();
        assert_eq!(b.effective(ADELE, at(1)), Pair::OFFLINE);
    }

    #[test]
    fn clearing_a_missing_or_expired_session_is_refused() {
        let mut b = PresenceBook::new();
        assert_eq!(
            b.clear_app_session(ADELE, APP, t0()),
            Err(PresenceError::NoSuchSession(APP.into()))
        );
        b.set_app_session(ADELE, APP, AWAY, mins(5), t0()).unwrap();
        assert!(b.clear_app_session(ADELE, APP, at(6)).is_err());
        b.attach_teams(ADELE, AVAILABLE, t0()).unwrap();
        assert!(
            b.clear_app_session(ADELE, TEAMS_SESSION_ID, at(6)).is_err(),
            "clearPresence does not close Teams"
        );
    }

    #[test]
    fn session_ids_match_case_insensitively_so_an_app_keeps_one_session() {
        let mut b = book_with_app_session(AVAILABLE);
        b.set_app_session(ADELE, &APP.to_uppercase(), AWAY, mins(60), at(1))
            .unwrap();
        assert_eq!(b.view(ADELE, at(1)).sessions.len(), 1);
        b.clear_app_session(&ADELE.to_uppercase(), &APP.to_uppercase(), at(2))
            .unwrap();
        assert_eq!(b.effective(ADELE, at(2)), Pair::OFFLINE);
    }

    #[test]
    fn teams_choosing_a_status_replaces_the_apps_pin_with_the_default_expiry() {
        let mut b = book_with_app_session(AVAILABLE);
        b.set_preferred(ADELE, AWAY, mins(60), APP, t0()).unwrap();
        b.teams_sets_status(ADELE, DND, None, at(1)).unwrap();
        let pin = b.view(ADELE, at(1)).pin.unwrap();
        assert_eq!(pin.set_by, SET_BY_TEAMS);
        assert_eq!(pin.availability, Availability::DoNotDisturb);
        assert_eq!(pin.expires_at, at(1) + SignedDuration::from_hours(24));
        assert_eq!(b.effective(ADELE, at(2)), DND);
        b.teams_sets_status(ADELE, BRB, None, at(2)).unwrap();
        assert_eq!(
            b.view(ADELE, at(2)).pin.unwrap().expires_at,
            at(2) + SignedDuration::from_hours(7 * 24)
        );
    }

    #[test]
    fn teams_resetting_its_status_clears_the_pin_so_sessions_decide() {
        let mut b = PresenceBook::new();
        b.attach_teams(ADELE, IN_A_MEETING, t0()).unwrap();
        b.set_preferred(ADELE, AVAILABLE, mins(60), APP, t0()).unwrap();
        assert_eq!(b.effective(ADELE, t0()), AVAILABLE);
        assert!(b.teams_resets_status(ADELE, at(1)));
        assert_eq!(b.effective(ADELE, at(1)), IN_A_MEETING);
        assert!(!b.teams_resets_status(ADELE, at(1)));
    }

    #[test]
    fn teams_offers_only_the_six_preferred_statuses() {
        let mut b = PresenceBook::new();
        assert!(matches!(
            b.teams_sets_status(ADELE, IN_A_MEETING, None, t0()),
            Err(PresenceError::NotAPreferredPair(_))
        ));
    }

    #[test]
    fn default_pin_lifetimes_follow_the_contract_table() {
        for p in PREFERRED_PAIRS {
            let days = p.default_pin_lifetime().as_secs() / 86_400;
            let want = if matches!(p.availability, Availability::Busy | Availability::DoNotDisturb) {
                1
            } else {
                7
            };
            assert_eq!(days, want, "{p}");
        }
    }

    #[test]
    fn the_engine_refuses_pairs_outside_each_calls_list() {
        let mut b = PresenceBook::new();
        assert!(
            b.set_app_session(ADELE, APP, BUSY, mins(60), t0()).is_err(),
            "Busy/Busy is a pin pair"
        );
        assert!(b.set_preferred(ADELE, IN_A_CALL, mins(60), APP, t0()).is_err());
        assert!(
            b.set_app_session(ADELE, APP, AVAILABLE, SignedDuration::ZERO, t0())
                .is_err()
        );
        assert_eq!(b.view(ADELE, t0()).sequence_number, 0, "nothing changed");
    }

    #[test]
    fn the_view_lists_sessions_strongest_first_and_serialises_in_camel_case() {
        let mut b = book_with_app_session(AWAY);
        b.attach_teams(ADELE, IN_A_MEETING, t0()).unwrap();
        b.set_preferred(ADELE, BUSY, mins(60), APP, t0()).unwrap();
        let v = b.view(ADELE, t0());
        assert_eq!(v.sessions[0].session_id, TEAMS_SESSION_ID);
        assert_eq!(v.sessions[1].session_id, APP);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["effective"]["availability"], "Busy");
        assert_eq!(json["decidedBy"]["by"], "pin");
        assert_eq!(json["pin"]["setBy"], APP);
        assert!(json["pin"]["expiresAt"].is_string());
        assert_eq!(json["sessions"][0]["kind"], "teams");
        assert_eq!(json["sessions"][0]["fadeStage"], "none");
        assert_eq!(json["sessions"][0]["expiresAt"], serde_json::Value::Null);
        assert_eq!(json["sessions"][1]["shown"]["activity"], "Away");
        assert!(json["sessions"][1]["lastSetAt"].is_string());
        assert_eq!(json["sequenceNumber"], 3);
    }

    #[test]
    fn a_status_message_lapses_at_its_expiry_and_empty_content_clears_it() {
        let mut b = PresenceBook::new();
        b.set_status_message(ADELE, "In Lisbon", "text", Some(at(60)), t0());
        assert_eq!(b.view(ADELE, at(59)).status_message.unwrap().content, "In Lisbon");
        assert!(b.view(ADELE, at(60)).status_message.is_none());
        b.set_status_message(ADELE, "Back soon", "text", None, at(61));
        assert!(b.view(ADELE, at(10_000)).status_message.is_some());
        b.set_status_message(ADELE, "", "text", None, at(10_001));
        assert!(b.view(ADELE, at(10_001)).status_message.is_none());
    }

    #[test]
    fn wire_names_parse_only_in_exact_case() {
        assert_eq!(
            Availability::from_wire("DoNotDisturb"),
            Some(Availability::DoNotDisturb)
        );
        assert_eq!(Availability::from_wire("donotdisturb"), None);
        assert_eq!(
            Activity::from_wire("InAConferenceCall"),
            Some(Activity::InAConferenceCall)
        );
        assert_eq!(Activity::from_wire("InAConferencecall"), None);
        for a in Availability::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for a in Activity::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }
}
