//! calendarView delta: pages, delta links, changes and `@removed`, the fixed window, 410.

use fake_microsoft::{FakeMicrosoft, DEFAULT_CALENDAR_ID};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

const CAL: &str = DEFAULT_CALENDAR_ID;

fn thirty_events(fake: &FakeMicrosoft) {
    fake.put_events(
        CAL,
        (1..=25)
            .map(|n| timed_event(&format!("ev{n}"), n, 9))
            .collect(),
    );
}

#[tokio::test]
async fn a_first_round_pages_with_skiptokens_and_ends_with_a_delta_link() {
    let fake = FakeMicrosoft::start().await;
    thirty_events(&fake);
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, CAL, START, END);

    let (status, body, headers) = get_url(&url, &token, &["odata.maxpagesize=10"]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["value"].as_array().expect("value").len(), 10);
    assert_eq!(headers["preference-applied"], "odata.maxpagesize=10");
    let next = body["@odata.nextLink"].as_str().expect("next link");
    assert!(next.starts_with(&fake.graph_url()), "{next}");
    assert!(
        !next.contains("startDateTime"),
        "the window lives in the token"
    );
    // Re-requesting the same nextLink is how a page is retried: the same page again.
    let (_, again, _) = get_url(next, &token, &["odata.maxpagesize=10"]).await;
    let (_, twice, _) = get_url(next, &token, &["odata.maxpagesize=10"]).await;
    assert_eq!(
        ids(again["value"].as_array().expect("value")),
        ids(twice["value"].as_array().expect("value"))
    );

    let (items, delta, pages) = round(&url, &token, &["odata.maxpagesize=10"]).await;
    assert_eq!((items.len(), pages), (25, 3));
    assert_eq!(items[0]["id"], "ev1");
    assert_eq!(items[24]["id"], "ev25");
    assert!(delta.starts_with(&fake.graph_url()));

    // Without a preference the page size is 10 as well.
    let (_, _, pages) = round(&url, &token, &[]).await;
    assert_eq!(pages, 3);
    let (_, _, pages) = round(&url, &token, &["odata.maxpagesize=100"]).await;
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn a_first_round_needs_both_window_bounds() {
    let fake = FakeMicrosoft::start().await;
    let (token, _) = sign_in(&fake).await;
    let base = format!(
        "{}/me/calendars/{}/calendarView/delta",
        fake.graph_url(),
        "AAMkADefaultCalendar-Q_Q%3D"
    );
    for query in [
        "",
        "?startDateTime=2024-05-01T00:00:00Z",
        "?endDateTime=2024-05-01T00:00:00Z",
    ] {
        let (status, body, _) = get_url(&format!("{base}{query}"), &token, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body["error"]["code"].is_string());
    }
    let (status, _, _) = get_url(
        &format!("{base}?startDateTime={START}&endDateTime={END}&$select=subject"),
        &token,
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "$select is not supported on delta"
    );
    let (status, _, _) = get_url(
        &format!("{base}?startDateTime={START}&endDateTime={END}"),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body, _) = get_url(
        &delta_url(&fake, "no-such-calendar", START, END),
        &token,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "ErrorItemNotFound");
}

#[tokio::test]
async fn a_delta_link_returns_only_changes_and_removals() {
    let fake = FakeMicrosoft::start().await;
    thirty_events(&fake);
    let (token, _) = sign_in(&fake).await;
    let (_, delta, _) = round(&delta_url(&fake, CAL, START, END), &token, &[]).await;

    // Nothing changed: one request, no items.
    fake.clear_requests();
    let (items, unchanged, pages) = round(&delta, &token, &[]).await;
    assert_eq!((items.len(), pages), (0, 1));
    assert_eq!(fake.count_requests("/calendarView/delta"), 1);

    let mut moved = timed_event("ev2", 2, 15);
    moved["subject"] = json!("Moved");
    fake.put_event(CAL, moved);
    fake.delete_event(CAL, "ev3");
    fake.put_event(CAL, timed_event("ev26", 26, 9));
    let mut outside = timed_event("far", 1, 9);
    outside["start"]["dateTime"] = json!("2025-01-01T09:00:00");
    outside["end"]["dateTime"] = json!("2025-01-01T10:00:00");
    fake.put_event(CAL, outside);

    let (items, next, _) = round(&unchanged, &token, &["odata.maxpagesize=2"]).await;
    let mut got = ids(&items);
    got.sort();
    assert_eq!(got, ["ev2", "ev26", "ev3", "far"]);
    let by_id = |id: &str| {
        items
            .iter()
            .find(|item| item["id"] == id)
            .expect("item")
            .clone()
    };
    assert_eq!(
        by_id("ev2")["subject"],
        "Moved",
        "changed events come whole"
    );
    assert_eq!(
        by_id("ev2")["start"]["dateTime"],
        "2024-05-02T15:00:00.0000000"
    );
    assert_eq!(by_id("ev3")["@removed"], json!({"reason": "deleted"}));
    assert!(by_id("ev3").get("subject").is_none());
    // Outside the window: an add is reported as @removed, never as an event.
    assert_eq!(by_id("far")["@removed"]["reason"], "deleted");

    let (items, _, _) = round(&next, &token, &[]).await;
    assert!(items.is_empty());
}

