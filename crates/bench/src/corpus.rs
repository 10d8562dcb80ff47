//! Expanding the iCalendar corpus (`tests/ical-corpus/files`) over 2018–2028: the engine's
//! path (read → `ical::parse` → ICS `translate` → `recurrence::expand_at_most` for each series
//! master, the function the store's expansion calls) against `reference.py`
//! (recurring-ical-events), both as wall time of the whole run over the same files and window.
//! Python is started once; its start-up time (interpreter and imports) is printed, not
//! subtracted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calbuddy_engine::ical;
use calbuddy_engine::model::{RemoteChange, SyncWindow};
use calbuddy_engine::provider::ics::translate::translate;
use calbuddy_engine::recurrence::{expand_at_most, Series, MAX_INSTANCES_PER_SERIES};
use chrono::NaiveDate;

use crate::{median, ms};

const ENGINE_RUNS: usize = 5;
const FROM: &str = "2018-01-01";
const TO: &str = "2028-01-01";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What one pass over the corpus found.
#[derive(Default)]
struct Pass {
    /// Occurrences in the window (a single event counts once, wherever it is).
    occurrences: usize,
    /// Series the engine could not expand.
    failed: usize,
    /// Time per file, to name the slowest.
    per_file: Vec<(Duration, PathBuf)>,
}

fn engine_pass(files: &[PathBuf], window: SyncWindow) -> Pass {
    let mut pass = Pass::default();
    let (mut occurrences, mut failed) = (0, 0);
    for file in files {
        let started = Instant::now();
        let bytes = std::fs::read(file).expect("corpus file");
        let translated = translate(&ical::parse(&bytes));
        for change in &translated.changes {
            let RemoteChange::ReplaceResource { events, .. } = change else {
                continue;
            };
            for event in events {
                if event.recurrence.is_empty() {
                    occurrences += 1;
                    continue;
                }
                let series = Series {
                    start: &event.start,
                    end: &event.end,
                    recurrence: &event.recurrence,
                    zones: &translated.zones,
                };
                match expand_at_most(&series, window, usize::from(MAX_INSTANCES_PER_SERIES)) {
                    Ok(expansion) => occurrences += expansion.instances.len(),
                    Err(_) => failed += 1,
                }
            }
        }
        pass.per_file.push((started.elapsed(), file.clone()));
    }
    pass.occurrences = occurrences;
    pass.failed = failed;
    pass
}

fn utc_midnight(day: &str) -> chrono::DateTime<chrono::Utc> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .expect("a date")
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

pub fn benchmarks() {
    let root = repo_root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/ical-corpus/files"))
        .expect("corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    let window = SyncWindow {
        start: utc_midnight(FROM),
        end: utc_midnight(TO),
    };
    let mut runs = Vec::with_capacity(ENGINE_RUNS);
    let mut pass = Pass::default();
    for _ in 0..ENGINE_RUNS {
        let started = Instant::now();
        pass = engine_pass(&files, window);
        runs.push(started.elapsed());
    }
    let engine = median(&mut runs);
    println!(
        "corpus expansion {FROM}..{TO}, {} files: engine {:.1} ms (median of {ENGINE_RUNS}; {} occurrences, {} series not expanded)",
        files.len(),
        ms(engine),
        pass.occurrences,
        pass.failed
    );
    pass.per_file.sort();
    let slowest: Vec<String> = pass
        .per_file
        .iter()
        .rev()
        .take(3)
        .map(|(t, f)| {
            let name = f.file_name().unwrap_or_default().to_string_lossy();
            format!("{name} {:.1} ms", ms(*t))
        })
        .collect();
    println!("  slowest files (engine): {}", slowest.join(", "));

    let venv = Command::new(root.join("scripts/ical-venv"))
        .stderr(Stdio::inherit())
        .output()
        .ok()
        .filter(|o| o.status.success());
    let Some(venv) = venv else {
        println!("  reference.py not timed: scripts/ical-venv failed");
        return;
    };
    let python = String::from_utf8_lossy(&venv.stdout).trim().to_owned();
    let started = Instant::now();
    let startup = Command::new(&python)
        .args([
            "-c",
            "import icalendar, recurring_ical_events, x_wr_timezone",
        ])
        .status()
        .expect("python");
    let startup_time = started.elapsed();
    assert!(startup.success());
    let started = Instant::now();
    let reference = Command::new(&python)
        .arg(root.join("tests/ical-corpus/reference.py"))
        .args(["--from", FROM, "--to", TO, "--tz", "Europe/Berlin"])
        .args(&files)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("reference.py");
    let reference_time = started.elapsed();
    assert!(reference.success(), "reference.py failed");
    println!(
        "  recurring-ical-events (reference.py, one process): {:.1} ms, of which python start-up with imports {:.1} ms",
        ms(reference_time),
        ms(startup_time)
    );
    println!(
        "  engine is {:.0}x faster (target >= 10x); {:.0}x without python's start-up",
        ratio(reference_time, engine),
        ratio(reference_time.saturating_sub(startup_time), engine)
    );
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
