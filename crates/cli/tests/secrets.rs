//! No secret ever reaches the terminal: a full login, set, status (with a token refresh) and clear at trace
//! level print neither the access token, the refresh token (old or new) nor the authorization code, on
//! stdout or stderr (architecture convention 7).
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Choice, Harness};

#[tokio::test(flavor = "multi_thread")]
async fn a_traced_login_set_status_and_clear_never_print_a_token_or_the_code() {
    let h = Harness::auto_approving().await;
    let mut outputs = Vec::new();

    let (login, walk) = h.login_through_pages(&["-vvv"], Choice::Approve).await;
    login.expect(0);
    let redirect = walk.redirect.expect("the browser followed the redirect");
    let code = redirect
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("the redirect carried a code");
    assert!(code.len() > 20, "a real code");
    assert!(
        login.stderr.contains("TRACE") || login.stderr.contains("DEBUG"),
        "trace logging is on"
    );
    outputs.push(login);
    let first_access = h.saved_access_token();
    let first_refresh = h.saved_refresh_token();

    for args in [
        &["-vvv", "set", "dnd", "--for", "1h"][..],
        &["-vvv", "--json", "status"],
    ] {
        let run = h.run(args).await;
        run.expect(0);
        outputs.push(run);
    }
    // Let the access token expire so the next run refreshes (and rotates the refresh token) under trace.
    h.advance(2 * 3600).await;
    let run = h
        .run_with(&["-vvv", "status"], &[("PRESENTLY_LOG", "trace")])
        .await;
    run.expect(0);
    outputs.push(run);
    let run = h.run(&["-vvv", "clear"]).await;
    run.expect(0);
    outputs.push(run);
    assert_eq!(
        h.logged("refresh_token"),
        vec![200],
        "a refresh happened under trace"
    );
    let second_access = h.saved_access_token();
    let second_refresh = h.saved_refresh_token();
    assert_ne!(first_refresh, second_refresh);

    let secrets = [
        ("authorization code", code.as_str()),
        ("access token", first_access.as_str()),
        ("refresh token", first_refresh.as_str()),
        ("refreshed access token", second_access.as_str()),
        ("rotated refresh token", second_refresh.as_str()),
    ];
    for run in &outputs {
        let all = run.all();
        assert!(all.len() > 200, "the run printed something to check");
        for (what, secret) in secrets {
            // Any 24-character piece of it would be a leak too.
            let probe = &secret[secret.len() / 2..secret.len() / 2 + 24];
            assert!(!all.contains(secret), "the {what} appears in the output");
            assert!(!all.contains(probe), "part of the {what} appears in the output");
        }
    }
}
