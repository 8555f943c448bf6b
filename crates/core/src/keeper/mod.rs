//! The presence keeper: what the user chose stays true, for hours and days, at a few requests an hour.
//!
//! The [`Keeper`] handle is how every input (popup, tray menu, hotkey, CLI, IPC) reaches the one task that owns
//! the user's intent, the sign-in state, what Graph last reported and what happens next. The task publishes a
//! whole [`Snapshot`] after each change on a `watch` channel and notable moments as [`KeeperEvent`]s; views only
//! render them.
//!
//! What it keeps true (contract §3): the pin, posted with `expirationDuration` = the intent's end so Graph drops
//! it even if Presently dies, and renewed before Graph's cap for long intents; and our own presence session
//! (sessionId = client id), so the pin shows while Teams is closed, re-posted before it lapses and removed when
//! the intent ends. Access tokens are refreshed ahead of expiry. Sleep/resume, network loss, throttling and a
//! revoked sign-in are survived with the intent kept. See [`plan`] for the arithmetic.

pub mod plan;
pub mod snapshot;
pub mod store;
mod task;
pub mod wall_clock;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use jiff::tz::TimeZone;
use presently_auth::{StorePlace, TokenManager};
use presently_model::{DurationChoice, DurationError, Intent, Origin, PreferredPresence, WorkWeek};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

pub use snapshot::{
    AGE_SHOWN_AFTER, AccountView, Agreement, KeeperActivity, KeeperEvent, NextAction, Planned, Reported,
    Snapshot, TokenStoreView,
};

use crate::Services;
use crate::config::OnQuit;
use crate::hour_cycle::HourCycle;
use task::{Command, Task};

/// How the keeper resolves durations and where it keeps its state.
#[derive(Debug, Clone)]
pub struct KeeperConfig {
    /// Folder of `keeper.json`.
    pub data_dir: PathBuf,
    /// The local time zone ("until 17:30", end of day).
    pub zone: LocalZone,
    /// The working week "end of day" follows.
    pub week: WorkWeek,
    /// The user's clock, which the views write times on (carried in every snapshot).
    pub hour_cycle: HourCycle,
}

/// Where the local time zone comes from.
#[derive(Debug, Clone)]
pub enum LocalZone {
    /// The system's, read afresh at every resolution of a duration: a change of time zone while Presently runs
    /// (travel, a laptop's automatic zone) counts from the next choice on, without a restart.
    System,
    /// This zone (tests, and a zone given explicitly).
    Fixed(TimeZone),
}

impl LocalZone {
    /// The zone in force now.
    pub fn current(&self) -> TimeZone {
        match self {
            LocalZone::System => {
                // jiff caches the system zone for a while; a choice must see a change made a moment ago.
                jiff::tz::reset_system_time_zone_cache();
                TimeZone::system()
            }
            LocalZone::Fixed(zone) => zone.clone(),
        }
    }
}

#[derive(Debug)]
struct Local {
    zone: LocalZone,
    week: WorkWeek,
}

/// When a status message ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageEnd {
    /// At this instant (`--until`).
    At(jiff::Timestamp),
    /// With the status kept now ("clear the message when the status ends"): its expiry is that status's end,
    /// and it goes when the status is replaced or goes back to automatic. With no status kept, never.
    WithStatus,
    /// Never: until replaced or cleared.
    Never,
}

/// A status message to set, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageChoice {
    pub(crate) text: String,
    pub(crate) end: MessageEnd,
    pub(crate) origin: Origin,
}

/// The handle to a running keeper. Cheap to clone; every clone talks to the same task.
#[derive(Debug, Clone)]
pub struct Keeper {
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<Snapshot>,
    events: broadcast::Sender<KeeperEvent>,
    clock: Arc<dyn presently_auth::Clock>,
    local: Arc<RwLock<Local>>,
}

/// The token store as the snapshot shows it: `chosen` (the place given when it was chosen) unless the store's
/// situation changed since (it waits for the credential store, or that answered meanwhile).
/// When saving keeps failing, the manager's words for it follow in the note.
pub(crate) fn store_view(chosen: &StorePlace, tokens: &TokenManager) -> TokenStoreView {
    let mut place = tokens.store_situation().unwrap_or_else(|| chosen.clone());
    if let Some(trouble) = tokens.save_trouble() {
        place.add_note(&trouble);
    }
    TokenStoreView::of(&place, &crate::wording::KnownFolders::of_this_user())
}

/// The keeper has stopped (its task ended).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the presence keeper is not running")]
pub struct KeeperStopped;

impl Keeper {
    /// Starts the keeper task on the current tokio runtime. It loads the saved intent and sign-in, re-asserts a
    /// still-valid intent and cleans up an expired one.
    pub fn spawn(services: &Services, config: KeeperConfig) -> (Keeper, tokio::task::JoinHandle<()>) {
        let (commands, rx) = mpsc::unbounded_channel();
        let token_store = services.store_place.clone();
        let initial = Snapshot {
            revision: 0,
            intent: None,
            ends_at: None,
            message: None,
            account: AccountView::Unknown,
            reported: None,
            agreement: Agreement::Unknown,
            activity: KeeperActivity::Starting,
            next: None,
            problem: None,
            problem_since: None,
            token_store: store_view(&token_store, &services.tokens),
            hour_cycle: config.hour_cycle,
        };
        let (state_tx, state) = watch::channel(initial);
        let (events, _) = broadcast::channel(64);
        let task = Task::new(
            services.writer(),
            services.tokens.clone(),
            services.clock.clone(),
            store::IntentFile::in_dir(&config.data_dir),
            state_tx,
            events.clone(),
            rx,
            token_store,
            config.hour_cycle,
        );
        let join = tokio::spawn(task.run());
        let local = Local {
            zone: config.zone,
            week: config.week,
        };
        (
            Keeper {
                commands,
                state,
                events,
                clock: services.clock.clone(),
                local: Arc::new(RwLock::new(local)),
            },
            join,
        )
    }

