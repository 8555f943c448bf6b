//! When a request reaches the emulator, in the benchmark's own real time.
//!
//! The emulator's request log stamps entries with its *virtual* clock, which is right for the keeper's
//! economy and wrong for latency. So the benchmark listens to the emulator's live stream
//! (`GET /_emulator/events`, server-sent events: one `request` event per answered request, pushed from the
//! emulator's logging middleware as the answer leaves) and stamps each event with `Instant::now()` as it
//! arrives here. The arrival is then corrected by the entry's own `elapsedMs` (how long the emulator's handler
//! took), so what is measured is the moment the request reached the emulator, late at most by the loopback
//! push of one small event (well under a millisecond) and by the whole-millisecond rounding of `elapsedMs`.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Deserialize;
use tokio::sync::mpsc;

/// One logged request, as the live stream sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// `identity` or `graph`.
    pub service: String,
    /// Request path.
    pub path: String,
    /// Grant type or Graph action.
    pub kind: Option<String>,
    /// Real milliseconds the handler took.
    pub elapsed_ms: u64,
}

/// A request and when it reached the emulator (benchmark's clock).
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The entry.
    pub entry: Entry,
    /// When it reached the emulator.
    pub at: Instant,
}

/// A subscription to the emulator's request stream.
pub struct Watch {
    arrivals: mpsc::UnboundedReceiver<Arrival>,
}

impl Watch {
    /// Subscribes to the emulator at `base_url`; returns once the stream is open and its replay of past
    /// requests has been skipped.
    pub async fn start(base_url: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().no_proxy().build()?;
        let mut response = client
            .get(format!("{base_url}/_emulator/events"))
            .send()
            .await
            .context("the emulator's live stream")?
            .error_for_status()?;
        let (tx, arrivals) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                let now = Instant::now();
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let event: String = buffer.drain(..end + 2).collect();
                    if let Some(entry) = parse_request_event(&event) {
                        let at = now
                            .checked_sub(Duration::from_millis(entry.elapsed_ms))
                            .unwrap_or(now);
                        if tx.send(Arrival { entry, at }).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let mut watch = Self { arrivals };
        // The replay of recent requests comes first; let it pass.
        tokio::time::sleep(Duration::from_millis(300)).await;
        watch.drain();
        Ok(watch)
    }

    /// Forgets every arrival seen so far.
    pub fn drain(&mut self) {
        while self.arrivals.try_recv().is_ok() {}
    }

    /// The first Graph request that arrives within `timeout`.
    pub async fn next_graph(&mut self, timeout: Duration) -> Option<Arrival> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrival = tokio::time::timeout_at(deadline, self.arrivals.recv())
                .await
                .ok()??;
            if arrival.entry.service == "graph" {
                return Some(arrival);
            }
        }
    }
}

/// The entry of a `request` event, if the event is one.
fn parse_request_event(event: &str) -> Option<Entry> {
    let mut name = None;
    let mut data = String::new();
    for line in event.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim().to_string());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push_str(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    (name.as_deref() == Some("request"))
        .then(|| serde_json::from_str(&data).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_events_are_read_and_other_events_are_not() {
        let event = "event: request\nid: 7\ndata: {\"seq\":7,\"time\":\"2030-01-01T00:00:00Z\",\"service\":\"graph\",\
                     \"method\":\"POST\",\"path\":\"/v1.0/me/presence/setUserPreferredPresence\",\"status\":200,\
                     \"kind\":\"setUserPreferredPresence\",\"elapsedMs\":1}\n\n";
        let entry = parse_request_event(event).unwrap();
        assert_eq!((entry.service.as_str(), entry.elapsed_ms), ("graph", 1));
        assert_eq!(entry.kind.as_deref(), Some("setUserPreferredPresence"));
        assert!(parse_request_event("event: state\ndata: {}\n\n").is_none());
        assert!(parse_request_event(": keep-alive\n\n").is_none());
    }
}
