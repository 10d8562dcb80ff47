//! The exceptions (RECURRENCE-ID overrides) of many series read in one query, for expanding
//! them: per master, the instance keys its exceptions replace or cancel and its THISANDFUTURE
//! overrides. One query per calendar instead of two per series keeps a feed of hundreds of
//! series to a handful of statements.

use std::collections::{HashMap, HashSet};

use super::apply::original_key;
use super::future::FutureOverride;
use super::Result;
use crate::model::EventTime;
use crate::zones::ZoneDefinitions;

/// One stored exception, as read.
struct Row {
    id: i64,
    original_start: String,
    this_and_future: bool,
    start_at: String,
    end_at: String,
    all_day: bool,
    time_zone: Option<String>,
    status: String,
    my_response: Option<String>,
}

/// The exceptions of a calendar's series, by master external id.
pub(super) struct Exceptions {
    by_series: HashMap<String, Vec<Row>>,
}

impl Exceptions {
    /// The exceptions of the series named in `masters` (a JSON array of master external ids),
    /// or of every series of the calendar when `masters` is `None`.
    pub(super) async fn load(
        conn: &mut sqlx::SqliteConnection,
        calendar_id: i64,
        masters: Option<&str>,
    ) -> Result<Exceptions> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", series_external_id AS "series!",
                      original_start AS "original_start!",
                      this_and_future AS "this_and_future: bool", start_at, end_at,
                      all_day AS "all_day: bool", time_zone, status, my_response
               FROM events
               WHERE calendar_id = ?1 AND original_start IS NOT NULL
                 AND series_external_id IS NOT NULL
                 AND (?2 IS NULL OR series_external_id IN (SELECT value FROM json_each(?2)))"#,
            calendar_id,
            masters
        )
        .fetch_all(conn)
        .await?;
        let mut by_series: HashMap<String, Vec<Row>> = HashMap::new();
        for r in rows {
            by_series.entry(r.series).or_default().push(Row {
                id: r.id,
                original_start: r.original_start,
                this_and_future: r.this_and_future,
                start_at: r.start_at,
                end_at: r.end_at,
                all_day: r.all_day,
                time_zone: r.time_zone,
                status: r.status,
                my_response: r.my_response,
            });
        }
        Ok(Exceptions { by_series })
    }

    /// The instance keys the exceptions of the series replace or cancel.
    pub(super) fn overridden(
        &self,
        master_external_id: &str,
        master_start: &EventTime,
        zones: &ZoneDefinitions,
    ) -> HashSet<i64> {
        self.of(master_external_id)
            .iter()
            .filter_map(|r| original_key(&r.original_start, master_start, zones))
            .collect()
    }

    /// The THISANDFUTURE exceptions of the series, by original start.
    pub(super) fn future(
        &self,
        master_external_id: &str,
        master_start: &EventTime,
        zones: &ZoneDefinitions,
    ) -> Vec<FutureOverride> {
        let mut overrides: Vec<FutureOverride> = self
            .of(master_external_id)
            .iter()
            .filter(|r| r.this_and_future)
            .filter_map(|r| {
                let tz = r.time_zone.as_deref();
                Some(FutureOverride {
                    event_id: r.id,
                    original_key: original_key(&r.original_start, master_start, zones)?,
                    start: EventTime::from_wire(&r.start_at, r.all_day, tz)?,
                    end: EventTime::from_wire(&r.end_at, r.all_day, tz)?,
                    cancelled: r.status == "cancelled",
                    declined: r.my_response.as_deref() == Some("declined"),
                })
            })
            .collect();
        overrides.sort_by_key(|o| o.original_key);
        overrides
    }

    fn of(&self, master_external_id: &str) -> &[Row] {
        self.by_series
            .get(master_external_id)
            .map_or(&[], Vec::as_slice)
    }
}
