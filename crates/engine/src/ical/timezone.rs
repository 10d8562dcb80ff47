//! VTIMEZONE components read into [`ParsedTimezone`]s: the raw TZID and each STANDARD/DAYLIGHT
//! observance's onset, offsets and rule. Turning them into a zone is the time model's job.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty,
};
use chrono::NaiveTime;

use super::value::{offset_seconds, text, times};
use super::{ObservanceKind, ParsedObservance, ParsedTime, ParsedTimezone};

/// Reads one VTIMEZONE of `calendar`. `Err` names what is missing, for the feed's warnings.
pub(crate) fn read_timezone(
    calendar: &ICalendar,
    component: &ICalendarComponent,
) -> Result<ParsedTimezone, String> {
    let tzid = component
        .property(&ICalendarProperty::Tzid)
        .and_then(text)
        .ok_or("VTIMEZONE without TZID")?;
    let mut observances = Vec::new();
    for child in component
        .component_ids
        .iter()
        .filter_map(|id| calendar.component_by_id(*id))
    {
        let kind = match child.component_type {
            ICalendarComponentType::Standard => ObservanceKind::Standard,
            ICalendarComponentType::Daylight => ObservanceKind::Daylight,
            _ => continue,
        };
        let observance = read_observance(kind, child)
            .ok_or_else(|| format!("{}: bad {kind:?} observance", super::short(&tzid)))?;
        observances.push(observance);
    }
    Ok(ParsedTimezone { tzid, observances })
}

fn read_observance(
    kind: ObservanceKind,
    component: &ICalendarComponent,
) -> Option<ParsedObservance> {
    let offset = |property| {
        component
            .property(&property)?
            .values
            .first()?
            .as_partial_date_time()
            .and_then(offset_seconds)
    };
    let mut rdates = Vec::new();
    for entry in component.properties(&ICalendarProperty::Rdate) {
        rdates.extend(times(entry)?.iter().map(wall_clock));
    }
    Some(ParsedObservance {
        kind,
        dtstart: wall_clock(times(component.property(&ICalendarProperty::Dtstart)?)?.first()?),
        offset_from: offset(ICalendarProperty::Tzoffsetfrom)?,
        offset_to: offset(ICalendarProperty::Tzoffsetto)?,
        rrule: component
            .property(&ICalendarProperty::Rrule)
            .and_then(|entry| entry.values.first()?.clone().into_text())
            .map(|rule| rule.into_owned()),
        rdates,
    })
}

/// Observance times are local wall-clock times (RFC 5545 §3.6.5); a `Z` some writers add is
/// ignored, and a date means midnight.
fn wall_clock(time: &ParsedTime) -> chrono::NaiveDateTime {
    match time {
        ParsedTime::Date(date) => date.and_time(NaiveTime::MIN),
        ParsedTime::Utc(utc) => utc.naive_utc(),
        ParsedTime::Local { naive, .. } => *naive,
    }
}
