//! The six statuses a user can choose ([`PreferredPresence`]) and everything Presently needs to know
//! about each: the exact pair `setUserPreferredPresence` accepts, Graph's default expiry, the name Teams
//! shows, a colour, a short name to type and a stable order.
//!
//! The pairs and expiries are the contract's table (contract §2 "Valid pairs"); nothing else is
//! accepted by Graph for a preferred presence, which is why this is a closed enum and not a string.
//! How each status is kept visible while Teams is closed lives in [`crate::session`].

use std::fmt;
use std::str::FromStr;

use jiff::SignedDuration;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::wire::{Activity, Availability, PresencePair};

/// A status the user chooses, pinned with `setUserPreferredPresence` (contract §2).
///
/// Serialises as its [short name](Self::short_name) (`"dnd"`), the same word the CLI takes; reading
/// accepts every spelling [`FromStr`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PreferredPresence {
    /// Available (Available/Available).
    Available,
    /// Busy (Busy/Busy).
    Busy,
    /// Do not disturb (DoNotDisturb/DoNotDisturb).
    DoNotDisturb,
    /// Be right back (BeRightBack/BeRightBack).
    BeRightBack,
    /// Appear away (Away/Away).
    AppearAway,
    /// Appear offline (Offline/OffWork).
    AppearOffline,
}

/// The error for a status name that is none of the six; its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status \"{input}\": expected one of available, busy, dnd, brb, away, offline")]
pub struct UnknownStatus {
    /// What was typed (trimmed, and shortened if very long).
    pub input: String,
}

impl PreferredPresence {
    /// All six, in their stable order (the order of [`key`](Self::key), menus and hotkeys).
    pub const ALL: [PreferredPresence; 6] = [
        PreferredPresence::Available,
        PreferredPresence::Busy,
        PreferredPresence::DoNotDisturb,
        PreferredPresence::BeRightBack,
        PreferredPresence::AppearAway,
        PreferredPresence::AppearOffline,
    ];

    /// The exact `availability`/`activity` pair `setUserPreferredPresence` accepts for this status
    /// (contract §2, the six valid pairs).
    pub fn preferred_pair(self) -> PresencePair {
        let (availability, activity) = match self {
            Self::Available => (Availability::Available, Activity::Available),
            Self::Busy => (Availability::Busy, Activity::Busy),
            Self::DoNotDisturb => (Availability::DoNotDisturb, Activity::DoNotDisturb),
            Self::BeRightBack => (Availability::BeRightBack, Activity::BeRightBack),
            Self::AppearAway => (Availability::Away, Activity::Away),
            Self::AppearOffline => (Availability::Offline, Activity::OffWork),
        };
        PresencePair::new(availability, activity)
    }

    /// The status whose preferred pair is exactly `pair`, if any. Useful to recognise one of ours in
    /// what `GET /me/presence` reports; note that Away/Away can also be a faded session (contract §3).
    pub fn from_preferred_pair(pair: &PresencePair) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| &status.preferred_pair() == pair)
    }

    /// How long Graph keeps the pin when `expirationDuration` is omitted: 1 day for Busy and Do not
    /// disturb, 7 days for the others (contract §2).
    pub fn default_expiry(self) -> SignedDuration {
        match self {
            Self::Busy | Self::DoNotDisturb => SignedDuration::from_hours(24),
            Self::Available | Self::BeRightBack | Self::AppearAway | Self::AppearOffline => {
                SignedDuration::from_hours(24 * 7)
            }
        }
    }

    /// The name Teams shows (contract §2, "Teams shows").
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Available => "Available",
            Self::Busy => "Busy",
            Self::DoNotDisturb => "Do not disturb",
            Self::BeRightBack => "Be right back",
            Self::AppearAway => "Appear away",
            Self::AppearOffline => "Appear offline",
        }
    }

    /// The stable short name to type and to store: `available`, `busy`, `dnd`, `brb`, `away`, `offline`.
    pub fn short_name(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Busy => "busy",
            Self::DoNotDisturb => "dnd",
            Self::BeRightBack => "brb",
            Self::AppearAway => "away",
            Self::AppearOffline => "offline",
        }
    }

    /// The stable 1-based position (1 = Available ... 6 = Appear offline), for menus and hotkeys.
    pub fn key(self) -> u8 {
        match self {
            Self::Available => 1,
            Self::Busy => 2,
            Self::DoNotDisturb => 3,
            Self::BeRightBack => 4,
            Self::AppearAway => 5,
            Self::AppearOffline => 6,
        }
    }

    /// The status at a [`key`](Self::key), if it is 1–6.
    pub fn from_key(key: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.key() == key)
    }

    /// A colour in Teams' family (green, red, red, yellow, yellow, grey) as `#RRGGBB`, for icons and
    /// the UI. Our own choice of shades, not Microsoft's assets.
    pub fn colour(self) -> &'static str {
        match self {
            Self::Available => "#6BB700",
            Self::Busy | Self::DoNotDisturb => "#C4314B",
            Self::BeRightBack | Self::AppearAway => "#FFAA44",
            Self::AppearOffline => "#8A8886",
        }
    }
}

