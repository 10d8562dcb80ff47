//! One VEVENT component read into a [`ParsedEvent`], or the reason it cannot be used.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarParameterName,
    ICalendarParameterValue, ICalendarProperty, ICalendarValue,
};

use super::value::{dates_or_periods, delta, instant, is_blank, param, text, times};
use super::{ParsedAttendee, ParsedEvent, ParsedTime, RecurrenceId};

/// Properties that carry online-meeting links; kept raw for the meeting-link finder.
const MEETING_PROPERTIES: &[&str] = &[
    "CONFERENCE",
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
];

/// The most VALARMs of one event that are read; more are noise (and cost time).
const MAX_ALARMS: usize = 32;

/// Reads one VEVENT of `calendar` (which holds its VALARM sub-components). `Err` is a
/// one-line reason naming the property, for the feed's warnings.
pub(crate) fn read_event(
    calendar: &ICalendar,
    component: &ICalendarComponent,
) -> Result<ParsedEvent, String> {
    let start = component
        .property(&ICalendarProperty::Dtstart)
        .ok_or("no DTSTART")?;
    let mut event = ParsedEvent {
        uid: String::new(),
        recurrence_id: None,
        start: single_time(start).ok_or("bad DTSTART")?,
        end: None,
        duration: None,
        rrules: Vec::new(),
        exrules: Vec::new(),
        rdates: Vec::new(),
        exdates: Vec::new(),
        summary: None,
        description: None,
        location: None,
        url: None,
        status: None,
        transparency: None,
        organizer: None,
        attendees: Vec::new(),
        alarm_minutes: Vec::new(),
        sequence: 0,
        last_modified: None,
        dtstamp: None,
        meeting_properties: Vec::new(),
    };
    for entry in &component.entries {
        let bad = || format!("bad {}", entry.name.as_str());
        match &entry.name {
            ICalendarProperty::Uid => event.uid = text(entry).unwrap_or_default(),
            ICalendarProperty::Dtend => event.end = Some(single_time(entry).ok_or_else(bad)?),
            ICalendarProperty::Duration => {
                event.duration = Some(match entry.values.first() {
                    Some(ICalendarValue::Duration(value)) => delta(value).ok_or_else(bad)?,
                    _ => return Err(bad()),
                });
            }
            ICalendarProperty::RecurrenceId => {
                // The parser keeps RANGE only for its one legal value, THISANDFUTURE, as `true`.
                let range = entry.parameter(&ICalendarParameterName::Range);
                event.recurrence_id = Some(RecurrenceId {
                    time: single_time(entry).ok_or_else(bad)?,
                    this_and_future: matches!(range, Some(ICalendarParameterValue::Bool(true))),
                });
            }
            // An empty recurrence property (`RRULE:` is common in generated feeds) is absent.
            ICalendarProperty::Rrule
            | ICalendarProperty::Exrule
            | ICalendarProperty::Rdate
            | ICalendarProperty::Exdate
                if entry.values.iter().all(is_blank) => {}
            ICalendarProperty::Rrule => event.rrules.push(rule(entry).ok_or_else(bad)?),
            ICalendarProperty::Exrule => event.exrules.push(rule(entry).ok_or_else(bad)?),
            ICalendarProperty::Rdate => {
                event
                    .rdates
                    .extend(dates_or_periods(entry).ok_or_else(bad)?);
            }
            ICalendarProperty::Exdate => event.exdates.extend(times(entry).ok_or_else(bad)?),
            ICalendarProperty::Summary => event.summary = text(entry),
            ICalendarProperty::Description => event.description = text(entry),
            ICalendarProperty::Location => event.location = text(entry),
            ICalendarProperty::Url => event.url = text(entry),
            ICalendarProperty::Status => event.status = text(entry).map(|s| s.to_ascii_uppercase()),
            ICalendarProperty::Transp => {
                event.transparency = text(entry).map(|s| s.to_ascii_uppercase());
            }
            ICalendarProperty::Organizer => event.organizer = Some(attendee(entry)),
            ICalendarProperty::Attendee => event.attendees.push(attendee(entry)),
            // A broken SEQUENCE is read as 0, the RFC's default, rather than losing the event.
            ICalendarProperty::Sequence => {
                event.sequence = entry
                    .values
                    .first()
                    .and_then(|v| v.as_integer())
                    .unwrap_or(0);
            }
            ICalendarProperty::LastModified => event.last_modified = instant(entry),
            ICalendarProperty::Dtstamp => event.dtstamp = instant(entry),
            ICalendarProperty::Conference => push_meeting(&mut event, "CONFERENCE", entry),
            ICalendarProperty::Other(name) => {
                if let Some(known) = MEETING_PROPERTIES
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(name))
                {
                    push_meeting(&mut event, known, entry);
                }
            }
            _ => {}
        }
    }
    for alarm in component
        .component_ids
        .iter()
        .filter_map(|id| calendar.component_by_id(*id))
        .filter(|child| child.component_type == ICalendarComponentType::VAlarm)
        .take(MAX_ALARMS)
    {
        event.alarm_minutes.extend(alarm_minutes(alarm));
    }
    Ok(event)
}

/// Minutes before the start at which a VALARM shows or sounds, when its TRIGGER is a duration
/// relative to the start (RFC 5545 §3.8.6.3: `-PT10M`, or `PT0S` at the start). An alarm that
/// e-mails, fires at an absolute time, after the start or relative to the end says nothing
/// about "how long before it starts".
fn alarm_minutes(alarm: &ICalendarComponent) -> Option<i64> {
    let action = alarm.property(&ICalendarProperty::Action).and_then(text)?;
    if !["DISPLAY", "AUDIO"].contains(&action.to_ascii_uppercase().as_str()) {
        return None;
    }
    let trigger = alarm.property(&ICalendarProperty::Trigger)?;
    if param(trigger, &ICalendarParameterName::Related)
        .is_some_and(|related| related.eq_ignore_ascii_case("END"))
    {
        return None;
    }
    let Some(ICalendarValue::Duration(duration)) = trigger.values.first() else {
        return None;
    };
    let before = -delta(duration)?.num_seconds();
    (before >= 0).then_some(before / 60)
}

/// The one date or date-time of `DTSTART`, `DTEND` or `RECURRENCE-ID`.
fn single_time(entry: &ICalendarEntry) -> Option<ParsedTime> {
    let mut values = times(entry)?;
    (values.len() == 1).then(|| values.remove(0))
}

/// An `RRULE`/`EXRULE` written back in canonical form; a value the parser could not read as a
/// rule is an error, so the event is skipped rather than shown with a wrong recurrence.
fn rule(entry: &ICalendarEntry) -> Option<String> {
    match entry.values.first() {
        Some(ICalendarValue::RecurrenceRule(rule)) => Some(rule.to_string()),
        _ => None,
    }
}

fn attendee(entry: &ICalendarEntry) -> ParsedAttendee {
    ParsedAttendee {
        address: text(entry).unwrap_or_default(),
        name: param(entry, &ICalendarParameterName::Cn).map(str::to_owned),
        partstat: param(entry, &ICalendarParameterName::Partstat).map(str::to_ascii_uppercase),
        role: param(entry, &ICalendarParameterName::Role).map(str::to_ascii_uppercase),
    }
}

fn push_meeting(event: &mut ParsedEvent, name: &str, entry: &ICalendarEntry) {
    if let Some(value) = text(entry) {
        event.meeting_properties.push((name.to_owned(), value));
    }
}
