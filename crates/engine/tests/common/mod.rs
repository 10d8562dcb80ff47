//! Shared set-up for the engine's integration tests: a fake Google, an engine pointed at it
//! with a private data directory and file secrets, and a "browser" that approves sign-in.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod engine_queries;

pub use engine_queries::{browser, quick_retries};

use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::google::GoogleEndpoints;
use calbuddy_engine::store::EventView;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::{DateTime, Utc};
use fake_google::{FakeGoogle, CLIENT_ID, CLIENT_SECRET};
use serde_json::{json, Value};
use tempfile::TempDir;

pub const EMAIL: &str = "user@example.com";

pub struct World {
    pub fake: FakeGoogle,
    pub engine: Engine,
    pub dir: TempDir,
}

pub async fn world() -> World {
    world_with(quick_retries()).await
}

/// A world whose engine uses `retry` (timeouts, retries, the sync deadline).
pub async fn world_with(retry: RetryPolicy) -> World {
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        google: GoogleEndpoints {
            auth_url: fake.auth_url(),
            token_url: fake.token_url(),
            revoke_url: fake.revoke_url(),
            api_url: fake.api_url(),
        },
        retry,
        sign_in_timeout: Duration::from_secs(10),
        ..EngineConfig::in_dir(dir.path())
    };
    let engine = Engine::open(config).await.unwrap();
    engine.set_setting("google.client_id", CLIENT_ID).unwrap();
    engine
        .set_setting("google.client_secret", CLIENT_SECRET)
        .unwrap();
    World { fake, engine, dir }
}

impl World {
    /// Connects the fake's user; returns the account id.
    pub async fn connect(&self) -> i64 {
        let (account, report) = self
            .engine
            .connect_google(browser, Utc::now())
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

    /// Requests for events listings since the log was last cleared.
    pub fn event_list_requests(&self) -> Vec<fake_google::RecordedRequest> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/events"))
            .collect()
    }
}

pub fn at(offset_hours: i64) -> DateTime<Utc> {
    let secs = Utc::now().timestamp();
    let hour = DateTime::from_timestamp(secs - secs.rem_euclid(3600), 0).unwrap();
    hour + chrono::Duration::hours(offset_hours)
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A one-hour timed event starting `offset_hours` from the current hour.
pub fn timed(id: &str, title: &str, offset_hours: i64) -> Value {
    json!({
        "id": id,
        "summary": title,
        "start": {"dateTime": rfc3339(at(offset_hours)), "timeZone": "UTC"},
        "end": {"dateTime": rfc3339(at(offset_hours + 1)), "timeZone": "UTC"},
    })
}
