//! Tokens across runs of the binary (contract §5 "Tokens"): an access token that expired between runs is
//! refreshed without the user seeing anything; each refresh's rotated refresh token is saved at once, so the
//! next process continues and the spent one is refused; a revoked sign-in stops with exit 3, "sign in again",
//! and the account still named.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Harness, TOKEN_PATH};
use serde_json::json;

async fn signed_in() -> Harness {
    let h = Harness::auto_approving().await;
    h.login_with_curl().await.expect(0);
    h
}

#[tokio::test(flavor = "multi_thread")]
async fn an_access_token_that_expired_between_runs_is_refreshed_without_the_user_seeing_an_error() {
    let h = signed_in().await;
    h.run(&["set", "busy", "--for", "1h"]).await.expect(0);
    let old = h.saved_access_token();
    // Past the longest access-token life (90 min): Graph refuses the saved token.
    h.advance(2 * 3600).await;
    let run = h.run(&["--json", "status"]).await;
    run.expect(0);
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert_eq!(
        run.json()["graph"]["availability"],
        "Offline",
        "the 1 h pin has ended by now"
    );
    assert_eq!(h.logged("refresh_token"), vec![200], "one silent refresh");
    assert_ne!(h.saved_access_token(), old, "the new token was saved");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rotated_refresh_token_is_saved_so_a_second_process_continues_and_the_old_one_is_refused() {
    let h = signed_in().await;
    let first = h.saved_refresh_token();
    h.advance(2 * 3600).await;
    h.run(&["status"]).await.expect(0);
    let second = h.saved_refresh_token();
    assert_ne!(
        first, second,
        "the refresh token rotated and the new one is on disk"
    );

    h.advance(2 * 3600).await;
    h.run(&["set", "dnd", "--for", "30m"]).await.expect(0);
    assert_eq!(h.logged("refresh_token"), vec![200, 200]);
    assert_ne!(h.saved_refresh_token(), second);

    // The spent refresh token no longer works at the identity platform.
    let response = h
        .http
        .post(format!("{}{TOKEN_PATH}", h.base()))
        .form(&[
            ("client_id", common::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", first.as_str()),
            (
                "scope",
                "https://graph.microsoft.com/Presence.ReadWrite offline_access",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_sign_in_exits_3_saying_sign_in_again_and_naming_the_account() {
    let h = signed_in().await;
    h.post(&format!("/_emulator/users/{}/revoke", common::ADELE), json!({}))
        .await;
    h.advance(2 * 3600).await;
    let run = h.run(&["set", "away", "--for", "1h"]).await;
    run.expect(3);
    assert!(run.stderr.contains("Adele Vance"), "{}", run.stderr);
    assert!(
        run.stderr.to_lowercase().contains("sign in again"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("presently login"), "{}", run.stderr);

    let json = h.run(&["--json", "status"]).await;
    json.expect(3);
    let error = &json.json()["error"];
    assert_eq!(error["kind"], "signInRequired");
    assert_eq!(error["action"]["type"], "signIn");
    assert!(
        error["message"].as_str().unwrap().contains("Adele Vance"),
        "{error}"
    );

    // The account is remembered for the next sign-in.
    let whoami = h.run(&["--json", "whoami"]).await;
    whoami.expect(3);
    assert_eq!(whoami.json()["account"]["name"], "Adele Vance");
    assert_eq!(whoami.json()["signInRequired"], true);
    h.login_with_curl().await.expect(0);
    h.run(&["set", "away", "--for", "1h"]).await.expect(0);
}
