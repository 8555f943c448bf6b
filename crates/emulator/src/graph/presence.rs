//! Presence over Graph v1.0 (contract §2, §4): `GET /me/presence`, `GET /users/{id}/presence`, and the five
//! write actions under `/users/{id}/presence/` and the `/me/presence/` alias. The rules of what colleagues see
//! live in [`crate::presence_rules`]; this module checks requests and translates.
//!
//! Decisions where Graph's behaviour is not documented, all [assumed]:
//! - Reading: one's own presence needs `Presence.Read`, `Presence.Read.All` or `Presence.ReadWrite`; another
//!   user's needs `Presence.Read.All` (Graph's permission table for `/users/{id}/presence`). Without → 403
//!   `Forbidden` with an empty message. An unknown user, or one of another tenant → 404 `ResourceNotFound`.
//! - Writing needs `Presence.ReadWrite` → else 403 `Forbidden`, empty message (contract §4). `{id}` must be the
//!   token's `oid` (case-insensitive); anything else, including an unknown id or a UPN, is "another user" →
//!   401 `Unauthorized` "Cannot set the presence of another user" (contract §2 [seen]; the code is assumed; no
//!   `WWW-Authenticate`, since the token itself is fine).
//! - The body is checked before "another user" (binding and validation come first in the service).
//! - Pairs: availability and activity must be exact-case wire names and one of the call's valid pairs
//!   (six for `setUserPreferredPresence`, five for `setPresence`), else 400 `InvalidArgument` naming the valid
//!   ones. A missing `availability` or `activity` reads like the missing `sessionId` [seen]:
//!   "[Availability]: The Availability field is required."
//! - `sessionId` must be the caller's client id (contract §2 [doc]); another value → 400 `InvalidArgument`
//!   "[SessionId]: ..." (the status and wording are assumed). `clearPresence` applies the same rule.
//! - `expirationDuration` (see [`super::duration`]): `setPresence` PT5M..PT4H inclusive, default PT5M;
//!   `setUserPreferredPresence` positive and at most `settings.preferred_max_secs`, default 1 day for Busy and
//!   DoNotDisturb and 7 days otherwise, lowered to the cap if the cap is lower. Unparsable or out of range →
//!   400 `InvalidArgument`.
//! - `setStatusMessage`: `message.contentType` is `text` (default) or `html`; empty content clears the message;
//!   content longer than `settings.status_message_max_chars` (280) characters → 400 `InvalidArgument`;
//!   `expiryDateTime.timeZone` may be UTC, an IANA name, or one of a few common Windows names.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::body::{self, Params};
use super::{Call, has_any_scope};
use crate::errors::GraphError;
use crate::identity::jwt::AccessClaims;
use crate::presence_rules::{
    Activity, Availability, PREFERRED_PAIRS, Pair, PresenceError, SESSION_DEFAULT_LIFETIME,
    SESSION_MAX_LIFETIME, SESSION_MIN_LIFETIME, SESSION_PAIRS, UserPresenceView,
};
use crate::world::AppState;

const READ_OWN: &[&str] = &[
    "Presence.Read",
    "Presence.Read.All",
    "Presence.ReadWrite",
    "Presence.ReadWrite.All",
];
const READ_OTHERS: &[&str] = &["Presence.Read.All", "Presence.ReadWrite.All"];
const WRITE: &[&str] = &["Presence.ReadWrite", "Presence.ReadWrite.All"];

/// A presence write action, named as in the URL and the request log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `setPresence`: create or refresh the app's session.
    SetPresence,
    /// `clearPresence`: end the app's session.
    ClearPresence,
    /// `setUserPreferredPresence`: pin a status.
    SetUserPreferredPresence,
    /// `clearUserPreferredPresence`: drop the pin.
    ClearUserPreferredPresence,
    /// `setStatusMessage`: the note under the name.
    SetStatusMessage,
}

impl Action {
    /// Every write action.
    pub const ALL: [Action; 5] = [
        Self::SetPresence,
        Self::ClearPresence,
        Self::SetUserPreferredPresence,
        Self::ClearUserPreferredPresence,
        Self::SetStatusMessage,
    ];

