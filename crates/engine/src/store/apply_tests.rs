//! Tests of applying plans: exceptions that change form, and the caps on expansion.

use std::sync::{Arc, Mutex};

use chrono::Utc;

use super::*;
use crate::model::SeriesRef;
use crate::store::fixtures::{date, event, store_with_calendar, timed, utc};
use crate::store::{EventFilter, QueryRange};
use crate::zones::tests::custom_definitions;

const NOW: &str = "2026-01-05T12:00:00Z";

fn series(id: &str, start: EventTime, end: EventTime, rules: &[&str]) -> RemoteEvent {
    let mut e = event(id, start, end);
    e.recurrence = rules.iter().map(|r| r.to_string()).collect();
    e
}

fn exception(
    id: &str,
    master: &str,
    original: EventTime,
    start: EventTime,
    end: EventTime,
) -> RemoteEvent {
    let mut e = event(id, start, end);
    e.series = Some(SeriesRef {
        master_external_id: master.into(),
        original_start: original,
        this_and_future: false,
    });
    e
}

async fn store_with(events: Vec<RemoteEvent>) -> (Store, ApplyStats) {
    let (store, cal) = store_with_calendar("google", NOW).await;
    let plan = Plan {
        upserts: events,
        deletes: vec![],
        resources: vec![],
        cursor: Some("c".into()),
        full: true,
        unchanged: 0,
    };
    let stats = store
        .apply_plan(cal, &plan, SyncWindow::around(utc(NOW), 30, 90), utc(NOW))
        .await
        .unwrap();
    (store, stats)
}

/// "title start" of every occurrence in `[from, to)`.
async fn listed(store: &Store, from: &str, to: &str) -> Vec<String> {
    let range = QueryRange::new(utc(from), utc(to), &Utc);
    let all = EventFilter {
        include_declined: true,
        limit: None,
    };
    store
        .events_between(range, all)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.title, e.start))
        .collect()
}

