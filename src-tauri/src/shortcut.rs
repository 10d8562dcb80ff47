//! The global "Join next meeting" shortcut: off by default, set in Settings → General
//! (`general.join_shortcut`, e.g. `CmdOrCtrl+Alt+J`), registered at start and whenever the
//! settings are saved (tauri-plugin-global-shortcut: an X11 key grab on Linux, a system hotkey
//! on macOS and Windows). Pressing it opens the meeting the tray's first Join item opens, or
//! the dashboard when there is none. A shortcut that does not parse, or that another app holds,
//! is refused with a clear message and the previous one stays; a saved one another app held at
//! start is kept (and reported) without refusing every other setting saved meanwhile.

use std::str::FromStr;
use std::sync::Mutex;

use calbuddy_engine::agenda;
use calbuddy_engine::store::EventView;
use chrono::{DateTime, Local, Utc};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_global_shortcut::{
    Builder, GlobalShortcut, GlobalShortcutExt, Shortcut, ShortcutState,
};

use crate::commands::{open_web_link, state};
use crate::windows::{self, Window};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShortcutError {
    #[error("\"{0}\" is not a shortcut; write it like CmdOrCtrl+Alt+J")]
    Invalid(String),
    #[error("{0} cannot be used: another app may have it. Choose another shortcut.")]
    Unavailable(String),
}

/// Why the saved shortcut could not be registered at start, for the settings window.
#[derive(Default)]
pub struct StartProblem(pub Mutex<Option<String>>);

/// Reads a shortcut as the plugin does (`CmdOrCtrl+Alt+J`, `Ctrl+Shift+Space`).
pub fn parse(text: &str) -> Result<Shortcut, ShortcutError> {
    let text = text.trim();
    Shortcut::from_str(text).map_err(|_| ShortcutError::Invalid(text.to_owned()))
}

/// The plugin, with the handler that joins on a press (not on the release).
pub fn plugin() -> TauriPlugin<Wry> {
    Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state() == ShortcutState::Pressed {
                join_next(app);
            }
        })
        .build()
}

/// Registers the saved shortcut at start; a failure is logged and kept for the settings window.
pub fn start(app: &AppHandle) {
    app.manage(StartProblem::default());
    let wanted = state(app)
        .engine
        .settings()
        .ok()
        .and_then(|s| s.general.join_shortcut);
    if let Err(e) = replace(app, None, wanted.as_deref()) {
        tracing::warn!("join shortcut: {e}");
        if let Ok(mut problem) = app.state::<StartProblem>().0.lock() {
            *problem = Some(e.to_string());
        }
    }
}

/// Puts `wanted` in place of `current` (either may be none: off). When `wanted` is refused,
/// `current` stays registered.
pub fn replace(
    app: &AppHandle,
    current: Option<&str>,
    wanted: Option<&str>,
) -> Result<(), ShortcutError> {
    let wanted = wanted.map(parse).transpose()?;
    let current = current.and_then(|c| parse(c).ok());
    if swap(app.global_shortcut(), current, wanted)? == Swapped::InPlace {
        if let Ok(mut problem) = app.state::<StartProblem>().0.lock() {
            *problem = None;
        }
    }
    Ok(())
}

/// What [`swap`] needs of the plugin, so its rules are tested without a display.
trait Registrar {
    fn is_registered(&self, shortcut: Shortcut) -> bool;
    /// Whether the system gave us the shortcut.
    fn register(&self, shortcut: Shortcut) -> bool;
    fn unregister(&self, shortcut: Shortcut);
}

