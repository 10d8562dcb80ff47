//! Two processes (here: two stores, each with its own connection pool) writing to one WAL
//! database at once. A transaction that reads before it writes must not fail with
//! SQLITE_BUSY_SNAPSHOT ("database is locked") when the other wrote in between.

use calbuddy_engine::model::{EventStatus, EventTime, RemoteCalendar, RemoteEvent, SyncWindow};
use calbuddy_engine::store::Store;
use calbuddy_engine::sync::plan::Plan;
use chrono::{DateTime, Utc};

const ROUNDS: usize = 50;

fn calendar(id: &str) -> RemoteCalendar {
    RemoteCalendar {
        external_id: id.into(),
        name: id.into(),
        color: None,
        time_zone: None,
        primary: true,
        read_only: false,
    }
}

fn event(id: String, round: usize, now: DateTime<Utc>) -> RemoteEvent {
    let start = now + chrono::Duration::hours(round as i64);
    RemoteEvent {
        external_id: id.clone(),
        title: id,
        description: None,
        location: None,
        start: EventTime::DateTime {
            utc: start,
            tz: None,
        },
        end: EventTime::DateTime {
            utc: start + chrono::Duration::minutes(30),
            tz: None,
        },
        recurrence: vec![],
        series: None,
        status: EventStatus::Confirmed,
        my_response: None,
        meeting_url: None,
        etag: Some(round.to_string()),
        updated: None,
        details: Default::default(),
    }
}

/// One "process": connects its own account and keeps syncing into it.
async fn writer(store: Store, name: &'static str) {
    let now = Utc::now();
    let window = SyncWindow::around(now, 7, 30);
    for round in 0..ROUNDS {
        let (account, _) = store
            .upsert_account("demo", name, name, now)
            .await
            .unwrap_or_else(|e| panic!("{name}, round {round}, account: {e}"));
        store
            .reconcile_calendars(account, &[calendar(name)])
            .await
            .unwrap_or_else(|e| panic!("{name}, round {round}, calendars: {e}"));
        let calendar = store.calendars(Some(account)).await.unwrap()[0].id;
        let plan = Plan {
            upserts: vec![event(format!("{name}-{round}"), round, now)],
            deletes: vec![],
            resources: vec![],
            cursor: Some(round.to_string()),
            full: false,
            unchanged: 0,
        };
        store
            .apply_plan(calendar, &plan, window, now)
            .await
            .unwrap_or_else(|e| panic!("{name}, round {round}, apply: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_write_at_once_without_busy_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calbuddy.db");
    let first = Store::open(&path).await.unwrap();
    let second = Store::open(&path).await.unwrap();
    let a = tokio::spawn(writer(first.clone(), "a"));
    let b = tokio::spawn(writer(second.clone(), "b"));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(first.event_count().await.unwrap(), 2 * ROUNDS as i64);
}
