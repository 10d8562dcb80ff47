//! Day and number arguments out of range are clean errors, and events that began before the
//! listed days are shown under the first of them, saying when they began.

use chrono::{Duration, FixedOffset, NaiveDate, Utc};
use serde_json::json;

use crate::harness::{hours_from_now, Cli, EMAIL};

#[tokio::test]
async fn huge_spans_and_far_dates_are_clean_errors() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    let err = cli.fails(&["upcoming", "--days", "100000000"]).await;
    assert!(err.contains("3660"), "{err}");
    let err = cli
        .fails(&["events", "--from", "2026-01-01", "--to", "+262142-12-31"])
        .await;
    assert!(err.contains("9999"), "{err}");
    let err = cli
        .fails(&["events", "--from", "1000-01-01", "--to", "2026-01-01"])
        .await;
    assert!(err.contains("1900"), "{err}");
    // The edges themselves are fine.
    cli.ok(&["upcoming", "--days", "3660"]).await;
    cli.ok(&["events", "--from", "1900-01-01", "--to", "9999-12-31"])
        .await;
}

#[tokio::test]
async fn today_and_tomorrow_are_days_and_a_bad_day_is_one_usage_line() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    let today = cli
        .json(&["events", "--from", "today", "--to", "tomorrow", "--json"])
        .await;
    assert!(
        today
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["title"] == "Product sync"),
        "{today}"
    );
    let out = cli
        .run(&["events", "--from", "someday", "--to", "today"])
        .await;
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("calbuddy: error: invalid value 'someday' for '--from <DAY>'")
            && stderr.contains("today or tomorrow"),
        "{stderr}"
    );
}

#[tokio::test]
async fn an_event_that_began_yesterday_and_runs_now_is_listed_today() {
    let cli = Cli::new().await;
    // Kiritimati: UTC+14 all year.
    let zone = FixedOffset::east_opt(14 * 3600).unwrap();
    let today = Utc::now().with_timezone(&zone).date_naive();
    let yesterday = today - Duration::days(1);
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let late_yesterday = yesterday
        .and_hms_opt(23, 0, 0)
        .unwrap()
        .and_local_timezone(zone)
        .unwrap()
        .to_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    cli.fake.put_event(
        EMAIL,
        json!({"id": "n1", "summary": "Night shift",
        "start": {"dateTime": late_yesterday}, "end": {"dateTime": hours_from_now(2)}}),
    );
    cli.fake.put_event(
        EMAIL,
        json!({"id": "n2", "summary": "Conference",
        "start": {"date": day(yesterday)}, "end": {"date": day(today + Duration::days(2))}}),
    );
    cli.ok(&["connect", "google"]).await;
    let mut cmd = cli.command(&["upcoming"]);
    cmd.env("TZ", "Pacific/Kiritimati");
    let out = cli.run_with(cmd).await;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Today, "), "{text}");
    let yesterday_heading = yesterday.format("%a %d %b").to_string();
    assert!(
        lines.iter().all(|l| !l.starts_with(&yesterday_heading)),
        "{text}"
    );
    let shift = lines.iter().find(|l| l.contains("Night shift")).unwrap();
    let yesterday_name = yesterday.format("%a").to_string();
    assert!(shift.contains("now"), "{shift}");
    assert!(
        shift.contains(&format!("since {yesterday_name} 23:00")),
        "{shift}"
    );
    let conference = lines.iter().find(|l| l.contains("Conference")).unwrap();
    assert!(conference.contains("now"), "{conference}");
    assert!(
        conference.contains(&format!("since {yesterday_name}")),
        "{conference}"
    );
    // Both come first, under Today's heading.
    let before = lines
        .iter()
        .take_while(|l| !l.contains("Night shift") && !l.contains("Conference"))
        .count();
    assert_eq!(before, 1, "{text}");
}

#[tokio::test]
async fn events_far_outside_the_sync_window_are_expanded_from_the_stored_series() {
    let cli = Cli::new().await;
    // Mondays 09:00 Berlin since 2019, the 2019-01-14 instance deleted; synced now.
    cli.fake.put_event(
        EMAIL,
        json!({"id": "weekly", "summary": "Weekly",
        "start": {"dateTime": "2019-01-07T09:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2019-01-07T10:00:00", "timeZone": "Europe/Berlin"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO", "EXDATE;TZID=Europe/Berlin:20190114T090000"]}),
    );
    cli.ok(&["connect", "google"]).await;
    let early = listed_in_berlin(&cli, "2019-01-07", "2019-01-21").await;
    let starts: Vec<&str> = early.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(starts, ["2019-01-07T08:00:00Z", "2019-01-21T08:00:00Z"]);
    assert!(
        early[0].0.ends_with("@2019-01-07T08:00:00Z"),
        "{}",
        early[0].0
    );
    // Summer time in 2030.
    let late = listed_in_berlin(&cli, "2030-07-01", "2030-07-01").await;
    let starts: Vec<&str> = late.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(starts, ["2030-07-01T07:00:00Z"]);
}

/// (id, start) of `events --from --to --json` run in Berlin.
async fn listed_in_berlin(cli: &Cli, from: &str, to: &str) -> Vec<(String, String)> {
    let mut cmd = cli.command(&["events", "--from", from, "--to", to, "--json"]);
    cmd.env("TZ", "Europe/Berlin");
    let out = cli.run_with(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().into(),
                e["start"].as_str().unwrap().into(),
            )
        })
        .collect()
}
