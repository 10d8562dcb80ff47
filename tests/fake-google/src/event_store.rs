//! One calendar's events: storage ordered by id, the change sequence behind sync tokens, and
//! the server side of writes (etag, updated, iCalUID, ... ; deletions become tombstones).

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::Rng;
use serde_json::{json, Map, Value};

use crate::recurrence::Series;
use crate::times::{format_timestamp, instance_id, key_from_suffix, EventTime};

/// What a write needs to know about the calendar it goes to.
pub(crate) struct CalendarInfo<'a> {
    pub(crate) id: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) zone: Tz,
    pub(crate) owner_email: &'a str,
}

/// An event (or tombstone) as stored, with what listings filter on.
pub(crate) struct StoredEvent {
    /// The resource exactly as the API returns it.
    pub(crate) json: Value,
    /// The calendar's change sequence number at the last write.
    pub(crate) seq: u64,
    pub(crate) updated: DateTime<Utc>,
    pub(crate) cancelled: bool,
    /// Start and end as instants; the end is `None` for an endless series. `None` if unknown.
    pub(crate) span: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// The rule set of a recurring master.
    pub(crate) series: Option<Series>,
    /// The master id and original start key of an exception (a stored instance).
    pub(crate) parent: Option<(String, i64)>,
}

impl StoredEvent {
    /// Whether it overlaps the window: ends after `from` and starts before `to`.
    pub(crate) fn overlaps(&self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> bool {
        let Some((start, end)) = self.span else {
            return true;
        };
        from.is_none_or(|from| end.is_none_or(|end| end > from)) && to.is_none_or(|to| start < to)
    }
}

/// A calendar's events, ordered by id, and its change sequence.
pub(crate) struct EventStore {
    pub(crate) events: BTreeMap<String, StoredEvent>,
    /// Bumped by every write; an event's `seq` is the value right after its last write.
    pub(crate) seq: u64,
    /// Bumped when every earlier sync token must give 410.
    pub(crate) epoch: u64,
    pub(crate) updated: DateTime<Utc>,
}

impl EventStore {
    pub(crate) fn new() -> Self {
        EventStore {
            events: BTreeMap::new(),
            seq: 0,
            epoch: 0,
            updated: Utc::now(),
        }
    }

    fn bump(&mut self) -> (u64, DateTime<Utc>) {
        self.seq += 1;
        self.updated = Utc::now();
        (self.seq, self.updated)
    }

    fn etag(seq: u64, at: DateTime<Utc>) -> String {
        format!("\"{}{:03}\"", at.timestamp_micros(), seq % 1000)
    }

    /// The master of an exception, if it is stored and recurring (cancelled or not).
    pub(crate) fn master_of(&self, event: &StoredEvent) -> Option<&StoredEvent> {
        let (master_id, _) = event.parent.as_ref()?;
        self.events
            .get(master_id)
            .filter(|master| master.series.is_some())
    }

    /// The stored exceptions of a master, in id order.
    pub(crate) fn exceptions_of<'a>(
        &'a self,
        master_id: &'a str,
    ) -> impl Iterator<Item = &'a StoredEvent> + 'a {
        let prefix = format!("{master_id}_");
        self.events
            .range(prefix.clone()..)
            .take_while(move |(id, _)| id.starts_with(&prefix))
            .map(|(_, event)| event)
            .filter(move |event| {
                event
                    .parent
                    .as_ref()
                    .is_some_and(|(parent, _)| parent == master_id)
            })
    }

