//! Native notifications for reminders (tauri-plugin-notification: org.freedesktop.Notifications
//! on Linux, the notification centre on macOS and Windows).

use calbuddy_engine::reminders::Reminder;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

use crate::commands::open_web_link;
use crate::windows::{self, Window};

/// Key of the meeting link in a notification's extra data.
const MEETING_URL: &str = "meeting_url";

/// A click on a reminder opens its meeting link, or the dashboard when it has none (where the
/// notification server reports clicks).
pub fn init(app: &AppHandle) {
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        let url = performed
            .notification()
            .and_then(|n| n.extra().get(MEETING_URL))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let opened = url.is_some_and(|url| open_web_link(&handle, &url).is_ok());
        if !opened {
            windows::show(&handle, Window::Dashboard);
        }
    });
}

/// Shows one reminder. Event text comes from strangers: the summary is plain text by the
/// freedesktop spec, but servers may read the body as markup, so it is escaped there.
pub fn show(app: &AppHandle, reminder: &Reminder) {
    let mut builder = app
        .notification()
        .builder()
        .title(&reminder.title)
        .body(plain_body(&reminder.body));
    if let Some(url) = &reminder.meeting_url {
        builder = builder.extra(MEETING_URL, url);
    }
    let shown = builder.show();
    if let Err(e) = shown {
        tracing::warn!("cannot show a notification: {e}");
    }
}

#[cfg(target_os = "linux")]
fn plain_body(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(not(target_os = "linux"))]
fn plain_body(text: &str) -> String {
    text.to_owned()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn markup_in_the_body_is_escaped() {
        assert_eq!(
            super::plain_body("Room <b>4</b> & co"),
            "Room &lt;b&gt;4&lt;/b&gt; &amp; co"
        );
    }
}
