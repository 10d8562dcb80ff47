//! Incremental sync of events: changes and tombstones since a token, 410, restrictions.

use fake_google::FakeGoogle;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

const PATH: &str = "/calendars/primary/events";

#[tokio::test]
async fn sync_token_returns_only_changes_and_tombstones() {
    let fake = FakeGoogle::start().await;
    fake.put_events(
        "primary",
        (1..=6)
            .map(|n| timed_event(&format!("ev{n}"), n, 9))
            .collect(),
    );
    let (token, _) = sign_in(&fake).await;
    let (items, sync) = list_all(&fake, &token, PATH, &[("maxResults", "4")]).await;
    assert_eq!(items.len(), 6);

    let (_, body) = get(&fake, &token, PATH, &[("syncToken", &sync)]).await;
    assert_eq!(body["items"], json!([]));
    let unchanged = body["nextSyncToken"].as_str().expect("sync").to_owned();

    let mut changed = timed_event("ev2", 2, 10);
    changed["summary"] = json!("Moved");
    fake.put_event("primary", changed);
    fake.delete_event("primary", "ev3");
    fake.put_event("primary", timed_event("ev7", 7, 9));
    let (items, next) = list_all(
        &fake,
        &token,
        PATH,
        &[("syncToken", &unchanged), ("maxResults", "2")],
    )
    .await;
    assert_eq!(ids(&items), ["ev2", "ev3", "ev7"]);
    assert_eq!(items[0]["summary"], "Moved");
    assert_eq!(items[1]["status"], "cancelled");
    assert!(items[1].get("summary").is_none());

    let (_, body) = get(&fake, &token, PATH, &[("syncToken", &next)]).await;
    assert_eq!(body["items"], json!([]));

    // A full listing leaves the deleted event out unless asked.
    let (_, body) = get(&fake, &token, PATH, &[]).await;
    assert!(!ids(body["items"].as_array().expect("items")).contains(&"ev3".to_owned()));
    let (_, body) = get(&fake, &token, PATH, &[("showDeleted", "true")]).await;
    assert!(ids(body["items"].as_array().expect("items")).contains(&"ev3".to_owned()));
}

