//! The keeper's arithmetic, apart from any I/O so it can be tested line by line: how long our presence session
//! lives, when each renewal falls due, how long to back off, and what a read-back means.
//!
//! Request economy: with Teams closed and "until I change it", the steady state is one token refresh per
//! access-token life (60–90 min, contract §5), one read every [`CHECK_INTERVAL`] to notice a change made in
//! Teams, and one session renewal every four hours — about 3.3 requests an hour (`presently-bench economy`).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use presently_model::{Availability, Intent, PreferredPresence, PresencePair};

/// A session is renewed this long before it lapses: room for Graph's own retries (3 + 6 + 12 s, contract §4)
/// and several of the keeper's backoffs.
pub const SESSION_RENEW_MARGIN: SignedDuration = SignedDuration::from_mins(15);
/// A capped pin is re-posted this long before Graph would drop it.
pub const PIN_RENEW_MARGIN: SignedDuration = SignedDuration::from_hours(1);
/// How long after a write the keeper reads presence back: the service reflects a write at once (contract §3),
/// a short pause lets Graph settle without the user waiting.
pub const READ_BACK_DELAY: SignedDuration = SignedDuration::from_secs(2);
/// Token refreshes are spread by up to this much after they fall due, so many clients do not refresh in step.
pub const REFRESH_JITTER_MAX: Duration = Duration::from_secs(60);
/// First and largest retry delays after a transient failure (network down, 503, throttled).
pub const BACKOFF_FIRST: Duration = Duration::from_secs(30);
/// See [`BACKOFF_FIRST`].
pub const BACKOFF_MAX: Duration = Duration::from_secs(10 * 60);
/// While a status is kept, Graph is read at least this often, so a change made in Teams is noticed (and adopted)
/// within this long even when nothing else is due. Two reads an hour: the presence throttle is per app per
/// tenant (contract §4), so every request an hour per user counts in the largest tenants.
pub const CHECK_INTERVAL: SignedDuration = SignedDuration::from_mins(30);
/// A reading younger than this is fresh enough for someone looking (the popup opening, `presently status`);
/// an older one is read again first.
pub const FRESH_FOR: SignedDuration = SignedDuration::from_secs(60);
/// Where nothing announces wall-clock jumps (see `wall_clock`), the keeper wakes at least this often to notice
/// one (the computer slept): a timer on the monotonic clock does not count the time asleep. A wake costs
/// microseconds and no request.
pub const MAX_NAP: Duration = Duration::from_secs(60);
/// A wall-clock advance this much larger than the monotonic one means the computer slept (or the clock was set).
pub const JUMP_THRESHOLD: SignedDuration = SignedDuration::from_mins(2);

/// The `expirationDuration` of our session: four hours (PT4H, the longest setPresence accepts, contract §2), or
/// less when the intent ends sooner, never below PT5M. The pin wins over every session while one is alive
/// (contract §3), so the session's job is to exist; a long one costs one renewal per four hours and bounds how
/// long a crashed Presently leaves it behind. The rule lives in the model, shared with the one-shot CLI.
pub use presently_model::session::session_lifetime;

/// When a session that lapses at `until` must be renewed, if the intent outlasts it.
pub fn session_renewal(until: Timestamp, intent_end: Option<Timestamp>) -> Option<Timestamp> {
    match intent_end {
        Some(end) if end <= until => None,
        _ => Some(until.checked_sub(SESSION_RENEW_MARGIN).unwrap_or(until)),
    }
}

/// When a capped pin that lapses at `lapses_at` must be re-posted.
pub fn pin_renewal(lapses_at: Timestamp) -> Timestamp {
    lapses_at.checked_sub(PIN_RENEW_MARGIN).unwrap_or(lapses_at)
}

/// The delay before retry number `attempt` (0 = first), at least what the server asked for.
pub fn backoff(attempt: u32, server_hint: Option<Duration>) -> Duration {
    let doubled = BACKOFF_FIRST.saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX));
    let hint = server_hint.unwrap_or_default().min(SERVER_HINT_MAX);
    doubled.min(BACKOFF_MAX).max(hint)
}

/// The longest wait a server's hint can impose on the keeper. The Graph client already clamps `Retry-After`
/// to an hour; this bound keeps the keeper safe whatever hands it a delay.
pub const SERVER_HINT_MAX: Duration = Duration::from_secs(3600);

/// `at + delay`, saturating at the latest representable time instead of panicking: a delay that came from a
/// server must never crash the keeper, and must never wrap into "now" either (a request loop).
pub fn later(at: Timestamp, delay: Duration) -> Timestamp {
    SignedDuration::try_from(delay)
        .ok()
        .and_then(|d| at.checked_add(d).ok())
        .unwrap_or(Timestamp::MAX)
}

