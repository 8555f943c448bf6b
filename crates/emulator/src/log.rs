//! The request log: every request to the identity platform or Graph, with tokens redacted, for the live page,
//! tests and the request-economy benchmark to count.

use std::collections::VecDeque;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use jiff::Timestamp;
use serde::Serialize;

use crate::world::{AppState, Event};

/// Which emulated service a request was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Service {
    /// The Microsoft identity platform (`/{tenant}/oauth2/v2.0/...`, discovery).
    Identity,
    /// Microsoft Graph (`/v1.0/...`).
    Graph,
}

/// One answered request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Position in the log, from 1.
    pub seq: u64,
    /// Virtual time the answer was sent.
    pub time: Timestamp,
    /// Identity or Graph.
    pub service: Service,
    /// HTTP method.
    pub method: String,
    /// Path without the query (queries can hold codes).
    pub path: String,
    /// HTTP status of the answer.
    pub status: u16,
    /// The calling app, when known (form field, query or token claim).
    pub client_id: Option<String>,
    /// The user acted for, when known.
    pub user_id: Option<String>,
    /// The `grant_type` of a token request, or the Graph action (`setPresence`, ...): what benchmarks count by.
    pub kind: Option<String>,
    /// Real milliseconds the handler took (fault delays included).
    pub elapsed_ms: u64,
}

/// What a handler tells the log about a request, through a response extension.
#[derive(Debug, Clone, Default)]
pub struct LogNote {
    /// The calling app.
    pub client_id: Option<String>,
    /// The user acted for.
    pub user_id: Option<String>,
    /// Grant type or Graph action.
    pub kind: Option<String>,
}

/// The bounded log, oldest dropped first.
#[derive(Debug)]
pub struct RequestLog {
    entries: VecDeque<LogEntry>,
    capacity: usize,
    next_seq: u64,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self::with_capacity(20_000)
    }
}

impl RequestLog {
    /// A log that keeps the last `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 1,
        }
    }

    /// Records an entry, giving it its sequence number.
    pub fn push(&mut self, mut entry: LogEntry) -> LogEntry {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(entry.clone());
        entry
    }

    /// Entries with `seq > after`, oldest first.
    pub fn since(&self, after: u64) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter().filter(move |e| e.seq > after)
    }

    /// Forgets every entry (sequence numbers keep counting).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Which service a path belongs to; `None` for the control API, the page and unknown paths at the root.
pub fn service_of(path: &str) -> Option<Service> {
    if path.starts_with("/v1.0/") || path == "/v1.0" || path.starts_with("/beta/") {
        Some(Service::Graph)
    } else if path.starts_with("/_emulator")
        || path == "/"
        || path.starts_with("/assets/")
        || path == "/favicon.ico"
    {
        None
    } else {
        Some(Service::Identity)
    }
}

/// Middleware: records every identity and Graph request after it is answered.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let service = service_of(req.uri().path());
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let Some(service) = service else { return response };
    let note = response
        .extensions()
        .get::<LogNote>()
        .cloned()
        .unwrap_or_default();
    let entry = LogEntry {
        seq: 0,
        time: state.clock.now(),
        service,
        method,
        path,
        status: response.status().as_u16(),
        client_id: note.client_id,
        user_id: note.user_id,
        kind: note.kind,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let entry = state.world().log.push(entry);
    let _ = state.events.send(Event::Request(entry));
    response
}
