//! Zones defined by a calendar's own VTIMEZONE (RFC 5545 §3.6.5): STANDARD and DAYLIGHT
//! observances, each with an onset (DTSTART, a wall-clock time in the offset in force before
//! it), TZOFFSETFROM, TZOFFSETTO and further onsets by RRULE and RDATE.
//!
//! Built from plain values (the iCalendar parser fills them from a parsed VTIMEZONE) and
//! serializable, so a calendar's definitions can be stored and series expanded again later.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{FixedOffset, NaiveDateTime, Offset, TimeDelta, TimeZone};
use rrule::{RRule, Unvalidated};
use serde::{Deserialize, Serialize};

/// Onsets of one observance's RRULE looked at per lookup: yearly rules from 1600 onwards fit
/// easily, and a hostile rule (`FREQ=SECONDLY`) costs no more than this.
const MAX_ONSETS_PER_RULE: usize = 2000;

/// One STANDARD or DAYLIGHT sub-component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observance {
    /// DTSTART: the first onset, as a wall-clock time in `offset_from`.
    pub start: NaiveDateTime,
    /// TZOFFSETFROM, in seconds east of UTC.
    pub offset_from: i32,
    /// TZOFFSETTO, in seconds east of UTC.
    pub offset_to: i32,
    /// The RRULE value (`FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`), if any. Its UNTIL is read as UTC
    /// when written with `Z` (as RFC 5545 requires here), else as a wall-clock time.
    pub rrule: Option<String>,
    /// RDATE onsets, as wall-clock times in `offset_from`.
    pub rdates: Vec<NaiveDateTime>,
}

/// A VTIMEZONE's rules: the UTC offset at any instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VTimezoneRules {
    pub observances: Vec<Observance>,
}

impl VTimezoneRules {
    /// The offset in force at `utc` (seconds east of UTC): the TZOFFSETTO of the latest onset
    /// at or before it; before every onset, the TZOFFSETFROM of the earliest one (RFC 5545
    /// gives nothing to go by there; libical does the same). No observance reads as UTC.
    pub fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        let mut latest: Option<(NaiveDateTime, i32)> = None;
        let mut earliest: Option<(NaiveDateTime, i32)> = None;
        for obs in &self.observances {
            let first = to_utc(obs.start, obs.offset_from);
            if earliest.is_none_or(|(at, _)| first < at) {
                earliest = Some((first, obs.offset_from));
            }
            if let Some(onset) = obs.last_onset_at_or_before(utc) {
                if latest.is_none_or(|(at, _)| onset > at) {
                    latest = Some((onset, obs.offset_to));
                }
            }
        }
        latest.or(earliest).map_or(0, |(_, offset)| offset)
    }

    /// The offsets a wall-clock time can have: none in a gap, two in an overlap (earliest
    /// instant first, i.e. the larger offset first), else one.
    pub fn offsets_at_local(&self, local: NaiveDateTime) -> Vec<i32> {
        let mut candidates: Vec<i32> = self
            .observances
            .iter()
            .flat_map(|o| [o.offset_from, o.offset_to])
            .collect();
        if candidates.is_empty() {
            candidates.push(0);
        }
        candidates.sort_unstable_by(|a, b| b.cmp(a));
        candidates.dedup();
        candidates
            .into_iter()
            .filter(|&offset| self.offset_at(to_utc(local, offset)) == offset)
            .collect()
    }
}

impl Observance {
    /// The last onset (as a UTC wall time) at or before `utc`.
    fn last_onset_at_or_before(&self, utc: NaiveDateTime) -> Option<NaiveDateTime> {
        let at = |local: NaiveDateTime| to_utc(local, self.offset_from);
        let mut best = Some(at(self.start)).filter(|&t| t <= utc);
        for &rdate in &self.rdates {
            let onset = at(rdate);
            if onset <= utc && best.is_none_or(|b| onset > b) {
                best = Some(onset);
            }
        }
        if let Some(onset) = self.rule_onsets_until(utc) {
            if best.is_none_or(|b| onset > b) {
                best = Some(onset);
            }
        }
        best
    }

    /// The last RRULE onset at or before `utc`, from the rule's onsets computed once.
    fn rule_onsets_until(&self, utc: NaiveDateTime) -> Option<NaiveDateTime> {
        let value = self.rrule.as_deref()?;
        let onsets = cached_onsets(value, self.start, self.offset_from);
        let after = onsets.partition_point(|&onset| onset <= utc);
        after.checked_sub(1).and_then(|i| onsets.get(i).copied())
    }
}