    /// Inserts or replaces an event by id and returns the stored resource.
    pub(crate) fn put(&mut self, calendar: &CalendarInfo, event: Value) -> Result<Value, String> {
        let Value::Object(mut fields) = event else {
            return Err("an event must be a JSON object".into());
        };
        let status = match fields.get("status") {
            None => "confirmed".to_owned(),
            Some(Value::String(s))
                if matches!(s.as_str(), "confirmed" | "tentative" | "cancelled") =>
            {
                s.clone()
            }
            Some(other) => return Err(format!("invalid status {other}")),
        };
        let parent_id = match fields.get("recurringEventId") {
            None => None,
            Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
            Some(_) => return Err("recurringEventId must be a non-empty string".into()),
        };
        let original = fields
            .get("originalStartTime")
            .map(|value| EventTime::parse(value, "originalStartTime"))
            .transpose()?;
        let parent = match (parent_id, &original) {
            (Some(id), Some(original)) => Some((id, original.key())),
            (None, None) => None,
            _ => return Err("recurringEventId and originalStartTime go together".into()),
        };
        let id = match fields.get("id") {
            Some(Value::String(id)) if !id.is_empty() && !id.contains('/') => id.clone(),
            Some(other) => return Err(format!("invalid event id {other}")),
            None => match (&parent, &original) {
                (Some((master, key)), Some(original)) => {
                    instance_id(master, *key, original.is_date())
                }
                _ => random_id(),
            },
        };
        if status == "cancelled" {
            return Ok(self.store_tombstone(id, parent, fields.get("originalStartTime").cloned()));
        }
        let start = EventTime::parse(
            fields.get("start").ok_or("an event needs a start")?,
            "start",
        )?;
        let end = EventTime::parse(fields.get("end").ok_or("an event needs an end")?, "end")?;
        let (start_at, end_at) = (start.instant(calendar.zone), end.instant(calendar.zone));
        if end_at <= start_at {
            return Err("The specified time range is empty.".into());
        }
        let series = match fields.get("recurrence") {
            None | Some(Value::Null) => None,
            Some(Value::Array(lines)) if lines.is_empty() => None,
            Some(Value::Array(_)) if parent.is_some() => {
                return Err("an instance cannot have a recurrence".into())
            }
            Some(Value::Array(lines)) => {
                let lines: Option<Vec<String>> = lines
                    .iter()
                    .map(|line| line.as_str().map(str::to_owned))
                    .collect();
                let lines = lines.ok_or("recurrence must be a list of strings")?;
                Some(Series::new(&lines, &start, &end, calendar.zone)?)
            }
            Some(_) => return Err("recurrence must be a list of strings".into()),
        };
        let span_end = match &series {
            Some(series) => series.span_end(),
            None => Some(end_at),
        };
        let (seq, now) = self.bump();
        let previous = self.events.get(&id).map(|previous| &previous.json);
        let created = previous
            .and_then(|json| json.get("created"))
            .cloned()
            .unwrap_or_else(|| json!(format_timestamp(now)));
        let ical_uid = fields
            .get("iCalUID")
            .or_else(|| previous.and_then(|json| json.get("iCalUID")))
            .cloned()
            .or_else(|| {
                let master = parent
                    .as_ref()
                    .and_then(|(master, _)| self.events.get(master))?;
                master.json.get("iCalUID").cloned()
            })
            .unwrap_or_else(|| {
                let base = parent
                    .as_ref()
                    .map_or(id.as_str(), |(master, _)| master.as_str());
                json!(format!("{base}@google.com"))
            });
        let eid = URL_SAFE_NO_PAD.encode(format!("{id} {}", calendar.id));
        let organizer = if calendar.id == calendar.owner_email {
            json!({"email": calendar.id, "self": true})
        } else {
            json!({"email": calendar.id, "displayName": calendar.summary, "self": true})
        };
        let defaults = [
            (
                "creator",
                json!({"email": calendar.owner_email, "self": true}),
            ),
            ("organizer", organizer),
            ("sequence", json!(0)),
            ("reminders", json!({"useDefault": true})),
            ("eventType", json!("default")),
        ];
        for (name, value) in defaults {
            fields.entry(name).or_insert(value);
        }
        let server_set = [
            ("kind", json!("calendar#event")),
            ("etag", json!(Self::etag(seq, now))),
            ("id", json!(id)),
            ("status", json!(status)),
            (
                "htmlLink",
                json!(format!("https://www.google.com/calendar/event?eid={eid}")),
            ),
            ("created", created),
            ("updated", json!(format_timestamp(now))),
            ("iCalUID", ical_uid),
        ];
        for (name, value) in server_set {
            fields.insert(name.to_owned(), value);
        }
        let json = Value::Object(fields);
        self.events.insert(
            id,
            StoredEvent {
                json: json.clone(),
                seq,
                updated: now,
                cancelled: false,
                span: Some((start_at, span_end)),
                series,
                parent,
            },
        );
        Ok(json)
    }

