//! The provider conformance suite (vdirsyncer's storage tests, written once for every
//! backend): each scenario drives [`sync_account`] against a [`Backend`]'s provider and a
//! fresh store, and [`conformance_suite!`] instantiates every scenario for one backend.
//!
//! A backend says what its service can be made to do ([`Feature`]); a scenario that needs a
//! feature the backend lacks is reported as skipped on stderr, never passed silently. Adding
//! a provider (ICS, CalDAV, Microsoft Graph) is one `Backend` impl over its fake server and
//! one `conformance_suite!` line.

#![allow(dead_code)] // Each test binary instantiates the suite for its own backends.

pub mod caldav;
pub mod demo;
pub mod google;
pub mod ics;
pub mod memory;
pub mod microsoft;

use calbuddy_engine::provider::{Provider, Scope};
use calbuddy_engine::store::{EventFilter, QueryRange, Store};
use calbuddy_engine::sync::{sync_account, SyncOptions, SyncReport};
use chrono::{DateTime, Duration, Utc};

/// What a backend's service can be made to do by a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Add, change and delete events on the server.
    Edit,
    /// Make the saved cursor expire (Google's 410).
    ExpireCursor,
    /// Fail the next events request mid-sync.
    Faults,
    /// List nothing at all although events were there.
    EmptyListing,
    /// Serve a listing in several pages (or chunks).
    Paging,
    /// Serve a recurring series with moved instances, and drop one of them.
    Series,
}

/// One provider under test, with the knobs of its (fake) service.
#[allow(async_fn_in_trait)] // Used generically by the suite only, never as `dyn`.
pub trait Backend: Sized {
    /// The provider kind's name, as accounts store it.
    const KIND: &'static str;

    /// A fresh service with one calendar.
    async fn start() -> Self;

    /// The provider for the test account, as the engine would build it.
    fn provider(&self) -> &dyn Provider;

    fn supports(&self, feature: Feature) -> bool;

    /// Adds a one-hour event `offset_hours` from now.
    async fn add_event(&self, id: &str, title: &str, offset_hours: i64);

    /// Adds many such events at once (paging scenarios).
    async fn add_events(&self, events: &[(String, String, i64)]) {
        for (id, title, offset) in events {
            self.add_event(id, title, *offset).await;
        }
    }

    async fn change_event(&self, id: &str, title: &str, offset_hours: i64);

    async fn delete_event(&self, id: &str);

    /// The saved cursor is no longer accepted from now on.
    async fn expire_cursor(&self);

    /// The next events request fails in a way retrying does not fix.
    async fn fail_next(&self);

    /// The next listing of the calendar is complete but empty, whatever it holds.
    async fn empty_listing(&self);

    /// Adds a daily series of five one-hour instances titled `title` from tomorrow, with the
    /// instances numbered in `moved` (0 to 4) moved an hour later and titled "`title` moved".
    async fn add_series(&self, id: &str, title: &str, moved: &[u32]);

    /// The series' instance `index` is no longer moved: it is back at its time and title.
    async fn drop_override(&self, id: &str, index: u32);

    /// Events per page of a listing.
    fn page_size(&self) -> usize {
        0
    }

    /// Requests the service has answered so far, when it can count them.
    fn requests(&self) -> Option<usize> {
        None
    }
}

/// A backend with a store and an account to sync into.
pub struct Harness<B> {
    pub backend: B,
    pub store: Store,
    pub account: i64,
}

impl<B: Backend> Harness<B> {
    pub async fn new() -> Self {
        let backend = B::start().await;
        let store = Store::open_in_memory().await.unwrap();
        let (account, _) = store
            .upsert_account(B::KIND, "conformance", "Conformance", Utc::now())
            .await
            .unwrap();
        Harness {
            backend,
            store,
            account,
        }
    }

    /// Skips the scenario (saying so) unless the backend supports every feature.
    pub fn needs(&self, features: &[Feature]) -> bool {
        let missing: Vec<_> = features
            .iter()
            .filter(|f| !self.backend.supports(**f))
            .collect();
        if !missing.is_empty() {
            eprintln!("skipped for {}: it does not support {missing:?}", B::KIND);
        }
        missing.is_empty()
    }

    pub async fn sync_at(&self, now: DateTime<Utc>) -> SyncReport {
        let options = SyncOptions {
            days_back: 30,
            days_ahead: 90,
            deadline: std::time::Duration::from_secs(60),
        };
        sync_account(
            &self.store,
            self.backend.provider(),
            self.account,
            options,
            now,
            &|_| {},
        )
        .await
        .unwrap()
    }

