//! The spans of time `upcoming` and `events` ask for, checked so that no argument can overflow
//! a date (a one-line error instead of a panic).

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, Utc};

use super::Result;
use crate::error::EngineError;

/// The longest span `upcoming` looks ahead: ten years.
const MAX_UPCOMING_DAYS: u32 = 3660;
/// The first and last years `events_on_days` takes: far enough for any calendar, near enough
/// that every local midnight and offset stays within chrono's range.
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 9999;

/// From `now` to `days` days later; more than [`MAX_UPCOMING_DAYS`] is refused rather than
/// overflowing.
pub(super) fn upcoming_span(
    now: DateTime<Utc>,
    days: u32,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let end = (days <= MAX_UPCOMING_DAYS)
        .then(|| now.checked_add_signed(Duration::days(i64::from(days))))
        .flatten()
        .ok_or_else(|| {
            EngineError::InvalidRange(format!(
                "cannot look {days} days ahead: at most {MAX_UPCOMING_DAYS}"
            ))
        })?;
    Ok((now, end))
}

/// From the local midnight starting `from` to the one ending `to`; days outside the years
/// [`FIRST_YEAR`] to [`LAST_YEAR`], or `to` before `from`, are refused.
pub(super) fn days_span(from: NaiveDate, to: NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    for day in [from, to] {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
            return Err(EngineError::InvalidRange(format!(
                "{day} is out of range: days must be in the years {FIRST_YEAR} to {LAST_YEAR}"
            )));
        }
    }
    if to < from {
        return Err(EngineError::InvalidRange(format!(
            "the last day ({to}) is before the first ({from})"
        )));
    }
    Ok((local_midnight(from), local_midnight(to + Duration::days(1))))
}

fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    crate::local_time::resolve(day.and_time(chrono::NaiveTime::MIN), &Local)
}
