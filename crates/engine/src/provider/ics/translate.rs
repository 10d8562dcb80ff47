//! A parsed feed turned into the engine's model: one `ReplaceResource` per UID (the master and
//! its overrides), the feed's VTIMEZONEs as zone definitions for its calendar, and times read
//! by the time model's rule (IANA, Windows and VTIMEZONE TZIDs; floating times in the feed's
//! X-WR-TIMEZONE when it names a zone, else kept floating).
//!
//! Ids are stable across refreshes, since feeds reorder events and rewrite DTSTAMP on every
//! fetch: a master's id is its UID, an override's is UID + "@" + the instant of its
//! RECURRENCE-ID (so the same instance written in another zone keeps its id). A resource's
//! etag is a hash of its translated events, which carry no DTSTAMP.

use chrono::{NaiveDate, TimeDelta};
use sha2::{Digest, Sha256};

use crate::ical::{ParsedDateOrPeriod, ParsedEvent, ParsedFeed, ParsedResource, ParsedTime};
use crate::model::{
    Attendee, EventDetails, EventStatus, EventTime, RemoteChange, RemoteEvent, Response, SeriesRef,
};
use crate::provider::fields::{capped, MAX_TITLE};
use crate::provider::people;
use crate::zones::{Observance, VTimezoneRules, ZoneDefinitions};

/// What one feed body means for its calendar.
#[derive(Debug, Clone, Default)]
pub struct TranslatedFeed {
    pub changes: Vec<RemoteChange>,
    pub zones: ZoneDefinitions,
}

/// Translates a published feed, which does not know who reads it.
pub fn translate(feed: &ParsedFeed) -> TranslatedFeed {
    translate_as(feed, None)
}

/// Translates a parsed feed read by the account whose address is `own`, when known (a CalDAV
/// user name that is one): the attendee with it is the user.
pub fn translate_as(feed: &ParsedFeed, own: Option<&str>) -> TranslatedFeed {
    let mut zones = ZoneDefinitions::default();
    for zone in &feed.timezones {
        let observances = zone
            .observances
            .iter()
            .map(|o| Observance {
                start: o.dtstart,
                offset_from: o.offset_from,
                offset_to: o.offset_to,
                rrule: o.rrule.clone(),
                rdates: o.rdates.clone(),
            })
            .collect();
        zones.define(zone.tzid.clone(), VTimezoneRules { observances });
    }
    let wr_timezone = feed.wr_timezone.as_deref();
    let reader = TimeReader {
        zones: &zones,
        wr_timezone,
        // Resolved once, not for every UTC time of the feed.
        utc_zone: wr_timezone.filter(|wr| crate::zones::resolve(wr, &zones).is_some()),
        own,
    };
    let resources = &feed.resources;
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let changes = if resources.len() >= PARALLEL_RESOURCES && two_cores {
        // Two halves on two threads, joined in order: the same changes as one pass.
        let half = resources.len() / 2;
        let (mut changes, later) = std::thread::scope(|scope| {
            let later = scope.spawn(|| reader.resources(&resources[half..], half));
            (reader.resources(&resources[..half], 0), later.join())
        });
        // A translation that panics does so on this thread too.
        changes.extend(later.unwrap_or_else(|_| reader.resources(&resources[half..], half)));
        changes
    } else {
        reader.resources(resources, 0)
    };
    TranslatedFeed { changes, zones }
}

/// Feeds of at least this many resources are translated on two threads: a large feed takes
/// about half the time, a small one is not worth a thread.
const PARALLEL_RESOURCES: usize = 2_000;

/// Reads the times of one feed.
struct TimeReader<'a> {
    zones: &'a ZoneDefinitions,
    wr_timezone: Option<&'a str>,
    /// X-WR-TIMEZONE when it names a zone: the zone UTC times are expressed in.
    utc_zone: Option<&'a str>,
    /// The account's address, if known.
    own: Option<&'a str>,
}

