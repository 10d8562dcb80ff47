//! The signed-in user's mailbox: the profile, calendars and the stored events (singles and
//! series with exceptions and deleted occurrences), with a change counter the delta rounds
//! compare against.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{json, Map, Value};

use crate::recurrence::Recurrence;
use crate::render;
use crate::zones;

/// The id of the calendar every mailbox starts with (has `=`, so clients must encode it).
pub const DEFAULT_CALENDAR_ID: &str = "AAMkADefaultCalendar-Q_Q=";

/// The profile `/me` reports.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) display_name: String,
    pub(crate) user_principal_name: String,
    pub(crate) mail: Option<String>,
}

pub(crate) struct Calendar {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) color: String,
    pub(crate) hex_color: String,
    pub(crate) can_edit: bool,
    pub(crate) is_default: bool,
    /// `None` for the user's own calendars; `(name, address)` for one shared with them.
    pub(crate) owner: Option<(String, String)>,
    pub(crate) events: BTreeMap<String, StoredEvent>,
    /// Deleted event ids with the change number of the deletion.
    pub(crate) tombstones: Vec<(String, u64)>,
}

/// A local time in a named zone, as Graph's `dateTimeTimeZone`.
#[derive(Debug, Clone)]
pub(crate) struct ZonedTime {
    pub(crate) local: NaiveDateTime,
    pub(crate) zone_name: String,
    pub(crate) zone: Tz,
}

impl ZonedTime {
    fn parse(value: &Value, field: &str) -> Result<ZonedTime, String> {
        let local = value["dateTime"]
            .as_str()
            .and_then(zones::parse_local)
            .ok_or_else(|| format!("{field}.dateTime is missing or not a local date-time"))?;
        let zone_name = value["timeZone"].as_str().unwrap_or("UTC").to_owned();
        let zone = zones::resolve(&zone_name)
            .ok_or_else(|| format!("{field}.timeZone {zone_name:?} is not a known zone"))?;
        Ok(ZonedTime {
            local,
            zone_name,
            zone,
        })
    }

    pub(crate) fn utc(&self) -> DateTime<Utc> {
        zones::to_utc(self.local, self.zone)
    }
}

/// A single event or a series master.
pub(crate) struct StoredEvent {
    pub(crate) id: String,
    pub(crate) start: ZonedTime,
    pub(crate) end: ZonedTime,
    pub(crate) all_day: bool,
    pub(crate) recurrence: Option<Recurrence>,
    /// Changed occurrences by their original local start (in the series' start zone).
    pub(crate) exceptions: BTreeMap<NaiveDateTime, Exception>,
    /// Deleted occurrences by their original local start.
    pub(crate) deleted: BTreeSet<NaiveDateTime>,
    /// Every other property (subject, body, showAs, ...) as given, over Graph's defaults.
    pub(crate) base: Map<String, Value>,
    pub(crate) ical_uid: String,
    pub(crate) created: DateTime<Utc>,
    pub(crate) changed: u64,
    pub(crate) last_modified: DateTime<Utc>,
}

/// A changed occurrence: its own properties over the master's.
pub(crate) struct Exception {
    pub(crate) start: Option<ZonedTime>,
    pub(crate) end: Option<ZonedTime>,
    pub(crate) fields: Map<String, Value>,
    pub(crate) changed: u64,
    pub(crate) last_modified: DateTime<Utc>,
}

pub(crate) struct Mailbox {
    pub(crate) profile: Profile,
    pub(crate) calendars: Vec<Calendar>,
    /// The zone all-day dates are read in when a window is matched (the mailbox setting).
    pub(crate) zone: Tz,
    /// Counts every change; delta states remember the value they were made at.
    pub(crate) change: u64,
}

/// The properties read by the fake itself rather than passed through.
const MANAGED: &[&str] = &[
    "id",
    "start",
    "end",
    "isAllDay",
    "recurrence",
    "type",
    "seriesMasterId",
    "iCalUId",
    "@odata.etag",
    "changeKey",
    "lastModifiedDateTime",
    "createdDateTime",
];

impl Mailbox {
    pub(crate) fn new() -> Self {
        Mailbox {
            profile: Profile {
                display_name: "Megan Bowen".into(),
                user_principal_name: "megan@contoso.example".into(),
                mail: Some("megan@contoso.example".into()),
            },
            calendars: vec![Calendar::new(DEFAULT_CALENDAR_ID, "Calendar", true)],
            zone: chrono_tz::UTC,
            change: 0,
        }
    }

