//! What the user typed or clicked for "how long" ([`DurationChoice`]), how it is read, and how it is
//! resolved against "now" into an [`Until`].
//!
//! # Accepted text (case-insensitive)
//! - a preset: `30m`, `1h`, `2h`, `4h`, `8h`, `eod` / `end of day`, `forever` / `until I change it`,
//!   `default` / `Graph's default` (see [`Preset`]);
//! - a length, in jiff's friendly or ISO 8601 form, optionally after `for` or `in`: `90m`, `1h30m`,
//!   `1h 30m`, `2 hours`, `1.5h`, `PT2H`, `1d`, `P1D`. Minutes are the grain: a length must be a whole
//!   number of minutes (`120s` is fine, `45s` is refused rather than silently rounded). Days and
//!   longer are calendar units: `1d` ends at the same wall-clock time tomorrow, even across DST;
//! - a wall-clock end: `until 17:30`, `until 9`, `until 5pm`, `until 5:30 pm`, `until noon`,
//!   `until midnight`, `until today 17:30`, `until tomorrow 9:00`, `until 2025-04-01 9:00`.
//!
//! # Which day a bare time means
//! `until 9:00` means the **next** 9:00: today's if it is still ahead, otherwise tomorrow's. Someone
//! typing it at 22:00 means tomorrow morning, and this is the same rule as "end of day"
//! ([`Preset::EndOfDay`]). Saying the day explicitly is strict: `until today 9:00` at 22:00, a date that
//! has passed, or anything with `yesterday` is refused as being in the past. So are zero (`0m`) and
//! negative lengths (`-5m`, `5m ago`).

use std::fmt;
use std::str::FromStr;

use jiff::civil::{self, Date, Time};
use jiff::{SignedDuration, Span, Timestamp, ZonedDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::duration::Until;
use crate::preset::{Preset, next_wall_clock, wall_clock_on};

const EXAMPLES: &str = "try 90m, 1h30m, PT2H, until 17:30, until tomorrow 9:00, eod or forever";

/// Why a duration could not be read or resolved. Messages are short, say what to type instead, and
/// quote at most 40 characters of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Nothing was given.
    #[error("no duration given: {EXAMPLES}")]
    Empty,
    /// The text is not a duration in any accepted form.
    #[error("\"{input}\" is not a duration: {EXAMPLES}")]
    Unreadable { input: String },
    /// A day without a time, e.g. `until tomorrow`.
    #[error("\"{input}\" needs a time, e.g. until tomorrow 9:00")]
    MissingTime { input: String },
    /// A length of zero.
    #[error("\"{input}\" ends at once: choose at least 1 minute")]
    Zero { input: String },
    /// A negative length.
    #[error("\"{input}\" is negative: choose a length or a time in the future")]
    Negative { input: String },
    /// A length that is not a whole number of minutes.
    #[error("\"{input}\" is not a whole number of minutes: durations count in minutes, e.g. 1m or 90m")]
    NotWholeMinutes { input: String },
    /// An end that has already passed.
    #[error("\"{input}\" is in the past (it is now {now}): choose a time in the future")]
    InPast {
        /// The text (or its canonical form).
        input: String,
        /// The current local time, `YYYY-MM-DD HH:MM`.
        now: String,
    },
    /// A day that has passed, e.g. `until yesterday`.
    #[error("\"{input}\" is in the past: choose a time in the future")]
    PastDay { input: String },
    /// An end outside the range of representable time.
    #[error("\"{input}\" is too far in the future")]
    OutOfRange {
        /// The text (or its canonical form).
        input: String,
    },
}

/// Which day a wall-clock end is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Day {
    /// The next occurrence of the time: today if still ahead, else tomorrow.
    Next,
    /// Today, strictly: refused if the time has passed.
    Today,
    Tomorrow,
    /// A given date, strictly: refused if it has passed.
    On(Date),
}

/// A wall-clock end in the user's zone: `until [today|tomorrow|YYYY-MM-DD] HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WallClock {
    pub day: Day,
    /// The time of day (whole minutes).
    pub time: Time,
}

