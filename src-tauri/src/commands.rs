//! The commands the web UI may call (and nothing else: see capabilities/default.json). Each is
//! a thin call into the engine; errors reach the UI as `{code, message}`.

use calbuddy_engine::secrets::Sensitive;
use calbuddy_engine::store::{Account, Calendar, EventView};
use calbuddy_engine::sync::{SyncProgress, SyncReport};
use calbuddy_engine::{CalDavSignIn, Disconnected, EngineError, ErrorPayload};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_autostart::ManagerExt;
use tauri_plugin_opener::OpenerExt;

use crate::settings_view::{apply, view, ClientsFromEnv, SettingsInput, SettingsView};
use crate::shortcut::{self, ShortcutError, StartProblem};
use crate::state::AppState;
use crate::windows::{self, Window};

type Result<T> = std::result::Result<T, ErrorPayload>;

fn fail(e: EngineError) -> ErrorPayload {
    e.payload()
}

fn error(code: &'static str, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload {
        code,
        message: message.into(),
    }
}

/// Occurrences from now for `days` days (ongoing ones included, declined ones left out).
#[tauri::command]
pub async fn upcoming_events(state: State<'_, AppState>, days: u32) -> Result<Vec<EventView>> {
    state
        .engine
        .upcoming(Utc::now(), days.clamp(1, 31), 500, false)
        .await
        .map_err(fail)
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub syncing: bool,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub accounts: Vec<Account>,
    pub progress: Option<SyncProgress>,
    pub last_error: Option<String>,
}

