//! Control API: `GET /_emulator/events`, server-sent events for the live page (and for tests that watch).
//!
//! Each connection gets its own small task that lives exactly as long as the connection, so nothing runs when
//! nobody watches. It sends:
//! - `request`: one per logged request (the [`LogEntry`] as JSON, `id` = its sequence number). On connect the
//!   last few entries are replayed just after the first `state` event (or, when the browser reconnects with `Last-Event-ID`, the ones after
//!   it), so the page needs no separate fetch.
//! - `state`: the [`StateView`] as JSON, on connect and whenever the state changes, coalesced so a burst of
//!   changes yields at most one event per [`COALESCE`]. Fades and expiries happen without any request (and
//!   faster under a sped-up clock), so a `state` event is also sent when the view's next deadline passes, and
//!   at least every [`REFRESH_VIRTUAL`] of virtual time (bounded to [`REFRESH_MIN`]..[`REFRESH_MAX`] of real
//!   time), which also covers a clock moved in-process without the control API.
//! - comments as keep-alives every [`KEEP_ALIVE`].

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::view::StateView;
use crate::log::LogEntry;
use crate::world::{AppState, Event};

/// Shortest real time between two `state` events.
pub const COALESCE: Duration = Duration::from_millis(100);
/// A `state` event is sent at least this often in virtual time...
pub const REFRESH_VIRTUAL: Duration = Duration::from_secs(30);
/// ...but never more often than this in real time...
pub const REFRESH_MIN: Duration = Duration::from_secs(1);
/// ...and at least this often in real time.
pub const REFRESH_MAX: Duration = Duration::from_secs(10);
/// Interval of keep-alive comments.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How many past requests a new connection receives first.
pub const REPLAY: usize = 50;

/// Routes: `GET /_emulator/events`.
pub fn router() -> Router<AppState> {
    Router::new().route("/_emulator/events", get(events))
}

async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let (tx, rx) = mpsc::channel(64);
    // Subscribe before reading the replay so nothing falls between the two.
    let subscription = state.events.subscribe();
    tokio::spawn(pump(state, subscription, tx, last_event_id));
    Sse::new(ReceiverStream::new(rx).map(Ok::<_, Infallible>))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// One connection's loop. Ends when the client goes away.
async fn pump(
    state: AppState,
    mut subscription: broadcast::Receiver<Event>,
    tx: mpsc::Sender<SseEvent>,
    last_event_id: Option<u64>,
) {
    // The state first, so the page knows client names before the replayed requests arrive.
    let Some(mut refresh_at) = send_state(&state, &tx).await else {
        return;
    };
    let mut sent_seq = 0u64;
    let replay: Vec<LogEntry> = {
        let world = state.world();
        match last_event_id {
            Some(after) => world.log.since(after).cloned().collect(),
            None => {
                let all: Vec<&LogEntry> = world.log.since(0).collect();
                let skip = all.len().saturating_sub(REPLAY);
                all.into_iter().skip(skip).cloned().collect()
            }
        }
    };
    for entry in replay {
        sent_seq = sent_seq.max(entry.seq);
        if tx.send(request_event(&entry)).await.is_err() {
            return;
        }
    }
    let mut last_state = Instant::now();
    let mut flush_at: Option<Instant> = None;
    loop {
        let flush_sleep = async move {
            match flush_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = tx.closed() => return,
            received = subscription.recv() => match received {
                Ok(Event::StateChanged) => {
                    flush_at.get_or_insert(last_state + COALESCE);
                }
                Ok(Event::Request(entry)) => {
                    if entry.seq > sent_seq {
                        sent_seq = entry.seq;
                        if tx.send(request_event(&entry)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Missed some events: resend the requests after the last one sent, then the state.
                    let missed: Vec<LogEntry> = state.world().log.since(sent_seq).cloned().collect();
                    for entry in missed {
                        sent_seq = sent_seq.max(entry.seq);
                        if tx.send(request_event(&entry)).await.is_err() {
                            return;
                        }
                    }
                    flush_at.get_or_insert(last_state + COALESCE);
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            () = flush_sleep => {
                flush_at = None;
                let Some(next) = send_state(&state, &tx).await else { return };
                refresh_at = next;
                last_state = Instant::now();
            }
            () = tokio::time::sleep_until(refresh_at) => {
                flush_at = None;
                let Some(next) = send_state(&state, &tx).await else { return };
                refresh_at = next;
                last_state = Instant::now();
            }
        }
    }
}

fn request_event(entry: &LogEntry) -> SseEvent {
    let data = serde_json::to_string(entry).unwrap_or_else(|_| "{}".into());
    SseEvent::default()
        .event("request")
        .id(entry.seq.to_string())
        .data(data)
}

/// Sends a `state` event; returns when the next one is due, or `None` when the client is gone.
async fn send_state(state: &AppState, tx: &mpsc::Sender<SseEvent>) -> Option<Instant> {
    let view = StateView::take(state);
    let due = refresh_delay(&view);
    let data = serde_json::to_string(&view).unwrap_or_else(|_| "{}".into());
    tx.send(SseEvent::default().event("state").data(data))
        .await
        .ok()?;
    Some(Instant::now() + due)
}

/// Real time until the view should be re-sent: its next deadline (just after it, so the change is visible) or
/// the periodic refresh, whichever is sooner, converted with the clock's speed.
pub fn refresh_delay(view: &StateView) -> Duration {
    let speed = if view.clock_speed.is_finite() && view.clock_speed > 0.0 {
        view.clock_speed
    } else {
        1.0
    };
    let periodic = REFRESH_VIRTUAL.div_f64(speed).clamp(REFRESH_MIN, REFRESH_MAX);
    let until_deadline = view.next_deadline().and_then(|at| {
        let virtual_wait = at.duration_since(view.now);
        let virtual_wait = Duration::try_from(virtual_wait).ok()?;
        // A few real milliseconds late, so the deadline has certainly passed when the view is taken.
        Some(virtual_wait.div_f64(speed) + Duration::from_millis(20))
    });
    match until_deadline {
        Some(d) => d.min(periodic),
        None => periodic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::World;

    #[test]
    fn the_refresh_follows_the_clock_speed_within_bounds() {
        let world = World::from_seed(crate::seed::Seed::default());
        let now = jiff::Timestamp::UNIX_EPOCH;
        assert_eq!(refresh_delay(&StateView::of(&world, now, 1.0)), REFRESH_MAX);
        assert_eq!(
            refresh_delay(&StateView::of(&world, now, 10.0)),
            Duration::from_secs(3)
        );
        assert_eq!(refresh_delay(&StateView::of(&world, now, 1000.0)), REFRESH_MIN);
    }

    #[test]
    fn a_near_deadline_brings_the_refresh_forward_at_the_clock_speed() {
        use crate::presence_rules::{Activity, Availability, Pair};
        let mut world = World::from_seed(crate::seed::Seed::default());
        let now: jiff::Timestamp = "2030-01-01T12:00:00Z".parse().unwrap();
        let busy = Pair::new(Availability::Busy, Activity::Busy);
        let adele = world.users[0].id.clone();
        world
            .presence
            .set_preferred(&adele, busy, jiff::SignedDuration::from_secs(30), "test", now)
            .unwrap();
        let view = StateView::of(&world, now, 60.0);
        // 30 virtual seconds at 60x is half a real second.
        assert_eq!(refresh_delay(&view), Duration::from_millis(520));
    }
}
