//! How Presently keeps a chosen status visible while Teams is closed: its own presence **session**,
//! posted with `setPresence` ([`SessionPlan`]).
//!
//! Why a session at all (contract §3): with no live session Teams shows `Offline` whatever the pin, so a
//! pin set while Teams is closed is invisible (the most common complaint, contract §7). While any session
//! is alive, the pin wins over every session. So the session's first job is simply **to exist**.
//!
//! Its second job is to be a sensible fallback when the pin is *not* there (it lapsed, was cleared from
//! Teams, or a renewal came late): then the highest session decides, so each status gets the closest
//! pair `setPresence` accepts (Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away,
//! DoNotDisturb/Presenting — nothing else, contract §2):
//!
//! | status | session pair | why |
//! |---|---|---|
//! | Available | Available/Available | the only green pair |
//! | Busy | Busy/InACall | red; "in a call" is the milder of the two Busy claims |
//! | Do not disturb | DoNotDisturb/Presenting | the only DND pair |
//! | Be right back | Away/Away | yellow, the nearest to "be right back" |
//! | Appear away | Away/Away | the same pair |
//! | Appear offline | **no session** | with no session Teams shows Offline anyway, and if the pin lapses the user stays offline instead of turning yellow or green; a session would only be masked by the Offline pin (contract §3) |
//!
//! An `Available` session **fades** (contract §3): 5 minutes after the last `setPresence` it reads
//! Available/AvailableInactive, after 10 minutes Away/Away. It still counts as a session, so the pin
//! still shows over it; but the fallback would be wrong. So an Available session is refreshed every
//! [`AVAILABLE_SESSION_REFRESH`], inside the fade, while other sessions are refreshed only well before
//! they expire. Session lifetimes are kept short ([`SESSION_EXPIRATION`]) so that if Presently dies or the
//! machine sleeps, the session (and with it the pin's visibility) ends within minutes rather than hours.

use jiff::SignedDuration;

use crate::duration::iso8601;
use crate::status::PreferredPresence;
use crate::wire::{Activity, Availability, PresencePair};

/// Shortest `expirationDuration` `setPresence` accepts: PT5M (contract §2).
pub const SESSION_EXPIRATION_MIN: SignedDuration = SignedDuration::from_mins(5);
/// Longest `expirationDuration` `setPresence` accepts: PT4H (contract §2).
pub const SESSION_EXPIRATION_MAX: SignedDuration = SignedDuration::from_hours(4);
/// How long an `Available` session stays fresh without a new `setPresence` (contract §3).
pub const AVAILABLE_SESSION_FADES_AFTER: SignedDuration = SignedDuration::from_mins(5);

/// The `expirationDuration` Presently sends with every `setPresence`: 15 minutes. Long enough for
/// refreshes to survive a few retries, short enough that a crashed or sleeping app stops showing the
/// user as present within a quarter of an hour.
pub const SESSION_EXPIRATION: SignedDuration = SignedDuration::from_mins(15);
/// Refresh interval of an Available session: 4 minutes, one minute inside the 5-minute fade.
pub const AVAILABLE_SESSION_REFRESH: SignedDuration = SignedDuration::from_mins(4);
/// Refresh interval of the other sessions: 10 minutes, leaving 5 minutes of [`SESSION_EXPIRATION`] for
/// retries and backoff (contract §4) before the session would lapse.
pub const SESSION_REFRESH: SignedDuration = SignedDuration::from_mins(10);

/// What the keeper posts with `setPresence` for a status, and how often.
///
/// Guarantees: `pair` is one of the five pairs `setPresence` accepts; `expiration` is within
/// PT5M..PT4H; `refresh_every` is shorter than `expiration` and, for Available, shorter than the fade.
/// The keeper must re-post before `refresh_every` has passed since the last successful post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPlan {
    /// The `availability`/`activity` to post.
    pub pair: PresencePair,
    /// The `expirationDuration` to post.
    pub expiration: SignedDuration,
    /// The longest gap between two successful posts.
    pub refresh_every: SignedDuration,
}

impl SessionPlan {
    /// `expiration` as the ISO 8601 string to send (`"PT15M"`).
    pub fn expiration_iso8601(&self) -> String {
        iso8601(self.expiration)
    }
}

impl PreferredPresence {
    /// The session that keeps this status visible while Teams is closed, or `None` for Appear offline,
    /// which wants no session at all (see the [module docs](crate::session) for each choice).
    pub fn session_plan(self) -> Option<SessionPlan> {
        let (availability, activity, refresh_every) = match self {
            Self::Available => (
                Availability::Available,
                Activity::Available,
                AVAILABLE_SESSION_REFRESH,
            ),
            Self::Busy => (Availability::Busy, Activity::InACall, SESSION_REFRESH),
            Self::DoNotDisturb => (Availability::DoNotDisturb, Activity::Presenting, SESSION_REFRESH),
            Self::BeRightBack | Self::AppearAway => (Availability::Away, Activity::Away, SESSION_REFRESH),
            Self::AppearOffline => return None,
        };
        Some(SessionPlan {
            pair: PresencePair::new(availability, activity),
            expiration: SESSION_EXPIRATION,
            refresh_every,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// contract §2: the five pairs setPresence accepts.
    fn accepted_session_pairs() -> Vec<PresencePair> {
        [
            ("Available", "Available"),
            ("Busy", "InACall"),
            ("Busy", "InAConferenceCall"),
            ("Away", "Away"),
            ("DoNotDisturb", "Presenting"),
        ]
        .into_iter()
        .map(|(a, b)| PresencePair::new(Availability::from_wire(a), Activity::from_wire(b)))
        .collect()
    }

    #[test]
    fn every_session_pair_is_one_that_set_presence_accepts() {
        let accepted = accepted_session_pairs();
        for status in PreferredPresence::ALL {
            if let Some(plan) = status.session_plan() {
                assert!(accepted.contains(&plan.pair), "{status:?} -> {}", plan.pair);
            }
        }
    }

    #[test]
    fn each_status_falls_back_to_a_session_of_the_same_colour_family() {
        let availability = |s: PreferredPresence| s.session_plan().map(|p| p.pair.availability);
        assert_eq!(
            availability(PreferredPresence::Available),
            Some(Availability::Available)
        );
        assert_eq!(availability(PreferredPresence::Busy), Some(Availability::Busy));
        assert_eq!(
            availability(PreferredPresence::DoNotDisturb),
            Some(Availability::DoNotDisturb)
        );
        assert_eq!(
            availability(PreferredPresence::BeRightBack),
            Some(Availability::Away)
        );
        assert_eq!(
            availability(PreferredPresence::AppearAway),
            Some(Availability::Away)
        );
    }

    #[test]
    fn appear_offline_keeps_no_session_so_it_stays_offline_if_the_pin_lapses() {
        assert_eq!(PreferredPresence::AppearOffline.session_plan(), None);
    }

    #[test]
    fn session_expirations_are_within_what_set_presence_accepts() {
        for plan in PreferredPresence::ALL
            .into_iter()
            .filter_map(PreferredPresence::session_plan)
        {
            assert!(plan.expiration >= SESSION_EXPIRATION_MIN && plan.expiration <= SESSION_EXPIRATION_MAX);
            assert!(plan.refresh_every < plan.expiration);
            assert_eq!(plan.expiration_iso8601(), "PT15M");
        }
    }

    #[test]
    fn an_available_session_is_refreshed_before_it_fades() {
        let plan = PreferredPresence::Available.session_plan().unwrap();
        assert!(plan.refresh_every < AVAILABLE_SESSION_FADES_AFTER);
    }
}
