//! The emulator's request bodies, sent through its own router in process (no socket): the form bodies of
//! `/token` and `/devicecode`, the JSON bodies of Graph's presence actions and of the Teams control endpoints.
//! Only emulator code is called: the emulator depends on no client crate, and neither does this check.

use std::cell::RefCell;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use presently_emulator::seed::Seed;
use presently_emulator::world::{AppState, Shared, World};
use presently_emulator::{Clock, DEFAULT_CLIENT_ID};
use tower::ServiceExt as _;

/// How many requests one world serves before it starts again from the seed, so device codes and sessions the
/// fuzzer creates do not pile up over millions of runs.
const REQUESTS_PER_WORLD: u32 = 2_000;

struct Emulator {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    router: Router,
    seed: Seed,
    user: String,
    bearer: String,
    served: u32,
}

impl Emulator {
    fn new() -> Self {
        let mut seed = Seed::default();
        // The fuzzer sends far more than Graph's throttling allows; a 429 would hide the body checks.
        seed.settings.throttle_limit = u32::MAX;
        let user = seed.users.first().expect("the default seed has users").id.clone();
        let state = Shared::new(seed.clone(), Clock::default(), None).expect("signing keys");
        let router = presently_emulator::server::router(state.clone(), seed.settings.max_body_bytes);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let mut emulator = Self {
            runtime,
            state,
            router,
            seed,
            user,
            bearer: String::new(),
            served: 0,
        };
        emulator.restart();
        emulator
    }

    fn restart(&mut self) {
        *self.state.world() = World::from_seed(self.seed.clone());
        self.bearer = presently_emulator::identity::mint_access_token(
            &self.state,
            &self.user,
            DEFAULT_CLIENT_ID,
            &["Presence.ReadWrite", "User.Read"],
            3600,
        )
        .expect("a token for the seed's user");
        self.served = 0;
    }
}

thread_local! {
    static EMULATOR: RefCell<Option<Emulator>> = const { RefCell::new(None) };
}

/// The endpoints a fuzzer's first byte picks from: path, form or JSON, bearer token.
const GRAPH_ACTIONS: [&str; 5] = [
    "setPresence",
    "clearPresence",
    "setUserPreferredPresence",
    "clearUserPreferredPresence",
    "setStatusMessage",
];

/// Form fields that carry secrets: the emulator must never send one back in an answer.
const SECRET_FIELDS: [&str; 5] = [
    "code",
    "refresh_token",
    "code_verifier",
    "client_secret",
    "device_code",
];

/// A request body to the emulator: never panics, never a 5xx, an error is always a JSON object, and no secret
/// form field comes back in the answer.
pub fn emulator_body(data: &[u8]) -> bool {
    let Some((&first, body)) = data.split_first() else {
        return false;
    };
    EMULATOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let emulator = cell.get_or_insert_with(Emulator::new);
        if emulator.served >= REQUESTS_PER_WORLD {
            emulator.restart();
        }
        emulator.served += 1;
        send(emulator, first, body)
    })
}

fn send(emulator: &Emulator, first: u8, body: &[u8]) -> bool {
    let user = &emulator.user;
    let (path, form) = match first % 10 {
        0 => ("/common/oauth2/v2.0/token".to_owned(), true),
        1 => ("/organizations/oauth2/v2.0/devicecode".to_owned(), true),
        n @ 2..=6 => (
            format!("/v1.0/me/presence/{}", GRAPH_ACTIONS[usize::from(n - 2)]),
            false,
        ),
        7 => (format!("/v1.0/users/{user}/presence/setPresence"), false),
        8 => (format!("/_emulator/users/{user}/teams"), false),
        _ => (format!("/_emulator/users/{user}/teams/status"), false),
    };
    let content_type = match (form, first & 0x80 != 0) {
        (_, true) => "text/plain",
        (true, false) => "application/x-www-form-urlencoded",
        (false, false) => "application/json",
    };
    let request = Request::post(&path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {}", emulator.bearer))
        .body(Body::from(body.to_vec()))
        .expect("a request");
    let router = emulator.router.clone();
    let (status, answer) = emulator.runtime.block_on(async move {
        let response = router.oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("an in-memory body");
        (status, bytes)
    });
    assert!(!status.is_server_error(), "{path}: {status}");
    if status.is_client_error() {
        let parsed = serde_json::from_slice::<serde_json::Value>(&answer);
        assert!(
            matches!(parsed, Ok(serde_json::Value::Object(_))),
            "{path}: {status} without a JSON object: {:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    if form && let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
        let answer = String::from_utf8_lossy(&answer);
        // A secret that is also part of a field the answer may quote (the client id, the scope) proves nothing.
        let quotable: Vec<&str> = pairs
            .iter()
            .filter(|(name, _)| !SECRET_FIELDS.contains(&name.as_str()))
            .map(|(_, value)| value.as_str())
            .collect();
        for (name, value) in &pairs {
            if SECRET_FIELDS.contains(&name.as_str())
                && value.len() >= 16
                && !quotable.iter().any(|q| q.contains(value.as_str()))
            {
                assert!(
                    !answer.contains(value.as_str()),
                    "{path}: {name} echoed in {answer}"
                );
            }
        }
    }
    status.is_success()
}
