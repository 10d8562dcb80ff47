//! `calbuddy` against the local fake Microsoft identity platform + Graph: `connect outlook`
//! through the browser script, the JSON contract for a Microsoft account and its events, a
//! no-change sync costing one request per calendar, a 410, a revoked grant, `disconnect`, and
//! no token ever printed or stored in the database.

use fake_microsoft::{FakeMicrosoft, DEFAULT_CALENDAR_ID as CALENDAR};
use serde_json::{json, Value};

use crate::harness::{db_files, hours_from_now, Cli};

/// The address the fake's `/me` reports by default.
const ADDRESS: &str = "megan@contoso.example";

/// A one-hour event `hours` from the current hour, in Graph's create-event JSON (UTC).
fn timed(id: &str, title: &str, hours: i64) -> Value {
    let local = |h: i64| hours_from_now(h).trim_end_matches('Z').to_owned();
    json!({"id": id, "subject": title,
           "start": {"dateTime": local(hours), "timeZone": "UTC"},
           "end": {"dateTime": local(hours + 1), "timeZone": "UTC"}})
}

/// Graph requests (not sign-in) since the log was last cleared.
fn graph_requests(ms: &FakeMicrosoft) -> usize {
    ms.requests().iter().filter(|r| r.is_graph()).count()
}

fn assert_no_token_stored(cli: &Cli) {
    let db = db_files(&cli.data());
    assert!(!db.is_empty());
    for token in cli.ms().issued_tokens() {
        assert!(
            !db.windows(token.len()).any(|w| w == token.as_bytes()),
            "a token is in the database"
        );
    }
}

#[tokio::test]
async fn connect_outlook_sync_and_read_back_through_the_json_contract() {
    let cli = Cli::with_microsoft().await;
    let ms = cli.ms();
    let team = ms.add_calendar(json!({"name": "Team", "hexColor": "#008000"}));
    ms.put_event(CALENDAR, timed("e1", "Design review", 2));
    let mut teams = timed("e2", "Team call", 5);
    teams["onlineMeeting"] = json!({"joinUrl": "https://teams.microsoft.com/l/meetup-join/abc"});
    ms.put_event(&team, teams);

    let text = cli.ok(&["connect", "outlook"]).await;
    assert!(text.contains(&format!("Connected {ADDRESS}")), "{text}");

    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["provider"], "microsoft");
    assert_eq!(accounts[0]["name"], ADDRESS);
    assert_eq!(accounts[0]["needs_reauth"], false);
    let calendars = cli.json(&["calendars", "--json"]).await;
    assert_eq!(calendars.as_array().unwrap().len(), 2);

    let upcoming = cli.json(&["upcoming", "--days", "2", "--json"]).await;
    let titles: Vec<_> = upcoming
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Design review", "Team call"]);
    assert_eq!(upcoming[0]["provider"], "microsoft");
    assert_eq!(upcoming[0]["external_id"], "e1");
    assert_eq!(
        upcoming[1]["meeting_url"],
        "https://teams.microsoft.com/l/meetup-join/abc"
    );

    // Nothing changed: the calendar list and one delta request per calendar.
    ms.clear_requests();
    let out = cli.ok(&["sync"]).await;
    assert!(out.contains("synced 2 calendars, 0 changes"), "{out}");
    assert_eq!(graph_requests(ms), 3);
    assert_eq!(ms.count_requests("/calendarView/delta"), 2);

    // A change arrives through the delta link.
    ms.put_event(CALENDAR, timed("e3", "Added", 3));
    ms.delete_event(CALENDAR, "e1");
    let out = cli.ok(&["sync"]).await;
    assert!(out.contains("2 changes"), "{out}");
    let upcoming = cli.json(&["upcoming", "--days", "2", "--json"]).await;
    assert_eq!(upcoming[0]["title"], "Added");

    cli.assert_no_secret_printed();
    assert_no_token_stored(&cli);
}

#[tokio::test]
async fn an_expired_delta_link_lists_again_in_full() {
    let cli = Cli::with_microsoft().await;
    let ms = cli.ms();
    ms.put_event(CALENDAR, timed("a", "A", 2));
    cli.ok(&["connect", "outlook"]).await;
    ms.put_event(CALENDAR, timed("b", "B", 3));
    ms.expire_delta_tokens();
    ms.clear_requests();
    cli.ok(&["sync"]).await;
    // The 410, then a full round over the window.
    let deltas: Vec<_> = ms
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/calendarView/delta"))
        .collect();
    assert_eq!(deltas.len(), 2, "{deltas:#?}");
    assert!(deltas[1].query_param("startDateTime").is_some());
    let upcoming = cli.json(&["upcoming", "--days", "2", "--json"]).await;
    let titles: Vec<_> = upcoming
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["A", "B"]);
    cli.assert_no_secret_printed();
}

#[tokio::test]
async fn a_revoked_grant_says_to_connect_outlook_again_and_keeps_the_events() {
    let cli = Cli::with_microsoft().await;
    let ms = cli.ms();
    ms.put_event(CALENDAR, timed("e1", "Kept", 2));
    cli.ok(&["connect", "outlook"]).await;
    ms.revoke_grants();
    ms.expire_access_tokens();

    let err = cli.fails(&["sync"]).await;
    assert!(err.contains("calbuddy connect outlook"), "{err}");
    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts[0]["needs_reauth"], true);
    let text = cli.ok(&["accounts"]).await;
    assert!(
        text.contains("needs sign-in: run `calbuddy connect outlook`"),
        "{text}"
    );
    assert_eq!(cli.json(&["upcoming", "--json"]).await[0]["title"], "Kept");

    cli.ok(&["connect", "outlook"]).await;
    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["needs_reauth"], false);
    cli.assert_no_secret_printed();
    assert_no_token_stored(&cli);
}

#[tokio::test]
async fn disconnect_deletes_the_account_and_says_microsoft_cannot_revoke() {
    let cli = Cli::with_microsoft().await;
    cli.ms().put_event(CALENDAR, timed("e1", "Gone", 2));
    cli.ok(&["connect", "outlook"]).await;
    let accounts = cli.json(&["accounts", "--json"]).await;
    let id = accounts[0]["id"].to_string();

    let out = cli.ok(&["disconnect", &id]).await;
    assert!(out.contains("Disconnected"), "{out}");
    assert!(out.contains("no way for an app to revoke"), "{out}");
    assert_eq!(cli.json(&["accounts", "--json"]).await, json!([]));
    assert_eq!(cli.json(&["upcoming", "--json"]).await, json!([]));
    let secrets = std::fs::read_to_string(cli.data().join("secrets.json")).unwrap_or_default();
    for token in cli.ms().issued_tokens() {
        assert!(!secrets.contains(&token), "a token is still saved");
    }
    cli.assert_no_secret_printed();
    assert_no_token_stored(&cli);
}

#[tokio::test]
async fn connect_outlook_without_a_client_names_the_fix() {
    let cli = Cli::with_microsoft().await;
    let mut cmd = cli.command(&["connect", "outlook"]);
    cmd.env_remove("CALBUDDY_MICROSOFT_CLIENT_ID");
    let out = cli.run_with(cmd).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    crate::harness::assert_clean_error(&stderr);
    assert!(stderr.contains("microsoft.client_id"), "{stderr}");
}