pub async fn sync_status_of(state: &AppState) -> Result<SyncStatus> {
    let accounts = state.engine.accounts().await.map_err(fail)?;
    let sync = state.sync_state();
    Ok(SyncStatus {
        syncing: sync.syncing,
        last_synced_at: accounts.iter().filter_map(|a| a.last_synced_at).max(),
        last_error: sync
            .last_error
            .or_else(|| accounts.iter().find_map(|a| a.last_error.clone())),
        accounts,
        progress: sync.progress,
    })
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus> {
    sync_status_of(&state).await
}

#[tauri::command]
pub fn sync_now(state: State<'_, AppState>) {
    state.sync.sync_now();
}

#[tauri::command]
pub async fn accounts(state: State<'_, AppState>) -> Result<Vec<Account>> {
    state.engine.accounts().await.map_err(fail)
}

#[tauri::command]
pub async fn calendars(state: State<'_, AppState>) -> Result<Vec<Calendar>> {
    state.engine.calendars().await.map_err(fail)
}

#[tauri::command]
pub async fn set_calendar_enabled(
    state: State<'_, AppState>,
    id: i64,
    enabled: bool,
) -> Result<()> {
    state
        .engine
        .set_calendar_enabled(id, enabled)
        .await
        .map_err(fail)?;
    if enabled {
        state.sync.sync_now();
    }
    Ok(())
}

/// Turns a calendar's reminders on or off (the engine's data-changed event makes the minute
/// loop plan again at once).
#[tauri::command]
pub async fn set_calendar_reminders(state: State<'_, AppState>, id: i64, on: bool) -> Result<()> {
    state
        .engine
        .set_calendar_reminders(id, on)
        .await
        .map_err(fail)
}

#[tauri::command]
pub async fn set_calendar_color(state: State<'_, AppState>, id: i64, color: String) -> Result<()> {
    state
        .engine
        .set_calendar_color(id, &color)
        .await
        .map_err(fail)
}

/// Tells the settings window where the sign-in page is, so it can offer the address when no
/// browser could be opened.
#[derive(Debug, Clone, Serialize)]
struct SignInUrl {
    url: String,
    opened: bool,
}

/// Opens the sign-in page in the browser and sends its address to the windows (event
/// `sign-in-url`).
fn open_sign_in(app: &AppHandle, url: &str) {
    let opened = calbuddy_engine::browser::open(url);
    if !opened {
        tracing::warn!("no browser could be opened for the sign-in");
    }
    let _ = app.emit(
        "sign-in-url",
        SignInUrl {
            url: url.to_owned(),
            opened,
        },
    );
}

/// Waits for a sign-in and its first sync, or for `cancel_connect` (or a newer sign-in), which
/// ends it with `sign_in_cancelled`.
async fn finish_sign_in(
    state: &AppState,
    connect: impl std::future::Future<Output = std::result::Result<(Account, SyncReport), EngineError>>,
    cancelled: tokio::sync::oneshot::Receiver<()>,
) -> Result<Account> {
    let outcome = tokio::select! {
        result = connect => result.map(|(account, _)| account).map_err(fail),
        _ = cancelled => Err(error("sign_in_cancelled", "Sign-in was cancelled.")),
    };
    if outcome.is_ok() {
        state.replan.notify_one();
    }
    outcome
}

/// Signs in to Google in the system browser and runs the first sync. Resolves when done;
/// `cancel_connect` ends it with `sign_in_cancelled`. One sign-in at a time: a new one (Google
/// or Microsoft) cancels one still waiting.
#[tauri::command]
pub async fn connect_google(app: AppHandle, state: State<'_, AppState>) -> Result<Account> {
    let cancelled = state.sign_in.begin();
    let connect = state
        .engine
        .connect_google(|url| open_sign_in(&app, url), Utc::now());
    finish_sign_in(&state, connect, cancelled).await
}

/// Signs in to Microsoft 365 / Outlook.com in the system browser and runs the first sync; as
/// `connect_google`. Without an app registration it fails with `no_microsoft_client`.
#[tauri::command]
pub async fn connect_microsoft(app: AppHandle, state: State<'_, AppState>) -> Result<Account> {
    let cancelled = state.sign_in.begin();
    let connect = state
        .engine
        .connect_microsoft(|url| open_sign_in(&app, url), Utc::now());
    finish_sign_in(&state, connect, cancelled).await
}

#[tauri::command]
pub fn cancel_connect(state: State<'_, AppState>) {
    state.sign_in.cancel();
}

/// Removes the account and its events. What it returns says whether the access was revoked at
/// the provider and, when not, why (for Microsoft: where the user removes it themselves).
#[tauri::command]
pub async fn disconnect(state: State<'_, AppState>, account_id: i64) -> Result<Disconnected> {
    let disconnected = state.engine.disconnect(account_id).await.map_err(fail)?;
    state.replan.notify_one();
    Ok(disconnected)
}

/// Subscribes to a calendar link (the settings form "Subscribe to a calendar link"). Errors
/// reach the UI as `{code, message}`: `invalid_url`, `feed_not_calendar`, `feed_needs_login`,
/// `feed_gone`, `network`, or the engine's other codes.
#[tauri::command]
pub async fn connect_ics(
    state: State<'_, AppState>,
    url: String,
    name: Option<String>,
) -> Result<Account> {
    let (account, _) = state
        .engine
        .connect_ics(&url, name.as_deref(), Utc::now())
        .await
        .map_err(fail)?;
    state.replan.notify_one();
    Ok(account)
}

/// Adds a CalDAV account (the settings form "Add CalDAV account"): discovery from `url`, then
/// the first sync. Errors reach the UI as `{code, message}`: `wrong_password`,
/// `invalid_address`, `not_caldav`, `no_calendars`, `other_site`, `network`, or the engine's
/// other codes. The password goes straight to the engine (and the keychain), never to a log.
#[tauri::command]
pub async fn connect_caldav(
    state: State<'_, AppState>,
    url: String,
    username: String,
    password: String,
) -> Result<Account> {
    let sign_in = CalDavSignIn {
        url,
        username,
        password: Sensitive::new(password),
    };
    let (account, _) = state
        .engine
        .connect_caldav(sign_in, Utc::now())
        .await
        .map_err(fail)?;
    state.replan.notify_one();
    Ok(account)
}

/// Adds an iCloud account (Apple ID and app-specific password); errors as `connect_caldav`.
#[tauri::command]
pub async fn connect_icloud(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<Account> {
    let (account, _) = state
        .engine
        .connect_icloud(&username, Sensitive::new(password), Utc::now())
        .await
        .map_err(fail)?;
    state.replan.notify_one();
    Ok(account)
}

/// A CalDAV or iCloud account's password again ("Reconnect"), then a sync; errors as
/// `connect_caldav`.
#[tauri::command]
pub async fn reconnect_caldav(
    state: State<'_, AppState>,
    account_id: i64,
    password: String,
) -> Result<Account> {
    let (account, _) = state
        .engine
        .reconnect_caldav(account_id, Sensitive::new(password), Utc::now())
        .await
        .map_err(fail)?;
    state.replan.notify_one();
    Ok(account)
}

#[tauri::command]
pub async fn add_demo(state: State<'_, AppState>) -> Result<Account> {
    let account = state.engine.connect_demo(Utc::now()).await.map_err(fail)?;
    state.replan.notify_one();
    Ok(account)
}

#[tauri::command]
pub fn settings(app: AppHandle, state: State<'_, AppState>) -> Result<SettingsView> {
    let mut shown = state
        .engine
        .settings()
        .map(|s| view(s, ClientsFromEnv::read()))
        .map_err(fail)?;
    if let Ok(problem) = app.state::<StartProblem>().0.lock() {
        shown.join_shortcut_problem.clone_from(&problem);
    }
    Ok(shown)
}

/// Validates and saves the settings; they take effect at once (sync interval, reminders,
/// start at login).
#[tauri::command]
pub fn save_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: SettingsInput,
) -> Result<SettingsView> {
    let mut saved = state.engine.settings().map_err(fail)?;
    let env = ClientsFromEnv::read();
    let login_changed = saved.general.start_at_login != settings.general.start_at_login;
    let old_shortcut = saved.general.join_shortcut.clone();
    apply(&mut saved, settings, &env).map_err(|e| fail(e.into()))?;
    // A shortcut that does not parse or cannot be registered is refused before anything is
    // saved; the one registered before stays.
    let new_shortcut = saved.general.join_shortcut.as_deref();
    shortcut::replace(&app, old_shortcut.as_deref(), new_shortcut).map_err(shortcut_error)?;
    if let Err(e) = saved.save(&state.engine.config().data_dir.config()) {
        let _ = shortcut::replace(&app, new_shortcut, old_shortcut.as_deref());
        return Err(fail(e.into()));
    }
    if login_changed {
        let autostart = app.autolaunch();
        let applied = if saved.general.start_at_login {
            autostart.enable()
        } else {
            autostart.disable()
        };
        applied.map_err(|e| error("autostart", format!("cannot change start at login: {e}")))?;
    }
    state.sync.reschedule();
    state.replan.notify_one();
    // Open windows re-read what they show (the dashboard's time format, for one).
    let _ = app.emit("data-changed", ());
    Ok(view(saved, env))
}

fn shortcut_error(e: ShortcutError) -> ErrorPayload {
    let code = match e {
        ShortcutError::Invalid(_) => "invalid_shortcut",
        ShortcutError::Unavailable(_) => "shortcut_unavailable",
    };
    error(code, e.to_string())
}

/// Opens an http(s) link in the system browser; anything else is refused.
#[tauri::command]
pub fn open_link(app: AppHandle, url: String) -> Result<()> {
    open_web_link(&app, &url)
}

pub fn open_web_link(app: &AppHandle, url: &str) -> Result<()> {
    let parsed = web_link(url)?;
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| error("open_link", format!("cannot open the browser: {e}")))
}