/// A choice of how long, before it is resolved against "now".
///
/// [`Display`](fmt::Display) writes a canonical text that [`FromStr`] reads back (`eod`, `1h 30m`,
/// `until tomorrow 09:00`), and serde uses that text, so the UI and the CLI speak the same strings.
#[derive(Debug, Clone, Copy)]
pub enum DurationChoice {
    /// A one-click preset.
    Preset(Preset),
    /// A custom length: positive, whole minutes (checked when parsed; [`DurationChoice::for_span`]).
    For(Span),
    /// A wall-clock end.
    Until(WallClock),
}

impl PartialEq for DurationChoice {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Preset(a), Self::Preset(b)) => a == b,
            (Self::For(a), Self::For(b)) => a.fieldwise() == b.fieldwise(),
            (Self::Until(a), Self::Until(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for DurationChoice {}

impl From<Preset> for DurationChoice {
    fn from(preset: Preset) -> Self {
        DurationChoice::Preset(preset)
    }
}

impl DurationChoice {
    /// A custom length, checked like typed text: positive and whole minutes. A length equal to a fixed
    /// preset becomes that preset.
    pub fn for_span(span: Span) -> Result<Self, DurationError> {
        checked_length(span, &format!("{span:#}"))
    }

    /// Resolves the choice at `now` (which carries the user's zone), with the working day ending at
    /// `workday_end` (for [`Preset::EndOfDay`]). Never reads the clock.
    pub fn resolve(
        &self,
        now: &ZonedDateTime,
        week: &crate::workweek::WorkWeek,
    ) -> Result<Until, DurationError> {
        match self {
            DurationChoice::Preset(preset) => preset.resolve(now, week),
            DurationChoice::For(span) => {
                let end = now
                    .checked_add(*span)
                    .map_err(|_| DurationError::OutOfRange {
                        input: self.to_string(),
                    })?
                    .timestamp();
                self.future(end, now).map(Until::at)
            }
            DurationChoice::Until(WallClock { day, time }) => {
                let out_of_range = || DurationError::OutOfRange {
                    input: self.to_string(),
                };
                let end = match day {
                    Day::Next => next_wall_clock(now, *time)?,
                    Day::Today => wall_clock_on(now, now.date(), *time).ok_or_else(out_of_range)?,
                    Day::Tomorrow => {
                        let tomorrow = now.date().tomorrow().map_err(|_| out_of_range())?;
                        wall_clock_on(now, tomorrow, *time).ok_or_else(out_of_range)?
                    }
                    Day::On(date) => wall_clock_on(now, *date, *time).ok_or_else(out_of_range)?,
                };
                self.future(end, now).map(Until::at)
            }
        }
    }

    /// `end` if it is after `now`, else the "in the past" error.
    fn future(&self, end: Timestamp, now: &ZonedDateTime) -> Result<Timestamp, DurationError> {
        if end > now.timestamp() {
            Ok(end)
        } else {
            Err(DurationError::InPast {
                input: self.to_string(),
                now: local_minute(now),
            })
        }
    }
}

/// `YYYY-MM-DD HH:MM` of a zoned time, for messages.
fn local_minute(now: &ZonedDateTime) -> String {
    format!("{} {:02}:{:02}", now.date(), now.hour(), now.minute())
}

/// Quotes user input for an error message: trimmed, at most 40 characters.
pub(crate) fn quoted(input: &str) -> String {
    crate::text::shortened(input, 40)
}

/// Checks a parsed length and turns it into a choice (a preset when it equals one).
fn checked_length(span: Span, input: &str) -> Result<DurationChoice, DurationError> {
    if span.is_negative() {
        return Err(DurationError::Negative { input: quoted(input) });
    }
    if span.is_zero() {
        return Err(DurationError::Zero { input: quoted(input) });
    }
    let sub_minute_nanos = i128::from(span.get_seconds()) * 1_000_000_000
        + i128::from(span.get_milliseconds()) * 1_000_000
        + i128::from(span.get_microseconds()) * 1_000
        + i128::from(span.get_nanoseconds());
    if sub_minute_nanos % 60_000_000_000 != 0 {
        return Err(DurationError::NotWholeMinutes { input: quoted(input) });
    }
    if let Some(preset) = SignedDuration::try_from(span).ok().and_then(Preset::from_length) {
        return Ok(DurationChoice::Preset(preset));
    }
    Ok(DurationChoice::For(span))
}

/// Reads a time of day: `17:30`, `9:05`, `9`, `5pm`, `5:30 pm`, `12am`, `noon`, `midnight`.
fn parse_time(text: &str) -> Option<Time> {
    match text {
        "noon" => return Some(civil::time(12, 0, 0, 0)),
        "midnight" => return Some(civil::time(0, 0, 0, 0)),
        _ => {}
    }
    let (clock, meridiem) = if let Some(rest) = text.strip_suffix("am") {
        (rest.trim_end(), Some(false))
    } else if let Some(rest) = text.strip_suffix("pm") {
        (rest.trim_end(), Some(true))
    } else {
        (text, None)
    };
    let (hour_text, minute_text) = match clock.split_once(':') {
        Some((hour, minute)) => (hour, Some(minute)),
        None => (clock, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(hour_text) || hour_text.len() > 2 {
        return None;
    }
    let mut hour: i8 = hour_text.parse().ok()?;
    let minute: i8 = match minute_text {
        Some(minute) if all_digits(minute) && minute.len() == 2 => minute.parse().ok()?,
        Some(_) => return None,
        None => 0,
    };
    match meridiem {
        Some(pm) => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour %= 12;
            if pm {
                hour += 12;
            }
        }
        None if hour > 23 => return None,
        None => {}
    }
    Time::new(hour, minute, 0, 0).ok()
}

/// Reads the part after `until ` (already lower-cased, single-spaced).
fn parse_until(rest: &str, input: &str) -> Result<DurationChoice, DurationError> {
    // `tomorrow 9:00`, `2025-04-01 09:00`, or the lower-cased ISO form `2025-04-01t09:00`.
    let (first, time_text) = if let Some((first, time)) = rest.split_once(' ') {
        (first, Some(time))
    } else if let Some((date, time)) = rest.split_once('t').filter(|(date, _)| date.len() == 10) {
        (date, Some(time))
    } else {
        (rest, None)
    };
    if first == "yesterday" {
        return Err(DurationError::PastDay { input: quoted(input) });
    }
    let day = match first {
        "today" => Some(Day::Today),
        "tomorrow" => Some(Day::Tomorrow),
        date if date.len() == 10 => date.parse::<Date>().ok().map(Day::On),
        _ => None,
    };
    let unreadable = || DurationError::Unreadable { input: quoted(input) };
    match (day, time_text) {
        (Some(day), Some(time)) => {
            let time = parse_time(time).ok_or_else(unreadable)?;
            Ok(DurationChoice::Until(WallClock { day, time }))
        }
        (Some(_), None) => Err(DurationError::MissingTime { input: quoted(input) }),
        // A bare time, possibly `5 pm` (which the split above cut in two).
        (None, _) => {
            let time = parse_time(rest).ok_or_else(unreadable)?;
            Ok(DurationChoice::Until(WallClock { day: Day::Next, time }))
        }
    }
}

impl FromStr for DurationChoice {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if folded.is_empty() {
            return Err(DurationError::Empty);
        }
        if let Ok(preset) = folded.parse::<Preset>() {
            return Ok(DurationChoice::Preset(preset));
        }
        if folded == "until" {
            return Err(DurationError::MissingTime { input: quoted(s) });
        }
        if let Some(rest) = folded.strip_prefix("until ") {
            return parse_until(rest, s);
        }
        let length = folded
            .strip_prefix("for ")
            .or_else(|| folded.strip_prefix("in "))
            .unwrap_or(&folded);
        let span: Span = length
            .parse()
            .map_err(|_| DurationError::Unreadable { input: quoted(s) })?;
        checked_length(span, s)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Day::Next => Ok(()),
            Day::Today => f.write_str("today "),
            Day::Tomorrow => f.write_str("tomorrow "),
            Day::On(date) => write!(f, "{date} "),
        }
    }
}

impl fmt::Display for WallClock {
    /// `until 17:30`, `until tomorrow 09:00`, `until 2025-04-01 09:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "until {}{:02}:{:02}",
            self.day,
            self.time.hour(),
            self.time.minute()
        )
    }
}

