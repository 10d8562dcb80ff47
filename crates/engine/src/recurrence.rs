//! Expansion of a recurring series master into the instances that overlap a sync window.
//!
//! This module owns the RFC 5545 recurrence semantics shared by every provider path (Google's
//! `recurrence` lines, CalDAV and ICS feeds): RRULE / EXRULE / RDATE / EXDATE lines in all their
//! value forms, time zones (rules are expanded as wall-clock times in the series zone, so a
//! 09:00 meeting stays at 09:00 local across DST changes), the lenient reading of malformed but
//! common input, and the caps that keep absurd or unbounded rules cheap. It does no I/O and does
//! not apply overrides: callers match exceptions to instances by `original_start` instant.
//!
//! Decisions (see the tests of the same names):
//! - DTSTART is always the first instance, even when it does not match the rule (libical and
//!   Google behave so; RFC 5545 leaves it undefined and dateutil drops it). It counts toward
//!   `COUNT`: with a non-matching DTSTART, `COUNT=n` yields DTSTART plus the first `n - 1`
//!   occurrences of the rule. An EXDATE can still remove it.
//! - `UNTIL` is read leniently in the series' own terms: a DATE `UNTIL` on a timed series
//!   includes the whole local date; a floating `UNTIL` is a wall-clock time in the series zone;
//!   on an all-day series any `UNTIL` is reduced to the date it is written with. An `UNTIL`
//!   before DTSTART leaves only DTSTART (and RDATEs).
//! - A local time in a DST gap takes the UTC offset from before the gap (RFC 5545 §3.3.5), so
//!   02:30 on a spring-forward night becomes 03:30 in the new offset; an ambiguous local time
//!   (autumn overlap) is its first occurrence.
//! - EXDATEs match timed instances by instant; a DATE EXDATE on a timed series removes the
//!   instances on that local date in the series zone; on an all-day series every EXDATE and
//!   RDATE is reduced to the date it is written with. A TZID that is not an IANA zone (after
//!   stripping vendor prefixes such as `/mozilla.org/20070129_1/`) makes the value floating, i.e.
//!   read in the series zone (PROVIDERS-more.md §D); an unknown zone on the series itself is an
//!   error.
//! - An RDATE `PERIOD` gives that instance its own end; a DATE RDATE on a timed series happens
//!   at the series' local start time.
//! - Rule expansion starts at the last whole period of the rule before the window (rules with
//!   `COUNT` must be counted from DTSTART and are not rebased) and returns at most
//!   [`MAX_INSTANCES_PER_SERIES`] instances (the earliest ones).
//! - The work per series is bounded whatever its lines say: at most [`MAX_RULES_PER_SERIES`]
//!   RRULE/EXRULE lines and [`MAX_DATES_PER_SERIES`] RDATE/EXDATE values (more is an error:
//!   callers keep the first instance), and all its rules together take at most
//!   [`MAX_STEPS_PER_SERIES`] steps, a step being one period of a rule's frequency passed over
//!   (one second of a SECONDLY rule, one day of a DAILY rule) or one occurrence produced, so a
//!   rule whose BYxxx parts rarely match stops as surely as one that matches every time.
//!   Hitting a cap is reported in [`Expansion::truncated`].
//! - Unknown `X-` lines and `X-` rule parts are ignored; any other unknown line is an error.

use std::collections::{BTreeMap, HashSet};

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz as Zone;
use rrule::{Frequency, RRule, RRuleSet, Unvalidated, Validated};

use crate::local_time;
use crate::model::{EventTime, SyncWindow};

/// A series master, as far as expansion needs it.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Start of the first instance: a `DateTime` whose `tz` is the IANA zone the rule is
    /// expanded in (UTC when absent), or a `Date` for an all-day series.
    pub start: &'a EventTime,
    /// End of the first instance (an exclusive `Date` for an all-day series).
    pub end: &'a EventTime,
    /// Google-style recurrence lines: `RRULE:...`, `EXRULE:...`, `RDATE[;params]:v1,v2`,
    /// `EXDATE[;params]:v1,v2`. No `DTSTART` line.
    pub recurrence: &'a [String],
}

/// One occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// The start the instance has by the rule (what an exception's `originalStartTime` /
    /// RECURRENCE-ID names). Equal to `start` for generated instances.
    pub original_start: EventTime,
    pub start: EventTime,
    pub end: EventTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    /// An RRULE/EXRULE that does not parse or validate, or a line that is not a recurrence line.
    #[error("invalid recurrence rule `{0}`")]
    InvalidRule(String),
    /// An RDATE/EXDATE value (or an UNTIL) that is not an iCalendar date or date-time.
    #[error("invalid date in recurrence line `{0}`")]
    InvalidDate(String),
    /// The series' own time zone is not an IANA zone.
    #[error("unknown time zone `{0}`")]
    UnknownTimeZone(String),
    /// The start and end of the series are not both dates or both date-times.
    #[error("invalid series: {0}")]
    InvalidSeries(String),
    /// More rule lines or date values than any real series has (see the module header).
    #[error("recurrence too large: {0}")]
    TooLarge(String),
}

/// Hard cap on the instances returned for one series (and window). A series that happens more
/// often than every three hours over the sync window (about 120 days) reaches it.
pub const MAX_INSTANCES_PER_SERIES: u16 = 1000;

/// RRULE and EXRULE lines one series may have. RFC 5545 says RRULE SHOULD NOT occur more than
/// once and EXRULE is deprecated; real feeds have one, rarely two.
pub const MAX_RULES_PER_SERIES: usize = 10;

/// RDATE and EXDATE values one series may have. Enough to exclude every day of a daily series
/// for over 25 years; Google writes one EXDATE per deleted instance.
pub const MAX_DATES_PER_SERIES: usize = 10_000;

/// Steps all the rules of one series may take (see the module header). Rebasing brings a rule
/// without COUNT to the window, so a rule needs at most a window's worth of periods (about
/// 10 million seconds for 120 days of a SECONDLY rule, but then the instance cap stops it after
/// 1,000); a daily rule with COUNT counted from 1970 takes about 20,000. A million steps cost
/// well under a second.
pub const MAX_STEPS_PER_SERIES: u64 = 1_000_000;

/// The instances of a series in a window, and whether a cap cut them short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// In start order.
    pub instances: Vec<Instance>,
    /// The series has (or may have) more instances in the window than were returned: the
    /// instance cap or the step budget was reached.
    pub truncated: bool,
}

/// Instances overlapping `window` (instance end > window.start and start < window.end), in
/// start order, at most [`MAX_INSTANCES_PER_SERIES`].
///
/// All-day instances are tested by date with a day of slack on each side: an instance on
/// dates `[D, E)` is kept when `[D - 1 day, E + 1 day)` (as UTC midnights) overlaps the window,
/// so an all-day event "today" is included whatever the viewer's zone.
pub fn expand(series: &Series<'_>, window: SyncWindow) -> Result<Vec<Instance>, RecurrenceError> {
    expand_at_most(series, window, usize::from(MAX_INSTANCES_PER_SERIES)).map(|e| e.instances)
}

