//! Google Calendar v3 JSON, as far as we read it, and its translation into model types.
//! Field names follow the discovery document (see shared/PROVIDERS.md).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

use crate::meeting_link::find_meeting_url;
use crate::model::{
    self, EventDetails, EventStatus, EventTime, RemoteCalendar, RemoteChange, RemoteEvent,
    Response, SeriesRef,
};
use crate::provider::fields::{capped, MAX_DESCRIPTION, MAX_LOCATION, MAX_TITLE, MAX_URL};
use crate::provider::people;
use crate::zones::{self, ZoneDefinitions};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarListPage {
    #[serde(default)]
    pub items: Vec<CalendarListEntry>,
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarListEntry {
    pub id: String,
    pub summary: Option<String>,
    pub summary_override: Option<String>,
    pub time_zone: Option<String>,
    pub background_color: Option<String>,
    #[serde(default)]
    pub primary: bool,
    pub access_role: Option<String>,
    #[serde(default)]
    pub deleted: bool,
}

impl CalendarListEntry {
    pub fn into_remote(self) -> RemoteCalendar {
        let read_only = !matches!(self.access_role.as_deref(), Some("owner" | "writer"));
        RemoteCalendar {
            name: capped(
                self.summary_override
                    .or(self.summary)
                    .unwrap_or_else(|| self.id.clone()),
                MAX_TITLE,
            ),
            external_id: self.id,
            color: self.background_color.filter(|c| is_hex_colour(c)),
            time_zone: self.time_zone,
            primary: self.primary,
            read_only,
        }
    }
}

fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsPage {
    #[serde(default)]
    pub items: Vec<Event>,
    pub next_page_token: Option<String>,
    pub next_sync_token: Option<String>,
    /// The calendar's zone: how to read a `dateTime` written without an offset.
    pub time_zone: Option<String>,
    /// The calendar's reminders, for events with `reminders.useDefault`.
    #[serde(default)]
    pub default_reminders: Vec<Reminder>,
}

impl EventsPage {
    /// The lead times of the calendar's default popup reminders (the others are e-mails).
    pub fn default_popup_minutes(&self) -> Vec<u32> {
        popup_minutes(&self.default_reminders)
    }
}

/// One reminder of an event or a calendar: `method` is `email` or `popup`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub method: Option<String>,
    pub minutes: Option<i64>,
}

/// An event's `reminders`: the calendar's defaults, or its own overrides.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminders {
    #[serde(default)]
    pub use_default: bool,
    pub overrides: Option<Vec<Reminder>>,
}

/// The organizer of an event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organizer {
    pub display_name: Option<String>,
    pub email: Option<String>,
}

