//! When a chosen status ends ([`Until`]) and what to send Graph for it ([`WireExpiration`]).
//!
//! An [`Until`] is **resolved**: an absolute instant, "until I change it", or "whatever Graph's default
//! is". Turning a user's choice ("1h", "until 17:30", "end of day") into one needs the current time and
//! zone, and lives in [`crate::choice`]; this module only needs "now" as a [`Timestamp`] and never
//! reads the clock itself.
//!
//! # The cap, and what the keeper must do
//! Graph documents no minimum or maximum for the preferred presence `expirationDuration` (contract §2);
//! the emulator assumes a 7-day cap. So Presently never sends more than [`PREFERRED_EXPIRY_CAP`]
//! (7 days, matching Graph's longest default): an intent that outlasts the cap ("until I change it",
//! "for 3 weeks") is sent capped, and [`WireDuration::needs_renewal`] tells the keeper to post the pin
//! again before [`WireDuration::lapses_at`]. Everything shorter is sent exactly (rounded **up** to a
//! whole second, so a pin never lapses before the chosen end, and at most one second after it).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest `expirationDuration` Presently sends with `setUserPreferredPresence`: 7 days.
///
/// \[assumed\] Graph documents no maximum (contract §2); 7 days is Graph's own longest default and the
/// emulator's default cap, so it is the longest value we can expect to be accepted.
pub const PREFERRED_EXPIRY_CAP: SignedDuration = SignedDuration::from_hours(24 * 7);

/// When a chosen status ends, resolved against the time it was chosen.
///
/// Serialises camelCase with a `kind` tag: `{"kind":"at","at":"2025-03-30T15:30:00Z"}`,
/// `{"kind":"untilChanged"}`, `{"kind":"graphDefault"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Until {
    /// Ends at this instant.
    At {
        /// The end.
        #[ts(type = "string")]
        at: Timestamp,
    },
    /// Lasts until the user chooses something else; the keeper renews the pin before each cap lapses.
    UntilChanged,
    /// Send no `expirationDuration` and let Graph apply its default (1 or 7 days, contract §2). Such a
    /// pin is posted once and not renewed; see [`Intent::ends_at`](crate::intent::Intent::ends_at).
    GraphDefault,
}

/// What to put in `expirationDuration`, for an [`Until`] at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireExpiration {
    /// Omit `expirationDuration`: Graph applies its default.
    Omit,
    /// Send this duration.
    Send(WireDuration),
    /// The end has already come: do not pin; the keeper should clear instead.
    Expired,
}

/// A positive `expirationDuration` to send, and whether the intent outlasts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireDuration {
    /// The duration: positive, whole seconds, at most the cap.
    pub duration: SignedDuration,
    /// When the pin posted now with this duration lapses (`now + duration`).
    pub lapses_at: Timestamp,
    /// True when the intent lasts beyond `lapses_at` because the cap cut it short: the keeper must
    /// post the pin again before `lapses_at`.
    pub needs_renewal: bool,
}

impl WireDuration {
    /// The duration as the ISO 8601 string Graph expects, e.g. `"PT1H30M"`.
    pub fn iso8601(&self) -> String {
        iso8601(self.duration)
    }
}

impl Until {
    /// Ends at `at`.
    pub fn at(at: Timestamp) -> Self {
        Until::At { at }
    }

    /// The absolute end, when there is one. `GraphDefault` has one only together with the status and
    /// the time it was set: see [`Intent::ends_at`](crate::intent::Intent::ends_at).
    pub fn end(&self) -> Option<Timestamp> {
        match self {
            Until::At { at } => Some(*at),
            Until::UntilChanged | Until::GraphDefault => None,
        }
    }

    /// What to send as `expirationDuration` when posting the pin at `now`, capped at
    /// [`PREFERRED_EXPIRY_CAP`].
    pub fn wire_expiration(&self, now: Timestamp) -> WireExpiration {
        self.wire_expiration_with_cap(now, PREFERRED_EXPIRY_CAP)
    }