/// The rules whose onsets are kept; past it the cache starts again (feeds are outside input,
/// and a real calendar set has a few dozen distinct rules).
const MAX_CACHED_RULES: usize = 1024;

type OnsetKey = (String, NaiveDateTime, i32);

/// Onsets per (RRULE, DTSTART, TZOFFSETFROM), computed once: walking the rule from its DTSTART
/// (often 1601 or 1970) on every lookup made a weekly series in a VTIMEZONE-defined zone cost
/// 400 ms over ten years, since each instance looks up several offsets.
static ONSETS: LazyLock<Mutex<HashMap<OnsetKey, Arc<[NaiveDateTime]>>>> =
    LazyLock::new(Mutex::default);

fn cached_onsets(rule: &str, start: NaiveDateTime, offset_from: i32) -> Arc<[NaiveDateTime]> {
    let key = (rule.to_owned(), start, offset_from);
    if let Some(onsets) = lock_onsets().get(&key) {
        return onsets.clone();
    }
    let onsets: Arc<[NaiveDateTime]> = rule_onsets(rule, start, offset_from).into();
    let mut cache = lock_onsets();
    if cache.len() >= MAX_CACHED_RULES {
        cache.clear();
    }
    cache.insert(key, onsets.clone());
    onsets
}

/// The cache, also after a panic elsewhere while it was held (it holds only finished lists).
fn lock_onsets() -> std::sync::MutexGuard<'static, HashMap<OnsetKey, Arc<[NaiveDateTime]>>> {
    ONSETS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The first [`MAX_ONSETS_PER_RULE`] onsets of an RRULE (up to its UNTIL), as UTC wall times
/// in ascending order. A rule that does not parse adds no onsets (the DTSTART and RDATEs still
/// count), with a debug line: one bad sub-component must not make every time of the calendar
/// unreadable.
fn rule_onsets(value: &str, start: NaiveDateTime, offset_from: i32) -> Vec<NaiveDateTime> {
    let mut until = None;
    let parts: Vec<&str> = value
        .split(';')
        .filter(|part| match part.split_once('=') {
            Some((key, v)) if key.eq_ignore_ascii_case("UNTIL") => {
                until = parse_until(v, offset_from);
                false
            }
            _ => true,
        })
        .collect();
    let Some(rule) = parts
        .join(";")
        .parse::<RRule<Unvalidated>>()
        .and_then(|r| r.build(floating(start)))
        .map_err(|err| tracing::debug!(%err, rule = value, "VTIMEZONE rule ignored"))
        .ok()
    else {
        return Vec::new();
    };
    rule.into_iter()
        .take(MAX_ONSETS_PER_RULE)
        .map(|onset| onset.naive_utc())
        .take_while(|&local| until.is_none_or(|u| local <= u))
        .map(|local| to_utc(local, offset_from))
        .collect()
}

/// An UNTIL value as a wall-clock time in `offset_from` (the terms onsets are expanded in).
fn parse_until(value: &str, offset_from: i32) -> Option<NaiveDateTime> {
    if let Some(utc) = value.strip_suffix(['Z', 'z']) {
        let utc = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return utc.checked_add_signed(TimeDelta::seconds(i64::from(offset_from)));
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            let date = chrono::NaiveDate::parse_from_str(value, "%Y%m%d").ok()?;
            date.and_hms_opt(23, 59, 59)
        })
}

/// Wall-clock `local` in a fixed `offset` as a UTC wall time, saturating at chrono's range.
pub(super) fn to_utc(local: NaiveDateTime, offset: i32) -> NaiveDateTime {
    let delta = TimeDelta::seconds(i64::from(offset));
    local.checked_sub_signed(delta).unwrap_or(if offset > 0 {
        NaiveDateTime::MIN
    } else {
        NaiveDateTime::MAX
    })
}

/// A wall-clock time in rrule's zone type (rules are expanded in naive time, as in
/// `recurrence::rule`).
fn floating(local: NaiveDateTime) -> chrono::DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

