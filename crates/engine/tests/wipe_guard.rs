//! The wipe guard: a complete listing that would suddenly empty a calendar of its events, or an
//! account of its calendars, is held back (data kept, `last_error` saying so) until the next
//! sync confirms it.

use std::sync::Mutex;

use calbuddy_engine::model::RemoteCalendar;
use calbuddy_engine::provider::demo::DemoProvider;
use calbuddy_engine::provider::{
    async_trait, Capabilities, ChangeSet, FetchRequest, Progress, Provider, ProviderError,
};
use calbuddy_engine::sync::{sync_account, SyncOptions};
use chrono::Utc;
use common::{timed, world, EMAIL};

mod common;

#[tokio::test]
async fn an_empty_full_listing_of_a_calendar_waits_for_a_second_one() {
    let w = world().await;
    w.fake.add_calendar("team", "Team", "#00ff00");
    w.fake.put_event(EMAIL, timed("a1", "One", 1));
    w.fake.put_event(EMAIL, timed("a2", "Two", 2));
    w.fake.put_event("team", timed("t1", "Lunch", 3));
    let id = w.connect().await;

    // The server suddenly lists the primary calendar as empty, in a full listing.
    w.fake.delete_event(EMAIL, "a1");
    w.fake.delete_event(EMAIL, "a2");
    w.fake.invalidate_sync_tokens(EMAIL);
    let first = w.sync(id).await;
    let expected =
        format!("the server listed no events for calendar {EMAIL}; keeping the 2 events until the next sync confirms it");
    assert_eq!(first.error.as_deref(), Some(expected.as_str()));
    assert_eq!(w.titles().await, ["Lunch", "One", "Two"]);
    let primary = w.engine.calendars().await.unwrap().remove(0);
    assert_eq!(primary.last_error.as_deref(), Some(expected.as_str()));
    let account = w.engine.account(id).await.unwrap();
    assert_eq!(account.last_error.as_deref(), Some(expected.as_str()));

    // Still empty at the next sync: confirmed.
    let second = w.sync(id).await;
    assert!(second.ok(), "{second:?}");
    assert_eq!(w.titles().await, ["Lunch"]);
    let primary = w.engine.calendars().await.unwrap().remove(0);
    assert_eq!(primary.last_error, None);

    // The marker was cleared: a later wipe is held back again.
    w.fake.put_event(EMAIL, timed("a3", "Three", 4));
    assert!(w.sync(id).await.ok());
    w.fake.delete_event(EMAIL, "a3");
    w.fake.invalidate_sync_tokens(EMAIL);
    assert!(!w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["Lunch", "Three"]);
}

#[tokio::test]
async fn an_incremental_sync_deletes_events_one_by_one_at_once() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a1", "One", 1));
    w.fake.put_event(EMAIL, timed("a2", "Two", 2));
    let id = w.connect().await;
    w.fake.delete_event(EMAIL, "a1");
    w.fake.delete_event(EMAIL, "a2");
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert!(w.titles().await.is_empty());
}

/// The demo calendar, whose calendar listing the test can empty.
struct Shrinking {
    demo: DemoProvider,
    calendars: Mutex<Option<Vec<RemoteCalendar>>>,
}

#[async_trait]
impl Provider for Shrinking {
    fn capabilities(&self) -> Capabilities {
        self.demo.capabilities()
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        let listed = self.calendars.lock().unwrap().clone();
        match listed {
            Some(listed) => Ok(listed),
            None => self.demo.list_calendars().await,
        }
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        self.demo.fetch_changes(request, progress).await
    }
}

#[tokio::test]
async fn an_empty_calendar_listing_waits_for_a_second_one() {
    let w = world().await;
    let store = w.engine.store();
    let now = Utc::now();
    let (id, _) = store
        .upsert_account("demo", "demo", "Demo", now)
        .await
        .unwrap();
    let provider = Shrinking {
        demo: DemoProvider::new(now, chrono_tz::UTC),
        calendars: Mutex::new(None),
    };
    let options = SyncOptions {
        days_back: 7,
        days_ahead: 30,
        deadline: std::time::Duration::from_secs(60),
    };
    let sync = || sync_account(store, &provider, id, options, now, &|_| {});
    assert!(sync().await.unwrap().ok());
    let events = store.event_count().await.unwrap();
    assert!(events > 0);

    *provider.calendars.lock().unwrap() = Some(vec![]);
    let held = sync().await.unwrap();
    let expected =
        "the server listed no calendars; keeping the 1 calendar until the next sync confirms it";
    assert_eq!(held.error.as_deref(), Some(expected));
    assert_eq!(store.calendars(Some(id)).await.unwrap().len(), 1);
    assert_eq!(store.event_count().await.unwrap(), events);
    let account = store.account(id).await.unwrap().unwrap();
    assert_eq!(account.last_error.as_deref(), Some(expected));

    let confirmed = sync().await.unwrap();
    assert!(confirmed.ok(), "{confirmed:?}");
    assert!(store.calendars(Some(id)).await.unwrap().is_empty());
    assert_eq!(store.event_count().await.unwrap(), 0);

    // A listing with calendars clears the marker: the next empty one is held back again.
    *provider.calendars.lock().unwrap() = None;
    assert!(sync().await.unwrap().ok());
    *provider.calendars.lock().unwrap() = Some(vec![]);
    assert!(!sync().await.unwrap().ok());
    assert_eq!(store.calendars(Some(id)).await.unwrap().len(), 1);
}
