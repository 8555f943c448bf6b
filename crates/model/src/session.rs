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
//! still shows over it, which is all the session is for. How long the session lives and when it is
//! renewed is the keeper's decision (`presently_core::keeper::plan`): four hours (PT4H, the longest
//! `setPresence` accepts), renewed shortly before it lapses, so a steady status costs one renewal per
//! four hours rather than one every few minutes.

use jiff::SignedDuration;

use crate::status::PreferredPresence;
use crate::wire::{Activity, Availability, PresencePair};

/// Shortest `expirationDuration` `setPresence` accepts: PT5M (contract §2).
pub const SESSION_EXPIRATION_MIN: SignedDuration = SignedDuration::from_mins(5);
/// Longest `expirationDuration` `setPresence` accepts: PT4H (contract §2).
pub const SESSION_EXPIRATION_MAX: SignedDuration = SignedDuration::from_hours(4);
/// The `expirationDuration` of a session posted at `now` for a status that ends at `end`: until the end, within
/// what `setPresence` accepts (contract §2); four hours when it has no end. The keeper renews it before it lapses;
/// a one-shot `presently set` cannot, so there it is simply as long as allowed. One rule for both.
pub fn session_lifetime(now: jiff::Timestamp, end: Option<jiff::Timestamp>) -> SignedDuration {
    end.map(|end| end.duration_since(now))
        .unwrap_or(SESSION_EXPIRATION_MAX)
        .clamp(SESSION_EXPIRATION_MIN, SESSION_EXPIRATION_MAX)
}

/// What the keeper posts with `setPresence` for a status.
///
/// Guarantee: `pair` is one of the five pairs `setPresence` accepts (contract §2). The keeper chooses
/// the `expirationDuration` within [`SESSION_EXPIRATION_MIN`]..=[`SESSION_EXPIRATION_MAX`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPlan {
    /// The `availability`/`activity` to post.
    pub pair: PresencePair,
}

impl PreferredPresence {
    /// The session that keeps this status visible while Teams is closed, or `None` for Appear offline,
    /// which wants no session at all (see the [module docs](crate::session) for each choice).
    pub fn session_plan(self) -> Option<SessionPlan> {
        let (availability, activity) = match self {
            Self::Available => (Availability::Available, Activity::Available),
            Self::Busy => (Availability::Busy, Activity::InACall),
            Self::DoNotDisturb => (Availability::DoNotDisturb, Activity::Presenting),
            Self::BeRightBack | Self::AppearAway => (Availability::Away, Activity::Away),
            Self::AppearOffline => return None,
        };
        Some(SessionPlan {
            pair: PresencePair::new(availability, activity),
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
    fn a_session_lives_until_the_end_within_five_minutes_and_four_hours() {
        let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
        let now = at("2026-01-05T09:00:00Z");
        assert_eq!(session_lifetime(now, None), SignedDuration::from_hours(4));
        assert_eq!(
            session_lifetime(now, Some(at("2026-01-05T10:30:00Z"))),
            SignedDuration::from_mins(90)
        );
        assert_eq!(
            session_lifetime(now, Some(at("2026-01-05T09:01:00Z"))),
            SignedDuration::from_mins(5)
        );
        assert_eq!(
            session_lifetime(now, Some(at("2026-01-06T09:00:00Z"))),
            SignedDuration::from_hours(4)
        );
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
}
