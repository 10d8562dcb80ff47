//! The iCalendar parsing layer: an `.ics` body in, a [`ParsedFeed`] out — calendar properties,
//! VTIMEZONE definitions and VEVENTs grouped into resources by UID (a master plus its
//! overrides). Tolerant by design: it never panics and never fails a whole feed; a component it
//! cannot use is skipped with a warning naming its UID.
//!
//! Lexing and value parsing are `calcard`'s (Stalwart's RFC 5545 parser, lenient mode); this
//! layer unfolds the bytes first (so a fold inside a UTF-8 character survives) and keeps its own
//! types, so the engine's model never depends on the crate. Times keep their raw TZID: resolving
//! zones (IANA, Windows, VTIMEZONE, X-WR-TIMEZONE, floating) belongs to the time model.

mod event;
mod group;
mod pieces;
mod rule_parts;
mod timezone;
mod unfold;
mod value;

use std::collections::HashMap;

use calcard::icalendar::{ICalendar, ICalendarComponentType, ICalendarProperty};
use calcard::{Entry, Parser};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// Everything read from one feed body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFeed {
    /// `NAME` (RFC 7986), else `X-WR-CALNAME`.
    pub name: Option<String>,
    /// `COLOR` (RFC 7986: a CSS3 colour name), else Apple's `X-APPLE-CALENDAR-COLOR` (hex), as
    /// written.
    pub color: Option<String>,
    /// `X-WR-TIMEZONE`: the zone floating times of the feed are read in.
    pub wr_timezone: Option<String>,
    pub timezones: Vec<ParsedTimezone>,
    /// One per UID, in order of first appearance.
    pub resources: Vec<ParsedResource>,
    /// One line per skipped component, dropped duplicate or unreadable line.
    pub warnings: Vec<String>,
}

/// A VTIMEZONE: its TZID as written and its observances.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTimezone {
    pub tzid: String,
    pub observances: Vec<ParsedObservance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservanceKind {
    Standard,
    Daylight,
}

/// A STANDARD or DAYLIGHT sub-component (RFC 5545 §3.6.5).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedObservance {
    pub kind: ObservanceKind,
    /// The first onset, in the local time in force before it.
    pub dtstart: NaiveDateTime,
    /// Seconds east of UTC.
    pub offset_from: i32,
    pub offset_to: i32,
    pub rrule: Option<String>,
    pub rdates: Vec<NaiveDateTime>,
}

/// The events sharing one UID: the series (or single event) and its overrides. Either may be
/// missing: a feed can carry overrides whose master it does not include.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedResource {
    /// Empty for events without a UID (each is then its own resource).
    pub uid: String,
    pub master: Option<ParsedEvent>,
    pub overrides: Vec<ParsedEvent>,
}

/// A date or date-time value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedTime {
    /// `VALUE=DATE`: an all-day value.
    Date(NaiveDate),
    /// A `Z` (or explicit offset) time.
    Utc(DateTime<Utc>),
    /// A local time in the raw `tzid`, or floating (`None`, RFC 5545 §3.3.5).
    Local {
        naive: NaiveDateTime,
        tzid: Option<String>,
    },
}

/// One `RDATE` value (RFC 5545 §3.8.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedDateOrPeriod {
    Time(ParsedTime),
    /// `start/end`.
    Period {
        start: ParsedTime,
        end: ParsedTime,
    },
    /// `start/duration`.
    PeriodFor {
        start: ParsedTime,
        duration: TimeDelta,
    },
}

/// A `RECURRENCE-ID`: the original start of the instance an override replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurrenceId {
    pub time: ParsedTime,
    /// `RANGE=THISANDFUTURE` (RFC 5545 §3.2.13): the override also applies to later instances.
    pub this_and_future: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAttendee {
    /// The calendar address as written (usually `mailto:…`).
    pub address: String,
    pub name: Option<String>,
    /// `PARTSTAT`, upper case.
    pub partstat: Option<String>,
    /// `ROLE`, upper case (`OPT-PARTICIPANT` for an optional attendee).
    pub role: Option<String>,
}

