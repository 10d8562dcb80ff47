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
//!   (autumn overlap) is its first occurrence: the engine's one rule, [`crate::local_time`].
//! - EXDATEs match timed instances by instant; a DATE EXDATE on a timed series removes the
//!   instances on that local date in the series zone; on an all-day series every EXDATE and
//!   RDATE is reduced to the date it is written with. TZIDs are resolved by
//!   [`crate::zones::resolve`] (IANA, vendor-prefixed IANA, Windows, the calendar's VTIMEZONEs);
//!   a TZID it does not know makes the value floating, i.e. read in the series zone
//!   (PROVIDERS-more.md §D); an unknown zone on the series itself is an error.
//! - A DTEND in the series zone ends each instance at the same wall-clock duration after its
//!   start (as Google shows series across DST); a DTEND in another zone gives every instance
//!   the first one's exact duration and keeps that zone on the end (RFC 5545 §3.8.5.3).
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
//! - A floating series (`EventTime::Floating` start and end) is expanded on wall-clock time
//!   with no zone and yields floating instances, tested against the window with a day of slack
//!   (like all-day ones), since the viewer's zone places them only when they are shown.
//! - Unknown `X-` lines and `X-` rule parts are ignored; any other unknown line is an error.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::model::{EventTime, SyncWindow};
use crate::zones::ZoneDefinitions;
use clock::Mode;
use lines::{Line, LineKind};
use rule::Rule;

mod clock;
mod lines;
mod rule;
mod zone;

/// A series master, as far as expansion needs it.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Start of the first instance: a `DateTime` whose `tz` names the zone the rule is expanded
    /// in (UTC when absent; resolved by [`crate::zones::resolve`]), or a `Date` for an all-day
    /// series.
    pub start: &'a EventTime,
    /// End of the first instance (an exclusive `Date` for an all-day series). A `tz` other than
    /// the start's is kept on every instance's end, and instances then keep the first one's
    /// exact duration.
    pub end: &'a EventTime,
    /// Google-style recurrence lines: `RRULE:...`, `EXRULE:...`, `RDATE[;params]:v1,v2`,
    /// `EXDATE[;params]:v1,v2`. No `DTSTART` line.
    pub recurrence: &'a [String],
    /// The VTIMEZONEs of the series' calendar, for TZIDs that are neither IANA nor Windows
    /// names (empty for providers that only send IANA names, such as Google).
    pub zones: &'a ZoneDefinitions,
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod zone_tests;
