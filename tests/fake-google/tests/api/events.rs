//! events.list on a full listing: fields, paging, time windows, ordering, expansion, errors.

use std::time::Instant;

use fake_google::FakeGoogle;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

const TEAM: &str = "team@group.calendar.google.com";

#[tokio::test]
async fn stored_events_carry_server_fields() {
    let fake = FakeGoogle::start().await;
    let stored = fake.put_event(
        "primary",
        json!({
            "summary": "Lunch",
            "start": {"date": "2024-01-02"},
            "end": {"date": "2024-01-03"},
        }),
    );
    let id = stored["id"].as_str().expect("id");
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)));
    for field in ["etag", "updated", "created", "htmlLink", "iCalUID"] {
        assert!(stored[field].is_string(), "{field}");
    }
    assert_eq!(stored["status"], "confirmed");
    assert_eq!(stored["kind"], "calendar#event");

    let (token, _) = sign_in(&fake).await;
    let (status, body) = get(&fake, &token, &events_path("user@example.com"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["kind"], "calendar#events");
    assert_eq!(body["summary"], "user@example.com");
    assert_eq!(body["timeZone"], "UTC");
    assert_eq!(body["accessRole"], "owner");
    assert!(body["updated"].is_string() && body["etag"].is_string());
    assert!(body["defaultReminders"].is_array());
    assert_eq!(body["items"], json!([stored]));
    let (_, by_keyword) = get(&fake, &token, "/calendars/primary/events", &[]).await;
    assert_eq!(by_keyword["items"], body["items"]);
    let logged = fake.requests();
    assert_eq!(
        logged.last().map(|r| r.path.as_str()),
        Some("/calendar/v3/calendars/primary/events")
    );
    assert!(logged
        .iter()
        .any(|r| r.path == "/calendar/v3/calendars/user@example.com/events"));
}

