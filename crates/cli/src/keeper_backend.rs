//! The keeper backend: `set`, `clear` and `status` ask a running keeper (`presently run` or the tray app) over
//! the local IPC instead of calling Graph themselves. The keeper resolves the duration, keeps the status true
//! (renewing the pin and its presence session) and reads presence back; this side waits a few seconds for that
//! read-back so the report says what Graph now shows.

use std::time::Duration;

use presently_core::ipc::{CallError, Client, Endpoint, EventFrame, Request};
use presently_core::keeper::{Agreement, KeeperActivity};
use presently_core::listen;
use presently_core::{Problem, ProblemKind, Snapshot};
use presently_model::{DurationChoice, Intent, Origin, PreferredPresence};
use serde_json::Value;

use crate::backend::{ClearReport, Held, Mode, SetReport, StatusReport};
use crate::output::Reading;

/// How long `set`, `clear` and `status` wait for the keeper to hear back from Microsoft: longer than Graph's own
/// retries of a failed connection (3 + 6 + 12 s, contract §4), so an unreachable Graph is reported as such.
const SETTLE: Duration = Duration::from_secs(30);

/// A connection to the running keeper.
#[derive(Debug)]
pub struct KeeperBackend {
    client: Client,
    /// Where it listens.
    pub endpoint: Endpoint,
}

fn problem(e: CallError) -> Problem {
    match e {
        CallError::Problem(p) => p,
        CallError::Disconnected => Problem::new(
            ProblemKind::Internal,
            "the running Presently keeper closed the connection",
        ),
    }
}

/// The keeper is talking to Microsoft (writing, or reading afresh).
fn busy(snapshot: &Snapshot) -> bool {
    matches!(
        snapshot.activity,
        KeeperActivity::Syncing | KeeperActivity::Checking
    )
}

/// Graph has answered since the keeper's last change: it agrees, or says why not.
fn answered(snapshot: &Snapshot) -> bool {
    snapshot.agreement != Agreement::Unknown && !busy(snapshot)
}

fn reading(snapshot: &Snapshot) -> Option<Reading> {
    let reported = snapshot.reported.as_ref()?;
    Some(Reading {
        availability: reported.availability.as_str().to_owned(),
        activity: reported.activity.as_str().to_owned(),
        // The keeper's message: the one Graph last showed, or the user's own on its way there.
        message: snapshot
            .message
            .as_ref()
            .filter(|m| !m.is_expired(reported.at))
            .map(|m| crate::output::MessageJson {
                text: m.text.clone(),
                expires_at: m.expires_at,
            }),
    })
}

/// The keeper's explanation of a disagreement, unless a problem stops it: then the problem is the answer and a
/// guess at another cause would mislead.
fn notes(snapshot: &Snapshot) -> Vec<String> {
    match (&snapshot.problem, &snapshot.agreement) {
        (None, Agreement::Differs { reason }) => vec![reason.clone()],
        _ => Vec::new(),
    }
}

/// What stops the keeper, when it is waiting for the user or retrying: the answer to a choice made now.
fn stopping_problem(snapshot: &Snapshot) -> Option<Problem> {
    match snapshot.activity {
        KeeperActivity::Blocked | KeeperActivity::Retrying => snapshot.problem.clone(),
        _ => None,
    }
}

fn reading_at(snapshot: &Snapshot) -> Option<jiff::Timestamp> {
    snapshot.reported.as_ref().map(|r| r.at)
}

/// Whether the reading was taken before the current problem began.
fn read_before_problem(snapshot: &Snapshot) -> bool {
    match (reading_at(snapshot), snapshot.problem_since) {
        (Some(at), Some(since)) => at < since,
        _ => false,
    }
}

/// The keeper's answer read as `T`; an answer of another shape is an internal problem.
fn understood<T: serde::de::DeserializeOwned>(answer: Value) -> Result<T, Problem> {
    serde_json::from_value(answer).map_err(|e| {
        Problem::new(
            ProblemKind::Internal,
            format!("the keeper's answer was not understood: {e}"),
        )
    })
}

