//! The calendar view: stored events expanded into the instances Graph returns for a window
//! (single events, occurrences and exceptions, never series masters [GV][GC]), and each
//! instance rendered as Graph's event JSON in the zone the client prefers.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use crate::mailbox::{Calendar, StoredEvent, ZonedTime};
use crate::zones;

/// A start or end: an instant for timed events, a floating date for all-day ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    At(DateTime<Utc>),
    Date(NaiveDate),
}

/// One event of the calendar view, rendered but for its start and end.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub(crate) id: String,
    /// Changes whenever anything the client sees of the instance changes.
    pub(crate) version: u64,
    /// The series master's id, or the event's own id.
    pub(crate) source_id: String,
    pub(crate) sort_key: DateTime<Utc>,
    fields: Map<String, Value>,
    start: Moment,
    end: Moment,
}

/// The requested window `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

/// The id of the occurrence of `master_id` that starts (originally) at `original`.
pub(crate) fn occurrence_id(master_id: &str, original: NaiveDateTime) -> String {
    format!(
        "{}_OID{}=",
        master_id.trim_end_matches('='),
        original.format("%Y%m%dT%H%M%S")
    )
}

/// Every instance of `calendar` that overlaps `window`, by start.
pub(crate) fn expand(calendar: &Calendar, window: Window, mailbox_zone: Tz) -> Vec<Instance> {
    let mut instances = Vec::new();
    for event in calendar.events.values() {
        expand_event(event, window, mailbox_zone, &mut instances);
    }
    instances.sort_by(|a, b| a.sort_key.cmp(&b.sort_key).then_with(|| a.id.cmp(&b.id)));
    instances
}

fn expand_event(event: &StoredEvent, window: Window, zone: Tz, out: &mut Vec<Instance>) {
    let Some(recurrence) = &event.recurrence else {
        let (start, end) = moments(event.all_day, &event.start, &event.end);
        if overlaps(start, end, window, zone) {
            let fields = render_fields(event, None, "singleInstance", &event.id, None);
            out.push(instance(
                event.id.clone(),
                event.changed,
                &event.id,
                fields,
                start,
                end,
                zone,
            ));
        }
        return;
    };
    let series_zone = event.start.zone;
    let last = window.end.with_timezone(&series_zone).date_naive() + Duration::days(1);
    let time = event.start.local.time();
    let mut keys: Vec<NaiveDateTime> = recurrence
        .dates(event.start.local.date(), last)
        .into_iter()
        .map(|date| date.and_time(time))
        .collect();
    // An exception moved into the window from an occurrence beyond it still shows.
    keys.extend(event.exceptions.keys().filter(|key| key.date() > last));
    let length = event.end.utc() - event.start.utc();
    let days = (event.end.local.date() - event.start.local.date()).num_days();
    for key in keys {
        if event.deleted.contains(&key) {
            continue;
        }
        let exception = event.exceptions.get(&key);
        let start_time = exception
            .and_then(|e| e.start.clone())
            .unwrap_or_else(|| ZonedTime {
                local: key,
                ..event.start.clone()
            });
        let (start, end) = match exception.and_then(|e| e.end.clone()) {
            Some(end_time) => moments(event.all_day, &start_time, &end_time),
            None if event.all_day => {
                let first = start_time.local.date();
                (
                    Moment::Date(first),
                    Moment::Date(first + Duration::days(days)),
                )
            }
            None => {
                let at = start_time.utc();
                (Moment::At(at), Moment::At(at + length))
            }
        };
        if !overlaps(start, end, window, zone) {
            continue;
        }
        let id = occurrence_id(&event.id, key);
        let (kind, version) = match exception {
            Some(e) => ("exception", event.changed.max(e.changed)),
            None => ("occurrence", event.changed),
        };
        let fields = render_fields(
            event,
            exception.map(|e| (&e.fields, e.last_modified)),
            kind,
            &id,
            Some(key),
        );
        out.push(instance(id, version, &event.id, fields, start, end, zone));
    }
}

fn instance(
    id: String,
    version: u64,
    source_id: &str,
    fields: Map<String, Value>,
    start: Moment,
    end: Moment,
    zone: Tz,
) -> Instance {
    Instance {
        id,
        version,
        source_id: source_id.to_owned(),
        sort_key: instant(start, zone),
        fields,
        start,
        end,
    }
}

fn moments(all_day: bool, start: &ZonedTime, end: &ZonedTime) -> (Moment, Moment) {
    if all_day {
        (
            Moment::Date(start.local.date()),
            Moment::Date(end.local.date()),
        )
    } else {
        (Moment::At(start.utc()), Moment::At(end.utc()))
    }
}

/// All-day dates are days of the mailbox's zone when matched against a window, which is why
/// a UTC window catches a neighbouring day's all-day events for users elsewhere. [GI]
fn instant(moment: Moment, zone: Tz) -> DateTime<Utc> {
    match moment {
        Moment::At(at) => at,
        Moment::Date(date) => zones::to_utc(date.and_time(chrono::NaiveTime::MIN), zone),
    }
}

/// Whether `[start, end)` overlaps the window; an instant event counts at its start.
fn overlaps(start: Moment, end: Moment, window: Window, zone: Tz) -> bool {
    let (start, end) = (instant(start, zone), instant(end, zone));
    start < window.end && (end > window.start || (start == end && start >= window.start))
}