/// What a read-back means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Graph shows the user's choice.
    Matches,
    /// Graph shows Offline: no session is alive (ours lapsed or was never accepted). Re-post the session.
    SessionMissing,
    /// Graph shows something else right after our own write (a tenant policy, Teams not caught up): say so,
    /// do not fight.
    Differs(String),
    /// Graph showed the user's choice before and now shows something else: the user changed it elsewhere
    /// (Teams). Adopt it: the status, or automatic when it is not one of the six pins.
    Adopt(Option<PreferredPresence>),
    /// Our pin is gone by its own expiry (or was never accepted) while the intent still holds: post it again.
    Reassert,
}

/// What the keeper knows of the pin it posted for the current intent, to judge a reading taken after a gap
/// (a restart, a wake from sleep, the network back, a renewal, a periodic check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinKnowledge {
    /// Graph accepted our pin for this status and its `expirationDuration` has not run out.
    pub live: bool,
    /// Graph has shown that pin since it was posted, so a different reading now is someone else's doing.
    pub shown: bool,
}

/// Judges a reading of a kept intent. While our pin lives it is [`judge`]: a status picked elsewhere since
/// Graph showed ours is adopted, Offline means our session is missing. A pin of ours that lapsed by its own
/// expiry explains any other reading, so it is re-asserted. (Assumption, contract §2: what happens when a pin
/// lapses is undocumented; the emulator drops it and lets sessions decide.)
pub fn judge_kept(intent: &Intent, reported: &PresencePair, pin: PinKnowledge) -> Verdict {
    if pin.live {
        return judge(intent, reported, pin.shown);
    }
    match judge(intent, reported, false) {
        Verdict::Matches => Verdict::Matches,
        _ => Verdict::Reassert,
    }
}

/// Compares Graph's report with the intent. `confirmed` says whether Graph already showed this intent since
/// it was last written: only then is a difference someone else's change (contract §3: the pin wins while a
/// session exists, so nothing but another pin or its removal changes what a confirmed pin shows).
pub fn judge(intent: &Intent, reported: &PresencePair, confirmed: bool) -> Verdict {
    let wanted = intent.status.preferred_pair();
    let offline = reported.availability == Availability::Offline;
    if intent.status == PreferredPresence::AppearOffline {
        // Appear offline keeps no session (model `session_plan`): Graph then reads Offline/Offline, which is
        // exactly what colleagues should see.
        return if offline {
            Verdict::Matches
        } else {
            verdict_for_other(reported, confirmed, intent.status)
        };
    }
    if *reported == wanted {
        return Verdict::Matches;
    }
    if offline && reported.activity != wanted.activity {
        return Verdict::SessionMissing;
    }
    verdict_for_other(reported, confirmed, intent.status)
}

