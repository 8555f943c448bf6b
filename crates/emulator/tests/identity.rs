//! The identity platform (contract §5 and §6), spoken to over HTTP the way a browser and a public client would:
//! the sign-in pages are driven by posting their forms, tokens are redeemed at `/token`, time is the virtual
//! clock. One test per contract rule.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use presently_emulator::identity::{TokenRejection, verify_access_token};
use presently_emulator::seed::Seed;
use presently_emulator::{DEFAULT_CLIENT_ID, Emulator, EmulatorConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ADELE: &str = "3c5e7a9b-1d2f-4a6b-8c0d-2e4f6a8b0c1d";
const ADELE_UPN: &str = "adele.vance@contoso.onmicrosoft.com";
const TENANT: &str = "8f2c4a1e-5b6d-4c3e-9a7f-1d2e3f4a5b6c";
const REDIRECT: &str = "http://localhost:53682/";
const SCOPES: &str = "https://graph.microsoft.com/Presence.ReadWrite offline_access openid profile";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

struct Env {
    emulator: Emulator,
    http: reqwest::Client,
}

impl Env {
    async fn start() -> Self {
        Self::start_with(Seed::default(), None).await
    }

    async fn start_with(seed: Seed, auto_approve: Option<Option<String>>) -> Self {
        let emulator = Emulator::start(EmulatorConfig {
            seed,
            auto_approve,
            ..Default::default()
        })
        .await
        .expect("emulator starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client builds");
        Self { emulator, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.base_url())
    }

    fn advance(&self, secs: u64) {
        self.emulator.clock().advance(Duration::from_secs(secs));
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET answered")
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST answered")
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self.post_form("/organizations/oauth2/v2.0/token", form).await;
        let status = resp.status();
        (status, resp.json().await.expect("JSON body"))
    }

    async fn control(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("POST answered");
        let status = resp.status();
        (status, resp.json().await.expect("JSON body"))
    }

    /// Starts an authorization-code sign-in and returns the account picker's HTML.
    async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let query = serde_urlencoded::to_string(params).unwrap();
        self.get(&format!("/organizations/oauth2/v2.0/authorize?{query}"))
            .await
    }

    /// Posts a page's form: `request` is taken from the page, plus `action` and the extra fields.
    async fn decide(&self, page: &str, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let request = hidden_request(page);
        let mut form = vec![("request", request.as_str())];
        form.extend_from_slice(fields);
        self.post_form(path, &form).await
    }

    /// A full sign-in as `user` through the pages, accepting consent if asked; returns the redirect's query.
    async fn sign_in(&self, challenge: &str, scope: &str, user: &str) -> HashMap<String, String> {
        let resp = self.authorize(&auth_params(challenge, scope, "st4te")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let page = resp.text().await.unwrap();
        let decide = "/organizations/oauth2/v2.0/authorize/decide";
        let mut resp = self
            .decide(&page, decide, &[("action", "continue"), ("user", user)])
            .await;
        if resp.status() == StatusCode::OK {
            let consent = resp.text().await.unwrap();
            assert!(consent.contains("Permissions requested"), "{consent}");
            resp = self.decide(&consent, decide, &[("action", "accept")]).await;
        }
        assert_eq!(resp.status(), StatusCode::FOUND);
        redirect_query(&resp, REDIRECT)
    }
}

fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand_bytes());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn rand_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    let id = uuid::Uuid::new_v4();
    let id2 = uuid::Uuid::new_v4();
    out[..16].copy_from_slice(id.as_bytes());
    out[16..].copy_from_slice(id2.as_bytes());
    out
}

fn auth_params<'a>(challenge: &'a str, scope: &'a str, state: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("nonce", "n0nce"),
        ("client_info", "1"),
    ]
}

fn hidden_request(page: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = page.find(marker).expect("the page has a request field") + marker.len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].to_owned()
}

fn location(resp: &reqwest::Response) -> url::Url {
    let loc = resp
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap();
    url::Url::parse(loc).unwrap()
}

fn redirect_query(resp: &reqwest::Response, expected_prefix: &str) -> HashMap<String, String> {
    let url = location(resp);
    assert!(url.as_str().starts_with(expected_prefix), "redirected to {url}");
    url.query_pairs().into_owned().collect()
}