impl Registrar for GlobalShortcut<Wry> {
    fn is_registered(&self, shortcut: Shortcut) -> bool {
        GlobalShortcut::is_registered(self, shortcut)
    }
    fn register(&self, shortcut: Shortcut) -> bool {
        GlobalShortcut::register(self, shortcut).is_ok()
    }
    fn unregister(&self, shortcut: Shortcut) {
        let _ = GlobalShortcut::unregister(self, shortcut);
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Swapped {
    /// `wanted` is registered (or off, as wanted).
    InPlace,
    /// `wanted` is the shortcut already saved, still held by another app since the start: kept
    /// as it is, so saving another setting is not refused for it (the start problem stays).
    StillHeld,
}

fn swap(
    shortcuts: &impl Registrar,
    current: Option<Shortcut>,
    wanted: Option<Shortcut>,
) -> Result<Swapped, ShortcutError> {
    let unchanged = wanted.is_some() && wanted == current;
    if let Some(same) = wanted.filter(|_| unchanged) {
        if shortcuts.is_registered(same) {
            return Ok(Swapped::InPlace);
        }
    }
    if let Some(current) = current {
        shortcuts.unregister(current);
    }
    if let Some(wanted) = wanted {
        if !shortcuts.register(wanted) {
            if unchanged {
                return Ok(Swapped::StillHeld);
            }
            if let Some(current) = current {
                shortcuts.register(current);
            }
            return Err(ShortcutError::Unavailable(wanted.into_string()));
        }
    }
    Ok(Swapped::InPlace)
}

/// The link the tray's first Join item opens at `now`: the meeting under way or starting within
/// 15 minutes, soonest first.
fn meeting_to_join(events: &[EventView], now: DateTime<Utc>) -> Option<String> {
    agenda::joins(events, now, &Local)
        .into_iter()
        .next()
        .map(|join| join.meeting_url)
}

fn join_next(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let now = Utc::now();
        // The events the tray reads.
        let events = match state(&app).engine.upcoming(now, 2, 50, false).await {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!("join shortcut: cannot read upcoming events: {e}");
                Vec::new()
            }
        };
        let opened =
            meeting_to_join(&events, now).is_some_and(|url| open_web_link(&app, &url).is_ok());
        if !opened {
            windows::show(&app, Window::Dashboard);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_events::meeting;

    /// A system where the shortcuts in `held` belong to another app.
    #[derive(Default)]
    struct FakeSystem {
        held: Vec<Shortcut>,
        ours: std::cell::RefCell<Vec<Shortcut>>,
    }

    impl Registrar for FakeSystem {
        fn is_registered(&self, shortcut: Shortcut) -> bool {
            self.ours.borrow().contains(&shortcut)
        }
        fn register(&self, shortcut: Shortcut) -> bool {
            if self.held.contains(&shortcut) || self.is_registered(shortcut) {
                return false;
            }
            self.ours.borrow_mut().push(shortcut);
            true
        }
        fn unregister(&self, shortcut: Shortcut) {
            self.ours.borrow_mut().retain(|s| *s != shortcut);
        }
    }

    fn key(text: &str) -> Shortcut {
        parse(text).unwrap()
    }

    #[test]
    fn a_new_shortcut_replaces_the_old_and_off_removes_it() {
        let system = FakeSystem::default();
        assert_eq!(
            swap(&system, None, Some(key("Ctrl+Alt+J"))),
            Ok(Swapped::InPlace)
        );
        assert_eq!(
            swap(&system, Some(key("Ctrl+Alt+J")), Some(key("Ctrl+Alt+K"))),
            Ok(Swapped::InPlace)
        );
        assert_eq!(*system.ours.borrow(), vec![key("Ctrl+Alt+K")]);
        assert_eq!(
            swap(&system, Some(key("Ctrl+Alt+K")), None),
            Ok(Swapped::InPlace)
        );
        assert!(system.ours.borrow().is_empty());
    }

    #[test]
    fn a_shortcut_another_app_holds_is_refused_and_the_old_one_stays() {
        let system = FakeSystem {
            held: vec![key("Ctrl+Alt+K")],
            ..Default::default()
        };
        swap(&system, None, Some(key("Ctrl+Alt+J"))).unwrap();
        assert_eq!(
            swap(&system, Some(key("Ctrl+Alt+J")), Some(key("Ctrl+Alt+K"))),
            Err(ShortcutError::Unavailable(key("Ctrl+Alt+K").into_string()))
        );
        assert_eq!(*system.ours.borrow(), vec![key("Ctrl+Alt+J")]);
    }

    #[test]
    fn a_saved_shortcut_held_since_the_start_does_not_block_saving_other_settings() {
        // At start another app had it; saving the sync interval keeps the same shortcut.
        let system = FakeSystem {
            held: vec![key("Ctrl+Alt+J")],
            ..Default::default()
        };
        assert_eq!(
            swap(&system, Some(key("Ctrl+Alt+J")), Some(key("Ctrl+Alt+J"))),
            Ok(Swapped::StillHeld)
        );
        // Once the other app lets go, the next save takes it.
        let system = FakeSystem::default();
        assert_eq!(
            swap(&system, Some(key("Ctrl+Alt+J")), Some(key("Ctrl+Alt+J"))),
            Ok(Swapped::InPlace)
        );
        assert_eq!(*system.ours.borrow(), vec![key("Ctrl+Alt+J")]);
    }

    #[test]
    fn shortcuts_parse_as_the_plugin_reads_them() {
        assert!(parse("CmdOrCtrl+Alt+J").is_ok());
        assert!(parse(" Ctrl+Shift+Space ").is_ok());
        assert_eq!(parse("CmdOrCtrl+Alt+J"), parse("cmdorctrl+alt+j"));
        assert_eq!(
            parse("Ctrl+Banana"),
            Err(ShortcutError::Invalid("Ctrl+Banana".into()))
        );
        assert!(parse("").is_err());
        assert_eq!(
            ShortcutError::Invalid("Ctrl+Banana".into()).to_string(),
            "\"Ctrl+Banana\" is not a shortcut; write it like CmdOrCtrl+Alt+J"
        );
    }

    #[test]
    fn the_shortcut_joins_the_meeting_the_tray_joins_first() {
        let now: DateTime<Utc> = "2026-11-25T14:10:00Z".parse().unwrap();
        let events = vec![
            meeting(
                "no link",
                "2026-11-25T14:00:00Z",
                "2026-11-25T15:00:00Z",
                None,
            ),
            meeting(
                "under way",
                "2026-11-25T14:00:00Z",
                "2026-11-25T14:30:00Z",
                Some("https://meet.google.com/aaa-bbbb-ccc"),
            ),
            meeting(
                "in 5 min",
                "2026-11-25T14:15:00Z",
                "2026-11-25T15:00:00Z",
                Some("https://zoom.us/j/1"),
            ),
        ];
        let tray = agenda::joins(&events, now, &Local);
        assert_eq!(
            meeting_to_join(&events, now).as_deref(),
            Some(tray[0].meeting_url.as_str())
        );
        assert_eq!(
            meeting_to_join(&events, now).as_deref(),
            Some("https://meet.google.com/aaa-bbbb-ccc")
        );
        let later: DateTime<Utc> = "2026-11-25T16:00:00Z".parse().unwrap();
        assert_eq!(meeting_to_join(&events, later), None, "nothing to join");
    }
}
