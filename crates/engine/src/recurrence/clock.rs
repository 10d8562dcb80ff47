//! The series' clock: a timed series runs on wall-clock time in its zone, an all-day series on
//! dates. Turns rule occurrences, RDATEs and EXDATEs into candidate instances.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::lines::{parse_duration, IcalTime};
use super::zone::{add, to_local, to_utc};
use super::{Candidate, Instance, Point, RecurrenceError, Series};
use crate::model::{EventTime, SyncWindow};
use crate::zones::{self, Zone, ZoneDefinitions};

pub(super) enum Mode<'a> {
    Timed {
        zone: Zone,
        tz_name: Option<&'a String>,
        /// The zone DTEND is written in, kept on every instance's end.
        end_tz_name: Option<&'a String>,
        /// The calendar's VTIMEZONEs, for the TZIDs of RDATE/EXDATE values.
        zones: &'a ZoneDefinitions,
        /// First instance start as a wall-clock time in `zone`.
        first_local: NaiveDateTime,
        first_start: DateTime<Utc>,
        first_end: DateTime<Utc>,
        /// Wall-clock duration of the first instance in `zone`: an instance ends at the same
        /// wall-clock time as the first one did (as Google shows a series).
        duration: TimeDelta,
        /// With DTEND in another zone than DTSTART, the exact duration of the first instance,
        /// which every instance keeps (RFC 5545 §3.8.5.3): a wall-clock duration would mix two
        /// zones' clocks.
        exact: Option<TimeDelta>,
        /// A floating series: wall-clock times in no zone (expanded on a UTC clock, which has
        /// no DST), whose instances are floating too.
        floating: bool,
    },
    AllDay {
        first: NaiveDate,
        days: u64,
    },
}

impl<'a> Mode<'a> {
    pub(super) fn new(series: &Series<'a>) -> Result<Self, RecurrenceError> {
        match (series.start, series.end) {
            (
                EventTime::DateTime { utc: start, tz },
                EventTime::DateTime {
                    utc: end,
                    tz: end_tz,
                },
            ) => {
                let zone = match tz {
                    Some(name) => zones::resolve(name, series.zones)
                        .ok_or_else(|| RecurrenceError::UnknownTimeZone(name.clone()))?,
                    None => Zone::UTC,
                };
                let first_local = to_local(&zone, *start);
                let duration = (to_local(&zone, *end) - first_local).max(TimeDelta::zero());
                let end_tz_name = end_tz.as_ref().or(tz.as_ref());
                let exact =
                    (end_tz_name != tz.as_ref()).then(|| (*end - *start).max(TimeDelta::zero()));
                Ok(Mode::Timed {
                    zone,
                    tz_name: tz.as_ref(),
                    end_tz_name,
                    zones: series.zones,
                    exact,
                    floating: false,
                    first_local,
                    first_start: *start,
                    first_end: (*end).max(*start),
                    duration,
                })
            }
            (EventTime::Floating(start), EventTime::Floating(end)) => Ok(Mode::Timed {
                zone: Zone::UTC,
                tz_name: None,
                end_tz_name: None,
                zones: series.zones,
                first_local: *start,
                first_start: start.and_utc(),
                first_end: end.and_utc().max(start.and_utc()),
                duration: (*end - *start).max(TimeDelta::zero()),
                exact: None,
                floating: true,
            }),
            (EventTime::Date(start), EventTime::Date(end)) => Ok(Mode::AllDay {
                first: *start,
                days: u64::try_from((*end - *start).num_days())
                    .unwrap_or(0)
                    .max(1),
            }),
            _ => Err(RecurrenceError::InvalidSeries(
                "start and end must both be dates, both floating or both zoned date-times".into(),
            )),
        }
    }

    pub(super) fn is_all_day(&self) -> bool {
        matches!(self, Mode::AllDay { .. })
    }

    pub(super) fn zone(&self) -> &Zone {
        match self {
            Mode::Timed { zone, .. } => zone,
            Mode::AllDay { .. } => &Zone::UTC,
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
            Mode::Timed {
                zone,
                duration,
                exact,
                ..
            } => (
                add(
                    to_local(zone, window.start),
                    -(*duration).max(exact.unwrap_or_default()) - day,
                ),
                add(to_local(zone, window.end), day),
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
            Mode::Timed { zone, .. } => {
                let start = to_utc(zone, local);
                self.timed(local, start, self.end_after(start))
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

    /// The end of a timed instance starting at `start`: the master's exact duration later when
    /// DTEND has its own zone, else at the master's wall-clock duration after the wall-clock
    /// time the start really has (it moves out of a DST gap).
    fn end_after(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Mode::Timed {
                exact: Some(exact), ..
            } => start.checked_add_signed(*exact).unwrap_or(start),
            Mode::Timed { zone, duration, .. } => {
                to_utc(zone, add(to_local(zone, start), *duration))
            }
            Mode::AllDay { .. } => start,
        }
    }

    pub(super) fn timed(
        &self,
        local: NaiveDateTime,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Candidate {
        let (tz, end_tz, floating) = match self {
            Mode::Timed {
                tz_name,
                end_tz_name,
                floating,
                ..
            } => (tz_name.cloned(), end_tz_name.cloned(), *floating),
            Mode::AllDay { .. } => (None, None, false),
        };
        let end = end.max(start);
        if floating {
            // Keyed by wall-clock time read as UTC; the viewer's zone moves the real instant
            // by at most a day, so the window test gets a day of slack, as all-day ones do.
            let at = |utc: DateTime<Utc>| EventTime::Floating(utc.naive_utc());
            let slack = TimeDelta::days(1);
            return Candidate {
                key: start,
                local,
                span: (
                    start.checked_sub_signed(slack).unwrap_or(start),
                    end.checked_add_signed(slack).unwrap_or(end),
                ),
                instance: Instance {
                    original_start: at(start),
                    start: at(start),
                    end: at(end),
                },
            };
        }
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
                end: EventTime::DateTime {
                    utc: end,
                    tz: end_tz,
                },
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
            (Mode::Timed { zone, zones, .. }, IcalTime::Floating(n)) => {
                match tzid.and_then(|tzid| zones::resolve(tzid, zones)) {
                    Some(own) => Point::Instant(to_utc(&own, n)),
                    None => Point::Instant(to_utc(zone, n)),
                }
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
            (Mode::Timed { zone, .. }, Point::Instant(start)) => {
                let local = to_local(zone, start);
                let end = match value.split_once('/') {
                    None => self.end_after(start),
                    Some((_, end)) => match parse_duration(end) {
                        Some(d) => to_utc(zone, add(local, d)),
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