/// Everything but start and end, as Graph returns an event in a calendar view. [GR]
fn render_fields(
    event: &StoredEvent,
    exception: Option<(&Map<String, Value>, DateTime<Utc>)>,
    kind: &str,
    id: &str,
    original: Option<NaiveDateTime>,
) -> Map<String, Value> {
    let last_modified =
        exception.map_or(event.last_modified, |(_, at)| at.max(event.last_modified));
    let change_key = format!("DwAAABYAAA{}", last_modified.timestamp_micros());
    let mut fields = Map::new();
    let defaults = json!({
        "subject": "",
        "body": {"contentType": "text", "content": ""},
        "categories": [],
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": true,
        "hasAttachments": false,
        "importance": "normal",
        "sensitivity": "normal",
        "isCancelled": false,
        "isOrganizer": true,
        "responseRequested": true,
        "showAs": "busy",
        "onlineMeetingUrl": null,
        "isOnlineMeeting": false,
        "onlineMeetingProvider": "unknown",
        "onlineMeeting": null,
        "allowNewTimeProposals": true,
        "isDraft": false,
        "hideAttendees": false,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown", "address": {}, "coordinates": {}},
        "locations": [],
        "attendees": [],
        "organizer": {"emailAddress": {"name": "Megan Bowen", "address": "megan@contoso.example"}},
    });
    if let Value::Object(defaults) = defaults {
        fields.extend(defaults);
    }
    fields.extend(event.fields.clone());
    if let Some((patch, _)) = exception {
        fields.extend(patch.clone());
    }
    if !fields.contains_key("bodyPreview") {
        let preview = body_preview(&fields["body"]);
        fields.insert("bodyPreview".into(), json!(preview));
    }
    let series_master = (kind != "singleInstance").then(|| event.id.clone());
    let ical_uid = match original {
        // The v1.0 docs say each occurrence has its own iCalUId. [GR]
        Some(key) => format!("{}{}", event.ical_uid, key.format("%Y%m%d")),
        None => event.ical_uid.clone(),
    };
    let managed = json!({
        "@odata.etag": format!("W/\"{change_key}\""),
        "id": id,
        "createdDateTime": graph_utc(event.created),
        "lastModifiedDateTime": graph_utc(last_modified),
        "changeKey": change_key,
        "originalStartTimeZone": event.start.zone_name,
        "originalEndTimeZone": event.end.zone_name,
        "iCalUId": ical_uid,
        "uid": event.ical_uid,
        "isAllDay": event.all_day,
        "seriesMasterId": series_master,
        "type": kind,
        "recurrence": null,
        "webLink": format!(
            "https://outlook.office365.com/owa/?itemid={}&exvsurl=1&path=/calendar/item",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ),
    });
    if let Value::Object(managed) = managed {
        fields.extend(managed);
    }
    if let Some(key) = original {
        let at = zones::to_utc(key, event.start.zone);
        fields.insert(
            "originalStart".into(),
            json!(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
    }
    fields
}

/// `bodyPreview`: the body as plain text, at most 255 characters. [GR]
fn body_preview(body: &Value) -> String {
    let content = body["content"].as_str().unwrap_or_default();
    let text = if body["contentType"].as_str() == Some("html") {
        strip_tags(content)
    } else {
        content.to_owned()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(255).collect()
}

fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Graph's UTC timestamps carry seven fraction digits (chrono has no `%.7f`).
fn graph_utc(at: DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        at.format("%Y-%m-%dT%H:%M:%S"),
        at.timestamp_subsec_nanos() / 100
    )
}

/// The client's `Prefer: outlook.timezone`: the name it gave and the zone it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Preferred {
    pub(crate) name: String,
    pub(crate) zone: Tz,
}

impl Preferred {
    pub(crate) fn utc() -> Self {
        Preferred {
            name: "UTC".into(),
            zone: chrono_tz::UTC,
        }
    }
}

impl Instance {
    /// The event JSON with `start`/`end` in the preferred zone. All-day events keep their
    /// midnight dates whatever the preference says [GI]; the fake labels them with the
    /// preferred zone's name (inferred).
    pub(crate) fn render(&self, preferred: &Preferred) -> Value {
        let mut fields = self.fields.clone();
        let time = |moment: Moment| {
            let local = match moment {
                Moment::At(at) => at.with_timezone(&preferred.zone).naive_local(),
                Moment::Date(date) => date.and_time(chrono::NaiveTime::MIN),
            };
            json!({"dateTime": zones::graph_local(local), "timeZone": preferred.name})
        };
        fields.insert("start".into(), time(self.start));
        fields.insert("end".into(), time(self.end));
        Value::Object(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamps_have_seven_fraction_digits() {
        let at = DateTime::parse_from_rfc3339("2024-05-01T09:00:00.123456789Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(graph_utc(at), "2024-05-01T09:00:00.1234567Z");
    }

    #[test]
    fn html_bodies_preview_as_text() {
        let body = json!({"contentType": "html", "content": "<html><body><p>Hi&nbsp;there</p><br>Join &amp; talk</body></html>"});
        assert_eq!(body_preview(&body), "Hi there Join & talk");
    }

    #[test]
    fn zero_length_events_count_at_their_start() {
        let at = |h: u32| {
            Moment::At(
                NaiveDate::from_ymd_opt(2024, 5, 1)
                    .and_then(|d| d.and_hms_opt(h, 0, 0))
                    .expect("time")
                    .and_utc(),
            )
        };
        let window = Window {
            start: instant(at(8), chrono_tz::UTC),
            end: instant(at(10), chrono_tz::UTC),
        };
        assert!(overlaps(at(8), at(8), window, chrono_tz::UTC));
        assert!(!overlaps(at(10), at(10), window, chrono_tz::UTC));
        assert!(!overlaps(at(7), at(8), window, chrono_tz::UTC));
        assert!(overlaps(at(7), at(9), window, chrono_tz::UTC));
    }
}
