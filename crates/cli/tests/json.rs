//! `--json` is a stable interface (docs/cli.md): every command prints exactly one JSON object on stdout with
//! the documented camelCase fields, errors included, and never a secret.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADELE, Harness, Run};
use serde_json::Value;

/// Asserts that `json` has each of `fields` (present, possibly null).
#[track_caller]
fn has_fields(json: &Value, fields: &[&str]) {
    for field in fields {
        assert!(json.get(*field).is_some(), "missing {field} in {json}");
    }
}

/// Asserts no field name contains an underscore (camelCase everywhere), recursively.
fn camel_case(json: &Value) {
    match json {
        Value::Object(map) => {
            for (key, value) in map {
                assert!(!key.contains('_'), "not camelCase: {key}");
                camel_case(value);
            }
        }
        Value::Array(items) => items.iter().for_each(camel_case),
        _ => {}
    }
}

#[track_caller]
fn object(run: &Run, code: i32) -> Value {
    run.expect(code);
    let json = run.json();
    camel_case(&json);
    json
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_prints_one_documented_json_object() {
    let h = Harness::auto_approving().await;

    // Before signing in: whoami and status say so in their own shapes.
    let whoami = object(&h.run(&["--json", "whoami"]).await, 3);
    has_fields(
        &whoami,
        &[
            "signedIn",
            "signInRequired",
            "account",
            "accessTokenExpiresAt",
            "tokenStore",
        ],
    );
    assert_eq!(whoami["signedIn"], false);
    let status = object(&h.run(&["--json", "status"]).await, 3);
    has_fields(&status["error"], &["kind", "message", "action", "retryInSecs"]);

    let login = object(
        &h.run_with(&["--json", "login"], &[("BROWSER", "curl -fsSL")])
            .await,
        0,
    );
    has_fields(&login, &["account", "method", "tokenStore", "warnings"]);
    has_fields(&login["account"], &["name", "username", "oid", "tenantId"]);
    has_fields(&login["tokenStore"], &["kind", "secure", "location", "reason"]);
    assert_eq!(login["method"], "browser");
    assert_eq!(login["account"]["oid"], ADELE);

    let whoami = object(&h.run(&["--json", "whoami"]).await, 0);
    assert_eq!(whoami["signedIn"], true);
    assert!(whoami["accessTokenExpiresAt"].is_string());

    let set = object(&h.run(&["--json", "set", "dnd", "--preset", "eod"]).await, 0);
    has_fields(
        &set,
        &[
            "status",
            "statusName",
            "duration",
            "until",
            "endsAt",
            "setAt",
            "expirationDuration",
            "pinExpiresAt",
            "session",
            "graph",
            "matches",
            "mode",
            "keeperRunning",
            "warnings",
        ],
    );
    has_fields(
        &set["session"],
        &["availability", "activity", "expirationDuration", "expiresAt"],
    );
    assert_eq!(set["until"]["kind"], "at");
    assert_eq!(set["statusName"], "Do not disturb");

    let status = object(&h.run(&["--json", "status"]).await, 0);
    has_fields(
        &status,
        &[
            "account",
            "graph",
            "mode",
            "keeperRunning",
            "presently",
            "warnings",
        ],
    );
    has_fields(
        &status["presently"],
        &[
            "status",
            "statusName",
            "until",
            "endsAt",
            "setAt",
            "active",
            "pinExpiresAt",
            "sessionExpiresAt",
            "sessionAlive",
            "shownByGraph",
        ],
    );

    let clear = object(&h.run(&["--json", "clear"]).await, 0);
    has_fields(
        &clear,
        &["cleared", "sessionCleared", "graph", "mode", "warnings"],
    );

    let message = object(&h.run(&["--json", "message", "Back at 3"]).await, 0);
    has_fields(&message, &["message", "mode"]);
    has_fields(&message["message"], &["text", "expiresAt"]);

    let doctor = object(&h.run(&["--json", "doctor"]).await, 0);
    has_fields(
        &doctor,
        &[
            "ok",
            "checks",
            "configFiles",
            "settings",
            "tokenStore",
            "endpoints",
            "account",
            "scopes",
            "adminConsentUrl",
        ],
    );
    assert_eq!(doctor["ok"], true, "{doctor}");
    for check in doctor["checks"].as_array().unwrap() {
        has_fields(check, &["name", "status", "detail"]);
    }

    let path = object(&h.run(&["--json", "config", "path"]).await, 0);
    has_fields(&path["user"], &["path", "exists"]);
    has_fields(&path["managed"], &["path", "exists"]);
    let all = object(&h.run(&["--json", "config", "get"]).await, 0);
    has_fields(&all, &["settings", "userFile", "managedFile"]);
    assert_eq!(all["settings"].as_array().unwrap().len(), 15);
    let one = object(&h.run(&["--json", "config", "get", "workday-end"]).await, 0);
    has_fields(&one, &["key", "value", "source"]);
    assert_eq!(one["source"]["kind"], "default");
    let set_config = object(
        &h.run(&["--json", "config", "set", "workday-end", "18:00"]).await,
        0,
    );
    has_fields(&set_config, &["key", "value", "file", "effective", "warnings"]);
    let unset = object(&h.run(&["--json", "config", "unset", "workday-end"]).await, 0);
    assert!(unset["value"].is_null());

    let consent = object(&h.run(&["--json", "consent-url"]).await, 0);
    has_fields(&consent, &["adminConsentUrl", "tenant", "clientId"]);

    let bad = object(&h.run(&["--json", "set", "sleepy"]).await, 2);
    assert_eq!(bad["error"]["kind"], "invalidChoice");
    let usage = object(&h.run(&["--json", "frobnicate"]).await, 2);
    assert!(
        usage["error"]["message"].as_str().unwrap().contains("frobnicate"),
        "{usage}"
    );

    let logout = object(&h.run(&["--json", "logout"]).await, 0);
    has_fields(&logout, &["signedOut", "account", "warnings"]);
}
