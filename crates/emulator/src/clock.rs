//! The emulator's virtual clock.
//!
//! Every expiry the emulator knows (authorization codes, tokens, device codes, presence sessions and pins,
//! the Available fade, throttling windows) is measured against this clock, never against the system clock
//! directly, so tests can run hours or days in seconds.
//!
//! The clock reads `tokio::time::Instant` underneath. Two ways to bend time follow from that:
//! - the control API (or a test holding the [`Clock`]) can jump it forward or make it run N times faster;
//! - a test that pauses tokio's time (`tokio::time::pause`) moves the emulator's clock together with its own
//!   timers, so a client under test and the emulator share one virtual clock.

use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::time::Instant;

/// A wall clock that can be advanced and sped up. Cheap to read; shared by every handler.
#[derive(Debug)]
pub struct Clock {
    inner: Mutex<Anchor>,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    /// Monotonic instant at which `virtual_at` was true.
    real: Instant,
    /// Virtual wall time at `real`.
    virtual_at: Timestamp,
    /// Virtual seconds that pass per real second.
    speed: f64,
}

/// What the control API reports about the clock.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockReading {
    /// The virtual time now.
    pub now: Timestamp,
    /// Virtual seconds per real second.
    pub speed: f64,
}

impl Anchor {
    fn now(&self) -> Timestamp {
        let real = Instant::now().saturating_duration_since(self.real);
        let scaled = real.mul_f64(self.speed);
        let scaled = SignedDuration::try_from(scaled).unwrap_or(SignedDuration::MAX);
        self.virtual_at.checked_add(scaled).unwrap_or(Timestamp::MAX)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::starting_at(Timestamp::now())
    }
}

impl Clock {
    /// A clock that reads `start` now and then runs at real speed.
    pub fn starting_at(start: Timestamp) -> Self {
        Self {
            inner: Mutex::new(Anchor {
                real: Instant::now(),
                virtual_at: start,
                speed: 1.0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Anchor> {
        // A poisoned clock still holds a valid anchor: every write is a single assignment.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The virtual time now.
    pub fn now(&self) -> Timestamp {
        self.lock().now()
    }

    /// The virtual time and speed.
    pub fn reading(&self) -> ClockReading {
        let a = self.lock();
        ClockReading {
            now: a.now(),
            speed: a.speed,
        }
    }

    /// Jumps the clock forward by `by`. Everything that expires in between has expired afterwards.
    pub fn advance(&self, by: Duration) {
        let mut a = self.lock();
        let now = a.now();
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        *a = Anchor {
            real: Instant::now(),
            virtual_at: now.checked_add(by).unwrap_or(Timestamp::MAX),
            ..*a
        };
    }

    /// Makes virtual time run `speed` times faster than real time from now on (1.0 = real time).
    /// Non-finite or non-positive speeds are refused.
    pub fn set_speed(&self, speed: f64) -> Result<(), ClockError> {
        if !speed.is_finite() || speed <= 0.0 || speed > 1_000_000.0 {
            return Err(ClockError::BadSpeed(speed));
        }
        let mut a = self.lock();
        *a = Anchor {
            real: Instant::now(),
            virtual_at: a.now(),
            speed,
        };
        Ok(())
    }
}

/// A clock change the emulator refuses.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    /// The speed must be a positive finite number up to a million.
    #[error("speed must be a positive number up to 1000000, got {0}")]
    BadSpeed(f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_clock_follows_paused_tokio_time() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let clock = Clock::starting_at(start);
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(clock.now(), start + SignedDuration::from_hours(1));
    }

    #[tokio::test(start_paused = true)]
    async fn advancing_and_speeding_up_compose() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let clock = Clock::starting_at(start);
        clock.advance(Duration::from_secs(600));
        clock.set_speed(60.0).unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(clock.now(), start + SignedDuration::from_secs(600 + 600));
    }

    #[test]
    fn nonsense_speeds_are_refused() {
        let clock = Clock::default();
        assert!(clock.set_speed(0.0).is_err());
        assert!(clock.set_speed(-2.0).is_err());
        assert!(clock.set_speed(f64::NAN).is_err());
    }
}
