//! Graph presence and `/me` over HTTP, as a client sees them (contract §2, §3, §4).

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use presently_emulator::clock::Clock;
use presently_emulator::identity::jwt::mint_access_token;
use presently_emulator::presence_rules::UserPresenceView;
use presently_emulator::{DEFAULT_CLIENT_ID, Emulator, EmulatorConfig, Seed};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OTHER_CLIENT: &str = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";

struct Fx {
    emu: Emulator,
    http: reqwest::Client,
    adele: String,
    megan: String,
}

impl Fx {
    async fn new() -> Self {
        let seed = Seed::default();
        let adele = seed.users[0].id.clone();
        let megan = seed.users[1].id.clone();
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
            megan,
        }
    }

    fn token_for(&self, user: &str, client: &str, scopes: &[&str]) -> String {
        mint_access_token(self.emu.state(), user, client, scopes, 3600).unwrap()
    }

    /// Adele, through Presently's default client, with what Presently asks for.
    fn rw(&self) -> String {
        self.token_for(
            &self.adele,
            DEFAULT_CLIENT_ID,
            &["Presence.ReadWrite", "User.Read"],
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    fn action(&self, name: &str) -> String {
        format!("/v1.0/users/{}/presence/{name}", self.adele)
    }

    async fn set_presence(
        &self,
        availability: &str,
        activity: &str,
        duration: Option<&str>,
    ) -> reqwest::Response {
        let mut body =
            json!({"sessionId": DEFAULT_CLIENT_ID, "availability": availability, "activity": activity});
        if let Some(d) = duration {
            body["expirationDuration"] = json!(d);
        }
        self.post(&self.action("setPresence"), &self.rw(), body).await
    }

    async fn set_preferred(
        &self,
        availability: &str,
        activity: &str,
        duration: Option<&str>,
    ) -> reqwest::Response {
        let mut body = json!({"availability": availability, "activity": activity});
        if let Some(d) = duration {
            body["expirationDuration"] = json!(d);
        }
        self.post(&self.action("setUserPreferredPresence"), &self.rw(), body)
            .await
    }

    /// `(availability, activity)` as `GET /me/presence` reports them.
    async fn seen(&self) -> (String, String) {
        let r = self.get("/v1.0/me/presence", &self.rw()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        (
            v["availability"].as_str().unwrap().to_string(),
            v["activity"].as_str().unwrap().to_string(),
        )
    }

    fn view(&self) -> UserPresenceView {
        let now = self.emu.clock().now();
        self.emu.state().world().presence.view(&self.adele, now)
    }

    fn now(&self) -> Timestamp {
        self.emu.clock().now()
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

async fn error_of(r: reqwest::Response) -> (StatusCode, String, String) {
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    (
        status,
        v["error"]["code"].as_str().unwrap().to_string(),
        v["error"]["message"].as_str().unwrap().to_string(),
    )
}

async fn assert_empty_200(r: reqwest::Response) {
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.bytes().await.unwrap().len(),
        0,
        "writes answer with an empty body"
    );
}

// ---- contract §2: valid pairs, exact case ----

#[tokio::test]
async fn each_of_the_six_preferred_pairs_is_accepted_with_200_and_an_empty_body_contract_2() {
    let fx = Fx::new().await;
    for (a, b) in [
        ("Available", "Available"),
        ("Busy", "Busy"),
        ("DoNotDisturb", "DoNotDisturb"),
        ("BeRightBack", "BeRightBack"),
        ("Away", "Away"),
        ("Offline", "OffWork"),
    ] {
        assert_empty_200(fx.set_preferred(a, b, None).await).await;
        let pin = fx.view().pin.unwrap();
        assert_eq!((pin.availability.as_str(), pin.activity.as_str()), (a, b));
    }
}

#[tokio::test]
async fn each_of_the_five_session_pairs_is_accepted_and_shown_contract_2() {
    let fx = Fx::new().await;
    for (a, b) in [
        ("Available", "Available"),
        ("Busy", "InACall"),
        ("Busy", "InAConferenceCall"),
        ("Away", "Away"),
        ("DoNotDisturb", "Presenting"),
    ] {
        assert_empty_200(fx.set_presence(a, b, None).await).await;
        assert_eq!(fx.seen().await, pair(a, b));
    }
    assert_eq!(
        fx.view().sessions.len(),
        1,
        "one session per app: each call updates it"
    );
}

#[tokio::test]
async fn pairs_outside_each_calls_list_and_wrong_case_are_refused_with_invalid_argument_contract_2_4() {
    let fx = Fx::new().await;
    for (a, b) in [
        ("Busy", "InACall"),
        ("Offline", "Offline"),
        ("Available", "Busy"),
        ("donotdisturb", "donotdisturb"),
        ("DoNotDisturb", "doNotDisturb"),
        ("Focusing", "Focusing"),
        ("", "Busy"),
    ] {
        let (status, code, _) = error_of(fx.set_preferred(a, b, None).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgument"),
            "{a}/{b}"
        );
    }
    for (a, b) in [
        ("Busy", "Busy"),
        ("Offline", "OffWork"),
        ("BeRightBack", "BeRightBack"),
        ("DoNotDisturb", "DoNotDisturb"),
        ("available", "available"),
        ("Busy", "InAMeeting"),
    ] {
        let (status, code, _) = error_of(fx.set_presence(a, b, None).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgument"),
            "{a}/{b}"
        );
    }
    let v = fx.view();
    assert!(
        v.pin.is_none() && v.sessions.is_empty(),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn a_missing_availability_reads_like_a_missing_session_id() {
    let fx = Fx::new().await;
    let r = fx
        .post(
            &fx.action("setUserPreferredPresence"),
            &fx.rw(),
            json!({"activity": "Busy"}),
        )
        .await;
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgument")
    );
    assert_eq!(message, "[Availability]: The Availability field is required.");
}

// ---- contract §2/§4: sessionId ----

#[tokio::test]
async fn set_presence_without_a_session_id_is_refused_with_the_seen_message_contract_4() {
    let fx = Fx::new().await;
    for body in [
        json!({"availability": "Available", "activity": "Available"}),
        json!({"sessionId": null, "availability": "Available", "activity": "Available"}),
        json!({"sessionId": "", "availability": "Available", "activity": "Available"}),
    ] {
        let (status, code, message) =
            error_of(fx.post(&fx.action("setPresence"), &fx.rw(), body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgument")
        );
        assert_eq!(message, "[SessionId]: The SessionId field is required.");
    }
}

#[tokio::test]
async fn a_session_id_other_than_the_callers_client_id_is_refused_assumed_contract_2() {
    let fx = Fx::new().await;
    let body = json!({"sessionId": OTHER_CLIENT, "availability": "Available", "activity": "Available"});
    let (status, code, message) = error_of(fx.post(&fx.action("setPresence"), &fx.rw(), body).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgument")
    );
    assert!(message.starts_with("[SessionId]"), "{message}");
    // The client id in another case is the same id.
    let body =
        json!({"sessionId": DEFAULT_CLIENT_ID.to_uppercase(), "availability": "Busy", "activity": "InACall"});
    assert_empty_200(fx.post(&fx.action("setPresence"), &fx.rw(), body).await).await;
}

// ---- contract §2: expirationDuration ----

#[tokio::test]
async fn set_presence_lives_pt5m_by_default_and_accepts_pt5m_to_pt4h_only_contract_2() {
    let fx = Fx::new().await;
    assert_empty_200(fx.set_presence("Busy", "InACall", None).await).await;
    let s = &fx.view().sessions[0];
    assert_eq!(s.expires_at, Some(s.last_set_at + SignedDuration::from_mins(5)));
    for (d, secs) in [("PT5M", 300), ("PT1H", 3600), ("PT4H", 4 * 3600), ("PT90M", 5400)] {
        assert_empty_200(fx.set_presence("Busy", "InACall", Some(d)).await).await;
        let s = &fx.view().sessions[0];
        assert_eq!(
            s.expires_at,
            Some(s.last_set_at + SignedDuration::from_secs(secs)),
            "{d}"
        );
    }
    for d in ["PT4M59S", "PT4H1M", "P1D", "PT0S", "-PT1H"] {
        let (status, code, message) = error_of(fx.set_presence("Busy", "InACall", Some(d)).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgument"),
            "{d}"
        );
        assert_eq!(message, "The provided [ExpirationDuration] is out of range.");
    }
    for d in ["5 minutes", "pt5m", "PT", "00:05:00"] {
        let (status, code, _) = error_of(fx.set_presence("Busy", "InACall", Some(d)).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgument"),
            "{d}"
        );
    }
}

#[tokio::test]
async fn a_preferred_presence_defaults_to_one_day_for_busy_and_dnd_and_seven_days_otherwise_contract_2() {
    let fx = Fx::new().await;
    for (a, b, days) in [
        ("Busy", "Busy", 1),
        ("DoNotDisturb", "DoNotDisturb", 1),
        ("Available", "Available", 7),
        ("BeRightBack", "BeRightBack", 7),
        ("Away", "Away", 7),
        ("Offline", "OffWork", 7),
    ] {
        assert_empty_200(fx.set_preferred(a, b, None).await).await;
        let pin = fx.view().pin.unwrap();
        assert_eq!(
            pin.expires_at,
            pin.set_at + SignedDuration::from_hours(24 * days),
            "{a}"
        );
        assert_eq!(pin.set_by, DEFAULT_CLIENT_ID);
    }
}

#[tokio::test]
async fn a_preferred_duration_must_be_positive_and_at_most_the_configurable_cap_assumed_contract_2() {
    let fx = Fx::new().await;
    assert_empty_200(fx.set_preferred("Busy", "Busy", Some("PT30M")).await).await;
    let pin = fx.view().pin.unwrap();
    assert_eq!(pin.expires_at, pin.set_at + SignedDuration::from_mins(30));
    assert_empty_200(fx.set_preferred("Busy", "Busy", Some("P7D")).await).await;
    for d in ["P7DT1S", "P8D", "PT0S", "-PT1H"] {
        let (status, code, message) = error_of(fx.set_preferred("Busy", "Busy", Some(d)).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "InvalidArgument"),
            "{d}"
        );
        assert_eq!(message, "The provided [ExpirationDuration] is out of range.");
    }
    fx.emu.state().world().settings.preferred_max_secs = 3600;
    let (status, _, _) = error_of(fx.set_preferred("Busy", "Busy", Some("PT2H")).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_empty_200(fx.set_preferred("Available", "Available", None).await).await;
    let pin = fx.view().pin.unwrap();
    assert_eq!(
        pin.expires_at,
        pin.set_at + SignedDuration::from_hours(1),
        "the default is lowered to the cap"
    );
}

// ---- contract §3 and §7: what colleagues see ----

#[tokio::test]
async fn a_pin_set_with_teams_closed_and_no_app_session_shows_offline_contract_3_and_7() {
    let fx = Fx::new().await;
    assert_empty_200(fx.set_preferred("Busy", "Busy", None).await).await;
    assert_eq!(fx.seen().await, pair("Offline", "Offline"));
    assert_empty_200(fx.set_presence("Available", "Available", None).await).await;
    assert_eq!(
        fx.seen().await,
        pair("Busy", "Busy"),
        "an app session makes the pin show"
    );
    fx.emu.clock().advance(Duration::from_secs(5 * 60));
    assert_eq!(
        fx.seen().await,
        pair("Offline", "Offline"),
        "the PT5M session lapsed"
    );
    assert_empty_200(fx.set_presence("Available", "Available", Some("PT1H")).await).await;
    fx.emu.clock().advance(Duration::from_secs(30 * 60));
    assert_eq!(
        fx.seen().await,
        pair("Busy", "Busy"),
        "a faded session still counts"
    );
}

#[tokio::test]
async fn closing_teams_makes_the_user_offline_whatever_the_pin_contract_3() {
    let fx = Fx::new().await;
    let teams = format!("/_emulator/users/{}/teams", fx.adele);
    let r = fx
        .control(
            reqwest::Method::POST,
            &teams,
            Some(json!({"availability": "Available", "activity": "Available"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_empty_200(fx.set_preferred("DoNotDisturb", "DoNotDisturb", None).await).await;
    assert_eq!(fx.seen().await, pair("DoNotDisturb", "DoNotDisturb"));
    let r = fx.control(reqwest::Method::DELETE, &teams, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(fx.seen().await, pair("Offline", "Offline"));
}

#[tokio::test]
async fn an_available_pin_shows_over_teams_in_a_meeting_until_cleared_contract_3() {
    let fx = Fx::new().await;
    let teams = format!("/_emulator/users/{}/teams", fx.adele);
    fx.control(
        reqwest::Method::POST,
        &teams,
        Some(json!({"availability": "Busy", "activity": "InAMeeting"})),
    )
    .await;
    assert_eq!(fx.seen().await, pair("Busy", "InAMeeting"));
    assert_empty_200(fx.set_preferred("Available", "Available", None).await).await;
    assert_eq!(fx.seen().await, pair("Available", "Available"));
    assert_empty_200(
        fx.post(&fx.action("clearUserPreferredPresence"), &fx.rw(), json!({}))
            .await,
    )
    .await;
    assert_eq!(fx.seen().await, pair("Busy", "InAMeeting"));
}

#[tokio::test]
async fn appear_offline_masks_an_app_session_and_teams_contract_3() {
    let fx = Fx::new().await;
    let teams = format!("/_emulator/users/{}/teams", fx.adele);
    fx.control(
        reqwest::Method::POST,
        &teams,
        Some(json!({"availability": "Busy", "activity": "InAMeeting"})),
    )
    .await;
    assert_empty_200(fx.set_presence("DoNotDisturb", "Presenting", Some("PT1H")).await).await;
    assert_empty_200(fx.set_preferred("Offline", "OffWork", None).await).await;
    assert_eq!(fx.seen().await, pair("Offline", "OffWork"));
}

#[tokio::test]
async fn the_highest_session_wins_without_a_pin_and_an_available_app_session_fades_contract_3() {
    let fx = Fx::new().await;
    let teams = format!("/_emulator/users/{}/teams", fx.adele);
    fx.control(
        reqwest::Method::POST,
        &teams,
        Some(json!({"availability": "Away", "activity": "Away"})),
    )
    .await;
    assert_empty_200(fx.set_presence("Available", "Available", Some("PT1H")).await).await;
    assert_eq!(fx.seen().await, pair("Available", "Available"));
    fx.emu.clock().advance(Duration::from_secs(5 * 60));
    assert_eq!(fx.seen().await, pair("Available", "AvailableInactive"));
    fx.emu.clock().advance(Duration::from_secs(5 * 60));
    assert_eq!(fx.seen().await, pair("Away", "Away"));
}

#[tokio::test]
async fn the_user_picking_a_status_in_teams_replaces_the_apps_pin_and_reset_clears_it_contract_3() {
    let fx = Fx::new().await;
    assert_empty_200(fx.set_presence("Available", "Available", Some("PT1H")).await).await;
    assert_empty_200(fx.set_preferred("Away", "Away", None).await).await;
    let status = format!("/_emulator/users/{}/teams/status", fx.adele);
    let r = fx
        .control(
            reqwest::Method::POST,
            &status,
            Some(json!({"availability": "Busy", "activity": "Busy"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["pin"]["setBy"], "teams");
    assert_eq!(fx.seen().await, pair("Busy", "Busy"));
    let r = fx.control(reqwest::Method::DELETE, &status, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(fx.seen().await, pair("Available", "Available"));
}

// ---- contract §2: clear calls ----

#[tokio::test]
async fn clear_presence_of_a_session_that_does_not_exist_is_404_and_of_the_only_one_makes_offline_contract_2_3()
 {
    let fx = Fx::new().await;
    let clear = json!({"sessionId": DEFAULT_CLIENT_ID});
    let (status, _, _) = error_of(
        fx.post(&fx.action("clearPresence"), &fx.rw(), clear.clone())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_empty_200(fx.set_presence("Busy", "InACall", None).await).await;
    assert_empty_200(
        fx.post(&fx.action("clearPresence"), &fx.rw(), clear.clone())
            .await,
    )
    .await;
    assert_eq!(fx.seen().await, pair("Offline", "Offline"));
    let (status, _, _) = error_of(fx.post(&fx.action("clearPresence"), &fx.rw(), clear).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already gone");
}

#[tokio::test]
async fn clear_user_preferred_presence_answers_200_even_when_nothing_was_set_contract_2() {
    let fx = Fx::new().await;
    assert_empty_200(
        fx.post(&fx.action("clearUserPreferredPresence"), &fx.rw(), json!({}))
            .await,
    )
    .await;
    // An empty body is as good as {}.
    let r = fx
        .http
        .post(fx.url(&fx.action("clearUserPreferredPresence")))
        .bearer_auth(fx.rw())
        .send()
        .await
        .unwrap();
    assert_empty_200(r).await;
}

#[tokio::test]
async fn the_me_presence_alias_writes_like_the_users_path_and_ids_match_case_insensitively_contract_2() {
    let fx = Fx::new().await;
    let body =
        json!({"sessionId": DEFAULT_CLIENT_ID, "availability": "Busy", "activity": "InAConferenceCall"});
    assert_empty_200(fx.post("/v1.0/me/presence/setPresence", &fx.rw(), body).await).await;
    assert_eq!(fx.seen().await, pair("Busy", "InAConferenceCall"));
    let upper = format!(
        "/v1.0/users/{}/presence/setUserPreferredPresence",
        fx.adele.to_uppercase()
    );
    assert_empty_200(
        fx.post(
            &upper,
            &fx.rw(),
            json!({"availability": "Away", "activity": "Away"}),
        )
        .await,
    )
    .await;
    assert_eq!(fx.seen().await, pair("Away", "Away"));
}

// ---- contract §2: the presence resource ----

#[tokio::test]
async fn get_presence_returns_the_presence_resource_with_an_expiry_object_contract_2() {
    let fx = Fx::new().await;
    let r = fx
        .get(&format!("/v1.0/users/{}/presence", fx.adele), &fx.rw())
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "JSON with OData parameters"
    );
    let v: Value = r.json().await.unwrap();
    assert!(v["@odata.context"].as_str().unwrap().contains("$metadata#users("));
    assert_eq!(v["id"], fx.adele.as_str());
    assert_eq!(v["availability"], "Offline");
    assert_eq!(v["activity"], "Offline");
    assert_eq!(v["statusMessage"], Value::Null);
    assert_eq!(v["outOfOfficeSettings"]["isOutOfOffice"], false);
    assert!(v["sequenceNumber"].is_string());

    let body = json!({"statusMessage": {
        "message": {"content": "In Lisbon", "contentType": "text"},
        "expiryDateTime": {"dateTime": "2030-01-01T12:00:00.0000000", "timeZone": "UTC"}
    }});
    assert_empty_200(fx.post(&fx.action("setStatusMessage"), &fx.rw(), body).await).await;
    let v: Value = fx.get("/v1.0/me/presence", &fx.rw()).await.json().await.unwrap();
    let sm = &v["statusMessage"];
    assert_eq!(sm["message"]["content"], "In Lisbon");
    assert_eq!(sm["message"]["contentType"], "text");
    assert!(sm["expiryDateTime"].is_object(), "an object, not a string");
    assert_eq!(sm["expiryDateTime"]["dateTime"], "2030-01-01T12:00:00.0000000");
    assert_eq!(sm["expiryDateTime"]["timeZone"], "UTC");
    assert!(sm["publishedDateTime"].is_string());
}

#[tokio::test]
async fn a_status_message_without_expiry_never_expires_and_lapses_on_the_virtual_clock_with_one() {
    let fx = Fx::new().await;
    let body = json!({"statusMessage": {"message": {"content": "Heads down", "contentType": "text"}}});
    assert_empty_200(fx.post(&fx.action("setStatusMessage"), &fx.rw(), body).await).await;
    let v: Value = fx.get("/v1.0/me/presence", &fx.rw()).await.json().await.unwrap();
    assert_eq!(
        v["statusMessage"]["expiryDateTime"]["dateTime"],
        "9999-12-30T23:59:59.9999999"
    );

    let in_an_hour = fx.now() + SignedDuration::from_hours(1);
    let body = json!({"statusMessage": {
        "message": {"content": "Back at 3", "contentType": "text"},
        "expiryDateTime": {"dateTime": in_an_hour.strftime("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": "UTC"}
    }});
    assert_empty_200(fx.post(&fx.action("setStatusMessage"), &fx.rw(), body).await).await;
    fx.emu.clock().advance(Duration::from_secs(3601));
    let v: Value = fx.get("/v1.0/me/presence", &fx.rw()).await.json().await.unwrap();
    assert_eq!(v["statusMessage"], Value::Null);
}

#[tokio::test]
async fn a_status_message_is_html_or_text_and_at_most_280_characters_contract_2() {
    let fx = Fx::new().await;
    let set = |content: String, content_type: &str| json!({"statusMessage": {"message": {"content": content, "contentType": content_type}}});
    let longest = "é".repeat(280);
    assert_empty_200(
        fx.post(
            &fx.action("setStatusMessage"),
            &fx.rw(),
            set(longest.clone(), "text"),
        )
        .await,
    )
    .await;
    let v: Value = fx.get("/v1.0/me/presence", &fx.rw()).await.json().await.unwrap();
    assert_eq!(v["statusMessage"]["message"]["content"], longest.as_str());

    let (status, code, _) = error_of(
        fx.post(
            &fx.action("setStatusMessage"),
            &fx.rw(),
            set("é".repeat(281), "text"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgument")
    );
    let v: Value = fx.get("/v1.0/me/presence", &fx.rw()).await.json().await.unwrap();
    assert_eq!(
        v["statusMessage"]["message"]["content"],
        longest.as_str(),
        "a refused message changes nothing"
    );

    let (status, code, _) = error_of(
        fx.post(
            &fx.action("setStatusMessage"),
            &fx.rw(),
            set("Hi".into(), "markdown"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgument")
    );
    assert_empty_200(
        fx.post(
            &fx.action("setStatusMessage"),
            &fx.rw(),
            set("<p>Hi</p>".into(), "html"),
        )
        .await,
    )
    .await;
    let v: Value = fx.get("/v1.0/me/presence", &fx.rw()).await.json().await.unwrap();
    assert_eq!(v["statusMessage"]["message"]["contentType"], "html");

    // The limit is an assumption, so it is a setting.
    let r = fx
        .control(
            reqwest::Method::PATCH,
            "/_emulator/settings",
            Some(json!({"statusMessageMaxChars": 5})),
        )
        .await;
    assert!(r.status().is_success());
    let (status, _, _) = error_of(
        fx.post(
            &fx.action("setStatusMessage"),
            &fx.rw(),
            set("Back at 3".into(), "text"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

// ---- contract §4: tokens and permissions ----

const WWW_AUTHENTICATE: &str = "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

#[tokio::test]
async fn a_missing_malformed_or_expired_token_gets_401_invalid_authentication_token_with_www_authenticate_contract_4()
 {
    let fx = Fx::new().await;
    let expired = fx.rw();
    fx.emu.clock().advance(Duration::from_secs(3600));
    let mut requests = vec![
        fx.http.get(fx.url("/v1.0/me/presence")),
        fx.http.get(fx.url("/v1.0/me/presence")).bearer_auth("not.a.jwt"),
        fx.http.get(fx.url("/v1.0/me/presence")).bearer_auth(&expired),
        fx.http.get(fx.url("/v1.0/me")).bearer_auth(&expired),
        fx.http
            .post(fx.url(&fx.action("setPresence")))
            .bearer_auth(&expired),
    ];
    for (i, req) in requests.drain(..).enumerate() {
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "request {i}");
        assert_eq!(r.headers()["www-authenticate"], WWW_AUTHENTICATE);
        let (_, code, message) = error_of(r).await;
        assert_eq!(code, "InvalidAuthenticationToken");
        assert!(!message.is_empty());
    }
}

#[tokio::test]
async fn a_write_without_presence_readwrite_gets_403_forbidden_with_an_empty_message_contract_4() {
    let fx = Fx::new().await;
    let read_only = fx.token_for(&fx.adele, DEFAULT_CLIENT_ID, &["Presence.Read", "User.Read"]);
    for action in [
        "setPresence",
        "clearPresence",
        "setUserPreferredPresence",
        "clearUserPreferredPresence",
        "setStatusMessage",
    ] {
        let r = fx.post(&fx.action(action), &read_only, json!({})).await;
        let (status, code, message) = error_of(r).await;
        assert_eq!(
            (status, code.as_str(), message.as_str()),
            (StatusCode::FORBIDDEN, "Forbidden", ""),
            "{action}"
        );
    }
    // Presence.Read is enough to read one's own presence.
    assert_eq!(
        fx.get("/v1.0/me/presence", &read_only).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn reading_another_users_presence_needs_presence_read_all() {
    let fx = Fx::new().await;
    let path = format!("/v1.0/users/{}/presence", fx.megan);
    let (status, code, _) = error_of(fx.get(&path, &fx.rw()).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "Forbidden"));
    let read_all = fx.token_for(&fx.adele, DEFAULT_CLIENT_ID, &["Presence.Read.All"]);
    let r = fx.get(&path, &read_all).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"], fx.megan.as_str());
    let unknown = "/v1.0/users/00000000-0000-0000-0000-000000000000/presence";
    assert_eq!(fx.get(unknown, &read_all).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn writing_another_users_presence_gets_401_cannot_set_the_presence_of_another_user_contract_2() {
    let fx = Fx::new().await;
    for id in [
        fx.megan.as_str(),
        "00000000-0000-0000-0000-000000000000",
        "adele.vance@contoso.onmicrosoft.com",
    ] {
        let path = format!("/v1.0/users/{id}/presence/setUserPreferredPresence");
        let r = fx
            .post(
                &path,
                &fx.rw(),
                json!({"availability": "Busy", "activity": "Busy"}),
            )
            .await;
        assert!(
            r.headers().get("www-authenticate").is_none(),
            "the token itself is fine"
        );
        let (status, _, message) = error_of(r).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{id}");
        assert_eq!(message, "Cannot set the presence of another user");
    }
    let megan = fx.emu.state().world().presence.view(&fx.megan, fx.now());
    assert!(megan.pin.is_none());
}

#[tokio::test]
async fn get_me_returns_the_signed_in_user_with_user_read_and_403_without_it() {
    let fx = Fx::new().await;
    let r = fx.get("/v1.0/me", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"], fx.adele.as_str());
    assert_eq!(v["displayName"], "Adele Vance");
    assert_eq!(v["userPrincipalName"], "adele.vance@contoso.onmicrosoft.com");
    assert_eq!(v["mail"], "adele.vance@contoso.onmicrosoft.com");
    assert!(
        v["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#users/$entity")
    );
    let presence_only = fx.token_for(
        &fx.adele,
        DEFAULT_CLIENT_ID,
        &["Presence.ReadWrite", "openid", "profile"],
    );
    let (status, code, _) = error_of(fx.get("/v1.0/me", &presence_only).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "Authorization_RequestDenied")
    );
}

// ---- bad input never crashes (contract §4 shapes) ----

#[tokio::test]
async fn malformed_json_a_wrong_content_type_and_an_empty_body_get_graph_shaped_400s() {
    let fx = Fx::new().await;
    let path = fx.url(&fx.action("setPresence"));
    let cases = [
        ("application/json", "{\"sessionId\": "),
        ("application/json", "[1, 2]"),
        ("text/plain", "{\"sessionId\": \"x\"}"),
        ("", "{\"sessionId\": \"x\"}"),
        ("application/json", ""),
    ];
    for (content_type, body) in cases {
        let mut req = fx.http.post(&path).bearer_auth(fx.rw()).body(body);
        if !content_type.is_empty() {
            req = req.header("content-type", content_type);
        }
        let (status, code, message) = error_of(req.send().await.unwrap()).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "BadRequest"),
            "{content_type} {body:?}"
        );
        assert!(!message.is_empty());
    }
}

#[tokio::test]
async fn wrong_json_types_and_unknown_parameters_are_refused_not_ignored_assumed() {
    let fx = Fx::new().await;
    let cases = [
        json!({"sessionId": DEFAULT_CLIENT_ID, "availability": 5, "activity": "Available"}),
        json!({"sessionId": DEFAULT_CLIENT_ID, "availability": ["Available"], "activity": "Available"}),
        json!({"sessionId": DEFAULT_CLIENT_ID, "availability": "Available", "activity": "Available", "expirationDuration": 300}),
        json!({"sessionId": DEFAULT_CLIENT_ID, "availability": "Available", "activity": "Available", "expiration": "PT1H"}),
        json!({"SessionId": DEFAULT_CLIENT_ID, "availability": "Available", "activity": "Available"}),
    ];
    for body in cases {
        let (status, code, _) =
            error_of(fx.post(&fx.action("setPresence"), &fx.rw(), body.clone()).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "BadRequest"),
            "{body}"
        );
    }
    let (_, _, message) = error_of(
        fx.post(
            &fx.action("setPresence"),
            &fx.rw(),
            json!({"sessionId": DEFAULT_CLIENT_ID, "availability": "Available", "activity": "Available", "expiration": "PT1H"}),
        )
        .await,
    )
    .await;
    assert!(
        message.contains("'expiration'") && message.contains("'setPresence'"),
        "{message}"
    );
    let nested = json!({"statusMessage": {"message": {"content": "x", "contentType": "text"}, "expiry": {}}});
    let (status, code, _) = error_of(fx.post(&fx.action("setStatusMessage"), &fx.rw(), nested).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "BadRequest"));
    // An OData annotation is not a parameter.
    let annotated = json!({"@odata.type": "#microsoft.graph.x", "availability": "Away", "activity": "Away"});
    assert_empty_200(
        fx.post(&fx.action("setUserPreferredPresence"), &fx.rw(), annotated)
            .await,
    )
    .await;
    assert!(fx.view().sessions.is_empty());
}

#[tokio::test]
async fn a_body_over_the_size_limit_gets_a_graph_shaped_413() {
    let fx = Fx::new().await;
    let limit = fx.emu.state().world().settings.max_body_bytes;
    let huge = json!({"sessionId": DEFAULT_CLIENT_ID, "availability": "Available", "activity": "x".repeat(limit + 10)});
    let r = fx.post(&fx.action("setPresence"), &fx.rw(), huge).await;
    let (status, code, _) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge")
    );
    // Still serving.
    assert_eq!(fx.seen().await, pair("Offline", "Offline"));
}

#[tokio::test]
async fn the_client_request_id_is_echoed_in_headers_and_in_inner_error() {
    let fx = Fx::new().await;
    let r = fx
        .http
        .get(fx.url("/v1.0/me/presence"))
        .bearer_auth(fx.rw())
        .header("client-request-id", "4d7c1b7e-0000-4000-8000-000000000001")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["client-request-id"],
        "4d7c1b7e-0000-4000-8000-000000000001"
    );
    assert!(r.headers().contains_key("request-id"));
    let r = fx
        .http
        .post(fx.url(&fx.action("setPresence")))
        .bearer_auth(fx.rw())
        .header("client-request-id", "abc-123")
        .json(&json!({"availability": "Available", "activity": "Available"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["client-request-id"], "abc-123");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["innerError"]["client-request-id"], "abc-123");
    assert!(v["error"]["innerError"]["date"].is_string());
    assert!(v["error"]["innerError"]["request-id"].is_string());
}

#[tokio::test]
async fn every_graph_response_is_logged_with_its_app_user_and_action() {
    let fx = Fx::new().await;
    assert_empty_200(fx.set_presence("Available", "Available", None).await).await;
    fx.get("/v1.0/me/presence", &fx.rw()).await;
    fx.get("/v1.0/me", &fx.rw()).await;
    fx.http.get(fx.url("/v1.0/me")).send().await.unwrap();
    let world = fx.emu.state().world();
    let entries: Vec<_> = world.log.since(0).collect();
    let kinds: Vec<_> = entries.iter().map(|e| e.kind.as_deref()).collect();
    assert_eq!(
        kinds,
        [Some("setPresence"), Some("getPresence"), Some("me"), Some("me")]
    );
    assert_eq!(entries[0].client_id.as_deref(), Some(DEFAULT_CLIENT_ID));
    assert_eq!(entries[0].user_id.as_deref(), Some(fx.adele.as_str()));
    assert_eq!(entries[3].status, 401);
    assert_eq!(entries[3].client_id, None, "no token, no app");
}

#[tokio::test]
async fn an_unknown_graph_path_or_method_gets_a_graph_shaped_error() {
    let fx = Fx::new().await;
    let r = fx.get("/v1.0/me/presences", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]["code"].is_string());
    let r = fx.get(&fx.action("setPresence"), &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]["code"].is_string());
    let r = fx
        .post("/v1.0/me/presence/setpresence", &fx.rw(), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "action names are exact-case");
}

#[tokio::test]
async fn a_doubled_slash_after_the_version_is_served_like_one_and_logged_as_sent_contract_2() {
    let fx = Fx::new().await;
    let body =
        json!({"sessionId": DEFAULT_CLIENT_ID, "availability": "Busy", "activity": "InAConferenceCall"});
    let doubled = format!("/v1.0//users/{}/presence/setPresence", fx.adele);
    assert_empty_200(fx.post(&doubled, &fx.rw(), body).await).await;
    let r = fx.get("/v1.0//me/presence", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["availability"].as_str(), v["id"].as_str()),
        (Some("Busy"), Some(fx.adele.as_str()))
    );
    let r = fx.get("/v1.0//me", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"].as_str(), Some(fx.adele.as_str()));
    // Only the slashes after the version: one further along is still an unknown segment.
    let r = fx.get("/v1.0/me//presence", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let world = fx.emu.state().world();
    let entries: Vec<_> = world.log.since(0).collect();
    let logged: Vec<_> = entries
        .iter()
        .map(|e| (e.path.as_str(), e.kind.as_deref()))
        .collect();
    assert_eq!(
        logged[..3],
        [
            (doubled.as_str(), Some("setPresence")),
            ("/v1.0//me/presence", Some("getPresence")),
            ("/v1.0//me", Some("me")),
        ]
    );
}

#[tokio::test]
async fn a_fault_rule_for_a_graph_path_also_hits_its_doubled_slash_form() {
    let fx = Fx::new().await;
    let r = fx
        .control(
            reqwest::Method::POST,
            "/_emulator/faults",
            Some(json!({"method": "GET", "path": "/v1.0/me/presence", "fault": {"kind": "status", "status": 503}})),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = fx.get("/v1.0//me/presence", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let r = fx.get("/v1.0//me/presence", &fx.rw()).await;
    assert_eq!(r.status(), StatusCode::OK);
}