    /// The name in the URL and the request log's `kind`.
    pub fn name(self) -> &'static str {
        match self {
            Self::SetPresence => "setPresence",
            Self::ClearPresence => "clearPresence",
            Self::SetUserPreferredPresence => "setUserPreferredPresence",
            Self::ClearUserPreferredPresence => "clearUserPreferredPresence",
            Self::SetStatusMessage => "setStatusMessage",
        }
    }

    fn params(self) -> &'static [&'static str] {
        match self {
            Self::SetPresence => &["sessionId", "availability", "activity", "expirationDuration"],
            Self::ClearPresence => &["sessionId"],
            Self::SetUserPreferredPresence => &["availability", "activity", "expirationDuration"],
            Self::ClearUserPreferredPresence => &[],
            Self::SetStatusMessage => &["statusMessage"],
        }
    }
}

/// Adds `POST /v1.0/me/presence/{action}` and `POST /v1.0/users/{id}/presence/{action}`.
pub(super) fn route_action(r: Router<AppState>, action: Action) -> Router<AppState> {
    let name = action.name();
    r.route(
        &format!("/v1.0/me/presence/{name}"),
        post(
            move |State(state): State<AppState>, headers: HeaderMap, body: Body| {
                write(state, None, headers, body, action)
            },
        ),
    )
    .route(
        &format!("/v1.0/users/{{id}}/presence/{name}"),
        post(
            move |State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Body| {
                write(state, Some(id), headers, body, action)
            },
        ),
    )
}

/// `GET /v1.0/me/presence`.
pub(super) async fn get_mine(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut call = Call::new(&state, &headers, "getPresence");
    let result = read(&mut call, None, &headers);
    call.finish(result)
}

/// `GET /v1.0/users/{id}/presence`.
pub(super) async fn get_users(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut call = Call::new(&state, &headers, "getPresence");
    let result = read(&mut call, Some(id), &headers);
    call.finish(result)
}

fn forbidden() -> GraphError {
    GraphError::new(StatusCode::FORBIDDEN, "Forbidden", "")
}

fn read(call: &mut Call, id: Option<String>, headers: &HeaderMap) -> Result<Response, GraphError> {
    let claims = call.authenticate(headers)?;
    call.throttle(&claims)?;
    let target = id.unwrap_or_else(|| claims.oid.clone());
    call.user_id = Some(target.clone());
    let own = target.eq_ignore_ascii_case(&claims.oid);
    if !has_any_scope(&claims, if own { READ_OWN } else { READ_OTHERS }) {
        return Err(forbidden());
    }
    let world = call.state.world();
    let Some(user) = world
        .users
        .iter()
        .find(|u| u.id.eq_ignore_ascii_case(&target) && u.tenant_id.eq_ignore_ascii_case(&claims.tid))
    else {
        return Err(GraphError::not_found(format!(
            "The user '{target}' was not found."
        )));
    };
    let view = world.presence.view(&user.id, call.now);
    let body = presence_resource(call.state.base_url(), &user.id, &view);
    drop(world);
    Ok(call.json(body))
}

/// The Graph presence resource (contract §2 "Presence resource").
fn presence_resource(base_url: &str, user_id: &str, view: &UserPresenceView) -> Value {
    let status_message = view.status_message.as_ref().map(|m| {
        let expiry = match m.expires_at {
            Some(at) => graph_date_time(at),
            // What Graph shows for a message that never expires [seen].
            None => "9999-12-30T23:59:59.9999999".to_string(),
        };
        json!({
            "message": {"content": m.content, "contentType": m.content_type},
            "expiryDateTime": {"dateTime": expiry, "timeZone": "UTC"},
            "publishedDateTime": format!("{}Z", graph_date_time(m.published_at)),
        })
    });
    json!({
        "@odata.context": format!("{base_url}/v1.0/$metadata#users('{user_id}')/presence/$entity"),
        "id": user_id,
        "availability": view.effective.availability,
        "activity": view.effective.activity,
        "statusMessage": status_message,
        "outOfOfficeSettings": {"message": null, "isOutOfOffice": false},
        "sequenceNumber": format!("{:016}", view.sequence_number),
    })
}

