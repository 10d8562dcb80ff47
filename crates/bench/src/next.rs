//! `calbuddy next` as a status bar runs it: the whole release binary as a fresh process, over a
//! data directory holding 100,000 events, timed from spawn to exit (target <= 20 ms, so it can
//! be polled every 30 s). It needs the release `calbuddy` beside this binary
//! (`cargo build --release -p calbuddy-cli`).

use std::time::{Duration, Instant};

use calbuddy_engine::paths::DataDir;
use calbuddy_engine::store::Store;
use chrono::Utc;

use crate::{median, ms, percentile, seed_store, QUERY_EVENTS};

const RUNS: usize = 200;

pub async fn benchmarks() {
    let binary = std::env::current_exe()
        .expect("own path")
        .with_file_name("calbuddy");
    assert!(
        binary.exists(),
        "{} is missing: cargo build --release -p calbuddy-cli",
        binary.display()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let data = DataDir::new(dir.path().join("data"));
    calbuddy_engine::paths::create_private_dir(data.root()).expect("data dir");
    let store = Store::open(&data.database()).await.expect("store");
    seed_store(&store, QUERY_EVENTS, Utc::now()).await;
    store.close().await;

    for format in ["text", "waybar"] {
        let mut runs: Vec<Duration> = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            let out = std::process::Command::new(&binary)
                .args(["next", "--format", format])
                .env("CALBUDDY_DATA_DIR", data.root())
                .env("CALBUDDY_SECRET_STORE", "file")
                .output()
                .expect("calbuddy next");
            runs.push(started.elapsed());
            assert!(
                out.status.success() && !out.stdout.is_empty(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        println!(
            "calbuddy next --format {format:<6} ({QUERY_EVENTS} events): {:>6.2} ms   median of {RUNS} processes, p99 {:.2} ms (target <= 20 ms)",
            ms(median(&mut runs)),
            ms(percentile(&mut runs, 0.99))
        );
    }
}
