//! The CalDAV backend: a real Radicale or Xandikos (`caldav_support`) behind a counting proxy,
//! edited with plain PUT and DELETE as curl would. What the servers cannot show is made
//! honestly: an expired cursor is a made-up sync token sent to the server (which answers
//! with `valid-sync-token`), a fault mid-sync is the proxy failing the multiget after the
//! sync-collection report succeeded. A sudden empty listing cannot be shown (a server that
//! empties a calendar reports deletions, which are applied as they come), and paging is
//! multiget batches, tested in `caldav_sync.rs`: both are skipped and reported.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::model::RemoteCalendar;
use calbuddy_engine::provider::caldav::account::Locator;
use calbuddy_engine::provider::caldav::cursor::Cursor;
use calbuddy_engine::provider::caldav::discovery::discover;
use calbuddy_engine::provider::caldav::provider::CalDavProvider;
use calbuddy_engine::provider::caldav::transport::{Credentials, DavClient};
use calbuddy_engine::provider::{
    async_trait, Capabilities, ChangeSet, FetchRequest, Progress, Provider, ProviderError,
};
use calbuddy_engine::secrets::Sensitive;
use chrono::{DateTime, Duration as Hours, Utc};
use url::Url;

use super::{Backend, Feature};
use crate::caldav_support::edit::{self, href, put, vcalendar, vevent};
use crate::caldav_support::proxy::{Action, Proxy};
use crate::caldav_support::{start, DavServer, Kind, PASSWORD, USER};

/// Which real server a backend runs.
pub trait Server: Send + Sync + 'static {
    const KIND: Kind;
}

pub struct Radicale;
pub struct Xandikos;

impl Server for Radicale {
    const KIND: Kind = Kind::Radicale;
}

impl Server for Xandikos {
    const KIND: Kind = Kind::Xandikos;
}

/// The engine's CalDAV provider, which sends a made-up sync token once when told to.
pub struct Expiring {
    inner: CalDavProvider,
    expire: AtomicBool,
}

#[async_trait]
impl Provider for Expiring {
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        self.inner.list_calendars().await
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let made_up = Cursor::SyncToken {
            token: "http://example.com/ns/sync/made-up".into(),
        }
        .write();
        let request = if request.cursor.is_some() && self.expire.swap(false, Ordering::SeqCst) {
            FetchRequest {
                cursor: Some(made_up.as_str()),
                ..request
            }
        } else {
            request
        };
        self.inner.fetch_changes(request, progress).await
    }
}

pub struct CalDavBackend<S> {
    server: DavServer,
    proxy: Proxy,
    provider: Expiring,
    /// The calendar on the server itself (edits bypass the proxy).
    calendar: Url,
    anchor: DateTime<Utc>,
    fail_next: Arc<AtomicBool>,
    /// Each series' title and moved instances, as last written.
    series: Mutex<BTreeMap<String, (String, Vec<u32>)>>,
    kind: PhantomData<S>,
}

pub fn retry() -> RetryPolicy {
    RetryPolicy {
        retries: 0,
        timeout: Duration::from_secs(20),
        ..RetryPolicy::default()
    }
}

pub fn credentials() -> Credentials {
    Credentials {
        username: USER.to_owned(),
        password: Sensitive::new(PASSWORD.to_owned()),
    }
}

impl<S: Server> CalDavBackend<S> {
    fn at(&self, offset_hours: i64) -> DateTime<Utc> {
        self.anchor + Hours::hours(offset_hours)
    }

    /// Writes the series `id`: five daily instances from tomorrow, those in `moved` an hour
    /// later and titled "`title` moved", all in one resource.
    async fn put_series(&self, id: &str, title: &str, moved: &[u32]) {
        let first = self.at(24);
        let mut blocks = vevent(id, title, first, "RRULE:FREQ=DAILY;COUNT=5\r\n");
        for index in moved {
            let original = first + Hours::days(i64::from(*index));
            let rid = format!("RECURRENCE-ID:{}\r\n", edit::stamp(original));
            blocks.push_str(&vevent(
                id,
                &format!("{title} moved"),
                original + Hours::hours(1),
                &rid,
            ));
        }
        put(&href(&self.calendar, id), &vcalendar(&blocks)).await;
        self.series
            .lock()
            .unwrap()
            .insert(id.to_owned(), (title.to_owned(), moved.to_vec()));
    }
}

impl<S: Server> Backend for CalDavBackend<S> {
    const KIND: &'static str = "caldav";

    async fn start() -> Self {
        let server = start(S::KIND);
        let proxy = Proxy::start(server.addr()).await;
        let client = DavClient::new(credentials(), retry());
        let found = discover(&client, &proxy.url).await.unwrap();
        let locator = Locator {
            start: Url::parse(&proxy.url).unwrap(),
            homes: found.homes,
        };
        let fail_next = Arc::new(AtomicBool::new(false));
        let failing = fail_next.clone();
        proxy.set_hook(move |seen| {
            if seen.is_multiget() && failing.swap(false, Ordering::SeqCst) {
                Action::Respond(500)
            } else {
                Action::Forward
            }
        });
        let calendar = Url::parse(&server.calendar("Personal").href).unwrap();
        let now = Utc::now();
        CalDavBackend {
            provider: Expiring {
                inner: CalDavProvider::new(credentials(), locator, retry()),
                expire: AtomicBool::new(false),
            },
            server,
            proxy,
            calendar,
            anchor: now - Hours::seconds(now.timestamp() % 3600),
            fail_next,
            series: Mutex::default(),
            kind: PhantomData,
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    fn supports(&self, feature: Feature) -> bool {
        !matches!(feature, Feature::EmptyListing | Feature::Paging)
    }

    async fn add_event(&self, id: &str, title: &str, offset_hours: i64) {
        edit::put_event(&self.calendar, id, title, self.at(offset_hours)).await
    }

    async fn change_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.add_event(id, title, offset_hours).await
    }

    async fn delete_event(&self, id: &str) {
        edit::delete(&href(&self.calendar, id)).await
    }

    async fn expire_cursor(&self) {
        self.provider.expire.store(true, Ordering::SeqCst)
    }

    async fn fail_next(&self) {
        self.fail_next.store(true, Ordering::SeqCst)
    }

    async fn empty_listing(&self) {}

    async fn add_series(&self, id: &str, title: &str, moved: &[u32]) {
        self.put_series(id, title, moved).await
    }

    async fn drop_override(&self, id: &str, index: u32) {
        let (title, moved) = self.series.lock().unwrap()[id].clone();
        let kept: Vec<u32> = moved.into_iter().filter(|i| *i != index).collect();
        self.put_series(id, &title, &kept).await
    }

    fn requests(&self) -> Option<usize> {
        Some(self.proxy.count())
    }
}
