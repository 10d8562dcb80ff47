//! The engine API: the one surface the CLI, the desktop shell and the tests drive. It owns the
//! store, reads settings and secrets, builds providers for accounts, runs syncs (one per
//! account at a time, across processes) and broadcasts what happens.

mod config;
mod connect;
mod connect_caldav;
mod connect_microsoft;
mod providers;
mod ranges;
mod reminders;
mod schedule;
mod search;

use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::error::EngineError;
use crate::provider::google::GoogleConfig;
use crate::provider::{Provider, ProviderKind};
use crate::secrets::{SecretStore, Sensitive};
use crate::settings::Settings;
use crate::store::{Account, Calendar, EventFilter, EventView, QueryRange, Store};
use crate::sync::{sync_account, AccountLock, SyncOptions, SyncProgress, SyncReport};

pub use config::{google_client_from_env, microsoft_client_from_env, EngineConfig, ICLOUD_URL};
pub use connect_caldav::CalDavSignIn;
use ranges::{days_span, upcoming_span};

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// What the engine tells its listeners (the desktop shell turns these into UI updates, tray
/// refreshes and reminder re-planning).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EngineEvent {
    SyncStarted {
        account_id: i64,
    },
    SyncProgress(SyncProgress),
    SyncFinished(SyncReport),
    /// The data changed in another way (account connected or removed, calendar toggled).
    DataChanged,
}

/// A summary for `calbuddy status`.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub data_dir: String,
    pub database: String,
    pub secret_store: &'static str,
    pub accounts: Vec<Account>,
    pub calendars: usize,
    pub enabled_calendars: usize,
    pub events: i64,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub sync_interval_minutes: u32,
}

/// What disconnecting did.
#[derive(Debug, Clone, Serialize)]
pub struct Disconnected {
    pub account: Account,
    /// The grant was revoked at the provider (false for the demo, or when revoking failed).
    pub revoked: bool,
    /// Why revoking failed; the account is removed locally all the same.
    pub revoke_error: Option<String>,
}

/// How long disconnecting waits for a running sync of the account to end: a sync takes
/// seconds, so this is long enough for one and short enough for a person waiting.
pub const DISCONNECT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

pub struct Engine {
    config: EngineConfig,
    store: Store,
    events: broadcast::Sender<EngineEvent>,
    /// When each account last synced successfully here (an unchanged refresh writes nothing).
    last_syncs: schedule::LastSyncs,
}

