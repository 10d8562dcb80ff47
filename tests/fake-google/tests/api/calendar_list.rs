//! calendarList.list: entries, paging, sync tokens with deleted entries.

use fake_google::FakeGoogle;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

const LIST: &str = "/users/me/calendarList";

#[tokio::test]
async fn primary_calendar_entry_has_google_fields() {
    let fake = FakeGoogle::start().await;
    fake.set_user_email("ada@example.com");
    let (token, _) = sign_in(&fake).await;
    let (status, body) = get(&fake, &token, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["kind"], "calendar#calendarList");
    assert!(body["etag"].is_string());
    assert!(body["nextSyncToken"].is_string());
    assert!(body.get("nextPageToken").is_none());
    let entry = &body["items"][0];
    assert_eq!(entry["kind"], "calendar#calendarListEntry");
    assert_eq!(entry["id"], "ada@example.com");
    assert_eq!(entry["summary"], "ada@example.com");
    assert_eq!(entry["primary"], true);
    assert_eq!(entry["accessRole"], "owner");
    assert_eq!(entry["timeZone"], "UTC");
    for field in ["etag", "backgroundColor", "foregroundColor", "colorId"] {
        assert!(entry[field].is_string(), "{field}");
    }
    assert_eq!(entry["selected"], true);
}

#[tokio::test]
async fn paging_and_sync_report_added_and_removed_calendars() {
    let fake = FakeGoogle::start().await;
    for n in 0..5 {
        fake.add_calendar(
            &format!("c{n}@group.calendar.google.com"),
            &format!("C{n}"),
            "#16a765",
        );
    }
    let (token, _) = sign_in(&fake).await;
    let (items, sync) = list_all(&fake, &token, LIST, &[("maxResults", "2")]).await;
    assert_eq!(items.len(), 6);
    assert!(items[1..].iter().all(|item| item.get("primary").is_none()));
    let pages = fake
        .requests()
        .iter()
        .filter(|request| request.path.ends_with("/calendarList"))
        .count();
    assert_eq!(pages, 3);

    fake.remove_calendar("c1@group.calendar.google.com");
    fake.add_calendar("new@group.calendar.google.com", "New", "#ff7537");
    let (status, body) = get(&fake, &token, LIST, &[("syncToken", &sync)]).await;
    assert_eq!(status, StatusCode::OK);
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], "c1@group.calendar.google.com");
    assert_eq!(items[0]["deleted"], true);
    assert_eq!(items[1]["summary"], "New");

    let (_, body) = get(&fake, &token, LIST, &[]).await;
    let listed: Vec<&Value> = body["items"].as_array().expect("items").iter().collect();
    assert_eq!(listed.len(), 6, "the removed calendar is left out");
    let (_, body) = get(&fake, &token, LIST, &[("showDeleted", "true")]).await;
    assert_eq!(body["items"].as_array().expect("items").len(), 7);
}

#[tokio::test]
async fn calendar_list_parameter_errors() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    let (_, body) = get(&fake, &token, LIST, &[]).await;
    let sync = body["nextSyncToken"].as_str().expect("sync");
    let (status, _) = get(
        &fake,
        &token,
        LIST,
        &[("syncToken", sync), ("minAccessRole", "owner")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get(&fake, &token, LIST, &[("syncToken", "bogus")]).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(body["error"]["errors"][0]["reason"], "fullSyncRequired");
    for (name, value) in [
        ("maxResults", "0"),
        ("maxResults", "x"),
        ("showDeleted", "yes"),
        ("minAccessRole", "god"),
    ] {
        let (status, _) = get(&fake, &token, LIST, &[(name, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={value}");
    }
    let (status, _) = get(&fake, &token, LIST, &[("maxResults", "1000")]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "maxResults above the cap is clamped"
    );
}
