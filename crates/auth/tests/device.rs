//! Device-code sign-in (contract §5 fallback) against the emulator, on paused tokio time: the emulator's clock and
//! the client's polling sleeps share one virtual clock, so fifteen minutes of polling take milliseconds.

// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{client_for, client_with, device_login, emulator, emulator_with, first_user, t0};
use jiff::SignedDuration;
use presently_auth::{
    AuthClient, AuthConfig, AuthError, CancellationToken, DeviceCodePrompt, RefusalKind, TokenSet, UserAction,
};
use presently_emulator::world::Event;
use presently_emulator::{Emulator, Seed};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Starts a device-code sign-in on its own task and returns the prompt it showed.
async fn start(
    client: AuthClient,
    cancel: CancellationToken,
) -> (DeviceCodePrompt, JoinHandle<Result<TokenSet, AuthError>>) {
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(async move {
        client
            .sign_in_with_device_code(
                move |prompt| {
                    let _ = tx.send(prompt);
                },
                &cancel,
            )
            .await
    });
    (rx.await.unwrap(), task)
}

/// The device-code polls in the emulator's log: (virtual time, status).
fn polls(emu: &Emulator) -> Vec<(jiff::Timestamp, u16)> {
    emu.state()
        .world()
        .log
        .since(0)
        .filter(|e| e.kind.as_deref() == Some("device_code"))
        .map(|e| (e.time, e.status))
        .collect()
}

