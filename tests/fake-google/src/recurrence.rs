//! Recurring series: reads RRULE/RDATE/EXDATE lines (with the rrule crate) and expands a master
//! event into its instances.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};
use serde_json::Value;

use crate::times::{date_json, date_time_json, midnight, EventTime};

/// The most instances one series yields in one query (Google also caps open-ended series).
pub(crate) const MAX_INSTANCES: usize = 730;
/// The most occurrences looked at while skipping to a window.
const MAX_SCAN: usize = 100_000;

/// A recurring master's rule set and the shape of its instances.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    set: RRuleSet,
    /// The zone the recurrence is expanded in (UTC for all-day series).
    zone: Tz,
    all_day: bool,
    /// Wall-clock length of an instance.
    length: Duration,
    /// The calendar's zone, which places all-day instances in time.
    calendar_zone: Tz,
    /// When the last instance ends; `None` for a series without end.
    span_end: Option<DateTime<Utc>>,
}

/// One instance of a series, at its original time.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    pub(crate) key: i64,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) start_json: Value,
    pub(crate) end_json: Value,
}

impl Series {
    /// Reads a master's `recurrence` lines, with its `start` and `end`.
    pub(crate) fn new(
        lines: &[String],
        start: &EventTime,
        end: &EventTime,
        calendar_zone: Tz,
    ) -> Result<Series, String> {
        let (zone, all_day, local_start, length) = match (start, end) {
            (EventTime::Date(first), EventTime::Date(last)) => (
                Tz::UTC,
                true,
                first.and_time(chrono::NaiveTime::MIN),
                *last - *first,
            ),
            (EventTime::DateTime { utc, zone }, EventTime::DateTime { utc: end, .. }) => {
                let zone = zone.unwrap_or(calendar_zone);
                let local_start = utc.with_timezone(&zone).naive_local();
                let local_end = end.with_timezone(&zone).naive_local();
                (zone, false, local_start, local_end - local_start)
            }
            _ => return Err("start and end must both be dates or both dateTimes".into()),
        };
        let dt_start = rrule::Tz::Tz(zone)
            .from_local_datetime(&local_start)
            .earliest()
            .ok_or("the start does not exist in its time zone")?;
        let mut set = RRuleSet::new(dt_start);
        let mut endless = false;
        let mut has_dates = false;
        for line in lines {
            let (head, value) = line
                .split_once(':')
                .ok_or_else(|| format!("invalid recurrence line {line:?}"))?;
            let mut params = head.split(';');
            let name = params.next().unwrap_or_default().to_ascii_uppercase();
            match name.as_str() {
                "RRULE" => {
                    let text = until_in_utc(value, zone, all_day)?;
                    let rule = text
                        .parse::<RRule<Unvalidated>>()
                        .and_then(|rule| rule.validate(dt_start))
                        .map_err(|err| format!("invalid RRULE {value:?}: {err}"))?;
                    endless |= rule.get_count().is_none() && rule.get_until().is_none();
                    set = set.rrule(rule);
                    has_dates = true;
                }
                "RDATE" | "EXDATE" => {
                    let dates = list_dates(params, value, zone, all_day, local_start)?;
                    for date in dates {
                        set = if name == "RDATE" {
                            has_dates = true;
                            set.rdate(date)
                        } else {
                            set.exdate(date)
                        };
                    }
                }
                _ => return Err(format!("unsupported recurrence line {line:?}")),
            }
        }
        if !has_dates {
            return Err("recurrence needs an RRULE or an RDATE".into());
        }
        let mut series = Series {
            set,
            zone,
            all_day,
            length,
            calendar_zone,
            span_end: None,
        };
        if !endless {
            series.span_end = series
                .set
                .clone()
                .into_iter()
                .take(MAX_SCAN)
                .last()
                .map(|last| series.bounds(&last).1);
        }
        Ok(series)
    }

    pub(crate) fn all_day(&self) -> bool {
        self.all_day
    }

    /// When the last instance ends (`None`: never).
    pub(crate) fn span_end(&self) -> Option<DateTime<Utc>> {
        self.span_end
    }

