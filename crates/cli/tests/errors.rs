//! What goes wrong, and what the user is told: throttling and outages (contract §4: retried, bounded, exit 5),
//! every identity-platform refusal of contract §5 with its action text and exit code, and bad input (exit 2,
//! no panic, no file touched).
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADELE, Choice, Harness, Run, TOKEN_PATH, read};
use presently_emulator::Seed;
use presently_emulator::seed::Client;
use serde_json::json;

async fn signed_in() -> Harness {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    h
}

fn set_path() -> String {
    format!("/v1.0/users/{ADELE}/presence/setUserPreferredPresence")
}

/// The `--json` error object of a run that failed with `code`.
#[track_caller]
fn error_of(run: &Run, code: i32) -> serde_json::Value {
    run.expect(code);
    let json = run.json();
    assert!(json["error"].is_object(), "{json}");
    json["error"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_write_is_retried_after_retry_after_and_succeeds() {
    let h = signed_in().await;
    h.fault(json!({
        "path": set_path(), "method": "POST", "count": 2,
        "fault": { "kind": "status", "status": 429, "retryAfter": 1 }
    }))
    .await;
    let started = std::time::Instant::now();
    let run = h.run(&["--json", "set", "busy", "--for", "1h"]).await;
    run.expect(0);
    assert_eq!(run.json()["matches"], true);
    assert_eq!(h.logged_path(&set_path()), vec![429, 429, 200]);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "Retry-After was honoured (two waits of 1 s)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_that_outlasts_the_retries_exits_5_with_a_retry_hint() {
    let h = signed_in().await;
    h.fault(json!({
        "path": set_path(), "method": "POST", "count": 10,
        "fault": { "kind": "status", "status": 429, "retryAfter": 0 }
    }))
    .await;
    let run = h.run(&["--json", "set", "busy", "--for", "1h"]).await;
    let error = error_of(&run, 5);
    assert_eq!(error["kind"], "throttled");
    assert_eq!(error["action"]["type"], "retry");
    assert!(error["retryInSecs"].is_u64(), "{error}");
    assert_eq!(
        h.logged_path(&set_path()),
        vec![429; 4],
        "one attempt and three retries (contract §4)"
    );
    let text = h.run(&["set", "busy", "--for", "1h"]).await;
    text.expect(5);
    assert!(text.stderr.contains("throttling"), "{}", text.stderr);
    assert!(text.stderr.contains("Try again"), "{}", text.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storm_of_503_is_bounded_to_four_attempts_and_exits_5() {
    let h = signed_in().await;
    h.fault(json!({
        "path": "/v1.0/", "match": "prefix", "count": 1000,
        "fault": { "kind": "status", "status": 503, "retryAfter": 0 }
    }))
    .await;
    let run = h.run(&["--json", "status"]).await;
    let error = error_of(&run, 5);
    assert_eq!(error["kind"], "throttled");
    assert!(
        error["message"].as_str().unwrap().contains("unavailable"),
        "{error}"
    );
    assert_eq!(h.logged_path("/presence"), vec![503; 4]);
    let faults = h.get("/_emulator/faults").await;
    assert_eq!(faults["faults"][0]["fired"], 4, "{faults}");
}

/// Signs in, makes the next token request fail with AADSTS `code`, and forces a refresh by letting the
/// access token expire; returns the failed `set`.
async fn refresh_refused_with(code: u32) -> (Harness, Run) {
    let h = signed_in().await;
    h.identity_fault(code, 10, Some(0)).await;
    h.advance(2 * 3600).await;
    let run = h.run(&["--json", "set", "dnd", "--for", "1h"]).await;
    (h, run)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_refresh_token_70008_asks_to_sign_in_again_with_exit_3() {
    let (h, run) = refresh_refused_with(70008).await;
    let error = error_of(&run, 3);
    assert_eq!(error["kind"], "signInRequired");
    assert_eq!(error["action"]["type"], "signIn");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("Adele Vance")
            && message.contains("must sign in again. Your saved sign-in has expired."),
        "{message}"
    );
    assert_eq!(
        message.to_lowercase().matches("sign in again").count(),
        1,
        "{message}"
    );
    assert_eq!(
        h.run(&["whoami"]).await.code,
        3,
        "the sign-in-required state was saved"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_token_unused_for_90_days_700082_asks_to_sign_in_again_with_exit_3() {
    let (_h, run) = refresh_refused_with(700082).await;
    let error = error_of(&run, 3);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("not used for 90 days"),
        "{error}"
    );
    assert_eq!(error["action"]["type"], "signIn");
}

#[tokio::test(flavor = "multi_thread")]
async fn multi_factor_authentication_50076_asks_for_the_browser_with_exit_3() {
    let (_h, run) = refresh_refused_with(50076).await;
    let error = error_of(&run, 3);
    assert_eq!(error["action"]["type"], "signInWithBrowser");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("multi-factor authentication"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_service_that_stays_temporarily_unavailable_exits_5() {
    let (h, run) = refresh_refused_with(90006).await;
    let error = error_of(&run, 5);
    assert_eq!(error["kind"], "throttled");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("temporarily unavailable"),
        "{error}"
    );
    let refreshes = h.logged_path(TOKEN_PATH);
    assert!(refreshes.len() <= 1 + 4, "bounded: {refreshes:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_requiring_admin_approval_90094_exits_4_with_the_admin_consent_url() {
    let mut seed = Seed::default();
    seed.tenants[0].requires_admin_consent = true;
    let h = Harness::with_seed(seed).await;
    let (run, walk) = h
        .login_through_pages(&["--json"], Choice::BackFromAdminPage)
        .await;
    assert!(walk.redirect.is_some(), "the browser came back to Presently");
    let error = error_of(&run, 4);
    assert_eq!(error["kind"], "consentRequired");
    let url = error["action"]["url"].as_str().unwrap();
    assert!(
        url.ends_with(&format!("/adminconsent?client_id={}", common::CLIENT_ID)),
        "{url}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("administrator"),
        "{error}"
    );

    let text = h.login_through_pages(&[], Choice::BackFromAdminPage).await.0;
    text.expect(4);
    assert!(text.stderr.contains("Ask an administrator"), "{}", text.stderr);
    let consent = h.run(&["consent-url"]).await;
    consent.expect(0);
    assert_eq!(consent.stdout.trim(), url);
}

#[tokio::test(flavor = "multi_thread")]
async fn device_code_with_public_client_flows_off_7000218_exits_6_naming_the_registration() {
    let own_app = "11111111-2222-3333-4444-555555555555";
    let mut seed = Seed::default();
    seed.clients.push(Client {
        client_id: own_app.into(),
        name: "Contoso Presence".into(),
        public_client_flows: false,
        redirect_uris: vec!["http://localhost".into()],
        tenants: None,
    });
    let h = Harness::with_seed(seed).await;
    h.patch_settings(json!({ "deviceIntervalSecs": 1 })).await;
    let run = h
        .login_with_device_code(&["--json", "--client-id", own_app])
        .await;
    let error = error_of(&run, 6);
    assert_eq!(error["kind"], "configuration");
    assert_eq!(error["action"]["type"], "openSettings");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(own_app) && message.contains("Allow public client flows"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_with_a_clear_message_and_touches_nothing() {
    let h = signed_in().await;
    std::fs::write(h.settings_file(), "workday-end = \"17:00\"\n").unwrap();
    let tokens_before = read(&h.token_file());
    let settings_before = read(&h.settings_file());
    let cases: [(&[&str], &str); 7] = [
        (
            &["set", "sleepy"],
            "unknown status \"sleepy\": expected one of available, busy, dnd, brb, away, offline",
        ),
        (&["set", "busy", "--for", "-5m"], "is negative"),
        (&["set", "busy", "--until", "yesterday"], "in the past"),
        (&["set", "busy", "--preset", "fortnight"], "unknown preset"),
        (
            &["set", "busy", "--for", "1h", "--until", "17:00"],
            "cannot be used with",
        ),
        (&["set"], "STATUS"),
        (&["--client-id", "not-a-guid", "status"], "--client-id"),
    ];
    for (args, expected) in cases {
        let run = h.run(args).await;
        run.expect(2);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}");
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(args);
        let run = h.run(&json_args).await;
        let error = error_of(&run, 2);
        assert_eq!(error["kind"], "invalidChoice", "{args:?}");
    }
    assert_eq!(read(&h.token_file()), tokens_before);
    assert_eq!(read(&h.settings_file()), settings_before);
    assert!(
        h.logged_path("/presence/setUserPreferredPresence").is_empty(),
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_garbage_settings_file_stops_every_command_with_its_line_and_is_left_alone() {
    let h = signed_in().await;
    let garbage = "tenant = \"contoso.com\"\nworkday-end = 25\n[[[\n";
    std::fs::write(h.settings_file(), garbage).unwrap();
    for args in [
        &["status"][..],
        &["set", "busy"],
        &["config", "get"],
        &["config", "set", "tenant", "x.com"],
    ] {
        let run = h.run(args).await;
        run.expect(2);
        assert!(
            run.stderr.contains("settings.toml, line"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{args:?}");
    }
    assert_eq!(std::fs::read_to_string(h.settings_file()).unwrap(), garbage);
}
