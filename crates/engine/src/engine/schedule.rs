//! What the background schedule syncs: every account, except a subscription whose feed asks
//! to be fetched less often (REFRESH-INTERVAL / X-PUBLISHED-TTL, capped at a day) than the
//! app's interval and was checked within its interval. An explicit sync (`calbuddy sync`,
//! "Sync now") always fetches.
//!
//! An unchanged refresh writes nothing, so the database's `last_synced_at` is the last sync
//! that wrote; the time of each such refresh is kept here, in memory, and an account's
//! `last_synced_at` as the engine reports it is the later of the two.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Engine, Result};
use crate::provider::ics::provider::suggested_refresh;
use crate::provider::ics::refresh_interval::MAX_REFRESH;
use crate::provider::ProviderKind;
use crate::store::Account;
use crate::sync::SyncReport;

/// When each account last synced successfully in this process without writing.
#[derive(Debug, Default)]
pub(super) struct LastSyncs(Mutex<HashMap<i64, DateTime<Utc>>>);

impl LastSyncs {
    pub(super) fn record(&self, account_id: i64, at: DateTime<Utc>) {
        // A poisoned map only loses times, which the database's stand in for.
        if let Ok(mut times) = self.0.lock() {
            let time = times.entry(account_id).or_insert(at);
            *time = (*time).max(at);
        }
    }

    /// Forgets a removed account (SQLite may give its id to the next one).
    pub(super) fn forget(&self, account_id: i64) {
        if let Ok(mut times) = self.0.lock() {
            times.remove(&account_id);
        }
    }

    /// `account` with its `last_synced_at` the later of the stored one and this process's.
    pub(super) fn apply(&self, mut account: Account) -> Account {
        let here = self.0.lock().ok().and_then(|t| t.get(&account.id).copied());
        account.last_synced_at = account.last_synced_at.max(here);
        account
    }
}

impl Engine {
    /// The background schedule's sync, with the app's `interval`: the accounts due at `now`
    /// (see the module header), one report each.
    pub async fn sync_due(
        &self,
        interval: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<SyncReport>>> {
        let mut reports = Vec::new();
        for account in self.accounts().await? {
            if self.is_due(&account, interval, now).await? {
                reports.push(self.sync_one(account.id, now).await);
            }
        }
        Ok(reports)
    }

    async fn is_due(
        &self,
        account: &Account,
        interval: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let feed = ProviderKind::parse(&account.provider) == Some(ProviderKind::Ics);
        let (Some(last), true, None) = (account.last_synced_at, feed, &account.last_error) else {
            // Not a feed, never synced, or failing: the app's own pace.
            return Ok(true);
        };
        let mut suggested = None;
        if let Some(calendar) = self.store.calendars(Some(account.id)).await?.first() {
            let cursor = self.store.calendar_sync_state(calendar.id).await?.cursor;
            suggested = cursor.as_deref().and_then(suggested_refresh);
        }
        Ok(is_due(last, interval, suggested, now))
    }
}

/// Whether a feed last synced at `last` is due at `now`: its suggested interval, capped at
/// [`MAX_REFRESH`], when that is longer than the app's `interval`; else always (the schedule
/// itself keeps the app's pace).
fn is_due(
    last: DateTime<Utc>,
    interval: Duration,
    suggested: Option<Duration>,
    now: DateTime<Utc>,
) -> bool {
    match suggested.map(|s| s.min(MAX_REFRESH)) {
        Some(wait) if wait > interval => {
            TimeDelta::from_std(wait).is_ok_and(|wait| now - last >= wait)
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at(minutes: i64) -> DateTime<Utc> {
        "2026-12-01T08:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn a_feed_asking_for_two_hours_waits_two_hours() {
        let wait = Some(120 * MINUTE);
        assert!(!is_due(at(0), 15 * MINUTE, wait, at(15)));
        assert!(!is_due(at(0), 15 * MINUTE, wait, at(119)));
        assert!(is_due(at(0), 15 * MINUTE, wait, at(120)));
    }

    #[test]
    fn never_sooner_than_the_app_and_never_later_than_a_day() {
        // A feed asking for less than the app's interval changes nothing.
        assert!(is_due(at(0), 60 * MINUTE, Some(20 * MINUTE), at(1)));
        assert!(is_due(at(0), 15 * MINUTE, None, at(1)));
        // A week is read as a day.
        let week = Some(7 * 24 * 60 * MINUTE);
        assert!(!is_due(at(0), 15 * MINUTE, week, at(24 * 60 - 1)));
        assert!(is_due(at(0), 15 * MINUTE, week, at(24 * 60)));
    }

    #[test]
    fn the_later_sync_time_counts() {
        let times = LastSyncs::default();
        times.record(1, at(10));
        times.record(1, at(5));
        let account = Account {
            id: 1,
            provider: "ics".into(),
            external_id: "x".into(),
            name: "x".into(),
            needs_reauth: false,
            last_synced_at: Some(at(0)),
            last_error: None,
            detail: None,
        };
        assert_eq!(times.apply(account.clone()).last_synced_at, Some(at(10)));
        let later = Account {
            last_synced_at: Some(at(20)),
            ..account
        };
        assert_eq!(times.apply(later.clone()).last_synced_at, Some(at(20)));
        times.forget(1);
        let never = Account {
            last_synced_at: None,
            ..later
        };
        assert_eq!(times.apply(never).last_synced_at, None);
    }
}
