//! When to try a Graph request again, and after how long: a small policy object with no I/O and no clock
//! of its own (architecture convention 8), so every row of its table is a plain unit test.
//!
//! The policy follows contract §4, which follows Microsoft's own SDKs:
//! - only `429 Too Many Requests`, `503 Service Unavailable` and `504 Gateway Timeout` are retried; every other
//!   4xx and 5xx is final, because asking again cannot change the answer;
//! - a `Retry-After` header is honoured (delta-seconds or an HTTP-date); retrying earlier prolongs throttling;
//! - without one, the delay grows exponentially from 3 s (3, 6, 12, ...), capped at 180 s;
//! - at most 3 retries, so at most 4 attempts.
//!
//! Two decisions are ours, not the contract's:
//! - A `Retry-After` longer than the cap (180 s) is **not** slept through inside a call: the call gives up at
//!   once and its error carries the server's delay, so the caller (the keeper) can schedule the retry instead
//!   of holding a user's click for minutes.
//! - Transport failures (connect error, timeout, connection dropped mid-response) are retried like a 503.
//!   That is safe only because every call this crate makes is idempotent: a GET, or a presence write that
//!   sets a state ("set X", "clear Y") rather than changing it relative to what is there. Sending the same
//!   write twice leaves the same state. The one visible difference is `clearPresence`: if a first attempt
//!   cleared the session and only its answer was lost, the retry gets 404, which the client reports as
//!   "no such session", an outcome that means the same thing for the caller.

use std::time::{Duration, SystemTime};

/// How many times and how long to wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (contract §4: 3).
    pub max_retries: u32,
    /// The first backoff delay when the server names none (contract §4: 3 s).
    pub base_delay: Duration,
    /// The longest delay slept inside a call, for backoff and `Retry-After` alike (contract §4: 180 s).
    pub max_delay: Duration,
    /// Whether transport failures are retried (see the module docs for why that is safe here).
    pub retry_transport_errors: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_secs(3),
            max_delay: Duration::from_secs(180),
            retry_transport_errors: true,
        }
    }
}

/// What went wrong with one attempt, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with a non-success status.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The server's `Retry-After`, already turned into a delay (see [`parse_retry_after`]).
        retry_after: Option<Duration>,
    },
    /// No (complete) answer arrived: connect error, timeout, or the connection dropped.
    Transport,
}

/// The policy's verdict on one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this long, then send the request again.
    RetryAfter(Duration),
    /// Stop and report the failure.
    GiveUp,
}

impl RetryPolicy {
    /// A policy that never retries (useful for callers that schedule retries themselves).
    pub fn never() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Whether a status is one that may succeed if asked again later (contract §4: 429, 503, 504).
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 503 | 504)
    }

    /// The exponential backoff before retry number `retry` (1-based): `base × 2^(retry-1)`, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let factor = 1u32 << exponent;
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// Decides what to do after an attempt failed, given how many retries were already made.
    ///
    /// `retries_done` is 0 after the first attempt. The result does not depend on the clock: a `Retry-After`
    /// date has already been converted to a delay by [`parse_retry_after`].
    pub fn decide(&self, retries_done: u32, failure: Failure) -> Decision {
        if retries_done >= self.max_retries {
            return Decision::GiveUp;
        }
        let next = retries_done + 1;
        match failure {
            Failure::Status { status, retry_after } => {
                if !Self::is_retryable_status(status) {
                    return Decision::GiveUp;
                }
                match retry_after {
                    // Our decision (module docs): a server asking for more than the cap is not slept through.
                    Some(delay) if delay > self.max_delay => Decision::GiveUp,
                    Some(delay) => Decision::RetryAfter(delay),
                    None => Decision::RetryAfter(self.backoff(next)),
                }
            }
            Failure::Transport if self.retry_transport_errors => Decision::RetryAfter(self.backoff(next)),
            Failure::Transport => Decision::GiveUp,
        }
    }
}

