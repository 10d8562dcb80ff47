//! A local, faithful fake of Google's OAuth 2.0 (installed-app flow) and Calendar API v3
//! endpoints, for the integration tests and benchmarks of Calendar Buddy.
//!
//! [`FakeGoogle::start`] serves on `127.0.0.1` with an ephemeral port. The OAuth endpoints take
//! the registered client [`CLIENT_ID`] / [`CLIENT_SECRET`] and a loopback redirect with PKCE.
//! The Calendar endpoints (`calendarList.list`, `events.list`) follow Google's parameters,
//! limits, paging, sync tokens (410 `fullSyncRequired`), tombstones and error bodies. Sync and
//! page tokens are opaque and tamper-evident. Recurring events are expanded with the `rrule`
//! crate when `singleEvents=true`; an open-ended series yields at most 730 instances per query.
//!
//! Tests set the scene through the handle ([`FakeGoogle::add_calendar`],
//! [`FakeGoogle::put_event`], ...), inject faults ([`FakeGoogle::inject`]) and read the
//! request log ([`FakeGoogle::requests`]). The `fake-google` binary serves the same fake with
//! a JSON admin API under `/_admin`.

mod admin;
mod calendar_list;
mod credentials;
mod errors;
mod event_store;
mod events;
mod faults;
mod log;
mod oauth;
mod query;
mod recurrence;
mod server;
mod state;
mod times;
mod tokens;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use credentials::{Consent, CLIENT_ID, CLIENT_SECRET};
pub use faults::{Fault, FaultKind};
pub use log::RecordedRequest;

use state::Shared;

/// A handle on a running fake. Clones share the server, which stops when the last handle is
/// dropped or on [`FakeGoogle::shutdown`].
#[derive(Clone)]
pub struct FakeGoogle {
    handle: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

impl FakeGoogle {
    /// The registered OAuth client id.
    pub const CLIENT_ID: &'static str = CLIENT_ID;
    /// The registered OAuth client secret.
    pub const CLIENT_SECRET: &'static str = CLIENT_SECRET;

    /// Serves on `127.0.0.1` with an ephemeral port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeGoogle {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap_or_else(|err| panic!("fake-google: cannot bind 127.0.0.1:0: {err}"))
    }

    /// Serves on `addr`, on the current tokio runtime.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<FakeGoogle> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(stopped.clone()));
        let app = server::router(shared.clone());
        let mut stopped = stopped;
        tokio::spawn(async move {
            let signal = async move {
                // An error means every handle is gone: stop as well.
                let _ = stopped.wait_for(|down| *down).await;
            };
            if let Err(err) = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await
            {
                eprintln!("fake-google: server error: {err}");
            }
        });
        Ok(FakeGoogle {
            handle: Arc::new(Handle {
                shared,
                addr,
                shutdown,
            }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.handle.addr)
    }

    /// The authorization endpoint: base + `/o/oauth2/v2/auth`.
    pub fn auth_url(&self) -> String {
        format!("{}/o/oauth2/v2/auth", self.base_url())
    }

    /// The token endpoint: base + `/token`.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.base_url())
    }

    /// The revocation endpoint: base + `/revoke`.
    pub fn revoke_url(&self) -> String {
        format!("{}/revoke", self.base_url())
    }

    /// The Calendar API root: base + `/calendar/v3`.
    pub fn api_url(&self) -> String {
        format!("{}/calendar/v3", self.base_url())
    }

    /// Sets the signed-in user's e-mail (default `user@example.com`), which is also the
    /// primary calendar's id.
    pub fn set_user_email(&self, email: &str) {
        self.shared().lock().calendars.set_user_email(email);
    }

    /// What the consent screen answers from now on.
    pub fn set_consent(&self, consent: Consent) {
        self.shared().lock().credentials.consent = consent;
    }

    /// The lifetime of access tokens issued from now on (default 3599 s).
    pub fn set_access_token_lifetime(&self, secs: i64) {
        self.shared().lock().credentials.set_access_lifetime(secs);
    }

    /// Every access token issued so far now gets 401 `authError`.
    pub fn expire_access_tokens(&self) {
        self.shared().lock().credentials.expire_access_tokens();
    }

    /// From now on every refresh answers with a new refresh token, and the one used gets 400
    /// `invalid_grant` afterwards (Microsoft's rotation).
    pub fn set_rotating_refresh_tokens(&self, rotate: bool) {
        self.shared().lock().credentials.rotate_refresh_tokens = rotate;
    }

    /// Every refresh token issued so far now gets 400 `invalid_grant`.
    pub fn revoke_refresh_tokens(&self) {
        self.shared().lock().credentials.revoke_refresh_tokens();
    }

    /// Whether the grant behind this token was revoked through `/revoke`.
    pub fn is_revoked(&self, token: &str) -> bool {
        self.shared().lock().credentials.is_revoked(token)
    }

    /// Every access and refresh token issued, in order.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared().lock().credentials.issued_tokens()
    }

    /// Adds a calendar the user owns (or updates one; a removed one comes back empty).
    pub fn add_calendar(&self, id: &str, summary: &str, background_color: &str) {
        self.shared()
            .lock()
            .calendars
            .add(id, summary, background_color);
    }

    /// Removes a calendar: listings leave it out, sync listings report it as deleted.
    pub fn remove_calendar(&self, id: &str) {
        self.shared().lock().calendars.remove(id);
    }

    /// Inserts or replaces an event by `id` (generated when missing) and returns the stored
    /// resource with the server's fields (etag, updated, iCalUID, ...).
    ///
    /// # Panics
    /// If the calendar is unknown or the event is invalid (no start/end, bad recurrence, ...).
    pub fn put_event(&self, calendar_id: &str, event: Value) -> Value {
        self.shared()
            .lock()
            .calendars
            .put_event(calendar_id, event)
            .unwrap_or_else(|err| panic!("fake-google: put_event: {err}"))
    }

    /// Inserts or replaces many events at once.
    ///
    /// # Panics
    /// As [`FakeGoogle::put_event`].
    pub fn put_events(&self, calendar_id: &str, events: Vec<Value>) {
        let mut fake = self.shared().lock();
        for event in events {
            if let Err(err) = fake.calendars.put_event(calendar_id, event) {
                panic!("fake-google: put_events: {err}");
            }
        }
    }

    /// Deletes an event: it becomes a cancelled tombstone (a master takes its exceptions
    /// along). The id of a not yet modified instance (`<master>_<start>`) cancels that instance.
    ///
    /// # Panics
    /// If the calendar or the event is unknown.
    pub fn delete_event(&self, calendar_id: &str, event_id: &str) {
        let result = self
            .shared()
            .lock()
            .calendars
            .delete_event(calendar_id, event_id);
        if let Err(err) = result {
            panic!("fake-google: delete_event: {err}");
        }
    }

    /// Every sync token issued so far for this calendar now gives 410 `fullSyncRequired`.
    pub fn invalidate_sync_tokens(&self, calendar_id: &str) {
        self.shared()
            .lock()
            .calendars
            .invalidate_sync_tokens(calendar_id);
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        self.shared().lock().faults.push_back(fault);
    }

    pub fn clear_faults(&self) {
        self.shared().lock().faults.clear();
    }

    /// Every request received (except `/_admin`), in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared().lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.shared().lock().requests.clear();
    }

    /// Stops the server (hanging and delayed requests end with 503).
    pub fn shutdown(&self) {
        self.handle.shutdown.send_replace(true);
    }
}
