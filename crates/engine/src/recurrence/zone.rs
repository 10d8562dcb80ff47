//! Conversions between instants and wall-clock times in a series zone that never panic (zone
//! names are resolved by [`crate::zones::resolve`]).

use chrono::{DateTime, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};

use crate::local_time;
use crate::zones::Zone;

/// The wall-clock time of `utc` in `zone`; at the ends of chrono's range, where the local time
/// would not be representable, the UTC time (instead of chrono's panic).
pub(super) fn to_local(zone: &Zone, utc: DateTime<Utc>) -> NaiveDateTime {
    let offset = zone.offset_from_utc_datetime(&utc.naive_utc()).fix();
    utc.naive_utc()
        .checked_add_offset(offset)
        .unwrap_or(utc.naive_utc())
}

/// The instant of a wall-clock time in `zone`, by the engine's one rule (see [`local_time`]).
pub(super) fn to_utc(zone: &Zone, local: NaiveDateTime) -> DateTime<Utc> {
    local_time::resolve(local, zone)
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
