//! How `set`, `clear` and `status` reach Microsoft Graph: the [`Backend`].
//!
//! Two: when a keeper runs (`presently run` or the tray app), [`KeeperBackend`](crate::keeper_backend) sends the
//! choice over the core's local IPC (`Request::Choose { status, duration, origin: cli }`, `BackToAutomatic`,
//! `Snapshot`) and turns its answers into the same reports; otherwise [`OneShot`] makes the Graph calls itself
//! and exits. The commands do not change: they hand over a checked status and duration and print a report.
//!
//! One-shot mode writes through the core's [`PresenceWriter`](presently_core::PresenceWriter), the keeper's own
//! write path, step by step (contract §2, §3):
//! - `set`: `setUserPreferredPresence` with the status's pair and the `expirationDuration` the model computes
//!   (capped at 7 days; omitted for Graph's default); then Presently's own session with `setPresence`
//!   (session id = client id, the status's [`SessionPlan`](presently_model::SessionPlan) pair) so the pin
//!   shows while Teams is closed — for min(4 h, until the end) since nobody will renew it, and at least the
//!   5 minutes Graph requires; for Appear offline no session (and any earlier one is cleared); then a
//!   read-back with `GET /users/{oid}/presence`. The result is noted in the last-set record.
//! - `clear`: `clearUserPreferredPresence`, `clearPresence` (a 404 means there was none: fine), read-back.
//! - `status`: `GET /users/{oid}/presence`, and the last-set record for what Presently set.

use std::path::PathBuf;

use jiff::Timestamp;
use presently_auth::Account;
use presently_core::ipc::Endpoint;
use presently_core::paths::process_env;
use presently_core::{Problem, ProblemKind, Services};
use presently_graph::SessionCleared;
use presently_model::{DurationChoice, Intent, Origin, PreferredPresence, WorkWeek, iso8601};
use serde::Serialize;

use crate::context::{Wired, graph_problem};
use crate::output::Reading;
use crate::record::{self, LastSet};

/// Which backend answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Direct Graph calls from this process; nothing keeps the status alive afterwards.
    OneShot,
    /// A running keeper did it and keeps it.
    Keeper,
}

/// Presently's presence session as set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionReport {
    /// The session's availability (`setPresence`).
    pub availability: String,
    /// The session's activity.
    pub activity: String,
    /// The `expirationDuration` sent (`PT4H`).
    pub expiration_duration: String,
    /// When it lapses, by this computer's clock.
    pub expires_at: Timestamp,
}

/// What `set` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetReport {
    /// The intent, as resolved.
    pub intent: Intent,
    /// The `expirationDuration` sent with the pin; `None` when Graph's default applies.
    pub expiration_duration: Option<String>,
    /// When Graph drops the pin.
    pub pin_expires_at: Option<Timestamp>,
    /// The intent lasts beyond what was sent (7-day cap, "forever"): someone must post the pin again.
    pub pin_needs_renewal: bool,
    /// The session, or `None` for Appear offline.
    pub session: Option<SessionReport>,
    /// What Graph reports right after; `None` when reading back failed (see `read_back_error`).
    pub graph: Option<Reading>,
    /// Why reading back failed.
    pub read_back_error: Option<String>,
    /// Which backend did it.
    pub mode: Mode,
    /// Something the user should know about the record of what was set (it could not be saved).
    pub notes: Vec<String>,
}

/// What `clear` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearReport {
    /// Whether Presently's session existed (false: Graph answered 404, there was none).
    pub session_cleared: bool,
    /// What Graph reports right after; `None` when reading back failed.
    pub graph: Option<Reading>,
    /// Why reading back failed.
    pub read_back_error: Option<String>,
    /// Which backend did it.
    pub mode: Mode,
    /// Things worth a warning.
    pub notes: Vec<String>,
}

/// What Presently set and keeps (one-shot: the last-set record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub intent: Intent,
    /// When Graph drops the pin.
    pub pin_expires_at: Option<Timestamp>,
    /// When Presently's session lapses.
    pub session_expires_at: Option<Timestamp>,
}

