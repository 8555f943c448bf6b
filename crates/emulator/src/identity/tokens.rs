//! Access tokens the emulator issues and Graph verifies. (Interface fixed; body filled in by the identity work.)

use crate::world::Shared;

/// What Graph needs to know about a valid access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user's object id (`oid`).
    pub oid: String,
    /// The tenant id (`tid`).
    pub tid: String,
    /// The calling app (`azp` / `appid`).
    pub client_id: String,
    /// Granted delegated scopes (`scp`, split on spaces, without a resource prefix), e.g. `Presence.ReadWrite`.
    pub scopes: Vec<String>,
}

/// Why Graph refuses a bearer token (each becomes 401 `InvalidAuthenticationToken`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    /// No `Authorization: Bearer` header.
    #[error("Access token is empty.")]
    Missing,
    /// Not a JWT this emulator could have issued.
    #[error("Access token validation failure. Invalid audience or malformed token.")]
    Malformed,
    /// Signature does not verify.
    #[error("Access token validation failure. Signature is invalid.")]
    BadSignature,
    /// Past `exp` on the virtual clock.
    #[error("Lifetime validation failed, the token is expired.")]
    Expired,
    /// `aud` is not Microsoft Graph.
    #[error("Access token validation failure. Invalid audience.")]
    WrongAudience,
}

/// Verifies a bearer token against the emulator's keys and virtual clock.
pub fn verify_access_token(shared: &Shared, token: &str) -> Result<AccessClaims, TokenRejection> {
    let _ = (shared, token);
    Err(TokenRejection::Malformed)
}
