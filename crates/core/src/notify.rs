//! When to tell the user something with a desktop notification, and in what words: when a timed status ends,
//! when Microsoft asks the user to sign in again, and when Graph keeps showing something other than what the
//! user chose.
//!
//! [`Notifier`] is plain Rust with the time passed in, so every rule is unit tested without a desktop: a
//! disagreement must **persist** ([`Policy::disagreement_after`], 5 minutes) before it is worth interrupting
//! anyone (a read-back in the middle of a change, or Teams catching up, is a blip), and each kind is shown at most
//! once per [`Policy::min_gap`] (10 minutes), so a flapping connection cannot flood the desktop. The
//! `notifications` setting turns all of it off. Showing a [`Notice`] is the desktop app's part.

use jiff::{SignedDuration, Timestamp};
use presently_model::Intent;

use crate::Snapshot;
use crate::keeper::{Agreement, KeeperEvent};

/// The kinds of notices; the rate limit counts each kind apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A timed status ended; Teams decides again.
    StatusEnded,
    /// Microsoft asks the user to sign in again.
    SignInNeeded,
    /// Graph has shown something other than the chosen status for a while.
    Disagreement,
}

impl Kind {
    fn index(self) -> usize {
        match self {
            Kind::StatusEnded => 0,
            Kind::SignInNeeded => 1,
            Kind::Disagreement => 2,
        }
    }
}

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Which rule produced it.
    pub kind: Kind,
    /// The headline.
    pub title: String,
    /// One or two sentences.
    pub body: String,
}

/// The timing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// At most one notice of a kind within this time.
    pub min_gap: SignedDuration,
    /// How long Graph must keep disagreeing before the user hears of it.
    pub disagreement_after: SignedDuration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_gap: SignedDuration::from_mins(10),
            disagreement_after: SignedDuration::from_mins(5),
        }
    }
}

/// What the notifier needs of a keeper snapshot: the user's choice and, when Graph shows something else, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The chosen status (`None`: automatic).
    pub intent: Option<Intent>,
    /// Graph's disagreement in words, when it disagrees.
    pub differs: Option<String>,
}

impl Observed {
    /// The parts of `snapshot` that matter here.
    pub fn of(snapshot: &Snapshot) -> Self {
        Self {
            intent: snapshot.intent,
            differs: match &snapshot.agreement {
                Agreement::Differs { reason } => Some(reason.clone()),
                Agreement::Unknown | Agreement::Matches => None,
            },
        }
    }
}

/// Something that happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    /// A notable moment of the keeper.
    Event(&'a KeeperEvent),
    /// A new keeper state.
    State(&'a Observed),
    /// Time passed (the wake-up [`Notifier::next_check`] asked for).
    Tick,
}

/// A disagreement that has lasted since `since`, for the same choice.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Episode {
    intent: Option<Intent>,
    since: Timestamp,
    reason: String,
    notified: bool,
}

/// Decides which notices to show. Holds the last time each kind was shown and the disagreement in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifier {
    policy: Policy,
    last_shown: [Option<Timestamp>; 3],
    episode: Option<Episode>,
}

