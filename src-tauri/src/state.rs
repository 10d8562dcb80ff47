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
    /// Cancels the sign-in in progress, if any.
    pub connect_cancel: Mutex<Option<oneshot::Sender<()>>>,
    /// Wakes the minute loop early (after a sync or a settings change).
    pub replan: Notify,
    /// What the tray menu's items open.
    pub tray_targets: Mutex<TrayTargets>,
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
    pub join: Option<String>,
}

impl AppState {
    pub fn new(engine: Arc<Engine>, sync: SyncServiceHandle) -> Self {
        AppState {
            engine,
            sync,
            sync_state: Mutex::new(SyncState::default()),
            connect_cancel: Mutex::new(None),
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
