//! Applying a sync plan: one transaction that writes the calendar's events, rebuilds the
//! affected occurrences (expanding recurring series) and saves the new cursor. If anything
//! fails, or the process dies, the calendar stays exactly as it was.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};

use super::{fmt_utc, Result, Store, StoreError};
use crate::model::{EventTime, RemoteEvent, SyncWindow};
use crate::recurrence::{self, Series};
use crate::sync::plan::Plan;

/// What an applied plan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub upserted: usize,
    pub deleted: usize,
    /// Series whose instances were expanded again.
    pub expanded: usize,
}

/// A stored event row, as needed to expand a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub start: EventTime,
    pub end: EventTime,
    pub recurrence: Vec<String>,
}

impl Store {
    /// External id → etag of every event stored for the calendar (the planner's input).
    pub async fn event_etags(&self, calendar_id: i64) -> Result<HashMap<String, Option<String>>> {
        let rows = sqlx::query!(
            "SELECT external_id, etag FROM events WHERE calendar_id = ?",
            calendar_id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.external_id, r.etag)).collect())
    }

    /// Applies `plan` to the calendar in one transaction, expands recurring series over
    /// `window` and records the sync as successful at `now`.
    pub async fn apply_plan(
        &self,
        calendar_id: i64,
        plan: &Plan,
        window: SyncWindow,
        now: DateTime<Utc>,
    ) -> Result<ApplyStats> {
        let mut tx = self.pool.begin().await?;
        let mut stats = ApplyStats::default();
        // Series whose instances must be computed again.
        let mut touched_series: BTreeSet<String> = BTreeSet::new();

        for external_id in &plan.deletes {
            let row = sqlx::query!(
                "DELETE FROM events WHERE calendar_id = ? AND external_id = ?
                 RETURNING series_external_id, recurrence",
                calendar_id,
                external_id
            )
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                stats.deleted += 1;
                if let Some(master) = row.series_external_id {
                    touched_series.insert(master);
                }
            }
        }

        for event in &plan.upserts {
            let id = upsert_event(&mut tx, calendar_id, event).await?;
            stats.upserted += 1;
            sqlx::query!("DELETE FROM occurrences WHERE event_id = ?", id)
                .execute(&mut *tx)
                .await?;
            if let Some(series) = &event.series {
                touched_series.insert(series.master_external_id.clone());
            }
            if !event.recurrence.is_empty() {
                touched_series.insert(event.external_id.clone());
            } else if event.status != crate::model::EventStatus::Cancelled {
                insert_occurrence(&mut tx, id, calendar_id, "", &event.start, &event.end).await?;
            }
        }

        let expanded = sqlx::query!(
            "SELECT expanded_start, expanded_end FROM calendars WHERE id = ?",
            calendar_id
        )
        .fetch_one(&mut *tx)
        .await?;
        let (window_start, window_end) = (fmt_utc(window.start), fmt_utc(window.end));
        let window_moved = expanded.expanded_start.as_deref() != Some(window_start.as_str())
            || expanded.expanded_end.as_deref() != Some(window_end.as_str());
        if window_moved {
            let all = sqlx::query_scalar!(
                "SELECT external_id FROM events WHERE calendar_id = ? AND recurrence IS NOT NULL",
                calendar_id
            )
            .fetch_all(&mut *tx)
            .await?;
            touched_series.extend(all);
        }
        for master in &touched_series {
            if expand_series(&mut tx, calendar_id, master, window).await? {
                stats.expanded += 1;
            }
        }

        let max_span = sqlx::query_scalar!(
            r#"SELECT COALESCE(MAX(end_key - start_key), 0) AS "span!: i64"
               FROM occurrences WHERE calendar_id = ?"#,
            calendar_id
        )
        .fetch_one(&mut *tx)
        .await?;
        let now = fmt_utc(now);
        let (full_start, full_end) = if plan.full {
            (Some(window_start.clone()), Some(window_end.clone()))
        } else {
            (None, None)
        };
        sqlx::query!(
            "UPDATE calendars SET
                sync_cursor = ?, max_span_secs = ?,
                window_start = COALESCE(?, window_start), window_end = COALESCE(?, window_end),
                expanded_start = ?, expanded_end = ?,
                last_attempt_at = ?, last_success_at = ?, last_error = NULL
             WHERE id = ?",
            plan.cursor,
            max_span,
            full_start,
            full_end,
            window_start,
            window_end,
            now,
            now,
            calendar_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(stats)
    }
}

