//! Presently's Microsoft Graph presence client.
//!
//! It reads and writes a user's Teams presence through Graph v1.0 as `docs/graph-contract.md`
//! (the contract) §1–§4 describes, and knows nothing of Tauri, sign-in flows or token storage: tokens come
//! from an injected [`TokenSource`], HTTP goes through an injected `reqwest::Client` (rustls only).
//!
//! Map:
//! - [`client`]: [`GraphClient`] and its calls (`me`, `presence`, `set_preferred`, `clear_preferred`,
//!   `set_session`, `clear_session`, `set_status_message`), one refresh on a rejected token, retries.
//! - [`retry`]: the retry policy of contract §4 as a small, clock-free object.
//! - [`error`]: [`GraphError`] and what the user can do about each ([`UserAction`]).
//! - [`token`]: the [`TokenSource`] trait and the redacting [`AccessToken`].
//! - [`wire`]: request bodies and lenient response types.

pub mod client;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod retry;
pub mod tls;
pub mod token;
pub mod wire;

pub use client::{GraphClient, GraphConfig, SessionCleared, UserRef};
pub use error::{
    BodyError, ConfigError, GraphError, ProxyFailure, Refusal, RefusalKind, SYSTEM_PROXY, TransportKind,
    UserAction,
};
pub use retry::{Decision, Failure, RetryPolicy};
pub use token::{AccessToken, StaticToken, TokenErrorKind, TokenFuture, TokenSource, TokenSourceError};
pub use wire::{DateTimeTimeZone, Me, Presence};
