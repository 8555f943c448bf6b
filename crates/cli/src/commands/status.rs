//! `presently status`: what Microsoft Graph reports now, and, separately, what Presently set and until when.
//!
//! Through a running keeper the reading is the keeper's, read afresh unless under a minute old. When a problem
//! stops the keeper (sign-in, consent, offline, throttled) that problem comes first and sets the exit code, and
//! the last reading is shown with its age, marked when it was taken before the problem began.
//!
//! Without a keeper, "what Presently set" is the last-set record a one-shot `presently set` on this computer
//! keeps (see `record`): a change made in Teams or elsewhere is not in it, so the two are shown side by side
//! and any disagreement is explained rather than hidden.

use jiff::Timestamp;
use presently_core::Problem;
use presently_model::{Origin, PreferredPresence, Until};
use serde::Serialize;

use crate::args::Global;
use crate::backend::{Backend, Held, Mode, StatusReport, reading_shows};
use crate::context::Wired;
use crate::output::{AccountJson, Output, Reading, account_label, local_time};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusJson<'a> {
    account: Option<AccountJson>,
    /// What stops the running keeper, if anything (the exit code is this problem's).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a Problem>,
    graph: Option<GraphJson<'a>>,
    mode: Mode,
    keeper_running: bool,
    presently: Option<HeldJson>,
    warnings: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphJson<'a> {
    #[serde(flatten)]
    reading: &'a Reading,
    read_at: Option<Timestamp>,
    /// Seconds since it was read.
    age_secs: Option<i64>,
    /// Taken before the current problem began: it may no longer be true.
    before_problem: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HeldJson {
    status: &'static str,
    status_name: &'static str,
    until: Until,
    ends_at: Option<Timestamp>,
    set_at: Timestamp,
    /// Where the choice was made (`teams` when the keeper adopted a status picked there).
    origin: Origin,
    active: bool,
    pin_expires_at: Option<Timestamp>,
    session_expires_at: Option<Timestamp>,
    session_alive: bool,
    shown_by_graph: bool,
}

fn held_json(held: &Held, graph: Option<&Reading>, now: Timestamp) -> HeldJson {
    let status = held.intent.status;
    HeldJson {
        status: status.short_name(),
        status_name: status.display_name(),
        until: held.intent.until,
        ends_at: held.intent.ends_at(),
        set_at: held.intent.set_at,
        origin: held.intent.origin,
        active: is_active(held, now),
        pin_expires_at: held.pin_expires_at,
        session_expires_at: held.session_expires_at,
        session_alive: held.session_expires_at.is_some_and(|at| at > now),
        shown_by_graph: graph.is_some_and(|g| reading_shows(g, status)),
    }
}

/// Whether what Presently set is still meant to be in force: the intent has not ended and its pin has not
/// lapsed.
fn is_active(held: &Held, now: Timestamp) -> bool {
    !held.intent.is_expired(now) && held.pin_expires_at.is_none_or(|at| at > now)
}