impl Engine {
    /// Opens the data directory and database (creating them), applying migrations.
    pub async fn open(config: EngineConfig) -> Result<Engine> {
        let root = config.data_dir.root();
        crate::paths::create_private_dir(root).map_err(|e| EngineError::DataDir {
            path: root.display().to_string(),
            message: e.to_string(),
        })?;
        // Older versions left config.toml (the client secret) readable by everyone; a
        // read-only data directory cannot be fixed from here, and need not be.
        if let Err(e) = crate::paths::make_private(&config.data_dir.config()) {
            tracing::warn!(%e, "cannot make config.toml private");
        }
        let store = Store::open(&config.data_dir.database()).await?;
        let (events, _) = broadcast::channel(256);
        Ok(Engine {
            config,
            store,
            events,
            last_syncs: schedule::LastSyncs::default(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    fn emit(&self, event: EngineEvent) {
        // Nobody listening is fine.
        let _ = self.events.send(event);
    }

    /// The settings file, read afresh (another process may have changed it).
    pub fn settings(&self) -> Result<Settings> {
        Ok(Settings::load(&self.config.data_dir.config())?)
    }

    /// Changes one setting (`sync.interval_minutes`, `"30"`) and saves it.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<Settings> {
        let mut settings = self.settings()?;
        settings.set(key, value)?;
        settings.save(&self.config.data_dir.config())?;
        Ok(settings)
    }

    /// The Google client and endpoints. The environment overrides the settings file.
    pub fn google_config(&self) -> Result<GoogleConfig> {
        let settings = self.settings()?;
        let (env_id, env_secret) = google_client_from_env();
        let client_id = env_id
            .or(settings.google.client_id)
            .ok_or(EngineError::NoGoogleClient)?;
        let client_secret = env_secret
            .or(settings.google.client_secret)
            .map(Sensitive::new);
        Ok(GoogleConfig {
            client_id,
            client_secret,
            endpoints: self.config.google.clone(),
            retry: self.config.retry,
            sign_in_timeout: self.config.sign_in_timeout,
        })
    }

    fn sync_options(&self) -> Result<SyncOptions> {
        let settings = self.settings()?;
        Ok(SyncOptions {
            days_back: settings.sync.days_back,
            days_ahead: settings.sync.days_ahead,
            deadline: self.config.retry.sync_deadline,
        })
    }

    pub async fn account(&self, id: i64) -> Result<Account> {
        self.store
            .account(id)
            .await?
            .map(|a| self.last_syncs.apply(a))
            .ok_or(EngineError::NotFound("account", id))
    }

    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let accounts = self.store.accounts().await?;
        Ok(accounts
            .into_iter()
            .map(|a| self.last_syncs.apply(a))
            .collect())
    }

    pub async fn calendars(&self) -> Result<Vec<Calendar>> {
        Ok(self.store.calendars(None).await?)
    }

    pub async fn set_calendar_enabled(&self, id: i64, enabled: bool) -> Result<()> {
        if !self.store.set_calendar_enabled(id, enabled).await? {
            return Err(EngineError::NotFound("calendar", id));
        }
        self.emit(EngineEvent::DataChanged);
        Ok(())
    }

    /// Gives a calendar the user's own colour (`#rrggbb`).
    pub async fn set_calendar_color(&self, id: i64, color: &str) -> Result<()> {
        let valid = color.len() == 7
            && color.starts_with('#')
            && color[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !valid {
            return Err(EngineError::Settings(
                crate::settings::SettingsError::Invalid {
                    key: "color".into(),
                    message: format!("{color:?} is not a #rrggbb colour"),
                },
            ));
        }
        if !self
            .store
            .set_calendar_color(id, &color.to_ascii_lowercase())
            .await?
        {
            return Err(EngineError::NotFound("calendar", id));
        }
        self.emit(EngineEvent::DataChanged);
        Ok(())
    }

    /// Syncs one account, or all of them. An account another process is syncing is reported
    /// as busy in its place.
    pub async fn sync(
        &self,
        account: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<SyncReport>>> {
        let ids = match account {
            Some(id) => vec![self.account(id).await?.id],
            None => self
                .store
                .accounts()
                .await?
                .into_iter()
                .map(|a| a.id)
                .collect(),
        };
        let mut reports = Vec::with_capacity(ids.len());
        for id in ids {
            reports.push(self.sync_one(id, now).await);
        }
        Ok(reports)
    }

    /// Syncs one account. Once `SyncStarted` is out, a `SyncFinished` always follows, carrying
    /// the error when the sync could not run (so a UI never waits for ever), and the error is
    /// saved as the account's `last_error` like any other failed sync.
    async fn sync_one(&self, account_id: i64, now: DateTime<Utc>) -> Result<SyncReport> {
        self.sync_one_with(account_id, now, None).await
    }

    /// [`Engine::sync_one`] with the account's provider already built (`None`: built here).
    async fn sync_one_with(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
        provider: Option<Box<dyn Provider>>,
    ) -> Result<SyncReport> {
        let account = self.account(account_id).await?;
        let _lock = AccountLock::try_acquire(&self.config.data_dir.locks(), account_id)
            .map_err(|e| EngineError::Lock(e.to_string()))?
            .ok_or(EngineError::Busy(account_id))?;
        self.emit(EngineEvent::SyncStarted { account_id });
        let outcome = self.run_sync(&account, now, provider).await;
        let report = match &outcome {
            Ok(report) => {
                if report.wrote_nothing {
                    self.last_syncs.record(account_id, now);
                }
                report.clone()
            }
            Err(e) => {
                let needs_reauth = e.code() == "needs_reauth";
                let message = e.to_string();
                if let Err(store_error) = self
                    .store
                    .record_account_failure(account_id, &message, needs_reauth)
                    .await
                {
                    tracing::warn!(
                        "cannot record the failed sync of account {account_id}: {store_error}"
                    );
                }
                SyncReport {
                    account_id,
                    calendars: vec![],
                    error: Some(message),
                    needs_reauth,
                    wrote_nothing: false,
                }
            }
        };
        self.emit(EngineEvent::SyncFinished(report));
        outcome
    }

    /// The sync itself, between `SyncStarted` and `SyncFinished`.
    async fn run_sync(
        &self,
        account: &Account,
        now: DateTime<Utc>,
        provider: Option<Box<dyn Provider>>,
    ) -> Result<SyncReport> {
        let account_id = account.id;
        let options = self.sync_options()?;
        let events = self.events.clone();
        let progress = move |p: SyncProgress| {
            let _ = events.send(EngineEvent::SyncProgress(p));
        };
        let provider = match provider {
            Some(provider) => provider,
            None => self.provider_for(account, now).await?,
        };
        Ok(sync_account(
            &self.store,
            provider.as_ref(),
            account_id,
            options,
            now,
            &progress,
        )
        .await?)
    }

    /// Removes the account: revokes its grant at the provider (best effort), deletes its
    /// secret and deletes its calendars and events.
    ///
    /// A sync of the account in progress (here or in another process) is waited for, up to
    /// [`DISCONNECT_PATIENCE`], so it never writes to an account that is gone.
    pub async fn disconnect(&self, account_id: i64) -> Result<Disconnected> {
        let account = self.account(account_id).await?;
        let locks = self.config.data_dir.locks();
        let _lock = AccountLock::acquire_within(&locks, account_id, DISCONNECT_PATIENCE)
            .await
            .map_err(|e| EngineError::Lock(e.to_string()))?
            .ok_or(EngineError::Busy(account_id))?;
        // An account of a kind this build does not know has nothing here to release.
        let (revoked, revoke_error) = match ProviderKind::parse(&account.provider) {
            Some(kind) => self.release(kind, &account).await?,
            None => (false, None),
        };
        self.store.delete_account(account_id).await?;
        self.last_syncs.forget(account_id);
        self.emit(EngineEvent::DataChanged);
        Ok(Disconnected {
            account,
            revoked,
            revoke_error,
        })
    }

    /// Occurrences from `now` for `days` days (ongoing ones included), declined ones left out
    /// unless asked for.
    pub async fn upcoming(
        &self,
        now: DateTime<Utc>,
        days: u32,
        limit: u32,
        include_declined: bool,
    ) -> Result<Vec<EventView>> {
        let (start, end) = upcoming_span(now, days)?;
        let range = QueryRange::new(start, end, &Local);
        let filter = EventFilter {
            include_declined,
            limit: Some(limit),
        };
        Ok(self.store.events_between(range, filter).await?)
    }

    /// Occurrences on the local days `from` to `to`, both included.
    pub async fn events_on_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<EventView>> {
        let (start, end) = days_span(from, to)?;
        let range = QueryRange::new(start, end, &Local);
        let filter = EventFilter {
            include_declined: true,
            limit: None,
        };
        Ok(self.store.events_between(range, filter).await?)
    }

    pub async fn status(&self) -> Result<Status> {
        let accounts = self.accounts().await?;
        let calendars = self.store.calendars(None).await?;
        Ok(Status {
            data_dir: self.config.data_dir.root().display().to_string(),
            database: self.config.data_dir.database().display().to_string(),
            secret_store: match self.config.secrets {
                SecretStore::Os { .. } => "os",
                SecretStore::File { .. } => "file",
            },
            last_synced_at: accounts.iter().filter_map(|a| a.last_synced_at).max(),
            accounts,
            enabled_calendars: calendars.iter().filter(|c| c.enabled).count(),
            calendars: calendars.len(),
            events: self.store.event_count().await?,
            sync_interval_minutes: self.settings()?.sync.interval_minutes,
        })
    }
}

/// The kind of the account's provider; one this build does not know is an error (a newer
/// version may have connected it).
fn provider_kind(account: &Account) -> Result<ProviderKind> {
    ProviderKind::parse(&account.provider)
        .ok_or_else(|| EngineError::UnknownProvider(account.provider.clone()))
}

/// The demo's events are placed relative to when it was connected.
async fn account_created(store: &Store, id: i64, fallback: DateTime<Utc>) -> Result<DateTime<Utc>> {
    Ok(store.account_created_at(id).await?.unwrap_or(fallback))
}

/// The local IANA time zone (UTC when it cannot be told).
pub fn local_zone() -> chrono_tz::Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}
