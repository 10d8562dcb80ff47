//! Reading events: the occurrences that overlap a span of time, joined with their event,
//! calendar and account — what `upcoming`, `events`, the tray and the dashboard show.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;

use super::{Result, Store};
use crate::model::EventDetails;

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
    /// `ical_uid`, `organizer`, `attendees`, `attendees_omitted`, `web_link` and
    /// `reminder_minutes`, beside the other fields in JSON. An instance of a series has its
    /// master's unless its override has its own.
    #[serde(flatten)]
    pub details: EventDetails,
    /// The other calendars the same meeting is in, when it is shown once for all of them
    /// (see [`super::merge`]); empty otherwise.
    pub also_in: Vec<AlsoIn>,
    /// Where the event sorts, in UTC epoch seconds (all-day: local midnight).
    #[serde(skip)]
    pub sort_key: i64,
}

/// Another calendar a merged meeting is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlsoIn {
    pub calendar_id: i64,
    pub calendar_name: String,
    pub calendar_color: Option<String>,
    pub account_id: i64,
}

/// A span of time `[start, end)` to query, with its local wall-clock form for all-day and
/// floating events, and the viewer's zone that floating times are shown in.
#[derive(Clone)]
pub struct QueryRange {
    pub(super) start_utc: i64,
    pub(super) end_utc: i64,
    pub(super) start_local: i64,
    pub(super) end_local: i64,
    /// Local offset from UTC at `start`, in seconds (all-day events sort at local midnight).
    pub(super) offset: i64,
    /// The instant of a wall-clock time in the viewer's zone (kept as a function so any chrono
    /// zone works: `Local`, a tz database zone, `Utc`).
    viewer: Arc<dyn Fn(NaiveDateTime) -> DateTime<Utc> + Send + Sync>,
}

impl std::fmt::Debug for QueryRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryRange")
            .field("start_utc", &self.start_utc)
            .field("end_utc", &self.end_utc)
            .field("start_local", &self.start_local)
            .field("end_local", &self.end_local)
            .finish_non_exhaustive()
    }
}

impl QueryRange {
    pub fn new<Tz>(start: DateTime<Utc>, end: DateTime<Utc>, tz: &Tz) -> Self
    where
        Tz: TimeZone + Send + Sync + 'static,
    {
        let local = |t: DateTime<Utc>| t.with_timezone(tz).naive_local().and_utc().timestamp();
        let zone = tz.clone();
        QueryRange {
            start_utc: start.timestamp(),
            end_utc: end.timestamp(),
            start_local: local(start),
            end_local: local(end),
            offset: local(start) - start.timestamp(),
            viewer: Arc::new(move |wall| crate::local_time::resolve(wall, &zone)),
        }
    }

    /// A stored time as the views show it: a floating time (`YYYY-MM-DDTHH:MM:SS`) resolved
    /// in the viewer's zone as RFC 3339 UTC; other forms as they are.
    pub(super) fn shown(&self, stored: String) -> String {
        match crate::model::EventTime::from_wire(&stored, false, None) {
            Some(crate::model::EventTime::Floating(wall)) => {
                crate::store::fmt_utc((self.viewer)(wall))
            }
            _ => stored,
        }
    }

