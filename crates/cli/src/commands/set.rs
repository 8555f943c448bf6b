//! `presently set <status> [--for D | --until T | --preset NAME]`.
//!
//! The status and duration are read with the model's parsers before anything else (so bad input exits 2
//! without touching a file or the network) and handed to the [`Backend`], which resolves them against this
//! computer's clock and time zone and the working day's end from the settings (one-shot), or lets the keeper
//! do it. The report is printed
//! with honest warnings: without the keeper the session lapses (contract §3: no session, Offline), a pin
//! beyond Graph's longest duration is not renewed, and when the read-back shows something other than what
//! was set, it says so.

use jiff::Timestamp;
use presently_core::{Problem, ProblemKind};
use presently_model::{PreferredPresence, StatusChoice, Until};
use serde::Serialize;

use crate::args::{Global, SetArgs};
use crate::backend::{Backend, Mode, SessionReport, SetReport, reading_shows};
use crate::context::Wired;
use crate::output::{Output, Reading, local_time};

/// A status and a duration as typed, checked (the model's one parser, shared with `presently-app set`).
pub type Choice = StatusChoice;

/// Reads the status and the one duration option; none means Graph's default (as when picking a status in
/// Teams without a duration). Bad words are bad input (exit 2) before anything else happens.
pub fn parse_choice(args: &SetArgs) -> Result<Choice, Problem> {
    StatusChoice::parse(
        &args.status,
        args.for_.as_deref(),
        args.until.as_deref(),
        args.preset.as_deref(),
    )
    .map_err(|e| Problem::new(ProblemKind::InvalidChoice, e.to_string()))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetJson<'a> {
    status: &'static str,
    status_name: &'static str,
    duration: String,
    until: Until,
    ends_at: Option<Timestamp>,
    set_at: Timestamp,
    expiration_duration: Option<&'a str>,
    pin_expires_at: Option<Timestamp>,
    session: Option<&'a SessionReport>,
    graph: Option<&'a Reading>,
    /// The status message Graph shows after `--message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a crate::output::MessageJson>,
    matches: bool,
    mode: Mode,
    keeper_running: bool,
    warnings: &'a [String],
}

/// Runs `presently set`.
pub async fn run(global: &Global, args: &SetArgs, out: Output) -> Result<u8, Problem> {
    let choice = parse_choice(args)?;
    let message = args
        .message
        .as_deref()
        .map(super::message::parse_text)
        .transpose()?;
    let wired = Wired::new(global)?;
    let backend = Backend::select(&wired).await?;
    let report = backend.set(choice.status, choice.duration).await?;
    let message = match message {
        Some(text) => Some(
            backend
                .message(crate::backend::MessageChange::Set { text, until: None })
                .await?,
        ),
        None => None,
    };
    let now = backend.now();

    let keeper = backend.keeper().map(ToString::to_string);
    let warnings = warnings_for(&report, now);
    print(&report, &choice, now, out);
    let message_shown = message
        .as_ref()
        .and_then(|m| m.graph.as_ref())
        .and_then(|g| g.message.clone());
    if let Some(shown) = &message_shown {
        out.line(format!("Status message: {}", shown.words(now)));
    }
    for warning in &warnings {
        out.warn(warning);
    }
    let matches = report
        .graph
        .as_ref()
        .is_some_and(|r| reading_shows(r, report.intent.status));
    out.json_value(&SetJson {
        status: report.intent.status.short_name(),
        status_name: report.intent.status.display_name(),
        duration: choice.duration.to_string(),
        until: report.intent.until,
        ends_at: report.intent.ends_at(),
        set_at: report.intent.set_at,
        expiration_duration: report.expiration_duration.as_deref(),
        pin_expires_at: report.pin_expires_at,
        session: report.session.as_ref(),
        graph: report.graph.as_ref(),
        message: message_shown.as_ref(),
        matches,
        mode: report.mode,
        keeper_running: report.mode == Mode::Keeper || keeper.is_some(),
        warnings: &warnings,
    });
    Ok(crate::exit::OK)
}