#[tokio::test]
async fn a_timed_instance_moved_to_all_day_replaces_it() {
    // Mondays 09:00-10:00 Berlin; the instance of 2026-01-12 becomes an all-day event that day.
    // Google names it by the master's timed start.
    let (store, _) = store_with(vec![
        series(
            "weekly",
            timed("2026-01-05T08:00:00Z"),
            timed("2026-01-05T09:00:00Z"),
            &["RRULE:FREQ=WEEKLY;COUNT=4"],
        ),
        exception(
            "weekly_20260112T080000Z",
            "weekly",
            timed("2026-01-12T08:00:00Z"),
            date("2026-01-12"),
            date("2026-01-13"),
        ),
    ])
    .await;
    assert_eq!(
        listed(&store, "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z").await,
        ["weekly_20260112T080000Z 2026-01-12"]
    );
    assert_eq!(
        listed(&store, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
            .await
            .len(),
        4
    );
}

#[tokio::test]
async fn an_all_day_instance_moved_to_a_timed_slot_replaces_it() {
    let (store, _) = store_with(vec![
        series(
            "daily",
            date("2026-01-05"),
            date("2026-01-06"),
            &["RRULE:FREQ=DAILY;COUNT=3"],
        ),
        exception(
            "daily_20260106",
            "daily",
            date("2026-01-06"),
            timed("2026-01-06T14:00:00Z"),
            timed("2026-01-06T15:00:00Z"),
        ),
    ])
    .await;
    assert_eq!(
        listed(&store, "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z").await,
        ["daily_20260106 2026-01-06T14:00:00Z"]
    );
}

#[test]
fn original_starts_in_the_other_form_name_the_masters_instance() {
    let master = timed("2026-01-05T08:00:00Z"); // 09:00 Berlin
    let none = ZoneDefinitions::default();
    assert_eq!(
        original_key("2026-01-12", &master, &none),
        Some(utc("2026-01-12T08:00:00Z").timestamp())
    );
    assert_eq!(
        original_key("2026-01-12T08:00:00Z", &date("2026-01-05"), &none),
        Some(date("2026-01-12").key())
    );
    assert_eq!(original_key("garbage", &master, &none), None);
    // A master in a zone only the calendar defines (09:00 in its Berlin).
    let custom = EventTime::DateTime {
        utc: utc("2026-01-05T08:00:00Z"),
        tz: Some("Custom/Berlin".into()),
    };
    assert_eq!(
        original_key("2026-07-13", &custom, &custom_definitions()),
        Some(utc("2026-07-13T07:00:00Z").timestamp())
    );
    // Floating masters and RECURRENCE-IDs compare by wall clock.
    let wall = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
    let floating = EventTime::Floating(wall("2026-01-05T09:00"));
    let nine_on_the_12th = wall("2026-01-12T09:00").and_utc().timestamp();
    for original in ["2026-01-12T09:00:00", "2026-01-12", "2026-01-12T09:00:00Z"] {
        assert_eq!(
            original_key(original, &floating, &none),
            Some(nine_on_the_12th),
            "{original}"
        );
    }
    assert_eq!(
        original_key("2026-01-12T09:00:00", &master, &none),
        Some(utc("2026-01-12T08:00:00Z").timestamp())
    );
    assert_eq!(
        original_key("2026-01-12T09:00:00", &date("2026-01-05"), &none),
        Some(date("2026-01-12").key())
    );
}

#[test]
fn fair_shares_give_small_series_all_and_cut_the_largest() {
    assert_eq!(fair_shares(&[10, 1000, 1000], 1010), [10, 500, 500]);
    assert_eq!(fair_shares(&[3, 5], 100), [3, 5]);
    assert_eq!(fair_shares(&[7, 9, 0], 0), [1, 1, 0]);
}

/// Collects what is logged on this thread while the guard lives.
fn capture_logs() -> (tracing::subscriber::DefaultGuard, Arc<Mutex<Vec<u8>>>) {
    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(logs.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .with_writer(move || sink.clone())
        .finish();
    (tracing::subscriber::set_default(subscriber), logs)
}

fn text(logs: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&logs.lock().unwrap()).into_owned()
}

#[tokio::test]
async fn an_event_with_thousands_of_rules_keeps_its_first_instance_only() {
    let (_guard, logs) = capture_logs();
    let rules: Vec<String> = (0..5000)
        .map(|i| format!("RRULE:FREQ=SECONDLY;BYSECOND={};COUNT=1000000", i % 60))
        .collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    let (store, _) = store_with(vec![
        series(
            "huge",
            timed("2026-01-05T13:00:00Z"),
            timed("2026-01-05T14:00:00Z"),
            &rules,
        ),
        event(
            "single",
            timed("2026-01-05T15:00:00Z"),
            timed("2026-01-05T16:00:00Z"),
        ),
    ])
    .await;
    assert_eq!(
        listed(&store, "2025-12-01T00:00:00Z", "2026-05-01T00:00:00Z").await,
        ["huge 2026-01-05T13:00:00Z", "single 2026-01-05T15:00:00Z"]
    );
    let logs = text(&logs);
    assert!(
        logs.contains("cannot expand series") && logs.contains("huge") && logs.contains("5000"),
        "{logs}"
    );
}

#[tokio::test]
async fn many_secondly_series_share_the_calendar_budget_fairly() {
    let (_guard, logs) = capture_logs();
    // Each SECONDLY series reaches the per-series cap; together they pass the calendar's.
    let per_series = usize::from(crate::recurrence::MAX_INSTANCES_PER_SERIES);
    let hostile = 300; // as in the report: 300,000 instances, three times the budget
    let mut events: Vec<RemoteEvent> = (0..hostile)
        .map(|i| {
            series(
                &format!("s{i:03}"),
                timed("2026-01-05T12:00:00Z"),
                timed("2026-01-05T12:00:01Z"),
                &["RRULE:FREQ=SECONDLY"],
            )
        })
        .collect();
    // Real events, named to sort after the hostile ones.
    events.push(series(
        "z-weekly",
        timed("2026-01-05T08:00:00Z"),
        timed("2026-01-05T09:00:00Z"),
        &["RRULE:FREQ=WEEKLY;COUNT=10"],
    ));
    events.push(event(
        "z-single",
        timed("2026-01-07T15:00:00Z"),
        timed("2026-01-07T16:00:00Z"),
    ));
    let (store, stats) = store_with(events).await;
    assert_eq!(stats.expanded, hostile + 1);

    let all = listed(&store, "2025-12-01T00:00:00Z", "2026-06-01T00:00:00Z").await;
    assert!(all.len() <= MAX_OCCURRENCES_PER_CALENDAR, "{}", all.len());
    assert!(
        all.len() > MAX_OCCURRENCES_PER_CALENDAR - hostile,
        "{}",
        all.len()
    );
    assert_eq!(
        all.iter().filter(|e| e.starts_with("z-weekly ")).count(),
        10
    );
    assert!(all.contains(&"z-single 2026-01-07T15:00:00Z".to_string()));
    // Every hostile series keeps its first instances, and no more than an equal share.
    for i in [0, hostile - 1] {
        let n = all
            .iter()
            .filter(|e| e.starts_with(&format!("s{i:03} ")))
            .count();
        assert!(n > 0 && n < per_series, "s{i:03}: {n}");
    }
    let logs = text(&logs);
    assert!(logs.contains("too many occurrences"), "{logs}");
    assert!(logs.contains("s000"), "{logs}");
}

#[tokio::test]
async fn a_series_in_a_zone_its_calendar_defines_is_expanded_by_those_rules() {
    let (store, _) = store_with(vec![]).await;
    let cal = store.calendars(None).await.unwrap()[0].id;
    let custom = |s: &str| EventTime::DateTime {
        utc: utc(s),
        tz: Some("Custom/Berlin".into()),
    };
    let plan = |events| Plan {
        upserts: events,
        deletes: vec![],
        resources: vec![],
        cursor: Some("c".into()),
        full: true,
        unchanged: 0,
    };
    // Mondays 09:00-10:00 in the calendar's Berlin, across the spring change (2026-03-29).
    let weekly = series(
        "weekly",
        custom("2026-03-16T08:00:00Z"),
        custom("2026-03-16T09:00:00Z"),
        &["RRULE:FREQ=WEEKLY;COUNT=3"],
    );
    let window = SyncWindow::around(utc(NOW), 30, 90);
    store
        .apply_plan(cal, &plan(vec![weekly.clone()]), window, utc(NOW))
        .await
        .unwrap();
    // Unknown without the definition: only the first instance is kept.
    let spring = ("2026-03-01T00:00:00Z", "2026-04-10T00:00:00Z");
    assert_eq!(
        listed(&store, spring.0, spring.1).await,
        ["weekly 2026-03-16T08:00:00Z"]
    );

    store
        .replace_zone_definitions(cal, &custom_definitions())
        .await
        .unwrap();
    store
        .apply_plan(cal, &plan(vec![]), window, utc(NOW))
        .await
        .unwrap();
    assert_eq!(
        listed(&store, spring.0, spring.1).await,
        [
            "weekly 2026-03-16T08:00:00Z",
            "weekly 2026-03-23T08:00:00Z",
            "weekly 2026-03-30T07:00:00Z"
        ]
    );
}

#[tokio::test]
async fn a_this_and_future_override_moves_the_rest_of_the_series() {
    // Mondays 09:00-10:00 Berlin; from 01-19 on an hour later and renamed; 02-02 moved on its
    // own to 11:00.
    let mut later = exception(
        "later",
        "weekly",
        timed("2026-01-19T08:00:00Z"),
        timed("2026-01-19T09:00:00Z"),
        timed("2026-01-19T10:00:00Z"),
    );
    later.series.as_mut().unwrap().this_and_future = true;
    let (store, _) = store_with(vec![
        series(
            "weekly",
            timed("2026-01-05T08:00:00Z"),
            timed("2026-01-05T09:00:00Z"),
            &["RRULE:FREQ=WEEKLY;COUNT=6"],
        ),
        later,
        exception(
            "plain",
            "weekly",
            timed("2026-02-02T08:00:00Z"),
            timed("2026-02-02T10:00:00Z"),
            timed("2026-02-02T11:00:00Z"),
        ),
    ])
    .await;
    assert_eq!(
        listed(&store, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z").await,
        [
            "weekly 2026-01-05T08:00:00Z",
            "weekly 2026-01-12T08:00:00Z",
            "later 2026-01-19T09:00:00Z",
            "later 2026-01-26T09:00:00Z",
            "plain 2026-02-02T10:00:00Z",
            "later 2026-02-09T09:00:00Z"
        ]
    );
    let range = QueryRange::new(
        utc("2026-01-26T00:00:00Z"),
        utc("2026-01-27T00:00:00Z"),
        &Utc,
    );
    let all = EventFilter {
        include_declined: true,
        limit: None,
    };
    let moved = &store.events_between(range, all).await.unwrap()[0];
    assert_eq!(moved.end, "2026-01-26T10:00:00Z");
    assert!(moved.recurring);
    assert!(moved.id.ends_with("@2026-01-26T08:00:00Z"), "{}", moved.id);

    // A cancelled THISANDFUTURE override ends the series there.
    let mut end = exception(
        "end",
        "weekly",
        timed("2026-01-26T08:00:00Z"),
        timed("2026-01-26T08:00:00Z"),
        timed("2026-01-26T09:00:00Z"),
    );
    end.status = EventStatus::Cancelled;
    end.series.as_mut().unwrap().this_and_future = true;
    let cal = store.calendars(None).await.unwrap()[0].id;
    let plan = Plan {
        upserts: vec![end],
        deletes: vec![],
        resources: vec![],
        cursor: Some("d".into()),
        full: false,
        unchanged: 0,
    };
    store
        .apply_plan(cal, &plan, SyncWindow::around(utc(NOW), 30, 90), utc(NOW))
        .await
        .unwrap();
    assert_eq!(
        listed(&store, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z").await,
        [
            "weekly 2026-01-05T08:00:00Z",
            "weekly 2026-01-12T08:00:00Z",
            "later 2026-01-19T09:00:00Z",
            "plain 2026-02-02T10:00:00Z"
        ]
    );
}

#[tokio::test]
async fn a_stored_series_keeps_the_zone_of_its_end() {
    // Daily 01:00 New York to 00:00 Los Angeles (two hours): on 2026-03-08 New York springs
    // forward at 02:00, and the instance still lasts two hours (01:00 EST to 04:00 EDT).
    let zoned = |s: &str, tz: &str| EventTime::DateTime {
        utc: utc(s),
        tz: Some(tz.into()),
    };
    let (store, _) = store_with(vec![series(
        "night",
        zoned("2026-03-07T06:00:00Z", "America/New_York"),
        zoned("2026-03-07T08:00:00Z", "America/Los_Angeles"),
        &["RRULE:FREQ=DAILY;COUNT=3"],
    )])
    .await;
    let range = QueryRange::new(
        utc("2026-03-08T00:00:00Z"),
        utc("2026-03-09T00:00:00Z"),
        &Utc,
    );
    let all = EventFilter {
        include_declined: true,
        limit: None,
    };
    let night = &store.events_between(range, all).await.unwrap()[0];
    assert_eq!(
        (night.start.as_str(), night.end.as_str()),
        ("2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z")
    );
}
