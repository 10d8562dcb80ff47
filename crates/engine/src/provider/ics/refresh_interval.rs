//! The poll interval a feed suggests: `REFRESH-INTERVAL;VALUE=DURATION:…` (RFC 7986) or
//! Microsoft's `X-PUBLISHED-TTL:…`, read from the calendar's own properties by a light line
//! scan (the iCalendar parser may take this over) and clamped to [15 minutes, 1 day] so a feed
//! can neither hammer its server through us nor stall for weeks.

use std::time::Duration;

/// The shortest interval a feed may ask for.
pub const MIN_REFRESH: Duration = Duration::from_secs(15 * 60);
/// The longest interval a feed may ask for.
pub const MAX_REFRESH: Duration = Duration::from_secs(24 * 60 * 60);

/// The clamped interval the calendar suggests, if it names one. `REFRESH-INTERVAL` (the
/// standard) wins over `X-PUBLISHED-TTL`.
pub fn suggested_refresh(body: &str) -> Option<Duration> {
    let mut standard = None;
    let mut microsoft = None;
    // Depth 1 is inside VCALENDAR and outside its components: only calendar properties count.
    let mut depth = 0usize;
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        let Some((head, value)) = line.split_once(':') else {
            continue;
        };
        let name = head.split(';').next().unwrap_or(head).trim();
        if name.eq_ignore_ascii_case("BEGIN") {
            depth += 1;
        } else if name.eq_ignore_ascii_case("END") {
            depth = depth.saturating_sub(1);
        } else if depth == 1 && name.eq_ignore_ascii_case("REFRESH-INTERVAL") {
            standard = standard.or_else(|| parse_duration(value));
        } else if depth == 1 && name.eq_ignore_ascii_case("X-PUBLISHED-TTL") {
            microsoft = microsoft.or_else(|| parse_duration(value));
        }
    }
    standard
        .or(microsoft)
        .map(|d| d.clamp(MIN_REFRESH, MAX_REFRESH))
}

/// An RFC 5545 DURATION (`P1W`, `P1DT2H`, `PT30M`, `+PT1H`). Negative or malformed values are
/// no suggestion at all.
fn parse_duration(value: &str) -> Option<Duration> {
    let value = value.trim();
    let rest = value.strip_prefix('+').unwrap_or(value);
    let rest = rest.strip_prefix('P').or_else(|| rest.strip_prefix('p'))?;
    let mut seconds: u64 = 0;
    let mut number: Option<u64> = None;
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            d @ '0'..='9' => {
                let digit = u64::from(d as u8 - b'0');
                number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(digit)?);
            }
            'T' if !in_time && number.is_none() => in_time = true,
            unit => {
                let scale = match (unit, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                seconds = seconds.checked_add(number.take()?.checked_mul(scale)?)?;
                any = true;
            }
        }
    }
    (any && number.is_none()).then(|| Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(props: &str) -> String {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{props}BEGIN:VEVENT\r\nUID:1\r\n\
             REFRESH-INTERVAL;VALUE=DURATION:PT2H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    }

    #[test]
    fn reads_refresh_interval_and_published_ttl() {
        let hour = Duration::from_secs(3600);
        assert_eq!(
            suggested_refresh(&feed("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n")),
            Some(hour)
        );
        assert_eq!(
            suggested_refresh(&feed("X-PUBLISHED-TTL:PT1H\r\n")),
            Some(hour)
        );
        // The standard property wins over Microsoft's.
        assert_eq!(
            suggested_refresh(&feed(
                "X-PUBLISHED-TTL:PT3H\r\nrefresh-interval;value=duration:P0DT1H0M0S\r\n"
            )),
            Some(hour)
        );
    }

    #[test]
    fn properties_of_events_and_bad_values_are_no_suggestion() {
        assert_eq!(suggested_refresh(&feed("")), None);
        assert_eq!(suggested_refresh(&feed("X-PUBLISHED-TTL:-PT1H\r\n")), None);
        assert_eq!(suggested_refresh(&feed("X-PUBLISHED-TTL:PT1X\r\n")), None);
        assert_eq!(suggested_refresh(&feed("X-PUBLISHED-TTL:P\r\n")), None);
        assert_eq!(suggested_refresh(&feed("X-PUBLISHED-TTL:PT1\r\n")), None);
        assert_eq!(
            suggested_refresh(&feed("X-PUBLISHED-TTL:PT99999999999999999999H\r\n")),
            None
        );
    }

    #[test]
    fn suggestions_are_clamped_to_15_minutes_and_a_day() {
        assert_eq!(
            suggested_refresh(&feed("X-PUBLISHED-TTL:PT1M\r\n")),
            Some(MIN_REFRESH)
        );
        assert_eq!(
            suggested_refresh(&feed("REFRESH-INTERVAL;VALUE=DURATION:P1W\r\n")),
            Some(MAX_REFRESH)
        );
        assert_eq!(
            suggested_refresh(&feed("REFRESH-INTERVAL;VALUE=DURATION:PT0S\r\n")),
            Some(MIN_REFRESH)
        );
    }
}
