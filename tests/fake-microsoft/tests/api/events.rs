//! Events as calendarView returns them: zones, all-day dates, series with exceptions and
//! deleted occurrences, the passed-through properties.

use fake_microsoft::{FakeMicrosoft, DEFAULT_CALENDAR_ID};
use serde_json::{json, Value};

use crate::common::*;

const CAL: &str = DEFAULT_CALENDAR_ID;

fn find<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items.iter().find(|item| item["id"] == id).expect("item")
}

#[tokio::test]
async fn times_come_in_the_preferred_zone_with_windows_names() {
    let fake = FakeMicrosoft::start().await;
    fake.put_event(
        CAL,
        json!({
            "id": "berlin",
            "subject": "Standup",
            "start": {"dateTime": "2024-05-06T09:00:00", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": "2024-05-06T09:30:00", "timeZone": "W. Europe Standard Time"},
        }),
    );
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, CAL, START, END);

    let (items, _, _) = round(&url, &token, &[]).await;
    let event = find(&items, "berlin");
    assert_eq!(
        event["start"],
        json!({"dateTime": "2024-05-06T07:00:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(event["end"]["dateTime"], "2024-05-06T07:30:00.0000000");
    assert_eq!(event["originalStartTimeZone"], "W. Europe Standard Time");

    let pacific = "outlook.timezone=\"Pacific Standard Time\"";
    let (_, body, headers) = get_url(&url, &token, &[pacific]).await;
    let event = find(body["value"].as_array().expect("value"), "berlin");
    assert_eq!(
        event["start"],
        json!({"dateTime": "2024-05-06T00:00:00.0000000", "timeZone": "Pacific Standard Time"})
    );
    assert_eq!(headers["preference-applied"], pacific);

    let (_, body, _) = get_url(&url, &token, &["outlook.timezone=\"Asia/Tokyo\""]).await;
    let event = find(body["value"].as_array().expect("value"), "berlin");
    assert_eq!(
        event["start"],
        json!({"dateTime": "2024-05-06T16:00:00.0000000", "timeZone": "Asia/Tokyo"})
    );
}

#[tokio::test]
async fn all_day_events_keep_their_midnight_dates() {
    let fake = FakeMicrosoft::start().await;
    let all_day = |id: &str, from: &str, to: &str| {
        json!({
            "id": id,
            "subject": id,
            "isAllDay": true,
            "start": {"dateTime": format!("{from}T00:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{to}T00:00:00"), "timeZone": "UTC"},
        })
    };
    fake.put_event(CAL, all_day("holiday", "2024-05-09", "2024-05-10"));
    fake.put_event(CAL, all_day("before", "2024-04-30", "2024-05-01"));
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, CAL, START, END);
    let (items, _, _) = round(&url, &token, &["outlook.timezone=\"Tokyo Standard Time\""]).await;
    assert_eq!(ids(&items), ["holiday"]);
    let holiday = find(&items, "holiday");
    assert_eq!(holiday["isAllDay"], true);
    assert_eq!(holiday["start"]["dateTime"], "2024-05-09T00:00:00.0000000");
    assert_eq!(holiday["end"]["dateTime"], "2024-05-10T00:00:00.0000000");

    // A mailbox west of UTC: a UTC window catches the neighbouring day's all-day event.
    fake.set_mailbox_time_zone("Pacific Standard Time");
    let (items, _, _) = round(&url, &token, &[]).await;
    assert_eq!(ids(&items), ["before", "holiday"]);
    assert_eq!(
        find(&items, "before")["start"]["dateTime"],
        "2024-04-30T00:00:00.0000000"
    );

    let mut bad = all_day("bad", "2024-05-09", "2024-05-10");
    bad["start"]["dateTime"] = json!("2024-05-09T10:00:00");
    // Graph refuses all-day events that do not run midnight to midnight.
    let refused =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fake.put_event(CAL, bad)));
    assert!(refused.is_err());
}

#[tokio::test]
async fn a_series_expands_into_occurrences_and_exceptions_never_a_master() {
    let fake = FakeMicrosoft::start().await;
    let master = fake.put_event(
        CAL,
        json!({
            "subject": "Weekly sync",
            "start": {"dateTime": "2024-05-06T09:00:00", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": "2024-05-06T10:00:00", "timeZone": "W. Europe Standard Time"},
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "wednesday"]},
                "range": {"type": "numbered", "startDate": "2024-05-06", "numberOfOccurrences": 4}
            },
        }),
    );
    fake.put_exception(
        CAL,
        &master,
        "2024-05-08T09:00:00",
        json!({
            "subject": "Weekly sync (moved)",
            "start": {"dateTime": "2024-05-08T14:00:00", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": "2024-05-08T15:00:00", "timeZone": "W. Europe Standard Time"},
        }),
    );
    fake.delete_occurrence(CAL, &master, "2024-05-13T09:00:00");
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, CAL, START, END);
    let (items, delta, _) = round(&url, &token, &[]).await;

    let first = fake.occurrence_id(&master, "2024-05-06T09:00:00");
    let moved = fake.occurrence_id(&master, "2024-05-08T09:00:00");
    let last = fake.occurrence_id(&master, "2024-05-15T09:00:00");
    assert_eq!(ids(&items), [first.clone(), moved.clone(), last.clone()]);
    for item in &items {
        assert_eq!(item["seriesMasterId"], master.as_str());
        assert_ne!(item["type"], "seriesMaster");
        assert!(item["recurrence"].is_null());
    }
    assert_eq!(find(&items, &first)["type"], "occurrence");
    let exception = find(&items, &moved);
    assert_eq!(exception["type"], "exception");
    assert_eq!(exception["subject"], "Weekly sync (moved)");
    assert_eq!(
        exception["start"]["dateTime"],
        "2024-05-08T12:00:00.0000000"
    );
    assert_eq!(find(&items, &last)["subject"], "Weekly sync");
    assert_ne!(
        items[0]["iCalUId"], items[2]["iCalUId"],
        "iCalUId differs per occurrence"
    );

    // The organiser cancels one occurrence (it stays, flagged); another is deleted.
    fake.put_exception(
        CAL,
        &master,
        "2024-05-15T09:00:00",
        json!({"isCancelled": true, "subject": "Canceled: Weekly sync"}),
    );
    fake.delete_occurrence(CAL, &master, "2024-05-06T09:00:00");
    let (items, _, _) = round(&delta, &token, &[]).await;
    assert_eq!(items.len(), 2);
    let cancelled = find(&items, &last);
    assert_eq!(
        (
            cancelled["type"].as_str(),
            cancelled["isCancelled"].as_bool()
        ),
        (Some("exception"), Some(true))
    );
    assert_eq!(find(&items, &first)["@removed"]["reason"], "deleted");
}

