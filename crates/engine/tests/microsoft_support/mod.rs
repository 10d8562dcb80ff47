//! Shared set-up for the Microsoft tests: a fake Microsoft identity platform + Graph, an engine
//! pointed at it with a private data directory and file secrets, a "browser" that approves
//! sign-in, and Graph's create-event JSON for the scenes.

#![allow(dead_code)] // Each test binary uses a different part of this module.

// The same file as common's: binaries that load both (provider_conformance) get two copies.
#[allow(clippy::duplicate_mod)]
#[path = "../common/engine_queries.rs"]
pub mod engine_queries;

pub use engine_queries::{browser, quick_retries};

use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::microsoft::MicrosoftEndpoints;
use calbuddy_engine::store::EventView;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::{DateTime, Utc};
use fake_microsoft::FakeMicrosoft;
use serde_json::{json, Value};
use tempfile::TempDir;

pub use fake_microsoft::DEFAULT_CALENDAR_ID as CALENDAR;

/// What the fake's `/me` reports by default: the account's address.
pub const ADDRESS: &str = "megan@contoso.example";

pub struct MsWorld {
    pub fake: FakeMicrosoft,
    pub engine: Engine,
    pub dir: TempDir,
}

pub async fn world() -> MsWorld {
    world_with(quick_retries()).await
}

/// A world whose engine uses `retry` (timeouts, retries, the sync deadline).
pub async fn world_with(retry: RetryPolicy) -> MsWorld {
    let fake = FakeMicrosoft::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        microsoft: MicrosoftEndpoints {
            auth_url: fake.auth_url(),
            token_url: fake.token_url(),
            graph_url: fake.graph_url(),
        },
        retry,
        sign_in_timeout: Duration::from_secs(10),
        ..EngineConfig::in_dir(dir.path())
    };
    let engine = Engine::open(config).await.unwrap();
    engine
        .set_setting("microsoft.client_id", FakeMicrosoft::CLIENT_ID)
        .unwrap();
    MsWorld { fake, engine, dir }
}

impl MsWorld {
    /// Connects the fake's user; returns the account id.
    pub async fn connect(&self) -> i64 {
        let (account, report) = self
            .engine
            .connect_microsoft(browser, Utc::now())
            .await
            .unwrap();
        assert!(report.ok(), "{report:?}");
        account.id
    }

    pub async fn sync(&self, account: i64) -> calbuddy_engine::sync::SyncReport {
        engine_queries::sync(&self.engine, account).await
    }

    /// Every occurrence from 30 days back to 90 ahead, declined ones included.
    pub async fn events(&self) -> Vec<EventView> {
        engine_queries::events(&self.engine).await
    }

    pub async fn titles(&self) -> Vec<String> {
        engine_queries::titles(&self.engine).await
    }

    /// calendarView delta requests since the log was last cleared.
    pub fn delta_requests(&self) -> usize {
        self.fake.count_requests("/calendarView/delta")
    }
}

pub fn at(offset_hours: i64) -> DateTime<Utc> {
    let secs = Utc::now().timestamp();
    let hour = DateTime::from_timestamp(secs - secs.rem_euclid(3600), 0).unwrap();
    hour + chrono::Duration::hours(offset_hours)
}

/// Graph's local date-time form to the second, `2026-12-01T09:00:00.0000000` (chrono has no
/// seven-digit fraction).
pub fn graph_local(t: DateTime<Utc>) -> String {
    format!("{}.0000000", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// A one-hour timed event starting `offset_hours` from the current hour, in UTC.
pub fn timed(id: &str, title: &str, offset_hours: i64) -> Value {
    json!({
        "id": id,
        "subject": title,
        "start": {"dateTime": graph_local(at(offset_hours)), "timeZone": "UTC"},
        "end": {"dateTime": graph_local(at(offset_hours + 1)), "timeZone": "UTC"},
    })
}
