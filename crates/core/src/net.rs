//! How Presently reaches the network: the `proxy` and `no-proxy` settings, and the one place the HTTP clients of
//! sign-in and Graph are built from them ([`http_client`]).
//!
//! - `proxy = "system"` (the default): reqwest's system proxy, i.e. `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and
//!   `NO_PROXY` on every system plus the Windows and macOS system settings.
//! - `proxy = "none"`: always direct.
//! - `proxy = "http://proxy.example:3128"`: every request through that proxy. Its user name and password are
//!   kept in the credential store ([`save_credentials`]), never in a settings file: a file that holds them is
//!   refused.
//! - `no-proxy`: hosts reached directly whatever `proxy` says (default: loopback addresses and `localhost`). An
//!   entry is a host name (`example.com` also covers its subdomains; `*.example.com` and `.example.com` the
//!   subdomains only), an IP address, a CIDR range (`10.0.0.0/8`) or `*` (everything).
//!
//! Each client talks to one host (the sign-in service, or Graph; neither follows redirects), so whether a client
//! uses the proxy is decided once, when it is built. The sign-in's loopback redirect listener is a server on
//! 127.0.0.1, not a client: no proxy ever applies to it.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use reqwest::Url;

/// The proxy setting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxySetting {
    /// The system's proxy (environment variables, Windows and macOS settings).
    #[default]
    System,
    /// No proxy at all.
    None,
    /// This proxy (`http://host:port`, never with credentials).
    Url(ProxyUrl),
}

/// A proxy's address: `http` or `https`, a host, no credentials, no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyUrl(Url);

impl ProxyUrl {
    /// The host and port (the credential store's entry is named after them).
    pub fn host_port(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

/// A proxy's user name and password, read from a URL typed by the user, kept only in the credential store.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    /// The user name.
    pub user: String,
    /// The password (may be empty).
    pub password: String,
}

impl fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyCredentials")
            .field("user", &"[redacted]")
            .field("password", &"[redacted]")
            .finish()
    }
}

impl fmt::Display for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::System => f.write_str("system"),
            ProxySetting::None => f.write_str("none"),
            ProxySetting::Url(u) => u.fmt(f),
        }
    }
}

impl ProxySetting {
    /// Reads what a user typed in Settings or `presently config set proxy`: `system`, `none`, or a URL that may
    /// carry `user:password@`, which is split off to be kept in the credential store.
    pub fn parse_with_credentials(text: &str) -> Result<(Self, Option<ProxyCredentials>), String> {
        let trimmed = text.trim();
        match trimmed.to_ascii_lowercase().as_str() {
            "system" => return Ok((ProxySetting::System, None)),
            "none" => return Ok((ProxySetting::None, None)),
            _ => {}
        }
        let shown = presently_model::text::shortened(trimmed, 60);
        let mut url = Url::parse(trimmed).map_err(|_| {
            format!("\"{shown}\" is not a proxy: write system, none, or a URL like http://proxy.example:3128")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "the proxy must be an http:// or https:// URL, not {}:// (SOCKS proxies are not supported)",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the proxy URL has no host: write it like http://proxy.example:3128".into());
        }
        if !(url.path().is_empty() || url.path() == "/") || url.query().is_some() || url.fragment().is_some()
        {
            return Err(
                "the proxy URL is only a scheme, a host and a port: like http://proxy.example:3128".into(),
            );
        }
        let credentials = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            let decode = |s: &str| {
                percent_decode(s)
                    .ok_or_else(|| "the proxy's user name or password is not valid UTF-8".to_owned())
            };
            Some(ProxyCredentials {
                user: decode(url.username())?,
                password: decode(url.password().unwrap_or_default())?,
            })
        };
        // Neither can fail on an http(s) URL with a host.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok((ProxySetting::Url(ProxyUrl(url)), credentials))
    }

    /// The proxy's address, when it is one.
    pub fn url(&self) -> Option<&ProxyUrl> {
        match self {
            ProxySetting::Url(u) => Some(u),
            _ => None,
        }
    }
}

