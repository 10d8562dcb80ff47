//! Domain types shared by every layer: what a provider reports, what the store keeps and what
//! the engine hands to its callers (CLI, desktop shell). Nothing here does I/O.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The start or end of an event, as the provider gave it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventTime {
    /// A timed instant. `tz` is the IANA zone the event was written in (needed to expand a
    /// recurrence across DST changes); the instant itself is already resolved to UTC.
    DateTime {
        utc: DateTime<Utc>,
        tz: Option<String>,
    },
    /// An all-day date (floating: the same date in every zone). As an end, it is exclusive.
    Date(NaiveDate),
}

impl EventTime {
    pub fn is_all_day(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }

    /// The value shown in JSON output: RFC 3339 UTC (`...Z`) or `YYYY-MM-DD`.
    pub fn to_wire(&self) -> String {
        match self {
            EventTime::DateTime { utc, .. } => {
                utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }
            EventTime::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// Reads back a value written by [`EventTime::to_wire`].
    pub fn from_wire(wire: &str, all_day: bool, tz: Option<&str>) -> Option<EventTime> {
        if all_day {
            return wire.parse().ok().map(EventTime::Date);
        }
        let utc = DateTime::parse_from_rfc3339(wire).ok()?.with_timezone(&Utc);
        Some(EventTime::DateTime {
            utc,
            tz: tz.map(str::to_owned),
        })
    }

    /// Seconds used to order and range-query occurrences: UTC epoch seconds for a timed value;
    /// for an all-day date, its midnight read as if it were UTC (a floating value, compared
    /// against local wall-clock bounds).
    pub fn key(&self) -> i64 {
        match self {
            EventTime::DateTime { utc, .. } => utc.timestamp(),
            EventTime::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
        }
    }
}

/// Lifecycle status of an event or of one instance of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Confirmed,
    Tentative,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "confirmed",
            EventStatus::Tentative => "tentative",
            EventStatus::Cancelled => "cancelled",
        }
    }
}

/// The calendar owner's answer to an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    NeedsAction,
    Accepted,
    Tentative,
    Declined,
}

impl Response {
    pub fn as_str(self) -> &'static str {
        match self {
            Response::NeedsAction => "needs_action",
            Response::Accepted => "accepted",
            Response::Tentative => "tentative",
            Response::Declined => "declined",
        }
    }
}

/// Identifies the instance of a recurring series that an exception replaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SeriesRef {
    /// The external id of the series master.
    pub master_external_id: String,
    /// The start the instance had before it was moved (Google's `originalStartTime`,
    /// iCalendar's RECURRENCE-ID).
    pub original_start: EventTime,
}

/// One event as a provider reports it: a single event, a series master (with `recurrence`), or
/// an exception of a series (with `series`). A cancelled exception keeps only `series` and
/// `status` meaningful and means "this instance does not happen".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteEvent {
    pub external_id: String,
    pub title: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: EventTime,
    pub end: EventTime,
    /// RFC 5545 lines (`RRULE:...`, `EXDATE...`, `RDATE...`, `EXRULE:...`) for a series master;
    /// empty otherwise.
    pub recurrence: Vec<String>,
    pub series: Option<SeriesRef>,
    pub status: EventStatus,
    pub my_response: Option<Response>,
    pub meeting_url: Option<String>,
    pub etag: Option<String>,
    pub updated: Option<DateTime<Utc>>,
}

/// One entry of a change set.
// Nearly every change is an upsert: boxing it would cost an allocation per event for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteChange {
    /// Create or replace the event with this external id.
    Upsert(RemoteEvent),
    /// The event with this external id is gone (deleting an unknown id is a no-op).
    Delete { external_id: String },
    /// Replace a whole resource (a CalDAV href, an ICS UID: a series master with its
    /// overrides, under one ETag) by `events`: its stored events not among them are deleted
    /// (an override dropped from the series). An event's external id belongs to one resource.
    ReplaceResource {
        resource_id: String,
        events: Vec<RemoteEvent>,
    },
    /// The resource is gone, with every event it held (a master and all its overrides).
    DeleteResource { resource_id: String },
}

/// A calendar as a provider lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteCalendar {
    pub external_id: String,
    pub name: String,
    /// `#rrggbb`, when the provider has one.
    pub color: Option<String>,
    pub time_zone: Option<String>,
    pub primary: bool,
    pub read_only: bool,
}

/// The span of time a full sync asks a provider for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl SyncWindow {
    /// `days_back` before `now` to `days_ahead` after it, widened to whole UTC days so that
    /// the window (and so the expansion of recurring events) changes at most once a day.
    pub fn around(now: DateTime<Utc>, days_back: u32, days_ahead: u32) -> Self {
        let today = now.date_naive();
        let start = (today - chrono::Days::new(u64::from(days_back)))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        let end = (today + chrono::Days::new(u64::from(days_ahead) + 1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        SyncWindow { start, end }
    }
}
