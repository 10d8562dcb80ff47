//! Microsoft Graph, through its local fake, as a conformance backend: everything can be
//! edited, expired (410 `SyncStateNotFound`), broken and paged, series carry exceptions, and
//! every request is counted from the fake's log.

use std::sync::Mutex;

use calbuddy_engine::provider::microsoft::MicrosoftProvider;
use calbuddy_engine::provider::Provider;
use chrono::Duration;
use fake_microsoft::{Fault, FaultKind};
use serde_json::json;

use super::{Backend, Feature};
use crate::microsoft_support::{self as support, graph_local, timed, MsWorld, ADDRESS, CALENDAR};

/// Events per delta page asked for (`Prefer: odata.maxpagesize`), small so paging is cheap
/// to show.
const PAGE_SIZE: u32 = 10;

pub struct MicrosoftBackend {
    world: MsWorld,
    provider: MicrosoftProvider,
    /// Events the test put on the server, so an empty listing can remove them all.
    added: Mutex<Vec<String>>,
    /// Series added, with their title and the instances still moved.
    series: Mutex<Vec<(String, String, Vec<u32>)>>,
}

impl Backend for MicrosoftBackend {
    const KIND: &'static str = "microsoft";

    async fn start() -> Self {
        let world = support::world().await;
        // Signing in saves the tokens the provider reads.
        world.connect().await;
        let engine = &world.engine;
        let mut config = engine.microsoft_config().unwrap();
        config.page_size = PAGE_SIZE;
        let provider =
            MicrosoftProvider::new(&config, engine.config().secrets.clone(), ADDRESS).unwrap();
        world.fake.clear_requests();
        MicrosoftBackend {
            world,
            provider,
            added: Mutex::new(vec![]),
            series: Mutex::new(vec![]),
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    fn supports(&self, _feature: Feature) -> bool {
        true
    }

    async fn add_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.world
            .fake
            .put_event(CALENDAR, timed(id, title, offset_hours));
        self.added.lock().unwrap().push(id.to_owned());
    }

    async fn add_events(&self, events: &[(String, String, i64)]) {
        let events = events
            .iter()
            .map(|(id, title, offset)| timed(id, title, *offset))
            .collect();
        self.world.fake.put_events(CALENDAR, events);
    }

    async fn change_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.world
            .fake
            .put_event(CALENDAR, timed(id, title, offset_hours));
    }

    async fn delete_event(&self, id: &str) {
        self.world.fake.delete_event(CALENDAR, id);
    }

    async fn expire_cursor(&self) {
        self.world.fake.expire_delta_tokens();
    }

    async fn fail_next(&self) {
        // A body cut off mid-JSON is not retried: the round fails after the calendar listing.
        self.world.fake.inject(Fault::new(
            "/calendarView/delta",
            1,
            FaultKind::TruncatedJson,
        ));
    }

    async fn empty_listing(&self) {
        let added = std::mem::take(&mut *self.added.lock().unwrap());
        for id in added {
            self.world.fake.delete_event(CALENDAR, &id);
        }
        // Deletions alone arrive as `@removed` in a delta round; only a full round can be a
        // wipe.
        self.expire_cursor().await;
    }

    async fn add_series(&self, id: &str, title: &str, moved: &[u32]) {
        self.world.fake.put_event(CALENDAR, series(id, title));
        for index in moved {
            self.move_instance(id, title, *index);
        }
        self.series
            .lock()
            .unwrap()
            .push((id.to_owned(), title.to_owned(), moved.to_vec()));
    }

    async fn drop_override(&self, id: &str, index: u32) {
        let mut series_list = self.series.lock().unwrap();
        let Some((_, title, moved)) = series_list.iter_mut().find(|(s, _, _)| s == id) else {
            panic!("no series {id:?} was added");
        };
        moved.retain(|i| *i != index);
        // Graph has no "undo an exception": the organizer's client writes the series again,
        // which resets its exceptions, and the instances still moved are moved again.
        self.world.fake.put_event(CALENDAR, series(id, title));
        for kept in moved.iter() {
            self.move_instance(id, title, *kept);
        }
    }

    fn page_size(&self) -> usize {
        PAGE_SIZE as usize
    }

    fn requests(&self) -> Option<usize> {
        Some(
            self.world
                .fake
                .requests()
                .iter()
                .filter(|r| r.is_graph())
                .count(),
        )
    }
}

impl MicrosoftBackend {
    /// Moves instance `index` of series `id` an hour later, renamed "`title` moved": an
    /// `exception` occurrence in calendarView.
    fn move_instance(&self, id: &str, title: &str, index: u32) {
        let start = series_start() + Duration::days(i64::from(index));
        let patch = json!({
            "subject": format!("{title} moved"),
            "start": {"dateTime": graph_local(start + Duration::hours(1)), "timeZone": "UTC"},
            "end": {"dateTime": graph_local(start + Duration::hours(2)), "timeZone": "UTC"},
        });
        self.world
            .fake
            .put_exception(CALENDAR, id, &graph_local(start), patch);
    }
}

/// The first instance of a test series: tomorrow, at the current hour.
fn series_start() -> chrono::DateTime<chrono::Utc> {
    support::at(24)
}

/// A daily series of five one-hour instances from [`series_start`], in UTC.
fn series(id: &str, title: &str) -> serde_json::Value {
    let start = series_start();
    json!({
        "id": id,
        "subject": title,
        "start": {"dateTime": graph_local(start), "timeZone": "UTC"},
        "end": {"dateTime": graph_local(start + Duration::hours(1)), "timeZone": "UTC"},
        "recurrence": {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "numbered", "numberOfOccurrences": 5},
        },
    })
}
