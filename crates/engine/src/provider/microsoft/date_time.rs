//! Graph's `dateTimeTimeZone` (a wall-clock time without offset, seven fractional digits,
//! and a Windows or IANA zone name) read as an [`EventTime`]: timed values resolved through
//! the engine's zone table (CLDR's Windows names included), all-day values as dates.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::Deserialize;

use crate::model::EventTime;
use crate::zones::{self, Zone, ZoneDefinitions};

/// A local time without offset plus the zone it is in (Windows or IANA name).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeTimeZone {
    pub date_time: String,
    pub time_zone: Option<String>,
}

impl DateTimeTimeZone {
    /// The wall-clock time. Graph writes seven fractional digits
    /// (`2026-05-01T09:00:00.0000000`); an offset, if one is ever sent, is honoured.
    fn local(&self) -> Result<NaiveDateTime, String> {
        let text = self.date_time.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(at.naive_utc());
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| format!("bad dateTime {:?}", crate::text::one_line(text)))
    }

    /// The zone the time is in: no name means UTC (Graph's default).
    fn zone(&self) -> Option<Zone> {
        match self.time_zone.as_deref().map(str::trim) {
            None | Some("") => Some(Zone::UTC),
            Some(name) => zones::resolve(name, &ZoneDefinitions::default()),
        }
    }

    /// A timed start or end; a zone nobody knows (`tzone://Microsoft/Custom`) leaves the time
    /// floating rather than guessed.
    pub(super) fn resolve(&self) -> Result<EventTime, String> {
        if let Ok(at) = DateTime::parse_from_rfc3339(self.date_time.trim()) {
            return Ok(EventTime::DateTime {
                utc: at.with_timezone(&Utc),
                tz: None,
            });
        }
        let local = self.local()?;
        let name = self
            .time_zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .unwrap_or("UTC");
        Ok(match self.zone() {
            Some(zone) => EventTime::DateTime {
                utc: crate::local_time::resolve(local, &zone),
                tz: Some(name.to_owned()),
            },
            None => EventTime::Floating(local),
        })
    }

    /// The date of an all-day start or end. Graph keeps all-day events at midnight whatever
    /// `Prefer: outlook.timezone` asks for (PROVIDERS-more.md A4), so the date part is the
    /// date. Should a server still shift one into the asked zone (`22:00` the day before, in
    /// UTC), it is moved back into the zone the event was created in before the date is read.
    pub(super) fn all_day_date(&self, original_zone: Option<&str>) -> Result<NaiveDate, String> {
        let local = self.local()?;
        if local.time() == NaiveTime::MIN {
            return Ok(local.date());
        }
        let shifted_back = (|| {
            let from = self.zone()?;
            let to = zones::resolve(original_zone?, &ZoneDefinitions::default())?;
            let utc = crate::local_time::resolve(local, &from);
            let there = match to {
                Zone::Iana(tz) => utc.with_timezone(&tz).naive_local(),
                Zone::Defined(_) => return None,
            };
            (there.time() == NaiveTime::MIN).then(|| there.date())
        })();
        Ok(shifted_back.unwrap_or_else(|| local.date()))
    }
}
