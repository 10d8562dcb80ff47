//! Syncing one account: list its calendars (dropping a calendar only on a complete listing),
//! then fetch each enabled calendar's changes — incrementally with its cursor, in full when
//! there is none, when the cursor expired (HTTP 410) or, for a windowed provider, when the
//! window has moved on — plan them and apply them in one transaction per calendar.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::plan::{is_calendar_wipe, plan};
use crate::model::SyncWindow;
use crate::provider::{ChangeSet, FetchRequest, Provider, ProviderError, Scope};
use crate::store::{Calendar, Store, StoreError};

/// How far the window may have moved before a calendar is listed in full again: an
/// incremental sync only reports changes, so events that came into the window as days passed
/// are picked up by this periodic full listing.
const WINDOW_SLACK_DAYS: i64 = 7;

/// The span synced around "now", and how long the whole sync may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    pub days_back: u32,
    pub days_ahead: u32,
    /// After this the provider's work is dropped (nothing unfinished is applied) and the sync
    /// ends with an error, so a runaway server cannot hold the account lock for ever.
    pub deadline: std::time::Duration,
}

/// The moment an account's sync must be done by.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: tokio::time::Instant,
    limit: std::time::Duration,
}

impl Deadline {
    fn after(limit: std::time::Duration) -> Self {
        Deadline {
            at: tokio::time::Instant::now() + limit,
            limit,
        }
    }

    /// Runs a provider call, cut short at the deadline.
    async fn run<T>(
        self,
        call: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        tokio::time::timeout_at(self.at, call)
            .await
            .unwrap_or(Err(ProviderError::DeadlineExceeded(self.limit.as_secs())))
    }
}

/// Progress while an account syncs, for a progress bar or the desktop shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub account_id: i64,
    pub calendar: String,
    /// Events received so far for this calendar.
    pub fetched: usize,
}

/// How one calendar's sync went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarReport {
    pub calendar_id: i64,
    pub name: String,
    /// Listed in full rather than incrementally.
    pub full: bool,
    /// The saved cursor had expired (HTTP 410), so the calendar was listed in full.
    pub cursor_expired: bool,
    pub upserted: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub error: Option<String>,
}

/// How an account's sync went. A failure leaves the data as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub account_id: i64,
    pub calendars: Vec<CalendarReport>,
    /// The first failure, if any (the account's `last_error`).
    pub error: Option<String>,
    pub needs_reauth: bool,
    /// The sync succeeded without writing anything, the time of success included (every
    /// calendar was unchanged and the account already read as synced): the caller may keep
    /// that time itself.
    #[serde(skip)]
    pub wrote_nothing: bool,
}