impl fmt::Display for PreferredPresence {
    /// Writes the name Teams shows ("Do not disturb"); use [`short_name`](Self::short_name) for machines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for PreferredPresence {
    type Err = UnknownStatus;

    /// Accepts, case-insensitively and ignoring spaces, `-` and `_`: the short names, the names Teams
    /// shows, the wire names, and a few aliases (`do-not-disturb`, `be-right-back`, `appear-away`,
    /// `appear-offline`, `free`, `invisible`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_' | '\t'))
            .flat_map(char::to_lowercase)
            .collect();
        let status = match folded.as_str() {
            "available" | "avail" | "free" | "online" => Self::Available,
            "busy" => Self::Busy,
            "dnd" | "donotdisturb" => Self::DoNotDisturb,
            "brb" | "berightback" => Self::BeRightBack,
            "away" | "appearaway" => Self::AppearAway,
            "offline" | "appearoffline" | "offwork" | "invisible" => Self::AppearOffline,
            _ => {
                return Err(UnknownStatus {
                    input: crate::choice::quoted(s),
                });
            }
        };
        Ok(status)
    }
}

impl Serialize for PreferredPresence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.short_name())
    }
}

impl<'de> Deserialize<'de> for PreferredPresence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The popup's TypeScript type: the union of the short names it is serialised as, from [`PreferredPresence::ALL`].
impl ts_rs::TS for PreferredPresence {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;

    fn name(_: &ts_rs::Config) -> String {
        "PreferredPresence".to_owned()
    }

    fn inline(_: &ts_rs::Config) -> String {
        string_union(Self::ALL.map(Self::short_name))
    }

    fn decl(cfg: &ts_rs::Config) -> String {
        format!("type PreferredPresence = {};", Self::inline(cfg))
    }

    fn docs() -> Option<String> {
        Some(ts_rs::format_docs(&[
            " A preferred presence, serialised as its short name (the word the CLI takes).",
        ]))
    }
}

