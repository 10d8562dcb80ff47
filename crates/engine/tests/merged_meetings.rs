//! One meeting, shown once: the same invitation (same iCalendar UID, same start) in two
//! accounts' calendars is listed once by `upcoming`, `events_on_days`, search and so the
//! reminder plan, naming the other calendar in `also_in`; a moved instance stays apart, and
//! disconnecting one account leaves the other's copy.

use std::collections::HashSet;

use calbuddy_engine::model::{
    EventDetails, EventStatus, EventTime, RemoteCalendar, RemoteEvent, Response, SyncWindow,
};
use calbuddy_engine::reminders;
use calbuddy_engine::settings::NotificationSettings;
use calbuddy_engine::store::EventView;
use calbuddy_engine::sync::plan::Plan;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::{DateTime, Duration, DurationRound, Local, Utc};

fn invitation(id: &str, uid: &str, start: DateTime<Utc>, response: Response) -> RemoteEvent {
    RemoteEvent {
        external_id: id.to_owned(),
        title: "Quarterly review".to_owned(),
        description: None,
        location: None,
        start: EventTime::DateTime {
            utc: start,
            tz: None,
        },
        end: EventTime::DateTime {
            utc: start + Duration::hours(1),
            tz: None,
        },
        recurrence: vec![],
        series: None,
        status: EventStatus::Confirmed,
        my_response: Some(response),
        meeting_url: None,
        etag: None,
        updated: None,
        details: EventDetails {
            ical_uid: Some(uid.to_owned()),
            ..EventDetails::default()
        },
    }
}

/// Adds an account with one calendar named `calendar` holding `events`; returns the account's
/// and the calendar's ids.
async fn account(
    engine: &Engine,
    address: &str,
    calendar: &str,
    events: Vec<RemoteEvent>,
    now: DateTime<Utc>,
) -> (i64, i64) {
    let store = engine.store();
    let (account, _) = store
        .upsert_account("demo", address, address, now)
        .await
        .unwrap();
    store
        .reconcile_calendars(
            account,
            &[RemoteCalendar {
                external_id: calendar.to_owned(),
                name: calendar.to_owned(),
                color: Some("#336699".to_owned()),
                time_zone: None,
                primary: false,
                read_only: true,
            }],
        )
        .await
        .unwrap();
    let calendar_id = store.calendars(Some(account)).await.unwrap()[0].id;
    let plan = Plan {
        upserts: events,
        deletes: vec![],
        resources: vec![],
        cursor: Some("c".to_owned()),
        full: true,
        unchanged: 0,
    };
    store
        .apply_plan(calendar_id, &plan, SyncWindow::around(now, 30, 90), now)
        .await
        .unwrap();
    (account, calendar_id)
}

fn summary(views: &[EventView]) -> Vec<(String, Vec<String>)> {
    views
        .iter()
        .map(|v| {
            (
                v.calendar_name.clone(),
                v.also_in.iter().map(|a| a.calendar_name.clone()).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_same_invitation_in_two_accounts_is_shown_once_until_one_is_disconnected() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(EngineConfig::in_dir(dir.path()))
        .await
        .unwrap();
    let now = Utc::now().duration_trunc(Duration::minutes(1)).unwrap();
    let start = now + Duration::hours(2);
    // Declined in Home (the lower calendar id), accepted in Work: Work's copy is shown. The
    // stand-up was moved in Home only, so its two copies start apart.
    let (home, _) = account(
        &engine,
        "me@home.example",
        "Home",
        vec![
            invitation("h1", "review@x", start, Response::Declined),
            invitation(
                "h2",
                "standup@x",
                start + Duration::hours(3),
                Response::Accepted,
            ),
        ],
        now,
    )
    .await;
    let (_, work_calendar) = account(
        &engine,
        "me@work.example",
        "Work",
        vec![
            invitation("w1", "review@x", start, Response::Accepted),
            invitation(
                "w2",
                "standup@x",
                start + Duration::hours(4),
                Response::Accepted,
            ),
        ],
        now,
    )
    .await;

    let upcoming = engine.upcoming(now, 2, 50, true).await.unwrap();
    assert_eq!(
        summary(&upcoming),
        [
            ("Work".to_owned(), vec!["Home".to_owned()]),
            ("Home".to_owned(), vec![]),
            ("Work".to_owned(), vec![]),
        ]
    );
    assert_eq!(
        upcoming[0].also_in[0].calendar_color.as_deref(),
        Some("#336699")
    );
    assert_eq!(upcoming[0].also_in[0].account_id, home);
    // Declined ones left out, the accepted copy is still there (and nothing to merge with).
    let accepted = engine.upcoming(now, 2, 50, false).await.unwrap();
    assert_eq!(accepted.len(), 3);
    assert_eq!(accepted[0].calendar_id, work_calendar);

    let today = now.with_timezone(&Local).date_naive();
    let days = engine
        .events_on_days(today, today + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(
        days.iter()
            .filter(|v| v.title == "Quarterly review")
            .count(),
        3
    );
    assert_eq!(days.iter().filter(|v| !v.also_in.is_empty()).count(), 1);
    let found = engine
        .search("quarterly", today, today + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(found.len(), 3, "the review once, the stand-up's two starts");

    // One reminder for the merged meeting.
    let settings = NotificationSettings {
        skip_declined: true,
        ..NotificationSettings::default()
    };
    let at = start - Duration::minutes(10);
    let plan = reminders::plan(&upcoming, &settings, &HashSet::new(), at);
    assert_eq!(plan.due.len(), 1, "{plan:?}");

    // Work gone, Home's copy (declined, but the only one) is shown on its own.
    engine.disconnect(upcoming[0].account_id).await.unwrap();
    let left = engine.upcoming(now, 2, 50, true).await.unwrap();
    assert_eq!(
        summary(&left),
        [("Home".to_owned(), vec![]), ("Home".to_owned(), vec![])]
    );
}
