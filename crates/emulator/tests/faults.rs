//! Throttling and injected faults over HTTP (contract §4 and §5's token errors), and their control API.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use jiff::Timestamp;
use presently_emulator::clock::Clock;
use presently_emulator::identity::jwt::mint_access_token;
use presently_emulator::{DEFAULT_CLIENT_ID, Emulator, EmulatorConfig, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OTHER_CLIENT: &str = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const TOKEN_PATH: &str = "/organizations/oauth2/v2.0/token";

struct Fx {
    emu: Emulator,
    http: reqwest::Client,
    adele: String,
}

impl Fx {
    async fn new() -> Self {
        let seed = Seed::default();
        let adele = seed.users[0].id.clone();
        let emu = Emulator::start(EmulatorConfig {
            seed,
            clock: Some(Clock::starting_at(Timestamp::from_second(1_800_000_000).unwrap())),
            ..Default::default()
        })
        .await
        .unwrap();
        Self {
            emu,
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            adele,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    fn token(&self, client: &str) -> String {
        mint_access_token(
            self.emu.state(),
            &self.adele,
            client,
            &["Presence.ReadWrite"],
            24 * 3600,
        )
        .unwrap()
    }

    async fn read_presence(&self, token: &str) -> reqwest::Response {
        self.http
            .get(self.url("/v1.0/me/presence"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn add_fault(&self, spec: Value) -> reqwest::Response {
        self.http
            .post(self.url("/_emulator/faults"))
            .json(&spec)
            .send()
            .await
            .unwrap()
    }

    async fn post_token_form(&self) -> reqwest::Response {
        self.http
            .post(self.url(TOKEN_PATH))
            .form(&[
                ("client_id", DEFAULT_CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", "whatever"),
            ])
            .send()
            .await
            .unwrap()
    }
}

async fn code_of(r: reqwest::Response) -> String {
    let v: Value = r.json().await.unwrap();
    v["error"]["code"].as_str().unwrap().to_string()
}

// ---- throttling (contract §4) ----

#[tokio::test]
async fn over_the_limit_an_app_gets_429_with_retry_after_until_a_slot_frees_on_the_virtual_clock_contract_4()
{
    let fx = Fx::new().await;
    {
        let mut w = fx.emu.state().world();
        w.settings.throttle_limit = 3;
        w.settings.throttle_window_secs = 30;
    }
    let token = fx.token(DEFAULT_CLIENT_ID);
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
    fx.emu.clock().advance(Duration::from_secs(10));
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
    let r = fx.read_presence(&token).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.headers()["retry-after"],
        "20",
        "the first request leaves the window 20 s from now"
    );
    assert_eq!(code_of(r).await, "TooManyRequests");

    // Another app in the same tenant has its own budget.
    assert_eq!(
        fx.read_presence(&fx.token(OTHER_CLIENT)).await.status(),
        StatusCode::OK
    );

    fx.emu.clock().advance(Duration::from_secs(19));
    assert_eq!(
        fx.read_presence(&token).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    fx.emu.clock().advance(Duration::from_secs(1));
    assert_eq!(
        fx.read_presence(&token).await.status(),
        StatusCode::OK,
        "Retry-After honoured"
    );
}

#[tokio::test]
async fn throttling_counts_writes_and_me_alike_and_can_be_reset() {
    let fx = Fx::new().await;
    fx.emu.state().world().settings.throttle_limit = 2;
    let token = fx.token(DEFAULT_CLIENT_ID);
    let body = json!({"availability": "Busy", "activity": "Busy"});
    let set = fx.url("/v1.0/me/presence/setUserPreferredPresence");
    let r = fx
        .http
        .post(&set)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = fx
        .http
        .get(fx.url("/v1.0/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "counted, then refused for want of User.Read"
    );
    let r = fx
        .http
        .post(&set)
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = fx
        .http
        .delete(fx.url("/_emulator/throttling"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
}

// ---- injected status faults (contract §4) ----

#[tokio::test]
async fn a_503_fault_answers_service_not_available_with_retry_after_once_then_normal_service_resumes() {
    let fx = Fx::new().await;
    let r = fx
        .add_fault(
            json!({"path": "/v1.0/me/presence", "fault": {"kind": "status", "status": 503, "retryAfter": 7}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = fx.token(DEFAULT_CLIENT_ID);
    let r = fx
        .http
        .get(fx.url("/v1.0/me/presence"))
        .bearer_auth(&token)
        .header("client-request-id", "crid-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(r.headers()["client-request-id"], "crid-1");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "serviceNotAvailable");
    assert_eq!(v["error"]["innerError"]["client-request-id"], "crid-1");
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_504_fault_for_two_requests_with_a_method_filter_hits_only_that_method() {
    let fx = Fx::new().await;
    fx.add_fault(json!({
        "path": "/v1.0/users/", "match": "prefix", "method": "POST", "count": 2,
        "fault": {"kind": "status", "status": 504}
    }))
    .await;
    let token = fx.token(DEFAULT_CLIENT_ID);
    let path = fx.url(&format!(
        "/v1.0/users/{}/presence/clearUserPreferredPresence",
        fx.adele
    ));
    let get = fx.url(&format!("/v1.0/users/{}/presence", fx.adele));
    let r = fx.http.get(&get).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET is not aimed at");
    for _ in 0..2 {
        let r = fx
            .http
            .post(&path)
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
        assert!(r.headers().get("retry-after").is_none());
        assert_eq!(code_of(r).await, "serviceNotAvailable");
    }
    let r = fx
        .http
        .post(&path)
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_429_fault_carries_the_given_retry_after() {
    let fx = Fx::new().await;
    fx.add_fault(
        json!({"path": "/v1.0/me/presence", "fault": {"kind": "status", "status": 429, "retryAfter": 42}}),
    )
    .await;
    let r = fx.read_presence(&fx.token(DEFAULT_CLIENT_ID)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "42");
    assert_eq!(code_of(r).await, "TooManyRequests");
}

#[tokio::test]
async fn a_delay_fault_holds_the_answer_for_real_milliseconds_then_answers_normally() {
    let fx = Fx::new().await;
    fx.add_fault(json!({"path": "/v1.0/me/presence", "fault": {"kind": "delay", "ms": 150}}))
        .await;
    let token = fx.token(DEFAULT_CLIENT_ID);
    let started = Instant::now();
    let r = fx.read_presence(&token).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["availability"], "Offline");
}

#[tokio::test]
async fn a_drop_fault_gives_the_client_a_transport_error_and_no_status() {
    let fx = Fx::new().await;
    fx.add_fault(json!({"path": "/v1.0/me/presence", "fault": {"kind": "drop"}}))
        .await;
    let token = fx.token(DEFAULT_CLIENT_ID);
    let err = fx
        .http
        .get(fx.url("/v1.0/me/presence"))
        .bearer_auth(&token)
        .send()
        .await
        .expect_err("the connection is dropped before any response");
    assert!(err.status().is_none(), "{err:?}");
    assert!(!err.is_status() && !err.is_decode(), "{err:?}");
    // The next request is served (on a fresh connection).
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_dropped_connection_sends_not_a_single_byte_back() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fx = Fx::new().await;
    fx.add_fault(json!({"path": "/v1.0/me", "fault": {"kind": "drop"}}))
        .await;
    let mut tcp = tokio::net::TcpStream::connect(fx.emu.addr()).await.unwrap();
    tcp.write_all(b"GET /v1.0/me HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    // A reset instead of a clean close is as good: either way no status line arrives.
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection");
    assert!(answer.is_empty(), "got {:?}", String::from_utf8_lossy(&answer));
}

// ---- injected identity errors (contract §5 token errors) ----

#[tokio::test]
async fn identity_error_faults_answer_the_token_endpoint_with_aad_shaped_errors_contract_5() {
    let fx = Fx::new().await;
    for (code, error, suberror) in [
        (70008, "invalid_grant", None),
        (700082, "invalid_grant", None),
        (65001, "invalid_grant", Some("consent_required")),
        (50076, "interaction_required", None),
        (90006, "temporarily_unavailable", None),
        (50033, "temporarily_unavailable", None),
    ] {
        let r = fx
            .add_fault(json!({"path": TOKEN_PATH, "method": "POST", "fault": {"kind": "identityError", "code": code}}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = fx.post_token_form().await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{code}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], error, "{code}");
        assert_eq!(v["error_codes"], json!([code]));
        assert!(
            v["error_description"]
                .as_str()
                .unwrap()
                .starts_with(&format!("AADSTS{code}: "))
        );
        assert_eq!(v["suberror"].as_str(), suberror);
    }
}

#[tokio::test]
async fn a_temporarily_unavailable_fault_can_carry_retry_after() {
    let fx = Fx::new().await;
    fx.add_fault(
        json!({"path": TOKEN_PATH, "fault": {"kind": "identityError", "code": 90006, "retryAfter": 3}}),
    )
    .await;
    let r = fx.post_token_form().await;
    assert_eq!(r.headers()["retry-after"], "3");
}

// ---- the control API ----

#[tokio::test]
async fn faults_can_be_listed_and_cleared() {
    let fx = Fx::new().await;
    fx.add_fault(json!({"path": "/v1.0/me", "count": 3, "fault": {"kind": "drop"}}))
        .await;
    fx.add_fault(json!({"path": TOKEN_PATH, "fault": {"kind": "identityError", "code": 50076, "error": "interaction_required"}}))
        .await;
    let v: Value = fx
        .http
        .get(fx.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let faults = v["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 2);
    assert_eq!(faults[0]["path"], "/v1.0/me");
    assert_eq!(faults[0]["match"], "exact");
    assert_eq!(faults[0]["remaining"], 3);
    assert_eq!(faults[0]["fault"]["kind"], "drop");
    assert_eq!(faults[1]["fault"]["code"], 50076);
    let v: Value = fx
        .http
        .delete(fx.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["cleared"], 2);
    let token = fx.token(DEFAULT_CLIENT_ID);
    assert_eq!(fx.read_presence(&token).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_fault_specs_get_400_with_a_reason_and_change_nothing() {
    let fx = Fx::new().await;
    for spec in [
        json!({"path": "/_emulator/state", "fault": {"kind": "drop"}}),
        json!({"path": "/v1.0/me", "fault": {"kind": "status", "status": 200}}),
        json!({"path": "/v1.0/me", "fault": {"kind": "explode"}}),
        json!({"path": "/v1.0/me", "fault": {"kind": "drop"}, "times": 2}),
        json!({"path": "/v1.0/me", "count": -1, "fault": {"kind": "drop"}}),
        json!({"path": "/v1.0/me", "fault": {"kind": "identityError", "code": 12345}}),
        json!({"fault": {"kind": "drop"}}),
    ] {
        let r = fx.add_fault(spec.clone()).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{spec}");
        let v: Value = r.json().await.unwrap();
        assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{spec}");
    }
    let r = fx
        .http
        .post(fx.url("/_emulator/faults"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = fx
        .http
        .get(fx.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["faults"], json!([]));
}

#[tokio::test]
async fn the_teams_control_api_refuses_unknown_users_wrong_case_and_offline() {
    let fx = Fx::new().await;
    let r = fx
        .http
        .post(fx.url("/_emulator/users/nobody@contoso.onmicrosoft.com/teams"))
        .json(&json!({"availability": "Available", "activity": "Available"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let teams = fx.url("/_emulator/users/adele.vance@contoso.onmicrosoft.com/teams");
    for body in [
        json!({"availability": "available", "activity": "Available"}),
        json!({"availability": "Offline", "activity": "Offline"}),
        json!({"availability": "Busy", "activity": "InAMeeting", "extra": 1}),
    ] {
        let r = fx.http.post(&teams).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let r = fx
        .http
        .post(format!("{teams}/status"))
        .json(&json!({"availability": "Busy", "activity": "InAMeeting"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "not one of the six statuses Teams offers"
    );
    let r = fx
        .http
        .post(&teams)
        .json(&json!({"availability": "Busy", "activity": "InAMeeting"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = fx
        .http
        .get(fx.url(&format!("/_emulator/users/{}/presence", fx.adele)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["effective"],
        json!({"availability": "Busy", "activity": "InAMeeting"})
    );
    assert_eq!(v["sessions"][0]["kind"], "teams");
}
