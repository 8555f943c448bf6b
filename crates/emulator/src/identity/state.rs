//! Codes, refresh tokens and device-code grants in flight, and sign-in pages waiting for a decision.
//!
//! Secrets (authorization codes, refresh tokens, device codes) are never stored as given: each map is keyed by a
//! SHA-256 digest of the secret, so neither `Debug` output nor the state document can leak one. User codes are
//! typed by people and shown on pages; they are kept in clear text.
//!
//! Every expiry is a [`Timestamp`] on the virtual clock. Expired entries are dropped lazily by [`IdentityState::sweep`],
//! which the handlers call before they look something up.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use rand::Rng as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::scopes::RequestedScopes;

/// A SHA-256 digest of a secret, hex, used as a map key.
pub type SecretDigest = String;

/// Digest of a secret for use as a map key.
pub fn digest(secret: &str) -> SecretDigest {
    let d = Sha256::digest(secret.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random secret: `bytes` random bytes, base64url without padding.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(buf.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buf)
}

/// A fresh user code: nine characters from an alphabet without look-alikes (no 0/O, 1/I/L), as people type them.
pub fn random_user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..9)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// An authorization code issued by `/authorize`, waiting to be redeemed at `/token`.
#[derive(Debug, Clone)]
pub struct AuthCode {
    /// The app the code was issued to.
    pub client_id: String,
    /// The signed-in user's object id.
    pub user_oid: String,
    /// The redirect URI used at `/authorize`; the redemption must repeat it exactly.
    pub redirect_uri: String,
    /// Granted Graph scopes (bare names).
    pub graph_scopes: Vec<String>,
    /// Requested OpenID Connect scopes (`openid`, `profile`, `email`, `offline_access`).
    pub oidc_scopes: Vec<String>,
    /// The S256 PKCE challenge.
    pub code_challenge: String,
    /// The `nonce` of the authorize request, echoed in the id token.
    pub nonce: Option<String>,
    /// When the code stops being redeemable.
    pub expires_at: Timestamp,
    /// Set once redeemed; a second redemption is refused (AADSTS54005).
    pub redeemed: bool,
}

/// Where a refresh token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RefreshStatus {
    /// Redeemable.
    Active,
    /// Redeemed once and replaced by a new one; replaying it is refused.
    Rotated,
    /// Revoked through the control API (all of a user's tokens at once).
    Revoked,
}

/// A refresh token issued with `offline_access`.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// The app it was issued to.
    pub client_id: String,
    /// The user's object id.
    pub user_oid: String,
    /// Graph scopes granted when it was issued (bare names).
    pub graph_scopes: Vec<String>,
    /// When it stops being redeemable.
    pub expires_at: Timestamp,
    /// Active, rotated or revoked.
    pub status: RefreshStatus,
}

/// Where a device-code grant stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Nobody has approved or declined yet.
    Pending,
    /// A user approved; the next poll gets tokens.
    Approved {
        /// Who signed in.
        user_oid: String,
        /// The Graph scopes granted (bare names, `.default` resolved).
        graph: Vec<String>,
    },
    /// The user declined.
    Declined,
    /// Tokens were issued; the code is spent.
    Redeemed,
}

/// A device-code grant from `/devicecode`.
#[derive(Debug, Clone)]
pub struct DeviceGrant {
    /// The app that asked.
    pub client_id: String,
    /// The tenant path segment of the request (`organizations`, a tenant id, ...).
    pub tenant_segment: String,
    /// The code people type on the device-login page.
    pub user_code: String,
    /// What the `scope` parameter asked for (`.default` is resolved when a user approves).
    pub requested: RequestedScopes,
    /// When the grant expires (`expired_token` after).
    pub expires_at: Timestamp,
    /// The polling interval the client must keep, in seconds; grows by 5 on each `slow_down`.
    pub interval_secs: u64,
    /// The last poll, for pacing.
    pub last_poll: Option<Timestamp>,
    /// Pending, approved, declined or redeemed.
    pub status: DeviceStatus,
}

