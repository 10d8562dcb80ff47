//! Overrides written with RECURRENCE-ID;RANGE=THISANDFUTURE (RFC 5545 §3.2.13): such an
//! exception replaces its own instance (as every exception does) and also every later instance
//! of its series, until the next such override: each later instance moves by the exception's
//! time shift (its start less its RECURRENCE-ID), takes its duration and its properties (the
//! occurrence row points at the exception's event), and a cancelled one ends the series there.
//! A later plain exception still replaces its own instance.

use crate::model::EventTime;
use crate::recurrence::Instance;

/// One THISANDFUTURE exception of a series, as applying it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FutureOverride {
    pub(super) event_id: i64,
    /// The instance key of its RECURRENCE-ID.
    pub(super) original_key: i64,
    pub(super) start: EventTime,
    pub(super) end: EventTime,
    pub(super) cancelled: bool,
    pub(super) declined: bool,
}

/// What becomes of a generated instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fate {
    /// Untouched: the master's.
    Master(Instance),
    /// Governed by an override: its event, the moved instance.
    Override(i64, Instance, bool),
    /// A cancelled override ended the series before it.
    Dropped,
}

/// Applies the override governing `instance` (the latest one whose original start is before
/// the instance's; the override's own instance is replaced by its own row). `overrides` is
/// sorted by original start. An override whose time has another form than the instance (a
/// timed series moved to all-day from here on) moves nothing but still lends its properties.
pub(super) fn apply(instance: Instance, overrides: &[FutureOverride]) -> Fate {
    let key = instance.original_start.key();
    let governing = overrides.partition_point(|o| o.original_key < key);
    let Some(o) = governing.checked_sub(1).map(|i| &overrides[i]) else {
        return Fate::Master(instance);
    };
    if o.cancelled {
        return Fate::Dropped;
    }
    let moved = same_form(&o.start, &instance.start)
        .then(|| {
            let start = instance.start.shifted(o.start.key() - o.original_key)?;
            let start = match (&start, &o.start) {
                // Later instances are written in the override's zone.
                (EventTime::DateTime { utc, .. }, EventTime::DateTime { tz, .. }) => {
                    EventTime::DateTime {
                        utc: *utc,
                        tz: tz.clone(),
                    }
                }
                _ => start,
            };
            let end = match same_form(&o.end, &o.start) {
                true => {
                    let end = o.end.shifted(start.key() - o.start.key())?;
                    (end.key() >= start.key()).then_some(end)?
                }
                false => start.clone(),
            };
            Some(Instance {
                original_start: instance.original_start.clone(),
                start,
                end,
            })
        })
        .flatten()
        .unwrap_or(instance);
    Fate::Override(o.event_id, moved, o.declined)
}

fn same_form(a: &EventTime, b: &EventTime) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(s: &str) -> EventTime {
        EventTime::DateTime {
            utc: s.parse().unwrap(),
            tz: Some("Europe/Berlin".into()),
        }
    }

    fn instance(start: &str, end: &str) -> Instance {
        Instance {
            original_start: timed(start),
            start: timed(start),
            end: timed(end),
        }
    }

    fn from(original: &str, start: &str, end: &str, id: i64) -> FutureOverride {
        FutureOverride {
            event_id: id,
            original_key: timed(original).key(),
            start: timed(start),
            end: timed(end),
            cancelled: false,
            declined: false,
        }
    }

    #[test]
    fn later_instances_take_the_latest_overrides_shift_and_duration() {
        // From 01-12 an hour later; from 01-26 half an hour earlier and 30 minutes long.
        let overrides = [
            from(
                "2026-01-12T08:00:00Z",
                "2026-01-12T09:00:00Z",
                "2026-01-12T10:00:00Z",
                7,
            ),
            from(
                "2026-01-26T08:00:00Z",
                "2026-01-26T07:30:00Z",
                "2026-01-26T08:00:00Z",
                8,
            ),
        ];
        let before = instance("2026-01-05T08:00:00Z", "2026-01-05T09:00:00Z");
        assert_eq!(apply(before.clone(), &overrides), Fate::Master(before));
        let Fate::Override(7, moved, false) = apply(
            instance("2026-01-19T08:00:00Z", "2026-01-19T09:00:00Z"),
            &overrides,
        ) else {
            panic!("not governed by the first override")
        };
        assert_eq!(moved.start, timed("2026-01-19T09:00:00Z"));
        assert_eq!(moved.end, timed("2026-01-19T10:00:00Z"));
        assert_eq!(moved.original_start, timed("2026-01-19T08:00:00Z"));
        let Fate::Override(8, moved, _) = apply(
            instance("2026-02-02T08:00:00Z", "2026-02-02T09:00:00Z"),
            &overrides,
        ) else {
            panic!("not governed by the second override")
        };
        assert_eq!(moved.start, timed("2026-02-02T07:30:00Z"));
        assert_eq!(moved.end, timed("2026-02-02T08:00:00Z"));
    }

    #[test]
    fn a_cancelled_override_ends_the_series() {
        let mut end = from(
            "2026-01-12T08:00:00Z",
            "2026-01-12T08:00:00Z",
            "2026-01-12T09:00:00Z",
            7,
        );
        end.cancelled = true;
        let later = instance("2026-01-19T08:00:00Z", "2026-01-19T09:00:00Z");
        assert_eq!(apply(later, &[end]), Fate::Dropped);
    }
}
