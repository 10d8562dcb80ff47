//! The engine against the local fake Google: connecting, full and incremental sync, 410
//! recovery, paging, recurring series, token refresh and revocation, disconnecting.

mod common;

use calbuddy_engine::EngineError;
use chrono::Utc;
use common::{timed, world, EMAIL};
use serde_json::json;

#[tokio::test]
async fn first_connect_syncs_every_calendar_and_keeps_tokens_out_of_the_database() {
    let w = world().await;
    w.fake
        .add_calendar("team@group.calendar.google.com", "Team", "#ff0000");
    w.fake.put_event(EMAIL, timed("a1", "Planning", 2));
    w.fake.put_event(
        "team@group.calendar.google.com",
        timed("b1", "Team lunch", 26),
    );
    let id = w.connect().await;

    let accounts = w.engine.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        (accounts[0].provider.as_str(), accounts[0].name.as_str()),
        ("google", EMAIL)
    );
    assert!(accounts[0].last_synced_at.is_some());
    let calendars = w.engine.calendars().await.unwrap();
    assert_eq!(calendars.len(), 2);
    assert!(calendars[0].primary && calendars[0].account_id == id);
    assert_eq!(calendars[1].color.as_deref(), Some("#ff0000"));
    assert_eq!(w.titles().await, ["Planning", "Team lunch"]);

    // The sign-in used PKCE S256 and asked for offline access.
    let auth = w
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/auth"))
        .unwrap();
    assert_eq!(auth.param("code_challenge_method"), Some("S256"));
    assert_eq!(auth.param("access_type"), Some("offline"));
    assert!(auth.param("state").is_some_and(|s| s.len() >= 16));

    w.engine.store().close().await;
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(w.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("calbuddy.db")
        {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!stored.is_empty());
    let issued = w.fake.issued_tokens();
    assert!(issued.len() >= 2, "an access and a refresh token");
    for token in issued {
        assert!(
            !stored
                .windows(token.len())
                .any(|win| win == token.as_bytes()),
            "a token is in the database"
        );
    }
}

#[tokio::test]
async fn incremental_sync_with_no_change_lists_each_calendar_once_with_its_sync_token() {
    let w = world().await;
    w.fake.add_calendar("team", "Team", "#00ff00");
    w.fake.put_event(EMAIL, timed("a1", "One", 1));
    let id = w.connect().await;
    w.fake.clear_requests();

    let report = w.sync(id).await;
    assert!(report.ok());
    assert!(report
        .calendars
        .iter()
        .all(|c| !c.full && c.upserted == 0 && c.deleted == 0));
    let lists = w.event_list_requests();
    assert_eq!(lists.len(), 2, "one events request per calendar");
    assert!(lists
        .iter()
        .all(|r| r.param("syncToken").is_some() && r.param("timeMin").is_none()));
    assert_eq!(w.titles().await, ["One"]);
}

#[tokio::test]
async fn changes_and_deletions_arrive_incrementally() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("keep", "Keep", 1));
    w.fake.put_event(EMAIL, timed("edit", "Before", 2));
    w.fake.put_event(EMAIL, timed("drop", "Drop", 3));
    let id = w.connect().await;

    w.fake.put_event(EMAIL, timed("edit", "After", 4));
    w.fake.delete_event(EMAIL, "drop");
    w.fake.put_event(EMAIL, timed("new", "New", 5));
    let report = w.sync(id).await;
    assert_eq!(
        (report.calendars[0].upserted, report.calendars[0].deleted),
        (2, 1)
    );
    assert_eq!(w.titles().await, ["After", "Keep", "New"]);
}

#[tokio::test]
async fn an_expired_sync_token_means_a_full_resync_without_duplicates() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    w.fake.put_event(EMAIL, timed("b", "B", 2));
    let id = w.connect().await;
    w.fake.delete_event(EMAIL, "b");
    w.fake.put_event(EMAIL, timed("c", "C", 3));
    w.fake.invalidate_sync_tokens(EMAIL);
    w.fake.clear_requests();

    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert!(report.calendars[0].cursor_expired && report.calendars[0].full);
    let lists = w.event_list_requests();
    assert_eq!(lists.len(), 2, "the 410, then the full listing");
    assert!(lists[1].param("syncToken").is_none() && lists[1].param("timeMin").is_some());
    assert_eq!(w.titles().await, ["A", "C"]);

    // The new token works incrementally again.
    w.fake.clear_requests();
    assert!(!w.sync(id).await.calendars[0].full);
}

