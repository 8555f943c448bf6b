//! Graph's JSON as it travels: the bodies this client sends (contract §2) and the resources and error
//! bodies it reads (contract §2 "Presence resource", §4).
//!
//! Request bodies are exact: camelCase keys, PascalCase values, optional keys left out rather than `null`.
//! Response bodies are read **leniently**. Availability and activity values this version does not know are
//! kept (the model's `Other`), a missing or mistyped optional field becomes `None` rather than a parse
//! failure, and unknown keys are ignored. `statusMessage.expiryDateTime` is an object
//! (`{"dateTime","timeZone"}`), never a string (contract §2: a client that parsed it as a string broke).
//! Only a body that is not a JSON object (the client checks that before parsing), or a `/me` without an
//! `id`, fails to parse.

use jiff::Timestamp;
use presently_model::wire::{Activity, Availability, PresencePair};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

// ---------------------------------------------------------------------------------------------------------
// Requests

/// Body of `setUserPreferredPresence` (contract §2).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SetPreferredBody<'a> {
    pub availability: &'a Availability,
    pub activity: &'a Activity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_duration: Option<String>,
}

/// Body of `setPresence` (contract §2).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SetSessionBody<'a> {
    pub session_id: &'a str,
    pub availability: &'a Availability,
    pub activity: &'a Activity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_duration: Option<String>,
}

/// Body of `clearPresence` (contract §2).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClearSessionBody<'a> {
    pub session_id: &'a str,
}

/// The `{}` body of `clearUserPreferredPresence` (contract §2).
#[derive(Debug, Serialize)]
pub(crate) struct EmptyBody {}

/// Body of `setStatusMessage` (contract §2).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SetStatusMessageBody<'a> {
    pub status_message: StatusMessageOut<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusMessageOut<'a> {
    pub message: ItemBodyOut<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_date_time: Option<DateTimeTimeZone>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ItemBodyOut<'a> {
    pub content: &'a str,
    pub content_type: &'static str,
}

// ---------------------------------------------------------------------------------------------------------
// Responses

/// The signed-in user, from `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The user's object id: the `{id}` of every presence write (contract §2).
    pub id: String,
    /// Display name, when the directory has one.
    #[serde(default, deserialize_with = "lenient")]
    pub display_name: Option<String>,
    /// Sign-in name.
    #[serde(default, deserialize_with = "lenient")]
    pub user_principal_name: Option<String>,
}

/// A user's presence, from `GET /me/presence` or `GET /users/{id}/presence` (contract §2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// The user's object id.
    #[serde(default, deserialize_with = "lenient")]
    pub id: Option<String>,
    /// What others see, coarse. A missing or non-string value reads as `PresenceUnknown`.
    #[serde(default = "unknown_availability", deserialize_with = "lenient_availability")]
    pub availability: Availability,
    /// What others see, fine. A missing or non-string value reads as `PresenceUnknown`.
    #[serde(default = "unknown_activity", deserialize_with = "lenient_activity")]
    pub activity: Activity,
    /// The status message, when one is set.
    #[serde(default, deserialize_with = "lenient")]
    pub status_message: Option<StatusMessage>,
    /// Out-of-office settings.
    #[serde(default, deserialize_with = "lenient")]
    pub out_of_office_settings: Option<OutOfOfficeSettings>,
    /// Graph's change counter (an opaque string).
    #[serde(default, deserialize_with = "lenient")]
    pub sequence_number: Option<String>,
    /// Where the user works today, when reported.
    #[serde(default, deserialize_with = "lenient")]
    pub work_location: Option<WorkLocation>,
}

impl Presence {
    /// The availability/activity pair.
    pub fn pair(&self) -> PresencePair {
        PresencePair::new(self.availability.clone(), self.activity.clone())
    }
}

/// A status message as Graph reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusMessage {
    /// The text.
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<ItemBody>,
    /// When it expires: an object, not a string (contract §2).
    #[serde(default, deserialize_with = "lenient")]
    pub expiry_date_time: Option<DateTimeTimeZone>,
    /// When it was published (ISO 8601 text as sent).
    #[serde(default, deserialize_with = "lenient")]
    pub published_date_time: Option<String>,
}

/// Graph's `itemBody`: text with its content type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    /// The text (or HTML).
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<String>,
    /// `text` or `html`.
    #[serde(default, deserialize_with = "lenient")]
    pub content_type: Option<String>,
}

/// Graph's `dateTimeTimeZone`: a civil date-time and the zone it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    /// `2025-03-30T15:30:00.0000000`, without an offset.
    pub date_time: String,
    /// `UTC`, or a Windows or IANA zone name.
    pub time_zone: String,
}

impl DateTimeTimeZone {
    /// The UTC form this client sends, to the second: `{"dateTime":"2025-03-30T15:30:00","timeZone":"UTC"}`.
    pub fn utc(at: Timestamp) -> Self {
        Self {
            date_time: at.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            time_zone: "UTC".into(),
        }
    }

