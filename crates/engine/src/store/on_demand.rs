//! Instances of stored recurring series outside the window the occurrences table was
//! precomputed over, expanded in memory when a query reaches there (`calbuddy events --from
//! 2019-01-01`): the store keeps every master, so any range its data covers can be answered.
//!
//! Single events and exceptions have their own occurrence rows whatever their date, so only
//! series masters need this. An instance is produced here exactly when the precomputed table
//! would not hold it (it does not overlap the calendar's expanded window by the expansion's own
//! test), so nothing is listed twice; ids, forms and ordering are those of stored occurrences.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::{DateTime, TimeDelta};

use super::events::{EventFilter, EventView, QueryRange};
use super::exceptions::Exceptions;
use super::expand::MAX_OCCURRENCES_PER_CALENDAR;
use super::future::{self, Fate};
use super::{parse_utc_opt, Result, Store};
use crate::model::{EventTime, SyncWindow};
use crate::recurrence::{self, Instance, Series, MAX_INSTANCES_PER_SERIES};

impl Store {
    /// The instances of series in enabled calendars that overlap `range` but lie outside the
    /// window their calendar was expanded over, unordered. Only the parts of the range outside
    /// that window are expanded (a range inside it costs one small query). Bounded by the
    /// expansion's caps: at most [`MAX_INSTANCES_PER_SERIES`] per series and part of the range
    /// (the earliest), and a calendar lists at most [`MAX_OCCURRENCES_PER_CALENDAR`], its
    /// `stored` occurrences (by calendar id) included.
    pub(super) async fn expand_beyond_window(
        &self,
        range: &QueryRange,
        filter: EventFilter,
        stored: &HashMap<i64, usize>,
    ) -> Result<Vec<EventView>> {
        // Generous bounds (both readings of the range, a day of slack for all-day and floating
        // instances); the exact test is done per instance.
        let day = 86_400;
        let (Some(lower), Some(upper)) = (
            DateTime::from_timestamp(range.start_utc.min(range.start_local) - day, 0),
            DateTime::from_timestamp(range.end_utc.max(range.end_local) + day, 0),
        ) else {
            return Ok(Vec::new());
        };
        let calendars = sqlx::query!(
            r#"SELECT id AS "id!", expanded_start, expanded_end FROM calendars WHERE enabled = 1"#
        )
        .fetch_all(&self.pool)
        .await?;
        let mut views = Vec::new();
        for calendar in calendars {
            let precomputed = match (
                parse_utc_opt(calendar.expanded_start),
                parse_utc_opt(calendar.expanded_end),
            ) {
                (Some(start), Some(end)) => Some(SyncWindow { start, end }),
                _ => None,
            };
            let parts = outside(
                SyncWindow {
                    start: lower,
                    end: upper,
                },
                precomputed,
            );
            if parts.is_empty() {
                continue;
            }
            let listed = stored.get(&calendar.id).copied().unwrap_or(0);
            let left = MAX_OCCURRENCES_PER_CALENDAR.saturating_sub(listed);
            if left == 0 {
                continue;
            }
            let found = self
                .calendar_beyond_window(calendar.id, &parts, precomputed, range, filter, left)
                .await?;
            views.extend(found);
        }
        Ok(views)
    }

