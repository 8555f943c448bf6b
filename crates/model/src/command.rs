//! A status and how long, as typed on a command line: a status word and at most one of `--for`, `--until` and
//! `--preset` ([`StatusChoice::parse`]). The one reading of it that `presently set` and `presently-app set` share,
//! so both accept and refuse the same words.

use std::str::FromStr;

use crate::choice::{DurationChoice, DurationError};
use crate::preset::{Preset, UnknownPreset};
use crate::status::{PreferredPresence, UnknownStatus};

/// A checked status and duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChoice {
    pub status: PreferredPresence,
    /// How long; Graph's default when no option was given (as when picking a status in Teams).
    pub duration: DurationChoice,
}

/// Why typed words are not a choice. Each message names what was wrong and what would be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    /// Not one of the six statuses.
    #[error(transparent)]
    Status(#[from] UnknownStatus),
    /// `--for` or `--until` could not be read.
    #[error(transparent)]
    Duration(#[from] DurationError),
    /// `--preset` named no preset.
    #[error(transparent)]
    Preset(#[from] UnknownPreset),
    /// More than one of `--for`, `--until`, `--preset`.
    #[error("give one of --for, --until or --preset, not several")]
    SeveralDurations,
}

impl StatusChoice {
    /// Reads a status word and at most one duration option: `--for 90m`, `--until 17:30` (a leading "until" is
    /// accepted too), `--preset eod`.
    pub fn parse(
        status: &str,
        length: Option<&str>,
        until: Option<&str>,
        preset: Option<&str>,
    ) -> Result<Self, ChoiceError> {
        let status = PreferredPresence::from_str(status)?;
        let duration = match (length, until, preset) {
            (None, None, None) => DurationChoice::Preset(Preset::GraphDefault),
            (Some(length), None, None) => DurationChoice::from_str(length)?,
            (None, Some(time), None) => {
                let trimmed = time.trim();
                let text = if trimmed.to_ascii_lowercase().starts_with("until ") {
                    trimmed.to_owned()
                } else {
                    format!("until {trimmed}")
                };
                DurationChoice::from_str(&text)?
            }
            (None, None, Some(name)) => DurationChoice::Preset(Preset::from_str(name)?),
            _ => return Err(ChoiceError::SeveralDurations),
        };
        Ok(Self { status, duration })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_alone_lasts_graphs_default_time() {
        let choice = StatusChoice::parse("away", None, None, None).unwrap();
        assert_eq!(choice.status, PreferredPresence::AppearAway);
        assert_eq!(choice.duration, DurationChoice::Preset(Preset::GraphDefault));
    }

    #[test]
    fn each_option_is_read_by_the_duration_parsers() {
        let choice = StatusChoice::parse("dnd", Some("90m"), None, None).unwrap();
        assert_eq!(choice.status, PreferredPresence::DoNotDisturb);
        assert_eq!(choice.duration.to_string(), "90m");
        let until = |t| {
            StatusChoice::parse("busy", None, Some(t), None)
                .unwrap()
                .duration
                .to_string()
        };
        assert_eq!(until("17:30"), "until 17:30");
        assert_eq!(until("until tomorrow 9:00"), "until tomorrow 09:00");
        let choice = StatusChoice::parse("brb", None, None, Some("eod")).unwrap();
        assert_eq!(choice.duration, DurationChoice::Preset(Preset::EndOfDay));
    }

    #[test]
    fn bad_words_are_refused_with_what_would_be_right() {
        let err = StatusChoice::parse("sleepy", None, None, None).unwrap_err();
        assert!(matches!(err, ChoiceError::Status(_)), "{err}");
        assert!(
            err.to_string()
                .contains("available, busy, dnd, brb, away, offline"),
            "{err}"
        );
        for (length, until, preset) in [
            (Some("-5m"), None, None),
            (None, Some("yesterday"), None),
            (None, None, Some("fortnight")),
            (Some("soon"), None, None),
        ] {
            assert!(StatusChoice::parse("busy", length, until, preset).is_err());
        }
        assert_eq!(
            StatusChoice::parse("busy", Some("1h"), Some("17:00"), None),
            Err(ChoiceError::SeveralDurations)
        );
    }
}
