//! Expanding recurring series into occurrence rows, inside the apply's transaction: the
//! masters, their exceptions and their old occurrences read and deleted for all the series at
//! once, each rule expanded over the sync window, and the instances written in batches, under
//! a per-calendar budget shared fairly among the series.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;
use sqlx::{Sqlite, Transaction};

use super::apply::to_json;
use super::exceptions::Exceptions;
use super::future::{self, Fate, FutureOverride};
use super::Result;
use crate::model::{EventTime, SyncWindow};
use crate::recurrence::{self, Series};
use crate::zones::ZoneDefinitions;

/// A stored event row, as needed to expand a series.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredEvent {
    id: i64,
    start: EventTime,
    end: EventTime,
    recurrence: Vec<String>,
}

/// One generated instance, as an element of the JSON array `insert_instances` reads.
#[derive(Serialize)]
struct InstanceRow {
    /// The series master, or the THISANDFUTURE override whose properties the instance takes.
    event_id: i64,
    instance_key: String,
    start_key: i64,
    end_key: i64,
    all_day: bool,
    start_at: String,
    end_at: String,
}

/// Writes `rows`, [`INSTANCE_BATCH`] per statement.
async fn insert_instances(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    rows: &[InstanceRow],
) -> Result<()> {
    for batch in rows.chunks(INSTANCE_BATCH) {
        insert_instance_batch(tx, calendar_id, &to_json(batch)?).await?;
    }
    Ok(())
}

/// Instances per statement: their rows are small, so more fit a batch than events do.
const INSTANCE_BATCH: usize = 2_000;

