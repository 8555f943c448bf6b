//! When to try a token request again: a small policy object (architecture convention 8), the same numbers as
//! contract §4's client policy — honour `Retry-After`, else exponential backoff from 3 s, capped at 180 s, at most
//! three retries.
//!
//! Only failures that did not consume anything are retried: `temporarily_unavailable` (the service did not act)
//! and connection failures (the request never arrived). A timeout is not retried, because a refresh the server did
//! act on has already rotated the refresh token (contract §5).

use std::time::Duration;

use crate::error::{AuthError, RefusalKind, TransportKind};

/// How often and how long to wait before retrying a token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff when the server names none.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base: Duration::from_secs(3),
            cap: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based) after `error`, or `None` to give up.
    pub fn delay(&self, retry: u32, error: &AuthError) -> Option<Duration> {
        if retry == 0 || retry > self.max_retries {
            return None;
        }
        let server_said = match error {
            AuthError::Refused(r) if r.kind == RefusalKind::TemporarilyUnavailable => Some(r.retry_after),
            AuthError::Transport {
                kind: TransportKind::Connect,
                ..
            } => Some(None),
            _ => None,
        }?;
        let backoff = self
            .base
            .saturating_mul(2u32.saturating_pow(retry - 1))
            .min(self.cap);
        Some(server_said.map(|d| d.min(self.cap)).unwrap_or(backoff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{RefusalContext, ServerRefusal, classify};

    fn unavailable(retry_after: Option<u64>) -> AuthError {
        AuthError::Refused(Box::new(ServerRefusal {
            kind: classify("temporarily_unavailable", &[90006], None),
            error: "temporarily_unavailable".into(),
            error_codes: vec![90006],
            suberror: None,
            http_status: Some(503),
            retry_after: retry_after.map(Duration::from_secs),
            trace_id: None,
            correlation_id: None,
            server_description: None,
            context: RefusalContext {
                client_id: "c".into(),
                tenant: "t".into(),
                admin_consent_url: url::Url::parse("https://x.test/").unwrap(),
            },
        }))
    }

    #[test]
    fn backoff_doubles_from_three_seconds_and_stops_after_three_retries() {
        let p = RetryPolicy::default();
        let e = unavailable(None);
        assert_eq!(p.delay(1, &e), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(2, &e), Some(Duration::from_secs(6)));
        assert_eq!(p.delay(3, &e), Some(Duration::from_secs(12)));
        assert_eq!(p.delay(4, &e), None);
    }

    #[test]
    fn retry_after_wins_over_backoff_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, &unavailable(Some(20))), Some(Duration::from_secs(20)));
        assert_eq!(
            p.delay(1, &unavailable(Some(3000))),
            Some(Duration::from_secs(180))
        );
    }

    #[test]
    fn refusals_that_need_a_person_are_never_retried() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, &AuthError::Cancelled), None);
        assert_eq!(p.delay(1, &AuthError::UnexpectedResponse("x".into())), None);
        assert_eq!(RetryPolicy::none().delay(1, &unavailable(None)), None);
    }
}