/// The settings file's reading: the same words, but a URL with credentials is refused (they belong in the
/// credential store, which `presently config set proxy` and Settings use).
impl FromStr for ProxySetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Self::parse_with_credentials(s)? {
            (setting, None) => Ok(setting),
            (_, Some(_)) => Err("a proxy's user name and password are never kept in a settings file: remove them \
                 here and set the proxy with `presently config set proxy URL` or in Settings, which keep them in \
                 the credential store"
                .into()),
        }
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The hosts reached directly, whatever the proxy setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoProxy(Vec<String>);

/// The default `no-proxy`: this machine. IPv6's loopback `::1` is written in full, which matches the same
/// address and reads as a list in `presently config get` and `doctor`.
pub const DEFAULT_NO_PROXY: &str = "localhost, 127.0.0.0/8, 0:0:0:0:0:0:0:1";

impl Default for NoProxy {
    fn default() -> Self {
        DEFAULT_NO_PROXY.parse().unwrap_or_else(|_| {
            NoProxy(vec![
                "localhost".into(),
                "127.0.0.0/8".into(),
                "0:0:0:0:0:0:0:1".into(),
            ])
        })
    }
}

impl fmt::Display for NoProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

impl FromStr for NoProxy {
    type Err = String;
    /// Entries separated by commas or spaces; an empty text is an empty list (every host through the proxy).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut entries = Vec::new();
        for entry in s.split([',', ' ', '\t', '\n']).filter(|e| !e.is_empty()) {
            let valid = entry == "*"
                || IpAddr::from_str(entry.trim_start_matches('[').trim_end_matches(']')).is_ok()
                || parse_cidr(entry).is_some()
                || is_host_pattern(entry);
            if !valid {
                return Err(format!(
                    "\"{}\" is not a host, an IP address or a range like 10.0.0.0/8",
                    presently_model::text::shortened(entry, 40)
                ));
            }
            entries.push(entry.to_ascii_lowercase());
        }
        Ok(NoProxy(entries))
    }
}

