//! Reading commands work on a database the user cannot write (a read-only data directory or
//! file): the store opens it read-only instead of failing to migrate it.
//!
//! Tests may run as root, who can write any file whatever its mode. So they check what the
//! engine does with a file and directory whose mode bits say read-only (it opens them
//! read-only, reads work, writes are refused by SQLite itself), that a write refused by SQLite
//! is recognised as "read-only", and — when run as root with `setpriv` at hand — that user
//! `nobody` can read a database that root owns, where the bits look writable but the OS refuses
//! (the case the store falls back on SQLite's error for).

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

const CHILD: &str = "CALBUDDY_TEST_READ_ONLY_CHILD";

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

/// Runs this test binary again as user `nobody` on a data directory owned by root (0755, the
/// database 0644): nobody may read it but not write it, and the -shm file cannot be created.
#[test]
fn another_users_database_serves_the_reading_commands() {
    use std::os::unix::fs::MetadataExt;
    if std::env::var_os(CHILD).is_some() {
        return reads_as_another_user();
    }
    let probe = tempfile::tempfile().unwrap();
    let has_setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if probe.metadata().unwrap().uid() != 0 || !has_setpriv {
        eprintln!("skipped: needs root and setpriv to act as another user");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_world, dir, config) = runtime.block_on(demo_data_dir());
    let data = config.data_dir;
    chmod(dir.path(), 0o755);
    chmod(&data.database(), 0o644);
    chmod(&data.config(), 0o644);
    // The test binary may sit where nobody cannot reach it (/root/...): run a copy.
    let exe = dir.path().join("read_only_test");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    chmod(&exe, 0o755);
    let status = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args([
            "--exact",
            "another_users_database_serves_the_reading_commands",
        ])
        .env(CHILD, "1")
        .env("CALBUDDY_DATA_DIR", data.root())
        .env("CALBUDDY_SECRET_STORE", "file")
        .status()
        .unwrap();
    assert!(status.success(), "the reads as nobody failed: {status}");
}

fn reads_as_another_user() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let engine = Engine::open(EngineConfig::from_env().unwrap())
            .await
            .unwrap();
        assert!(engine.store().is_read_only());
        assert!(!engine
            .upcoming(Utc::now(), 14, 50, true)
            .await
            .unwrap()
            .is_empty());
        assert!(engine.status().await.unwrap().events > 0);
        assert_eq!(engine.accounts().await.unwrap().len(), 1);
    });
}
