//! The ICS subscription figures: the first subscribe+sync of a 10,000-event feed (in a child
//! process per run, each with a fresh data directory), its phases in-process, and an unchanged
//! refresh with a 304 and with a re-stamped body: requests the server saw, whether the
//! database files were written, and peak memory.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use calbuddy_engine::ical;
use calbuddy_engine::provider::ics::translate::translate;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::Utc;

use crate::feed::{self, FeedServer, Mode, FEED_EVENTS};
use crate::{median, ms, peak_rss_kib};

const FIRST_SYNC_RUNS: usize = 5;
const PHASE_RUNS: usize = 5;
const REFRESH_RUNS: usize = 5;

/// `--ics-child subscribe URL`: subscribes to URL; prints micros and peak KiB.
/// `--ics-child refresh`: syncs every account; prints micros, peak KiB and 1 if the database
/// or its WAL changed size or mtime during the sync, else 0.
pub async fn child(args: &[String]) {
    let engine = Engine::open(EngineConfig::from_env().expect("config"))
        .await
        .expect("engine");
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("subscribe"), Some(url)) => {
            let started = Instant::now();
            let (_, report) = engine
                .connect_ics(url, None, Utc::now())
                .await
                .expect("subscribe");
            let elapsed = started.elapsed();
            assert!(report.ok(), "{report:?}");
            println!("{} {}", elapsed.as_micros(), peak_rss_kib());
        }
        (Some("refresh"), None) => {
            let data = std::env::var_os("CALBUDDY_DATA_DIR").expect("data dir");
            let before = db_files(Path::new(&data));
            let started = Instant::now();
            let reports = engine.sync(None, Utc::now()).await.expect("sync");
            let elapsed = started.elapsed();
            let written = db_files(Path::new(&data)) != before;
            for report in reports {
                let report = report.expect("account sync");
                assert!(report.ok(), "{report:?}");
            }
            println!(
                "{} {} {}",
                elapsed.as_micros(),
                peak_rss_kib(),
                u8::from(written)
            );
        }
        _ => panic!("usage: --ics-child subscribe URL | refresh"),
    }
}

/// Size and mtime of each `*.db*` file (database, -wal, -shm excluded: it is a memory map).
fn db_files(data: &Path) -> Vec<(String, u64, SystemTime)> {
    let mut files: Vec<_> = std::fs::read_dir(data)
        .expect("data dir")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = e.metadata().ok()?;
            let db = name.ends_with(".db") || name.ends_with(".db-wal");
            let modified = meta.modified().ok()?;
            db.then_some((name, meta.len(), modified))
        })
        .collect();
    files.sort();
    files
}

pub async fn benchmarks() {
    let body = feed::generate(Utc::now());
    println!(
        "ICS feed: {FEED_EVENTS} VEVENTs, {:.1} MB",
        body.len() as f64 / 1e6
    );
    let conditional = FeedServer::start(body.clone(), Mode::Conditional).await;
    let restamp = FeedServer::start(body, Mode::Restamp).await;

    // Phases, in this process: fetch (one GET of the body), parse, translate.
    let client = reqwest::Client::new();
    let (mut fetches, mut parses, mut translates) = (vec![], vec![], vec![]);
    for _ in 0..PHASE_RUNS {
        let started = Instant::now();
        let bytes = client
            .get(&conditional.url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("GET");
        let bytes = bytes.bytes().await.expect("body");
        fetches.push(started.elapsed());
        let started = Instant::now();
        let parsed = ical::parse(&bytes);
        parses.push(started.elapsed());
        let started = Instant::now();
        let translated = translate(&parsed);
        translates.push(started.elapsed());
        assert_eq!(translated.changes.len(), FEED_EVENTS - feed::SERIES);
    }
    conditional.take_requests();

    let dir = tempfile::tempdir().expect("temp dir");
    let mut firsts = Vec::with_capacity(FIRST_SYNC_RUNS);
    let mut first_peak = 0;
    for run in 0..FIRST_SYNC_RUNS {
        let data = dir.path().join(format!("first-{run}"));
        let out =
            crate::child::run_in(&["--ics-child", "subscribe", &conditional.url], &data).await;
        firsts.push(Duration::from_micros(out[0]));
        first_peak = first_peak.max(out[1]);
    }
    let subscribe_requests = conditional.take_requests() / FIRST_SYNC_RUNS;
    println!(
        "ICS subscribe + first sync:       {:>8.1} ms   median of {FIRST_SYNC_RUNS}, fresh data dir each, {subscribe_requests} request(s) (target <= 300 ms)",
        ms(median(&mut firsts))
    );
    println!(
        "  phases in-process: fetch {:.1} ms, parse {:.1} ms, translate {:.1} ms (medians of {PHASE_RUNS}); the rest is the store",
        ms(median(&mut fetches)),
        ms(median(&mut parses)),
        ms(median(&mut translates)),
    );
    println!(
        "  peak memory (VmHWM):            {:>8.1} MB   (target <= 60 MB)",
        first_peak as f64 / 1024.0
    );

    let modes = [
        ("ETag, 304", &conditional),
        ("no validators, new DTSTAMP", &restamp),
    ];
    for (index, (label, server)) in modes.into_iter().enumerate() {
        let data = dir.path().join(format!("refresh-{index}"));
        crate::child::run_in(&["--ics-child", "subscribe", &server.url], &data).await;
        server.take_requests();
        let (mut times, mut peak, mut max_requests, mut writes) = (vec![], 0, 0, vec![]);
        for _ in 0..REFRESH_RUNS {
            let out = crate::child::run_in(&["--ics-child", "refresh"], &data).await;
            times.push(Duration::from_micros(out[0]));
            peak = peak.max(out[1]);
            writes.push(out[2]);
            max_requests = max_requests.max(server.take_requests());
        }
        println!(
            "ICS unchanged refresh ({label}): {:.1} ms median of {REFRESH_RUNS}; requests per refresh: {max_requests} (max); database written (per run, 1 = yes): {writes:?}; peak memory {:.1} MB (target: 1 request, no write, <= 60 MB)",
            ms(median(&mut times)),
            peak as f64 / 1024.0
        );
    }
}
