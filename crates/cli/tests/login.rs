//! Signing in with the real binary, every way (contract §5): the browser through `BROWSER`, the browser by a
//! person on the emulator's pages, and a device code approved on `/devicelogin`; then `whoami` and `logout`.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADELE, Choice, Harness};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn login_opens_the_browser_command_and_says_who_signed_in_and_where_tokens_are() {
    let h = Harness::auto_approving().await;
    let run = h.login_with_curl().await;
    run.expect(0);
    assert!(
        run.stdout
            .contains("Signed in as Adele Vance <adele.vance@contoso.onmicrosoft.com>"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("(tenant 8f2c4a1e-5b6d-4c3e-9a7f-1d2e3f4a5b6c)"),
        "{}",
        run.stdout
    );
    let kept = if cfg!(windows) {
        "tokens kept in the system credential store"
    } else {
        "tokens kept in a plain file (not encrypted)"
    };
    assert!(run.stdout.contains(kept), "{}", run.stdout);
    // The address is printed too, in case no browser opens.
    assert!(
        run.stderr
            .contains(&format!("{}/organizations/oauth2/v2.0/authorize?", h.base())),
        "{}",
        run.stderr
    );
    assert!(h.token_file().exists());
    assert_eq!(h.logged("authorization_code"), vec![200]);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_without_a_browser_waits_for_the_person_to_approve_on_the_pages() {
    let h = Harness::with_pages().await;
    let (run, walk) = h.login_through_pages(&[], Choice::Approve).await;
    run.expect(0);
    assert!(run.stdout.contains("Signed in as Adele Vance"), "{}", run.stdout);
    let (status, page) = walk.final_page.expect("the loopback page");
    assert_eq!(status, 200, "{page}");
    let whoami = h.run(&["--json", "whoami"]).await;
    whoami.expect(0);
    assert_eq!(whoami.json()["account"]["oid"], ADELE);
}

#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_device_code_prints_the_code_and_finishes_once_it_is_approved() {
    let h = Harness::with_pages().await;
    // Poll every second instead of five, so the test is quick; the CLI follows the server's interval.
    h.patch_settings(json!({ "deviceIntervalSecs": 1 })).await;
    let run = h.login_with_device_code(&["--json"]).await;
    run.expect(0);
    assert!(
        run.stderr
            .contains("To sign in, use a web browser to open the page"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{}/devicelogin", h.base())),
        "{}",
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["method"], "deviceCode");
    assert_eq!(json["account"]["username"], "adele.vance@contoso.onmicrosoft.com");
    // Linux without D-Bus falls back to the plain file; Windows has its Credential Manager.
    let (kind, secure, file) = if cfg!(windows) {
        ("credentialStore", true, "tokens.enc")
    } else {
        ("file", false, "tokens.json")
    };
    assert_eq!(json["tokenStore"]["kind"], kind);
    assert_eq!(json["tokenStore"]["secure"], secure);
    assert!(
        json["tokenStore"]["reason"].as_str().unwrap().contains(file),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_exits_3_when_nobody_is_signed_in_and_logout_forgets_the_sign_in() {
    let h = Harness::auto_approving().await;
    let before = h.run(&["whoami"]).await;
    before.expect(3);
    assert!(before.stdout.contains("Not signed in"), "{}", before.stdout);

    h.login_with_curl().await.expect(0);
    h.run(&["whoami"]).await.expect(0);
    h.run(&["set", "busy", "--for", "30m"]).await.expect(0);
    assert!(h.data_dir().join("cli-last-set.json").exists());

    let out = h.run(&["--json", "logout"]).await;
    out.expect(0);
    let json = out.json();
    assert_eq!(json["signedOut"], true);
    assert_eq!(json["account"]["oid"], ADELE);
    assert!(!h.token_file().exists(), "the token file is gone");
    assert!(
        !h.data_dir().join("cli-last-set.json").exists(),
        "the last-set record is gone"
    );
    // Logging out sends nothing to Microsoft: the pin stays.
    assert_eq!(h.presence().await["pin"]["availability"], "Busy");
    h.run(&["whoami"]).await.expect(3);
    let again = h.run(&["logout"]).await;
    again.expect(0);
    assert!(again.stdout.contains("Nobody was signed in"), "{}", again.stdout);
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    windows,
    ignore = "damages the plain token file, Linux's fallback store; Windows uses the Credential Manager, whose \
              damaged envelope presently-auth's store tests cover"
)]
async fn a_corrupt_token_file_is_a_sign_in_problem_left_untouched_and_login_replaces_it() {
    let h = Harness::auto_approving().await;
    std::fs::create_dir_all(h.data_dir()).unwrap();
    std::fs::write(h.token_file(), b"{ this is not a token set").unwrap();
    for args in [&["status"][..], &["set", "dnd", "--for", "1h"], &["whoami"]] {
        let run = h.run(args).await;
        run.expect(3);
        assert!(run.stderr.contains("damaged"), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(
            std::fs::read(h.token_file()).unwrap(),
            b"{ this is not a token set"
        );
    }
    let login = h.login_with_curl().await;
    login.expect(0);
    assert!(login.stderr.contains("damaged"), "{}", login.stderr);
    assert!(h.saved_tokens()["tokens"]["accessToken"].is_string());
    h.run(&["whoami"]).await.expect(0);
}
