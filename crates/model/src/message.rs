//! The status message: the note colleagues see under the user's name ("Back at 3", "On a train, slow replies").
//!
//! Graph keeps it apart from the pin and from sessions (contract §2: it shows even when presence is Offline) and
//! drops it by itself at its `expiryDateTime`, so nothing has to renew it. A [`StatusMessage`] is part of what
//! the user chose: the keeper stores it beside the [`Intent`](crate::Intent), writes it once, reads it back, and
//! adopts one changed in Teams.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::intent::Origin;

/// The longest message, in characters: Teams shows at most 280 (contract §2, [assumed] from Teams' own limit).
pub const MESSAGE_MAX_CHARS: usize = 280;

/// A message the user set (or Teams reported), with when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatusMessage {
    /// The text as shown (trimmed, at most [`MESSAGE_MAX_CHARS`] characters).
    pub text: String,
    /// When Graph drops it; `None`: it stays until replaced or cleared.
    #[ts(type = "string | null")]
    pub expires_at: Option<Timestamp>,
    /// It was set to end with the status it was chosen with ("clear the message when the status ends"): it
    /// goes when that status ends or goes back to automatic.
    pub with_status: bool,
    /// When it was set.
    #[ts(type = "string")]
    pub set_at: Timestamp,
    /// Where it was set.
    pub origin: Origin,
}

impl StatusMessage {
    /// True once it has lapsed at `now` (its expiry itself counts as lapsed).
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

/// Why a message cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Nothing but spaces.
    #[error("the message is empty; to remove the message, clear it instead")]
    Empty,
    /// Over the limit.
    #[error("the message is {0} characters long; Teams shows at most {MESSAGE_MAX_CHARS}: shorten it")]
    TooLong(usize),
}

/// The text to send for what the user typed: trimmed, not empty, at most [`MESSAGE_MAX_CHARS`] characters.
///
/// ```
/// use presently_model::message::{checked_text, MessageError};
/// assert_eq!(checked_text("  Back at 3 "), Ok("Back at 3".to_string()));
/// assert_eq!(checked_text(" "), Err(MessageError::Empty));
/// ```
pub fn checked_text(text: &str) -> Result<String, MessageError> {
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    if length == 0 {
        return Err(MessageError::Empty);
    }
    if length > MESSAGE_MAX_CHARS {
        return Err(MessageError::TooLong(length));
    }
    Ok(trimmed.to_string())
}

/// The plain text of a message Graph reports with `contentType` `html` (Teams writes its messages as HTML
/// [assumed]): tags dropped, line breaks and paragraphs as spaces, the five XML entities and `&nbsp;` decoded,
/// runs of white space as one space.
///
/// ```
/// use presently_model::message::plain_text_of_html;
/// assert_eq!(plain_text_of_html("<p>Back&nbsp;at <b>3</b></p>"), "Back at 3");
/// ```
pub fn plain_text_of_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                out.push(' ');
            }
            (true, '>') => in_tag = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_trimmed_and_refused_when_empty_or_over_280_characters() {
        assert_eq!(checked_text("\tOn a train\n"), Ok("On a train".into()));
        assert_eq!(checked_text(""), Err(MessageError::Empty));
        let longest = "é".repeat(MESSAGE_MAX_CHARS);
        assert_eq!(checked_text(&longest), Ok(longest.clone()));
        assert_eq!(
            checked_text(&format!("{longest}x")),
            Err(MessageError::TooLong(MESSAGE_MAX_CHARS + 1))
        );
    }

    #[test]
    fn html_reads_as_its_text() {
        assert_eq!(plain_text_of_html("Focus"), "Focus");
        assert_eq!(
            plain_text_of_html("<div>Out &amp; about<br/>till 5 &lt;ish&gt;</div>"),
            "Out & about till 5 <ish>"
        );
        assert_eq!(plain_text_of_html("a<b"), "a");
    }

    #[test]
    fn a_message_lapses_at_its_expiry_and_one_without_never_does() {
        let at: Timestamp = "2026-01-05T15:00:00Z".parse().unwrap();
        let mut m = StatusMessage {
            text: "Back at 3".into(),
            expires_at: Some(at),
            with_status: false,
            set_at: "2026-01-05T14:00:00Z".parse().unwrap(),
            origin: Origin::Cli,
        };
        assert!(!m.is_expired("2026-01-05T14:59:59Z".parse().unwrap()));
        assert!(m.is_expired(at));
        m.expires_at = None;
        assert!(!m.is_expired("2099-01-01T00:00:00Z".parse().unwrap()));
    }
}
