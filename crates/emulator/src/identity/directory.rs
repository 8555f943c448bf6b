//! Directory rules every identity endpoint shares: which tenant a path segment names, whether an app exists in a
//! tenant, which redirect URIs an app may use, the request-log note, and reading form bodies and queries.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use axum::response::Response;

use crate::errors::AadError;
use crate::log::LogNote;
use crate::seed::{Client, Tenant, User};
use crate::world::World;

/// What a tenant path segment selects.
#[derive(Debug, Clone)]
pub enum TenantSel {
    /// `organizations` or `common`: any work account, tenant decided by the user who signs in.
    Any(&'static str),
    /// One tenant (named by id or verified domain).
    One(Tenant),
}

impl TenantSel {
    /// Resolves a path segment; `None` when it names no tenant (AADSTS90002). [assumed] `consumers` names no
    /// tenant: presence has no personal accounts (contract §5), so the emulator has none either.
    pub fn resolve(world: &World, segment: &str) -> Option<Self> {
        if segment.eq_ignore_ascii_case("organizations") {
            return Some(Self::Any("organizations"));
        }
        if segment.eq_ignore_ascii_case("common") {
            return Some(Self::Any("common"));
        }
        world.tenant(segment).cloned().map(Self::One)
    }

    /// The segment to use in URLs the emulator builds (a tenant's id, or `organizations`/`common`).
    pub fn url_segment(&self) -> &str {
        match self {
            Self::Any(s) => s,
            Self::One(t) => &t.id,
        }
    }

    /// Whether `user` can sign in through this segment.
    pub fn admits(&self, user: &User) -> bool {
        match self {
            Self::Any(_) => true,
            Self::One(t) => t.id.eq_ignore_ascii_case(&user.tenant_id),
        }
    }

    /// Users who can sign in through this segment, in seed order.
    pub fn users<'w>(&self, world: &'w World) -> Vec<&'w User> {
        world.users.iter().filter(|u| self.admits(u)).collect()
    }
}

/// The "tenant not found" text (AADSTS90002).
pub fn tenant_not_found(segment: &str) -> String {
    format!(
        "Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing into the \
correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions \
for the tenant."
    )
}

/// The "application not found in the directory" text (AADSTS700016).
pub fn app_not_found(client_id: &str, directory: &str) -> String {
    format!(
        "Application with identifier '{client_id}' was not found in the directory '{directory}'. This can happen if \
the application has not been installed by the administrator of the tenant or consented to by any user in the \
tenant. You may have sent your authentication request to the wrong tenant."
    )
}

/// The redirect mismatch text (AADSTS50011).
pub fn redirect_mismatch(uri: &str, client_id: &str) -> String {
    format!(
        "The redirect URI '{uri}' specified in the request does not match the redirect URIs configured for the \
application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application \
in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
    )
}

/// Whether `client` exists in `tenant` (multi-tenant apps exist everywhere).
pub fn client_in_tenant(client: &Client, tenant: &Tenant) -> bool {
    match &client.tenants {
        None => true,
        Some(list) => list
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&tenant.id) || t.eq_ignore_ascii_case(&tenant.domain)),
    }
}

/// The app registration `client_id` as visible through `sel`: for one tenant it must exist there; for
/// `organizations`/`common` it must exist somewhere (the signed-in user's tenant is checked later).
pub fn client_for<'w>(world: &'w World, sel: &TenantSel, client_id: &str) -> Option<&'w Client> {
    let client = world.client(client_id)?;
    match sel {
        TenantSel::One(t) if !client_in_tenant(client, t) => None,
        _ => Some(client),
    }
}

/// Whether `user`'s tenant has `client`.
pub fn client_in_users_tenant(world: &World, client: &Client, user: &User) -> bool {
    world
        .tenant(&user.tenant_id)
        .is_some_and(|t| client_in_tenant(client, t))
}

