//! `calbuddy search`: words in titles, locations and descriptions, as occurrences by day, with
//! the user's text never taken as search syntax.

use chrono::{Duration, Local};
use serde_json::Value;

use crate::harness::Cli;

fn titles(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn search_lists_matching_occurrences_in_the_shape_of_events() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    let standups = cli.json(&["search", "stand", "--json"]).await;
    let found = titles(&standups);
    assert!(found.len() > 100, "a year of weekdays: {}", found.len());
    assert!(found.iter().all(|t| *t == "Daily stand-up"), "{found:?}");
    let events = cli
        .json(&["events", "--from", "today", "--to", "today", "--json"])
        .await;
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&standups[0]), keys(&events[0]));

    let week = (Local::now().date_naive() + Duration::days(6)).to_string();
    let text = cli
        .ok(&[
            "search", "Team", "OFFSITE", "--from", "today", "--to", &week,
        ])
        .await;
    assert!(text.contains("Team offsite"), "{text}");
    let declined = cli.json(&["search", "quarterly", "--json"]).await;
    assert_eq!(titles(&declined), ["Quarterly planning (declined)"]);
}

#[tokio::test]
async fn hostile_queries_find_nothing_and_never_fail() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    for query in ["\"", "*", "NEAR(", "a OR", "stand AND", "' OR 1=1 --"] {
        let out = cli.run(&["search", query, "--json"]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{query}: {stderr}");
        assert!(
            !stderr.contains("fts5") && !stderr.contains("syntax"),
            "{stderr}"
        );
    }
    assert_eq!(
        cli.ok(&["search", "zzz-nothing"])
            .await
            .lines()
            .next()
            .unwrap(),
        format!(
            "No events match, from {} to {}.",
            Local::now().date_naive(),
            Local::now().date_naive() + Duration::days(365)
        )
    );
    let err = cli
        .fails(&["search", "stand", "--from", "tomorrow", "--to", "today"])
        .await;
    assert!(err.contains("--to"), "{err}");
}