impl fmt::Display for DurationChoice {
    /// The canonical text, which [`FromStr`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationChoice::Preset(preset) => fmt::Display::fmt(preset, f),
            DurationChoice::For(span) => write!(f, "{span:#}"),
            DurationChoice::Until(wall_clock) => fmt::Display::fmt(wall_clock, f),
        }
    }
}

impl Serialize for DurationChoice {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DurationChoice {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::WireExpiration;
    use jiff::tz::TimeZone;

    fn berlin(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> ZonedDateTime {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        civil::date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned_datetime(tz)
            .unwrap()
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn end_of(text: &str, now: &ZonedDateTime) -> Timestamp {
        let choice: DurationChoice = text.parse().unwrap();
        choice
            .resolve(now, &crate::workweek::WorkWeek::default())
            .unwrap()
            .end()
            .unwrap()
    }

    fn wire(text: &str, now: &ZonedDateTime) -> String {
        let choice: DurationChoice = text.parse().unwrap();
        let until = choice
            .resolve(now, &crate::workweek::WorkWeek::default())
            .unwrap();
        match until.wire_expiration(now.timestamp()) {
            WireExpiration::Send(wire) => wire.iso8601(),
            other => panic!("expected Send, got {other:?}"),
        }
    }

    #[test]
    fn ninety_minutes_in_several_spellings_resolve_to_the_same_end() {
        let now = berlin(2025, 6, 2, 10, 0);
        for text in [
            "90m",
            "1h30m",
            "1h 30m",
            "1.5h",
            "PT1H30M",
            "pt90m",
            "for 90m",
            "in 1h30m",
            "90 minutes",
        ] {
            assert_eq!(end_of(text, &now), ts("2025-06-02T09:30:00Z"), "{text}");
            assert_eq!(wire(text, &now), "PT1H30M", "{text}");
        }
    }

    #[test]
    fn an_iso_length_equal_to_a_preset_becomes_that_preset() {
        assert_eq!(
            "PT2H".parse::<DurationChoice>(),
            Ok(DurationChoice::Preset(Preset::Hours2))
        );
        assert_eq!(
            "120m".parse::<DurationChoice>(),
            Ok(DurationChoice::Preset(Preset::Hours2))
        );
        assert_eq!(
            "60m".parse::<DurationChoice>(),
            Ok(DurationChoice::Preset(Preset::Hour1))
        );
        assert_eq!(
            "2h".parse::<DurationChoice>(),
            Ok(DurationChoice::Preset(Preset::Hours2))
        );
        assert_eq!(wire("PT2H", &berlin(2025, 6, 2, 10, 0)), "PT2H");
    }

    #[test]
    fn preset_names_parse_as_presets() {
        for preset in Preset::ALL {
            assert_eq!(
                preset.short_name().parse::<DurationChoice>(),
                Ok(DurationChoice::Preset(preset))
            );
        }
        assert_eq!(
            "Until end of day".parse::<DurationChoice>(),
            Ok(Preset::EndOfDay.into())
        );
        assert_eq!(
            "until I change it".parse::<DurationChoice>(),
            Ok(Preset::UntilChanged.into())
        );
    }

    #[test]
    fn whole_minutes_given_in_seconds_are_accepted() {
        assert_eq!(
            end_of("180s", &berlin(2025, 6, 2, 10, 0)),
            ts("2025-06-02T08:03:00Z")
        );
    }

    #[test]
    fn a_day_length_keeps_the_wall_clock_time_across_dst() {
        // 2025-03-29 12:00 CET -> 2025-03-30 12:00 CEST: 23 real hours.
        let now = berlin(2025, 3, 29, 12, 0);
        let end = end_of("1d", &now);
        assert_eq!(end, ts("2025-03-30T10:00:00Z"));
        assert_eq!(
            end.duration_since(now.timestamp()),
            SignedDuration::from_hours(23)
        );
    }

    #[test]
    fn until_a_time_still_ahead_today_ends_today() {
        let now = berlin(2025, 6, 2, 10, 15);
        assert_eq!(end_of("until 17:30", &now), ts("2025-06-02T15:30:00Z"));
        assert_eq!(wire("until 17:30", &now), "PT7H15M");
    }

    #[test]
    fn until_a_time_already_past_today_means_tomorrow_like_end_of_day() {
        let now = berlin(2025, 6, 2, 22, 0);
        assert_eq!(end_of("until 9:00", &now), ts("2025-06-03T07:00:00Z"));
        assert_eq!(end_of("until 17:30", &now), end_of("eod", &now));
    }

    #[test]
    fn until_accepts_twelve_hour_clocks_noon_and_midnight() {
        let now = berlin(2025, 6, 2, 10, 0);
        assert_eq!(end_of("until 5pm", &now), ts("2025-06-02T15:00:00Z"));
        assert_eq!(end_of("until 5:30 PM", &now), ts("2025-06-02T15:30:00Z"));
        assert_eq!(end_of("until 12pm", &now), ts("2025-06-02T10:00:00Z"));
        assert_eq!(end_of("until noon", &now), ts("2025-06-02T10:00:00Z"));
        assert_eq!(end_of("until 12am", &now), ts("2025-06-02T22:00:00Z"));
        assert_eq!(end_of("until midnight", &now), ts("2025-06-02T22:00:00Z"));
        assert_eq!(end_of("until 11", &now), ts("2025-06-02T09:00:00Z"));
    }

    #[test]
    fn until_tomorrow_and_until_a_date_name_the_day() {
        let now = berlin(2025, 6, 2, 10, 0);
        assert_eq!(end_of("until tomorrow 9:00", &now), ts("2025-06-03T07:00:00Z"));
        assert_eq!(end_of("until 2025-06-10 08:00", &now), ts("2025-06-10T06:00:00Z"));
        assert_eq!(end_of("until 2025-06-10T08:00", &now), ts("2025-06-10T06:00:00Z"));
        assert_eq!(end_of("until today 17:30", &now), ts("2025-06-02T15:30:00Z"));
    }

    #[test]
    fn until_today_at_a_passed_time_is_refused_as_past() {
        let now = berlin(2025, 6, 2, 22, 0);
        let choice: DurationChoice = "until today 9:00".parse().unwrap();
        let error = choice
            .resolve(&now, &crate::workweek::WorkWeek::default())
            .unwrap_err();
        assert_eq!(
            error,
            DurationError::InPast {
                input: "until today 09:00".into(),
                now: "2025-06-02 22:00".into()
            }
        );
        assert!(error.to_string().contains("in the past"), "{error}");
    }

    #[test]
    fn until_yesterday_is_refused_as_past() {
        for text in ["until yesterday", "until yesterday 9:00", "Until Yesterday"] {
            let error = text.parse::<DurationChoice>().unwrap_err();
            assert!(
                matches!(error, DurationError::PastDay { .. }),
                "{text}: {error:?}"
            );
            assert!(error.to_string().contains("in the past"), "{error}");
        }
    }

    #[test]
    fn until_a_date_that_has_passed_is_refused_as_past() {
        let now = berlin(2025, 6, 2, 10, 0);
        let choice: DurationChoice = "until 2025-06-01 09:00".parse().unwrap();
        assert!(matches!(
            choice.resolve(&now, &crate::workweek::WorkWeek::default()),
            Err(DurationError::InPast { .. })
        ));
    }

    #[test]
    fn zero_lengths_are_refused() {
        for text in ["0m", "0h", "PT0S", "0 minutes"] {
            let error = text.parse::<DurationChoice>().unwrap_err();
            assert!(matches!(error, DurationError::Zero { .. }), "{text}: {error:?}");
        }
        assert!(
            "0m".parse::<DurationChoice>()
                .unwrap_err()
                .to_string()
                .contains("at least 1 minute")
        );
    }

    #[test]
    fn negative_lengths_are_refused() {
        for text in ["-5m", "5m ago", "-PT1H"] {
            let error = text.parse::<DurationChoice>().unwrap_err();
            assert_eq!(error, DurationError::Negative { input: text.into() }, "{text}");
        }
    }

    #[test]
    fn lengths_that_are_not_whole_minutes_are_refused() {
        for text in ["45s", "90s", "PT30S", "1m30s", "0.5m"] {
            let error = text.parse::<DurationChoice>().unwrap_err();
            assert!(
                matches!(error, DurationError::NotWholeMinutes { .. }),
                "{text}: {error:?}"
            );
        }
    }

    #[test]
    fn garbage_is_refused_with_examples() {
        for text in [
            "soon",
            "until lunch",
            "until 25:00",
            "until 9:5",
            "until 13pm",
            "h",
            "P",
            "1x",
            "until 17:30:15",
        ] {
            let error = text.parse::<DurationChoice>().unwrap_err();
            assert!(
                matches!(error, DurationError::Unreadable { .. }),
                "{text}: {error:?}"
            );
            assert!(error.to_string().contains("try 90m"), "{error}");
        }
        assert_eq!("   ".parse::<DurationChoice>(), Err(DurationError::Empty));
        assert!(matches!(
            "until".parse::<DurationChoice>(),
            Err(DurationError::MissingTime { .. })
        ));
        assert!(matches!(
            "until tomorrow".parse::<DurationChoice>(),
            Err(DurationError::MissingTime { .. })
        ));
    }

    #[test]
    fn a_huge_input_is_quoted_short_in_the_error() {
        let error = "z".repeat(100_000).parse::<DurationChoice>().unwrap_err();
        assert!(error.to_string().len() < 200);
    }

    #[test]
    fn a_length_beyond_the_end_of_time_is_out_of_range_not_a_panic() {
        let now = berlin(2025, 6, 2, 10, 0);
        for text in ["19000y", "until 9999-12-31 23:59"] {
            let choice: DurationChoice = text.parse().unwrap();
            let result = choice.resolve(&now, &crate::workweek::WorkWeek::default());
            assert!(
                matches!(result, Err(DurationError::OutOfRange { .. })),
                "{text}: {result:?}"
            );
        }
    }

    #[test]
    fn the_canonical_text_reads_back_to_the_same_choice() {
        for text in [
            "eod",
            "90m",
            "1d 2h",
            "until 17:30",
            "until tomorrow 9:00",
            "until today 8am",
            "until 2025-06-10 08:00",
        ] {
            let choice: DurationChoice = text.parse().unwrap();
            let canonical = choice.to_string();
            assert_eq!(
                canonical.parse::<DurationChoice>(),
                Ok(choice),
                "{text} -> {canonical}"
            );
            let json = serde_json::to_string(&choice).unwrap();
            assert_eq!(serde_json::from_str::<DurationChoice>(&json).unwrap(), choice);
        }
        assert_eq!(
            "until tomorrow 9:00"
                .parse::<DurationChoice>()
                .unwrap()
                .to_string(),
            "until tomorrow 09:00"
        );
        assert_eq!("90m".parse::<DurationChoice>().unwrap().to_string(), "90m");
        assert_eq!("1h30m".parse::<DurationChoice>().unwrap().to_string(), "1h 30m");
    }

    #[test]
    fn for_span_applies_the_same_checks_as_text() {
        assert_eq!(
            DurationChoice::for_span(Span::new().minutes(30)),
            Ok(Preset::Minutes30.into())
        );
        assert!(matches!(
            DurationChoice::for_span(Span::new().minutes(-5)),
            Err(DurationError::Negative { .. })
        ));
        assert!(matches!(
            DurationChoice::for_span(Span::new()),
            Err(DurationError::Zero { .. })
        ));
    }
}
