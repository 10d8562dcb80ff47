//! The background sync service: syncs every account on start and then on the schedule in the
//! settings, and on demand. It sleeps between syncs (no polling) and reports through the
//! engine's event channel.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::engine::Engine;

enum Command {
    SyncNow,
    /// The interval setting changed: compute the next due time again.
    Reschedule,
}

/// Spawns and controls the service.
pub struct SyncService;

/// Talks to a running service; dropping every handle stops it.
#[derive(Clone)]
pub struct SyncServiceHandle {
    commands: mpsc::Sender<Command>,
    task: Arc<JoinHandle<()>>,
}

impl SyncService {
    /// Starts the service on the current tokio runtime. The first sync runs at once.
    pub fn spawn(engine: Arc<Engine>) -> SyncServiceHandle {
        let (commands, mut rx) = mpsc::channel(8);
        let task = tokio::spawn(async move {
            let mut last_sync = Instant::now();
            let mut due = Instant::now();
            loop {
                tokio::select! {
                    command = rx.recv() => match command {
                        Some(Command::SyncNow) => due = Instant::now(),
                        Some(Command::Reschedule) => due = last_sync + interval(&engine),
                        None => break,
                    },
                    _ = tokio::time::sleep_until(due) => {
                        // The engine reports results and failures on its event channel.
                        let _ = engine.sync(None, chrono::Utc::now()).await;
                        last_sync = Instant::now();
                        due = last_sync + interval(&engine);
                    }
                }
            }
        });
        SyncServiceHandle {
            commands,
            task: Arc::new(task),
        }
    }
}

fn interval(engine: &Engine) -> Duration {
    let minutes = engine
        .settings()
        .map(|s| s.sync.interval_minutes)
        .unwrap_or(crate::settings::SyncSettings::default().interval_minutes);
    Duration::from_secs(u64::from(minutes) * 60)
}

impl SyncServiceHandle {
    /// Asks for a sync of every account now (coalesced with one already asked for).
    pub fn sync_now(&self) {
        let _ = self.commands.try_send(Command::SyncNow);
    }

    /// Re-reads the interval setting.
    pub fn reschedule(&self) {
        let _ = self.commands.try_send(Command::Reschedule);
    }

    /// Stops the service (a sync in progress is abandoned; its transaction is not applied).
    pub fn stop(&self) {
        self.task.abort();
    }
}
