//! The series' clock: a timed series runs on wall-clock time in its zone, an all-day series on
//! dates. Turns rule occurrences, RDATEs and EXDATEs into candidate instances.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz as Zone;

use super::lines::{parse_duration, IcalTime};
use super::zone::{add, resolve_zone, to_local, to_utc};
use super::{Candidate, Instance, Point, RecurrenceError, Series};
use crate::model::{EventTime, SyncWindow};

pub(super) enum Mode<'a> {
    Timed {
        zone: Zone,
        tz_name: Option<&'a String>,
        /// First instance start as a wall-clock time in `zone`.
        first_local: NaiveDateTime,
        first_start: DateTime<Utc>,
        first_end: DateTime<Utc>,
        /// Wall-clock duration of the first instance.
        duration: TimeDelta,
    },
    AllDay {
        first: NaiveDate,
        days: u64,
    },
}

impl<'a> Mode<'a> {
    pub(super) fn new(series: &Series<'a>) -> Result<Self, RecurrenceError> {
        match (series.start, series.end) {
            (EventTime::DateTime { utc: start, tz }, EventTime::DateTime { utc: end, .. }) => {
                let zone = match tz {
                    Some(name) => resolve_zone(name)
                        .ok_or_else(|| RecurrenceError::UnknownTimeZone(name.clone()))?,
                    None => chrono_tz::UTC,
                };
                let first_local = to_local(zone, *start);
                let duration = (to_local(zone, *end) - first_local).max(TimeDelta::zero());
                Ok(Mode::Timed {
                    zone,
                    tz_name: tz.as_ref(),
                    first_local,
                    first_start: *start,
                    first_end: (*end).max(*start),
                    duration,
                })
            }
            (EventTime::Date(start), EventTime::Date(end)) => Ok(Mode::AllDay {
                first: *start,
                days: u64::try_from((*end - *start).num_days())
                    .unwrap_or(0)
                    .max(1),
            }),
            _ => Err(RecurrenceError::InvalidSeries(
                "start and end must both be dates or both be date-times".into(),
            )),
        }
    }

    pub(super) fn is_all_day(&self) -> bool {
        matches!(self, Mode::AllDay { .. })
    }

    pub(super) fn zone(&self) -> Zone {
        match self {
            Mode::Timed { zone, .. } => *zone,
            Mode::AllDay { .. } => chrono_tz::UTC,
        }
    }

    /// DTSTART as a wall-clock time (midnight for all-day series).
    pub(super) fn first_local(&self) -> NaiveDateTime {
        match self {
            Mode::Timed { first_local, .. } => *first_local,
            Mode::AllDay { first, .. } => first.and_time(NaiveTime::MIN),
        }
    }

    /// Wall-clock range in which rule occurrences can produce instances overlapping `window`
    /// (generous: the exact test is done per instance).
    pub(super) fn candidate_bounds(&self, window: SyncWindow) -> (NaiveDateTime, NaiveDateTime) {
        let day = TimeDelta::days(1);
        match self {
            Mode::Timed { zone, duration, .. } => (
                add(to_local(*zone, window.start), -*duration - day),
                add(to_local(*zone, window.end), day),
            ),
            Mode::AllDay { days, .. } => (
                add(
                    window.start.naive_utc(),
                    -TimeDelta::days(i64::try_from(*days).unwrap_or(0)) - day * 2,
                ),
                add(window.end.naive_utc(), day * 2),
            ),
        }
    }

    pub(super) fn first(&self) -> Candidate {
        match self {
            Mode::Timed {
                first_local,
                first_start,
                first_end,
                ..
            } => self.timed(*first_local, *first_start, *first_end),
            Mode::AllDay { first, .. } => self.at_local(first.and_time(NaiveTime::MIN)),
        }
    }

