//! The Microsoft identity platform, public-client side (contract §5 and §6): discovery, the sign-in pages,
//! `/authorize`, `/token`, `/devicecode`, `/adminconsent`, and the signed tokens Graph verifies.
//!
//! Map: [`keys`] signs; [`jwt`] mints and verifies access and id tokens (JWTs); [`state`] holds codes, refresh
//! tokens, device grants and open sign-in pages; `scopes` parses scopes and keeps consents; `directory` resolves
//! tenants, apps and redirect URIs; `discovery`, `authorize` and `token_endpoint` are the endpoints; `html` draws the
//! pages; `issue` builds token responses; `locked` runs a handler's step under the world's lock.
//!
//! Everything that expires follows the virtual clock. Secrets never reach the request log: handlers only note
//! the client id, the user's object id and the kind of request.

mod authorize;
mod directory;
mod discovery;
mod html;
mod issue;
pub mod jwt;
pub mod keys;
mod locked;
pub mod scopes;
pub mod state;
mod token_endpoint;

use axum::Router;
use axum::routing::{get, post};

pub use directory::TenantSel;
pub use discovery::openid_configuration_document;
pub use jwt::{AccessClaims, MintError, TokenRejection, mint_access_token, verify_access_token};
pub use token_endpoint::DEVICE_CODE_GRANT;

use crate::world::AppState;

/// Routes of the identity platform.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::jwks))
        .route("/{tenant}/discovery/keys", get(discovery::jwks))
        .route("/{tenant}/discovery/instance", get(discovery::instance))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route(
            "/{tenant}/oauth2/v2.0/authorize/decide",
            post(authorize::decide_in_tenant),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(token_endpoint::token).get(token_endpoint::token_get),
        )
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(token_endpoint::devicecode),
        )
        .route("/{tenant}/oauth2/v2.0/logout", get(authorize::logout))
        .route("/{tenant}/adminconsent", get(authorize::admin_consent))
        .route("/{tenant}/adminconsent/decide", post(authorize::decide_in_tenant))
        .route(
            "/devicelogin",
            get(authorize::device_login_page).post(authorize::device_login_submit),
        )
        .route("/devicelogin/decide", post(authorize::decide))
}
