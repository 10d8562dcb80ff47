//! The minute loop's reminder step: plan from the upcoming events, record the due (and stale)
//! reminders as done, then show the due ones. Recording comes first: a reminder shown but not
//! recorded would be shown again every minute, while one not recorded is not shown and is
//! tried again next minute. Every failure is logged and never ends the loop.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use calbuddy_engine::reminders::{self, Reminder, ReminderKey, ReminderPlan, Snooze};
use calbuddy_engine::settings::NotificationSettings;
use calbuddy_engine::store::EventView;
use calbuddy_engine::{Engine, EngineError};
use chrono::{DateTime, Utc};

/// Days of upcoming events the reminders are planned from.
const DAYS: u32 = 2;
/// At most this many of them.
const EVENTS: u32 = 500;

/// What a reminder step reads and writes: the engine, or a stand-in in tests.
pub trait ReminderSource: Sync {
    fn notification_settings(&self) -> Result<NotificationSettings, EngineError>;
    fn upcoming(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<EventView>, EngineError>> + Send;
    fn fired(&self) -> impl Future<Output = Result<HashSet<ReminderKey>, EngineError>> + Send;
    fn record(
        &self,
        keys: &[ReminderKey],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
}

impl ReminderSource for Engine {
    fn notification_settings(&self) -> Result<NotificationSettings, EngineError> {
        Ok(self.settings()?.notifications)
    }

    async fn upcoming(&self, now: DateTime<Utc>) -> Result<Vec<EventView>, EngineError> {
        // Declined events too: whether to skip them is a reminder setting.
        Engine::upcoming(self, now, DAYS, EVENTS, true).await
    }

    async fn fired(&self) -> Result<HashSet<ReminderKey>, EngineError> {
        Ok(self.store().fired_reminders().await?)
    }

    async fn record(&self, keys: &[ReminderKey], now: DateTime<Utc>) -> Result<(), EngineError> {
        Ok(self.store().mark_reminders_fired(keys, now).await?)
    }
}

#[derive(Debug, thiserror::Error)]
enum StepError {
    #[error("cannot read the notification settings: {0}")]
    Settings(EngineError),
    #[error("cannot read the upcoming events: {0}")]
    Events(EngineError),
    #[error("cannot read which reminders were shown: {0}")]
    Fired(EngineError),
    #[error("cannot record reminders as shown, so they are not shown now: {0}")]
    Record(EngineError),
}

/// The reminders the user snoozed, waiting to come back (kept in memory: a snooze does not
/// outlive the app).
#[derive(Default)]
pub struct Snoozes(Mutex<Vec<Snooze>>);

impl Snoozes {
    pub fn add(&self, snooze: Snooze) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(snooze);
    }
}

/// Shows the reminders due at `now` through `notify` (once each) and returns when the next one
/// falls due. On a failure nothing is shown, the failure is logged and `None` is returned: the
/// loop looks again at the next minute.
pub async fn step(
    source: &impl ReminderSource,
    now: DateTime<Utc>,
    snoozes: &Snoozes,
    notify: impl Fn(&Reminder),
) -> Option<DateTime<Utc>> {
    match plan_and_record(source, now).await {
        Ok((plan, events)) => {
            let snoozed = {
                let mut waiting = snoozes.0.lock().unwrap_or_else(PoisonError::into_inner);
                let snoozed = reminders::plan_snoozed(&events, &waiting, now);
                // Taken out before they are shown: each snooze fires once.
                waiting.clone_from(&snoozed.waiting);
                snoozed
            };
            for reminder in plan.due.iter().chain(&snoozed.due) {
                notify(reminder);
            }
            match (plan.next_due, snoozed.next_due) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        Err(e) => {
            tracing::error!("reminders: {e}");
            None
        }
    }
}

async fn plan_and_record(
    source: &impl ReminderSource,
    now: DateTime<Utc>,
) -> Result<(ReminderPlan, Vec<EventView>), StepError> {
    let settings = source
        .notification_settings()
        .map_err(StepError::Settings)?;
    let events = source.upcoming(now).await.map_err(StepError::Events)?;
    let fired = source.fired().await.map_err(StepError::Fired)?;
    let plan = reminders::plan(&events, &settings, &fired, now);
    let done: Vec<ReminderKey> = plan
        .due
        .iter()
        .map(|r| r.key.clone())
        .chain(plan.stale.iter().cloned())
        .collect();
    if !done.is_empty() {
        source.record(&done, now).await.map_err(StepError::Record)?;
    }
    Ok((plan, events))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use calbuddy_engine::store::StoreError;
    use chrono::Duration;

    use super::*;

    /// One event at 14:00 and a store whose reads and writes fail on demand.
    struct Source {
        events: Vec<EventView>,
        fired: Mutex<HashSet<ReminderKey>>,
        failing_reads: AtomicUsize,
        failing_writes: AtomicUsize,
    }

    fn broken() -> EngineError {
        EngineError::Store(StoreError::Corrupt("disk I/O error".into()))
    }

    /// Counts down a failure budget: true while failures are left.
    fn fails(budget: &AtomicUsize) -> bool {
        budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    impl ReminderSource for Source {
        fn notification_settings(&self) -> Result<NotificationSettings, EngineError> {
            Ok(NotificationSettings::default())
        }

        async fn upcoming(&self, _now: DateTime<Utc>) -> Result<Vec<EventView>, EngineError> {
            if fails(&self.failing_reads) {
                return Err(broken());
            }
            Ok(self.events.clone())
        }

        async fn fired(&self) -> Result<HashSet<ReminderKey>, EngineError> {
            Ok(self.fired.lock().unwrap().clone())
        }

        async fn record(
            &self,
            keys: &[ReminderKey],
            _now: DateTime<Utc>,
        ) -> Result<(), EngineError> {
            if fails(&self.failing_writes) {
                return Err(broken());
            }
            self.fired.lock().unwrap().extend(keys.iter().cloned());
            Ok(())
        }
    }

    fn source(failing_reads: usize, failing_writes: usize) -> Source {
        Source {
            events: vec![review()],
            fired: Mutex::default(),
            failing_reads: AtomicUsize::new(failing_reads),
            failing_writes: AtomicUsize::new(failing_writes),
        }
    }

    fn review() -> EventView {
        EventView {
            id: "1".into(),
            account_id: 1,
            calendar_id: 1,
            calendar_name: "Work".into(),
            calendar_color: None,
            provider: "google".into(),
            external_id: "1".into(),
            title: "Review".into(),
            description: None,
            location: None,
            start: "2026-11-25T14:00:00Z".into(),
            end: "2026-11-25T15:00:00Z".into(),
            all_day: false,
            recurring: false,
            status: "confirmed".into(),
            my_response: None,
            meeting_url: None,
            details: Default::default(),
            also_in: Vec::new(),
            sort_key: 0,
        }
    }

    /// Runs one step per minute from 13:50 and returns the titles shown at each.
    async fn minutes(source: &Source, count: i64) -> Vec<Vec<String>> {
        let start: DateTime<Utc> = "2026-11-25T13:50:00Z".parse().unwrap();
        let mut shown = Vec::new();
        for minute in 0..count {
            let this = Mutex::new(Vec::new());
            step(
                source,
                start + Duration::minutes(minute),
                &Snoozes::default(),
                |r| this.lock().unwrap().push(r.title.clone()),
            )
            .await;
            shown.push(this.into_inner().unwrap());
        }
        shown
    }

    #[tokio::test]
    async fn a_reminder_that_cannot_be_recorded_is_not_shown_until_it_is() {
        let source = source(0, 2);
        let shown = minutes(&source, 5).await;
        let review = vec!["Review".to_owned()];
        assert_eq!(shown, [vec![], vec![], review, vec![], vec![]]);
    }

    #[tokio::test]
    async fn a_failed_minute_does_not_stop_the_next() {
        let source = source(1, 0);
        let shown = minutes(&source, 3).await;
        let review = vec!["Review".to_owned()];
        assert_eq!(shown, [vec![], review, vec![]]);
    }

    #[tokio::test]
    async fn the_next_due_time_is_returned_and_nothing_on_failure() {
        let source = source(1, 0);
        let before: DateTime<Utc> = "2026-11-25T13:00:00Z".parse().unwrap();
        assert_eq!(
            step(&source, before, &Snoozes::default(), |_| {}).await,
            None
        );
        assert_eq!(
            step(&source, before, &Snoozes::default(), |_| {}).await,
            Some("2026-11-25T13:50:00Z".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn a_snoozed_reminder_comes_back_once_and_sets_the_next_wake() {
        let source = source(0, 0);
        let snoozes = Snoozes::default();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let shown = Mutex::new(Vec::new());
        step(&source, at("2026-11-25T13:50:00Z"), &snoozes, |r| {
            snoozes.add(Snooze::new(
                r.key.clone(),
                r.start,
                at("2026-11-25T13:50:00Z"),
            ));
            shown.lock().unwrap().push(r.body.clone());
        })
        .await;
        let next = step(&source, at("2026-11-25T13:51:00Z"), &snoozes, |_| {}).await;
        assert_eq!(
            next,
            Some(at("2026-11-25T13:55:00Z")),
            "wakes for the snooze"
        );
        for minute in ["2026-11-25T13:55:00Z", "2026-11-25T13:56:00Z"] {
            step(&source, at(minute), &snoozes, |r| {
                shown.lock().unwrap().push(r.body.clone())
            })
            .await;
        }
        let shown = shown.into_inner().unwrap();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[1].starts_with("Starts in 5 min"), "{shown:?}");
    }
}