    /// [`Store::expand_beyond_window`] for one calendar and the `parts` of the range outside
    /// its `precomputed` window; at most `cap` instances.
    async fn calendar_beyond_window(
        &self,
        calendar_id: i64,
        parts: &[SyncWindow],
        precomputed: Option<SyncWindow>,
        range: &QueryRange,
        filter: EventFilter,
        cap: usize,
    ) -> Result<Vec<EventView>> {
        let masters = sqlx::query!(
            r#"SELECT e.id AS "id!", e.external_id, e.start_at, e.end_at,
                      e.all_day AS "all_day: bool", e.time_zone,
                      COALESCE(e.end_time_zone, e.time_zone) AS "end_time_zone: String",
                      e.recurrence AS "recurrence!",
                      e.title, e.description, e.location, e.status, e.my_response, e.meeting_url,
                      c.name AS calendar_name,
                      COALESCE(c.color_override, c.color) AS "calendar_color: String",
                      a.id AS "account_id!", a.provider
               FROM events e
               JOIN calendars c ON c.id = e.calendar_id
               JOIN accounts a ON a.id = c.account_id
               WHERE e.calendar_id = ?1
                 AND e.recurrence IS NOT NULL
                 AND e.status != 'cancelled'
                 AND (?2 OR e.my_response IS NULL OR e.my_response != 'declined')
               ORDER BY e.id"#,
            calendar_id,
            filter.include_declined
        )
        .fetch_all(&self.pool)
        .await?;
        if masters.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.pool.acquire().await?;
        let zones = super::zones::load(&mut conn, calendar_id).await?;
        let exceptions = Exceptions::load(&mut conn, calendar_id, None).await?;
        let mut overriders: HashMap<i64, Props> = HashMap::new();
        let mut views = Vec::new();
        for m in masters {
            let tz = m.time_zone.as_deref();
            let start = EventTime::from_wire(&m.start_at, m.all_day, tz);
            let end = EventTime::from_wire(&m.end_at, m.all_day, m.end_time_zone.as_deref());
            let recurrence: Option<Vec<String>> = serde_json::from_str(&m.recurrence).ok();
            let (Some(start), Some(end), Some(recurrence)) = (start, end, recurrence) else {
                // Damaged rows are reported when the series is expanded at sync time.
                continue;
            };
            let series = Series {
                start: &start,
                end: &end,
                recurrence: &recurrence,
                zones: &zones,
            };
            let overridden = exceptions.overridden(&m.external_id, &start, &zones);
            let future = exceptions.future(&m.external_id, &start, &zones);
            let master = Props {
                event_id: m.id,
                external_id: m.external_id.clone(),
                title: m.title.clone(),
                description: m.description.clone(),
                location: m.location.clone(),
                status: m.status.clone(),
                my_response: m.my_response.clone(),
                meeting_url: m.meeting_url.clone(),
            };
            for part in parts {
                let cap_per_series = usize::from(MAX_INSTANCES_PER_SERIES);
                // A series that cannot be expanded kept its first instance as a stored row.
                let Ok(expansion) = recurrence::expand_at_most(&series, *part, cap_per_series)
                else {
                    break;
                };
                for instance in expansion.instances {
                    // Which instances the table holds is decided before any THISANDFUTURE move.
                    if overridden.contains(&instance.original_start.key())
                        || precomputed.is_some_and(|w| precomputed_in(&instance, w))
                    {
                        continue;
                    }
                    let (props, instance) = match future::apply(instance, &future) {
                        Fate::Master(instance) => (&master, instance),
                        Fate::Override(_, _, true) if !filter.include_declined => continue,
                        Fate::Override(id, instance, _) => {
                            if let Entry::Vacant(slot) = overriders.entry(id) {
                                slot.insert(Props::load(&mut conn, id).await?);
                            }
                            (&overriders[&id], instance)
                        }
                        Fate::Dropped => continue,
                    };
                    if !in_range(&instance, range) {
                        continue;
                    }
                    if views.len() >= cap {
                        tracing::warn!(
                            limit = MAX_OCCURRENCES_PER_CALENDAR,
                            "too many instances to list beyond the sync window; listing the first"
                        );
                        return Ok(views);
                    }
                    let all_day = instance.start.is_all_day();
                    views.push(EventView {
                        id: format!("{}@{}", props.event_id, instance.original_start.to_wire()),
                        account_id: m.account_id,
                        calendar_id,
                        calendar_name: m.calendar_name.clone(),
                        calendar_color: m.calendar_color.clone(),
                        provider: m.provider.clone(),
                        external_id: props.external_id.clone(),
                        title: props.title.clone(),
                        description: props.description.clone(),
                        location: props.location.clone(),
                        start: range.shown(instance.start.to_wire()),
                        end: range.shown(instance.end.to_wire()),
                        all_day,
                        recurring: true,
                        status: props.status.clone(),
                        my_response: props.my_response.clone(),
                        meeting_url: props.meeting_url.clone(),
                        // Filled with the stored ones' (see `super::merge`).
                        details: Default::default(),
                        also_in: Vec::new(),
                        sort_key: sort_key(&instance.start, range),
                    });
                }
            }
        }
        Ok(views)
    }
}

