//! The CalDAV figures (issue 8), against a real Radicale (from the venv `scripts/caldav-venv`
//! keeps) holding 5,000 events in one calendar:
//! - calbuddy's first sync (connect: discovery, sync-collection, multigets, the database), each
//!   run in a child process with a fresh data directory, which also reports its peak memory;
//! - the floor: a plain HTTP client replaying exactly the requests calbuddy made (recorded
//!   through `recorder.rs` in a run of its own), reading each answer whole and nothing more;
//! - `vdirsyncer sync` of the same collection into a fresh local directory (after an untimed
//!   `discover`), the reference client;
//! - a sync with no change: its requests and its time.
//!
//! Radicale serves the collection from its own cache once it is warm, so it is read once
//! before anything is timed, and runs alternate between the three clients.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use calbuddy_engine::secrets::Sensitive;
use calbuddy_engine::{CalDavSignIn, Engine, EngineConfig};
use chrono::{DateTime, Duration as Span, Utc};

use crate::recorder::{Recorded, Recorder};
use crate::{median, ms, peak_rss_kib};

const EVENTS: usize = 5_000;
const RUNS: usize = 3;
const USER: &str = "bench";
const PASSWORD: &str = "bench-password";

/// `--caldav-child connect URL`: connects the account at URL; `--caldav-child sync`: syncs
/// every account. Prints micros and peak KiB.
pub async fn child(args: &[String]) {
    let engine = Engine::open(EngineConfig::from_env().expect("config"))
        .await
        .expect("engine");
    let started = Instant::now();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("connect"), Some(url)) => {
            let sign_in = CalDavSignIn {
                url: url.clone(),
                username: USER.into(),
                password: Sensitive::new(PASSWORD.into()),
            };
            let (_, report) = engine
                .connect_caldav(sign_in, Utc::now())
                .await
                .expect("connect");
            assert!(report.ok(), "{report:?}");
        }
        (Some("sync"), None) => {
            for report in engine.sync(None, Utc::now()).await.expect("sync") {
                assert!(report.expect("account sync").ok());
            }
        }
        _ => panic!("usage: --caldav-child connect URL | sync"),
    }
    let events = engine.store().event_count().await.expect("count");
    println!(
        "{} {} {events}",
        started.elapsed().as_micros(),
        peak_rss_kib()
    );
}

pub async fn benchmarks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let python = venv_python();
    let server = Radicale::start(&python, &dir.path().join("radicale"));
    let client = reqwest::Client::new();
    let started = Instant::now();
    server.upload(&client, generate(Utc::now())).await;
    println!(
        "CalDAV: Radicale {} with {EVENTS} events in one calendar (uploaded in {:.1} s)",
        server.version,
        started.elapsed().as_secs_f64()
    );
    // Radicale builds its item cache on the first read of the collection.
    server.warm(&client).await;

    // calbuddy's requests, recorded once through the proxy.
    let recorder = Recorder::start(&server.origin).await;
    let out = run_child(&["connect", &recorder.url], &dir.path().join("recorded")).await;
    let requests = recorder.take();
    let stored = out[2];

    let (mut ours, mut floor, mut vdir) = (vec![], vec![], vec![]);
    let mut peak = 0;
    for run in 0..RUNS {
        let out = run_child(
            &["connect", &server.origin],
            &dir.path().join(format!("first-{run}")),
        )
        .await;
        ours.push(Duration::from_micros(out[0]));
        peak = peak.max(out[1]);
        assert_eq!(out[2], stored, "every run stores the same events");
        floor.push(replay(&client, &server.origin, &requests).await);
        vdir.push(vdirsyncer_sync(
            &python,
            &server.origin,
            &dir.path().join(format!("vdir-{run}")),
        ));
    }

    // A sync with nothing changed, through the proxy to count its requests.
    let mut unchanged = vec![];
    for _ in 0..RUNS {
        let out = run_child(&["sync"], &dir.path().join("recorded")).await;
        unchanged.push(Duration::from_micros(out[0]));
    }
    let unchanged_requests = recorder.take().len() / RUNS;

    let (ours, floor, vdir) = (median(&mut ours), median(&mut floor), median(&mut vdir));
    println!(
        "  first sync (connect: discovery + sync + database, {} requests, {stored} events stored; median of {RUNS}): {:.0} ms",
        requests.len(),
        ms(ours)
    );
    println!(
        "  the same requests replayed by a plain client (the server's floor): {:.0} ms -> calbuddy at {:.2}x the floor",
        ms(floor),
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  vdirsyncer sync of the same collection: {:.0} ms -> calbuddy {:.1}x faster; the floor is {:.1}x below vdirsyncer",
        ms(vdir),
        vdir.as_secs_f64() / ours.as_secs_f64(),
        vdir.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  peak memory of the first sync (VmHWM): {} MB",
        peak / 1024
    );
    println!(
        "  sync with no change: {unchanged_requests} requests (one calendar), {:.0} ms",
        ms(median(&mut unchanged))
    );
}

