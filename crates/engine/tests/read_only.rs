//! Reading commands work on a database the user cannot write (a read-only data directory or
//! file): the store opens it read-only instead of failing to migrate it.
//!
//! Tests may run as root, who can write any file whatever its mode, so these tests cannot
//! rely on the OS refusing a write. They check what the engine does with a file and directory
//! whose mode bits say read-only (it opens them read-only, reads work, writes are refused by
//! SQLite itself), and that a write refused by SQLite is recognised as "read-only", which is
//! how the store falls back when the bits look writable but the OS refuses.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use calbuddy_engine::paths::DataDir;
use calbuddy_engine::store::Store;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::Utc;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

mod common;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A data directory holding a synced demo calendar, with no WAL beside the database (as after
/// a clean exit), and the engine's configuration for it.
async fn demo_data_dir() -> (common::World, tempfile::TempDir, EngineConfig) {
    let world = common::world().await;
    world.engine.connect_demo(Utc::now()).await.unwrap();
    world.engine.store().close().await;
    // The pool's connections may still be closing, so the WAL may not be gone yet: fold it into
    // the file and copy the file and the settings to a directory of their own.
    let source = world.engine.config().data_dir.clone();
    let mut db = SqliteConnectOptions::new()
        .filename(source.database())
        .connect()
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    let copy = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(copy.path());
    std::fs::copy(source.database(), data_dir.database()).unwrap();
    std::fs::copy(source.config(), data_dir.config()).unwrap();
    let config = EngineConfig {
        data_dir,
        ..world.engine.config().clone()
    };
    (world, copy, config)
}

async fn reads_work(engine: &Engine) {
    assert!(engine.store().is_read_only());
    let now = Utc::now();
    assert!(!engine.upcoming(now, 14, 50, true).await.unwrap().is_empty());
    let status = engine.status().await.unwrap();
    assert!(status.events > 0);
    assert_eq!(engine.accounts().await.unwrap().len(), 1);
    assert!(!engine.calendars().await.unwrap().is_empty());
    // A write is refused by SQLite, with an error that says so, not a panic.
    let err = engine.sync(None, now).await.map(|r| r.into_iter().next());
    let failed = match err {
        Err(e) => e.to_string(),
        Ok(Some(Err(e))) => e.to_string(),
        Ok(other) => panic!("a sync of a read-only database succeeded: {other:?}"),
    };
    assert!(failed.contains("read"), "{failed}");
}

#[tokio::test]
async fn a_read_only_data_directory_serves_the_reading_commands() {
    let (_world, _dir, config) = demo_data_dir().await;
    let data = config.data_dir.clone();
    chmod(&data.database(), 0o400);
    chmod(data.root(), 0o500);
    let opened = Engine::open(config).await;
    chmod(data.root(), 0o700);
    let engine = opened.unwrap();
    reads_work(&engine).await;
    // Immutable in a read-only directory: SQLite could not create the -shm file there.
    assert!(!Path::new(&format!("{}-shm", data.database().display())).exists());
}

#[tokio::test]
async fn a_read_only_database_file_serves_the_reading_commands() {
    let (_world, _dir, config) = demo_data_dir().await;
    chmod(&config.data_dir.database(), 0o444);
    let engine = Engine::open(config).await.unwrap();
    reads_work(&engine).await;
}

#[tokio::test]
async fn a_write_refused_by_sqlite_is_recognised_as_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calbuddy.db");
    Store::open(&path).await.unwrap().close().await;
    let store = Store::open_read_only(&path).await.unwrap();
    let err = store
        .upsert_account("demo", "demo", "Demo", Utc::now())
        .await
        .unwrap_err();
    assert!(err.is_read_only(), "{err}");
}