fn verdict_for_other(reported: &PresencePair, confirmed: bool, wanted: PreferredPresence) -> Verdict {
    let other = PreferredPresence::from_preferred_pair(reported);
    if confirmed {
        return Verdict::Adopt(other);
    }
    let shown = format!(
        "{}/{}",
        reported.availability.as_str(),
        reported.activity.as_str()
    );
    Verdict::Differs(match other {
        Some(status) => format!(
            "Graph reports {} instead of {}: another app or Teams has set a status.",
            status.display_name(),
            wanted.display_name()
        ),
        None => format!(
            "Graph reports {shown} instead of {}: a tenant policy or Teams may be overriding it for now.",
            wanted.display_name()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_model::{Activity, Origin, Until};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn intent(status: PreferredPresence) -> Intent {
        Intent::new(
            status,
            Until::UntilChanged,
            at("2026-01-05T09:00:00Z"),
            Origin::Cli,
        )
    }

    #[test]
    fn a_session_is_renewed_before_it_lapses_only_when_the_intent_outlasts_it() {
        let until = at("2026-01-05T13:00:00Z");
        assert_eq!(session_renewal(until, None), Some(at("2026-01-05T12:45:00Z")));
        assert_eq!(session_renewal(until, Some(at("2026-01-05T12:00:00Z"))), None);
        assert_eq!(
            session_renewal(until, Some(at("2026-01-05T17:00:00Z"))),
            Some(at("2026-01-05T12:45:00Z"))
        );
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_caps_at_ten_minutes_and_honours_the_server() {
        let secs: Vec<u64> = (0..7).map(|n| backoff(n, None).as_secs()).collect();
        assert_eq!(secs, vec![30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(backoff(0, Some(Duration::from_secs(900))).as_secs(), 900);
        assert_eq!(backoff(40, None), BACKOFF_MAX);
    }

    #[test]
    fn after_a_gap_a_status_picked_elsewhere_is_adopted_and_a_lapsed_session_is_re_posted() {
        let busy = intent(PreferredPresence::Busy);
        let shown = PinKnowledge {
            live: true,
            shown: true,
        };
        let dnd = PreferredPresence::DoNotDisturb.preferred_pair();
        assert_eq!(
            judge_kept(&busy, &dnd, shown),
            Verdict::Adopt(Some(PreferredPresence::DoNotDisturb))
        );
        let no_session = PresencePair::new(Availability::Offline, Activity::Offline);
        assert_eq!(judge_kept(&busy, &no_session, shown), Verdict::SessionMissing);
        assert_eq!(
            judge_kept(&busy, &PreferredPresence::Busy.preferred_pair(), shown),
            Verdict::Matches
        );
    }

    #[test]
    fn after_a_gap_a_pin_never_shown_is_not_taken_for_a_change_made_elsewhere() {
        let busy = intent(PreferredPresence::Busy);
        let unshown = PinKnowledge {
            live: true,
            shown: false,
        };
        let dnd = PreferredPresence::DoNotDisturb.preferred_pair();
        assert!(matches!(judge_kept(&busy, &dnd, unshown), Verdict::Differs(_)));
    }

    #[test]
    fn a_pin_that_lapsed_by_its_own_expiry_is_re_asserted_whatever_graph_shows() {
        let busy = intent(PreferredPresence::Busy);
        let lapsed = PinKnowledge {
            live: false,
            shown: true,
        };
        let automatic = PresencePair::new(Availability::Available, Activity::Available);
        assert_eq!(judge_kept(&busy, &automatic, lapsed), Verdict::Reassert);
        let no_session = PresencePair::new(Availability::Offline, Activity::Offline);
        assert_eq!(judge_kept(&busy, &no_session, lapsed), Verdict::Reassert);
        assert_eq!(
            judge_kept(&busy, &PreferredPresence::Busy.preferred_pair(), lapsed),
            Verdict::Matches
        );
    }

    #[test]
    fn a_server_hint_is_capped_and_adding_a_delay_to_a_time_never_panics_or_wraps() {
        assert_eq!(backoff(0, Some(Duration::from_secs(u64::MAX))), SERVER_HINT_MAX);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(
            later(now, Duration::from_secs(90)),
            now + SignedDuration::from_secs(90)
        );
        assert_eq!(later(now, Duration::from_secs(300_000_000_000)), Timestamp::MAX);
        assert_eq!(later(now, Duration::MAX), Timestamp::MAX);
        assert_eq!(later(Timestamp::MAX, Duration::from_secs(1)), Timestamp::MAX);
    }

    #[test]
    fn graph_showing_the_pin_matches() {
        let busy = intent(PreferredPresence::Busy);
        assert_eq!(
            judge(&busy, &PreferredPresence::Busy.preferred_pair(), false),
            Verdict::Matches
        );
    }

    #[test]
    fn appear_offline_matches_graph_offline_with_or_without_a_session() {
        let off = intent(PreferredPresence::AppearOffline);
        let no_session = PresencePair::new(Availability::Offline, Activity::Offline);
        assert_eq!(judge(&off, &no_session, false), Verdict::Matches);
        assert_eq!(
            judge(&off, &PreferredPresence::AppearOffline.preferred_pair(), true),
            Verdict::Matches
        );
    }

    #[test]
    fn offline_while_a_visible_status_is_wanted_means_the_session_is_missing() {
        let busy = intent(PreferredPresence::Busy);
        let no_session = PresencePair::new(Availability::Offline, Activity::Offline);
        assert_eq!(judge(&busy, &no_session, true), Verdict::SessionMissing);
    }

    #[test]
    fn a_difference_right_after_our_write_is_reported_not_fought() {
        let busy = intent(PreferredPresence::Busy);
        let meeting = PresencePair::new(Availability::Busy, Activity::InAMeeting);
        let Verdict::Differs(reason) = judge(&busy, &meeting, false) else {
            panic!()
        };
        assert!(reason.contains("instead of Busy"), "{reason}");
    }

    #[test]
    fn a_confirmed_pin_replaced_by_another_is_adopted() {
        let busy = intent(PreferredPresence::Busy);
        let dnd = PreferredPresence::DoNotDisturb.preferred_pair();
        assert_eq!(
            judge(&busy, &dnd, true),
            Verdict::Adopt(Some(PreferredPresence::DoNotDisturb))
        );
        let automatic = PresencePair::new(Availability::Available, Activity::Available);
        let brb = intent(PreferredPresence::BeRightBack);
        assert_eq!(
            judge(&brb, &automatic, true),
            Verdict::Adopt(Some(PreferredPresence::Available))
        );
        let meeting = PresencePair::new(Availability::Busy, Activity::InAMeeting);
        assert_eq!(judge(&brb, &meeting, true), Verdict::Adopt(None));
    }
}
