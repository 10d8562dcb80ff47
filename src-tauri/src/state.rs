//! What the shell keeps while it runs: the engine, the sync service, the sync state the UI
//! shows, the sign-in that can be cancelled, and the tray's current menu targets.

use std::sync::{Arc, Mutex};

use calbuddy_engine::sync::{SyncProgress, SyncServiceHandle};
use calbuddy_engine::Engine;
use tokio::sync::{oneshot, Notify};

pub struct AppState {
    pub engine: Arc<Engine>,
    pub sync: SyncServiceHandle,
    pub sync_state: Mutex<SyncState>,
    /// The sign-in in progress (Google or Microsoft), which can be cancelled.
    pub sign_in: SignInSlot,
    /// Wakes the minute loop early (after a sync or a settings change).
    pub replan: Notify,
    /// What the tray menu's items open.
    pub tray_targets: Mutex<TrayTargets>,
}

/// The one sign-in that may wait for the browser at a time, across Google and Microsoft: a new
/// one cancels the one still waiting (its loopback listener and its half-done grant are dropped
/// rather than left racing the new one).
#[derive(Debug, Default)]
pub struct SignInSlot(Mutex<Option<oneshot::Sender<()>>>);

impl SignInSlot {
    /// Starts a sign-in; the receiver fires when it is cancelled or replaced by a later one.
    pub fn begin(&self) -> oneshot::Receiver<()> {
        let (cancel, cancelled) = oneshot::channel();
        if let Ok(mut slot) = self.0.lock() {
            if let Some(previous) = slot.replace(cancel) {
                let _ = previous.send(());
            }
        }
        cancelled
    }

    /// Cancels the sign-in in progress, if any.
    pub fn cancel(&self) {
        if let Some(cancel) = self.0.lock().ok().and_then(|mut c| c.take()) {
            let _ = cancel.send(());
        }
    }
}

/// Whether a sync is running and how the last one ended.
#[derive(Debug, Clone, Default)]
pub struct SyncState {
    pub syncing: bool,
    pub progress: Option<SyncProgress>,
    pub last_error: Option<String>,
}

/// Where the tray's items lead: each `event:N` item to its meeting link (or the dashboard),
/// "Join next meeting" to its link.
#[derive(Debug, Clone, Default)]
pub struct TrayTargets {
    pub events: Vec<Option<String>>,
    /// The meeting links of the tray's "Join: …" items, in menu order.
    pub joins: Vec<String>,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, sync: SyncServiceHandle) -> Self {
        AppState {
            engine,
            sync,
            sync_state: Mutex::new(SyncState::default()),
            sign_in: SignInSlot::default(),
            replan: Notify::new(),
            tray_targets: Mutex::new(TrayTargets::default()),
        }
    }

    pub fn sync_state(&self) -> SyncState {
        self.sync_state
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot::error::TryRecvError;

    #[test]
    fn a_new_sign_in_cancels_the_one_still_waiting() {
        let slot = SignInSlot::default();
        let mut google = slot.begin();
        assert_eq!(google.try_recv(), Err(TryRecvError::Empty));
        let mut microsoft = slot.begin();
        assert_eq!(google.try_recv(), Ok(()));
        assert_eq!(microsoft.try_recv(), Err(TryRecvError::Empty));
        slot.cancel();
        assert_eq!(microsoft.try_recv(), Ok(()));
        // Nothing waiting: cancelling again is harmless.
        slot.cancel();
    }
}
