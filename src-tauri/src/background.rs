//! The shell's background glue: forwards engine events to the windows (`sync-state`,
//! `data-changed`), and runs the minute loop that refreshes the tray, fires due reminders and
//! notices a wake from sleep. The loop sleeps until the next minute or the next due reminder,
//! whichever is first — never a per-second poll.

use calbuddy_engine::EngineEvent;
use chrono::{Duration, DurationRound, Utc};
use tauri::{AppHandle, Emitter};

use crate::commands::{state, sync_status_of};
use crate::{notifications, reminders, tray};

/// A gap this much longer than the loop's longest sleep means the machine slept or the clock
/// jumped.
const WAKE_GAP: Duration = Duration::minutes(2);

pub fn start(app: &AppHandle) {
    tauri::async_runtime::spawn(forward_engine_events(app.clone()));
    tauri::async_runtime::spawn(minute_loop(app.clone()));
}

async fn forward_engine_events(app: AppHandle) {
    let mut events = state(&app).engine.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let state = state(&app);
        if let Ok(mut sync) = state.sync_state.lock() {
            match &event {
                EngineEvent::SyncStarted { .. } => {
                    sync.syncing = true;
                    sync.progress = None;
                }
                EngineEvent::SyncProgress(p) => sync.progress = Some(p.clone()),
                EngineEvent::SyncFinished(report) => {
                    sync.syncing = false;
                    sync.progress = None;
                    sync.last_error = report.error.clone();
                }
                EngineEvent::DataChanged => {}
            }
        }
        if matches!(
            event,
            EngineEvent::SyncFinished(_) | EngineEvent::DataChanged
        ) {
            state.replan.notify_one();
            let _ = app.emit("data-changed", ());
        }
        match sync_status_of(&state).await {
            Ok(status) => {
                let _ = app.emit("sync-state", status);
            }
            Err(e) => tracing::warn!("cannot tell the windows the sync state: {}", e.message),
        }
    }
}

async fn minute_loop(app: AppHandle) {
    let mut last_tick = Utc::now();
    loop {
        let now = Utc::now();
        if now - last_tick > Duration::minutes(1) + WAKE_GAP {
            tracing::info!("woke from sleep or the clock jumped: syncing");
            state(&app).sync.sync_now();
        }
        last_tick = now;
        tray::refresh(&app, now).await;
        let next_due = reminders::step(&*state(&app).engine, now, |reminder| {
            notifications::show(&app, reminder)
        })
        .await;
        let next_minute =
            now.duration_trunc(Duration::minutes(1)).unwrap_or(now) + Duration::minutes(1);
        let wake = next_due.map_or(next_minute, |due| due.min(next_minute));
        let sleep = (wake - Utc::now()).to_std().unwrap_or_default();
        let state = state(&app);
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = state.replan.notified() => {}
        }
    }
}