/// The link if it is an http(s) one: a description's `file:`, `javascript:` or `data:` link
/// (or a meeting app's own scheme) is refused, since the browser would run or open it.
fn web_link(url: &str) -> Result<url::Url> {
    let parsed =
        url::Url::parse(url).map_err(|_| error("bad_link", "That is not a valid link."))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(error("bad_link", "Only web links can be opened."));
    }
    Ok(parsed)
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowName {
    Dashboard,
    Settings,
}

#[tauri::command]
pub fn open_window(app: AppHandle, which: WindowName) {
    let window = match which {
        WindowName::Dashboard => Window::Dashboard,
        WindowName::Settings => Window::Settings,
    };
    windows::show(&app, window);
}

/// The managed state, for code outside commands.
pub fn state(app: &AppHandle) -> State<'_, AppState> {
    app.state::<AppState>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_links_are_opened() {
        for ok in [
            "https://meet.google.com/abc-defg-hij",
            "http://example.com/agenda",
            "HTTPS://Example.com/x?y=1#z",
        ] {
            assert!(web_link(ok).is_ok(), "{ok}");
        }
        for refused in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "zoommtg://zoom.us/join?confno=1",
            "/relative/path",
            "",
            " javascript:alert(1)",
        ] {
            let e = web_link(refused).unwrap_err();
            assert_eq!(e.code, "bad_link", "{refused}");
        }
    }

    /// Every command the build script generates a permission for is granted to the windows,
    /// and nothing else is: a command left out of the capability fails in the webview.
    #[test]
    fn the_capability_grants_every_command() {
        let build = include_str!("../build.rs");
        let capability = include_str!("../capabilities/default.json");
        let commands: Vec<&str> = build
            .lines()
            .filter_map(|l| l.trim().strip_prefix('"')?.strip_suffix("\","))
            .collect();
        assert!(commands.contains(&"set_calendar_reminders"), "{commands:?}");
        for command in &commands {
            let grant = format!("\"allow-{}\"", command.replace('_', "-"));
            assert!(capability.contains(&grant), "{grant} is not granted");
        }
        assert_eq!(
            capability.matches("\"allow-").count(),
            commands.len(),
            "a grant for a command that does not exist"
        );
    }
}