    /// Where a floating time sorts: its instant in the viewer's zone.
    pub(super) fn floating_sort_key(&self, wall_key: i64) -> Option<i64> {
        let wall = DateTime::from_timestamp(wall_key, 0)?.naive_utc();
        Some((self.viewer)(wall).timestamp())
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
    /// Occurrences overlapping `range` in enabled calendars, ordered by start: the stored ones
    /// and, where the range reaches past the window a calendar's series were expanded over,
    /// their instances there, expanded on demand (see [`super::on_demand`]).
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
        // Room for the copies that merging folds away (see `super::merge`), so a limited list
        // is still full after it.
        let limit = filter.limit.map_or(-1, |n| i64::from(n).saturating_mul(2));
        // All-day and floating rows hold wall-clock keys, compared with the range's local
        // bounds and sorted with the offset at its start; floating rows are placed exactly (in
        // the viewer's zone) once read, and the list sorted again.
        let rows = sqlx::query!(
            r#"SELECT o.event_id, o.instance_key, o.start_at, o.end_at,
                      o.all_day AS "all_day: bool",
                      o.start_key - (CASE WHEN o.all_day = 1 OR o.start_at NOT LIKE '%Z'
                                          THEN ?7 ELSE 0 END) AS "sort_key!: i64",
                      e.external_id, e.title, e.description, e.location, e.status, e.my_response,
                      e.meeting_url,
                      (e.recurrence IS NOT NULL OR e.series_external_id IS NOT NULL) AS "recurring!: bool",
                      c.id AS "calendar_id!", c.name AS calendar_name,
                      COALESCE(c.color_override, c.color) AS "calendar_color: String",
                      a.id AS "account_id!", a.provider,
                      (o.all_day = 0 AND o.start_at NOT LIKE '%Z') AS "floating!: bool",
                      o.start_key
               FROM occurrences o
               JOIN events e ON e.id = o.event_id
               JOIN calendars c ON c.id = o.calendar_id
               JOIN accounts a ON a.id = c.account_id
               WHERE o.start_key >= ?1 AND o.start_key < ?2
                 AND CASE WHEN o.all_day = 1 OR o.start_at NOT LIKE '%Z'
                          -- all-day and floating rows: wall-clock keys
                          THEN o.start_key < ?5 AND o.end_key > ?6
                          ELSE o.start_key < ?3 AND o.end_key > ?4 END
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
        let any_floating = rows.iter().any(|r| r.floating);
        let mut views: Vec<EventView> = rows
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
                start: if r.floating {
                    range.shown(r.start_at)
                } else {
                    r.start_at
                },
                end: if r.floating {
                    range.shown(r.end_at)
                } else {
                    r.end_at
                },
                all_day: r.all_day,
                recurring: r.recurring,
                status: r.status,
                my_response: r.my_response,
                meeting_url: r.meeting_url,
                details: EventDetails::default(),
                also_in: Vec::new(),
                sort_key: match r.floating {
                    true => range.floating_sort_key(r.start_key).unwrap_or(r.sort_key),
                    false => r.sort_key,
                },
            })
            .collect();
        let mut stored = std::collections::HashMap::new();
        for view in &views {
            *stored.entry(view.calendar_id).or_insert(0usize) += 1;
        }
        let beyond = self.expand_beyond_window(&range, filter, &stored).await?;
        if !beyond.is_empty() || any_floating {
            views.extend(beyond);
            // Stable: stored rows keep their order among equal starts.
            views.sort_by_key(|v| v.sort_key);
        }
        let facts = super::merge::load_facts(&self.pool, &views).await?;
        let mut views = super::merge::merge(views, facts);
        if let Some(limit) = filter.limit {
            views.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(views)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventStatus, EventTime, RemoteEvent, Response, SeriesRef, SyncWindow};
    use crate::store::fixtures::{date, event, store_with_calendar, timed, utc};
    use crate::sync::plan::Plan;

    const NOW: &str = "2026-01-05T12:00:00Z";

    async fn store_with(events: Vec<RemoteEvent>) -> (Store, i64) {
        let (store, cal) = store_with_calendar("google", NOW).await;
        apply(&store, cal, events, vec![]).await;
        (store, cal)
    }

    async fn apply(store: &Store, cal: i64, upserts: Vec<RemoteEvent>, deletes: Vec<&str>) {
        let plan = Plan {
            upserts,
            deletes: deletes.into_iter().map(String::from).collect(),
            resources: vec![],
            cursor: Some("c".into()),
            full: false,
            unchanged: 0,
        };
        let window = SyncWindow::around(utc(NOW), 30, 90);
        store
            .apply_plan(cal, &plan, window, utc(NOW))
            .await
            .unwrap();
    }

    fn all() -> EventFilter {
        EventFilter {
            include_declined: true,
            limit: None,
        }
    }

    async fn titles(store: &Store, from: &str, to: &str, filter: EventFilter) -> Vec<String> {
        let range = QueryRange::new(utc(from), utc(to), &Utc);
        store
            .events_between(range, filter)
            .await
            .unwrap()
            .into_iter()
            .map(|e| format!("{} {}", e.title, e.start))
            .collect()
    }

