//! One RRULE or EXRULE: parsing it against the series' DTSTART, and walking its occurrences
//! from the last whole period before the window, within the series' step budget.

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike,
    Weekday,
};
use rrule::{Frequency, RRule, RRuleSet, Unvalidated, Validated};

use super::clock::Mode;
use super::lines::IcalTime;
use super::zone::to_local;
use super::{Budget, RecurrenceError};

pub(super) struct Rule {
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
    pub(super) fn parse(value: &str, raw: &str, mode: &Mode<'_>) -> Result<Self, RecurrenceError> {
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

    pub(super) fn passes_limiters(&self, local: NaiveDateTime) -> bool {
        let (hours, minutes) = &self.limiters;
        (hours.is_empty() || hours.contains(&local.hour()))
            && (minutes.is_empty() || minutes.contains(&local.minute()))
    }

    /// Calls `accept` with each occurrence (a wall-clock time) in `[lower, upper]`, in order,
    /// until `accept` has returned true `cap` times or `budget` runs out. With
    /// `counts_dtstart`, a DTSTART that the rule does not generate uses up one of the rule's
    /// `COUNT`.
    #[allow(clippy::too_many_arguments)] // each is one aspect of the walk; a struct adds nothing
    pub(super) fn occurrences(
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
pub(super) fn periods_between(
    rule: &RRule<Validated>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> u64 {
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
pub(super) fn rebase(
    rule: &RRule<Validated>,
    dtstart: NaiveDateTime,
    lower: NaiveDateTime,
) -> NaiveDateTime {
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

pub(super) fn whole_weeks(interval: i64, days: i64) -> i64 {
    let step = interval * 7;
    days.div_euclid(step) * step
}

pub(super) fn week_start_on_or_before(date: NaiveDate, week_start: Weekday) -> NaiveDate {
    let back = (date.weekday().num_days_from_monday() + 7 - week_start.num_days_from_monday()) % 7;
    date - Days::new(u64::from(back))
}

/// UNTIL as a wall-clock time of the series (see the module header).
pub(super) fn lenient_until(value: &str, mode: &Mode<'_>) -> Option<NaiveDateTime> {
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
/// then each occurrence is placed in the series zone by [`super::zone::to_utc`].
pub(super) fn floating(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}
