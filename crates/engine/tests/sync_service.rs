//! The background sync service: syncs at start, on demand, and otherwise sleeps until the
//! interval is up; it reports through the engine's event channel.

use std::sync::Arc;
use std::time::Duration;

use calbuddy_engine::paths::DataDir;
use calbuddy_engine::secrets::SecretStore;
use calbuddy_engine::sync::SyncService;
use calbuddy_engine::{Engine, EngineConfig, EngineEvent};
use tokio::sync::broadcast::Receiver;
use tokio::time::timeout;

async fn demo_engine(dir: &std::path::Path) -> Arc<Engine> {
    let data_dir = DataDir::new(dir);
    let config = EngineConfig {
        secrets: SecretStore::File {
            path: data_dir.secrets_file(),
        },
        data_dir,
        google: Default::default(),
        retry: Default::default(),
        sign_in_timeout: Duration::from_secs(1),
    };
    let engine = Engine::open(config).await.unwrap();
    engine.connect_demo(chrono::Utc::now()).await.unwrap();
    Arc::new(engine)
}

/// Waits for the next finished sync, skipping other events.
async fn next_finished(events: &mut Receiver<EngineEvent>, within: Duration) -> Option<i64> {
    timeout(within, async {
        loop {
            if let Ok(EngineEvent::SyncFinished(report)) = events.recv().await {
                return report.account_id;
            }
        }
    })
    .await
    .ok()
}

#[tokio::test]
async fn syncs_at_start_and_on_demand_and_sleeps_in_between() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(dir.path()).await;
    let mut events = engine.subscribe();
    let service = SyncService::spawn(engine.clone());

    let first = next_finished(&mut events, Duration::from_secs(10)).await;
    assert!(first.is_some(), "a sync runs at start");
    // The interval is 15 minutes: nothing happens on its own in the meantime.
    assert_eq!(
        next_finished(&mut events, Duration::from_millis(500)).await,
        None
    );

    service.sync_now();
    assert_eq!(
        next_finished(&mut events, Duration::from_secs(10)).await,
        first
    );
    assert_eq!(
        next_finished(&mut events, Duration::from_millis(300)).await,
        None
    );
    service.stop();
}