    /// The instant, when the zone is UTC (or an IANA zone this system knows) and the date-time parses.
    /// Windows zone names (`Pacific Standard Time`) give `None`: mapping them is not this crate's job.
    pub fn to_timestamp(&self) -> Option<Timestamp> {
        let civil: jiff::civil::DateTime = self.date_time.trim().parse().ok()?;
        let zone = self.time_zone.trim();
        let tz = if zone.eq_ignore_ascii_case("UTC") {
            jiff::tz::TimeZone::UTC
        } else {
            jiff::tz::TimeZone::get(zone).ok()?
        };
        tz.to_timestamp(civil).ok()
    }
}

/// Out-of-office settings as Graph reports them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutOfOfficeSettings {
    /// The automatic reply.
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
    /// Whether the user is out of office now.
    #[serde(default, deserialize_with = "lenient")]
    pub is_out_of_office: Option<bool>,
}

/// Where the user works, as Graph reports it (kept as text: the value set is growing).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkLocation {
    /// `office`, `remote`, `timeOff`, `unknown`, ...
    #[serde(default, deserialize_with = "lenient")]
    pub work_location_type: Option<String>,
    /// Where the value came from.
    #[serde(default, deserialize_with = "lenient")]
    pub source: Option<String>,
    /// The place, when in an office.
    #[serde(default, deserialize_with = "lenient")]
    pub place_id: Option<String>,
}

