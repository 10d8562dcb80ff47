//! The tray icon: a title with the meeting under way and the next one ("Now: A, 20 min left ·
//! B in 3 min"), and a menu with a "Join: …" item per meeting that can be joined at the top,
//! then the next events (grouped Today / Tomorrow, a day's all-day events on one line),
//! "Sync now", the windows and "Quit". Its text comes from the engine's pure `agenda`
//! functions; this module only builds GTK/AppKit menus from it and handles clicks.
//!
//! The headline is the icon's title (on Linux the indicator's label, which panels also read
//! out as its accessible name) and its tooltip (macOS and Windows; Tauri's Linux backend,
//! libappindicator, has no StatusNotifierItem ToolTip).

use calbuddy_engine::agenda;
use calbuddy_engine::text::one_line;
use chrono::{DateTime, Duration, Local, Utc};
use tauri::image::Image;
use tauri::menu::{Menu, MenuBuilder, MenuEvent, MenuItemBuilder};
use tauri::tray::TrayIconBuilder;
use tauri::AppHandle;

use crate::commands::{open_web_link, state, sync_status_of};
use crate::state::TrayTargets;
use crate::windows::{self, Window};

const TRAY_ID: &str = "calendar-buddy";
/// A sync that keeps failing for this long is shown in the tray.
const FAILING_FOR: Duration = Duration::hours(1);

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let icon = Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    let menu = MenuBuilder::new(app)
        .text("open", "Open Calendar Buddy")
        .text("quit", "Quit")
        .build()?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon)
        .icon_as_template(true)
        .tooltip("Calendar Buddy")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event)
        .build(app)?;
    Ok(())
}

/// Rebuilds the title and menu from the store, as of `now`.
pub async fn refresh(app: &AppHandle, now: DateTime<Utc>) {
    let state = state(app);
    let events = match state.engine.upcoming(now, 2, 50, false).await {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!("cannot read upcoming events for the tray: {e}");
            return;
        }
    };
    let alert = match sync_status_of(&state).await {
        Ok(status) => alert(&status, now),
        Err(_) => None,
    };
    let general = match state.engine.settings() {
        Ok(settings) => settings.general,
        Err(e) => {
            tracing::warn!("cannot read the settings for the tray: {e}");
            Default::default()
        }
    };
    let options = agenda::MenuOptions {
        hours: general.time_format.hour_cycle(),
        all_day: general.tray_all_day,
    };
    let headline = agenda::headline(&events, now);
    let joins = agenda::joins(&events, now, &Local);
    let groups = agenda::menu(&events, now, &Local, options);

    let mut targets = TrayTargets {
        events: Vec::new(),
        joins: joins.iter().map(|j| j.meeting_url.clone()).collect(),
    };
    let menu = build_menu(app, &groups, alert.as_deref(), &joins, &mut targets);
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match menu {
        Ok(menu) => {
            let _ = tray.set_menu(Some(menu));
        }
        Err(e) => tracing::warn!("cannot build the tray menu: {e}"),
    }
    if let Ok(mut slot) = state.tray_targets.lock() {
        *slot = targets;
    }
    let title = alert.clone().or(headline.clone());
    let _ = tray.set_tooltip(Some(
        title
            .as_deref()
            .unwrap_or("Calendar Buddy — nothing coming up"),
    ));
    // No headline: the title still names the app, for whoever reads the panel aloud.
    let _ = tray.set_title(Some(headline.as_deref().unwrap_or("Calendar Buddy")));
}

/// What the tray must warn about: an account that needs signing in again, or syncing that has
/// failed for a while.
fn alert(status: &crate::commands::SyncStatus, now: DateTime<Utc>) -> Option<String> {
    if let Some(account) = status.accounts.iter().find(|a| a.needs_reauth) {
        return Some(format!(
            "{} needs you to sign in again",
            one_line(&account.name)
        ));
    }
    let failing = status.accounts.iter().find(|a| {
        a.last_error.is_some() && a.last_synced_at.is_none_or(|t| now - t > FAILING_FOR)
    })?;
    Some(format!("Sync of {} is failing", one_line(&failing.name)))
}