/// One VEVENT. Text is unescaped but otherwise raw: the display layer makes it safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEvent {
    pub uid: String,
    pub recurrence_id: Option<RecurrenceId>,
    pub start: ParsedTime,
    pub end: Option<ParsedTime>,
    /// `DURATION`, used when there is no `DTEND`.
    pub duration: Option<TimeDelta>,
    /// Raw `RRULE` values in canonical form (several are legal in RFC 2445 and seen in the wild).
    pub rrules: Vec<String>,
    pub exrules: Vec<String>,
    pub rdates: Vec<ParsedDateOrPeriod>,
    pub exdates: Vec<ParsedTime>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    /// `STATUS`, upper case (`CONFIRMED`, `TENTATIVE`, `CANCELLED`).
    pub status: Option<String>,
    /// `TRANSP`, upper case (`OPAQUE`, `TRANSPARENT`).
    pub transparency: Option<String>,
    /// `ORGANIZER` (address and `CN`; no `PARTSTAT` or `ROLE`).
    pub organizer: Option<ParsedAttendee>,
    pub attendees: Vec<ParsedAttendee>,
    /// The lead times, in minutes before the start, of the VALARMs that show or sound
    /// (`ACTION:DISPLAY`/`AUDIO`) with a TRIGGER relative to the start; e-mail alarms,
    /// absolute triggers and triggers on the end are left out.
    pub alarm_minutes: Vec<i64>,
    /// `SEQUENCE`, 0 when absent (RFC 5545 §3.8.7.4).
    pub sequence: i64,
    pub last_modified: Option<DateTime<Utc>>,
    pub dtstamp: Option<DateTime<Utc>>,
    /// Meeting-link properties (`CONFERENCE`, `X-GOOGLE-CONFERENCE`, Teams/Skype URLs) as
    /// (upper-case name, value).
    pub meeting_properties: Vec<(String, String)>,
}

/// Parses an iCalendar body (any line ends, folded or not, one or several VCALENDARs).
pub fn parse(bytes: &[u8]) -> ParsedFeed {
    let text = unfold::unfold(bytes);
    let bad_rules = rule_parts::unknown_rule_parts(&text);
    let (mut feed, events) = match pieces::pieces(&text) {
        Some(pieces) if pieces.len() >= PARALLEL_PIECES && two_cores() => {
            // Two halves on two threads, joined in order: the same result as one pass.
            let (first, second) = pieces.split_at(pieces.len() / 2);
            let (mut feed, mut events, later) = std::thread::scope(|scope| {
                let later = scope.spawn(|| read_pieces(second, &bad_rules));
                let (feed, events) = read_pieces(first, &bad_rules);
                (feed, events, later.join())
            });
            // A parser that panics does so on this thread too.
            let (later, later_events) = later.unwrap_or_else(|_| read_pieces(second, &bad_rules));
            feed.merge_later(later);
            events.extend(later_events);
            (feed, events)
        }
        Some(pieces) => read_pieces(&pieces, &bad_rules),
        None => {
            let (mut feed, mut events) = (ParsedFeed::default(), Vec::new());
            read_entries(&text, &bad_rules, &mut feed, &mut events);
            (feed, events)
        }
    };
    feed.resources = group::by_uid(events, &mut feed.warnings);
    cap_warnings(&mut feed.warnings);
    feed
}

/// Feeds of at least this many pieces (components) are parsed on two threads: a large feed
/// parses in about half the time, a small one is not worth a thread.
const PARALLEL_PIECES: usize = 2_000;

fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// Reads `pieces` in order: the calendar properties and warnings, and the events.
fn read_pieces(
    pieces: &[pieces::Piece<'_>],
    bad_rules: &HashMap<String, String>,
) -> (ParsedFeed, Vec<ParsedEvent>) {
    let mut feed = ParsedFeed::default();
    let mut events = Vec::new();
    for piece in pieces {
        let text = match piece {
            pieces::Piece::Properties(text) => text.as_str(),
            pieces::Piece::Component(text) => text,
        };
        read_entries(text, bad_rules, &mut feed, &mut events);
    }
    (feed, events)
}

impl ParsedFeed {
    /// Adds what a later part of the same body held: properties it names that this part did
    /// not (the first calendar to name a value wins), its zones and its warnings.
    fn merge_later(&mut self, later: ParsedFeed) {
        self.name = self.name.take().or(later.name);
        self.color = self.color.take().or(later.color);
        self.wr_timezone = self.wr_timezone.take().or(later.wr_timezone);
        self.timezones.extend(later.timezones);
        self.resources.extend(later.resources);
        self.warnings.extend(later.warnings);
    }
}

/// Reads every entry of `text` with calcard.
fn read_entries(
    text: &str,
    bad_rules: &HashMap<String, String>,
    feed: &mut ParsedFeed,
    events: &mut Vec<ParsedEvent>,
) {
    let mut parser = Parser::new(text);
    loop {
        match parser.entry() {
            Entry::ICalendar(calendar) => read_calendar(&calendar, bad_rules, feed, events),
            Entry::Eof => break,
            Entry::InvalidLine(line) => feed.warnings.push(format!(
                "unreadable line outside a calendar: {}",
                short(&line)
            )),
            // A vCard in an iCalendar feed is someone else's data.
            Entry::VCard(_) => feed.warnings.push("vCard ignored".to_owned()),
            // The lenient parser closes components itself, so what is left (an unterminated
            // component, too many components, variants added later) ends the input.
            _ => {
                feed.warnings
                    .push("truncated calendar: rest of the feed ignored".to_owned());
                break;
            }
        }
    }
}

/// Warnings are for a log line or a status message; a garbage body (an HTML page, a binary)
/// would otherwise yield one per line.
const MAX_WARNINGS: usize = 50;

fn cap_warnings(warnings: &mut Vec<String>) {
    if warnings.len() > MAX_WARNINGS {
        let more = warnings.len() - MAX_WARNINGS;
        warnings.truncate(MAX_WARNINGS);
        warnings.push(format!("… and {more} more warnings"));
    }
}

/// Reads one top-level entry: usually a VCALENDAR, but bare VEVENTs occur too. `bad_rules`
/// names the UIDs whose rules have a part the parser dropped (see [`rule_parts`]).
fn read_calendar(
    calendar: &ICalendar,
    bad_rules: &HashMap<String, String>,
    feed: &mut ParsedFeed,
    events: &mut Vec<ParsedEvent>,
) {
    for component in &calendar.components {
        match component.component_type {
            ICalendarComponentType::VCalendar => read_calendar_properties(component, feed),
            ICalendarComponentType::VTimezone => {
                match timezone::read_timezone(calendar, component) {
                    Ok(zone) => feed.timezones.push(zone),
                    Err(reason) => feed.warnings.push(format!("VTIMEZONE skipped: {reason}")),
                }
            }
            ICalendarComponentType::VEvent => match event::read_event(calendar, component) {
                Ok(event) if !event.rrules.is_empty() || !event.exrules.is_empty() => {
                    match bad_rules.get(&event.uid) {
                        Some(part) => feed.warnings.push(format!(
                            "event {} skipped: bad RRULE (unknown part {part})",
                            short(&event.uid)
                        )),
                        None => events.push(event),
                    }
                }
                Ok(event) => events.push(event),
                Err(reason) => feed.warnings.push(format!(
                    "event {} skipped: {reason}",
                    component.uid().map_or("without UID".to_owned(), short)
                )),
            },
            // VTODO, VJOURNAL, VFREEBUSY, VALARM, observances (read with their VTIMEZONE), …
            _ => {}
        }
    }
}

/// Calendar-level properties; the first calendar that names a value wins.
fn read_calendar_properties(
    component: &calcard::icalendar::ICalendarComponent,
    feed: &mut ParsedFeed,
) {
    let mut wr_calname = None;
    let mut apple_color = None;
    for entry in &component.entries {
        let slot = match &entry.name {
            ICalendarProperty::Name => &mut feed.name,
            ICalendarProperty::Color => &mut feed.color,
            ICalendarProperty::Other(name) if name.eq_ignore_ascii_case("X-WR-CALNAME") => {
                &mut wr_calname
            }
            ICalendarProperty::Other(name) if name.eq_ignore_ascii_case("X-WR-TIMEZONE") => {
                &mut feed.wr_timezone
            }
            ICalendarProperty::Other(name)
                if name.eq_ignore_ascii_case("X-APPLE-CALENDAR-COLOR") =>
            {
                &mut apple_color
            }
            _ => continue,
        };
        if slot.is_none() {
            *slot = value::text(entry).filter(|text| !text.trim().is_empty());
        }
    }
    if feed.name.is_none() {
        feed.name = wr_calname;
    }
    if feed.color.is_none() {
        feed.color = apple_color;
    }
}

/// A value cut to a length fit for a one-line warning, control characters made safe.
fn short(text: &str) -> String {
    const MAX: usize = 60;
    let text = crate::text::one_line(text);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests;