/// What `status` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// What Graph reported; `None` when a running keeper has no reading (it could not read yet).
    pub graph: Option<Reading>,
    /// When that reading was taken.
    pub read_at: Option<Timestamp>,
    /// What stops a running keeper from keeping the status, if anything: the answer comes first, and the
    /// command exits with its code.
    pub problem: Option<Problem>,
    /// The reading was taken before that problem began, so it may no longer be true.
    pub read_before_problem: bool,
    /// What Presently set, if it knows.
    pub held: Option<Held>,
    /// Which backend answered.
    pub mode: Mode,
    /// Things worth a warning (e.g. an unreadable record).
    pub notes: Vec<String>,
}

/// A change of the status message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageChange {
    /// Set this (checked) text, ending at `until` when given, else with the status in force when the
    /// `clear-message-with-status` setting is on, else never.
    Set {
        /// The text.
        text: String,
        /// When it ends.
        until: Option<DurationChoice>,
    },
    /// Remove it.
    Clear,
}

/// What a message change did: the message Graph shows afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReport {
    /// What Graph (or the keeper) reports now; `None` when reading back failed.
    pub graph: Option<Reading>,
    /// Which backend did it.
    pub mode: Mode,
}

/// The way `set`, `clear` and `status` are carried out.
#[derive(Debug)]
pub enum Backend {
    /// Direct Graph calls (no keeper is running).
    OneShot(OneShot),
    /// A running keeper does it and keeps it.
    Keeper(crate::keeper_backend::KeeperBackend, Services),
}

impl Backend {
    /// The backend for this run: a keeper answering on the local IPC endpoint (it holds its own sign-in, so
    /// none is needed here), else one-shot mode with this computer's saved sign-in (exit 3 when there is none).
    /// The working day's end (for "end of day") comes from the settings.
    pub async fn select(wired: &Wired) -> Result<Self, Problem> {
        let endpoint = Endpoint::for_profile("keeper", &wired.data_dir, &process_env);
        if let Some(keeper) = crate::keeper_backend::KeeperBackend::connect(endpoint).await {
            tracing::info!(endpoint = %keeper.endpoint, "asking the running keeper");
            return Ok(Backend::Keeper(keeper, wired.services.clone()));
        }
        let account = wired.require_account().await?;
        Ok(Backend::OneShot(OneShot {
            services: wired.services.clone(),
            account,
            data_dir: wired.data_dir.clone(),
            week: wired.settings.work_week(),
            message_with_status: wired.settings.clear_message_with_status.value,
        }))
    }

    /// The account this computer's saved sign-in holds (one-shot), if known.
    pub fn account(&self) -> Option<&Account> {
        match self {
            Backend::OneShot(one) => Some(&one.account),
            Backend::Keeper(..) => None,
        }
    }

    /// Where a running keeper listens, when one does.
    pub fn keeper(&self) -> Option<&Endpoint> {
        match self {
            Backend::OneShot(_) => None,
            Backend::Keeper(keeper, _) => Some(&keeper.endpoint),
        }
    }

    /// The current time by the backend's clock.
    pub fn now(&self) -> Timestamp {
        match self {
            Backend::OneShot(one) => one.services.clock.now(),
            Backend::Keeper(_, services) => services.clock.now(),
        }
    }

    /// Sets `status` for `duration`, resolved against the backend's clock and this computer's time zone.
    pub async fn set(
        &self,
        status: PreferredPresence,
        duration: DurationChoice,
    ) -> Result<SetReport, Problem> {
        match self {
            Backend::OneShot(one) => one.set(status, duration).await,
            Backend::Keeper(keeper, _) => keeper.set(status, duration).await,
        }
    }

    /// Sets or removes the status message.
    pub async fn message(&self, change: MessageChange) -> Result<MessageReport, Problem> {
        match self {
            Backend::OneShot(one) => one.message(change).await,
            Backend::Keeper(keeper, _) => keeper.message(change).await,
        }
    }

    /// Goes back to automatic.
    pub async fn clear(&self) -> Result<ClearReport, Problem> {
        match self {
            Backend::OneShot(one) => one.clear().await,
            Backend::Keeper(keeper, _) => keeper.clear().await,
        }
    }

    /// Reads what Graph reports and what Presently set.
    pub async fn status(&self) -> Result<StatusReport, Problem> {
        match self {
            Backend::OneShot(one) => one.status().await,
            Backend::Keeper(keeper, services) => keeper.status(services.clock.now()).await,
        }
    }
}