impl KeeperBackend {
    /// Connects to a keeper listening at `endpoint` that answers `hello` within two seconds. Something that
    /// accepts connections but does not answer like a keeper is not one.
    pub async fn connect(endpoint: Endpoint) -> Option<Self> {
        let handshake = async {
            let client = Client::connect(&endpoint).await.ok()?;
            let hello = client.call(Request::Hello).await.ok()?;
            (hello["version"] == presently_core::ipc::protocol::VERSION).then_some(client)
        };
        let client = tokio::time::timeout(Duration::from_secs(2), handshake)
            .await
            .ok()??;
        Some(Self { client, endpoint })
    }

    /// Waits until the keeper's state satisfies `done` and returns it. When [`SETTLE`] passes first, the answer is
    /// that Microsoft has not answered (never a success the keeper could not confirm).
    async fn settle(&self, done: impl Fn(&Snapshot) -> bool) -> Result<Snapshot, Problem> {
        let mut events = self.client.events();
        self.client.call(Request::Subscribe).await.map_err(problem)?;
        let mut last: Snapshot = understood(self.client.call(Request::Snapshot).await.map_err(problem)?)?;
        let deadline = tokio::time::Instant::now() + SETTLE;
        while !done(&last) {
            match tokio::time::timeout_at(deadline, listen::next(&mut events)).await {
                Ok(Some(EventFrame::State(snapshot))) => last = *snapshot,
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(Problem::new(
                        ProblemKind::Internal,
                        "the running Presently keeper closed the connection",
                    ));
                }
                Err(_) => {
                    return Err(stopping_problem(&last).unwrap_or_else(|| {
                        Problem::new(
                            ProblemKind::Offline,
                            format!(
                                "Microsoft has not answered the running keeper within {} s; it keeps your choice \
                                 and keeps trying.",
                                SETTLE.as_secs()
                            ),
                        )
                        .with_action(presently_core::Action::Retry)
                    }));
                }
            }
        }
        Ok(last)
    }

    /// Asks the keeper to keep `status` for `duration`.
    pub async fn set(
        &self,
        status: PreferredPresence,
        duration: DurationChoice,
    ) -> Result<SetReport, Problem> {
        let request = Request::Choose {
            status: status.short_name().into(),
            duration: duration.to_string(),
            origin: Origin::Cli,
        };
        let intent: Intent = understood(self.client.call(request).await.map_err(problem)?)?;
        // Done when Graph's answer is in, or when the keeper is stuck on a problem after trying this choice (the
        // first snapshot with the new intent is published as the keeper starts to write it).
        let snapshot = self
            .settle(|s| s.intent == Some(intent) && (answered(s) || stopping_problem(s).is_some()))
            .await?;
        if let Some(problem) = stopping_problem(&snapshot) {
            // The keeper keeps the choice and applies it once past the problem; the answer now is the problem.
            return Err(problem);
        }
        Ok(SetReport {
            intent,
            expiration_duration: None,
            pin_expires_at: None,
            pin_needs_renewal: false,
            session: None,
            graph: reading(&snapshot),
            read_back_error: None,
            mode: Mode::Keeper,
            notes: notes(&snapshot),
        })
    }

    /// Asks the keeper to set or remove the status message, and waits until it has been written and read back.
    pub async fn message(
        &self,
        change: crate::backend::MessageChange,
    ) -> Result<crate::backend::MessageReport, Problem> {
        let wanted = match change {
            crate::backend::MessageChange::Set { text, until } => {
                let request = Request::SetMessage {
                    text: text.clone(),
                    until: until.map(|u| u.to_string()),
                    origin: Origin::Cli,
                };
                self.client.call(request).await.map_err(problem)?;
                Some(text)
            }
            crate::backend::MessageChange::Clear => {
                self.client.call(Request::ClearMessage).await.map_err(problem)?;
                None
            }
        };
        let snapshot = self
            .settle(|s| {
                let there = s.message.as_ref().map(|m| &m.text) == wanted.as_ref();
                // Written and read back: nothing of it is still to do.
                let pending = s.next.as_ref().is_some_and(|n| {
                    matches!(
                        n.action,
                        presently_core::keeper::NextAction::Apply
                            | presently_core::keeper::NextAction::ReadBack
                    )
                });
                (there && !pending && !busy(s)) || stopping_problem(s).is_some()
            })
            .await?;
        if let Some(problem) = stopping_problem(&snapshot) {
            return Err(problem);
        }
        Ok(crate::backend::MessageReport {
            graph: reading(&snapshot),
            mode: Mode::Keeper,
        })
    }

    /// Asks the keeper to go back to automatic. Like `set`, a problem that stops the keeper is the answer.
    pub async fn clear(&self) -> Result<ClearReport, Problem> {
        self.client
            .call(Request::BackToAutomatic)
            .await
            .map_err(problem)?;
        let snapshot = self
            .settle(|s| s.intent.is_none() && (answered(s) || stopping_problem(s).is_some()))
            .await?;
        if let Some(problem) = stopping_problem(&snapshot) {
            return Err(problem);
        }
        Ok(ClearReport {
            session_cleared: true,
            graph: reading(&snapshot),
            read_back_error: None,
            mode: Mode::Keeper,
            notes: notes(&snapshot),
        })
    }

    /// What the keeper keeps, and what Graph reported to it: the keeper reads afresh unless its reading is under
    /// a minute old (`now` is this computer's clock); when a problem stops it, that problem, with the last reading
    /// and its age.
    pub async fn status(&self, now: jiff::Timestamp) -> Result<StatusReport, Problem> {
        let before: Snapshot = understood(self.client.call(Request::Snapshot).await.map_err(problem)?)?;
        let fresh = |s: &Snapshot| {
            reading_at(s).is_some_and(|at| now.duration_since(at) <= jiff::SignedDuration::from_secs(60))
        };
        let already_fresh = fresh(&before);
        let read_before = reading_at(&before);
        self.client.call(Request::Look).await.map_err(problem)?;
        let snapshot = self
            .settle(|s| {
                let read = already_fresh || reading_at(s) != read_before;
                (read && !busy(s)) || stopping_problem(s).is_some()
            })
            .await?;
        let problem = stopping_problem(&snapshot);
        let graph = reading(&snapshot);
        if graph.is_none() && problem.is_none() {
            return Err(Problem::new(
                ProblemKind::Offline,
                "the running keeper could not read your presence from Graph yet",
            ));
        }
        let held = snapshot.intent.map(|intent| Held {
            intent,
            pin_expires_at: None,
            session_expires_at: None,
        });
        Ok(StatusReport {
            graph,
            read_at: reading_at(&snapshot),
            read_before_problem: read_before_problem(&snapshot),
            problem,
            held,
            mode: Mode::Keeper,
            notes: notes(&snapshot),
        })
    }

    /// Tells the keeper the saved sign-in changed.
    pub async fn sign_in_changed(&self) -> Result<(), Problem> {
        self.client
            .call(Request::SignInChanged)
            .await
            .map(drop)
            .map_err(problem)
    }
}