/// Runs `presently status`.
pub async fn run(global: &Global, out: Output) -> Result<u8, Problem> {
    let wired = Wired::new(global)?;
    let backend = Backend::select(&wired).await?;
    let account = backend.account().cloned();
    let report = backend.status().await?;
    let now = backend.now();
    let warnings = warnings_for(&report, now);

    if let Some(problem) = &report.problem {
        out.line(format!(
            "Presently cannot keep your status now: {}",
            problem.message
        ));
        if let Some(hint) = crate::output::hint(problem) {
            out.line(hint);
        }
    }
    match &account {
        Some(account) => out.line(format!("Account: {}", account_label(account))),
        None => out.line("Account: the running keeper's sign-in"),
    }
    match (&report.graph, report.read_at) {
        (Some(reading), Some(at)) if now.duration_since(at) > jiff::SignedDuration::from_secs(60) => {
            let before = if report.read_before_problem {
                ", before this problem"
            } else {
                ""
            };
            out.line(format!(
                "Graph reported: {reading} (at {}, {} ago{before})",
                local_time(at, now),
                age_words(now.duration_since(at))
            ));
        }
        (Some(reading), _) => out.line(format!("Graph reports: {reading}")),
        (None, _) => out.line("Graph reports: not read yet"),
    }
    if let Some(message) = report.graph.as_ref().and_then(|g| g.message.as_ref()) {
        out.line(format!("Status message: {}", message.words(now)));
    }
    match report.held.as_ref().filter(|h| is_active(h, now)) {
        Some(held) => {
            let status = held.intent.status;
            let until = match (held.intent.until, held.intent.ends_at()) {
                (Until::UntilChanged, _) => "until you change it".to_owned(),
                (_, Some(end)) => format!("until {}", local_time(end, now)),
                (_, None) => String::new(),
            };
            let how = match report.mode {
                Mode::Keeper => "kept by the running keeper",
                Mode::OneShot if backend.keeper().is_some() => "with `presently set`",
                Mode::OneShot => "with `presently set`; no keeper running",
            };
            out.line(format!("Presently set: {status} {until} (at {}, {how}).", local_time(held.intent.set_at, now)));
            match held.session_expires_at {
                Some(at) if at > now => out.line(format!(
                    "Presently's presence session lapses at {}.",
                    local_time(at, now)
                )),
                Some(at) => out.line(format!("Presently's presence session lapsed at {}.", local_time(at, now))),
                None => {}
            }
        }
        None => out.line(
            "Presently set: nothing in force (without the keeper, only a `presently set` from this computer is \
             known).",
        ),
    }
    if let Some(endpoint) = backend.keeper() {
        out.line(format!(
            "A Presently keeper is running ({endpoint}); the tray app shows what it keeps."
        ));
    }
    for warning in &warnings {
        out.warn(warning);
    }
    out.json_value(&StatusJson {
        account: account.as_ref().map(AccountJson::from),
        error: report.problem.as_ref(),
        graph: report.graph.as_ref().map(|reading| GraphJson {
            reading,
            read_at: report.read_at,
            age_secs: report.read_at.map(|at| now.duration_since(at).as_secs().max(0)),
            before_problem: report.read_before_problem,
        }),
        mode: report.mode,
        keeper_running: report.mode == Mode::Keeper || backend.keeper().is_some(),
        presently: report
            .held
            .as_ref()
            .map(|h| held_json(h, report.graph.as_ref(), now)),
        warnings: &warnings,
    });
    Ok(report
        .problem
        .as_ref()
        .map_or(crate::exit::OK, |p| crate::exit::code_for(p.kind)))
}

/// An age in words: `45 s`, `12 min`, `3 h 5 min`.
fn age_words(age: jiff::SignedDuration) -> String {
    let secs = age.as_secs().max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ if secs % 3600 < 60 => format!("{} h", secs / 3600),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

/// Explains a disagreement between what Presently set and what Graph reports.
/// When a problem stops the keeper, it is the explanation: no guess at another cause is added.
fn warnings_for(report: &StatusReport, now: Timestamp) -> Vec<String> {
    let mut warnings = report.notes.clone();
    if report.problem.is_some() {
        return warnings;
    }
    let Some(held) = report.held.as_ref().filter(|h| is_active(h, now)) else {
        return warnings;
    };
    let Some(graph) = &report.graph else {
        return warnings;
    };
    let status = held.intent.status;
    if reading_shows(graph, status) {
        return warnings;
    }
    if graph.availability == "Offline" && status != PreferredPresence::AppearOffline {
        let session = match held.session_expires_at {
            Some(at) if at <= now => {
                format!("Presently's presence session lapsed at {}", local_time(at, now))
            }
            Some(at) => format!(
                "Presently's presence session (due to lapse at {}) has ended or was cleared",
                local_time(at, now)
            ),
            None => "Presently has no presence session".to_owned(),
        };
        warnings.push(format!(
            "Graph reports Offline, not {status}: Graph sees no live presence session ({session}; Teams is \
             closed), and with none colleagues see Offline whatever was pinned. Run `presently run` or start the \
             Presently tray app to keep it visible, or `presently set` again."
        ));
    } else {
        warnings.push(format!(
            "Graph reports {graph}, not {status} as Presently set: it was changed in Teams or elsewhere, or Graph \
             has not caught up yet."
        ));
    }
    warnings
}