#[tokio::test]
async fn large_calendars_are_fetched_page_by_page() {
    let w = world().await;
    let events = (0..6000)
        .map(|i| timed(&format!("ev{i:05}"), &format!("Event {i}"), i % 500))
        .collect();
    w.fake.put_events(EMAIL, events);
    w.connect().await;
    let lists = w.event_list_requests();
    assert_eq!(lists.len(), 3, "2500 + 2500 + 1000");
    assert!(lists[1].param("pageToken").is_some() && lists[2].param("pageToken").is_some());
    assert_eq!(lists[0].param("maxResults"), Some("2500"));
    assert_eq!(w.engine.store().event_count().await.unwrap(), 6000);
}

#[tokio::test]
async fn recurring_series_with_moved_and_cancelled_instances() {
    let w = world().await;
    let start = common::at(-48);
    let instance = |days: i64| common::rfc3339(start + chrono::Duration::days(days));
    let compact = |days: i64| {
        (start + chrono::Duration::days(days))
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    w.fake.put_event(EMAIL, json!({
        "id": "standup", "summary": "Stand-up",
        "start": {"dateTime": instance(0), "timeZone": "UTC"},
        "end": {"dateTime": common::rfc3339(start + chrono::Duration::minutes(15)), "timeZone": "UTC"},
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=6", format!("EXDATE:{}", compact(1))],
    }));
    w.fake.put_event(EMAIL, json!({
        "id": format!("standup_{}", compact(2)), "summary": "Stand-up (moved)",
        "recurringEventId": "standup",
        "originalStartTime": {"dateTime": instance(2), "timeZone": "UTC"},
        "start": {"dateTime": common::rfc3339(start + chrono::Duration::days(2) + chrono::Duration::hours(3)), "timeZone": "UTC"},
        "end": {"dateTime": common::rfc3339(start + chrono::Duration::days(2) + chrono::Duration::hours(4)), "timeZone": "UTC"},
    }));
    let id = w.connect().await;
    // Days 0, 2 (moved), 3, 4, 5: day 1 is an EXDATE.
    assert_eq!(w.events().await.len(), 5);

    // Cancelling one instance (a tombstone with recurringEventId) hides it.
    w.fake.put_event(
        EMAIL,
        json!({
            "id": format!("standup_{}", compact(3)), "status": "cancelled",
            "recurringEventId": "standup",
            "originalStartTime": {"dateTime": instance(3), "timeZone": "UTC"},
        }),
    );
    w.sync(id).await;
    let events = w.events().await;
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e.recurring));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.title == "Stand-up (moved)")
            .count(),
        1
    );
}

#[tokio::test]
async fn declined_events_are_kept_but_left_out_of_upcoming() {
    let w = world().await;
    let mut declined = timed("no", "Declined meeting", 1);
    declined["attendees"] = json!([{"email": EMAIL, "self": true, "responseStatus": "declined"}]);
    w.fake.put_event(EMAIL, declined);
    w.fake.put_event(EMAIL, timed("yes", "Accepted meeting", 2));
    w.connect().await;
    let upcoming = w.engine.upcoming(Utc::now(), 7, 20, false).await.unwrap();
    assert_eq!(
        upcoming
            .iter()
            .map(|e| e.title.as_str())
            .collect::<Vec<_>>(),
        ["Accepted meeting"]
    );
    let all = w.engine.upcoming(Utc::now(), 7, 20, true).await.unwrap();
    assert_eq!(all[0].my_response.as_deref(), Some("declined"));
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_request_retried() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    let id = w.connect().await;
    w.fake.expire_access_tokens();
    w.fake.put_event(EMAIL, timed("b", "B", 2));
    w.fake.clear_requests();

    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    let requests = w.fake.requests();
    let refreshes = requests
        .iter()
        .filter(|r| r.form_param("grant_type") == Some("refresh_token"));
    assert_eq!(refreshes.count(), 1);
    assert_eq!(w.titles().await, ["A", "B"]);
}

