//! Disconnecting an account while it syncs: disconnect waits for the sync's account lock, and
//! a sync that starts after the account is gone fails cleanly instead of on a foreign key.

use std::time::Duration;

use calbuddy_engine::provider::demo::DemoProvider;
use calbuddy_engine::store::StoreError;
use calbuddy_engine::sync::{sync_account, AccountLock, SyncOptions};
use chrono::Utc;

mod common;

#[tokio::test]
async fn disconnect_waits_for_the_sync_holding_the_account_lock() {
    let world = common::world().await;
    let engine = &world.engine;
    let id = engine.connect_demo(Utc::now()).await.unwrap().id;
    // Another process syncing the account holds its lock.
    let sync = AccountLock::try_acquire(&engine.config().data_dir.locks(), id)
        .unwrap()
        .unwrap();
    let other_process = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let still_there = engine.account(id).await.is_ok();
        drop(sync);
        still_there
    };
    let (disconnected, still_there_while_syncing) =
        tokio::join!(engine.disconnect(id), other_process);
    assert!(
        still_there_while_syncing,
        "disconnect removed the account while it was being synced"
    );
    assert_eq!(disconnected.unwrap().account.id, id);
    assert!(engine.account(id).await.is_err());
}

#[tokio::test]
async fn a_sync_of_an_account_removed_meanwhile_fails_cleanly() {
    let world = common::world().await;
    let engine = &world.engine;
    let id = engine.connect_demo(Utc::now()).await.unwrap().id;
    engine.disconnect(id).await.unwrap();
    let provider = DemoProvider::new(Utc::now(), chrono_tz::UTC);
    let options = SyncOptions {
        days_back: 7,
        days_ahead: 30,
        deadline: std::time::Duration::from_secs(60),
    };
    let result = sync_account(engine.store(), &provider, id, options, Utc::now(), &|_| {}).await;
    assert!(
        matches!(result, Err(StoreError::AccountGone(gone)) if gone == id),
        "{result:?}"
    );
}
