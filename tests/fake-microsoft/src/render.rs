//! Instances rendered as Graph's event JSON: the documented properties with Graph's
//! defaults, the stored ones passed through, and start/end in the zone the client prefers.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::instances::{Instance, Moment};
use crate::mailbox::{Calendar, StoredEvent};
use crate::zones;

/// An instance ready to send: every property but start and end, which depend on the zone
/// each request prefers.
#[derive(Debug, Clone)]
pub(crate) struct RenderedEvent {
    fields: Map<String, Value>,
    start: Moment,
    end: Moment,
}

/// Renders an instance of `calendar`; `None` if its event is gone.
pub(crate) fn render(calendar: &Calendar, instance: &Instance) -> Option<RenderedEvent> {
    let event = calendar.events.get(&instance.source_id)?;
    let exception = instance
        .original
        .and_then(|key| event.exceptions.get(&key))
        .map(|e| (&e.fields, e.last_modified));
    Some(RenderedEvent {
        fields: render_fields(event, exception, instance),
        start: instance.start,
        end: instance.end,
    })
}

/// The properties of a stored event as Graph shows them, before the per-instance ones: Graph's
/// defaults, then the stored properties, and a `bodyPreview` from the body. Computed once
/// when the event is stored, so a big first round stays quick.
pub(crate) fn base_fields(stored: Map<String, Value>) -> Map<String, Value> {
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
    fields.extend(stored);
    if !fields.contains_key("bodyPreview") {
        let preview = body_preview(&fields["body"]);
        fields.insert("bodyPreview".into(), json!(preview));
    }
    fields
}

/// Everything but start and end, as Graph returns an event in a calendar view. [GR]
fn render_fields(
    event: &StoredEvent,
    exception: Option<(&Map<String, Value>, DateTime<Utc>)>,
    instance: &Instance,
) -> Map<String, Value> {
    let (kind, id, original) = (instance.kind, instance.id.as_str(), instance.original);
    let last_modified =
        exception.map_or(event.last_modified, |(_, at)| at.max(event.last_modified));
    let change_key = format!("DwAAABYAAA{}", last_modified.timestamp_micros());
    let mut fields = event.base.clone();
    if let Some((patch, _)) = exception {
        fields.extend(patch.clone());
        if patch.contains_key("body") && !patch.contains_key("bodyPreview") {
            let preview = body_preview(&fields["body"]);
            fields.insert("bodyPreview".into(), json!(preview));
        }
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

/// The event JSON as serialized: the fields, then `start`/`end` (no copy of the fields).
#[derive(Serialize)]
pub(crate) struct EventJson<'a> {
    #[serde(flatten)]
    fields: &'a Map<String, Value>,
    start: Value,
    end: Value,
}

impl RenderedEvent {
    /// The event with `start`/`end` in the preferred zone. All-day events keep their
    /// midnight dates whatever the preference says [GI]; the fake labels them with the
    /// preferred zone's name (inferred).
    pub(crate) fn in_zone<'a>(&'a self, preferred: &Preferred) -> EventJson<'a> {
        let time = |moment: Moment| {
            let local = match moment {
                Moment::At(at) => at.with_timezone(&preferred.zone).naive_local(),
                Moment::Date(date) => date.and_time(chrono::NaiveTime::MIN),
            };
            json!({"dateTime": zones::graph_local(local), "timeZone": preferred.name})
        };
        EventJson {
            fields: &self.fields,
            start: time(self.start),
            end: time(self.end),
        }
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
}