fn print(report: &SetReport, choice: &Choice, now: Timestamp, out: Output) {
    let status = report.intent.status;
    let until = presently_core::wording::until_words(
        &report.intent,
        now,
        &jiff::tz::TimeZone::system(),
        presently_core::hour_cycle::HourCycle::of_this_user(),
    );
    out.line(format!("Set {status} {until} ({}).", choice.duration));
    if let Some(reading) = &report.graph {
        out.line(format!("Graph now reports: {reading}."));
    }
    match &report.session {
        None if report.mode == Mode::Keeper => out.line(
            "The running keeper keeps it: it renews the pin and Presently's presence session until it ends.",
        ),
        Some(session) => out.line(format!(
            "Presently's presence session ({}/{}) lapses at {}.",
            session.availability,
            session.activity,
            local_time(session.expires_at, now)
        )),
        None => out.line("No presence session: Appear offline needs none."),
    }
    out.line("Colleagues see changes after a few minutes, when their Teams refreshes.");
}

/// Everything the user should know about what was done, in plain words.
pub fn warnings_for(report: &SetReport, now: Timestamp) -> Vec<String> {
    let mut warnings = report.notes.clone();
    let status = report.intent.status;
    if report.mode == Mode::OneShot {
        if let Some(session) = &report.session {
            warnings.push(format!(
                "No keeper is running: Presently's presence session lapses at {}, and after that colleagues \
                 will see Offline while Teams is closed (a status shows only while some session is alive). \
                 Run `presently run` or start the Presently tray app to keep {status} visible.",
                local_time(session.expires_at, now)
            ));
        }
        if report.pin_needs_renewal
            && let Some(lapses) = report.pin_expires_at
        {
            warnings.push(format!(
                "The pin was sent for the longest time Graph accepts and lapses at {}; without the keeper \
                 nobody renews it.",
                local_time(lapses, now)
            ));
        }
    }
    match (&report.graph, &report.read_back_error) {
        (Some(reading), _) if !reading_shows(reading, status) => {
            let why = if reading.availability == "Offline" && status != PreferredPresence::AppearOffline {
                "Graph sees no live presence session, so the pin does not show yet."
            } else {
                "Something wins over the pin (for example a status picked in Teams), or Graph has not caught \
                 up yet. Graph's reading is what colleagues will see."
            };
            warnings.push(format!("Graph now reports {reading}, not {status}. {why}"));
        }
        (None, Some(error)) => warnings.push(format!(
            "{status} was set, but reading your presence back failed: {error}"
        )),
        _ => {}
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use presently_model::{DurationChoice, Preset};

    fn args(status: &str, for_: Option<&str>, until: Option<&str>, preset: Option<&str>) -> SetArgs {
        SetArgs {
            status: status.into(),
            for_: for_.map(Into::into),
            until: until.map(Into::into),
            preset: preset.map(Into::into),
            message: None,
        }
    }

    #[test]
    fn an_unknown_status_is_bad_input_listing_the_valid_names() {
        let problem = parse_choice(&args("sleepy", None, None, None)).unwrap_err();
        assert_eq!(problem.kind, ProblemKind::InvalidChoice);
        assert!(
            problem
                .message
                .contains("available, busy, dnd, brb, away, offline"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn durations_are_read_by_the_model() {
        let choice = parse_choice(&args("dnd", Some("90m"), None, None)).unwrap();
        assert_eq!(choice.status, PreferredPresence::DoNotDisturb);
        assert_eq!(choice.duration.to_string(), "90m");
        let choice = parse_choice(&args("busy", None, Some("17:30"), None)).unwrap();
        assert_eq!(choice.duration.to_string(), "until 17:30");
        let choice = parse_choice(&args("busy", None, Some("until tomorrow 9:00"), None)).unwrap();
        assert_eq!(choice.duration.to_string(), "until tomorrow 09:00");
        let choice = parse_choice(&args("away", None, None, Some("eod"))).unwrap();
        assert_eq!(choice.duration, DurationChoice::Preset(Preset::EndOfDay));
        let choice = parse_choice(&args("away", None, None, None)).unwrap();
        assert_eq!(choice.duration, DurationChoice::Preset(Preset::GraphDefault));
    }

    #[test]
    fn negative_past_and_unknown_durations_are_bad_input() {
        for bad in [
            args("busy", Some("-5m"), None, None),
            args("busy", None, Some("yesterday"), None),
            args("busy", None, None, Some("fortnight")),
            args("busy", Some("soon"), None, None),
        ] {
            let problem = parse_choice(&bad).unwrap_err();
            assert_eq!(problem.kind, ProblemKind::InvalidChoice, "{bad:?}");
        }
    }
}