/// [`expand`], returning at most `cap` instances (never more than
/// [`MAX_INSTANCES_PER_SERIES`]) and saying whether any were cut.
pub fn expand_at_most(
    series: &Series<'_>,
    window: SyncWindow,
    cap: usize,
) -> Result<Expansion, RecurrenceError> {
    let mode = Mode::new(series)?;
    let lines = series
        .recurrence
        .iter()
        .filter_map(|raw| Line::parse(raw).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    check_size(&lines)?;
    let (lower, upper) = mode.candidate_bounds(window);
    let cap = cap.min(usize::from(MAX_INSTANCES_PER_SERIES));
    let mut budget = Budget {
        left: MAX_STEPS_PER_SERIES,
        exhausted: false,
    };

    let mut exclusions = Exclusions::default();
    for line in lines.iter().filter(|l| l.kind == LineKind::ExDate) {
        for value in line.values() {
            let point = mode.point(value, line.tzid(), line.raw)?;
            exclusions.add_point(point);
        }
    }
    for line in lines.iter().filter(|l| l.kind == LineKind::ExRule) {
        let rule = Rule::parse(line.value, line.raw, &mode)?;
        rule.occurrences(
            &mode,
            false,
            lower,
            upper,
            usize::MAX,
            &mut budget,
            |local| {
                exclusions.add_local(&mode, local);
                true
            },
        );
    }

    let mut found = Found {
        window,
        exclusions: &exclusions,
        instances: BTreeMap::new(),
    };
    found.offer(mode.first());
    for line in lines.iter().filter(|l| l.kind == LineKind::RDate) {
        for value in line.values() {
            let candidate = mode.rdate(value, line.tzid(), line.raw)?;
            found.offer(candidate);
        }
    }
    for line in lines.iter().filter(|l| l.kind == LineKind::RRule) {
        let rule = Rule::parse(line.value, line.raw, &mode)?;
        // One more than the cap, to tell whether the cap cut anything.
        rule.occurrences(&mode, true, lower, upper, cap + 1, &mut budget, |local| {
            found.offer(mode.at_local(local))
        });
    }

    let truncated = budget.exhausted || found.instances.len() > cap;
    Ok(Expansion {
        instances: found.instances.into_values().take(cap).collect(),
        truncated,
    })
}

/// Refuses a series with more rules or date values than [`MAX_RULES_PER_SERIES`] and
/// [`MAX_DATES_PER_SERIES`], before any of them is parsed or expanded.
fn check_size(lines: &[Line<'_>]) -> Result<(), RecurrenceError> {
    let rules = lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::RRule | LineKind::ExRule))
        .count();
    if rules > MAX_RULES_PER_SERIES {
        return Err(RecurrenceError::TooLarge(format!(
            "{rules} RRULE/EXRULE lines, at most {MAX_RULES_PER_SERIES}"
        )));
    }
    let dates: usize = lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::RDate | LineKind::ExDate))
        .map(|l| l.values().count())
        .sum();
    if dates > MAX_DATES_PER_SERIES {
        return Err(RecurrenceError::TooLarge(format!(
            "{dates} RDATE/EXDATE values, at most {MAX_DATES_PER_SERIES}"
        )));
    }
    Ok(())
}

/// The steps left to the rules of one series.
struct Budget {
    left: u64,
    exhausted: bool,
}

// ---------------------------------------------------------------------------------------------
// The series' clock: timed (wall-clock in a zone) or all-day.