#[tokio::test]
async fn a_rotated_refresh_token_is_saved_before_the_next_refresh_needs_it() {
    let w = world().await;
    let id = w.connect().await;
    w.fake.set_rotating_refresh_tokens(true);
    for round in 0..2 {
        w.fake.expire_access_tokens();
        w.fake
            .put_event(EMAIL, timed(&format!("e{round}"), "E", round + 1));
        // Each sync builds its provider from the saved sign-in: the second refresh can only
        // succeed with the refresh token the first one brought (the old one is retired).
        let report = w.sync(id).await;
        assert!(report.ok(), "round {round}: {report:?}");
    }
    let saved = std::fs::read_to_string(w.dir.path().join("secrets.json")).unwrap();
    let newest = w
        .fake
        .issued_tokens()
        .into_iter()
        .rfind(|t| t.starts_with("1//"))
        .unwrap();
    assert!(saved.contains(&newest), "the newest refresh token is saved");
    assert_eq!(w.titles().await, ["E", "E"]);
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_use() {
    let w = world().await;
    w.fake.set_access_token_lifetime(30);
    let id = w.connect().await;
    // The saved token has 30 s left; the one the refresh brings lives an hour.
    w.fake.set_access_token_lifetime(3599);
    w.fake.clear_requests();
    assert!(w.sync(id).await.ok());
    let requests = w.fake.requests();
    assert_eq!(requests[0].form_param("grant_type"), Some("refresh_token"));
    let refreshes = requests
        .iter()
        .filter(|r| r.form_param("grant_type") == Some("refresh_token"));
    assert_eq!(refreshes.count(), 1);
    // The old token still works at the server for 30 s: only the fresh one may be used, on
    // every API request, and none may be refused and sent again.
    let fresh = w.fake.issued_tokens().pop().unwrap();
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.path.starts_with("/calendar/v3/"))
        .collect();
    assert_eq!(api.len(), 2, "one calendar list, one events listing");
    assert!(
        api.iter()
            .all(|r| r.bearer.as_deref() == Some(fresh.as_str())),
        "every API request carries the refreshed token"
    );
}

#[tokio::test]
async fn a_revoked_grant_marks_the_account_and_keeps_its_events() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    let id = w.connect().await;
    w.fake.revoke_refresh_tokens();
    w.fake.expire_access_tokens();

    let report = w.sync(id).await;
    assert!(report.needs_reauth);
    let account = w.engine.account(id).await.unwrap();
    assert!(account.needs_reauth);
    assert!(account.last_error.unwrap().contains("reconnect"));
    assert_eq!(w.titles().await, ["A"]);

    // Connecting again re-authorizes the same account.
    let again = w.connect().await;
    assert_eq!(again, id);
    let account = w.engine.account(id).await.unwrap();
    assert!(!account.needs_reauth && account.last_error.is_none());
    assert_eq!(w.engine.accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn disconnect_revokes_the_grant_and_deletes_secret_and_data() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    let id = w.connect().await;
    let secrets = std::fs::read_to_string(w.dir.path().join("secrets.json")).unwrap();
    assert!(secrets.contains("google:user@example.com"));

    let done = w.engine.disconnect(id).await.unwrap();
    assert!(done.revoked, "{:?}", done.revoke_error);
    let refresh = w
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/revoke"))
        .and_then(|r| r.form_param("token").map(str::to_owned))
        .unwrap();
    assert!(w.fake.is_revoked(&refresh));
    assert!(w.engine.accounts().await.unwrap().is_empty());
    assert!(w.engine.calendars().await.unwrap().is_empty());
    assert_eq!(w.engine.store().event_count().await.unwrap(), 0);
    let secrets = std::fs::read_to_string(w.dir.path().join("secrets.json")).unwrap();
    assert!(!secrets.contains("google:"));
    assert!(matches!(
        w.engine.disconnect(id).await,
        Err(EngineError::NotFound(..))
    ));
}

