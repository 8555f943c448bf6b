//! The user's [`Intent`]: which status they chose, until when, when, and from where.
//!
//! Every input (popup, tray menu, hotkey, CLI, a change noticed in Teams) becomes an `Intent` that the
//! keeper owns, persists and enforces (architecture §3). It is stored as camelCase JSON, so the field
//! names and the short names of its enums are a stable format.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::duration::{Until, WireExpiration};
use crate::status::PreferredPresence;

/// Where an intent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// The popup window.
    Popup,
    /// The tray icon's menu.
    TrayMenu,
    /// A global hotkey.
    Hotkey,
    /// The `presently` command line.
    Cli,
    /// A change made in Teams (or elsewhere) that the keeper noticed when reading presence back.
    Teams,
}

/// What the user chose: a status, until when (already resolved), when, and from where.
///
/// ```
/// use presently_model::{Intent, Origin, PreferredPresence, Until};
/// let set_at: jiff::Timestamp = "2025-06-02T08:00:00Z".parse().unwrap();
/// let intent = Intent::new(PreferredPresence::Busy, Until::GraphDefault, set_at, Origin::Cli);
/// // Graph's default for Busy is one day (contract §2).
/// assert_eq!(intent.ends_at(), Some("2025-06-03T08:00:00Z".parse().unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// The chosen status.
    pub status: PreferredPresence,
    /// When it ends.
    pub until: Until,
    /// When it was chosen.
    #[ts(type = "string")]
    pub set_at: Timestamp,
    /// Where it was chosen.
    pub origin: Origin,
}

impl Intent {
    /// Builds an intent.
    pub fn new(status: PreferredPresence, until: Until, set_at: Timestamp, origin: Origin) -> Self {
        Self {
            status,
            until,
            set_at,
            origin,
        }
    }

    /// When the intent ends: the chosen instant; for [`Until::GraphDefault`] the moment Graph's default
    /// expiry for this status runs out (`set_at` + 1 or 7 days, contract §2, assuming the pin was posted
    /// at `set_at`); `None` for [`Until::UntilChanged`].
    pub fn ends_at(&self) -> Option<Timestamp> {
        match self.until {
            Until::At { at } => Some(at),
            Until::UntilChanged => None,
            Until::GraphDefault => Some(
                self.set_at
                    .checked_add(self.status.default_expiry())
                    .unwrap_or(Timestamp::MAX),
            ),
        }
    }