impl TimeReader<'_> {
    /// One `ReplaceResource` per resource; `first` is the position of the first in the feed.
    fn resources(&self, resources: &[ParsedResource], first: usize) -> Vec<RemoteChange> {
        let mut changes = Vec::with_capacity(resources.len());
        for (index, resource) in resources.iter().enumerate() {
            // An event without a UID is its own resource; its position is all that names it.
            let resource_id = if resource.uid.is_empty() {
                format!("no-uid-{}", first + index)
            } else {
                resource.uid.clone()
            };
            let events = self.resource(&resource_id, resource);
            changes.push(RemoteChange::ReplaceResource {
                resource_id,
                events,
            });
        }
        changes
    }

    /// The events of one resource, each with the resource's etag. A cancelled master cancels
    /// the whole series, so the resource then holds nothing.
    fn resource(&self, id: &str, resource: &ParsedResource) -> Vec<RemoteEvent> {
        let mut events = Vec::with_capacity(1 + resource.overrides.len());
        // The instants the master excludes, in the form override ids use.
        let mut excluded = Vec::new();
        if let Some(master) = &resource.master {
            if is_cancelled(master) {
                return vec![];
            }
            events.push(self.event(id, master));
            excluded.extend(master.exdates.iter().map(|t| instant_id(&self.time(t))));
        }
        for parsed in &resource.overrides {
            let Some(rid) = &parsed.recurrence_id else {
                continue;
            };
            let original = self.original_start(resource.master.as_ref(), &rid.time);
            if excluded.contains(&instant_id(&original)) {
                // The instance was deleted after it was changed (RFC 5545 §3.8.5.1: EXDATE
                // takes it out of the recurrence set); clients leave such overrides behind.
                continue;
            }
            let mut event = self.event(&format!("{id}@{}", instant_id(&original)), parsed);
            // An override is one instance (RFC 5545 §3.8.4.4): the RRULE that Outlook and
            // Thunderbird copy into it from the master would make it a second series.
            event.recurrence.clear();
            if resource.master.is_some() {
                event.series = Some(SeriesRef {
                    master_external_id: id.to_owned(),
                    original_start: original,
                    this_and_future: rid.this_and_future,
                });
            } else if is_cancelled(parsed) {
                // The cancelled instance of a series the feed does not carry: nothing to show.
                continue;
            }
            // An override whose master is missing is shown as the single event it describes.
            events.push(event);
        }
        let etag = content_etag(&events);
        for event in &mut events {
            event.etag = Some(etag.clone());
        }
        events
    }

    fn event(&self, id: &str, parsed: &ParsedEvent) -> RemoteEvent {
        let start = self.time(&parsed.start);
        let end = match (&parsed.end, parsed.duration) {
            (Some(end), _) => self.time(end),
            (None, Some(duration)) => shifted(&start, duration),
            // RFC 5545 §3.6.1: one day for a date, zero length for a date-time.
            (None, None) => match &start {
                EventTime::Date(_) => shifted(&start, TimeDelta::days(1)),
                _ => start.clone(),
            },
        };
        let end = end_after(&start, end);
        let texts = [
            parsed.location.as_deref(),
            parsed.description.as_deref(),
            parsed.url.as_deref(),
        ];
        let meeting_url = crate::meeting_link::find_meeting_url(
            parsed
                .meeting_properties
                .iter()
                .map(|(_, value)| value.as_str())
                .chain(texts.into_iter().flatten()),
        );
        RemoteEvent {
            external_id: id.to_owned(),
            title: parsed
                .summary
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| capped(s.to_owned(), MAX_TITLE))
                .unwrap_or_else(|| "(No title)".to_owned()),
            description: parsed.description.clone(),
            location: parsed.location.clone(),
            start,
            end,
            recurrence: self.recurrence(parsed),
            series: None,
            status: match parsed.status.as_deref() {
                Some("CANCELLED") => EventStatus::Cancelled,
                Some("TENTATIVE") => EventStatus::Tentative,
                _ => EventStatus::Confirmed,
            },
            // A published feed does not say who is reading it: there is no own answer.
            my_response: None,
            meeting_url,
            etag: None,
            updated: parsed.last_modified,
            details: self.details(parsed),
        }
    }

    /// The UID, organizer, attendees, URL and alarms of a VEVENT. An override without
    /// attendees or alarms of its own leaves them empty here; the store shows the master's.
    fn details(&self, parsed: &ParsedEvent) -> EventDetails {
        let mut attendees = people::Attendees::default();
        for a in &parsed.attendees {
            let email = people::email(Some(&a.address));
            attendees.push(Attendee {
                is_self: people::is_own(email.as_deref(), self.own),
                name: a.name.clone(),
                email,
                response: partstat(a.partstat.as_deref()).map(|r| r.as_str().to_owned()),
                optional: a.role.as_deref() == Some("OPT-PARTICIPANT"),
            });
        }
        let (attendees, attendees_omitted) = attendees.finish();
        EventDetails {
            ical_uid: people::uid(Some(&parsed.uid)),
            organizer: parsed
                .organizer
                .as_ref()
                .and_then(|o| people::person(o.name.as_deref(), Some(&o.address))),
            attendees,
            attendees_omitted,
            web_link: people::http_url(parsed.url.as_deref()),
            // iCalendar cannot say "no reminders": without a usable alarm it says nothing, and
            // an alarm at a fixed time is not a lead time, so the app's own apply.
            reminder_minutes: (!parsed.alarm_minutes.is_empty())
                .then(|| people::reminder_minutes(parsed.alarm_minutes.iter().copied())),
        }
    }

    /// A parsed time in the model, by the time model's rule ([`crate::zones::event_time`]).
    /// X-WR-TIMEZONE, when it names a zone, is the zone of the feed's floating times, and UTC
    /// times are expressed in it (the same instant), so a UTC series keeps its local wall time
    /// across DST as the feed's author meant (PROVIDERS-more.md C).
    fn time(&self, time: &ParsedTime) -> EventTime {
        match time {
            ParsedTime::Date(date) => EventTime::Date(*date),
            ParsedTime::Utc(utc) => EventTime::DateTime {
                utc: *utc,
                tz: self.utc_zone.map(str::to_owned),
            },
            ParsedTime::Local { naive, tzid } => {
                match crate::zones::event_time(*naive, tzid.as_deref(), self.zones) {
                    EventTime::Floating(_) if self.wr_timezone.is_some() => {
                        crate::zones::event_time(*naive, self.wr_timezone, self.zones)
                    }
                    time => time,
                }
            }
        }
    }

    /// The instance an override's RECURRENCE-ID names. It has DTSTART's value type (RFC 5545
    /// §3.8.4.4), but Outlook writes a midnight DATE-TIME in its own zone for an instance of an
    /// all-day series (`RECURRENCE-ID;TZID=GMT Standard Time:20200416T000000`): that names the
    /// written date, whatever instant the zone makes of it.
    fn original_start(&self, master: Option<&ParsedEvent>, rid: &ParsedTime) -> EventTime {
        let all_day = master.is_some_and(|m| matches!(m.start, ParsedTime::Date(_)));
        match rid {
            ParsedTime::Local { naive, .. } if all_day => EventTime::Date(naive.date()),
            ParsedTime::Utc(utc) if all_day => EventTime::Date(utc.date_naive()),
            _ => self.time(rid),
        }
    }

    /// The master's recurrence as RFC 5545 lines, the form every provider stores.
    fn recurrence(&self, parsed: &ParsedEvent) -> Vec<String> {
        let mut lines = Vec::new();
        lines.extend(parsed.rrules.iter().map(|r| rule_line("RRULE", r)));
        lines.extend(parsed.exrules.iter().map(|r| rule_line("EXRULE", r)));
        for rdate in &parsed.rdates {
            lines.push(match rdate {
                ParsedDateOrPeriod::Time(time) => date_line("RDATE", time, ""),
                ParsedDateOrPeriod::Period { start, end } => {
                    let end = match end {
                        ParsedTime::Date(d) => d.format("%Y%m%d").to_string(),
                        ParsedTime::Utc(u) => u.format("%Y%m%dT%H%M%SZ").to_string(),
                        ParsedTime::Local { naive, .. } => {
                            naive.format("%Y%m%dT%H%M%S").to_string()
                        }
                    };
                    date_line("RDATE", start, &format!("/{end}"))
                }
                ParsedDateOrPeriod::PeriodFor { start, duration } => date_line(
                    "RDATE",
                    start,
                    &format!("/PT{}S", duration.num_seconds().max(0)),
                ),
            });
        }
        lines.extend(parsed.exdates.iter().map(|t| date_line("EXDATE", t, "")));
        lines
    }
}

