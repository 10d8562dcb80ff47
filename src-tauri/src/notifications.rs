//! Native notifications for reminders, with Join and Snooze buttons where the notification
//! server shows actions, under the app's own name and icon, critical at the start of an event.
//! Linux sends the freedesktop `Notify` call itself (`freedesktop.rs`), since the notification
//! plugin names the sender after the binary and sets no urgency; macOS and Windows use the
//! plugin (`plugin.rs`), where the bundle's identity (name and icon) is the sender and there is no
//! urgency to set. Both report what the user did to [`perform`].

/// freedesktop notification servers may read the body as markup (the body-markup capability);
/// macOS and Windows show it as plain text, so only Linux escapes it.
#[cfg(target_os = "linux")]
mod freedesktop;
#[cfg(not(target_os = "linux"))]
mod plugin;

#[cfg(target_os = "linux")]
use freedesktop as platform;
#[cfg(not(target_os = "linux"))]
use plugin as platform;

use calbuddy_engine::reminders::{Reminder, Snooze};
use tauri::AppHandle;

use crate::commands::{open_web_link, state};
use crate::windows::{self, Window};

/// Action ids and their button titles (a reminder without a link has no Join).
const JOIN: (&str, &str) = ("join", "Join");
const SNOOZE: (&str, &str) = ("snooze", "Snooze");

/// What the user did with a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Clicked the notification itself.
    Tap,
    Join,
    Snooze,
}

impl Action {
    /// The action an id reports: the plugin's `tap` and the freedesktop `default` are a click on
    /// the notification itself.
    fn parse(id: &str) -> Option<Action> {
        match id {
            "tap" | "default" => Some(Action::Tap),
            id if id == JOIN.0 => Some(Action::Join),
            id if id == SNOOZE.0 => Some(Action::Snooze),
            _ => None,
        }
    }
}

/// The buttons a reminder gets: Join when it has a meeting link, and Snooze.
fn buttons(reminder: &Reminder) -> Vec<(&'static str, &'static str)> {
    let mut buttons = Vec::new();
    if reminder.meeting_url.is_some() {
        buttons.push(JOIN);
    }
    buttons.push(SNOOZE);
    buttons
}

/// Registers the buttons and starts listening for what the user does with reminders.
pub fn init(app: &AppHandle) {
    platform::init(app);
}

/// Shows one reminder.
pub fn show(app: &AppHandle, reminder: &Reminder) {
    platform::show(app, reminder);
}

/// Does what the user asked: a click or Join opens the meeting link (a click without one opens
/// the dashboard); Snooze stores a snooze, which brings the reminder back later, even after a
/// restart.
fn perform(app: &AppHandle, action: Action, meeting_url: Option<&str>, snooze: Option<Snooze>) {
    match action {
        Action::Snooze => {
            let Some(snooze) = snooze else {
                tracing::warn!("a snoozed reminder carried no occurrence");
                return;
            };
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let state = state(&app);
                match state.engine.store().add_snooze(&snooze).await {
                    Ok(()) => state.replan.notify_one(),
                    Err(e) => tracing::warn!("cannot snooze the reminder: {e}"),
                }
            });
        }
        Action::Tap | Action::Join => {
            let opened = meeting_url.is_some_and(|url| open_web_link(app, url).is_ok());
            if !opened && action == Action::Tap {
                windows::show(app, Window::Dashboard);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use calbuddy_engine::reminders::ReminderKey;
    use chrono::{DateTime, Utc};

    use super::*;

    pub(crate) fn reminder(lead_minutes: u32, meeting_url: Option<&str>) -> Reminder {
        Reminder {
            key: ReminderKey {
                occurrence: "google:abc:2026-11-25T14:00:00Z".into(),
                lead_minutes,
            },
            event_id: "1".into(),
            title: "Review".into(),
            body: "Starts in 10 min".into(),
            meeting_url: meeting_url.map(str::to_owned),
            start: "2026-11-25T14:00:00Z".parse::<DateTime<Utc>>().unwrap(),
        }
    }

    #[test]
    fn join_only_with_a_link_and_actions_parse_from_both_paths() {
        assert_eq!(buttons(&reminder(10, None)), [SNOOZE]);
        assert_eq!(
            buttons(&reminder(10, Some("https://meet.google.com/abc"))),
            [JOIN, SNOOZE]
        );
        assert_eq!(Action::parse("default"), Some(Action::Tap));
        assert_eq!(Action::parse("tap"), Some(Action::Tap));
        assert_eq!(Action::parse("join"), Some(Action::Join));
        assert_eq!(Action::parse("snooze"), Some(Action::Snooze));
        assert_eq!(Action::parse("other"), None);
    }
}
