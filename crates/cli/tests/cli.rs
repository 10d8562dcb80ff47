//! The real `calbuddy` binary against the local fake Google: the command contract (flags,
//! JSON fields, exit codes), errors on one line, secrets never printed, and crash safety.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use fake_google::{FakeGoogle, Fault, FaultKind, CLIENT_ID, CLIENT_SECRET};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::process::Command;

const EMAIL: &str = "user@example.com";

struct Cli {
    fake: FakeGoogle,
    dir: TempDir,
    /// Everything the binary printed, checked for secrets at the end of each test.
    printed: std::sync::Mutex<String>,
}

impl Cli {
    async fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        // Plays the user's browser: open the authorization URL, follow the redirects.
        let browser = dir.path().join("browser");
        std::fs::write(
            &browser,
            "#!/usr/bin/env python3\nimport sys, urllib.request\nurllib.request.urlopen(sys.argv[1]).read()\n",
        )
        .unwrap();
        std::fs::set_permissions(
            &browser,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        Cli {
            fake: FakeGoogle::start().await,
            dir,
            printed: Default::default(),
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_calbuddy"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("TZ", "UTC")
            .env("CALBUDDY_DATA_DIR", self.data())
            .env("CALBUDDY_SECRET_STORE", "file")
            .env("CALBUDDY_GOOGLE_CLIENT_ID", CLIENT_ID)
            .env("CALBUDDY_GOOGLE_CLIENT_SECRET", CLIENT_SECRET)
            .env("CALBUDDY_GOOGLE_AUTH_URL", self.fake.auth_url())
            .env("CALBUDDY_GOOGLE_TOKEN_URL", self.fake.token_url())
            .env("CALBUDDY_GOOGLE_REVOKE_URL", self.fake.revoke_url())
            .env("CALBUDDY_GOOGLE_API_URL", self.fake.api_url())
            .env("CALBUDDY_RETRY_BASE_MS", "10")
            .env("CALBUDDY_HTTP_TIMEOUT_SECS", "2")
            .env("BROWSER", self.dir.path().join("browser"))
            .kill_on_drop(true);
        cmd
    }

    async fn run_with(&self, mut cmd: Command) -> Output {
        let out = cmd.output().await.unwrap();
        let mut printed = self.printed.lock().unwrap();
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.run_with(self.command(args)).await
    }

    /// Runs a command that must succeed; returns its stdout.
    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "calbuddy {args:?} failed: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with one clear line; returns that line.
    async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(!out.status.success(), "calbuddy {args:?} should fail");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_clean_error(&stderr);
        stderr
    }

    async fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args).await).unwrap()
    }

    /// Every stored occurrence, as `events --json` prints it.
    async fn all_events(&self) -> Value {
        self.json(&[
            "events",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--json",
        ])
        .await
    }

    /// How many events listings the fake has served since its log was cleared.
    fn event_list_requests(&self) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/events"))
            .count()
    }

    fn assert_no_secret_printed(&self) {
        let printed = self.printed.lock().unwrap();
        for token in self.fake.issued_tokens() {
            assert!(!printed.contains(&token), "a token was printed");
        }
        assert!(
            !printed.contains(CLIENT_SECRET),
            "the client secret was printed"
        );
    }
}

fn assert_clean_error(stderr: &str) {
    assert!(stderr.starts_with("calbuddy: error: "), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
}

fn hours_from_now(h: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let t = chrono::DateTime::from_timestamp(now - now.rem_euclid(3600) + h * 3600, 0).unwrap();
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn timed(id: &str, title: &str, hours: i64) -> Value {
    json!({"id": id, "summary": title,
           "start": {"dateTime": hours_from_now(hours)}, "end": {"dateTime": hours_from_now(hours + 1)}})
}

fn db_files(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.ends_with("secrets.json") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    bytes
}

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
    let first = &events[0];
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
    ] {
        assert!(first.get(field).is_some(), "missing {field}");
    }
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
    cli.fake.put_event("team", json!({"id": "e3", "summary": "Far", "start": {"date": "2026-12-30"}, "end": {"date": "2026-12-31"}}));
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

#[tokio::test]
async fn events_between_days_uses_local_days_inclusive() {
    let cli = Cli::new().await;
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    cli.fake.put_event(EMAIL, json!({"id": "d1", "summary": "Tomorrow all day",
        "start": {"date": day(tomorrow)}, "end": {"date": day(tomorrow + chrono::Duration::days(1))}}));
    cli.fake.put_event(
        EMAIL,
        json!({"id": "d2", "summary": "Tomorrow noon",
        "start": {"dateTime": format!("{}T12:00:00Z", day(tomorrow))},
        "end": {"dateTime": format!("{}T13:00:00Z", day(tomorrow))}}),
    );
    cli.ok(&["connect", "google"]).await;
    let only_today = cli
        .json(&[
            "events",
            "--from",
            &day(today),
            "--to",
            &day(today),
            "--json",
        ])
        .await;
    assert!(only_today
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["external_id"] != "d1" && e["external_id"] != "d2"));
    let tomorrow_events = cli
        .json(&[
            "events",
            "--from",
            &day(tomorrow),
            "--to",
            &day(tomorrow),
            "--json",
        ])
        .await;
    let titles: Vec<_> = tomorrow_events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Tomorrow all day", "Tomorrow noon"]);
    assert_eq!(
        tomorrow_events[0]["end"],
        day(tomorrow + chrono::Duration::days(1))
    );
    assert_eq!(
        tomorrow_events[1]["start"],
        format!("{}T12:00:00Z", day(tomorrow))
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

#[tokio::test]
async fn output_to_a_closed_pipe_ends_quietly() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    let mut cmd = cli.command(&["upcoming", "--json"]);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    drop(child.stdout.take()); // the reader goes away at once
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
