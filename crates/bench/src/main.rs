//! Benchmark harness: measures the engine against the local fake Google and prints figures.
//! Run it with `cargo run --release -p calbuddy-bench` (the README records its output).
//!
//! - first sync of 10,000 events (in a child process, which also reports its peak memory);
//! - incremental sync with no change, per account;
//! - the `upcoming` query over 100,000 stored events;
//! - Microsoft Graph: the same first-sync and no-change figures against the local fake
//!   Microsoft (`microsoft.rs`);
//! - ICS subscriptions (`ics.rs`, on the feed of `feed.rs`) and the corpus expansion against
//!   recurring-ical-events (`corpus.rs`);
//! - CalDAV against a real Radicale, with the floor and vdirsyncer (`caldav.rs`, through the
//!   recording proxy of `recorder.rs`).
//!
//! - `calbuddy next` as a status bar polls it, a whole process over 100,000 events (`next.rs`).
//!
//! Arguments `google`, `microsoft`, `ics`, `corpus`, `caldav`, `next` run only those groups (all of them without
//! arguments).

mod caldav;
mod child;
mod corpus;
mod feed;
mod ics;
mod microsoft;
mod next;
mod recorder;

use std::path::Path;
use std::time::{Duration, Instant};

use calbuddy_engine::model::{EventStatus, EventTime, RemoteCalendar, RemoteEvent, SyncWindow};
use calbuddy_engine::store::{EventFilter, QueryRange, Store};
use calbuddy_engine::sync::plan::Plan;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::{DateTime, Duration as Span, Utc};
use fake_google::{FakeGoogle, CLIENT_ID, CLIENT_SECRET};
use serde_json::{json, Value};

const SYNC_EVENTS: usize = 10_000;
const QUERY_EVENTS: usize = 100_000;
const INCREMENTAL_RUNS: usize = 30;
const QUERY_RUNS: usize = 500;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--sync-child") => runtime.block_on(sync_child()),
        Some("--ics-child") => runtime.block_on(ics::child(&args[1..])),
        Some("--caldav-child") => runtime.block_on(caldav::child(&args[1..])),
        Some("--microsoft-child") => runtime.block_on(microsoft::child(&args[1..])),
        _ => {
            println!(
                "Calendar Buddy benchmarks ({} cores)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
            let wanted = |group: &str| args.is_empty() || args.iter().any(|a| a == group);
            if wanted("google") {
                runtime.block_on(benchmarks());
            }
            if wanted("microsoft") {
                runtime.block_on(microsoft::benchmarks());
            }
            if wanted("ics") {
                runtime.block_on(ics::benchmarks());
            }
            if wanted("corpus") {
                corpus::benchmarks();
            }
            if wanted("caldav") {
                runtime.block_on(caldav::benchmarks());
            }
            if wanted("next") {
                runtime.block_on(next::benchmarks());
            }
        }
    }
}

/// The child process: one sync of every account in CALBUDDY_DATA_DIR, then its figures.
async fn sync_child() {
    if std::env::var_os("CALBUDDY_LOG").is_some() {
        calbuddy_engine::logging::init();
    }
    let engine = Engine::open(EngineConfig::from_env().expect("config"))
        .await
        .expect("engine");
    let started = Instant::now();
    let reports = engine.sync(None, Utc::now()).await.expect("sync");
    let elapsed = started.elapsed();
    for report in reports {
        let report = report.expect("account sync");
        assert!(report.ok(), "{report:?}");
    }
    println!("{} {}", elapsed.as_micros(), peak_rss_kib());
}

/// Peak resident set of this process (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn env_for(fake: &FakeGoogle, data: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("CALBUDDY_DATA_DIR", data.display().to_string()),
        ("CALBUDDY_SECRET_STORE", "file".into()),
        ("CALBUDDY_GOOGLE_CLIENT_ID", CLIENT_ID.into()),
        ("CALBUDDY_GOOGLE_CLIENT_SECRET", CLIENT_SECRET.into()),
        ("CALBUDDY_GOOGLE_AUTH_URL", fake.auth_url()),
        ("CALBUDDY_GOOGLE_TOKEN_URL", fake.token_url()),
        ("CALBUDDY_GOOGLE_REVOKE_URL", fake.revoke_url()),
        ("CALBUDDY_GOOGLE_API_URL", fake.api_url()),
    ]
}