/// The running keeper's own state (`presently doctor`), or `None` when no keeper answers at `endpoint`.
pub async fn running_process_state(
    endpoint: Endpoint,
) -> Option<Result<presently_core::diagnostics::ProcessState, Problem>> {
    let keeper = KeeperBackend::connect(endpoint).await?;
    let answer = keeper.client.call(Request::ProcessState).await.map_err(problem);
    Some(answer.and_then(|value| {
        serde_json::from_value(value).map_err(|e| {
            Problem::new(
                ProblemKind::Internal,
                format!("the running keeper answered in a form this presently does not read: {e}"),
            )
        })
    }))
}

/// After `login`/`logout` changed the saved sign-in: a running keeper reloads it (and resumes a waiting status
/// after a new sign-in). Returns a note for the user when a keeper was told.
pub async fn tell_running_keeper(data_dir: &std::path::Path) -> Option<String> {
    let endpoint = Endpoint::for_profile("keeper", data_dir, &presently_core::paths::process_env);
    let keeper = KeeperBackend::connect(endpoint).await?;
    match keeper.sign_in_changed().await {
        Ok(()) => Some(format!(
            "The running Presently keeper ({}) uses the new sign-in.",
            keeper.endpoint
        )),
        Err(p) => Some(format!(
            "The running Presently keeper could not reload the sign-in: {}",
            p.message
        )),
    }
}
