//! Native notifications for reminders (tauri-plugin-notification: org.freedesktop.Notifications
//! on Linux, the notification centre on macOS and Windows), with Join and Snooze buttons where
//! the notification server shows actions. The plugin reports a click (`tap`) and the buttons
//! through one handler; a notification carries what its buttons need in its extra data.

use std::collections::HashMap;

use calbuddy_engine::reminders::{Reminder, ReminderKey, Snooze};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::{Action, ActionType, NotificationExt};

use crate::commands::{open_web_link, state};
use crate::reminders::Snoozes;
use crate::windows::{self, Window};

/// Keys of a notification's extra data.
const MEETING_URL: &str = "meeting_url";
const OCCURRENCE: &str = "occurrence";
const LEAD_MINUTES: &str = "lead_minutes";
const START: &str = "start";

/// Action ids, and the action types that group them (a reminder without a link has no Join).
const JOIN: &str = "join";
const SNOOZE: &str = "snooze";
const WITH_LINK: &str = "reminder-with-link";
const WITHOUT_LINK: &str = "reminder";

/// Registers the buttons and the handler: a click or Join opens the meeting link (a click
/// without one opens the dashboard); Snooze brings the reminder back later.
pub fn init(app: &AppHandle) {
    app.manage(Snoozes::default());
    let join = || Action::builder(JOIN, "Join").build();
    let snooze = || Action::builder(SNOOZE, "Snooze").build();
    let registered = app.notification().register_action_types(vec![
        ActionType::builder(WITH_LINK)
            .actions(vec![join(), snooze()])
            .build(),
        ActionType::builder(WITHOUT_LINK)
            .actions(vec![snooze()])
            .build(),
    ]);
    if let Err(e) = registered {
        tracing::warn!("cannot add buttons to reminders: {e}");
    }
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        let empty = HashMap::new();
        let extra = performed.notification().map_or(&empty, |n| n.extra());
        match performed.action_id() {
            SNOOZE => match snooze_of(extra, Utc::now()) {
                Some(snooze) => {
                    handle.state::<Snoozes>().add(snooze);
                    state(&handle).replan.notify_one();
                }
                None => tracing::warn!("a snoozed reminder carried no occurrence"),
            },
            action @ ("tap" | JOIN) => {
                let url = extra.get(MEETING_URL).and_then(Value::as_str);
                let opened = url.is_some_and(|url| open_web_link(&handle, url).is_ok());
                if !opened && action == "tap" {
                    windows::show(&handle, Window::Dashboard);
                }
            }
            _ => {}
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
        .body(plain_body(&reminder.body))
        .action_type_id(if reminder.meeting_url.is_some() {
            WITH_LINK
        } else {
            WITHOUT_LINK
        });
    for (key, value) in extra_of(reminder) {
        builder = builder.extra(key, value);
    }
    let shown = builder.show();
    if let Err(e) = shown {
        tracing::warn!("cannot show a notification: {e}");
    }
}

/// What a reminder's buttons need back: its link, and its key and start for Snooze.
fn extra_of(reminder: &Reminder) -> Vec<(&'static str, Value)> {
    let mut extra = vec![
        (OCCURRENCE, Value::from(reminder.key.occurrence.clone())),
        (LEAD_MINUTES, Value::from(reminder.key.lead_minutes)),
        (START, Value::from(reminder.start.to_rfc3339())),
    ];
    if let Some(url) = &reminder.meeting_url {
        extra.push((MEETING_URL, Value::from(url.clone())));
    }
    extra
}

/// The snooze of the reminder whose extra data is `extra`, snoozed at `now`.
fn snooze_of(extra: &HashMap<String, Value>, now: DateTime<Utc>) -> Option<Snooze> {
    let occurrence = extra.get(OCCURRENCE)?.as_str()?.to_owned();
    let lead_minutes = u32::try_from(extra.get(LEAD_MINUTES)?.as_u64()?).ok()?;
    let start = DateTime::parse_from_rfc3339(extra.get(START)?.as_str()?).ok()?;
    Some(Snooze::new(
        ReminderKey {
            occurrence,
            lead_minutes,
        },
        start.with_timezone(&Utc),
        now,
    ))
}

/// freedesktop notification servers may read the body as markup (the body-markup capability);
/// macOS and Windows show it as plain text, so only Linux escapes it.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn markup_in_the_body_is_escaped() {
        assert_eq!(
            super::plain_body("Room <b>4</b> & co"),
            "Room &lt;b&gt;4&lt;/b&gt; &amp; co"
        );
    }

    #[test]
    fn snooze_reads_back_what_the_notification_carries() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let reminder = Reminder {
            key: ReminderKey {
                occurrence: "google:abc:2026-11-25T14:00:00Z".into(),
                lead_minutes: 10,
            },
            event_id: "1".into(),
            title: "Review".into(),
            body: "Starts in 10 min".into(),
            meeting_url: Some("https://meet.google.com/abc-defg-hij".into()),
            start: at("2026-11-25T14:00:00Z"),
        };
        // As the plugin hands it back: through JSON.
        let extra: HashMap<String, Value> = extra_of(&reminder)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let extra: HashMap<String, Value> =
            serde_json::from_str(&serde_json::to_string(&extra).unwrap()).unwrap();
        assert_eq!(
            extra[MEETING_URL].as_str(),
            Some("https://meet.google.com/abc-defg-hij")
        );
        let snooze = snooze_of(&extra, at("2026-11-25T13:50:00Z")).unwrap();
        assert_eq!(snooze.key, reminder.key);
        assert_eq!(snooze.until, at("2026-11-25T13:55:00Z"));
        let mut broken = extra.clone();
        broken.insert(LEAD_MINUTES.into(), Value::from(-1));
        assert_eq!(snooze_of(&broken, Utc::now()), None);
        assert_eq!(snooze_of(&HashMap::new(), Utc::now()), None);
    }
}
