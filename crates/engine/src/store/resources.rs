//! What the planner needs to know of a calendar's stored events: etag, and the resource each
//! came in (CalDAV href, ICS UID; written with the event by the apply), so that replacing or
//! deleting a resource reaches all of its events.

use std::collections::HashMap;

use super::{Result, Store};
use crate::sync::plan::EventState;

impl Store {
    /// External id → etag and resource of every event stored for the calendar (the
    /// planner's input).
    pub async fn event_states(&self, calendar_id: i64) -> Result<HashMap<String, EventState>> {
        let rows = sqlx::query!(
            "SELECT external_id, etag, resource_id FROM events WHERE calendar_id = ?",
            calendar_id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let state = EventState {
                    etag: r.etag,
                    resource_id: r.resource_id,
                };
                (r.external_id, state)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::model::{EventStatus, EventTime, RemoteCalendar, RemoteEvent, SyncWindow};
    use crate::sync::plan::Plan;

    fn event(id: &str) -> RemoteEvent {
        RemoteEvent {
            external_id: id.into(),
            title: id.into(),
            description: None,
            location: None,
            start: EventTime::Date("2026-01-05".parse().unwrap()),
            end: EventTime::Date("2026-01-06".parse().unwrap()),
            recurrence: vec![],
            series: None,
            status: EventStatus::Confirmed,
            my_response: None,
            meeting_url: None,
            etag: Some("1".into()),
            updated: None,
            details: Default::default(),
        }
    }

    async fn store_with_calendar(now: DateTime<Utc>) -> (Store, i64) {
        let store = Store::open_in_memory().await.unwrap();
        let (account, _) = store.upsert_account("demo", "d", "D", now).await.unwrap();
        let calendar = RemoteCalendar {
            external_id: "c".into(),
            name: "C".into(),
            color: None,
            time_zone: None,
            primary: true,
            read_only: true,
        };
        store
            .reconcile_calendars(account, &[calendar])
            .await
            .unwrap();
        let id = store.calendars(None).await.unwrap()[0].id;
        (store, id)
    }

    #[tokio::test]
    async fn applied_events_remember_their_resource() {
        let now: DateTime<Utc> = "2026-01-05T12:00:00Z".parse().unwrap();
        let (store, id) = store_with_calendar(now).await;
        let plan = Plan {
            upserts: vec![event("a"), event("a@1"), event("single")],
            resources: vec![("a".into(), "a.ics".into()), ("a@1".into(), "a.ics".into())],
            full: true,
            ..Plan::default()
        };
        let window = SyncWindow::around(now, 30, 90);
        store.apply_plan(id, &plan, window, now).await.unwrap();

        let states = store.event_states(id).await.unwrap();
        let resource = |id: &str| states[id].resource_id.as_deref();
        assert_eq!(resource("a"), Some("a.ics"));
        assert_eq!(resource("a@1"), Some("a.ics"));
        assert_eq!(resource("single"), None);
        assert_eq!(states["a"].etag.as_deref(), Some("1"));

        // An upsert that names no resource keeps the one stored.
        let again = Plan {
            upserts: vec![event("a")],
            ..Plan::default()
        };
        store.apply_plan(id, &again, window, now).await.unwrap();
        let states = store.event_states(id).await.unwrap();
        assert_eq!(states["a"].resource_id.as_deref(), Some("a.ics"));
    }
}
