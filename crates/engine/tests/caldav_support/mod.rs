//! Real CalDAV servers for integration tests: Radicale and Xandikos from PyPI, in the venv that
//! `scripts/caldav-venv` keeps, started by `tests/caldav/serve.py` on 127.0.0.1 at a random port
//! with Basic auth for [`USER`] and a "Personal" calendar plus a task-only "Tasks" list.
//!
//! The venv is prepared once per test process; each test starts its own server, which stops
//! when the [`DavServer`] is dropped (or, if the test process dies, when its stdin closes). A
//! machine that cannot build the venv fails the tests with the reason: they never skip.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod edit;
pub mod proxy;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use tempfile::TempDir;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "secret";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Radicale,
    Xandikos,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Radicale, Kind::Xandikos];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Radicale => "radicale",
            Kind::Xandikos => "xandikos",
        }
    }
}

/// What serve.py printed once the server answered.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerInfo {
    pub server: String,
    pub version: String,
    pub url: String,
    pub principal: String,
    pub calendars: Vec<CalendarInfo>,
    pub startup_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CalendarInfo {
    pub href: String,
    pub name: String,
    pub components: Vec<String>,
}

/// A running server; stopped on drop.
pub struct DavServer {
    pub info: ServerInfo,
    child: std::sync::Mutex<Child>,
    root: TempDir,
}

impl DavServer {
    pub fn url(&self) -> &str {
        &self.info.url
    }

    /// The calendar serve.py created with this display name.
    pub fn calendar(&self, name: &str) -> &CalendarInfo {
        self.info
            .calendars
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{} has no calendar {name}", self.info.server))
    }
}

impl DavServer {
    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&self) {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }

    /// The server's address (127.0.0.1 and its port).
    pub fn addr(&self) -> std::net::SocketAddr {
        let url = url::Url::parse(self.url()).unwrap();
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
            .parse()
            .unwrap()
    }
}

impl Drop for DavServer {
    fn drop(&mut self) {
        self.kill();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's python, prepared once per test process.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let script = workspace_root().join("scripts/caldav-venv");
        let out = Command::new(&script)
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "scripts/caldav-venv failed ({}): the CalDAV tests need Python 3 with venv and \
             access to PyPI once (or a prepared venv in $CALBUDDY_CALDAV_VENV)",
            out.status
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// Starts a server of `kind` and waits until it answers (with its calendars created).
pub fn start(kind: Kind) -> DavServer {
    let root = tempfile::tempdir().unwrap();
    let log = root.path().join("server.log");
    let mut child = Command::new(python())
        .arg(workspace_root().join("tests/caldav/serve.py"))
        .args([
            kind.name(),
            "--port",
            "0",
            "--user",
            USER,
            "--password",
            PASSWORD,
        ])
        .arg("--root")
        .arg(root.path().join("data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start serve.py {}: {e}", kind.name()));
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    let info: Option<ServerInfo> = serde_json::from_str(&line).ok();
    match info {
        Some(info) => DavServer {
            info,
            child: std::sync::Mutex::new(child),
            root,
        },
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("{} did not start: {line:?}\n{log}", kind.name());
        }
    }
}

/// The calendar collection URLs vdirsyncer's CalDAV storage discovers at `url` (sorted): the
/// reference client the engine's discovery is compared with.
pub fn vdirsyncer_discover(url: &str) -> Vec<String> {
    let out = Command::new(python())
        .arg(workspace_root().join("tests/caldav/vdirsyncer_discover.py"))
        .args([url, USER, PASSWORD])
        .output()
        .unwrap_or_else(|e| panic!("cannot run vdirsyncer_discover.py: {e}"));
    assert!(
        out.status.success(),
        "vdirsyncer discovery failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON list of URLs")
}
