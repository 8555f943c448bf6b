//! Listening on a broadcast channel (the app's and the keeper's events): one place for what every listener does
//! when it falls behind or the sender goes away, so no loop can spin on a closed channel or die on a lag.

use tokio::sync::broadcast::{self, error::RecvError};

/// What a listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard<T> {
    /// The next event.
    Event(T),
    /// The listener fell behind and events were dropped: whatever they said, it missed. A listener that keeps
    /// a copy of some state reads it afresh.
    Missed,
}

/// The next event or the news that some were missed; `None` once every sender is gone.
pub async fn hear<T: Clone>(events: &mut broadcast::Receiver<T>) -> Option<Heard<T>> {
    match events.recv().await {
        Ok(event) => Some(Heard::Event(event)),
        Err(RecvError::Lagged(_)) => Some(Heard::Missed),
        Err(RecvError::Closed) => None,
    }
}

/// The next event, passing over any that were missed; `None` once every sender is gone. For listeners that act
/// on each event and hold no state a missed one would leave stale.
pub async fn next<T: Clone>(events: &mut broadcast::Receiver<T>) -> Option<T> {
    loop {
        match hear(events).await? {
            Heard::Event(event) => return Some(event),
            Heard::Missed => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_listener_hears_that_it_missed_events_then_the_rest_then_the_end() {
        let (sender, mut listener) = broadcast::channel(2);
        for n in 1..=4 {
            sender.send(n).ok();
        }
        assert_eq!(hear(&mut listener).await, Some(Heard::Missed));
        assert_eq!(hear(&mut listener).await, Some(Heard::Event(3)));
        drop(sender);
        assert_eq!(hear(&mut listener).await, Some(Heard::Event(4)));
        assert_eq!(hear(&mut listener).await, None);
    }

    #[tokio::test]
    async fn next_passes_over_a_lag_and_ends_with_the_senders() {
        let (sender, mut listener) = broadcast::channel(2);
        for n in 1..=3 {
            sender.send(n).ok();
        }
        assert_eq!(next(&mut listener).await, Some(2));
        assert_eq!(next(&mut listener).await, Some(3));
        drop(sender);
        assert_eq!(next(&mut listener).await, None);
    }
}