/// What a sign-in page is for.
#[derive(Debug, Clone)]
pub enum PendingKind {
    /// `/authorize`: ends with a redirect to the app.
    Authorize {
        /// Where to send the browser back.
        redirect_uri: String,
        /// The app's `state`, echoed.
        state: Option<String>,
        /// The app's `nonce`, echoed in the id token.
        nonce: Option<String>,
        /// The S256 PKCE challenge.
        code_challenge: String,
        /// Whether the app sent `client_info=1` (the redirect then carries `client_info`).
        client_info: bool,
        /// `prompt=consent`: show the consent screen even when nothing new is asked.
        force_consent: bool,
    },
    /// The device-login page: ends with a "you may close this window" page.
    Device {
        /// Digest of the device code being approved.
        device_digest: SecretDigest,
    },
    /// `/adminconsent`: an administrator grants the app for the whole tenant.
    AdminConsent {
        /// Where to send the browser back, when given.
        redirect_uri: Option<String>,
        /// The app's `state`, echoed.
        state: Option<String>,
    },
}

/// A sign-in in progress: the browser holds its id in a hidden form field.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    /// The app.
    pub client_id: String,
    /// The tenant path segment the flow started on.
    pub tenant_segment: String,
    /// What the `scope` parameter asked for (`.default` is resolved once the user is known).
    pub requested: RequestedScopes,
    /// `login_hint`: the account to pre-select.
    pub login_hint: Option<String>,
    /// The user picked on the first page (set before the consent page is shown).
    pub chosen_user: Option<String>,
    /// What the flow ends with.
    pub kind: PendingKind,
    /// When the page stops accepting decisions.
    pub expires_at: Timestamp,
}

/// Codes, tokens and device-code grants in flight.
#[derive(Debug, Default)]
pub struct IdentityState {
    /// Authorization codes by digest.
    pub codes: HashMap<SecretDigest, AuthCode>,
    /// Refresh tokens by digest (rotated and revoked ones are kept until they expire, to answer replays).
    pub refresh_tokens: HashMap<SecretDigest, RefreshGrant>,
    /// Device-code grants by digest of the device code.
    pub device_grants: HashMap<SecretDigest, DeviceGrant>,
    /// Sign-in pages waiting for a decision, by request id.
    pub pending: HashMap<String, PendingSignIn>,
}

/// Counts for one user in [`IdentitySummary`].
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentityCounts {
    /// Authorization codes not yet redeemed and not expired.
    pub live_codes: usize,
    /// Refresh tokens that can still be redeemed.
    pub live_refresh_tokens: usize,
    /// Device-code grants pending or approved, not expired (counted for the approving user).
    pub live_device_codes: usize,
}

/// What the state document shows about identity: counts only, never a secret.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySummary {
    /// Counts per user object id (users with nothing live are left out).
    pub users: std::collections::BTreeMap<String, UserIdentityCounts>,
    /// Device-code grants nobody has approved yet.
    pub pending_device_codes: usize,
    /// Sign-in pages open (waiting for a decision).
    pub pending_sign_ins: usize,
}

impl IdentityState {
    /// Drops what expired more than a day before `now`. Codes, refresh tokens (rotated and revoked ones too) and
    /// device grants are kept that long past their expiry so a late redemption is answered precisely ("expired",
    /// "already redeemed") rather than as an unknown value.
    pub fn sweep(&mut self, now: Timestamp) {
        let keep = |expires_at: Timestamp| {
            expires_at
                .checked_add(jiff::SignedDuration::from_hours(24))
                .map_or(true, |t| t > now)
        };
        self.codes.retain(|_, c| keep(c.expires_at));
        self.refresh_tokens.retain(|_, r| keep(r.expires_at));
        self.device_grants.retain(|_, d| keep(d.expires_at));
        self.pending.retain(|_, p| p.expires_at > now);
    }

    /// Revokes every live refresh token of a user (object id); returns how many were revoked.
    pub fn revoke_user(&mut self, oid: &str) -> usize {
        let mut n = 0;
        for r in self.refresh_tokens.values_mut() {
            if r.user_oid.eq_ignore_ascii_case(oid) && r.status == RefreshStatus::Active {
                r.status = RefreshStatus::Revoked;
                n += 1;
            }
        }
        n
    }

