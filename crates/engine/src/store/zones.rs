//! The VTIMEZONE definitions of each calendar (`calendar_zones`), kept so that its series can
//! be expanded again at any later sync or query.

use super::{Result, Store};
use crate::zones::{VTimezoneRules, ZoneDefinitions};

impl Store {
    /// Replaces the calendar's VTIMEZONE definitions (a feed or collection sends its whole set)
    /// and marks its series for expansion again at the next applied sync, since the same TZID
    /// may now mean other offsets.
    pub async fn replace_zone_definitions(
        &self,
        calendar_id: i64,
        zones: &ZoneDefinitions,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        replace(&mut tx, calendar_id, zones).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The calendar's VTIMEZONE definitions.
    pub async fn zone_definitions(&self, calendar_id: i64) -> Result<ZoneDefinitions> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, calendar_id).await
    }
}

/// The calendar's definitions, read on `conn` (also inside a transaction). A damaged row is
/// left out with a warning: its TZID then reads as floating or unknown, and the rest of the
/// calendar still expands.
/// Replaces the calendar's definitions inside the caller's transaction (see
/// [`Store::replace_zone_definitions`]).
pub(super) async fn replace(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    calendar_id: i64,
    zones: &ZoneDefinitions,
) -> Result<()> {
    sqlx::query!(
        "DELETE FROM calendar_zones WHERE calendar_id = ?",
        calendar_id
    )
    .execute(&mut **tx)
    .await?;
    for (tzid, rules) in zones.iter() {
        let rules =
            serde_json::to_string(rules).map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        sqlx::query!(
            "INSERT INTO calendar_zones (calendar_id, tzid, rules) VALUES (?, ?, ?)",
            calendar_id,
            tzid,
            rules
        )
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query!(
        "UPDATE calendars SET expanded_start = NULL, expanded_end = NULL WHERE id = ?",
        calendar_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn load(
    conn: &mut sqlx::SqliteConnection,
    calendar_id: i64,
) -> Result<ZoneDefinitions> {
    let rows = sqlx::query!(
        "SELECT tzid, rules FROM calendar_zones WHERE calendar_id = ?",
        calendar_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut zones = ZoneDefinitions::default();
    for row in rows {
        match serde_json::from_str::<VTimezoneRules>(&row.rules) {
            Ok(rules) => zones.define(row.tzid, rules),
            Err(err) => tracing::warn!(
                tzid = crate::text::one_line(&row.tzid),
                %err,
                "a stored time zone definition cannot be read; ignoring it"
            ),
        }
    }
    Ok(zones)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RemoteCalendar;
    use crate::zones::tests::custom_definitions;

    /// A store with one account of two calendars; their ids.
    pub(crate) async fn two_calendars(store: &Store) -> (i64, i64) {
        let now = "2026-01-05T12:00:00Z".parse().unwrap();
        let (account, _) = store.upsert_account("ics", "a", "a", now).await.unwrap();
        let calendar = |id: &str| RemoteCalendar {
            external_id: id.into(),
            name: id.into(),
            color: None,
            time_zone: None,
            primary: false,
            read_only: true,
        };
        store
            .reconcile_calendars(account, &[calendar("a"), calendar("b")])
            .await
            .unwrap();
        let calendars = store.calendars(None).await.unwrap();
        let id = |name: &str| calendars.iter().find(|c| c.name == name).unwrap().id;
        (id("a"), id("b"))
    }

    #[tokio::test]
    async fn definitions_survive_per_calendar_and_are_replaced_whole() {
        let store = Store::open_in_memory().await.unwrap();
        let (a, b) = two_calendars(&store).await;
        store
            .replace_zone_definitions(a, &custom_definitions())
            .await
            .unwrap();
        assert_eq!(
            store.zone_definitions(a).await.unwrap(),
            custom_definitions()
        );
        assert!(store.zone_definitions(b).await.unwrap().is_empty());
        store
            .replace_zone_definitions(a, &ZoneDefinitions::default())
            .await
            .unwrap();
        assert!(store.zone_definitions(a).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_damaged_definition_is_left_out() {
        let store = Store::open_in_memory().await.unwrap();
        let (a, _) = two_calendars(&store).await;
        store
            .replace_zone_definitions(a, &custom_definitions())
            .await
            .unwrap();
        sqlx::query!("UPDATE calendar_zones SET rules = 'not json'")
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(store.zone_definitions(a).await.unwrap().is_empty());
    }
}
