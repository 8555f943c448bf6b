//! The user's working week, which "End of day" follows: the days that are working days ([`WorkDays`], Monday to
//! Friday unless configured) and the time the working day ends. "End of day" is the next end of a working day
//! strictly after now: on Friday evening, or at the weekend, that is Monday's.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Time, Weekday};

use crate::preset::DEFAULT_WORKDAY_END;

/// A set of weekdays. Never empty: a week without a working day has no "end of day".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkDays(u8);

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Monday is bit 0, as jiff's `to_monday_zero_offset`.
fn bit(day: Weekday) -> u8 {
    1 << (day.to_monday_zero_offset() as u8)
}

impl WorkDays {
    pub const MONDAY_TO_FRIDAY: WorkDays = WorkDays(0b0001_1111);
    /// Every day of the week.
    pub const EVERY_DAY: WorkDays = WorkDays(0b0111_1111);

    /// Whether `day` is a working day.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & bit(day) != 0
    }
}

impl Default for WorkDays {
    fn default() -> Self {
        Self::MONDAY_TO_FRIDAY
    }
}

/// Why text is not a set of working days.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkDaysError {
    /// A word that is no day.
    #[error(
        "\"{0}\" is not a day: use mon, tue, wed, thu, fri, sat, sun, ranges like mon-fri, separated by commas"
    )]
    UnknownDay(String),
    /// Nothing was named.
    #[error("name at least one working day, for example mon-fri")]
    Empty,
}

/// The day a word names (Monday = 0): its full English name or any start of it from three letters on.
fn day_of(word: &str) -> Result<usize, WorkDaysError> {
    let lower = word.trim().to_ascii_lowercase();
    DAY_NAMES
        .iter()
        .position(|name| lower.len() >= 3 && name.starts_with(&lower))
        .ok_or_else(|| WorkDaysError::UnknownDay(word.trim().to_owned()))
}

const DAY_NAMES: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl FromStr for WorkDays {
    type Err = WorkDaysError;

    /// Reads `mon-fri`, `mon,tue,thu`, `sun-thu`, `Monday-Friday` (a range may wrap past Sunday).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut set = 0u8;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('-') {
                Some((from, to)) => {
                    let (from, to) = (day_of(from)?, day_of(to)?);
                    let mut day = from;
                    loop {
                        set |= 1 << day;
                        if day == to {
                            break;
                        }
                        day = (day + 1) % 7;
                    }
                }
                None => set |= 1 << day_of(part)?,
            }
        }
        if set == 0 {
            return Err(WorkDaysError::Empty);
        }
        Ok(WorkDays(set))
    }
}

impl fmt::Display for WorkDays {
    /// Writes the shortest form that parses back: runs of three or more days as ranges (`mon-fri`,
    /// `mon-wed,fri`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let mut day = 0;
        while day < 7 {
            if self.0 & (1 << day) == 0 {
                day += 1;
                continue;
            }
            let start = day;
            while day + 1 < 7 && self.0 & (1 << (day + 1)) != 0 {
                day += 1;
            }
            match day - start {
                0 => parts.push(NAMES[start].to_owned()),
                1 => parts.push(format!("{},{}", NAMES[start], NAMES[day])),
                _ => parts.push(format!("{}-{}", NAMES[start], NAMES[day])),
            }
            day += 1;
        }
        f.write_str(&parts.join(","))
    }
}

/// When the working day ends, and on which days: what "End of day" resolves against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkWeek {
    /// The time the working day ends.
    pub end: Time,
    /// The working days.
    pub days: WorkDays,
}

impl WorkWeek {
    /// Monday to Friday, ending at `end`.
    pub fn ending_at(end: Time) -> Self {
        Self {
            end,
            days: WorkDays::default(),
        }
    }

    /// The days and the end given.
    pub fn new(end: Time, days: WorkDays) -> Self {
        Self { end, days }
    }
}

impl Default for WorkWeek {
    /// Monday to Friday, ending at 17:30.
    fn default() -> Self {
        Self::ending_at(DEFAULT_WORKDAY_END)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_read_ranges_lists_and_full_names_and_write_back_the_short_form() {
        let days: WorkDays = "mon-fri".parse().unwrap();
        assert_eq!(days, WorkDays::MONDAY_TO_FRIDAY);
        assert!(days.contains(Weekday::Friday) && !days.contains(Weekday::Saturday));
        assert_eq!("Monday - Friday".parse::<WorkDays>().unwrap(), days);
        assert_eq!(days.to_string(), "mon-fri");
        let sun_thu: WorkDays = "sun-thu".parse().unwrap();
        assert!(sun_thu.contains(Weekday::Sunday) && !sun_thu.contains(Weekday::Friday));
        assert_eq!(sun_thu.to_string(), "mon-thu,sun");
        let some: WorkDays = "mon, wed ,fri".parse().unwrap();
        assert_eq!(some.to_string(), "mon,wed,fri");
        for text in [
            "mon-fri",
            "mon-thu,sun",
            "mon,wed,fri",
            "sat,sun",
            "mon-sun",
            "tue",
        ] {
            let days: WorkDays = text.parse().unwrap();
            assert_eq!(days.to_string().parse::<WorkDays>().unwrap(), days, "{text}");
        }
    }

    #[test]
    fn nonsense_and_nothing_are_refused() {
        assert!(matches!(
            "funday".parse::<WorkDays>(),
            Err(WorkDaysError::UnknownDay(_))
        ));
        assert!(matches!(
            "mo".parse::<WorkDays>(),
            Err(WorkDaysError::UnknownDay(_))
        ));
        assert!(matches!(
            "monk".parse::<WorkDays>(),
            Err(WorkDaysError::UnknownDay(_))
        ));
        assert_eq!("".parse::<WorkDays>(), Err(WorkDaysError::Empty));
        assert_eq!(" , ".parse::<WorkDays>(), Err(WorkDaysError::Empty));
    }
}
