//! The local SQLite store: opening the database (WAL, foreign keys, embedded migrations) and
//! the error type of this layer. Queries live in the submodules, one per table family.

mod accounts;
mod apply;
mod calendars;
mod events;
mod reminders;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use accounts::Account;
pub use apply::ApplyStats;
pub use calendars::{Calendar, CalendarSyncState};
pub use events::{EventFilter, EventView, QueryRange};

/// Failures of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not upgrade the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle on the database; cheap to clone (a connection pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // The CLI and the desktop app share the file: wait for the other's write to end.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Store::migrated(pool).await
    }

    /// A private in-memory database, for tests.
    pub async fn open_in_memory() -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to `:memory:` would be a different database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Store::migrated(pool).await
    }

    async fn migrated(pool: SqlitePool) -> Result<Store> {
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// Closes every connection (so the WAL is checkpointed into the file).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Timestamps are stored as RFC 3339 UTC text with a `Z`, which sorts as time does.
pub(crate) fn fmt_utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn parse_utc(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("timestamp {s:?}")))
}

pub(crate) fn parse_utc_opt(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_utc).transpose()
}
