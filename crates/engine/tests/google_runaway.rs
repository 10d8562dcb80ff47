//! Runaway servers: page tokens without end, bodies far too large, a sync that runs past its
//! deadline. Each ends the sync with a clear error naming what failed, the data as it was and
//! the account free to sync again.

mod common;

use std::time::{Duration, Instant};

use common::{quick_retries, timed, world, world_with, World, EMAIL};
use fake_google::{Fault, FaultKind};

/// A connected world with two events, and a third added on the server since.
async fn connected(world: World) -> (World, i64) {
    world.fake.put_event(EMAIL, timed("a", "A", 1));
    world.fake.put_event(EMAIL, timed("b", "B", 2));
    let id = world.connect().await;
    world.fake.put_event(EMAIL, timed("c", "C", 3));
    world.fake.clear_requests();
    (world, id)
}

#[tokio::test]
async fn endless_event_pages_end_in_an_error_naming_the_calendar() {
    let (w, id) = connected(world().await).await;
    w.fake
        .inject(Fault::new("/events", 100_000, FaultKind::EndlessPages));
    let report = w.sync(id).await;
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains(EMAIL) && error.contains("gave up after 1000 pages"),
        "{error}"
    );
    assert_eq!(w.event_list_requests().len(), 1000);
    assert_eq!(w.titles().await, ["A", "B"], "nothing applied");

    // The account lock was released: the next sync runs and catches up.
    w.fake.clear_faults();
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B", "C"]);
}

#[tokio::test]
async fn an_endless_calendar_list_ends_in_an_error_and_drops_nothing() {
    let (w, id) = connected(world().await).await;
    w.fake
        .inject(Fault::new("calendarList", 100_000, FaultKind::EndlessPages));
    let report = w.sync(id).await;
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains("calendar list") && error.contains("gave up after 1000 pages"),
        "{error}"
    );
    assert_eq!(w.engine.calendars().await.unwrap().len(), 1);
    assert_eq!(w.titles().await, ["A", "B"]);

    w.fake.clear_faults();
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B", "C"]);
}

#[tokio::test]
async fn a_body_above_the_cap_is_refused_and_the_events_stay() {
    let (w, id) = connected(world().await).await;
    w.fake.inject(Fault::new(
        "/events",
        1,
        FaultKind::HugeBody(17 * 1024 * 1024),
    ));
    let report = w.sync(id).await;
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains(EMAIL) && error.contains("larger than 16 MiB"),
        "{error}"
    );
    assert_eq!(w.event_list_requests().len(), 1, "not retried");
    assert_eq!(w.titles().await, ["A", "B"]);

    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B", "C"]);
}

#[tokio::test]
async fn a_sync_past_its_deadline_stops_with_an_error() {
    let retry = calbuddy_engine::http::RetryPolicy {
        sync_deadline: Duration::from_secs(1),
        ..quick_retries()
    };
    let (w, id) = connected(world_with(retry).await).await;
    // Each attempt hangs until the 2 s request timeout: four attempts would take 8 s.
    w.fake.inject(Fault::new("/events", 100, FaultKind::Hang));
    let started = Instant::now();
    let report = w.sync(id).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "stopped at the deadline"
    );
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains(EMAIL) && error.contains("did not finish within 1 s"),
        "{error}"
    );
    assert!(!report.needs_reauth);
    assert_eq!(w.titles().await, ["A", "B"]);

    w.fake.clear_faults();
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B", "C"]);
}
