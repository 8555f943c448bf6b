//! Access tokens and id tokens the emulator issues, and the check Graph runs on a bearer token.
//!
//! Tokens are JWTs signed with this run's key ([`crate::identity::keys`]). Expiry is measured on the virtual
//! clock, never the system clock, so a test that advances the clock past `exp` sees Graph refuse the token.
//!
//! [assumed] Claim set: real Graph access tokens requested through the v2.0 endpoint are "v1" tokens
//! (`iss` `https://sts.windows.net/{tid}/`, `appid`, `upn`). The emulator issues one shape for both worlds:
//! `iss` is the tenant's issuer as its discovery document names it, and both `azp` (v2 name) and `appid` (v1 name)
//! carry the client id. Clients must treat access tokens as opaque (contract §5), so none may depend on this.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::seed::User;
use crate::world::Shared;

/// `aud` of every Graph access token.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
/// Microsoft Graph's application id, also accepted as `aud` (v1 tokens sometimes carry it).
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

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

/// A token could not be minted.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// No user has this object id or UPN.
    #[error("no user {0}")]
    UnknownUser(String),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] crate::identity::keys::SignError),
}

/// The claims of an access token for Microsoft Graph, as signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessTokenClaims {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    oid: String,
    sub: String,
    tid: String,
    scp: String,
    azp: String,
    appid: String,
    name: String,
    preferred_username: String,
    upn: String,
    ver: String,
    uti: String,
}

/// The claims of an OpenID Connect id token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IdTokenClaims {
    aud: String,
    iss: String,
    iat: i64,
    nbf: i64,
    exp: i64,
    sub: String,
    oid: String,
    tid: String,
    name: String,
    preferred_username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    ver: String,
}

/// The issuer of tokens for a tenant: `{base}/{tid}/v2.0`, as the discovery document says.
pub fn issuer(base_url: &str, tenant_id: &str) -> String {
    format!("{base_url}/{tenant_id}/v2.0")
}

/// The pairwise subject of a user for an app (`sub`): stable per user and client, not the object id.
pub fn pairwise_subject(oid: &str, client_id: &str) -> String {
    let digest = Sha256::digest(format!("{oid}:{}", client_id.to_ascii_lowercase()));
    URL_SAFE_NO_PAD.encode(&digest[..32])
}

fn seconds(t: Timestamp) -> i64 {
    t.as_second()
}

fn later(now: Timestamp, secs: u64) -> i64 {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    now.as_second().saturating_add(secs)
}

/// Signs a Graph access token for `user` and `client_id` with bare scope names (`Presence.ReadWrite`), valid
/// from `now` for `lifetime_secs` of virtual time.
pub fn sign_access_token(
    shared: &Shared,
    user: &User,
    client_id: &str,
    scopes: &[String],
    now: Timestamp,
    lifetime_secs: u64,
) -> Result<String, MintError> {
    let claims = AccessTokenClaims {
        aud: GRAPH_AUDIENCE.into(),
        iss: issuer(shared.base_url(), &user.tenant_id),
        iat: seconds(now),
        nbf: seconds(now),
        exp: later(now, lifetime_secs),
        oid: user.id.clone(),
        sub: pairwise_subject(&user.id, client_id),
        tid: user.tenant_id.clone(),
        scp: scopes.join(" "),
        azp: client_id.into(),
        appid: client_id.into(),
        name: user.display_name.clone(),
        preferred_username: user.user_principal_name.clone(),
        upn: user.user_principal_name.clone(),
        ver: "2.0".into(),
        uti: uuid::Uuid::new_v4().simple().to_string(),
    };
    Ok(shared.keys.sign(&claims)?)
}

/// Signs an OpenID Connect id token for `user` (audience `client_id`), echoing `nonce` when the authorize
/// request carried one. `email` is included when the `email` scope was granted.
pub fn sign_id_token(
    shared: &Shared,
    user: &User,
    client_id: &str,
    nonce: Option<&str>,
    with_email: bool,
    now: Timestamp,
    lifetime_secs: u64,
) -> Result<String, MintError> {
    let claims = IdTokenClaims {
        aud: client_id.into(),
        iss: issuer(shared.base_url(), &user.tenant_id),
        iat: seconds(now),
        nbf: seconds(now),
        exp: later(now, lifetime_secs),
        sub: pairwise_subject(&user.id, client_id),
        oid: user.id.clone(),
        tid: user.tenant_id.clone(),
        name: user.display_name.clone(),
        preferred_username: user.user_principal_name.clone(),
        email: with_email.then(|| user.user_principal_name.clone()),
        nonce: nonce.map(str::to_owned),
        ver: "2.0".into(),
    };
    Ok(shared.keys.sign(&claims)?)
}

/// Mints a Graph access token directly, without any sign-in: for tests and the control API
/// (`POST /_emulator/tokens`).
///
/// `user_oid` is the user's object id or UPN; `scopes` are delegated Graph scopes with or without the
/// `https://graph.microsoft.com/` prefix (stored without it); the token is valid from the virtual now for
/// `lifetime_secs`. No consent is checked or recorded: this is a back door for tests.
pub fn mint_access_token(
    shared: &Shared,
    user_oid: &str,
    client_id: &str,
    scopes: &[&str],
    lifetime_secs: u64,
) -> Result<String, MintError> {
    let user = shared
        .world()
        .user(user_oid)
        .cloned()
        .ok_or_else(|| MintError::UnknownUser(user_oid.to_owned()))?;
    let scopes: Vec<String> = scopes.iter().map(|s| strip_graph_prefix(s).to_owned()).collect();
    sign_access_token(
        shared,
        &user,
        client_id,
        &scopes,
        shared.clock.now(),
        lifetime_secs,
    )
}

