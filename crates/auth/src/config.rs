//! What sign-in talks to: the cloud, tenant, client id, scopes and endpoints (contract §1, §5, §6).
//!
//! [`AuthConfig`] is plain data a user or administrator can set (settings, environment, a managed file);
//! [`AuthConfig::endpoints`] checks it and derives every URL, so nothing else in the crate formats an identity
//! URL by hand. The login base URL can be overridden to point at the emulator; an override must be `https`, or
//! `http` on a loopback address only, so tokens never cross a network in clear text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

/// Microsoft Graph Command Line Tools, Presently's default public client (contract §6).
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The default tenant segment: any work or school account (presence has no personal accounts, contract §5).
pub const DEFAULT_TENANT: &str = "organizations";

/// A Microsoft cloud (contract §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    /// The global cloud, also used by GCC.
    #[default]
    Global,
    /// US Government L4 (GCC High).
    UsGovHigh,
    /// US Government L5 (DoD).
    UsGovDod,
    /// China, operated by 21Vianet. It has no presence API, so Presently refuses it.
    China,
}

impl Cloud {
    /// Every cloud, for settings pickers.
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::UsGovHigh, Cloud::UsGovDod, Cloud::China];

    /// The Graph host, also the prefix of this cloud's scopes (contract §1).
    pub fn graph_base(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovHigh => "https://graph.microsoft.us",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The sign-in host (contract §1).
    pub fn login_base(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGovHigh | Cloud::UsGovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }

    /// Whether Microsoft Graph offers the presence API in this cloud (contract §1: not in China).
    pub fn has_presence_api(self) -> bool {
        !matches!(self, Cloud::China)
    }

    /// A name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Cloud::Global => "Global (and GCC)",
            Cloud::UsGovHigh => "US Government L4 (GCC High)",
            Cloud::UsGovDod => "US Government L5 (DoD)",
            Cloud::China => "China (21Vianet)",
        }
    }

    /// The short name settings and the environment use (`global`, `gcc-high`, `dod`, `china`).
    pub fn key(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGovHigh => "gcc-high",
            Cloud::UsGovDod => "dod",
            Cloud::China => "china",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Cloud {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        match key.as_str() {
            "global" | "public" | "commercial" | "gcc" => Ok(Cloud::Global),
            "gcc-high" | "gcchigh" | "usgovhigh" | "usgov-high" | "l4" => Ok(Cloud::UsGovHigh),
            "dod" | "usgovdod" | "usgov-dod" | "l5" => Ok(Cloud::UsGovDod),
            "china" | "21vianet" | "cn" => Ok(Cloud::China),
            _ => Err(ConfigError::UnknownCloud(s.to_owned())),
        }
    }
}

/// Why a sign-in configuration is refused. Each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The cloud has no presence API (contract §1).
    #[error(
        "Microsoft's China cloud (21Vianet) has no presence API, so Presently cannot set your status there. \
         Choose the Global, GCC High or DoD cloud."
    )]
    CloudWithoutPresence,
    /// The cloud name is not one Presently knows.
    #[error("unknown cloud \"{0}\": use global, gcc-high, dod (china has no presence API)")]
    UnknownCloud(String),
    /// The tenant is empty or has characters a tenant id or domain cannot have.
    #[error(
        "the tenant \"{0}\" is not valid: use \"organizations\", your tenant id (a GUID) or your domain \
         (like contoso.onmicrosoft.com)"
    )]
    InvalidTenant(String),
    /// Personal Microsoft accounts have no Teams presence.
    #[error(
        "the tenant \"consumers\" means personal Microsoft accounts, which have no Teams presence: use \
         \"organizations\" or your organization's tenant"
    )]
    ConsumersTenant,
    /// The client id is not a GUID.
    #[error(
        "the client id \"{0}\" is not valid: an application (client) id is a GUID like {DEFAULT_CLIENT_ID}"
    )]
    InvalidClientId(String),
    /// The login base URL override is unusable.
    #[error("the sign-in address \"{url}\" cannot be used: {reason}")]
    InvalidLoginBase {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// How to sign in: cloud, tenant, client id, and an optional login base URL override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthConfig {
    /// The cloud; decides the login host and the scopes' Graph prefix.
    pub cloud: Cloud,
    /// `organizations` (default), a tenant id, or a verified domain.
    pub tenant: String,
    /// The public client's application id (contract §6).
    pub client_id: String,
    /// Replaces the cloud's login host, e.g. the emulator's `http://127.0.0.1:PORT`.
    pub login_base: Option<String>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            cloud: Cloud::Global,
            tenant: DEFAULT_TENANT.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            login_base: None,
        }
    }
}

