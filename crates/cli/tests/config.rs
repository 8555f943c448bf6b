//! `config` and `doctor`: settings come from layers (defaults < managed file < user file < environment <
//! flags) with their sources; a change is checked before it is written and a broken file is never
//! overwritten; `doctor` reports files, settings, the unencrypted token store, endpoints, the account and the
//! scopes, and fails with the right exit code.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Harness;

#[tokio::test(flavor = "multi_thread")]
async fn config_set_writes_the_user_file_and_get_shows_the_value_and_its_source() {
    let h = Harness::auto_approving().await;
    let path = h.run(&["config", "path"]).await;
    path.expect(0);
    // Shown as the user knows the folder (on Windows the test's temporary folder is under the home folder).
    assert!(
        path.stdout
            .contains(&presently_core::wording::short_path(&h.settings_file())),
        "{}",
        path.stdout
    );

    h.run(&["config", "set", "workday-end", "18:15"]).await.expect(0);
    assert!(
        std::fs::read_to_string(h.settings_file())
            .unwrap()
            .contains("workday-end = \"18:15\"")
    );
    let get = h.run(&["--json", "config", "get", "workday_end"]).await;
    get.expect(0);
    let json = get.json();
    assert_eq!(json["value"], "18:15");
    assert_eq!(json["source"]["kind"], "user");

    // The managed file is below the user file; the environment and flags are above it.
    std::fs::write(h.managed_file(), "tenant = \"contoso.onmicrosoft.com\"\n").unwrap();
    let tenant = h.run(&["--json", "config", "get", "tenant"]).await.json();
    assert_eq!(tenant["value"], "contoso.onmicrosoft.com");
    assert_eq!(tenant["source"]["kind"], "managed");
    let set = h
        .run(&["--json", "config", "set", "tenant", "fabrikam.com"])
        .await;
    set.expect(0);
    assert_eq!(set.json()["effective"]["source"]["kind"], "user");
    let flagged = h
        .run(&["--json", "--tenant", "flag.example", "config", "get", "tenant"])
        .await
        .json();
    assert_eq!(flagged["source"]["kind"], "flag");
    let env = h
        .run_with(
            &["config", "set", "tenant", "other.com"],
            &[("PRESENTLY_TENANT", "env.example")],
        )
        .await;
    env.expect(0);
    assert!(
        env.stderr.contains("PRESENTLY_TENANT"),
        "the override is pointed out: {}",
        env.stderr
    );

    // The end of the working day from the settings decides "eod" (signed in to the emulator's tenant).
    h.run(&["config", "unset", "tenant"]).await.expect(0);
    std::fs::remove_file(h.managed_file()).unwrap();
    h.login_with_curl().await.expect(0);
    let set = h.run(&["--json", "set", "busy", "--preset", "eod"]).await;
    set.expect(0);
    let ends_at = common::ts(&set.json()["endsAt"]).to_zoned_datetime(jiff::tz::TimeZone::UTC);
    assert_eq!((ends_at.hour(), ends_at.minute()), (18, 15));

    h.run(&["config", "unset", "workday-end"]).await.expect(0);
    assert_eq!(
        h.run(&["--json", "config", "get", "workday-end"]).await.json()["value"],
        "17:30"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_change_is_refused_before_anything_is_written() {
    let h = Harness::auto_approving().await;
    std::fs::write(h.settings_file(), "# mine\nnotifications = false\n").unwrap();
    let before = std::fs::read(h.settings_file()).unwrap();
    for (args, expected) in [
        (&["config", "set", "client-id", "not-a-guid"][..], "client id"),
        (&["config", "set", "cloud", "china"], "no presence API"),
        (&["config", "set", "workday-end", "25:00"], "HH:MM"),
        (
            &["config", "set", "login-url", "http://example.com"],
            "plain http",
        ),
        (&["config", "set", "tennant", "x"], "unknown setting"),
    ] {
        let run = h.run(args).await;
        run.expect(2);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert_eq!(
            std::fs::read(h.settings_file()).unwrap(),
            before,
            "{args:?} touched the file"
        );
    }
}

#[cfg_attr(
    windows,
    ignore = "needs a computer without a credential store, which Windows never is (the Credential Manager answers under Wine too)"
)]
#[tokio::test(flavor = "multi_thread")]
async fn doctor_reports_each_check_and_warns_loudly_about_unencrypted_tokens() {
    let h = Harness::auto_approving().await;
    let before = h.run(&["--json", "doctor"]).await;
    before.expect(3);
    let json = before.json();
    assert_eq!(json["ok"], false);
    let checks = json["checks"].as_array().unwrap();
    let check = |name: &str| checks.iter().find(|c| c["name"] == name).cloned().unwrap();
    assert_eq!(check("sign-in")["status"], "fail");
    assert_eq!(check("sign-in service")["status"], "ok");
    assert_eq!(check("Microsoft Graph")["status"], "ok");
    assert_eq!(check("user settings file")["status"], "ok");
    // Without D-Bus there is no Secret Service, so on Linux the tokens fall back to the plain file; Windows always
    // has its Credential Manager (under Wine too), so there the key goes there and the tokens are encrypted.
    let fallback = cfg!(not(windows));
    if fallback {
        assert_eq!(check("token store")["status"], "warn");
        assert_eq!(json["tokenStore"]["kind"], "file");
    } else {
        assert_eq!(check("token store")["status"], "ok", "{json:#}");
        assert_eq!(json["tokenStore"]["kind"], "credentialStore", "{json:#}");
    }
    assert!(
        json["adminConsentUrl"]
            .as_str()
            .unwrap()
            .contains("/adminconsent?client_id=")
    );
    assert_eq!(json["settings"].as_array().unwrap().len(), 15);

    h.login_with_curl().await.expect(0);
    let text = h.run(&["doctor"]).await;
    text.expect(0);
    assert_eq!(
        text.stdout.contains("TOKENS ARE NOT ENCRYPTED"),
        fallback,
        "{}",
        text.stdout
    );
    assert_eq!(
        text.stderr.contains("warning: TOKENS ARE NOT ENCRYPTED"),
        fallback,
        "{}",
        text.stderr
    );
    assert!(
        text.stdout.contains("Granted scopes:") && text.stdout.contains("Presence.ReadWrite"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("signed in as Adele Vance"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("tenant = organizations  (default)"),
        "{}",
        text.stdout
    );
    let json = h.run(&["--json", "doctor"]).await.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["account"]["name"], "Adele Vance");
    assert!(
        json["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().ends_with("Presence.ReadWrite"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_names_a_broken_settings_file_and_still_checks_the_rest() {
    let h = Harness::auto_approving().await;
    std::fs::write(h.managed_file(), "tenant = [\n").unwrap();
    let run = h.run(&["--json", "doctor"]).await;
    run.expect(2);
    let json = run.json();
    let files = json["configFiles"].as_array().unwrap();
    let managed = files.iter().find(|f| f["role"] == "managed").unwrap();
    assert_eq!(managed["exists"], true);
    assert_eq!(managed["parses"], false);
    assert!(
        managed["error"]
            .as_str()
            .unwrap()
            .contains("managed.toml, line 1"),
        "{managed}"
    );
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["status"] == "skipped")
    );
}

#[cfg_attr(
    windows,
    ignore = "needs a computer without a credential store, which Windows never is (the Credential Manager answers under Wine too)"
)]
#[tokio::test(flavor = "multi_thread")]
async fn without_a_credential_store_tokens_stay_in_memory_unless_the_settings_choose_a_file() {
    let h = Harness::auto_approving().await;
    // The default setting (no Secret Service answers in this private environment).
    let default = [("PRESENTLY_TOKEN_STORE", "")];
    let doctor = h.run_with(&["--json", "doctor"], &default).await;
    let json = doctor.json();
    let checks = json["checks"].as_array().unwrap();
    let store = checks.iter().find(|c| c["name"] == "token store").unwrap();
    assert_eq!(store["status"], "warn", "{json}");
    assert_eq!(json["tokenStore"]["kind"], "memory");
    assert!(
        json["tokenStore"]["reason"]
            .as_str()
            .unwrap()
            .contains("token-store = \"file\""),
        "{json}"
    );
    h.run_with(&["login"], &[("BROWSER", "curl -fsSL"), default[0]])
        .await
        .expect(0);
    assert!(
        !h.token_file().exists(),
        "no plain token file unless the settings ask for it"
    );
    assert_eq!(std::fs::read_dir(h.data_dir()).map(|d| d.count()).unwrap_or(0), 0);
}
