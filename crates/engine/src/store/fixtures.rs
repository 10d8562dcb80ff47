//! Small builders shared by the store's tests: instants, times and plain events.

use chrono::{DateTime, Utc};

use super::Store;
use crate::model::{EventStatus, EventTime, RemoteCalendar, RemoteEvent};

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A timed value written in Europe/Berlin.
pub fn timed(s: &str) -> EventTime {
    EventTime::DateTime {
        utc: utc(s),
        tz: Some("Europe/Berlin".into()),
    }
}

pub fn date(s: &str) -> EventTime {
    EventTime::Date(s.parse().unwrap())
}

/// A confirmed single event titled with its id.
pub fn event(id: &str, start: EventTime, end: EventTime) -> RemoteEvent {
    RemoteEvent {
        external_id: id.into(),
        title: id.into(),
        description: None,
        location: None,
        start,
        end,
        recurrence: vec![],
        series: None,
        status: EventStatus::Confirmed,
        my_response: None,
        meeting_url: None,
        etag: Some("1".into()),
        updated: None,
        details: Default::default(),
    }
}

/// An in-memory store with one account of `provider` holding one calendar; the calendar's id.
pub async fn store_with_calendar(provider: &str, now: &str) -> (Store, i64) {
    let store = Store::open_in_memory().await.unwrap();
    let (account, _) = store
        .upsert_account(provider, "me@x", "me@x", utc(now))
        .await
        .unwrap();
    store
        .reconcile_calendars(
            account,
            &[RemoteCalendar {
                external_id: "me@x".into(),
                name: "Me".into(),
                color: None,
                time_zone: None,
                primary: true,
                read_only: false,
            }],
        )
        .await
        .unwrap();
    let calendar = store.calendars(None).await.unwrap()[0].id;
    (store, calendar)
}
