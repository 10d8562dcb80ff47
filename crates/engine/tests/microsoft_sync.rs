//! The engine against the local fake Microsoft identity platform + Graph: connecting through
//! the browser, the account named from `/me`, refresh with rotation, a revoked grant, faults
//! (throttling, 503, truncated JSON, a gateway's HTML page), what events carry (Windows zones,
//! all-day dates, cancelled occurrences, declined answers, Teams links, HTML bodies), a
//! calendar removed, disconnecting, and no token in the database.

mod microsoft_support;

use std::time::Duration;

use chrono::Utc;
use fake_microsoft::{Consent, Fault, FaultKind};
use microsoft_support::{at, graph_local, timed, world, MsWorld, ADDRESS, CALENDAR};
use serde_json::json;

async fn connected() -> (MsWorld, i64) {
    let w = world().await;
    w.fake.put_event(CALENDAR, timed("a", "A", 1));
    let id = w.connect().await;
    w.fake.clear_requests();
    (w, id)
}

/// The bytes of every database file in the data directory.
fn database_bytes(w: &MsWorld) -> Vec<u8> {
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(w.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("calbuddy.db") {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    stored
}

fn saved_secrets(w: &MsWorld) -> String {
    std::fs::read_to_string(w.dir.path().join("secrets.json")).unwrap_or_default()
}

/// Refresh tokens the fake issued, oldest first.
fn refresh_tokens(w: &MsWorld) -> Vec<String> {
    w.fake
        .issued_tokens()
        .into_iter()
        .filter(|t| t.starts_with("M.C5_BL2"))
        .collect()
}

#[tokio::test]
async fn connecting_names_the_account_from_me_syncs_and_keeps_tokens_out_of_the_database() {
    let w = world().await;
    w.fake.set_user(
        "Adele Vance",
        "adele@contoso.example",
        Some("adele@contoso.example"),
    );
    let team = w
        .fake
        .add_calendar(json!({"name": "Team", "hexColor": "#ff8c00"}));
    w.fake.put_event(CALENDAR, timed("a", "Planning", 2));
    w.fake.put_event(&team, timed("b", "Team lunch", 26));
    let id = w.connect().await;

    let accounts = w.engine.accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].id, id);
    assert_eq!(
        (accounts[0].provider.as_str(), accounts[0].name.as_str()),
        ("microsoft", "adele@contoso.example")
    );
    assert_eq!(accounts[0].detail.as_deref(), Some("Adele Vance"));
    let calendars = w.engine.calendars().await.unwrap();
    assert_eq!(calendars.len(), 2);
    assert!(calendars.iter().any(|c| c.primary));
    let colours: Vec<_> = calendars.iter().filter_map(|c| c.color.clone()).collect();
    assert!(
        colours.iter().any(|c| c.eq_ignore_ascii_case("#ff8c00")),
        "{colours:?}"
    );
    assert_eq!(w.titles().await, ["Planning", "Team lunch"]);

    // The sign-in: PKCE S256, a state, a localhost redirect, offline access for a refresh
    // token, and no client secret anywhere.
    let requests = w.fake.requests();
    let auth = requests
        .iter()
        .find(|r| r.path.ends_with("/oauth2/v2.0/authorize"))
        .unwrap();
    assert_eq!(auth.query_param("code_challenge_method"), Some("S256"));
    assert!(auth.query_param("state").is_some_and(|s| s.len() >= 16));
    assert!(auth
        .query_param("redirect_uri")
        .is_some_and(|u| u.starts_with("http://localhost:")));
    let scope = auth.query_param("scope").unwrap();
    for wanted in ["offline_access", "User.Read", "Calendars.Read"] {
        assert!(scope.split(' ').any(|s| s == wanted), "{scope}");
    }
    assert!(requests
        .iter()
        .all(|r| r.form_param("client_secret").is_none()));

    w.engine.store().close().await;
    let stored = database_bytes(&w);
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
async fn a_sync_without_changes_asks_each_calendar_s_delta_link_once() {
    let w = world().await;
    let team = w.fake.add_calendar(json!({"name": "Team"}));
    w.fake.put_event(&team, timed("t", "T", 3));
    let id = w.connect().await;
    w.fake.clear_requests();

    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    let graph: Vec<_> = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.is_graph())
        .collect();
    // The calendar list, then one delta request per calendar, on its saved delta link.
    assert_eq!(graph.len(), 3, "{graph:#?}");
    let deltas: Vec<_> = graph
        .iter()
        .filter(|r| r.path.ends_with("/calendarView/delta"))
        .collect();
    assert_eq!(deltas.len(), 2);
    assert!(deltas
        .iter()
        .all(|r| r.query_param("$deltatoken").is_some()));
}