#[tokio::test]
async fn refusing_access_in_the_browser_is_a_clear_error() {
    let w = world().await;
    w.fake.set_consent(fake_google::Consent::Deny);
    let err = w
        .engine
        .connect_google(common::browser, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sign_in_denied");
    assert!(err.to_string().contains("access_denied"));
    assert!(w.engine.accounts().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_google_client_names_the_fix() {
    let w = world().await;
    w.engine.set_setting("google.client_id", "").unwrap();
    let err = w
        .engine
        .connect_google(|_| {}, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "no_google_client");
    assert!(err.to_string().contains("CALBUDDY_GOOGLE_CLIENT_ID"));
}

#[tokio::test]
async fn a_calendar_is_removed_only_after_a_complete_listing_without_it() {
    let w = world().await;
    w.fake.add_calendar("team", "Team", "#00ff00");
    w.fake.put_event("team", timed("t", "Team thing", 1));
    let id = w.connect().await;
    w.fake.remove_calendar("team");

    // The listing fails: nothing is removed.
    w.fake.inject(fake_google::Fault::new(
        "calendarList",
        10,
        fake_google::FaultKind::status(500, "backendError"),
    ));
    let report = w.sync(id).await;
    assert!(!report.ok());
    assert_eq!(w.engine.calendars().await.unwrap().len(), 2);
    assert_eq!(w.titles().await, ["Team thing"]);

    w.fake.clear_faults();
    assert!(w.sync(id).await.ok());
    assert_eq!(w.engine.calendars().await.unwrap().len(), 1);
    assert!(w.titles().await.is_empty());
}

#[tokio::test]
async fn two_syncs_of_one_account_never_overlap() {
    let w = world().await;
    let id = w.connect().await;
    w.fake.inject(fake_google::Fault::new(
        "/events",
        1,
        fake_google::FaultKind::Delay(std::time::Duration::from_millis(500)),
    ));
    let (first, second) = tokio::join!(w.engine.sync(Some(id), Utc::now()), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        w.engine.sync(Some(id), Utc::now()).await
    });
    assert!(first.unwrap().remove(0).is_ok());
    let second = second.unwrap().remove(0);
    assert!(matches!(second, Err(EngineError::Busy(_))), "{second:?}");
}

#[tokio::test]
async fn a_calendar_is_listed_in_full_again_once_its_window_has_moved_on() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    let id = w.connect().await;
    let sync_at = |days: i64| {
        let engine = &w.engine;
        async move {
            let now = Utc::now() + chrono::Duration::days(days);
            engine.sync(Some(id), now).await.unwrap().remove(0).unwrap()
        }
    };
    assert!(
        !sync_at(6).await.calendars[0].full,
        "six days on, the window still covers"
    );
    w.fake.clear_requests();
    let report = sync_at(9).await;
    assert!(
        report.calendars[0].full,
        "nine days on, the window is listed again"
    );
    let lists = w.event_list_requests();
    assert!(lists[0].param("syncToken").is_none() && lists[0].param("timeMin").is_some());
    assert_eq!(w.titles().await, ["A"]);
}

#[tokio::test]
async fn people_web_link_uid_and_reminders_arrive_from_google() {
    let w = world().await;
    let mut invited = timed("inv", "Invitation", 3);
    invited["attendees"] = serde_json::json!([
        {"email": EMAIL, "self": true, "responseStatus": "tentative"},
        {"email": "ann@example.com", "displayName": "Ann Lee", "responseStatus": "accepted",
         "optional": true}
    ]);
    invited["organizer"] =
        serde_json::json!({"email": "ann@example.com", "displayName": "Ann Lee"});
    invited["reminders"] = serde_json::json!({"useDefault": false,
        "overrides": [{"method": "popup", "minutes": 25}]});
    w.fake.put_event(EMAIL, invited);
    // The server's own fields (iCalUID, htmlLink, reminders.useDefault) on a plain event.
    w.fake.put_event(EMAIL, timed("own", "Own", 4));
    w.connect().await;
    let events = w.events().await;
    let invitation = &events[0].details;
    assert_eq!(invitation.ical_uid.as_deref(), Some("inv@google.com"));
    assert_eq!(
        invitation.organizer.as_ref().unwrap().name.as_deref(),
        Some("Ann Lee")
    );
    assert_eq!(invitation.attendees.len(), 2);
    assert!(invitation.attendees[0].is_self);
    assert!(invitation.attendees[1].optional);
    assert_eq!(invitation.reminder_minutes, Some(vec![25]));
    let own = &events[1].details;
    assert!(own
        .web_link
        .as_deref()
        .is_some_and(|l| l.starts_with("https://www.google.com/calendar/event?eid=")));
    // The primary calendar's default: a popup 10 minutes before.
    assert_eq!(own.reminder_minutes, Some(vec![10]));
    // Searching finds the invitation by its organizer.
    let today = chrono::Local::now().date_naive();
    let found = w
        .engine
        .search("ann lee", today, today + chrono::Duration::days(2))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}