impl Notifier {
    /// A notifier that has shown nothing yet.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            last_shown: [None; 3],
            episode: None,
        }
    }

    /// What to show, if anything, after `input` at `now`. With `enabled` false (the `notifications` setting)
    /// nothing is shown and nothing counts against the rate limit, but a disagreement is still timed, so turning
    /// notifications on during one does not restart its clock.
    pub fn decide(&mut self, input: Input<'_>, now: Timestamp, enabled: bool) -> Option<Notice> {
        let candidate = match input {
            Input::Event(KeeperEvent::IntentEnded { status }) => Some(Notice {
                kind: Kind::StatusEnded,
                title: format!("{} has ended", status.display_name()),
                body: "The time you chose is over: Teams shows your automatic status again.".into(),
            }),
            Input::Event(KeeperEvent::SignInNeeded) => Some(Notice {
                kind: Kind::SignInNeeded,
                title: "Sign in to keep your status".into(),
                body: "Microsoft asks you to sign in again. Open Presently and choose Sign in; your \
                       status is kept until then."
                    .into(),
            }),
            // Graph's own disagreements are timed from the snapshots; an adopted change is the user's doing.
            Input::Event(KeeperEvent::Disagreement { .. } | KeeperEvent::AdoptedExternalChange { .. }) => {
                None
            }
            Input::State(observed) => {
                self.track(observed, now);
                self.disagreement_due(now)
            }
            Input::Tick => self.disagreement_due(now),
        };
        let notice = candidate.filter(|n| enabled && self.allowed(n.kind, now))?;
        self.last_shown[notice.kind.index()] = Some(now);
        if notice.kind == Kind::Disagreement
            && let Some(episode) = &mut self.episode
        {
            episode.notified = true;
        }
        Some(notice)
    }

    /// When [`Notifier::decide`] should be called with [`Input::Tick`] next: when a disagreement in progress has
    /// lasted long enough and the rate limit lets it through. `None`: nothing is pending.
    pub fn next_check(&self) -> Option<Timestamp> {
        let episode = self.episode.as_ref().filter(|e| !e.notified)?;
        let due = episode
            .since
            .saturating_add(self.policy.disagreement_after)
            .ok()?;
        let free = self.free_at(Kind::Disagreement);
        Some(free.map_or(due, |free| due.max(free)))
    }

    fn track(&mut self, observed: &Observed, now: Timestamp) {
        match (&observed.differs, &mut self.episode) {
            (None, _) => self.episode = None,
            // The same choice, still not shown: the clock keeps running (the words may change).
            (Some(reason), Some(episode)) if episode.intent == observed.intent => {
                episode.reason.clone_from(reason);
            }
            (Some(reason), _) => {
                self.episode = Some(Episode {
                    intent: observed.intent,
                    since: now,
                    reason: reason.clone(),
                    notified: false,
                });
            }
        }
    }

    fn disagreement_due(&self, now: Timestamp) -> Option<Notice> {
        let episode = self.episode.as_ref().filter(|e| !e.notified)?;
        let lasted = now.duration_since(episode.since);
        if lasted < self.policy.disagreement_after {
            return None;
        }
        let minutes = lasted.as_mins().max(1);
        Some(Notice {
            kind: Kind::Disagreement,
            title: "Teams shows something else".into(),
            body: format!(
                "{} For {minutes} minutes now; Presently keeps trying.",
                sentence(&episode.reason)
            ),
        })
    }

    fn free_at(&self, kind: Kind) -> Option<Timestamp> {
        self.last_shown[kind.index()].and_then(|at| at.saturating_add(self.policy.min_gap).ok())
    }

    fn allowed(&self, kind: Kind, now: Timestamp) -> bool {
        self.free_at(kind).is_none_or(|free| now >= free)
    }

    /// When each kind was last shown (for logs and tests).
    pub fn last_shown(&self, kind: Kind) -> Option<Timestamp> {
        self.last_shown[kind.index()]
    }
}

/// `text` as a sentence: trimmed, ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    match text.chars().last() {
        Some('.' | '!' | '?') | None => text.to_string(),
        Some(_) => format!("{text}."),
    }
}

#[cfg(test)]
mod tests {
    use presently_model::{Origin, PreferredPresence, Until};