/// Direct Graph calls for one signed-in account.
#[derive(Debug)]
pub struct OneShot {
    services: Services,
    account: Account,
    data_dir: PathBuf,
    week: WorkWeek,
    /// The `clear-message-with-status` setting.
    message_with_status: bool,
}

impl OneShot {
    fn oid(&self) -> &str {
        &self.account.oid
    }

    async fn read_back(&self) -> (Option<Reading>, Option<String>) {
        match self.services.writer().read(self.oid()).await {
            Ok(presence) => (Some(Reading::from(&presence)), None),
            Err(e) => (None, Some(graph_problem(&e).message)),
        }
    }

    /// The intent for a choice made now, in this computer's time zone.
    fn resolve(&self, status: PreferredPresence, duration: DurationChoice) -> Result<Intent, Problem> {
        let now = self.services.clock.now();
        let local_now = now.to_zoned_datetime(presently_core::keeper::LocalZone::System.current());
        let until = duration
            .resolve(&local_now, &self.week)
            .map_err(|e| Problem::new(ProblemKind::InvalidChoice, e.to_string()))?;
        Ok(Intent::new(status, until, now, Origin::Cli))
    }

    async fn set(&self, status: PreferredPresence, duration: DurationChoice) -> Result<SetReport, Problem> {
        let intent = self.resolve(status, duration)?;
        let writer = self.services.writer();
        let now = self.services.clock.now();
        // The keeper's own write path (presently_core::writer): the same pin, the same session rule (until the
        // end, at most four hours, since nobody renews it here).
        let pin = writer
            .post_pin(self.oid(), &intent, now)
            .await
            .map_err(|e| graph_problem(&e))?
            .ok_or_else(|| {
                Problem::new(
                    ProblemKind::InvalidChoice,
                    "that time has already passed: choose a length or a time in the future",
                )
            })?;
        tracing::info!(
            status = intent.status.short_name(),
            expiration = pin
                .expiration
                .map(iso8601)
                .as_deref()
                .unwrap_or("Graph's default"),
            "set the preferred presence"
        );

        let mut notes = Vec::new();
        let mut record = LastSet::new(self.oid(), intent, pin.lapses_at, None);
        if let Err(e) = record::save(&self.data_dir, &record) {
            notes.push(format!(
                "cannot note what was set ({e}); `presently status` will not know it"
            ));
        }

        let session = match writer
            .post_session(self.oid(), &intent, now)
            .await
            .map_err(|e| graph_problem(&e))?
        {
            Some(posted) => {
                tracing::info!(expiration = %iso8601(posted.lifetime), "set Presently's presence session");
                Some(SessionReport {
                    availability: posted.pair.availability.as_str().to_owned(),
                    activity: posted.pair.activity.as_str().to_owned(),
                    expiration_duration: iso8601(posted.lifetime),
                    expires_at: posted.until,
                })
            }
            None => {
                // Appear offline wants no session: with none, Teams shows Offline even once the pin lapses
                // (model `session` docs). An earlier one-shot `set` may have left one; end it.
                let cleared = writer
                    .clear_session(self.oid())
                    .await
                    .map_err(|e| graph_problem(&e))?;
                tracing::debug!(
                    existed = matches!(cleared, SessionCleared::Cleared),
                    "session cleared"
                );
                None
            }
        };
        if let Some(session) = &session {
            record.session_expires_at = Some(session.expires_at);
            if let Err(e) = record::save(&self.data_dir, &record) {
                notes.push(format!(
                    "cannot note what was set ({e}); `presently status` will not know it"
                ));
            }
        }

        let (reading, read_back_error) = self.read_back().await;
        Ok(SetReport {
            intent,
            expiration_duration: pin.expiration.map(iso8601),
            pin_expires_at: pin.lapses_at,
            pin_needs_renewal: pin.needs_renewal,
            session,
            graph: reading,
            read_back_error,
            mode: Mode::OneShot,
            notes,
        })
    }

