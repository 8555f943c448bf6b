//! Being told when the wall clock jumps, instead of waking to look.
//!
//! The keeper's timers run on the monotonic clock, which stands still while the computer sleeps: after a night
//! asleep, a nap of "10 more minutes" still has 10 minutes to go although the token, the session and maybe the
//! chosen status have lapsed meanwhile. Without help the keeper must wake every [`plan::MAX_NAP`] to compare the
//! wall clock with the monotonic one. On Linux the kernel says so itself: a `timerfd` on `CLOCK_REALTIME` armed
//! with `TFD_TIMER_CANCEL_ON_SET` is cancelled, and becomes readable with `ECANCELED`, whenever the wall clock is
//! set discontinuously (`settimeofday`, an NTP step) and on every resume from suspend or hibernation (the kernel
//! treats a resume as a clock set: `timekeeping_resume` notifies timerfd; `timerfd_create(2)`). The keeper waits
//! on that descriptor with its other events, so an idle keeper wakes only when something is due, and at the
//! latest every [`WATCHED_MAX_NAP`] as a safety net (a hypervisor that pauses a virtual machine without a
//! resume, a kernel that does not deliver the notice).
//!
//! Elsewhere (Windows, macOS), when the descriptor cannot be made, or when the keeper runs on a test's clock
//! (whose jumps no kernel announces, [`Clock::os_announces_jumps`]), nothing is watched and the keeper keeps its
//! one-minute look ([`plan::MAX_NAP`]).
//!
//! [`plan::MAX_NAP`]: super::plan::MAX_NAP

use std::time::Duration;

use presently_auth::Clock;

use super::plan;

/// The longest nap while the wall clock is watched: only a safety net, since a jump wakes the keeper at once.
pub const WATCHED_MAX_NAP: Duration = Duration::from_secs(15 * 60);

/// Wakes its owner when the wall clock jumps (see the module's documentation).
#[derive(Debug)]
pub struct WallClockWatch {
    #[cfg(target_os = "linux")]
    fd: Option<tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>>,
}

impl WallClockWatch {
    /// Watches the system's wall clock when `clock` is it; otherwise nothing.
    pub fn for_clock(clock: &dyn Clock) -> Self {
        if clock.os_announces_jumps() {
            Self::start()
        } else {
            Self::off()
        }
    }

    /// Watches nothing: [`Self::jumped`] never resolves, and naps are at most a minute.
    pub fn off() -> Self {
        Self {
            #[cfg(target_os = "linux")]
            fd: None,
        }
    }

    /// Starts watching, in the current tokio runtime (which must have I/O enabled, as the keeper's HTTP client
    /// needs anyway). Never fails: without a watch, [`Self::jumped`] never resolves and [`Self::max_nap`] stays
    /// at the one-minute look.
    pub fn start() -> Self {
        #[cfg(target_os = "linux")]
        {
            let fd = linux::armed(linux::far_future())
                .map_err(|e| tracing::info!(error = %e, "cannot watch the wall clock; the keeper looks every minute"))
                .ok();
            Self { fd }
        }
        #[cfg(not(target_os = "linux"))]
        {
            Self {}
        }
    }

