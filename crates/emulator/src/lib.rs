//! An emulator of the Microsoft identity platform and the Microsoft Graph presence API, strict enough that a
//! client which works against it works against Microsoft.
//!
//! It follows `docs/graph-contract.md` (the contract) rule by rule and depends on none of Presently's
//! client crates, so a misreading of Microsoft's documentation cannot pass on both sides.
//!
//! Map:
//! - [`server`]: start/stop, router, layers. [`clock`]: the virtual clock. [`seed`]: tenants, users, clients.
//! - [`identity`]: discovery, authorize page, token, device code, admin consent, signed tokens.
//! - [`graph`]: `/v1.0` me and presence endpoints (handlers); [`presence_rules`]: how Teams combines sessions and pins.
//! - [`faults`]: throttling and injected failures. [`log`]: the request log.
//! - [`control`]: the `/_emulator/` JSON API. [`page`]: the live "what colleagues see" page.

pub mod clock;
pub mod control;
pub mod errors;
pub mod faults;
pub mod graph;
pub mod identity;
pub mod log;
pub mod page;
pub mod presence_rules;
pub mod seed;
pub mod server;
pub mod tls;
pub mod world;

pub use clock::Clock;
pub use seed::{DEFAULT_CLIENT_ID, Seed};
pub use server::{Emulator, EmulatorConfig, StartError};
