//! What the Graph client writes to `tracing`: enough to follow a request (action, method, status, duration,
//! client-request-id), never a token, the `Authorization` header (architecture convention 7) or the user's
//! object id that the request path carries.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Harness, SCOPES};
use presently_emulator::faults::FaultKind;
use presently_model::PreferredPresence;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

#[tokio::test(start_paused = true)]
async fn requests_are_traced_with_ids_status_and_duration_but_never_a_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("presently_graph=trace")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // An expired token (refresh), one 429 (retry), then success: every path that logs.
    let h = Harness::start_with(SCOPES, 60).await;
    let first_token = h.tokens.current();
    let path = common::write_path(&h.oid, "setUserPreferredPresence");
    common::inject(
        &h,
        &path,
        1,
        FaultKind::Status {
            status: 429,
            retry_after: Some(1),
        },
    );
    h.emulator.clock().advance(Duration::from_secs(120));
    h.client
        .set_preferred(&h.oid, PreferredPresence::Busy, None)
        .await
        .unwrap();
    let second_token = h.tokens.current();
    assert_eq!(h.tokens.refreshes(), 1);

    let text = captured.text();
    assert!(
        text.contains("action=\"setUserPreferredPresence\"")
            || text.contains("action=setUserPreferredPresence"),
        "{text}"
    );
    assert!(text.contains("method=POST"), "{text}");
    assert!(
        !text.contains(&h.oid),
        "the user's object id (in the URL path) stays out of the trace: {text}"
    );
    assert!(!text.contains(&path), "{text}");
    assert!(text.contains("status=401"), "{text}");
    assert!(text.contains("status=429"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(text.contains("elapsed_ms="), "{text}");
    assert!(text.contains("retrying"), "{text}");
    assert_eq!(
        text.matches("client_request_id=").count(),
        3,
        "one per attempt: {text}"
    );

    for secret in [first_token.secret(), second_token.secret()] {
        assert!(!text.contains(secret), "a token leaked into the trace");
        // Not even the JWT header or signature parts.
        for part in secret.split('.') {
            assert!(!text.contains(part), "a token part leaked into the trace");
        }
    }
    let lower = text.to_ascii_lowercase();
    assert!(!lower.contains("authorization"), "{text}");
    assert!(!lower.contains("bearer"), "{text}");
}