    /// Like [`wire_expiration`](Self::wire_expiration) with another cap (e.g. a tenant known to
    /// accept less). A cap under one second is treated as [`PREFERRED_EXPIRY_CAP`].
    pub fn wire_expiration_with_cap(&self, now: Timestamp, cap: SignedDuration) -> WireExpiration {
        let cap_secs = if cap.as_secs() >= 1 {
            cap.as_secs()
        } else {
            PREFERRED_EXPIRY_CAP.as_secs()
        };
        let (wanted_secs, open_ended) = match self {
            Until::GraphDefault => return WireExpiration::Omit,
            Until::UntilChanged => (cap_secs, true),
            Until::At { at } => {
                let remaining = at.duration_since(now);
                if !remaining.is_positive() {
                    return WireExpiration::Expired;
                }
                (whole_seconds_up(remaining), false)
            }
        };
        let secs = wanted_secs.min(cap_secs);
        let duration = SignedDuration::from_secs(secs);
        WireExpiration::Send(WireDuration {
            duration,
            lapses_at: now.checked_add(duration).unwrap_or(Timestamp::MAX),
            needs_renewal: open_ended || wanted_secs > cap_secs,
        })
    }
}

/// A positive duration's length in whole seconds, rounding any fraction up.
fn whole_seconds_up(duration: SignedDuration) -> i64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs.saturating_add(1)
    } else {
        secs
    }
}

