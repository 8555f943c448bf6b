//! What the keeper publishes: one whole [`Snapshot`] after every change (architecture convention 3). The tray,
//! the popup, the hotkeys and the CLI render it; nobody polls. Notable moments also go out as [`KeeperEvent`]s
//! for notifications.

use jiff::Timestamp;
use presently_model::{Activity, Availability, Intent, PreferredPresence, StatusMessage};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::hour_cycle::HourCycle;
use crate::problem::Problem;

/// Everything a view needs, in one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Increases with every published change.
    pub revision: u64,
    /// What the user chose; `None` means automatic (Teams decides).
    pub intent: Option<Intent>,
    /// When the intent ends: its chosen end, or Graph's default length counted from when it was set (contract
    /// §2), so no view works that out again; `None` for automatic and for "until I change it".
    #[ts(type = "string | null")]
    pub ends_at: Option<Timestamp>,
    /// The status message colleagues see under the name (contract §2): the one the user chose, or the one Graph
    /// last showed (set in Teams). Views hide it once past its `expiresAt`. Absent from an older keeper's
    /// snapshot: none.
    #[serde(default)]
    pub message: Option<StatusMessage>,
    /// Who is signed in.
    pub account: AccountView,
    /// What Graph last reported, and when.
    pub reported: Option<Reported>,
    /// Whether Graph agrees with the intent.
    pub agreement: Agreement,
    /// What the keeper is doing now.
    pub activity: KeeperActivity,
    /// What it will do next, and when.
    pub next: Option<Planned>,
    /// The current trouble, with what helps; the intent is kept whatever it is. Views show it first.
    pub problem: Option<Problem>,
    /// When that trouble began: a reading taken before it is from before the problem, and says so.
    #[ts(type = "string | null")]
    pub problem_since: Option<Timestamp>,
    /// Where tokens are kept, in words; `secure` is false for the unencrypted file fallback.
    pub token_store: TokenStoreView,
    /// The user's clock: every view writes times on it ("17:30" or "5:30 PM"), so they agree. Absent from a
    /// snapshot of an older keeper (the CLI may talk to one): 24-hour, as every view wrote times before.
    #[serde(default)]
    pub hour_cycle: HourCycle,
}

/// The sign-in state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "state")]
pub enum AccountView {
    /// Not known yet (the keeper is starting).
    Unknown,
    /// Nobody is signed in.
    SignedOut,
    SignedIn {
        /// Display name.
        name: String,
        /// Sign-in name.
        username: String,
        tenant_id: String,
    },
    /// This account must sign in again; the intent waits.
    SignInRequired {
        /// Display name.
        name: String,
        /// Sign-in name.
        username: String,
    },
}

/// A reading older than this is shown with its time ("· checked 14:05" in the tray, the age in the popup and the
/// CLI); a younger one is shown as current.
pub const AGE_SHOWN_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

impl Snapshot {
    /// The status the views present as current without an age at `now`: the intent's (or, while automatic, the
    /// one Graph reported) while the reading is at most [`AGE_SHOWN_AFTER`] old. `None` when they show an age,
    /// or no status. What the request-economy benchmark holds against what colleagues see.
    pub fn claim_without_age(&self, now: Timestamp) -> Option<PreferredPresence> {
        let reported = self.reported.as_ref()?;
        if now.duration_since(reported.at) > AGE_SHOWN_AFTER {
            return None;
        }
        match &self.intent {
            Some(intent) => Some(intent.status),
            None => reported.as_status,
        }
    }

    /// How old the reading is at `now`, when there is one.
    pub fn reading_age(&self, now: Timestamp) -> Option<jiff::SignedDuration> {
        self.reported.as_ref().map(|r| now.duration_since(r.at))
    }

    /// Whether the reading was taken before the current problem began (so it may no longer be true).
    pub fn reading_predates_problem(&self) -> bool {
        match (&self.reported, self.problem_since) {
            (Some(r), Some(since)) => r.at < since,
            _ => false,
        }
    }
}