async fn upsert_event(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    e: &RemoteEvent,
) -> Result<i64> {
    let series_id = e.series.as_ref().map(|s| s.master_external_id.as_str());
    let original_start = e.series.as_ref().map(|s| s.original_start.to_wire());
    let (start, end) = (e.start.to_wire(), e.end.to_wire());
    let all_day = e.start.is_all_day();
    let time_zone = match &e.start {
        EventTime::DateTime { tz, .. } => tz.as_deref(),
        EventTime::Date(_) => None,
    };
    let recurrence = if e.recurrence.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(&e.recurrence)
                .map_err(|err| StoreError::Corrupt(err.to_string()))?,
        )
    };
    let status = e.status.as_str();
    let response = e.my_response.map(|r| r.as_str());
    let updated = e.updated.map(fmt_utc);
    let id = sqlx::query_scalar!(
        "INSERT INTO events (calendar_id, external_id, series_external_id, original_start, title,
                             description, location, start_at, end_at, all_day, time_zone,
                             recurrence, status, my_response, meeting_url, etag, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (calendar_id, external_id) DO UPDATE SET
            series_external_id = excluded.series_external_id,
            original_start = excluded.original_start, title = excluded.title,
            description = excluded.description, location = excluded.location,
            start_at = excluded.start_at, end_at = excluded.end_at, all_day = excluded.all_day,
            time_zone = excluded.time_zone, recurrence = excluded.recurrence,
            status = excluded.status, my_response = excluded.my_response,
            meeting_url = excluded.meeting_url, etag = excluded.etag,
            updated_at = excluded.updated_at
         RETURNING id",
        calendar_id,
        e.external_id,
        series_id,
        original_start,
        e.title,
        e.description,
        e.location,
        start,
        end,
        all_day,
        time_zone,
        recurrence,
        status,
        response,
        e.meeting_url,
        e.etag,
        updated
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

async fn insert_occurrence(
    tx: &mut Transaction<'_, Sqlite>,
    event_id: i64,
    calendar_id: i64,
    instance_key: &str,
    start: &EventTime,
    end: &EventTime,
) -> Result<()> {
    let (start_key, end_key) = (start.key(), end.key());
    let (start_at, end_at) = (start.to_wire(), end.to_wire());
    let all_day = start.is_all_day();
    sqlx::query!(
        "INSERT INTO occurrences (event_id, calendar_id, instance_key, start_key, end_key, all_day,
                                  start_at, end_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        event_id,
        calendar_id,
        instance_key,
        start_key,
        end_key,
        all_day,
        start_at,
        end_at
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Rebuilds the occurrences of one series master (if the calendar has it) from its rule,
/// leaving out the instances its exceptions replace or cancel. A rule that cannot be expanded
/// keeps the first instance, so the event is never lost. Returns whether a master was found.
async fn expand_series(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    master_external_id: &str,
    window: SyncWindow,
) -> Result<bool> {
    let Some(master) = load_master(tx, calendar_id, master_external_id).await? else {
        return Ok(false);
    };
    let overridden: HashSet<i64> = sqlx::query!(
        r#"SELECT original_start AS "original_start!", all_day AS "all_day: bool"
           FROM events
           WHERE calendar_id = ? AND series_external_id = ? AND original_start IS NOT NULL"#,
        calendar_id,
        master_external_id
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .filter_map(|r| EventTime::from_wire(&r.original_start, r.all_day, None).map(|t| t.key()))
    .collect();

    sqlx::query!("DELETE FROM occurrences WHERE event_id = ?", master.id)
        .execute(&mut **tx)
        .await?;
    let series = Series {
        start: &master.start,
        end: &master.end,
        recurrence: &master.recurrence,
    };
    let instances = match recurrence::expand(&series, window) {
        Ok(instances) => instances,
        Err(err) => {
            tracing::warn!(master = master_external_id, %err, "cannot expand series; keeping its first instance");
            vec![recurrence::Instance {
                original_start: master.start.clone(),
                start: master.start.clone(),
                end: master.end.clone(),
            }]
        }
    };
    for instance in instances {
        if overridden.contains(&instance.original_start.key()) {
            continue;
        }
        let key = instance.original_start.to_wire();
        insert_occurrence(
            tx,
            master.id,
            calendar_id,
            &key,
            &instance.start,
            &instance.end,
        )
        .await?;
    }
    Ok(true)
}

async fn load_master(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    external_id: &str,
) -> Result<Option<StoredEvent>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id!", start_at, end_at, all_day AS "all_day: bool", time_zone,
                  recurrence AS "recurrence!"
           FROM events
           WHERE calendar_id = ? AND external_id = ? AND recurrence IS NOT NULL"#,
        calendar_id,
        external_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let corrupt = || StoreError::Corrupt(format!("event {external_id}"));
    let tz = row.time_zone.as_deref();
    Ok(Some(StoredEvent {
        id: row.id,
        start: EventTime::from_wire(&row.start_at, row.all_day, tz).ok_or_else(corrupt)?,
        end: EventTime::from_wire(&row.end_at, row.all_day, tz).ok_or_else(corrupt)?,
        recurrence: serde_json::from_str(&row.recurrence).map_err(|_| corrupt())?,
    }))
}
