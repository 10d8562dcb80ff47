//! The `fired_reminders` table: which (occurrence, lead time) reminders were already shown;
//! and `snoozed_reminders`: the ones the user put off, waiting to come back (kept here so a
//! snooze outlives a restart of the app).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::{fmt_utc, parse_utc, Result, Store};
use crate::reminders::{ReminderKey, Snooze};

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

impl Store {
    /// Every snoozed reminder still waiting, soonest first.
    pub async fn snoozed_reminders(&self) -> Result<Vec<Snooze>> {
        let rows = sqlx::query!(
            r#"SELECT occurrence_key, lead_minutes AS "lead_minutes: u32", until
               FROM snoozed_reminders ORDER BY until, occurrence_key, lead_minutes"#
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Snooze {
                    key: ReminderKey {
                        occurrence: r.occurrence_key,
                        lead_minutes: r.lead_minutes,
                    },
                    until: parse_utc(&r.until)?,
                })
            })
            .collect()
    }

    /// Keeps a snooze; snoozing the same reminder again moves it.
    pub async fn add_snooze(&self, snooze: &Snooze) -> Result<()> {
        let until = fmt_utc(snooze.until);
        sqlx::query!(
            "INSERT INTO snoozed_reminders (occurrence_key, lead_minutes, until) VALUES (?, ?, ?)
             ON CONFLICT (occurrence_key, lead_minutes) DO UPDATE SET until = excluded.until",
            snooze.key.occurrence,
            snooze.key.lead_minutes,
            until
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets snoozes: shown again, or their event is gone, moved or over.
    pub async fn remove_snoozes(&self, keys: &[ReminderKey]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for key in keys {
            sqlx::query!(
                "DELETE FROM snoozed_reminders WHERE occurrence_key = ? AND lead_minutes = ?",
                key.occurrence,
                key.lead_minutes
            )
            .execute(&mut *tx)
            .await?;
        }
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

    #[tokio::test]
    async fn snoozes_are_kept_moved_and_removed() {
        let store = Store::open_in_memory().await.unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let snooze = |o: &str, until: &str| Snooze {
            key: ReminderKey {
                occurrence: o.into(),
                lead_minutes: 10,
            },
            until: at(until),
        };
        store
            .add_snooze(&snooze("a", "2026-11-25T13:55:00Z"))
            .await
            .unwrap();
        store
            .add_snooze(&snooze("b", "2026-11-25T13:50:00Z"))
            .await
            .unwrap();
        assert_eq!(
            store.snoozed_reminders().await.unwrap(),
            [
                snooze("b", "2026-11-25T13:50:00Z"),
                snooze("a", "2026-11-25T13:55:00Z")
            ]
        );
        // Snoozed again: moved, not doubled.
        store
            .add_snooze(&snooze("b", "2026-11-25T14:00:00Z"))
            .await
            .unwrap();
        store
            .remove_snoozes(&[snooze("a", "2026-11-25T13:55:00Z").key])
            .await
            .unwrap();
        assert_eq!(
            store.snoozed_reminders().await.unwrap(),
            [snooze("b", "2026-11-25T14:00:00Z")]
        );
    }
}
