//! What the engine broadcasts around a sync: every `SyncStarted` is followed by a
//! `SyncFinished`, also when the sync fails before its provider runs, and that failure is the
//! account's `last_error` (so the desktop app never shows "Syncing…" for ever).

use calbuddy_engine::{Engine, EngineConfig, EngineEvent};
use chrono::Utc;
use tokio::sync::broadcast::error::TryRecvError;

/// An engine with no Google client configured (and none in the environment of the test).
async fn engine_without_google_client(dir: &std::path::Path) -> Engine {
    Engine::open(EngineConfig::in_dir(dir)).await.unwrap()
}

#[tokio::test]
async fn a_sync_that_fails_before_its_provider_runs_still_finishes_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_without_google_client(dir.path()).await;
    let (id, _) = engine
        .store()
        .upsert_account("google", "a@example.com", "a@example.com", Utc::now())
        .await
        .unwrap();
    let mut events = engine.subscribe();

    let results = engine.sync(Some(id), Utc::now()).await.unwrap();
    let error = results[0].as_ref().expect_err("no client: the sync fails");
    assert_eq!(error.code(), "no_google_client");

    match events.try_recv() {
        Ok(EngineEvent::SyncStarted { account_id }) => assert_eq!(account_id, id),
        other => panic!("expected SyncStarted, got {other:?}"),
    }
    match events.try_recv() {
        Ok(EngineEvent::SyncFinished(report)) => {
            assert_eq!(report.account_id, id);
            assert_eq!(report.error, Some(error.to_string()));
            assert!(!report.needs_reauth);
        }
        other => panic!("expected SyncFinished, got {other:?}"),
    }
    assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));

    let account = engine.account(id).await.unwrap();
    assert_eq!(account.last_error, Some(error.to_string()));
    assert!(!account.needs_reauth);
}
