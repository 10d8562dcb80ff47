//! The real `calbuddy` binary against the local fake Google: the command contract (flags,
//! JSON fields, exit codes), errors on one line, secrets never printed, and crash safety.

mod caldav;
mod harness;
mod hostile_text;
mod ics;
mod microsoft;
mod next;
mod output_failures;
mod ranges;
mod search;

use std::time::Duration;

use fake_google::{Fault, FaultKind};
use serde_json::json;

use harness::{assert_clean_error, db_files, timed, Cli, EMAIL};

#[tokio::test]
async fn with_no_account_upcoming_says_how_to_connect() {
    let cli = Cli::new().await;
    let text = cli.ok(&["upcoming"]).await;
    assert!(text.contains("calbuddy connect demo") && text.contains("calbuddy connect google"));
    assert_eq!(cli.json(&["upcoming", "--json"]).await, json!([]));
    assert_eq!(cli.json(&["accounts", "--json"]).await, json!([]));
}

#[tokio::test]
async fn demo_calendar_shows_meeting_standup_and_all_day_events() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    let events = cli.json(&["upcoming", "--json"]).await;
    let events = events.as_array().unwrap();
    // The first timed event that has not begun (the daily stand-up may be under way, and an
    // ongoing event is listed first).
    let first = events
        .iter()
        .find(|e| e["title"] != "Daily stand-up" && e["all_day"] == false)
        .unwrap();
    assert_eq!(first["title"], "Product sync");
    assert!(first["meeting_url"]
        .as_str()
        .unwrap()
        .starts_with("https://meet.google.com/"));
    assert!(first["start"].as_str().unwrap().ends_with('Z'));
    for field in [
        "id",
        "account_id",
        "calendar_id",
        "calendar_name",
        "provider",
        "external_id",
        "title",
        "description",
        "location",
        "start",
        "end",
        "all_day",
        "recurring",
        "status",
        "meeting_url",
        "ical_uid",
        "organizer",
        "attendees",
        "attendees_omitted",
        "web_link",
        "reminder_minutes",
        "also_in",
    ] {
        assert!(first.get(field).is_some(), "missing {field}");
    }
    assert_eq!(first["ical_uid"], "demo-product-sync@demo.calbuddy.invalid");
    assert_eq!(first["attendees"][1]["is_self"], true);
    assert_eq!(first["also_in"], json!([]));
    let all_day = events.iter().find(|e| e["all_day"] == true).unwrap();
    assert_eq!(all_day["start"].as_str().unwrap().len(), 10, "YYYY-MM-DD");
    assert!(events.iter().any(|e| e["recurring"] == true));
    assert!(events
        .iter()
        .all(|e| e["title"] != "Quarterly planning (declined)"));
    let text = cli.ok(&["upcoming"]).await;
    assert!(text.contains("Product sync") && text.contains("Today"));
    // Connecting the demo again does not duplicate it.
    cli.ok(&["connect", "demo"]).await;
    assert_eq!(
        cli.json(&["accounts", "--json"])
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn upcoming_writes_times_as_the_clock_setting_says() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    cli.ok(&["settings", "set", "general.time_format", "12h"])
        .await;
    let twelve = cli.ok(&["upcoming"]).await;
    assert!(
        twelve.contains(" AM–") || twelve.contains(" PM–"),
        "{twelve}"
    );
    cli.ok(&["settings", "set", "general.time_format", "24h"])
        .await;
    let twenty_four = cli.ok(&["upcoming"]).await;
    assert!(
        !twenty_four.contains(" AM") && !twenty_four.contains(" PM"),
        "{twenty_four}"
    );
    assert!(twenty_four.contains(':'), "{twenty_four}");
}

