//! Domain types shared by every layer: what a provider reports, what the store keeps and what
//! the engine hands to its callers (CLI, desktop shell). Nothing here does I/O.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
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
    /// A floating date-time (RFC 5545 §3.3.5, form 1, or a TZID no one defines): the same
    /// wall-clock time in whatever zone the viewer is in, resolved to an instant only when
    /// shown (by [`crate::local_time::resolve`]).
    Floating(NaiveDateTime),
}

/// How a floating date-time is written in the store: wall-clock time without an offset.
const FLOATING_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

impl EventTime {
    pub fn is_all_day(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }

    /// The zone a timed value was written in, if any.
    pub fn zone_name(&self) -> Option<&str> {
        match self {
            EventTime::DateTime { tz, .. } => tz.as_deref(),
            EventTime::Date(_) | EventTime::Floating(_) => None,
        }
    }

    /// The value stored and shown in JSON output: RFC 3339 UTC (`...Z`), `YYYY-MM-DD`, or for
    /// a floating time `YYYY-MM-DDTHH:MM:SS` (the store's form; views show it resolved in the
    /// viewer's zone as RFC 3339 UTC).
    pub fn to_wire(&self) -> String {
        match self {
            EventTime::DateTime { utc, .. } => {
                utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }
            EventTime::Date(d) => d.format("%Y-%m-%d").to_string(),
            EventTime::Floating(local) => local.format(FLOATING_FORMAT).to_string(),
        }
    }

    /// Reads back a value written by [`EventTime::to_wire`].
    pub fn from_wire(wire: &str, all_day: bool, tz: Option<&str>) -> Option<EventTime> {
        if all_day {
            return wire.parse().ok().map(EventTime::Date);
        }
        match DateTime::parse_from_rfc3339(wire) {
            Ok(at) => Some(EventTime::DateTime {
                utc: at.with_timezone(&Utc),
                tz: tz.map(str::to_owned),
            }),
            Err(_) => NaiveDateTime::parse_from_str(wire, FLOATING_FORMAT)
                .ok()
                .map(EventTime::Floating),
        }
    }

    /// Seconds used to order and range-query occurrences: UTC epoch seconds for a timed value;
    /// for an all-day date its midnight, and for a floating time its wall-clock time, read as
    /// if it were UTC (a wall-clock key, compared against local wall-clock bounds).
    pub fn key(&self) -> i64 {
        match self {
            EventTime::DateTime { utc, .. } => utc.timestamp(),
            EventTime::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
            EventTime::Floating(local) => local.and_utc().timestamp(),
        }
    }

    /// This time moved by `seconds` (whole days for a date), in the same form and zone.
    pub fn shifted(&self, seconds: i64) -> Option<EventTime> {
        let delta = chrono::TimeDelta::try_seconds(seconds)?;
        Some(match self {
            EventTime::DateTime { utc, tz } => EventTime::DateTime {
                utc: utc.checked_add_signed(delta)?,
                tz: tz.clone(),
            },
            EventTime::Date(d) => EventTime::Date(
                d.checked_add_signed(chrono::TimeDelta::try_days(seconds.div_euclid(86_400))?)?,
            ),
            EventTime::Floating(wall) => EventTime::Floating(wall.checked_add_signed(delta)?),
        })
    }

    /// Whether [`EventTime::key`] is a wall-clock key (all-day or floating), not an instant.
    pub fn is_wall_clock(&self) -> bool {
        !matches!(self, EventTime::DateTime { .. })
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
    /// RECURRENCE-ID;RANGE=THISANDFUTURE (RFC 5545 §3.2.13): the override also applies to
    /// every later instance (its time shift, duration and properties) until a later override.
    #[serde(default)]
    pub this_and_future: bool,
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
    /// Who is in it, its web page and its own reminders (flattened: the fields sit beside the
    /// others in JSON, as they do in [`crate::store::EventView`]).
    #[serde(flatten)]
    pub details: EventDetails,
}

/// A person named by an event: its organizer, or one of its attendees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    pub name: Option<String>,
    /// The e-mail address (from `mailto:` for iCalendar).
    pub email: Option<String>,
}

/// One attendee of an event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attendee {
    pub name: Option<String>,
    pub email: Option<String>,
    /// `accepted`, `tentative`, `declined` or `needs_action` ([`Response::as_str`]).
    pub response: Option<String>,
    /// This attendee is the account's own user.
    pub is_self: bool,
    /// Invited as optional.
    pub optional: bool,
}

/// What an event says beyond its time and title: its iCalendar UID, who is in it, its page on
/// the provider's site and its own reminder lead times. Kept in one struct so a provider that
/// knows none of it writes `details: EventDetails::default()`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetails {
    /// Google `iCalUID`, Microsoft `iCalUId`, iCalendar `UID`: the same invitation has the
    /// same one in every calendar it is in.
    pub ical_uid: Option<String>,
    pub organizer: Option<Person>,
    /// At most [`crate::provider::people::MAX_ATTENDEES`].
    pub attendees: Vec<Attendee>,
    /// How many attendees were left out past the cap.
    pub attendees_omitted: u32,
    /// The provider's web page for the event (`http`/`https` only).
    pub web_link: Option<String>,
    /// The event's own reminder lead times, in minutes: `None` when the provider says
    /// nothing, `Some(vec![])` when it has explicitly none.
    pub reminder_minutes: Option<Vec<u32>>,
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
    /// The resource is still there but could not be read this time (a body that is not
    /// iCalendar): what the store holds of it stays as it is, even in a full listing.
    KeepResource { resource_id: String },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floating_times_round_trip_as_wall_clock_keys() {
        let nine = NaiveDateTime::parse_from_str("2026-03-02T09:00:00", FLOATING_FORMAT).unwrap();
        let floating = EventTime::Floating(nine);
        assert_eq!(floating.to_wire(), "2026-03-02T09:00:00");
        assert_eq!(
            EventTime::from_wire("2026-03-02T09:00:00", false, None),
            Some(floating.clone())
        );
        assert_eq!(floating.key(), nine.and_utc().timestamp());
        assert!(floating.is_wall_clock() && !floating.is_all_day());
        assert_eq!(floating.zone_name(), None);
        let timed = EventTime::from_wire("2026-03-02T09:00:00Z", false, Some("Europe/Berlin"));
        assert!(matches!(timed, Some(EventTime::DateTime { .. })));
        assert_eq!(timed.unwrap().zone_name(), Some("Europe/Berlin"));
        assert_eq!(EventTime::from_wire("2026-03-02 09:00", false, None), None);
    }
}
