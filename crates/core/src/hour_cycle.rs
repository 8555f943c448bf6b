//! Whether this user reads times on a 24-hour clock ("17:30") or a 12-hour one ("5:30 PM"). Decided once, here,
//! from the system's locale, and carried in the snapshot, so the tray, the CLI and the popup write the same moment
//! the same way: before, the popup followed the web view's locale ("11:38 PM") while the tray wrote "23:38".

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A clock's hour cycle: `h23` ("17:30") or `h12` ("5:30 PM"), named as `Intl.DateTimeFormat`'s `hourCycle`
/// option names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum HourCycle {
    /// 0–23: "17:30".
    #[default]
    H23,
    /// 1–12 with AM/PM: "5:30 PM".
    H12,
}

/// Regions whose usual clock is the 12-hour one, after the preferred hour cycle ("h") of the Unicode CLDR's
/// supplemental time data. A short list of our own covering the large 12-hour regions; every other region, and
/// a locale with none (`C`, `POSIX`), reads 24-hour times.
const TWELVE_HOUR_REGIONS: &[&str] = &[
    "US", "CA", "AU", "NZ", "IN", "PK", "BD", "PH", "EG", "SA", "KR", "TW", "MY",
];

impl HourCycle {
    /// This user's hour cycle. On Linux and other Unix systems the time locale of the environment decides
    /// (`LC_ALL`, then `LC_TIME`, then `LANG`, as POSIX orders them); elsewhere the system's locale (Windows'
    /// user locale, macOS's current locale).
    ///
    /// Assumption: a user who chose a 24-hour clock inside a 12-hour locale (Windows' short time format, macOS's
    /// "24-hour time" switch) is not seen; the locale's usual clock is used, as the popup's web view does.
    pub fn of_this_user() -> Self {
        Self::of_locale(this_users_locale().as_deref())
    }

    /// The usual hour cycle of a locale name: POSIX (`en_US.UTF-8`, `fr_CA@euro`) or BCP 47 (`en-US`,
    /// `zh-Hant-TW`). Unknown, empty or region-less names read 24-hour times.
    pub fn of_locale(name: Option<&str>) -> Self {
        let Some(name) = name else { return Self::H23 };
        let name = name.split(['.', '@']).next().unwrap_or_default();
        let mut parts = name.split(['_', '-']);
        let language = parts.next().unwrap_or_default().to_ascii_lowercase();
        // The region is the first later part of two letters (a script such as `Hant` has four).
        let region = parts
            .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase);
        match region.as_deref() {
            // French-speaking Canada writes 24-hour times (CLDR's fr_CA), unlike the region as a whole.
            Some("CA") if language == "fr" => Self::H23,
            Some(region) if TWELVE_HOUR_REGIONS.contains(&region) => Self::H12,
            _ => Self::H23,
        }
    }

    /// The jiff `strftime` pattern of a wall-clock time: "17:30" or "5:30 PM".
    pub fn time_pattern(self) -> &'static str {
        match self {
            Self::H23 => "%H:%M",
            Self::H12 => "%-I:%M %p",
        }
    }
}

/// The time locale the environment names, POSIX's order: `LC_ALL`, then `LC_TIME`, then `LANG`.
#[cfg(unix)]
fn environment_locale() -> Option<String> {
    ["LC_ALL", "LC_TIME", "LANG"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

#[cfg(all(unix, not(target_os = "macos")))]
fn this_users_locale() -> Option<String> {
    environment_locale()
}

/// An app started from the Dock has no `LANG`; the system's current locale then decides.
#[cfg(target_os = "macos")]
fn this_users_locale() -> Option<String> {
    environment_locale().or_else(sys_locale::get_locale)
}

#[cfg(not(unix))]
fn this_users_locale() -> Option<String> {
    sys_locale::get_locale()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_reads_the_clock_its_region_uses() {
        for (name, cycle) in [
            ("en_US.UTF-8", HourCycle::H12),
            ("en-US", HourCycle::H12),
            ("en_AU.UTF-8", HourCycle::H12),
            ("ko_KR.UTF-8", HourCycle::H12),
            ("zh-Hant-TW", HourCycle::H12),
            ("en_CA.UTF-8", HourCycle::H12),
            ("fr_CA.UTF-8", HourCycle::H23),
            ("en_GB.UTF-8", HourCycle::H23),
            ("de_DE.UTF-8@euro", HourCycle::H23),
            ("fr-FR", HourCycle::H23),
            ("C.UTF-8", HourCycle::H23),
            ("POSIX", HourCycle::H23),
            ("", HourCycle::H23),
        ] {
            assert_eq!(HourCycle::of_locale(Some(name)), cycle, "{name}");
        }
        assert_eq!(HourCycle::of_locale(None), HourCycle::H23);
    }

    #[test]
    fn the_cycle_is_named_as_the_popups_intl_option_names_it() {
        assert_eq!(serde_json::to_string(&HourCycle::H12).unwrap(), "\"h12\"");
        assert_eq!(serde_json::to_string(&HourCycle::H23).unwrap(), "\"h23\"");
    }
}
