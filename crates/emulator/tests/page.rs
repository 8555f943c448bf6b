//! The live "what colleagues see" page: served same-origin with a strict Content-Security-Policy.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use presently_emulator::{Emulator, EmulatorConfig};
use reqwest::StatusCode;

async fn fetch(path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = client
        .get(format!("{}{path}", emulator.base_url()))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .to_str()
        .unwrap()
}

fn assert_strict_policy(headers: &reqwest::header::HeaderMap) {
    let csp = header(headers, "content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert!(!csp.contains("http"), "no other origin may be allowed: {csp}");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn the_page_is_html_under_a_strict_policy_and_loads_only_same_origin_assets() {
    let (status, headers, body) = fetch("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert_strict_policy(&headers);
    assert!(body.contains(r#"<script src="/assets/page.js" defer></script>"#));
    assert!(body.contains(r#"href="/assets/page.css""#));
    // No inline script or style that the policy would block, and nothing from another origin.
    assert_eq!(body.matches("<script").count(), 1, "only the external script");
    assert!(!body.contains("<style"));
    assert!(!body.contains("style=\""));
    assert!(!body.contains("onclick") && !body.contains("onload"));
    assert!(!body.contains("https://") && !body.contains("http://"));
    // Status changes are announced to assistive technology.
    assert!(body.contains("aria-live"));
    assert!(body.contains(r#"<html lang="en">"#));
}

#[tokio::test]
async fn the_script_is_served_as_javascript_and_never_writes_html_from_data() {
    let (status, headers, body) = fetch("/assets/page.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert_strict_policy(&headers);
    assert!(body.contains("new EventSource('/_emulator/events')"));
    for risky in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!body.contains(risky), "page.js uses {risky}");
    }
}

#[tokio::test]
async fn the_stylesheet_supports_light_and_dark() {
    let (status, headers, body) = fetch("/assets/page.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(header(&headers, "content-type").starts_with("text/css"));
    assert_strict_policy(&headers);
    assert!(body.contains("prefers-color-scheme: dark"));
    assert!(!body.contains("@import") && !body.contains("url(http"));
}

#[tokio::test]
async fn the_icon_is_served_same_origin() {
    let (status, headers, body) = fetch("/assets/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-type"), "image/svg+xml");
    assert!(body.starts_with("<svg"));
    let (status, _, _) = fetch("/favicon.ico").await;
    assert_eq!(status, StatusCode::OK);
}
