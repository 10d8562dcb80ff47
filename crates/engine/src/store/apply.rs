//! Applying a sync plan: one transaction that writes the calendar's events, rebuilds the
//! affected occurrences (expanding recurring series: `expand.rs`) and saves the new cursor. If anything
//! fails, or the process dies, the calendar stays exactly as it was.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Sqlite, Transaction};

use super::expand::expand_series;
#[cfg(test)]
use super::expand::{fair_shares, MAX_OCCURRENCES_PER_CALENDAR};
use super::{fmt_utc, Result, Store, StoreError};
use crate::model::{
    Attendee, EventDetails, EventStatus, EventTime, Person, RemoteEvent, SyncWindow,
};
use crate::sync::plan::Plan;
use crate::zones::{Zone, ZoneDefinitions};

/// What an applied plan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub upserted: usize,
    pub deleted: usize,
    /// Series whose instances were expanded again.
    pub expanded: usize,
}

impl Store {
    /// Applies `plan` to the calendar in one transaction, expands recurring series over
    /// `window` and records the sync as successful at `now`.
    ///
    /// Rows travel to SQLite as one JSON array per statement (read back with `json_each`), so
    /// a sync of thousands of events costs a handful of statements, not one per event.
    pub async fn apply_plan(
        &self,
        calendar_id: i64,
        plan: &Plan,
        window: SyncWindow,
        now: DateTime<Utc>,
    ) -> Result<ApplyStats> {
        self.apply_plan_with_zones(calendar_id, plan, None, window, now)
            .await
    }

