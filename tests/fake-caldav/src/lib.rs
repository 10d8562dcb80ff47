//! A local fake CalDAV server (RFC 4791, 4918, 6578, 6764) serving one user's calendars from
//! memory, for what real Radicale and Xandikos cannot show: iCloud's partition host, a server
//! without `sync-collection`, Digest-only login, and `507` truncation of sync results.
//!
//! # Starting it
//! [`FakeCalDav::start`] serves on `127.0.0.1` at an ephemeral port with [`Options`]:
//! - `auth`: [`AuthScheme::Basic`] (default) or [`AuthScheme::Digest`] with the algorithms to
//!   offer, in the server's order of preference (qop=auth; Basic is then refused). A wrong
//!   password is a 401 with a fresh challenge; [`FakeCalDav::expire_nonces`] makes the next
//!   request meet `stale=true`.
//! - `sync_collection`: `true` (default) answers `REPORT sync-collection` (with Depth 0 only,
//!   as RFC 6578 §3.2 says; other depths are a 400) and lists it in `supported-report-set`;
//!   `false` is a server with only `getctag`/`getetag` PROPFINDs and `calendar-multiget` (a
//!   sync-collection is refused with 403 `DAV:supported-report`).
//! - `sync_limit`: `Some(n)` answers a sync-collection with at most `n` changes, oldest first,
//!   a `507` response for the collection and a token to continue from (RFC 6578 §3.6).
//! - `username`/`password`: the one account ([`USER`], [`PASSWORD`] by default);
//!   [`FakeCalDav::set_password`] revokes it later.
//! - `icloud`: iCloud's shape ([`Icloud`]): the entry host answers `/.well-known/caldav`
//!   (301 to `/`), `/` (`current-user-principal`) and the principal, whose
//!   `calendar-home-set` is an absolute URL on another host, the partition host, which alone
//!   serves the home and calendars (404 elsewhere). With `tls` the fake speaks https with the
//!   certificate [`CERTIFICATE_PEM`] for `*.icloud.test`; a client reaches the names through
//!   [`FakeCalDav::resolve`] (DNS overrides to 127.0.0.1) and must trust that certificate.
//!
//! # Resources
//! The principal is `/1234567890/principal/`, the home `/1234567890/calendars/`, calendar
//! `NAME` is `/1234567890/calendars/NAME/` and its resources `.../NAME/RESOURCE` (see
//! [`FakeCalDav::calendar_url`]). PROPFIND answers Depth 0 and 1 with each requested property
//! under 200 or 404 (infinity is refused with `propfind-finite-depth`); collections carry
//! `displayname`, Apple's `calendar-color`, `supported-calendar-component-set`, `getctag`,
//! `sync-token`, `current-user-privilege-set` and `supported-report-set`. Sync tokens are URIs
//! (`http://fake-caldav.test/sync/N`); an unknown or expired one is 403 `valid-sync-token`
//! ([`FakeCalDav::expire_sync_tokens`]); deletions come back as 404 responses.
//!
//! # Changing things
//! Through the handle ([`FakeCalDav::add_calendar`], [`FakeCalDav::put_event`],
//! [`FakeCalDav::delete_event`]; bodies are stored as given, broken ones too), or over HTTP
//! like a client: `PUT` (`If-None-Match: *` to create, `If-Match` to update; 201/204 with an
//! `ETag`, 412 on a mismatch, 403 `valid-calendar-data` for a body that is not iCalendar) and
//! `DELETE`. Every request is logged ([`FakeCalDav::requests`], [`RecordedRequest`]: method,
//! host, path, Depth, what `Authorization` carried, status).
//!
//! # Example
//! ```no_run
//! # async fn example() {
//! use fake_caldav::{AuthScheme, CalendarSpec, DigestAlgorithm, FakeCalDav, Options};
//! let fake = FakeCalDav::start(Options {
//!     auth: AuthScheme::Digest(vec![DigestAlgorithm::Sha256, DigestAlgorithm::Md5]),
//!     sync_limit: Some(100),
//!     ..Options::default()
//! })
//! .await;
//! fake.add_calendar("work", CalendarSpec::events("Work"));
//! fake.put_event("work", "standup.ics", "BEGIN:VCALENDAR\r\n...END:VCALENDAR\r\n");
//! let address = fake.url(); // what a user would type: http://127.0.0.1:PORT/
//! # }
//! ```
//!
//! The `fake-caldav` binary serves the same fake and prints its URL (`fake-caldav --help`).

