//! Entry points for the fuzz targets (`crates/fuzz-checks`, `fuzz/`): the client's private readers of Graph's
//! answers, each with the properties that must hold for any bytes. Built only with the `fuzzing` feature.
//!
//! Each function takes a fuzzer's raw bytes, panics when a property does not hold and returns whether the input
//! parsed.
#![allow(clippy::expect_used, clippy::panic)]

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};

use crate::client::{Answer, decode, refusal_from};
use crate::error::{GraphError, MAX_MESSAGE_CHARS};
use crate::retry::MAX_RETRY_AFTER;
use crate::wire::{Me, Presence};

const STATUSES: [u16; 8] = [400, 401, 403, 404, 409, 429, 500, 503];

/// A Graph error answer (the first byte picks the status and whether a `Retry-After` came with it): never
/// panics; the message kept is cut to its limit; the error's text and what the user is told to do do not
/// depend on the message or the request id (for logs only, contract §4); a delay never exceeds the clamp.
pub fn error_body(data: &[u8]) -> bool {
    let Some((&first, body)) = data.split_first() else {
        return false;
    };
    let status = StatusCode::from_u16(STATUSES[usize::from(first) % STATUSES.len()]).expect("a status");
    let mut headers = HeaderMap::new();
    if first & 0x80 != 0 {
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    }
    let (refusal, retry_after) = refusal_from(status, &headers, body, "client-request-id".into());
    assert!(retry_after.is_none_or(|d| d <= MAX_RETRY_AFTER));
    if let Some(message) = &refusal.message {
        assert!(
            message.chars().count() <= MAX_MESSAGE_CHARS + 1,
            "{} chars",
            message.chars().count()
        );
    }
    let parsed = refusal.code.is_some() || refusal.message.is_some() || refusal.request_id.is_some();
    let mut bare = refusal.clone();
    bare.message = None;
    bare.request_id = None;
    let error = GraphError::Refused(Box::new(refusal));
    let bare = GraphError::Refused(Box::new(bare));
    assert_eq!(error.to_string(), bare.to_string());
    let shown = error.to_string();
    assert!(shown.len() < 256, "{} bytes", shown.len());
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert_eq!(error.action(), bare.action());
    assert_eq!(error.is_retryable(), bare.is_retryable());
    let _ = error.retry_after();
    parsed
}

/// A Graph presence or `/me` body: never panics; only a JSON object is read; an expiry converts without
/// panicking.
pub fn presence_body(data: &[u8]) -> bool {
    let answer = Answer {
        status: 200,
        body: data.to_vec(),
    };
    let presence = decode::<Presence>(&answer);
    let me = decode::<Me>(&answer);
    if presence.is_ok() || me.is_ok() {
        assert_eq!(
            data.trim_ascii_start().first(),
            Some(&b'{'),
            "only an object is read"
        );
    }
    if let Err(e) = &presence {
        let text = format!("{e} {e:?}");
        assert!(!text.contains(char::from(0)), "{text:?}");
    }
    let Ok(presence) = presence else {
        return false;
    };
    let _ = presence.pair();
    if let Some(expiry) = presence
        .status_message
        .as_ref()
        .and_then(|m| m.expiry_date_time.as_ref())
    {
        let _ = expiry.to_timestamp();
    }
    true
}