fn is_host_pattern(entry: &str) -> bool {
    let name = entry
        .strip_prefix("*.")
        .or_else(|| entry.strip_prefix('.'))
        .unwrap_or(entry);
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn parse_cidr(entry: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = entry.split_once('/')?;
    let ip = IpAddr::from_str(ip).ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn in_cidr(host: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (host, net) {
        (IpAddr::V4(h), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(h) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(h), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(h) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

impl NoProxy {
    /// No host bypasses the proxy.
    pub fn empty() -> Self {
        NoProxy(Vec::new())
    }

    /// Whether `host` (a name or an IP address, IPv6 with or without brackets) is reached directly.
    pub fn matches(&self, host: &str) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let ip = IpAddr::from_str(&host).ok();
        self.0.iter().any(|entry| {
            if entry == "*" {
                return true;
            }
            if let Some((net, bits)) = parse_cidr(entry) {
                return ip.is_some_and(|ip| in_cidr(ip, net, bits));
            }
            if let Ok(e) = IpAddr::from_str(entry.trim_start_matches('[').trim_end_matches(']')) {
                return ip == Some(e);
            }
            if let Some(domain) = entry.strip_prefix("*.").or_else(|| entry.strip_prefix('.')) {
                return host.ends_with(&format!(".{domain}"));
            }
            host == *entry || host.ends_with(&format!(".{entry}"))
        })
    }
}

/// The network settings in force, with the proxy's credentials when the credential store has them.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// `proxy`.
    pub proxy: ProxySetting,
    /// `no-proxy`.
    pub no_proxy: NoProxy,
    /// The proxy's user name and password (only with [`ProxySetting::Url`]).
    pub credentials: Option<ProxyCredentials>,
}

/// An HTTP client and the proxy it sends through, named for errors.
#[derive(Debug, Clone)]
pub struct HttpClient {
    /// The client.
    pub http: reqwest::Client,
    /// The proxy (`http://proxy.example:3128`, no credentials) when [`ProxySetting::Url`] applies to the target;
    /// `None` when direct or left to the system.
    pub proxy: Option<String>,
}

/// Why an HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The address to reach has no host.
    #[error("{0} has no host name")]
    NoHost(String),
    /// The HTTP library refused the configuration (no TLS roots, a bad proxy).
    #[error("cannot set up the HTTP client: {0}")]
    Build(#[source] reqwest::Error),
}

/// Longest time to open a connection (to the host, or to the proxy).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time one request may take, connect to last byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds the HTTP client for requests to `target` (the sign-in service or Graph): rustls, bounded connect and
/// request times, `user_agent`, no redirects (neither service redirects a request Presently makes; not
/// following one keeps forms and bearer tokens from travelling elsewhere), and the proxy the settings choose
/// for `target`'s host.
pub fn http_client(network: &Network, target: &str, user_agent: &str) -> Result<HttpClient, NetError> {
    let target_url = Url::parse(target.trim()).map_err(|_| NetError::NoHost(target.to_owned()))?;
    let host = target_url
        .host_str()
        .ok_or_else(|| NetError::NoHost(target.to_owned()))?;
    let mut builder = presently_graph::tls::client_builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none());
    let mut proxy_name = None;
    if network.no_proxy.matches(host) {
        // Calling `.no_proxy()` also switches off reqwest's system proxy, which does not exempt loopback.
        builder = builder.no_proxy();
    } else {
        match &network.proxy {
            // reqwest's own system proxy stays on as long as no `.proxy(..)`/`.no_proxy()` is called.
            ProxySetting::System => {}
            ProxySetting::None => builder = builder.no_proxy(),
            ProxySetting::Url(url) => {
                // `all`: http targets (the emulator) go to the proxy in absolute form, https ones through
                // CONNECT; the credentials go in `Proxy-Authorization` either way.
                let mut proxy = reqwest::Proxy::all(url.url().clone()).map_err(NetError::Build)?;
                if let Some(c) = &network.credentials {
                    proxy = proxy.basic_auth(&c.user, &c.password);
                }
                builder = builder.proxy(proxy);
                proxy_name = Some(url.to_string());
            }
        }
    }
    let http = builder.build().map_err(NetError::Build)?;
    Ok(HttpClient {
        http,
        proxy: proxy_name,
    })
}

/// The credential store's entry for a proxy's credentials.
fn credentials_entry(url: &ProxyUrl) -> String {
    format!("proxy {}", url.host_port())
}

/// Keeps the credentials of the proxy at `url` in the credential store (the tokens' service). Fails when no
/// credential store answers: they are never written anywhere else.
pub fn save_credentials(url: &ProxyUrl, credentials: &ProxyCredentials) -> Result<(), String> {
    let secret = format!("{}:{}", credentials.user, credentials.password);
    presently_auth::store::save_secret(
        presently_auth::store::DEFAULT_SERVICE,
        &credentials_entry(url),
        &secret,
    )
    .map_err(|e| {
        format!(
            "the proxy's password can only be kept in the credential store, which did not take it ({e}); \
             set the proxy without a user name and password, or start the credential store"
        )
    })
}

/// The credentials kept for the proxy at `url`, `None` when none are kept or the credential store does not
/// answer (the proxy then answers 407, which names it).
pub fn load_credentials(url: &ProxyUrl) -> Option<ProxyCredentials> {
    match presently_auth::store::load_secret(presently_auth::store::DEFAULT_SERVICE, &credentials_entry(url))
    {
        Ok(Some(secret)) => {
            let (user, password) = secret.split_once(':').unwrap_or((secret.as_str(), ""));
            Some(ProxyCredentials {
                user: user.to_owned(),
                password: password.to_owned(),
            })
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "the proxy's credentials could not be read; going without them");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_and_a_url_parse_and_credentials_are_split_off() {
        assert_eq!("system".parse::<ProxySetting>().unwrap(), ProxySetting::System);
        assert_eq!(" None ".parse::<ProxySetting>().unwrap(), ProxySetting::None);
        let p: ProxySetting = "http://proxy.example:3128".parse().unwrap();
        assert_eq!(p.to_string(), "http://proxy.example:3128");
        assert_eq!(p.url().unwrap().host_port(), "proxy.example:3128");
        let (p, c) =
            ProxySetting::parse_with_credentials("http://me%40corp:p%3Ass@proxy.example:8080").unwrap();
        assert_eq!(
            p.to_string(),
            "http://proxy.example:8080",
            "no credentials left in the setting"
        );
        let c = c.unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("me@corp", "p:ss"));
        assert!(!format!("{c:?}").contains("p:ss"));
    }

    #[test]
    fn a_file_with_credentials_or_a_bad_proxy_is_refused() {
        let e = "http://me:secret@proxy.example:3128"
            .parse::<ProxySetting>()
            .unwrap_err();
        assert!(e.contains("credential store"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        for bad in ["proxy.example:3128", "socks5://p:1080", "http://p:1/path", "auto"] {
            assert!(bad.parse::<ProxySetting>().is_err(), "{bad}");
        }
    }

    #[test]
    fn no_proxy_matches_names_subdomains_addresses_and_ranges() {
        let list = NoProxy::default();
        for host in ["localhost", "127.0.0.1", "127.3.2.1", "::1", "[::1]"] {
            assert!(list.matches(host), "{host}");
        }
        for host in ["graph.microsoft.com", "10.0.0.1", "::2"] {
            assert!(!list.matches(host), "{host}");
        }
        let list: NoProxy = "example.com, *.corp.example .internal 10.0.0.0/8"
            .parse()
            .unwrap();
        assert!(list.matches("example.com") && list.matches("a.example.com"));
        assert!(list.matches("x.corp.example") && !list.matches("corp.example"));
        assert!(list.matches("host.internal") && list.matches("10.20.30.40"));
        assert!(!list.matches("example.org") && !list.matches("11.0.0.1"));
        assert!(!"".parse::<NoProxy>().unwrap().matches("127.0.0.1"));
        assert!("*".parse::<NoProxy>().unwrap().matches("anything.example"));
        assert!("bad host!".parse::<NoProxy>().is_err());
        assert_eq!(NoProxy::default().to_string(), DEFAULT_NO_PROXY);
    }

    #[test]
    fn the_credentials_round_trip_through_the_credential_store() {
        // Run for real under scripts/with-keyring.sh (a throw-away Secret Service); elsewhere there may be none.
        if std::env::var_os("PRESENTLY_REQUIRE_KEYRING").is_none() {
            eprintln!("not run: no credential store was provided (scripts/with-keyring.sh)");
            return;
        }
        let (setting, credentials) =
            ProxySetting::parse_with_credentials("http://me:p%40ss@proxy-test.invalid:3128").unwrap();
        let url = setting.url().unwrap();
        save_credentials(url, credentials.as_ref().unwrap()).unwrap();
        assert_eq!(load_credentials(url), credentials);
        presently_auth::store::delete_secret(presently_auth::store::DEFAULT_SERVICE, &credentials_entry(url))
            .unwrap();
        assert_eq!(load_credentials(url), None);
    }

    #[test]
    fn a_client_uses_the_proxy_only_for_hosts_outside_no_proxy() {
        let network = Network {
            proxy: "http://127.0.0.1:9".parse().unwrap(),
            no_proxy: NoProxy::default(),
            credentials: None,
        };
        let direct = http_client(&network, "http://127.0.0.1:4000", "t").unwrap();
        assert_eq!(direct.proxy, None);
        let proxied = http_client(&network, "https://graph.microsoft.com", "t").unwrap();
        assert_eq!(proxied.proxy.as_deref(), Some("http://127.0.0.1:9"));
        let network = Network {
            no_proxy: NoProxy::empty(),
            ..network
        };
        let proxied = http_client(&network, "http://127.0.0.1:4000", "t").unwrap();
        assert_eq!(proxied.proxy.as_deref(), Some("http://127.0.0.1:9"));
    }
}