    #[tokio::test]
    async fn overlapping_events_in_start_order_including_ongoing_and_all_day() {
        let (store, _) = store_with(vec![
            event(
                "later",
                timed("2026-01-05T15:00:00Z"),
                timed("2026-01-05T16:00:00Z"),
            ),
            event(
                "ongoing",
                timed("2026-01-05T11:00:00Z"),
                timed("2026-01-05T13:00:00Z"),
            ),
            event(
                "ended",
                timed("2026-01-05T10:00:00Z"),
                timed("2026-01-05T12:00:00Z"),
            ),
            event("holiday", date("2026-01-05"), date("2026-01-06")),
            event("long trip", date("2025-12-20"), date("2026-01-10")),
            event(
                "next week",
                timed("2026-01-13T09:00:00Z"),
                timed("2026-01-13T10:00:00Z"),
            ),
        ])
        .await;
        assert_eq!(
            titles(&store, NOW, "2026-01-12T12:00:00Z", all()).await,
            [
                "long trip 2025-12-20",
                "holiday 2026-01-05",
                "ongoing 2026-01-05T11:00:00Z",
                "later 2026-01-05T15:00:00Z"
            ]
        );
        let first_two = EventFilter {
            include_declined: true,
            limit: Some(2),
        };
        assert_eq!(
            titles(&store, NOW, "2026-01-12T12:00:00Z", first_two)
                .await
                .len(),
            2
        );
    }

    #[tokio::test]
    async fn all_day_events_follow_the_local_day() {
        let (store, _) = store_with(vec![event(
            "tuesday",
            date("2026-01-06"),
            date("2026-01-07"),
        )])
        .await;
        // 23:30 UTC on Monday is already Tuesday in Berlin, not yet in New York.
        let (from, to) = (utc("2026-01-05T23:30:00Z"), utc("2026-01-05T23:45:00Z"));
        let berlin = QueryRange::new(from, to, &chrono_tz::Europe::Berlin);
        let new_york = QueryRange::new(from, to, &chrono_tz::America::New_York);
        assert_eq!(store.events_between(berlin, all()).await.unwrap().len(), 1);
        assert_eq!(
            store.events_between(new_york, all()).await.unwrap().len(),
            0
        );
    }