/// The parts of `wanted` outside the `precomputed` window (all of it when there is none).
/// Disjoint, so no instance comes from two parts unless it also overlaps the window (and is
/// then left to the table).
fn outside(wanted: SyncWindow, precomputed: Option<SyncWindow>) -> Vec<SyncWindow> {
    let Some(w) = precomputed else {
        return vec![wanted];
    };
    let mut parts = Vec::new();
    if wanted.start < w.start {
        parts.push(SyncWindow {
            start: wanted.start,
            end: wanted.end.min(w.start),
        });
    }
    if wanted.end > w.end {
        parts.push(SyncWindow {
            start: wanted.start.max(w.end),
            end: wanted.end,
        });
    }
    parts
}

/// The event a listed instance shows: the master's, or a THISANDFUTURE override's.
struct Props {
    event_id: i64,
    external_id: String,
    title: String,
    description: Option<String>,
    location: Option<String>,
    status: String,
    my_response: Option<String>,
    meeting_url: Option<String>,
}

impl Props {
    async fn load(conn: &mut sqlx::SqliteConnection, event_id: i64) -> Result<Props> {
        let r = sqlx::query!(
            "SELECT external_id, title, description, location, status, my_response, meeting_url
             FROM events WHERE id = ?",
            event_id
        )
        .fetch_one(conn)
        .await?;
        Ok(Props {
            event_id,
            external_id: r.external_id,
            title: r.title,
            description: r.description,
            location: r.location,
            status: r.status,
            my_response: r.my_response,
            meeting_url: r.meeting_url,
        })
    }
}

/// As the stored query sorts: all-day instances at local midnight, floating ones at their
/// instant in the viewer's zone.
fn sort_key(start: &EventTime, range: &QueryRange) -> i64 {
    match start {
        EventTime::DateTime { .. } => start.key(),
        EventTime::Date(_) => start.key() - range.offset,
        EventTime::Floating(_) => range
            .floating_sort_key(start.key())
            .unwrap_or(start.key() - range.offset),
    }
}

/// The stored query's test: a timed instance by instants, an all-day or floating one by local
/// wall-clock keys.
fn in_range(instance: &Instance, range: &QueryRange) -> bool {
    let (start, end) = (instance.start.key(), instance.end.key());
    if instance.start.is_wall_clock() {
        start < range.end_local && end > range.start_local
    } else {
        start < range.end_utc && end > range.start_utc
    }
}