/// The longest delay a `Retry-After` is taken to mean. A server value beyond it (up to `u64::MAX` seconds, or
/// an HTTP-date in year 9999) is read as this: the delay is later added to a timestamp, which holds only about
/// 2.6e11 s, and an hour is already far beyond anything Graph is documented to ask for (an assumption about
/// Microsoft's service: its throttling guidance speaks of seconds to minutes).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Turns a `Retry-After` header value into a delay, at most [`MAX_RETRY_AFTER`].
///
/// Accepts both forms of RFC 9110 §10.2.3: delta-seconds (`"7"`) and an HTTP-date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, plus the two obsolete date forms). A date is measured from `reference`,
/// which should be the response's own `Date` header when it has one (so a skewed local clock does not
/// matter) and the local time otherwise; a date in the past means "now" (zero). Anything else is `None`,
/// and the caller falls back to backoff.
pub fn parse_retry_after(value: &str, reference: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let delay = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate rather than fail: they mean "a very long time".
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(reference).unwrap_or(Duration::ZERO)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<u64>) -> Failure {
        Failure::Status {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn secs(s: u64) -> Decision {
        Decision::RetryAfter(Duration::from_secs(s))
    }

    #[test]
    fn only_429_503_and_504_are_retried() {
        let p = RetryPolicy::default();
        for code in [429, 503, 504] {
            assert_eq!(p.decide(0, status(code, None)), secs(3), "status {code}");
        }
        for code in [400, 401, 403, 404, 405, 409, 412, 413, 500, 501, 502, 505] {
            assert_eq!(p.decide(0, status(code, None)), Decision::GiveUp, "status {code}");
            assert_eq!(
                p.decide(0, status(code, Some(1))),
                Decision::GiveUp,
                "status {code} with Retry-After"
            );
        }
    }

    #[test]
    fn without_retry_after_the_backoff_doubles_from_three_seconds() {
        let p = RetryPolicy::default();
        assert_eq!(p.decide(0, status(503, None)), secs(3));
        assert_eq!(p.decide(1, status(503, None)), secs(6));
        assert_eq!(p.decide(2, status(503, None)), secs(12));
    }

    #[test]
    fn at_most_three_retries_are_made() {
        let p = RetryPolicy::default();
        assert_eq!(p.decide(3, status(429, None)), Decision::GiveUp);
        assert_eq!(p.decide(3, status(429, Some(1))), Decision::GiveUp);
        assert_eq!(p.decide(3, Failure::Transport), Decision::GiveUp);
    }

    #[test]
    fn the_backoff_is_capped_at_180_seconds() {
        let p = RetryPolicy {
            max_retries: 40,
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(6), Duration::from_secs(96));
        assert_eq!(p.backoff(7), Duration::from_secs(180), "192 s is capped");
        assert_eq!(
            p.backoff(40),
            Duration::from_secs(180),
            "huge exponents do not overflow"
        );
        assert_eq!(p.decide(30, status(504, None)), secs(180));
    }

    #[test]
    fn a_retry_after_is_honoured_instead_of_the_backoff() {
        let p = RetryPolicy::default();
        assert_eq!(p.decide(0, status(429, Some(17))), secs(17));
        assert_eq!(p.decide(2, status(429, Some(1))), secs(1), "not the 12 s backoff");
        assert_eq!(p.decide(0, status(503, Some(0))), secs(0));
        assert_eq!(
            p.decide(0, status(429, Some(180))),
            secs(180),
            "the cap itself is still slept"
        );
    }

    #[test]
    fn a_retry_after_beyond_the_cap_gives_up_so_the_caller_can_schedule() {
        let p = RetryPolicy::default();
        assert_eq!(p.decide(0, status(429, Some(181))), Decision::GiveUp);
        assert_eq!(p.decide(0, status(503, Some(3600))), Decision::GiveUp);
    }

    #[test]
    fn transport_failures_are_retried_with_backoff_unless_switched_off() {
        let p = RetryPolicy::default();
        assert_eq!(p.decide(0, Failure::Transport), secs(3));
        assert_eq!(p.decide(2, Failure::Transport), secs(12));
        let strict = RetryPolicy {
            retry_transport_errors: false,
            ..p
        };
        assert_eq!(strict.decide(0, Failure::Transport), Decision::GiveUp);
    }

    #[test]
    fn a_never_policy_gives_up_at_once() {
        assert_eq!(
            RetryPolicy::never().decide(0, status(429, Some(1))),
            Decision::GiveUp
        );
    }

    #[test]
    fn retry_after_in_seconds_is_parsed() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
    }

    #[test]
    fn an_absurd_retry_after_is_clamped_to_an_hour() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let hour = Some(Duration::from_secs(3600));
        for absurd in [
            "99999999999999999999999",
            "18446744073709551615",
            "300000000000",
            "3601",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(parse_retry_after(absurd, now), hour, "{absurd:?}");
        }
        assert_eq!(parse_retry_after("3600", now), hour, "the bound itself is kept");
    }

    #[test]
    fn retry_after_as_an_http_date_is_measured_from_the_reference_time() {
        // 2015-10-21T07:28:00Z is 1445412480 s after the epoch.
        let reference = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480 - 30);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", reference),
            Some(Duration::from_secs(30))
        );
        // The obsolete RFC 850 and asctime forms are still HTTP-dates.
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", reference),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:00 2015", reference),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn a_retry_after_date_in_the_past_means_now() {
        let reference = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480 + 60);
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", reference),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn garbage_retry_after_values_are_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        for bad in ["", "soon", "-5", "1.5", "5s", "Wed, 99 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
