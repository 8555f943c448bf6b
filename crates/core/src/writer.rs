//! The one way a status reaches Graph: the pin (`setUserPreferredPresence` with the `expirationDuration` the model
//! computes), our presence session (`setPresence`, session id = client id, the status's session pair, for as long
//! as the model's session rule allows), their removal, and the read. The keeper and the CLI's one-shot mode both
//! write through a [`PresenceWriter`], so a rule fixed here holds for both (contract §2, §3).

use jiff::{SignedDuration, Timestamp};
use presently_graph::{GraphClient, GraphError, Presence, SessionCleared, UserRef};
use presently_model::message::plain_text_of_html;
use presently_model::session::session_lifetime;
use presently_model::{Intent, PresencePair, StatusMessage, WireExpiration};

/// Writes a user's presence through Graph for one app registration.
#[derive(Debug, Clone)]
pub struct PresenceWriter {
    graph: GraphClient,
    session_id: String,
}

/// A pin Graph accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinPosted {
    /// The `expirationDuration` sent; `None` when Graph's default applies.
    pub expiration: Option<SignedDuration>,
    /// When Graph drops the pin; `None` when unknown (Graph's default for an intent without an end).
    pub lapses_at: Option<Timestamp>,
    /// The intent lasts beyond what was sent (Graph's cap): someone must post the pin again before it lapses.
    pub needs_renewal: bool,
}

/// A session Graph accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPosted {
    /// The pair posted.
    pub pair: PresencePair,
    /// The `expirationDuration` sent.
    pub lifetime: SignedDuration,
    /// When it lapses, by this computer's clock.
    pub until: Timestamp,
}

impl PresenceWriter {
    /// A writer whose session id is `session_id` (the app's client id, contract §2).
    pub fn new(graph: GraphClient, session_id: String) -> Self {
        Self { graph, session_id }
    }

    /// Pins the intent's status until its end. `Ok(None)` when the intent has already ended (nothing is sent).
    pub async fn post_pin(
        &self,
        oid: &str,
        intent: &Intent,
        now: Timestamp,
    ) -> Result<Option<PinPosted>, GraphError> {
        let posted = match intent.wire_expiration(now) {
            WireExpiration::Expired => return Ok(None),
            WireExpiration::Omit => PinPosted {
                expiration: None,
                lapses_at: intent.ends_at(),
                needs_renewal: false,
            },
            WireExpiration::Send(wire) => PinPosted {
                expiration: Some(wire.duration),
                lapses_at: Some(wire.lapses_at),
                needs_renewal: wire.needs_renewal,
            },
        };
        self.graph
            .set_preferred(oid, intent.status, posted.expiration)
            .await?;
        Ok(Some(posted))
    }

    /// Posts our session for the intent's status. `Ok(None)` for Appear offline, which keeps no session (model
    /// `session`): the caller removes an earlier one with [`PresenceWriter::clear_session`].
    pub async fn post_session(
        &self,
        oid: &str,
        intent: &Intent,
        now: Timestamp,
    ) -> Result<Option<SessionPosted>, GraphError> {
        let Some(plan) = intent.status.session_plan() else {
            return Ok(None);
        };
        let lifetime = session_lifetime(now, intent.ends_at());
        self.graph
            .set_session(oid, &self.session_id, &plan.pair, Some(lifetime))
            .await?;
        Ok(Some(SessionPosted {
            pair: plan.pair,
            lifetime,
            until: now.checked_add(lifetime).unwrap_or(Timestamp::MAX),
        }))
    }

    /// Back to automatic for the pin (`clearUserPreferredPresence`; 200 even when none was set, contract §2).
    pub async fn clear_pin(&self, oid: &str) -> Result<(), GraphError> {
        self.graph.clear_preferred(oid).await
    }

    /// Removes our session; a 404 (it had lapsed) is [`SessionCleared::NotFound`], not an error.
    pub async fn clear_session(&self, oid: &str) -> Result<SessionCleared, GraphError> {
        self.graph.clear_session(oid, &self.session_id).await
    }

    /// Sets the status message with its own expiry (`setStatusMessage`, contract §2): Graph drops it then by
    /// itself, so it is written once and never renewed.
    pub async fn post_message(&self, oid: &str, message: &StatusMessage) -> Result<(), GraphError> {
        self.graph
            .set_status_message(oid, &message.text, message.expires_at)
            .await
    }

    /// Removes the status message: `setStatusMessage` with empty content (contract §2).
    pub async fn clear_message(&self, oid: &str) -> Result<(), GraphError> {
        self.graph.set_status_message(oid, "", None).await
    }

    /// What Graph shows now (`GET /users/{id}/presence`).
    pub async fn read(&self, oid: &str) -> Result<Presence, GraphError> {
        self.graph.presence(UserRef::Id(oid)).await
    }
}

/// A status message as Graph reports it, in plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedMessage {
    /// The text (HTML reduced to its text).
    pub text: String,
    /// When Graph drops it; `None` when it never expires.
    pub expires_at: Option<Timestamp>,
}

/// Graph shows "no expiry" as a date in the year 9999 (`9999-12-30T23:59:59.9999999`) [assumed, as the
/// emulator models it]: any expiry from 9000-01-01T00:00:00Z on counts as none.
const NO_EXPIRY_FROM_SECOND: i64 = 221_845_392_000;

/// The status message of a reading: `None` when none is set or its text is empty. A `contentType` of `html` is
/// reduced to its text (contract §2: `text` or `html`).
pub fn reported_message(presence: &Presence) -> Option<ReportedMessage> {
    let status = presence.status_message.as_ref()?;
    let body = status.message.as_ref()?;
    let content = body.content.as_deref().unwrap_or("");
    let html = body
        .content_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("html"));
    let text = if html {
        plain_text_of_html(content)
    } else {
        content.trim().to_string()
    };
    if text.is_empty() {
        return None;
    }
    let expires_at = status
        .expiry_date_time
        .as_ref()
        .and_then(|e| e.to_timestamp())
        .filter(|at| at.as_second() < NO_EXPIRY_FROM_SECOND);
    Some(ReportedMessage { text, expires_at })
}
