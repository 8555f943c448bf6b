//! Browser sign-in (authorization code + PKCE on a loopback redirect, contract §5) against the emulator's real
//! pages, driven over HTTP by a fake browser that clicks as a person would.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{
    BrokenBrowser, Choice, FakeBrowser, client_for, client_with, emulator, emulator_with, first_user,
    graph_me, logged,
};
use presently_auth::{AuthConfig, AuthError, BrowserSignIn, CancellationToken, RefusalKind, UserAction};
use presently_emulator::Seed;

fn options() -> BrowserSignIn {
    BrowserSignIn {
        timeout: Duration::from_secs(120),
        ..BrowserSignIn::default()
    }
}

fn loopback_port(opened: &url::Url) -> u16 {
    let redirect = opened
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    url::Url::parse(&redirect).unwrap().port().unwrap()
}

#[tokio::test]
async fn signing_in_with_the_browser_follows_the_pages_and_returns_tokens_for_the_chosen_account() {
    let emu = emulator(false).await;
    let client = client_for(emu.base_url());
    let browser = FakeBrowser::new(Choice::Approve);
    let set = client
        .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
        .await
        .unwrap();

    let me = first_user();
    assert_eq!(set.account.oid, me.id);
    assert_eq!(set.account.tid, me.tenant_id);
    assert_eq!(set.account.username, me.user_principal_name);
    assert_eq!(set.account.name, me.display_name);
    assert!(set.refresh_token.is_some());
    assert!(set.has_scope("Presence.ReadWrite"));
    // The emulator issues 60–90 minute tokens (contract §5); expires_at follows expires_in, not an assumed hour.
    let life = set.lifetime().as_secs();
    assert!((3600..=5400).contains(&life), "{life}");
    assert_eq!(graph_me(emu.base_url(), &set.access_token).await, 200);

    let run = browser.finished().await;
    let (status, page) = run.final_page.unwrap();
    assert_eq!(status, 200);
    assert!(
        page.contains("You are signed in") && page.contains("Adele Vance"),
        "{page}"
    );

    let opened = run.opened.unwrap();
    let q: std::collections::HashMap<_, _> = opened.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(q["state"].len() >= 16);
    assert_eq!(q["client_id"], presently_auth::DEFAULT_CLIENT_ID);
    assert_eq!(
        q["redirect_uri"],
        format!("http://localhost:{}/", loopback_port(&opened))
    );
    assert_eq!(
        q["scope"],
        "https://graph.microsoft.com/Presence.ReadWrite https://graph.microsoft.com/User.Read offline_access openid profile"
    );
    assert!(opened.path().ends_with("/organizations/oauth2/v2.0/authorize"));
    assert_eq!(logged(&emu, "authorization_code"), vec![200]);
}

#[tokio::test]
async fn auto_approve_completes_the_sign_in_without_pages() {
    let emu = emulator(true).await;
    let browser = FakeBrowser::new(Choice::Approve);
    let set = client_for(emu.base_url())
        .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(set.account.oid, first_user().id);
}

#[tokio::test]
async fn a_redirect_carrying_another_state_gets_an_error_page_its_code_is_never_redeemed_and_the_wait_goes_on()
 {
    let emu = emulator(false).await;
    let browser = FakeBrowser::new(Choice::TamperState);
    let short = BrowserSignIn {
        timeout: Duration::from_secs(3),
        ..BrowserSignIn::default()
    };
    let err = client_for(emu.base_url())
        .sign_in_with_browser(&browser, &short, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::TimedOut(_)),
        "the forged answer did not end the sign-in: {err:?}"
    );
    let (status, page) = browser.finished().await.final_page.unwrap();
    assert_eq!(status, 400);
    assert!(page.contains("did not come from this sign-in"), "{page}");
    assert!(
        logged(&emu, "authorization_code").is_empty(),
        "a code from a forged redirect must not be redeemed"
    );
}

#[tokio::test]
async fn forged_redirects_with_a_wrong_or_missing_state_neither_end_nor_spoil_the_sign_in() {
    let emu = emulator(false).await;
    let browser = FakeBrowser::new(Choice::ForgeFirst);
    let set = client_for(emu.base_url())
        .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
        .await
        .expect("the real redirect still completes the sign-in");
    assert_eq!(set.account.oid, first_user().id);
    let run = browser.finished().await;
    assert_eq!(run.forged.len(), presently_testkit::pages::FORGED.len());
    for ((status, page), query) in run.forged.iter().zip(presently_testkit::pages::FORGED) {
        assert_eq!(*status, 400, "{query}");
        assert!(page.contains("did not come from this sign-in"), "{query}: {page}");
        assert!(
            !page.contains("forged-code"),
            "{query}: the page does not echo input"
        );
    }
    let (status, page) = run.final_page.unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("You are signed in"), "{page}");
    assert_eq!(
        logged(&emu, "authorization_code"),
        vec![200],
        "only the real code is redeemed"
    );
}

