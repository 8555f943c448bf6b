//! The wall clock that token expiry decisions read, injected so tests can run hours in milliseconds
//! (architecture convention 4).
//!
//! Only the *wall* time ("is this token past `expires_at - margin`?") goes through [`Clock`]. Waiting (device-code
//! poll intervals, retry backoff) uses `tokio::time::sleep`, which a test pauses and advances with
//! `tokio::time::pause`/`advance`; [`TokioClock`] follows that same paused time, so one `advance` moves both the
//! sleeps and the wall clock, and the emulator's clock (which also reads tokio's `Instant`) moves with them.

use std::fmt::Debug;

use jiff::{SignedDuration, Timestamp};

/// A source of wall-clock time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> Timestamp;

    /// Whether the operating system announces this clock's jumps (a resume from sleep, the clock being set), so
    /// that a waiter can be told instead of waking to compare it with the monotonic clock. Only the system's own
    /// wall clock is announced; a test's clock jumps unannounced.
    fn os_announces_jumps(&self) -> bool {
        false
    }
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn os_announces_jumps(&self) -> bool {
        true
    }
}

/// A clock that reads `start` when created and then follows tokio's time, which tests can pause and advance.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: Timestamp,
    anchor: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `start` now. Inside a runtime with paused time it advances only when tokio's time does.
    pub fn starting_at(start: Timestamp) -> Self {
        Self {
            start,
            anchor: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.anchor);
        let elapsed = SignedDuration::try_from(elapsed).unwrap_or(SignedDuration::MAX);
        self.start.checked_add(elapsed).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_tokio_clock_moves_exactly_with_paused_tokio_time() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let clock = TokioClock::starting_at(start);
        assert_eq!(clock.now(), start);
        tokio::time::advance(Duration::from_secs(3 * 3600)).await;
        assert_eq!(clock.now(), start + SignedDuration::from_hours(3));
        tokio::time::sleep(Duration::from_secs(90)).await;
        assert_eq!(clock.now(), start + SignedDuration::from_secs(3 * 3600 + 90));
    }

    #[test]
    fn the_system_clock_reads_the_present() {
        let before = Timestamp::now();
        let read = SystemClock.now();
        assert!(read >= before);
        assert!(read <= Timestamp::now());
    }
}