/// A realistic event: title, description, location, attendees, a meeting link for some.
fn google_event(i: usize, now: DateTime<Utc>) -> Value {
    let start = now + Span::minutes((i as i64 * 17) % (120 * 24 * 60)) - Span::days(30);
    let end = start + Span::minutes(30 + (i as i64 % 4) * 15);
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut event = json!({
        "id": format!("bench{i:06}"),
        "summary": format!("Meeting number {i} about the quarterly roadmap"),
        "description": "Agenda:\n1. Status of the launch\n2. Risks and mitigations\n3. Next steps and owners\nPlease read the doc before the meeting.",
        "location": "Conference room 4.12, Main building",
        "start": {"dateTime": rfc(start), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": rfc(end), "timeZone": "Europe/Berlin"},
        "attendees": [
            {"email": "user@example.com", "self": true, "responseStatus": "accepted"},
            {"email": "alex@example.com", "responseStatus": "accepted"},
            {"email": "sam@example.com", "responseStatus": "needsAction"}
        ],
    });
    if i.is_multiple_of(3) {
        event["hangoutLink"] = json!(format!("https://meet.google.com/abc-defg-{:03}", i % 1000));
    }
    if i.is_multiple_of(100) {
        event["recurrence"] = json!(["RRULE:FREQ=WEEKLY;COUNT=10"]);
    }
    event
}

/// The Google figures against the fake.
async fn benchmarks() {
    let fake = FakeGoogle::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let vars = env_for(&fake, &data);
    let engine = crate::child::engine_in(&vars).await;
    let (account, _) = engine
        .connect_google(crate::child::consent, Utc::now())
        .await
        .expect("connect");

    // 1. First sync of 10,000 events: a new calendar, synced by a child process.
    let now = Utc::now();
    fake.add_calendar("big", "Big calendar", "#336699");
    fake.put_events(
        "big",
        (0..SYNC_EVENTS).map(|i| google_event(i, now)).collect(),
    );
    let out = child::run(&["--sync-child"], &vars).await;
    let (micros, peak_kib) = (out[0], out[1]);
    println!(
        "first sync of {SYNC_EVENTS} events:       {:>8.1} ms   (target <= 1000 ms)",
        micros as f64 / 1000.0
    );
    println!(
        "peak memory of that sync (VmHWM): {:>8.1} MB   (target <= 60 MB)",
        peak_kib as f64 / 1024.0
    );

    // 2. Incremental sync with no change.
    let (unchanged, calendars) = unchanged_syncs(&engine, account.id).await;
    println!(
        "incremental sync, no change:      {:>8.2} ms   median of {INCREMENTAL_RUNS}, one account with {calendars} calendars (target <= 50 ms)",
        ms(unchanged)
    );

    // 3. `upcoming` over 100,000 stored events.
    let store = Store::open(&dir.path().join("query.db"))
        .await
        .expect("store");
    seed_store(&store, QUERY_EVENTS, now).await;
    let filter = EventFilter {
        include_declined: false,
        limit: Some(20),
    };
    let mut runs = Vec::with_capacity(QUERY_RUNS);
    for _ in 0..QUERY_RUNS {
        let range = QueryRange::new(now, now + Span::days(7), &chrono::Local);
        let started = Instant::now();
        let events = store.events_between(range, filter).await.expect("query");
        runs.push(started.elapsed());
        assert_eq!(events.len(), 20);
    }
    println!(
        "upcoming over {QUERY_EVENTS} events:         {:>8.2} ms   median of {QUERY_RUNS}, p99 {:.2} ms (target <= 5 ms)",
        ms(median(&mut runs)),
        ms(percentile(&mut runs, 0.99))
    );
}

/// Stores `n` single events spread over 30 days back and 90 ahead, straight through the store.
async fn seed_store(store: &Store, n: usize, now: DateTime<Utc>) {
    let (account, _) = store
        .upsert_account("google", "q@x", "q@x", now)
        .await
        .expect("account");
    store
        .reconcile_calendars(
            account,
            &[RemoteCalendar {
                external_id: "q@x".into(),
                name: "Query".into(),
                color: None,
                time_zone: None,
                primary: true,
                read_only: false,
            }],
        )
        .await
        .expect("calendar");
    let calendar = store.calendars(None).await.expect("calendars")[0].id;
    let upserts = (0..n)
        .map(|i| {
            let start = now - Span::days(30) + Span::seconds((i as i64 * 104) % (120 * 86_400));
            let at = |t| EventTime::DateTime { utc: t, tz: None };
            RemoteEvent {
                external_id: format!("q{i:06}"),
                title: format!("Event {i}"),
                description: Some("Agenda and notes".into()),
                location: Some("Room 1".into()),
                start: at(start),
                end: at(start + Span::minutes(45)),
                recurrence: vec![],
                series: None,
                status: EventStatus::Confirmed,
                my_response: None,
                meeting_url: None,
                etag: None,
                updated: None,
                details: Default::default(),
            }
        })
        .collect();
    let plan = Plan {
        upserts,
        deletes: vec![],
        resources: vec![],
        cursor: None,
        full: true,
        unchanged: 0,
    };
    store
        .apply_plan(calendar, &plan, SyncWindow::around(now, 30, 90), now)
        .await
        .expect("seed");
}

/// Syncs an account with nothing changed [`INCREMENTAL_RUNS`] times: the median time and how
/// many calendars it has.
async fn unchanged_syncs(engine: &Engine, account: i64) -> (Duration, usize) {
    let mut runs = Vec::with_capacity(INCREMENTAL_RUNS);
    for _ in 0..INCREMENTAL_RUNS {
        let started = Instant::now();
        let report = engine.sync(Some(account), Utc::now()).await.expect("sync");
        runs.push(started.elapsed());
        assert!(report[0].as_ref().is_ok_and(|r| r.ok()));
    }
    let calendars = engine.calendars().await.expect("calendars").len();
    (median(&mut runs), calendars)
}

fn median(runs: &mut [Duration]) -> Duration {
    percentile(runs, 0.5)
}

fn percentile(runs: &mut [Duration], p: f64) -> Duration {
    runs.sort();
    runs[((runs.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