    /// Whether jumps are reported.
    pub fn is_watching(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.fd.is_some()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// The longest the keeper may nap.
    pub fn max_nap(&self) -> Duration {
        if self.is_watching() {
            WATCHED_MAX_NAP
        } else {
            plan::MAX_NAP
        }
    }

    /// Resolves when the wall clock has jumped since the last call (or since [`Self::start`]); never, when
    /// nothing is watched. Cancel-safe: dropping it before it resolves loses no jump.
    pub async fn jumped(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &mut self.fd {
            match linux::wait(fd).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "the wall-clock watch failed; the keeper looks every minute");
                    self.fd = None;
                }
            }
        }
        std::future::pending::<()>().await;
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::OwnedFd;

    use rustix::time::{Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec};
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    /// An instant the wall clock will not reach (2242, inside the kernel's time range), so the timer itself
    /// never fires: only its cancellation matters.
    pub(super) fn far_future() -> Timespec {
        Timespec {
            tv_sec: 2 * i64::from(u32::MAX),
            tv_nsec: 0,
        }
    }

    /// A non-blocking timerfd on the wall clock, expiring at `at`, cancelled by any jump.
    pub(super) fn armed(at: Timespec) -> io::Result<AsyncFd<OwnedFd>> {
        let fd = rustix::time::timerfd_create(
            TimerfdClockId::Realtime,
            TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
        )?;
        arm(&fd, at)?;
        // `OwnedFd` is what `register_with_interest` asks for (a descriptor owned by the `AsyncFd`, open and the
        // same until it is dropped); the safe constructor is deprecated only for types that may not be, and
        // `unsafe` is forbidden in this workspace.
        #[allow(deprecated)]
        AsyncFd::with_interest(fd, Interest::READABLE)
    }

    fn arm(fd: &OwnedFd, at: Timespec) -> io::Result<()> {
        let spec = Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: at,
        };
        rustix::time::timerfd_settime(
            fd,
            TimerfdTimerFlags::ABSTIME | TimerfdTimerFlags::CANCEL_ON_SET,
            &spec,
        )?;
        Ok(())
    }

    /// Waits until the timer is cancelled by a jump (or expires), then re-arms it far in the future.
    pub(super) async fn wait(fd: &mut AsyncFd<OwnedFd>) -> io::Result<()> {
        loop {
            let mut ready = fd.readable().await?;
            let mut expirations = [0u8; 8];
            match rustix::io::read(ready.get_inner(), &mut expirations) {
                // ECANCELED: the clock was set or the computer resumed. A read of the count: the timer reached
                // its instant, which only a clock set far ahead (or a test) makes happen. Either way the wall
                // clock moved by itself; re-arm, since a cancelled timer stays disarmed.
                Err(rustix::io::Errno::CANCELED) | Ok(_) => {
                    ready.clear_ready();
                    arm(ready.get_inner(), far_future())?;
                    return Ok(());
                }
                Err(rustix::io::Errno::AGAIN) => ready.clear_ready(),
                Err(e) => return Err(e.into()),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use std::time::Duration;

        use super::*;

        fn now_plus(d: Duration) -> Timespec {
            let now = rustix::time::clock_gettime(rustix::time::ClockId::Realtime);
            let nanos = now.tv_nsec + i64::from(d.subsec_nanos());
            Timespec {
                tv_sec: now.tv_sec + i64::try_from(d.as_secs()).unwrap() + nanos / 1_000_000_000,
                tv_nsec: nanos % 1_000_000_000,
            }
        }

        #[tokio::test]
        async fn the_watch_wakes_once_when_the_wall_clock_reaches_its_instant_and_is_then_rearmed_far_away() {
            // Reaching the armed instant takes the same path as a jump (readable, read, re-arm); a jump itself
            // would need the machine's clock to be set.
            let mut fd = armed(now_plus(Duration::from_millis(200))).unwrap();
            tokio::time::timeout(Duration::from_secs(5), wait(&mut fd))
                .await
                .expect("woke when the instant came")
                .unwrap();
            let rearmed = rustix::time::timerfd_gettime(fd.get_ref()).unwrap();
            assert!(rearmed.it_value.tv_sec > 100 * 365 * 24 * 3600, "{rearmed:?}");
            assert!(
                tokio::time::timeout(Duration::from_millis(500), wait(&mut fd))
                    .await
                    .is_err(),
                "no second wake without a jump"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_system_clock_is_watched() {
        let system = WallClockWatch::for_clock(&presently_auth::SystemClock);
        assert_eq!(system.is_watching(), cfg!(target_os = "linux"));
        let test_clock = presently_auth::TokioClock::starting_at(jiff::Timestamp::UNIX_EPOCH);
        let unwatched = WallClockWatch::for_clock(&test_clock);
        assert!(!unwatched.is_watching());
        assert_eq!(unwatched.max_nap(), plan::MAX_NAP);
    }

    #[tokio::test]
    async fn an_unmoved_clock_does_not_wake_the_keeper_and_the_nap_follows_the_watch() {
        let mut watch = WallClockWatch::start();
        assert_eq!(watch.is_watching(), cfg!(target_os = "linux"));
        let expected = if cfg!(target_os = "linux") {
            WATCHED_MAX_NAP
        } else {
            plan::MAX_NAP
        };
        assert_eq!(watch.max_nap(), expected);
        assert!(
            tokio::time::timeout(Duration::from_millis(300), watch.jumped())
                .await
                .is_err()
        );
    }
}
