//! Graph's presence values as they travel on the wire: [`Availability`], [`Activity`] and the
//! [`PresencePair`] that carries one of each.
//!
//! Graph spells them in PascalCase (`"DoNotDisturb"`) and, as far as anyone knows, does not match them
//! case-insensitively, so we always write the exact spelling (\[assumed\], contract §2).
//!
//! Reading is **lenient**: what `GET /me/presence` reports is a larger and growing set than what the
//! write calls accept (`AvailableIdle`, `Focusing`, `InAMeeting`, `UrgentInterruptionsOnly`, ...; contract
//! §2, whose source page even has the two lists swapped). Known values become enum variants; anything
//! else is kept verbatim in `Other` and written back unchanged. Parsing these types never fails.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares a lenient wire enum: known PascalCase values plus `Other(String)`.
macro_rules! lenient_wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept exactly as Graph sent it.
            Other(String),
        }

        impl $name {
            /// Every value this version knows, in declaration order (not including `Other`).
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// Reads a wire value. Exact-case match for known values; anything else is `Other`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( stringify!($variant) => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// The exact wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => stringify!($variant), )+
                    $name::Other(other) => other,
                }
            }

            /// True when this is a value this version does not know.
            pub fn is_other(&self) -> bool {
                matches!(self, $name::Other(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_wire(s))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name::from_wire(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(match $name::from_wire(&value) {
                    $name::Other(_) => $name::Other(value),
                    known => known,
                })
            }
        }
    };
}

lenient_wire_enum! {
    /// The coarse state others see (`availability` on the wire, contract §2).
    Availability {
        /// Green.
        Available,
        /// Available, but the user has been idle.
        AvailableIdle,
        /// Yellow.
        Away,
        /// Yellow, "Be right back".
        BeRightBack,
        /// Red.
        Busy,
        /// Busy, but the user has been idle.
        BusyIdle,
        /// Red with a bar.
        DoNotDisturb,
        /// Grey: no live session, or "appear offline".
        Offline,
        /// Graph cannot tell.
        PresenceUnknown,
        /// Focus time (reported by GET, not settable).
        Focusing,
    }
}

lenient_wire_enum! {
    /// The finer-grained reason (`activity` on the wire, contract §2).
    Activity {
        Available,
        /// An `Available` session that has not been refreshed for 5 minutes (contract §3).
        AvailableInactive,
        Away,
        BeRightBack,
        Busy,
        DoNotDisturb,
        /// In a call (settable only through a session, contract §2).
        InACall,
        /// In a conference call (settable only through a session, contract §2).
        InAConferenceCall,
        Inactive,
        /// In a meeting (from the calendar).
        InAMeeting,
        Offline,
        /// Off work: the activity of "appear offline" (contract §2).
        OffWork,
        OutOfOffice,
        /// Graph cannot tell.
        PresenceUnknown,
        /// Presenting (the only `DoNotDisturb` activity a session may set, contract §2).
        Presenting,
        /// Do not disturb, but urgent messages break through.
        UrgentInterruptionsOnly,
    }
}

/// One availability with one activity: the body fragment of every write call and the core of what
/// `GET /me/presence` answers. Serialises as `{"availability": ..., "activity": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresencePair {
    /// The coarse state.
    pub availability: Availability,
    /// The reason.
    pub activity: Activity,
}

impl PresencePair {
    /// Builds a pair.
    pub fn new(availability: Availability, activity: Activity) -> Self {
        Self {
            availability,
            activity,
        }
    }
}

impl fmt::Display for PresencePair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.availability, self.activity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_availability_round_trips_through_its_exact_spelling() {
        for known in Availability::KNOWN {
            assert!(!known.is_other());
            assert_eq!(&Availability::from_wire(known.as_str()), known);
            let json = serde_json::to_string(known).unwrap();
            assert_eq!(json, format!("\"{}\"", known.as_str()));
            assert_eq!(&serde_json::from_str::<Availability>(&json).unwrap(), known);
        }
    }

    #[test]
    fn every_known_activity_round_trips_through_its_exact_spelling() {
        for known in Activity::KNOWN {
            assert!(!known.is_other());
            assert_eq!(&Activity::from_wire(known.as_str()), known);
            let json = serde_json::to_string(known).unwrap();
            assert_eq!(&serde_json::from_str::<Activity>(&json).unwrap(), known);
        }
    }

    #[test]
    fn the_extra_values_listed_in_the_contract_are_known_variants() {
        // contract §2, "Presence resource (GET)".
        assert_eq!(
            Availability::from_wire("AvailableIdle"),
            Availability::AvailableIdle
        );
        assert_eq!(Availability::from_wire("BusyIdle"), Availability::BusyIdle);
        assert_eq!(
            Availability::from_wire("PresenceUnknown"),
            Availability::PresenceUnknown
        );
        assert_eq!(Availability::from_wire("Focusing"), Availability::Focusing);
        assert_eq!(Activity::from_wire("InAMeeting"), Activity::InAMeeting);
        assert_eq!(Activity::from_wire("OutOfOffice"), Activity::OutOfOffice);
        assert_eq!(Activity::from_wire("Inactive"), Activity::Inactive);
        assert_eq!(
            Activity::from_wire("UrgentInterruptionsOnly"),
            Activity::UrgentInterruptionsOnly
        );
        // contract §3: the fade of an Available session.
        assert_eq!(
            Activity::from_wire("AvailableInactive"),
            Activity::AvailableInactive
        );
    }

    #[test]
    fn unknown_values_parse_as_other_and_are_written_back_verbatim() {
        let json = r#"{"availability":"SomethingNew","activity":"InATeamsRetreat"}"#;
        let pair: PresencePair = serde_json::from_str(json).unwrap();
        assert_eq!(pair.availability, Availability::Other("SomethingNew".into()));
        assert_eq!(pair.activity, Activity::Other("InATeamsRetreat".into()));
        assert!(pair.availability.is_other());
        assert_eq!(serde_json::to_string(&pair).unwrap(), json);
    }

    #[test]
    fn a_differently_cased_value_is_not_guessed_but_kept_as_sent() {
        // Graph sends exact case; we do not fold case, so what we read is what we write (contract §2).
        let lower: Availability = serde_json::from_str("\"busy\"").unwrap();
        assert_eq!(lower, Availability::Other("busy".into()));
        assert_eq!(serde_json::to_string(&lower).unwrap(), "\"busy\"");
    }

    #[test]
    fn parsing_never_fails_even_on_empty_strings() {
        assert_eq!("".parse::<Activity>(), Ok(Activity::Other(String::new())));
        assert_eq!(Availability::from("  "), Availability::Other("  ".into()));
    }

    #[test]
    fn a_pair_serialises_with_camel_case_keys_and_pascal_case_values() {
        let pair = PresencePair::new(Availability::DoNotDisturb, Activity::Presenting);
        assert_eq!(
            serde_json::to_string(&pair).unwrap(),
            r#"{"availability":"DoNotDisturb","activity":"Presenting"}"#
        );
        assert_eq!(pair.to_string(), "DoNotDisturb/Presenting");
    }
}
