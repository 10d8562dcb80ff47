//! The one rule for turning a wall-clock time in a zone into an instant.
//!
//! Every place that reads a local time (a `dateTime` without an offset from Google, a
//! recurrence's wall-clock occurrences, the local midnight that starts an all-day event or a
//! day of the agenda) goes through [`resolve`], so they agree on the two awkward cases:
//!
//! - **Gap** (the wall time does not exist: spring forward, a midnight transition as in
//!   America/Havana, or a whole skipped day as Pacific/Apia's 2011-12-30): the time is read with
//!   the UTC offset in force *before* the gap (RFC 5545 §3.3.5), which lands it as far after
//!   the gap as it was into it: Berlin's 02:30 on a spring-forward night is 03:30 CEST, and
//!   Havana's midnight on its spring-forward day is 01:00 CDT. So an all-day event on such a
//!   day still starts on that day, never disappears.
//! - **Overlap** (the wall time happens twice: fall back): the first occurrence (RFC 5545).

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};

/// The instant of wall-clock time `local` in `tz` (see the module header for gaps and
/// overlaps). Never fails: at the ends of chrono's range it reads `local` as UTC.
pub fn resolve<Tz: TimeZone>(local: NaiveDateTime, tz: &Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => {
            first.with_timezone(&Utc).min(second.with_timezone(&Utc))
        }
        LocalResult::None => in_gap(local, tz).unwrap_or_else(|| local.and_utc()),
    }
}

/// `local` read with the offset of the last wall time before the gap. That wall time is found
/// by stepping back 1, 2, 4 … minutes (up to about 34 hours, more than the longest gap in the
/// time zone database, Apia's 24 hours), so it is close to the gap and in the same offset.
fn in_gap<Tz: TimeZone>(local: NaiveDateTime, tz: &Tz) -> Option<DateTime<Utc>> {
    let mut back = TimeDelta::minutes(1);
    for _ in 0..12 {
        let probe = local.checked_sub_signed(back)?;
        if let Some(before) = tz.from_local_datetime(&probe).latest() {
            let offset = TimeDelta::seconds(i64::from(before.offset().fix().local_minus_utc()));
            return local.checked_sub_signed(offset).map(|t| t.and_utc());
        }
        back = back * 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::{America, Europe, Pacific};

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn ordinary_times_are_exact() {
        assert_eq!(
            resolve(local("2026-07-01T09:00"), &Europe::Berlin),
            utc("2026-07-01T07:00:00Z")
        );
        assert_eq!(
            resolve(local("2026-07-01T09:00"), &Utc),
            utc("2026-07-01T09:00:00Z")
        );
    }

    #[test]
    fn a_time_in_a_gap_takes_the_offset_before_it() {
        // Berlin springs forward at 02:00 CET to 03:00 CEST: 02:30 is 02:30+01:00 = 03:30 CEST.
        assert_eq!(
            resolve(local("2026-03-29T02:30"), &Europe::Berlin),
            utc("2026-03-29T01:30:00Z")
        );
    }

    #[test]
    fn a_time_in_an_overlap_is_its_first_occurrence() {
        // Berlin falls back at 03:00 CEST to 02:00 CET: 02:30 happens at +02:00 first.
        assert_eq!(
            resolve(local("2026-10-25T02:30"), &Europe::Berlin),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn a_missing_midnight_starts_the_day_when_the_clocks_resume() {
        // Havana springs forward at midnight (00:00 CST -> 01:00 CDT) on 2026-03-08.
        assert_eq!(
            resolve(local("2026-03-08T00:00"), &America::Havana),
            utc("2026-03-08T05:00:00Z")
        );
        // Santiago springs forward at midnight on the first Sunday from 2 September
        // (2026-09-06 00:00 -04 -> 01:00 -03).
        assert_eq!(
            resolve(local("2026-09-06T00:00"), &America::Santiago),
            utc("2026-09-06T04:00:00Z")
        );
    }

    #[test]
    fn a_whole_missing_day_maps_to_the_next_day() {
        // Samoa skipped 2011-12-30 (from 23:59:59 -10:00 on the 29th to 00:00 +14:00 on the
        // 31st): its midnight read at -10:00 is the start of the 31st.
        let midnight = NaiveDate::from_ymd_opt(2011, 12, 30)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let at = resolve(midnight, &Pacific::Apia);
        assert_eq!(at, utc("2011-12-30T10:00:00Z"));
        assert_eq!(
            at.with_timezone(&Pacific::Apia).naive_local(),
            local("2011-12-31T00:00")
        );
    }

    #[test]
    fn the_ends_of_the_range_do_not_panic() {
        for t in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
            let _ = resolve(t, &Pacific::Apia);
            let _ = resolve(t, &Europe::Berlin);
        }
    }
}
