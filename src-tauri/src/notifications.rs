//! Native notifications for reminders (tauri-plugin-notification: org.freedesktop.Notifications
//! on Linux, the notification centre on macOS and Windows).

use calbuddy_engine::reminders::Reminder;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// Shows one reminder. Event text comes from strangers: the summary is plain text by the
/// freedesktop spec, but servers may read the body as markup, so it is escaped there.
pub fn show(app: &AppHandle, reminder: &Reminder) {
    let shown = app
        .notification()
        .builder()
        .title(&reminder.title)
        .body(plain_body(&reminder.body))
        .show();
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
