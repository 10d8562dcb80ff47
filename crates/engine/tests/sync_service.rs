//! The background sync service over the real engine: syncs at start and on demand, and reports
//! through the engine's event channel.

use std::sync::Arc;
use std::time::Duration;

use calbuddy_engine::sync::SyncService;
use calbuddy_engine::{Engine, EngineConfig, EngineEvent};
use tokio::sync::broadcast::Receiver;
use tokio::time::timeout;

async fn demo_engine(dir: &std::path::Path) -> Arc<Engine> {
    let engine = Engine::open(EngineConfig::in_dir(dir)).await.unwrap();
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

// The schedule itself (nothing before the interval, one sync after it) is checked on tokio's
// paused clock in the service's unit tests; this drives the real engine.
#[tokio::test]
async fn syncs_the_engine_at_start_and_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(dir.path()).await;
    let mut events = engine.subscribe();
    let service = SyncService::spawn(engine.clone());

    let first = next_finished(&mut events, Duration::from_secs(10)).await;
    assert!(first.is_some(), "a sync runs at start");

    service.sync_now();
    assert_eq!(
        next_finished(&mut events, Duration::from_secs(10)).await,
        first
    );
    service.stop();
}
