//! The minute loop's reminder step: plan from the upcoming events, record the due (and stale)
//! reminders as done, then show the due ones. Recording comes first: a reminder shown but not
//! recorded would be shown again every minute, while one not recorded is not shown and is
//! tried again next minute. Snoozes are kept in the engine's store, so one outlives a restart;
//! a snooze is forgotten before its reminder is shown again, by the same rule. Every failure is
//! logged and never ends the loop.

use std::collections::HashSet;
use std::future::Future;

use calbuddy_engine::reminders::{self, Reminder, ReminderKey, ReminderPlan, Snooze, SnoozePlan};
use calbuddy_engine::settings::NotificationSettings;
use calbuddy_engine::store::EventView;
use calbuddy_engine::time_format::{HourCycle, TimeFormat};
use calbuddy_engine::{Engine, EngineError};
use chrono::{DateTime, Utc};

/// Days of upcoming events the reminders are planned from.
const DAYS: u32 = 2;
/// At most this many of them.
const EVENTS: u32 = 500;

/// What a reminder step reads and writes: the engine, or a stand-in in tests.
pub trait ReminderSource: Sync {
    fn notification_settings(&self) -> Result<NotificationSettings, EngineError>;
    /// How the body writes the start time: the tray's rule (`general.time_format`, else the
    /// locale).
    fn hour_cycle(&self) -> HourCycle;
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
    fn snoozes(&self) -> impl Future<Output = Result<Vec<Snooze>, EngineError>> + Send;
    fn forget_snoozes(
        &self,
        keys: &[ReminderKey],
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
}

impl ReminderSource for Engine {
    fn notification_settings(&self) -> Result<NotificationSettings, EngineError> {
        Ok(self.settings()?.notifications)
    }

    fn hour_cycle(&self) -> HourCycle {
        // Unreadable settings are reported by notification_settings; the locale still holds.
        self.settings()
            .map_or(TimeFormat::System, |s| s.general.time_format)
            .hour_cycle()
    }

    async fn upcoming(&self, now: DateTime<Utc>) -> Result<Vec<EventView>, EngineError> {
        // Declined events too (whether to skip them is a reminder setting); calendars with
        // reminders off left out.
        self.reminder_events(now, DAYS, EVENTS).await
    }

    async fn fired(&self) -> Result<HashSet<ReminderKey>, EngineError> {
        Ok(self.store().fired_reminders().await?)
    }

    async fn record(&self, keys: &[ReminderKey], now: DateTime<Utc>) -> Result<(), EngineError> {
        Ok(self.store().mark_reminders_fired(keys, now).await?)
    }

    async fn snoozes(&self) -> Result<Vec<Snooze>, EngineError> {
        Ok(self.store().snoozed_reminders().await?)
    }

