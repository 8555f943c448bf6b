//! The directory the emulator starts with: tenants, users, app registrations, and tunable lifetimes.
//!
//! `--seed FILE` loads a JSON document of this shape; without it [`Seed::default`] is used: one tenant with two
//! users and Presently's default client id (contract §6) registered as a public client.

use serde::{Deserialize, Serialize};

/// Microsoft Graph Command Line Tools: Presently's default public client (contract §6).
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// Everything the emulator knows before the first request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// Directory tenants.
    pub tenants: Vec<Tenant>,
    /// Users, each in one tenant.
    pub users: Vec<User>,
    /// App registrations (multi-tenant unless `tenants` is set).
    pub clients: Vec<Client>,
    /// Lifetimes and limits.
    #[serde(default)]
    pub settings: Settings,
}

/// A directory tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tenant {
    /// Tenant id (a GUID), the `tid` claim.
    pub id: String,
    /// Verified domain, usable as the tenant path segment.
    pub domain: String,
    /// Display name.
    pub name: String,
    /// When true, users cannot consent themselves: AADSTS90094 until `/adminconsent` is done.
    #[serde(default)]
    pub requires_admin_consent: bool,
    /// Client ids an administrator has consented to for the whole tenant.
    #[serde(default)]
    pub admin_consented_clients: Vec<String>,
    /// Client ids this tenant has disabled for sign-in (the enterprise application's "Enabled for users to sign
    /// in?" = No): the token endpoint refuses its users with AADSTS7000112.
    #[serde(default)]
    pub blocked_clients: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    /// Object id (a GUID), the `oid` claim and `/users/{id}`.
    pub id: String,
    /// The tenant id this user belongs to.
    pub tenant_id: String,
    /// Sign-in name, the `preferred_username` claim.
    pub user_principal_name: String,
    /// Display name, the `name` claim.
    pub display_name: String,
    /// Delegated scopes this user has already consented to, per client id.
    #[serde(default)]
    pub consents: std::collections::BTreeMap<String, Vec<String>>,
}

/// An app registration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Client {
    /// Application (client) id.
    pub client_id: String,
    /// Display name, shown on the consent screen.
    pub name: String,
    /// "Allow public client flows": off → AADSTS7000218 on the token endpoint.
    #[serde(default = "yes")]
    pub public_client_flows: bool,
    /// Registered redirect URIs ("Mobile and desktop"); `http://localhost` matches any port (contract §5).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Tenants where the app exists; `None` = every tenant (multi-tenant). Elsewhere → AADSTS700016.
    #[serde(default)]
    pub tenants: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// Lifetimes and limits, each changeable through the control API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Settings {
    /// Shortest access-token life in seconds (contract §5: random 60–90 min).
    pub access_token_min_secs: u64,
    /// Longest access-token life in seconds.
    pub access_token_max_secs: u64,
    /// Refresh-token life in seconds (90 days).
    pub refresh_token_secs: u64,
    /// Authorization-code life in seconds (~10 min).
    pub auth_code_secs: u64,
    /// Device-code life in seconds (900).
    pub device_code_secs: u64,
    /// Device-code polling interval in seconds (5).
    pub device_interval_secs: u64,
    /// Graph requests allowed per app per tenant in one throttling window (1,500, contract §4).
    pub throttle_limit: u32,
    /// The throttling window in seconds (30).
    pub throttle_window_secs: u64,
    /// Cap on a preferred presence's `expirationDuration` in seconds ([assumed] 7 days, contract §2).
    pub preferred_max_secs: u64,
    /// Longest status message in characters ([assumed] 280, Teams' own limit, contract §2); a longer one is
    /// refused with 400 `InvalidArgument`.
    pub status_message_max_chars: u32,
    /// Largest accepted request body in bytes.
    pub max_body_bytes: usize,
    /// How many requests the log keeps.
    pub request_log_capacity: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_token_min_secs: 60 * 60,
            access_token_max_secs: 90 * 60,
            refresh_token_secs: 90 * 24 * 3600,
            auth_code_secs: 600,
            device_code_secs: 900,
            device_interval_secs: 5,
            throttle_limit: 1500,
            throttle_window_secs: 30,
            preferred_max_secs: 7 * 24 * 3600,
            status_message_max_chars: 280,
            max_body_bytes: 64 * 1024,
            request_log_capacity: 20_000,
        }
    }
}