    #[tokio::test]
    async fn floating_events_are_shown_in_the_viewers_zone() {
        let wall = |s: &str| {
            EventTime::Floating(chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap())
        };
        // Mondays 09:00-10:00 wherever the viewer is, from 2026-03-02 (New York changes to
        // summer time on 2026-03-08, Berlin on 2026-03-29), and one floating single event.
        let mut weekly = event("weekly", wall("2026-03-02T09:00"), wall("2026-03-02T10:00"));
        weekly.recurrence = vec!["RRULE:FREQ=WEEKLY;COUNT=5".into()];
        let (store, _) = store_with(vec![
            weekly,
            event("lunch", wall("2026-03-31T12:00"), wall("2026-03-31T13:00")),
            event(
                "berlin",
                timed("2026-03-30T07:30:00Z"),
                timed("2026-03-30T08:00:00Z"),
            ),
        ])
        .await;
        let shown = |tz: chrono_tz::Tz| {
            let store = store.clone();
            async move {
                let range = QueryRange::new(
                    utc("2026-03-01T00:00:00Z"),
                    utc("2026-04-01T00:00:00Z"),
                    &tz,
                );
                store
                    .events_between(range, all())
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| format!("{} {} {} {}", e.title, e.start, e.end, e.all_day))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            shown(chrono_tz::Europe::Berlin).await,
            [
                "weekly 2026-03-02T08:00:00Z 2026-03-02T09:00:00Z false",
                "weekly 2026-03-09T08:00:00Z 2026-03-09T09:00:00Z false",
                "weekly 2026-03-16T08:00:00Z 2026-03-16T09:00:00Z false",
                "weekly 2026-03-23T08:00:00Z 2026-03-23T09:00:00Z false",
                "weekly 2026-03-30T07:00:00Z 2026-03-30T08:00:00Z false",
                "berlin 2026-03-30T07:30:00Z 2026-03-30T08:00:00Z false",
                "lunch 2026-03-31T10:00:00Z 2026-03-31T11:00:00Z false",
            ]
        );
        assert_eq!(
            shown(chrono_tz::America::New_York).await,
            [
                "weekly 2026-03-02T14:00:00Z 2026-03-02T15:00:00Z false",
                "weekly 2026-03-09T13:00:00Z 2026-03-09T14:00:00Z false",
                "weekly 2026-03-16T13:00:00Z 2026-03-16T14:00:00Z false",
                "weekly 2026-03-23T13:00:00Z 2026-03-23T14:00:00Z false",
                "berlin 2026-03-30T07:30:00Z 2026-03-30T08:00:00Z false",
                "weekly 2026-03-30T13:00:00Z 2026-03-30T14:00:00Z false",
                "lunch 2026-03-31T16:00:00Z 2026-03-31T17:00:00Z false",
            ]
        );
        // A range that ends at 09:00 Berlin time leaves that day's instance out.
        let before_nine = QueryRange::new(
            utc("2026-03-30T00:00:00Z"),
            utc("2026-03-30T07:00:00Z"),
            &chrono_tz::Europe::Berlin,
        );
        let titles: Vec<String> = store
            .events_between(before_nine, all())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.title)
            .collect();
        assert!(titles.is_empty(), "{titles:?}");
    }

    #[tokio::test]
    async fn declined_and_disabled_calendars_are_left_out_when_asked() {
        let mut declined = event(
            "declined",
            timed("2026-01-05T15:00:00Z"),
            timed("2026-01-05T16:00:00Z"),
        );
        declined.my_response = Some(Response::Declined);
        let (store, cal) = store_with(vec![
            declined,
            event(
                "kept",
                timed("2026-01-05T17:00:00Z"),
                timed("2026-01-05T18:00:00Z"),
            ),
        ])
        .await;
        let upcoming = EventFilter {
            include_declined: false,
            limit: None,
        };
        assert_eq!(
            titles(&store, NOW, "2026-01-06T00:00:00Z", upcoming).await,
            ["kept 2026-01-05T17:00:00Z"]
        );
        assert_eq!(
            titles(&store, NOW, "2026-01-06T00:00:00Z", all())
                .await
                .len(),
            2
        );
        store.set_calendar_enabled(cal, false).await.unwrap();
        assert!(titles(&store, NOW, "2026-01-06T00:00:00Z", all())
            .await
            .is_empty());
    }

    #[tokio::test]
    async fn series_with_moved_and_cancelled_instances() {
        let mut master = event(
            "standup",
            timed("2026-01-05T08:00:00Z"),
            timed("2026-01-05T08:15:00Z"),
        );
        master.recurrence = vec!["RRULE:FREQ=DAILY;COUNT=5".into()];
        let mut moved = event(
            "standup_20260106T080000Z",
            timed("2026-01-06T10:00:00Z"),
            timed("2026-01-06T10:15:00Z"),
        );
        moved.title = "standup moved".into();
        moved.series = Some(SeriesRef {
            master_external_id: "standup".into(),
            original_start: timed("2026-01-06T08:00:00Z"),
            this_and_future: false,
        });
        let mut cancelled = event(
            "standup_20260107T080000Z",
            timed("2026-01-07T08:00:00Z"),
            timed("2026-01-07T08:00:00Z"),
        );
        cancelled.status = EventStatus::Cancelled;
        cancelled.series = Some(SeriesRef {
            master_external_id: "standup".into(),
            original_start: timed("2026-01-07T08:00:00Z"),
            this_and_future: false,
        });
        // The exceptions arrive before their master: order must not matter.
        let (store, cal) = store_with(vec![moved, cancelled, master]).await;
        let expected = [
            "standup 2026-01-05T08:00:00Z",
            "standup moved 2026-01-06T10:00:00Z",
            "standup 2026-01-08T08:00:00Z",
            "standup 2026-01-09T08:00:00Z",
        ];
        assert_eq!(
            titles(
                &store,
                "2026-01-01T00:00:00Z",
                "2026-02-01T00:00:00Z",
                all()
            )
            .await,
            expected
        );
        let views = store
            .events_between(
                QueryRange::new(
                    utc("2026-01-01T00:00:00Z"),
                    utc("2026-02-01T00:00:00Z"),
                    &Utc,
                ),
                all(),
            )
            .await
            .unwrap();
        assert!(views.iter().all(|v| v.recurring));
        // An instance's id is its event's id and its original start; an exception's, its own.
        let event_id = |external_id: &'static str| {
            sqlx::query_scalar::<_, i64>("SELECT id FROM events WHERE external_id = ?")
                .bind(external_id)
                .fetch_one(&store.pool)
        };
        let master = event_id("standup").await.unwrap();
        let moved = event_id("standup_20260106T080000Z").await.unwrap();
        assert_eq!(views[0].id, format!("{master}@2026-01-05T08:00:00Z"));
        assert_eq!(views[1].id, moved.to_string());

        // Deleting the moved exception brings the original instance back.
        apply(&store, cal, vec![], vec!["standup_20260106T080000Z"]).await;
        let back = titles(
            &store,
            "2026-01-06T00:00:00Z",
            "2026-01-07T00:00:00Z",
            all(),
        )
        .await;
        assert_eq!(back, ["standup 2026-01-06T08:00:00Z"]);

        // Deleting the master removes its instances.
        apply(&store, cal, vec![], vec!["standup"]).await;
        assert!(titles(
            &store,
            "2026-01-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            all()
        )
        .await
        .is_empty());
    }

    #[tokio::test]
    async fn people_links_and_reminders_round_trip_and_instances_inherit_them() {
        use crate::model::{Attendee, EventDetails, Person};
        let details = EventDetails {
            ical_uid: Some("standup@x".into()),
            organizer: Some(Person {
                name: Some("Ann".into()),
                email: Some("ann@x.org".into()),
            }),
            attendees: vec![Attendee {
                name: Some("Bob \"B\" O'Neil".into()),
                email: Some("bob@x.org".into()),
                response: Some("tentative".into()),
                is_self: true,
                optional: true,
            }],
            attendees_omitted: 3,
            web_link: Some("https://example.org/e?a=1&b=2".into()),
            reminder_minutes: Some(vec![]),
        };
        let mut master = event(
            "standup",
            timed("2026-01-05T08:00:00Z"),
            timed("2026-01-05T08:15:00Z"),
        );
        master.recurrence = vec!["RRULE:FREQ=DAILY;COUNT=3".into()];
        master.details = details.clone();
        // The moved instance says nothing of its own: it shows the master's; the other
        // single event has its own reminders.
        let mut moved = event(
            "standup_1",
            timed("2026-01-06T10:00:00Z"),
            timed("2026-01-06T10:15:00Z"),
        );
        moved.series = Some(SeriesRef {
            master_external_id: "standup".into(),
            original_start: timed("2026-01-06T08:00:00Z"),
            this_and_future: false,
        });
        let mut own = event(
            "own",
            timed("2026-01-07T12:00:00Z"),
            timed("2026-01-07T13:00:00Z"),
        );
        own.details.reminder_minutes = Some(vec![30, 5]);
        let (store, _) = store_with(vec![master, moved, own]).await;
        let range = QueryRange::new(
            utc("2026-01-05T00:00:00Z"),
            utc("2026-01-08T00:00:00Z"),
            &Utc,
        );
        let views = store.events_between(range, all()).await.unwrap();
        let shown: Vec<(&str, &EventDetails)> = views
            .iter()
            .map(|v| (v.start.as_str(), &v.details))
            .collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        for (start, d) in &shown[..3] {
            assert_eq!(*d, &details, "{start}");
        }
        assert_eq!(shown[3].1.reminder_minutes, Some(vec![30, 5]));
        assert_eq!(shown[3].1.ical_uid, None);
        // In JSON, the fields sit beside the others, `also_in` always there.
        let json = serde_json::to_value(&views[0]).unwrap();
        assert_eq!(json["ical_uid"], "standup@x");
        assert_eq!(json["organizer"]["email"], "ann@x.org");
        assert_eq!(json["attendees"][0]["response"], "tentative");
        assert_eq!(json["attendees"][0]["is_self"], true);
        assert_eq!(json["attendees_omitted"], 3);
        assert_eq!(json["web_link"], "https://example.org/e?a=1&b=2");
        assert_eq!(json["reminder_minutes"], serde_json::json!([]));
        assert_eq!(json["also_in"], serde_json::json!([]));
        assert_eq!(
            serde_json::to_value(&views[3]).unwrap()["organizer"],
            serde_json::Value::Null
        );
    }

    #[tokio::test]
    async fn an_exception_without_its_master_shows_as_a_single_event() {
        let mut orphan = event(
            "x_20260106",
            timed("2026-01-06T10:00:00Z"),
            timed("2026-01-06T11:00:00Z"),
        );
        orphan.series = Some(SeriesRef {
            master_external_id: "not-shared-with-me".into(),
            original_start: timed("2026-01-06T10:00:00Z"),
            this_and_future: false,
        });
        let (store, _) = store_with(vec![orphan]).await;
        assert_eq!(
            titles(&store, NOW, "2026-01-07T00:00:00Z", all()).await,
            ["x_20260106 2026-01-06T10:00:00Z"]
        );
    }
}
