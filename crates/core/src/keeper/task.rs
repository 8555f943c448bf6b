//! The keeper's task: one loop that owns the intent, sleeps until the next deadline, and does what is due.
//!
//! Each wake runs the same pass, in order: notice a wall-clock jump (sleep/resume), end an expired intent,
//! refresh the token if due, write what the user just chose, then read presence and act on it if a read is due.
//! A transient failure stops the pass and schedules a retry with backoff; what failed is still due then, so the
//! retry simply runs the pass again with the latest intent. Nothing here polls: between deadlines the task sleeps
//! (in naps of at most a minute, the only way to notice that the computer slept).
//!
//! The user's latest choice wins, wherever they made it (architecture convention 14). Only a choice the user
//! just made here (popup, tray, hotkey, CLI) is written straight away. Every other write — after a restart, a
//! wake from sleep, the network coming back, a new sign-in, a renewal, the end of a timed status — follows a
//! read of Graph ([`Task::reconcile`]): a status picked in Teams since Graph showed ours is adopted and nothing
//! is written over it; what lapsed of ours is posted again; leftovers of an ended intent are removed only while
//! they are still ours.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use presently_auth::{Account, AuthStatus, Clock, TokenManager};
use presently_graph::GraphError;
use presently_model::{Availability, Intent, Origin, PreferredPresence, PresencePair, StatusMessage, Until};
use rand::Rng;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;

use super::plan::{self, Verdict};
use super::snapshot::{
    AccountView, Agreement, KeeperActivity, KeeperEvent, NextAction, Planned, Reported, Snapshot,
};
use super::store::{Applied, IntentFile, Saved};
use super::wall_clock::WallClockWatch;
use super::{MessageChoice, MessageEnd};
use crate::hour_cycle::HourCycle;
use crate::problem::{Action, Problem, ProblemKind};
use crate::writer::PresenceWriter;

/// What the handle asks of the task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Keep this status (already resolved against the keeper's clock).
    Set(Intent),
    /// Back to automatic.
    Clear,
    /// Set the status message.
    SetMessage(MessageChoice),
    /// Remove the status message.
    ClearMessage,
    /// Sign-in changed elsewhere (signed in, or tokens replaced): reload it and carry on.
    AuthChanged,
    /// Do pending work now and read presence (the user pressed Retry).
    RetryNow,
    /// Someone looks (the popup opened, `presently status`): read Graph unless the last reading is fresh.
    Look,
    /// Clear our presence, forget the intent, sign out.
    SignOut(oneshot::Sender<()>),
    /// Stop; clear our presence first when `clear` is set.
    Shutdown {
        /// Go back to automatic before stopping.
        clear: bool,
        /// Told when done.
        done: oneshot::Sender<()>,
    },
}

/// How long a best-effort clean-up on quit or sign-out may take.
const GOODBYE_BUDGET: Duration = Duration::from_secs(10);

/// Why a pass stopped early.
enum Stop {
    /// Try again after this long.
    Transient(Problem, Option<Duration>),
    /// Wait for the user.
    Blocked(Problem),
    /// Graph refused an access token (401 `InvalidAuthenticationToken`) although the Graph client had just had
    /// it refreshed (`presently_graph::GraphClient` refreshes once on a 401, contract §4; a refresh that fails
    /// is a token error instead). The identity service renewed the sign-in moments ago, so this alone does not
    /// show that the user must sign in again: the new token may have lapsed before it reached Graph (the
    /// machine slept mid-call, the clock jumped). Retried with the usual backoff, refreshing again each time,
    /// and the user is offered to sign in again meanwhile: only the identity service refusing the refresh
    /// (a token error) proves the sign-in is gone.
    TokenRejected,
}

