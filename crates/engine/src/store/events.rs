//! Reading events: the occurrences that overlap a span of time, joined with their event,
//! calendar and account — what `upcoming`, `events`, the tray and the dashboard show.

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::{Result, Store};

/// One occurrence of an event, in the shape of the CLI's JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView {
    /// Stable id of the occurrence: the event's row id, plus `@` and the original start for an
    /// instance of a recurring series.
    pub id: String,
    pub account_id: i64,
    pub calendar_id: i64,
    pub calendar_name: String,
    pub calendar_color: Option<String>,
    pub provider: String,
    pub external_id: String,
    pub title: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// RFC 3339 UTC (`...Z`), or `YYYY-MM-DD` for an all-day event.
    pub start: String,
    /// Exclusive; same forms as `start`.
    pub end: String,
    pub all_day: bool,
    pub recurring: bool,
    pub status: String,
    /// The user's answer to the invitation, when there is one (`declined`, ...).
    pub my_response: Option<String>,
    pub meeting_url: Option<String>,
    /// Where the event sorts, in UTC epoch seconds (all-day: local midnight).
    #[serde(skip)]
    pub sort_key: i64,
}

/// A span of time `[start, end)` to query, with its local wall-clock form for all-day events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryRange {
    start_utc: i64,
    end_utc: i64,
    start_local: i64,
    end_local: i64,
    /// Local offset from UTC at `start`, in seconds (all-day events sort at local midnight).
    offset: i64,
}

impl QueryRange {
    pub fn new<Tz: TimeZone>(start: DateTime<Utc>, end: DateTime<Utc>, tz: &Tz) -> Self {
        let local = |t: DateTime<Utc>| t.with_timezone(tz).naive_local().and_utc().timestamp();
        QueryRange {
            start_utc: start.timestamp(),
            end_utc: end.timestamp(),
            start_local: local(start),
            end_local: local(end),
            offset: local(start) - start.timestamp(),
        }
    }
}

/// Which occurrences a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFilter {
    /// Include events the user declined.
    pub include_declined: bool,
    pub limit: Option<u32>,
}

impl Store {
    /// Occurrences overlapping `range` in enabled calendars, ordered by start.
    pub async fn events_between(
        &self,
        range: QueryRange,
        filter: EventFilter,
    ) -> Result<Vec<EventView>> {
        // The index on start_key is bounded below by the longest occurrence, so events that
        // began before the range but are still running are found without a full scan.
        let max_span = sqlx::query_scalar!(
            r#"SELECT COALESCE(MAX(max_span_secs), 0) AS "span!: i64" FROM calendars"#
        )
        .fetch_one(&self.pool)
        .await?;
        let lowest = range.start_utc.min(range.start_local) - max_span;
        let highest = range.end_utc.max(range.end_local);
        let limit = filter.limit.map_or(-1, i64::from);
        let rows = sqlx::query!(
            r#"SELECT o.event_id, o.instance_key, o.start_at, o.end_at,
                      o.all_day AS "all_day: bool",
                      o.start_key - o.all_day * ?7 AS "sort_key!: i64",
                      e.external_id, e.title, e.description, e.location, e.status, e.my_response,
                      e.meeting_url,
                      (e.recurrence IS NOT NULL OR e.series_external_id IS NOT NULL) AS "recurring!: bool",
                      c.id AS "calendar_id!", c.name AS calendar_name, c.color AS calendar_color,
                      a.id AS "account_id!", a.provider
               FROM occurrences o
               JOIN events e ON e.id = o.event_id
               JOIN calendars c ON c.id = o.calendar_id
               JOIN accounts a ON a.id = c.account_id
               WHERE o.start_key >= ?1 AND o.start_key < ?2
                 AND ((o.all_day = 0 AND o.start_key < ?3 AND o.end_key > ?4)
                   OR (o.all_day = 1 AND o.start_key < ?5 AND o.end_key > ?6))
                 AND c.enabled = 1
                 AND e.status != 'cancelled'
                 AND (?8 OR e.my_response IS NULL OR e.my_response != 'declined')
               ORDER BY 6, o.id
               LIMIT ?9"#,
            lowest,
            highest,
            range.end_utc,
            range.start_utc,
            range.end_local,
            range.start_local,
            range.offset,
            filter.include_declined,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| EventView {
                id: if r.instance_key.is_empty() {
                    r.event_id.to_string()
                } else {
                    format!("{}@{}", r.event_id, r.instance_key)
                },
                account_id: r.account_id,
                calendar_id: r.calendar_id,
                calendar_name: r.calendar_name,
                calendar_color: r.calendar_color,
                provider: r.provider,
                external_id: r.external_id,
                title: r.title,
                description: r.description,
                location: r.location,
                start: r.start_at,
                end: r.end_at,
                all_day: r.all_day,
                recurring: r.recurring,
                status: r.status,
                my_response: r.my_response,
                meeting_url: r.meeting_url,
                sort_key: r.sort_key,
            })
            .collect())
    }

    /// How many events (rows, not occurrences) the store holds, for status output.
    pub async fn event_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM events"#)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
