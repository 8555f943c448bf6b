//! The Graph client against the emulator: each call's happy path and typed outcomes (contract §2, §3).

mod common;

use common::{Harness, write_path};
use jiff::SignedDuration;
use presently_emulator::DEFAULT_CLIENT_ID;
use presently_graph::{GraphError, RefusalKind, SessionCleared, UserRef};
use presently_model::session::SessionPlan;
use presently_model::{Activity, Availability, PreferredPresence, PresencePair};

fn session_pair() -> PresencePair {
    PresencePair::new(Availability::Available, Activity::Available)
}

#[tokio::test]
async fn me_names_the_signed_in_user() {
    let h = Harness::start().await;
    let me = h.client.me().await.unwrap();
    assert_eq!(me.id, h.oid);
    assert_eq!(me.display_name.as_deref(), Some("Adele Vance"));
    assert_eq!(
        me.user_principal_name.as_deref(),
        Some("adele.vance@contoso.onmicrosoft.com")
    );
}

#[tokio::test]
async fn each_of_the_six_statuses_is_pinned_and_read_back() {
    let h = Harness::start().await;
    // Contract §3: a pin shows only while a session lives, so keep one.
    h.client
        .set_session(
            &h.oid,
            DEFAULT_CLIENT_ID,
            &session_pair(),
            Some(SignedDuration::from_mins(15)),
        )
        .await
        .unwrap();
    for status in PreferredPresence::ALL {
        h.client
            .set_preferred(&h.oid, status, Some(SignedDuration::from_hours(1)))
            .await
            .unwrap_or_else(|e| panic!("{status:?}: {e}"));
        let seen = h.client.presence(UserRef::Me).await.unwrap();
        assert_eq!(seen.pair(), status.preferred_pair(), "{status:?}");
        let by_id = h.client.presence(UserRef::Id(&h.oid)).await.unwrap();
        assert_eq!(
            by_id.pair(),
            status.preferred_pair(),
            "{status:?} via /users/{{id}}"
        );
        assert_eq!(by_id.id.as_deref(), Some(h.oid.as_str()));
    }
}

#[tokio::test]
async fn a_pin_without_an_expiration_uses_graphs_default() {
    let h = Harness::start().await;
    h.client
        .set_session(&h.oid, DEFAULT_CLIENT_ID, &session_pair(), None)
        .await
        .unwrap();
    h.client
        .set_preferred(&h.oid, PreferredPresence::Busy, None)
        .await
        .unwrap();
    let seen = h.client.presence(UserRef::Me).await.unwrap();
    assert_eq!(seen.pair(), PreferredPresence::Busy.preferred_pair());
}

#[tokio::test]
async fn clearing_the_pin_lets_the_session_show_and_succeeds_when_nothing_is_pinned() {
    let h = Harness::start().await;
    // Contract §2: clearUserPreferredPresence answers 200 even when nothing was set.
    h.client.clear_preferred(&h.oid).await.unwrap();
    let busy = PreferredPresence::Busy.session_plan().unwrap();
    h.client
        .set_session(
            &h.oid,
            DEFAULT_CLIENT_ID,
            &busy.pair,
            Some(jiff::SignedDuration::from_mins(15)),
        )
        .await
        .unwrap();
    h.client
        .set_preferred(&h.oid, PreferredPresence::BeRightBack, None)
        .await
        .unwrap();
    h.client.clear_preferred(&h.oid).await.unwrap();
    let seen = h.client.presence(UserRef::Me).await.unwrap();
    assert_eq!(seen.pair(), busy.pair);
}