fn popup_minutes(reminders: &[Reminder]) -> Vec<u32> {
    crate::provider::people::reminder_minutes(
        reminders
            .iter()
            .filter(|r| r.method.as_deref() == Some("popup"))
            .filter_map(|r| r.minutes),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub status: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: Option<EventDateTime>,
    pub end: Option<EventDateTime>,
    pub recurrence: Option<Vec<String>>,
    pub recurring_event_id: Option<String>,
    pub original_start_time: Option<EventDateTime>,
    pub hangout_link: Option<String>,
    pub conference_data: Option<ConferenceData>,
    pub attendees: Option<Vec<Attendee>>,
    pub etag: Option<String>,
    pub updated: Option<String>,
    #[serde(rename = "iCalUID")]
    pub ical_uid: Option<String>,
    pub organizer: Option<Organizer>,
    pub html_link: Option<String>,
    pub reminders: Option<Reminders>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventDateTime {
    pub date: Option<String>,
    pub date_time: Option<String>,
    pub time_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConferenceData {
    #[serde(default)]
    pub entry_points: Vec<EntryPoint>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryPoint {
    pub entry_point_type: Option<String>,
    pub uri: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    #[serde(default, rename = "self")]
    pub is_self: bool,
    pub response_status: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    #[serde(default)]
    pub optional: bool,
}

impl EventDateTime {
    /// Resolves the value; `calendar_tz` reads a `dateTime` written without an offset.
    fn resolve(&self, calendar_tz: Option<&str>) -> Result<EventTime, String> {
        if let Some(date) = &self.date {
            return date
                .parse::<NaiveDate>()
                .map(EventTime::Date)
                .map_err(|_| format!("bad date {date:?}"));
        }
        let Some(text) = &self.date_time else {
            return Err("a time has neither date nor dateTime".into());
        };
        let tz = self
            .time_zone
            .clone()
            .or_else(|| calendar_tz.map(str::to_owned));
        let utc = match DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.with_timezone(&Utc),
            Err(_) => {
                // An offset may be left out when timeZone is given.
                let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                    .map_err(|_| format!("bad dateTime {text:?}"))?;
                let zone = tz
                    .as_deref()
                    .and_then(|z| zones::resolve(z, &ZoneDefinitions::default()))
                    .ok_or_else(|| {
                        format!("dateTime {text:?} has no offset and no known time zone")
                    })?;
                crate::local_time::resolve(naive, &zone)
            }
        };
        Ok(EventTime::DateTime { utc, tz })
    }
}

fn response(attendees: &Option<Vec<Attendee>>) -> Option<Response> {
    let me = attendees.as_ref()?.iter().find(|a| a.is_self)?;
    answer(me.response_status.as_deref())
}

fn answer(status: Option<&str>) -> Option<Response> {
    match status? {
        "accepted" => Some(Response::Accepted),
        "declined" => Some(Response::Declined),
        "tentative" => Some(Response::Tentative),
        "needsAction" => Some(Response::NeedsAction),
        _ => None,
    }
}

impl Event {
    /// The people, web page and reminders of the event; `default_popups` are the calendar's
    /// default popup lead times, for `reminders.useDefault`.
    fn details(&self, default_popups: &[u32]) -> EventDetails {
        let mut attendees = people::Attendees::default();
        // Rooms (`resource: true`) are kept as listed: they answer invitations too.
        for a in self.attendees.iter().flatten() {
            attendees.push(model::Attendee {
                name: a.display_name.clone(),
                email: a.email.clone(),
                response: answer(a.response_status.as_deref()).map(|r| r.as_str().to_owned()),
                is_self: a.is_self,
                optional: a.optional,
            });
        }
        let (attendees, attendees_omitted) = attendees.finish();
        let reminder_minutes = self.reminders.as_ref().map(|r| match &r.overrides {
            _ if r.use_default => default_popups.to_vec(),
            Some(overrides) => popup_minutes(overrides),
            None => Vec::new(),
        });
        EventDetails {
            ical_uid: people::uid(self.ical_uid.as_deref()),
            organizer: self
                .organizer
                .as_ref()
                .and_then(|o| people::person(o.display_name.as_deref(), o.email.as_deref())),
            attendees,
            attendees_omitted,
            web_link: people::http_url(self.html_link.as_deref()),
            reminder_minutes,
        }
    }
}

impl Event {
    /// Translates one item of an events listing. Fails (with a message naming the event) when a
    /// live event lacks what every event must have.
    pub fn into_change(
        mut self,
        calendar_tz: Option<&str>,
        default_popups: &[u32],
    ) -> Result<RemoteChange, String> {
        self.description = self.description.map(|d| capped(d, MAX_DESCRIPTION));
        self.location = self.location.map(|l| capped(l, MAX_LOCATION));
        let bad = |msg: String| format!("event {}: {msg}", self.id);
        let status = match self.status.as_deref() {
            None | Some("confirmed") => EventStatus::Confirmed,
            Some("tentative") => EventStatus::Tentative,
            Some("cancelled") => EventStatus::Cancelled,
            Some(other) => return Err(bad(format!("unknown status {other:?}"))),
        };
        let series = match (&self.recurring_event_id, &self.original_start_time) {
            (Some(master), Some(original)) => Some(SeriesRef {
                master_external_id: master.clone(),
                original_start: original.resolve(calendar_tz).map_err(bad)?,
                this_and_future: false,
            }),
            _ => None,
        };
        if status == EventStatus::Cancelled && series.is_none() {
            return Ok(RemoteChange::Delete {
                external_id: self.id,
            });
        }
        let (start, end) = match (&self.start, &self.end, &series) {
            (Some(s), Some(e), _) => (
                s.resolve(calendar_tz).map_err(bad)?,
                e.resolve(calendar_tz).map_err(bad)?,
            ),
            // A cancelled instance only promises id, recurringEventId and originalStartTime.
            (_, _, Some(series)) if status == EventStatus::Cancelled => {
                (series.original_start.clone(), series.original_start.clone())
            }
            _ => return Err(bad("start or end is missing".into())),
        };
        if start.is_all_day() != end.is_all_day() {
            return Err(bad("start and end mix a date and a dateTime".into()));
        }
        let video = self
            .conference_data
            .as_ref()
            .and_then(|c| {
                c.entry_points
                    .iter()
                    .find(|p| p.entry_point_type.as_deref() == Some("video"))
            })
            .and_then(|p| p.uri.clone());
        let meeting_url = self
            .hangout_link
            .clone()
            .or(video)
            .filter(|u| u.len() <= MAX_URL)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .or_else(|| {
                find_meeting_url(
                    [self.location.as_deref(), self.description.as_deref()]
                        .into_iter()
                        .flatten(),
                )
            });
        let my_response = response(&self.attendees);
        let details = self.details(default_popups);
        let updated = self
            .updated
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
            .map(|t| t.with_timezone(&Utc));
        Ok(RemoteChange::Upsert(RemoteEvent {
            external_id: self.id,
            title: self
                .summary
                .filter(|s| !s.trim().is_empty())
                .map(|s| capped(s, MAX_TITLE))
                .unwrap_or_else(|| "(No title)".to_owned()),
            description: self.description,
            location: self.location,
            start,
            end,
            recurrence: self.recurrence.unwrap_or_default(),
            series,
            status,
            my_response,
            meeting_url,
            etag: self.etag,
            updated,
            details,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn convert(v: serde_json::Value) -> Result<RemoteChange, String> {
        serde_json::from_value::<Event>(v)
            .unwrap()
            .into_change(Some("Europe/Berlin"), &[10])
    }

    fn upsert(v: serde_json::Value) -> RemoteEvent {
        match convert(v).unwrap() {
            RemoteChange::Upsert(e) => e,
            other => panic!("expected an upsert, got {other:?}"),
        }
    }

    #[test]
    fn timed_event_with_offset_and_zone() {
        let e = upsert(json!({
            "id": "abc", "summary": "Review", "etag": "\"1\"",
            "start": {"dateTime": "2026-03-29T09:00:00+02:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-03-29T10:00:00+02:00", "timeZone": "Europe/Berlin"},
            "hangoutLink": "https://meet.google.com/abc-defg-hij",
            "attendees": [{"email": "x@y", "responseStatus": "accepted"},
                          {"email": "me@y", "self": true, "responseStatus": "declined"}]
        }));
        assert_eq!(e.start.to_wire(), "2026-03-29T07:00:00Z");
        assert_eq!(e.my_response, Some(Response::Declined));
        assert_eq!(
            e.meeting_url.as_deref(),
            Some("https://meet.google.com/abc-defg-hij")
        );
        assert_eq!(e.status, EventStatus::Confirmed);
    }

    #[test]
    fn date_time_without_offset_uses_the_zone() {
        let e = upsert(json!({
            "id": "a", "start": {"dateTime": "2026-07-01T09:00:00"},
            "end": {"dateTime": "2026-07-01T09:30:00", "timeZone": "America/New_York"}
        }));
        assert_eq!(e.start.to_wire(), "2026-07-01T07:00:00Z"); // calendar zone: Berlin, CEST
        assert_eq!(e.end.to_wire(), "2026-07-01T13:30:00Z");
        assert_eq!(e.title, "(No title)");
    }

    #[test]
    fn date_times_in_a_gap_use_the_offset_before_it() {
        // Lord Howe springs forward by 30 minutes (02:00 +10:30 -> 02:30 +11:00).
        let e = upsert(json!({
            "id": "a", "start": {"dateTime": "2026-10-04T02:15:00", "timeZone": "Australia/Lord_Howe"},
            "end": {"dateTime": "2026-10-04T03:00:00", "timeZone": "Australia/Lord_Howe"}
        }));
        assert_eq!(e.start.to_wire(), "2026-10-03T15:45:00Z"); // 02:45 +11:00
                                                               // Samoa skipped 2011-12-30 entirely: noon that day is read at -10:00.
        let e = upsert(json!({
            "id": "b", "start": {"dateTime": "2011-12-30T12:00:00", "timeZone": "Pacific/Apia"},
            "end": {"dateTime": "2011-12-30T13:00:00", "timeZone": "Pacific/Apia"}
        }));
        assert_eq!(e.start.to_wire(), "2011-12-30T22:00:00Z");
        // An overlap is its first occurrence.
        let e = upsert(json!({
            "id": "c", "start": {"dateTime": "2026-10-25T02:30:00"},
            "end": {"dateTime": "2026-10-25T03:30:00"}
        }));
        assert_eq!(e.start.to_wire(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn all_day_and_conference_entry_point() {
        let e = upsert(json!({
            "id": "a", "summary": "Offsite",
            "start": {"date": "2026-05-04"}, "end": {"date": "2026-05-06"},
            "conferenceData": {"entryPoints": [
                {"entryPointType": "phone", "uri": "tel:+1-555"},
                {"entryPointType": "video", "uri": "https://meet.google.com/xyz-abcd-efg"}]}
        }));
        assert_eq!(e.start, EventTime::Date("2026-05-04".parse().unwrap()));
        assert_eq!(e.end.to_wire(), "2026-05-06");
        assert_eq!(
            e.meeting_url.as_deref(),
            Some("https://meet.google.com/xyz-abcd-efg")
        );
    }

    #[test]
    fn meeting_link_from_location_or_description() {
        let e = upsert(json!({
            "id": "a", "start": {"date": "2026-05-04"}, "end": {"date": "2026-05-05"},
            "description": "Join: <a href=\"https://us02web.zoom.us/j/123?pwd=x&amp;a=1\">zoom</a>"
        }));
        assert!(e
            .meeting_url
            .unwrap()
            .starts_with("https://us02web.zoom.us/j/123"));
    }

    #[test]
    fn cancelled_items() {
        assert_eq!(
            convert(json!({"id": "gone", "status": "cancelled"})).unwrap(),
            RemoteChange::Delete {
                external_id: "gone".into()
            }
        );
        let e = upsert(json!({
            "id": "s_20260105T080000Z", "status": "cancelled", "recurringEventId": "s",
            "originalStartTime": {"dateTime": "2026-01-05T09:00:00+01:00", "timeZone": "Europe/Berlin"}
        }));
        assert_eq!(e.status, EventStatus::Cancelled);
        assert_eq!(
            e.series.unwrap().original_start.to_wire(),
            "2026-01-05T08:00:00Z"
        );
    }

    #[test]
    fn malformed_events_name_the_event() {
        let err = convert(json!({"id": "x1", "summary": "no times"})).unwrap_err();
        assert!(err.contains("x1") && err.contains("missing"), "{err}");
        let err = convert(json!({"id": "x2", "start": {"dateTime": "tomorrow"},
                                 "end": {"dateTime": "later"}}))
        .unwrap_err();
        assert!(err.contains("x2"), "{err}");
        assert!(convert(json!({"id": "x3", "status": "weird",
            "start": {"date": "2026-01-01"}, "end": {"date": "2026-01-02"}}))
        .is_err());
    }

    #[test]
    fn oversized_fields_are_cut_at_a_character_boundary() {
        let e = upsert(json!({
            "id": "big", "start": {"date": "2026-05-04"}, "end": {"date": "2026-05-05"},
            "summary": "é".repeat(5000),
            "location": "ü".repeat(5000),
            "description": "ö".repeat(200_000),
            "hangoutLink": format!("https://meet.google.com/{}", "a".repeat(5000)),
        }));
        assert!(
            e.title.len() <= 1024 && e.title.ends_with("é…"),
            "{}",
            e.title.len()
        );
        let location = e.location.unwrap();
        assert!(location.len() <= 2048 && location.ends_with("ü…"));
        let description = e.description.unwrap();
        assert!(description.len() <= 64 * 1024 && description.len() > 60 * 1024);
        assert!(description.ends_with("ö…"));
        assert_eq!(e.meeting_url, None, "an oversized link is dropped");

        let c: CalendarListEntry =
            serde_json::from_value(json!({"id": "x", "summary": "名".repeat(1000)})).unwrap();
        assert!(c.into_remote().name.len() <= 1024);

        let small = upsert(json!({
            "id": "s", "summary": "Lunch", "description": "Bring cake",
            "start": {"date": "2026-05-04"}, "end": {"date": "2026-05-05"},
        }));
        assert_eq!(
            (small.title.as_str(), small.description.as_deref()),
            ("Lunch", Some("Bring cake"))
        );
    }

    #[test]
    fn calendar_entries() {
        let c: CalendarListEntry = serde_json::from_value(json!({
            "id": "me@x", "summary": "me@x", "summaryOverride": "Work",
            "backgroundColor": "#9fe1e7", "primary": true, "accessRole": "owner"
        }))
        .unwrap();
        let c = c.into_remote();
        assert_eq!(
            (c.name.as_str(), c.primary, c.read_only),
            ("Work", true, false)
        );
        assert_eq!(c.color.as_deref(), Some("#9fe1e7"));
    }

    #[test]
    fn people_web_link_uid_and_reminders_are_read_and_bounded() {
        let mut attendees: Vec<serde_json::Value> = (0..1000)
            .map(|i| json!({"email": format!("p{i}@example.com"), "responseStatus": "needsAction"}))
            .collect();
        attendees[0] = json!({"email": "me@example.com", "self": true,
                              "responseStatus": "tentative", "displayName": "Me\u{1b}[2J\nMyself"});
        attendees[1] = json!({"email": "room@resource.calendar.google.com", "resource": true,
                              "responseStatus": "accepted", "optional": true});
        let e = upsert(json!({
            "id": "abc", "iCalUID": "abc@google.com",
            "start": {"dateTime": "2026-03-29T09:00:00Z"}, "end": {"dateTime": "2026-03-29T10:00:00Z"},
            "organizer": {"displayName": "Ann", "email": "ann@example.com"},
            "attendees": attendees,
            "htmlLink": "https://www.google.com/calendar/event?eid=YWJj",
            "reminders": {"useDefault": false, "overrides": [
                {"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 15},
                {"method": "popup", "minutes": 99999}]}
        }));
        let d = &e.details;
        assert_eq!(d.ical_uid.as_deref(), Some("abc@google.com"));
        let organizer = d.organizer.as_ref().unwrap();
        assert_eq!(
            (organizer.name.as_deref(), organizer.email.as_deref()),
            (Some("Ann"), Some("ann@example.com"))
        );
        assert_eq!(d.attendees.len(), crate::provider::people::MAX_ATTENDEES);
        assert_eq!(d.attendees_omitted, 800);
        let me = &d.attendees[0];
        assert!(me.is_self && !me.optional);
        assert_eq!(me.name.as_deref(), Some("Me Myself"));
        assert_eq!(me.response.as_deref(), Some("tentative"));
        assert!(d.attendees[1].optional);
        assert_eq!(d.attendees[2].response.as_deref(), Some("needs_action"));
        assert_eq!(
            d.web_link.as_deref(),
            Some("https://www.google.com/calendar/event?eid=YWJj")
        );
        assert_eq!(d.reminder_minutes, Some(vec![15]));

        // The calendar's defaults (popups only, as the page lists them); none said: unknown.
        let defaults = upsert(json!({
            "id": "d", "start": {"date": "2026-03-29"}, "end": {"date": "2026-03-30"},
            "reminders": {"useDefault": true}, "htmlLink": "javascript:alert(1)"
        }));
        assert_eq!(defaults.details.reminder_minutes, Some(vec![10]));
        assert_eq!(defaults.details.web_link, None);
        let none = upsert(json!({
            "id": "n", "start": {"date": "2026-03-29"}, "end": {"date": "2026-03-30"},
            "reminders": {"useDefault": false}
        }));
        assert_eq!(none.details.reminder_minutes, Some(vec![]));
        let silent = upsert(json!({
            "id": "s", "start": {"date": "2026-03-29"}, "end": {"date": "2026-03-30"}
        }));
        assert_eq!(silent.details, EventDetails::default());
        let page: EventsPage = serde_json::from_value(json!({"items": [], "defaultReminders": [
            {"method": "popup", "minutes": 30}, {"method": "email", "minutes": 10}]}))
        .unwrap();
        assert_eq!(page.default_popup_minutes(), [30]);
    }
}
