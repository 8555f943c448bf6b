//! The preamble every sign-in page and token endpoint handler shares: lock the world, sweep what expired, act,
//! and tell watchers when the act changed anything. The handler then notes its response for the request log
//! (`directory::noted`), with the client and user the step reports.

use jiff::Timestamp;

use crate::world::{AppState, World};

/// What a step run under the lock reports besides its answer: whether it changed the world.
pub(super) trait Changes {
    /// True when watchers (the admin page's live view) must hear of the step.
    fn changed(&self) -> bool;
}

impl<T: Changes, K> Changes for (T, K) {
    fn changed(&self) -> bool {
        self.0.changed()
    }
}

/// Runs `act` with the world locked, after dropping the codes, grants and pages that expired a day ago on the
/// virtual clock (`IdentityState::sweep`), and sends a state-changed event once the lock is released if the step
/// says it changed the world.
pub(super) fn locked<T: Changes>(state: &AppState, now: Timestamp, act: impl FnOnce(&mut World) -> T) -> T {
    let out = {
        let mut world = state.world();
        world.identity.sweep(now);
        act(&mut world)
    };
    if out.changed() {
        state.changed();
    }
    out
}