    /// The instances that end after `from` and start before `to`, in order, at most
    /// [`MAX_INSTANCES`].
    pub(crate) fn occurrences(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Vec<Occurrence> {
        let mut found = Vec::new();
        for at in self.set.clone().into_iter().take(MAX_SCAN) {
            let (start, end) = self.bounds(&at);
            if to.is_some_and(|to| start >= to) {
                break;
            }
            if from.is_some_and(|from| end <= from) {
                continue;
            }
            found.push(self.occurrence(&at));
            if found.len() >= MAX_INSTANCES {
                break;
            }
        }
        found
    }

    /// The instance whose original start has this key (see [`EventTime::key`]).
    pub(crate) fn occurrence_at(&self, key: i64) -> Option<Occurrence> {
        let utc = DateTime::from_timestamp(key, 0)?;
        let at = if self.all_day {
            rrule::Tz::UTC.from_utc_datetime(&utc.naive_utc())
        } else {
            utc.with_timezone(&rrule::Tz::Tz(self.zone))
        };
        Some(self.occurrence(&at))
    }

    /// Start and end instants of the occurrence at `at`.
    fn bounds(&self, at: &DateTime<rrule::Tz>) -> (DateTime<Utc>, DateTime<Utc>) {
        let local = at.naive_local();
        if self.all_day {
            let first = local.date();
            return (
                midnight(first, self.calendar_zone),
                midnight(first + self.length, self.calendar_zone),
            );
        }
        let start = at.with_timezone(&Utc);
        let end = self
            .zone
            .from_local_datetime(&(local + self.length))
            .earliest()
            .map_or(start + self.length, |end| end.with_timezone(&Utc));
        (start, end)
    }

    fn occurrence(&self, at: &DateTime<rrule::Tz>) -> Occurrence {
        let (start, end) = self.bounds(at);
        if self.all_day {
            let first = at.naive_local().date();
            return Occurrence {
                key: EventTime::Date(first).key(),
                start,
                end,
                start_json: date_json(first),
                end_json: date_json(first + self.length),
            };
        }
        Occurrence {
            key: start.timestamp(),
            start,
            end,
            start_json: date_time_json(start, self.zone),
            end_json: date_time_json(end, self.zone),
        }
    }
}

/// Rewrites an RRULE's UNTIL in UTC, as the rrule crate needs for zoned starts: a date means
/// the end of that day, a floating date-time is read in the series zone.
fn until_in_utc(rule: &str, zone: Tz, all_day: bool) -> Result<String, String> {
    let parts: Result<Vec<String>, String> = rule
        .split(';')
        .map(|part| {
            let Some(value) = part
                .split_once('=')
                .filter(|(key, _)| key.eq_ignore_ascii_case("UNTIL"))
                .map(|(_, value)| value)
            else {
                return Ok(part.to_owned());
            };
            if value.ends_with('Z') {
                return Ok(part.to_owned());
            }
            let local = if let Ok(date) = NaiveDate::parse_from_str(value, "%Y%m%d") {
                let end_of_day = chrono::NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
                date.and_time(end_of_day)
            } else {
                NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
                    .map_err(|_| format!("invalid UNTIL {value:?}"))?
            };
            let utc = if all_day {
                local.and_utc()
            } else {
                zone.from_local_datetime(&local)
                    .earliest()
                    .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
            };
            Ok(format!("UNTIL={}", utc.format("%Y%m%dT%H%M%SZ")))
        })
        .collect();
    Ok(parts?.join(";"))
}

/// Reads the dates of an RDATE or EXDATE line in the series' terms.
fn list_dates<'a>(
    params: impl Iterator<Item = &'a str>,
    value: &str,
    zone: Tz,
    all_day: bool,
    local_start: NaiveDateTime,
) -> Result<Vec<DateTime<rrule::Tz>>, String> {
    let mut line_zone = zone;
    for param in params {
        if let Some(name) = param.strip_prefix("TZID=") {
            line_zone = name.parse().map_err(|_| format!("unknown TZID {name:?}"))?;
        }
    }
    value
        .split(',')
        .map(|item| {
            let invalid = || format!("invalid date {item:?}");
            let utc = if let Ok(date) = NaiveDate::parse_from_str(item, "%Y%m%d") {
                let local = date.and_time(local_start.time());
                if all_day {
                    local.and_utc()
                } else {
                    zone.from_local_datetime(&local)
                        .earliest()
                        .ok_or_else(invalid)?
                        .with_timezone(&Utc)
                }
            } else if let Some(text) = item.strip_suffix('Z') {
                NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
                    .map_err(|_| invalid())?
                    .and_utc()
            } else {
                let local =
                    NaiveDateTime::parse_from_str(item, "%Y%m%dT%H%M%S").map_err(|_| invalid())?;
                line_zone
                    .from_local_datetime(&local)
                    .earliest()
                    .ok_or_else(invalid)?
                    .with_timezone(&Utc)
            };
            let series_zone = if all_day {
                rrule::Tz::UTC
            } else {
                rrule::Tz::Tz(zone)
            };
            Ok(utc.with_timezone(&series_zone))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn timed(start: &str, end: &str, zone: &str) -> (EventTime, EventTime) {
        let read = |at: &str| {
            EventTime::parse(&json!({"dateTime": at, "timeZone": zone}), "t").expect("time")
        };
        (read(start), read(end))
    }

    #[test]
    fn weekly_series_in_a_zone_keeps_wall_clock_time_across_dst() {
        let (start, end) = timed(
            "2024-03-20T09:00:00+01:00",
            "2024-03-20T10:00:00+01:00",
            "Europe/Paris",
        );
        let lines = vec!["RRULE:FREQ=WEEKLY;COUNT=3".to_owned()];
        let series = Series::new(&lines, &start, &end, Tz::UTC).expect("series");
        let found = series.occurrences(None, None);
        let starts: Vec<&str> = found
            .iter()
            .map(|o| o.start_json["dateTime"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            starts,
            [
                "2024-03-20T09:00:00+01:00",
                "2024-03-27T09:00:00+01:00",
                "2024-04-03T09:00:00+02:00"
            ]
        );
        assert_eq!(series.span_end(), Some(found[2].end));
    }

    #[test]
    fn exdates_until_and_windows_apply() {
        let (start, end) = timed("2024-01-01T09:00:00Z", "2024-01-01T09:30:00Z", "UTC");
        let lines = vec![
            "RRULE:FREQ=DAILY;UNTIL=20240105".to_owned(),
            "EXDATE;TZID=UTC:20240102T090000".to_owned(),
        ];
        let series = Series::new(&lines, &start, &end, Tz::UTC).expect("series");
        let keys: Vec<i64> = series
            .occurrences(None, None)
            .iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys.len(), 4);
        let from = crate::times::parse_rfc3339_param("2024-01-03T09:15:00Z");
        let to = crate::times::parse_rfc3339_param("2024-01-05T09:00:00Z");
        assert_eq!(series.occurrences(from, to).len(), 2);
    }

    #[test]
    fn all_day_and_endless_series() {
        let day = |d: &str| EventTime::parse(&json!({"date": d}), "t").expect("date");
        let lines = vec!["RRULE:FREQ=YEARLY".to_owned()];
        let series =
            Series::new(&lines, &day("2020-02-29"), &day("2020-03-01"), Tz::UTC).expect("series");
        assert!(series.all_day());
        assert_eq!(series.span_end(), None);
        let first = &series.occurrences(None, None)[0];
        assert_eq!(first.start_json, json!({"date": "2020-02-29"}));
        assert_eq!(first.end_json, json!({"date": "2020-03-01"}));
        assert!(Series::new(
            &["EXRULE:FREQ=DAILY".to_owned()],
            &day("2020-01-01"),
            &day("2020-01-02"),
            Tz::UTC
        )
        .is_err());
        assert!(Series::new(
            &["RRULE:FREQ=NOPE".to_owned()],
            &day("2020-01-01"),
            &day("2020-01-02"),
            Tz::UTC
        )
        .is_err());
    }
}
