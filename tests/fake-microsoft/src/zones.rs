//! Time zone names as Outlook uses them: Windows names (`W. Europe Standard Time`) or IANA
//! names, and Graph's `dateTimeTimeZone` local-time text.
//!
//! The Windows names come from CLDR `windowsZones.xml`, territory `001` [CL]; a subset is
//! enough for a fake (the client ships the whole table).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Windows zone name → IANA zone, CLDR territory `001`. [CL]
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("India Standard Time", "Asia/Calcutta"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Eastern Standard Time", "America/New_York"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
];

/// The zone a Windows or IANA name stands for; `None` for names the fake does not know.
pub(crate) fn resolve(name: &str) -> Option<Tz> {
    let name = name.trim();
    let iana = WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(name))
        .map_or(name, |(_, iana)| iana);
    iana.parse().ok()
}

/// Graph's `dateTime` text: a local time with seven fraction digits and no offset. [GZ]
pub(crate) fn graph_local(local: NaiveDateTime) -> String {
    local.format("%Y-%m-%dT%H:%M:%S.0000000").to_string()
}

/// Reads a `dateTime` as Graph writes or accepts it: `2024-05-01T09:00:00`, optionally with
/// a fraction of up to seven digits.
pub(crate) fn parse_local(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// The instant of a local time in `zone`; a time skipped by a DST jump moves forward by the
/// gap, as Outlook shows such events (inferred), an ambiguous one takes the earlier instant.
pub(crate) fn to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    let mut probe = local;
    // A DST gap is at most a few hours; bounded so a bad zone table cannot loop.
    for _ in 0..8 {
        if let Some(at) = zone.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}

/// A window bound as the client sends it: ISO 8601, the offset honoured, none meaning UTC. [GV]
pub(crate) fn parse_window_bound(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    parse_local(text).map(|local| Utc.from_utc_datetime(&local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_iana_names_resolve() {
        let name = |zone: &str| resolve(zone).map(|tz| tz.name());
        assert_eq!(name("W. Europe Standard Time"), Some("Europe/Berlin"));
        assert_eq!(name("pacific standard time"), Some("America/Los_Angeles"));
        assert_eq!(name("India Standard Time"), Some("Asia/Calcutta"));
        assert_eq!(name("UTC"), Some("Etc/UTC"));
        assert_eq!(name("Europe/Paris"), Some("Europe/Paris"));
        assert_eq!(name("tzone://Microsoft/Custom"), None);
    }

    #[test]
    fn local_text_round_trips_with_seven_digits() {
        let local = parse_local("2024-05-01T09:00:00.0000000").expect("local");
        assert_eq!(graph_local(local), "2024-05-01T09:00:00.0000000");
        assert_eq!(parse_local("2024-05-01T09:00:00"), Some(local));
    }

    #[test]
    fn window_bounds_honour_offsets_and_default_to_utc() {
        let utc = parse_window_bound("2024-05-01T00:00:00Z").expect("utc");
        assert_eq!(parse_window_bound("2024-05-01T02:00:00+02:00"), Some(utc));
        assert_eq!(parse_window_bound("2024-05-01T00:00:00"), Some(utc));
        assert_eq!(parse_window_bound("yesterday"), None);
    }

    #[test]
    fn a_time_in_a_dst_gap_moves_forward() {
        let local = parse_local("2024-03-31T02:30:00").expect("local");
        let at = to_utc(local, chrono_tz::Europe::Berlin);
        assert_eq!(at.to_rfc3339(), "2024-03-31T01:00:00+00:00");
    }
}
