//! Google, through its local fake, as a conformance backend: everything can be edited,
//! expired and broken, and every request is counted.

use std::sync::Mutex;

use calbuddy_engine::provider::google::GoogleProvider;
use calbuddy_engine::provider::Provider;
use fake_google::{Fault, FaultKind};

use super::{Backend, Feature};
use crate::common::{self, timed, World, EMAIL};

pub struct GoogleBackend {
    world: World,
    provider: GoogleProvider,
    /// Events the test put on the server, so an empty listing can remove them all.
    added: Mutex<Vec<String>>,
}

impl Backend for GoogleBackend {
    const KIND: &'static str = "google";

    async fn start() -> Self {
        let world = common::world().await;
        // Signing in saves the tokens the provider reads.
        world.connect().await;
        let engine = &world.engine;
        let provider = GoogleProvider::new(
            &engine.google_config().unwrap(),
            engine.config().secrets.clone(),
            EMAIL,
        )
        .unwrap();
        GoogleBackend {
            world,
            provider,
            added: Mutex::new(vec![]),
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    fn supports(&self, feature: Feature) -> bool {
        // Series with exceptions are covered by google_sync.rs; this backend does not write
        // Google's exception events yet.
        feature != Feature::Series
    }

    async fn add_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.world
            .fake
            .put_event(EMAIL, timed(id, title, offset_hours));
        self.added.lock().unwrap().push(id.to_owned());
    }

    async fn add_events(&self, events: &[(String, String, i64)]) {
        let events = events
            .iter()
            .map(|(id, title, offset)| timed(id, title, *offset))
            .collect();
        self.world.fake.put_events(EMAIL, events);
    }

    async fn change_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.world
            .fake
            .put_event(EMAIL, timed(id, title, offset_hours));
    }

    async fn delete_event(&self, id: &str) {
        self.world.fake.delete_event(EMAIL, id);
    }

    async fn expire_cursor(&self) {
        self.world.fake.invalidate_sync_tokens(EMAIL);
    }

    async fn fail_next(&self) {
        // A malformed answer is not retried: the sync fails after the calendar listing.
        self.world
            .fake
            .inject(Fault::new("/events", 1, FaultKind::MalformedJson));
    }

    async fn empty_listing(&self) {
        let added = std::mem::take(&mut *self.added.lock().unwrap());
        for id in added {
            self.world.fake.delete_event(EMAIL, &id);
        }
        // Deletions alone arrive as a delta; only a full listing can be a wipe.
        self.expire_cursor().await;
    }

    async fn add_series(&self, _id: &str, _title: &str, _moved: &[u32]) {
        panic!("the Google backend does not write series; the suite should have skipped this")
    }

    async fn drop_override(&self, _id: &str, _index: u32) {
        panic!("the Google backend does not write series; the suite should have skipped this")
    }

    fn page_size(&self) -> usize {
        2500
    }

    fn requests(&self) -> Option<usize> {
        Some(self.world.fake.requests().len())
    }
}
