//! The engine against the fake Microsoft at the edges the documentation warns about: empty
//! pages with a nextLink, replayed changes, requests that hang, an expired refresh token, a
//! calendar list of several pages, a personal account without `mail`, colours, all-day events
//! in a mailbox far from UTC, and the window moving on.

mod microsoft_support;

use std::time::Duration;

use chrono::Utc;
use fake_microsoft::{Fault, FaultKind};
use microsoft_support::{timed, world, CALENDAR};
use serde_json::json;

#[tokio::test]
async fn empty_pages_with_a_next_link_do_not_end_the_round() {
    let w = world().await;
    w.fake.put_event(CALENDAR, timed("a", "A", 1));
    w.fake
        .inject(Fault::new("/calendarView/delta", 2, FaultKind::EmptyPage));
    let id = w.connect().await;
    assert_eq!(w.titles().await, ["A"]);
    w.fake.put_event(CALENDAR, timed("b", "B", 2));
    w.fake
        .inject(Fault::new("/calendarView/delta", 1, FaultKind::EmptyPage));
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B"]);
}

#[tokio::test]
async fn replayed_changes_are_applied_once() {
    let w = world().await;
    w.fake.put_event(CALENDAR, timed("a", "A", 1));
    w.fake.put_event(CALENDAR, timed("b", "B", 2));
    let id = w.connect().await;
    w.fake.set_replay_changes(true);
    w.fake.put_event(CALENDAR, timed("a", "A renamed", 1));
    w.fake.delete_event(CALENDAR, "b");
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(w.titles().await, ["A renamed"]);
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A renamed"]);
}

#[tokio::test]
async fn a_request_that_hangs_times_out_and_is_retried() {
    let w = world().await;
    let id = w.connect().await;
    w.fake.put_event(CALENDAR, timed("a", "A", 1));
    w.fake
        .inject(Fault::new("/calendarView/delta", 1, FaultKind::Hang));
    let started = std::time::Instant::now();
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(w.titles().await, ["A"]);
}

#[tokio::test]
async fn an_inactive_refresh_token_asks_for_sign_in_again() {
    let w = world().await;
    w.fake.put_event(CALENDAR, timed("a", "A", 1));
    let id = w.connect().await;
    w.fake.expire_refresh_tokens();
    w.fake.expire_access_tokens();
    let report = w.sync(id).await;
    assert!(report.needs_reauth, "{report:?}");
    assert!(w.engine.account(id).await.unwrap().needs_reauth);
    assert_eq!(w.titles().await, ["A"]);
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried_and_not_a_lost_account() {
    let w = world().await;
    let id = w.connect().await;
    w.fake.expire_access_tokens();
    w.fake.inject(Fault::new(
        "/oauth2/v2.0/token",
        1,
        FaultKind::status(503, "temporarily_unavailable"),
    ));
    assert!(w.sync(id).await.ok());
    w.fake.expire_access_tokens();
    w.fake.inject(Fault::new(
        "/oauth2/v2.0/token",
        20,
        FaultKind::status(503, "temporarily_unavailable"),
    ));
    let report = w.sync(id).await;
    assert!(!report.ok() && !report.needs_reauth, "{report:?}");
    assert!(!w.engine.account(id).await.unwrap().needs_reauth);
}

#[tokio::test]
async fn a_calendar_list_of_several_pages_is_read_whole_with_colours() {
    let w = world().await;
    for i in 0..12 {
        w.fake
            .add_calendar(json!({"name": format!("Shared {i:02}"), "canEdit": false,
                                   "color": "lightGreen", "hexColor": ""}));
    }
    w.fake
        .add_calendar(json!({"name": "Mine", "color": "lightRed", "hexColor": "#E3008C"}));
    w.connect().await;
    let calendars = w.engine.calendars().await.unwrap();
    assert_eq!(calendars.len(), 14);
    let shared = calendars.iter().find(|c| c.name == "Shared 11").unwrap();
    assert!(shared.read_only, "{shared:?}");
    assert!(
        shared.color.is_some(),
        "a preset colour stands in for an empty hexColor"
    );
    let mine = calendars.iter().find(|c| c.name == "Mine").unwrap();
    assert_eq!(mine.color.as_deref(), Some("#e3008c"));
    assert!(w.fake.count_requests("/me/calendars") >= 2);
}

#[tokio::test]
async fn a_personal_account_without_mail_is_named_by_its_principal_name() {
    let w = world().await;
    w.fake.set_user("Sam Personal", "sam@outlook.example", None);
    w.connect().await;
    let accounts = w.engine.accounts().await.unwrap();
    assert_eq!(accounts[0].name, "sam@outlook.example");
}

#[tokio::test]
async fn all_day_events_keep_their_dates_in_a_mailbox_far_from_utc() {
    let w = world().await;
    w.fake.set_mailbox_time_zone("Pacific/Kiritimati");
    let day = (Utc::now() + chrono::Duration::days(5)).date_naive();
    w.fake.put_event(
        CALENDAR,
        json!({
            "id": "d", "subject": "Day off", "isAllDay": true,
            "start": {"dateTime": format!("{day}T00:00:00.0000000"), "timeZone": "Pacific/Kiritimati"},
            "end": {"dateTime": format!("{}T00:00:00.0000000", day + chrono::Days::new(1)), "timeZone": "Pacific/Kiritimati"},
        }),
    );
    w.connect().await;
    let events = w.events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].all_day);
    assert_eq!(events[0].start, day.to_string());
    assert_eq!(events[0].end, (day + chrono::Days::new(1)).to_string());
}

#[tokio::test]
async fn an_event_outside_the_window_is_not_stored_and_its_removal_is_harmless() {
    let w = world().await;
    w.fake.put_event(CALENDAR, timed("near", "Near", 1));
    let id = w.connect().await;
    // Far beyond the 90 days ahead: calendarView sends only `@removed` for it, if anything.
    w.fake.put_event(CALENDAR, timed("far", "Far", 24 * 200));
    assert!(w.sync(id).await.ok());
    w.fake.delete_event(CALENDAR, "far");
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(w.titles().await, ["Near"]);
}
