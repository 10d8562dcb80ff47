//! The `fired_reminders` table: which (occurrence, lead time) reminders were already shown.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::{fmt_utc, Result, Store};
use crate::reminders::ReminderKey;

/// How long a fired reminder is remembered (longer than any lead time plus any sync window
/// drift).
const KEEP: Duration = Duration::days(14);

impl Store {
    /// Every remembered reminder.
    pub async fn fired_reminders(&self) -> Result<HashSet<ReminderKey>> {
        let rows = sqlx::query!(
            r#"SELECT occurrence_key, lead_minutes AS "lead_minutes: u32" FROM fired_reminders"#
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ReminderKey {
                occurrence: r.occurrence_key,
                lead_minutes: r.lead_minutes,
            })
            .collect())
    }

    /// Records reminders as done (shown or skipped), and forgets old ones.
    pub async fn mark_reminders_fired(
        &self,
        keys: &[ReminderKey],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let at = fmt_utc(now);
        for key in keys {
            sqlx::query!(
                "INSERT OR IGNORE INTO fired_reminders (occurrence_key, lead_minutes, fired_at)
                 VALUES (?, ?, ?)",
                key.occurrence,
                key.lead_minutes,
                at
            )
            .execute(&mut *tx)
            .await?;
        }
        let cutoff = fmt_utc(now - KEEP);
        sqlx::query!("DELETE FROM fired_reminders WHERE fired_at < ?", cutoff)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn remembers_fired_reminders_and_forgets_old_ones() {
        let store = Store::open_in_memory().await.unwrap();
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().unwrap();
        let key = |o: &str, lead| ReminderKey {
            occurrence: o.into(),
            lead_minutes: lead,
        };
        store
            .mark_reminders_fired(&[key("a", 10), key("a", 0)], now)
            .await
            .unwrap();
        store
            .mark_reminders_fired(&[key("a", 10)], now)
            .await
            .unwrap();
        assert_eq!(
            store.fired_reminders().await.unwrap(),
            [key("a", 10), key("a", 0)].into()
        );
        store
            .mark_reminders_fired(&[key("b", 10)], now + Duration::days(15))
            .await
            .unwrap();
        assert_eq!(
            store.fired_reminders().await.unwrap(),
            [key("b", 10)].into()
        );
    }
}
