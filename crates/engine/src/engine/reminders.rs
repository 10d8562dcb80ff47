//! The engine's side of reminders: which calendars remind, and the occurrences a reminder may
//! come from (the upcoming ones of calendars whose reminders are on, declined ones included,
//! since skipping those is a reminder setting).

use chrono::{DateTime, Utc};

use super::{Engine, EngineError, EngineEvent, Result};
use crate::reminders::with_reminders_on;
use crate::store::EventView;

impl Engine {
    /// Turns a calendar's reminders on or off; its events are still synced and shown.
    pub async fn set_calendar_reminders(&self, id: i64, on: bool) -> Result<()> {
        if !self.store.set_calendar_reminders(id, on).await? {
            return Err(EngineError::NotFound("calendar", id));
        }
        self.emit(EngineEvent::DataChanged);
        Ok(())
    }

    /// The occurrences from `now` for `days` days (at most `limit`) that reminders are planned
    /// from: declined ones included, those of calendars with reminders off left out.
    pub async fn reminder_events(
        &self,
        now: DateTime<Utc>,
        days: u32,
        limit: u32,
    ) -> Result<Vec<EventView>> {
        let events = self.upcoming(now, days, limit, true).await?;
        let muted = self.store.calendars_without_reminders().await?;
        Ok(with_reminders_on(events, &muted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineConfig;

    #[tokio::test]
    async fn a_calendar_with_reminders_off_gives_no_reminder_events_but_stays_shown() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig::in_dir(dir.path()))
            .await
            .unwrap();
        let now = Utc::now();
        engine.connect_demo(now).await.unwrap();
        let demo = engine.calendars().await.unwrap().remove(0);
        assert!(demo.reminders);
        assert!(!engine
            .reminder_events(now, 7, 500)
            .await
            .unwrap()
            .is_empty());

        engine.set_calendar_reminders(demo.id, false).await.unwrap();
        assert!(engine
            .reminder_events(now, 7, 500)
            .await
            .unwrap()
            .is_empty());
        assert!(!engine.upcoming(now, 7, 500, true).await.unwrap().is_empty());
        let demo = engine.calendars().await.unwrap().remove(0);
        assert!(!demo.reminders && demo.enabled);

        engine.set_calendar_reminders(demo.id, true).await.unwrap();
        assert!(!engine
            .reminder_events(now, 7, 500)
            .await
            .unwrap()
            .is_empty());
        assert!(matches!(
            engine.set_calendar_reminders(-1, false).await,
            Err(EngineError::NotFound("calendar", -1))
        ));
    }
}