/// Lets paused time run in 100 ms steps until the emulator has seen `n` polls.
async fn wait_for_polls(emu: &Emulator, n: usize) {
    for _ in 0..100_000 {
        if polls(emu).len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the client never polled {n} times");
}

#[tokio::test(start_paused = true)]
async fn the_client_keeps_polling_while_pending_and_returns_tokens_once_the_person_approves() {
    let emu = emulator(false).await;
    let (prompt, task) = start(client_for(emu.base_url()), CancellationToken::new()).await;
    assert!(prompt.message.contains(&prompt.user_code), "{}", prompt.message);
    assert_eq!(prompt.verification_uri, format!("{}/devicelogin", emu.base_url()));
    assert_eq!(prompt.interval, Duration::from_secs(5));
    assert_eq!(prompt.expires_at, t0() + SignedDuration::from_secs(900));

    wait_for_polls(&emu, 3).await;
    let page = device_login(emu.base_url(), &prompt.user_code, true).await;
    assert!(page.contains("signed in"), "{page}");
    let set = task.await.unwrap().unwrap();
    assert_eq!(set.account.oid, first_user().id);
    assert!(set.refresh_token.is_some());

    let seen = polls(&emu);
    let (last, pending) = seen.split_last().unwrap();
    assert_eq!(last.1, 200);
    assert!(
        pending.len() >= 3 && pending.iter().all(|p| p.1 == 400),
        "{seen:?}"
    );
    for pair in seen.windows(2) {
        assert_eq!(
            pair[1].0.duration_since(pair[0].0),
            SignedDuration::from_secs(5),
            "polls follow the interval"
        );
    }
}

/// The next device-code poll the emulator answered, as it is logged (same virtual instant).
async fn next_poll(events: &mut tokio::sync::broadcast::Receiver<Event>) -> jiff::Timestamp {
    loop {
        match events.recv().await {
            Ok(Event::Request(e)) if e.kind.as_deref() == Some("device_code") => return e.time,
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn slow_down_adds_five_seconds_to_the_interval() {
    let emu = emulator(false).await;
    let mut events = emu.state().events.subscribe();
    let (prompt, task) = start(client_for(emu.base_url()), CancellationToken::new()).await;
    let first = next_poll(&mut events).await;
    // Half-speed emulator time makes the client's next poll, 5 s later by its clock, arrive 2.5 s later by the
    // emulator's: too soon, so the emulator answers slow_down and from then on demands 10 s (RFC 8628 §3.5).
    emu.clock().set_speed(0.5).unwrap();
    let second = next_poll(&mut events).await;
    assert_eq!(second.duration_since(first), SignedDuration::from_millis(2500));
    emu.clock().set_speed(1.0).unwrap();
    let third = next_poll(&mut events).await;
    assert_eq!(
        third.duration_since(second),
        SignedDuration::from_secs(10),
        "after slow_down the client waits 5 + 5 s"
    );
    let fourth = next_poll(&mut events).await;
    assert_eq!(
        fourth.duration_since(third),
        SignedDuration::from_secs(10),
        "and keeps the longer interval"
    );

    device_login(emu.base_url(), &prompt.user_code, true).await;
    assert!(task.await.unwrap().is_ok());
}

#[tokio::test(start_paused = true)]
async fn declining_on_the_device_login_page_ends_with_the_declined_action() {
    let emu = emulator(false).await;
    let (prompt, task) = start(client_for(emu.base_url()), CancellationToken::new()).await;
    wait_for_polls(&emu, 1).await;
    let page = device_login(emu.base_url(), &prompt.user_code, false).await;
    assert!(page.contains("declined"), "{page}");
    let err = task.await.unwrap().unwrap_err();
    assert_eq!(err.refusal_kind(), Some(RefusalKind::Declined), "{err:?}");
    assert_eq!(err.refusal().unwrap().error, "authorization_declined");
    assert_eq!(err.action(), UserAction::Declined);
}

#[tokio::test(start_paused = true)]
async fn a_code_nobody_enters_expires_after_fifteen_minutes_and_asks_to_start_over() {
    let emu = emulator(false).await;
    let (_prompt, task) = start(client_for(emu.base_url()), CancellationToken::new()).await;
    let err = task.await.unwrap().unwrap_err();
    assert_eq!(
        err.refusal_kind(),
        Some(RefusalKind::DeviceCodeExpired),
        "{err:?}"
    );
    assert_eq!(err.refusal().unwrap().error, "expired_token");
    assert_eq!(err.action(), UserAction::StartOver);
    let seen = polls(&emu);
    assert_eq!(
        seen.last().unwrap().0,
        t0() + SignedDuration::from_secs(900),
        "{seen:?}"
    );
    assert!(seen.len() >= 170, "it polled the whole time: {}", seen.len());
}

#[tokio::test(start_paused = true)]
async fn an_app_without_public_client_flows_gets_the_fix_the_registration_action() {
    let other = "5d7f2a1c-3b4e-4f6a-8b9c-0d1e2f3a4b5c";
    let mut seed = Seed::default();
    let mut client = seed.clients[0].clone();
    client.client_id = other.into();
    client.name = "Contoso Presence Helper".into();
    client.public_client_flows = false;
    seed.clients.push(client);
    let emu = emulator_with(seed, false).await;
    let config = AuthConfig {
        client_id: other.into(),
        ..AuthConfig::with_login_base(emu.base_url())
    };
    let (_prompt, task) = start(client_with(config), CancellationToken::new()).await;
    let err = task.await.unwrap().unwrap_err();
    assert_eq!(
        err.refusal_kind(),
        Some(RefusalKind::PublicClientFlowsDisabled),
        "{err:?}"
    );
    assert_eq!(err.refusal().unwrap().code(), Some(7000218));
    assert_eq!(err.action(), UserAction::FixAppRegistration);
    let message = err.to_string();
    assert!(
        message.contains(other) && message.contains("Allow public client flows"),
        "{message}"
    );
}

#[tokio::test(start_paused = true)]
async fn cancelling_a_device_code_sign_in_stops_polling() {
    let emu = emulator(false).await;
    let cancel = CancellationToken::new();
    let (_prompt, task) = start(client_for(emu.base_url()), cancel.clone()).await;
    wait_for_polls(&emu, 2).await;
    cancel.cancel();
    let err = task.await.unwrap().unwrap_err();
    assert!(matches!(err, AuthError::Cancelled), "{err:?}");
    let count = polls(&emu).len();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(polls(&emu).len(), count, "no poll after cancelling");
}

/// A device code whose `expires_in` is absurd (here `u64::MAX` seconds) must not crash the sign-in: the lifetime is
/// clamped to a sane range before it meets a clock.
#[tokio::test(start_paused = true)]
async fn an_absurd_device_code_lifetime_is_clamped_rather_than_overflowing_the_clock() {
    let seed = Seed {
        settings: presently_emulator::seed::Settings {
            device_code_secs: u64::MAX,
            ..Seed::default().settings
        },
        ..Seed::default()
    };
    let emu = emulator_with(seed, false).await;
    let (prompt, task) = start(client_for(emu.base_url()), CancellationToken::new()).await;
    let lifetime = prompt.expires_at.duration_since(t0());
    assert!(
        lifetime > SignedDuration::ZERO && lifetime <= SignedDuration::from_hours(1),
        "the shown expiry is clamped: {lifetime:?}"
    );
    wait_for_polls(&emu, 1).await;
    device_login(emu.base_url(), &prompt.user_code, true).await;
    assert!(task.await.unwrap().is_ok(), "the sign-in still completes");
}