pub(crate) struct Task {
    pub(crate) writer: PresenceWriter,
    pub(crate) tokens: Arc<TokenManager>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) file: IntentFile,
    pub(crate) state: watch::Sender<Snapshot>,
    pub(crate) events: broadcast::Sender<KeeperEvent>,
    pub(crate) rx: mpsc::UnboundedReceiver<Command>,
    pub(crate) token_store: presently_auth::StorePlace,
    /// The user's clock, carried in every snapshot for the views.
    hour_cycle: HourCycle,

    intent: Option<Intent>,
    applied: Applied,
    /// The status message kept (contract §2): the user's, or the one Graph last showed.
    message: Option<StatusMessage>,
    /// `message` (or its removal) waits to be written; until then Graph's is not adopted.
    message_due: bool,
    /// The session was re-posted after a read showed Offline; do it once per write or gap.
    reposted: bool,
    account: Option<Account>,
    sign_in_required: bool,
    /// What the user just chose waits to be written. It is the newest choice, so no read comes first.
    write_due: bool,
    /// A gap (start, wake, sign-in, network back, an ended intent): read Graph before writing anything.
    verify_due: bool,
    /// Clear the pin even if we do not remember posting one (explicit "back to automatic", clean-up).
    clear_pin: bool,
    read_due_at: Option<Timestamp>,
    token_due_at: Option<Timestamp>,
    retry_at: Option<Timestamp>,
    attempt: u32,
    blocked: Option<Problem>,
    problem: Option<Problem>,
    /// When the current problem began (a reading older than this is from before it).
    problem_since: Option<Timestamp>,
    reported: Option<Reported>,
    agreement: Agreement,
    activity: KeeperActivity,
    last_wall: Timestamp,
    last_mono: Instant,
    revision: u64,
}