    pub async fn sync(&self) -> SyncReport {
        self.sync_at(Utc::now()).await
    }

    /// Titles of every occurrence in the synced window, sorted.
    pub async fn titles(&self) -> Vec<String> {
        let now = Utc::now();
        let range = QueryRange::new(now - Duration::days(30), now + Duration::days(90), &Utc);
        let filter = EventFilter {
            include_declined: true,
            limit: None,
        };
        let events = self.store.events_between(range, filter).await.unwrap();
        let mut titles: Vec<String> = events.into_iter().map(|e| e.title).collect();
        titles.sort();
        titles
    }

    /// `added`, sorted: what a backend that can be edited holds after the test added it.
    pub fn expect(&self, added: &[&str]) -> Vec<String> {
        let mut titles: Vec<String> = added.iter().map(|t| t.to_string()).collect();
        titles.sort();
        titles
    }
}

fn ok(report: &SyncReport) {
    assert!(report.ok(), "{report:?}");
}

pub async fn first_sync_stores_every_calendar_and_event<B: Backend>() {
    let h = Harness::<B>::new().await;
    let editable = h.backend.supports(Feature::Edit);
    if editable {
        h.backend.add_event("a", "A", 2).await;
        h.backend.add_event("b", "B", 30).await;
    }
    let report = h.sync().await;
    ok(&report);
    assert!(report.calendars.iter().all(|c| c.full), "{report:?}");
    let calendars = h.store.calendars(Some(h.account)).await.unwrap();
    assert!(!calendars.is_empty());
    let titles = h.titles().await;
    assert!(!titles.is_empty(), "the first sync stored events");
    if editable {
        assert_eq!(titles, h.expect(&["A", "B"]));
    }
}

pub async fn a_sync_without_changes_changes_nothing_and_costs_little<B: Backend>() {
    let h = Harness::<B>::new().await;
    ok(&h.sync().await);
    let before = h.titles().await;
    let requests = h.backend.requests();
    let report = h.sync().await;
    ok(&report);
    for calendar in &report.calendars {
        assert!(!calendar.full, "{report:?}");
        assert_eq!((calendar.upserted, calendar.deleted), (0, 0), "{report:?}");
    }
    assert_eq!(h.titles().await, before);
    if let (Some(before), Some(after)) = (requests, h.backend.requests()) {
        // One calendar listing and one incremental fetch per calendar.
        assert!(
            after - before <= 1 + report.calendars.len(),
            "{} requests",
            after - before
        );
    } else {
        eprintln!("{}: request count not checked", B::KIND);
    }
}

pub async fn a_changed_event_is_updated<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Edit]) {
        return;
    }
    h.backend.add_event("a", "A", 2).await;
    h.backend.add_event("b", "B", 3).await;
    ok(&h.sync().await);
    h.backend.change_event("a", "A renamed", 4).await;
    let report = h.sync().await;
    ok(&report);
    assert_eq!(report.calendars[0].upserted, 1, "{report:?}");
    assert_eq!(h.titles().await, h.expect(&["A renamed", "B"]));
}

pub async fn a_deleted_event_is_removed<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Edit]) {
        return;
    }
    h.backend.add_event("a", "A", 2).await;
    h.backend.add_event("b", "B", 3).await;
    ok(&h.sync().await);
    h.backend.delete_event("a").await;
    let report = h.sync().await;
    ok(&report);
    assert_eq!(report.calendars[0].deleted, 1, "{report:?}");
    assert_eq!(h.titles().await, h.expect(&["B"]));
}

pub async fn an_expired_cursor_lists_in_full_without_losing_or_doubling_events<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Edit, Feature::ExpireCursor]) {
        return;
    }
    h.backend.add_event("a", "A", 2).await;
    h.backend.add_event("b", "B", 3).await;
    ok(&h.sync().await);
    h.backend.add_event("c", "C", 4).await;
    h.backend.delete_event("a").await;
    h.backend.expire_cursor().await;
    let report = h.sync().await;
    ok(&report);
    assert!(report.calendars[0].cursor_expired, "{report:?}");
    assert!(report.calendars[0].full, "{report:?}");
    // Applied as upserts plus deletion of what is gone, in one transaction: B was never
    // deleted and stored again, so it is not counted as written.
    assert_eq!(report.calendars[0].deleted, 1, "{report:?}");
    assert_eq!(report.calendars[0].unchanged, 1, "{report:?}");
    assert_eq!(h.titles().await, h.expect(&["B", "C"]));
}

