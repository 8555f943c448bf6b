//! Presently's sign-in and tokens: browser sign-in (authorization code + PKCE on a loopback redirect), device-code
//! sign-in, token refresh before expiry, and the token store (OS credential store, plain-file fallback, memory).
//!
//! It follows `docs/graph-contract.md` §1 (hosts), §5 (sign-in and tokens), §6 (client id) and §7 (field
//! reports) and knows nothing of Tauri or of Graph's presence calls.
//!
//! Map:
//! - [`config`]: cloud, tenant, client id, scopes, endpoints (China refused). [`client`]: [`AuthClient`], refresh.
//! - [`pkce`] + `loopback`: browser sign-in. [`device`]: device-code sign-in.
//! - [`tokens`]: [`TokenSet`], [`Account`]. [`secret`]: redacting newtypes. [`manager`]: [`TokenManager`].
//! - [`store`]: [`TokenStore`] and its kinds, [`choose_store`]. [`error`]: typed errors with a
//!   [`UserAction`]. [`clock`]: the injected wall clock. [`retry`]: when to retry a token request.

pub mod client;
pub mod clock;
pub mod config;
pub mod device;
mod endpoint;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod loopback;
pub mod manager;
pub mod pkce;
pub mod retry;
pub mod secret;
pub mod store;
pub mod tokens;

pub use client::{AuthClient, USER_AGENT};
pub use clock::{Clock, SystemClock, TokioClock};
pub use config::{AuthConfig, Cloud, ConfigError, DEFAULT_CLIENT_ID, DEFAULT_TENANT, Endpoints};
pub use device::DeviceCodePrompt;
pub use error::{AuthError, ProxyFailure, RefusalKind, SYSTEM_PROXY, ServerRefusal, UserAction};
pub use manager::{AuthStatus, DEFAULT_REFRESH_MARGIN, TokenManager};
pub use pkce::{BrowserOpener, BrowserSignIn, Prompt, SystemBrowser};
pub use retry::RetryPolicy;
pub use secret::{AccessToken, RefreshToken};
pub use store::{
    FileStore, KeyringStore, MemoryStore, PendingStore, StoreChoice, StoreError, StoreKind, StorePlace,
    StorePreference, StoredAuth, TokenStore, choose_store,
};
pub use tokens::{Account, TokenSet};
pub use tokio_util::sync::CancellationToken;