/// `RRULE:…` from a rule value (written with or without its name).
fn rule_line(name: &str, rule: &str) -> String {
    let value = rule
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(rule);
    format!("{name}:{value}")
}

/// An RDATE/EXDATE line of one value, with its form's parameters; `suffix` ends a PERIOD.
fn date_line(name: &str, time: &ParsedTime, suffix: &str) -> String {
    let period = if suffix.is_empty() {
        ""
    } else {
        ";VALUE=PERIOD"
    };
    match time {
        ParsedTime::Date(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
        ParsedTime::Utc(u) => format!("{name}{period}:{}{suffix}", u.format("%Y%m%dT%H%M%SZ")),
        ParsedTime::Local { naive, tzid } => {
            let tzid = tzid
                .as_deref()
                .map(|z| format!(";TZID={z}"))
                .unwrap_or_default();
            format!(
                "{name}{period}{tzid}:{}{suffix}",
                naive.format("%Y%m%dT%H%M%S")
            )
        }
    }
}

/// An end every view can show after `start`, in `start`'s form. RFC 5545 §3.8.2.2 wants
/// DTEND later than DTSTART and of the same value type; broken feeds send an end before the
/// start or a DATE-TIME end on an all-day event. An all-day event then ends on the end's date,
/// or lasts its one day (§3.6.1) when that date is before its start (an end equal to the start
/// is kept: the reference and the views show such an event on its day); a timed one that would
/// end before it starts has no length, as if it had no DTEND (§3.6.1).
fn end_after(start: &EventTime, end: EventTime) -> EventTime {
    let next_day = |day: NaiveDate| day.succ_opt().unwrap_or(day);
    match (start, &end) {
        (EventTime::Date(first), _) => {
            let last = match &end {
                EventTime::Date(d) => *d,
                EventTime::DateTime { utc, .. } => utc.date_naive(),
                EventTime::Floating(wall) => wall.date(),
            };
            EventTime::Date(if last >= *first {
                last
            } else {
                next_day(*first)
            })
        }
        (EventTime::DateTime { utc: s, .. }, EventTime::DateTime { utc: e, .. }) if e < s => {
            start.clone()
        }
        (EventTime::Floating(s), EventTime::Floating(e)) if e < s => start.clone(),
        _ => end,
    }
}

/// An attendee's `PARTSTAT` as an answer (RFC 5545 §3.2.12); `DELEGATED` and unknown values
/// are no answer.
fn partstat(value: Option<&str>) -> Option<Response> {
    match value? {
        "ACCEPTED" => Some(Response::Accepted),
        "DECLINED" => Some(Response::Declined),
        "TENTATIVE" => Some(Response::Tentative),
        "NEEDS-ACTION" => Some(Response::NeedsAction),
        _ => None,
    }
}

/// A time moved by a duration, in its own form.
fn shifted(time: &EventTime, by: TimeDelta) -> EventTime {
    time.shifted(by.num_seconds())
        .unwrap_or_else(|| time.clone())
}

/// How a RECURRENCE-ID appears in an override's id: the UTC instant, the date, or the
/// wall-clock time of a floating one.
fn instant_id(time: &EventTime) -> String {
    match time {
        EventTime::DateTime { utc, .. } => utc.format("%Y%m%dT%H%M%SZ").to_string(),
        EventTime::Date(d) => d.format("%Y%m%d").to_string(),
        EventTime::Floating(wall) => wall.format("%Y%m%dT%H%M%S").to_string(),
    }
}

fn is_cancelled(event: &ParsedEvent) -> bool {
    event.status.as_deref() == Some("CANCELLED")
}

/// The etag of a resource: a hash of what the engine keeps of it (so DTSTAMP, never kept,
/// cannot change it).
fn content_etag(events: &[RemoteEvent]) -> String {
    let mut hasher = HashWriter(Sha256::new());
    for event in events {
        // Serializing the model cannot fail (no maps with non-string keys, no foreign types),
        // and goes straight into the hash rather than through a buffer per event.
        let _ = serde_json::to_writer(&mut hasher, event);
        hasher.0.update(b"\n");
    }
    let hasher = hasher.0;
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds what is written to it into the hash.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "translate_tests.rs"]
mod tests;
