//! The `accounts` table: one row per connected account (Google user, demo calendar, ...).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{fmt_utc, parse_utc_opt, Result, Store};

/// An account as the CLI and the desktop app show it (`calbuddy accounts --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub provider: String,
    /// The provider's id of the user (Google: the e-mail address).
    #[serde(skip)]
    pub external_id: String,
    pub name: String,
    pub needs_reauth: bool,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Shown under the name (an ICS subscription's redacted address); never a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Store {
    /// Adds the account, or finds the one already connected for this user and clears its
    /// "needs re-auth" flag (reconnecting never creates a second copy). Returns its id and
    /// whether it is new.
    pub async fn upsert_account(
        &self,
        provider: &str,
        external_id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(i64, bool)> {
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query_scalar!(
            r#"SELECT id AS "id!" FROM accounts WHERE provider = ? AND external_id = ?"#,
            provider,
            external_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        let result = match existing {
            Some(id) => {
                sqlx::query!(
                    "UPDATE accounts SET name = ?, needs_reauth = 0, last_error = NULL WHERE id = ?",
                    name,
                    id
                )
                .execute(&mut *tx)
                .await?;
                (id, false)
            }
            None => {
                let created = fmt_utc(now);
                let id = sqlx::query_scalar!(
                    "INSERT INTO accounts (provider, external_id, name, created_at)
                     VALUES (?, ?, ?, ?) RETURNING id",
                    provider,
                    external_id,
                    name,
                    created
                )
                .fetch_one(&mut *tx)
                .await?;
                (id, true)
            }
        };
        tx.commit().await?;
        Ok(result)
    }

    /// Every account, oldest first.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", provider, external_id, name, needs_reauth AS "needs_reauth: bool",
                      last_synced_at, last_error, detail
               FROM accounts ORDER BY id"#
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Account {
                    id: r.id,
                    provider: r.provider,
                    external_id: r.external_id,
                    name: r.name,
                    needs_reauth: r.needs_reauth,
                    last_synced_at: parse_utc_opt(r.last_synced_at),
                    last_error: r.last_error,
                    detail: r.detail,
                })
            })
            .collect()
    }

    pub async fn account(&self, id: i64) -> Result<Option<Account>> {
        Ok(self.accounts().await?.into_iter().find(|a| a.id == id))
    }

    /// Sets what the account shows under its name (see [`Account::detail`]).
    pub async fn set_account_detail(&self, id: i64, detail: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query!("UPDATE accounts SET detail = ? WHERE id = ?", detail, id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// When the account was connected.
    pub async fn account_created_at(&self, id: i64) -> Result<Option<DateTime<Utc>>> {
        let created = sqlx::query_scalar!("SELECT created_at FROM accounts WHERE id = ?", id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(parse_utc_opt(created))
    }

    /// Records a sync of the whole account that completed.
    pub async fn record_account_success(&self, id: i64, at: DateTime<Utc>) -> Result<()> {
        let at = fmt_utc(at);
        sqlx::query!(
            "UPDATE accounts SET last_synced_at = ?, last_error = NULL, needs_reauth = 0 WHERE id = ?",
            at,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed sync; its events stay as they were.
    pub async fn record_account_failure(
        &self,
        id: i64,
        message: &str,
        needs_reauth: bool,
    ) -> Result<()> {
        sqlx::query!(
            "UPDATE accounts SET last_error = ?, needs_reauth = (needs_reauth OR ?) WHERE id = ?",
            message,
            needs_reauth,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the account's last calendar listing was empty and held back.
    pub async fn account_wipe_pending(&self, id: i64) -> Result<bool> {
        let pending = sqlx::query_scalar!(
            r#"SELECT wipe_pending AS "wipe_pending: bool" FROM accounts WHERE id = ?"#,
            id
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(pending.unwrap_or(false))
    }

    /// Remembers (or forgets) that an empty calendar listing was held back.
    pub async fn set_account_wipe_pending(&self, id: i64, pending: bool) -> Result<()> {
        sqlx::query!(
            "UPDATE accounts SET wipe_pending = ? WHERE id = ?",
            pending,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the account with its calendars and events. Returns false if there was none.
    pub async fn delete_account(&self, id: i64) -> Result<bool> {
        let done = sqlx::query!("DELETE FROM accounts WHERE id = ?", id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn reconnecting_the_same_user_reuses_the_account_and_clears_reauth() {
        let store = Store::open_in_memory().await.unwrap();
        let now = t("2026-01-01T00:00:00Z");
        let (id, created) = store
            .upsert_account("google", "a@x", "a@x", now)
            .await
            .unwrap();
        assert!(created);
        store
            .record_account_failure(id, "revoked", true)
            .await
            .unwrap();
        assert!(store.account(id).await.unwrap().unwrap().needs_reauth);

        let (again, created) = store
            .upsert_account("google", "a@x", "A", now)
            .await
            .unwrap();
        assert_eq!((again, created), (id, false));
        let account = store.account(id).await.unwrap().unwrap();
        assert!(!account.needs_reauth);
        assert_eq!(account.name, "A");
        assert_eq!(account.last_error, None);
        assert_eq!(account.detail, None);
        store
            .set_account_detail(id, Some("https://example.com/…"))
            .await
            .unwrap();
        let account = store.account(id).await.unwrap().unwrap();
        assert_eq!(account.detail.as_deref(), Some("https://example.com/…"));
        let json = serde_json::to_value(&account).unwrap();
        assert_eq!(json["detail"], "https://example.com/…");
        assert_eq!(store.accounts().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn success_clears_the_error_and_failure_keeps_last_synced() {
        let store = Store::open_in_memory().await.unwrap();
        let (id, _) = store
            .upsert_account("demo", "demo", "Demo", t("2026-01-01T00:00:00Z"))
            .await
            .unwrap();
        store
            .record_account_success(id, t("2026-01-02T10:00:00Z"))
            .await
            .unwrap();
        store
            .record_account_failure(id, "offline", false)
            .await
            .unwrap();
        let a = store.account(id).await.unwrap().unwrap();
        assert_eq!(a.last_synced_at, Some(t("2026-01-02T10:00:00Z")));
        assert_eq!(a.last_error.as_deref(), Some("offline"));
        assert!(!a.needs_reauth);
        assert!(store.delete_account(id).await.unwrap());
        assert!(!store.delete_account(id).await.unwrap());
    }
}
