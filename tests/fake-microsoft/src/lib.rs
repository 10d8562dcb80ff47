//! A local, faithful fake of the Microsoft identity platform v2.0 and Microsoft Graph
//! calendars, for the integration tests and benchmarks of Calendar Buddy.
//!
//! [`FakeMicrosoft::start`] serves on `127.0.0.1` with an ephemeral port:
//! - identity: `/{tenant}/oauth2/v2.0/authorize` and `/token` for the public client
//!   [`CLIENT_ID`]: authorization code + PKCE S256, loopback redirect (`http://localhost` or
//!   `http://127.0.0.1`, any port), single-use codes, refresh tokens that rotate on every use,
//!   `invalid_grant` with AADSTS codes, opaque expiring access tokens;
//! - Graph under `/v1.0`: `/me`, `/me/calendars` (paged), `/me/calendar`, and
//!   `calendarView/delta` per calendar with `$skiptoken` pages, `$deltatoken` rounds that keep
//!   their window, `@removed`, 410 `SyncStateNotFound`, `Prefer: odata.maxpagesize` and
//!   `outlook.timezone` (Windows or IANA names), series expanded into occurrences and
//!   exceptions.
//!
//! Tests set the scene through the handle, inject faults ([`FakeMicrosoft::inject`]) and read
//! the request log ([`FakeMicrosoft::requests`]). The `fake-microsoft` binary serves the same
//! fake with a JSON admin API under `/_admin`. Facts are from `PROVIDERS-more.md` section A;
//! the tags in comments (`[GC]`, `[IA]`, ...) name its sources.

mod admin;
mod delta;
mod errors;
mod faults;
mod grants;
mod graph;
mod identity;
mod instances;
mod log;
mod mailbox;
mod prefer;
mod recurrence;
mod render;
mod server;
mod state;
mod zones;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use faults::{Fault, FaultKind};
pub use grants::{Consent, CLIENT_ID, TENANT_ID};
pub use log::RecordedRequest;
pub use mailbox::DEFAULT_CALENDAR_ID;

use state::Shared;

/// A handle on a running fake. Clones share the server, which stops when the last handle is
/// dropped or on [`FakeMicrosoft::shutdown`].
#[derive(Clone)]
pub struct FakeMicrosoft {
    handle: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

impl FakeMicrosoft {
    /// The registered public client's id.
    pub const CLIENT_ID: &'static str = CLIENT_ID;

    /// Serves on `127.0.0.1` with an ephemeral port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeMicrosoft {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap_or_else(|err| panic!("fake-microsoft: cannot bind 127.0.0.1:0: {err}"))
    }