    use super::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_750_000_000).unwrap() + SignedDuration::from_mins(minutes)
    }

    fn busy() -> Option<Intent> {
        Some(Intent::new(
            PreferredPresence::Busy,
            Until::UntilChanged,
            at(0),
            Origin::Popup,
        ))
    }

    fn differs(intent: Option<Intent>, reason: &str) -> Observed {
        Observed {
            intent,
            differs: Some(reason.into()),
        }
    }

    fn agrees(intent: Option<Intent>) -> Observed {
        Observed {
            intent,
            differs: None,
        }
    }

    const ENDED: KeeperEvent = KeeperEvent::IntentEnded {
        status: PreferredPresence::DoNotDisturb,
    };

    #[test]
    fn a_timed_status_that_ends_is_announced_by_name() {
        let mut n = Notifier::new(Policy::default());
        let notice = n.decide(Input::Event(&ENDED), at(0), true).unwrap();
        assert_eq!(notice.kind, Kind::StatusEnded);
        assert_eq!(notice.title, "Do not disturb has ended");
        assert!(notice.body.contains("automatic"), "{}", notice.body);
    }

    #[test]
    fn sign_in_needed_is_announced_with_what_to_do() {
        let mut n = Notifier::new(Policy::default());
        let notice = n
            .decide(Input::Event(&KeeperEvent::SignInNeeded), at(0), true)
            .unwrap();
        assert_eq!(notice.kind, Kind::SignInNeeded);
        assert!(notice.body.contains("Sign in"), "{}", notice.body);
    }

    #[test]
    fn each_kind_is_shown_at_most_once_in_ten_minutes_and_kinds_do_not_block_each_other() {
        let mut n = Notifier::new(Policy::default());
        let sign_in = KeeperEvent::SignInNeeded;
        assert!(n.decide(Input::Event(&sign_in), at(0), true).is_some());
        assert_eq!(n.decide(Input::Event(&sign_in), at(3), true), None);
        assert_eq!(n.decide(Input::Event(&sign_in), at(9), true), None);
        // Another kind is not held back.
        assert!(n.decide(Input::Event(&ENDED), at(9), true).is_some());
        // Ten minutes after the first, the same kind may come again.
        assert!(n.decide(Input::Event(&sign_in), at(10), true).is_some());
        assert_eq!(n.last_shown(Kind::SignInNeeded), Some(at(10)));
    }

    #[test]
    fn nothing_is_shown_when_notifications_are_off_and_nothing_counts_against_the_limit() {
        let mut n = Notifier::new(Policy::default());
        assert_eq!(n.decide(Input::Event(&ENDED), at(0), false), None);
        assert_eq!(n.last_shown(Kind::StatusEnded), None);
        // Turned on again: the next one shows at once.
        assert!(n.decide(Input::Event(&ENDED), at(1), true).is_some());
    }

    #[test]
    fn a_disagreement_shorter_than_five_minutes_is_a_blip_and_shows_nothing() {
        let mut n = Notifier::new(Policy::default());
        let away = differs(busy(), "Graph reports Away.");
        assert_eq!(n.decide(Input::State(&away), at(0), true), None);
        assert_eq!(n.next_check(), Some(at(5)));
        assert_eq!(n.decide(Input::Tick, at(4), true), None);
        // Graph agrees again before five minutes: the episode is over, nothing is pending.
        assert_eq!(n.decide(Input::State(&agrees(busy())), at(4), true), None);
        assert_eq!(n.next_check(), None);
        assert_eq!(n.decide(Input::Tick, at(6), true), None);
    }

    #[test]
    fn a_disagreement_that_persists_for_five_minutes_is_shown_once_with_the_choice_and_graphs_words() {
        let mut n = Notifier::new(Policy::default());
        assert_eq!(
            n.decide(Input::State(&differs(busy(), "Graph reports Away.")), at(0), true),
            None
        );
        // The words change, the disagreement goes on: its clock is not restarted.
        assert_eq!(
            n.decide(
                Input::State(&differs(busy(), "Graph reports Offline.")),
                at(2),
                true
            ),
            None
        );
        let notice = n.decide(Input::Tick, at(5), true).unwrap();
        assert_eq!(notice.kind, Kind::Disagreement);
        assert_eq!(
            notice.body,
            "Graph reports Offline. For 5 minutes now; Presently keeps trying."
        );
        // Once per episode, even after the rate limit has passed.
        assert_eq!(n.next_check(), None);
        assert_eq!(n.decide(Input::Tick, at(30), true), None);
        assert_eq!(
            n.decide(
                Input::State(&differs(busy(), "Graph reports Away.")),
                at(31),
                true
            ),
            None
        );
    }

    #[test]
    fn a_new_choice_restarts_the_disagreement_clock() {
        let mut n = Notifier::new(Policy::default());
        n.decide(Input::State(&differs(busy(), "Graph reports Away.")), at(0), true);
        let dnd = Some(Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::UntilChanged,
            at(4),
            Origin::Hotkey,
        ));
        n.decide(Input::State(&differs(dnd, "Graph reports Away.")), at(4), true);
        assert_eq!(n.decide(Input::Tick, at(5), true), None);
        assert_eq!(n.next_check(), Some(at(9)));
        assert!(n.decide(Input::Tick, at(9), true).is_some());
    }

    #[test]
    fn a_second_disagreement_soon_after_the_first_waits_for_the_rate_limit_then_shows() {
        let mut n = Notifier::new(Policy::default());
        n.decide(Input::State(&differs(busy(), "Graph reports Away.")), at(0), true);
        assert!(n.decide(Input::Tick, at(5), true).is_some());
        n.decide(Input::State(&agrees(busy())), at(6), true);
        n.decide(Input::State(&differs(busy(), "Graph reports Away.")), at(7), true);
        // Due at 12 by its own clock, but the last disagreement notice was at 5: wait until 15.
        assert_eq!(n.next_check(), Some(at(15)));
        assert_eq!(n.decide(Input::Tick, at(12), true), None);
        assert!(n.decide(Input::Tick, at(15), true).is_some());
    }

    #[test]
    fn a_disagreement_while_notifications_are_off_is_still_timed_and_shows_once_they_are_on() {
        let mut n = Notifier::new(Policy::default());
        n.decide(
            Input::State(&differs(busy(), "Graph reports Away.")),
            at(0),
            false,
        );
        assert_eq!(n.decide(Input::Tick, at(6), false), None);
        assert!(n.decide(Input::Tick, at(7), true).is_some());
    }

    #[test]
    fn graphs_own_events_and_adopted_changes_notify_nothing_by_themselves() {
        let mut n = Notifier::new(Policy::default());
        let disagreement = KeeperEvent::Disagreement {
            reason: "Graph reports Away.".into(),
        };
        assert_eq!(n.decide(Input::Event(&disagreement), at(0), true), None);
        let adopted = KeeperEvent::AdoptedExternalChange {
            status: Some(PreferredPresence::Available),
        };
        assert_eq!(n.decide(Input::Event(&adopted), at(0), true), None);
        assert_eq!(n.next_check(), None);
    }

    #[test]
    fn the_observed_state_comes_from_the_snapshots_agreement() {
        let snapshot: Snapshot = Snapshot {
            revision: 3,
            intent: busy(),
            ends_at: None,
            message: None,
            account: crate::keeper::AccountView::SignedOut,
            reported: None,
            agreement: Agreement::Differs {
                reason: "Graph reports Away.".into(),
            },
            activity: crate::keeper::KeeperActivity::Idle,
            next: None,
            problem: None,
            problem_since: None,
            token_store: crate::keeper::TokenStoreView::of(
                &presently_auth::StorePlace::memory(),
                &crate::wording::KnownFolders::default(),
            ),
            hour_cycle: crate::hour_cycle::HourCycle::H23,
        };
        assert_eq!(Observed::of(&snapshot), differs(busy(), "Graph reports Away."));
        let matching = Snapshot {
            agreement: Agreement::Matches,
            ..snapshot.clone()
        };
        assert_eq!(Observed::of(&matching), agrees(busy()));
        let unknown = Snapshot {
            agreement: Agreement::Unknown,
            ..snapshot
        };
        assert_eq!(Observed::of(&unknown), agrees(busy()));
    }
}