impl Default for Seed {
    fn default() -> Self {
        let tenant = "8f2c4a1e-5b6d-4c3e-9a7f-1d2e3f4a5b6c";
        Self {
            tenants: vec![Tenant {
                id: tenant.into(),
                domain: "contoso.onmicrosoft.com".into(),
                name: "Contoso".into(),
                requires_admin_consent: false,
                admin_consented_clients: vec![],
                blocked_clients: vec![],
            }],
            users: vec![
                User {
                    id: "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d".into(),
                    tenant_id: tenant.into(),
                    user_principal_name: "adele.vance@contoso.onmicrosoft.com".into(),
                    display_name: "Adele Vance".into(),
                    consents: Default::default(),
                },
                User {
                    id: "7b9d1f3a-5c7e-4b9d-a1f3-5c7e9b1d3f5a".into(),
                    tenant_id: tenant.into(),
                    user_principal_name: "megan.bowen@contoso.onmicrosoft.com".into(),
                    display_name: "Megan Bowen".into(),
                    consents: Default::default(),
                },
            ],
            clients: vec![Client {
                client_id: DEFAULT_CLIENT_ID.into(),
                name: "Microsoft Graph Command Line Tools".into(),
                public_client_flows: true,
                redirect_uris: vec!["http://localhost".into()],
                tenants: None,
            }],
            settings: Settings::default(),
        }
    }
}

/// Why a seed file was refused.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read seed file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid seed document.
    #[error("seed file {path} is invalid: {source}")]
    Parse {
        /// The file.
        path: String,
        /// Where and why parsing failed.
        source: serde_json::Error,
    },
    /// The document parsed but is inconsistent.
    #[error("seed is inconsistent: {0}")]
    Inconsistent(String),
}

impl Seed {
    /// Reads and checks a seed file.
    pub fn load(path: &std::path::Path) -> Result<Self, SeedError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: p.clone(),
            source,
        })?;
        let seed: Seed =
            serde_json::from_str(&text).map_err(|source| SeedError::Parse { path: p, source })?;
        seed.check()?;
        Ok(seed)
    }

    /// Checks that every user's tenant exists and ids are unique.
    pub fn check(&self) -> Result<(), SeedError> {
        let mut seen = std::collections::HashSet::new();
        for t in &self.tenants {
            if !seen.insert(t.id.to_ascii_lowercase()) {
                return Err(SeedError::Inconsistent(format!("tenant {} appears twice", t.id)));
            }
        }
        for u in &self.users {
            if !self
                .tenants
                .iter()
                .any(|t| t.id.eq_ignore_ascii_case(&u.tenant_id))
            {
                return Err(SeedError::Inconsistent(format!(
                    "user {} names unknown tenant {}",
                    u.id, u.tenant_id
                )));
            }
            if !seen.insert(u.id.to_ascii_lowercase()) {
                return Err(SeedError::Inconsistent(format!("id {} appears twice", u.id)));
            }
        }
        let s = &self.settings;
        if s.access_token_min_secs == 0 || s.access_token_min_secs > s.access_token_max_secs {
            return Err(SeedError::Inconsistent(
                "accessTokenMinSecs must be > 0 and <= accessTokenMaxSecs".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_seed_is_consistent_and_registers_the_default_client() {
        let seed = Seed::default();
        seed.check().unwrap();
        assert_eq!(seed.users.len(), 2);
        assert!(
            seed.clients
                .iter()
                .any(|c| c.client_id == DEFAULT_CLIENT_ID && c.public_client_flows)
        );
    }

    #[test]
    fn a_seed_round_trips_through_json_and_rejects_unknown_fields() {
        let text = serde_json::to_string(&Seed::default()).unwrap();
        let back: Seed = serde_json::from_str(&text).unwrap();
        assert_eq!(back.tenants[0].domain, "contoso.onmicrosoft.com");
        let bad = text.replacen("\"tenants\"", "\"tenantz\"", 1);
        assert!(serde_json::from_str::<Seed>(&bad).is_err());
    }
}