    /// `setStatusMessage` with the message's own expiry (contract §2), then a read-back. Nothing renews it, and
    /// nothing needs to. Without `until`, a message ends with the status this computer's last `presently set`
    /// holds (when the setting says so and that status is still in force).
    async fn message(&self, change: MessageChange) -> Result<MessageReport, Problem> {
        let writer = self.services.writer();
        let now = self.services.clock.now();
        match change {
            MessageChange::Set { text, until } => {
                let expires_at = match until {
                    Some(duration) => self.resolve(PreferredPresence::Available, duration)?.ends_at(),
                    None if self.message_with_status => match record::load(&self.data_dir) {
                        Ok(Some(r))
                            if r.account_oid.eq_ignore_ascii_case(self.oid())
                                && !r.intent.is_expired(now) =>
                        {
                            r.intent.ends_at()
                        }
                        _ => None,
                    },
                    None => None,
                };
                let message = presently_model::StatusMessage {
                    text,
                    expires_at,
                    with_status: false,
                    set_at: now,
                    origin: Origin::Cli,
                };
                writer
                    .post_message(self.oid(), &message)
                    .await
                    .map_err(|e| graph_problem(&e))?;
            }
            MessageChange::Clear => writer
                .clear_message(self.oid())
                .await
                .map_err(|e| graph_problem(&e))?,
        }
        let (graph, _) = self.read_back().await;
        Ok(MessageReport {
            graph,
            mode: Mode::OneShot,
        })
    }

    async fn clear(&self) -> Result<ClearReport, Problem> {
        let writer = self.services.writer();
        writer
            .clear_pin(self.oid())
            .await
            .map_err(|e| graph_problem(&e))?;
        let cleared = writer
            .clear_session(self.oid())
            .await
            .map_err(|e| graph_problem(&e))?;
        let mut notes = Vec::new();
        if let Err(e) = record::remove(&self.data_dir) {
            notes.push(e);
        }
        let (reading, read_back_error) = self.read_back().await;
        Ok(ClearReport {
            session_cleared: matches!(cleared, SessionCleared::Cleared),
            graph: reading,
            read_back_error,
            mode: Mode::OneShot,
            notes,
        })
    }

    async fn status(&self) -> Result<StatusReport, Problem> {
        let presence = self
            .services
            .writer()
            .read(self.oid())
            .await
            .map_err(|e| graph_problem(&e))?;
        let mut notes = Vec::new();
        let held = match record::load(&self.data_dir) {
            Ok(Some(r)) if r.account_oid.eq_ignore_ascii_case(self.oid()) => Some(Held {
                intent: r.intent,
                pin_expires_at: r.pin_expires_at,
                session_expires_at: r.session_expires_at,
            }),
            Ok(_) => None,
            Err(e) => {
                notes.push(e);
                None
            }
        };
        Ok(StatusReport {
            graph: Some(Reading::from(&presence)),
            read_at: Some(self.services.clock.now()),
            problem: None,
            read_before_problem: false,
            held,
            mode: Mode::OneShot,
            notes,
        })
    }
}

/// Whether Graph's reading shows `status`: its exact preferred pair, or for Appear offline any `Offline`
/// (with no session alive Graph reports Offline/Offline, which is what Appear offline wants colleagues to
/// see, contract §3).
pub fn reading_shows(reading: &Reading, status: PreferredPresence) -> bool {
    if status == PreferredPresence::AppearOffline {
        return reading.availability == "Offline";
    }
    let pair = status.preferred_pair();
    reading.availability == pair.availability.as_str() && reading.activity == pair.activity.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_shows_a_status_only_with_its_exact_pair() {
        let reading = |a: &str, b: &str| Reading {
            availability: a.into(),
            activity: b.into(),
            message: None,
        };
        assert!(reading_shows(
            &reading("Offline", "OffWork"),
            PreferredPresence::AppearOffline
        ));
        // With no session alive Graph reports Offline/Offline: what Appear offline wants (contract §3).
        assert!(reading_shows(
            &reading("Offline", "Offline"),
            PreferredPresence::AppearOffline
        ));
        assert!(!reading_shows(
            &reading("Away", "Away"),
            PreferredPresence::AppearOffline
        ));
        assert!(reading_shows(
            &reading("Away", "Away"),
            PreferredPresence::AppearAway
        ));
        assert!(!reading_shows(
            &reading("Busy", "InAMeeting"),
            PreferredPresence::Busy
        ));
    }
}
