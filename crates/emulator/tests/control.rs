//! The control API under `/_emulator/`, spoken to over HTTP: clock, settings, request log, state, live events.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use presently_emulator::{Emulator, EmulatorConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn start() -> (Emulator, reqwest::Client) {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client builds");
    (emulator, client)
}

fn url(emulator: &Emulator, path: &str) -> String {
    format!("{}{path}", emulator.base_url())
}

async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    let resp = client.get(url).send().await.expect("GET answered");
    assert_eq!(resp.status(), StatusCode::OK, "GET {url}");
    resp.json().await.expect("JSON body")
}

async fn post_raw(client: &reqwest::Client, url: &str, body: &str) -> (StatusCode, Value) {
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("POST answered");
    let status = resp.status();
    (status, resp.json().await.expect("JSON body"))
}

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().expect("a timestamp string").parse().expect("RFC 3339")
}

/// Asserts a control API refusal: the status and `{"error": {"code", "message"}}` naming `mentions`.
fn assert_refused(status: StatusCode, body: &Value, expected: StatusCode, mentions: &str) {
    assert_eq!(status, expected, "{body}");
    let message = body["error"]["message"].as_str().expect("error.message");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(
        message.contains(mentions),
        "message {message:?} should mention {mentions:?}"
    );
}

