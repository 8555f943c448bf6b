//! Sign-in that finds a way (contract §5, §6): a tenant that disabled the default client refuses it (AADSTS7000112,
//! after the user signed in); the error says to use the organisation's own app, with the command that does it;
//! with that app's client id set, sign-in and `set` work.
// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{CLIENT_ID, Harness};
use presently_emulator::EmulatorConfig;
use presently_emulator::seed::{Client, Seed};

const OWN_APP: &str = "22222222-3333-4444-5555-666666666666";

#[tokio::test(flavor = "multi_thread")]
async fn a_tenant_blocking_the_default_client_leads_to_the_organisation_s_app_and_a_sign_in() {
    let mut seed = Seed::default();
    let tenant = seed.tenants[0].id.clone();
    seed.tenants[0].blocked_clients.push(CLIENT_ID.into());
    seed.clients.push(Client {
        client_id: OWN_APP.into(),
        name: "Contoso Presence".into(),
        public_client_flows: true,
        redirect_uris: vec!["http://localhost".into()],
        tenants: Some(vec![tenant]),
    });
    let h = Harness::start(EmulatorConfig {
        seed,
        auto_approve: Some(None),
        ..Default::default()
    })
    .await;

    let refused = h
        .run_with(&["--json", "login"], &[("BROWSER", "curl -fsSL")])
        .await;
    refused.expect(6);
    let json = refused.json();
    let error = &json["error"];
    assert_eq!(error["kind"], "configuration", "{json:#}");
    assert_eq!(error["action"]["type"], "useOrganisationApp", "{json:#}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("does not allow") && message.contains(CLIENT_ID),
        "{message}"
    );
    assert!(message.contains("presently config set client-id"), "{message}");

    let words = h.login_with_curl().await;
    words.expect(6);
    assert!(
        words.stderr.contains("Use my organisation's app")
            && words.stderr.contains("config set client-id ID"),
        "the action, in words: {}",
        words.stderr
    );

    h.run(&["config", "set", "client-id", OWN_APP]).await.expect(0);
    h.login_with_curl().await.expect(0);
    let set = h.run(&["--json", "set", "busy", "--for", "1h"]).await;
    set.expect(0);
    assert_eq!(set.json()["matches"], true);
}
