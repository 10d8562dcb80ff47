//! The demo provider as a conformance backend: fixed events that never change, so only the
//! scenarios that need no edits on the server apply to it.

use calbuddy_engine::provider::demo::DemoProvider;
use calbuddy_engine::provider::Provider;
use chrono::Utc;

use super::{Backend, Feature};

pub struct DemoBackend {
    provider: DemoProvider,
}

/// The demo is made once and never changes: every edit is unsupported.
fn unsupported(what: &str) -> ! {
    panic!("the demo backend cannot {what}; the suite should have skipped this scenario")
}

impl Backend for DemoBackend {
    const KIND: &'static str = "demo";

    async fn start() -> Self {
        DemoBackend {
            provider: DemoProvider::new(Utc::now(), chrono_tz::UTC),
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    fn supports(&self, _feature: Feature) -> bool {
        false
    }

    async fn add_event(&self, _id: &str, _title: &str, _offset_hours: i64) {
        unsupported("add events")
    }

    async fn change_event(&self, _id: &str, _title: &str, _offset_hours: i64) {
        unsupported("change events")
    }

    async fn delete_event(&self, _id: &str) {
        unsupported("delete events")
    }

    async fn expire_cursor(&self) {
        unsupported("expire its cursor")
    }

    async fn fail_next(&self) {
        unsupported("fail")
    }

    async fn empty_listing(&self) {
        unsupported("list nothing")
    }

    async fn add_series(&self, _id: &str, _title: &str, _moved: &[u32]) {
        unsupported("add a series")
    }

    async fn drop_override(&self, _id: &str, _index: u32) {
        unsupported("change a series")
    }
}