enum Mode<'a> {
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
    fn new(series: &Series<'a>) -> Result<Self, RecurrenceError> {
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

    fn is_all_day(&self) -> bool {
        matches!(self, Mode::AllDay { .. })
    }

    fn zone(&self) -> Zone {
        match self {
            Mode::Timed { zone, .. } => *zone,
            Mode::AllDay { .. } => chrono_tz::UTC,
        }
    }

    /// DTSTART as a wall-clock time (midnight for all-day series).
    fn first_local(&self) -> NaiveDateTime {
        match self {
            Mode::Timed { first_local, .. } => *first_local,
            Mode::AllDay { first, .. } => first.and_time(NaiveTime::MIN),
        }
    }

    /// Wall-clock range in which rule occurrences can produce instances overlapping `window`
    /// (generous: the exact test is done per instance).
    fn candidate_bounds(&self, window: SyncWindow) -> (NaiveDateTime, NaiveDateTime) {
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

    fn first(&self) -> Candidate {
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
    fn at_local(&self, local: NaiveDateTime) -> Candidate {
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

    fn timed(&self, local: NaiveDateTime, start: DateTime<Utc>, end: DateTime<Utc>) -> Candidate {
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
    fn point(&self, value: &str, tzid: Option<&str>, raw: &str) -> Result<Point, RecurrenceError> {
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
    fn rdate(
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

/// An instance under consideration, with what the window test and exclusions need.
struct Candidate {
    /// Sort and de-duplication key: the start instant (UTC midnight of the date for all-day).
    key: DateTime<Utc>,
    /// Start as wall-clock time in the series zone (midnight for all-day).
    local: NaiveDateTime,
    /// The span tested against the window (widened by a day each side for all-day).
    span: (DateTime<Utc>, DateTime<Utc>),
    instance: Instance,
}

enum Point {
    Instant(DateTime<Utc>),
    Date(NaiveDate),
}

#[derive(Default)]
struct Exclusions {
    instants: HashSet<DateTime<Utc>>,
    dates: HashSet<NaiveDate>,
    locals: HashSet<NaiveDateTime>,
}

impl Exclusions {
    fn add_point(&mut self, point: Point) {
        match point {
            Point::Instant(i) => self.instants.insert(i),
            Point::Date(d) => self.dates.insert(d),
        };
    }

    fn add_local(&mut self, mode: &Mode<'_>, local: NaiveDateTime) {
        if mode.is_all_day() {
            self.dates.insert(local.date());
        } else {
            self.locals.insert(local);
        }
    }

    fn excludes(&self, candidate: &Candidate) -> bool {
        self.instants.contains(&candidate.key)
            || self.dates.contains(&candidate.local.date())
            || self.locals.contains(&candidate.local)
    }
}

struct Found<'e> {
    window: SyncWindow,
    exclusions: &'e Exclusions,
    instances: BTreeMap<DateTime<Utc>, Instance>,
}

impl Found<'_> {
    /// Keeps `candidate` if it overlaps the window, is not excluded and is new; says whether
    /// it was kept.
    fn offer(&mut self, candidate: Candidate) -> bool {
        let (start, end) = candidate.span;
        if end <= self.window.start || start >= self.window.end {
            return false;
        }
        if self.exclusions.excludes(&candidate) || self.instances.contains_key(&candidate.key) {
            return false;
        }
        self.instances.insert(candidate.key, candidate.instance);
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Rules.

struct Rule {
    rrule: RRule<Validated>,
    /// COUNT, applied here rather than by the crate (see `limiters`).
    count: Option<u32>,
    /// BYHOUR / BYMINUTE of a MINUTELY or SECONDLY rule, applied here: the crate steps by the
    /// wrong amount when it skips hours (minutes) these exclude, which breaks the INTERVAL
    /// alignment. They only limit, and are constant within one period, so filtering the
    /// crate's output is equivalent.
    limiters: (Vec<u32>, Vec<u32>),
    /// UNTIL was before DTSTART: the rule generates nothing.
    empty: bool,
}

impl Rule {
    /// Parses and validates a rule value (`FREQ=...;...`) against DTSTART, after rewriting
    /// UNTIL into the series' wall-clock time (the crate then expands in naive UTC).
    fn parse(value: &str, raw: &str, mode: &Mode<'_>) -> Result<Self, RecurrenceError> {
        let invalid =
            |why: &dyn std::fmt::Display| RecurrenceError::InvalidRule(format!("{raw}: {why}"));
        let dtstart = mode.first_local();
        let mut parts = Vec::new();
        for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, val) = part.split_once('=').unwrap_or((part, ""));
            let key = key.trim().to_ascii_uppercase();
            if !key.starts_with("X-") {
                parts.push((key, val.trim()));
            }
        }
        let freq = parts
            .iter()
            .find(|(k, _)| k == "FREQ")
            .map(|(_, v)| v.to_ascii_uppercase());
        let limited_parts: &[&str] = match freq.as_deref() {
            Some("MINUTELY") => &["BYHOUR"],
            Some("SECONDLY") => &["BYHOUR", "BYMINUTE"],
            _ => &[],
        };
        let mut until = None;
        let mut count = None;
        let mut limiters = (Vec::new(), Vec::new());
        let mut kept = Vec::new();
        for (key, val) in parts {
            match key.as_str() {
                "UNTIL" => {
                    until = Some(
                        lenient_until(val, mode)
                            .ok_or_else(|| RecurrenceError::InvalidDate(raw.to_string()))?,
                    );
                }
                "COUNT" => count = Some(val.parse::<u32>().map_err(|e| invalid(&e))?),
                k if limited_parts.contains(&k) => {
                    let (list, max) = if k == "BYHOUR" {
                        (&mut limiters.0, 23)
                    } else {
                        (&mut limiters.1, 59)
                    };
                    for item in val.split(',') {
                        match item.trim().parse::<u32>() {
                            Ok(n) if n <= max => list.push(n),
                            _ => return Err(invalid(&format!("bad {k} value `{item}`"))),
                        }
                    }
                }
                _ => kept.push(format!("{key}={val}")),
            }
        }
        let empty = until.is_some_and(|u| u < dtstart);
        if let Some(until) = until {
            kept.push(format!(
                "UNTIL={}",
                until.max(dtstart).format("%Y%m%dT%H%M%SZ")
            ));
        }
        let rule: RRule<Unvalidated> = kept.join(";").parse().map_err(|e| invalid(&e))?;
        let rrule = rule.validate(floating(dtstart)).map_err(|e| invalid(&e))?;
        Ok(Rule {
            rrule,
            count,
            limiters,
            empty,
        })
    }

    fn passes_limiters(&self, local: NaiveDateTime) -> bool {
        let (hours, minutes) = &self.limiters;
        (hours.is_empty() || hours.contains(&local.hour()))
            && (minutes.is_empty() || minutes.contains(&local.minute()))
    }

    /// Calls `accept` with each occurrence (a wall-clock time) in `[lower, upper]`, in order,
    /// until `accept` has returned true `cap` times or `budget` runs out. With
    /// `counts_dtstart`, a DTSTART that the rule does not generate uses up one of the rule's
    /// `COUNT`.
    #[allow(clippy::too_many_arguments)] // each is one aspect of the walk; a struct adds nothing
    fn occurrences(
        &self,
        mode: &Mode<'_>,
        counts_dtstart: bool,
        lower: NaiveDateTime,
        upper: NaiveDateTime,
        cap: usize,
        budget: &mut Budget,
        mut accept: impl FnMut(NaiveDateTime) -> bool,
    ) {
        if self.empty || cap == 0 {
            return;
        }
        let dtstart = mode.first_local();
        let from = if self.count.is_none() && lower > dtstart {
            rebase(&self.rrule, dtstart, lower).max(dtstart)
        } else {
            dtstart
        };
        let set = RRuleSet::new(floating(from))
            .rrule(self.rrule.clone())
            .limit();
        let mut remaining = self.count;
        let mut first = true;
        let mut produced = 0u64;
        let mut accepted = 0usize;
        let start_budget = budget.left;
        for occurrence in &set {
            let local = occurrence.naive_utc();
            produced += 1;
            let steps = produced.max(periods_between(&self.rrule, from, local));
            if steps > start_budget {
                budget.left = 0;
                budget.exhausted = true;
                return;
            }
            budget.left = start_budget - steps;
            if local > upper {
                break;
            }
            if !self.passes_limiters(local) {
                continue;
            }
            if std::mem::take(&mut first) && counts_dtstart && local != dtstart {
                remaining = remaining.map(|r| r.saturating_sub(1));
            }
            if let Some(r) = remaining.as_mut() {
                if *r == 0 {
                    break;
                }
                *r -= 1;
            }
            if local >= lower && accept(local) {
                accepted += 1;
                if accepted >= cap {
                    break;
                }
            }
        }
    }
}

/// How many periods of the rule (its frequency times its interval) lie between `from` and
/// `to`: the iterator's work to get from one to the other, whatever it produced on the way.
fn periods_between(rule: &RRule<Validated>, from: NaiveDateTime, to: NaiveDateTime) -> u64 {
    let months = |d: NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month0());
    let periods = match rule.get_freq() {
        Frequency::Yearly => i64::from(to.year()) - i64::from(from.year()),
        Frequency::Monthly => months(to) - months(from),
        Frequency::Weekly => (to - from).num_weeks(),
        Frequency::Daily => (to - from).num_days(),
        Frequency::Hourly => (to - from).num_hours(),
        Frequency::Minutely => (to - from).num_minutes(),
        Frequency::Secondly => (to - from).num_seconds(),
    };
    u64::try_from(periods / i64::from(rule.get_interval().max(1))).unwrap_or(0)
}

/// A start for the rule's iterator at or before `lower`, at the beginning of a period of the
/// rule that is a whole number of intervals after DTSTART's period, so that the occurrences
/// from there on are exactly those of the rule iterated from DTSTART. (The by-parts DTSTART
/// implies, such as the weekday of a WEEKLY rule, were filled in by validation.)
fn rebase(rule: &RRule<Validated>, dtstart: NaiveDateTime, lower: NaiveDateTime) -> NaiveDateTime {
    let n = i64::from(rule.get_interval().max(1));
    let whole = |amount: i64| amount.div_euclid(n) * n;
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN);
    let rebased = match rule.get_freq() {
        Frequency::Yearly => {
            let years = whole(i64::from(lower.year() - dtstart.year()));
            i32::try_from(i64::from(dtstart.year()) + years)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
                .map(midnight)
        }
        Frequency::Monthly => {
            let index = |d: NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month0());
            let month = index(dtstart) + whole(index(lower) - index(dtstart));
            i32::try_from(month.div_euclid(12))
                .ok()
                .and_then(|y| {
                    NaiveDate::from_ymd_opt(y, u32::try_from(month.rem_euclid(12)).ok()? + 1, 1)
                })
                .map(midnight)
        }
        Frequency::Weekly => {
            let week_start = week_start_on_or_before(dtstart.date(), rule.get_week_start());
            let days = whole_weeks(n, (lower.date() - week_start).num_days());
            week_start
                .checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
                .map(midnight)
        }
        Frequency::Daily => {
            let days = whole((lower.date() - dtstart.date()).num_days());
            dtstart
                .date()
                .checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
                .map(midnight)
        }
        Frequency::Hourly | Frequency::Minutely | Frequency::Secondly => {
            let unit = match rule.get_freq() {
                Frequency::Hourly => 3600,
                Frequency::Minutely => 60,
                _ => 1,
            };
            let seconds = (lower - dtstart).num_seconds();
            let step = n * unit;
            dtstart.checked_add_signed(TimeDelta::seconds(seconds.div_euclid(step) * step))
        }
    };
    rebased.unwrap_or(dtstart)
}

fn whole_weeks(interval: i64, days: i64) -> i64 {
    let step = interval * 7;
    days.div_euclid(step) * step
}

fn week_start_on_or_before(date: NaiveDate, week_start: Weekday) -> NaiveDate {
    let back = (date.weekday().num_days_from_monday() + 7 - week_start.num_days_from_monday()) % 7;
    date - Days::new(u64::from(back))
}

/// UNTIL as a wall-clock time of the series (see the module header).
fn lenient_until(value: &str, mode: &Mode<'_>) -> Option<NaiveDateTime> {
    let all_day = mode.is_all_day();
    Some(match IcalTime::parse(value)? {
        IcalTime::Date(d) if all_day => d.and_time(NaiveTime::MIN),
        IcalTime::Date(d) => d.and_hms_opt(23, 59, 59)?,
        IcalTime::Floating(n) | IcalTime::Utc(n) if all_day => n.date().and_time(NaiveTime::MIN),
        IcalTime::Floating(n) => n,
        IcalTime::Utc(n) => to_local(mode.zone(), n.and_utc()),
    })
}

/// A wall-clock time in the crate's zone type. Rules are expanded in naive time (UTC has no DST),
/// then each occurrence is placed in the series zone by [`to_utc`].
fn floating(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

// ---------------------------------------------------------------------------------------------
// Time zones.

/// An IANA zone by name, also when written with a vendor prefix
/// (`/mozilla.org/20070129_1/Europe/Berlin`) or quoted.
fn resolve_zone(name: &str) -> Option<Zone> {
    let name = name.trim().trim_matches('"');
    if let Ok(zone) = name.parse::<Zone>() {
        return Some(zone);
    }
    name.match_indices('/')
        .find_map(|(i, _)| name[i + 1..].parse::<Zone>().ok())
}

/// The wall-clock time of `utc` in `zone`; at the ends of chrono's range, where the local time
/// would not be representable, the UTC time (instead of chrono's panic).
fn to_local(zone: Zone, utc: DateTime<Utc>) -> NaiveDateTime {
    let offset = zone.offset_from_utc_datetime(&utc.naive_utc()).fix();
    utc.naive_utc()
        .checked_add_offset(offset)
        .unwrap_or(utc.naive_utc())
}

/// The instant of a wall-clock time in `zone`, by the engine's one rule (see [`local_time`]).
fn to_utc(zone: Zone, local: NaiveDateTime) -> DateTime<Utc> {
    local_time::resolve(local, &zone)
}

/// `at + delta`, saturating at chrono's range instead of panicking.
fn add(at: NaiveDateTime, delta: TimeDelta) -> NaiveDateTime {
    at.checked_add_signed(delta)
        .unwrap_or(if delta < TimeDelta::zero() {
            NaiveDateTime::MIN
        } else {
            NaiveDateTime::MAX
        })
}

// ---------------------------------------------------------------------------------------------
// Lines and values.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    RRule,
    ExRule,
    RDate,
    ExDate,
}

struct Line<'a> {
    raw: &'a str,
    kind: LineKind,
    params: Vec<(String, &'a str)>,
    value: &'a str,
}

impl<'a> Line<'a> {
    /// `Ok(None)` for blank lines and `X-` extensions.
    fn parse(raw: &'a str) -> Result<Option<Self>, RecurrenceError> {
        let line = raw.trim();
        if line.is_empty() {
            return Ok(None);
        }
        let invalid = || RecurrenceError::InvalidRule(raw.to_string());
        let (head, value) = match find_unquoted(line, ':') {
            Some(i) => (&line[..i], &line[i + 1..]),
            // A bare rule, as some callers store it.
            None if line.to_ascii_uppercase().starts_with("FREQ=") => ("RRULE", line),
            None => return Err(invalid()),
        };
        let mut segments = split_unquoted(head, ';');
        let name = segments.next().unwrap_or("").trim().to_ascii_uppercase();
        let kind = match name.as_str() {
            "RRULE" => LineKind::RRule,
            "EXRULE" => LineKind::ExRule,
            "RDATE" => LineKind::RDate,
            "EXDATE" => LineKind::ExDate,
            n if n.starts_with("X-") => return Ok(None),
            _ => return Err(invalid()),
        };
        let params = segments
            .filter_map(|s| s.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"')))
            .collect();
        Ok(Some(Line {
            raw,
            kind,
            params,
            value: value.trim(),
        }))
    }

    fn tzid(&self) -> Option<&'a str> {
        self.params
            .iter()
            .find(|(k, _)| k == "TZID")
            .map(|(_, v)| *v)
    }

    fn values(&self) -> impl Iterator<Item = &'a str> {
        self.value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

fn find_unquoted(s: &str, needle: char) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == needle && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn split_unquoted(s: &str, separator: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let current = rest?;
        match find_unquoted(current, separator) {
            Some(i) => {
                rest = Some(&current[i + 1..]);
                Some(&current[..i])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// An iCalendar DATE or DATE-TIME value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IcalTime {
    Date(NaiveDate),
    Floating(NaiveDateTime),
    Utc(NaiveDateTime),
}

impl IcalTime {
    fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let (body, utc) = match value.strip_suffix(['Z', 'z']) {
            Some(body) => (body, true),
            None => (value, false),
        };
        let (date, time) = match body.split_once(['T', 't']) {
            Some((d, t)) => (d, Some(t)),
            None => (body, None),
        };
        let number = |s: &str| -> Option<u32> {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        };
        if date.len() != 8 || !date.is_ascii() {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(
            i32::try_from(number(&date[..4])?).ok()?,
            number(&date[4..6])?,
            number(&date[6..])?,
        )?;
        let Some(time) = time else {
            return (!utc).then_some(IcalTime::Date(date));
        };
        if time.len() != 6 || !time.is_ascii() {
            return None;
        }
        // A leap second (60) is read as 59.
        let time = NaiveTime::from_hms_opt(
            number(&time[..2])?,
            number(&time[2..4])?,
            number(&time[4..])?.min(59),
        )?;
        let at = date.and_time(time);
        Some(if utc {
            IcalTime::Utc(at)
        } else {
            IcalTime::Floating(at)
        })
    }
}

/// An RFC 5545 duration (`P1D`, `PT1H30M`, `P2W`, `-PT15M`), nominal days.
fn parse_duration(value: &str) -> Option<TimeDelta> {
    let value = value.trim();
    let (negative, rest) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    let mut total = TimeDelta::zero();
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            d if d.is_ascii_digit() => number.push(d),
            'T' if number.is_empty() => in_time = true,
            unit => {
                let n: i64 = std::mem::take(&mut number).parse().ok()?;
                total += match (unit, in_time) {
                    ('W', false) => TimeDelta::try_weeks(n)?,
                    ('D', false) => TimeDelta::try_days(n)?,
                    ('H', true) => TimeDelta::try_hours(n)?,
                    ('M', true) => TimeDelta::try_minutes(n)?,
                    ('S', true) => TimeDelta::try_seconds(n)?,
                    _ => return None,
                };
                any = true;
            }
        }
    }
    (any && number.is_empty()).then_some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn timed(s: &str, tz: Option<&str>) -> EventTime {
        EventTime::DateTime {
            utc: utc(s),
            tz: tz.map(str::to_string),
        }
    }

    fn window(start: &str, end: &str) -> SyncWindow {
        SyncWindow {
            start: utc(start),
            end: utc(end),
        }
    }

    fn lines(rules: &[&str]) -> Vec<String> {
        rules.iter().map(|s| s.to_string()).collect()
    }

    fn run(
        start: &EventTime,
        end: &EventTime,
        rules: &[&str],
        w: SyncWindow,
    ) -> Result<Vec<Instance>, RecurrenceError> {
        let recurrence = lines(rules);
        expand(
            &Series {
                start,
                end,
                recurrence: &recurrence,
            },
            w,
        )
    }

    /// Starts of the instances, as RFC 3339 UTC / dates.
    fn starts(instances: &[Instance]) -> Vec<String> {
        instances.iter().map(|i| i.start.to_wire()).collect()
    }

    fn ends(instances: &[Instance]) -> Vec<String> {
        instances.iter().map(|i| i.end.to_wire()).collect()
    }

    const BERLIN: Option<&str> = Some("Europe/Berlin");
    const NEW_YORK: Option<&str> = Some("America/New_York");

    #[test]
    fn weekly_berlin_keeps_local_time_across_both_dst_changes() {
        // Monday 09:00-10:00 Berlin. DST starts 2024-03-31 and ends 2024-10-27.
        let start = timed("2024-03-18T08:00:00Z", BERLIN);
        let end = timed("2024-03-18T09:00:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=WEEKLY;BYDAY=MO"],
            window("2024-03-18T00:00:00Z", "2024-04-09T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-03-18T08:00:00Z",
                "2024-03-25T08:00:00Z",
                "2024-04-01T07:00:00Z",
                "2024-04-08T07:00:00Z"
            ]
        );
        assert_eq!(ends(&got)[2], "2024-04-01T08:00:00Z");
        for i in &got {
            assert_eq!(i.original_start, i.start);
            assert!(
                matches!(&i.start, EventTime::DateTime { tz: Some(z), .. } if z == "Europe/Berlin")
            );
        }

        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=WEEKLY;BYDAY=MO"],
            window("2024-10-21T00:00:00Z", "2024-11-05T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-10-21T07:00:00Z",
                "2024-10-28T08:00:00Z",
                "2024-11-04T08:00:00Z"
            ]
        );
    }

    #[test]
    fn weekly_new_york_across_dst_changes() {
        // Tuesday and Thursday 18:30-19:15 New York; DST 2024-03-10 .. 2024-11-03.
        let start = timed("2024-03-05T23:30:00Z", NEW_YORK);
        let end = timed("2024-03-06T00:15:00Z", NEW_YORK);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20241108T000000Z"],
            window("2024-03-05T00:00:00Z", "2024-03-13T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-03-05T23:30:00Z",
                "2024-03-07T23:30:00Z",
                "2024-03-12T22:30:00Z"
            ]
        );
        assert_eq!(ends(&got)[2], "2024-03-12T23:15:00Z");
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20241108T000000Z"],
            window("2024-10-29T00:00:00Z", "2024-12-01T00:00:00Z"),
        )
        .unwrap();
        // Thursday 2024-11-07 18:30 EST is 23:30Z, before UNTIL (Nov 8 00:00Z).
        assert_eq!(
            starts(&got),
            [
                "2024-10-29T22:30:00Z",
                "2024-10-31T22:30:00Z",
                "2024-11-05T23:30:00Z",
                "2024-11-07T23:30:00Z"
            ]
        );
    }

    #[test]
    fn far_window_is_reached_cheaply_and_correctly() {
        // Every other week since 2000; the window is 30 years on.
        let start = timed("2000-01-03T08:00:00Z", BERLIN); // Monday 09:00 CET
        let end = timed("2000-01-03T08:30:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=WEEKLY;INTERVAL=2"],
            window("2030-01-01T00:00:00Z", "2030-02-01T00:00:00Z"),
        )
        .unwrap();
        // 2030-01-07 is 1566 weeks after 2000-01-03: an even number, so it is an instance.
        assert_eq!(
            starts(&got),
            ["2030-01-07T08:00:00Z", "2030-01-21T08:00:00Z"]
        );
    }

    #[test]
    fn all_day_daily_and_yearly() {
        let start = EventTime::Date(date("2024-01-01"));
        let end = EventTime::Date(date("2024-01-02"));
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=3"],
            window("2023-12-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2024-01-01", "2024-01-02", "2024-01-03"]);
        assert_eq!(ends(&got), ["2024-01-02", "2024-01-03", "2024-01-04"]);
        assert_eq!(got[1].original_start, EventTime::Date(date("2024-01-02")));

        // A birthday on Feb 29 (two-day event), yearly: only leap years have it.
        let start = EventTime::Date(date("2024-02-29"));
        let end = EventTime::Date(date("2024-03-02"));
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=YEARLY"],
            window("2025-01-01T00:00:00Z", "2029-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2028-02-29"]);
        assert_eq!(ends(&got), ["2028-03-02"]);
    }

    #[test]
    fn all_day_window_has_a_day_of_slack() {
        let start = EventTime::Date(date("2024-01-01"));
        let end = EventTime::Date(date("2024-01-02"));
        // A window of one UTC day (2024-01-10): the 9th, 10th and 11th are kept (the 9th
        // still runs on the 10th in UTC-12, the 11th already in UTC+14), the 8th and 12th not.
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY"],
            window("2024-01-10T00:00:00Z", "2024-01-11T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2024-01-09", "2024-01-10", "2024-01-11"]);
    }

    #[test]
    fn exdate_in_every_form() {
        // Daily 09:00-09:30 Berlin (08:00Z in winter) from Monday 2024-01-08.
        let start = timed("2024-01-08T08:00:00Z", BERLIN);
        let end = timed("2024-01-08T08:30:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &[
                "RRULE:FREQ=DAILY;COUNT=8",
                "EXDATE;TZID=Europe/Berlin:20240109T090000",
                "EXDATE:20240110T080000Z",
                "EXDATE:20240111T090000", // floating: series zone
                "exdate;tzid=America/New_York:20240112T030000", // another zone, lower case
                "EXDATE;TZID=/mozilla.org/20070129_1/Europe/Berlin:20240113T090000,20240114T090000",
                "EXDATE;TZID=Europe/Berlin:20240115T100000", // matches nothing
            ],
            window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-08T08:00:00Z", "2024-01-15T08:00:00Z"]
        );
    }

    #[test]
    fn exdate_can_remove_dtstart() {
        let start = timed("2024-01-08T08:00:00Z", BERLIN);
        let end = timed("2024-01-08T08:30:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=2", "EXDATE:20240108T080000Z"],
            window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2024-01-09T08:00:00Z"]);
    }

    #[test]
    fn date_only_exdate_on_timed_series_removes_that_local_date() {
        // 23:30 Berlin is 22:30Z: the local date differs from the UTC one in summer... and
        // the instance on local 2024-01-09 is 2024-01-09T22:30Z.
        let start = timed("2024-01-08T22:30:00Z", BERLIN);
        let end = timed("2024-01-08T23:00:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20240109"],
            window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-08T22:30:00Z", "2024-01-10T22:30:00Z"]
        );

        // 00:30 Berlin on local 2024-01-10 is 2024-01-09T23:30Z: removed by the 10th.
        let start = timed("2024-01-08T23:30:00Z", BERLIN);
        let end = timed("2024-01-09T00:00:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20240110"],
            window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-08T23:30:00Z", "2024-01-10T23:30:00Z"]
        );
    }

    #[test]
    fn all_day_exdate_date_and_datetime() {
        let start = EventTime::Date(date("2024-01-01"));
        let end = EventTime::Date(date("2024-01-02"));
        let got = run(
            &start,
            &end,
            &[
                "RRULE:FREQ=DAILY;COUNT=5",
                "EXDATE;VALUE=DATE:20240102",
                "EXDATE:20240104T000000Z",
            ],
            window("2023-12-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2024-01-01", "2024-01-03", "2024-01-05"]);
    }

    #[test]
    fn rdate_adds_instances_in_order_without_duplicates() {
        let start = timed("2024-01-08T08:00:00Z", BERLIN);
        let end = timed("2024-01-08T09:00:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &[
                "RRULE:FREQ=WEEKLY;COUNT=3",
                "RDATE;TZID=Europe/Berlin:20240110T140000,20240115T090000", // 2nd duplicates
                "RDATE:20240201T120000Z",
                "RDATE;VALUE=DATE:20240120", // at the series' 09:00
                "RDATE;VALUE=PERIOD:20240125T100000Z/PT30M", // own duration
                "RDATE;VALUE=PERIOD:20240126T100000Z/20240126T130000Z", // own end
            ],
            window("2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-01-08T08:00:00Z",
                "2024-01-10T13:00:00Z",
                "2024-01-15T08:00:00Z",
                "2024-01-20T08:00:00Z",
                "2024-01-22T08:00:00Z",
                "2024-01-25T10:00:00Z",
                "2024-01-26T10:00:00Z",
                "2024-02-01T12:00:00Z"
            ]
        );
        assert_eq!(ends(&got)[1], "2024-01-10T14:00:00Z");
        assert_eq!(ends(&got)[5], "2024-01-25T10:30:00Z");
        assert_eq!(ends(&got)[6], "2024-01-26T13:00:00Z");
        assert_eq!(ends(&got)[7], "2024-02-01T13:00:00Z");
    }

    #[test]
    fn exrule_removes_occurrences() {
        let start = timed("2024-01-01T09:00:00Z", None); // Monday, UTC series
        let end = timed("2024-01-01T10:00:00Z", None);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=7", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"],
            window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(got.len(), 5);
        assert_eq!(starts(&got)[4], "2024-01-05T09:00:00Z");
        assert!(matches!(
            &got[0].start,
            EventTime::DateTime { tz: None, .. }
        ));
    }

    #[test]
    fn count_includes_dtstart() {
        let start = timed("2024-01-01T09:00:00Z", None);
        let end = timed("2024-01-01T10:00:00Z", None);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=3"],
            window("2023-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-01-01T09:00:00Z",
                "2024-01-02T09:00:00Z",
                "2024-01-03T09:00:00Z"
            ]
        );
    }

    #[test]
    fn dtstart_not_matching_rule_is_first_instance_and_uses_up_one_count() {
        // DTSTART is a Wednesday; the rule says Mondays.
        let start = timed("2024-01-03T09:00:00Z", None);
        let end = timed("2024-01-03T10:00:00Z", None);
        let w = window("2023-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
        let got = run(&start, &end, &["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"], w).unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-01-03T09:00:00Z",
                "2024-01-08T09:00:00Z",
                "2024-01-15T09:00:00Z"
            ]
        );
        // Without COUNT it is still there, followed by the Mondays.
        let w = window("2023-01-01T00:00:00Z", "2024-01-10T00:00:00Z");
        let got = run(&start, &end, &["RRULE:FREQ=WEEKLY;BYDAY=MO"], w).unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-03T09:00:00Z", "2024-01-08T09:00:00Z"]
        );
    }

    #[test]
    fn until_forms_are_compared_leniently() {
        // Daily 09:00 Berlin from 2024-01-08.
        let start = timed("2024-01-08T08:00:00Z", BERLIN);
        let end = timed("2024-01-08T09:00:00Z", BERLIN);
        let w = window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
        let last = |rule: &str| {
            let got = run(&start, &end, &[rule], w).unwrap();
            got.last().unwrap().start.to_wire()
        };
        // UTC UNTIL exactly at an instance: inclusive.
        assert_eq!(
            last("RRULE:FREQ=DAILY;UNTIL=20240110T080000Z"),
            "2024-01-10T08:00:00Z"
        );
        // DATE UNTIL on a timed series: the whole local date.
        assert_eq!(
            last("RRULE:FREQ=DAILY;UNTIL=20240110"),
            "2024-01-10T08:00:00Z"
        );
        // Floating UNTIL: wall-clock in the series zone (09:00 Berlin = the instance).
        assert_eq!(
            last("RRULE:FREQ=DAILY;UNTIL=20240110T090000"),
            "2024-01-10T08:00:00Z"
        );
        assert_eq!(
            last("RRULE:FREQ=DAILY;UNTIL=20240110T085959"),
            "2024-01-09T08:00:00Z"
        );
        // UNTIL before DTSTART: DTSTART only.
        assert_eq!(
            starts(
                &run(
                    &start,
                    &end,
                    &["RRULE:FREQ=DAILY;UNTIL=20240101T000000Z"],
                    w
                )
                .unwrap()
            ),
            ["2024-01-08T08:00:00Z"]
        );

        // All-day series: DATE UNTIL inclusive; a DATE-TIME UNTIL counts by its written date.
        let start = EventTime::Date(date("2024-01-01"));
        let end = EventTime::Date(date("2024-01-02"));
        for rule in [
            "RRULE:FREQ=DAILY;UNTIL=20240103",
            "RRULE:FREQ=DAILY;UNTIL=20240103T000000Z",
            "RRULE:FREQ=DAILY;UNTIL=20240103T235959",
        ] {
            let got = run(&start, &end, &[rule], w).unwrap();
            assert_eq!(
                starts(&got),
                ["2024-01-01", "2024-01-02", "2024-01-03"],
                "{rule}"
            );
        }
    }

    #[test]
    fn bysetpos_last_weekday_of_month() {
        let start = timed("2024-01-31T16:00:00Z", NEW_YORK); // Wed 11:00 EST, last weekday
        let end = timed("2024-01-31T17:00:00Z", NEW_YORK);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"],
            window("2024-02-01T00:00:00Z", "2024-07-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-02-29T16:00:00Z", // Thu
                "2024-03-29T15:00:00Z", // Fri, EDT
                "2024-04-30T15:00:00Z", // Tue
                "2024-05-31T15:00:00Z", // Fri
                "2024-06-28T15:00:00Z"  // Fri (30th is a Sunday)
            ]
        );
        // Far window: the rebased start must not change which day is picked.
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"],
            window("2031-08-01T00:00:00Z", "2031-09-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2031-08-29T15:00:00Z"]);
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months_even_when_rebased() {
        let start = timed("2024-01-31T12:00:00Z", None);
        let end = timed("2024-01-31T13:00:00Z", None);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=MONTHLY"],
            window("2030-02-01T00:00:00Z", "2030-06-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            ["2030-03-31T12:00:00Z", "2030-05-31T12:00:00Z"]
        );
    }

    #[test]
    fn dst_gap_local_time_takes_offset_before_the_gap() {
        // Daily 02:30 Berlin; 2024-03-31 02:30 does not exist (clocks jump 02:00 -> 03:00).
        let start = timed("2024-03-29T01:30:00Z", BERLIN);
        let end = timed("2024-03-29T02:30:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY"],
            window("2024-03-30T00:00:00Z", "2024-04-02T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-03-30T01:30:00Z",
                "2024-03-31T01:30:00Z", // 02:30 at +01:00 = 03:30 CEST
                "2024-04-01T00:30:00Z"
            ]
        );
        // It keeps its hour: 03:30-04:30 CEST.
        assert_eq!(ends(&got)[1], "2024-03-31T02:30:00Z");
    }

    #[test]
    fn dst_overlap_local_time_takes_first_occurrence() {
        // Daily 02:30 Berlin; 2024-10-27 02:30 happens twice: first at +02:00 (00:30Z).
        let start = timed("2024-10-25T00:30:00Z", BERLIN);
        let end = timed("2024-10-25T01:00:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=3"],
            window("2024-10-01T00:00:00Z", "2024-11-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got)[2], "2024-10-27T00:30:00Z");
    }

    #[test]
    fn unbounded_daily_rule_is_capped() {
        let start = timed("2024-01-01T09:00:00Z", None);
        let end = timed("2024-01-01T10:00:00Z", None);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY"],
            window("2024-01-01T00:00:00Z", "2034-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(got.len(), usize::from(MAX_INSTANCES_PER_SERIES));
        assert_eq!(got[0].start.to_wire(), "2024-01-01T09:00:00Z");
        assert_eq!(got[999].start.to_wire(), "2026-09-26T09:00:00Z");
    }

    #[test]
    fn secondly_rule_is_capped_and_quick() {
        let start = timed("2020-01-01T00:00:00Z", None);
        let end = timed("2020-01-01T00:00:01Z", None);
        let begun = std::time::Instant::now();
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=SECONDLY"],
            window("2024-06-01T12:00:00Z", "2024-07-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(got.len(), usize::from(MAX_INSTANCES_PER_SERIES));
        assert_eq!(got[0].start.to_wire(), "2024-06-01T12:00:00Z");
        assert_eq!(got[999].start.to_wire(), "2024-06-01T12:16:39Z");
        // With a COUNT it is counted from DTSTART, and the scan budget stops it.
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=SECONDLY;COUNT=1000000000"],
            window("2024-06-01T12:00:00Z", "2024-07-01T00:00:00Z"),
        )
        .unwrap();
        assert!(got.is_empty());
        assert!(begun.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn too_many_rules_or_dates_is_an_error_found_before_expanding() {
        let start = timed("2026-01-05T09:00:00Z", BERLIN);
        let end = timed("2026-01-05T10:00:00Z", BERLIN);
        let w = window("2026-01-01T00:00:00Z", "2026-05-01T00:00:00Z");
        let rules: Vec<String> = (0..5000)
            .map(|i| format!("RRULE:FREQ=SECONDLY;BYSECOND={};COUNT=1000000", i % 60))
            .collect();
        let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
        assert_eq!(
            run(&start, &end, &rules, w),
            Err(RecurrenceError::TooLarge(
                "5000 RRULE/EXRULE lines, at most 10".into()
            ))
        );
        let ten: Vec<&str> = rules[..MAX_RULES_PER_SERIES].to_vec();
        assert!(run(&start, &end, &ten, w).is_ok());

        let dates = vec!["20260105T090000Z"; MAX_DATES_PER_SERIES + 1].join(",");
        let exdate = format!("EXDATE:{dates}");
        assert!(matches!(
            run(&start, &end, &["RRULE:FREQ=DAILY", &exdate], w),
            Err(RecurrenceError::TooLarge(_))
        ));
    }

    #[test]
    fn a_rule_that_rarely_matches_stops_after_its_step_budget() {
        // Every second from 2000, counted (so not rebased), matching once a minute: it would
        // need 830 million seconds to reach the window.
        let start = timed("2000-01-01T00:00:00Z", None);
        let end = timed("2000-01-01T00:00:01Z", None);
        let series_lines = lines(&["RRULE:FREQ=SECONDLY;BYSECOND=0;COUNT=100000000"]);
        let got = expand_at_most(
            &Series {
                start: &start,
                end: &end,
                recurrence: &series_lines,
            },
            window("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),
            1000,
        )
        .unwrap();
        assert!(got.instances.is_empty());
        assert!(got.truncated);

        // Once an hour, counted from New Year: the window, 19 days on, is 27,000 occurrences
        // but 1.6 million seconds away, past the step budget.
        let start = timed("2026-01-01T00:00:00Z", None);
        let end = timed("2026-01-01T00:00:01Z", None);
        let hourly = lines(&["RRULE:FREQ=SECONDLY;BYMINUTE=0;BYSECOND=0;COUNT=100000000"]);
        let got = expand_at_most(
            &Series {
                start: &start,
                end: &end,
                recurrence: &hourly,
            },
            window("2026-01-20T00:00:00Z", "2026-01-21T00:00:00Z"),
            1000,
        )
        .unwrap();
        assert!(got.instances.is_empty());
        assert!(got.truncated);

        // An ordinary series is not truncated, and a cap below its count is reported.
        let start = timed("2026-01-05T09:00:00Z", BERLIN);
        let end = timed("2026-01-05T10:00:00Z", BERLIN);
        let daily = lines(&["RRULE:FREQ=DAILY;COUNT=10"]);
        let series = Series {
            start: &start,
            end: &end,
            recurrence: &daily,
        };
        let w = window("2026-01-01T00:00:00Z", "2026-05-01T00:00:00Z");
        let full = expand_at_most(&series, w, 1000).unwrap();
        assert_eq!((full.instances.len(), full.truncated), (10, false));
        let cut = expand_at_most(&series, w, 4).unwrap();
        assert_eq!((cut.instances.len(), cut.truncated), (4, true));
        assert_eq!(cut.instances[..], full.instances[..4]);
    }

    #[test]
    fn a_whole_missing_day_keeps_its_instance() {
        // Daily 10:00 in Apia; 2011-12-30 did not exist there. The instance read at the offset
        // before the skip lands on 2011-12-31 10:00, the same instant as the next one, which
        // it is merged with (one instance per instant).
        let start = timed("2011-12-27T20:00:00Z", Some("Pacific/Apia")); // 10:00 -10:00
        let end = timed("2011-12-27T21:00:00Z", Some("Pacific/Apia"));
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=DAILY;COUNT=6"],
            window("2011-12-01T00:00:00Z", "2012-01-10T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2011-12-27T20:00:00Z",
                "2011-12-28T20:00:00Z",
                "2011-12-29T20:00:00Z", // 29th 10:00 -10:00
                "2011-12-30T20:00:00Z", // "30th 10:00" at -10:00 = 31st 10:00 +14:00
                "2011-12-31T20:00:00Z", // 1 Jan 10:00 +14:00
            ]
        );
    }

    #[test]
    fn the_widest_window_does_not_panic() {
        let start = timed("2026-01-05T09:00:00Z", Some("Pacific/Kiritimati"));
        let end = timed("2026-01-05T10:00:00Z", Some("Pacific/Kiritimati"));
        let widest = SyncWindow {
            start: DateTime::<Utc>::MIN_UTC,
            end: DateTime::<Utc>::MAX_UTC,
        };
        let got = run(&start, &end, &["RRULE:FREQ=YEARLY;COUNT=3"], widest).unwrap();
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn hourly_interval_is_aligned_after_rebase() {
        let start = timed("2024-01-01T00:15:00Z", None);
        let end = timed("2024-01-01T00:45:00Z", None);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=HOURLY;INTERVAL=5"],
            window("2024-01-03T00:00:00Z", "2024-01-03T12:00:00Z"),
        )
        .unwrap();
        // 48h after DTSTART is not a multiple of 5h: 50h -> Jan 3 02:15, then 07:15.
        assert_eq!(
            starts(&got),
            ["2024-01-03T02:15:00Z", "2024-01-03T07:15:00Z"]
        );
    }

    #[test]
    fn rebased_expansion_equals_expansion_from_dtstart() {
        // A huge COUNT forces iteration from DTSTART; without it the iterator is rebased.
        let start = timed("2023-03-15T13:45:00Z", BERLIN); // Wednesday 14:45 CET
        let end = timed("2023-03-15T14:15:00Z", BERLIN);
        let rules = [
            "FREQ=DAILY;INTERVAL=3",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=MO",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,WE,FR;BYSETPOS=1,-1",
            "FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU,-1FR",
            "FREQ=MONTHLY;BYMONTHDAY=-1,15",
            "FREQ=YEARLY;INTERVAL=2;BYWEEKNO=1,20;BYDAY=MO",
            "FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;BYHOUR=2;BYMINUTE=30",
            "FREQ=HOURLY;INTERVAL=7",
            "FREQ=HOURLY;INTERVAL=5;BYHOUR=8,9,10,11,12,13;BYDAY=MO,TH",
            "FREQ=MINUTELY;INTERVAL=45;BYDAY=SA;BYMINUTE=0,15,30",
            "FREQ=MINUTELY;INTERVAL=97;BYHOUR=9,10,11",
        ];
        let windows = [
            window("2024-03-25T00:00:00Z", "2024-04-20T00:00:00Z"),
            window("2025-10-20T00:00:00Z", "2025-11-10T00:00:00Z"),
            window("2026-12-20T00:00:00Z", "2027-01-15T00:00:00Z"),
        ];
        for rule in rules {
            let mut seen = 0;
            for w in windows {
                let rebased = run(&start, &end, &[&format!("RRULE:{rule}")], w).unwrap();
                let counted =
                    run(&start, &end, &[&format!("RRULE:{rule};COUNT=150000")], w).unwrap();
                assert_eq!(rebased, counted, "{rule} in {w:?}");
                seen += rebased.len();
            }
            assert!(seen > 0, "{rule}");
        }
    }

    #[test]
    fn minutely_with_byhour_stays_on_its_interval() {
        // Every 97 minutes from 00:00, only in the 9 o'clock hour: 09:42 (582 = 6 * 97) on
        // day one; day two starts at 00:15 (1455 = 15 * 97), so 09:57 (15 + 6 * 97 = 597).
        let start = timed("2024-01-01T00:00:00Z", None);
        let end = timed("2024-01-01T00:05:00Z", None);
        let rule = "RRULE:FREQ=MINUTELY;INTERVAL=97;BYHOUR=9";
        let w = window("2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z");
        let got = run(&start, &end, &[rule], w).unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-01-01T00:00:00Z",
                "2024-01-01T09:42:00Z",
                "2024-01-02T09:57:00Z"
            ]
        );
        // COUNT counts what BYHOUR lets through (DTSTART is not in the 9 o'clock hour, so it
        // uses up one).
        let got = run(&start, &end, &[&format!("{rule};COUNT=2")], w).unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-01T00:00:00Z", "2024-01-01T09:42:00Z"]
        );
    }

    #[test]
    fn invalid_rules_and_zones_are_errors() {
        let start = timed("2024-01-01T09:00:00Z", BERLIN);
        let end = timed("2024-01-01T10:00:00Z", BERLIN);
        let w = window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z");
        for bad in [
            "RRULE:FREQ=SOMETIMES",
            "RRULE:FREQ=WEEKLY;BYDAY=XX",
            "RRULE:INTERVAL=2",
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=40",
            "RRULE:FREQ=DAILY;COUNT=many",
            "RRULE:FREQ=MINUTELY;BYHOUR=24",
            "garbage",
            "DTSTART:20240101T090000Z",
        ] {
            assert!(
                matches!(
                    run(&start, &end, &[bad], w),
                    Err(RecurrenceError::InvalidRule(_))
                ),
                "{bad}"
            );
        }
        for bad in [
            "EXDATE:2024-01-02",
            "RDATE:20241301T090000Z",
            "RRULE:FREQ=DAILY;UNTIL=soon",
        ] {
            assert!(
                matches!(
                    run(&start, &end, &[bad], w),
                    Err(RecurrenceError::InvalidDate(_))
                ),
                "{bad}"
            );
        }
        let start = timed("2024-01-01T09:00:00Z", Some("Mars/Olympus_Mons"));
        assert_eq!(
            run(&start, &end, &["RRULE:FREQ=DAILY"], w),
            Err(RecurrenceError::UnknownTimeZone("Mars/Olympus_Mons".into()))
        );
        let all_day_end = EventTime::Date(date("2024-01-02"));
        assert!(matches!(
            run(&timed("2024-01-01T09:00:00Z", None), &all_day_end, &[], w),
            Err(RecurrenceError::InvalidSeries(_))
        ));
    }

    #[test]
    fn unknown_exdate_tzid_is_read_in_series_zone_and_x_lines_are_ignored() {
        let start = timed("2024-01-08T08:00:00Z", BERLIN);
        let end = timed("2024-01-08T08:30:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &[
                "RRULE:FREQ=DAILY;COUNT=3;X-NAME=whatever",
                "EXDATE;TZID=W. Europe Standard Time:20240109T090000",
                "X-APPLE-STRUCTURED:1",
                "",
            ],
            window("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            ["2024-01-08T08:00:00Z", "2024-01-10T08:00:00Z"]
        );
    }

    #[test]
    fn window_edges() {
        // Daily 09:00-10:00 UTC.
        let start = timed("2024-01-01T09:00:00Z", None);
        let end = timed("2024-01-01T10:00:00Z", None);
        let rule = ["RRULE:FREQ=DAILY"];
        // An instance ending exactly at window.start is excluded; one starting exactly at
        // window.end too; one overlapping the start by a second is kept.
        let got = run(
            &start,
            &end,
            &rule,
            window("2024-01-05T10:00:00Z", "2024-01-07T09:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2024-01-06T09:00:00Z"]);
        let got = run(
            &start,
            &end,
            &rule,
            window("2024-01-05T09:59:59Z", "2024-01-07T09:00:01Z"),
        )
        .unwrap();
        assert_eq!(
            starts(&got),
            [
                "2024-01-05T09:00:00Z",
                "2024-01-06T09:00:00Z",
                "2024-01-07T09:00:00Z"
            ]
        );
        // A window before the series starts, and one that holds only DTSTART's tail.
        assert!(run(
            &start,
            &end,
            &rule,
            window("2023-01-01T00:00:00Z", "2024-01-01T09:00:00Z")
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn long_instances_overlapping_window_start_are_kept() {
        // Weekly, Monday 08:00 for three days (wall clock), far from DTSTART.
        let start = timed("2024-01-01T08:00:00Z", None);
        let end = timed("2024-01-04T08:00:00Z", None);
        let got = run(
            &start,
            &end,
            &["RRULE:FREQ=WEEKLY"],
            window("2025-01-08T00:00:00Z", "2025-01-09T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2025-01-06T08:00:00Z"]);
        assert_eq!(ends(&got), ["2025-01-09T08:00:00Z"]);
    }

    #[test]
    fn series_without_rule_is_its_first_instance() {
        let start = timed("2024-01-01T09:00:00Z", BERLIN);
        let end = timed("2024-01-01T10:00:00Z", BERLIN);
        let got = run(
            &start,
            &end,
            &[],
            window("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(starts(&got), ["2024-01-01T09:00:00Z"]);
    }

    #[test]
    fn value_parsers() {
        assert_eq!(parse_duration("PT1H30M"), Some(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("-P1W"), Some(TimeDelta::weeks(-1)));
        assert_eq!(parse_duration("P1DT2S"), Some(TimeDelta::seconds(86_402)));
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT5"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(
            IcalTime::parse("20240102"),
            Some(IcalTime::Date(date("2024-01-02")))
        );
        assert_eq!(IcalTime::parse("20240102Z"), None);
        assert_eq!(IcalTime::parse("2024010T1200000"), None);
        assert_eq!(
            resolve_zone("\"Europe/Berlin\""),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            resolve_zone("/citadel.org/20190914_1/Europe/Paris"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(resolve_zone("Pacific Standard Time"), None);
    }
}
