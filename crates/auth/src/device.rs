//! Sign-in with a code on another device (device authorization grant, contract §5 fallback).
//!
//! POST `/devicecode` (through `oauth2`), hand the `message`, `user_code` and `verification_uri` to the caller (a
//! CLI prints them, a UI shows them), then poll `/token` every `interval` seconds:
//! `authorization_pending` → keep polling; `slow_down` → add 5 s to the interval (RFC 8628 §3.5; Entra is not
//! documented to send it, but it is handled); `authorization_declined`, `bad_verification_code`, `expired_token`
//! and every other refusal end the sign-in with a typed error. `temporarily_unavailable` and connection failures
//! keep polling, with the interval doubled, until the code expires.
//!
//! Polling waits with `tokio::time::sleep`, so a test with paused time runs the whole 15 minutes instantly.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio_util::sync::CancellationToken;

use crate::client::AuthClient;
use crate::endpoint::{
    Adapter, EntraDeviceFields, map_request_error, parse_token_answer, post_form, refusal_from_body,
    token_set_from_response,
};
use crate::error::{AuthError, RefusalKind, ServerRefusal};
use crate::secret::DeviceCode;
use crate::tokens::TokenSet;

/// The grant type of a device-code poll.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How much `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The longest interval polling backs off to.
const MAX_INTERVAL: Duration = Duration::from_secs(60);

/// The longest a device code is taken to live, whatever the server says. Entra issues codes for 15 minutes (an
/// assumption about Microsoft's service, from its documentation); an absurd `expires_in` would otherwise overflow
/// the deadline computed from it.
const MAX_CODE_LIFETIME: Duration = Duration::from_secs(3600);

/// Consecutive connection failures tolerated while polling.
const MAX_TRANSPORT_FAILURES: u32 = 3;

/// What to show the person: where to go and which code to enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    /// The identity platform's own sentence ("To sign in, use a web browser to open ... and enter the code ...").
    pub message: String,
    /// The code to type.
    pub user_code: String,
    /// Where to type it.
    pub verification_uri: String,
    /// When the code stops working.
    pub expires_at: Timestamp,
    /// The polling interval the server asked for.
    pub interval: Duration,
}

impl AuthClient {
    /// Signs in with a device code. `on_prompt` receives the code to show as soon as it is known; polling then
    /// runs until the person approves, declines, the code expires, or `cancel` fires.
    pub async fn sign_in_with_device_code(
        &self,
        on_prompt: impl FnOnce(DeviceCodePrompt) + Send,
        cancel: &CancellationToken,
    ) -> Result<TokenSet, AuthError> {
        let adapter = Adapter::new(self.http(), self.proxy());
        let details: oauth2::DeviceAuthorizationResponse<EntraDeviceFields> = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(AuthError::Cancelled),
            r = self.oauth().exchange_device_code().add_scopes(self.scopes()).request_async(&adapter) => {
                r.map_err(|e| map_request_error(e, &adapter, self.endpoints()))?
            }
        };
        let device_code = DeviceCode::new(details.device_code().secret().to_owned());
        let expires_in = details.expires_in().min(MAX_CODE_LIFETIME);
        let mut interval = details.interval().clamp(Duration::from_secs(1), MAX_INTERVAL);
        let started = tokio::time::Instant::now();
        let deadline = started + expires_in;
        let prompt = DeviceCodePrompt {
            message: details
                .extra_fields()
                .message
                .clone()
                .unwrap_or_else(|| {
                    format!(
                        "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
                        details.verification_uri().as_str(),
                        details.user_code().secret()
                    )
                }),
            user_code: details.user_code().secret().to_owned(),
            verification_uri: details.verification_uri().as_str().to_owned(),
            expires_at: self
                .clock()
                .now()
                .checked_add(SignedDuration::try_from(expires_in).unwrap_or(SignedDuration::ZERO))
                .unwrap_or(Timestamp::MAX),
            interval,
        };
        tracing::info!(
            expires_in_secs = expires_in.as_secs(),
            interval_secs = interval.as_secs(),
            "device code issued; waiting for the person to enter it"
        );
        on_prompt(prompt);

        let mut transport_failures = 0;
        loop {
            tokio::select! {
                biased;
                _ = cancel.cancelled() => {
                    tracing::info!("device-code sign-in cancelled");
                    return Err(AuthError::Cancelled);
                }
                _ = tokio::time::sleep(interval) => {}
            }
            if tokio::time::Instant::now() >= deadline + interval {
                tracing::info!("device code expired without an answer");
                return Err(self.local_expiry());
            }
            match self.poll_once(&device_code).await {
                Ok(Poll::Done(set)) => {
                    tracing::info!("device-code sign-in complete");
                    return Ok(*set);
                }
                Ok(Poll::Pending) => {
                    transport_failures = 0;
                }
                Ok(Poll::SlowDown) => {
                    transport_failures = 0;
                    interval = (interval + SLOW_DOWN_STEP).min(MAX_INTERVAL);
                    tracing::debug!(
                        interval_secs = interval.as_secs(),
                        "slow_down: polling less often"
                    );
                }
                Err(e) if e.refusal_kind() == Some(RefusalKind::TemporarilyUnavailable) => {
                    let after = e.refusal().and_then(|r| r.retry_after);
                    interval = after.unwrap_or(interval * 2).max(interval).min(MAX_INTERVAL);
                    tracing::warn!(
                        interval_secs = interval.as_secs(),
                        "sign-in service busy; polling later"
                    );
                }
                Err(e @ AuthError::Transport { .. }) => {
                    transport_failures += 1;
                    if transport_failures > MAX_TRANSPORT_FAILURES {
                        return Err(e);
                    }
                    interval = (interval * 2).min(MAX_INTERVAL);
                    tracing::warn!(error = %e, "device-code poll failed to connect; trying again");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "device-code sign-in failed");
                    return Err(e);
                }
            }
        }
    }

    async fn poll_once(&self, device_code: &DeviceCode) -> Result<Poll, AuthError> {
        let requested_at = self.clock().now();
        let form = [
            ("grant_type", DEVICE_CODE_GRANT),
            ("client_id", self.endpoints().client_id.as_str()),
            ("device_code", device_code.expose_secret()),
        ];
        let (meta, body) = post_form(self.http(), self.proxy(), &self.endpoints().token, &form).await?;
        match parse_token_answer(meta.status, &body).map_err(AuthError::UnexpectedResponse)? {
            Ok(answer) => Ok(Poll::Done(Box::new(token_set_from_response(
                &answer,
                requested_at,
                None,
            )?))),
            Err(err) if err.error == "authorization_pending" => Ok(Poll::Pending),
            Err(err) if err.error == "slow_down" => Ok(Poll::SlowDown),
            Err(err) => Err(AuthError::Refused(Box::new(refusal_from_body(
                err,
                Some(meta),
                self.endpoints(),
            )))),
        }
    }

    fn local_expiry(&self) -> AuthError {
        AuthError::Refused(Box::new(ServerRefusal {
            kind: RefusalKind::DeviceCodeExpired,
            error: "expired_token".into(),
            error_codes: vec![],
            suberror: None,
            http_status: None,
            retry_after: None,
            trace_id: None,
            correlation_id: None,
            server_description: None,
            context: crate::endpoint::refusal_context(self.endpoints()),
        }))
    }
}

enum Poll {
    Done(Box<TokenSet>),
    Pending,
    SlowDown,
}
