//! `presently message "TEXT" [--until T]` and `presently message --clear`: the status message colleagues see under
//! your name (`setStatusMessage`, contract §2). Graph drops it at its own expiry, so nothing keeps it alive: the
//! keeper (when one runs) only keeps it in its state, reads it back and follows a change made in Teams.
//!
//! Without `--until` the message ends with the status in force (the `clear-message-with-status` setting, on by
//! default), or stays until cleared. The text is checked first (not empty, at most 280 characters, contract §2),
//! so bad input exits 2 before anything is sent.

use std::str::FromStr;

use presently_core::{Problem, ProblemKind};
use presently_model::DurationChoice;
use serde::Serialize;

use crate::args::{Global, MessageArgs};
use crate::backend::{Backend, MessageChange, MessageReport, Mode};
use crate::context::Wired;
use crate::output::{MessageJson, Output};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageOut<'a> {
    /// The message Graph shows now; `null` when none.
    message: Option<&'a MessageJson>,
    mode: Mode,
}

/// Reads `--until` as `presently set --until` does: a time of day or date, the next such (local zone).
pub fn parse_until(until: &str) -> Result<DurationChoice, Problem> {
    let trimmed = until.trim();
    let text = if trimmed.to_ascii_lowercase().starts_with("until ") {
        trimmed.to_owned()
    } else {
        format!("until {trimmed}")
    };
    DurationChoice::from_str(&text).map_err(|e| Problem::new(ProblemKind::InvalidChoice, e.to_string()))
}

/// Checks the text: trimmed, not empty, at most 280 characters.
pub fn parse_text(text: &str) -> Result<String, Problem> {
    presently_model::message::checked_text(text)
        .map_err(|e| Problem::new(ProblemKind::InvalidChoice, e.to_string()))
}

/// Runs `presently message`.
pub async fn run(global: &Global, args: &MessageArgs, out: Output) -> Result<u8, Problem> {
    let change = match (&args.text, args.clear) {
        (Some(text), false) => MessageChange::Set {
            text: parse_text(text)?,
            until: args.until.as_deref().map(parse_until).transpose()?,
        },
        (None, true) => MessageChange::Clear,
        _ => {
            return Err(Problem::new(
                ProblemKind::InvalidChoice,
                "give a message, or --clear to remove it",
            ));
        }
    };
    let wired = Wired::new(global)?;
    let backend = Backend::select(&wired).await?;
    let report = backend.message(change).await?;
    print(&report, backend.now(), out);
    Ok(crate::exit::OK)
}

/// Prints what Graph shows after a message change (also used by `presently set --message`).
pub fn print(report: &MessageReport, now: jiff::Timestamp, out: Output) {
    let message = report.graph.as_ref().and_then(|g| g.message.as_ref());
    match message {
        Some(m) => out.line(format!("Status message: {}", m.words(now))),
        None => out.line("Status message: none"),
    }
    out.json_value(&MessageOut {
        message,
        mode: report.mode,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_as_until_and_bad_text_is_refused_before_anything_is_sent() {
        assert_eq!(
            parse_until("15:00").unwrap(),
            DurationChoice::from_str("until 15:00").unwrap()
        );
        assert!(parse_until("tea time").is_err());
        assert_eq!(parse_text(" Back at 3 ").unwrap(), "Back at 3");
        assert_eq!(parse_text("  ").unwrap_err().kind, ProblemKind::InvalidChoice);
        assert!(parse_text(&"x".repeat(281)).is_err());
    }
}
