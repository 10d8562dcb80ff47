//! The `calendars` table: the calendars of each account, whether the user wants them, and each
//! one's sync state (cursor, window, last attempt, last success, last error).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{fmt_utc, parse_utc_opt, Result, Store};
use crate::model::{RemoteCalendar, SyncWindow};

/// A calendar as the CLI and the desktop app show it (`calbuddy calendars --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    pub id: i64,
    pub account_id: i64,
    pub external_id: String,
    pub name: String,
    pub color: Option<String>,
    pub time_zone: Option<String>,
    pub primary: bool,
    pub read_only: bool,
    pub enabled: bool,
    /// Whether its events get reminders (on unless the user turned them off).
    pub reminders: bool,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What the sync layer needs to know about a calendar before fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSyncState {
    pub cursor: Option<String>,
    /// The window of the last full listing, if there was one.
    pub window: Option<SyncWindow>,
    /// The last listing would have emptied the calendar and was held back.
    pub wipe_pending: bool,
}

impl Store {
    /// Brings the account's calendars in line with a complete listing: new ones are added
    /// (enabled), known ones renamed/recoloured, and ones no longer listed are removed with their
    /// events. Only call this with a complete listing.
    pub async fn reconcile_calendars(
        &self,
        account_id: i64,
        listing: &[RemoteCalendar],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let known = sqlx::query!(
            r#"SELECT id AS "id!", external_id FROM calendars WHERE account_id = ?"#,
            account_id
        )
        .fetch_all(&mut *tx)
        .await?;
        for gone in known
            .iter()
            .filter(|k| !listing.iter().any(|c| c.external_id == k.external_id))
        {
            sqlx::query!("DELETE FROM calendars WHERE id = ?", gone.id)
                .execute(&mut *tx)
                .await?;
        }
        for c in listing {
            sqlx::query!(
                "INSERT INTO calendars (account_id, external_id, name, color, time_zone, is_primary, read_only)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (account_id, external_id) DO UPDATE SET
                    name = excluded.name, color = excluded.color, time_zone = excluded.time_zone,
                    is_primary = excluded.is_primary, read_only = excluded.read_only",
                account_id,
                c.external_id,
                c.name,
                c.color,
                c.time_zone,
                c.primary,
                c.read_only
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The calendars of one account, or of every account; primary first, then by name.
    pub async fn calendars(&self, account_id: Option<i64>) -> Result<Vec<Calendar>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", account_id, external_id, name,
                      COALESCE(color_override, color) AS "color: String", time_zone,
                      is_primary AS "is_primary: bool", read_only AS "read_only: bool",
                      enabled AS "enabled: bool", reminders AS "reminders: bool",
                      last_attempt_at, last_success_at, last_error
               FROM calendars
               WHERE ?1 IS NULL OR account_id = ?1
               ORDER BY account_id, is_primary DESC, name COLLATE NOCASE, id"#,
            account_id
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Calendar {
                    id: r.id,
                    account_id: r.account_id,
                    external_id: r.external_id,
                    name: r.name,
                    color: r.color,
                    time_zone: r.time_zone,
                    primary: r.is_primary,
                    read_only: r.read_only,
                    enabled: r.enabled,
                    reminders: r.reminders,
                    last_attempt_at: parse_utc_opt(r.last_attempt_at),
                    last_success_at: parse_utc_opt(r.last_success_at),
                    last_error: r.last_error,
                })
            })
            .collect()
    }

    /// Turns syncing and showing a calendar on or off. Returns false if there is no such id.
    /// A disabled calendar's events stay stored but are hidden; its cursor is kept so
    /// re-enabling it syncs incrementally.
    pub async fn set_calendar_enabled(&self, id: i64, enabled: bool) -> Result<bool> {
        let done = sqlx::query!("UPDATE calendars SET enabled = ? WHERE id = ?", enabled, id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Turns a calendar's reminders on or off; its events are still synced and shown. Returns
    /// false if there is no such id.
    pub async fn set_calendar_reminders(&self, id: i64, on: bool) -> Result<bool> {
        let done = sqlx::query!("UPDATE calendars SET reminders = ? WHERE id = ?", on, id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The ids of the calendars whose reminders are off.
    pub async fn calendars_without_reminders(&self) -> Result<HashSet<i64>> {
        let ids = sqlx::query_scalar!(r#"SELECT id AS "id!" FROM calendars WHERE reminders = 0"#)
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.into_iter().collect())
    }

    /// Sets the user's own colour for a calendar (`#rrggbb`), kept across syncs. Returns false
    /// if there is no such id.
    pub async fn set_calendar_color(&self, id: i64, color: &str) -> Result<bool> {
        let done = sqlx::query!(
            "UPDATE calendars SET color_override = ? WHERE id = ?",
            color,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn calendar_sync_state(&self, id: i64) -> Result<CalendarSyncState> {
        let row = sqlx::query!(
            r#"SELECT sync_cursor, window_start, window_end, wipe_pending AS "wipe_pending: bool"
               FROM calendars WHERE id = ?"#,
            id
        )
        .fetch_one(&self.pool)
        .await?;
        let window = match (
            parse_utc_opt(row.window_start),
            parse_utc_opt(row.window_end),
        ) {
            (Some(start), Some(end)) => Some(SyncWindow { start, end }),
            _ => None,
        };
        Ok(CalendarSyncState {
            cursor: row.sync_cursor,
            window,
            wipe_pending: row.wipe_pending,
        })
    }

    /// Holds back a listing that would empty the calendar: its events and cursor stay, the
    /// calendar remembers the wipe is pending and says why in `last_error`.
    pub async fn hold_calendar_wipe(
        &self,
        id: i64,
        at: DateTime<Utc>,
        message: &str,
    ) -> Result<()> {
        let at = fmt_utc(at);
        sqlx::query!(
            "UPDATE calendars SET wipe_pending = 1, last_attempt_at = ?, last_error = ? WHERE id = ?",
            at,
            message,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets a held-back wipe, once a listing has been applied.
    pub async fn clear_calendar_wipe(&self, id: i64) -> Result<()> {
        sqlx::query!("UPDATE calendars SET wipe_pending = 0 WHERE id = ?", id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed sync of one calendar; its events and cursor stay as they were.
    pub async fn record_calendar_failure(
        &self,
        id: i64,
        at: DateTime<Utc>,
        message: &str,
    ) -> Result<()> {
        let at = fmt_utc(at);
        sqlx::query!(
            "UPDATE calendars SET last_attempt_at = ?, last_error = ? WHERE id = ?",
            at,
            message,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(id: &str, name: &str) -> RemoteCalendar {
        RemoteCalendar {
            external_id: id.into(),
            name: name.into(),
            color: Some("#123456".into()),
            time_zone: Some("Europe/Berlin".into()),
            primary: id == "me@x",
            read_only: false,
        }
    }

    #[tokio::test]
    async fn reconcile_adds_updates_and_removes() {
        let store = Store::open_in_memory().await.unwrap();
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let (acc, _) = store
            .upsert_account("google", "me@x", "me@x", now)
            .await
            .unwrap();
        store
            .reconcile_calendars(acc, &[cal("me@x", "Me"), cal("team", "Team")])
            .await
            .unwrap();
        let cals = store.calendars(Some(acc)).await.unwrap();
        assert_eq!(
            cals.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["Me", "Team"]
        );
        assert!(cals[0].primary && cals.iter().all(|c| c.enabled));

        let team = cals[1].id;
        assert!(store.set_calendar_enabled(team, false).await.unwrap());
        store
            .reconcile_calendars(acc, &[cal("me@x", "Me"), cal("team", "Team 2")])
            .await
            .unwrap();
        let cals = store.calendars(Some(acc)).await.unwrap();
        assert_eq!(cals[1].name, "Team 2");
        assert!(!cals[1].enabled, "a rename keeps the user's choice");

        store
            .reconcile_calendars(acc, &[cal("me@x", "Me")])
            .await
            .unwrap();
        assert_eq!(store.calendars(None).await.unwrap().len(), 1);
        assert!(!store.set_calendar_enabled(team, true).await.unwrap());
    }

    #[tokio::test]
    async fn reminders_are_on_by_default_and_kept_across_syncs() {
        let store = Store::open_in_memory().await.unwrap();
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let (acc, _) = store
            .upsert_account("google", "me@x", "me@x", now)
            .await
            .unwrap();
        let listing = [cal("me@x", "Me"), cal("team", "Team")];
        store.reconcile_calendars(acc, &listing).await.unwrap();
        let cals = store.calendars(None).await.unwrap();
        assert!(cals.iter().all(|c| c.reminders));
        assert!(store
            .calendars_without_reminders()
            .await
            .unwrap()
            .is_empty());

        let team = cals[1].id;
        assert!(store.set_calendar_reminders(team, false).await.unwrap());
        store.reconcile_calendars(acc, &listing).await.unwrap();
        let cals = store.calendars(None).await.unwrap();
        assert!(cals[0].reminders && !cals[1].reminders);
        assert!(cals[1].enabled, "muting reminders keeps the calendar shown");
        assert_eq!(
            store.calendars_without_reminders().await.unwrap(),
            [team].into()
        );
        assert!(store.set_calendar_reminders(team, true).await.unwrap());
        assert!(store
            .calendars_without_reminders()
            .await
            .unwrap()
            .is_empty());
        assert!(!store.set_calendar_reminders(999, false).await.unwrap());
    }

    #[tokio::test]
    async fn failure_is_recorded_without_touching_the_cursor() {
        let store = Store::open_in_memory().await.unwrap();
        let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let (acc, _) = store
            .upsert_account("google", "me@x", "me@x", now)
            .await
            .unwrap();
        store
            .reconcile_calendars(acc, &[cal("me@x", "Me")])
            .await
            .unwrap();
        let id = store.calendars(None).await.unwrap()[0].id;
        store
            .record_calendar_failure(id, now, "boom")
            .await
            .unwrap();
        let c = &store.calendars(None).await.unwrap()[0];
        assert_eq!(c.last_error.as_deref(), Some("boom"));
        assert_eq!(c.last_attempt_at, Some(now));
        assert_eq!(
            store.calendar_sync_state(id).await.unwrap(),
            CalendarSyncState {
                cursor: None,
                window: None,
                wipe_pending: false,
            }
        );
    }
}
