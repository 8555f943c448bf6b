//! Scopes: parsing the `scope` parameter, the Graph permissions the emulator knows, and consent bookkeeping.
//!
//! A Graph scope may come as `https://graph.microsoft.com/Presence.ReadWrite` or bare `Presence.ReadWrite` (bare
//! names mean Microsoft Graph, contract §5); they are stored bare, in the canonical casing below. `openid`,
//! `profile`, `email` and `offline_access` are OpenID Connect scopes, never consented per app here.
//! `.default` means "what this app already has": the consented set. Anything else is `invalid_scope`
//! (AADSTS70011).

use std::collections::BTreeSet;

use crate::world::World;

/// Delegated Graph permissions the emulator knows, canonical casing, each with the consent screen's wording.
pub const GRAPH_SCOPES: &[(&str, &str)] = &[
    ("User.Read", "Sign you in and read your profile"),
    (
        "User.ReadBasic.All",
        "Read the basic profiles of all users in your organization",
    ),
    ("Presence.Read", "Read your presence information"),
    (
        "Presence.Read.All",
        "Read presence information of all users in your organization",
    ),
    ("Presence.ReadWrite", "Read and write your presence information"),
];

/// OpenID Connect scopes, with the consent screen's wording.
pub const OIDC_SCOPES: &[(&str, &str)] = &[
    ("openid", "Sign you in"),
    ("profile", "View your basic profile"),
    ("email", "View your email address"),
    (
        "offline_access",
        "Maintain access to data you have given it access to",
    ),
];

/// `.default` without anything consented yet resolves to this set. [assumed] Entra resolves `.default` to the
/// app's statically configured permissions, which the emulator's seed does not model; `User.Read` is what a
/// "Mobile and desktop" registration has by default.
pub const DEFAULT_STATIC_SCOPES: &[&str] = &["User.Read"];

/// What a `scope` parameter asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestedScopes {
    /// Graph scopes, bare and canonical, without duplicates, in request order.
    pub graph: Vec<String>,
    /// OpenID Connect scopes, lower case, without duplicates.
    pub oidc: Vec<String>,
    /// `.default` was asked for.
    pub default: bool,
}

/// Why a `scope` parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A scope the emulator does not know (AADSTS70011).
    #[error(
        "The provided value for the input parameter 'scope' is not valid. The scope '{0}' does not exist."
    )]
    Unknown(String),
    /// Nothing but OpenID Connect scopes, or nothing at all.
    #[error(
        "The provided value for the input parameter 'scope' is not valid. One or more scopes in '{0}' are not compatible with each other."
    )]
    NoResource(String),
}

/// The canonical spelling of a known Graph scope.
pub fn canonical_graph_scope(name: &str) -> Option<&'static str> {
    GRAPH_SCOPES
        .iter()
        .map(|(s, _)| *s)
        .find(|s| s.eq_ignore_ascii_case(name))
}

/// The consent screen's wording for a scope (Graph or OpenID Connect).
pub fn describe(scope: &str) -> &'static str {
    GRAPH_SCOPES
        .iter()
        .chain(OIDC_SCOPES)
        .find(|(s, _)| s.eq_ignore_ascii_case(scope))
        .map(|(_, d)| *d)
        .unwrap_or("Access data on your behalf")
}

impl RequestedScopes {
    /// Parses a space-separated `scope` value. An empty value parses to nothing (callers decide whether that is
    /// allowed); a request with only OpenID Connect scopes is accepted as a sign-in that gets `User.Read`
    /// implicitly, as Entra does for Graph.
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let mut out = Self::default();
        for item in raw.split_whitespace() {
            let lower = item.to_ascii_lowercase();
            if let Some((oidc, _)) = OIDC_SCOPES.iter().find(|(s, _)| *s == lower) {
                if !out.oidc.iter().any(|s| s == oidc) {
                    out.oidc.push((*oidc).to_owned());
                }
                continue;
            }
            let bare = crate::identity::jwt::strip_graph_prefix(item);
            let had_prefix = bare.len() != item.len();
            if bare.eq_ignore_ascii_case(".default") {
                out.default = true;
                continue;
            }
            // A different resource (`https://outlook.office.com/...`) or a URI-shaped scope is unknown here.
            if !had_prefix && bare.contains("://") {
                return Err(ScopeError::Unknown(item.to_owned()));
            }
            match canonical_graph_scope(bare) {
                Some(s) => {
                    if !out.graph.iter().any(|g| g == s) {
                        out.graph.push(s.to_owned());
                    }
                }
                None => return Err(ScopeError::Unknown(item.to_owned())),
            }
        }
        Ok(out)
    }

    /// True when `scope` was empty.
    pub fn is_empty(&self) -> bool {
        self.graph.is_empty() && self.oidc.is_empty() && !self.default
    }

    /// Whether an OpenID Connect scope was asked for.
    pub fn has_oidc(&self, name: &str) -> bool {
        self.oidc.iter().any(|s| s == name)
    }

    /// The Graph scopes this request needs, resolving `.default` against what is already consented (or
    /// [`DEFAULT_STATIC_SCOPES`] when nothing is) and adding `User.Read` to a pure OpenID Connect sign-in.
    pub fn graph_needed(&self, consented: &BTreeSet<String>) -> Vec<String> {
        let mut out = self.graph.clone();
        if self.default {
            if consented.is_empty() {
                out.extend(DEFAULT_STATIC_SCOPES.iter().map(|s| (*s).to_owned()));
            } else {
                out.extend(consented.iter().cloned());
            }
        }
        if out.is_empty() {
            out.push("User.Read".to_owned());
        }
        let mut seen = BTreeSet::new();
        out.retain(|s| seen.insert(s.clone()));
        out
    }
}

