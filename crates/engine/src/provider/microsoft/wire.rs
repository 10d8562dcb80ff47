//! Microsoft Graph v1.0 JSON, as far as we read it (`/me`, `/me/calendars`, calendarView
//! delta pages), and its translation into model types. Field names and values follow the
//! Graph reference (shared/PROVIDERS-more.md A2–A4).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::date_time::DateTimeTimeZone;
use super::html_text;
use crate::meeting_link::find_meeting_url;
use crate::model::{
    Attendee, EventDetails, EventStatus, EventTime, RemoteCalendar, RemoteChange, RemoteEvent,
    Response,
};
use crate::provider::fields::{capped, MAX_DESCRIPTION, MAX_LOCATION, MAX_TITLE};
use crate::provider::people::{self, http_url as web_link};

/// The most bytes of an HTML body that are read: Outlook's HTML is several times its text, and
/// a body past this is noise or an attack (the page as a whole is capped when read).
const MAX_HTML: usize = 1024 * 1024;

/// One page of a Graph collection (`value` plus the links that continue or end it).
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink")]
    pub delta_link: Option<String>,
}

/// The signed-in user (`GET /me`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub display_name: Option<String>,
}

impl Me {
    /// The account's address, which identifies it here: the user principal name (what the
    /// user signs in with), else the mail address.
    pub fn address(&self) -> Option<String> {
        [&self.user_principal_name, &self.mail]
            .into_iter()
            .flatten()
            .map(|a| a.trim())
            .find(|a| !a.is_empty() && a.len() <= MAX_TITLE)
            .map(str::to_owned)
    }

    /// The user's name as Microsoft shows it, for display.
    pub fn display_name(&self) -> Option<String> {
        self.display_name
            .as_deref()
            .map(crate::text::one_line)
            .filter(|n| !n.is_empty())
            .map(|n| capped(n, MAX_TITLE))
    }
}

/// A calendar of `/me/calendars`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    pub id: String,
    pub name: Option<String>,
    /// A colour preset name (`lightBlue`, … `auto`).
    pub color: Option<String>,
    /// `#rrggbb`, or an empty string when the user never chose a colour.
    pub hex_color: Option<String>,
    #[serde(default)]
    pub is_default_calendar: bool,
    #[serde(default)]
    pub can_edit: bool,
}

impl Calendar {
    pub fn into_remote(self) -> RemoteCalendar {
        let color = self
            .hex_color
            .as_deref()
            .filter(|c| is_hex_colour(c))
            .map(str::to_ascii_lowercase)
            .or_else(|| {
                self.color
                    .as_deref()
                    .and_then(preset_colour)
                    .map(str::to_owned)
            });
        RemoteCalendar {
            name: capped(
                self.name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "Calendar".to_owned()),
                MAX_TITLE,
            ),
            external_id: self.id,
            color,
            // Graph calendars carry no zone; every time comes with its own.
            time_zone: None,
            primary: self.is_default_calendar,
            read_only: !self.can_edit,
        }
    }
}

fn is_hex_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

/// Outlook's calendar colour presets (the `calendarColor` enum) as `#rrggbb`, close to what
/// Outlook on the web shows; `auto` (and anything unknown) leaves the choice to us.
fn preset_colour(name: &str) -> Option<&'static str> {
    Some(match name {
        "lightBlue" => "#71afe5",
        "lightGreen" => "#7bc96f",
        "lightOrange" => "#ffaa44",
        "lightGray" => "#a0aeb2",
        "lightYellow" => "#fce100",
        "lightTeal" => "#00b7c3",
        "lightPink" => "#ee5fb7",
        "lightBrown" => "#ca8a56",
        "lightRed" => "#e74856",
        _ => return None,
    })
}