/// Checks the error body of contract §5: every field, the AADSTS prefix, the code in `error_codes`.
fn assert_aad_error(body: &Value, error: &str, code: u32) {
    assert_eq!(body["error"], error, "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}:")),
        "{description}"
    );
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    for field in ["trace_id", "correlation_id", "timestamp"] {
        assert!(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} missing in {body}"
        );
    }
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn redeem(env: &Env, code: &str, verifier: &str) -> (StatusCode, Value) {
    env.token(&[
        ("client_id", DEFAULT_CLIENT_ID),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("scope", SCOPES),
        ("client_info", "1"),
    ])
    .await
}

/// Signs Adele in through the pages and redeems the code: the token response.
async fn tokens_for_adele(env: &Env) -> Value {
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    let (status, body) = redeem(env, &q["code"], &verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn refresh(env: &Env, rt: &str, scope: &str) -> (StatusCode, Value) {
    env.token(&[
        ("client_id", DEFAULT_CLIENT_ID),
        ("grant_type", "refresh_token"),
        ("refresh_token", rt),
        ("scope", scope),
    ])
    .await
}

async fn device_code(env: &Env, client_id: &str) -> Value {
    let resp = env
        .post_form(
            "/organizations/oauth2/v2.0/devicecode",
            &[("client_id", client_id), ("scope", SCOPES)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn poll(env: &Env, client_id: &str, device_code: &str) -> (StatusCode, Value) {
    env.token(&[
        ("client_id", client_id),
        ("grant_type", DEVICE_GRANT),
        ("device_code", device_code),
    ])
    .await
}

/// Enters `user_code` on the device page, picks Adele and takes `action` on the consent page.
async fn device_page(env: &Env, user_code: &str, action: &str) -> String {
    let resp = env.post_form("/devicelogin", &[("otc", user_code)]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let picker = resp.text().await.unwrap();
    assert!(picker.contains("Pick an account"), "{picker}");
    let resp = env
        .decide(
            &picker,
            "/devicelogin/decide",
            &[("action", "continue"), ("user", ADELE)],
        )
        .await;
    let consent = resp.text().await.unwrap();
    assert!(consent.contains("Permissions requested"), "{consent}");
    let resp = env
        .decide(&consent, "/devicelogin/decide", &[("action", action)])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

#[tokio::test]
async fn discovery_documents_name_the_emulators_own_endpoints() {
    let env = Env::start().await;
    let base = env.emulator.base_url().to_owned();
    let doc: Value = env
        .get("/organizations/v2.0/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/authorize")
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/token")
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/devicecode")
    );
    assert_eq!(doc["issuer"], format!("{base}/{{tenantid}}/v2.0"));

    let by_domain: Value = env
        .get("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_domain["issuer"], format!("{base}/{TENANT}/v2.0"));
    assert_eq!(
        by_domain["token_endpoint"],
        format!("{base}/{TENANT}/oauth2/v2.0/token")
    );

    let jwks: Value = env
        .get(&format!("/{TENANT}/discovery/v2.0/keys"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "EC");

    let resp = env
        .get("/nowhere.example/v2.0/.well-known/openid-configuration")
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_aad_error(&resp.json().await.unwrap(), "invalid_tenant", 90002);

    let own = format!("{base}/organizations/oauth2/v2.0/authorize");
    let query =
        serde_urlencoded::to_string([("api-version", "1.1"), ("authorization_endpoint", own.as_str())])
            .unwrap();
    let inst: Value = env
        .get(&format!("/common/discovery/instance?{query}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        inst["tenant_discovery_endpoint"],
        format!("{base}/organizations/v2.0/.well-known/openid-configuration")
    );
    assert_eq!(inst["metadata"][0]["aliases"], json!(["127.0.0.1"]));
    // MSAL Python drops the port when it builds this URL; the answer puts the emulator's port back.
    let portless = own.replacen(&format!(":{}", env.emulator.addr().port()), "", 1);
    let query = serde_urlencoded::to_string([
        ("api-version", "1.0"),
        ("authorization_endpoint", portless.as_str()),
    ])
    .unwrap();
    let inst: Value = env
        .get(&format!("/common/discovery/instance?{query}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        inst["tenant_discovery_endpoint"],
        format!("{base}/organizations/v2.0/.well-known/openid-configuration")
    );
    let query = serde_urlencoded::to_string([
        ("api-version", "1.1"),
        (
            "authorization_endpoint",
            "https://login.example.org/common/oauth2/v2.0/authorize",
        ),
    ])
    .unwrap();
    let resp = env.get(&format!("/common/discovery/instance?{query}")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_aad_error(&resp.json().await.unwrap(), "invalid_instance", 50049);
}

#[tokio::test]
async fn auth_code_with_pkce_issues_tokens_that_graph_verification_accepts() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    assert_eq!(q["state"], "st4te");
    let info: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&q["client_info"]).unwrap()).unwrap();
    assert_eq!(info, json!({"uid": ADELE, "utid": TENANT}));

    let (status, body) = redeem(&env, &q["code"], &verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["scope"],
        "https://graph.microsoft.com/Presence.ReadWrite openid profile"
    );
    assert!(body["refresh_token"].as_str().is_some_and(|s| s.len() > 40));
    let expires_in = body["expires_in"].as_u64().unwrap();
    assert!((3600..=5400).contains(&expires_in), "{expires_in}");
    assert_eq!(body["ext_expires_in"], body["expires_in"]);
    let info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(body["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(info["uid"], ADELE);

    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], DEFAULT_CLIENT_ID);
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(id["oid"], ADELE);
    assert_eq!(id["tid"], TENANT);
    assert_eq!(id["preferred_username"], ADELE_UPN);
    assert_eq!(id["iss"], format!("{}/{TENANT}/v2.0", env.emulator.base_url()));

    let at = body["access_token"].as_str().unwrap();
    let verified = verify_access_token(env.emulator.state(), at).unwrap();
    assert_eq!(verified.oid, ADELE);
    assert_eq!(verified.tid, TENANT);
    assert_eq!(verified.client_id, DEFAULT_CLIENT_ID);
    assert_eq!(verified.scopes, vec!["Presence.ReadWrite"]);
    let raw = claims(at);
    assert_eq!(raw["aud"], "https://graph.microsoft.com");
    assert_eq!(raw["scp"], "Presence.ReadWrite");

    // The access token lives exactly `expires_in` seconds of virtual time.
    env.advance(expires_in - 1);
    assert!(verify_access_token(env.emulator.state(), at).is_ok());
    env.advance(1);
    assert_eq!(
        verify_access_token(env.emulator.state(), at),
        Err(TokenRejection::Expired)
    );

    // Consent is remembered: the second sign-in goes straight back to the app after the account is picked.
    let (_, challenge2) = pkce();
    let resp = env.authorize(&auth_params(&challenge2, SCOPES, "again")).await;
    let page = resp.text().await.unwrap();
    let resp = env
        .decide(
            &page,
            "/organizations/oauth2/v2.0/authorize/decide",
            &[("action", "continue"), ("user", ADELE)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert!(redirect_query(&resp, REDIRECT).contains_key("code"));
}

#[tokio::test]
async fn a_wrong_code_verifier_is_refused_with_aadsts501481() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    let (wrong, _) = pkce();
    let (status, body) = redeem(&env, &q["code"], &wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 501481);
    // A failed verifier does not burn the code for its rightful owner.
    let (status, _) = redeem(&env, &q["code"], &verifier).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_code_can_be_redeemed_only_once() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    assert_eq!(redeem(&env, &q["code"], &verifier).await.0, StatusCode::OK);
    let (status, body) = redeem(&env, &q["code"], &verifier).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 54005);
}

#[tokio::test]
async fn a_code_expires_after_auth_code_secs_of_virtual_time() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    env.advance(600);
    let (status, body) = redeem(&env, &q["code"], &verifier).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 70008);
}

#[tokio::test]
async fn the_redemption_must_repeat_the_redirect_uri_of_the_authorize_request() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    let (status, body) = env
        .token(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &q["code"]),
            ("redirect_uri", "http://localhost:9/"),
            ("code_verifier", &verifier),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 500112);
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_shown_on_the_page_and_never_redirected() {
    let env = Env::start().await;
    let (_, challenge) = pkce();
    for bad in [
        "http://localhost:53682/elsewhere",
        "https://localhost:53682/",
        "http://evil.example/",
        "http://[::1]:53682/",
    ] {
        let mut params = auth_params(&challenge, SCOPES, "s");
        params[2] = ("redirect_uri", bad);
        let resp = env.authorize(&params).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(resp.headers().get("location").is_none());
        let page = resp.text().await.unwrap();
        assert!(page.contains("AADSTS50011:"), "{bad}: {page}");
    }
    // Any port of a registered http://localhost is accepted (contract §5).
    let mut params = auth_params(&challenge, SCOPES, "s");
    params[2] = ("redirect_uri", "http://localhost:1/");
    let resp = env.authorize(&params).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
}

#[tokio::test]
async fn plain_pkce_and_a_missing_challenge_are_refused_by_redirect() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let mut params = auth_params(&challenge, SCOPES, "s1");
    params[5] = ("code_challenge", &verifier);
    params[6] = ("code_challenge_method", "plain");
    let resp = env.authorize(&params).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["error"], "invalid_request");
    assert!(q["error_description"].starts_with("AADSTS90014:"));
    assert_eq!(q["state"], "s1");

    let params: Vec<_> = auth_params(&challenge, SCOPES, "s2")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .collect();
    let resp = env.authorize(&params).await;
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["error"], "invalid_request");
    assert!(q["error_description"].starts_with("AADSTS900144:"));
}

#[tokio::test]
async fn an_unknown_scope_is_invalid_scope_70011() {
    let env = Env::start().await;
    let (_, challenge) = pkce();
    let resp = env
        .authorize(&auth_params(&challenge, "Mail.Send openid", "s"))
        .await;
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["error"], "invalid_scope");
    assert!(q["error_description"].starts_with("AADSTS70011:"));

    let resp = env
        .post_form(
            "/organizations/oauth2/v2.0/devicecode",
            &[("client_id", DEFAULT_CLIENT_ID), ("scope", "Mail.Send")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_aad_error(&resp.json().await.unwrap(), "invalid_scope", 70011);
}

#[tokio::test]
async fn cancelling_on_the_sign_in_page_redirects_with_access_denied_65004() {
    let env = Env::start().await;
    let (_, challenge) = pkce();
    let page = env
        .authorize(&auth_params(&challenge, SCOPES, "s9"))
        .await
        .text()
        .await
        .unwrap();
    let resp = env
        .decide(
            &page,
            "/organizations/oauth2/v2.0/authorize/decide",
            &[("action", "deny")],
        )
        .await;
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["error"], "access_denied");
    assert!(q["error_description"].starts_with("AADSTS65004:"));
    assert_eq!(q["state"], "s9");
    // The page's request id is spent.
    let again = env
        .decide(
            &page,
            "/organizations/oauth2/v2.0/authorize/decide",
            &[("action", "continue"), ("user", ADELE)],
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn refresh_rotates_and_replaying_the_old_token_is_refused() {
    let env = Env::start().await;
    let first = tokens_for_adele(&env).await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&env, rt1, SCOPES).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    assert!(second["id_token"].is_string());
    assert!(verify_access_token(env.emulator.state(), second["access_token"].as_str().unwrap()).is_ok());

    let (status, body) = refresh(&env, rt1, SCOPES).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 70008);
    // The newest one still works.
    assert_eq!(refresh(&env, rt2, SCOPES).await.0, StatusCode::OK);
}

#[tokio::test]
async fn revoking_a_user_through_the_control_api_ends_their_refresh_tokens() {
    let env = Env::start().await;
    let body = tokens_for_adele(&env).await;
    let rt = body["refresh_token"].as_str().unwrap();
    let (status, answer) = env
        .control(&format!("/_emulator/users/{ADELE_UPN}/revoke"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, json!({"user": ADELE, "revoked": 1}));
    let (status, body) = refresh(&env, rt, SCOPES).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 50173);

    let (status, _) = env.control("/_emulator/users/nobody/revoke", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn refresh_cannot_add_a_scope_the_user_has_not_consented_to() {
    let env = Env::start().await;
    let body = tokens_for_adele(&env).await;
    let rt = body["refresh_token"].as_str().unwrap();
    let (status, body) = refresh(
        &env,
        rt,
        "https://graph.microsoft.com/Presence.ReadWrite https://graph.microsoft.com/User.Read offline_access",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 65001);
    assert_eq!(body["suberror"], "consent_required");
    // The refused request did not spend the refresh token.
    assert_eq!(refresh(&env, rt, SCOPES).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_token_expires_after_refresh_token_secs() {
    let env = Env::start().await;
    let body = tokens_for_adele(&env).await;
    env.advance(90 * 24 * 3600);
    let (status, body) = refresh(&env, body["refresh_token"].as_str().unwrap(), SCOPES).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "invalid_grant", 70008);
}

#[tokio::test]
async fn device_code_is_pending_until_approved_on_the_device_page_then_yields_tokens() {
    let env = Env::start().await;
    let dc = device_code(&env, DEFAULT_CLIENT_ID).await;
    let base = env.emulator.base_url();
    assert_eq!(dc["verification_uri"], format!("{base}/devicelogin"));
    assert_eq!(dc["expires_in"], 900);
    assert_eq!(dc["interval"], 5);
    let user_code = dc["user_code"].as_str().unwrap();
    assert_eq!(
        dc["message"],
        format!(
            "To sign in, use a web browser to open the page {base}/devicelogin and enter the code {user_code} to \
authenticate."
        )
    );
    let device = dc["device_code"].as_str().unwrap();
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, device).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "authorization_pending", 70016);

    let entry = env.get("/devicelogin").await.text().await.unwrap();
    assert!(entry.contains("Enter code"));
    let done = device_page(&env, &user_code.to_lowercase(), "accept").await;
    assert!(done.contains("You may now close this window"), "{done}");

    env.advance(5);
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, device).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());
    let claims = verify_access_token(env.emulator.state(), body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(claims.oid, ADELE);
    // The code is spent.
    env.advance(5);
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, device).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn polling_faster_than_the_interval_gets_slow_down_and_the_interval_grows_by_five_seconds() {
    let env = Env::start().await;
    let dc = device_code(&env, DEFAULT_CLIENT_ID).await;
    let device = dc["device_code"].as_str().unwrap();
    assert_eq!(
        poll(&env, DEFAULT_CLIENT_ID, device).await.1["error"],
        "authorization_pending"
    );
    env.advance(2);
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, device).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "slow_down", 70016);
    // Now 10 s are required: 5 s is still too soon, 10 s is fine.
    env.advance(5);
    assert_eq!(
        poll(&env, DEFAULT_CLIENT_ID, device).await.1["error"],
        "slow_down"
    );
    env.advance(15);
    assert_eq!(
        poll(&env, DEFAULT_CLIENT_ID, device).await.1["error"],
        "authorization_pending"
    );
}