/// A fixed offset from seconds, UTC for an out-of-range value (a hostile TZOFFSETTO).
pub(super) fn fixed(offset: i32) -> FixedOffset {
    FixedOffset::east_opt(offset).unwrap_or(chrono::Utc.fix())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    /// Central European time as Outlook and Thunderbird write it (EU rules since 1996).
    pub(crate) fn custom_berlin() -> VTimezoneRules {
        VTimezoneRules {
            observances: vec![
                Observance {
                    start: local("1970-03-29T02:00"),
                    offset_from: 3600,
                    offset_to: 7200,
                    rrule: Some("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU".into()),
                    rdates: vec![],
                },
                Observance {
                    start: local("1970-10-25T03:00"),
                    offset_from: 7200,
                    offset_to: 3600,
                    rrule: Some("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU".into()),
                    rdates: vec![],
                },
            ],
        }
    }

    #[test]
    fn offsets_follow_the_eu_rules() {
        let rules = custom_berlin();
        assert_eq!(rules.offset_at(local("2026-01-15T12:00")), 3600);
        assert_eq!(rules.offset_at(local("2026-07-15T12:00")), 7200);
        // The change happens at 01:00 UTC on the last Sunday of March and of October.
        assert_eq!(rules.offset_at(local("2026-03-29T00:59")), 3600);
        assert_eq!(rules.offset_at(local("2026-03-29T01:00")), 7200);
        assert_eq!(rules.offset_at(local("2026-10-25T00:59")), 7200);
        assert_eq!(rules.offset_at(local("2026-10-25T01:00")), 3600);
        // Before the first onset: the earliest TZOFFSETFROM.
        assert_eq!(rules.offset_at(local("1960-07-01T00:00")), 3600);
    }

    #[test]
    fn wall_clock_gaps_and_overlaps() {
        let rules = custom_berlin();
        assert_eq!(
            rules.offsets_at_local(local("2026-03-29T02:30")),
            Vec::<i32>::new()
        );
        assert_eq!(
            rules.offsets_at_local(local("2026-10-25T02:30")),
            vec![7200, 3600]
        );
        assert_eq!(
            rules.offsets_at_local(local("2026-06-01T09:00")),
            vec![7200]
        );
    }

    #[test]
    fn until_rdate_and_bad_rules() {
        // US rules changed in 2007: an UNTIL in UTC ends the old rule on its last onset.
        let old_dst = Observance {
            start: local("1967-04-30T02:00"),
            offset_from: -18000,
            offset_to: -14400,
            rrule: Some("FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z".into()),
            rdates: vec![],
        };
        let onset = old_dst.last_onset_at_or_before(local("2030-01-01T00:00"));
        assert_eq!(onset, Some(local("2006-04-02T07:00")));

        let rdates_only = Observance {
            start: local("2000-01-01T00:00"),
            offset_from: 0,
            offset_to: 3600,
            rrule: Some("FREQ=NEVERLY".into()),
            rdates: vec![local("2010-01-01T00:00"), local("2005-01-01T00:00")],
        };
        let onset = rdates_only.last_onset_at_or_before(local("2012-01-01T00:00"));
        assert_eq!(onset, Some(local("2010-01-01T00:00")));
        assert_eq!(
            VTimezoneRules {
                observances: vec![]
            }
            .offset_at(local("2026-01-01T00:00")),
            0
        );
    }

    #[test]
    fn a_hostile_rule_is_bounded() {
        let secondly = VTimezoneRules {
            observances: vec![Observance {
                start: local("2026-01-01T00:00"),
                offset_from: 0,
                offset_to: 60,
                rrule: Some("FREQ=SECONDLY".into()),
                rdates: vec![],
            }],
        };
        let started = std::time::Instant::now();
        assert_eq!(secondly.offset_at(local("2099-01-01T00:00")), 60);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    /// A rule is walked once, not on every lookup: 5,000 lookups in a zone whose rules start
    /// in 1601 (as Exchange writes them) walked 850 onsets each before.
    #[test]
    fn lookups_reuse_the_walked_rule() {
        let mut windows = custom_berlin();
        for obs in &mut windows.observances {
            obs.start = local("1601-01-01T02:00");
        }
        let started = std::time::Instant::now();
        let mut at = local("2018-01-01T00:00");
        for _ in 0..5000 {
            assert!([3600, 7200].contains(&windows.offset_at(at)));
            at += TimeDelta::hours(17);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(windows.offset_at(local("2026-07-01T00:00")), 7200);
        assert_eq!(windows.offset_at(local("2026-01-01T00:00")), 3600);
    }
}
