//! The durations offered with one click ([`Preset`]): 30 minutes, 1, 2, 4 and 8 hours, until the end of
//! the working day, until I change it, and Graph's default.
//!
//! Fixed lengths are exact elapsed time (8 hours across a DST change is still 8 hours). "End of day" is
//! a wall-clock time in the user's zone: the next end of a working day ([`WorkWeek`]: Monday to Friday, ending at
//! [`DEFAULT_WORKDAY_END`] unless configured) strictly after now — today's if it is still ahead, otherwise the
//! next working day's (so at 18:00 on a Tuesday it means Wednesday 17:30, and on Friday evening Monday's). A typed `until 17:30` follows the same rule
//! ([`crate::choice`]). Resolution never reads the clock: "now" is passed in.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{self, Time};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::choice::DurationError;
use crate::duration::Until;
use crate::workweek::WorkWeek;

/// The working day's end used by [`Preset::EndOfDay`] unless the user configures another: 17:30.
pub const DEFAULT_WORKDAY_END: Time = civil::time(17, 30, 0, 0);

/// A one-click duration. Serialises as its [short name](Self::short_name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// 30 minutes.
    Minutes30,
    /// 1 hour.
    Hour1,
    /// 2 hours.
    Hours2,
    /// 4 hours.
    Hours4,
    /// 8 hours.
    Hours8,
    /// Until the working day's end in the local zone (tomorrow's, once today's has passed).
    EndOfDay,
    /// Until I change it (renewed by the keeper).
    UntilChanged,
    /// Send no `expirationDuration`; Graph's default applies (1 or 7 days, contract §2).
    GraphDefault,
}

/// The error for a preset name that is none of the presets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown preset \"{input}\": expected one of 30m, 1h, 2h, 4h, 8h, eod, forever, default")]
pub struct UnknownPreset {
    /// What was given (trimmed, and shortened if very long).
    pub input: String,
}

impl Preset {
    /// All presets in menu order.
    pub const ALL: [Preset; 8] = [
        Preset::Minutes30,
        Preset::Hour1,
        Preset::Hours2,
        Preset::Hours4,
        Preset::Hours8,
        Preset::EndOfDay,
        Preset::UntilChanged,
        Preset::GraphDefault,
    ];

    /// The stable short name: `30m`, `1h`, `2h`, `4h`, `8h`, `eod`, `forever`, `default`.
    pub fn short_name(self) -> &'static str {
        match self {
            Preset::Minutes30 => "30m",
            Preset::Hour1 => "1h",
            Preset::Hours2 => "2h",
            Preset::Hours4 => "4h",
            Preset::Hours8 => "8h",
            Preset::EndOfDay => "eod",
            Preset::UntilChanged => "forever",
            Preset::GraphDefault => "default",
        }
    }

    /// The label for menus.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Minutes30 => "30 minutes",
            Preset::Hour1 => "1 hour",
            Preset::Hours2 => "2 hours",
            Preset::Hours4 => "4 hours",
            Preset::Hours8 => "8 hours",
            Preset::EndOfDay => "Until end of day",
            Preset::UntilChanged => "Until I change it",
            Preset::GraphDefault => "Graph's default",
        }
    }

    /// The exact length of the fixed presets; `None` for the others.
    pub fn length(self) -> Option<SignedDuration> {
        match self {
            Preset::Minutes30 => Some(SignedDuration::from_mins(30)),
            Preset::Hour1 => Some(SignedDuration::from_hours(1)),
            Preset::Hours2 => Some(SignedDuration::from_hours(2)),
            Preset::Hours4 => Some(SignedDuration::from_hours(4)),
            Preset::Hours8 => Some(SignedDuration::from_hours(8)),
            Preset::EndOfDay | Preset::UntilChanged | Preset::GraphDefault => None,
        }
    }

    /// The fixed preset of exactly this length, if any.
    pub fn from_length(length: SignedDuration) -> Option<Preset> {
        Preset::ALL
            .into_iter()
            .find(|preset| preset.length() == Some(length))
    }

    /// Resolves this preset at `now` (which carries the user's time zone) in the user's working `week`. Fails
    /// only if the end would fall outside the representable range of time.
    pub fn resolve(self, now: &ZonedDateTime, week: &WorkWeek) -> Result<Until, DurationError> {
        match self {
            Preset::EndOfDay => next_working_day_end(now, week).map(Until::at),
            Preset::UntilChanged => Ok(Until::UntilChanged),
            Preset::GraphDefault => Ok(Until::GraphDefault),
            fixed => {
                let length = fixed.length().unwrap_or(SignedDuration::ZERO);
                now.timestamp()
                    .checked_add(length)
                    .map(Until::at)
                    .map_err(|_| DurationError::OutOfRange {
                        input: fixed.short_name().to_owned(),
                    })
            }
        }
    }
}