impl SyncReport {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Syncs every enabled calendar of the account. Provider failures end up in the report (and in
/// the account's and calendar's `last_error`); only a failing database is an `Err`.
pub async fn sync_account(
    store: &Store,
    provider: &dyn Provider,
    account_id: i64,
    options: SyncOptions,
    now: DateTime<Utc>,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<SyncReport, StoreError> {
    let mut report = SyncReport {
        account_id,
        calendars: vec![],
        error: None,
        needs_reauth: false,
        wrote_nothing: false,
    };
    let Some(account) = store.account(account_id).await? else {
        // Disconnected between the caller's look-up and its taking the account's lock.
        return Err(StoreError::AccountGone(account_id));
    };
    // Whether any calendar's data was written (an unchanged feed writes nothing).
    let mut wrote = false;
    let deadline = Deadline::after(options.deadline);
    let listing = match deadline.run(provider.list_calendars()).await {
        Ok(listing) => listing,
        Err(e) => return fail_account(store, report, &e).await,
    };
    if let Some(message) = hold_calendar_list_wipe(store, account_id, listing.len()).await? {
        store
            .record_account_failure(account_id, &message, false)
            .await?;
        report.error = Some(message);
        return Ok(report);
    }
    store.reconcile_calendars(account_id, &listing).await?;

    let window = SyncWindow::around(now, options.days_back, options.days_ahead);
    for calendar in store.calendars(Some(account_id)).await? {
        if !calendar.enabled {
            continue;
        }
        let progress = |fetched| {
            progress(SyncProgress {
                account_id,
                calendar: calendar.name.clone(),
                fetched,
            })
        };
        match sync_calendar(store, provider, &calendar, window, now, deadline, &progress).await? {
            Ok((calendar_report, calendar_wrote)) => {
                wrote |= calendar_wrote;
                // A held-back wipe: the calendar is fine, but the account must say so.
                if report.error.is_none() {
                    report.error.clone_from(&calendar_report.error);
                }
                report.calendars.push(calendar_report)
            }
            Err(e) => {
                store
                    .record_calendar_failure(calendar.id, now, &e.to_string())
                    .await?;
                report.calendars.push(CalendarReport {
                    calendar_id: calendar.id,
                    name: calendar.name.clone(),
                    full: false,
                    cursor_expired: false,
                    upserted: 0,
                    deleted: 0,
                    unchanged: 0,
                    error: Some(e.to_string()),
                });
                if e.is_auth_expired() {
                    return fail_account(store, report, &e).await;
                }
                if report.error.is_none() {
                    report.error = Some(format!("{}: {e}", calendar.name));
                }
                if matches!(e, ProviderError::DeadlineExceeded(_)) {
                    break;
                }
            }
        }
    }
    let fine = account.last_error.is_none() && !account.needs_reauth;
    match &report.error {
        // Nothing changed and the account already reads as synced and well: the time of this
        // check would be an unchanged refresh's only write (the engine keeps it in memory).
        None if !wrote && fine && account.last_synced_at.is_some() => report.wrote_nothing = true,
        None => store.record_account_success(account_id, now).await?,
        Some(message) => {
            store
                .record_account_failure(account_id, message, false)
                .await?
        }
    }
    Ok(report)
}

/// The wipe guard for calendar listings: an empty listing of an account that has calendars is
/// held back once (the message says so); the next listing, empty or not, is applied.
async fn hold_calendar_list_wipe(
    store: &Store,
    account_id: i64,
    listed: usize,
) -> Result<Option<String>, StoreError> {
    let pending = store.account_wipe_pending(account_id).await?;
    let stored = store.calendars(Some(account_id)).await?.len();
    if is_calendar_wipe(stored, listed) && !pending {
        store.set_account_wipe_pending(account_id, true).await?;
        tracing::warn!(
            account_id,
            stored,
            "the server listed no calendars; holding back"
        );
        return Ok(Some(format!(
            "the server listed no calendars; keeping the {} until the next sync confirms it",
            counted(stored, "calendar")
        )));
    }
    if pending {
        store.set_account_wipe_pending(account_id, false).await?;
    }
    Ok(None)
}

/// "1 event", "2 events".
fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

async fn fail_account(
    store: &Store,
    mut report: SyncReport,
    error: &ProviderError,
) -> Result<SyncReport, StoreError> {
    report.needs_reauth = error.is_auth_expired();
    report.error = Some(error.to_string());
    store
        .record_account_failure(report.account_id, &error.to_string(), report.needs_reauth)
        .await?;
    Ok(report)
}

/// Syncs one calendar: its report, and whether anything was written. The outer `Result` is
/// the store's, the inner one the provider's.
async fn sync_calendar(
    store: &Store,
    provider: &dyn Provider,
    calendar: &Calendar,
    window: SyncWindow,
    now: DateTime<Utc>,
    deadline: Deadline,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<Result<(CalendarReport, bool), ProviderError>, StoreError> {
    let state = store.calendar_sync_state(calendar.id).await?;
    let still_covered = match provider.capabilities().scope {
        Scope::WholeCollection => true,
        Scope::Windowed => state.window.is_some_and(|w| {
            w.start <= window.start && w.end + Duration::days(WINDOW_SLACK_DAYS) >= window.end
        }),
    };
    let cursor = state.cursor.as_deref().filter(|_| still_covered);
    let mut request = FetchRequest {
        calendar_external_id: &calendar.external_id,
        cursor,
        window,
    };
    let mut cursor_expired = false;
    let started = std::time::Instant::now();
    let changes: ChangeSet = match deadline
        .run(provider.fetch_changes(request.clone(), progress))
        .await
    {
        Err(ProviderError::CursorExpired) if cursor.is_some() => {
            tracing::info!(calendar = %calendar.name, "sync token expired; listing in full");
            cursor_expired = true;
            request.cursor = None;
            match deadline
                .run(provider.fetch_changes(request, progress))
                .await
            {
                Ok(changes) => changes,
                Err(e) => return Ok(Err(e)),
            }
        }
        Err(e) => return Ok(Err(e)),
        Ok(changes) => changes,
    };
    let fetched = started.elapsed();
    let mut changes = changes;
    let zones = changes.zones.take();
    let whole_collection = provider.capabilities().scope == Scope::WholeCollection;
    if whole_collection && is_unchanged(&changes, &state) && calendar.last_error.is_none() {
        // An unchanged feed (HTTP 304, or the same content): nothing to write. A whole
        // collection has no window to move, and series are expanded on demand beyond the
        // precomputed span, so the calendar's rows stay exactly as they are.
        let report = CalendarReport {
            calendar_id: calendar.id,
            name: calendar.name.clone(),
            full: false,
            cursor_expired,
            upserted: 0,
            deleted: 0,
            unchanged: 0,
            error: None,
        };
        return Ok(Ok((report, false)));
    }
    let stored = store.event_states(calendar.id).await?;
    let plan = plan(changes, &stored);
    if plan.is_wipe() && !state.wipe_pending {
        let message = format!(
            "the server listed no events for calendar {}; keeping the {} until the next sync \
             confirms it",
            calendar.name,
            counted(plan.deletes.len(), "event")
        );
        tracing::warn!(calendar = %calendar.name, "{message}");
        store.hold_calendar_wipe(calendar.id, now, &message).await?;
        let report = CalendarReport {
            calendar_id: calendar.id,
            name: calendar.name.clone(),
            full: true,
            cursor_expired,
            upserted: 0,
            deleted: 0,
            unchanged: 0,
            error: Some(message),
        };
        return Ok(Ok((report, true)));
    }
    let stats = store
        .apply_plan_with_zones(calendar.id, &plan, zones.as_ref(), window, now)
        .await?;
    if state.wipe_pending {
        store.clear_calendar_wipe(calendar.id).await?;
    }
    tracing::debug!(
        calendar = %calendar.name,
        changes = plan.upserts.len() + plan.deletes.len(),
        fetch_ms = fetched.as_millis() as u64,
        apply_ms = (started.elapsed() - fetched).as_millis() as u64,
        "calendar synced"
    );
    let report = CalendarReport {
        calendar_id: calendar.id,
        name: calendar.name.clone(),
        full: plan.full,
        cursor_expired,
        upserted: stats.upserted,
        deleted: stats.deleted,
        unchanged: plan.unchanged,
        error: None,
    };
    Ok(Ok((report, true)))
}

/// A delta with no changes that leaves the cursor as it was, on a calendar with no wipe held
/// back: applying it would change nothing but timestamps.
fn is_unchanged(changes: &ChangeSet, state: &crate::store::CalendarSyncState) -> bool {
    changes.kind == crate::provider::ChangeSetKind::Delta
        && changes.changes.is_empty()
        && changes.cursor == state.cursor
        && !state.wipe_pending
}