/// The `scope` value of a token response: Graph scopes with their resource prefix, as Entra returns them, then
/// the OpenID Connect scopes that were asked for (except `offline_access`, which Entra does not echo).
pub fn response_scope(graph: &[String], oidc: &[String]) -> String {
    let mut parts: Vec<String> = graph
        .iter()
        .map(|s| format!("{}/{s}", crate::identity::jwt::GRAPH_AUDIENCE))
        .collect();
    parts.extend(
        ["openid", "profile", "email"]
            .iter()
            .filter(|s| oidc.iter().any(|o| o == *s))
            .map(|s| (*s).to_owned()),
    );
    parts.join(" ")
}

/// Graph scopes `user_oid` may use with `client_id` without being asked: their own consents plus, when an
/// administrator consented for the user's tenant, every Graph scope the emulator knows.
pub fn consented(world: &World, user_oid: &str, client_id: &str) -> BTreeSet<String> {
    let Some(user) = world.user(user_oid) else {
        return BTreeSet::new();
    };
    let mut out: BTreeSet<String> = user
        .consents
        .iter()
        .filter(|(c, _)| c.eq_ignore_ascii_case(client_id))
        .flat_map(|(_, scopes)| scopes.iter())
        .filter_map(|s| canonical_graph_scope(crate::identity::jwt::strip_graph_prefix(s)))
        .map(str::to_owned)
        .collect();
    if admin_consented(world, &user.tenant_id, client_id) {
        out.extend(GRAPH_SCOPES.iter().map(|(s, _)| (*s).to_owned()));
    }
    out
}

/// Whether an administrator consented to `client_id` for the whole tenant.
pub fn admin_consented(world: &World, tenant_id: &str, client_id: &str) -> bool {
    world.tenant(tenant_id).is_some_and(|t| {
        t.admin_consented_clients
            .iter()
            .any(|c| c.eq_ignore_ascii_case(client_id))
    })
}

/// Records that `user_oid` consented to `scopes` for `client_id` (bare names; merged with earlier consents).
pub fn record_consent(world: &mut World, user_oid: &str, client_id: &str, scopes: &[String]) {
    let Some(user) = world
        .users
        .iter_mut()
        .find(|u| u.id.eq_ignore_ascii_case(user_oid))
    else {
        return;
    };
    let key = user
        .consents
        .keys()
        .find(|k| k.eq_ignore_ascii_case(client_id))
        .cloned()
        .unwrap_or_else(|| client_id.to_owned());
    let entry = user.consents.entry(key).or_default();
    for s in scopes {
        if !entry.iter().any(|e| e.eq_ignore_ascii_case(s)) {
            entry.push(s.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_bare_graph_scopes_parse_to_the_same_canonical_names() {
        let a = RequestedScopes::parse(
            "https://graph.microsoft.com/presence.readwrite offline_access OpenID profile",
        )
        .unwrap();
        assert_eq!(a.graph, vec!["Presence.ReadWrite"]);
        assert_eq!(a.oidc, vec!["offline_access", "openid", "profile"]);
        let b = RequestedScopes::parse("Presence.ReadWrite Presence.ReadWrite").unwrap();
        assert_eq!(b.graph, a.graph);
    }

    #[test]
    fn unknown_scopes_and_other_resources_are_refused() {
        assert_eq!(
            RequestedScopes::parse("Mail.Send").unwrap_err(),
            ScopeError::Unknown("Mail.Send".into())
        );
        assert!(RequestedScopes::parse("https://outlook.office.com/Mail.Read").is_err());
    }

    #[test]
    fn default_resolves_to_the_consented_set_or_user_read() {
        let s = RequestedScopes::parse("https://graph.microsoft.com/.default openid").unwrap();
        assert!(s.default);
        assert_eq!(s.graph_needed(&BTreeSet::new()), vec!["User.Read"]);
        let consented: BTreeSet<String> = ["Presence.ReadWrite".to_owned()].into();
        assert_eq!(s.graph_needed(&consented), vec!["Presence.ReadWrite"]);
    }

    #[test]
    fn the_response_scope_carries_the_graph_prefix_and_no_offline_access() {
        let text = response_scope(
            &["Presence.ReadWrite".into()],
            &["offline_access".into(), "openid".into(), "profile".into()],
        );
        assert_eq!(
            text,
            "https://graph.microsoft.com/Presence.ReadWrite openid profile"
        );
    }
}