/// Runs this binary as `--caldav-child ARGS` with the data directory `data`.
async fn run_child(args: &[&str], data: &Path) -> Vec<u64> {
    let args: Vec<&str> = std::iter::once("--caldav-child")
        .chain(args.iter().copied())
        .collect();
    crate::child::run_in(&args, data).await
}

/// Sends `requests` again, one after the other on one keep-alive client, reading each answer
/// whole: what any client must at least spend on them.
async fn replay(client: &reqwest::Client, origin: &str, requests: &[Recorded]) -> Duration {
    let started = Instant::now();
    for request in requests {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
        let mut builder = client.request(method, format!("{origin}{}", request.path));
        for (name, value) in &request.headers {
            if !name.eq_ignore_ascii_case("host") {
                builder = builder.header(name, value);
            }
        }
        let response = builder
            .body(request.body.clone())
            .send()
            .await
            .expect("replay");
        response.bytes().await.expect("replayed body");
    }
    started.elapsed()
}

/// `vdirsyncer sync` of the calendar into a fresh directory, after an untimed `discover`.
fn vdirsyncer_sync(python: &Path, origin: &str, dir: &Path) -> Duration {
    std::fs::create_dir_all(dir).expect("vdirsyncer dir");
    let config = dir.join("config");
    std::fs::write(
        &config,
        format!(
            "[general]\nstatus_path = \"{status}/\"\n\n\
             [pair bench]\na = \"bench_local\"\nb = \"bench_remote\"\ncollections = [\"personal\"]\n\n\
             [storage bench_local]\ntype = \"filesystem\"\npath = \"{local}/\"\nfileext = \".ics\"\n\n\
             [storage bench_remote]\ntype = \"caldav\"\nurl = \"{origin}/\"\nusername = \"{USER}\"\npassword = \"{PASSWORD}\"\n",
            status = dir.join("status").display(),
            local = dir.join("local").display(),
        ),
    )
    .expect("vdirsyncer config");
    let vdirsyncer = |args: &[&str]| {
        let mut child = Command::new(python)
            .args(["-m", "vdirsyncer", "-c"])
            .arg(&config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vdirsyncer");
        // `discover` asks before creating the local collection.
        let _ = child.stdin.take().expect("stdin").write_all(b"y\ny\n");
        let out = child.wait_with_output().expect("vdirsyncer");
        assert!(
            out.status.success(),
            "vdirsyncer {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    vdirsyncer(&["discover", "bench"]);
    let started = Instant::now();
    vdirsyncer(&["sync", "bench"]);
    let elapsed = started.elapsed();
    let synced = std::fs::read_dir(dir.join("local/personal"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(
        synced >= EVENTS - EVENTS / 50,
        "vdirsyncer synced {synced} items"
    );
    elapsed
}

/// The venv's python (`scripts/caldav-venv` creates it when missing).
fn venv_python() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/caldav-venv");
    let out = Command::new(&script)
        .stderr(Stdio::inherit())
        .output()
        .expect("scripts/caldav-venv");
    assert!(out.status.success(), "scripts/caldav-venv failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A Radicale started by `tests/caldav/serve.py`, stopped when dropped (its stdin closes).
struct Radicale {
    child: Child,
    /// `http://127.0.0.1:PORT`
    origin: String,
    /// The event calendar's path.
    calendar: String,
    version: String,
}

impl Radicale {
    fn start(python: &Path, root: &Path) -> Radicale {
        let serve = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/caldav/serve.py");
        let mut child = Command::new(python)
            .arg(serve)
            .args(["radicale", "--user", USER, "--password", PASSWORD, "--root"])
            .arg(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(root.with_extension("log")).expect("server log"))
            .spawn()
            .expect("serve.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("serve.py's line");
        let info: serde_json::Value = serde_json::from_str(&line).expect("serve.py's JSON");
        let origin = info["url"]
            .as_str()
            .expect("url")
            .trim_end_matches('/')
            .to_owned();
        let calendar = info["calendars"]
            .as_array()
            .expect("calendars")
            .iter()
            .find(|c| c["components"].to_string().contains("VEVENT"))
            .and_then(|c| c["href"].as_str())
            .expect("an event calendar")
            .trim_start_matches(&origin)
            .to_owned();
        Radicale {
            child,
            origin,
            calendar,
            version: info["version"].as_str().unwrap_or("?").to_owned(),
        }
    }

    /// Replaces the calendar with `body` in one PUT (Radicale stores each UID as an item).
    async fn upload(&self, client: &reqwest::Client, body: String) {
        let response = client
            .put(format!("{}{}", self.origin, self.calendar))
            .basic_auth(USER, Some(PASSWORD))
            .header("Content-Type", "text/calendar; charset=utf-8")
            .body(body)
            .send()
            .await
            .expect("PUT");
        let status = response.status().as_u16();
        assert!(status == 201 || status == 204, "upload answered {status}");
    }

    /// Reads the collection once (Depth 1 etags), so its cache is built before any timing.
    async fn warm(&self, client: &reqwest::Client) {
        let response = client
            .request(
                reqwest::Method::from_bytes(b"PROPFIND").expect("method"),
                format!("{}{}", self.origin, self.calendar),
            )
            .basic_auth(USER, Some(PASSWORD))
            .header("Depth", "1")
            .body(
                r#"<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>"#,
            )
            .send()
            .await
            .expect("PROPFIND");
        assert_eq!(response.status().as_u16(), 207);
        response.bytes().await.expect("PROPFIND body");
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// One calendar of `EVENTS` events around `now` in Europe/Berlin (with its VTIMEZONE), like a
/// busy work calendar: descriptions, locations and meeting links, 5% all-day, 1% weekly series
/// with a moved instance.
fn generate(now: DateTime<Utc>) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Calendar Buddy//bench//EN\r\n\
         X-WR-CALNAME:Personal\r\n\
         BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
         BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
         DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
         BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
         DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\n",
    );
    let first = now.date_naive() - Span::days(30);
    let local = |day: i64, hour: i64| {
        (first + Span::days(day))
            .and_hms_opt(8 + (hour % 10) as u32, 0, 0)
            .expect("a time")
            .format("%Y%m%dT%H%M%S")
            .to_string()
    };
    for i in 0..EVENTS {
        let day = (i % 120) as i64;
        let uid = format!("bench-{i}@calendar-buddy.test");
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Meeting {i}\r\n"
        ));
        if i % 20 == 0 {
            let date = (first + Span::days(day)).format("%Y%m%d");
            out.push_str(&format!("DTSTART;VALUE=DATE:{date}\r\n"));
        } else {
            out.push_str(&format!(
                "DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\n",
                local(day, i as i64),
                local(day, i as i64 + 1)
            ));
            out.push_str(&format!(
                "LOCATION:Room {}\r\nDESCRIPTION:Agenda for meeting {i}: review the open items\\, \
                 decide the next steps and assign owners. Join: https://meet.google.com/abc-defg-{:03}\r\n",
                i % 40,
                i % 1000
            ));
        }
        if i % 100 == 1 {
            out.push_str("RRULE:FREQ=WEEKLY;COUNT=10\r\nEND:VEVENT\r\n");
            out.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\n\
                 RECURRENCE-ID;TZID=Europe/Berlin:{}\r\nDTSTART;TZID=Europe/Berlin:{}\r\n\
                 DTEND;TZID=Europe/Berlin:{}\r\nSUMMARY:Meeting {i} (moved)\r\n",
                local(day + 7, i as i64),
                local(day + 8, i as i64),
                local(day + 8, i as i64 + 1)
            ));
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}
