//! The live "what colleagues see" page at `/`, shown beside the tray app in the demo.
//!
//! Per user it shows the presence colleagues see (in Teams' colours), the pin and every session with live
//! countdowns and fade stages, and a feed of the requests clients make, all fed by the server-sent events of
//! `GET /_emulator/events` (see `control::events`). The assets are compiled into the binary with `include_str!`
//! and served same-origin under a strict `Content-Security-Policy`: no inline script or style, nothing from
//! another origin; the script only ever writes server data with `textContent`.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::world::AppState;

/// The policy every page response carries: same-origin everything, no inline code, no framing, no forms.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

const INDEX_HTML: &str = include_str!("index.html");
const PAGE_CSS: &str = include_str!("page.css");
const PAGE_JS: &str = include_str!("page.js");
const FAVICON_SVG: &str = include_str!("favicon.svg");

/// Routes of the page: `/`, `/assets/page.css`, `/assets/page.js`, `/assets/favicon.svg`, `/favicon.ico`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }),
        )
        .route(
            "/assets/page.css",
            get(|| async { asset(PAGE_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/page.js",
            get(|| async { asset(PAGE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/assets/favicon.svg",
            get(|| async { asset(FAVICON_SVG, "image/svg+xml") }),
        )
        .route(
            "/favicon.ico",
            get(|| async { asset(FAVICON_SVG, "image/svg+xml") }),
        )
}

/// An embedded asset with the page's security headers.
fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The assets change with the binary; always revalidate so a rebuilt emulator never serves a stale script.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