impl Task {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        writer: PresenceWriter,
        tokens: Arc<TokenManager>,
        clock: Arc<dyn Clock>,
        file: IntentFile,
        state: watch::Sender<Snapshot>,
        events: broadcast::Sender<KeeperEvent>,
        rx: mpsc::UnboundedReceiver<Command>,
        token_store: presently_auth::StorePlace,
        hour_cycle: HourCycle,
    ) -> Self {
        let now = clock.now();
        Self {
            writer,
            tokens,
            clock,
            file,
            state,
            events,
            rx,
            token_store,
            hour_cycle,
            intent: None,
            applied: Applied::default(),
            message: None,
            message_due: false,
            reposted: false,
            account: None,
            sign_in_required: false,
            write_due: false,
            verify_due: false,
            clear_pin: false,
            read_due_at: None,
            token_due_at: None,
            retry_at: None,
            attempt: 0,
            blocked: None,
            problem: None,
            problem_since: None,
            reported: None,
            agreement: Agreement::Unknown,
            activity: KeeperActivity::Starting,
            last_wall: now,
            last_mono: Instant::now(),
            revision: 0,
        }
    }

    pub(crate) async fn run(mut self) {
        self.start().await;
        // Wakes the loop when the wall clock jumps (the computer resumed), so naps need not be short to notice.
        let mut jumps = WallClockWatch::for_clock(self.clock.as_ref());
        loop {
            self.publish();
            let sleep = self.nap(jumps.max_nap());
            tokio::select! {
                command = self.rx.recv() => {
                    let Some(command) = command else { break };
                    // Let a burst of commands (click, click, hotkey) arrive, then act on the last state only.
                    tokio::task::yield_now().await;
                    let mut commands = vec![command];
                    while let Ok(more) = self.rx.try_recv() {
                        commands.push(more);
                    }
                    let mut stop = None;
                    for command in commands {
                        if let Some(done) = self.handle(command).await {
                            stop = Some(done);
                        }
                    }
                    if let Some(done) = stop {
                        self.publish();
                        let _ = done.send(());
                        return;
                    }
                }
                _ = tokio::time::sleep(sleep) => {}
                () = jumps.jumped() => {}
            }
            self.pass().await;
        }
    }

    async fn start(&mut self) {
        let saved = self.file.load();
        self.applied = saved.applied;
        self.message = saved.message;
        self.message_due = saved.message_pending;
        self.reload_auth().await;
        let now = self.clock.now();
        match saved.intent {
            Some(intent) if !intent.is_expired(now) => {
                self.intent = Some(intent);
                if intent.origin != Origin::Teams && self.applied.pin != Some(intent.status) {
                    // The choice never reached Graph (Presently stopped first): it is still the newest we know.
                    self.write_due = true;
                }
            }
            // Ended while Presently was not running: what we left behind is removed after a read shows it is
            // still ours.
            Some(_) => self.save(),
            None => {}
        }
        // Whatever happened while Presently was not running, Graph is read before anything is written.
        self.verify_due = true;
        self.activity = KeeperActivity::Idle;
        self.pass().await;
    }

    /// Reloads who is signed in from the token manager.
    async fn reload_auth(&mut self) {
        let status = match self.tokens.load().await {
            Ok(status) => status,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the saved sign-in");
                self.set_problem(Problem::from(&e));
                self.tokens.status().await
            }
        };
        self.sign_in_required = false;
        self.account = None;
        match status {
            AuthStatus::SignedOut => self.token_due_at = None,
            AuthStatus::SignedIn {
                account,
                refresh_due_at,
                ..
            } => {
                self.account = Some(account);
                self.token_due_at = Some(jittered(refresh_due_at));
            }
            AuthStatus::SignInRequired { account } => {
                self.account = Some(account);
                self.sign_in_required = true;
                self.token_due_at = None;
            }
        }
    }

    /// Handles one command; returns the completion sender when the task must stop.
    async fn handle(&mut self, command: Command) -> Option<oneshot::Sender<()>> {
        let now = self.clock.now();
        match command {
            Command::Set(intent) => {
                // Another status replaces the one a message was set to end with: that status has ended.
                self.end_message_with_status();
                self.intent = Some(intent);
                self.write_due = true;
                self.clear_pin = false;
                self.fresh_start();
                self.save();
            }
            Command::Clear => {
                self.end_message_with_status();
                self.intent = None;
                self.write_due = true;
                self.clear_pin = true;
                self.fresh_start();
                self.save();
            }
            Command::SetMessage(choice) => {
                let (expires_at, with_status) = match choice.end {
                    MessageEnd::At(at) => (Some(at), false),
                    MessageEnd::Never => (None, false),
                    // Ends with the status kept now; with none (automatic), it has no end of its own.
                    MessageEnd::WithStatus => match self.managed_intent() {
                        Some(intent) => (intent.ends_at(), true),
                        None => (None, false),
                    },
                };
                self.message = Some(StatusMessage {
                    text: choice.text,
                    expires_at,
                    with_status,
                    set_at: now,
                    origin: choice.origin,
                });
                self.message_due = true;
                self.message_fresh_start();
            }
            Command::ClearMessage => {
                self.message = None;
                self.message_due = true;
                self.message_fresh_start();
            }
            Command::AuthChanged => {
                self.reload_auth().await;
                if self.account.is_some() && !self.sign_in_required {
                    self.clear_problem();
                    self.blocked = None;
                    self.retry_at = None;
                    self.attempt = 0;
                    // Signed in again after a gap: read before re-asserting anything. What Graph showed before
                    // is no longer known to hold.
                    self.verify_due = true;
                    self.reposted = false;
                    self.agreement = Agreement::Unknown;
                }
            }
            Command::RetryNow => {
                self.blocked = None;
                self.retry_at = None;
                self.attempt = 0;
                self.read_due_at = Some(now);
            }
            Command::Look => {
                let stale = self
                    .reported
                    .as_ref()
                    .is_none_or(|r| now.duration_since(r.at) > plan::FRESH_FOR);
                if stale && self.read_due_at.is_none_or(|at| at > now) {
                    self.read_due_at = Some(now);
                }
            }
            Command::SignOut(done) => {
                self.goodbye(true).await;
                // Signed out, nothing is kept: a problem from before (sign in again, consent) no longer applies,
                // and the tray read "Signed out" under "... must sign in again".
                self.clear_problem();
                if let Err(e) = self.tokens.sign_out().await {
                    self.set_problem(Problem::from(&e));
                }
                self.account = None;
                self.sign_in_required = false;
                self.token_due_at = None;
                self.reported = None;
                // The next account's message is read from Graph, not carried over.
                self.message = None;
                self.message_due = false;
                self.save();
                self.agreement = Agreement::Unknown;
                let _ = done.send(());
            }
            Command::Shutdown { clear, done } => {
                if clear {
                    self.goodbye(false).await;
                }
                return Some(done);
            }
        }
        None
    }

    /// A user action resets backoff and tries again now: they asked for it. The problem stays on show until a
    /// pass gets past it (or, for a sign-in that is needed, until the user signs in), so the answer to a
    /// choice made while the keeper cannot act is that problem, never an empty success. With nobody signed in
    /// that problem is said here, since no pass runs.
    fn fresh_start(&mut self) {
        self.reposted = false;
        self.verify_due = false;
        self.agreement = Agreement::Unknown;
        self.blocked = None;
        self.retry_at = None;
        self.attempt = 0;
        if self.account.is_none() {
            self.set_problem(
                Problem::new(
                    ProblemKind::SignInRequired,
                    "Nobody is signed in: sign in to keep your status.",
                )
                .with_action(crate::problem::Action::SignIn),
            );
            self.activity = KeeperActivity::Blocked;
        }
    }

    /// A message the user just set is written at once, like a status they just chose.
    fn message_fresh_start(&mut self) {
        self.blocked = None;
        self.retry_at = None;
        self.attempt = 0;
        self.save();
    }

    /// The status a message was set to end with has ended (expired, replaced, back to automatic, changed in
    /// Teams): the message goes too. One past its own expiry (the status's end) Graph has dropped already, so
    /// only an earlier end costs a write.
    fn end_message_with_status(&mut self) {
        let now = self.clock.now();
        if let Some(message) = self.message.take_if(|m| m.with_status) {
            if !message.is_expired(now) {
                self.message_due = true;
            }
            tracing::info!("the status ended; so does the message set with it");
        }
    }

    fn set_problem(&mut self, problem: Problem) {
        if self.problem.is_none() {
            self.problem_since = Some(self.clock.now());
        }
        self.problem = Some(problem);
    }

    fn clear_problem(&mut self) {
        self.problem = None;
        self.problem_since = None;
    }

    /// Back to automatic before quitting or signing out, within a time budget; the intent is forgotten.
    async fn goodbye(&mut self, always: bool) {
        self.intent = None;
        self.end_message_with_status();
        self.save();
        if self.account.is_none() || self.sign_in_required {
            return;
        }
        if always || self.applied.pin.is_some() || self.applied.session_until.is_some() {
            self.clear_pin = true;
            self.write_due = true;
            let _ = tokio::time::timeout(GOODBYE_BUDGET, self.apply()).await;
        }
        if self.message_due {
            let _ = tokio::time::timeout(GOODBYE_BUDGET, self.write_message()).await;
        }
    }

    /// How long to sleep: until the next deadline, but at most `max`.
    fn nap(&self, max: Duration) -> Duration {
        match self.next() {
            Some(next) => {
                let left = next.at.duration_since(self.clock.now());
                Duration::try_from(left).unwrap_or(Duration::ZERO).min(max)
            }
            None => max,
        }
    }

    /// The earliest planned step.
    fn next(&self) -> Option<Planned> {
        if self.blocked.is_some() || self.sign_in_required || self.account.is_none() {
            return None;
        }
        if let Some(at) = self.retry_at {
            return Some(Planned {
                action: NextAction::Retry,
                at,
            });
        }
        let now = self.clock.now();
        let mut steps: Vec<Planned> = Vec::new();
        let mut add = |action, at: Option<Timestamp>| {
            if let Some(at) = at {
                steps.push(Planned { action, at });
            }
        };
        if self.write_due || self.message_due {
            add(NextAction::Apply, Some(now));
        }
        if self.verify_due {
            add(NextAction::Check, Some(now));
        }
        add(NextAction::ReadBack, self.read_due_at);
        add(NextAction::RefreshToken, self.token_due_at);
        if let Some(intent) = self.managed_intent() {
            let end = intent.ends_at();
            add(NextAction::EndIntent, end);
            add(NextAction::RenewSession, self.session_renewal_at(&intent));
            add(NextAction::RenewPin, self.pin_renewal_at(&intent));
        } else if let Some(intent) = self.intent {
            add(NextAction::EndIntent, intent.ends_at());
        }
        add(NextAction::Check, self.check_at());
        steps.into_iter().min_by_key(|p| p.at)
    }

    /// When Graph is next read to notice a change made elsewhere: [`plan::CHECK_INTERVAL`] after the last
    /// reading, while a status is kept. With no intent nothing is polled.
    fn check_at(&self) -> Option<Timestamp> {
        self.intent?;
        let now = self.clock.now();
        Some(match &self.reported {
            Some(r) => r.at.checked_add(plan::CHECK_INTERVAL).unwrap_or(now),
            None => now,
        })
    }

    fn session_renewal_at(&self, intent: &Intent) -> Option<Timestamp> {
        self.applied
            .session_until
            .and_then(|u| plan::session_renewal(u, intent.ends_at()))
    }

    /// The intent the keeper writes (not one adopted from Teams, which it leaves alone).
    fn managed_intent(&self) -> Option<Intent> {
        self.intent.filter(|i| i.origin != Origin::Teams)
    }

    fn pin_renewal_at(&self, intent: &Intent) -> Option<Timestamp> {
        let lapses = self.applied.pin_lapses_at?;
        let outlasts = intent.ends_at().is_none_or(|end| end > lapses);
        outlasts.then(|| plan::pin_renewal(lapses))
    }

    /// Does everything that is due, stopping at the first failure.
    async fn pass(&mut self) {
        let now = self.clock.now();
        if self.noticed_jump(now) {
            tracing::info!("the computer slept or the clock jumped: checking sign-in, then reading presence");
            self.token_due_at = Some(now);
            self.retry_at = None;
            self.verify_due = true;
            self.reposted = false;
            self.agreement = Agreement::Unknown;
        }
        if self.account.is_none() || self.sign_in_required || self.blocked.is_some() {
            return;
        }
        if self.retry_at.is_some_and(|at| at > now) {
            return;
        }
        let writes = self.write_due || self.message_due || self.token_due_at.is_some_and(|at| at <= now);
        self.activity = if writes {
            KeeperActivity::Syncing
        } else {
            KeeperActivity::Checking
        };
        self.publish();
        let outcome = self.due_work().await;
        self.activity = KeeperActivity::Idle;
        match outcome {
            Ok(()) => {
                self.retry_at = None;
                self.attempt = 0;
                self.clear_problem();
            }
            Err(Stop::TokenRejected) => {
                let delay = plan::backoff(self.attempt, None);
                self.attempt = self.attempt.saturating_add(1);
                self.retry_at = Some(plan::later(self.clock.now(), delay));
                tracing::info!(
                    retry_in_secs = delay.as_secs(),
                    "a fresh token was refused; will retry"
                );
                let problem = Problem::new(
                    ProblemKind::Throttled,
                    "Microsoft Graph refused a sign-in token that was just renewed. If this keeps happening, sign in \
                     again.",
                )
                .with_action(Action::SignIn);
                self.set_problem(problem.retrying_in(delay));
                self.activity = KeeperActivity::Retrying;
            }
            Err(Stop::Transient(problem, hint)) => {
                let delay = plan::backoff(self.attempt, hint);
                self.attempt = self.attempt.saturating_add(1);
                self.retry_at = Some(plan::later(self.clock.now(), delay));
                tracing::info!(problem = %problem.message, retry_in_secs = delay.as_secs(), "will retry");
                self.set_problem(problem.retrying_in(delay));
                self.activity = KeeperActivity::Retrying;
            }
            Err(Stop::Blocked(problem)) => {
                tracing::warn!(problem = %problem.message, "waiting for the user");
                if problem.kind == ProblemKind::SignInRequired {
                    self.sign_in_required = true;
                    let _ = self.events.send(KeeperEvent::SignInNeeded);
                }
                self.set_problem(problem.clone());
                self.blocked = Some(problem);
                self.activity = KeeperActivity::Blocked;
                // Until the user acts nothing is read: whether Graph still agrees is no longer known.
                self.agreement = Agreement::Unknown;
            }
        }
    }

    fn noticed_jump(&mut self, now: Timestamp) -> bool {
        let mono = Instant::now();
        let wall = now.duration_since(self.last_wall);
        let monotonic =
            SignedDuration::try_from(mono.saturating_duration_since(self.last_mono)).unwrap_or_default();
        self.last_wall = now;
        self.last_mono = mono;
        wall - monotonic > plan::JUMP_THRESHOLD
    }

    async fn due_work(&mut self) -> Result<(), Stop> {
        let now = self.clock.now();
        if let Some(intent) = self.intent.filter(|i| i.is_expired(now)) {
            tracing::info!(
                status = intent.status.short_name(),
                "the chosen status ended; back to automatic"
            );
            self.intent = None;
            self.end_message_with_status();
            // What is left of ours (the session; a pin Graph has not dropped yet) goes after a read shows that
            // it is still ours: the user may have picked another status in Teams meanwhile.
            self.verify_due |= self.applied.anything();
            self.save();
            let _ = self.events.send(KeeperEvent::IntentEnded {
                status: intent.status,
            });
        }
        if self.token_due_at.is_some_and(|at| at <= now) {
            self.tokens
                .refresh_if_due()
                .await
                .map_err(|e| stop_for(&Problem::from(&e), None))?;
            self.schedule_token_refresh().await;
        }
        if self.message.as_ref().is_some_and(|m| m.is_expired(now)) {
            // Graph dropped it at its expiry by itself (contract §2): nothing to write.
            self.message = None;
            self.save();
        }
        if self.write_due {
            self.apply().await?;
        }
        if self.message_due {
            self.write_message().await?;
        }
        let now = self.clock.now();
        let due = |at: Option<Timestamp>| at.is_some_and(|at| at <= now);
        let renewal_due = self
            .managed_intent()
            .is_some_and(|intent| due(self.session_renewal_at(&intent)) || due(self.pin_renewal_at(&intent)));
        if self.verify_due || renewal_due || due(self.read_due_at) || due(self.check_at()) {
            self.reconcile().await?;
        }
        Ok(())
    }

    async fn schedule_token_refresh(&mut self) {
        self.token_due_at = self.tokens.next_refresh_at().await.map(jittered);
    }

    fn oid(&self) -> Result<String, Stop> {
        self.account.as_ref().map(|a| a.oid.clone()).ok_or_else(|| {
            Stop::Blocked(Problem::new(
                ProblemKind::SignInRequired,
                "You are not signed in.",
            ))
        })
    }

    /// Writes what the user just chose: pin and session, or neither. No read first: it is the newest choice.
    async fn apply(&mut self) -> Result<(), Stop> {
        let oid = self.oid()?;
        match self.managed_intent() {
            Some(intent) => {
                self.post_pin(&intent).await?;
                self.post_session(&intent).await?;
            }
            None => {
                if self.clear_pin || self.applied.pin.is_some() {
                    self.writer.clear_pin(&oid).await.map_err(graph_stop)?;
                    self.forget_pin();
                    self.clear_pin = false;
                }
                self.clear_session(&oid).await?;
            }
        }
        self.write_due = false;
        self.after_write();
        Ok(())
    }

    /// Writes the kept status message, or its removal; a read-back follows.
    async fn write_message(&mut self) -> Result<(), Stop> {
        let oid = self.oid()?;
        let now = self.clock.now();
        match self.message.as_ref().filter(|m| !m.is_expired(now)) {
            Some(message) => self.writer.post_message(&oid, message).await,
            None => self.writer.clear_message(&oid).await,
        }
        .map_err(graph_stop)?;
        self.message_due = false;
        self.read_due_at = Some(self.clock.now() + plan::READ_BACK_DELAY);
        self.save();
        Ok(())
    }

    /// A reading's status message: with nothing of ours waiting to be written, what Graph shows is the user's
    /// latest (a message set or cleared in Teams is adopted, as a status picked there is).
    fn follow_message(&mut self, presence: &presently_graph::Presence, now: Timestamp) {
        if self.message_due {
            return;
        }
        let reported = crate::writer::reported_message(presence);
        let same = match (&self.message, &reported) {
            (None, None) => true,
            (Some(ours), Some(theirs)) => ours.text == theirs.text,
            _ => false,
        };
        if same {
            return;
        }
        tracing::info!(
            set = reported.is_some(),
            "the status message was changed elsewhere; adopting it"
        );
        self.message = reported.map(|r| StatusMessage {
            text: r.text,
            expires_at: r.expires_at,
            with_status: false,
            set_at: now,
            origin: Origin::Teams,
        });
    }

    /// After a write, a read-back follows shortly; until then nothing is known.
    fn after_write(&mut self) {
        self.reposted = false;
        self.agreement = Agreement::Unknown;
        self.read_due_at = Some(self.clock.now() + plan::READ_BACK_DELAY);
        self.save();
    }

    fn forget_pin(&mut self) {
        self.applied.pin = None;
        self.applied.pin_lapses_at = None;
        self.applied.shown = false;
    }

    async fn post_pin(&mut self, intent: &Intent) -> Result<(), Stop> {
        let oid = self.oid()?;
        let now = self.clock.now();
        let Some(pin) = self
            .writer
            .post_pin(&oid, intent, now)
            .await
            .map_err(graph_stop)?
        else {
            return Ok(()); // ended already: nothing was sent
        };
        self.applied.pin = Some(intent.status);
        self.applied.pin_lapses_at = pin.lapses_at;
        self.applied.shown = false;
        Ok(())
    }

    async fn post_session(&mut self, intent: &Intent) -> Result<(), Stop> {
        let oid = self.oid()?;
        let now = self.clock.now();
        match self
            .writer
            .post_session(&oid, intent, now)
            .await
            .map_err(graph_stop)?
        {
            Some(session) => {
                self.applied.session_until = Some(session.until);
                Ok(())
            }
            // Appear offline keeps no session: with none alive Teams shows Offline (contract §3).
            None => self.clear_session(&oid).await,
        }
    }

    async fn clear_session(&mut self, oid: &str) -> Result<(), Stop> {
        if self.applied.session_until.is_some() {
            // 404 (no such session: it lapsed) is success here.
            self.writer.clear_session(oid).await.map_err(graph_stop)?;
            self.applied.session_until = None;
        }
        Ok(())
    }

    /// Reads Graph and acts on what it shows: the one way the keeper writes anything the user did not just ask
    /// for. Used for the read-back after a write, after every gap, for renewals, periodic checks and looks.
    async fn reconcile(&mut self) -> Result<(), Stop> {
        let oid = self.oid()?;
        let presence = self.writer.read(&oid).await.map_err(graph_stop)?;
        let now = self.clock.now();
        self.verify_due = false;
        self.read_due_at = None;
        self.follow_message(&presence, now);
        let pair = presence.pair();
        self.reported = Some(Reported {
            as_status: PreferredPresence::from_preferred_pair(&pair),
            availability: pair.availability.clone(),
            activity: pair.activity.clone(),
            at: now,
        });
        match self.intent {
            None => self.clean_up(&oid, &pair, now).await?,
            Some(intent) if intent.origin == Origin::Teams => self.follow_elsewhere(&intent, &pair, now),
            Some(intent) => self.keep_true(&oid, &intent, &pair, now).await?,
        }
        self.save();
        Ok(())
    }

    /// Acts on a reading of an intent we keep.
    async fn keep_true(
        &mut self,
        oid: &str,
        intent: &Intent,
        pair: &PresencePair,
        now: Timestamp,
    ) -> Result<(), Stop> {
        let pin = plan::PinKnowledge {
            live: self.applied.pin == Some(intent.status)
                && self.applied.pin_lapses_at.is_none_or(|at| at > now),
            shown: self.applied.shown,
        };
        match plan::judge_kept(intent, pair, pin) {
            Verdict::Matches => {
                self.applied.shown = true;
                self.reposted = false;
                self.agreement = Agreement::Matches;
                self.renew_if_due(oid, intent, now).await?;
            }
            Verdict::SessionMissing => {
                let reason =
                    "Graph reports Offline: no presence session is alive, so colleagues see Offline."
                        .to_string();
                self.agreement = Agreement::Differs {
                    reason: reason.clone(),
                };
                if !self.reposted {
                    // Our session lapsed (Presently was away, or Graph dropped it): post it again, then read
                    // what the pin now shows; a status picked elsewhere meanwhile shows and is adopted then.
                    self.reposted = true;
                    self.post_session(intent).await?;
                    self.read_due_at = Some(self.clock.now() + plan::READ_BACK_DELAY);
                } else {
                    let _ = self.events.send(KeeperEvent::Disagreement { reason });
                }
            }
            Verdict::Differs(reason) => {
                if self.agreement
                    != (Agreement::Differs {
                        reason: reason.clone(),
                    })
                {
                    let _ = self.events.send(KeeperEvent::Disagreement {
                        reason: reason.clone(),
                    });
                }
                self.agreement = Agreement::Differs { reason };
                // Not fought: the pin is left alone. The session still only has to exist.
                if self.session_renewal_at(intent).is_some_and(|at| at <= now) {
                    self.post_session(intent).await?;
                }
            }
            Verdict::Adopt(status) => self.adopt(oid, status, now).await?,
            Verdict::Reassert => {
                tracing::info!("our pin lapsed while the status is still wanted; posting it again");
                self.post_pin(intent).await?;
                self.post_session(intent).await?;
                self.after_write();
            }
        }
        Ok(())
    }

    /// Re-posts the session and the pin when their renewal is due, and a session of ours that lapsed.
    async fn renew_if_due(&mut self, oid: &str, intent: &Intent, now: Timestamp) -> Result<(), Stop> {
        if self.pin_renewal_at(intent).is_some_and(|at| at <= now) {
            self.post_pin(intent).await?;
            // Graph showed this status a moment ago; the renewal posts the same pin again.
            self.applied.shown = true;
        }
        let wants_session = intent.status.session_plan().is_some();
        let lapsed = self.applied.session_until.is_none_or(|until| until <= now);
        let renewal_due = self.session_renewal_at(intent).is_some_and(|at| at <= now);
        if wants_session && (lapsed || renewal_due) {
            self.post_session(intent).await?;
        } else if !wants_session {
            self.clear_session(oid).await?;
        }
        Ok(())
    }

    /// The user changed status elsewhere: their choice becomes the intent and nothing of ours competes with it.
    async fn adopt(
        &mut self,
        oid: &str,
        status: Option<PreferredPresence>,
        now: Timestamp,
    ) -> Result<(), Stop> {
        tracing::info!(
            ?status,
            "the status was changed elsewhere; adopting it and stepping back"
        );
        self.intent = status.map(|s| Intent::new(s, Until::UntilChanged, now, Origin::Teams));
        self.end_message_with_status();
        // The pin is the user's now; keep our hands off it. Our session goes (a clear, not a status), so Teams'
        // own sessions decide again and nothing of ours competes with the user's choice.
        self.forget_pin();
        self.clear_session(oid).await?;
        self.agreement = Agreement::Matches;
        self.save();
        let _ = self.events.send(KeeperEvent::AdoptedExternalChange { status });
        Ok(())
    }

    /// A status adopted from Teams is followed, never written: a newer pick there becomes the intent, and a
    /// reading that is none of the six (the user reset their status) means automatic. Offline says nothing
    /// (no session is alive, so the pin does not show).
    fn follow_elsewhere(&mut self, intent: &Intent, pair: &PresencePair, now: Timestamp) {
        self.agreement = Agreement::Matches;
        if pair.availability == Availability::Offline {
            return;
        }
        let shown = PreferredPresence::from_preferred_pair(pair);
        if shown == Some(intent.status) {
            return;
        }
        self.intent = shown.map(|s| Intent::new(s, Until::UntilChanged, now, Origin::Teams));
        let _ = self
            .events
            .send(KeeperEvent::AdoptedExternalChange { status: shown });
    }

    /// No intent: what we left on the service (a pin not yet dropped, our session) is removed, the pin only
    /// while it is still ours — one that Graph shows as another status was replaced by the user.
    async fn clean_up(&mut self, oid: &str, pair: &PresencePair, now: Timestamp) -> Result<(), Stop> {
        self.agreement = Agreement::Matches;
        if let Some(pin) = self.applied.pin {
            let alive = self.applied.pin_lapses_at.is_none_or(|at| at > now);
            let ours = *pair == pin.preferred_pair()
                // With no session alive the pin does not show (contract §3); assume it is still ours.
                || pair.availability == Availability::Offline;
            if alive && ours {
                self.writer.clear_pin(oid).await.map_err(graph_stop)?;
            }
            self.forget_pin();
        }
        self.clear_session(oid).await
    }

    fn save(&self) {
        self.file.save(&Saved {
            intent: self.intent,
            applied: self.applied,
            message: self.message.clone(),
            message_pending: self.message_due,
        });
    }

    fn publish(&mut self) {
        let account = match (&self.account, self.sign_in_required) {
            (None, _) if self.activity == KeeperActivity::Starting => AccountView::Unknown,
            (None, _) => AccountView::SignedOut,
            (Some(a), false) => AccountView::SignedIn {
                name: a.name.clone(),
                username: a.username.clone(),
                tenant_id: a.tid.clone(),
            },
            (Some(a), true) => AccountView::SignInRequired {
                name: a.name.clone(),
                username: a.username.clone(),
            },
        };
        let mut snapshot = Snapshot {
            revision: self.revision,
            intent: self.intent,
            ends_at: self.intent.and_then(|i| i.ends_at()),
            message: self.message.clone(),
            account,
            reported: self.reported.clone(),
            agreement: self.agreement.clone(),
            activity: self.activity,
            next: self.next(),
            problem: self.problem.clone(),
            problem_since: self.problem_since,
            token_store: super::store_view(&self.token_store, &self.tokens),
            hour_cycle: self.hour_cycle,
        };
        let changed = *self.state.borrow() != snapshot;
        if changed {
            self.revision += 1;
            snapshot.revision = self.revision;
            self.state.send_replace(snapshot);
        }
    }
}

/// A token refresh time spread by a random few seconds after it falls due (within the refresh margin).
fn jittered(at: Timestamp) -> Timestamp {
    let secs = rand::rng().random_range(0..=plan::REFRESH_JITTER_MAX.as_secs());
    plan::later(at, Duration::from_secs(secs))
}

fn graph_stop(e: GraphError) -> Stop {
    if let GraphError::Refused(refusal) = &e
        && refusal.kind == presently_graph::RefusalKind::InvalidToken
    {
        return Stop::TokenRejected;
    }
    stop_for(&Problem::from(&e), e.retry_after())
}

fn stop_for(problem: &Problem, hint: Option<Duration>) -> Stop {
    if problem.is_transient() {
        Stop::Transient(problem.clone(), hint)
    } else {
        Stop::Blocked(problem.clone())
    }
}