    /// Deletes an event: it becomes a tombstone (a master takes its exceptions along). An id
    /// of an instance that has no exception yet makes a cancelled exception.
    pub(crate) fn delete(&mut self, id: &str) -> Result<(), String> {
        if let Some(event) = self.events.get(id) {
            if event.cancelled {
                return Ok(());
            }
            let parent = event.parent.clone();
            let original = event.json.get("originalStartTime").cloned();
            let exceptions: Vec<Tombstone> = if event.series.is_some() {
                self.exceptions_of(id)
                    .filter(|exception| !exception.cancelled)
                    .filter_map(|exception| {
                        let exception_id = exception.json.get("id")?.as_str()?.to_owned();
                        let original = exception.json.get("originalStartTime").cloned();
                        Some((exception_id, exception.parent.clone(), original))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            self.store_tombstone(id.to_owned(), parent, original);
            for (exception_id, parent, original) in exceptions {
                self.store_tombstone(exception_id, parent, original);
            }
            return Ok(());
        }
        let unknown = || format!("no event {id:?}");
        let (master_id, suffix) = id.rsplit_once('_').ok_or_else(unknown)?;
        let (key, _) = key_from_suffix(suffix).ok_or_else(unknown)?;
        let occurrence = self
            .events
            .get(master_id)
            .filter(|master| !master.cancelled)
            .and_then(|master| master.series.as_ref())
            .and_then(|series| series.occurrence_at(key))
            .ok_or_else(unknown)?;
        self.store_tombstone(
            id.to_owned(),
            Some((master_id.to_owned(), key)),
            Some(occurrence.start_json),
        );
        Ok(())
    }

    /// Stores a cancelled event that keeps only what Google keeps: the id, and for an instance
    /// `recurringEventId` and `originalStartTime`.
    fn store_tombstone(
        &mut self,
        id: String,
        parent: Option<(String, i64)>,
        original: Option<Value>,
    ) -> Value {
        let (seq, now) = self.bump();
        let previous = self.events.remove(&id);
        let master_series = parent
            .as_ref()
            .and_then(|(master, _)| self.events.get(master))
            .and_then(|master| master.series.as_ref());
        let span = match (&parent, master_series) {
            (Some((_, key)), Some(series)) => series
                .occurrence_at(*key)
                .map(|occurrence| (occurrence.start, Some(occurrence.end))),
            _ => previous.as_ref().and_then(|previous| previous.span),
        };
        let mut fields = Map::new();
        fields.insert("kind".into(), json!("calendar#event"));
        fields.insert("etag".into(), json!(Self::etag(seq, now)));
        fields.insert("id".into(), json!(id));
        fields.insert("status".into(), json!("cancelled"));
        if let (Some((master, _)), Some(original)) = (&parent, original) {
            fields.insert("recurringEventId".into(), json!(master));
            fields.insert("originalStartTime".into(), original);
        }
        let json = Value::Object(fields);
        self.events.insert(
            id,
            StoredEvent {
                json: json.clone(),
                seq,
                updated: now,
                cancelled: true,
                span,
                series: previous.and_then(|previous| previous.series),
                parent,
            },
        );
        json
    }
}

/// What a tombstone keeps: id, and for an instance its master and original start.
type Tombstone = (String, Option<(String, i64)>, Option<Value>);

/// A new event id: 26 base32hex characters.
fn random_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let mut rng = rand::rng();
    (0..26)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> CalendarInfo<'static> {
        CalendarInfo {
            id: "me@example.com",
            summary: "me@example.com",
            zone: Tz::UTC,
            owner_email: "me@example.com",
        }
    }

    #[test]
    fn writes_get_server_fields_and_deletes_become_tombstones() {
        let mut store = EventStore::new();
        let stored = store
            .put(
                &calendar(),
                json!({"summary": "x", "start": {"date": "2024-01-01"}, "end": {"date": "2024-01-02"}}),
            )
            .expect("stored");
        let id = stored["id"].as_str().expect("id").to_owned();
        assert_eq!(id.len(), 26);
        assert_eq!(stored["status"], "confirmed");
        assert_eq!(stored["kind"], "calendar#event");
        assert_eq!(stored["iCalUID"], format!("{id}@google.com"));
        store.delete(&id).expect("deleted");
        let tombstone = &store.events[&id];
        assert!(tombstone.cancelled);
        assert_eq!(tombstone.json["status"], "cancelled");
        assert_eq!(tombstone.json.get("summary"), None);
        assert_eq!(store.seq, 2);
        assert!(store.delete("nope").is_err());
        assert!(store.put(&calendar(), json!("text")).is_err());
        assert!(store
            .put(
                &calendar(),
                json!({"start": {"date": "2024-01-02"}, "end": {"date": "2024-01-02"}})
            )
            .is_err());
    }

    #[test]
    fn deleting_an_instance_makes_a_cancelled_exception() {
        let mut store = EventStore::new();
        store
            .put(
                &calendar(),
                json!({"id": "series1", "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
                       "start": {"dateTime": "2024-01-01T09:00:00Z", "timeZone": "UTC"},
                       "end": {"dateTime": "2024-01-01T10:00:00Z", "timeZone": "UTC"}}),
            )
            .expect("stored");
        store.delete("series1_20240102T090000Z").expect("deleted");
        let exception = &store.events["series1_20240102T090000Z"];
        assert_eq!(exception.json["recurringEventId"], "series1");
        assert_eq!(
            exception.json["originalStartTime"],
            json!({"dateTime": "2024-01-02T09:00:00Z", "timeZone": "UTC"})
        );
        assert!(store.delete("series1_20240102T093000").is_err());
        store.delete("series1").expect("deleted");
        assert_eq!(store.exceptions_of("series1").count(), 1);
        assert!(store.events["series1"].cancelled);
    }
}