#[tokio::test]
async fn a_daily_series_keeps_its_local_time_across_a_dst_change() {
    let fake = FakeMicrosoft::start().await;
    let master = fake.put_event(CAL, json!({
        "subject": "Morning",
        "start": {"dateTime": "2024-03-30T08:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2024-03-30T08:15:00", "timeZone": "W. Europe Standard Time"},
        "recurrence": {"pattern": {"type": "daily", "interval": 1}, "range": {"type": "numbered", "numberOfOccurrences": 3}},
    }));
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, CAL, "2024-03-01T00:00:00Z", "2024-04-30T00:00:00Z");
    let (items, _, _) = round(&url, &token, &[]).await;
    let starts: Vec<&str> = items
        .iter()
        .map(|i| i["start"]["dateTime"].as_str().expect("start"))
        .collect();
    assert_eq!(
        starts,
        [
            "2024-03-30T07:00:00.0000000",
            "2024-03-31T06:00:00.0000000",
            "2024-04-01T06:00:00.0000000"
        ]
    );
    assert!(items.iter().all(|i| i["seriesMasterId"] == master.as_str()));
}

#[tokio::test]
async fn properties_pass_through_with_graph_defaults() {
    let fake = FakeMicrosoft::start().await;
    fake.put_event(CAL, json!({
        "id": "AAMk-id_with=chars",
        "subject": "Review",
        "body": {"contentType": "html", "content": "<html><body><p>Agenda &amp; notes</p></body></html>"},
        "start": {"dateTime": "2024-05-07T13:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2024-05-07T14:00:00", "timeZone": "UTC"},
        "showAs": "tentative",
        "responseStatus": {"response": "declined", "time": "2024-05-01T10:00:00Z"},
        "location": {"displayName": "Room 1"},
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness",
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting"},
        "attendees": [{"type": "required", "emailAddress": {"name": "Adele", "address": "adele@contoso.example"}, "status": {"response": "accepted"}}],
    }));
    let (token, _) = sign_in(&fake).await;
    let (items, _, _) = round(&delta_url(&fake, CAL, START, END), &token, &[]).await;
    let event = &items[0];
    assert_eq!(event["id"], "AAMk-id_with=chars");
    assert_eq!(event["type"], "singleInstance");
    assert!(event["seriesMasterId"].is_null());
    assert_eq!(event["bodyPreview"], "Agenda & notes");
    assert_eq!(event["body"]["contentType"], "html");
    assert_eq!(event["showAs"], "tentative");
    assert_eq!(event["responseStatus"]["response"], "declined");
    assert_eq!(event["location"]["displayName"], "Room 1");
    assert_eq!(
        event["onlineMeeting"]["joinUrl"],
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting"
    );
    assert!(event["onlineMeetingUrl"].is_null());
    assert_eq!(event["isCancelled"], false);
    assert_eq!(
        event["organizer"]["emailAddress"]["address"],
        "megan@contoso.example"
    );
    let change_key = event["changeKey"].as_str().expect("changeKey");
    assert_eq!(event["@odata.etag"], format!("W/\"{change_key}\""));
    assert!(event["webLink"]
        .as_str()
        .expect("webLink")
        .contains("AAMk-id_with%3Dchars"));
    assert!(event["lastModifiedDateTime"]
        .as_str()
        .expect("modified")
        .ends_with('Z'));
    assert!(event["iCalUId"].is_string());
}

#[tokio::test]
async fn a_seeded_ical_uid_is_kept_as_an_invitation_from_elsewhere_carries_it() {
    let fake = FakeMicrosoft::start().await;
    let uid = "7kuksq0cc5vtl1gqsr4e0hbq3k@google.com";
    let at = |h: u32| json!({"dateTime": format!("2024-05-07T{h:02}:00:00"), "timeZone": "UTC"});
    fake.put_event(
        CAL,
        json!({"id": "invited", "subject": "Planning", "iCalUId": uid, "start": at(9), "end": at(10)}),
    );
    fake.put_event(
        CAL,
        json!({"id": "own", "subject": "Own", "start": at(11), "end": at(12)}),
    );
    let (token, _) = sign_in(&fake).await;
    let (items, _, _) = round(&delta_url(&fake, CAL, START, END), &token, &[]).await;
    let invited = find(&items, "invited");
    assert_eq!(invited["iCalUId"], uid);
    assert_eq!(invited["uid"], uid);
    let own = find(&items, "own")["iCalUId"].as_str().expect("iCalUId");
    assert!(own.starts_with("040000008200E00074C5B7101A82E008"), "{own}");
}