#[tokio::test]
async fn a_declined_device_code_reports_authorization_declined() {
    let env = Env::start().await;
    let dc = device_code(&env, DEFAULT_CLIENT_ID).await;
    let page = device_page(&env, dc["user_code"].as_str().unwrap(), "deny").await;
    assert!(page.contains("declined"), "{page}");
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, dc["device_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "authorization_declined", 65004);
}

#[tokio::test]
async fn an_expired_device_code_reports_expired_token_and_its_page_refuses_the_code() {
    let env = Env::start().await;
    let dc = device_code(&env, DEFAULT_CLIENT_ID).await;
    env.advance(900);
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, dc["device_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "expired_token", 70019);
    let resp = env
        .post_form("/devicelogin", &[("otc", dc["user_code"].as_str().unwrap())])
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn an_unknown_device_code_reports_bad_verification_code() {
    let env = Env::start().await;
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, "not-a-device-code").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "bad_verification_code", 70018);
}

#[tokio::test]
async fn a_tenant_that_requires_admin_consent_shows_90094_until_an_admin_consents() {
    let env = Env::start().await;
    let (status, _) = env
        .control(
            "/_emulator/tenants/contoso.onmicrosoft.com/require-admin-consent",
            json!({"required": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, challenge) = pkce();
    let decide = "/organizations/oauth2/v2.0/authorize/decide";
    let page = env
        .authorize(&auth_params(&challenge, SCOPES, "s"))
        .await
        .text()
        .await
        .unwrap();
    let resp = env
        .decide(&page, decide, &[("action", "continue"), ("user", ADELE)])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let needed = resp.text().await.unwrap();
    assert!(needed.contains("Need admin approval"), "{needed}");
    assert!(needed.contains("AADSTS90094"));
    let link = format!(
        "{}/{TENANT}/adminconsent?client_id={DEFAULT_CLIENT_ID}",
        env.emulator.base_url()
    );
    assert!(needed.contains(&link), "{needed}");
    let resp = env.decide(&needed, decide, &[("action", "back")]).await;
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["error"], "access_denied");
    assert!(q["error_description"].starts_with("AADSTS90094:"));

    // An administrator follows the link (with a redirect back to the app) and accepts for the organization.
    let query = serde_urlencoded::to_string([
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("state", "adm"),
    ])
    .unwrap();
    let picker = env
        .get(&format!("/{TENANT}/adminconsent?{query}"))
        .await
        .text()
        .await
        .unwrap();
    let admin_decide = format!("/{TENANT}/adminconsent/decide");
    let consent = env
        .decide(&picker, &admin_decide, &[("action", "continue"), ("user", ADELE)])
        .await
        .text()
        .await
        .unwrap();
    assert!(consent.contains("on behalf of your organization"), "{consent}");
    let resp = env.decide(&consent, &admin_decide, &[("action", "accept")]).await;
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["admin_consent"], "True");
    assert_eq!(q["tenant"], TENANT);
    assert_eq!(q["state"], "adm");

    // Now the sign-in goes straight through, without a consent screen.
    let page = env
        .authorize(&auth_params(&challenge, SCOPES, "s"))
        .await
        .text()
        .await
        .unwrap();
    let resp = env
        .decide(&page, decide, &[("action", "continue"), ("user", ADELE)])
        .await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert!(redirect_query(&resp, REDIRECT).contains_key("code"));
}

#[tokio::test]
async fn an_unknown_client_is_refused_with_700016_on_the_page_and_at_the_token_endpoint() {
    let env = Env::start().await;
    let (_, challenge) = pkce();
    let mut params = auth_params(&challenge, SCOPES, "s");
    params[0] = ("client_id", "00000000-0000-0000-0000-000000000001");
    let resp = env.authorize(&params).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get("location").is_none());
    assert!(resp.text().await.unwrap().contains("AADSTS700016:"));

    let (status, body) = poll(&env, "00000000-0000-0000-0000-000000000001", "x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "unauthorized_client", 700016);

    // A client registered for another tenant only does not exist in this one.
    let (status, _) = env
        .control(
            "/_emulator/clients",
            json!({"clientId": "11111111-2222-3333-4444-555555555555", "name": "Elsewhere",
                   "redirectUris": ["http://localhost"], "tenants": [TENANT]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut seed = Seed::default();
    seed.tenants.push(presently_emulator::seed::Tenant {
        id: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee".into(),
        domain: "fabrikam.onmicrosoft.com".into(),
        name: "Fabrikam".into(),
        requires_admin_consent: false,
        admin_consented_clients: vec![],
        blocked_clients: vec![],
    });
    seed.clients[0].tenants = Some(vec![TENANT.into()]);
    let env2 = Env::start_with(seed, None).await;
    let resp = env2
        .post_form(
            "/fabrikam.onmicrosoft.com/oauth2/v2.0/devicecode",
            &[("client_id", DEFAULT_CLIENT_ID), ("scope", SCOPES)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_aad_error(&resp.json().await.unwrap(), "unauthorized_client", 700016);
}

#[tokio::test]
async fn public_client_flows_off_refuses_the_device_code_grant_with_7000218() {
    let env = Env::start().await;
    let (status, _) = env
        .control(
            "/_emulator/clients",
            json!({"clientId": DEFAULT_CLIENT_ID, "name": "Microsoft Graph Command Line Tools",
                   "publicClientFlows": false, "redirectUris": ["http://localhost"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let dc = device_code(&env, DEFAULT_CLIENT_ID).await;
    device_page(&env, dc["user_code"].as_str().unwrap(), "accept").await;
    let (status, body) = poll(&env, DEFAULT_CLIENT_ID, dc["device_code"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_aad_error(&body, "invalid_client", 7000218);
    // Authorization code + PKCE from a loopback redirect does not depend on that switch.
    tokens_for_adele(&env).await;
}

#[tokio::test]
async fn the_token_endpoint_reads_only_form_bodies_and_known_grant_types() {
    let env = Env::start().await;
    let resp = env
        .http
        .post(env.url("/organizations/oauth2/v2.0/token"))
        .json(&json!({"grant_type": "refresh_token", "client_id": DEFAULT_CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_aad_error(&body, "invalid_request", 900144);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("'grant_type'")
    );

    let (status, body) = env
        .token(&[("client_id", DEFAULT_CLIENT_ID), ("grant_type", "password")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_aad_error(&body, "unsupported_grant_type", 70003);

    let (status, body) = env
        .token(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", "garbage"),
            ("client_secret", "s3cret"),
        ])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_aad_error(&body, "invalid_client", 700025);

    let resp = env
        .post_form(
            "/nowhere.example/oauth2/v2.0/token",
            &[("client_id", DEFAULT_CLIENT_ID), ("grant_type", "refresh_token")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_aad_error(&resp.json().await.unwrap(), "invalid_request", 90002);
}

#[tokio::test]
async fn access_token_lifetimes_fall_in_the_configured_range() {
    let mut seed = Seed::default();
    seed.settings.access_token_min_secs = 100;
    seed.settings.access_token_max_secs = 104;
    let env = Env::start_with(seed, Some(None)).await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let dc = device_code(&env, DEFAULT_CLIENT_ID).await;
        let (status, body) = poll(&env, DEFAULT_CLIENT_ID, dc["device_code"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "auto-approve approves at once: {body}");
        let secs = body["expires_in"].as_u64().unwrap();
        assert!((100..=104).contains(&secs), "{secs}");
        let at = claims(body["access_token"].as_str().unwrap());
        assert_eq!(
            at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(),
            secs as i64
        );
        seen.insert(secs);
    }
    assert!(seen.len() > 1, "lifetimes are random, saw {seen:?}");
}

#[tokio::test]
async fn auto_approve_redirects_at_once_with_a_code_for_that_user() {
    let env = Env::start_with(Seed::default(), Some(Some(ADELE_UPN.into()))).await;
    let (verifier, challenge) = pkce();
    let resp = env.authorize(&auth_params(&challenge, SCOPES, "auto")).await;
    assert_eq!(resp.status(), StatusCode::FOUND);
    let q = redirect_query(&resp, REDIRECT);
    assert_eq!(q["state"], "auto");
    let (status, body) = redeem(&env, &q["code"], &verifier).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(claims(body["id_token"].as_str().unwrap())["oid"], ADELE);
}

#[tokio::test]
async fn the_control_api_mints_tokens_that_verify_and_expire() {
    let env = Env::start().await;
    let (status, body) = env
        .control(
            "/_emulator/tokens",
            json!({"user": ADELE_UPN, "scopes": ["Presence.Read"], "lifetimeSecs": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at = body["accessToken"].as_str().unwrap();
    let claims = verify_access_token(env.emulator.state(), at).unwrap();
    assert_eq!(claims.scopes, vec!["Presence.Read"]);
    assert_eq!(claims.client_id, DEFAULT_CLIENT_ID);
    env.advance(60);
    assert_eq!(
        verify_access_token(env.emulator.state(), at),
        Err(TokenRejection::Expired)
    );
    let (status, _) = env
        .control(
            "/_emulator/tokens",
            json!({"user": ADELE, "scopes": ["Mail.Send"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = env
        .control("/_emulator/tokens", json!({"user": ADELE, "lifetime": 5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown fields are refused");
}

#[tokio::test]
async fn the_request_log_notes_client_user_and_kind_but_never_a_secret() {
    let env = Env::start().await;
    let (verifier, challenge) = pkce();
    let q = env.sign_in(&challenge, SCOPES, ADELE).await;
    let (_, body) = redeem(&env, &q["code"], &verifier).await;
    let (_, refreshed) = refresh(&env, body["refresh_token"].as_str().unwrap(), SCOPES).await;
    let log: Vec<presently_emulator::log::LogEntry> =
        env.emulator.state().world().log.since(0).cloned().collect();
    let text = serde_json::to_string(&log).unwrap();
    for secret in [
        q["code"].as_str(),
        verifier.as_str(),
        body["access_token"].as_str().unwrap(),
        body["refresh_token"].as_str().unwrap(),
        refreshed["refresh_token"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "a secret reached the log");
    }
    let kinds: Vec<&str> = log.iter().filter_map(|e| e.kind.as_deref()).collect();
    assert!(kinds.contains(&"authorize"));
    assert!(kinds.contains(&"authorization_code"));
    assert!(kinds.contains(&"refresh_token"));
    let redeemed = log
        .iter()
        .find(|e| e.kind.as_deref() == Some("authorization_code"))
        .unwrap();
    assert_eq!(redeemed.client_id.as_deref(), Some(DEFAULT_CLIENT_ID));
    assert_eq!(redeemed.user_id.as_deref(), Some(ADELE));
}

#[tokio::test]
async fn the_state_summary_counts_live_grants_without_secrets() {
    let env = Env::start().await;
    let body = tokens_for_adele(&env).await;
    let now = env.emulator.clock().now();
    let summary = env.emulator.state().world().identity.summary(now);
    assert_eq!(summary.users[ADELE].live_refresh_tokens, 1);
    let text = serde_json::to_string(&summary).unwrap();
    assert!(!text.contains(body["refresh_token"].as_str().unwrap()));
}