    pub(crate) fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars.iter().find(|c| c.id == id)
    }

    fn calendar_mut(&mut self, id: &str) -> Result<&mut Calendar, String> {
        self.calendars
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| format!("no calendar {id:?}"))
    }

    /// Adds a calendar (or renames an existing one); returns its id.
    pub(crate) fn add_calendar(&mut self, spec: &Value) -> Result<String, String> {
        let name = spec["name"].as_str().ok_or("a calendar needs a name")?;
        let id = spec["id"]
            .as_str()
            .map_or_else(|| format!("AAMkAD{}=", random_text(40)), str::to_owned);
        if self.calendar(&id).is_none() {
            self.calendars.push(Calendar::new(&id, name, false));
        }
        let calendar = self.calendar_mut(&id)?;
        calendar.name = name.to_owned();
        if let Some(color) = spec["color"].as_str() {
            calendar.color = color.to_owned();
        }
        if let Some(hex) = spec["hexColor"].as_str() {
            calendar.hex_color = hex.to_owned();
        }
        if let Some(can_edit) = spec["canEdit"].as_bool() {
            calendar.can_edit = can_edit;
        }
        if let (Some(name), Some(address)) = (
            spec["owner"]["name"].as_str(),
            spec["owner"]["address"].as_str(),
        ) {
            calendar.owner = Some((name.to_owned(), address.to_owned()));
        }
        Ok(id)
    }

    pub(crate) fn remove_calendar(&mut self, id: &str) -> Result<(), String> {
        let before = self.calendars.len();
        self.calendars.retain(|c| c.id != id);
        if self.calendars.len() == before {
            return Err(format!("no calendar {id:?}"));
        }
        self.change += 1;
        Ok(())
    }

    /// Creates or replaces an event from Graph's create-event JSON and returns its id.
    pub(crate) fn put_event(&mut self, calendar_id: &str, spec: &Value) -> Result<String, String> {
        let start = ZonedTime::parse(&spec["start"], "start")?;
        let end = ZonedTime::parse(&spec["end"], "end")?;
        let all_day = spec["isAllDay"].as_bool().unwrap_or(false);
        if all_day && (start.local.time() != midnight() || end.local.time() != midnight()) {
            // Graph refuses all-day events that do not run midnight to midnight. [GR]
            return Err("an all-day event must start and end at midnight".into());
        }
        if end.utc() < start.utc() || (all_day && end.local <= start.local) {
            return Err("the end is before the start".into());
        }
        let recurrence = match spec.get("recurrence").filter(|v| !v.is_null()) {
            Some(value) => Some(Recurrence::parse(value)?),
            None => None,
        };
        let fields: Map<String, Value> = spec
            .as_object()
            .map(|object| {
                object
                    .iter()
                    .filter(|(key, _)| !MANAGED.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        self.change += 1;
        let change = self.change;
        let now = Utc::now();
        let calendar = self.calendar_mut(calendar_id)?;
        let id = spec["id"]
            .as_str()
            .map_or_else(|| format!("AAMkAGI2{}=", random_id(48)), str::to_owned);
        let kept = calendar.events.remove(&id);
        let event = StoredEvent {
            id: id.clone(),
            start,
            end,
            all_day,
            recurrence,
            exceptions: BTreeMap::new(),
            deleted: BTreeSet::new(),
            base: render::base_fields(fields),
            // Graph sets iCalUId itself; a seed may name one, as an invitation that arrived
            // from another calendar system carries its organizer's UID, so a test can put the
            // same meeting in two accounts.
            ical_uid: match spec["iCalUId"].as_str().filter(|uid| !uid.is_empty()) {
                Some(uid) => uid.to_owned(),
                None => kept.as_ref().map_or_else(
                    || format!("040000008200E00074C5B7101A82E008{}", random_hex(32)),
                    |old| old.ical_uid.clone(),
                ),
            },
            created: kept.as_ref().map_or(now, |old| old.created),
            changed: change,
            last_modified: now,
        };
        calendar.events.insert(id.clone(), event);
        Ok(id)
    }

    /// Deletes an event (a master takes its occurrences along).
    pub(crate) fn delete_event(&mut self, calendar_id: &str, event_id: &str) -> Result<(), String> {
        self.change += 1;
        let change = self.change;
        let calendar = self.calendar_mut(calendar_id)?;
        calendar
            .events
            .remove(event_id)
            .ok_or_else(|| format!("no event {event_id:?}"))?;
        calendar.tombstones.push((event_id.to_owned(), change));
        Ok(())
    }

    /// Changes one occurrence of a series: `patch` holds the properties that differ
    /// (`subject`, `start`, `end`, `isCancelled`, ...). `original_start` is the occurrence's
    /// local start in the series' start zone.
    pub(crate) fn put_exception(
        &mut self,
        calendar_id: &str,
        master_id: &str,
        original_start: &str,
        patch: &Value,
    ) -> Result<(), String> {
        let key = zones::parse_local(original_start).ok_or("originalStart is not a local time")?;
        let start = match patch.get("start") {
            Some(value) => Some(ZonedTime::parse(value, "start")?),
            None => None,
        };
        let end = match patch.get("end") {
            Some(value) => Some(ZonedTime::parse(value, "end")?),
            None => None,
        };
        let fields = patch
            .as_object()
            .map(|object| {
                object
                    .iter()
                    .filter(|(key, _)| !MANAGED.contains(&key.as_str()))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        self.change += 1;
        let change = self.change;
        let master = self.series_mut(calendar_id, master_id, key)?;
        master.exceptions.insert(
            key,
            Exception {
                start,
                end,
                fields,
                changed: change,
                last_modified: Utc::now(),
            },
        );
        Ok(())
    }

    /// Deletes one occurrence of a series: it leaves the calendar view.
    pub(crate) fn delete_occurrence(
        &mut self,
        calendar_id: &str,
        master_id: &str,
        original_start: &str,
    ) -> Result<(), String> {
        let key = zones::parse_local(original_start).ok_or("originalStart is not a local time")?;
        self.change += 1;
        let master = self.series_mut(calendar_id, master_id, key)?;
        master.exceptions.remove(&key);
        master.deleted.insert(key);
        Ok(())
    }

    fn series_mut(
        &mut self,
        calendar_id: &str,
        master_id: &str,
        key: NaiveDateTime,
    ) -> Result<&mut StoredEvent, String> {
        let master = self
            .calendar_mut(calendar_id)?
            .events
            .get_mut(master_id)
            .ok_or_else(|| format!("no event {master_id:?}"))?;
        let recurrence = master
            .recurrence
            .as_ref()
            .ok_or_else(|| format!("{master_id:?} is not a series"))?;
        let dates = recurrence.dates(master.start.local.date(), key.date());
        if key.time() != master.start.local.time() || !dates.contains(&key.date()) {
            return Err(format!("the series has no occurrence at {key}"));
        }
        Ok(master)
    }
}

impl Calendar {
    fn new(id: &str, name: &str, is_default: bool) -> Self {
        Calendar {
            id: id.to_owned(),
            name: name.to_owned(),
            color: "auto".into(),
            // Empty when the user never chose a colour. [GK]
            hex_color: String::new(),
            can_edit: true,
            is_default,
            owner: None,
            events: BTreeMap::new(),
            tombstones: Vec::new(),
        }
    }

    /// The calendar as `/me/calendars` lists it. [GK]
    pub(crate) fn to_json(&self, profile: &Profile) -> Value {
        let (owner_name, owner_address) = self.owner.clone().unwrap_or_else(|| {
            (
                profile.display_name.clone(),
                profile
                    .mail
                    .clone()
                    .unwrap_or_else(|| profile.user_principal_name.clone()),
            )
        });
        let own = self.owner.is_none();
        json!({
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "hexColor": self.hex_color,
            "isDefaultCalendar": self.is_default,
            "changeKey": format!("fJKVL07sbkmIfHqjbDnRgQAA{}", self.events.len()),
            "canShare": own,
            "canViewPrivateItems": own,
            "canEdit": self.can_edit,
            "isRemovable": !self.is_default,
            "isTallyingResponses": own,
            "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "owner": {"name": owner_name, "address": owner_address},
        })
    }
}

fn midnight() -> chrono::NaiveTime {
    chrono::NaiveTime::MIN
}

fn random_text(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// An opaque id with the characters Graph ids carry (`-`, `_`). [GR]
fn random_id(len: usize) -> String {
    random_text(len)
        .chars()
        .enumerate()
        .map(|(n, c)| match n % 17 {
            5 => '-',
            11 => '_',
            _ => c,
        })
        .collect()
}

fn random_hex(len: usize) -> String {
    (0..len)
        .map(|_| char::from(b"0123456789ABCDEF"[usize::from(rand::random::<u8>() % 16)]))
        .collect()
}