/// `2024-05-01T10:00:00.0000000`, UTC, the way Graph writes `dateTimeTimeZone.dateTime`.
fn graph_date_time(at: Timestamp) -> String {
    format!(
        "{}.{:07}",
        at.strftime("%Y-%m-%dT%H:%M:%S"),
        at.subsec_nanosecond() / 100
    )
}

/// What a valid write will do.
enum Change {
    SetSession {
        session_id: String,
        pair: Pair,
        lifetime: SignedDuration,
    },
    ClearSession {
        session_id: String,
    },
    SetPin {
        pair: Pair,
        lifetime: SignedDuration,
    },
    ClearPin,
    StatusMessage {
        content: String,
        content_type: String,
        expires_at: Option<Timestamp>,
    },
}

async fn write(
    state: AppState,
    id: Option<String>,
    headers: HeaderMap,
    body: Body,
    action: Action,
) -> Response {
    let mut call = Call::new(&state, &headers, action.name());
    let result = write_checked(&mut call, id, &headers, body, action).await;
    call.finish(result)
}

async fn write_checked(
    call: &mut Call,
    id: Option<String>,
    headers: &HeaderMap,
    body: Body,
    action: Action,
) -> Result<Response, GraphError> {
    let claims = call.authenticate(headers)?;
    call.throttle(&claims)?;
    let target = id.unwrap_or_else(|| claims.oid.clone());
    call.user_id = Some(target.clone());
    if !has_any_scope(&claims, WRITE) {
        return Err(forbidden());
    }
    let params = body::read(
        &call.state,
        headers,
        body,
        action.name(),
        action.params(),
        action != Action::ClearUserPreferredPresence,
    )
    .await?;
    let limits = {
        let world = call.state.world();
        Limits {
            preferred_max_secs: world.settings.preferred_max_secs,
            status_message_max_chars: world.settings.status_message_max_chars,
        }
    };
    let change = parse_change(action, &params, &claims, &limits)?;
    if !target.eq_ignore_ascii_case(&claims.oid) {
        return Err(GraphError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Cannot set the presence of another user",
        ));
    }
    let now = call.now;
    {
        let mut world = call.state.world();
        let Some(user_id) = world.user(&claims.oid).map(|u| u.id.clone()) else {
            return Err(GraphError::not_found(format!(
                "The user '{}' was not found.",
                claims.oid
            )));
        };
        let book = &mut world.presence;
        let applied = match change {
            Change::SetSession {
                session_id,
                pair,
                lifetime,
            } => book.set_app_session(&user_id, &session_id, pair, lifetime, now),
            Change::ClearSession { session_id } => book.clear_app_session(&user_id, &session_id, now),
            Change::SetPin { pair, lifetime } => {
                book.set_preferred(&user_id, pair, lifetime, &claims.client_id, now)
            }
            Change::ClearPin => {
                book.clear_preferred(&user_id, now);
                Ok(())
            }
            Change::StatusMessage {
                content,
                content_type,
                expires_at,
            } => {
                book.set_status_message(&user_id, &content, &content_type, expires_at, now);
                Ok(())
            }
        };
        match applied {
            Ok(()) => {}
            Err(PresenceError::NoSuchSession(id)) => {
                return Err(GraphError::not_found(format!(
                    "The presence session '{id}' was not found."
                )));
            }
            // Unreachable after parse_change; answer as a bad argument rather than panic.
            Err(e) => return Err(GraphError::invalid_argument(e.to_string())),
        }
    }
    call.state.changed();
    Ok(call.empty())
}

fn required<'a>(params: &'a Params, name: &str, label: &str) -> Result<&'a str, GraphError> {
    match params.string(name)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(GraphError::invalid_argument(format!(
            "[{label}]: The {label} field is required."
        ))),
    }
}

