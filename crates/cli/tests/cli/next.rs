//! `calbuddy next`: the status-bar line, its JSON and Waybar forms, from a synced account.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::harness::{Cli, EMAIL};

fn minutes_from_now(m: i64) -> String {
    (Utc::now() + Duration::minutes(m)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn event(id: &str, title: &str, from: i64, to: i64) -> Value {
    json!({"id": id, "summary": title,
           "start": {"dateTime": minutes_from_now(from)}, "end": {"dateTime": minutes_from_now(to)}})
}

#[tokio::test]
async fn next_shows_the_meeting_under_way_and_the_next_one() {
    let cli = Cli::new().await;
    let today = Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    cli.fake.put_event(EMAIL, event("now", "Stand-up", -5, 30));
    cli.fake
        .put_event(EMAIL, event("next", "Design review", 60, 120));
    cli.fake.put_event(EMAIL, event("later", "", 180, 200));
    cli.fake.put_event(
        EMAIL,
        json!({"id": "allday", "summary": "Holiday",
               "start": {"date": day(today)}, "end": {"date": day(today + Duration::days(1))}}),
    );
    let mut declined = event("declined", "Skipped", 10, 20);
    declined["attendees"] = json!([{"email": EMAIL, "self": true, "responseStatus": "declined"}]);
    cli.fake.put_event(EMAIL, declined);
    cli.ok(&["connect", "google"]).await;

    let line = cli.ok(&["next"]).await;
    assert!(
        line.starts_with("Now: Stand-up, ") && line.contains("min left · Design review in "),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");

    let value = cli.json(&["next", "--format", "json"]).await;
    let current = value["current"].as_array().unwrap();
    assert_eq!(
        current.len(),
        1,
        "all-day events are never current: {value}"
    );
    assert_eq!(current[0]["title"], "Stand-up");
    assert!(current[0]["ends_in_minutes"].as_i64().unwrap() > 0);
    assert_eq!(value["next"]["title"], "Design review");
    assert_eq!(value["next"]["provider"], "google");
    let starts = value["next"]["starts_in_minutes"].as_i64().unwrap();
    assert!((59..=61).contains(&starts), "{value}");

    let bar = cli.json(&["next", "--format", "waybar"]).await;
    assert_eq!(bar["class"], "ongoing");
    assert_eq!(bar["alt"], "ongoing");
    let tooltip = bar["tooltip"].as_str().unwrap();
    assert!(
        tooltip.contains("Design review") && tooltip.contains("(No title)"),
        "{tooltip}"
    );
    assert!(
        !tooltip.contains("Skipped") && !tooltip.contains("Holiday"),
        "{tooltip}"
    );
}

#[tokio::test]
async fn next_with_nothing_ahead_says_so_in_every_format() {
    let cli = Cli::new().await;
    cli.fake.put_event(
        EMAIL,
        event("far", "Next week", 3 * 24 * 60, 3 * 24 * 60 + 30),
    );
    cli.ok(&["connect", "google"]).await;
    assert_eq!(cli.ok(&["next"]).await, "Nothing in the next 24 hours\n");
    assert_eq!(
        cli.json(&["next", "--format", "json"]).await,
        json!({"current": [], "next": null})
    );
    let bar = cli.json(&["next", "--format", "waybar"]).await;
    assert_eq!(bar["class"], "idle");
    assert_eq!(bar["text"], "Nothing in the next 24 hours");
    let err = cli.fails(&["next", "--format", "xml"]).await;
    assert!(err.contains("xml"), "{err}");
}

#[tokio::test]
async fn next_soon_is_a_meeting_within_fifteen_minutes() {
    let cli = Cli::new().await;
    cli.fake.put_event(EMAIL, event("soon", "1:1", 10, 40));
    cli.ok(&["connect", "google"]).await;
    let bar = cli.json(&["next", "--format", "waybar"]).await;
    assert_eq!(bar["class"], "soon", "{bar}");
    assert!(
        bar["text"].as_str().unwrap().starts_with("1:1 in "),
        "{bar}"
    );
}