    /// Resolves "`status` for `duration`" against the keeper's clock and the local time zone, and keeps it.
    /// Returns the intent, or why the duration cannot be used (zero, negative, in the past...).
    pub fn choose(
        &self,
        status: PreferredPresence,
        duration: &DurationChoice,
        origin: Origin,
    ) -> Result<Intent, ChooseError> {
        let now = self.clock.now();
        let until = {
            let local = self.local.read().unwrap_or_else(|e| e.into_inner());
            duration.resolve(&now.to_zoned_datetime(local.zone.current()), &local.week)?
        };
        let intent = Intent::new(status, until, now, origin);
        self.keep(intent)?;
        Ok(intent)
    }

    /// Keeps an already-resolved intent.
    pub fn keep(&self, intent: Intent) -> Result<(), KeeperStopped> {
        self.commands
            .send(Command::Set(intent))
            .map_err(|_| KeeperStopped)
    }

    /// Sets the status message (trimmed, at most 280 characters, contract §2) to end at `end`, or at the end of
    /// `until` (resolved like a status's duration) when given; [`MessageEnd::WithStatus`] is resolved by the
    /// keeper against the status it keeps when the message arrives.
    pub fn set_message(
        &self,
        text: &str,
        until: Option<&DurationChoice>,
        end: MessageEnd,
        origin: Origin,
    ) -> Result<(), MessageRefused> {
        let text = presently_model::message::checked_text(text)?;
        let end = match until {
            Some(duration) => {
                let now = self.clock.now();
                let local = self.local.read().unwrap_or_else(|e| e.into_inner());
                match duration.resolve(&now.to_zoned_datetime(local.zone.current()), &local.week)? {
                    presently_model::Until::At { at } => MessageEnd::At(at),
                    presently_model::Until::UntilChanged | presently_model::Until::GraphDefault => {
                        MessageEnd::Never
                    }
                }
            }
            None => end,
        };
        self.commands
            .send(Command::SetMessage(MessageChoice { text, end, origin }))
            .map_err(|_| MessageRefused::Stopped(KeeperStopped))
    }

    /// Removes the status message.
    pub fn clear_message(&self) -> Result<(), KeeperStopped> {
        self.commands
            .send(Command::ClearMessage)
            .map_err(|_| KeeperStopped)
    }

    /// Back to automatic: clears the pin and our session.
    pub fn back_to_automatic(&self) -> Result<(), KeeperStopped> {
        self.commands.send(Command::Clear).map_err(|_| KeeperStopped)
    }

    /// Tells the keeper that sign-in changed (after a sign-in through the same token manager).
    pub fn sign_in_changed(&self) -> Result<(), KeeperStopped> {
        self.commands
            .send(Command::AuthChanged)
            .map_err(|_| KeeperStopped)
    }

    /// Retries pending work now and reads presence back.
    pub fn retry_now(&self) -> Result<(), KeeperStopped> {
        self.commands.send(Command::RetryNow).map_err(|_| KeeperStopped)
    }

    /// Someone looks at the state (the popup opened, a tray click, `presently status`): Graph is read unless the
    /// last reading is younger than a minute. Looks in a burst cost one read.
    pub fn look(&self) -> Result<(), KeeperStopped> {
        self.commands.send(Command::Look).map_err(|_| KeeperStopped)
    }

    /// Goes back to automatic, forgets the intent, and signs out.
    pub async fn sign_out(&self) -> Result<(), KeeperStopped> {
        let (done, wait) = oneshot::channel();
        self.commands
            .send(Command::SignOut(done))
            .map_err(|_| KeeperStopped)?;
        wait.await.map_err(|_| KeeperStopped)
    }

    /// Stops the keeper; with [`OnQuit::Clear`] it first goes back to automatic (within a few seconds).
    pub async fn shutdown(&self, on_quit: OnQuit) -> Result<(), KeeperStopped> {
        let (done, wait) = oneshot::channel();
        let clear = on_quit == OnQuit::Clear;
        self.commands
            .send(Command::Shutdown { clear, done })
            .map_err(|_| KeeperStopped)?;
        wait.await.map_err(|_| KeeperStopped)
    }

    /// Changes the working week for later choices (the settings changed).
    pub fn set_work_week(&self, week: WorkWeek) {
        let mut local = self.local.write().unwrap_or_else(|e| e.into_inner());
        local.week = week;
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.state.borrow().clone()
    }

    /// A receiver of every snapshot from now on.
    pub fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.state.clone()
    }

    /// A receiver of notable moments from now on.
    pub fn events(&self) -> broadcast::Receiver<KeeperEvent> {
        self.events.subscribe()
    }
}

/// Why a status message was not set.
#[derive(Debug, thiserror::Error)]
pub enum MessageRefused {
    /// Empty or too long.
    #[error(transparent)]
    Text(#[from] presently_model::MessageError),
    /// Its end cannot be used.
    #[error(transparent)]
    Duration(#[from] DurationError),
    /// The keeper is not running.
    #[error(transparent)]
    Stopped(#[from] KeeperStopped),
}

/// Why a choice was not kept.
#[derive(Debug, thiserror::Error)]
pub enum ChooseError {
    /// The duration cannot be used.
    #[error(transparent)]
    Duration(#[from] DurationError),
    /// The keeper is not running.
    #[error(transparent)]
    Stopped(#[from] KeeperStopped),
}
