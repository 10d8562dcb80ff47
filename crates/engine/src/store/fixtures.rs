//! Small builders shared by the store's tests: instants, times and plain events.

use chrono::{DateTime, Utc};

use crate::model::{EventStatus, EventTime, RemoteEvent};

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
    }
}