#[tokio::test]
async fn pages_hold_max_results_and_repeat_the_query() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar(TEAM, "Team", "#16a765");
    fake.put_events(
        TEAM,
        (1..=25)
            .map(|n| timed_event(&format!("ev{n:03}"), n, 9))
            .collect(),
    );
    let (token, _) = sign_in(&fake).await;
    let path = events_path(TEAM);
    let (items, _) = list_all(&fake, &token, &path, &[("maxResults", "10")]).await;
    assert_eq!(items.len(), 25);
    let mut expected: Vec<String> = (1..=25).map(|n| format!("ev{n:03}")).collect();
    expected.sort();
    assert_eq!(ids(&items), expected);
    let pages: Vec<usize> = fake
        .requests()
        .iter()
        .filter(|request| request.path.ends_with("/events"))
        .map(|request| request.query.len())
        .collect();
    assert_eq!(pages, [1, 2, 2]);

    let (_, first) = get(&fake, &token, &path, &[("maxResults", "10")]).await;
    let page = first["nextPageToken"].as_str().expect("page token");
    let (status, body) = get(&fake, &token, &path, &[("pageToken", page), ("q", "Event")]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a page must repeat the query: {body}"
    );
    let (status, _) = get(&fake, &token, &path, &[("pageToken", "tampered")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn time_window_keeps_overlapping_events() {
    let fake = FakeGoogle::start().await;
    fake.put_events(
        "primary",
        vec![
            timed_event("early", 1, 8),  // 08:00-09:00, ends at timeMin: out
            timed_event("inside", 1, 9), // 09:00-10:00
            timed_event("late", 1, 11),  // starts at timeMax: out
            json!({"id": "allday", "start": {"date": "2024-01-01"}, "end": {"date": "2024-01-02"}}),
            json!({"id": "weekly", "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=2"],
               "start": {"dateTime": "2023-12-01T09:00:00Z", "timeZone": "UTC"},
               "end": {"dateTime": "2023-12-01T10:00:00Z", "timeZone": "UTC"}}),
            json!({"id": "forever", "recurrence": ["RRULE:FREQ=DAILY"],
               "start": {"dateTime": "2023-12-01T09:00:00Z", "timeZone": "UTC"},
               "end": {"dateTime": "2023-12-01T10:00:00Z", "timeZone": "UTC"}}),
        ],
    );
    let (token, _) = sign_in(&fake).await;
    let window = [
        ("timeMin", "2024-01-01T09:00:00Z"),
        ("timeMax", "2024-01-01T12:00:00+01:00"),
    ];
    let (status, body) = get(&fake, &token, "/calendars/primary/events", &window).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().expect("items");
    assert_eq!(ids(items), ["allday", "forever", "inside"]);

    let (status, body) = get(
        &fake,
        &token,
        "/calendars/primary/events",
        &[
            ("timeMin", "2024-01-01T09:00:00Z"),
            ("timeMax", "2024-01-01T09:00:00Z"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["errors"][0]["reason"], "timeRangeEmpty");
    for bad in ["2024-01-01T09:00:00", "2024-01-01", "yesterday"] {
        let (status, _) = get(
            &fake,
            &token,
            "/calendars/primary/events",
            &[("timeMin", bad)],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn single_events_expand_series_with_exceptions() {
    let fake = FakeGoogle::start().await;
    fake.put_event(
        "primary",
        json!({
            "id": "standup", "summary": "Standup",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=5", "EXDATE;TZID=Europe/Paris:20240104T090000"],
            "start": {"dateTime": "2024-01-01T09:00:00+01:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2024-01-01T09:15:00+01:00", "timeZone": "Europe/Paris"},
        }),
    );
    // The 2nd instance moved by an hour, the 3rd cancelled.
    fake.put_event("primary", json!({
        "id": "standup_20240102T080000Z", "summary": "Standup (late)",
        "recurringEventId": "standup",
        "originalStartTime": {"dateTime": "2024-01-02T09:00:00+01:00", "timeZone": "Europe/Paris"},
        "start": {"dateTime": "2024-01-02T10:00:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2024-01-02T10:15:00+01:00", "timeZone": "Europe/Paris"},
    }));
    fake.delete_event("primary", "standup_20240103T080000Z");
    fake.put_event("primary", timed_event("single", 2, 7));
    let (token, _) = sign_in(&fake).await;
    let path = "/calendars/primary/events";

    let (items, _) = list_all(
        &fake,
        &token,
        path,
        &[("singleEvents", "true"), ("maxResults", "2")],
    )
    .await;
    assert_eq!(
        ids(&items),
        [
            "single",
            "standup_20240101T080000Z",
            "standup_20240102T080000Z",
            "standup_20240105T080000Z"
        ]
    );
    let first = &items[1];
    assert_eq!(first["recurringEventId"], "standup");
    assert_eq!(
        first["originalStartTime"],
        json!({"dateTime": "2024-01-01T09:00:00+01:00", "timeZone": "Europe/Paris"})
    );
    assert_eq!(first["start"], first["originalStartTime"]);
    assert_eq!(first["end"]["dateTime"], "2024-01-01T09:15:00+01:00");
    assert!(first.get("recurrence").is_none());
    assert_eq!(first["iCalUID"], "standup@google.com");
    assert_eq!(items[2]["summary"], "Standup (late)");

    let (_, body) = get(
        &fake,
        &token,
        path,
        &[("singleEvents", "true"), ("orderBy", "startTime")],
    )
    .await;
    assert_eq!(
        ids(body["items"].as_array().expect("items")),
        [
            "standup_20240101T080000Z",
            "single",
            "standup_20240102T080000Z",
            "standup_20240105T080000Z"
        ]
    );
    let (_, body) = get(
        &fake,
        &token,
        path,
        &[("singleEvents", "true"), ("showDeleted", "true")],
    )
    .await;
    assert!(ids(body["items"].as_array().expect("items"))
        .contains(&"standup_20240103T080000Z".to_owned()));

    // Without expansion: the master, the moved exception, and the cancelled exception.
    let (_, body) = get(&fake, &token, path, &[]).await;
    let items: Vec<Value> = body["items"].as_array().expect("items").clone();
    assert_eq!(
        ids(&items),
        [
            "single",
            "standup",
            "standup_20240102T080000Z",
            "standup_20240103T080000Z"
        ]
    );
    assert_eq!(
        items[3],
        json!({
            "kind": "calendar#event", "etag": items[3]["etag"], "id": "standup_20240103T080000Z",
            "status": "cancelled", "recurringEventId": "standup",
            "originalStartTime": {"dateTime": "2024-01-03T09:00:00+01:00", "timeZone": "Europe/Paris"},
        })
    );

    let window = [
        ("singleEvents", "true"),
        ("timeMin", "2024-01-02T00:00:00Z"),
        ("timeMax", "2024-01-03T00:00:00Z"),
    ];
    let (_, body) = get(&fake, &token, path, &window).await;
    assert_eq!(
        ids(body["items"].as_array().expect("items")),
        ["single", "standup_20240102T080000Z"]
    );
}

#[tokio::test]
async fn all_day_series_instances_use_dates() {
    let fake = FakeGoogle::start().await;
    fake.put_event(
        "primary",
        json!({
            "id": "bday", "recurrence": ["RRULE:FREQ=YEARLY;UNTIL=20260101"],
            "start": {"date": "2024-03-10"}, "end": {"date": "2024-03-11"},
        }),
    );
    let (token, _) = sign_in(&fake).await;
    let (_, body) = get(
        &fake,
        &token,
        "/calendars/primary/events",
        &[("singleEvents", "true")],
    )
    .await;
    let items = body["items"].as_array().expect("items");
    assert_eq!(ids(items), ["bday_20240310", "bday_20250310"]);
    assert_eq!(items[1]["start"], json!({"date": "2025-03-10"}));
    assert_eq!(items[1]["end"], json!({"date": "2025-03-11"}));
    assert_eq!(items[1]["originalStartTime"], json!({"date": "2025-03-10"}));
}

#[tokio::test]
async fn list_errors_have_google_bodies() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    let (status, body) = get(
        &fake,
        &token,
        &events_path("nobody@group.calendar.google.com"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["errors"][0]["reason"], "notFound");
    assert_eq!(body["error"]["code"], 404);

    let (status, body) = get(
        &fake,
        &token,
        "/calendars/primary/events",
        &[("orderBy", "startTime")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["errors"][0]["reason"], "badRequest");
    assert_eq!(
        body["error"]["message"],
        "The requested ordering is not available for the particular query."
    );
    for (name, value) in [
        ("maxResults", "-1"),
        ("singleEvents", "1"),
        ("orderBy", "title"),
        ("timeZone", "Mars/Base"),
    ] {
        let (status, _) = get(&fake, &token, "/calendars/primary/events", &[(name, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}");
    }
    let response = client()
        .get(format!("{}/calendars/primary/events", fake.api_url()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(!fake.requests().last().expect("logged").authorized);
}

#[tokio::test]
async fn ten_thousand_events_sync_quickly() {
    let fake = FakeGoogle::start().await;
    let events = (0..10_000)
        .map(|n| {
            let mut event = timed_event(&format!("bulk{n:05}"), 1 + n % 28, n % 20);
            event["description"] = json!("x".repeat(200));
            event
        })
        .collect();
    fake.put_events("primary", events);
    let (token, _) = sign_in(&fake).await;
    let started = Instant::now();
    let (items, _) = list_all(
        &fake,
        &token,
        "/calendars/primary/events",
        &[("maxResults", "2500")],
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(items.len(), 10_000);
    eprintln!("10,000 events listed in {elapsed:?}");
    assert!(elapsed.as_secs_f64() < 5.0, "listing took {elapsed:?}");
    let started = Instant::now();
    let (items, _) = list_all(&fake, &token, "/calendars/primary/events", &[]).await;
    assert_eq!(items.len(), 10_000);
    eprintln!(
        "10,000 events listed in pages of 250 in {:?}",
        started.elapsed()
    );
}