/// Every identity-platform URL a configuration leads to, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub cloud: Cloud,
    /// The tenant path segment.
    pub tenant: String,
    pub client_id: String,
    /// `{login}/{tenant}/oauth2/v2.0/authorize`.
    pub authorize: Url,
    /// `{login}/{tenant}/oauth2/v2.0/token`.
    pub token: Url,
    /// `{login}/{tenant}/oauth2/v2.0/devicecode`.
    pub device_code: Url,
    /// `{login}/{tenant}/adminconsent?client_id=...` (contract §5, AADSTS90094).
    pub admin_consent: Url,
    /// The scopes requested, Graph ones prefixed with the cloud's Graph host.
    pub scopes: Vec<String>,
}

impl AuthConfig {
    /// A configuration for the emulator (or any login host) at `login_base`, other fields default.
    pub fn with_login_base(login_base: impl Into<String>) -> Self {
        Self {
            login_base: Some(login_base.into()),
            ..Self::default()
        }
    }

    /// The scopes Presently asks for: `{graph}/Presence.ReadWrite {graph}/User.Read offline_access openid
    /// profile` (contract §5). Both Graph scopes carry the prefix: one token request may name one resource only,
    /// and an unprefixed scope would mean the global Graph even in a national cloud (contract §1).
    pub fn scopes(&self) -> Vec<String> {
        let graph = self.cloud.graph_base();
        vec![
            format!("{graph}/Presence.ReadWrite"),
            format!("{graph}/User.Read"),
            "offline_access".to_owned(),
            "openid".to_owned(),
            "profile".to_owned(),
        ]
    }

    /// Checks the configuration and derives every endpoint.
    pub fn endpoints(&self) -> Result<Endpoints, ConfigError> {
        if !self.cloud.has_presence_api() {
            return Err(ConfigError::CloudWithoutPresence);
        }
        let tenant = check_tenant(&self.tenant)?;
        let client_id = check_client_id(&self.client_id)?;
        let base = match &self.login_base {
            Some(url) => check_login_base(url)?,
            None => Url::parse(self.cloud.login_base()).map_err(|_| ConfigError::InvalidLoginBase {
                url: self.cloud.login_base().to_owned(),
                reason: "not a URL",
            })?,
        };
        let under = |tail: &[&str]| -> Url {
            let mut url = base.clone();
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.pop_if_empty().push(&tenant).extend(tail);
            }
            url
        };
        let mut admin_consent = under(&["adminconsent"]);
        admin_consent
            .query_pairs_mut()
            .append_pair("client_id", &client_id);
        Ok(Endpoints {
            cloud: self.cloud,
            authorize: under(&["oauth2", "v2.0", "authorize"]),
            token: under(&["oauth2", "v2.0", "token"]),
            device_code: under(&["oauth2", "v2.0", "devicecode"]),
            admin_consent,
            scopes: self.scopes(),
            tenant,
            client_id,
        })
    }

    /// The admin-consent URL an administrator opens to approve the app for the whole tenant (contract §5, §6).
    pub fn admin_consent_url(&self) -> Result<Url, ConfigError> {
        Ok(self.endpoints()?.admin_consent)
    }
}

fn check_tenant(tenant: &str) -> Result<String, ConfigError> {
    let t = tenant.trim();
    let ok_chars = t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
    if t.is_empty() || t.len() > 253 || !ok_chars || t.starts_with('.') || t.ends_with('.') {
        return Err(ConfigError::InvalidTenant(tenant.to_owned()));
    }
    if t.eq_ignore_ascii_case("consumers") {
        return Err(ConfigError::ConsumersTenant);
    }
    Ok(t.to_owned())
}

fn check_client_id(client_id: &str) -> Result<String, ConfigError> {
    let id = client_id.trim();
    match uuid::Uuid::parse_str(id) {
        Ok(u) if id.len() == 36 => Ok(u.hyphenated().to_string()),
        _ => Err(ConfigError::InvalidClientId(client_id.to_owned())),
    }
}

