// Generates the permissions of the app's own commands, so the capability file can grant the
// webview exactly these and nothing else.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "upcoming_events",
            "sync_status",
            "sync_now",
            "accounts",
            "calendars",
            "set_calendar_enabled",
            "set_calendar_color",
            "set_calendar_reminders",
            "connect_google",
            "connect_microsoft",
            "cancel_connect",
            "disconnect",
            "add_demo",
            "connect_ics",
            "connect_caldav",
            "connect_icloud",
            "reconnect_caldav",
            "settings",
            "save_settings",
            "open_link",
            "open_window",
            "search_events",
            "events_on_days",
        ]),
    ))
    .expect("tauri build script");
}
