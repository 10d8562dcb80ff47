//! Recurrence lines (`RRULE:`, `EXDATE;TZID=...:`, ...) and the iCalendar values in them:
//! DATE, DATE-TIME and DURATION.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::RecurrenceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineKind {
    RRule,
    ExRule,
    RDate,
    ExDate,
}

pub(super) struct Line<'a> {
    pub(super) raw: &'a str,
    pub(super) kind: LineKind,
    pub(super) params: Vec<(String, &'a str)>,
    pub(super) value: &'a str,
}

impl<'a> Line<'a> {
    /// `Ok(None)` for blank lines and `X-` extensions.
    pub(super) fn parse(raw: &'a str) -> Result<Option<Self>, RecurrenceError> {
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

    pub(super) fn tzid(&self) -> Option<&'a str> {
        self.params
            .iter()
            .find(|(k, _)| k == "TZID")
            .map(|(_, v)| *v)
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &'a str> {
        self.value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

pub(super) fn find_unquoted(s: &str, needle: char) -> Option<usize> {
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

pub(super) fn split_unquoted(s: &str, separator: char) -> impl Iterator<Item = &str> {
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
pub(super) enum IcalTime {
    Date(NaiveDate),
    Floating(NaiveDateTime),
    Utc(NaiveDateTime),
}

impl IcalTime {
    pub(super) fn parse(value: &str) -> Option<Self> {
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
pub(super) fn parse_duration(value: &str) -> Option<TimeDelta> {
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