/// An item of a calendarView (delta) page: an event, or `{id, @removed}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    #[serde(rename = "@removed")]
    pub removed: Option<serde_json::Value>,
    pub subject: Option<String>,
    pub body: Option<ItemBody>,
    pub body_preview: Option<String>,
    pub start: Option<DateTimeTimeZone>,
    pub end: Option<DateTimeTimeZone>,
    pub original_start_time_zone: Option<String>,
    #[serde(default)]
    pub is_all_day: bool,
    #[serde(default)]
    pub is_cancelled: bool,
    pub show_as: Option<String>,
    pub response_status: Option<ResponseStatus>,
    pub online_meeting: Option<OnlineMeeting>,
    pub online_meeting_url: Option<String>,
    pub location: Option<Location>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(rename = "@odata.etag")]
    pub odata_etag: Option<String>,
    pub change_key: Option<String>,
    pub last_modified_date_time: Option<String>,
    #[serde(rename = "iCalUId")]
    pub ical_uid: Option<String>,
    pub web_link: Option<String>,
    pub is_reminder_on: Option<bool>,
    pub reminder_minutes_before_start: Option<i64>,
    pub organizer: Option<Recipient>,
    pub attendees: Option<Vec<GraphAttendee>>,
}

/// A `recipient`: an e-mail address with its name.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    pub email_address: Option<EmailAddress>,
}

#[derive(Debug, Deserialize)]
pub struct EmailAddress {
    pub name: Option<String>,
    pub address: Option<String>,
}