/// The next end of a working day strictly after `now`: today's when today is a working day and its end is still
/// ahead, else the end of the next working day (after Friday's end, Monday's).
pub(crate) fn next_working_day_end(now: &ZonedDateTime, week: &WorkWeek) -> Result<Timestamp, DurationError> {
    let out_of_range = || DurationError::OutOfRange {
        input: format!("{:02}:{:02}", week.end.hour(), week.end.minute()),
    };
    let mut date = now.date();
    // Eight days always reach a working day: a week never has none.
    for _ in 0..8 {
        if week.days.contains(date.weekday()) {
            let end = wall_clock_on(now, date, week.end).ok_or_else(out_of_range)?;
            if end > now.timestamp() {
                return Ok(end);
            }
        }
        date = date.tomorrow().map_err(|_| out_of_range())?;
    }
    Err(out_of_range())
}

/// The first instant strictly after `now` at which the wall clock in `now`'s zone reads `time`: today
/// if that is still ahead, otherwise tomorrow. A time skipped by a DST gap resolves to the instant just
/// after the gap (jiff's "compatible" rule); a repeated time to its first occurrence.
pub(crate) fn next_wall_clock(now: &ZonedDateTime, time: Time) -> Result<Timestamp, DurationError> {
    let out_of_range = || DurationError::OutOfRange {
        input: format!("{:02}:{:02}", time.hour(), time.minute()),
    };
    let today = now.date();
    let candidate = wall_clock_on(now, today, time).ok_or_else(out_of_range)?;
    if candidate > now.timestamp() {
        return Ok(candidate);
    }
    let tomorrow = today.tomorrow().map_err(|_| out_of_range())?;
    wall_clock_on(now, tomorrow, time).ok_or_else(out_of_range)
}

/// The instant at which the wall clock in `now`'s zone reads `time` on `date`.
pub(crate) fn wall_clock_on(now: &ZonedDateTime, date: civil::Date, time: Time) -> Option<Timestamp> {
    date.to_datetime(time)
        .to_zoned_datetime(now.time_zone().clone())
        .ok()
        .map(|zoned| zoned.timestamp())
}

impl fmt::Display for Preset {
    /// Writes the short name (`eod`), which parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

impl FromStr for Preset {
    type Err = UnknownPreset;

    /// Accepts the short names and, case-insensitively, spelled-out forms: `30 min`, `1 hour`,
    /// `end of day`, `until end of day`, `until i change it`, `until changed`, `indefinitely`,
    /// `graph default`, `graph's default`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let preset = match folded.as_str() {
            "30m" | "30min" | "30 min" | "30 minutes" => Preset::Minutes30,
            "1h" | "1 h" | "1 hour" | "60m" => Preset::Hour1,
            "2h" | "2 h" | "2 hours" => Preset::Hours2,
            "4h" | "4 h" | "4 hours" => Preset::Hours4,
            "8h" | "8 h" | "8 hours" => Preset::Hours8,
            "eod" | "end of day" | "end-of-day" | "until end of day" | "until eod" => Preset::EndOfDay,
            "forever" | "until changed" | "until i change it" | "until-changed" | "indefinitely"
            | "indefinite" | "never" => Preset::UntilChanged,
            "default" | "graph default" | "graph's default" | "graph-default" => Preset::GraphDefault,
            _ => {
                return Err(UnknownPreset {
                    input: crate::choice::quoted(s),
                });
            }
        };
        Ok(preset)
    }
}

impl Serialize for Preset {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.short_name())
    }
}