mod auth;
mod dav;
mod server;
mod store;
mod tls;
mod xml;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use auth::{AuthScheme, AuthSeen, DigestAlgorithm, REALM};
pub use dav::PRINCIPAL_ID;
pub use store::{CalendarSpec, TOKEN_PREFIX};
pub use tls::CERTIFICATE_PEM;

use server::{Shared, State};

/// The user name the fake accepts by default.
pub const USER: &str = "alice";
/// The password the fake accepts by default.
pub const PASSWORD: &str = "app-specific-password";

/// How the fake behaves; see the crate documentation.
#[derive(Debug, Clone)]
pub struct Options {
    pub username: String,
    pub password: String,
    pub auth: AuthScheme,
    pub sync_collection: bool,
    pub sync_limit: Option<usize>,
    pub icloud: Option<Icloud>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            username: USER.to_owned(),
            password: PASSWORD.to_owned(),
            auth: AuthScheme::Basic,
            sync_collection: true,
            sync_limit: None,
            icloud: None,
        }
    }
}

/// iCloud's shape: an entry host and a partition host for the calendars.
#[derive(Debug, Clone)]
pub struct Icloud {
    /// The host users type, like `caldav.icloud.com`.
    pub entry_host: String,
    /// The host `calendar-home-set` names, like `p07-caldav.icloud.com`.
    pub partition_host: String,
    /// https with [`CERTIFICATE_PEM`]: URLs carry no port (a client maps the names to the
    /// fake's address with [`FakeCalDav::resolve`]) and the home set is written
    /// `https://HOST:443/...`, as iCloud writes it. Without TLS both hosts are
    /// `http://HOST:PORT/` and must resolve to 127.0.0.1 by themselves (`localhost`,
    /// `127.0.0.1`).
    pub tls: bool,
}

impl Icloud {
    /// `caldav.icloud.test` and `p07-caldav.icloud.test` over https.
    pub fn over_https() -> Icloud {
        Icloud {
            entry_host: "caldav.icloud.test".to_owned(),
            partition_host: "p07-caldav.icloud.test".to_owned(),
            tls: true,
        }
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The `Host` header.
    pub host: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    pub depth: Option<String>,
    /// What `Authorization` carried, if anything.
    pub auth: Option<AuthSeen>,
    pub status: u16,
}

/// A handle on a running fake. Clones share the server, which stops when the last handle is
/// dropped or on [`FakeCalDav::shutdown`].
#[derive(Clone)]
pub struct FakeCalDav {
    handle: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    options: Options,
    shutdown: watch::Sender<bool>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

impl FakeCalDav {
    /// Serves on `127.0.0.1` at an ephemeral port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start(options: Options) -> FakeCalDav {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options)
            .await
            .unwrap_or_else(|err| panic!("fake-caldav: cannot serve on 127.0.0.1:0: {err}"))
    }

