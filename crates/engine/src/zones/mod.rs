//! Time zones as calendars name them: one resolver from a TZID string to a [`Zone`].
//!
//! The rule (RFC 5545 §3.2.19 and §3.6.5; PROVIDERS-more.md D), in this order:
//! 1. an IANA name (`Europe/Berlin`), also behind a vendor prefix
//!    (`/mozilla.org/20070129_1/Europe/Berlin`, `/freeassociation.sourceforge.net/Tzfile/...`)
//!    or quoted: the tz database is more complete and more current than any VTIMEZONE copy;
//! 2. a Windows name (`W. Europe Standard Time`, from Exchange and Graph), by CLDR's table;
//! 3. the calendar's own VTIMEZONE of that TZID ([`ZoneDefinitions`], scoped to one calendar
//!    or feed, as two feeds may define the same TZID differently);
//! 4. otherwise nothing: the caller reads the time as floating (and logs it).
//!
//! [`Zone`] is a `chrono::TimeZone`, so [`crate::local_time::resolve`] (the one rule for gaps
//! and overlaps) and everything generic over zones works the same for every kind.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::model::EventTime;

mod vtimezone;
mod windows;

pub use vtimezone::{Observance, VTimezoneRules};

/// A resolved time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// A zone of the tz database (also what a Windows name maps to).
    Iana(chrono_tz::Tz),
    /// A zone only the calendar's VTIMEZONE defines.
    Defined(Arc<VTimezoneRules>),
}

impl Zone {
    pub const UTC: Zone = Zone::Iana(chrono_tz::UTC);
}

/// The VTIMEZONE definitions of one calendar (or feed), by TZID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneDefinitions {
    by_tzid: HashMap<String, Arc<VTimezoneRules>>,
}

impl ZoneDefinitions {
    /// Adds (or replaces) the definition of `tzid`.
    pub fn define(&mut self, tzid: impl Into<String>, rules: VTimezoneRules) {
        self.by_tzid.insert(tzid.into(), Arc::new(rules));
    }

    pub fn is_empty(&self) -> bool {
        self.by_tzid.is_empty()
    }

    /// Every definition, by TZID.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &VTimezoneRules)> {
        self.by_tzid
            .iter()
            .map(|(tzid, rules)| (tzid.as_str(), &**rules))
    }
}

/// The zone a TZID names, by the rule in the module header; `None` means floating.
pub fn resolve(tzid: &str, defined: &ZoneDefinitions) -> Option<Zone> {
    let name = tzid.trim().trim_matches('"');
    if let Some(zone) = iana(name) {
        return Some(Zone::Iana(zone));
    }
    if let Some(zone) = windows::iana_for(name) {
        return Some(Zone::Iana(zone));
    }
    if let Some(rules) = defined
        .by_tzid
        .get(tzid)
        .or_else(|| defined.by_tzid.get(name))
    {
        return Some(Zone::Defined(Arc::clone(rules)));
    }
    tracing::debug!(
        tzid = crate::text::one_line(name),
        "unknown time zone; reading the time as floating"
    );
    None
}

/// A date-time value as an iCalendar file writes it (`DTSTART;TZID=...:20260302T090000`) as
/// an [`EventTime`]: zoned when the TZID resolves (keeping the TZID as written, so a series is
/// expanded later by the same rule), floating without a TZID or with one nobody defines.
pub fn event_time(
    local: NaiveDateTime,
    tzid: Option<&str>,
    defined: &ZoneDefinitions,
) -> EventTime {
    match tzid.and_then(|tzid| resolve(tzid, defined).map(|zone| (tzid, zone))) {
        Some((tzid, zone)) => EventTime::DateTime {
            utc: crate::local_time::resolve(local, &zone),
            tz: Some(tzid.to_owned()),
        },
        None => EventTime::Floating(local),
    }
}

/// An IANA name, or the IANA name that ends a vendor-prefixed TZID.
fn iana(name: &str) -> Option<chrono_tz::Tz> {
    if let Ok(zone) = name.parse() {
        return Some(zone);
    }
    name.match_indices('/')
        .find_map(|(i, _)| name[i + 1..].parse().ok())
}

