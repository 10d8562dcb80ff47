//! Text written by others (event titles and locations, calendar and account names, server
//! error messages) reaches the terminal without escape sequences, control characters, bidi
//! overrides or extra lines; `--json` keeps it exact.

use fake_google::{Fault, FaultKind};
use serde_json::{json, Value};

use crate::harness::{assert_clean_error, hours_from_now, Cli};

/// The account name is the primary calendar's id, the user's e-mail.
const EVIL_EMAIL: &str = "mallory\u{1b}]0;owned\u{7}@example.com";
const EVIL_CALENDAR: &str = "Team\u{1b}[31m\u{202e}der";
const OSC_TITLE: &str = "A\u{1b}]0;pwned\u{7}B";
const OSC_LOCATION: &str = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}";
const OVERWRITING_TITLE: &str = "real\r\u{1b}[Kfake";
const MULTI_LINE_TITLE: &str = "line one\nline two\r\n12:00 fake event";
const BIDI_TITLE: &str = "invoice\u{202e}fdp.exe\u{2066}x\u{2069}";
/// A server error whose reason carries an escape sequence and a line break.
const EVIL_REASON: &str = "bad\u{1b}]0;x\u{7}\nreason";

/// Nothing that acts on a terminal: only printable text and line ends.
fn assert_inert(what: &str, text: &str) {
    for c in text.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        assert!(
            c == '\n' || !(c.is_control() || bidi),
            "{what} has {c:?}: {text:?}"
        );
    }
}

fn event(id: &str, title: &str, hours: i64) -> Value {
    json!({"id": id, "summary": title,
           "start": {"dateTime": hours_from_now(hours)},
           "end": {"dateTime": hours_from_now(hours + 1)}})
}

async fn text(cli: &Cli, args: &[&str]) -> String {
    let text = cli.ok(args).await;
    assert_inert(&format!("{args:?}"), &text);
    text
}

#[tokio::test]
async fn outside_text_cannot_act_on_the_terminal_and_json_keeps_it_exact() {
    let cli = Cli::new().await;
    cli.fake.set_user_email(EVIL_EMAIL);
    cli.fake.add_calendar("team", EVIL_CALENDAR, "#336699");
    let mut osc = event("e1", OSC_TITLE, 2);
    osc["location"] = json!(OSC_LOCATION);
    cli.fake.put_event(EVIL_EMAIL, osc);
    cli.fake
        .put_event("team", event("e2", OVERWRITING_TITLE, 3));
    cli.fake.put_event("team", event("e3", MULTI_LINE_TITLE, 4));
    cli.fake.put_event("team", event("e4", BIDI_TITLE, 5));

    let connected = text(&cli, &["connect", "google"]).await;
    assert!(
        connected.contains("Connected mallory@example.com"),
        "{connected}"
    );

    let upcoming = text(&cli, &["upcoming"]).await;
    // Day headings and one line per event: no fake lines, and no "at" line for a location
    // that is nothing once cleaned.
    let (events, headings): (Vec<&str>, Vec<&str>) =
        upcoming.lines().partition(|l| l.starts_with("  "));
    assert_eq!(events.len(), 4, "{upcoming}");
    assert!(
        headings
            .iter()
            .all(|h| h.starts_with("Today") || h.starts_with("Tomorrow")),
        "{upcoming}"
    );
    assert!(upcoming.contains(" AB "), "{upcoming}");
    assert!(upcoming.contains("real fake"), "{upcoming}");
    assert!(
        upcoming.contains("line one line two 12:00 fake event"),
        "{upcoming}"
    );
    assert!(upcoming.contains("invoicefdp.exex"), "{upcoming}");
    assert!(upcoming.contains("Teamder"), "{upcoming}");
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let in_two_days = (chrono::Utc::now().date_naive() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    text(&cli, &["events", "--from", &today, "--to", &in_two_days]).await;
    let calendars = text(&cli, &["calendars"]).await;
    assert_eq!(calendars.lines().count(), 2, "{calendars}");
    let accounts = text(&cli, &["accounts"]).await;
    assert_eq!(accounts.lines().count(), 1, "{accounts}");

    // `--json` is exact.
    let events = cli.json(&["upcoming", "--json"]).await;
    let titles: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [OSC_TITLE, OVERWRITING_TITLE, MULTI_LINE_TITLE, BIDI_TITLE]
    );
    assert_eq!(events[0]["location"], OSC_LOCATION);
    assert_eq!(events[1]["calendar_name"], EVIL_CALENDAR);
    assert_eq!(
        cli.json(&["accounts", "--json"]).await[0]["name"],
        EVIL_EMAIL
    );

    // A server error with escapes ends up on stderr and in `last_error`.
    cli.fake.inject(Fault::new(
        "/events",
        2,
        FaultKind::status(400, EVIL_REASON),
    ));
    let out = cli.run(&["sync"]).await;
    cli.fake.clear_faults();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_inert("sync's stderr", &stderr);
    assert_clean_error(&stderr);
    assert!(
        stderr.contains("badreason") || stderr.contains("bad reason"),
        "{stderr}"
    );
    let last_error = cli.json(&["accounts", "--json"]).await[0]["last_error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(last_error.contains(EVIL_REASON), "{last_error}");
    for args in [&["accounts"][..], &["calendars"], &["status"]] {
        let shown = text(&cli, args).await;
        assert!(
            shown.contains("last sync failed") || shown.contains("error"),
            "{shown}"
        );
    }
    assert_eq!(text(&cli, &["accounts"]).await.lines().count(), 1);

    // Log lines carry outside text too (the calendar name, when its sync token expired).
    cli.fake.invalidate_sync_tokens("team");
    let mut cmd = cli.command(&["sync"]);
    cmd.env("CALBUDDY_LOG", "info");
    let out = cli.run_with(cmd).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert_inert("sync's output", &stdout);
    assert_inert("the log", &stderr);
    let logged = stderr
        .lines()
        .find(|l| l.contains("sync token expired"))
        .unwrap_or_else(|| panic!("no log line about the expired token: {stderr}"));
    assert!(logged.contains("Team"), "{logged}");

    let disconnected = text(&cli, &["disconnect", "1"]).await;
    assert!(
        disconnected.contains("mallory@example.com"),
        "{disconnected}"
    );
    cli.assert_no_secret_printed();
}