    /// Serves on `addr`, on the current tokio runtime.
    pub async fn start_on(addr: SocketAddr, options: Options) -> std::io::Result<FakeCalDav> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let partition_authority = options.icloud.as_ref().map(|i| match i.tls {
            true => i.partition_host.clone(),
            false => format!("{}:{}", i.partition_host, addr.port()),
        });
        let home_href = match &options.icloud {
            Some(i) if i.tls => format!("https://{}:443{}", i.partition_host, dav::home_path()),
            Some(i) => format!(
                "http://{}:{}{}",
                i.partition_host,
                addr.port(),
                dav::home_path()
            ),
            None => dav::home_path(),
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                store: store::Store::default(),
                login: auth::Login::new(options.auth.clone(), &options.username, &options.password),
                log: Vec::new(),
                requests_seen: 0,
            }),
            site: dav::Site {
                username: options.username.clone(),
                home_href,
                sync_collection: options.sync_collection,
                sync_limit: options.sync_limit,
            },
            partition_authority,
        });
        let app = server::router(shared.clone());
        let (shutdown, mut stopped) = watch::channel(false);
        let signal = async move {
            // An error means every handle is gone: stop as well.
            let _ = stopped.wait_for(|down| *down).await;
        };
        if options.icloud.as_ref().is_some_and(|i| i.tls) {
            let listener = tls::TlsListener::new(listener)?;
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, app)
                    .with_graceful_shutdown(signal)
                    .await
                {
                    eprintln!("fake-caldav: server error: {err}");
                }
            });
        } else {
            tokio::spawn(async move {
                if let Err(err) = axum::serve(listener, app)
                    .with_graceful_shutdown(signal)
                    .await
                {
                    eprintln!("fake-caldav: server error: {err}");
                }
            });
        }
        Ok(FakeCalDav {
            handle: Arc::new(Handle {
                shared,
                addr,
                options,
                shutdown,
            }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.handle.addr
    }

    /// The address a user would type: `http://127.0.0.1:PORT/`, or in iCloud's shape the
    /// entry host (`https://caldav.icloud.test/`).
    pub fn url(&self) -> String {
        let port = self.handle.addr.port();
        match &self.handle.options.icloud {
            Some(i) if i.tls => format!("https://{}/", i.entry_host),
            Some(i) => format!("http://{}:{port}/", i.entry_host),
            None => format!("http://{}/", self.handle.addr),
        }
    }

    /// Host names to resolve to the fake (iCloud's shape over https): pass each to
    /// `reqwest::ClientBuilder::resolve`.
    pub fn resolve(&self) -> Vec<(String, SocketAddr)> {
        match &self.handle.options.icloud {
            Some(i) if i.tls => vec![
                (i.entry_host.clone(), self.handle.addr),
                (i.partition_host.clone(), self.handle.addr),
            ],
            _ => Vec::new(),
        }
    }

    /// The calendar home as `calendar-home-set` names it.
    pub fn home_url(&self) -> String {
        self.absolute(&self.shared().site.home_href)
    }

    /// The URL of calendar `name` (on the partition host in iCloud's shape).
    pub fn calendar_url(&self, name: &str) -> String {
        self.absolute(&dav::calendar_path(name))
    }

    /// The URL of resource `resource` in calendar `calendar`.
    pub fn object_url(&self, calendar: &str, resource: &str) -> String {
        self.absolute(&dav::object_path(calendar, resource))
    }

    /// `path` on the host that serves calendars, in the form the fake writes hrefs.
    fn absolute(&self, path: &str) -> String {
        if path.contains("://") {
            return path.replace(":443/", "/");
        }
        let port = self.handle.addr.port();
        match &self.handle.options.icloud {
            Some(i) if i.tls => format!("https://{}{path}", i.partition_host),
            Some(i) => format!("http://{}:{port}{path}", i.partition_host),
            None => format!("http://{}{path}", self.handle.addr),
        }
    }

    /// Adds (or replaces, emptied) calendar `name`, a path segment.
    pub fn add_calendar(&self, name: &str, spec: CalendarSpec) {
        self.shared().lock().store.add_calendar(name, spec);
    }

    /// Removes calendar `name` with its resources; false if there was none.
    pub fn remove_calendar(&self, name: &str) -> bool {
        self.shared().lock().store.remove_calendar(name)
    }

    /// Stores `ics` (as given, even if broken) as `resource` in `calendar`; the new ETag, or
    /// `None` when there is no such calendar.
    pub fn put_event(&self, calendar: &str, resource: &str, ics: &str) -> Option<String> {
        self.shared().lock().store.put(calendar, resource, ics)
    }

    /// Deletes `resource` from `calendar`; false if there was none.
    pub fn delete_event(&self, calendar: &str, resource: &str) -> bool {
        self.shared().lock().store.delete(calendar, resource)
    }

    /// The iCalendar text and ETag of `resource` in `calendar`.
    pub fn event(&self, calendar: &str, resource: &str) -> Option<(String, String)> {
        let state = self.shared().lock();
        let r = state
            .store
            .calendars
            .get(calendar)?
            .resources
            .get(resource)?;
        Some((r.ics.clone(), r.etag.clone()))
    }

    /// The names of the resources in `calendar`, sorted.
    pub fn resources(&self, calendar: &str) -> Vec<String> {
        let state = self.shared().lock();
        state
            .store
            .calendars
            .get(calendar)
            .map(|c| c.resources.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Accepts only `password` from now on, as when a user revokes an app-specific password.
    pub fn set_password(&self, password: &str) {
        self.shared().lock().login.set_password(password);
    }

    /// Makes every Digest nonce handed out so far stale: the next request using one gets a 401
    /// with `stale=true` and a new nonce.
    pub fn expire_nonces(&self) {
        self.shared().lock().login.expire_nonces();
    }

    /// Makes every sync token handed out so far invalid (403 `valid-sync-token`).
    pub fn expire_sync_tokens(&self) {
        self.shared().lock().store.expire_tokens();
    }

    /// The requests so far, oldest first (at most 100,000 are kept).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared().lock().log.clone()
    }

    /// How many requests the fake has answered.
    pub fn request_count(&self) -> usize {
        self.shared().lock().requests_seen
    }

    /// Forgets the requests so far (the count starts again from 0).
    pub fn clear_requests(&self) {
        let mut state = self.shared().lock();
        state.log.clear();
        state.requests_seen = 0;
    }

    /// Stops serving (also done when the last handle is dropped).
    pub fn shutdown(&self) {
        self.handle.shutdown.send_replace(true);
    }
}
