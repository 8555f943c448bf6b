//! The keeper's task: one loop that owns the intent, sleeps until the next deadline, and does what is due.
//!
//! Each wake runs the same pass, in order: notice a wall-clock jump (sleep/resume), end an expired intent,
//! refresh the token if due, apply a changed intent, renew the session or pin if due, read presence back if due.
//! A transient failure stops the pass and schedules a retry with backoff; what failed is still due then, so the
//! retry simply runs the pass again with the latest intent. Nothing here polls: between deadlines the task sleeps
//! (in naps of at most a minute, the only way to notice that the computer slept).

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use presently_auth::{Account, AuthStatus, Clock, TokenManager};
use presently_graph::{GraphClient, GraphError, UserRef};
use presently_model::{Intent, Origin, Until, WireExpiration};
use rand::Rng;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;

use super::plan::{self, Verdict};
use super::snapshot::{
    AccountView, Agreement, KeeperActivity, KeeperEvent, NextAction, Planned, Reported, Snapshot,
    TokenStoreView,
};
use super::store::{Applied, IntentFile, Saved};
use crate::problem::{Problem, ProblemKind};

/// What the handle asks of the task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Keep this status (already resolved against the keeper's clock).
    Set(Intent),
    /// Back to automatic.
    Clear,
    /// Sign-in changed elsewhere (signed in, or tokens replaced): reload it and carry on.
    AuthChanged,
    /// Do pending work now (the user pressed Retry, or opened the popup and wants a fresh report).
    RetryNow,
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
}

