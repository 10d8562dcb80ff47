//! Calendar Buddy's desktop shell: a thin Tauri layer over the engine. It lives in the tray,
//! opens the dashboard and settings windows on demand (and destroys them when closed, so an
//! idle app has no webview), forwards engine events to the UI, and shows reminders.

mod background;
mod browse;
mod commands;
mod notifications;
mod reminders;
mod settings_view;
mod shortcut;
mod state;
#[cfg(target_os = "linux")]
mod system_events;
mod tray;
mod windows;

#[cfg(test)]
mod test_events;

use std::sync::Arc;

use calbuddy_engine::sync::SyncService;
use calbuddy_engine::{Engine, EngineConfig};
use tauri::{Manager, RunEvent};

use state::AppState;

/// Starts the app. `--hidden` starts in the tray with no window (what start-at-login uses).
pub fn run() {
    calbuddy_engine::logging::init();
    // Run the main thread inside Tauri's tokio runtime, so that D-Bus work the plugins start
    // from it (zbus) goes to tokio's blocking pool, whose idle threads exit, rather than to
    // async-io's, whose idle thread wakes twice a second for as long as the app runs.
    let runtime = tauri::async_runtime::handle();
    let _runtime = runtime.inner().enter();
    let hidden = std::env::args().any(|a| a == "--hidden");
    let engine = match tauri::async_runtime::block_on(open_engine()) {
        Ok(engine) => Arc::new(engine),
        Err(message) => {
            eprintln!("calbuddy-desktop: error: {message}");
            std::process::exit(1);
        }
    };

    let app = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            windows::show(app, windows::Window::Dashboard);
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(shortcut::plugin())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                windows::on_destroyed(window.app_handle());
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::upcoming_events,
            commands::sync_status,
            commands::sync_now,
            commands::accounts,
            commands::calendars,
            commands::set_calendar_enabled,
            commands::set_calendar_color,
            commands::set_calendar_reminders,
            commands::connect_google,
            commands::connect_microsoft,
            commands::cancel_connect,
            commands::disconnect,
            commands::add_demo,
            commands::connect_ics,
            commands::connect_caldav,
            commands::connect_icloud,
            commands::reconnect_caldav,
            commands::settings,
            commands::save_settings,
            commands::open_link,
            commands::open_window,
            browse::search_events,
            browse::events_on_days,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            // The service's task runs on Tauri's tokio runtime.
            let sync = tauri::async_runtime::block_on({
                let engine = engine.clone();
                async move { SyncService::spawn(engine) }
            });
            app.manage(AppState::new(engine.clone(), sync));
            shortcut::start(&handle);
            tray::create(&handle)?;
            notifications::init(&handle);
            background::start(&handle);
            // Wake and network-back signals come from logind and NetworkManager on Linux. On
            // macOS and Windows (no such bus) the minute loop notices a wake by the jump in the
            // wall clock, and a sync that failed offline is retried on the sync schedule.
            #[cfg(target_os = "linux")]
            system_events::start(&handle);
            if !hidden {
                windows::show(&handle, windows::Window::Dashboard);
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("calbuddy-desktop: error: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|_app, event| {
        // Closing the last window keeps the app in the tray; only "Quit" (an explicit exit
        // code) ends it.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
}

/// Opens the engine on the same data directory and settings as the CLI, adding the demo
/// calendar on the very first start so there is something to see.
async fn open_engine() -> Result<Engine, String> {
    let config = EngineConfig::from_env().map_err(|e| e.to_string())?;
    let engine = Engine::open(config).await.map_err(|e| e.to_string())?;
    let first_start = engine
        .accounts()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
        && !engine.config().data_dir.config().exists();
    if first_start {
        engine
            .connect_demo(chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        // Writing the settings file marks the first start as done: removing the demo later
        // does not bring it back.
        let settings = engine.settings().map_err(|e| e.to_string())?;
        settings
            .save(&engine.config().data_dir.config())
            .map_err(|e| e.to_string())?;
    }
    Ok(engine)
}
