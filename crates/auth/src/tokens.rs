//! The signed-in account and its token set (contract §5 "Tokens").
//!
//! A [`TokenSet`] holds its secrets as redacting newtypes ([`crate::secret`]) and implements no `Serialize`: the
//! only way it reaches a disk is through a store's explicit encoding, so it cannot be logged as JSON by accident.
//!
//! The account comes from the id token's claims, read **without** checking the signature: the id token arrives in
//! the direct answer to our own token request over TLS from the configured token endpoint (OpenID Connect Core
//! §3.1.3.7 allows skipping validation in that case), and its claims only *label* the account in the UI; nothing
//! is authorized on their strength. Graph checks the access token itself on every call.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::error::AuthError;
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// Who is signed in, from the id token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The user's object id (`oid`): the `{id}` of `/users/{id}/presence` (contract §2).
    pub oid: String,
    /// The tenant id (`tid`).
    pub tid: String,
    /// The sign-in name (`preferred_username`), e.g. `adele@contoso.com`; may be empty.
    pub username: String,
    /// The display name (`name`); may be empty.
    pub name: String,
}

impl Account {
    /// How to name the account to a person: "Name (username)", or whichever is known.
    pub fn label(&self) -> String {
        match (self.name.is_empty(), self.username.is_empty()) {
            (false, false) => format!("{} ({})", self.name, self.username),
            (false, true) => self.name.clone(),
            (true, false) => self.username.clone(),
            (true, true) => format!("account {}", self.oid),
        }
    }
}

/// Tokens for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The bearer token for Graph.
    pub access_token: AccessToken,
    /// The refresh token; `None` only if the server never issued one (no `offline_access`).
    pub refresh_token: Option<RefreshToken>,
    /// When the answer was requested (by the injected clock).
    pub obtained_at: Timestamp,
    /// When the access token expires: `obtained_at + expires_in` (never an assumed hour, contract §5).
    pub expires_at: Timestamp,
    /// Granted scopes as the server listed them.
    pub scopes: Vec<String>,
    /// Who these tokens are for.
    pub account: Account,
}

impl TokenSet {
    /// How long the access token was issued for.
    pub fn lifetime(&self) -> SignedDuration {
        self.expires_at.duration_since(self.obtained_at)
    }

    /// When to refresh: `expires_at` minus `margin`, but never earlier than halfway through the token's life (so a
    /// short-lived token is not refreshed at once and forever).
    pub fn refresh_due_at(&self, margin: Duration) -> Timestamp {
        let margin = SignedDuration::try_from(margin).unwrap_or(SignedDuration::MAX);
        let half = self.lifetime() / 2;
        let before = if margin < half { margin } else { half };
        self.expires_at.checked_sub(before).unwrap_or(self.obtained_at)
    }

    /// Whether the access token is past its expiry at `now`.
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// Whether a scope was granted, compared without the resource prefix and case (`Presence.ReadWrite` matches
    /// `https://graph.microsoft.com/Presence.ReadWrite`).
    pub fn has_scope(&self, bare: &str) -> bool {
        self.scopes.iter().any(|s| {
            let tail = s.rsplit('/').next().unwrap_or(s);
            tail.eq_ignore_ascii_case(bare)
        })
    }
}

#[derive(Deserialize)]
struct IdClaims {
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    tid: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Reads the account from an id token's payload (see the module docs for why the signature is not checked).
pub(crate) fn account_from_id_token(id_token: &IdToken) -> Result<Account, AuthError> {
    let bad = |what: &str| AuthError::UnexpectedResponse(format!("the id_token {what}"));
    let mut parts = id_token.expose_secret().split('.');
    let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(p), Some(_), None) => p,
        _ => return Err(bad("is not a JWT")),
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .or_else(|_| URL_SAFE.decode(payload))
        .map_err(|_| bad("payload is not base64url"))?;
    let claims: IdClaims =
        serde_json::from_slice(&bytes).map_err(|_| bad("payload is not the expected JSON"))?;
    let oid = claims
        .oid
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("has no oid claim"))?;
    let tid = claims
        .tid
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("has no tid claim"))?;
    Ok(Account {
        oid,
        tid,
        username: claims.preferred_username.unwrap_or_default(),
        name: claims.name.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> IdToken {
        let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.as_bytes());
        IdToken::new(format!("{head}.{body}.c2lnbmF0dXJl"))
    }

    fn set(lifetime_secs: i64) -> TokenSet {
        let t0 = Timestamp::from_second(1_800_000_000).unwrap();
        TokenSet {
            access_token: AccessToken::new("at"),
            refresh_token: Some(RefreshToken::new("rt")),
            obtained_at: t0,
            expires_at: t0 + SignedDuration::from_secs(lifetime_secs),
            scopes: vec![
                "https://graph.microsoft.com/Presence.ReadWrite".into(),
                "openid".into(),
            ],
            account: Account {
                oid: "o".into(),
                tid: "t".into(),
                username: "u@x".into(),
                name: "U".into(),
            },
        }
    }

    #[test]
    fn the_account_is_read_from_the_id_token_claims() {
        let a = account_from_id_token(&jwt(
            r#"{"oid":"3c5e","tid":"8f2c","preferred_username":"adele@contoso.com","name":"Adele Vance","sub":"x"}"#,
        ))
        .unwrap();
        assert_eq!(a.oid, "3c5e");
        assert_eq!(a.tid, "8f2c");
        assert_eq!(a.username, "adele@contoso.com");
        assert_eq!(a.label(), "Adele Vance (adele@contoso.com)");
    }

    #[test]
    fn an_id_token_without_oid_or_of_the_wrong_shape_is_an_unexpected_response() {
        for bad in [
            jwt(r#"{"tid":"t"}"#),
            jwt("not json"),
            IdToken::new("only.two"),
            IdToken::new("a.!!!.c"),
        ] {
            let err = account_from_id_token(&bad).unwrap_err();
            assert!(matches!(err, AuthError::UnexpectedResponse(_)), "{err}");
        }
    }

    #[test]
    fn refresh_is_due_a_margin_before_expiry_but_never_before_half_the_life() {
        let s = set(3600);
        assert_eq!(
            s.refresh_due_at(Duration::from_secs(300)),
            s.expires_at - SignedDuration::from_secs(300)
        );
        let short = set(120);
        assert_eq!(
            short.refresh_due_at(Duration::from_secs(300)),
            short.expires_at - SignedDuration::from_secs(60)
        );
        assert!(!s.is_expired_at(s.obtained_at));
        assert!(s.is_expired_at(s.expires_at));
    }

    #[test]
    fn scopes_match_without_their_resource_prefix() {
        let s = set(60);
        assert!(s.has_scope("Presence.ReadWrite"));
        assert!(s.has_scope("presence.readwrite"));
        assert!(!s.has_scope("User.Read"));
    }
}
