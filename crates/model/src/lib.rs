//! Presently's presence model: the pure, Tauri-free vocabulary the rest of the app speaks.
//!
//! - [`status`]: the six statuses a user chooses ([`PreferredPresence`]), their exact Graph wire pairs,
//!   default expiries, names, colours and parsing.
//! - [`wire`]: Graph's `availability`/`activity` values, read leniently ([`Availability`], [`Activity`],
//!   [`PresencePair`]).
//! - [`session`]: the `setPresence` session that keeps a pin visible while Teams is closed
//!   ([`SessionPlan`]).
//! - [`preset`] and [`choice`]: how long, as clicked ([`Preset`]) or typed ([`DurationChoice`]), and how
//!   that resolves against "now" into an [`Until`].
//! - [`duration`]: [`Until`], the ISO 8601 `expirationDuration` to send and the cap above which the
//!   keeper renews ([`WireExpiration`]).
//! - [`workweek`]: the working days and the working day's end that "End of day" follows ([`WorkWeek`]).
//! - [`intent`]: what the user chose, persisted ([`Intent`]).
//! - [`message`]: the status message colleagues see under the name ([`StatusMessage`]).
//! - [`command`]: a status and how long as typed on a command line ([`StatusChoice`]), for every command line.
//!
//! No I/O, no clock, no async: every function that needs the time takes it as an argument, so the
//! keeper and the tests decide what "now" is. Behaviour that follows Microsoft's documentation cites
//! the project's contract (`graph-contract.md`, e.g. "contract §2").

pub mod choice;
pub mod command;
pub mod duration;
pub mod intent;
pub mod message;
pub mod preset;
pub mod session;
pub mod status;
pub mod text;
pub mod wire;
pub mod workweek;

pub use choice::{Day, DurationChoice, DurationError, WallClock};
pub use command::{ChoiceError, StatusChoice};
pub use duration::{PREFERRED_EXPIRY_CAP, Until, WireDuration, WireExpiration, iso8601};
pub use intent::{Intent, Origin};
pub use message::{MESSAGE_MAX_CHARS, MessageError, StatusMessage};
pub use preset::{DEFAULT_WORKDAY_END, Preset, UnknownPreset};
pub use session::SessionPlan;
pub use status::{PreferredPresence, UnknownStatus, string_union};
pub use wire::{Activity, Availability, PresencePair};
pub use workweek::{WorkDays, WorkDaysError, WorkWeek};