#[tokio::test]
async fn connect_google_sync_and_read_back_through_the_json_contract() {
    let cli = Cli::new().await;
    cli.fake.add_calendar("team", "Team", "#336699");
    cli.fake.put_event(EMAIL, timed("e1", "Design review", 2));
    cli.fake.put_event(
        "team",
        json!({"id": "e2", "summary": "Offsite",
        "start": {"date": "2030-01-07"}, "end": {"date": "2030-01-09"}}),
    );
    let text = cli.ok(&["connect", "google"]).await;
    assert!(text.contains("Connected user@example.com"), "{text}");

    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(
        accounts[0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        [
            "id",
            "last_error",
            "last_synced_at",
            "name",
            "needs_reauth",
            "provider"
        ]
    );
    assert_eq!(accounts[0]["provider"], "google");
    assert_eq!(accounts[0]["needs_reauth"], false);

    let calendars = cli.json(&["calendars", "--json"]).await;
    assert_eq!(calendars.as_array().unwrap().len(), 2);
    let upcoming = cli.json(&["upcoming", "--days", "2", "--json"]).await;
    assert_eq!(upcoming[0]["title"], "Design review");
    assert_eq!(upcoming[0]["provider"], "google");
    assert_eq!(upcoming[0]["external_id"], "e1");

    // `--to` is the last day included; all-day ends are exclusive.
    // An event added after the first sync shows up once synced, on its own day only.
    let far = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    cli.fake.put_event(
        "team",
        json!({"id": "e3", "summary": "Far",
        "start": {"date": day(far)}, "end": {"date": day(far + chrono::Duration::days(1))}}),
    );
    let on = |d| {
        let (d, cli) = (day(d), &cli);
        async move {
            cli.json(&["events", "--from", &d, "--to", &d, "--json"])
                .await
        }
    };
    assert_eq!(on(far).await, json!([]), "not synced yet");
    cli.ok(&["sync"]).await;
    let synced = on(far).await;
    assert_eq!(synced.as_array().unwrap().len(), 1, "{synced}");
    assert_eq!(synced[0]["title"], "Far");
    assert_eq!(synced[0]["external_id"], "e3");
    assert_eq!(synced[0]["start"], day(far));
    assert_eq!(on(far + chrono::Duration::days(1)).await, json!([]));
    let range = cli
        .json(&[
            "events",
            "--from",
            "2030-01-08",
            "--to",
            "2030-01-08",
            "--json",
        ])
        .await;
    assert_eq!(
        range.as_array().unwrap().len(),
        0,
        "the offsite is outside the synced window"
    );

    let team = calendars
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Team")
        .unwrap();
    let team_id = team["id"].to_string();
    cli.ok(&["calendars", "disable", &team_id]).await;
    let calendars = cli.json(&["calendars", "--json"]).await;
    assert!(calendars
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["enabled"] == false));
    assert!(calendars
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["reminders"] == true));
    cli.ok(&["calendars", "reminders", &team_id, "off"]).await;
    let calendars = cli.json(&["calendars", "--json"]).await;
    let team = calendars
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Team")
        .unwrap();
    assert_eq!(team["reminders"], false);
    let text = cli.ok(&["calendars"]).await;
    assert!(
        text.lines()
            .any(|l| l.contains("Team") && l.ends_with("(no reminders)")),
        "{text}"
    );
    cli.ok(&["calendars", "reminders", &team_id, "on"]).await;
    let calendars = cli.json(&["calendars", "--json"]).await;
    assert!(calendars
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["reminders"] == true));

    let out = cli.ok(&["sync"]).await;
    assert!(out.contains("synced"), "{out}");
    let status = cli.json(&["status", "--json"]).await;
    assert_eq!(status["secret_store"], "file");
    assert!(status["last_synced_at"].is_string());

    let account_id = accounts[0]["id"].to_string();
    let out = cli.ok(&["disconnect", &account_id]).await;
    assert!(out.contains("Disconnected"));
    assert_eq!(cli.json(&["upcoming", "--json"]).await, json!([]));
    cli.assert_no_secret_printed();

    let db = db_files(&cli.data());
    for token in cli.fake.issued_tokens() {
        assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));
    }
}

/// Kiritimati is UTC+14 all year (no DST), so its days and UTC days differ by most of a day.
const KIRITIMATI: &str = "Pacific/Kiritimati";