pub(crate) struct Task {
    pub(crate) graph: GraphClient,
    pub(crate) tokens: Arc<TokenManager>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) session_id: String,
    pub(crate) file: IntentFile,
    pub(crate) state: watch::Sender<Snapshot>,
    pub(crate) events: broadcast::Sender<KeeperEvent>,
    pub(crate) rx: mpsc::UnboundedReceiver<Command>,
    pub(crate) token_store: TokenStoreView,

    intent: Option<Intent>,
    applied: Applied,
    /// Graph showed the current intent since it was last written.
    confirmed: bool,
    /// The session was re-posted after a read-back showed Offline; do it once per write.
    reposted: bool,
    account: Option<Account>,
    sign_in_required: bool,
    write_due: bool,
    /// Clear the pin even if we do not remember posting one (explicit "back to automatic", clean-up).
    clear_pin: bool,
    read_due_at: Option<Timestamp>,
    token_due_at: Option<Timestamp>,
    retry_at: Option<Timestamp>,
    attempt: u32,
    blocked: Option<Problem>,
    problem: Option<Problem>,
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
        graph: GraphClient,
        tokens: Arc<TokenManager>,
        clock: Arc<dyn Clock>,
        session_id: String,
        file: IntentFile,
        state: watch::Sender<Snapshot>,
        events: broadcast::Sender<KeeperEvent>,
        rx: mpsc::UnboundedReceiver<Command>,
        token_store: TokenStoreView,
    ) -> Self {
        let now = clock.now();
        Self {
            graph,
            tokens,
            clock,
            session_id,
            file,
            state,
            events,
            rx,
            token_store,
            intent: None,
            applied: Applied::default(),
            confirmed: false,
            reposted: false,
            account: None,
            sign_in_required: false,
            write_due: false,
            clear_pin: false,
            read_due_at: None,
            token_due_at: None,
            retry_at: None,
            attempt: 0,
            blocked: None,
            problem: None,
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
        loop {
            self.publish();
            let sleep = self.nap();
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
            }
            self.pass().await;
        }
    }

    async fn start(&mut self) {
        let saved = self.file.load();
        self.applied = saved.applied;
        self.reload_auth().await;
        let now = self.clock.now();
        match saved.intent {
            Some(intent) if intent.is_expired(now) => {
                // Presently was not running when it ended: clean up what we left behind.
                self.clear_pin = self.applied.pin.is_some();
                self.write_due = self.clear_pin || self.applied.session_until.is_some();
                self.save();
            }
            Some(intent) => {
                self.intent = Some(intent);
                // Re-assert: the session may have lapsed while Presently was not running.
                self.write_due = intent.origin != Origin::Teams || self.applied.session_until.is_some();
            }
            None => {}
        }
        self.activity = KeeperActivity::Idle;
        self.pass().await;
    }

    /// Reloads who is signed in from the token manager.
    async fn reload_auth(&mut self) {
        let status = match self.tokens.load().await {
            Ok(status) => status,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the saved sign-in");
                self.problem = Some(Problem::from(&e));
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
                self.intent = Some(intent);
                self.write_due = true;
                self.clear_pin = false;
                self.fresh_start();
                self.save();
            }
            Command::Clear => {
                self.intent = None;
                self.write_due = true;
                self.clear_pin = true;
                self.fresh_start();
                self.save();
            }
            Command::AuthChanged => {
                self.reload_auth().await;
                if self.account.is_some() && !self.sign_in_required {
                    self.problem = None;
                    self.blocked = None;
                    self.retry_at = None;
                    self.attempt = 0;
                    if self.intent.is_some_and(|i| i.origin != Origin::Teams) {
                        self.write_due = true;
                    }
                }
            }
            Command::RetryNow => {
                self.blocked = None;
                self.retry_at = None;
                self.attempt = 0;
                self.read_due_at = Some(now);
            }
            Command::SignOut(done) => {
                self.goodbye(true).await;
                if let Err(e) = self.tokens.sign_out().await {
                    self.problem = Some(Problem::from(&e));
                }
                self.account = None;
                self.sign_in_required = false;
                self.token_due_at = None;
                self.reported = None;
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

    /// A user action resets backoff and blockage: they asked for it now.
    fn fresh_start(&mut self) {
        self.confirmed = false;
        self.reposted = false;
        self.agreement = Agreement::Unknown;
        self.blocked = None;
        self.problem = None;
        self.retry_at = None;
        self.attempt = 0;
    }

    /// Back to automatic before quitting or signing out, within a time budget; the intent is forgotten.
    async fn goodbye(&mut self, always: bool) {
        self.intent = None;
        self.save();
        if self.account.is_none() || self.sign_in_required {
            return;
        }
        if always || self.applied.pin.is_some() || self.applied.session_until.is_some() {
            self.clear_pin = true;
            self.write_due = true;
            let _ = tokio::time::timeout(GOODBYE_BUDGET, self.apply()).await;
        }
    }

    /// How long to sleep: until the next deadline, but at most a nap.
    fn nap(&self) -> Duration {
        match self.next() {
            Some(next) => {
                let left = next.at.duration_since(self.clock.now());
                Duration::try_from(left)
                    .unwrap_or(Duration::ZERO)
                    .min(plan::MAX_NAP)
            }
            None => plan::MAX_NAP,
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
        if self.write_due {
            add(NextAction::Apply, Some(now));
        }
        add(NextAction::ReadBack, self.read_due_at);
        add(NextAction::RefreshToken, self.token_due_at);
        if let Some(intent) = self.managed_intent() {
            let end = intent.ends_at();
            add(NextAction::EndIntent, end);
            add(
                NextAction::RenewSession,
                self.applied
                    .session_until
                    .and_then(|u| plan::session_renewal(u, end)),
            );
            add(NextAction::RenewPin, self.pin_renewal_at(&intent));
        } else if let Some(intent) = self.intent {
            add(NextAction::EndIntent, intent.ends_at());
        }
        steps.into_iter().min_by_key(|p| p.at)
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
        let resumed = self.noticed_jump(now);
        if self.account.is_none() || self.sign_in_required || self.blocked.is_some() {
            return;
        }
        if resumed {
            tracing::info!("the computer slept or the clock jumped: checking sign-in and re-asserting");
            self.token_due_at = Some(now);
            self.retry_at = None;
            if self.managed_intent().is_some() {
                self.write_due = true;
            }
        }
        if self.retry_at.is_some_and(|at| at > now) {
            return;
        }
        self.activity = KeeperActivity::Syncing;
        self.publish();
        let outcome = self.due_work().await;
        self.activity = KeeperActivity::Idle;
        match outcome {
            Ok(()) => {
                self.retry_at = None;
                self.attempt = 0;
                if self.problem.as_ref().is_some_and(Problem::is_transient) {
                    self.problem = None;
                }
            }
            Err(Stop::Transient(problem, hint)) => {
                let delay = plan::backoff(self.attempt, hint);
                self.attempt = self.attempt.saturating_add(1);
                self.retry_at = Some(plan::later(self.clock.now(), delay));
                tracing::info!(problem = %problem.message, retry_in_secs = delay.as_secs(), "will retry");
                self.problem = Some(problem.retrying_in(delay));
                self.activity = KeeperActivity::Retrying;
            }
            Err(Stop::Blocked(problem)) => {
                tracing::warn!(problem = %problem.message, "waiting for the user");
                if problem.kind == ProblemKind::SignInRequired {
                    self.sign_in_required = true;
                    let _ = self.events.send(KeeperEvent::SignInNeeded);
                }
                self.problem = Some(problem.clone());
                self.blocked = Some(problem);
                self.activity = KeeperActivity::Blocked;
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
            self.write_due = self.applied.pin.is_some() || self.applied.session_until.is_some();
            self.clear_pin = self.applied.pin.is_some();
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
        if self.write_due {
            self.apply().await?;
        }
        let now = self.clock.now();
        if let Some(intent) = self.managed_intent() {
            let session_due = self
                .applied
                .session_until
                .and_then(|u| plan::session_renewal(u, intent.ends_at()))
                .is_some_and(|at| at <= now);
            let pin_due = self.pin_renewal_at(&intent).is_some_and(|at| at <= now);
            if session_due || pin_due {
                // Read first: if the user changed status in Teams meanwhile, adopt it instead of overwriting it.
                self.read().await?;
                if let Some(intent) = self.managed_intent() {
                    if pin_due {
                        self.post_pin(&intent).await?;
                    }
                    self.post_session(&intent).await?;
                    self.save();
                }
            }
        }
        if self.read_due_at.is_some_and(|at| at <= self.clock.now()) {
            self.read().await?;
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

    /// Makes Graph match the intent: pin and session, or neither.
    async fn apply(&mut self) -> Result<(), Stop> {
        let oid = self.oid()?;
        match self.managed_intent() {
            Some(intent) => {
                self.post_pin(&intent).await?;
                self.post_session(&intent).await?;
            }
            None => {
                if self.clear_pin || self.applied.pin.is_some() {
                    self.graph.clear_preferred(&oid).await.map_err(graph_stop)?;
                    self.applied.pin = None;
                    self.applied.pin_lapses_at = None;
                    self.clear_pin = false;
                }
                self.clear_session(&oid).await?;
            }
        }
        self.write_due = false;
        self.confirmed = false;
        self.reposted = false;
        self.agreement = Agreement::Unknown;
        self.read_due_at = Some(self.clock.now() + plan::READ_BACK_DELAY);
        self.save();
        Ok(())
    }

    async fn post_pin(&mut self, intent: &Intent) -> Result<(), Stop> {
        let oid = self.oid()?;
        let now = self.clock.now();
        let (expiration, lapses_at) = match intent.wire_expiration(now) {
            WireExpiration::Expired => return Ok(()),
            WireExpiration::Omit => (None, intent.ends_at()),
            WireExpiration::Send(wire) => (Some(wire.duration), Some(wire.lapses_at)),
        };
        self.graph
            .set_preferred(&oid, intent.status, expiration)
            .await
            .map_err(graph_stop)?;
        self.applied.pin = Some(intent.status);
        self.applied.pin_lapses_at = lapses_at;
        Ok(())
    }

    async fn post_session(&mut self, intent: &Intent) -> Result<(), Stop> {
        let oid = self.oid()?;
        match intent.status.session_plan() {
            Some(session) => {
                let now = self.clock.now();
                let lifetime = plan::session_lifetime(now, intent.ends_at());
                self.graph
                    .set_session(&oid, &self.session_id, &session.pair, Some(lifetime))
                    .await
                    .map_err(graph_stop)?;
                self.applied.session_until = Some(now + lifetime);
                Ok(())
            }
            // Appear offline keeps no session: with none alive Teams shows Offline (contract §3).
            None => self.clear_session(&oid).await,
        }
    }

    async fn clear_session(&mut self, oid: &str) -> Result<(), Stop> {
        if self.applied.session_until.is_some() {
            // 404 (no such session: it lapsed) is success here.
            self.graph
                .clear_session(oid, &self.session_id)
                .await
                .map_err(graph_stop)?;
            self.applied.session_until = None;
        }
        Ok(())
    }

    /// Reads presence back and acts on what it means.
    async fn read(&mut self) -> Result<(), Stop> {
        let oid = self.oid()?;
        let presence = self.graph.presence(UserRef::Id(&oid)).await.map_err(graph_stop)?;
        let now = self.clock.now();
        self.read_due_at = None;
        let pair = presence.pair();
        self.reported = Some(Reported {
            as_status: presently_model::PreferredPresence::from_preferred_pair(&pair),
            availability: pair.availability.clone(),
            activity: pair.activity.clone(),
            at: now,
        });
        let Some(intent) = self.managed_intent() else {
            self.agreement = Agreement::Matches;
            return Ok(());
        };
        match plan::judge(&intent, &pair, self.confirmed) {
            Verdict::Matches => {
                self.confirmed = true;
                self.agreement = Agreement::Matches;
            }
            Verdict::SessionMissing => {
                let reason =
                    "Graph reports Offline: no presence session is alive, so colleagues see Offline."
                        .to_string();
                self.agreement = Agreement::Differs {
                    reason: reason.clone(),
                };
                if !self.reposted {
                    self.reposted = true;
                    self.post_session(&intent).await?;
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
            }
            Verdict::Adopt(status) => {
                tracing::info!(
                    ?status,
                    "the status was changed elsewhere; adopting it and stepping back"
                );
                self.intent = status.map(|s| Intent::new(s, Until::UntilChanged, now, Origin::Teams));
                // The pin is the user's now; keep our hands off it. Our session goes, so Teams' own sessions
                // decide again and nothing of ours competes with the user's choice.
                self.applied.pin = None;
                self.applied.pin_lapses_at = None;
                self.clear_session(&oid).await?;
                self.agreement = Agreement::Matches;
                self.save();
                let _ = self.events.send(KeeperEvent::AdoptedExternalChange { status });
            }
        }
        Ok(())
    }

    fn save(&self) {
        self.file.save(&Saved {
            intent: self.intent,
            applied: self.applied,
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
            account,
            reported: self.reported.clone(),
            agreement: self.agreement.clone(),
            activity: self.activity,
            next: self.next(),
            problem: self.problem.clone(),
            token_store: super::store_view(&self.token_store, &self.tokens),
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
    let problem = Problem::from(&e);
    stop_for(&problem, e.retry_after())
}

fn stop_for(problem: &Problem, hint: Option<Duration>) -> Stop {
    if problem.is_transient() {
        Stop::Transient(problem.clone(), hint)
    } else {
        Stop::Blocked(problem.clone())
    }
}