    async fn forget_snoozes(&self, keys: &[ReminderKey]) -> Result<(), EngineError> {
        Ok(self.store().remove_snoozes(keys).await?)
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
    #[error("cannot read the snoozed reminders: {0}")]
    Snoozes(EngineError),
    #[error("cannot forget snoozes, so they are not shown now: {0}")]
    ForgetSnoozes(EngineError),
}

/// Shows the reminders due at `now` through `notify` (once each) and returns when the next one
/// falls due. On a failure nothing is shown, the failure is logged and `None` is returned: the
/// loop looks again at the next minute. Snoozes that cannot be read do not hold back the
/// planned reminders.
pub async fn step(
    source: &impl ReminderSource,
    now: DateTime<Utc>,
    notify: impl Fn(&Reminder),
) -> Option<DateTime<Utc>> {
    match plan_and_record(source, now).await {
        Ok((plan, events)) => {
            let snoozed = match snoozed_and_forgotten(source, &events, now).await {
                Ok(snoozed) => snoozed,
                Err(e) => {
                    tracing::error!("reminders: {e}");
                    SnoozePlan::default()
                }
            };
            let hours = source.hour_cycle();
            for reminder in plan.due.into_iter().chain(snoozed.due) {
                notify(&reminder.in_hours(hours));
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

/// Plans the stored snoozes and forgets those done (due now, or whose event is gone, moved or
/// over) before any is shown: each snooze fires once.
async fn snoozed_and_forgotten(
    source: &impl ReminderSource,
    events: &[EventView],
    now: DateTime<Utc>,
) -> Result<SnoozePlan, StepError> {
    let snoozes = source.snoozes().await.map_err(StepError::Snoozes)?;
    let plan = reminders::plan_snoozed(events, &snoozes, now);
    let done: Vec<ReminderKey> = snoozes
        .into_iter()
        .filter(|s| !plan.waiting.contains(s))
        .map(|s| s.key)
        .collect();
    if !done.is_empty() {
        source
            .forget_snoozes(&done)
            .await
            .map_err(StepError::ForgetSnoozes)?;
    }
    Ok(plan)
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
    use crate::test_events::meeting;

    /// One event at 14:00 and a store whose reads and writes fail on demand.
    struct Source {
        events: Vec<EventView>,
        fired: Mutex<HashSet<ReminderKey>>,
        snoozes: Mutex<Vec<Snooze>>,
        hours: HourCycle,
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

        fn hour_cycle(&self) -> HourCycle {
            self.hours
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

        async fn snoozes(&self) -> Result<Vec<Snooze>, EngineError> {
            Ok(self.snoozes.lock().unwrap().clone())
        }

        async fn forget_snoozes(&self, keys: &[ReminderKey]) -> Result<(), EngineError> {
            self.snoozes
                .lock()
                .unwrap()
                .retain(|s| !keys.contains(&s.key));
            Ok(())
        }
    }

    fn source(failing_reads: usize, failing_writes: usize) -> Source {
        Source {
            events: vec![review()],
            fired: Mutex::default(),
            snoozes: Mutex::default(),
            hours: HourCycle::H24,
            failing_reads: AtomicUsize::new(failing_reads),
            failing_writes: AtomicUsize::new(failing_writes),
        }
    }

    fn review() -> EventView {
        let mut review = meeting("1", "2026-11-25T14:00:00Z", "2026-11-25T15:00:00Z", None);
        review.title = "Review".into();
        review
    }

    /// Runs one step per minute from 13:50 and returns the titles shown at each.
    async fn minutes(source: &Source, count: i64) -> Vec<Vec<String>> {
        let start: DateTime<Utc> = "2026-11-25T13:50:00Z".parse().unwrap();
        let mut shown = Vec::new();
        for minute in 0..count {
            let this = Mutex::new(Vec::new());
            step(source, start + Duration::minutes(minute), |r| {
                this.lock().unwrap().push(r.title.clone())
            })
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
        assert_eq!(step(&source, before, |_| {}).await, None);
        assert_eq!(
            step(&source, before, |_| {}).await,
            Some("2026-11-25T13:50:00Z".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn the_body_follows_the_hour_cycle() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let start = at("2026-11-25T14:00:00Z")
            .with_timezone(&chrono::Local)
            .time();
        for hours in [HourCycle::H12, HourCycle::H24] {
            let source = Source {
                hours,
                ..source(0, 0)
            };
            let shown = Mutex::new(Vec::new());
            step(&source, at("2026-11-25T13:50:00Z"), |r| {
                shown.lock().unwrap().push(r.body.clone())
            })
            .await;
            assert_eq!(
                shown.into_inner().unwrap(),
                [format!("Starts in 10 min · {}", hours.time(start))]
            );
        }
    }

    #[tokio::test]
    async fn a_snoozed_reminder_comes_back_once_and_sets_the_next_wake() {
        let source = source(0, 0);
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let shown = Mutex::new(Vec::new());
        step(&source, at("2026-11-25T13:50:00Z"), |r| {
            source.snoozes.lock().unwrap().push(Snooze::new(
                r.key.clone(),
                r.start,
                at("2026-11-25T13:50:00Z"),
            ));
            shown.lock().unwrap().push(r.body.clone());
        })
        .await;
        let next = step(&source, at("2026-11-25T13:51:00Z"), |_| {}).await;
        assert_eq!(
            next,
            Some(at("2026-11-25T13:55:00Z")),
            "wakes for the snooze"
        );
        for minute in ["2026-11-25T13:55:00Z", "2026-11-25T13:56:00Z"] {
            step(&source, at(minute), |r| {
                shown.lock().unwrap().push(r.body.clone())
            })
            .await;
        }
        let shown = shown.into_inner().unwrap();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[1].starts_with("Starts in 5 min"), "{shown:?}");
    }

    /// A snooze kept by one run of the app comes back in the next: snoozed, the engine closed
    /// and opened again, the reminder shows at the snooze's time, once.
    #[tokio::test]
    async fn a_snooze_outlives_a_restart() {
        use calbuddy_engine::EngineConfig;

        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let (snooze, title) = {
            let engine = Engine::open(EngineConfig::in_dir(dir.path()))
                .await
                .unwrap();
            engine.connect_demo(now).await.unwrap();
            let events = engine.reminder_events(now, DAYS, EVENTS).await.unwrap();
            let event = events
                .iter()
                .find(|e| {
                    !e.all_day
                        && calbuddy_engine::agenda::span(e, &Utc)
                            .is_some_and(|s| s.start > now + Duration::minutes(20))
                })
                .expect("the demo has a meeting ahead");
            let start = calbuddy_engine::agenda::span(event, &Utc).unwrap().start;
            let key = ReminderKey::for_event(event, 10);
            // Shown ten minutes before, then snoozed.
            let shown_at = start - Duration::minutes(10);
            engine
                .store()
                .mark_reminders_fired(std::slice::from_ref(&key), shown_at)
                .await
                .unwrap();
            let snooze = Snooze::new(key, start, shown_at);
            engine.store().add_snooze(&snooze).await.unwrap();
            (snooze, event.title.clone())
        };
        let engine = Engine::open(EngineConfig::in_dir(dir.path()))
            .await
            .unwrap();
        let shown = Mutex::new(Vec::new());
        let record = |r: &Reminder| shown.lock().unwrap().push((r.title.clone(), r.key.clone()));
        let early = step(&engine, snooze.until - Duration::seconds(30), record).await;
        assert!(early.is_some_and(|due| due <= snooze.until));
        step(&engine, snooze.until, record).await;
        step(&engine, snooze.until + Duration::minutes(1), record).await;
        let shown = shown.into_inner().unwrap();
        let snoozed: Vec<_> = shown.iter().filter(|(_, k)| *k == snooze.key).collect();
        assert_eq!(snoozed.len(), 1, "{shown:?}");
        assert_eq!(snoozed[0].0, title);
        assert!(engine.store().snoozed_reminders().await.unwrap().is_empty());
    }
}