    /// True once the intent has ended at `now` (the end itself counts as ended). Never true for
    /// "until I change it".
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.ends_at().is_some_and(|end| now >= end)
    }

    /// How long is left at `now`: `None` if open-ended, zero once expired.
    pub fn remaining(&self, now: Timestamp) -> Option<SignedDuration> {
        self.ends_at()
            .map(|end| end.duration_since(now).max(SignedDuration::ZERO))
    }

    /// What to send as `expirationDuration` when posting this intent's pin at `now` (see
    /// [`Until::wire_expiration`]): capped, with a renewal flag, or `Expired`.
    ///
    /// For [`Until::GraphDefault`] this is `Omit`, right for the first post. A Graph-default pin is not
    /// renewed; if the keeper must post it again (e.g. it was lost), it should post
    /// `Until::at(intent.ends_at())` instead, so that the end does not move.
    pub fn wire_expiration(&self, now: Timestamp) -> WireExpiration {
        if self.is_expired(now) {
            return WireExpiration::Expired;
        }
        self.until.wire_expiration(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn an_intent_with_an_end_expires_at_that_end() {
        let intent = Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::at(ts("2025-06-02T10:00:00Z")),
            ts("2025-06-02T09:00:00Z"),
            Origin::Popup,
        );
        assert!(!intent.is_expired(ts("2025-06-02T09:59:59Z")));
        assert!(intent.is_expired(ts("2025-06-02T10:00:00Z")));
        assert!(intent.is_expired(ts("2025-06-03T00:00:00Z")));
        assert_eq!(
            intent.remaining(ts("2025-06-02T09:30:00Z")),
            Some(SignedDuration::from_mins(30))
        );
        assert_eq!(
            intent.remaining(ts("2025-06-02T11:00:00Z")),
            Some(SignedDuration::ZERO)
        );
    }

    #[test]
    fn until_i_change_it_never_expires() {
        let intent = Intent::new(
            PreferredPresence::Busy,
            Until::UntilChanged,
            ts("2025-06-02T09:00:00Z"),
            Origin::Hotkey,
        );
        assert!(!intent.is_expired(ts("2099-01-01T00:00:00Z")));
        assert_eq!(intent.ends_at(), None);
        assert_eq!(intent.remaining(ts("2025-06-02T09:00:00Z")), None);
    }

    #[test]
    fn graph_default_ends_after_the_status_default_expiry() {
        let set_at = ts("2025-06-02T09:00:00Z");
        let busy = Intent::new(
            PreferredPresence::Busy,
            Until::GraphDefault,
            set_at,
            Origin::TrayMenu,
        );
        assert_eq!(busy.ends_at(), Some(ts("2025-06-03T09:00:00Z")));
        let away = Intent::new(
            PreferredPresence::AppearAway,
            Until::GraphDefault,
            set_at,
            Origin::TrayMenu,
        );
        assert_eq!(away.ends_at(), Some(ts("2025-06-09T09:00:00Z")));
        assert!(!away.is_expired(ts("2025-06-09T08:59:59Z")));
        assert!(away.is_expired(ts("2025-06-09T09:00:00Z")));
        assert_eq!(away.wire_expiration(set_at), WireExpiration::Omit);
        assert_eq!(
            away.wire_expiration(ts("2025-06-10T00:00:00Z")),
            WireExpiration::Expired
        );
    }

    #[test]
    fn the_wire_expiration_of_an_intent_counts_from_now_not_from_when_it_was_set() {
        let intent = Intent::new(
            PreferredPresence::BeRightBack,
            Until::at(ts("2025-06-02T11:00:00Z")),
            ts("2025-06-02T09:00:00Z"),
            Origin::Cli,
        );
        let WireExpiration::Send(wire) = intent.wire_expiration(ts("2025-06-02T10:15:00Z")) else {
            panic!("expected Send")
        };
        assert_eq!(wire.iso8601(), "PT45M");
        assert!(!wire.needs_renewal);
    }

    #[test]
    fn an_intent_persists_as_camel_case_json_and_reads_back() {
        let intent = Intent::new(
            PreferredPresence::DoNotDisturb,
            Until::at(ts("2025-06-02T15:30:00Z")),
            ts("2025-06-02T09:00:00Z"),
            Origin::TrayMenu,
        );
        let json = serde_json::to_string(&intent).unwrap();
        assert_eq!(
            json,
            r#"{"status":"dnd","until":{"kind":"at","at":"2025-06-02T15:30:00Z"},"setAt":"2025-06-02T09:00:00Z","origin":"trayMenu"}"#
        );
        assert_eq!(serde_json::from_str::<Intent>(&json).unwrap(), intent);
        for origin in [
            Origin::Popup,
            Origin::TrayMenu,
            Origin::Hotkey,
            Origin::Cli,
            Origin::Teams,
        ] {
            let json = serde_json::to_string(&origin).unwrap();
            assert_eq!(serde_json::from_str::<Origin>(&json).unwrap(), origin);
        }
        assert_eq!(serde_json::to_string(&Origin::Cli).unwrap(), "\"cli\"");
    }

    #[test]
    fn a_persisted_intent_with_an_unknown_status_is_an_error_not_a_guess() {
        let json = r#"{"status":"lunch","until":{"kind":"untilChanged"},"setAt":"2025-06-02T09:00:00Z","origin":"cli"}"#;
        let error = serde_json::from_str::<Intent>(json).unwrap_err();
        assert!(error.to_string().contains("unknown status"), "{error}");
    }
}
