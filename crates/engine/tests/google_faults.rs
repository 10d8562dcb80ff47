//! Faults during a Google sync: server errors, rate limits, timeouts, malformed answers and a
//! failure between pages. Each ends in a clear message with the previous data intact.

mod common;

use std::time::{Duration, Instant};

use common::{timed, world, World, EMAIL};
use fake_google::{Fault, FaultKind};

/// A connected world with two events, and a third added on the server since.
async fn connected() -> (World, i64) {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    w.fake.put_event(EMAIL, timed("b", "B", 2));
    let id = w.connect().await;
    w.fake.put_event(EMAIL, timed("c", "C", 3));
    w.fake.clear_requests();
    (w, id)
}

fn events_fault(times: usize, kind: FaultKind) -> Fault {
    Fault::new("/events", times, kind)
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let (w, id) = connected().await;
    w.fake
        .inject(events_fault(2, FaultKind::status(500, "backendError")));
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(w.event_list_requests().len(), 3);
    assert_eq!(w.titles().await, ["A", "B", "C"]);
}

#[tokio::test]
async fn rate_limits_are_retried_honouring_retry_after() {
    let (w, id) = connected().await;
    w.fake.inject(events_fault(
        1,
        FaultKind::Status {
            status: 429,
            reason: "rateLimitExceeded".into(),
            retry_after: Some(1),
        },
    ));
    w.fake.inject(events_fault(
        1,
        FaultKind::status(403, "userRateLimitExceeded"),
    ));
    let started = Instant::now();
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(w.event_list_requests().len(), 3);
}

#[tokio::test]
async fn persistent_failure_keeps_the_data_and_says_why() {
    let (w, id) = connected().await;
    w.fake
        .inject(events_fault(100, FaultKind::status(503, "backendError")));
    let report = w.sync(id).await;
    assert!(!report.ok() && !report.needs_reauth);
    assert_eq!(
        w.event_list_requests().len(),
        4,
        "first try and three retries"
    );
    let account = w.engine.account(id).await.unwrap();
    let error = account.last_error.unwrap();
    assert!(error.contains("503"), "{error}");
    assert!(
        account.last_synced_at.is_some(),
        "the last good sync is remembered"
    );
    let calendar = &w.engine.calendars().await.unwrap()[0];
    assert!(calendar.last_error.as_deref().unwrap().contains("503"));
    assert_eq!(w.titles().await, ["A", "B"]);

    // Once the server is back, the next sync catches up.
    w.fake.clear_faults();
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B", "C"]);
    assert!(w.engine.account(id).await.unwrap().last_error.is_none());
}

#[tokio::test]
async fn a_refusal_is_not_retried() {
    let (w, id) = connected().await;
    w.fake
        .inject(events_fault(1, FaultKind::status(403, "forbidden")));
    let report = w.sync(id).await;
    assert!(report.error.unwrap().contains("forbidden"));
    assert_eq!(w.event_list_requests().len(), 1);
    assert_eq!(w.titles().await, ["A", "B"]);
}

#[tokio::test]
async fn malformed_answers_end_the_calendars_sync_with_a_clear_error() {
    for kind in [FaultKind::MalformedJson, FaultKind::WrongShape] {
        let (w, id) = connected().await;
        w.fake.inject(events_fault(1, kind.clone()));
        let report = w.sync(id).await;
        let error = report.error.unwrap_or_default();
        assert!(error.contains("unexpected response"), "{kind:?}: {error}");
        assert_eq!(w.titles().await, ["A", "B"], "{kind:?}");
        assert!(w.sync(id).await.ok(), "{kind:?}: recovers on the next sync");
        assert_eq!(w.titles().await, ["A", "B", "C"]);
    }
}

#[tokio::test]
async fn a_request_that_hangs_times_out_and_is_retried() {
    let (w, id) = connected().await;
    w.fake.inject(events_fault(1, FaultKind::Hang));
    let started = Instant::now();
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert!(started.elapsed() >= common::quick_retries().timeout);
    assert_eq!(w.titles().await, ["A", "B", "C"]);
}

#[tokio::test]
async fn a_failure_between_pages_leaves_the_calendar_as_it_was() {
    let w = world().await;
    let first: Vec<_> = (0..3000)
        .map(|i| timed(&format!("old{i:04}"), "Old", i % 200))
        .collect();
    w.fake.put_events(EMAIL, first);
    let id = w.connect().await;
    w.fake.put_events(
        EMAIL,
        (0..3000)
            .map(|i| timed(&format!("new{i:04}"), "New", i % 200))
            .collect(),
    );
    for i in 0..100 {
        w.fake.delete_event(EMAIL, &format!("old{i:04}"));
    }
    // The first page goes through (a zero delay uses up the first fault); the second fails.
    w.fake.clear_requests();
    w.fake
        .inject(events_fault(1, FaultKind::Delay(Duration::ZERO)));
    w.fake.inject(events_fault(1, FaultKind::MalformedJson));
    let report = w.sync(id).await;
    assert!(!report.ok());
    assert_eq!(w.event_list_requests().len(), 2);
    assert_eq!(
        w.engine.store().event_count().await.unwrap(),
        3000,
        "nothing of page 1 applied"
    );

    assert!(w.sync(id).await.ok());
    assert_eq!(w.engine.store().event_count().await.unwrap(), 5900);
}

#[tokio::test]
async fn a_token_endpoint_outage_is_a_network_error_not_a_lost_account() {
    let (w, id) = connected().await;
    w.fake.expire_access_tokens();
    w.fake.inject(Fault::new(
        "/token",
        100,
        FaultKind::status(503, "temporarily_unavailable"),
    ));
    let report = w.sync(id).await;
    assert!(!report.ok());
    assert!(
        !report.needs_reauth,
        "a server outage is not a revoked grant"
    );
    assert_eq!(w.titles().await, ["A", "B"]);
}
