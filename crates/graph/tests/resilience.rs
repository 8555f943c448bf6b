//! The Graph client when things go wrong, against the emulator: a rejected token is refreshed once,
//! throttling and unavailability are retried as contract §4 says (with tokio's paused time, which the
//! emulator's virtual clock follows, so minutes of backoff take milliseconds), and everything else is final.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Harness, MintingSource, SCOPES, client_for, inject};
use presently_emulator::faults::FaultKind;
use presently_graph::{
    AccessToken, GraphClient, GraphConfig, GraphError, RefusalKind, RetryPolicy, StaticToken, TokenErrorKind,
    TransportKind, UserAction, UserRef,
};
use presently_model::PreferredPresence;
use tokio::time::Instant;

const MY_PRESENCE: &str = "/v1.0/me/presence";

fn status(status: u16, retry_after: Option<u64>) -> FaultKind {
    FaultKind::Status { status, retry_after }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_succeeds() {
    let h = Harness::start_with(SCOPES, 60).await;
    h.emulator.clock().advance(Duration::from_secs(120));
    let me = h.client.me().await.unwrap();
    assert_eq!(me.id, h.oid);
    assert_eq!(h.tokens.refreshes(), 1);
    assert_eq!(h.logged("/v1.0/me"), vec![401, 200]);
    // The fresh token is used from now on, without another refresh.
    h.client.presence(UserRef::Me).await.unwrap();
    assert_eq!(h.tokens.refreshes(), 1);
}

#[tokio::test]
async fn a_second_401_after_the_refresh_is_an_error_asking_to_sign_in_again() {
    let h = Harness::start_with(SCOPES, 60).await;
    // Refreshed tokens are born expired, so Graph refuses the retry too.
    let tokens = MintingSource::new(h.state(), &h.oid, SCOPES, 60).with_refresh_lifetime(0);
    let client = client_for(&h.emulator, tokens.clone());
    h.emulator.clock().advance(Duration::from_secs(120));
    let err = client
        .set_preferred(&h.oid, PreferredPresence::Busy, None)
        .await
        .unwrap_err();
    let refusal = err.refusal().expect("a refusal");
    assert_eq!(refusal.kind, RefusalKind::InvalidToken);
    assert_eq!(refusal.code.as_deref(), Some("InvalidAuthenticationToken"));
    assert_eq!(err.action(), UserAction::SignInAgain);
    assert_eq!(tokens.refreshes(), 1, "refresh once, retry once");
    let path = common::write_path(&h.oid, "setUserPreferredPresence");
    assert_eq!(h.logged(&path), vec![401, 401]);
}

#[tokio::test]
async fn a_rejected_token_that_cannot_be_refreshed_reports_the_sources_error() {
    let h = Harness::start().await;
    let client = client_for(
        &h.emulator,
        Arc::new(StaticToken::new(AccessToken::new("not-a-jwt"))),
    );
    let err = client.me().await.unwrap_err();
    match &err {
        GraphError::Token(e) => assert_eq!(e.kind(), TokenErrorKind::SignInRequired),
        other => panic!("expected a token error, got {other:?}"),
    }
    assert_eq!(err.action(), UserAction::SignInAgain);
    assert_eq!(h.logged("/v1.0/me"), vec![401]);
}

#[tokio::test(start_paused = true)]
async fn throttling_by_the_emulator_is_waited_out_as_retry_after_says() {
    let h = Harness::start().await;
    {
        let mut world = h.state().world();
        world.settings.throttle_limit = 2;
        world.settings.throttle_window_secs = 30;
    }
    let started = Instant::now();
    for _ in 0..3 {
        h.client.presence(UserRef::Me).await.unwrap();
    }
    let waited = started.elapsed();
    assert_eq!(h.logged(MY_PRESENCE), vec![200, 200, 429, 200]);
    // Contract §4: honour Retry-After (here the 30 s until the window frees), not the 3 s backoff.
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(31),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_injected_429_waits_exactly_its_retry_after() {
    let h = Harness::start().await;
    inject(&h, MY_PRESENCE, 1, status(429, Some(7)));
    let started = Instant::now();
    h.client.presence(UserRef::Me).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "waited {waited:?}"
    );
    assert_eq!(h.logged(MY_PRESENCE), vec![429, 200]);
}

#[tokio::test(start_paused = true)]
async fn a_503_storm_is_retried_three_times_with_backoff_then_reported_unavailable() {
    let h = Harness::start().await;
    inject(&h, MY_PRESENCE, 10, status(503, None));
    let started = Instant::now();
    let err = h.client.presence(UserRef::Me).await.unwrap_err();
    let waited = started.elapsed();
    assert_eq!(
        err.refusal().map(|r| r.kind),
        Some(RefusalKind::Unavailable { retry_after: None })
    );
    assert_eq!(
        err.refusal().and_then(|r| r.code.as_deref()),
        Some("serviceNotAvailable")
    );
    assert!(err.is_retryable());
    assert_eq!(err.action(), UserAction::RetryLater { after: None });
    assert_eq!(
        h.logged(MY_PRESENCE),
        vec![503, 503, 503, 503],
        "one attempt and 3 retries"
    );
    // Backoff 3 s + 6 s + 12 s (contract §4).
    assert!(
        waited >= Duration::from_secs(21) && waited < Duration::from_secs(22),
        "waited {waited:?}"
    );
    assert_eq!(h.state().world().faults.list()[0].remaining, 6);
}

#[tokio::test(start_paused = true)]
async fn a_504_with_retry_after_is_retried_after_that_delay() {
    let h = Harness::start().await;
    let path = common::write_path(&h.oid, "clearUserPreferredPresence");
    inject(&h, &path, 2, status(504, Some(2)));
    let started = Instant::now();
    h.client.clear_preferred(&h.oid).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(h.logged(&path), vec![504, 504, 200]);
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(5),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_cap_is_handed_to_the_caller_instead_of_slept() {
    let h = Harness::start().await;
    inject(&h, MY_PRESENCE, 1, status(429, Some(600)));
    let started = Instant::now();
    let err = h.client.presence(UserRef::Me).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    let after = Some(Duration::from_secs(600));
    assert_eq!(
        err.refusal().map(|r| r.kind),
        Some(RefusalKind::Throttled { retry_after: after })
    );
    assert_eq!(err.retry_after(), after);
    assert_eq!(err.action(), UserAction::RetryLater { after });
    assert_eq!(h.logged(MY_PRESENCE), vec![429]);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_retried_because_presence_calls_are_idempotent() {
    let h = Harness::start().await;
    let path = common::write_path(&h.oid, "setUserPreferredPresence");
    inject(&h, &path, 1, FaultKind::Drop);
    h.client
        .set_preferred(&h.oid, PreferredPresence::DoNotDisturb, None)
        .await
        .unwrap();
    let logged = h.logged(&path);
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert_eq!(logged[1], 200);
}

#[tokio::test]
async fn with_transport_retries_off_a_dropped_connection_is_a_typed_transport_error() {
    let h = Harness::start().await;
    inject(&h, MY_PRESENCE, 1, FaultKind::Drop);
    let config = GraphConfig {
        retry: RetryPolicy {
            retry_transport_errors: false,
            ..RetryPolicy::default()
        },
        ..GraphConfig::with_base_url(h.emulator.base_url())
    };
    let client = GraphClient::new(
        config.clone(),
        config.build_http_client().unwrap(),
        h.tokens.clone(),
    )
    .unwrap();
    let err = client.presence(UserRef::Me).await.unwrap_err();
    match &err {
        GraphError::Transport { kind, .. } => assert_eq!(*kind, TransportKind::Dropped),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(err.action(), UserAction::CheckConnection);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    // Bind and release a port so nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = GraphConfig {
        retry: RetryPolicy::never(),
        ..GraphConfig::with_base_url(format!("http://127.0.0.1:{port}"))
    };
    let client = GraphClient::new(
        config.clone(),
        config.build_http_client().unwrap(),
        Arc::new(StaticToken::new(AccessToken::new("t"))),
    )
    .unwrap();
    let err = client.me().await.unwrap_err();
    match &err {
        GraphError::Transport { kind, .. } => assert_eq!(*kind, TransportKind::Connect),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(
        !err.to_string().contains(&port.to_string()),
        "the URL is not in the message: {err}"
    );
}
