//! Time zones of recurrence values: IANA names as calendars write them, and conversions
//! between instants and wall-clock times that never panic.

use chrono::{DateTime, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz as Zone;

use crate::local_time;

/// An IANA zone by name, also when written with a vendor prefix
/// (`/mozilla.org/20070129_1/Europe/Berlin`) or quoted.
pub(super) fn resolve_zone(name: &str) -> Option<Zone> {
    let name = name.trim().trim_matches('"');
    if let Ok(zone) = name.parse::<Zone>() {
        return Some(zone);
    }
    name.match_indices('/')
        .find_map(|(i, _)| name[i + 1..].parse::<Zone>().ok())
}

/// The wall-clock time of `utc` in `zone`; at the ends of chrono's range, where the local time
/// would not be representable, the UTC time (instead of chrono's panic).
pub(super) fn to_local(zone: Zone, utc: DateTime<Utc>) -> NaiveDateTime {
    let offset = zone.offset_from_utc_datetime(&utc.naive_utc()).fix();
    utc.naive_utc()
        .checked_add_offset(offset)
        .unwrap_or(utc.naive_utc())
}

/// The instant of a wall-clock time in `zone`, by the engine's one rule (see [`local_time`]).
pub(super) fn to_utc(zone: Zone, local: NaiveDateTime) -> DateTime<Utc> {
    local_time::resolve(local, &zone)
}

/// `at + delta`, saturating at chrono's range instead of panicking.
pub(super) fn add(at: NaiveDateTime, delta: TimeDelta) -> NaiveDateTime {
    at.checked_add_signed(delta)
        .unwrap_or(if delta < TimeDelta::zero() {
            NaiveDateTime::MIN
        } else {
            NaiveDateTime::MAX
        })
}