/// `"a" | "b"`: a TypeScript union of string literals (for types serialised as a word from a closed list).
pub fn string_union(words: impl IntoIterator<Item = &'static str>) -> String {
    words
        .into_iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_sends_exactly_the_pair_in_the_contract_table() {
        // contract §2 "Valid pairs", setUserPreferredPresence.
        let table = [
            (PreferredPresence::Available, "Available", "Available"),
            (PreferredPresence::Busy, "Busy", "Busy"),
            (PreferredPresence::DoNotDisturb, "DoNotDisturb", "DoNotDisturb"),
            (PreferredPresence::BeRightBack, "BeRightBack", "BeRightBack"),
            (PreferredPresence::AppearAway, "Away", "Away"),
            (PreferredPresence::AppearOffline, "Offline", "OffWork"),
        ];
        for (status, availability, activity) in table {
            let pair = status.preferred_pair();
            assert_eq!(pair.availability.as_str(), availability, "{status:?}");
            assert_eq!(pair.activity.as_str(), activity, "{status:?}");
            assert!(!pair.availability.is_other() && !pair.activity.is_other());
            assert_eq!(PreferredPresence::from_preferred_pair(&pair), Some(status));
        }
    }

    #[test]
    fn the_wire_body_of_a_status_is_pascal_case_json() {
        let json = serde_json::to_string(&PreferredPresence::AppearOffline.preferred_pair()).unwrap();
        assert_eq!(json, r#"{"availability":"Offline","activity":"OffWork"}"#);
    }

    #[test]
    fn busy_and_dnd_default_to_one_day_and_the_others_to_seven() {
        // contract §2 "default expiry" column.
        let day = SignedDuration::from_hours(24);
        let week = SignedDuration::from_hours(24 * 7);
        assert_eq!(PreferredPresence::Available.default_expiry(), week);
        assert_eq!(PreferredPresence::Busy.default_expiry(), day);
        assert_eq!(PreferredPresence::DoNotDisturb.default_expiry(), day);
        assert_eq!(PreferredPresence::BeRightBack.default_expiry(), week);
        assert_eq!(PreferredPresence::AppearAway.default_expiry(), week);
        assert_eq!(PreferredPresence::AppearOffline.default_expiry(), week);
    }

    #[test]
    fn display_names_are_what_teams_shows() {
        let names: Vec<_> = PreferredPresence::ALL.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            names,
            [
                "Available",
                "Busy",
                "Do not disturb",
                "Be right back",
                "Appear away",
                "Appear offline"
            ]
        );
    }

    #[test]
    fn keys_run_one_to_six_in_order_and_map_back() {
        for (index, status) in PreferredPresence::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(status.key()), index + 1);
            assert_eq!(PreferredPresence::from_key(status.key()), Some(status));
        }
        assert_eq!(PreferredPresence::from_key(0), None);
        assert_eq!(PreferredPresence::from_key(7), None);
    }

    #[test]
    fn colours_are_hex_and_follow_teams_families() {
        for status in PreferredPresence::ALL {
            let colour = status.colour();
            assert_eq!(colour.len(), 7, "{colour}");
            assert!(colour.starts_with('#') && colour[1..].chars().all(|c| c.is_ascii_hexdigit()));
        }
        assert_eq!(
            PreferredPresence::Busy.colour(),
            PreferredPresence::DoNotDisturb.colour()
        );
        assert_eq!(
            PreferredPresence::BeRightBack.colour(),
            PreferredPresence::AppearAway.colour()
        );
        let distinct: std::collections::HashSet<_> =
            PreferredPresence::ALL.iter().map(|s| s.colour()).collect();
        assert_eq!(distinct.len(), 4);
    }

    #[test]
    fn every_short_name_parses_back_to_its_status_in_any_case() {
        for status in PreferredPresence::ALL {
            let name = status.short_name();
            assert_eq!(name.parse::<PreferredPresence>(), Ok(status));
            assert_eq!(name.to_uppercase().parse::<PreferredPresence>(), Ok(status));
            assert_eq!(status.display_name().parse::<PreferredPresence>(), Ok(status));
            assert_eq!(status.preferred_pair().availability.as_str().parse(), Ok(status));
        }
        let short: Vec<_> = PreferredPresence::ALL.iter().map(|s| s.short_name()).collect();
        assert_eq!(short, ["available", "busy", "dnd", "brb", "away", "offline"]);
    }

    #[test]
    fn aliases_parse_case_insensitively() {
        let cases = [
            ("do-not-disturb", PreferredPresence::DoNotDisturb),
            ("DoNotDisturb", PreferredPresence::DoNotDisturb),
            ("do_not_disturb", PreferredPresence::DoNotDisturb),
            ("DND", PreferredPresence::DoNotDisturb),
            ("be-right-back", PreferredPresence::BeRightBack),
            ("BeRightBack", PreferredPresence::BeRightBack),
            ("BRB", PreferredPresence::BeRightBack),
            ("appear-away", PreferredPresence::AppearAway),
            ("Appear Away", PreferredPresence::AppearAway),
            ("appear-offline", PreferredPresence::AppearOffline),
            ("APPEAR_OFFLINE", PreferredPresence::AppearOffline),
            ("OffWork", PreferredPresence::AppearOffline),
            ("invisible", PreferredPresence::AppearOffline),
            ("  Busy  ", PreferredPresence::Busy),
            ("Free", PreferredPresence::Available),
        ];
        for (text, status) in cases {
            assert_eq!(text.parse::<PreferredPresence>(), Ok(status), "{text}");
        }
    }

    #[test]
    fn an_unknown_name_is_an_error_that_lists_the_valid_names() {
        let error = "lunch".parse::<PreferredPresence>().unwrap_err();
        assert_eq!(error.input, "lunch");
        let message = error.to_string();
        assert!(message.contains("\"lunch\""), "{message}");
        for status in PreferredPresence::ALL {
            assert!(
                message.contains(status.short_name()),
                "{message} lacks {}",
                status.short_name()
            );
        }
        assert!("".parse::<PreferredPresence>().is_err());
        assert!("busy!".parse::<PreferredPresence>().is_err());
    }

    #[test]
    fn a_very_long_unknown_name_is_shortened_in_the_error() {
        let long = "x".repeat(10_000);
        let error = long.parse::<PreferredPresence>().unwrap_err();
        assert!(error.to_string().len() < 200);
    }

    #[test]
    fn serde_uses_the_short_name_and_reads_aliases() {
        assert_eq!(
            serde_json::to_string(&PreferredPresence::DoNotDisturb).unwrap(),
            "\"dnd\""
        );
        for status in PreferredPresence::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(serde_json::from_str::<PreferredPresence>(&json).unwrap(), status);
        }
        assert_eq!(
            serde_json::from_str::<PreferredPresence>("\"do-not-disturb\"").unwrap(),
            PreferredPresence::DoNotDisturb
        );
        assert!(serde_json::from_str::<PreferredPresence>("\"lunch\"").is_err());
    }
}
