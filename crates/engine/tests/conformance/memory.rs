//! An in-memory whole-collection provider, shaped like an ICS feed: every event is its own
//! resource, a listing is the whole collection as resources, and the cursor is the
//! collection's version (an ETag). It runs the suite through resource-level changes and the
//! whole-collection scope until the ICS and CalDAV backends bring their fake servers.

use std::collections::BTreeMap;
use std::sync::Mutex;

use calbuddy_engine::model::{
    EventStatus, EventTime, RemoteCalendar, RemoteChange, RemoteEvent, SeriesRef,
};
use calbuddy_engine::provider::{
    async_trait, Capabilities, ChangeSet, ChangeSetKind, FetchRequest, Progress, Provider,
    ProviderError, Scope,
};
use chrono::{Duration, Utc};

use super::{Backend, Feature};

#[derive(Default)]
struct Collection {
    /// Resource id → its events.
    resources: BTreeMap<String, Vec<RemoteEvent>>,
    version: u64,
    /// Cursors older than this are refused as expired.
    oldest_valid: u64,
    fail_next: bool,
    requests: usize,
}

impl Collection {
    fn changed(&mut self) {
        self.version += 1;
    }
}

pub struct MemoryProvider {
    collection: Mutex<Collection>,
}

#[async_trait]
impl Provider for MemoryProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            scope: Scope::WholeCollection,
            writable: false,
        }
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        self.collection.lock().unwrap().requests += 1;
        Ok(vec![RemoteCalendar {
            external_id: "feed".into(),
            name: "Feed".into(),
            color: None,
            time_zone: None,
            primary: true,
            read_only: true,
        }])
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let mut c = self.collection.lock().unwrap();
        c.requests += 1;
        if std::mem::take(&mut c.fail_next) {
            return Err(ProviderError::Network("the feed went away".into()));
        }
        let current = c.version.to_string();
        match request.cursor.map(|v| v.parse::<u64>().unwrap_or(0)) {
            Some(v) if v < c.oldest_valid => return Err(ProviderError::CursorExpired),
            // Not modified.
            Some(v) if v == c.version => {
                return Ok(ChangeSet {
                    kind: ChangeSetKind::Delta,
                    changes: vec![],
                    cursor: Some(current),
                    zones: None,
                })
            }
            _ => {}
        }
        let changes: Vec<RemoteChange> = c
            .resources
            .iter()
            .map(|(resource_id, events)| RemoteChange::ReplaceResource {
                resource_id: resource_id.clone(),
                events: events.clone(),
            })
            .collect();
        progress(changes.len());
        Ok(ChangeSet {
            kind: ChangeSetKind::Full,
            changes,
            cursor: Some(current),
            zones: None,
        })
    }
}

pub struct MemoryBackend {
    provider: MemoryProvider,
}

impl MemoryBackend {
    fn with(&self, change: impl FnOnce(&mut Collection)) {
        change(&mut self.provider.collection.lock().unwrap())
    }
}

fn event(id: &str, title: &str, offset_hours: i64, version: u64) -> RemoteEvent {
    let start = Utc::now() + Duration::hours(offset_hours);
    RemoteEvent {
        external_id: id.into(),
        title: title.into(),
        description: None,
        location: None,
        start: EventTime::DateTime {
            utc: start,
            tz: None,
        },
        end: EventTime::DateTime {
            utc: start + Duration::hours(1),
            tz: None,
        },
        recurrence: vec![],
        series: None,
        status: EventStatus::Confirmed,
        my_response: None,
        meeting_url: None,
        etag: Some(version.to_string()),
        updated: None,
        details: Default::default(),
    }
}

/// A daily series of five from tomorrow 10:00 UTC, instances `moved` an hour later: one
/// resource, the master and its overrides.
fn series(id: &str, title: &str, moved: &[u32], version: u64) -> Vec<RemoteEvent> {
    let first = (Utc::now() + Duration::days(1))
        .date_naive()
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    let at = |utc| EventTime::DateTime {
        utc,
        tz: Some("UTC".into()),
    };
    let mut master = event(id, title, 0, version);
    master.start = at(first);
    master.end = at(first + Duration::hours(1));
    master.recurrence = vec!["RRULE:FREQ=DAILY;COUNT=5".into()];
    let mut events = vec![master];
    for &index in moved {
        let original = first + Duration::days(i64::from(index));
        let mut instance = event(
            &format!("{id}_{index}"),
            &format!("{title} moved"),
            0,
            version,
        );
        instance.start = at(original + Duration::hours(1));
        instance.end = at(original + Duration::hours(2));
        instance.series = Some(SeriesRef {
            master_external_id: id.into(),
            original_start: at(original),
            this_and_future: false,
        });
        events.push(instance);
    }
    events
}

impl Backend for MemoryBackend {
    const KIND: &'static str = "memory";

    async fn start() -> Self {
        MemoryBackend {
            provider: MemoryProvider {
                collection: Mutex::new(Collection::default()),
            },
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    async fn add_series(&self, id: &str, title: &str, moved: &[u32]) {
        self.with(|c| {
            c.changed();
            let version = c.version;
            c.resources
                .insert(format!("{id}.ics"), series(id, title, moved, version));
        })
    }

    async fn drop_override(&self, id: &str, index: u32) {
        self.with(|c| {
            c.changed();
            let version = c.version;
            if let Some(events) = c.resources.get_mut(&format!("{id}.ics")) {
                events.retain(|e| e.external_id != format!("{id}_{index}"));
                for e in events.iter_mut() {
                    e.etag = Some(version.to_string());
                }
            }
        })
    }

    fn supports(&self, feature: Feature) -> bool {
        // A feed comes in one answer: there are no pages.
        feature != Feature::Paging
    }

    async fn add_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.change_event(id, title, offset_hours).await
    }

    async fn change_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.with(|c| {
            c.changed();
            let resource = vec![event(id, title, offset_hours, c.version)];
            c.resources.insert(format!("{id}.ics"), resource);
        })
    }

    async fn delete_event(&self, id: &str) {
        self.with(|c| {
            c.changed();
            c.resources.remove(&format!("{id}.ics"));
        })
    }

    async fn expire_cursor(&self) {
        self.with(|c| {
            c.changed();
            c.oldest_valid = c.version;
        })
    }

    async fn fail_next(&self) {
        self.with(|c| c.fail_next = true)
    }

    async fn empty_listing(&self) {
        self.with(|c| {
            c.changed();
            c.resources.clear();
        })
    }

    fn requests(&self) -> Option<usize> {
        Some(self.provider.collection.lock().unwrap().requests)
    }
}