async fn insert_instance_batch(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    rows: &str,
) -> Result<()> {
    sqlx::query!(
        "WITH r(v) AS MATERIALIZED (SELECT value FROM json_each(?2))
         INSERT INTO occurrences (event_id, calendar_id, instance_key, start_key, end_key, all_day,
                                  start_at, end_at)
         SELECT v ->> '$.event_id', ?1, v ->> '$.instance_key', v ->> '$.start_key',
                v ->> '$.end_key', v ->> '$.all_day', v ->> '$.start_at', v ->> '$.end_at'
         FROM r",
        calendar_id,
        rows
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Occurrences one calendar may hold. A busy calendar over the ~120-day sync window holds a
/// few thousand (500 daily series would be 60,000); past this, series are cut (see
/// [`expand_series`]) so that one hostile calendar cannot fill the database and every listing.
pub const MAX_OCCURRENCES_PER_CALENDAR: usize = 100_000;

/// A series master to expand, with the instance keys its exceptions replace or cancel.
struct Master {
    external_id: String,
    event: StoredEvent,
    overridden: HashSet<i64>,
    /// Its THISANDFUTURE exceptions, by original start.
    future: Vec<FutureOverride>,
}

/// Rebuilds the occurrences of the series masters named in `masters` (those the calendar has)
/// from their rules, leaving out the instances their exceptions replace or cancel. A rule that
/// cannot be expanded keeps the first instance, so the event is never lost. When the calendar
/// would hold more than [`MAX_OCCURRENCES_PER_CALENDAR`] occurrences, the budget left by its
/// other events is shared fairly: a series gets all its instances if it has no more than its
/// share, the largest series are cut to their earliest instances (at least one each), and a
/// warning names each cut series. Returns how many masters were found.
///
/// Masters, exceptions and old occurrences are read and deleted for all the series at once,
/// and the new occurrences written in batches: a handful of statements, whatever the number
/// of series.
pub(super) async fn expand_series(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    masters: &BTreeSet<String>,
    window: SyncWindow,
) -> Result<usize> {
    if masters.is_empty() {
        return Ok(0);
    }
    let zones = super::zones::load(tx, calendar_id).await?;
    let names = to_json(masters)?;
    // Instances that THISANDFUTURE exceptions took over (their own occurrence has the empty
    // key and stays).
    sqlx::query!(
        "DELETE FROM occurrences WHERE instance_key != '' AND event_id IN (
            SELECT id FROM events
            WHERE calendar_id = ?1 AND series_external_id IN (SELECT value FROM json_each(?2)))",
        calendar_id,
        names
    )
    .execute(&mut **tx)
    .await?;
    let exceptions = Exceptions::load(tx, calendar_id, Some(&names)).await?;
    let loaded: Vec<Master> = load_masters(tx, calendar_id, &names)
        .await?
        .into_iter()
        .map(|(external_id, event)| Master {
            overridden: exceptions.overridden(&external_id, &event.start, &zones),
            future: exceptions.future(&external_id, &event.start, &zones),
            external_id,
            event,
        })
        .collect();
    // Only the masters that could be read: a damaged one keeps the occurrences it has.
    let ids = to_json(&loaded.iter().map(|m| m.event.id).collect::<Vec<_>>())?;
    sqlx::query!(
        "DELETE FROM occurrences WHERE event_id IN (SELECT value FROM json_each(?1))",
        ids
    )
    .execute(&mut **tx)
    .await?;
    let used = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM occurrences WHERE calendar_id = ?"#,
        calendar_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let budget = MAX_OCCURRENCES_PER_CALENDAR.saturating_sub(usize::try_from(used).unwrap_or(0));

    // Expand each series in full (up to the per-series cap), keeping the rows only while they
    // fit the budget, so that memory stays bounded by the budget too.
    let full = usize::from(recurrence::MAX_INSTANCES_PER_SERIES);
    let mut counts = Vec::with_capacity(loaded.len());
    let mut kept: Vec<InstanceRow> = Vec::new();
    let mut total = 0usize;
    for master in &loaded {
        let rows = instance_rows(master, &zones, window, full, true);
        total += rows.len();
        counts.push(rows.len());
        if total <= budget {
            kept.extend(rows);
        }
    }
    if total <= budget {
        insert_instances(tx, calendar_id, &kept).await?;
        return Ok(loaded.len());
    }
    drop(kept);
    let shares = fair_shares(&counts, budget);
    let mut rows = Vec::new();
    for ((master, count), share) in loaded.iter().zip(counts).zip(shares) {
        if share < count {
            tracing::warn!(
                master = master.external_id.as_str(),
                kept = share,
                dropped = count - share,
                limit = MAX_OCCURRENCES_PER_CALENDAR,
                "calendar has too many occurrences; keeping the first instances of this series"
            );
        }
        rows.extend(instance_rows(master, &zones, window, share, false));
    }
    insert_instances(tx, calendar_id, &rows).await?;
    Ok(loaded.len())
}

/// The occurrences of `master` in `window`: at most `cap` instances of its rule, less those its
/// exceptions replace, its TZIDs read with the calendar's `zones`. With `report`, a rule that
/// cannot be expanded or was cut is logged.
fn instance_rows(
    master: &Master,
    zones: &ZoneDefinitions,
    window: SyncWindow,
    cap: usize,
    report: bool,
) -> Vec<InstanceRow> {
    let event = &master.event;
    let series = Series {
        start: &event.start,
        end: &event.end,
        recurrence: &event.recurrence,
        zones,
    };
    let instances = match recurrence::expand_at_most(&series, window, cap) {
        Ok(expansion) => {
            if report && expansion.truncated {
                tracing::warn!(
                    master = master.external_id.as_str(),
                    kept = expansion.instances.len(),
                    "series is too large to expand in full; keeping its first instances"
                );
            }
            expansion.instances
        }
        Err(err) => {
            if report {
                tracing::warn!(master = master.external_id.as_str(), %err, "cannot expand series; keeping its first instance");
            }
            vec![recurrence::Instance {
                original_start: event.start.clone(),
                start: event.start.clone(),
                end: event.end.clone(),
            }]
        }
    };
    instances
        .into_iter()
        .filter(|i| !master.overridden.contains(&i.original_start.key()))
        .filter_map(|i| {
            let (event_id, i) = match future::apply(i, &master.future) {
                Fate::Master(i) => (event.id, i),
                Fate::Override(id, i, _) => (id, i),
                Fate::Dropped => return None,
            };
            Some(InstanceRow {
                event_id,
                instance_key: i.original_start.to_wire(),
                start_key: i.start.key(),
                end_key: i.end.key(),
                all_day: i.start.is_all_day(),
                start_at: i.start.to_wire(),
                end_at: i.end.to_wire(),
            })
        })
        .collect()
}

/// Max-min fair shares of `budget` among series of `counts` instances: each gets its count or
/// an equal share of what the smaller ones left, whichever is less, and at least one.
pub(super) fn fair_shares(counts: &[usize], budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| counts[i]);
    let mut left = budget;
    let mut shares = vec![0; counts.len()];
    for (done, &i) in order.iter().enumerate() {
        let fair = left / (counts.len() - done);
        let share = counts[i].min(fair.max(1));
        shares[i] = share;
        left = left.saturating_sub(share);
    }
    shares
}

/// The masters named in `names` (a JSON array of external ids) that the calendar has, by
/// external id. A row that cannot be read is left out with a warning.
async fn load_masters(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    names: &str,
) -> Result<Vec<(String, StoredEvent)>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", external_id, start_at, end_at, all_day AS "all_day: bool",
                  time_zone, COALESCE(end_time_zone, time_zone) AS "end_time_zone: String",
                  recurrence AS "recurrence!"
           FROM events
           WHERE calendar_id = ?1 AND recurrence IS NOT NULL
             AND external_id IN (SELECT value FROM json_each(?2))
           ORDER BY external_id"#,
        calendar_id,
        names
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let tz = row.time_zone.as_deref();
            let start = EventTime::from_wire(&row.start_at, row.all_day, tz);
            let end = EventTime::from_wire(&row.end_at, row.all_day, row.end_time_zone.as_deref());
            let recurrence = serde_json::from_str(&row.recurrence).ok();
            let (Some(start), Some(end), Some(recurrence)) = (start, end, recurrence) else {
                // One damaged row must not fail the calendar's sync: its series is left
                // unexpanded until the provider sends the event again (which overwrites it).
                tracing::warn!(
                    master = row.external_id.as_str(),
                    "a stored series cannot be read; not expanding it"
                );
                return None;
            };
            let event = StoredEvent {
                id: row.id,
                start,
                end,
                recurrence,
            };
            Some((row.external_id, event))
        })
        .collect())
}