#[tokio::test]
async fn every_session_plan_of_the_model_is_accepted_and_shows_without_a_pin() {
    let h = Harness::start().await;
    let plans: Vec<SessionPlan> = PreferredPresence::ALL
        .iter()
        .filter_map(|s| s.session_plan())
        .collect();
    assert!(
        plans.len() >= 4,
        "the model plans sessions for all statuses but Appear offline"
    );
    for plan in plans {
        h.client
            .set_session(
                &h.oid,
                DEFAULT_CLIENT_ID,
                &plan.pair,
                Some(jiff::SignedDuration::from_mins(15)),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", plan.pair));
        let seen = h.client.presence(UserRef::Me).await.unwrap();
        assert_eq!(seen.pair(), plan.pair);
    }
}

#[tokio::test]
async fn a_session_is_set_cleared_and_a_second_clear_reports_no_such_session() {
    let h = Harness::start().await;
    let dnd = PresencePair::new(Availability::DoNotDisturb, Activity::Presenting);
    h.client
        .set_session(
            &h.oid,
            DEFAULT_CLIENT_ID,
            &dnd,
            Some(SignedDuration::from_mins(30)),
        )
        .await
        .unwrap();
    assert_eq!(h.client.presence(UserRef::Me).await.unwrap().pair(), dnd);

    let first = h.client.clear_session(&h.oid, DEFAULT_CLIENT_ID).await.unwrap();
    assert_eq!(first, SessionCleared::Cleared);
    // Contract §3: clearPresence on the only session → Offline/Offline.
    let seen = h.client.presence(UserRef::Me).await.unwrap();
    assert_eq!(
        seen.pair(),
        PresencePair::new(Availability::Offline, Activity::Offline)
    );

    let second = h.client.clear_session(&h.oid, DEFAULT_CLIENT_ID).await.unwrap();
    assert_eq!(second, SessionCleared::NoSuchSession);
    let path = write_path(&h.oid, "clearPresence");
    assert_eq!(h.logged(&path), vec![200, 404], "the 404 was not retried");
}

#[tokio::test]
async fn a_status_message_is_set_with_an_object_expiry_and_read_back() {
    let h = Harness::start().await;
    let expires = h.emulator.clock().now() + SignedDuration::from_hours(2);
    let expires = jiff::Timestamp::from_second(expires.as_second()).unwrap();
    h.client
        .set_status_message(&h.oid, "Heads down until 4", Some(expires))
        .await
        .unwrap();
    let seen = h.client.presence(UserRef::Me).await.unwrap();
    let message = seen.status_message.expect("a status message");
    assert_eq!(
        message.message.and_then(|m| m.content).as_deref(),
        Some("Heads down until 4")
    );
    let expiry = message.expiry_date_time.expect("an expiry object");
    assert_eq!(expiry.to_timestamp(), Some(expires));
}

#[tokio::test]
async fn a_bad_session_pair_is_refused_once_as_invalid_argument_and_not_retried() {
    let h = Harness::start().await;
    // Busy/Busy is a preferred pair, not one of setPresence's five (contract §2).
    let bad = PresencePair::new(Availability::Busy, Activity::Busy);
    let err = h
        .client
        .set_session(&h.oid, DEFAULT_CLIENT_ID, &bad, None)
        .await
        .unwrap_err();
    let refusal = err.refusal().expect("a refusal");
    assert_eq!(refusal.kind, RefusalKind::InvalidArgument);
    assert_eq!(refusal.code.as_deref(), Some("InvalidArgument"));
    assert_eq!(err.action(), presently_graph::UserAction::FixInput);
    assert!(!err.is_retryable());
    assert_eq!(h.logged(&write_path(&h.oid, "setPresence")), vec![400]);
}

#[tokio::test]
async fn an_out_of_range_session_duration_is_an_invalid_argument() {
    let h = Harness::start().await;
    let err = h
        .client
        .set_session(
            &h.oid,
            DEFAULT_CLIENT_ID,
            &session_pair(),
            Some(SignedDuration::from_hours(5)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.kind), Some(RefusalKind::InvalidArgument));
}

#[tokio::test]
async fn writing_another_users_presence_is_unauthorized_without_a_token_refresh() {
    let h = Harness::start().await;
    let other = h.state().world().users[1].id.clone();
    let err = h
        .client
        .set_preferred(&other, PreferredPresence::Busy, None)
        .await
        .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.kind), Some(RefusalKind::Unauthorized));
    assert_eq!(
        h.tokens.refreshes(),
        0,
        "a 401 that is not about the token is not refreshed"
    );
}

#[tokio::test]
async fn a_token_without_presence_permission_is_forbidden_and_asks_for_consent() {
    let h = Harness::start_with(&["User.Read"], 3600).await;
    let err = h
        .client
        .set_preferred(&h.oid, PreferredPresence::Available, None)
        .await
        .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.kind), Some(RefusalKind::Forbidden));
    assert_eq!(err.action(), presently_graph::UserAction::GrantConsent);
    assert!(matches!(err, GraphError::Refused(_)));
}

#[tokio::test]
async fn empty_ids_are_refused_before_anything_is_sent() {
    let h = Harness::start().await;
    let err = h
        .client
        .set_preferred("", PreferredPresence::Busy, None)
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidInput(_)));
    let err = h.client.clear_session(&h.oid, "").await.unwrap_err();
    assert!(matches!(err, GraphError::InvalidInput(_)));
    assert_eq!(h.tokens.access_calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(
        h.state().world().log.since(0).next().is_none(),
        "nothing reached the emulator"
    );
}
