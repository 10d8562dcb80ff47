//! `calbuddy connect caldav` and `connect icloud` against the local fake CalDAV server: the
//! password from CALBUDDY_CALDAV_PASSWORD or a pipe, never printed or put in the database; a
//! wrong one refused in one line with nothing added; the account's events in any range.

use fake_caldav::{CalendarSpec, FakeCalDav, Options, PASSWORD, USER};
use tokio::io::AsyncWriteExt;

use crate::harness::{db_files, Cli};

/// A weekly series of 2019 with one moved instance, as one resource (one UID).
const SERIES_2019: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:review@example.com\r\nDTSTAMP:20190101T000000Z\r\n\
DTSTART:20190107T100000Z\r\nDTEND:20190107T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\
SUMMARY:Review\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:review@example.com\r\nDTSTAMP:20190101T000000Z\r\n\
RECURRENCE-ID:20190114T100000Z\r\nDTSTART:20190115T150000Z\r\nDTEND:20190115T160000Z\r\n\
SUMMARY:Review (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

async fn server() -> FakeCalDav {
    let fake = FakeCalDav::start(Options::default()).await;
    fake.add_calendar("work", CalendarSpec::events("Work"));
    fake.put_event("work", "review.ics", SERIES_2019);
    fake
}

fn starts_of(events: &serde_json::Value) -> Vec<(String, String)> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_owned(),
                e["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn connect_caldav_with_the_password_in_the_environment_lists_the_series_of_2019() {
    let cli = Cli::new().await;
    let fake = server().await;
    let mut cmd = cli.command(&[
        "connect",
        "caldav",
        "--url",
        &fake.url(),
        "--username",
        USER,
    ]);
    cmd.env("CALBUDDY_CALDAV_PASSWORD", PASSWORD);
    let out = cli.run_with(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("Connected {USER}")), "{stdout}");

    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts[0]["provider"], "caldav");
    assert_eq!(accounts[0]["name"], USER);
    assert_eq!(accounts[0]["detail"], "127.0.0.1");
    let calendars = cli.json(&["calendars", "--json"]).await;
    assert_eq!(calendars[0]["name"], "Work", "{calendars}");

    let events = cli
        .json(&[
            "events",
            "--from",
            "2019-01-01",
            "--to",
            "2019-01-31",
            "--json",
        ])
        .await;
    assert_eq!(
        starts_of(&events),
        [
            ("2019-01-07T10:00:00Z".into(), "Review".into()),
            ("2019-01-15T15:00:00Z".into(), "Review (moved)".into()),
            ("2019-01-21T10:00:00Z".into(), "Review".into()),
            ("2019-01-28T10:00:00Z".into(), "Review".into()),
        ]
    );

    assert!(
        !cli.printed().contains(PASSWORD),
        "the password was printed"
    );
    let db = db_files(&cli.data());
    assert!(
        !db.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()),
        "the password reached the database"
    );
    let secrets = std::fs::read_to_string(cli.data().join("secrets.json")).unwrap();
    assert!(
        secrets.contains(PASSWORD),
        "the password is not in the secret store"
    );
}

/// Runs `calbuddy ARGS` with `input` piped to its standard input (no password variable).
async fn with_stdin(cli: &Cli, args: &[&str], input: &str) -> std::process::Output {
    let mut cmd = cli.command(args);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

#[tokio::test]
async fn the_password_may_come_on_standard_input_and_a_wrong_one_adds_nothing() {
    let cli = Cli::new().await;
    let fake = server().await;
    let args = [
        "connect",
        "caldav",
        "--url",
        &fake.url(),
        "--username",
        USER,
    ];

    let wrong = with_stdin(&cli, &args, "not-the-password\n").await;
    assert!(!wrong.status.success());
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    crate::harness::assert_clean_error(&stderr);
    assert!(stderr.contains("wrong user name or password"), "{stderr}");
    assert!(!stderr.contains("not-the-password"), "{stderr}");
    assert_eq!(
        cli.json(&["accounts", "--json"]).await,
        serde_json::json!([])
    );

    let empty = with_stdin(&cli, &args, "").await;
    assert!(!empty.status.success());
    let stderr = String::from_utf8(empty.stderr).unwrap();
    crate::harness::assert_clean_error(&stderr);
    assert!(stderr.contains("CALBUDDY_CALDAV_PASSWORD"), "{stderr}");

    let right = with_stdin(&cli, &args, &format!("{PASSWORD}\n")).await;
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    let listed = cli.ok(&["accounts"]).await;
    assert!(
        listed.contains("caldav") && listed.contains(USER),
        "{listed}"
    );
    assert!(!String::from_utf8_lossy(&right.stdout).contains(PASSWORD));
}

#[tokio::test]
async fn connect_icloud_starts_at_the_icloud_address() {
    let cli = Cli::new().await;
    let fake = server().await;
    let mut cmd = cli.command(&["connect", "icloud", "--username", USER]);
    cmd.env("CALBUDDY_ICLOUD_URL", fake.url())
        .env("CALBUDDY_CALDAV_PASSWORD", PASSWORD);
    let out = cli.run_with(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts[0]["provider"], "caldav");
    assert!(
        fake.request_count() > 0,
        "iCloud discovery did not reach the configured address"
    );

    let help = cli.ok(&["connect", "icloud", "--help"]).await;
    assert!(
        help.contains("app-specific password") && help.contains("account.apple.com"),
        "{help}"
    );
}
