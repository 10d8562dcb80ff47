//! Linux: reminders sent with the Desktop Notifications Specification's `Notify` call on the
//! session bus, so each carries the app's name, its icon and desktop entry, and an urgency
//! (critical at the start). The signals `ActionInvoked` and `NotificationClosed` arrive on the
//! connection that sent the notifications (dunst sends them only there); a click on the
//! notification itself is the action `default`.

use std::collections::{BTreeMap, HashMap};

use calbuddy_engine::reminders::{Reminder, Snooze};
use chrono::Utc;
use futures_util::StreamExt;
use tauri::{AppHandle, Manager};
use tokio::sync::{Mutex, OnceCell};
use zbus::message::Type;
use zbus::zvariant::Value;
use zbus::{Connection, MatchRule, Message, MessageStream};

use super::{buttons, perform, Action};

/// The sender's name on every notification (not the binary's name).
const APP_NAME: &str = "Calendar Buddy";

const BUS: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
const INTERFACE: &str = "org.freedesktop.Notifications";

/// The icon name and desktop entry the Debian package installs (both named after the binary);
/// servers show the icon and group the notifications under the app.
const DESKTOP_ENTRY: &str = "calbuddy-desktop";

/// At most this many shown reminders are remembered for their buttons, for servers that never
/// report a notification closed.
const REMEMBERED: usize = 64;

/// The session bus connection (opened with the first reminder, `None` when there is no bus)
/// and the reminders the server still shows, by server id.
#[derive(Default)]
struct Notifier {
    connection: OnceCell<Option<Connection>>,
    shown: Mutex<BTreeMap<u32, Reminder>>,
}

pub fn init(app: &AppHandle) {
    app.manage(Notifier::default());
}

pub fn show(app: &AppHandle, reminder: &Reminder) {
    let app = app.clone();
    let reminder = reminder.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(e) = send(&app, reminder).await {
            tracing::warn!("cannot show a notification: {e}");
        }
    });
}

/// The freedesktop urgency of a reminder: critical (2) when the event starts, normal (1) for the
/// ones ahead of it, so the at-start one stays on screen and breaks through do-not-disturb.
fn urgency(reminder: &Reminder) -> u8 {
    if reminder.key.lead_minutes == 0 {
        2
    } else {
        1
    }
}

/// The arguments of one `Notify` call.
#[derive(Debug, PartialEq)]
struct NotifyCall {
    summary: String,
    body: String,
    /// Pairs of action id and title, flattened as the specification wants.
    actions: Vec<String>,
    urgency: u8,
}

impl NotifyCall {
    fn of(reminder: &Reminder) -> NotifyCall {
        // A click on the notification is reported only when it offers the `default` action.
        let mut actions = vec!["default".to_owned(), String::new()];
        for (id, title) in buttons(reminder) {
            actions.extend([id.to_owned(), title.to_owned()]);
        }
        NotifyCall {
            summary: reminder.title.clone(),
            body: plain_body(&reminder.body),
            actions,
            urgency: urgency(reminder),
        }
    }

    fn hints(&self) -> HashMap<&'static str, Value<'static>> {
        HashMap::from([
            ("urgency", Value::U8(self.urgency)),
            ("desktop-entry", Value::from(DESKTOP_ENTRY)),
        ])
    }
}

async fn send(app: &AppHandle, reminder: Reminder) -> zbus::Result<()> {
    let notifier = app.state::<Notifier>();
    let connection = notifier
        .connection
        .get_or_init(|| listen(app.clone()))
        .await
        .as_ref()
        .ok_or_else(|| zbus::Error::Failure("no session bus".into()))?;
    let call = NotifyCall::of(&reminder);
    // Held while the notification is sent, so a signal that arrives before its id is recorded
    // waits for it instead of being missed.
    let mut shown = notifier.shown.lock().await;
    let reply = connection
        .call_method(
            Some(BUS),
            PATH,
            Some(INTERFACE),
            "Notify",
            &(
                APP_NAME,
                0u32,
                DESKTOP_ENTRY,
                &call.summary,
                &call.body,
                &call.actions,
                call.hints(),
                -1i32,
            ),
        )
        .await?;
    let id: u32 = reply.body().deserialize()?;
    shown.insert(id, reminder);
    while shown.len() > REMEMBERED {
        shown.pop_first();
    }
    Ok(())
}

/// Connects to the session bus and hands the notification server's signals to [`on_signal`] on
/// a task of its own. The subscription is in place when this returns.
async fn listen(app: AppHandle) -> Option<Connection> {
    let subscribed = async {
        let connection = Connection::session().await?;
        let rule = MatchRule::builder()
            .msg_type(Type::Signal)
            .path(PATH)?
            .interface(INTERFACE)?
            .build();
        let signals = MessageStream::for_match_rule(rule, &connection, None).await?;
        zbus::Result::Ok((connection, signals))
    };
    let (connection, mut signals) = match subscribed.await {
        Ok(subscribed) => subscribed,
        Err(e) => {
            tracing::warn!("cannot reach the notification server: {e}");
            return None;
        }
    };
    tauri::async_runtime::spawn(async move {
        while let Some(signal) = signals.next().await {
            if let Ok(signal) = signal {
                on_signal(&app, &signal).await;
            }
        }
    });
    Some(connection)
}

async fn on_signal(app: &AppHandle, signal: &Message) {
    let header = signal.header();
    let body = signal.body();
    let notifier = app.state::<Notifier>();
    match header.member().map(|m| m.as_str()) {
        Some("ActionInvoked") => {
            let Ok((id, key)) = body.deserialize::<(u32, String)>() else {
                return;
            };
            let Some(reminder) = notifier.shown.lock().await.get(&id).cloned() else {
                return;
            };
            if let Some(action) = Action::parse(&key) {
                let snooze = Snooze::new(reminder.key.clone(), reminder.start, Utc::now());
                perform(app, action, reminder.meeting_url.as_deref(), Some(snooze));
            }
        }
        Some("NotificationClosed") => {
            if let Ok((id, _reason)) = body.deserialize::<(u32, u32)>() {
                notifier.shown.lock().await.remove(&id);
            }
        }
        _ => {}
    }
}

/// Event text comes from strangers: the summary is plain text by the specification, but servers
/// may read the body as markup, so it is escaped there.
fn plain_body(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::tests::reminder;

    #[test]
    fn the_at_start_reminder_is_critical_and_the_others_normal() {
        assert_eq!(urgency(&reminder(0, None)), 2);
        assert_eq!(urgency(&reminder(10, None)), 1);
        assert_eq!(urgency(&reminder(1, None)), 1);
    }

    #[test]
    fn markup_in_the_body_is_escaped() {
        assert_eq!(
            plain_body("Room <b>4</b> & co"),
            "Room &lt;b&gt;4&lt;/b&gt; &amp; co"
        );
    }

    #[test]
    fn a_call_offers_a_click_and_the_buttons_with_the_urgency_as_a_byte() {
        let at_start = NotifyCall::of(&reminder(0, Some("https://meet.google.com/abc")));
        assert_eq!(
            at_start.actions,
            ["default", "", "join", "Join", "snooze", "Snooze"]
        );
        let hints = at_start.hints();
        assert_eq!(hints["urgency"], Value::U8(2));
        assert_eq!(hints["desktop-entry"], Value::from("calbuddy-desktop"));
        let ahead = NotifyCall::of(&reminder(10, None));
        assert_eq!(ahead.actions, ["default", "", "snooze", "Snooze"]);
        assert_eq!(ahead.hints()["urgency"], Value::U8(1));
        assert_eq!(ahead.summary, "Review");
    }
}