    /// Serves on `addr`, on the current tokio runtime.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<FakeMicrosoft> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(format!("http://{addr}"), stopped.clone()));
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
                eprintln!("fake-microsoft: server error: {err}");
            }
        });
        Ok(FakeMicrosoft {
            handle: Arc::new(Handle { shared, shutdown }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared().base_url.clone()
    }

    /// The authorization endpoint for tenant `common` (`CALBUDDY_MICROSOFT_AUTH_URL`).
    pub fn auth_url(&self) -> String {
        self.auth_url_for("common")
    }

    /// The token endpoint for tenant `common` (`CALBUDDY_MICROSOFT_TOKEN_URL`).
    pub fn token_url(&self) -> String {
        self.token_url_for("common")
    }

    /// The authorization endpoint for `tenant` (`common`, `organizations`, `consumers` or
    /// [`TENANT_ID`]).
    pub fn auth_url_for(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/authorize", self.base_url())
    }

    /// The token endpoint for `tenant`.
    pub fn token_url_for(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.base_url())
    }

    /// The Graph root (`CALBUDDY_MICROSOFT_GRAPH_URL`): base + `/v1.0`.
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.base_url())
    }

    /// Sets what `/me` reports (default `Megan Bowen`, `megan@contoso.example`); personal
    /// accounts may have no `mail`.
    pub fn set_user(&self, display_name: &str, user_principal_name: &str, mail: Option<&str>) {
        let mut fake = self.shared().lock();
        let profile = &mut fake.mailbox.profile;
        profile.display_name = display_name.to_owned();
        profile.user_principal_name = user_principal_name.to_owned();
        profile.mail = mail.map(str::to_owned);
    }

    /// What the sign-in page answers from now on.
    pub fn set_consent(&self, consent: Consent) {
        self.shared().lock().credentials.consent = consent;
    }

    /// The lifetime of access tokens issued from now on; `None` (the default) draws 60–90
    /// minutes per token, as the platform does.
    pub fn set_access_token_lifetime(&self, secs: Option<i64>) {
        self.shared().lock().credentials.set_access_lifetime(secs);
    }

    /// Every access token issued so far now gets 401 `InvalidAuthenticationToken`.
    pub fn expire_access_tokens(&self) {
        self.shared().lock().credentials.expire_access_tokens();
    }

    /// Every grant so far is revoked: refreshing gives `invalid_grant` AADSTS50173.
    pub fn revoke_grants(&self) {
        self.shared().lock().credentials.revoke_grants();
    }

    /// Every refresh token so far has been inactive too long: `invalid_grant` AADSTS700082.
    pub fn expire_refresh_tokens(&self) {
        self.shared().lock().credentials.expire_refresh_tokens();
    }

    /// Every access and refresh token issued, in order.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared().lock().credentials.issued_tokens()
    }

    /// Adds a calendar from `{id?, name, color?, hexColor?, canEdit?, owner?: {name,
    /// address}}` (or updates the one with that id); returns its id.
    ///
    /// # Panics
    /// If the spec has no name.
    pub fn add_calendar(&self, spec: Value) -> String {
        self.shared()
            .lock()
            .mailbox
            .add_calendar(&spec)
            .unwrap_or_else(|err| panic!("fake-microsoft: add_calendar: {err}"))
    }

    /// Removes a calendar: it leaves the list, and its delta links get 404.
    ///
    /// # Panics
    /// If the calendar is unknown.
    pub fn remove_calendar(&self, id: &str) {
        if let Err(err) = self.shared().lock().mailbox.remove_calendar(id) {
            panic!("fake-microsoft: remove_calendar: {err}");
        }
    }

    /// Creates or replaces (by `id`) an event from Graph's create-event JSON (`subject`,
    /// `body`, `start`/`end` as `{dateTime, timeZone}`, `isAllDay`, `recurrence` daily or
    /// weekly, and any other property, passed through); returns its id. An `iCalUId` given
    /// is kept (an invitation from another calendar system), else the fake makes one.
    ///
    /// # Panics
    /// If the calendar is unknown or the event invalid.
    pub fn put_event(&self, calendar_id: &str, event: Value) -> String {
        self.shared()
            .lock()
            .mailbox
            .put_event(calendar_id, &event)
            .unwrap_or_else(|err| panic!("fake-microsoft: put_event: {err}"))
    }

    /// Creates or replaces many events at once; returns their ids.
    ///
    /// # Panics
    /// As [`FakeMicrosoft::put_event`].
    pub fn put_events(&self, calendar_id: &str, events: Vec<Value>) -> Vec<String> {
        let mut fake = self.shared().lock();
        events
            .iter()
            .map(|event| {
                fake.mailbox
                    .put_event(calendar_id, event)
                    .unwrap_or_else(|err| panic!("fake-microsoft: put_events: {err}"))
            })
            .collect()
    }

    /// Deletes an event (a series master takes its occurrences along).
    ///
    /// # Panics
    /// If the calendar or event is unknown.
    pub fn delete_event(&self, calendar_id: &str, event_id: &str) {
        if let Err(err) = self
            .shared()
            .lock()
            .mailbox
            .delete_event(calendar_id, event_id)
        {
            panic!("fake-microsoft: delete_event: {err}");
        }
    }

    /// Changes one occurrence of a series (it becomes an `exception`): `patch` holds the
    /// properties that differ, e.g. `{"subject": "Moved", "start": {..}, "end": {..}}` or
    /// `{"isCancelled": true}`. `original_start` is its local start in the series' start zone,
    /// e.g. `2024-05-06T09:00:00`.
    ///
    /// # Panics
    /// If there is no such occurrence.
    pub fn put_exception(
        &self,
        calendar_id: &str,
        master_id: &str,
        original_start: &str,
        patch: Value,
    ) {
        let result = self.shared().lock().mailbox.put_exception(
            calendar_id,
            master_id,
            original_start,
            &patch,
        );
        if let Err(err) = result {
            panic!("fake-microsoft: put_exception: {err}");
        }
    }

    /// Deletes one occurrence of a series: it leaves the calendar view.
    ///
    /// # Panics
    /// If there is no such occurrence.
    pub fn delete_occurrence(&self, calendar_id: &str, master_id: &str, original_start: &str) {
        let result =
            self.shared()
                .lock()
                .mailbox
                .delete_occurrence(calendar_id, master_id, original_start);
        if let Err(err) = result {
            panic!("fake-microsoft: delete_occurrence: {err}");
        }
    }

    /// The id calendarView gives the occurrence of `master_id` originally at `original_start`.
    ///
    /// # Panics
    /// If `original_start` is not a local date-time.
    pub fn occurrence_id(&self, master_id: &str, original_start: &str) -> String {
        let local = zones::parse_local(original_start)
            .unwrap_or_else(|| panic!("fake-microsoft: bad original start {original_start:?}"));
        instances::occurrence_id(master_id, local)
    }

    /// The mailbox's zone (Windows or IANA name), in which all-day dates are matched against
    /// a window (default UTC).
    ///
    /// # Panics
    /// If the zone is unknown.
    pub fn set_mailbox_time_zone(&self, name: &str) {
        let zone =
            zones::resolve(name).unwrap_or_else(|| panic!("fake-microsoft: unknown zone {name:?}"));
        self.shared().lock().mailbox.zone = zone;
    }

    /// Forgets every delta and skip token: each later use gets 410 `SyncStateNotFound`.
    pub fn expire_delta_tokens(&self) {
        self.shared().lock().delta.expire_all();
    }

    /// How many delta tokens the fake currently honours.
    pub fn live_delta_tokens(&self) -> usize {
        self.shared().lock().delta.live_tokens()
    }

    /// Whether incremental rounds send every change twice (Graph may replay changes).
    pub fn set_replay_changes(&self, replay: bool) {
        self.shared().lock().delta.replay = replay;
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

    /// How many requests so far had a path containing `path_contains`.
    pub fn count_requests(&self, path_contains: &str) -> usize {
        self.shared()
            .lock()
            .requests
            .iter()
            .filter(|request| request.path.contains(path_contains))
            .count()
    }

    pub fn clear_requests(&self) {
        self.shared().lock().requests.clear();
    }

    /// Stops the server (hanging and delayed requests end with 503).
    pub fn shutdown(&self) {
        self.handle.shutdown.send_replace(true);
    }
}