fn build_menu(
    app: &AppHandle,
    groups: &[agenda::MenuGroup],
    alert: Option<&str>,
    joins: &[agenda::Join],
    targets: &mut TrayTargets,
) -> tauri::Result<Menu<tauri::Wry>> {
    let mut menu = MenuBuilder::new(app);
    if let Some(alert) = alert {
        menu = menu.item(&MenuItemBuilder::with_id("alert", format!("⚠ {alert}…")).build(app)?);
        menu = menu.separator();
    }
    // The meetings to join first: that is what the tray is opened for.
    for (i, join) in joins.iter().enumerate() {
        menu = menu.item(&MenuItemBuilder::with_id(format!("join:{i}"), &join.label).build(app)?);
    }
    if !joins.is_empty() {
        menu = menu.separator();
    }
    if groups.is_empty() {
        menu = menu.item(
            &MenuItemBuilder::new("Nothing coming up")
                .enabled(false)
                .build(app)?,
        );
    }
    for group in groups {
        menu = menu.item(
            &MenuItemBuilder::new(&group.label)
                .enabled(false)
                .build(app)?,
        );
        for item in &group.items {
            let id = format!("event:{}", targets.events.len());
            targets.events.push(item.meeting_url.clone());
            menu = menu.item(&MenuItemBuilder::with_id(id, &item.label).build(app)?);
        }
    }
    menu = menu.separator();
    menu.text("sync-now", "Sync now")
        .text("open", "Open Calendar Buddy")
        .text("settings", "Settings…")
        .separator()
        .text("quit", "Quit")
        .build()
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    let id = event.id().as_ref();
    let state = state(app);
    let targets = state
        .tray_targets
        .lock()
        .map(|t| t.clone())
        .unwrap_or_default();
    let open = |url: Option<String>| match url {
        Some(url) => {
            if let Err(e) = open_web_link(app, &url) {
                tracing::warn!("{}", e.message);
            }
        }
        None => windows::show(app, Window::Dashboard),
    };
    match id {
        "sync-now" => state.sync.sync_now(),
        "open" => windows::show(app, Window::Dashboard),
        "settings" | "alert" => windows::show(app, Window::Settings),
        "quit" => app.exit(0),
        other => {
            let index = |prefix: &str| other.strip_prefix(prefix)?.parse::<usize>().ok();
            if let Some(url) = index("event:").and_then(|i| targets.events.get(i).cloned()) {
                open(url);
            } else if let Some(url) = index("join:").and_then(|i| targets.joins.get(i).cloned()) {
                open(Some(url));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::SyncStatus;
    use calbuddy_engine::store::Account;

    fn account(
        name: &str,
        needs_reauth: bool,
        error: Option<&str>,
        synced: Option<&str>,
    ) -> Account {
        Account {
            id: 1,
            provider: "google".into(),
            external_id: name.into(),
            name: name.into(),
            needs_reauth,
            last_synced_at: synced.map(|s| s.parse().unwrap()),
            last_error: error.map(str::to_owned),
            detail: None,
        }
    }

    fn status(accounts: Vec<Account>) -> SyncStatus {
        SyncStatus {
            syncing: false,
            last_synced_at: None,
            accounts,
            progress: None,
            last_error: None,
        }
    }

    #[test]
    fn the_tray_warns_of_reauth_at_once_and_of_failing_sync_after_an_hour() {
        let now: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        let reauth = status(vec![account(
            "a@x",
            true,
            Some("revoked"),
            Some("2026-11-25T11:59:00Z"),
        )]);
        assert_eq!(
            alert(&reauth, now).as_deref(),
            Some("a@x needs you to sign in again")
        );

        let recent = status(vec![account(
            "a@x",
            false,
            Some("offline"),
            Some("2026-11-25T11:30:00Z"),
        )]);
        assert_eq!(
            alert(&recent, now),
            None,
            "one failed sync is not worth a warning"
        );
        let long = status(vec![account(
            "a@x",
            false,
            Some("offline"),
            Some("2026-11-25T10:30:00Z"),
        )]);
        assert_eq!(alert(&long, now).as_deref(), Some("Sync of a@x is failing"));
        let never = status(vec![account("a@x", false, Some("offline"), None)]);
        assert!(alert(&never, now).is_some());

        let fine = status(vec![account(
            "a@x",
            false,
            None,
            Some("2026-11-25T11:59:00Z"),
        )]);
        assert_eq!(alert(&fine, now), None);
    }

    #[test]
    fn hostile_account_names_reach_the_tray_as_one_plain_line() {
        let now: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        let name = "A\u{1b}]0;pwned\u{7}B\nfake line\u{202E}";
        let reauth = status(vec![account(name, true, None, None)]);
        assert_eq!(
            alert(&reauth, now).as_deref(),
            Some("AB fake line needs you to sign in again")
        );
        let failing = status(vec![account(name, false, Some("offline"), None)]);
        assert_eq!(
            alert(&failing, now).as_deref(),
            Some("Sync of AB fake line is failing")
        );
    }

    /// A sync that cannot even start (no Google client configured) is an error on the account,
    /// so the tray warns of it like any failing sync.
    #[tokio::test]
    async fn the_tray_warns_when_a_sync_cannot_start() {
        use calbuddy_engine::{Engine, EngineConfig};

        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig::in_dir(dir.path()))
            .await
            .unwrap();
        let now = Utc::now();
        let (id, _) = engine
            .store()
            .upsert_account("google", "a@x", "a@x", now)
            .await
            .unwrap();
        assert!(engine.sync(Some(id), now).await.unwrap()[0].is_err());

        let accounts = engine.accounts().await.unwrap();
        assert_eq!(
            alert(&status(accounts), now).as_deref(),
            Some("Sync of a@x is failing")
        );
    }
}