#[tokio::test]
async fn advancing_the_clock_by_seconds_or_by_an_iso_duration_moves_now_forward() {
    let (emulator, client) = start().await;
    let before = ts(&get_json(&client, &url(&emulator, "/_emulator/clock")).await["now"]);

    let (status, body) = post_raw(
        &client,
        &url(&emulator, "/_emulator/clock/advance"),
        r#"{"seconds": 3600}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after_seconds = ts(&body["now"]);
    assert!(after_seconds.duration_since(before) >= jiff::SignedDuration::from_hours(1));

    let (status, body) = post_raw(
        &client,
        &url(&emulator, "/_emulator/clock/advance"),
        r#"{"by": "PT2H"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after_iso = ts(&body["now"]);
    assert!(after_iso.duration_since(before) >= jiff::SignedDuration::from_hours(3));

    // The state view reads the same clock.
    let state = get_json(&client, &url(&emulator, "/_emulator/state")).await;
    assert!(ts(&state["now"]) >= after_iso);
}

#[tokio::test]
async fn speeding_the_clock_up_makes_virtual_time_run_faster() {
    let (emulator, client) = start().await;
    let (status, body) = post_raw(
        &client,
        &url(&emulator, "/_emulator/clock/speed"),
        r#"{"speed": 100000}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["speed"], json!(100000.0));
    let start = ts(&body["now"]);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let clock = get_json(&client, &url(&emulator, "/_emulator/clock")).await;
    assert_eq!(clock["speed"], json!(100000.0));
    // 5 real milliseconds at 100000x are at least 500 virtual seconds.
    assert!(ts(&clock["now"]).duration_since(start) >= jiff::SignedDuration::from_secs(500));
    let state = get_json(&client, &url(&emulator, "/_emulator/state")).await;
    assert_eq!(state["clockSpeed"], json!(100000.0));
}

#[tokio::test]
async fn nonsense_clock_input_is_refused_and_leaves_the_clock_alone() {
    let (emulator, client) = start().await;
    let advance = url(&emulator, "/_emulator/clock/advance");
    let speed = url(&emulator, "/_emulator/clock/speed");
    let cases: [(&str, &str, &str); 9] = [
        (&advance, r#"{"seconds": -5}"#, "forward"),
        (&advance, r#"{"by": "-PT1H"}"#, "negative"),
        (&advance, r#"{"by": "P1M"}"#, "ambiguous"),
        (&advance, r#"{"by": "soon"}"#, "ISO 8601"),
        (&advance, r#"{"seconds": 1, "by": "PT1S"}"#, "not both"),
        (&advance, r#"{"second": 5}"#, "second"),
        (&advance, r#"{"seconds": 5"#, "invalid JSON"),
        (&speed, r#"{"speed": 0}"#, "speed"),
        (&speed, r#"{"speed": "fast"}"#, "invalid JSON"),
    ];
    let before = get_json(&client, &url(&emulator, "/_emulator/clock")).await;
    for (target, body, mentions) in cases {
        let (status, answer) = post_raw(&client, target, body).await;
        assert_refused(status, &answer, StatusCode::BAD_REQUEST, mentions);
    }
    let after = get_json(&client, &url(&emulator, "/_emulator/clock")).await;
    assert_eq!(after["speed"], before["speed"]);
    assert!(ts(&after["now"]).duration_since(ts(&before["now"])) < jiff::SignedDuration::from_secs(60));
}

#[tokio::test]
async fn settings_are_patched_in_part_and_checked_as_a_whole() {
    let (emulator, client) = start().await;
    let settings_url = url(&emulator, "/_emulator/settings");
    let original = get_json(&client, &settings_url).await;

    let resp = client
        .patch(&settings_url)
        .json(&json!({"authCodeSecs": 30, "throttleLimit": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let patched: Value = resp.json().await.unwrap();
    assert_eq!(patched["authCodeSecs"], 30);
    assert_eq!(patched["throttleLimit"], 10);
    assert_eq!(patched["refreshTokenSecs"], original["refreshTokenSecs"]);
    assert_eq!(get_json(&client, &settings_url).await, patched);

    let refusals = [
        (
            json!({"accessTokenMinSecs": 7200, "accessTokenMaxSecs": 3600}),
            "accessTokenMinSecs",
        ),
        (json!({"throttleLimit": 0}), "throttleLimit"),
        (json!({"deviceCodeSecs": 0}), "deviceCodeSecs"),
        (json!({"refreshTokenSecs": u64::MAX}), "refreshTokenSecs"),
        (json!({"authCodeSecs": -1}), "invalid JSON"),
        (json!({"authCodeSeconds": 10}), "authCodeSeconds"),
        (json!({"maxBodyBytes": 1}), "maxBodyBytes"),
    ];
    for (body, mentions) in refusals {
        let resp = client.patch(&settings_url).json(&body).send().await.unwrap();
        let status = resp.status();
        let answer: Value = resp.json().await.unwrap();
        assert_refused(status, &answer, StatusCode::BAD_REQUEST, mentions);
    }
    // Nothing refused took effect, not even the valid half of a refused patch.
    assert_eq!(get_json(&client, &settings_url).await, patched);
}

/// Makes two identity and three Graph requests that the log records, whatever their handlers answer.
async fn make_logged_requests(emulator: &Emulator, client: &reqwest::Client) {
    for path in [
        "/organizations/v2.0/.well-known/openid-configuration",
        "/organizations/oauth2/v2.0/nowhere",
        "/v1.0/me/presence",
        "/v1.0/me",
        "/v1.0/nowhere",
    ] {
        client.get(url(emulator, path)).send().await.unwrap();
    }
}

#[tokio::test]
async fn the_request_log_filters_by_service_and_sequence() {
    let (emulator, client) = start().await;
    make_logged_requests(&emulator, &client).await;
    // Control API calls are not logged.
    get_json(&client, &url(&emulator, "/_emulator/state")).await;

    let all = get_json(&client, &url(&emulator, "/_emulator/log")).await;
    let entries = all["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5, "{all}");
    assert_eq!(all["lastSeq"], entries[4]["seq"]);
    assert_eq!(entries[2]["path"], "/v1.0/me/presence");

    let graph = get_json(&client, &url(&emulator, "/_emulator/log?service=graph")).await;
    let graph = graph["entries"].as_array().unwrap();
    assert_eq!(graph.len(), 3);
    assert!(graph.iter().all(|e| e["service"] == "graph"));

    let after = entries[3]["seq"].as_u64().unwrap();
    let newer = get_json(&client, &url(&emulator, &format!("/_emulator/log?after={after}"))).await;
    assert_eq!(newer["entries"].as_array().unwrap().len(), 1);
    assert_eq!(newer["entries"][0]["path"], "/v1.0/nowhere");

    let last_two = get_json(&client, &url(&emulator, "/_emulator/log?limit=2")).await;
    let last_two = last_two["entries"].as_array().unwrap();
    assert_eq!(last_two.len(), 2);
    assert_eq!(last_two[1]["path"], "/v1.0/nowhere");

    for bad in [
        "/_emulator/log?service=mail",
        "/_emulator/log?after=-1",
        "/_emulator/log?since=3",
    ] {
        let resp = client.get(url(&emulator, bad)).send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn the_log_summary_counts_by_service_and_status_and_clearing_empties_it() {
    let (emulator, client) = start().await;
    make_logged_requests(&emulator, &client).await;
    let log = get_json(&client, &url(&emulator, "/_emulator/log")).await;
    let mut graph_statuses = std::collections::BTreeMap::<String, u64>::new();
    for e in log["entries"].as_array().unwrap() {
        if e["service"] == "graph" {
            *graph_statuses.entry(e["status"].to_string()).or_default() += 1;
        }
    }

    let summary = get_json(&client, &url(&emulator, "/_emulator/log/summary")).await;
    assert_eq!(summary["total"], 5);
    assert_eq!(summary["byService"]["identity"], 2);
    assert_eq!(summary["byService"]["graph"], 3);
    let groups = summary["groups"].as_array().unwrap();
    let grouped: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(grouped, 5);

    let graph_only = get_json(&client, &url(&emulator, "/_emulator/log/summary?service=graph")).await;
    assert_eq!(graph_only["total"], 3);
    for (status, count) in &graph_statuses {
        assert_eq!(graph_only["byStatus"][status], json!(count), "{graph_only}");
    }

    let first_seq = log["entries"][0]["seq"].as_u64().unwrap();
    let windowed = get_json(
        &client,
        &url(&emulator, &format!("/_emulator/log/summary?after={first_seq}")),
    )
    .await;
    assert_eq!(windowed["total"], 4);

    let resp = client
        .delete(url(&emulator, "/_emulator/log"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.json::<Value>().await.unwrap()["cleared"], 5);
    let emptied = get_json(&client, &url(&emulator, "/_emulator/log/summary")).await;
    assert_eq!(emptied["total"], 0);
    let state = get_json(&client, &url(&emulator, "/_emulator/state")).await;
    assert_eq!(state["requestLog"]["length"], 0);
}

#[tokio::test]
async fn the_state_shows_the_directory_clock_and_settings_without_secrets() {
    let (emulator, client) = start().await;
    let state = get_json(&client, &url(&emulator, "/_emulator/state")).await;
    assert!(state["now"].is_string());
    assert_eq!(state["clockSpeed"], json!(1.0));
    assert_eq!(state["settings"]["deviceCodeSecs"], 900);
    assert_eq!(state["tenants"][0]["requiresAdminConsent"], false);
    assert!(state["tenants"][0]["adminConsentedClients"].is_array());
    assert_eq!(
        state["clients"][0]["clientId"],
        presently_emulator::DEFAULT_CLIENT_ID
    );
    let users = state["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(
        users[0]["userPrincipalName"],
        "adele.vance@contoso.onmicrosoft.com"
    );
    assert!(users[0]["consents"].is_object());
    assert!(users[0].get("presence").is_some());
    let text = state.to_string();
    for secret in [
        "access_token",
        "code_verifier",
        "PRIVATE KEY",
        "\"refresh_token\":",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the state view");
    }
}

#[tokio::test]
async fn unknown_control_paths_get_a_json_404() {
    let (emulator, client) = start().await;
    for path in [
        "/_emulator/nope",
        "/_emulator/clock/rewind",
        "/_emulator",
        "/_emulator/",
    ] {
        let resp = client.get(url(&emulator, path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "notFound", "{path}");
        assert!(body["error"]["message"].as_str().unwrap().contains(path));
    }
}

/// One server-sent event.
#[derive(Debug)]
struct SseEvent {
    event: String,
    data: String,
}

/// Reads server-sent events from a streaming response.
struct SseReader {
    resp: reqwest::Response,
    buffer: String,
}

impl SseReader {
    async fn open(client: &reqwest::Client, url: &str) -> Self {
        let resp = client
            .get(url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Self {
            resp,
            buffer: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped), or a panic after `within`.
    async fn next(&mut self, within: Duration) -> SseEvent {
        tokio::time::timeout(within, async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let mut event = SseEvent {
                        event: "message".into(),
                        data: String::new(),
                    };
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            event.event = v.trim().to_string();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            if !event.data.is_empty() {
                                event.data.push('\n');
                            }
                            event.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        }
                    }
                    if !event.data.is_empty() {
                        return event;
                    }
                    continue;
                }
                let chunk = self.resp.chunk().await.unwrap().expect("stream still open");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .expect("an event arrives in time")
    }

    /// Skips events until one named `name` arrives.
    async fn next_named(&mut self, name: &str, within: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let e = self.next(left).await;
            if e.event == name {
                return serde_json::from_str(&e.data).expect("event data is JSON");
            }
        }
    }
}

#[tokio::test]
async fn the_event_stream_sends_the_state_at_once_and_again_after_a_change() {
    let (emulator, client) = start().await;
    let mut events = SseReader::open(&client, &url(&emulator, "/_emulator/events")).await;
    let first = events.next_named("state", Duration::from_secs(2)).await;
    assert_eq!(first["users"].as_array().unwrap().len(), 2);
    let first_now = ts(&first["now"]);

    let (status, _) = post_raw(
        &client,
        &url(&emulator, "/_emulator/clock/advance"),
        r#"{"by": "PT10M"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second = events.next_named("state", Duration::from_secs(2)).await;
    assert!(ts(&second["now"]).duration_since(first_now) >= jiff::SignedDuration::from_mins(10));
}

#[tokio::test]
async fn the_event_stream_coalesces_a_burst_of_changes() {
    let (emulator, client) = start().await;
    let mut events = SseReader::open(&client, &url(&emulator, "/_emulator/events")).await;
    events.next_named("state", Duration::from_secs(2)).await;
    for _ in 0..20 {
        emulator.state().changed();
    }
    // Twenty changes within a millisecond: at least one state event, and no more than one per ~100 ms.
    let window = tokio::time::Instant::now() + Duration::from_millis(250);
    let mut states = 0;
    while let Ok(e) = tokio::time::timeout_at(window, events.next(Duration::from_secs(1))).await {
        if e.event == "state" {
            states += 1;
        }
    }
    assert!((1..=3).contains(&states), "{states} state events for one burst");
}

#[tokio::test]
async fn the_event_stream_reports_each_logged_request_and_replays_recent_ones() {
    let (emulator, client) = start().await;
    client
        .get(url(&emulator, "/v1.0/me/presence"))
        .send()
        .await
        .unwrap();
    let mut events = SseReader::open(&client, &url(&emulator, "/_emulator/events")).await;
    events.next_named("state", Duration::from_secs(2)).await;
    let replayed = events.next_named("request", Duration::from_secs(2)).await;
    assert_eq!(replayed["path"], "/v1.0/me/presence");
    assert_eq!(replayed["service"], "graph");

    client
        .get(url(
            &emulator,
            "/organizations/v2.0/.well-known/openid-configuration",
        ))
        .send()
        .await
        .unwrap();
    let live = events.next_named("request", Duration::from_secs(2)).await;
    assert_eq!(
        live["path"],
        "/organizations/v2.0/.well-known/openid-configuration"
    );
    assert_eq!(live["service"], "identity");
    assert!(live["seq"].as_u64().unwrap() > replayed["seq"].as_u64().unwrap());
}

const ADELE_UPN: &str = "adele.vance@contoso.onmicrosoft.com";

/// A Graph token for Adele from the control API, and her object id.
async fn adele_token(emulator: &Emulator, client: &reqwest::Client) -> (String, String) {
    let (status, minted) = post_raw(
        client,
        &url(emulator, "/_emulator/tokens"),
        &json!({"user": ADELE_UPN, "lifetimeSecs": 86400}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{minted}");
    let state = get_json(client, &url(emulator, "/_emulator/state")).await;
    let oid = state["users"][0]["id"].as_str().unwrap().to_string();
    (minted["accessToken"].as_str().unwrap().to_string(), oid)
}

/// Adele's app session through Graph's setPresence (contract §2).
async fn set_app_session(
    emulator: &Emulator,
    client: &reqwest::Client,
    availability: &str,
    activity: &str,
    duration: &str,
) {
    let (token, oid) = adele_token(emulator, client).await;
    let resp = client
        .post(url(emulator, &format!("/v1.0/users/{oid}/presence/setPresence")))
        .bearer_auth(token)
        .json(&json!({
            "sessionId": presently_emulator::DEFAULT_CLIENT_ID,
            "availability": availability,
            "activity": activity,
            "expirationDuration": duration,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{}", resp.text().await.unwrap());
}

async fn adele_presence(emulator: &Emulator, client: &reqwest::Client) -> Value {
    let state = get_json(client, &url(emulator, "/_emulator/state")).await;
    state["users"][0]["presence"].clone()
}

async fn advance(emulator: &Emulator, client: &reqwest::Client, body: Value) {
    let (status, answer) = post_raw(
        client,
        &url(emulator, "/_emulator/clock/advance"),
        &body.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn advancing_the_clock_fades_an_available_session_and_then_expires_it() {
    let (emulator, client) = start().await;
    set_app_session(&emulator, &client, "Available", "Available", "PT1H").await;
    let p = adele_presence(&emulator, &client).await;
    assert_eq!(p["effective"]["availability"], "Available", "{p}");
    assert_eq!(p["sessions"][0]["fadeStage"], "none");
    assert_eq!(p["sessions"][0]["kind"], "app");
    assert!(p["sessions"][0]["expiresAt"].is_string());

    // Contract §3: 5 minutes without a new setPresence → Available/AvailableInactive.
    advance(&emulator, &client, json!({"by": "PT6M"})).await;
    let p = adele_presence(&emulator, &client).await;
    assert_eq!(p["sessions"][0]["fadeStage"], "inactive", "{p}");
    assert_eq!(p["effective"]["activity"], "AvailableInactive");

    // 10 minutes → Away/Away.
    advance(&emulator, &client, json!({"seconds": 300})).await;
    let p = adele_presence(&emulator, &client).await;
    assert_eq!(p["sessions"][0]["fadeStage"], "away", "{p}");
    assert_eq!(p["effective"]["availability"], "Away");

    // Past its expirationDuration the session is gone: Offline.
    advance(&emulator, &client, json!({"by": "PT1H"})).await;
    let p = adele_presence(&emulator, &client).await;
    assert_eq!(p["sessions"], json!([]), "{p}");
    assert_eq!(p["effective"]["availability"], "Offline");
}

#[tokio::test]
async fn a_sped_up_clock_expires_a_pin_without_any_jump() {
    let (emulator, client) = start().await;
    let teams = url(&emulator, &format!("/_emulator/users/{ADELE_UPN}/teams"));
    let (status, body) = post_raw(
        &client,
        &teams,
        r#"{"availability": "Available", "activity": "Available"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post_raw(
        &client,
        &format!("{teams}/status"),
        r#"{"availability": "DoNotDisturb", "activity": "DoNotDisturb", "expiresInSecs": 600}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p = adele_presence(&emulator, &client).await;
    assert_eq!(p["pin"]["availability"], "DoNotDisturb", "{p}");
    assert_eq!(p["effective"]["availability"], "DoNotDisturb");

    let (status, _) = post_raw(
        &client,
        &url(&emulator, "/_emulator/clock/speed"),
        r#"{"speed": 200000}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // 5 real milliseconds at 200000x are 1000 virtual seconds: past the pin's 600.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let p = adele_presence(&emulator, &client).await;
    assert_eq!(p["pin"], Value::Null, "{p}");
    assert_eq!(p["effective"]["availability"], "Available");
}

#[tokio::test]
async fn the_event_stream_sends_the_state_when_a_fade_comes_due_without_any_request() {
    let (emulator, client) = start().await;
    set_app_session(&emulator, &client, "Available", "Available", "PT4H").await;
    let mut events = SseReader::open(&client, &url(&emulator, "/_emulator/events")).await;
    let first = events.next_named("state", Duration::from_secs(2)).await;
    assert_eq!(first["users"][0]["presence"]["sessions"][0]["fadeStage"], "none");

    // At 600x the 5-minute fade is half a real second away. The state event the speed change causes comes within
    // ~100 ms (still unfaded), and the periodic refresh waits at least a second: a faded state before that second
    // comes from the deadline.
    let (status, _) = post_raw(
        &client,
        &url(&emulator, "/_emulator/clock/speed"),
        r#"{"speed": 600}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let within = tokio::time::Instant::now() + Duration::from_millis(950);
    loop {
        let left = within.saturating_duration_since(tokio::time::Instant::now());
        let state = events.next_named("state", left).await;
        let stage = &state["users"][0]["presence"]["sessions"][0]["fadeStage"];
        if stage != "none" {
            assert!(stage == "inactive" || stage == "away", "{state}");
            break;
        }
    }
}