/// Formats a duration as an ISO 8601 duration in hours, minutes and seconds, the way Graph's examples
/// write them: `PT30M`, `PT1H30M`, `PT168H`, `PT7H14M18S`.
///
/// Days are not used (a day is not always 24 hours; `PT48H` is unambiguous). A fraction of a second is
/// rounded up; zero or a negative duration gives `PT0S` (never sent by this crate).
pub fn iso8601(duration: SignedDuration) -> String {
    if !duration.is_positive() {
        return "PT0S".to_owned();
    }
    let total = whole_seconds_up(duration);
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    if seconds > 0 {
        out.push_str(&format!("{seconds}S"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn iso8601_writes_hours_minutes_and_seconds_without_days() {
        assert_eq!(iso8601(SignedDuration::from_mins(30)), "PT30M");
        assert_eq!(iso8601(SignedDuration::from_mins(90)), "PT1H30M");
        assert_eq!(iso8601(SignedDuration::from_hours(2)), "PT2H");
        assert_eq!(iso8601(SignedDuration::from_hours(24 * 7)), "PT168H");
        assert_eq!(
            iso8601(SignedDuration::from_secs(7 * 3600 + 14 * 60 + 18)),
            "PT7H14M18S"
        );
        assert_eq!(iso8601(SignedDuration::from_secs(45)), "PT45S");
        assert_eq!(iso8601(SignedDuration::from_secs(3601)), "PT1H1S");
    }

    #[test]
    fn iso8601_rounds_a_fraction_of_a_second_up_and_writes_nothing_negative() {
        assert_eq!(iso8601(SignedDuration::new(59, 1)), "PT1M");
        assert_eq!(iso8601(SignedDuration::new(0, 1)), "PT1S");
        assert_eq!(iso8601(SignedDuration::ZERO), "PT0S");
        assert_eq!(iso8601(SignedDuration::from_mins(-5)), "PT0S");
    }

    #[test]
    fn iso8601_output_parses_back_to_the_same_duration() {
        for secs in [60, 90 * 60, 3600 * 168, 26_058] {
            let duration = SignedDuration::from_secs(secs);
            assert_eq!(iso8601(duration).parse::<SignedDuration>().unwrap(), duration);
        }
    }

    #[test]
    fn an_end_within_the_cap_is_sent_exactly_and_needs_no_renewal() {
        let now = ts("2025-03-30T10:00:00Z");
        let until = Until::at(ts("2025-03-30T11:30:00Z"));
        let WireExpiration::Send(wire) = until.wire_expiration(now) else {
            panic!("expected Send")
        };
        assert_eq!(wire.iso8601(), "PT1H30M");
        assert_eq!(wire.lapses_at, ts("2025-03-30T11:30:00Z"));
        assert!(!wire.needs_renewal);
    }

    #[test]
    fn a_sub_second_remainder_rounds_up_so_the_pin_never_lapses_early() {
        let now = ts("2025-03-30T10:00:00.250Z");
        let until = Until::at(ts("2025-03-30T10:30:00Z"));
        let WireExpiration::Send(wire) = until.wire_expiration(now) else {
            panic!("expected Send")
        };
        assert_eq!(wire.iso8601(), "PT30M");
        assert!(wire.lapses_at >= ts("2025-03-30T10:30:00Z"));
    }

    #[test]
    fn an_end_beyond_the_cap_is_clamped_and_asks_for_renewal() {
        let now = ts("2025-03-01T00:00:00Z");
        let until = Until::at(ts("2025-03-21T00:00:00Z"));
        let WireExpiration::Send(wire) = until.wire_expiration(now) else {
            panic!("expected Send")
        };
        assert_eq!(wire.duration, PREFERRED_EXPIRY_CAP);
        assert_eq!(wire.iso8601(), "PT168H");
        assert_eq!(wire.lapses_at, ts("2025-03-08T00:00:00Z"));
        assert!(wire.needs_renewal);
    }

    #[test]
    fn exactly_the_cap_is_sent_without_renewal() {
        let now = ts("2025-03-01T00:00:00Z");
        let until = Until::at(ts("2025-03-08T00:00:00Z"));
        let WireExpiration::Send(wire) = until.wire_expiration(now) else {
            panic!("expected Send")
        };
        assert_eq!(wire.duration, PREFERRED_EXPIRY_CAP);
        assert!(!wire.needs_renewal);
    }

    #[test]
    fn until_changed_sends_the_cap_and_always_asks_for_renewal() {
        let now = ts("2025-03-01T00:00:00Z");
        let WireExpiration::Send(wire) = Until::UntilChanged.wire_expiration(now) else {
            panic!("expected Send")
        };
        assert_eq!(wire.iso8601(), "PT168H");
        assert!(wire.needs_renewal);
        let WireExpiration::Send(short) =
            Until::UntilChanged.wire_expiration_with_cap(now, SignedDuration::from_hours(1))
        else {
            panic!("expected Send")
        };
        assert_eq!(short.iso8601(), "PT1H");
        assert!(short.needs_renewal);
    }

    #[test]
    fn a_custom_cap_clamps_and_a_nonsense_cap_falls_back_to_the_default() {
        let now = ts("2025-03-01T00:00:00Z");
        let until = Until::at(ts("2025-03-01T05:00:00Z"));
        let WireExpiration::Send(capped) = until.wire_expiration_with_cap(now, SignedDuration::from_hours(4))
        else {
            panic!("expected Send")
        };
        assert_eq!((capped.iso8601().as_str(), capped.needs_renewal), ("PT4H", true));
        let WireExpiration::Send(fallback) = until.wire_expiration_with_cap(now, SignedDuration::ZERO) else {
            panic!("expected Send")
        };
        assert_eq!(
            (fallback.iso8601().as_str(), fallback.needs_renewal),
            ("PT5H", false)
        );
    }

    #[test]
    fn graph_default_omits_the_duration() {
        let now = ts("2025-03-01T00:00:00Z");
        assert_eq!(Until::GraphDefault.wire_expiration(now), WireExpiration::Omit);
    }

    #[test]
    fn an_end_that_has_come_is_expired_not_sent() {
        let now = ts("2025-03-01T12:00:00Z");
        assert_eq!(Until::at(now).wire_expiration(now), WireExpiration::Expired);
        assert_eq!(
            Until::at(ts("2025-03-01T11:00:00Z")).wire_expiration(now),
            WireExpiration::Expired
        );
    }

    #[test]
    fn until_serialises_with_a_camel_case_kind_tag() {
        let at = Until::at(ts("2025-03-30T15:30:00Z"));
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            r#"{"kind":"at","at":"2025-03-30T15:30:00Z"}"#
        );
        assert_eq!(
            serde_json::to_string(&Until::UntilChanged).unwrap(),
            r#"{"kind":"untilChanged"}"#
        );
        assert_eq!(
            serde_json::to_string(&Until::GraphDefault).unwrap(),
            r#"{"kind":"graphDefault"}"#
        );
        for until in [at, Until::UntilChanged, Until::GraphDefault] {
            let json = serde_json::to_string(&until).unwrap();
            assert_eq!(serde_json::from_str::<Until>(&json).unwrap(), until);
        }
    }
}
