//! Microsoft figures against the local fake identity platform + Graph: the first sync of
//! 10,000 events (calendarView delta pages of `PAGE_SIZE`) in a child process that also reports
//! its peak memory, and the no-change sync of one account (one delta request per calendar).

use std::time::Instant;

use calbuddy_engine::{Engine, EngineConfig};
use chrono::{DateTime, Duration as Span, Utc};
use fake_microsoft::FakeMicrosoft;
use serde_json::{json, Value};

use crate::{ms, peak_rss_kib, INCREMENTAL_RUNS, SYNC_EVENTS};

/// The child process: one sync of every account in CALBUDDY_DATA_DIR, a check that it stored
/// the `args[0]` events it was meant to, then its figures: micros and peak KiB.
pub async fn child(args: &[String]) {
    let expected: u64 = args
        .first()
        .and_then(|n| n.parse().ok())
        .expect("the number of events to expect");
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
    let stored = engine.store().event_count().await.expect("count");
    assert_eq!(stored as u64, expected, "every event was stored");
    println!("{} {}", elapsed.as_micros(), peak_rss_kib());
}

fn env_for(fake: &FakeMicrosoft, data: &std::path::Path) -> Vec<(&'static str, String)> {
    vec![
        ("CALBUDDY_DATA_DIR", data.display().to_string()),
        ("CALBUDDY_SECRET_STORE", "file".into()),
        (
            "CALBUDDY_MICROSOFT_CLIENT_ID",
            FakeMicrosoft::CLIENT_ID.into(),
        ),
        ("CALBUDDY_MICROSOFT_AUTH_URL", fake.auth_url()),
        ("CALBUDDY_MICROSOFT_TOKEN_URL", fake.token_url()),
        ("CALBUDDY_MICROSOFT_GRAPH_URL", fake.graph_url()),
    ]
}

/// A realistic Outlook event: a Windows zone, an HTML body, a room, an answer, a Teams link
/// for some.
fn outlook_event(i: usize, now: DateTime<Utc>) -> Value {
    // A UTC reading taken as a Berlin wall-clock time: spread over the window is all that
    // matters here.
    let offset = Span::minutes((i as i64 * 17) % (120 * 24 * 60)) - Span::days(30);
    let berlin = (now + offset).naive_utc();
    let end = berlin + Span::minutes(30 + (i as i64 % 4) * 15);
    let local = |t: chrono::NaiveDateTime| format!("{}.0000000", t.format("%Y-%m-%dT%H:%M:%S"));
    let mut event = json!({
        "id": format!("AAMkBench{i:06}="),
        "subject": format!("Meeting number {i} about the quarterly roadmap"),
        "body": {"contentType": "html", "content": "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><div><p>Agenda:</p><ol><li>Status of the launch</li><li>Risks and mitigations</li><li>Next steps and owners</li></ol><p>Please read the doc before the meeting.</p></div></body></html>"},
        "location": {"displayName": "Conference room 4.12, Main building"},
        "start": {"dateTime": local(berlin), "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": local(end), "timeZone": "W. Europe Standard Time"},
        "showAs": "busy",
        "responseStatus": {"response": "accepted", "time": "2026-11-30T10:00:00Z"},
        "attendees": [
            {"emailAddress": {"name": "Alex", "address": "alex@contoso.example"}, "type": "required",
             "status": {"response": "accepted", "time": "2026-11-30T10:00:00Z"}},
            {"emailAddress": {"name": "Sam", "address": "sam@contoso.example"}, "type": "optional",
             "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}}
        ],
    });
    if i.is_multiple_of(3) {
        event["isOnlineMeeting"] = json!(true);
        event["onlineMeetingProvider"] = json!("teamsForBusiness");
        event["onlineMeeting"] = json!({"joinUrl": format!(
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{i:06}%40thread.v2/0")});
    }
    event
}

/// The Microsoft figures against the fake.
pub async fn benchmarks() {
    let fake = FakeMicrosoft::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let vars = env_for(&fake, &data);
    let engine = crate::child::engine_in(&vars).await;
    let (account, _) = engine
        .connect_microsoft(crate::child::consent, Utc::now())
        .await
        .expect("connect");

    // 1. First sync of 10,000 events: a new calendar, synced by a child process.
    let now = Utc::now();
    let big = fake.add_calendar(json!({"name": "Big calendar", "hexColor": "#336699"}));
    fake.put_events(
        &big,
        (0..SYNC_EVENTS).map(|i| outlook_event(i, now)).collect(),
    );
    fake.clear_requests();
    let events = SYNC_EVENTS.to_string();
    let out = crate::child::run(&["--microsoft-child", &events], &vars).await;
    let (micros, peak_kib) = (out[0], out[1]);
    let pages = fake.count_requests("/calendarView/delta");
    println!(
        "microsoft: first sync of {SYNC_EVENTS} events: {:>8.1} ms   ({pages} delta requests; target <= 1000 ms)",
        micros as f64 / 1000.0
    );
    println!(
        "microsoft: peak memory of that sync (VmHWM): {:>8.1} MB   (target <= 60 MB)",
        peak_kib as f64 / 1024.0
    );

    // 2. Incremental sync with no change.
    let (unchanged, calendars) = crate::unchanged_syncs(&engine, account.id).await;
    println!(
        "microsoft: incremental sync, no change: {:>8.2} ms   median of {INCREMENTAL_RUNS}, one account with {calendars} calendars (target <= 50 ms)",
        ms(unchanged)
    );
}