#[tokio::test]
async fn the_window_is_fixed_by_the_first_round() {
    let fake = FakeMicrosoft::start().await;
    let (token, _) = sign_in(&fake).await;
    let (_, delta, _) = round(&delta_url(&fake, CAL, START, END), &token, &[]).await;
    fake.put_event(CAL, timed_event("in", 10, 9));
    let mut later = timed_event("june", 1, 9);
    later["start"]["dateTime"] = json!("2024-06-10T09:00:00");
    later["end"]["dateTime"] = json!("2024-06-10T10:00:00");
    fake.put_event(CAL, later);
    // Parameters added to a delta link are ignored: the token keeps the window.
    let widened =
        format!("{delta}&startDateTime=2024-01-01T00:00:00Z&endDateTime=2025-01-01T00:00:00Z");
    let (items, _, _) = round(&widened, &token, &[]).await;
    assert_eq!(
        items.iter().filter(|i| i.get("@removed").is_none()).count(),
        1
    );
    assert_eq!(items[0]["id"], "in");
}

#[tokio::test]
async fn expired_or_unknown_tokens_get_410_sync_state_not_found() {
    let fake = FakeMicrosoft::start().await;
    thirty_events(&fake);
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, CAL, START, END);
    let (_, first, _) = get_url(&url, &token, &[]).await;
    let next = first["@odata.nextLink"].as_str().expect("next").to_owned();
    let (_, delta, _) = round(&url, &token, &[]).await;
    assert!(fake.live_delta_tokens() > 0);

    fake.expire_delta_tokens();
    for link in [delta.as_str(), next.as_str()] {
        let (status, body, _) = get_url(link, &token, &[]).await;
        assert_eq!(status, StatusCode::GONE, "{link}");
        assert_eq!(body["error"]["code"], "SyncStateNotFound");
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
    let forged = format!(
        "{}?$deltatoken=made-up",
        delta.split('?').next().expect("path")
    );
    assert_eq!(get_url(&forged, &token, &[]).await.0, StatusCode::GONE);

    // A full round starts over and works.
    let (items, _, _) = round(&url, &token, &[]).await;
    assert_eq!(items.len(), 25);
}

#[tokio::test]
async fn the_default_calendar_has_its_own_path_and_removed_calendars_404() {
    let fake = FakeMicrosoft::start().await;
    fake.put_event(CAL, timed_event("a", 3, 9));
    let other = fake.add_calendar(json!({"name": "Other"}));
    fake.put_event(&other, timed_event("b", 3, 9));
    let (token, _) = sign_in(&fake).await;
    let url = format!(
        "{}/me/calendarView/delta?startDateTime={START}&endDateTime={END}",
        fake.graph_url()
    );
    let (items, delta, _) = round(&url, &token, &[]).await;
    assert_eq!(ids(&items), ["a"]);
    assert!(delta.contains("/me/calendarView/delta?"));

    let (items, delta, _) = round(&delta_url(&fake, &other, START, END), &token, &[]).await;
    assert_eq!(ids(&items), ["b"]);
    fake.remove_calendar(&other);
    let (status, body, _) = get_url(&delta, &token, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "ErrorItemNotFound");
}

#[tokio::test]
async fn replayed_changes_come_twice_when_asked() {
    let fake = FakeMicrosoft::start().await;
    let (token, _) = sign_in(&fake).await;
    let (_, delta, _) = round(&delta_url(&fake, CAL, START, END), &token, &[]).await;
    fake.set_replay_changes(true);
    fake.put_event(CAL, timed_event("dup", 4, 9));
    let (items, _, _) = round(&delta, &token, &[]).await;
    assert_eq!(ids(&items), ["dup", "dup"]);
}

#[tokio::test]
async fn calendar_ids_are_percent_encoded_in_links() {
    let fake = FakeMicrosoft::start().await;
    let odd = fake.add_calendar(json!({"id": "AAMk/x+y=", "name": "Odd"}));
    fake.put_event(&odd, timed_event("e", 5, 9));
    let (token, _) = sign_in(&fake).await;
    let (items, delta, _) = round(&delta_url(&fake, &odd, START, END), &token, &[]).await;
    assert_eq!(ids(&items), ["e"]);
    assert!(
        delta.contains("/me/calendars/AAMk%2Fx%2By%3D/calendarView/delta?"),
        "{delta}"
    );
    let (status, body, _) = get_url(&delta, &token, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn deletions_outside_the_window_come_as_removed_ids() {
    let fake = FakeMicrosoft::start().await;
    let mut far = timed_event("far", 1, 9);
    far["start"]["dateTime"] = json!("2025-02-01T09:00:00");
    far["end"]["dateTime"] = json!("2025-02-01T10:00:00");
    fake.put_event(CAL, far);
    let (token, _) = sign_in(&fake).await;
    let (items, delta, _) = round(&delta_url(&fake, CAL, START, END), &token, &[]).await;
    assert!(items.is_empty());
    fake.delete_event(CAL, "far");
    let (items, _, _) = round(&delta, &token, &[]).await;
    assert_eq!(ids(&items), ["far"]);
    assert_eq!(items[0]["@removed"]["reason"], "deleted");
}
