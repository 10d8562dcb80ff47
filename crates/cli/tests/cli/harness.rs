//! The harness: the real `calbuddy` binary in a private data directory, against a local fake
//! Google (and, from [`Cli::with_microsoft`], a local fake Microsoft), with a script standing
//! in for the user's browser.

use std::path::{Path, PathBuf};
use std::process::Output;

use fake_google::{FakeGoogle, CLIENT_ID, CLIENT_SECRET};
use fake_microsoft::FakeMicrosoft;
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::process::Command;

pub const EMAIL: &str = "user@example.com";

pub struct Cli {
    pub fake: FakeGoogle,
    /// The fake Microsoft identity platform + Graph, when the test asked for one.
    pub microsoft: Option<FakeMicrosoft>,
    dir: TempDir,
    /// Everything the binary printed, checked for secrets at the end of each test.
    printed: std::sync::Mutex<String>,
}

impl Cli {
    pub async fn new() -> Cli {
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
            microsoft: None,
            dir,
            printed: Default::default(),
        }
    }

    /// A harness whose binary also signs in to, and syncs from, a fake Microsoft.
    pub async fn with_microsoft() -> Cli {
        let mut cli = Cli::new().await;
        cli.microsoft = Some(FakeMicrosoft::start().await);
        cli
    }

    /// The fake Microsoft.
    ///
    /// # Panics
    /// If the harness was made without one.
    pub fn ms(&self) -> &FakeMicrosoft {
        self.microsoft
            .as_ref()
            .expect("a harness made with Cli::with_microsoft")
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn command(&self, args: &[&str]) -> Command {
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
        if let Some(ms) = &self.microsoft {
            cmd.env("CALBUDDY_MICROSOFT_CLIENT_ID", FakeMicrosoft::CLIENT_ID)
                .env("CALBUDDY_MICROSOFT_AUTH_URL", ms.auth_url())
                .env("CALBUDDY_MICROSOFT_TOKEN_URL", ms.token_url())
                .env("CALBUDDY_MICROSOFT_GRAPH_URL", ms.graph_url());
        }
        cmd
    }

    pub async fn run_with(&self, mut cmd: Command) -> Output {
        let out = cmd.output().await.unwrap();
        let mut printed = self.printed.lock().unwrap();
        printed.push_str(&String::from_utf8_lossy(&out.stdout));
        printed.push_str(&String::from_utf8_lossy(&out.stderr));
        out
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        self.run_with(self.command(args)).await
    }

    /// Runs a command that must succeed; returns its stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "calbuddy {args:?} failed: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail with one clear line; returns that line.
    pub async fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(!out.status.success(), "calbuddy {args:?} should fail");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_clean_error(&stderr);
        stderr
    }

    pub async fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args).await).unwrap()
    }

    /// Every stored occurrence, as `events --json` prints it.
    pub async fn all_events(&self) -> Value {
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
    pub fn event_list_requests(&self) -> usize {
        self.fake
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/events"))
            .count()
    }

    /// Everything the binary printed so far, stdout and stderr.
    pub fn printed(&self) -> String {
        self.printed.lock().unwrap().clone()
    }

    pub fn assert_no_secret_printed(&self) {
        let printed = self.printed.lock().unwrap();
        let microsoft = self.microsoft.iter().flat_map(FakeMicrosoft::issued_tokens);
        for token in self.fake.issued_tokens().into_iter().chain(microsoft) {
            assert!(!printed.contains(&token), "a token was printed");
        }
        assert!(
            !printed.contains(CLIENT_SECRET),
            "the client secret was printed"
        );
    }
}

pub fn assert_clean_error(stderr: &str) {
    assert!(stderr.starts_with("calbuddy: error: "), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
}

pub fn hours_from_now(h: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let t = chrono::DateTime::from_timestamp(now - now.rem_euclid(3600) + h * 3600, 0).unwrap();
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn timed(id: &str, title: &str, hours: i64) -> Value {
    json!({"id": id, "summary": title,
           "start": {"dateTime": hours_from_now(hours)}, "end": {"dateTime": hours_from_now(hours + 1)}})
}

pub fn db_files(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && !path.ends_with("secrets.json") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    bytes
}