pub async fn a_listing_of_several_pages_is_stored_whole<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Paging, Feature::Edit]) {
        return;
    }
    let count = 2 * h.backend.page_size() + 1;
    let events: Vec<_> = (0..count)
        .map(|i| (format!("p{i:05}"), "Paged".to_owned(), (i % 500) as i64))
        .collect();
    h.backend.add_events(&events).await;
    let requests = h.backend.requests();
    let report = h.sync().await;
    ok(&report);
    assert_eq!(report.calendars[0].upserted, count, "{report:?}");
    assert_eq!(h.store.event_count().await.unwrap() as usize, count);
    if let (Some(before), Some(after)) = (requests, h.backend.requests()) {
        // The calendar listing and three pages of events.
        assert_eq!(after - before, 4);
    }
}

pub async fn a_fault_mid_sync_leaves_the_calendar_as_it_was<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Edit, Feature::Faults]) {
        return;
    }
    h.backend.add_event("a", "A", 2).await;
    ok(&h.sync().await);
    h.backend.add_event("b", "B", 3).await;
    h.backend.delete_event("a").await;
    h.backend.fail_next().await;
    let report = h.sync().await;
    assert!(!report.ok(), "{report:?}");
    assert!(report.calendars[0].error.is_some(), "{report:?}");
    assert_eq!(h.titles().await, h.expect(&["A"]));
    let calendar = &h.store.calendars(Some(h.account)).await.unwrap()[0];
    assert!(calendar.last_error.is_some(), "{calendar:?}");

    ok(&h.sync().await);
    assert_eq!(h.titles().await, h.expect(&["B"]));
}

pub async fn a_sudden_empty_listing_is_held_back_once<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Edit, Feature::EmptyListing]) {
        return;
    }
    h.backend.add_event("a", "A", 2).await;
    h.backend.add_event("b", "B", 3).await;
    ok(&h.sync().await);
    let held = h.expect(&["A", "B"]);
    h.backend.empty_listing().await;
    let report = h.sync().await;
    let message = report.error.clone().unwrap_or_default();
    assert!(message.contains("keeping the"), "{report:?}");
    assert_eq!(h.titles().await, held);

    // The next sync sees the same and confirms it.
    ok(&h.sync().await);
    assert!(h.titles().await.is_empty());
}

pub async fn an_instance_no_longer_moved_is_back_in_its_series<B: Backend>() {
    let h = Harness::<B>::new().await;
    if !h.needs(&[Feature::Series]) {
        return;
    }
    h.backend.add_series("s", "S", &[1, 3]).await;
    ok(&h.sync().await);
    let moved = "S moved";
    assert_eq!(h.titles().await, h.expect(&["S", "S", "S", moved, moved]));
    h.backend.drop_override("s", 1).await;
    ok(&h.sync().await);
    assert_eq!(h.titles().await, h.expect(&["S", "S", "S", "S", moved]));
}

pub async fn only_a_windowed_provider_lists_again_when_the_window_moves_on<B: Backend>() {
    let h = Harness::<B>::new().await;
    let now = Utc::now();
    ok(&h.sync_at(now).await);
    let report = h.sync_at(now + Duration::days(9)).await;
    ok(&report);
    let relisted = report.calendars.iter().all(|c| c.full);
    match h.backend.provider().capabilities().scope {
        Scope::Windowed => assert!(relisted, "{report:?}"),
        Scope::WholeCollection => assert!(!relisted, "{report:?}"),
    }
}

/// Instantiates every scenario as a test for `$backend`, in a module named `$name`.
#[macro_export]
macro_rules! conformance_suite {
    ($name:ident, $backend:ty) => {
        mod $name {
            use super::conformance as suite;

            $crate::conformance_suite!(@tests $backend;
                first_sync_stores_every_calendar_and_event,
                a_sync_without_changes_changes_nothing_and_costs_little,
                a_changed_event_is_updated,
                a_deleted_event_is_removed,
                an_expired_cursor_lists_in_full_without_losing_or_doubling_events,
                a_listing_of_several_pages_is_stored_whole,
                a_fault_mid_sync_leaves_the_calendar_as_it_was,
                a_sudden_empty_listing_is_held_back_once,
                an_instance_no_longer_moved_is_back_in_its_series,
                only_a_windowed_provider_lists_again_when_the_window_moves_on,
            );
        }
    };
    (@tests $backend:ty; $($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $scenario() {
                suite::$scenario::<$backend>().await;
            }
        )*
    };
}
