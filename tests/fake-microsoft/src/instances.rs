//! The calendar view: stored events expanded into the instances Graph returns for a window
//! (single events, occurrences and exceptions, never series masters [GV][GC]). Instances are
//! light (ids, versions, times) so a round with nothing to send stays cheap; `render` turns
//! the ones sent into JSON.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::mailbox::{Calendar, StoredEvent, ZonedTime};
use crate::zones;

/// A start or end: an instant for timed events, a floating date for all-day ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moment {
    At(DateTime<Utc>),
    Date(NaiveDate),
}

/// One event of the calendar view.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub(crate) id: String,
    /// Changes whenever anything the client sees of the instance changes.
    pub(crate) version: u64,
    /// The series master's id, or the event's own id.
    pub(crate) source_id: String,
    pub(crate) sort_key: DateTime<Utc>,
    /// `singleInstance`, `occurrence` or `exception`.
    pub(crate) kind: &'static str,
    /// An occurrence's original local start in the series' zone.
    pub(crate) original: Option<NaiveDateTime>,
    pub(crate) start: Moment,
    pub(crate) end: Moment,
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
            out.push(Instance {
                id: event.id.clone(),
                version: event.changed,
                source_id: event.id.clone(),
                sort_key: instant(start, zone),
                kind: "singleInstance",
                original: None,
                start,
                end,
            });
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
        out.push(Instance {
            id,
            version,
            source_id: event.id.clone(),
            sort_key: instant(start, zone),
            kind,
            original: Some(key),
            start,
            end,
        });
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

#[cfg(test)]
mod tests {
    use super::*;

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
