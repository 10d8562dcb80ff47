//! What the engine's integration tests ask of any engine, whichever fake it talks to: quick
//! retries, a "browser" that follows the sign-in URL, one account's sync, and every stored
//! occurrence.

use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::store::{EventFilter, EventView, QueryRange};
use calbuddy_engine::sync::SyncReport;
use calbuddy_engine::Engine;
use chrono::Utc;

/// Retries quick enough for tests, and a short request timeout.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        retries: 3,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
        sync_deadline: Duration::from_secs(120),
    }
}

/// Plays the user's browser: follows the authorization URL (the fake approves and redirects
/// to the engine's loopback listener).
pub fn browser(url: &str) {
    let url = url.to_owned();
    tokio::spawn(async move {
        let _ = reqwest::get(url).await;
    });
}

/// Syncs one account and returns its report.
pub async fn sync(engine: &Engine, account: i64) -> SyncReport {
    let mut results = engine.sync(Some(account), Utc::now()).await.unwrap();
    results.remove(0).unwrap()
}

/// Every occurrence from 30 days back to 90 ahead, declined ones included.
pub async fn events(engine: &Engine) -> Vec<EventView> {
    let now = Utc::now();
    let range = QueryRange::new(
        now - chrono::Duration::days(30),
        now + chrono::Duration::days(90),
        &Utc,
    );
    let filter = EventFilter {
        include_declined: true,
        limit: None,
    };
    engine.store().events_between(range, filter).await.unwrap()
}

/// The titles of [`events`], sorted.
pub async fn titles(engine: &Engine) -> Vec<String> {
    let mut titles: Vec<String> = events(engine).await.into_iter().map(|e| e.title).collect();
    titles.sort();
    titles
}
