//! `/me/calendars` and `/me/calendar`: the documented properties and paging.

use fake_microsoft::{FakeMicrosoft, DEFAULT_CALENDAR_ID};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn calendars_carry_the_documented_properties() {
    let fake = FakeMicrosoft::start().await;
    let shared = fake.add_calendar(json!({
        "name": "Team",
        "color": "lightGreen",
        "hexColor": "#87d28e",
        "canEdit": false,
        "owner": {"name": "Adele Vance", "address": "adele@contoso.example"},
    }));
    let (token, _) = sign_in(&fake).await;
    let (status, body, _) =
        get_url(&format!("{}/me/calendars", fake.graph_url()), &token, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let value = body["value"].as_array().expect("value");
    assert_eq!(value.len(), 2);
    let own = &value[0];
    assert_eq!(own["id"], DEFAULT_CALENDAR_ID);
    assert_eq!(own["name"], "Calendar");
    assert_eq!(own["isDefaultCalendar"], true);
    assert_eq!(own["canEdit"], true);
    assert_eq!(own["color"], "auto");
    assert_eq!(
        own["hexColor"], "",
        "empty when the user never chose a colour"
    );
    assert_eq!(own["owner"]["address"], "megan@contoso.example");
    let team = &value[1];
    assert_eq!(team["id"], shared.as_str());
    assert_eq!(team["hexColor"], "#87d28e");
    assert_eq!(team["canEdit"], false);
    assert_eq!(team["isDefaultCalendar"], false);
    assert_eq!(team["owner"]["name"], "Adele Vance");
    assert!(body.get("@odata.nextLink").is_none());

    let (_, default, _) = get_url(&format!("{}/me/calendar", fake.graph_url()), &token, &[]).await;
    assert_eq!(default["id"], DEFAULT_CALENDAR_ID);

    fake.remove_calendar(&shared);
    let (_, body, _) = get_url(&format!("{}/me/calendars", fake.graph_url()), &token, &[]).await;
    assert_eq!(body["value"].as_array().expect("value").len(), 1);
}

#[tokio::test]
async fn many_calendars_come_in_pages_of_ten() {
    let fake = FakeMicrosoft::start().await;
    for n in 0..14 {
        fake.add_calendar(json!({"id": format!("cal-{n:02}"), "name": format!("Calendar {n}")}));
    }
    let (token, _) = sign_in(&fake).await;
    let mut url = format!("{}/me/calendars", fake.graph_url());
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let (status, body, _) = get_url(&url, &token, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages += 1;
        let value = body["value"].as_array().expect("value");
        assert!(value.len() <= 10);
        names.extend(
            value
                .iter()
                .map(|c| c["name"].as_str().expect("name").to_owned()),
        );
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!((pages, names.len()), (2, 15));
    let (_, body, _) = get_url(
        &format!("{}/me/calendars?$top=5", fake.graph_url()),
        &token,
        &[],
    )
    .await;
    assert_eq!(body["value"].as_array().expect("value").len(), 5);
}