fn pair_of(params: &Params, allowed: &[Pair], op: &str) -> Result<Pair, GraphError> {
    let availability = required(params, "availability", "Availability")?;
    let activity = required(params, "activity", "Activity")?;
    let pair = match (
        Availability::from_wire(availability),
        Activity::from_wire(activity),
    ) {
        (Some(a), Some(b)) => Some(Pair::new(a, b)),
        _ => None,
    };
    match pair {
        Some(p) if allowed.contains(&p) => Ok(p),
        _ => {
            let valid: Vec<String> = allowed.iter().map(Pair::to_string).collect();
            Err(GraphError::invalid_argument(format!(
                "The provided combination of [Availability] '{availability}' and [Activity] '{activity}' is not valid for {op}. Valid combinations (exact case): {}.",
                valid.join(", ")
            )))
        }
    }
}

fn out_of_range() -> GraphError {
    GraphError::invalid_argument("The provided [ExpirationDuration] is out of range.")
}

fn duration_of(params: &Params) -> Result<Option<SignedDuration>, GraphError> {
    let Some(text) = params.string("expirationDuration")? else {
        return Ok(None);
    };
    super::duration::parse(text).map(Some).map_err(|_| {
        GraphError::invalid_argument(
            "The provided [ExpirationDuration] is not a valid ISO 8601 duration such as PT1H.",
        )
    })
}

fn session_id_of<'a>(params: &'a Params, claims: &AccessClaims) -> Result<&'a str, GraphError> {
    let session_id = required(params, "sessionId", "SessionId")?;
    if !session_id.eq_ignore_ascii_case(&claims.client_id) {
        return Err(GraphError::invalid_argument(
            "[SessionId]: The SessionId must be the application (client) id of the calling app.",
        ));
    }
    Ok(session_id)
}

/// The emulator settings a write is checked against.
struct Limits {
    preferred_max_secs: u64,
    status_message_max_chars: u32,
}

fn parse_change(
    action: Action,
    params: &Params,
    claims: &AccessClaims,
    limits: &Limits,
) -> Result<Change, GraphError> {
    let preferred_max_secs = limits.preferred_max_secs;
    match action {
        Action::SetPresence => {
            // Field-level checks in the order the service reports them: required fields, pair, duration, id.
            required(params, "sessionId", "SessionId")?;
            let pair = pair_of(params, &SESSION_PAIRS, action.name())?;
            let lifetime = duration_of(params)?.unwrap_or(SESSION_DEFAULT_LIFETIME);
            if lifetime < SESSION_MIN_LIFETIME || lifetime > SESSION_MAX_LIFETIME {
                return Err(out_of_range());
            }
            let session_id = session_id_of(params, claims)?.to_string();
            Ok(Change::SetSession {
                session_id,
                pair,
                lifetime,
            })
        }
        Action::ClearPresence => Ok(Change::ClearSession {
            session_id: session_id_of(params, claims)?.to_string(),
        }),
        Action::SetUserPreferredPresence => {
            let pair = pair_of(params, &PREFERRED_PAIRS, action.name())?;
            let cap = SignedDuration::from_secs(i64::try_from(preferred_max_secs).unwrap_or(i64::MAX));
            let lifetime = match duration_of(params)? {
                Some(d) if !d.is_positive() || d > cap => return Err(out_of_range()),
                Some(d) => d,
                None => pair.default_pin_lifetime().min(cap),
            };
            if !lifetime.is_positive() {
                // A cap of 0 leaves no valid lifetime at all.
                return Err(out_of_range());
            }
            Ok(Change::SetPin { pair, lifetime })
        }
        Action::ClearUserPreferredPresence => Ok(Change::ClearPin),
        Action::SetStatusMessage => status_message_of(params, limits.status_message_max_chars),
    }
}