#[tokio::test]
async fn invalidated_or_tampered_tokens_need_a_full_sync() {
    let fake = FakeGoogle::start().await;
    fake.add_calendar("team@group.calendar.google.com", "Team", "#16a765");
    let (token, _) = sign_in(&fake).await;
    let (_, sync) = list_all(&fake, &token, PATH, &[]).await;
    let expected = json!({"error": {"errors": [{"domain": "global", "reason": "fullSyncRequired",
        "message": "Sync token is no longer valid, a full sync is required.",
        "locationType": "parameter", "location": "syncToken"}],
        "code": 410, "message": "Sync token is no longer valid, a full sync is required."}});

    let mut tampered = sync.clone().into_bytes();
    tampered[5] = if tampered[5] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let (status, body) = get(&fake, &token, PATH, &[("syncToken", &tampered)]).await;
    assert_eq!((status, &body), (StatusCode::GONE, &expected));
    let (status, _) = get(
        &fake,
        &token,
        &events_path("team@group.calendar.google.com"),
        &[("syncToken", &sync)],
    )
    .await;
    assert_eq!(status, StatusCode::GONE, "a token of another calendar");

    assert_eq!(
        get(&fake, &token, PATH, &[("syncToken", &sync)]).await.0,
        StatusCode::OK
    );
    fake.invalidate_sync_tokens("user@example.com");
    let (status, body) = get(&fake, &token, PATH, &[("syncToken", &sync)]).await;
    assert_eq!((status, &body), (StatusCode::GONE, &expected));
    let (_, fresh) = list_all(&fake, &token, PATH, &[]).await;
    assert_eq!(
        get(&fake, &token, PATH, &[("syncToken", &fresh)]).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sync_token_cannot_be_combined_with_restrictions() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    let (_, sync) = list_all(&fake, &token, PATH, &[]).await;
    for (name, value) in [
        ("timeMin", "2024-01-01T00:00:00Z"),
        ("timeMax", "2024-01-01T00:00:00Z"),
        ("updatedMin", "2024-01-01T00:00:00Z"),
        ("orderBy", "updated"),
        ("q", "x"),
        ("iCalUID", "x@google.com"),
        ("showDeleted", "false"),
    ] {
        let (status, body) = get(&fake, &token, PATH, &[("syncToken", &sync), (name, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(
            body["error"]["errors"][0]["reason"],
            "syncTokenWithRequestRestrictions"
        );
    }
    let allowed = [
        ("syncToken", sync.as_str()),
        ("showDeleted", "true"),
        ("singleEvents", "true"),
    ];
    assert_eq!(get(&fake, &token, PATH, &allowed).await.0, StatusCode::OK);
}

#[tokio::test]
async fn events_added_while_paging_come_in_the_next_sync() {
    let fake = FakeGoogle::start().await;
    fake.put_events(
        "primary",
        (1..=4)
            .map(|n| timed_event(&format!("b{n}"), n, 9))
            .collect(),
    );
    let (token, _) = sign_in(&fake).await;
    let (_, first) = get(&fake, &token, PATH, &[("maxResults", "2")]).await;
    fake.put_event("primary", timed_event("a0", 9, 9)); // sorts before the page cursor
    let page = first["nextPageToken"].as_str().expect("page");
    let (_, last) = get(
        &fake,
        &token,
        PATH,
        &[("maxResults", "2"), ("pageToken", page)],
    )
    .await;
    assert_eq!(ids(last["items"].as_array().expect("items")), ["b3", "b4"]);
    let sync = last["nextSyncToken"].as_str().expect("sync");
    let (_, body) = get(&fake, &token, PATH, &[("syncToken", sync)]).await;
    assert_eq!(ids(body["items"].as_array().expect("items")), ["a0"]);
}

#[tokio::test]
async fn sync_of_series_reports_instances_and_deleted_masters() {
    let fake = FakeGoogle::start().await;
    fake.put_event(
        "primary",
        json!({
            "id": "series", "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
            "start": {"dateTime": "2024-01-01T09:00:00Z", "timeZone": "UTC"},
            "end": {"dateTime": "2024-01-01T10:00:00Z", "timeZone": "UTC"},
        }),
    );
    let (token, _) = sign_in(&fake).await;
    let single = [("singleEvents", "true")];
    let (items, sync) = list_all(&fake, &token, PATH, &single).await;
    assert_eq!(items.len(), 3);

    fake.delete_event("primary", "series_20240102T090000Z");
    let (items, sync) = list_all(
        &fake,
        &token,
        PATH,
        &[("singleEvents", "true"), ("syncToken", &sync)],
    )
    .await;
    assert_eq!(ids(&items), ["series_20240102T090000Z"]);
    assert_eq!(items[0]["status"], "cancelled");
    assert_eq!(items[0]["recurringEventId"], "series");

    fake.delete_event("primary", "series");
    let (items, _) = list_all(
        &fake,
        &token,
        PATH,
        &[("singleEvents", "true"), ("syncToken", &sync)],
    )
    .await;
    assert_eq!(
        ids(&items),
        ["series"],
        "the cancelled master stands for its instances"
    );
    assert_eq!(items[0]["status"], "cancelled");
    let (items, _) = list_all(&fake, &token, PATH, &single).await;
    assert!(items.is_empty());
}

#[tokio::test]
async fn changed_series_are_expanded_over_the_window_of_the_full_sync() {
    let fake = FakeGoogle::start().await;
    let mut series = json!({
        "id": "daily", "summary": "Old", "recurrence": ["RRULE:FREQ=DAILY"],
        "start": {"dateTime": "2020-01-01T09:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2020-01-01T10:00:00Z", "timeZone": "UTC"},
    });
    fake.put_event("primary", series.clone());
    let (token, _) = sign_in(&fake).await;
    let window = [
        ("singleEvents", "true"),
        ("timeMin", "2024-01-01T00:00:00Z"),
        ("timeMax", "2024-01-08T00:00:00Z"),
    ];
    let (items, sync) = list_all(&fake, &token, PATH, &window).await;
    assert_eq!(items.len(), 7);
    assert_eq!(items[0]["id"], "daily_20240101T090000Z");

    series["summary"] = json!("New");
    fake.put_event("primary", series);
    let (items, sync) = list_all(
        &fake,
        &token,
        PATH,
        &[("singleEvents", "true"), ("syncToken", &sync)],
    )
    .await;
    assert_eq!(items.len(), 7);
    assert_eq!(items[6]["id"], "daily_20240107T090000Z");
    assert!(items.iter().all(|item| item["summary"] == "New"));
    let (items, _) = list_all(
        &fake,
        &token,
        PATH,
        &[("singleEvents", "true"), ("syncToken", &sync)],
    )
    .await;
    assert!(items.is_empty());
}