/// Whether `uri` may be used as this client's redirect URI (contract §5): it must be `http://localhost[:port]/...`
/// or `http://127.0.0.1[:port]/...` (no fragment, no user info) and match a registered URI; the port is ignored
/// when the registered URI is a loopback one without a port or with a different one (Entra ignores loopback
/// ports), the path and query must match exactly (a registered URI without a path means `/`).
pub fn redirect_allowed(client: &Client, uri: &str) -> bool {
    let Ok(asked) = url::Url::parse(uri) else {
        return false;
    };
    if !is_loopback_http(&asked) || asked.fragment().is_some() {
        return false;
    }
    client.redirect_uris.iter().any(|registered| {
        let Ok(reg) = url::Url::parse(registered) else {
            return false;
        };
        if reg.scheme() != asked.scheme() || reg.host_str() != asked.host_str() {
            return false;
        }
        let port_ok = is_loopback_http(&reg) || reg.port() == asked.port();
        port_ok && reg.path() == asked.path() && reg.query() == asked.query()
    })
}

fn is_loopback_http(u: &url::Url) -> bool {
    u.scheme() == "http"
        && u.username().is_empty()
        && u.password().is_none()
        && matches!(u.host_str(), Some("localhost") | Some("127.0.0.1"))
}

/// Adds a request-log note to a response. Never pass a secret: the log is shown on the live page.
pub fn noted(mut resp: Response, client_id: Option<&str>, user_id: Option<&str>, kind: &str) -> Response {
    resp.extensions_mut().insert(LogNote {
        client_id: client_id.map(str::to_owned),
        user_id: user_id.map(str::to_owned),
        kind: Some(kind.to_owned()),
    });
    resp
}

/// Parses `a=b&c=d` into a map (first value of a repeated key wins). `None` when it is not valid form encoding.
pub fn parse_pairs(raw: &str) -> Option<HashMap<String, String>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).ok()?;
    let mut map = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_insert(v);
    }
    Some(map)
}

/// Reads an `application/x-www-form-urlencoded` body as Entra does: another content type, or bytes that are not
/// form encoding, read as a body without parameters, so the first required one is reported missing
/// (AADSTS900144), the answer Entra gives a JSON body.
pub fn form_body(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !is_form {
        return HashMap::new();
    }
    std::str::from_utf8(body)
        .ok()
        .and_then(parse_pairs)
        .unwrap_or_default()
}

/// A required parameter, or `invalid_request` AADSTS900144 naming it.
// The error is the HTTP answer itself, built at most once per request: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn required<'a>(
    params: &'a HashMap<String, String>,
    name: &str,
    now: jiff::Timestamp,
) -> Result<&'a str, AadError> {
    match params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(v) => Ok(v),
        None => Err(missing(name, now)),
    }
}

/// `invalid_request` AADSTS900144 for a missing parameter.
pub fn missing(name: &str, now: jiff::Timestamp) -> AadError {
    AadError::new(
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
    .at(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(uris: &[&str]) -> Client {
        Client {
            client_id: "c".into(),
            name: "App".into(),
            public_client_flows: true,
            redirect_uris: uris.iter().map(|s| (*s).to_owned()).collect(),
            tenants: None,
        }
    }

    #[test]
    fn a_registered_localhost_matches_any_port_but_the_same_path() {
        let c = client(&["http://localhost"]);
        assert!(redirect_allowed(&c, "http://localhost:53124/"));
        assert!(redirect_allowed(&c, "http://localhost/"));
        assert!(!redirect_allowed(&c, "http://localhost:53124/callback"));
        assert!(!redirect_allowed(&c, "http://127.0.0.1:53124/"));
        assert!(!redirect_allowed(&c, "https://localhost:53124/"));
    }

    #[test]
    fn non_loopback_fragments_and_user_info_are_refused() {
        let c = client(&["http://localhost", "https://example.com/cb"]);
        assert!(!redirect_allowed(&c, "https://example.com/cb"));
        assert!(!redirect_allowed(&c, "http://localhost:1/#x"));
        assert!(!redirect_allowed(&c, "http://u:p@localhost:1/"));
        assert!(!redirect_allowed(&c, "http://[::1]:1/"));
        assert!(!redirect_allowed(&c, "not a url"));
    }

    #[test]
    fn a_registered_path_must_match() {
        let c = client(&["http://127.0.0.1/auth/done"]);
        assert!(redirect_allowed(&c, "http://127.0.0.1:8080/auth/done"));
        assert!(!redirect_allowed(&c, "http://127.0.0.1:8080/auth/done/"));
    }

    #[test]
    fn a_non_form_body_reads_as_no_parameters() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(form_body(&h, b"grant_type=x").is_empty());
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        assert_eq!(form_body(&h, b"grant_type=x&grant_type=y")["grant_type"], "x");
    }
}