#[tokio::test]
async fn a_rotated_refresh_token_is_saved_before_graph_is_asked_and_the_old_one_is_refused() {
    let (w, id) = connected().await;
    let first = refresh_tokens(&w);
    assert_eq!(first.len(), 1);
    w.fake.expire_access_tokens();
    // The calendar list gets 401, the refresh follows, then Graph refuses the calendar's
    // delta: the sync fails, but the rotated refresh token must already be saved.
    w.fake.inject(Fault::new(
        "/calendarView/delta",
        1,
        FaultKind::status(403, "ErrorAccessDenied"),
    ));
    let report = w.sync(id).await;
    assert!(!report.ok(), "{report:?}");
    let rotated = refresh_tokens(&w);
    assert_eq!(rotated.len(), 2, "the refresh brought a new refresh token");
    let saved = saved_secrets(&w);
    assert!(
        saved.contains(&rotated[1]),
        "the new refresh token is saved"
    );
    assert!(!saved.contains(&rotated[0]), "the old one is gone");

    // The fake refuses the old refresh token now, so the next refresh works only with the
    // saved one.
    let answer = reqwest::Client::new()
        .post(w.fake.token_url())
        .form(&[
            ("client_id", fake_microsoft::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", rotated[0].as_str()),
            ("scope", "offline_access User.Read Calendars.Read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let body = answer.text().await.unwrap();
    assert!(body.contains("invalid_grant"), "{body}");

    w.fake.expire_access_tokens();
    w.fake.put_event(CALENDAR, timed("b", "B", 2));
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(w.titles().await, ["A", "B"]);
    assert!(saved_secrets(&w).contains(refresh_tokens(&w).last().unwrap()));
}

#[tokio::test]
async fn a_revoked_grant_asks_for_sign_in_again_and_keeps_the_events() {
    let (w, id) = connected().await;
    w.fake.revoke_grants();
    w.fake.expire_access_tokens();

    let report = w.sync(id).await;
    assert!(report.needs_reauth, "{report:?}");
    let account = w.engine.account(id).await.unwrap();
    assert!(account.needs_reauth);
    let message = account.last_error.unwrap();
    assert!(!message.contains('\n'), "{message}");
    assert_eq!(w.titles().await, ["A"]);

    // Connecting again re-authorizes the same account.
    let again = w.connect().await;
    assert_eq!(again, id);
    let account = w.engine.account(id).await.unwrap();
    assert!(!account.needs_reauth && account.last_error.is_none());
    assert_eq!(w.engine.accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn throttling_and_503_are_retried_after_retry_after() {
    let (w, id) = connected().await;
    w.fake.put_event(CALENDAR, timed("b", "B", 2));
    w.fake.inject(Fault::new(
        "/calendarView/delta",
        1,
        FaultKind::Throttle { retry_after: 1 },
    ));
    w.fake.inject(Fault::new(
        "/calendarView/delta",
        1,
        FaultKind::Status {
            status: 503,
            code: "serviceNotAvailable".into(),
            retry_after: Some(1),
        },
    ));
    let started = std::time::Instant::now();
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    // Both waits were honoured (the quick policy alone would retry within milliseconds).
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(w.delta_requests(), 3);
    assert_eq!(w.titles().await, ["A", "B"]);
}

/// Asserts that a sync hit by `fault` fails with a one-line error and changes nothing, and
/// that the next sync brings the change.
async fn fails_cleanly(fault: FaultKind, times: usize) {
    let (w, id) = connected().await;
    w.fake.put_event(CALENDAR, timed("b", "B", 2));
    w.fake.delete_event(CALENDAR, "a");
    w.fake
        .inject(Fault::new("/calendarView/delta", times, fault.clone()));
    let report = w.sync(id).await;
    assert!(!report.ok(), "{fault:?}: {report:?}");
    let error = report.calendars[0].error.clone().unwrap();
    assert!(!error.contains('\n') && !error.contains('<'), "{error}");
    assert_eq!(w.titles().await, ["A"], "{fault:?}");
    let calendar = &w.engine.calendars().await.unwrap()[0];
    assert!(calendar.last_error.is_some(), "{calendar:?}");

    w.fake.clear_faults();
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(w.titles().await, ["B"]);
}

#[tokio::test]
async fn a_truncated_page_fails_the_calendar_s_sync_and_changes_nothing() {
    fails_cleanly(FaultKind::TruncatedJson, 1).await;
}

#[tokio::test]
async fn a_gateway_s_html_page_that_lasts_fails_cleanly_and_changes_nothing() {
    fails_cleanly(FaultKind::HtmlPage(504), 10).await;
}

#[tokio::test]
async fn a_lasting_503_fails_cleanly_and_changes_nothing() {
    fails_cleanly(FaultKind::status(503, "serviceNotAvailable"), 10).await;
}

#[tokio::test]
async fn a_gateway_s_html_page_once_is_retried() {
    let (w, id) = connected().await;
    w.fake.put_event(CALENDAR, timed("b", "B", 2));
    w.fake.inject(Fault::new(
        "/calendarView/delta",
        1,
        FaultKind::HtmlPage(504),
    ));
    assert!(w.sync(id).await.ok());
    assert_eq!(w.titles().await, ["A", "B"]);
}

#[tokio::test]
async fn events_carry_zones_all_day_dates_answers_links_and_text_bodies() {
    let w = world().await;
    // 09:00 in Seattle on a day ten days on, written with the Windows zone name.
    let day = (Utc::now() + chrono::Duration::days(10)).date_naive();
    let nine = day.and_hms_opt(9, 0, 0).unwrap();
    w.fake.put_event(
        CALENDAR,
        json!({
            "id": "zoned",
            "subject": "Standup",
            "start": {"dateTime": nine.format("%Y-%m-%dT%H:%M:%S").to_string(),
                      "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": (nine + chrono::Duration::minutes(30)).format("%Y-%m-%dT%H:%M:%S").to_string(),
                    "timeZone": "Pacific Standard Time"},
            "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"},
            "onlineMeetingProvider": "teamsForBusiness",
            "isOnlineMeeting": true,
            "body": {"contentType": "html",
                     "content": "<html><head><style>p{color:red}</style></head><body><p>Agenda: <b>roadmap</b></p><script>alert(1)</script></body></html>"},
            "location": {"displayName": "Room 1"},
        }),
    );
    w.fake.put_event(
        CALENDAR,
        json!({
            "id": "holiday",
            "subject": "Holiday",
            "isAllDay": true,
            "start": {"dateTime": format!("{}T00:00:00.0000000", day + chrono::Days::new(1)), "timeZone": "Tokyo Standard Time"},
            "end": {"dateTime": format!("{}T00:00:00.0000000", day + chrono::Days::new(3)), "timeZone": "Tokyo Standard Time"},
        }),
    );
    let mut declined = timed("declined", "Declined", 3);
    declined["responseStatus"] = json!({"response": "declined", "time": "2026-11-30T10:00:00Z"});
    w.fake.put_event(CALENDAR, declined);
    let mut accepted = timed("accepted", "Accepted", 4);
    accepted["responseStatus"] = json!({"response": "accepted", "time": "2026-11-30T10:00:00Z"});
    w.fake.put_event(CALENDAR, accepted);
    w.connect().await;

    let events = w.events().await;
    let standup = events.iter().find(|e| e.title == "Standup").unwrap();
    let expected = nine
        .and_local_timezone(chrono_tz::America::Los_Angeles)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        standup.start,
        expected.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert_eq!(
        standup.meeting_url.as_deref(),
        Some("https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0")
    );
    let body = standup.description.as_deref().unwrap();
    assert!(body.contains("Agenda: roadmap"), "{body}");
    assert!(
        !body.contains('<') && !body.contains("alert") && !body.contains("color"),
        "{body}"
    );
    assert_eq!(standup.location.as_deref(), Some("Room 1"));

    let holiday = events.iter().find(|e| e.title == "Holiday").unwrap();
    assert!(holiday.all_day);
    assert_eq!(
        (holiday.start.as_str(), holiday.end.as_str()),
        (
            (day + chrono::Days::new(1)).to_string().as_str(),
            (day + chrono::Days::new(3)).to_string().as_str()
        )
    );

    let declined = events.iter().find(|e| e.title == "Declined").unwrap();
    assert_eq!(declined.my_response.as_deref(), Some("declined"));
    let upcoming = w.engine.upcoming(Utc::now(), 30, 50, false).await.unwrap();
    let titles: Vec<_> = upcoming.iter().map(|e| e.title.as_str()).collect();
    assert!(
        titles.contains(&"Accepted") && !titles.contains(&"Declined"),
        "{titles:?}"
    );
}

#[tokio::test]
async fn a_series_with_a_moved_a_cancelled_and_a_deleted_occurrence() {
    let w = world().await;
    let first = at(24);
    let local = |days: i64| graph_local(first + chrono::Duration::days(days));
    w.fake.put_event(
        CALENDAR,
        json!({
            "id": "series",
            "subject": "Daily",
            "start": {"dateTime": local(0), "timeZone": "UTC"},
            "end": {"dateTime": graph_local(first + chrono::Duration::hours(1)), "timeZone": "UTC"},
            "recurrence": {"pattern": {"type": "daily", "interval": 1},
                           "range": {"type": "numbered", "numberOfOccurrences": 5}},
        }),
    );
    w.fake.put_exception(
        CALENDAR,
        "series",
        &local(1),
        json!({"subject": "Daily (moved)"}),
    );
    let id = w.connect().await;
    let mut expected = vec!["Daily", "Daily", "Daily", "Daily", "Daily (moved)"];
    assert_eq!(w.titles().await, expected);

    // The organiser cancels one occurrence and deletes another: both leave the calendar.
    w.fake
        .put_exception(CALENDAR, "series", &local(2), json!({"isCancelled": true}));
    w.fake.delete_occurrence(CALENDAR, "series", &local(3));
    let report = w.sync(id).await;
    assert!(report.ok(), "{report:?}");
    expected.drain(0..2);
    assert_eq!(w.titles().await, expected);

    // Deleting the series takes every occurrence along.
    w.fake.delete_event(CALENDAR, "series");
    assert!(w.sync(id).await.ok());
    assert!(w.titles().await.is_empty());
}

#[tokio::test]
async fn a_removed_calendar_leaves_with_its_events_after_a_complete_listing() {
    let w = world().await;
    let team = w.fake.add_calendar(json!({"name": "Team"}));
    w.fake.put_event(&team, timed("t", "Team thing", 1));
    let id = w.connect().await;
    assert_eq!(w.engine.calendars().await.unwrap().len(), 2);
    w.fake.remove_calendar(&team);

    // The listing fails: nothing is removed.
    w.fake.inject(Fault::new(
        "/me/calendars",
        10,
        FaultKind::status(500, "generalException"),
    ));
    assert!(!w.sync(id).await.ok());
    assert_eq!(w.engine.calendars().await.unwrap().len(), 2);
    assert_eq!(w.titles().await, ["Team thing"]);

    w.fake.clear_faults();
    assert!(w.sync(id).await.ok());
    assert_eq!(w.engine.calendars().await.unwrap().len(), 1);
    assert!(w.titles().await.is_empty());
}

#[tokio::test]
async fn disconnect_deletes_tokens_and_data_and_says_microsoft_cannot_revoke() {
    let (w, id) = connected().await;
    assert!(saved_secrets(&w).contains(&format!("microsoft:{ADDRESS}")));

    let done = w.engine.disconnect(id).await.unwrap();
    assert!(!done.revoked);
    let note = done.revoke_error.unwrap();
    assert!(note.contains("no way for an app to revoke"), "{note}");
    // Nothing was sent to Microsoft: there is no endpoint to send it to.
    assert!(w.fake.requests().is_empty(), "{:?}", w.fake.requests());
    assert!(w.engine.accounts().await.unwrap().is_empty());
    assert!(w.engine.calendars().await.unwrap().is_empty());
    assert_eq!(w.engine.store().event_count().await.unwrap(), 0);
    let secrets = saved_secrets(&w);
    assert!(!secrets.contains("microsoft:"));
    for token in w.fake.issued_tokens() {
        assert!(!secrets.contains(&token));
    }
}

#[tokio::test]
async fn refusing_consent_in_the_browser_is_a_clear_error() {
    let w = world().await;
    w.fake.set_consent(Consent::Deny);
    let err = w
        .engine
        .connect_microsoft(microsoft_support::browser, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "sign_in_denied");
    assert!(err.to_string().contains("access_denied"), "{err}");
    assert!(w.engine.accounts().await.unwrap().is_empty());
}
