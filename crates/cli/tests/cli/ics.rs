//! `calbuddy connect ics` against a feed served on 127.0.0.1: the subscription, its events in
//! any range the feed covers, and the private address kept out of every output and the
//! database.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::harness::{db_files, Cli};

/// The token in the private address: it must never be shown or stored outside the keychain.
const SECRET: &str = "private-8f3a9c2e71d4b6";

/// A feed of 2019: a weekly stand-up in Berlin time (one instance moved, one cancelled) and a
/// holiday. Far outside any sync window of today.
const FEED_2019: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
X-WR-CALNAME:Team rota\r\n\
BEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTAMP:20190101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20190107T090000\r\nDTEND;TZID=Europe/Berlin:20190107T093000\r\n\
RRULE:FREQ=WEEKLY;UNTIL=20191231T235959Z\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTAMP:20190101T000000Z\r\n\
RECURRENCE-ID;TZID=Europe/Berlin:20190114T090000\r\n\
DTSTART;TZID=Europe/Berlin:20190115T110000\r\nDTEND;TZID=Europe/Berlin:20190115T113000\r\n\
SUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTAMP:20190101T000000Z\r\n\
RECURRENCE-ID:20190121T080000Z\r\nSTATUS:CANCELLED\r\n\
DTSTART;TZID=Europe/Berlin:20190121T090000\r\nSUMMARY:Stand-up\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:holiday@example.com\r\nDTSTAMP:20190101T000000Z\r\n\
DTSTART;VALUE=DATE:20190501\r\nSUMMARY:Labour Day\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// Serves `body` with `content_type` to every request, on a thread.
fn serve(content_type: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(Mutex::new(()));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _one_at_a_time = served.lock().unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: {content_type}\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    format!("{base}/calendars/{SECRET}/basic.ics")
}

fn titles_on(events: &Value, day: &str) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["start"].as_str().unwrap().starts_with(day))
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_feed_of_2019_is_subscribed_listed_for_2019_and_its_address_kept_secret() {
    let cli = Cli::new().await;
    let url = serve("text/calendar", FEED_2019);
    let text = cli.ok(&["connect", "ics", "--url", &url]).await;
    assert!(text.contains("Connected Team rota"), "{text}");
    let port = url.split(':').nth(2).unwrap().split('/').next().unwrap();
    let redacted = format!("http://127.0.0.1:{port}/…/basic.ics");
    assert!(text.contains(&redacted), "{text}");

    let accounts = cli.json(&["accounts", "--json"]).await;
    let account = &accounts[0];
    assert_eq!(account["provider"], "ics");
    assert_eq!(account["name"], "Team rota");
    assert_eq!(account["detail"], redacted.as_str());
    let listed = cli.ok(&["accounts"]).await;
    assert!(
        listed.contains("ics") && listed.contains(&redacted),
        "{listed}"
    );

    // The stored series answers for 2019, long before the sync window.
    let events = cli
        .json(&[
            "events",
            "--from",
            "2019-01-01",
            "--to",
            "2019-12-31",
            "--json",
        ])
        .await;
    let standups = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["title"] == "Stand-up")
        .count();
    // 52 Mondays in 2019, one moved and one cancelled.
    assert_eq!(standups, 50, "{events}");
    assert_eq!(titles_on(&events, "2019-01-07"), ["Stand-up"]);
    assert!(titles_on(&events, "2019-01-14").is_empty());
    assert_eq!(titles_on(&events, "2019-01-15"), ["Stand-up (moved)"]);
    assert!(titles_on(&events, "2019-01-21").is_empty());
    assert_eq!(titles_on(&events, "2019-05-01"), ["Labour Day"]);
    // 09:00 in Berlin in summer is 07:00 UTC.
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["start"] == "2019-07-01T07:00:00Z"));

    // The same link again is the same account, renamed.
    cli.ok(&["connect", "ics", "--url", &url, "--name", "Rota"])
        .await;
    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts.as_array().unwrap().len(), 1, "{accounts}");
    assert_eq!(accounts[0]["name"], "Rota");
    cli.ok(&["sync"]).await;

    let secrets = cli.data().join("secrets.json");
    assert!(std::fs::read_to_string(&secrets).unwrap().contains(SECRET));
    let db = db_files(&cli.data());
    assert!(
        !db.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "the private address reached the database"
    );

    let id = accounts[0]["id"].to_string();
    cli.ok(&["disconnect", &id]).await;
    assert!(!std::fs::read_to_string(&secrets)
        .unwrap_or_default()
        .contains(SECRET));
    cli.assert_no_secret_printed();
    let printed = cli.printed();
    assert!(!printed.contains(SECRET), "the private address was printed");
}

#[tokio::test]
async fn a_login_page_or_a_bad_link_fails_on_one_line_without_the_address() {
    let cli = Cli::new().await;
    let url = serve(
        "text/html",
        "<!DOCTYPE html><html><body>Sign in</body></html>",
    );
    let err = cli.fails(&["connect", "ics", "--url", &url]).await;
    assert!(err.contains("did not send a calendar"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    assert_eq!(
        cli.json(&["accounts", "--json"]).await,
        serde_json::json!([])
    );

    let err = cli
        .fails(&["connect", "ics", "--url", "ftp://example.com/cal.ics"])
        .await;
    assert!(err.contains("https://"), "{err}");
}
