//! The background sync service: syncs on start and then on the schedule in the settings, and
//! every account on demand. It sleeps between syncs (no polling) and reports through the
//! engine's event channel. A scheduled sync leaves out the feeds that ask to be fetched less
//! often and are not due yet ([`Engine::sync_due`]); one asked for ("Sync now", waking up,
//! coming back online) fetches everything.

use std::future::Future;
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
        run(engine)
    }
}

/// What the service drives: the engine, or a stand-in in tests (whose syncs take no time, so
/// the schedule can be checked on tokio's paused clock).
trait SyncTarget: Send + Sync + 'static {
    /// Syncs every account (`everything`), or those the schedule finds due; results and
    /// failures go out on the engine's event channel.
    fn sync_all(&self, everything: bool) -> impl Future<Output = ()> + Send;
    /// How long to wait after a sync before the next one.
    fn interval(&self) -> Duration;
}

impl SyncTarget for Engine {
    async fn sync_all(&self, everything: bool) {
        let now = chrono::Utc::now();
        let synced = match everything {
            true => self.sync(None, now).await,
            false => self.sync_due(SyncTarget::interval(self), now).await,
        };
        if let Err(e) = synced {
            tracing::warn!("scheduled sync failed: {e}");
        }
    }

    fn interval(&self) -> Duration {
        let minutes = self
            .settings()
            .map(|s| s.sync.interval_minutes)
            .unwrap_or(crate::settings::SyncSettings::default().interval_minutes);
        Duration::from_secs(u64::from(minutes) * 60)
    }
}

fn run<T: SyncTarget>(target: Arc<T>) -> SyncServiceHandle {
    let (commands, mut rx) = mpsc::channel(8);
    let task = tokio::spawn(async move {
        let mut last_sync = Instant::now();
        let mut due = Instant::now();
        // The next sync was asked for, rather than scheduled.
        let mut asked = false;
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(Command::SyncNow) => {
                        due = Instant::now();
                        asked = true;
                    }
                    Some(Command::Reschedule) => due = last_sync + target.interval(),
                    None => break,
                },
                _ = tokio::time::sleep_until(due) => {
                    target.sync_all(asked).await;
                    asked = false;
                    last_sync = Instant::now();
                    due = last_sync + target.interval();
                }
            }
        }
    });
    SyncServiceHandle {
        commands,
        task: Arc::new(task),
    }
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

#[cfg(test)]
mod tests {
    //! The schedule on tokio's paused clock, with a stand-in target whose syncs take no time:
    //! the engine's own syncs wait on SQLite's worker thread, during which the paused clock
    //! would jump ahead on its own and make "nothing happened yet" unobservable.

    use std::sync::atomic::{AtomicU64, Ordering};

    use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

    use super::*;

    const INTERVAL: Duration = Duration::from_secs(15 * 60);

    /// Records the (paused) time of each sync, and whether it was of every account.
    struct Recorder {
        syncs: UnboundedSender<(Instant, bool)>,
        interval_secs: AtomicU64,
    }

    impl SyncTarget for Recorder {
        async fn sync_all(&self, everything: bool) {
            let _ = self.syncs.send((Instant::now(), everything));
        }

        fn interval(&self) -> Duration {
            Duration::from_secs(self.interval_secs.load(Ordering::SeqCst))
        }
    }

    fn start() -> (
        Arc<Recorder>,
        SyncServiceHandle,
        UnboundedReceiver<(Instant, bool)>,
    ) {
        let (syncs, rx) = unbounded_channel();
        let recorder = Arc::new(Recorder {
            syncs,
            interval_secs: AtomicU64::new(INTERVAL.as_secs()),
        });
        let handle = run(recorder.clone());
        (recorder, handle, rx)
    }

    #[tokio::test(start_paused = true)]
    async fn syncs_at_start_then_sleeps_for_the_interval() {
        let started = Instant::now();
        let (_target, service, mut syncs) = start();
        let (first, everything) = syncs.recv().await.unwrap();
        assert_eq!(first, started, "the first sync runs at once");
        assert!(!everything, "on the schedule");

        tokio::time::advance(INTERVAL - Duration::from_secs(1)).await;
        tokio::task::yield_now().await;
        assert!(
            syncs.try_recv().is_err(),
            "no sync before the interval is up"
        );

        // The paused clock moves on to the service's next wake-up and no further.
        let (second, _) = syncs.recv().await.unwrap();
        assert_eq!(second - first, INTERVAL);
        let (third, everything) = syncs.recv().await.unwrap();
        assert_eq!(third - second, INTERVAL);
        assert!(!everything);
        service.stop();
    }

    #[tokio::test(start_paused = true)]
    async fn sync_now_runs_at_once_and_the_interval_starts_again_from_it() {
        let (_target, service, mut syncs) = start();
        let (first, _) = syncs.recv().await.unwrap();

        tokio::time::advance(Duration::from_secs(60)).await;
        service.sync_now();
        let (on_demand, everything) = syncs.recv().await.unwrap();
        assert_eq!(on_demand - first, Duration::from_secs(60));
        assert!(everything, "asked for: every feed is fetched");

        let (next, everything) = syncs.recv().await.unwrap();
        assert_eq!(next - on_demand, INTERVAL);
        assert!(!everything, "back on the schedule");
        service.stop();
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_interval_counts_from_the_last_sync() {
        let (target, service, mut syncs) = start();
        let (first, _) = syncs.recv().await.unwrap();

        tokio::time::advance(Duration::from_secs(60)).await;
        target.interval_secs.store(5 * 60, Ordering::SeqCst);
        service.reschedule();
        let (next, _) = syncs.recv().await.unwrap();
        assert_eq!(next - first, Duration::from_secs(5 * 60));
        service.stop();
    }
}