    /// The instance starting at wall-clock time `local` (for all-day series: on its date).
    pub(super) fn at_local(&self, local: NaiveDateTime) -> Candidate {
        match self {
            Mode::Timed { zone, duration, .. } => {
                // From the wall-clock time the start really has (it moves out of a DST gap).
                let start = to_utc(*zone, local);
                let end = to_utc(*zone, add(to_local(*zone, start), *duration));
                self.timed(local, start, end)
            }
            Mode::AllDay { days, .. } => {
                let date = local.date();
                let end = date.checked_add_days(Days::new(*days)).unwrap_or(date);
                let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN);
                let slack = TimeDelta::days(1);
                Candidate {
                    key: midnight(date).and_utc(),
                    local: midnight(date),
                    span: (
                        add(midnight(date), -slack).and_utc(),
                        add(midnight(end), slack).and_utc(),
                    ),
                    instance: Instance {
                        original_start: EventTime::Date(date),
                        start: EventTime::Date(date),
                        end: EventTime::Date(end),
                    },
                }
            }
        }
    }

    pub(super) fn timed(
        &self,
        local: NaiveDateTime,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Candidate {
        let tz = match self {
            Mode::Timed { tz_name, .. } => tz_name.cloned(),
            Mode::AllDay { .. } => None,
        };
        let end = end.max(start);
        let at = |utc| EventTime::DateTime {
            utc,
            tz: tz.clone(),
        };
        Candidate {
            key: start,
            local,
            span: (start, end),
            instance: Instance {
                original_start: at(start),
                start: at(start),
                end: at(end),
            },
        }
    }

    /// An EXDATE/RDATE value in the series' terms.
    pub(super) fn point(
        &self,
        value: &str,
        tzid: Option<&str>,
        raw: &str,
    ) -> Result<Point, RecurrenceError> {
        let value = value.split('/').next().unwrap_or(value);
        let parsed =
            IcalTime::parse(value).ok_or_else(|| RecurrenceError::InvalidDate(raw.to_string()))?;
        Ok(match (self, parsed) {
            (_, IcalTime::Date(d)) => Point::Date(d),
            (Mode::AllDay { .. }, IcalTime::Floating(n) | IcalTime::Utc(n)) => {
                Point::Date(n.date())
            }
            (Mode::Timed { .. }, IcalTime::Utc(n)) => Point::Instant(n.and_utc()),
            (Mode::Timed { zone, .. }, IcalTime::Floating(n)) => {
                let zone = tzid.and_then(resolve_zone).unwrap_or(*zone);
                Point::Instant(to_utc(zone, n))
            }
        })
    }

    /// The instance an RDATE value adds (a PERIOD value `start/end` or `start/duration` gives
    /// a timed instance its own end).
    pub(super) fn rdate(
        &self,
        value: &str,
        tzid: Option<&str>,
        raw: &str,
    ) -> Result<Candidate, RecurrenceError> {
        let start = self.point(value, tzid, raw)?;
        match (self, start) {
            (Mode::AllDay { .. }, Point::Date(d)) => Ok(self.at_local(d.and_time(NaiveTime::MIN))),
            (Mode::AllDay { .. }, Point::Instant(i)) => Ok(self.at_local(i.naive_utc())),
            (Mode::Timed { first_local, .. }, Point::Date(d)) => {
                Ok(self.at_local(d.and_time(first_local.time())))
            }
            (Mode::Timed { zone, duration, .. }, Point::Instant(start)) => {
                let local = to_local(*zone, start);
                let end = match value.split_once('/') {
                    None => to_utc(*zone, add(local, *duration)),
                    Some((_, end)) => match parse_duration(end) {
                        Some(d) => to_utc(*zone, add(local, d)),
                        None => match self.point(end, tzid, raw)? {
                            Point::Instant(end) => end,
                            Point::Date(_) => return Err(RecurrenceError::InvalidDate(raw.into())),
                        },
                    },
                };
                Ok(self.timed(local, start, end))
            }
        }
    }
}
