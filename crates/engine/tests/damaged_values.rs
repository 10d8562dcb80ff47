//! One unreadable value in the database (a damaged or hand-edited row) degrades that value,
//! not the commands that read it: `upcoming`, `status`, `accounts`, `calendars` and `sync`
//! still work.

use calbuddy_engine::Engine;
use chrono::Utc;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

mod common;

async fn damage(engine: &Engine, statements: &[&str]) {
    let path = engine.config().data_dir.database();
    let mut db = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .unwrap();
    for statement in statements {
        let done = sqlx::query(statement).execute(&mut db).await.unwrap();
        assert!(done.rows_affected() > 0, "{statement} changed nothing");
    }
    db.close().await.unwrap();
}

#[tokio::test]
async fn unreadable_values_degrade_the_field_not_the_command() {
    let world = common::world().await;
    let engine = &world.engine;
    let account = engine.connect_demo(Utc::now()).await.unwrap();
    damage(
        engine,
        &[
            "UPDATE accounts SET last_synced_at = 'yesterday-ish', created_at = '???'",
            "UPDATE calendars SET last_success_at = 'soon', last_attempt_at = '2026-13-45T99:00:00Z',
                window_start = 'x', window_end = 'y', expanded_start = 'z'",
            "UPDATE events SET start_at = 'not a date', recurrence = '[not json'
                WHERE recurrence IS NOT NULL",
        ],
    )
    .await;

    let accounts = engine.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].last_synced_at, None);
    let calendars = engine.calendars().await.unwrap();
    assert!(calendars.iter().all(|c| c.last_success_at.is_none()));
    let status = engine.status().await.unwrap();
    assert_eq!(status.last_synced_at, None);
    assert!(!engine
        .upcoming(Utc::now(), 14, 50, true)
        .await
        .unwrap()
        .is_empty());

    let reports = engine.sync(Some(account.id), Utc::now()).await.unwrap();
    let report = reports.into_iter().next().unwrap().unwrap();
    assert!(report.ok(), "{report:?}");
    // The sync repaired what it wrote.
    assert!(engine.accounts().await.unwrap()[0].last_synced_at.is_some());
}
