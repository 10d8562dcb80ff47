//! Google's time values: RFC 3339 query parameters, EventDateTime objects, instance id suffixes
//! and the timestamp formats the API writes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

/// An RFC 3339 query parameter (offset required); sub-second digits are ignored.
pub(crate) fn parse_rfc3339_param(text: &str) -> Option<DateTime<Utc>> {
    let parsed = DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc);
    DateTime::from_timestamp(parsed.timestamp(), 0)
}

/// `2024-01-02T03:04:05.678Z`, as in `updated` and `created`.
pub(crate) fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A `dateTime` value in `zone`: `2024-01-02T10:00:00+01:00`, or `...Z` at offset zero.
pub(crate) fn format_in_zone(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Midnight starting `date` in `zone`, as an instant.
pub(crate) fn midnight(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let naive = date.and_time(chrono::NaiveTime::MIN);
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// An EventDateTime: `{"date": "yyyy-mm-dd"}` or `{"dateTime": .., "timeZone": ..}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EventTime {
    Date(NaiveDate),
    DateTime {
        utc: DateTime<Utc>,
        zone: Option<Tz>,
    },
}

impl EventTime {
    /// Reads an EventDateTime; `field` names it in errors.
    pub(crate) fn parse(value: &Value, field: &str) -> Result<EventTime, String> {
        let zone = match value.get("timeZone") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(
                name.parse::<Tz>()
                    .map_err(|_| format!("{field}.timeZone: unknown time zone {name:?}"))?,
            ),
            Some(_) => return Err(format!("{field}.timeZone must be a string")),
        };
        if let Some(date) = value.get("date").and_then(Value::as_str) {
            return NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(EventTime::Date)
                .map_err(|_| format!("{field}.date: invalid date {date:?}"));
        }
        let Some(text) = value.get("dateTime").and_then(Value::as_str) else {
            return Err(format!("{field} needs a date or a dateTime"));
        };
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(EventTime::DateTime {
                utc: at.with_timezone(&Utc),
                zone,
            });
        }
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| format!("{field}.dateTime: invalid date-time {text:?}"))?;
        let zone =
            zone.ok_or_else(|| format!("{field}: a dateTime without offset needs a timeZone"))?;
        let utc = zone
            .from_local_datetime(&local)
            .earliest()
            .ok_or_else(|| format!("{field}.dateTime: {text:?} does not exist in {zone}"))?
            .with_timezone(&Utc);
        Ok(EventTime::DateTime {
            utc,
            zone: Some(zone),
        })
    }

    /// The instant it stands for; a date is midnight in the calendar's zone.
    pub(crate) fn instant(&self, calendar_zone: Tz) -> DateTime<Utc> {
        match self {
            EventTime::Date(date) => midnight(*date, calendar_zone),
            EventTime::DateTime { utc, .. } => *utc,
        }
    }

    /// The key of an original start within its series: the UTC start in seconds, or the date's
    /// UTC midnight for all-day series.
    pub(crate) fn key(&self) -> i64 {
        match self {
            EventTime::Date(date) => date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp(),
            EventTime::DateTime { utc, .. } => utc.timestamp(),
        }
    }

    pub(crate) fn is_date(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }
}

/// `<masterId>_<YYYYMMDD>T<HHMMSS>Z` for timed series, `<masterId>_<YYYYMMDD>` for all-day ones.
pub(crate) fn instance_id(master_id: &str, key: i64, all_day: bool) -> String {
    let at = DateTime::from_timestamp(key, 0).unwrap_or_default();
    if all_day {
        format!("{master_id}_{}", at.format("%Y%m%d"))
    } else {
        format!("{master_id}_{}", at.format("%Y%m%dT%H%M%SZ"))
    }
}

/// The series key an instance id suffix stands for, and whether it is a date.
pub(crate) fn key_from_suffix(suffix: &str) -> Option<(i64, bool)> {
    if let Ok(date) = NaiveDate::parse_from_str(suffix, "%Y%m%d") {
        return Some((EventTime::Date(date).key(), true));
    }
    let at = NaiveDateTime::parse_from_str(suffix, "%Y%m%dT%H%M%SZ").ok()?;
    Some((at.and_utc().timestamp(), false))
}

/// The EventDateTime JSON of a date.
pub(crate) fn date_json(date: NaiveDate) -> Value {
    json!({"date": date.format("%Y-%m-%d").to_string()})
}

/// The EventDateTime JSON of an instant shown in `zone`.
pub(crate) fn date_time_json(at: DateTime<Utc>, zone: Tz) -> Value {
    json!({"dateTime": format_in_zone(at, zone), "timeZone": zone.name()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_times_need_an_offset_and_drop_milliseconds() {
        let at = parse_rfc3339_param("2024-03-01T10:00:00.750+01:00").expect("valid");
        assert_eq!(format_timestamp(at), "2024-03-01T09:00:00.000Z");
        assert_eq!(parse_rfc3339_param("2024-03-01T10:00:00"), None);
        assert_eq!(parse_rfc3339_param("2024-03-01"), None);
    }

    #[test]
    fn event_times_read_all_google_forms() {
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        let date = EventTime::parse(&json!({"date": "2024-01-02"}), "start").expect("date");
        assert!(date.is_date());
        assert_eq!(
            format_timestamp(date.instant(paris)),
            "2024-01-01T23:00:00.000Z"
        );
        let local = EventTime::parse(
            &json!({"dateTime": "2024-07-01T09:00:00", "timeZone": "Europe/Paris"}),
            "start",
        )
        .expect("local");
        assert_eq!(
            format_timestamp(local.instant(paris)),
            "2024-07-01T07:00:00.000Z"
        );
        assert!(EventTime::parse(&json!({"dateTime": "2024-07-01T09:00:00"}), "start").is_err());
        assert!(EventTime::parse(&json!({"dateTime": 5}), "start").is_err());
        assert!(EventTime::parse(&json!({"date": "2024-13-01"}), "start").is_err());
    }

    #[test]
    fn instance_ids_round_trip() {
        let key = parse_rfc3339_param("2024-01-08T09:00:00Z")
            .expect("valid")
            .timestamp();
        assert_eq!(instance_id("abc", key, false), "abc_20240108T090000Z");
        assert_eq!(key_from_suffix("20240108T090000Z"), Some((key, false)));
        let day = EventTime::Date(NaiveDate::from_ymd_opt(2024, 1, 8).expect("date")).key();
        assert_eq!(instance_id("abc", day, true), "abc_20240108");
        assert_eq!(key_from_suffix("20240108"), Some((day, true)));
        assert_eq!(key_from_suffix("2024"), None);
    }
}