#[tokio::test]
async fn events_between_days_uses_local_days_inclusive() {
    let cli = Cli::new().await;
    let zone = chrono::FixedOffset::east_opt(14 * 3600).unwrap();
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    let after = tomorrow + chrono::Duration::days(1);
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    // A local time in Kiritimati, as UTC.
    let at = |d: chrono::NaiveDate, hh_mm: &str| {
        let local =
            chrono::NaiveDateTime::parse_from_str(&format!("{} {hh_mm}", day(d)), "%Y-%m-%d %H:%M")
                .unwrap();
        let utc = local.and_local_timezone(zone).unwrap().to_utc();
        utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    cli.fake.put_event(
        EMAIL,
        json!({"id": "d1", "summary": "Tomorrow all day",
        "start": {"date": day(tomorrow)}, "end": {"date": day(after)}}),
    );
    // 00:30 local is 10:30 UTC the day before: on the local day, not on the UTC day.
    cli.fake.put_event(
        EMAIL,
        json!({"id": "d2", "summary": "Tomorrow early",
        "start": {"dateTime": at(tomorrow, "00:30")}, "end": {"dateTime": at(tomorrow, "01:30")}}),
    );
    // 00:30 the day after is 10:30 UTC tomorrow: on the UTC day, not on the local day.
    cli.fake.put_event(
        EMAIL,
        json!({"id": "d3", "summary": "Day after early",
        "start": {"dateTime": at(after, "00:30")}, "end": {"dateTime": at(after, "01:30")}}),
    );
    cli.ok(&["connect", "google"]).await;
    let events = |from: chrono::NaiveDate, to: chrono::NaiveDate, json: bool| {
        let mut cmd = cli.command(&["events", "--from", &day(from), "--to", &day(to)]);
        if json {
            cmd.arg("--json");
        }
        cmd.env("TZ", KIRITIMATI);
        let cli = &cli;
        async move {
            let out = cli.run_with(cmd).await;
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        }
    };
    let titles = |text: String| -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(events(today, today, true).await),
        Vec::<String>::new()
    );
    let tomorrow_events = events(tomorrow, tomorrow, true).await;
    assert_eq!(
        titles(tomorrow_events.clone()),
        ["Tomorrow all day", "Tomorrow early"]
    );
    let tomorrow_events: serde_json::Value = serde_json::from_str(&tomorrow_events).unwrap();
    assert_eq!(tomorrow_events[0]["end"], day(after));
    assert_eq!(tomorrow_events[1]["start"], at(tomorrow, "00:30"));
    assert_eq!(
        titles(events(tomorrow, after, true).await),
        ["Tomorrow all day", "Tomorrow early", "Day after early"]
    );
    assert_eq!(
        titles(events(after, after, true).await),
        ["Day after early"]
    );
    // The text shows local times under local days.
    let text = events(tomorrow, after, false).await;
    let tomorrow_heading = tomorrow.format("%a %d %b").to_string();
    let after_heading = after.format("%a %d %b").to_string();
    let lines: Vec<&str> = text.lines().collect();
    let line_of = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    assert!(
        line_of(&tomorrow_heading) < line_of("Tomorrow early"),
        "{text}"
    );
    assert!(
        line_of("Tomorrow early") < line_of(&after_heading),
        "{text}"
    );
    assert!(
        line_of(&after_heading) < line_of("Day after early"),
        "{text}"
    );
    assert!(
        lines[line_of("Tomorrow early")].contains("00:30–01:30"),
        "{text}"
    );
    let err = cli
        .fails(&["events", "--from", &day(tomorrow), "--to", &day(today)])
        .await;
    assert!(err.contains("--to"), "{err}");
}

#[tokio::test]
async fn errors_are_one_clear_line_with_a_non_zero_exit() {
    let cli = Cli::new().await;
    let err = cli.fails(&["disconnect", "42"]).await;
    assert!(err.contains("no account with id 42"), "{err}");
    let err = cli.fails(&["calendars", "enable", "7"]).await;
    assert!(err.contains("no calendar with id 7"), "{err}");
    let err = cli
        .fails(&["settings", "set", "sync.interval_minutes", "0"])
        .await;
    assert!(
        err.contains("sync.interval_minutes") && err.contains("1 to 1440"),
        "{err}"
    );
    let err = cli.fails(&["settings", "set", "sync.colour", "red"]).await;
    assert!(err.contains("unknown setting"), "{err}");

    std::fs::write(cli.data().join("config.toml"), "[sync\n").unwrap();
    let err = cli.fails(&["status"]).await;
    assert!(err.contains("config.toml is not valid"), "{err}");
    std::fs::remove_file(cli.data().join("config.toml")).unwrap();

    let mut cmd = cli.command(&["accounts"]);
    cmd.env("CALBUDDY_SECRET_STORE", "vault");
    let out = cli.run_with(cmd).await;
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_clean_error(&stderr);
    assert!(stderr.contains("CALBUDDY_SECRET_STORE must be"), "{stderr}");

    let mut cmd = cli.command(&["connect", "google"]);
    cmd.env_remove("CALBUDDY_GOOGLE_CLIENT_ID");
    let out = cli.run_with(cmd).await;
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_clean_error(&stderr);
    assert!(stderr.contains("CALBUDDY_GOOGLE_CLIENT_ID"), "{stderr}");
}