/// Graph's error body `{"error":{"code","message","innerError":{...}}}` (contract §4), read leniently.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient")]
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorDetail {
    #[serde(default, deserialize_with = "lenient")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<String>,
    #[serde(default, alias = "innererror", deserialize_with = "lenient")]
    pub inner_error: Option<InnerError>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InnerError {
    #[serde(default, rename = "request-id", deserialize_with = "lenient")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// Reads an error body; anything that is not Graph's shape (an HTML page from a proxy, nothing at all)
    /// gives an empty one.
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        serde_json::from_slice(bytes).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------------------
// Lenient field readers

/// Reads any JSON value and keeps it only if it has the expected type; `null` or a mismatch is `None`.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

fn unknown_availability() -> Availability {
    Availability::PresenceUnknown
}

fn unknown_activity() -> Activity {
    Activity::PresenceUnknown
}

fn lenient_availability<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Availability, D::Error> {
    let value: Option<String> = lenient(deserializer)?;
    Ok(value.map_or_else(unknown_availability, |v| Availability::from_wire(&v)))
}

fn lenient_activity<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Activity, D::Error> {
    let value: Option<String> = lenient(deserializer)?;
    Ok(value.map_or_else(unknown_activity, |v| Activity::from_wire(&v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn presence(body: &str) -> Presence {
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn a_full_presence_body_parses_with_an_object_expiry() {
        // Shape from contract §2 "Presence resource (GET)".
        let p = presence(
            r#"{
              "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/presence/$entity",
              "id": "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d",
              "availability": "DoNotDisturb",
              "activity": "Presenting",
              "outOfOfficeSettings": {"message": null, "isOutOfOffice": false},
              "statusMessage": {
                "message": {"content": "Heads down", "contentType": "text"},
                "expiryDateTime": {"dateTime": "2025-03-30T15:30:00.0000000", "timeZone": "UTC"},
                "publishedDateTime": "2025-03-30T09:00:00.1234567Z"
              },
              "sequenceNumber": "C2D5E7A9B1D3F5A7",
              "workLocation": {"workLocationType": "remote", "source": "manual", "placeId": null}
            }"#,
        );
        assert_eq!(p.availability, Availability::DoNotDisturb);
        assert_eq!(p.activity, Activity::Presenting);
        assert_eq!(p.id.as_deref(), Some("3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d"));
        let msg = p.status_message.unwrap();
        assert_eq!(msg.message.unwrap().content.as_deref(), Some("Heads down"));
        let expiry = msg.expiry_date_time.unwrap();
        assert_eq!(expiry.time_zone, "UTC");
        assert_eq!(
            expiry.to_timestamp(),
            Some("2025-03-30T15:30:00Z".parse::<Timestamp>().unwrap())
        );
        assert_eq!(p.out_of_office_settings.unwrap().is_out_of_office, Some(false));
        assert_eq!(p.sequence_number.as_deref(), Some("C2D5E7A9B1D3F5A7"));
        assert_eq!(
            p.work_location.unwrap().work_location_type.as_deref(),
            Some("remote")
        );
    }

    #[test]
    fn unknown_availability_and_activity_values_are_kept_not_refused() {
        let p = presence(r#"{"availability":"FocusingDeeply","activity":"InATeamsRetreat"}"#);
        assert_eq!(p.availability, Availability::Other("FocusingDeeply".into()));
        assert_eq!(p.activity, Activity::Other("InATeamsRetreat".into()));
        // The extra values the contract lists are known.
        let p = presence(r#"{"availability":"AvailableIdle","activity":"UrgentInterruptionsOnly"}"#);
        assert_eq!(p.availability, Availability::AvailableIdle);
        assert_eq!(p.activity, Activity::UrgentInterruptionsOnly);
    }

    #[test]
    fn a_minimal_body_without_status_message_parses() {
        let p = presence(r#"{"id":"x","availability":"Offline","activity":"Offline"}"#);
        assert_eq!(p.pair().to_string(), "Offline/Offline");
        assert!(p.status_message.is_none());
        assert!(p.out_of_office_settings.is_none());
        assert!(p.work_location.is_none());
    }

    #[test]
    fn null_missing_or_mistyped_fields_read_as_absent_or_unknown() {
        let p = presence(
            r#"{"availability":null,"activity":42,"statusMessage":null,"sequenceNumber":7,
               "outOfOfficeSettings":"nonsense","workLocation":[]}"#,
        );
        assert_eq!(p.availability, Availability::PresenceUnknown);
        assert_eq!(p.activity, Activity::PresenceUnknown);
        assert!(p.status_message.is_none());
        assert!(p.sequence_number.is_none());
        assert!(p.out_of_office_settings.is_none());
        let p = presence("{}");
        assert_eq!(p.availability, Availability::PresenceUnknown);
    }

    #[test]
    fn a_string_expiry_date_time_does_not_break_the_rest_of_the_status_message() {
        // Graph sends an object; if something ever sent a string we drop just that field.
        let p = presence(
            r#"{"availability":"Busy","activity":"InACall",
               "statusMessage":{"message":{"content":"hi","contentType":"text"},"expiryDateTime":"2025-03-30"}}"#,
        );
        let msg = p.status_message.unwrap();
        assert!(msg.expiry_date_time.is_none());
        assert_eq!(msg.message.unwrap().content.as_deref(), Some("hi"));
    }

    #[test]
    fn me_needs_an_id_and_takes_the_rest_leniently() {
        let me: Me = serde_json::from_value(json!({
            "id": "abc", "displayName": "Adele Vance", "userPrincipalName": "adele@contoso.com",
            "businessPhones": [], "mail": null
        }))
        .unwrap();
        assert_eq!(me.id, "abc");
        assert_eq!(me.display_name.as_deref(), Some("Adele Vance"));
        let me: Me = serde_json::from_value(json!({"id": "abc", "displayName": null})).unwrap();
        assert_eq!(me.display_name, None);
        assert!(serde_json::from_value::<Me>(json!({"displayName": "x"})).is_err());
    }

    #[test]
    fn request_bodies_use_exact_keys_and_values_and_omit_absent_durations() {
        let pair = PresencePair::new(Availability::DoNotDisturb, Activity::DoNotDisturb);
        let body = SetPreferredBody {
            availability: &pair.availability,
            activity: &pair.activity,
            expiration_duration: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"availability": "DoNotDisturb", "activity": "DoNotDisturb"})
        );
        let body = SetSessionBody {
            session_id: "14d82eec-204b-4c2f-b7e8-296a70dab67e",
            availability: &Availability::Busy,
            activity: &Activity::InACall,
            expiration_duration: Some("PT15M".into()),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"sessionId": "14d82eec-204b-4c2f-b7e8-296a70dab67e", "availability": "Busy",
                   "activity": "InACall", "expirationDuration": "PT15M"})
        );
        assert_eq!(serde_json::to_string(&EmptyBody {}).unwrap(), "{}");
        assert_eq!(
            serde_json::to_value(ClearSessionBody { session_id: "s" }).unwrap(),
            json!({"sessionId": "s"})
        );
    }

    #[test]
    fn a_status_message_body_carries_an_object_expiry_in_utc() {
        let at: Timestamp = "2025-03-30T15:30:00Z".parse().unwrap();
        let body = SetStatusMessageBody {
            status_message: StatusMessageOut {
                message: ItemBodyOut {
                    content: "Back at 4",
                    content_type: "text",
                },
                expiry_date_time: Some(DateTimeTimeZone::utc(at)),
            },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"statusMessage": {
                "message": {"content": "Back at 4", "contentType": "text"},
                "expiryDateTime": {"dateTime": "2025-03-30T15:30:00", "timeZone": "UTC"}
            }})
        );
        assert_eq!(DateTimeTimeZone::utc(at).to_timestamp(), Some(at));
    }

    #[test]
    fn an_expiry_in_a_windows_zone_is_kept_but_not_converted() {
        let d = DateTimeTimeZone {
            date_time: "2025-03-30T15:30:00".into(),
            time_zone: "Pacific Standard Time".into(),
        };
        assert_eq!(d.to_timestamp(), None);
    }

    #[test]
    fn graph_error_bodies_parse_and_anything_else_gives_an_empty_one() {
        let body = ErrorBody::parse(
            br#"{"error":{"code":"InvalidArgument","message":"The provided [ExpirationDuration] is out of range.",
                "innerError":{"date":"2025-03-30T10:00:00","request-id":"rid","client-request-id":"cid"}}}"#,
        );
        let detail = body.error.unwrap();
        assert_eq!(detail.code.as_deref(), Some("InvalidArgument"));
        assert_eq!(detail.inner_error.unwrap().request_id.as_deref(), Some("rid"));
        assert!(ErrorBody::parse(b"<html>Bad gateway</html>").error.is_none());
        assert!(ErrorBody::parse(b"").error.is_none());
        assert!(ErrorBody::parse(br#"{"error":"invalid_grant"}"#).error.is_none());
    }
}
