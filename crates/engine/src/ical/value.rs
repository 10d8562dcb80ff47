//! Conversions from the parser's typed values (`calcard`) to this layer's own types: times,
//! periods, durations, parameters and text.

use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendarDuration, ICalendarEntry, ICalendarParameterName, ICalendarPeriod, ICalendarValue,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::{ParsedDateOrPeriod, ParsedTime};

/// The text of a parameter (`TZID`, `RANGE`, `PARTSTAT`, `CN`, …), if present.
pub(crate) fn param<'a>(
    entry: &'a ICalendarEntry,
    name: &ICalendarParameterName,
) -> Option<&'a str> {
    entry.parameter(name).and_then(|value| value.as_text())
}

/// The first value of a property as text (unescaped by the parser).
pub(crate) fn text(entry: &ICalendarEntry) -> Option<String> {
    entry
        .values
        .first()
        .and_then(|value| value.clone().into_text())
        .map(|text| text.into_owned())
}

/// A DATE or DATE-TIME value. A `Z` (or, leniently, any offset) gives an instant; otherwise the
/// `TZID` parameter is kept raw, and its absence means a floating time (RFC 5545 §3.3.5).
pub(crate) fn time(value: &PartialDateTime, tzid: Option<&str>) -> Option<ParsedTime> {
    let date = NaiveDate::from_ymd_opt(
        i32::from(value.year?),
        u32::from(value.month?),
        u32::from(value.day?),
    )?;
    if !value.has_time() {
        return Some(ParsedTime::Date(date));
    }
    // A leap second (60) is read as 59 rather than dropping the value.
    let clock = NaiveTime::from_hms_opt(
        u32::from(value.hour?),
        u32::from(value.minute?),
        u32::from(value.second.unwrap_or(0).min(59)),
    )?;
    let naive = NaiveDateTime::new(date, clock);
    if value.has_zone() {
        let offset = TimeDelta::seconds(offset_seconds(value)?.into());
        let utc = naive.checked_sub_signed(offset)?;
        return Some(ParsedTime::Utc(DateTime::from_naive_utc_and_offset(
            utc, Utc,
        )));
    }
    Some(ParsedTime::Local {
        naive,
        tzid: tzid.map(str::to_owned),
    })
}

/// A UTC-OFFSET value (`TZOFFSETFROM`, `TZOFFSETTO`) in seconds east of UTC.
/// Out-of-range offsets (`+5744`, seen in broken exports) are `None`: RFC 5545 §3.3.14 allows
/// hours 00–23 and minutes 00–59, and a zone 57 hours off UTC would misplace every event in it.
pub(crate) fn offset_seconds(value: &PartialDateTime) -> Option<i32> {
    let (hours, minutes) = (value.tz_hour?, value.tz_minute.unwrap_or(0));
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = i32::from(hours) * 3600 + i32::from(minutes) * 60;
    Some(if value.tz_minus { -seconds } else { seconds })
}

/// An empty value (`RRULE:`, `EXDATE;VALUE=DATE:`, the gap in `a,,b`): writers emit these, and
/// they say nothing, so they are dropped rather than treated as broken.
pub(crate) fn is_blank(value: &ICalendarValue) -> bool {
    matches!(value, ICalendarValue::Text(text) if text.trim().is_empty())
}

/// Every value of a date or date-time list property (`EXDATE`, `RDATE`, `RECURRENCE-ID`,
/// `DTSTART`), several per line allowed. `None` when any value is not a date.
pub(crate) fn times(entry: &ICalendarEntry) -> Option<Vec<ParsedTime>> {
    let tzid = param(entry, &ICalendarParameterName::Tzid);
    entry
        .values
        .iter()
        .filter(|value| !is_blank(value))
        .map(|value| match value {
            ICalendarValue::PartialDateTime(value) => time(value, tzid),
            _ => None,
        })
        .collect()
}

/// The values of an `RDATE`: dates, date-times or periods. `None` when any value is none of them.
pub(crate) fn dates_or_periods(entry: &ICalendarEntry) -> Option<Vec<ParsedDateOrPeriod>> {
    let tzid = param(entry, &ICalendarParameterName::Tzid);
    entry
        .values
        .iter()
        .map(|value| match value {
            ICalendarValue::PartialDateTime(value) => {
                time(value, tzid).map(ParsedDateOrPeriod::Time)
            }
            ICalendarValue::Period(ICalendarPeriod::Range { start, end }) => {
                Some(ParsedDateOrPeriod::Period {
                    start: time(start, tzid)?,
                    end: time(end, tzid)?,
                })
            }
            ICalendarValue::Period(ICalendarPeriod::Duration { start, duration }) => {
                Some(ParsedDateOrPeriod::PeriodFor {
                    start: time(start, tzid)?,
                    duration: delta(duration)?,
                })
            }
            _ => None,
        })
        .collect()
}

/// A DURATION value. Weeks and days are kept as whole days (nominal: `P1D` across a DST change
/// is one calendar day, a rule the expander applies).
pub(crate) fn delta(value: &ICalendarDuration) -> Option<TimeDelta> {
    let seconds = i64::from(value.weeks) * 7 * 86_400
        + i64::from(value.days) * 86_400
        + i64::from(value.hours) * 3600
        + i64::from(value.minutes) * 60
        + i64::from(value.seconds);
    TimeDelta::try_seconds(if value.neg { -seconds } else { seconds })
}

/// A DATE-TIME that must be UTC (`DTSTAMP`, `LAST-MODIFIED`); a floating one is read as UTC,
/// as writers that omit the `Z` mean it.
pub(crate) fn instant(entry: &ICalendarEntry) -> Option<DateTime<Utc>> {
    match times(entry)?.first()? {
        ParsedTime::Utc(utc) => Some(*utc),
        ParsedTime::Local { naive, .. } => Some(naive.and_utc()),
        ParsedTime::Date(date) => Some(date.and_time(NaiveTime::MIN).and_utc()),
    }
}