#[tokio::test]
async fn settings_are_shown_and_changed_without_revealing_the_client_secret() {
    let cli = Cli::new().await;
    cli.ok(&["settings", "set", "sync.days_ahead", "120"]).await;
    cli.ok(&[
        "settings",
        "set",
        "google.client_secret",
        "my-client-secret",
    ])
    .await;
    let settings = cli.json(&["settings", "--json"]).await;
    assert_eq!(settings["sync"]["days_ahead"], 120);
    assert_eq!(settings["notifications"]["lead_minutes"], 10);
    assert_eq!(settings["google"]["client_secret"], "(set)");
    let text = cli.ok(&["settings"]).await;
    assert!(
        text.contains("sync.days_ahead = 120") && !text.contains("my-client-secret"),
        "{text}"
    );
}

#[tokio::test]
async fn a_revoked_grant_says_to_reconnect_and_keeps_the_events() {
    let cli = Cli::new().await;
    cli.fake.put_event(EMAIL, timed("e1", "Kept", 2));
    cli.ok(&["connect", "google"]).await;
    cli.fake.revoke_refresh_tokens();
    cli.fake.expire_access_tokens();
    let err = cli.fails(&["sync"]).await;
    assert!(err.contains("calbuddy connect google"), "{err}");
    let accounts = cli.json(&["accounts", "--json"]).await;
    assert_eq!(accounts[0]["needs_reauth"], true);
    assert_eq!(cli.json(&["upcoming", "--json"]).await[0]["title"], "Kept");
    cli.ok(&["connect", "google"]).await;
    assert_eq!(
        cli.json(&["accounts", "--json"]).await[0]["needs_reauth"],
        false
    );
    cli.assert_no_secret_printed();
}

#[tokio::test]
async fn no_keychain_is_reported_with_the_fix() {
    let cli = Cli::new().await;
    let mut cmd = cli.command(&["connect", "google"]);
    cmd.env("CALBUDDY_SECRET_STORE", "os")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let out = cli.run_with(cmd).await;
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success());
    let last = stderr.trim_end().lines().last().unwrap();
    assert_clean_error(&format!("{last}\n"));
    assert!(
        last.contains("no OS keychain") && last.contains("CALBUDDY_SECRET_STORE=file"),
        "{last}"
    );
    cli.assert_no_secret_printed();
}

#[tokio::test]
async fn kill_9_between_pages_leaves_the_previous_data() {
    let cli = Cli::new().await;
    cli.fake.put_events(
        EMAIL,
        (0..3000)
            .map(|i| timed(&format!("old{i:04}"), "Old", i % 300))
            .collect(),
    );
    cli.ok(&["connect", "google"]).await;
    let before = cli.all_events().await;
    cli.fake.put_events(
        EMAIL,
        (0..3000)
            .map(|i| timed(&format!("new{i:04}"), "New", i % 300))
            .collect(),
    );
    cli.fake.clear_requests();
    // Page 1 comes at once; page 2 takes long enough for the kill to land between them.
    cli.fake
        .inject(Fault::new("/events", 1, FaultKind::Delay(Duration::ZERO)));
    cli.fake.inject(Fault::new(
        "/events",
        1,
        FaultKind::Delay(Duration::from_secs(30)),
    ));
    let mut child = cli.command(&["sync"]).spawn().unwrap();
    for _ in 0..200 {
        if cli.event_list_requests() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(cli.event_list_requests(), 2);
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();

    let after = cli.all_events().await;
    assert_eq!(before, after, "the killed sync changed nothing");
    cli.fake.clear_faults();
    cli.ok(&["sync"]).await;
    let synced = cli.all_events().await;
    assert_eq!(synced.as_array().unwrap().len(), 6000);
}

#[tokio::test]
async fn two_processes_never_sync_one_account_at_once() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "google"]).await;
    cli.fake.inject(Fault::new(
        "/events",
        1,
        FaultKind::Delay(Duration::from_secs(2)),
    ));
    let first = cli.command(&["sync"]).output();
    let second = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        cli.command(&["sync"]).output().await
    };
    let (first, second) = tokio::join!(first, second);
    assert!(first.unwrap().status.success());
    let second = second.unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8(second.stderr).unwrap();
    assert!(
        stderr.contains("already being synced by another process"),
        "{stderr}"
    );
}