    /// [`Store::apply_plan`] for a collection that sends its VTIMEZONE definitions: they replace
    /// the calendar's in the same transaction, before its series are expanded, so a failure
    /// leaves zones and events as they were together.
    pub async fn apply_plan_with_zones(
        &self,
        calendar_id: i64,
        plan: &Plan,
        zones: Option<&ZoneDefinitions>,
        window: SyncWindow,
        now: DateTime<Utc>,
    ) -> Result<ApplyStats> {
        let mut tx = self.begin_write().await?;
        if let Some(zones) = zones {
            super::zones::replace(&mut tx, calendar_id, zones).await?;
        }
        let mut stats = ApplyStats::default();
        // Series whose instances must be computed again.
        let mut touched_series: BTreeSet<String> = BTreeSet::new();

        if !plan.deletes.is_empty() {
            let ids = to_json(&plan.deletes)?;
            let deleted = sqlx::query_scalar!(
                "DELETE FROM events
                 WHERE calendar_id = ?1 AND external_id IN (SELECT value FROM json_each(?2))
                 RETURNING series_external_id",
                calendar_id,
                ids
            )
            .fetch_all(&mut *tx)
            .await?;
            stats.deleted = deleted.len();
            touched_series.extend(deleted.into_iter().flatten());
        }

        // A calendar without events (a first sync) has no occurrences to replace.
        let had_events = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM events WHERE calendar_id = ?) AS "any!: bool""#,
            calendar_id
        )
        .fetch_one(&mut *tx)
        .await?;
        // Each event's resource is written with the event itself, not by a second pass over
        // the rows just written.
        let resources: HashMap<&str, &str> = plan
            .resources
            .iter()
            .map(|(event, resource)| (event.as_str(), resource.as_str()))
            .collect();
        // In the order of the (calendar_id, external_id) index, which the resource index
        // mostly follows too: SQLite then appends to both b-trees instead of splitting pages
        // all over them.
        let mut upserts: Vec<&RemoteEvent> = plan.upserts.iter().collect();
        upserts.sort_unstable_by(|a, b| a.external_id.cmp(&b.external_id));
        for batch in upserts.chunks(BATCH) {
            let rows: Vec<EventRow<'_>> = batch
                .iter()
                .map(|e| EventRow::new(e, resources.get(e.external_id.as_str()).copied()))
                .collect::<Result<_>>()?;
            // A single event or an exception that happens gets one occurrence of its own
            // (series masters get theirs from expansion, cancelled instances none):
            // [external id, start key, end key].
            let occurring: Vec<(&str, i64, i64)> = batch
                .iter()
                .filter(|e| e.recurrence.is_empty() && e.status != EventStatus::Cancelled)
                .map(|e| (e.external_id.as_str(), e.start.key(), e.end.key()))
                .collect();
            let replaced = match had_events {
                true => Some(to_json(
                    &batch.iter().map(|e| &e.external_id).collect::<Vec<_>>(),
                )?),
                false => None,
            };
            let batch_json = EventBatch {
                rows: to_json(&rows)?,
                replaced,
                occurring: to_json(&occurring)?,
            };
            upsert_events(&mut tx, calendar_id, &batch_json).await?;
            stats.upserted += batch.len();
            for event in batch {
                if let Some(series) = &event.series {
                    touched_series.insert(series.master_external_id.clone());
                }
                if !event.recurrence.is_empty() {
                    touched_series.insert(event.external_id.clone());
                }
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
        stats.expanded = expand_series(&mut tx, calendar_id, &touched_series, window).await?;

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

/// Events per statement: large enough that statements are few, small enough that the JSON of
/// a batch stays a few hundred kilobytes.
const BATCH: usize = 500;

pub(super) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// An event as one element of the JSON array that `upsert_events` reads. An absent value is
/// left out (`->>` reads a missing key as NULL): a smaller object is parsed faster.
#[derive(Serialize)]
struct EventRow<'a> {
    external_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    series_external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_start: Option<String>,
    this_and_future: bool,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    start_at: String,
    end_at: String,
    all_day: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<&'a str>,
    /// Only when it differs from `time_zone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time_zone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    my_response: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meeting_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<&'a str>,
    /// The resource the event came in (CalDAV href, ICS UID); `None` keeps the stored one.
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ical_uid: Option<&'a str>,
    /// Objects, not strings: SQL reads them back as JSON text with `->`, so they are not
    /// escaped twice.
    #[serde(skip_serializing_if = "Option::is_none")]
    organizer: Option<&'a Person>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    attendees: &'a [Attendee],
    #[serde(skip_serializing_if = "is_zero")]
    attendees_omitted: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    web_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reminder_minutes: Option<&'a [u32]>,
    /// The people's names and addresses, for the search index.
    #[serde(skip_serializing_if = "Option::is_none")]
    people: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The organizer's and attendees' names and the part of their addresses before the `@`, as
/// one text for the search index; `None` when there are none. Domains are left out: most
/// invitations share one (the company's), so its words would match nearly every event, and
/// indexing them in every row made a first sync of 10,000 events a third slower.
fn people_text(details: &EventDetails) -> Option<String> {
    let mut text = String::new();
    let people = details
        .organizer
        .iter()
        .map(|o| (&o.name, &o.email))
        .chain(details.attendees.iter().map(|a| (&a.name, &a.email)));
    for (name, email) in people {
        let local = email.as_deref().map(|e| e.split('@').next().unwrap_or(e));
        for part in [name.as_deref(), local].into_iter().flatten() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(part);
        }
    }
    (!text.is_empty()).then_some(text)
}

impl<'a> EventRow<'a> {
    fn new(e: &'a RemoteEvent, resource_id: Option<&'a str>) -> Result<Self> {
        Ok(EventRow {
            external_id: &e.external_id,
            series_external_id: e.series.as_ref().map(|s| s.master_external_id.as_str()),
            original_start: e.series.as_ref().map(|s| s.original_start.to_wire()),
            this_and_future: e.series.as_ref().is_some_and(|s| s.this_and_future),
            title: &e.title,
            description: e.description.as_deref(),
            location: e.location.as_deref(),
            start_at: e.start.to_wire(),
            end_at: e.end.to_wire(),
            all_day: e.start.is_all_day(),
            time_zone: e.start.zone_name(),
            end_time_zone: e
                .end
                .zone_name()
                .filter(|&z| Some(z) != e.start.zone_name()),
            recurrence: if e.recurrence.is_empty() {
                None
            } else {
                Some(to_json(&e.recurrence)?)
            },
            status: e.status.as_str(),
            my_response: e.my_response.map(|r| r.as_str()),
            meeting_url: e.meeting_url.as_deref(),
            etag: e.etag.as_deref(),
            resource_id,
            updated_at: e.updated.map(fmt_utc),
            ical_uid: e.details.ical_uid.as_deref(),
            organizer: e.details.organizer.as_ref(),
            attendees: &e.details.attendees,
            attendees_omitted: e.details.attendees_omitted,
            web_link: e.details.web_link.as_deref(),
            reminder_minutes: e.details.reminder_minutes.as_deref(),
            people: people_text(&e.details),
        })
    }
}

/// One batch of events as JSON arrays: the rows, the external ids whose occurrences are
/// replaced (`None`: the calendar had no events, so none to replace), and the occurrences of
/// the rows that occur on their own. The small arrays spare SQLite parsing the rows again.
struct EventBatch {
    rows: String,
    replaced: Option<String>,
    occurring: String,
}

/// Inserts or replaces the events of `batch` and rebuilds the occurrences of those that occur
/// on their own. `CROSS JOIN` keeps the JSON rows as the outer
/// loop, so each looks its event up by the (calendar_id, external_id) index; left to itself the
/// planner may scan the JSON once per event, which is quadratic.
///
/// The rows are read through a materialised CTE (`r`): every mention of `json_each`'s `value`
/// would render the whole object as text again (19 times per event, most of the apply's time),
/// where a stored text is parsed once and its fields then read from SQLite's JSON cache.
async fn upsert_events(
    tx: &mut Transaction<'_, Sqlite>,
    calendar_id: i64,
    batch: &EventBatch,
) -> Result<()> {
    sqlx::query!(
        "WITH r(v) AS MATERIALIZED (SELECT value FROM json_each(?2))
         INSERT INTO events (calendar_id, external_id, series_external_id, original_start, title,
                             description, location, start_at, end_at, all_day, time_zone,
                             recurrence, status, my_response, meeting_url, etag, updated_at,
                             this_and_future, end_time_zone, resource_id, ical_uid, organizer,
                             attendees, attendees_omitted, web_link, reminder_minutes, people)
         SELECT ?1, v ->> '$.external_id', v ->> '$.series_external_id',
                v ->> '$.original_start', v ->> '$.title', v ->> '$.description',
                v ->> '$.location', v ->> '$.start_at', v ->> '$.end_at', v ->> '$.all_day',
                v ->> '$.time_zone', v ->> '$.recurrence', v ->> '$.status',
                v ->> '$.my_response', v ->> '$.meeting_url', v ->> '$.etag',
                v ->> '$.updated_at', v ->> '$.this_and_future', v ->> '$.end_time_zone',
                v ->> '$.resource_id', v ->> '$.ical_uid', v -> '$.organizer',
                v -> '$.attendees', COALESCE(v ->> '$.attendees_omitted', 0),
                v ->> '$.web_link', v -> '$.reminder_minutes', v ->> '$.people'
         FROM r WHERE true
         ON CONFLICT (calendar_id, external_id) DO UPDATE SET
            series_external_id = excluded.series_external_id,
            original_start = excluded.original_start, title = excluded.title,
            description = excluded.description, location = excluded.location,
            start_at = excluded.start_at, end_at = excluded.end_at, all_day = excluded.all_day,
            time_zone = excluded.time_zone, recurrence = excluded.recurrence,
            status = excluded.status, my_response = excluded.my_response,
            meeting_url = excluded.meeting_url, etag = excluded.etag,
            updated_at = excluded.updated_at, this_and_future = excluded.this_and_future,
            end_time_zone = excluded.end_time_zone,
            resource_id = COALESCE(excluded.resource_id, events.resource_id),
            ical_uid = excluded.ical_uid, organizer = excluded.organizer,
            attendees = excluded.attendees, attendees_omitted = excluded.attendees_omitted,
            web_link = excluded.web_link, reminder_minutes = excluded.reminder_minutes,
            people = excluded.people",
        calendar_id,
        batch.rows
    )
    .execute(&mut **tx)
    .await?;
    if let Some(replaced) = &batch.replaced {
        sqlx::query!(
            "DELETE FROM occurrences WHERE event_id IN (
                SELECT e.id FROM json_each(?2) AS j
                CROSS JOIN events AS e ON e.calendar_id = ?1 AND e.external_id = j.value)",
            calendar_id,
            replaced
        )
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query!(
        "WITH r(v) AS MATERIALIZED (SELECT value FROM json_each(?2))
         INSERT INTO occurrences (event_id, calendar_id, instance_key, start_key, end_key, all_day,
                                  start_at, end_at)
         SELECT e.id, ?1, '', r.v ->> 1, r.v ->> 2, e.all_day, e.start_at, e.end_at
         FROM r
         CROSS JOIN events AS e ON e.calendar_id = ?1 AND e.external_id = r.v ->> 0",
        calendar_id,
        batch.occurring
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The instance key an exception's `original_start` names. It is written in the master's form
/// (Google's `originalStartTime` is "the time at which this event would start according to the
/// recurrence data"), whatever the exception itself became: a timed instance moved to an
/// all-day slot keeps a timed original start, and the reverse. A value in the other form (as
/// some servers write it) is read as the master's instance on that day.
pub(super) fn original_key(
    original: &str,
    master_start: &EventTime,
    zones: &ZoneDefinitions,
) -> Option<i64> {
    let as_date = EventTime::from_wire(original, true, None);
    let as_time = EventTime::from_wire(original, false, None);
    let master_zone = || {
        master_start
            .zone_name()
            .and_then(|z| crate::zones::resolve(z, zones))
            .unwrap_or(Zone::UTC)
    };
    match (master_start, as_date, as_time) {
        // A floating RECURRENCE-ID on a zoned master: the master's wall clock.
        (EventTime::DateTime { .. }, _, Some(EventTime::Floating(wall))) => {
            Some(crate::local_time::resolve(wall, &master_zone()).timestamp())
        }
        (EventTime::Date(_), Some(same), _)
        | (EventTime::DateTime { .. }, _, Some(same))
        | (EventTime::Floating(_), _, Some(same @ EventTime::Floating(_))) => Some(same.key()),
        (EventTime::Floating(_), _, Some(EventTime::DateTime { utc, .. })) => {
            Some(utc.naive_utc().and_utc().timestamp())
        }
        (EventTime::Date(_), None, Some(EventTime::DateTime { utc, .. })) => {
            Some(EventTime::Date(utc.date_naive()).key())
        }
        (EventTime::Date(_), None, Some(EventTime::Floating(wall))) => {
            Some(EventTime::Date(wall.date()).key())
        }
        (EventTime::DateTime { utc, .. }, Some(EventTime::Date(day)), None) => {
            let zone = master_zone();
            let time = utc.with_timezone(&zone).time();
            Some(crate::local_time::resolve(day.and_time(time), &zone).timestamp())
        }
        (EventTime::Floating(wall), Some(EventTime::Date(day)), None) => {
            Some(day.and_time(wall.time()).and_utc().timestamp())
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
