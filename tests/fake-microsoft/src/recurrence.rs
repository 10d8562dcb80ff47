//! Graph's `patternedRecurrence`, the simple part a fake needs: `daily` and `weekly` patterns
//! with an interval, and `numbered`, `endDate` or `noEnd` ranges. [GR]

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::Value;

/// The most occurrences one series yields, so an open-ended series stays bounded.
const MAX_OCCURRENCES: usize = 1000;
/// The most days walked through while looking for occurrences (about 30 years).
const MAX_DAYS: u64 = 11_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recurrence {
    weekly: Option<Vec<Weekday>>,
    interval: u32,
    end: RangeEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeEnd {
    Count(usize),
    Until(NaiveDate),
    Never,
}

impl Recurrence {
    /// Reads `{"pattern":{"type","interval","daysOfWeek"},"range":{"type",...}}`.
    pub(crate) fn parse(value: &Value) -> Result<Recurrence, String> {
        let pattern = &value["pattern"];
        let interval = match pattern.get("interval") {
            None => 1,
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or("recurrence.pattern.interval must be a positive integer")?,
        };
        let weekly = match pattern["type"].as_str() {
            Some("daily") => None,
            Some("weekly") => {
                let days = pattern["daysOfWeek"]
                    .as_array()
                    .ok_or("a weekly pattern needs daysOfWeek")?
                    .iter()
                    .map(|day| day.as_str().and_then(weekday).ok_or("unknown day of week"))
                    .collect::<Result<Vec<_>, _>>()?;
                if days.is_empty() {
                    return Err("a weekly pattern needs daysOfWeek".into());
                }
                Some(days)
            }
            _ => return Err("the fake supports daily and weekly patterns".into()),
        };
        let range = &value["range"];
        let end = match range["type"].as_str() {
            Some("numbered") => RangeEnd::Count(
                range["numberOfOccurrences"]
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or("a numbered range needs numberOfOccurrences")?
                    .min(MAX_OCCURRENCES),
            ),
            Some("endDate") => RangeEnd::Until(
                range["endDate"]
                    .as_str()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .ok_or("an endDate range needs endDate")?,
            ),
            Some("noEnd") | None => RangeEnd::Never,
            Some(other) => return Err(format!("unknown range type {other:?}")),
        };
        Ok(Recurrence {
            weekly,
            interval,
            end,
        })
    }

    /// The occurrence dates from `first` (the series start) up to and including `last`.
    pub(crate) fn dates(&self, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        let mut dates = Vec::new();
        // Weeks count from the Sunday of the first week (Graph's default firstDayOfWeek).
        let week_zero = first - Days::new(u64::from(first.weekday().num_days_from_sunday()));
        for offset in 0..MAX_DAYS {
            let Some(date) = first.checked_add_days(Days::new(offset)) else {
                break;
            };
            if date > last || dates.len() >= MAX_OCCURRENCES {
                break;
            }
            match self.end {
                RangeEnd::Count(count) if dates.len() >= count => break,
                RangeEnd::Until(until) if date > until => break,
                _ => {}
            }
            let hit = match &self.weekly {
                None => offset % u64::from(self.interval) == 0,
                Some(days) => {
                    let week = (date - week_zero).num_days() / 7;
                    week % i64::from(self.interval) == 0 && days.contains(&date.weekday())
                }
            };
            if hit {
                dates.push(date);
            }
        }
        dates
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name.to_ascii_lowercase().as_str() {
        "sunday" => Weekday::Sun,
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn daily_numbered_counts_from_the_start() {
        let rule = Recurrence::parse(&json!({
            "pattern": {"type": "daily", "interval": 2},
            "range": {"type": "numbered", "numberOfOccurrences": 3}
        }))
        .expect("rule");
        assert_eq!(
            rule.dates(date("2024-05-01"), date("2024-12-31")),
            [date("2024-05-01"), date("2024-05-03"), date("2024-05-05")]
        );
    }

    #[test]
    fn weekly_on_days_until_an_end_date() {
        let rule = Recurrence::parse(&json!({
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "wednesday"]},
            "range": {"type": "endDate", "endDate": "2024-05-08"}
        }))
        .expect("rule");
        assert_eq!(
            rule.dates(date("2024-05-01"), date("2024-12-31")),
            [date("2024-05-01"), date("2024-05-06"), date("2024-05-08")]
        );
    }

    #[test]
    fn open_ended_series_stop_at_the_last_date() {
        let rule = Recurrence::parse(&json!({"pattern": {"type": "daily"}})).expect("rule");
        assert_eq!(rule.dates(date("2024-05-01"), date("2024-05-10")).len(), 10);
    }

    #[test]
    fn unsupported_patterns_are_refused() {
        assert!(Recurrence::parse(&json!({"pattern": {"type": "absoluteMonthly"}})).is_err());
        assert!(Recurrence::parse(&json!({"pattern": {"type": "weekly"}})).is_err());
    }
}