    /// The device grant waiting under a user code (case-insensitive, spaces and dashes ignored), if any.
    pub fn device_by_user_code(&self, user_code: &str) -> Option<(&SecretDigest, &DeviceGrant)> {
        let typed: String = user_code
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if typed.is_empty() {
            return None;
        }
        self.device_grants.iter().find(|(_, d)| d.user_code == typed)
    }

    /// Counts of live codes, refresh tokens and device codes per user, and open sign-ins. No secrets.
    pub fn summary(&self, now: Timestamp) -> IdentitySummary {
        let mut out = IdentitySummary::default();
        for c in self.codes.values() {
            if !c.redeemed && c.expires_at > now {
                out.users.entry(c.user_oid.clone()).or_default().live_codes += 1;
            }
        }
        for r in self.refresh_tokens.values() {
            if r.status == RefreshStatus::Active && r.expires_at > now {
                out.users
                    .entry(r.user_oid.clone())
                    .or_default()
                    .live_refresh_tokens += 1;
            }
        }
        for d in self.device_grants.values() {
            if d.expires_at <= now {
                continue;
            }
            match &d.status {
                DeviceStatus::Pending => out.pending_device_codes += 1,
                DeviceStatus::Approved { user_oid, .. } => {
                    out.users.entry(user_oid.clone()).or_default().live_device_codes += 1;
                }
                DeviceStatus::Declined | DeviceStatus::Redeemed => {}
            }
        }
        out.pending_sign_ins = self.pending.values().filter(|p| p.expires_at > now).count();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + secs).unwrap()
    }

    fn grant(user: &str, expires: Timestamp) -> RefreshGrant {
        RefreshGrant {
            client_id: "c".into(),
            user_oid: user.into(),
            graph_scopes: vec!["User.Read".into()],
            expires_at: expires,
            status: RefreshStatus::Active,
        }
    }

    #[test]
    fn revoking_a_user_touches_only_their_active_tokens() {
        let mut s = IdentityState::default();
        s.refresh_tokens.insert(digest("a"), grant("u1", t(100)));
        s.refresh_tokens.insert(digest("b"), grant("u1", t(100)));
        s.refresh_tokens.insert(digest("c"), grant("u2", t(100)));
        let mut rotated = grant("u1", t(100));
        rotated.status = RefreshStatus::Rotated;
        s.refresh_tokens.insert(digest("d"), rotated);
        assert_eq!(s.revoke_user("U1"), 2);
        assert_eq!(s.summary(t(0)).users["u2"].live_refresh_tokens, 1);
        assert!(!s.summary(t(0)).users.contains_key("u1"));
    }

    #[test]
    fn sweeping_drops_entries_a_day_past_their_expiry_only() {
        let mut s = IdentityState::default();
        s.refresh_tokens.insert(digest("a"), grant("u1", t(10)));
        s.refresh_tokens.insert(digest("b"), grant("u1", t(20)));
        s.sweep(t(10 + 24 * 3600));
        assert_eq!(s.refresh_tokens.len(), 1);
        assert!(s.refresh_tokens.contains_key(&digest("b")));
    }

    #[test]
    fn user_codes_match_ignoring_case_spaces_and_dashes() {
        let mut s = IdentityState::default();
        s.device_grants.insert(
            digest("dc"),
            DeviceGrant {
                client_id: "c".into(),
                tenant_segment: "organizations".into(),
                user_code: "ABCD2345E".into(),
                requested: RequestedScopes::default(),
                expires_at: t(900),
                interval_secs: 5,
                last_poll: None,
                status: DeviceStatus::Pending,
            },
        );
        assert!(s.device_by_user_code("abcd-2345e").is_some());
        assert!(s.device_by_user_code(" ABCD 2345 E ").is_some());
        assert!(s.device_by_user_code("").is_none());
        assert!(s.device_by_user_code("ABCD2345F").is_none());
        assert_eq!(s.summary(t(0)).pending_device_codes, 1);
    }

    #[test]
    fn secrets_are_random_and_digests_are_stable() {
        assert_ne!(random_secret(32), random_secret(32));
        assert_eq!(digest("x"), digest("x"));
        assert_eq!(digest("x").len(), 64);
        let code = random_user_code();
        assert_eq!(code.len(), 9);
        assert!(code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    }
}