/// What Graph reported (`GET /users/{id}/presence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Reported {
    /// Availability as Graph says it.
    #[ts(type = "string")]
    pub availability: Availability,
    /// Activity as Graph says it.
    #[ts(type = "string")]
    pub activity: Activity,
    /// The preferred status this pair is, if it is one of the six.
    pub as_status: Option<PreferredPresence>,
    /// When it was read.
    #[ts(type = "string")]
    pub at: Timestamp,
}

/// How Graph's report compares with the intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Agreement {
    /// Not read since the last change.
    Unknown,
    /// Graph shows what the user chose (or automatic with no intent).
    Matches,
    /// Graph shows something else; `reason` says what we know in plain words.
    Differs {
        /// Plain words for the popup and `presently status`.
        reason: String,
    },
}

/// What the keeper is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum KeeperActivity {
    /// Starting: loading the saved intent and sign-in.
    Starting,
    /// Nothing to do until `next`.
    Idle,
    /// Talking to Microsoft: writing a change or refreshing the sign-in.
    Syncing,
    /// Reading presence from Graph (the reading shown is the previous one until it returns).
    Checking,
    /// Waiting to retry after a transient failure.
    Retrying,
    /// Waiting for the user (sign in, consent, settings).
    Blocked,
}

/// A planned step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Planned {
    /// What.
    pub action: NextAction,
    /// When.
    #[ts(type = "string")]
    pub at: Timestamp,
}

/// The kinds of planned steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum NextAction {
    /// Send the chosen status (or the return to automatic) to Graph: a change is waiting to be written.
    Apply,
    /// Refresh the access token before it lapses.
    RefreshToken,
    /// Re-post our presence session before it lapses (contract §3).
    RenewSession,
    /// Re-post the pin before Graph's cap drops it.
    RenewPin,
    /// The chosen status ends; go back to automatic.
    EndIntent,
    /// Read presence back after a write, or because someone looks.
    ReadBack,
    /// Read presence to notice a change made elsewhere (after a gap, and every half hour while a status is kept)
    /// and re-assert only what lapsed of ours.
    Check,
    /// Retry after a transient failure.
    Retry,
}

/// The token store in use, as parts each view words for itself (`crate::wording::store_sentences` for the CLI,
/// `ui/src/views/welcome.ts` for the popup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenStoreView {
    /// False when tokens sit in a plain file (no credential store on this system).
    pub secure: bool,
    pub kind: presently_auth::StoreKind,
    /// The file that holds the tokens, shortened as people write it (`~/.local/share/presently/tokens.enc`);
    /// `None` in memory.
    pub location: Option<String>,
    /// The credential store that holds the key of the encrypted file.
    pub key_kept_in: Option<String>,
    /// Why it is this store, or what went wrong saving: whole sentences.
    pub note: Option<String>,
}

impl TokenStoreView {
    /// The view of `place`, its path shortened against `folders`.
    pub fn of(place: &presently_auth::StorePlace, folders: &crate::wording::KnownFolders) -> Self {
        Self {
            secure: place.kind.is_secure(),
            kind: place.kind,
            location: place.file.as_deref().map(|f| folders.shorten(f)),
            key_kept_in: place.key_kept_in.map(str::to_owned),
            note: place.note.clone(),
        }
    }
}

/// A notable moment (for notifications and logs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum KeeperEvent {
    /// A timed status ended and presence went back to automatic.
    IntentEnded {
        /// The status that ended.
        status: PreferredPresence,
    },
    /// The user changed status elsewhere (Teams); the keeper adopted it and stopped re-asserting.
    AdoptedExternalChange {
        /// The status now shown, when it is one of the six; `None` = automatic.
        status: Option<PreferredPresence>,
    },
    /// Sign-in is needed to keep the status.
    SignInNeeded,
    /// Graph reports something other than the user's choice.
    Disagreement {
        /// Plain words.
        reason: String,
    },
}