impl<'de> Deserialize<'de> for Preset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    fn zoned(text: &str) -> ZonedDateTime {
        text.parse().unwrap()
    }

    /// Every day a working day, so these tests are about the clock alone; the week has tests of its own.
    fn every_day(end: Time) -> WorkWeek {
        WorkWeek::new(end, crate::workweek::WorkDays::EVERY_DAY)
    }

    fn resolved_end(preset: Preset, now: &ZonedDateTime) -> Timestamp {
        preset
            .resolve(now, &every_day(DEFAULT_WORKDAY_END))
            .unwrap()
            .end()
            .unwrap()
    }

    #[test]
    fn fixed_presets_end_exactly_their_length_after_now() {
        let now = zoned("2025-06-02T10:00:00+02:00[Europe/Berlin]");
        let cases = [
            (Preset::Minutes30, "2025-06-02T08:30:00Z"),
            (Preset::Hour1, "2025-06-02T09:00:00Z"),
            (Preset::Hours2, "2025-06-02T10:00:00Z"),
            (Preset::Hours4, "2025-06-02T12:00:00Z"),
            (Preset::Hours8, "2025-06-02T16:00:00Z"),
        ];
        for (preset, end) in cases {
            assert_eq!(
                resolved_end(preset, &now),
                end.parse::<Timestamp>().unwrap(),
                "{preset:?}"
            );
        }
    }

    #[test]
    fn eight_hours_across_the_spring_forward_night_is_eight_real_hours() {
        // Europe/Berlin jumps from 02:00 to 03:00 on 2025-03-30.
        let now = zoned("2025-03-29T22:00:00+01:00[Europe/Berlin]");
        let end = resolved_end(Preset::Hours8, &now);
        assert_eq!(end.duration_since(now.timestamp()), SignedDuration::from_hours(8));
        let wall = end.to_zoned_datetime(now.time_zone().clone());
        assert_eq!(
            (wall.hour(), wall.minute()),
            (7, 0),
            "the wall clock shows 9 hours later"
        );
    }

    #[test]
    fn end_of_day_after_fridays_end_and_at_the_weekend_is_mondays_end() {
        let week = WorkWeek::default();
        let end = |at: &str| {
            Preset::EndOfDay
                .resolve(&zoned(at), &week)
                .unwrap()
                .end()
                .unwrap()
        };
        // 2025-06-06 is a Friday.
        let monday: Timestamp = "2025-06-09T15:30:00Z".parse().unwrap();
        assert_eq!(end("2025-06-06T18:00:00+02:00[Europe/Berlin]"), monday);
        assert_eq!(
            end("2025-06-07T10:00:00+02:00[Europe/Berlin]"),
            monday,
            "Saturday"
        );
        assert_eq!(
            end("2025-06-08T23:00:00+02:00[Europe/Berlin]"),
            monday,
            "Sunday night"
        );
        assert_eq!(
            end("2025-06-06T09:00:00+02:00[Europe/Berlin]"),
            "2025-06-06T15:30:00Z".parse::<Timestamp>().unwrap(),
            "Friday before its end is Friday"
        );
        // A Sunday-to-Thursday week: Thursday evening runs to Sunday's end.
        let gulf = WorkWeek::new(DEFAULT_WORKDAY_END, "sun-thu".parse().unwrap());
        let thursday_evening = zoned("2025-06-05T19:00:00+04:00[Asia/Dubai]");
        assert_eq!(
            Preset::EndOfDay
                .resolve(&thursday_evening, &gulf)
                .unwrap()
                .end()
                .unwrap(),
            "2025-06-08T13:30:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn end_of_day_before_the_workday_end_is_today() {
        let now = zoned("2025-06-02T09:15:00+02:00[Europe/Berlin]");
        assert_eq!(
            resolved_end(Preset::EndOfDay, &now),
            "2025-06-02T15:30:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn end_of_day_after_the_workday_end_is_tomorrow_at_the_same_time() {
        let now = zoned("2025-06-02T18:00:00+02:00[Europe/Berlin]");
        assert_eq!(
            resolved_end(Preset::EndOfDay, &now),
            "2025-06-03T15:30:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn end_of_day_exactly_at_the_workday_end_is_tomorrow_not_now() {
        let now = zoned("2025-06-02T17:30:00+02:00[Europe/Berlin]");
        assert_eq!(
            resolved_end(Preset::EndOfDay, &now),
            "2025-06-03T15:30:00Z".parse::<Timestamp>().unwrap()
        );
    }

    #[test]
    fn end_of_day_uses_the_configured_workday_end() {
        let now = zoned("2025-06-02T09:15:00+02:00[Europe/Berlin]");
        let until = Preset::EndOfDay
            .resolve(&now, &every_day(civil::time(16, 0, 0, 0)))
            .unwrap();
        assert_eq!(until.end(), Some("2025-06-02T14:00:00Z".parse().unwrap()));
    }

    #[test]
    fn end_of_day_across_spring_forward_in_berlin_keeps_the_wall_clock_time() {
        // Saturday 2025-03-29 19:00 CET (+01:00) -> Sunday 17:30 CEST (+02:00): 21h30m, not 22h30m.
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let now = civil::date(2025, 3, 29)
            .at(19, 0, 0, 0)
            .to_zoned_datetime(tz)
            .unwrap();
        let end = resolved_end(Preset::EndOfDay, &now);
        assert_eq!(end, "2025-03-30T15:30:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(
            end.duration_since(now.timestamp()),
            SignedDuration::from_mins(21 * 60 + 30)
        );
    }

    #[test]
    fn end_of_day_across_fall_back_in_new_york_keeps_the_wall_clock_time() {
        // Saturday 2025-11-01 20:00 EDT (-04:00) -> Sunday 17:30 EST (-05:00): 22h30m, not 21h30m.
        let tz = TimeZone::get("America/New_York").unwrap();
        let now = civil::date(2025, 11, 1)
            .at(20, 0, 0, 0)
            .to_zoned_datetime(tz)
            .unwrap();
        let end = resolved_end(Preset::EndOfDay, &now);
        assert_eq!(end, "2025-11-02T22:30:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(
            end.duration_since(now.timestamp()),
            SignedDuration::from_mins(22 * 60 + 30)
        );
    }

    #[test]
    fn a_workday_end_inside_a_dst_gap_moves_past_the_gap() {
        // 02:30 does not exist in Berlin on 2025-03-30; the compatible rule gives 03:30 CEST.
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let now = civil::date(2025, 3, 30)
            .at(1, 0, 0, 0)
            .to_zoned_datetime(tz)
            .unwrap();
        let until = Preset::EndOfDay
            .resolve(&now, &every_day(civil::time(2, 30, 0, 0)))
            .unwrap();
        assert_eq!(until.end(), Some("2025-03-30T01:30:00Z".parse().unwrap()));
    }

    #[test]
    fn until_changed_and_graph_default_resolve_to_themselves() {
        let now = zoned("2025-06-02T09:15:00+02:00[Europe/Berlin]");
        assert_eq!(
            Preset::UntilChanged.resolve(&now, &WorkWeek::default()),
            Ok(Until::UntilChanged)
        );
        assert_eq!(
            Preset::GraphDefault.resolve(&now, &WorkWeek::default()),
            Ok(Until::GraphDefault)
        );
    }

    #[test]
    fn short_names_labels_and_aliases_parse_back() {
        for preset in Preset::ALL {
            assert_eq!(preset.short_name().parse::<Preset>(), Ok(preset));
            assert_eq!(preset.label().parse::<Preset>(), Ok(preset), "{}", preset.label());
            assert_eq!(preset.to_string().to_uppercase().parse::<Preset>(), Ok(preset));
            let json = serde_json::to_string(&preset).unwrap();
            assert_eq!(json, format!("\"{}\"", preset.short_name()));
            assert_eq!(serde_json::from_str::<Preset>(&json).unwrap(), preset);
        }
        assert_eq!("Until  I change it".parse::<Preset>(), Ok(Preset::UntilChanged));
        assert_eq!("graph's default".parse::<Preset>(), Ok(Preset::GraphDefault));
        let error = "fortnight".parse::<Preset>().unwrap_err();
        assert!(
            error
                .to_string()
                .contains("30m, 1h, 2h, 4h, 8h, eod, forever, default")
        );
    }

    #[test]
    fn fixed_lengths_map_back_to_their_presets() {
        for preset in Preset::ALL {
            if let Some(length) = preset.length() {
                assert_eq!(Preset::from_length(length), Some(preset));
            }
        }
        assert_eq!(Preset::from_length(SignedDuration::from_mins(90)), None);
    }
}