fn check_login_base(raw: &str) -> Result<Url, ConfigError> {
    let bad = |reason| ConfigError::InvalidLoginBase {
        url: raw.to_owned(),
        reason,
    };
    let url = Url::parse(raw.trim()).map_err(|_| bad("not a URL"))?;
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad("it must not carry a query, fragment or user name"));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(bad(
            "plain http is allowed only on this computer (127.0.0.1, ::1 or localhost)",
        )),
        _ => Err(bad("it must be an https URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_targets_the_global_cloud_with_the_graph_cli_client() {
        let e = AuthConfig::default().endpoints().unwrap();
        assert_eq!(
            e.authorize.as_str(),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
        );
        assert_eq!(
            e.token.as_str(),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
        );
        assert_eq!(
            e.device_code.as_str(),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode"
        );
        assert_eq!(
            e.admin_consent.as_str(),
            "https://login.microsoftonline.com/organizations/adminconsent?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e"
        );
        assert_eq!(
            e.scopes.join(" "),
            "https://graph.microsoft.com/Presence.ReadWrite https://graph.microsoft.com/User.Read offline_access openid profile"
        );
    }

    #[test]
    fn national_clouds_use_their_own_login_host_and_graph_scope_prefix() {
        for (cloud, login, graph) in [
            (
                Cloud::UsGovHigh,
                "https://login.microsoftonline.us/",
                "https://graph.microsoft.us/",
            ),
            (
                Cloud::UsGovDod,
                "https://login.microsoftonline.us/",
                "https://dod-graph.microsoft.us/",
            ),
        ] {
            let cfg = AuthConfig {
                cloud,
                ..AuthConfig::default()
            };
            let e = cfg.endpoints().unwrap();
            assert!(e.token.as_str().starts_with(login), "{}", e.token);
            assert_eq!(e.scopes[0], format!("{graph}Presence.ReadWrite"));
            assert_eq!(e.scopes[1], format!("{graph}User.Read"));
        }
    }

    #[test]
    fn the_china_cloud_is_refused_with_a_message_that_says_why() {
        let cfg = AuthConfig {
            cloud: Cloud::China,
            ..AuthConfig::default()
        };
        let err = cfg.endpoints().unwrap_err();
        assert_eq!(err, ConfigError::CloudWithoutPresence);
        assert!(err.to_string().contains("no presence API"));
        assert!("china".parse::<Cloud>().unwrap() == Cloud::China);
    }

    #[test]
    fn cloud_names_parse_in_the_forms_people_type() {
        assert_eq!("GCC High".parse::<Cloud>().unwrap(), Cloud::UsGovHigh);
        assert_eq!("dod".parse::<Cloud>().unwrap(), Cloud::UsGovDod);
        assert_eq!("Global".parse::<Cloud>().unwrap(), Cloud::Global);
        assert!("mars".parse::<Cloud>().is_err());
        for c in Cloud::ALL {
            assert_eq!(c.key().parse::<Cloud>().unwrap(), c);
        }
    }

    #[test]
    fn a_tenant_id_or_domain_becomes_the_path_segment_and_bad_ones_are_refused() {
        let cfg = AuthConfig {
            tenant: "contoso.onmicrosoft.com".into(),
            ..AuthConfig::default()
        };
        assert!(
            cfg.endpoints()
                .unwrap()
                .token
                .as_str()
                .contains("/contoso.onmicrosoft.com/oauth2/v2.0/token")
        );
        for bad in ["", "a/b", "../x", "x?y", "with space"] {
            let cfg = AuthConfig {
                tenant: bad.into(),
                ..AuthConfig::default()
            };
            assert!(
                matches!(cfg.endpoints(), Err(ConfigError::InvalidTenant(_))),
                "{bad}"
            );
        }
        let cfg = AuthConfig {
            tenant: "consumers".into(),
            ..AuthConfig::default()
        };
        assert_eq!(cfg.endpoints().unwrap_err(), ConfigError::ConsumersTenant);
    }

    #[test]
    fn the_client_id_must_be_a_guid() {
        let cfg = AuthConfig {
            client_id: "not-a-guid".into(),
            ..AuthConfig::default()
        };
        assert!(matches!(cfg.endpoints(), Err(ConfigError::InvalidClientId(_))));
        let cfg = AuthConfig {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            ..AuthConfig::default()
        };
        assert!(
            cfg.admin_consent_url()
                .unwrap()
                .as_str()
                .ends_with("client_id=11111111-2222-3333-4444-555555555555")
        );
    }

    #[test]
    fn a_login_override_points_every_endpoint_at_the_emulator() {
        let e = AuthConfig::with_login_base("http://127.0.0.1:4567")
            .endpoints()
            .unwrap();
        assert_eq!(
            e.token.as_str(),
            "http://127.0.0.1:4567/organizations/oauth2/v2.0/token"
        );
        assert_eq!(
            e.admin_consent.as_str(),
            "http://127.0.0.1:4567/organizations/adminconsent?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e"
        );
    }

    #[test]
    fn plain_http_is_refused_unless_the_host_is_loopback() {
        for ok in [
            "http://localhost:1/",
            "http://[::1]:9",
            "https://login.example.test/base/",
        ] {
            assert!(AuthConfig::with_login_base(ok).endpoints().is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "ftp://127.0.0.1",
            "https://x.test/?a=b",
            "nonsense",
        ] {
            assert!(
                matches!(
                    AuthConfig::with_login_base(bad).endpoints(),
                    Err(ConfigError::InvalidLoginBase { .. })
                ),
                "{bad}"
            );
        }
        let e = AuthConfig::with_login_base("https://login.example.test/base/")
            .endpoints()
            .unwrap();
        assert_eq!(
            e.authorize.as_str(),
            "https://login.example.test/base/organizations/oauth2/v2.0/authorize"
        );
    }
}