fn status_message_of(params: &Params, max_chars: u32) -> Result<Change, GraphError> {
    let Some(sm) = params.object(
        "statusMessage",
        "microsoft.graph.presenceStatusMessage",
        &["message", "expiryDateTime", "publishedDateTime"],
    )?
    else {
        return Err(GraphError::invalid_argument(
            "[StatusMessage]: The StatusMessage field is required.",
        ));
    };
    let message = body::object(
        sm,
        "message",
        "microsoft.graph.itemBody",
        &["content", "contentType"],
    )?;
    let (content, content_type) = match message {
        None => (String::new(), "text".to_string()),
        Some(m) => {
            let content = body::string(m, "content")?.unwrap_or("").to_string();
            let content_type = match body::string(m, "contentType")? {
                None | Some("text") => "text",
                Some("html") => "html",
                Some(other) => {
                    return Err(GraphError::invalid_argument(format!(
                        "The provided [ContentType] '{other}' is not valid; use 'text' or 'html'."
                    )));
                }
            };
            let length = content.chars().count();
            if length > usize::try_from(max_chars).unwrap_or(usize::MAX) {
                // [assumed] Teams shows at most 280 characters (contract §2); the service is taken to refuse
                // a longer message rather than cut it. The wording is the emulator's own.
                return Err(GraphError::invalid_argument(format!(
                    "The provided [Content] is {length} characters long; at most {max_chars} are allowed."
                )));
            }
            (content, content_type.to_string())
        }
    };
    let expires_at = match body::object(
        sm,
        "expiryDateTime",
        "microsoft.graph.dateTimeTimeZone",
        &["dateTime", "timeZone"],
    )? {
        None => None,
        Some(e) => {
            let Some(date_time) = body::string(e, "dateTime")? else {
                return Err(GraphError::invalid_argument(
                    "[DateTime]: The DateTime field is required.",
                ));
            };
            Some(instant_of(
                date_time,
                body::string(e, "timeZone")?.unwrap_or("UTC"),
            )?)
        }
    };
    Ok(Change::StatusMessage {
        content,
        content_type,
        expires_at,
    })
}

/// A few Windows time zone names Graph clients commonly send, mapped to IANA names.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Eastern Standard Time", "America/New_York"),
    ("GMT Standard Time", "Europe/London"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("India Standard Time", "Asia/Kolkata"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
];

/// `dateTimeTimeZone` → an instant.
fn instant_of(date_time: &str, time_zone: &str) -> Result<Timestamp, GraphError> {
    let bad = || {
        GraphError::invalid_argument(format!(
            "The provided [ExpiryDateTime] '{date_time}' in time zone '{time_zone}' is not valid."
        ))
    };
    if let Ok(ts) = date_time.parse::<Timestamp>() {
        return Ok(ts);
    }
    let civil: jiff::civil::DateTime = date_time.parse().map_err(|_| bad())?;
    let tz = if time_zone.eq_ignore_ascii_case("UTC") || time_zone.eq_ignore_ascii_case("Etc/UTC") {
        jiff::tz::TimeZone::UTC
    } else {
        let iana = WINDOWS_ZONES
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(time_zone))
            .map_or(time_zone, |(_, i)| i);
        jiff::tz::TimeZone::get(iana).map_err(|_| bad())?
    };
    tz.to_timestamp(civil).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_time_in_utc_an_iana_zone_or_a_windows_zone_reads_as_an_instant() {
        let utc = instant_of("2030-01-01T12:00:00.0000000", "UTC").unwrap();
        assert_eq!(utc.to_string(), "2030-01-01T12:00:00Z");
        let berlin = instant_of("2030-01-01T13:00:00", "Europe/Berlin").unwrap();
        assert_eq!(berlin, utc);
        let windows = instant_of("2030-01-01T13:00:00", "W. Europe Standard Time").unwrap();
        assert_eq!(windows, utc);
        assert!(instant_of("2030-01-01T13:00:00", "Mars/Olympus").is_err());
        assert!(instant_of("tomorrow", "UTC").is_err());
    }

    #[test]
    fn graph_date_times_carry_seven_fraction_digits() {
        let at: Timestamp = "2030-01-01T12:00:00.5Z".parse().unwrap();
        assert_eq!(graph_date_time(at), "2030-01-01T12:00:00.5000000");
    }
}
