//! macOS and Windows: reminders through tauri-plugin-notification (the notification centre),
//! which shows them under the bundle's identity, so the app's name and icon come from the
//! installed bundle; neither platform has an urgency to set. (Not built or tested on Linux.)
//! The plugin reports a click (`tap`) and the buttons through one handler; a notification
//! carries what its buttons need in its extra data.

use std::collections::HashMap;

use calbuddy_engine::reminders::{Reminder, ReminderKey, Snooze};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tauri::AppHandle;
use tauri_plugin_notification::{Action as Button, ActionType, NotificationExt};

use super::{buttons, perform, Action};

/// Keys of a notification's extra data.
const MEETING_URL: &str = "meeting_url";
const OCCURRENCE: &str = "occurrence";
const LEAD_MINUTES: &str = "lead_minutes";
const START: &str = "start";

/// The action types that group the buttons.
const WITH_LINK: &str = "reminder-with-link";
const WITHOUT_LINK: &str = "reminder";

pub fn init(app: &AppHandle) {
    let button = |(id, title): (&str, &str)| Button::builder(id, title).build();
    let registered = app.notification().register_action_types(vec![
        ActionType::builder(WITH_LINK)
            .actions(vec![button(super::JOIN), button(super::SNOOZE)])
            .build(),
        ActionType::builder(WITHOUT_LINK)
            .actions(vec![button(super::SNOOZE)])
            .build(),
    ]);
    if let Err(e) = registered {
        tracing::warn!("cannot add buttons to reminders: {e}");
    }
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        let empty = HashMap::new();
        let extra = performed.notification().map_or(&empty, |n| n.extra());
        if let Some(action) = Action::parse(performed.action_id()) {
            let url = extra.get(MEETING_URL).and_then(Value::as_str);
            perform(&handle, action, url, snooze_of(extra, Utc::now()));
        }
    });
}

pub fn show(app: &AppHandle, reminder: &Reminder) {
    let with_link = buttons(reminder).contains(&super::JOIN);
    let mut builder = app
        .notification()
        .builder()
        .title(&reminder.title)
        .body(&reminder.body)
        .action_type_id(if with_link { WITH_LINK } else { WITHOUT_LINK });
    for (key, value) in extra_of(reminder) {
        builder = builder.extra(key, value);
    }
    if let Err(e) = builder.show() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::tests::reminder;

    #[test]
    fn snooze_reads_back_what_the_notification_carries() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let reminder = reminder(10, Some("https://meet.google.com/abc-defg-hij"));
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