/// An `attendee`: a recipient with its answer and whether it is required, optional or a room.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphAttendee {
    pub email_address: Option<EmailAddress>,
    pub status: Option<ResponseStatus>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemBody {
    pub content_type: Option<String>,
    pub content: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ResponseStatus {
    pub response: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineMeeting {
    pub join_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub display_name: Option<String>,
}

/// The user's answer, from `responseStatus.response`.
fn response(status: Option<&ResponseStatus>) -> Option<Response> {
    match status?.response.as_deref()? {
        // The organiser attends their own meeting.
        "accepted" | "organizer" => Some(Response::Accepted),
        "tentativelyAccepted" => Some(Response::Tentative),
        "declined" => Some(Response::Declined),
        "notResponded" => Some(Response::NeedsAction),
        // `none`: no invitation to answer.
        _ => None,
    }
}

impl Event {
    /// The people, web page and reminders of the event. `own` is the account's address: the
    /// attendee with it is the user (Graph marks no attendee as "self").
    fn details(&self, own: Option<&str>) -> EventDetails {
        let mut attendees = people::Attendees::default();
        for a in self.attendees.iter().flatten() {
            let (name, email) = a
                .email_address
                .as_ref()
                .map_or((None, None), |e| (e.name.clone(), e.address.clone()));
            attendees.push(Attendee {
                is_self: people::is_own(email.as_deref(), own),
                name,
                email,
                response: response(a.status.as_ref()).map(|r| r.as_str().to_owned()),
                optional: a.kind.as_deref() == Some("optional"),
            });
        }
        let (attendees, attendees_omitted) = attendees.finish();
        let reminder_minutes = match (self.is_reminder_on, self.reminder_minutes_before_start) {
            (Some(false), _) => Some(Vec::new()),
            (Some(true), Some(minutes)) => Some(people::reminder_minutes([minutes])),
            _ => None,
        };
        EventDetails {
            ical_uid: people::uid(self.ical_uid.as_deref()),
            organizer: self
                .organizer
                .as_ref()
                .and_then(|o| o.email_address.as_ref())
                .and_then(|e| people::person(e.name.as_deref(), e.address.as_deref())),
            attendees,
            attendees_omitted,
            web_link: web_link(self.web_link.as_deref()),
            reminder_minutes,
        }
    }

    /// Translates one item of a calendarView (delta) page. `None`: nothing to store (a series
    /// master, which calendarView never sends as such, as its occurrences come one by one).
    /// Fails (naming the event) when a live event lacks what every event must have.
    pub fn into_change(self, own: Option<&str>) -> Result<Option<RemoteChange>, String> {
        // A removal (deleted, or out of the window) and a meeting the organiser cancelled
        // both leave the calendar: a cancelled meeting must never remind.
        if self.removed.is_some() || self.is_cancelled {
            return Ok(Some(RemoteChange::Delete {
                external_id: self.id,
            }));
        }
        if self.kind.as_deref() == Some("seriesMaster") {
            return Ok(None);
        }
        let bad = |msg: String| format!("event {}: {msg}", crate::text::one_line(&self.id));
        let (Some(start), Some(end)) = (&self.start, &self.end) else {
            return Err(bad("start or end is missing".into()));
        };
        let (start, end) = if self.is_all_day {
            let original = self.original_start_time_zone.as_deref();
            let first = start.all_day_date(original).map_err(bad)?;
            let after = end.all_day_date(original).map_err(bad)?;
            // The end is exclusive: an all-day event lasts at least its day.
            let after = if after > first {
                after
            } else {
                first.succ_opt().unwrap_or(first)
            };
            (EventTime::Date(first), EventTime::Date(after))
        } else {
            (start.resolve().map_err(bad)?, end.resolve().map_err(bad)?)
        };
        // Read before the fields below are moved out.
        let details = self.details(own);
        let status = match self.show_as.as_deref() {
            Some("tentative") => EventStatus::Tentative,
            _ => EventStatus::Confirmed,
        };
        let location = self
            .location
            .and_then(|l| l.display_name)
            .filter(|l| !l.trim().is_empty())
            .map(|l| capped(l, MAX_LOCATION));
        let (raw_body, is_html) = match self.body {
            Some(ItemBody {
                content: Some(content),
                content_type,
            }) => {
                let html = content_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("html"));
                (Some(capped(content, MAX_HTML)), html)
            }
            _ => (None, false),
        };
        let description = match &raw_body {
            Some(body) if is_html => Some(html_text::to_text(body)),
            Some(body) => Some(body.clone()),
            None => self.body_preview,
        }
        .filter(|d| !d.trim().is_empty())
        .map(|d| capped(d, MAX_DESCRIPTION));
        // The Teams link first, then the legacy Skype one, then any meeting link in the
        // location or the body as sent (in HTML, the link is in an `href`).
        let meeting_url = web_link(self.online_meeting.and_then(|m| m.join_url).as_deref())
            .or_else(|| web_link(self.online_meeting_url.as_deref()))
            .or_else(|| {
                find_meeting_url(
                    [location.as_deref(), raw_body.as_deref()]
                        .into_iter()
                        .flatten(),
                )
            });
        let updated = self
            .last_modified_date_time
            .as_deref()
            .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
            .map(|t| t.with_timezone(&Utc));
        Ok(Some(RemoteChange::Upsert(RemoteEvent {
            title: self
                .subject
                .filter(|s| !s.trim().is_empty())
                .map(|s| capped(s, MAX_TITLE))
                .unwrap_or_else(|| "(No title)".to_owned()),
            description,
            location,
            start,
            end,
            // calendarView sends each occurrence as an event of its own, with its own id.
            recurrence: Vec::new(),
            series: None,
            status,
            my_response: response(self.response_status.as_ref()),
            meeting_url,
            etag: self
                .odata_etag
                .or(self.change_key)
                .map(|e| capped(e, MAX_TITLE)),
            updated,
            external_id: self.id,
            details,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn convert(v: serde_json::Value) -> Result<Option<RemoteChange>, String> {
        serde_json::from_value::<Event>(v)
            .unwrap()
            .into_change(Some("me@contoso.com"))
    }

    fn upsert(v: serde_json::Value) -> RemoteEvent {
        match convert(v).unwrap() {
            Some(RemoteChange::Upsert(e)) => e,
            other => panic!("expected an upsert, got {other:?}"),
        }
    }

    /// A timed event as the Graph reference shows one, times in `zone`.
    fn timed(id: &str, start: &str, end: &str, zone: &str) -> serde_json::Value {
        json!({
            "@odata.etag": "W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"",
            "id": id,
            "createdDateTime": "2026-04-30T13:14:03.3357651Z",
            "lastModifiedDateTime": "2026-04-30T13:15:27.8105337Z",
            "changeKey": "ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==",
            "originalStartTimeZone": "Pacific Standard Time",
            "originalEndTimeZone": "Pacific Standard Time",
            "iCalUId": "040000008200E00074C5B7101A82E00800000000",
            "subject": "Plan summer company picnic",
            "bodyPreview": "Let's kick-start this event planning!",
            "importance": "normal",
            "isAllDay": false,
            "isCancelled": false,
            "isOrganizer": true,
            "responseRequested": true,
            "seriesMasterId": null,
            "showAs": "busy",
            "type": "singleInstance",
            "webLink": "https://outlook.office365.com/owa/?itemid=AAMkADAGAADDdm4NAAA%3D&exvsurl=1&path=/calendar/item",
            "onlineMeetingUrl": null,
            "isOnlineMeeting": false,
            "onlineMeetingProvider": "unknown",
            "onlineMeeting": null,
            "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
            "body": {"contentType": "text", "content": "Let's kick-start this event planning!"},
            "start": {"dateTime": start, "timeZone": zone},
            "end": {"dateTime": end, "timeZone": zone},
            "location": {"displayName": "Conf Room 3; Fourth Coffee; Home Office",
                         "locationType": "default", "uniqueIdType": "unknown"},
            "attendees": [],
            "organizer": {"emailAddress": {"name": "Megan Bowen", "address": "MeganB@contoso.com"}}
        })
    }

    #[test]
    fn a_documented_event_reads_whole() {
        let e = upsert(timed(
            "AAMkAGI1AAAt9AHjAAA=",
            "2026-05-01T16:00:00.0000000",
            "2026-05-01T17:00:00.0000000",
            "UTC",
        ));
        assert_eq!(e.external_id, "AAMkAGI1AAAt9AHjAAA=");
        assert_eq!(e.title, "Plan summer company picnic");
        assert_eq!(e.start.to_wire(), "2026-05-01T16:00:00Z");
        assert_eq!(e.end.to_wire(), "2026-05-01T17:00:00Z");
        assert_eq!(e.start.zone_name(), Some("UTC"));
        assert_eq!(
            e.description.as_deref(),
            Some("Let's kick-start this event planning!")
        );
        assert_eq!(
            e.location.as_deref(),
            Some("Conf Room 3; Fourth Coffee; Home Office")
        );
        assert_eq!(e.my_response, Some(Response::Accepted));
        assert_eq!(e.status, EventStatus::Confirmed);
        assert_eq!(e.meeting_url, None);
        assert_eq!(
            e.etag.as_deref(),
            Some("W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"")
        );
        assert_eq!(
            e.updated
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "2026-04-30T13:15:27.810Z"
        );
        assert!(e.recurrence.is_empty() && e.series.is_none());
    }

    #[test]
    fn people_web_link_uid_and_reminders_are_read_and_bounded() {
        let mut v = timed("a", "2026-05-01T16:00:00", "2026-05-01T17:00:00", "UTC");
        let mut attendees: Vec<serde_json::Value> = (0..1000)
            .map(|i| {
                json!({"type": "required", "status": {"response": "none"},
                            "emailAddress": {"address": format!("p{i}@contoso.com")}})
            })
            .collect();
        attendees[0] = json!({"type": "optional",
            "status": {"response": "tentativelyAccepted", "time": "2026-04-30T10:00:00Z"},
            "emailAddress": {"name": "Me\u{7}\r\nToo", "address": "ME@contoso.com"}});
        attendees[1] = json!({"type": "resource", "status": {"response": "accepted"},
            "emailAddress": {"name": "Conf Room 3", "address": "room3@contoso.com"}});
        v["attendees"] = json!(attendees);
        v["isReminderOn"] = json!(true);
        v["reminderMinutesBeforeStart"] = json!(15);
        let e = upsert(v.clone());
        let d = &e.details;
        assert_eq!(
            d.ical_uid.as_deref(),
            Some("040000008200E00074C5B7101A82E00800000000")
        );
        assert_eq!(
            d.organizer.as_ref().unwrap().email.as_deref(),
            Some("MeganB@contoso.com")
        );
        assert_eq!(d.attendees.len(), crate::provider::people::MAX_ATTENDEES);
        assert_eq!(d.attendees_omitted, 800);
        let me = &d.attendees[0];
        assert!(me.is_self && me.optional);
        assert_eq!(me.name.as_deref(), Some("Me Too"));
        assert_eq!(me.response.as_deref(), Some("tentative"));
        assert!(!d.attendees[1].is_self && !d.attendees[1].optional);
        assert_eq!(d.attendees[2].response, None);
        assert!(d
            .web_link
            .as_deref()
            .unwrap()
            .starts_with("https://outlook.office365.com/owa/"));
        assert_eq!(d.reminder_minutes, Some(vec![15]));

        v["isReminderOn"] = json!(false);
        v["webLink"] = json!("javascript:alert(1)");
        let off = upsert(v.clone());
        assert_eq!(off.details.reminder_minutes, Some(vec![]));
        assert_eq!(off.details.web_link, None);
        v["isReminderOn"] = json!(null);
        assert_eq!(upsert(v).details.reminder_minutes, None);
    }

    #[test]
    fn windows_and_iana_zone_names_are_both_read() {
        // Summer time in each zone.
        for (zone, wire) in [
            ("Pacific Standard Time", "2026-07-01T16:00:00Z"),
            ("W. Europe Standard Time", "2026-07-01T07:00:00Z"),
            ("India Standard Time", "2026-07-01T03:30:00Z"),
            ("AUS Eastern Standard Time", "2026-06-30T23:00:00Z"),
            ("Europe/Berlin", "2026-07-01T07:00:00Z"),
            ("UTC", "2026-07-01T09:00:00Z"),
        ] {
            let e = upsert(timed(
                "z",
                "2026-07-01T09:00:00.0000000",
                "2026-07-01T09:30:00.0000000",
                zone,
            ));
            assert_eq!(e.start.to_wire(), wire, "{zone}");
            assert_eq!(e.start.zone_name(), Some(zone));
        }
        // Winter in Berlin: the Windows name follows the rules of its IANA zone.
        let e = upsert(timed(
            "w",
            "2026-01-15T09:00:00.0000000",
            "2026-01-15T10:00:00.0000000",
            "W. Europe Standard Time",
        ));
        assert_eq!(e.start.to_wire(), "2026-01-15T08:00:00Z");
        // No zone at all is Graph's default, UTC; a custom zone nobody defines is floating.
        let mut v = timed("u", "2026-01-15T09:00:00", "2026-01-15T10:00:00", "x");
        v["start"] = json!({"dateTime": "2026-01-15T09:00:00.0000000"});
        v["end"]["timeZone"] = json!("tzone://Microsoft/Custom");
        let e = upsert(v);
        assert_eq!(e.start.to_wire(), "2026-01-15T09:00:00Z");
        assert_eq!(e.end.to_wire(), "2026-01-15T10:00:00");
        assert!(e.end.is_wall_clock());
    }

    #[test]
    fn all_day_events_are_dates_under_the_utc_preference() {
        // What Graph sends with `Prefer: outlook.timezone="UTC"`: midnights, end exclusive.
        let mut v = timed(
            "a",
            "2026-05-04T00:00:00.0000000",
            "2026-05-06T00:00:00.0000000",
            "UTC",
        );
        v["isAllDay"] = json!(true);
        v["originalStartTimeZone"] = json!("Tokyo Standard Time");
        let e = upsert(v.clone());
        assert_eq!(e.start, EventTime::Date("2026-05-04".parse().unwrap()));
        assert_eq!(e.end, EventTime::Date("2026-05-06".parse().unwrap()));
        // Were a server to shift it into UTC after all, the day stays the creator's day.
        v["start"]["dateTime"] = json!("2026-05-03T15:00:00.0000000");
        v["end"]["dateTime"] = json!("2026-05-05T15:00:00.0000000");
        let e = upsert(v.clone());
        assert_eq!(e.start.to_wire(), "2026-05-04");
        assert_eq!(e.end.to_wire(), "2026-05-06");
        // An end not after the start still gives the event its day.
        v["start"]["dateTime"] = json!("2026-05-04T00:00:00.0000000");
        v["end"]["dateTime"] = json!("2026-05-04T00:00:00.0000000");
        assert_eq!(upsert(v).end.to_wire(), "2026-05-05");
    }

    #[test]
    fn cancelled_and_removed_items_leave_the_calendar_and_series_masters_are_skipped() {
        let mut v = timed("c1", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["isCancelled"] = json!(true);
        v["subject"] = json!("Canceled: Standup");
        assert_eq!(
            convert(v).unwrap(),
            Some(RemoteChange::Delete {
                external_id: "c1".into()
            })
        );
        let removed = json!({"@odata.type": "#microsoft.graph.event", "id": "r1",
                             "@removed": {"reason": "deleted"}});
        assert_eq!(
            convert(removed).unwrap(),
            Some(RemoteChange::Delete {
                external_id: "r1".into()
            })
        );
        let mut master = timed("m", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        master["type"] = json!("seriesMaster");
        assert_eq!(convert(master).unwrap(), None);
    }

    #[test]
    fn occurrences_and_exceptions_are_events_of_their_own() {
        for (kind, id) in [
            ("occurrence", "AAMkAGI1AAAt9AHjAAABEgAQAAUGyvDPTVG_2"),
            ("exception", "AAMkAGI1AAAt9AHjAAABEgAQAAUGyvDPTVG_3"),
        ] {
            let mut v = timed(id, "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
            v["type"] = json!(kind);
            v["seriesMasterId"] = json!("AAMkAGI1AAAt9AHjAAA=");
            let e = upsert(v);
            assert_eq!(e.external_id, id);
            assert!(e.series.is_none() && e.recurrence.is_empty());
        }
    }

    #[test]
    fn the_response_and_show_as() {
        for (response, expected) in [
            ("accepted", Some(Response::Accepted)),
            ("organizer", Some(Response::Accepted)),
            ("tentativelyAccepted", Some(Response::Tentative)),
            ("declined", Some(Response::Declined)),
            ("notResponded", Some(Response::NeedsAction)),
            ("none", None),
        ] {
            let mut v = timed("r", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
            v["responseStatus"] = json!({"response": response, "time": "2026-04-30T10:00:00Z"});
            assert_eq!(upsert(v).my_response, expected, "{response}");
        }
        let mut v = timed("s", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["showAs"] = json!("tentative");
        v["responseStatus"] = json!(null);
        let e = upsert(v);
        assert_eq!(e.status, EventStatus::Tentative);
        assert_eq!(e.my_response, None);
    }

    #[test]
    fn the_meeting_link_comes_from_teams_then_skype_then_the_text() {
        let base = || timed("m", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        let teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Q%40thread.v2/0?context=%7b%22Tid%22%3a%22x%22%7d";
        let mut v = base();
        v["isOnlineMeeting"] = json!(true);
        v["onlineMeetingProvider"] = json!("teamsForBusiness");
        v["onlineMeeting"] = json!({"joinUrl": teams});
        v["onlineMeetingUrl"] = json!("https://join.skype.com/abc");
        assert_eq!(upsert(v).meeting_url.as_deref(), Some(teams));

        let mut v = base();
        v["onlineMeeting"] = json!({"joinUrl": null});
        v["onlineMeetingUrl"] = json!("https://meet.lync.com/contoso/megan/ABC123");
        assert_eq!(
            upsert(v).meeting_url.as_deref(),
            Some("https://meet.lync.com/contoso/megan/ABC123")
        );

        let mut v = base();
        v["location"] = json!({"displayName": "https://us02web.zoom.us/j/123456789"});
        assert_eq!(
            upsert(v).meeting_url.as_deref(),
            Some("https://us02web.zoom.us/j/123456789")
        );

        // In an HTML body the link is in an href that the text reduction drops.
        let mut v = base();
        v["body"] = json!({"contentType": "html", "content":
            format!("<html><body><a href=\"{}\">Join the meeting now</a></body></html>",
                    teams.replace('&', "&amp;"))});
        let e = upsert(v);
        assert_eq!(e.meeting_url.as_deref(), Some(teams));
        assert_eq!(e.description.as_deref(), Some("Join the meeting now"));

        // A link that is not a web address is not a join link.
        let mut v = base();
        v["onlineMeeting"] = json!({"joinUrl": "javascript:alert(1)"});
        assert_eq!(upsert(v).meeting_url, None);
    }

    #[test]
    fn html_bodies_become_text_and_text_bodies_stay() {
        let mut v = timed("h", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["body"] = json!({"contentType": "html",
            "content": "<html><head><style>p{margin:0}</style></head><body><p>Hi &amp; welcome</p><p>Line&nbsp;2<br>Line 3</p><script>x()</script></body></html>"});
        assert_eq!(
            upsert(v).description.as_deref(),
            Some("Hi & welcome\nLine 2\nLine 3")
        );
        let mut v = timed("t", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["body"] = json!({"contentType": "text", "content": "<b>not html</b>\r\nsecond"});
        assert_eq!(
            upsert(v).description.as_deref(),
            Some("<b>not html</b>\r\nsecond")
        );
        // No body: the preview; an empty one: nothing.
        let mut v = timed("p", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["body"] = json!(null);
        assert_eq!(
            upsert(v.clone()).description.as_deref(),
            Some("Let's kick-start this event planning!")
        );
        v["bodyPreview"] = json!("");
        assert_eq!(upsert(v).description, None);
    }

    #[test]
    fn oversized_fields_are_cut_and_broken_events_name_themselves() {
        let mut v = timed("big", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["subject"] = json!("é".repeat(5000));
        v["location"] = json!({"displayName": "ü".repeat(5000)});
        v["body"] = json!({"contentType": "text", "content": "ö".repeat(200_000)});
        v["onlineMeeting"] =
            json!({"joinUrl": format!("https://teams.microsoft.com/{}", "a".repeat(5000))});
        let e = upsert(v);
        assert!(e.title.len() <= 1024 && e.title.ends_with("é…"));
        assert!(e.location.unwrap().len() <= 2048);
        assert!(e.description.unwrap().len() <= 64 * 1024);
        assert_eq!(e.meeting_url, None, "an oversized link is dropped");

        let mut v = timed("x1", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["end"] = json!(null);
        let err = convert(v).unwrap_err();
        assert!(err.contains("x1") && err.contains("missing"), "{err}");
        let v = timed("x2", "tomorrow", "2026-05-01T10:00:00", "UTC");
        let err = convert(v).unwrap_err();
        assert!(err.contains("x2") && err.contains("tomorrow"), "{err}");
        let mut v = timed("", "2026-05-01T09:00:00", "2026-05-01T10:00:00", "UTC");
        v["subject"] = json!("   ");
        assert_eq!(upsert(v).title, "(No title)");
    }

    #[test]
    fn calendars_and_their_colours() {
        let page: Page<Calendar> = serde_json::from_value(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#me/calendars",
            "value": [
                {"@odata.id": "x", "id": "AAMkAGViNDU7zAAAAAGtlAAA=", "name": "Calendar",
                 "color": "auto", "hexColor": "", "isDefaultCalendar": true,
                 "changeKey": "nfZyf7VcrEKLNoU37KWlkQAAA0x0+w==", "canShare": true,
                 "canViewPrivateItems": true, "canEdit": true,
                 "allowedOnlineMeetingProviders": ["teamsForBusiness"],
                 "defaultOnlineMeetingProvider": "teamsForBusiness",
                 "isTallyingResponses": true, "isRemovable": false,
                 "owner": {"name": "Samantha Booth", "address": "samanthab@contoso.com"}},
                {"id": "b", "name": "Team", "color": "lightGreen", "hexColor": "",
                 "isDefaultCalendar": false, "canEdit": false},
                {"id": "c", "name": "Mine", "color": "lightRed", "hexColor": "#E3008C",
                 "canEdit": true},
                {"id": "d", "name": "  ", "hexColor": "red"}
            ],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/calendars?$skip=10"
        }))
        .unwrap();
        assert!(page.next_link.is_some() && page.delta_link.is_none());
        let cals: Vec<_> = page.value.into_iter().map(Calendar::into_remote).collect();
        assert_eq!(
            (cals[0].name.as_str(), cals[0].primary, cals[0].read_only),
            ("Calendar", true, false)
        );
        assert_eq!(cals[0].color, None, "auto leaves the colour to us");
        assert_eq!(cals[1].color.as_deref(), Some("#7bc96f"));
        assert!(cals[1].read_only && !cals[1].primary);
        assert_eq!(cals[2].color.as_deref(), Some("#e3008c"));
        assert_eq!(
            (cals[3].name.as_str(), cals[3].color.as_deref()),
            ("Calendar", None)
        );
    }

    #[test]
    fn the_account_is_named_by_its_principal_name_or_mail() {
        let me: Me = serde_json::from_value(json!({
            "businessPhones": [], "displayName": "Adele\u{1b}[31m Vance",
            "mail": "AdeleV@contoso.com", "userPrincipalName": "AdeleV@contoso.onmicrosoft.com",
            "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
        }))
        .unwrap();
        assert_eq!(
            me.address().as_deref(),
            Some("AdeleV@contoso.onmicrosoft.com")
        );
        assert_eq!(me.display_name().as_deref(), Some("Adele Vance"));
        let me: Me = serde_json::from_value(
            json!({"userPrincipalName": " ", "mail": "someone@outlook.com", "displayName": null}),
        )
        .unwrap();
        assert_eq!(me.address().as_deref(), Some("someone@outlook.com"));
        assert_eq!(me.display_name(), None);
        let me: Me = serde_json::from_value(json!({"id": "x"})).unwrap();
        assert_eq!(me.address(), None);
    }
}
