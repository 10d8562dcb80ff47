//! The local SQLite store: opening the database (WAL, foreign keys, embedded migrations) and
//! the error type of this layer. Queries live in the submodules, one per table family.

mod accounts;
mod apply;
mod calendars;
mod events;
mod exceptions;
mod expand;
#[cfg(test)]
mod fixtures;
mod future;
mod merge;
mod on_demand;
mod reminders;
mod resources;
mod search;
mod zones;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use accounts::Account;
pub use apply::ApplyStats;
pub use calendars::{Calendar, CalendarSyncState};
pub use events::{AlsoIn, EventFilter, EventView, QueryRange};

/// Failures of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not upgrade the database: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
    #[error(
        "the database {0} is read-only and was written by an older version; open it once with \
         write access so it can be upgraded"
    )]
    ReadOnlyOutdated(String),
    #[error("cannot create the database file {0}")]
    File(String),
    #[error("account {0} was removed")]
    AccountGone(i64),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle on the database; cheap to clone (a connection pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    read_only: bool,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date. A
    /// database the user cannot write (a read-only file or data directory) is opened read-only,
    /// so the reading commands still work; see [`Store::open_read_only`].
    pub async fn open(path: &Path) -> Result<Store> {
        if read_only_on_disk(path) || path.parent().is_some_and(read_only_on_disk) {
            return Store::open_read_only(path).await;
        }
        create_private(path)?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // The CLI and the desktop app share the file: wait for the other's write to end.
            .busy_timeout(Duration::from_secs(10))
            // Room for a large sync's pages (SQLite's default is 2 MiB): a transaction whose
            // pages do not fit spills them to the WAL and reads them back. Allocated as used.
            .pragma("cache_size", "-16384");
        let opened = async {
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            Store::migrated(pool).await
        };
        match opened.await {
            // Mode bits do not tell everything (another owner, a read-only mount, root).
            Err(e) if e.is_read_only() => Store::open_read_only(path).await,
            other => other,
        }
    }

    /// Opens an existing database for reading only, without migrating it (which would write):
    /// its schema must already be this version's. SQLite reads a WAL database read-only by
    /// creating its shared-memory (-shm) file; in a directory where it cannot, a database with
    /// no WAL left beside it is read as immutable (a WAL left behind holds recent changes that
    /// an immutable read would miss).
    pub async fn open_read_only(path: &Path) -> Result<Store> {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let no_wal = !Path::new(&wal).exists();
        // The mode bits say so (root would otherwise create the -shm anyway), or SQLite does.
        let dir_read_only = path.parent().is_some_and(read_only_on_disk);
        let opened = match Store::connect_read_only(path, dir_read_only && no_wal).await {
            Err(e) if e.is_read_only() && no_wal && !dir_read_only => {
                Store::connect_read_only(path, true).await
            }
            other => other,
        };
        let store = opened?;
        tracing::info!(path = %path.display(), "the database is read-only; opened for reading");
        Ok(store)
    }

    async fn connect_read_only(path: &Path, immutable: bool) -> Result<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(immutable)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let newest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&pool)
                .await?;
        if applied != Some(newest) {
            return Err(StoreError::ReadOnlyOutdated(path.display().to_string()));
        }
        Ok(Store {
            pool,
            read_only: true,
        })
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
        Ok(Store {
            pool,
            read_only: false,
        })
    }

    /// Whether the database was opened read-only (writes will fail).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Begins a write transaction. `BEGIN IMMEDIATE` takes the write lock first: a deferred
    /// transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT when another
    /// process wrote in between, which `busy_timeout` does not retry.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Closes every connection (so the WAL is checkpointed into the file).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl StoreError {
    /// SQLite refused to write because the file, its directory or the mount is read-only.
    pub fn is_read_only(&self) -> bool {
        let sqlite = match self {
            StoreError::Database(e) => e,
            StoreError::Migration(sqlx::migrate::MigrateError::Execute(e)) => e,
            _ => return false,
        };
        let code = sqlite
            .as_database_error()
            .and_then(|e| e.code())
            .and_then(|c| c.parse::<i32>().ok());
        // Primary codes (the low byte of an extended code): 8 SQLITE_READONLY, 14 SQLITE_CANTOPEN
        // (the -wal/-shm files cannot be created beside a database in a read-only directory).
        matches!(code.map(|c| c & 0xff), Some(8 | 14))
    }
}

/// Whether the permission bits say nobody may write `path` (`chmod a-w`). The check uses the
/// bits, not `access(2)`, so it also holds for root, who may write anything.
fn read_only_on_disk(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}

/// Creates the database file 0600 before SQLite does (SQLite would make it 0644 under a umask
/// of 022; its -wal and -shm files take the database file's mode), or tightens an existing one.
fn create_private(path: &Path) -> Result<()> {
    let io = |e: std::io::Error| StoreError::File(format!("{}: {e}", path.display()));
    match crate::paths::private_file_options()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.as_os_str().to_owned();
                file.push(suffix);
                // Best effort: a database someone else owns (and lets us read) is still usable.
                if let Err(e) = crate::paths::make_private(Path::new(&file)) {
                    tracing::debug!(file = %Path::new(&file).display(), %e, "cannot make private");
                }
            }
            Ok(())
        }
        Err(e) => Err(io(e)),
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

/// An optional timestamp column. One unreadable value (a hand-edited or damaged row) must not
/// block every command that lists accounts or calendars: it reads as absent, with a warning.
pub(crate) fn parse_utc_opt(s: Option<String>) -> Option<DateTime<Utc>> {
    let s = s?;
    match parse_utc(&s) {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::warn!(%e, "ignoring an unreadable timestamp");
            None
        }
    }
}

#[cfg(test)]
mod upgrade_tests {
    use super::*;

    /// A database of the version before 0008, with a synced calendar, upgraded: the next sync
    /// is a full one that writes every event again, so the new fields get filled.
    #[tokio::test]
    async fn the_people_migration_makes_the_next_sync_write_every_event_again() {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .unwrap()
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: MIGRATOR.iter().filter(|m| m.version < 8).cloned().collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        sqlx::raw_sql(
            "INSERT INTO accounts (id, provider, external_id, name, created_at)
                 VALUES (1, 'google', 'me@x', 'me@x', '2026-01-01T00:00:00Z');
             INSERT INTO calendars (id, account_id, external_id, name, sync_cursor)
                 VALUES (1, 1, 'me@x', 'Me', 'token');
             INSERT INTO events (calendar_id, external_id, title, start_at, end_at, all_day,
                                 status, etag)
                 VALUES (1, 'e', 'Budget', '2026-01-02T10:00:00Z', '2026-01-02T11:00:00Z', 0,
                         'confirmed', '\"1\"');",
        )
        .execute(&pool)
        .await
        .unwrap();
        let store = Store::migrated(pool).await.unwrap();
        let (cursor, etag): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT c.sync_cursor, e.etag FROM calendars c JOIN events e ON e.calendar_id = c.id",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!((cursor, etag), (None, None));
        // The search index was rebuilt from the rows already there.
        assert_eq!(store.search_event_ids("budget").await.unwrap().len(), 1);
    }
}