/// The UTC offset of a [`Zone`] at some time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneOffset {
    Iana(chrono_tz::TzOffset),
    /// The defining rules travel with the offset: chrono rebuilds the zone from it.
    Defined(Arc<VTimezoneRules>, FixedOffset),
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        match self {
            ZoneOffset::Iana(offset) => offset.fix(),
            ZoneOffset::Defined(_, offset) => *offset,
        }
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        match offset {
            ZoneOffset::Iana(offset) => Zone::Iana(chrono_tz::Tz::from_offset(offset)),
            ZoneOffset::Defined(rules, _) => Zone::Defined(Arc::clone(rules)),
        }
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        self.offset_from_local_datetime(&local.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        match self {
            Zone::Iana(zone) => zone.offset_from_local_datetime(local).map(ZoneOffset::Iana),
            Zone::Defined(rules) => {
                let offset = |o| ZoneOffset::Defined(Arc::clone(rules), vtimezone::fixed(o));
                match rules.offsets_at_local(*local).as_slice() {
                    [] => LocalResult::None,
                    [one] => LocalResult::Single(offset(*one)),
                    [first, second, ..] => LocalResult::Ambiguous(offset(*first), offset(*second)),
                }
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset_from_utc_datetime(&utc.and_time(chrono::NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        match self {
            Zone::Iana(zone) => ZoneOffset::Iana(zone.offset_from_utc_datetime(utc)),
            Zone::Defined(rules) => {
                ZoneOffset::Defined(Arc::clone(rules), vtimezone::fixed(rules.offset_at(*utc)))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::local_time;
    use chrono::{DateTime, Utc};
    use chrono_tz::{America, Europe};

    pub(crate) use super::vtimezone::tests::custom_berlin;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// Definitions holding "Custom/Berlin" with the EU rules.
    pub(crate) fn custom_definitions() -> ZoneDefinitions {
        let mut defined = ZoneDefinitions::default();
        defined.define("Custom/Berlin", custom_berlin());
        defined
    }

    #[test]
    fn iana_names_with_and_without_vendor_prefixes() {
        let none = ZoneDefinitions::default();
        let berlin = Some(Zone::Iana(Europe::Berlin));
        assert_eq!(resolve("Europe/Berlin", &none), berlin);
        assert_eq!(resolve("\"Europe/Berlin\"", &none), berlin);
        assert_eq!(
            resolve("/mozilla.org/20070129_1/Europe/Berlin", &none),
            berlin
        );
        assert_eq!(
            resolve(
                "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin",
                &none
            ),
            berlin
        );
        assert_eq!(
            resolve("/citadel.org/20190914_1/America/New_York", &none),
            Some(Zone::Iana(America::New_York))
        );
    }

    #[test]
    fn windows_names_map_by_cldr() {
        let none = ZoneDefinitions::default();
        assert_eq!(
            resolve("W. Europe Standard Time", &none),
            Some(Zone::Iana(Europe::Berlin))
        );
        assert_eq!(
            resolve("Eastern Standard Time", &none),
            Some(Zone::Iana(America::New_York))
        );
    }

    #[test]
    fn an_iana_or_windows_name_wins_over_a_vtimezone_of_the_same_tzid() {
        let mut defined = ZoneDefinitions::default();
        let bogus = VTimezoneRules {
            observances: vec![],
        };
        defined.define("Europe/Berlin", bogus.clone());
        defined.define("W. Europe Standard Time", bogus);
        assert_eq!(
            resolve("Europe/Berlin", &defined),
            Some(Zone::Iana(Europe::Berlin))
        );
        assert_eq!(
            resolve("W. Europe Standard Time", &defined),
            Some(Zone::Iana(Europe::Berlin))
        );
    }

    #[test]
    fn vtimezone_definitions_are_scoped_to_their_calendar() {
        let berlin_feed = custom_definitions();
        let mut other_feed = ZoneDefinitions::default();
        other_feed.define(
            "Custom/Berlin",
            VTimezoneRules {
                observances: vec![Observance {
                    start: local("1970-01-01T00:00"),
                    offset_from: 0,
                    offset_to: 0,
                    rrule: None,
                    rdates: vec![],
                }],
            },
        );
        let at = local("2026-07-01T09:00");
        let in_berlin_feed = resolve("Custom/Berlin", &berlin_feed).unwrap();
        let in_other_feed = resolve("Custom/Berlin", &other_feed).unwrap();
        assert_eq!(
            local_time::resolve(at, &in_berlin_feed),
            utc("2026-07-01T07:00:00Z")
        );
        assert_eq!(
            local_time::resolve(at, &in_other_feed),
            utc("2026-07-01T09:00:00Z")
        );
        assert_eq!(resolve("Custom/Berlin", &ZoneDefinitions::default()), None);
        assert_eq!(resolve("Not A Zone", &berlin_feed), None);
    }

    #[test]
    fn ical_values_become_zoned_or_floating_times() {
        let defined = custom_definitions();
        let nine = local("2026-07-01T09:00");
        let zoned = |tzid: &str| EventTime::DateTime {
            utc: utc("2026-07-01T07:00:00Z"),
            tz: Some(tzid.into()),
        };
        for tzid in ["Europe/Berlin", "W. Europe Standard Time", "Custom/Berlin"] {
            assert_eq!(event_time(nine, Some(tzid), &defined), zoned(tzid));
        }
        assert_eq!(event_time(nine, None, &defined), EventTime::Floating(nine));
        assert_eq!(
            event_time(nine, Some("Custom/Berlin"), &ZoneDefinitions::default()),
            EventTime::Floating(nine)
        );
    }

    #[test]
    fn a_defined_zone_follows_the_one_local_time_rule() {
        let zone = resolve("Custom/Berlin", &custom_definitions()).unwrap();
        for (wall, expected) in [
            // Gap: the offset before it (02:30 CET = 03:30 CEST).
            ("2026-03-29T02:30", "2026-03-29T01:30:00Z"),
            // Overlap: the first occurrence.
            ("2026-10-25T02:30", "2026-10-25T00:30:00Z"),
            ("2026-01-10T09:00", "2026-01-10T08:00:00Z"),
        ] {
            assert_eq!(
                local_time::resolve(local(wall), &zone),
                utc(expected),
                "{wall}"
            );
            assert_eq!(
                local_time::resolve(local(wall), &zone),
                local_time::resolve(local(wall), &Europe::Berlin)
            );
        }
        let summer = utc("2026-07-01T07:00:00Z").with_timezone(&zone);
        assert_eq!(summer.naive_local(), local("2026-07-01T09:00"));
    }
}