/// `https://graph.microsoft.com/Presence.Read` → `Presence.Read`; anything else unchanged.
pub fn strip_graph_prefix(scope: &str) -> &str {
    let lower = scope.to_ascii_lowercase();
    for prefix in [
        "https://graph.microsoft.com/",
        "00000003-0000-0000-c000-000000000000/",
    ] {
        if lower.starts_with(prefix) {
            return &scope[prefix.len()..];
        }
    }
    scope
}

/// Verifies a bearer token against the emulator's keys and virtual clock.
///
/// Checks, in order: it is a JWT signed with this run's key (else `Malformed` or `BadSignature`), its audience is
/// Microsoft Graph (`WrongAudience`), and the virtual now lies in `[nbf, exp)` (`Expired`). It does not look
/// at the directory: whether the user still exists or may act is Graph's business.
pub fn verify_access_token(shared: &Shared, token: &str) -> Result<AccessClaims, TokenRejection> {
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenRejection::Missing);
    }
    let claims: AccessTokenClaims = shared.keys.verify(token).map_err(|e| match e {
        crate::identity::keys::SignatureError::Malformed => TokenRejection::Malformed,
        crate::identity::keys::SignatureError::BadSignature => TokenRejection::BadSignature,
    })?;
    if claims.aud != GRAPH_AUDIENCE && claims.aud != GRAPH_APP_ID {
        return Err(TokenRejection::WrongAudience);
    }
    let now = shared.clock.now().as_second();
    // An access token is usable from nbf up to (not including) exp. Real Entra allows a few minutes of skew for
    // nbf; the emulator's tokens are minted on the same clock that checks them, so none is needed.
    if now >= claims.exp || now < claims.nbf {
        return Err(TokenRejection::Expired);
    }
    Ok(AccessClaims {
        oid: claims.oid,
        tid: claims.tid,
        client_id: claims.azp,
        scopes: claims.scp.split_whitespace().map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::Clock;
    use crate::seed::{DEFAULT_CLIENT_ID, Seed};

    fn shared() -> std::sync::Arc<Shared> {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        Shared::new(Seed::default(), Clock::starting_at(start), None).unwrap()
    }

    #[test]
    fn a_minted_token_verifies_with_its_user_client_and_bare_scopes() {
        let s = shared();
        let oid = Seed::default().users[0].id.clone();
        let token = mint_access_token(
            &s,
            &oid,
            DEFAULT_CLIENT_ID,
            &["https://graph.microsoft.com/Presence.ReadWrite", "User.Read"],
            3600,
        )
        .unwrap();
        let claims = verify_access_token(&s, &token).unwrap();
        assert_eq!(claims.oid, oid);
        assert_eq!(claims.tid, Seed::default().tenants[0].id);
        assert_eq!(claims.client_id, DEFAULT_CLIENT_ID);
        assert_eq!(claims.scopes, vec!["Presence.ReadWrite", "User.Read"]);
    }

    #[test]
    fn a_token_expires_on_the_virtual_clock() {
        let s = shared();
        let upn = Seed::default().users[0].user_principal_name.clone();
        let token = mint_access_token(&s, &upn, DEFAULT_CLIENT_ID, &["User.Read"], 600).unwrap();
        s.clock.advance(Duration::from_secs(599));
        assert!(verify_access_token(&s, &token).is_ok());
        s.clock.advance(Duration::from_secs(1));
        assert_eq!(verify_access_token(&s, &token), Err(TokenRejection::Expired));
    }

    #[test]
    fn garbage_empty_and_foreign_tokens_are_refused() {
        let s = shared();
        assert_eq!(verify_access_token(&s, ""), Err(TokenRejection::Missing));
        assert_eq!(verify_access_token(&s, "abc"), Err(TokenRejection::Malformed));
        let other = shared();
        let oid = Seed::default().users[0].id.clone();
        let foreign = mint_access_token(&other, &oid, DEFAULT_CLIENT_ID, &["User.Read"], 60).unwrap();
        assert_eq!(verify_access_token(&s, &foreign), Err(TokenRejection::Malformed));
    }

    #[test]
    fn an_id_token_is_not_accepted_by_graph() {
        let s = shared();
        let user = Seed::default().users[0].clone();
        let now = s.clock.now();
        let id = sign_id_token(&s, &user, DEFAULT_CLIENT_ID, Some("n"), false, now, 3600).unwrap();
        assert_eq!(
            verify_access_token(&s, &id),
            Err(TokenRejection::Malformed),
            "an id token lacks scp/azp so it does not even parse as an access token"
        );
    }

    #[test]
    fn minting_for_an_unknown_user_fails() {
        let s = shared();
        assert!(matches!(
            mint_access_token(&s, "nobody", DEFAULT_CLIENT_ID, &[], 60),
            Err(MintError::UnknownUser(_))
        ));
    }

    #[test]
    fn the_graph_prefix_is_stripped_case_insensitively() {
        assert_eq!(
            strip_graph_prefix("HTTPS://graph.microsoft.com/User.Read"),
            "User.Read"
        );
        assert_eq!(strip_graph_prefix("openid"), "openid");
    }
}