#[tokio::test]
async fn a_browser_that_follows_localhost_to_ipv6_reaches_the_listener() {
    let emu = emulator(false).await;
    let browser = FakeBrowser::new(Choice::ViaIpv6);
    let short = BrowserSignIn {
        timeout: Duration::from_secs(10),
        ..BrowserSignIn::default()
    };
    let set = client_for(emu.base_url())
        .sign_in_with_browser(&browser, &short, &CancellationToken::new())
        .await
        .expect("the redirect over [::1] completes the sign-in");
    assert_eq!(set.account.oid, first_user().id);
    let run = browser.finished().await;
    assert_eq!(run.redirect.unwrap().host_str(), Some("[::1]"));
    assert_eq!(run.final_page.unwrap().0, 200);
}

#[tokio::test]
async fn declining_on_the_sign_in_page_ends_with_the_declined_action_and_a_plain_page() {
    let emu = emulator(false).await;
    let browser = FakeBrowser::new(Choice::Decline);
    let err = client_for(emu.base_url())
        .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.refusal_kind(), Some(RefusalKind::Declined), "{err:?}");
    assert_eq!(err.action(), UserAction::Declined);
    assert_eq!(err.refusal().unwrap().code(), Some(65004));
    let (_, page) = browser.finished().await.final_page.unwrap();
    assert!(page.contains("declined"), "{page}");
    assert!(!page.contains("AADSTS"), "the page speaks plain words: {page}");
}

#[tokio::test]
async fn a_tenant_that_requires_admin_consent_ends_with_the_admin_consent_url_to_send() {
    let mut seed = Seed::default();
    seed.tenants[0].requires_admin_consent = true;
    let emu = emulator_with(seed, false).await;
    let config = AuthConfig::with_login_base(emu.base_url());
    let browser = FakeBrowser::new(Choice::BackFromAdminPage);
    let err = client_with(config.clone())
        .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.refusal_kind(),
        Some(RefusalKind::AdminConsentRequired),
        "{err:?}"
    );
    let expected = config.admin_consent_url().unwrap();
    assert_eq!(
        expected.as_str(),
        format!(
            "{}/organizations/adminconsent?client_id={}",
            emu.base_url(),
            presently_auth::DEFAULT_CLIENT_ID
        )
    );
    assert_eq!(
        err.action(),
        UserAction::AskAdmin {
            admin_consent_url: expected.clone()
        }
    );
    assert!(err.to_string().contains(expected.as_str()), "{err}");
    let (_, page) = browser.finished().await.final_page.unwrap();
    assert!(
        page.contains(&format!(
            "<a href=\"{}\"",
            expected.as_str().replace('&', "&amp;")
        )),
        "{page}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_person_who_never_comes_back_times_out_and_the_listener_closes() {
    let emu = emulator(false).await;
    let browser = FakeBrowser::new(Choice::Ignore);
    let err = client_for(emu.base_url())
        .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::TimedOut(d) if d == Duration::from_secs(120)),
        "{err:?}"
    );
    assert!(err.to_string().contains("2 minutes"), "{err}");
    let port = loopback_port(&browser.run().opened.unwrap());
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

#[tokio::test]
async fn cancelling_stops_the_wait_and_closes_the_listener() {
    let emu = emulator(false).await;
    let client = client_for(emu.base_url());
    let browser = FakeBrowser::new(Choice::Ignore);
    let cancel = CancellationToken::new();
    let task = {
        let (client, browser, cancel) = (client.clone(), browser.clone(), cancel.clone());
        tokio::spawn(async move { client.sign_in_with_browser(&browser, &options(), &cancel).await })
    };
    let port = loop {
        if let Some(url) = browser.run().opened {
            break loopback_port(&url);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok(),
        "listening while waiting"
    );
    cancel.cancel();
    let err = task.await.unwrap().unwrap_err();
    assert!(matches!(err, AuthError::Cancelled), "{err:?}");
    assert_eq!(err.action(), UserAction::Nothing);
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

#[tokio::test]
async fn dropping_the_sign_in_future_closes_the_listener() {
    let emu = emulator(false).await;
    let client = client_for(emu.base_url());
    let browser = FakeBrowser::new(Choice::Ignore);
    let task = {
        let (client, browser) = (client.clone(), browser.clone());
        tokio::spawn(async move {
            client
                .sign_in_with_browser(&browser, &options(), &CancellationToken::new())
                .await
        })
    };
    let port = loop {
        if let Some(url) = browser.run().opened {
            break loopback_port(&url);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err());
}

#[tokio::test]
async fn a_browser_that_cannot_be_opened_is_a_typed_error() {
    let emu = emulator(false).await;
    let err = client_for(emu.base_url())
        .sign_in_with_browser(&BrokenBrowser, &options(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::Browser(ref why) if why == "no display"),
        "{err:?}"
    );
}

#[test]
fn the_china_cloud_is_refused_before_anything_is_sent() {
    let config = AuthConfig {
        cloud: presently_auth::Cloud::China,
        ..AuthConfig::default()
    };
    let err = presently_auth::AuthClient::new(
        config,
        common::http(),
        std::sync::Arc::new(presently_auth::SystemClock),
    )
    .unwrap_err();
    assert_eq!(err, presently_auth::ConfigError::CloudWithoutPresence);
    assert!(err.to_string().contains("no presence API"));
}