/// Whether expansion over the calendar's window `w` produced (and so the occurrences table
/// holds) this instance: the expansion's own test, with its day of slack for all-day and
/// floating instances.
fn precomputed_in(instance: &Instance, w: SyncWindow) -> bool {
    let slack = if instance.start.is_wall_clock() {
        TimeDelta::days(1).num_seconds()
    } else {
        0
    };
    let start = instance.start.key() - slack;
    let end = instance.end.key() + slack;
    end > w.start.timestamp() && start < w.end.timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventStatus, SeriesRef};
    use crate::store::fixtures::{event, store_with_calendar, timed, utc};
    use crate::store::QueryRange;
    use crate::sync::plan::Plan;
    use chrono::Utc;

    const NOW: &str = "2026-06-01T12:00:00Z";

    /// Every Monday 09:00-10:00 Berlin from 2019-01-07, with a moved, a cancelled and an
    /// EXDATE'd instance in 2019 and one of each in 2030, and a single event in 2019; synced
    /// with the window around 2026-06-01.
    async fn stored() -> (Store, i64) {
        let (store, cal) = store_with_calendar("ics", NOW).await;
        let mut weekly = event(
            "weekly",
            timed("2019-01-07T08:00:00Z"),
            timed("2019-01-07T09:00:00Z"),
        );
        weekly.recurrence = vec![
            "RRULE:FREQ=WEEKLY;BYDAY=MO".into(),
            "EXDATE;TZID=Europe/Berlin:20190121T090000,20300114T090000".into(),
        ];
        let exception = |id: &str, original: &str, start: &str, end: &str, cancelled: bool| {
            let mut e = event(id, timed(start), timed(end));
            e.series = Some(SeriesRef {
                master_external_id: "weekly".into(),
                original_start: timed(original),
                this_and_future: false,
            });
            if cancelled {
                e.status = EventStatus::Cancelled;
            }
            e
        };
        let plan = Plan {
            upserts: vec![
                weekly,
                // 2019-01-14 moved to the Tuesday; 2019-01-28 cancelled.
                exception(
                    "moved2019",
                    "2019-01-14T08:00:00Z",
                    "2019-01-15T10:00:00Z",
                    "2019-01-15T11:00:00Z",
                    false,
                ),
                exception(
                    "cancelled2019",
                    "2019-01-28T08:00:00Z",
                    "2019-01-28T08:00:00Z",
                    "2019-01-28T09:00:00Z",
                    true,
                ),
                // 2030-01-07 cancelled.
                exception(
                    "cancelled2030",
                    "2030-01-07T08:00:00Z",
                    "2030-01-07T08:00:00Z",
                    "2030-01-07T09:00:00Z",
                    true,
                ),
                event(
                    "single2019",
                    timed("2019-01-09T12:00:00Z"),
                    timed("2019-01-09T13:00:00Z"),
                ),
            ],
            deletes: vec![],
            resources: vec![],
            cursor: Some("c".into()),
            full: true,
            unchanged: 0,
        };
        store
            .apply_plan(cal, &plan, SyncWindow::around(utc(NOW), 30, 90), utc(NOW))
            .await
            .unwrap();
        (store, cal)
    }

    async fn listed(store: &Store, from: &str, to: &str) -> Vec<(String, String)> {
        let range = QueryRange::new(utc(from), utc(to), &chrono_tz::Europe::Berlin);
        let all = EventFilter {
            include_declined: true,
            limit: None,
        };
        store
            .events_between(range, all)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.id, format!("{} {}", e.title, e.start)))
            .collect()
    }

    fn titles(listed: &[(String, String)]) -> Vec<&str> {
        listed.iter().map(|(_, t)| t.as_str()).collect()
    }

    #[tokio::test]
    async fn a_range_before_the_window_is_expanded_with_its_exceptions() {
        let (store, _) = stored().await;
        let got = listed(&store, "2019-01-01T00:00:00Z", "2019-02-05T00:00:00Z").await;
        assert_eq!(
            titles(&got),
            [
                "weekly 2019-01-07T08:00:00Z",
                "single2019 2019-01-09T12:00:00Z",
                "moved2019 2019-01-15T10:00:00Z",
                // 2019-01-21 EXDATE'd, 2019-01-28 cancelled.
                "weekly 2019-02-04T08:00:00Z"
            ]
        );
        // The same id form as precomputed occurrences.
        let master_id = got[0].0.split('@').next().unwrap().to_string();
        assert_eq!(got[0].0, format!("{master_id}@2019-01-07T08:00:00Z"));
    }

    #[tokio::test]
    async fn a_range_after_the_window_follows_dst_and_exdates() {
        let (store, _) = stored().await;
        let got = listed(&store, "2030-01-01T00:00:00Z", "2030-04-02T00:00:00Z").await;
        let got = titles(&got);
        // 2030-01-07 cancelled, 2030-01-14 EXDATE'd; summer time from 2030-03-31.
        assert_eq!(got[0], "weekly 2030-01-21T08:00:00Z");
        assert_eq!(got.len(), 11);
        assert_eq!(got[got.len() - 1], "weekly 2030-04-01T07:00:00Z");
        assert_eq!(got[got.len() - 2], "weekly 2030-03-25T08:00:00Z");
    }

    #[tokio::test]
    async fn a_range_across_the_window_edge_lists_each_instance_once() {
        let (store, _) = stored().await;
        // The window starts 2026-05-02 (30 days before NOW).
        let got = listed(&store, "2026-04-20T00:00:00Z", "2026-05-12T00:00:00Z").await;
        let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(ids, unique);
        assert_eq!(
            titles(&got),
            [
                "weekly 2026-04-20T07:00:00Z",
                "weekly 2026-04-27T07:00:00Z",
                "weekly 2026-05-04T07:00:00Z",
                "weekly 2026-05-11T07:00:00Z"
            ]
        );
    }

    #[tokio::test]
    async fn a_this_and_future_override_applies_beyond_the_window() {
        let (store, cal) = stored().await;
        let mut later = event(
            "later2030",
            timed("2030-03-04T09:00:00Z"),
            timed("2030-03-04T10:00:00Z"),
        );
        later.series = Some(SeriesRef {
            master_external_id: "weekly".into(),
            original_start: timed("2030-03-04T08:00:00Z"),
            this_and_future: true,
        });
        let plan = Plan {
            upserts: vec![later],
            deletes: vec![],
            resources: vec![],
            cursor: Some("d".into()),
            full: false,
            unchanged: 0,
        };
        store
            .apply_plan(cal, &plan, SyncWindow::around(utc(NOW), 30, 90), utc(NOW))
            .await
            .unwrap();
        let got = listed(&store, "2030-02-20T00:00:00Z", "2030-03-20T00:00:00Z").await;
        assert_eq!(
            titles(&got),
            [
                "weekly 2030-02-25T08:00:00Z",
                "later2030 2030-03-04T09:00:00Z",
                "later2030 2030-03-11T09:00:00Z",
                "later2030 2030-03-18T09:00:00Z"
            ]
        );
        let later_id = got[1].0.clone();
        assert_eq!(got[2].0, format!("{later_id}@2030-03-11T08:00:00Z"));
    }

    #[test]
    fn only_the_parts_outside_the_window_are_expanded() {
        let w = |a: &str, b: &str| SyncWindow {
            start: utc(a),
            end: utc(b),
        };
        let window = w("2026-05-01T00:00:00Z", "2026-09-01T00:00:00Z");
        let inside = w("2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z");
        assert_eq!(outside(inside, Some(window)), []);
        let before = w("2019-01-01T00:00:00Z", "2019-02-01T00:00:00Z");
        assert_eq!(outside(before, Some(window)), [before]);
        let across = w("2026-04-01T00:00:00Z", "2026-10-01T00:00:00Z");
        assert_eq!(
            outside(across, Some(window)),
            [
                w("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"),
                w("2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z")
            ]
        );
        assert_eq!(outside(inside, None), [inside]);
    }

    #[tokio::test]
    async fn a_limit_applies_to_the_merged_list() {
        let (store, _) = stored().await;
        let range = QueryRange::new(
            utc("2019-01-01T00:00:00Z"),
            utc("2019-02-05T00:00:00Z"),
            &Utc,
        );
        let two = EventFilter {
            include_declined: true,
            limit: Some(2),
        };
        let got: Vec<String> = store
            .events_between(range, two)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.title)
            .collect();
        assert_eq!(got, ["weekly", "single2019"]);
    }
}
