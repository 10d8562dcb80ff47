//! The engine's side of the iCalendar differential test (`tests/ical-corpus/compare.py`): for
//! each `.ics` file given, the path a subscribed feed takes — parse, translate, plan, save the
//! zones, apply into a fresh in-memory store as the sync layer does — and then the occurrences
//! `Store::events_between` returns for a window, printed as one JSON line per file in the shape
//! of `reference.py`:
//!
//! `{"file", "ok": true, "occurrences": [{"uid", "recurrence_id", "start", "end", "all_day",
//! "summary", "status"}]}`
//!
//! Usage: `cargo run -p calbuddy-engine --example ics_occurrences -- [--from 2018-01-01]
//! [--to 2028-01-01] [--now 2026-12-01] FILE.ics...` (viewer zone Europe/Berlin).
//!
//! The sync window is 30 days back and 90 ahead of `--now`, as the default settings give, so
//! the stored expansion and the on-demand one beyond it are both exercised.

use std::io::Write;
use std::process::ExitCode;

use calbuddy_engine::ical;
use calbuddy_engine::model::{RemoteCalendar, SyncWindow};
use calbuddy_engine::provider::ics::translate::translate;
use calbuddy_engine::provider::{ChangeSet, ChangeSetKind};
use calbuddy_engine::store::{EventFilter, EventView, QueryRange, Store};
use calbuddy_engine::sync::plan::plan;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

/// The viewer zone floating times are placed in (the reference is run with the same).
const VIEWER: chrono_tz::Tz = chrono_tz::Europe::Berlin;

struct Args {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    files: Vec<String>,
}

fn midnight(text: &str) -> Result<DateTime<Utc>, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|e| format!("{text}: {e}"))
}

fn args() -> Result<Args, String> {
    let mut parsed = Args {
        from: midnight("2018-01-01")?,
        to: midnight("2028-01-01")?,
        now: midnight("2026-12-01")?,
        files: Vec::new(),
    };
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{arg} needs a date"));
        match arg.as_str() {
            "--from" => parsed.from = midnight(&value()?)?,
            "--to" => parsed.to = midnight(&value()?)?,
            "--now" => parsed.now = midnight(&value()?)?,
            _ => parsed.files.push(arg),
        }
    }
    Ok(parsed)
}

/// One file through the sync path into its own store, and the occurrences read back.
async fn occurrences(path: &str, args: &Args) -> Result<Vec<EventView>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let feed = ical::parse(&bytes);
    let translated = translate(&feed);
    let store = Store::open_in_memory().await.map_err(|e| e.to_string())?;
    let fail = |e: calbuddy_engine::store::StoreError| e.to_string();
    let (account, _) = store
        .upsert_account("ics", path, path, args.now)
        .await
        .map_err(fail)?;
    let listing = [RemoteCalendar {
        external_id: "feed".into(),
        name: path.into(),
        color: None,
        time_zone: None,
        primary: true,
        read_only: true,
    }];
    store
        .reconcile_calendars(account, &listing)
        .await
        .map_err(fail)?;
    let calendar = store.calendars(Some(account)).await.map_err(fail)?[0].id;
    let stored = store.event_states(calendar).await.map_err(fail)?;
    let changes = ChangeSet {
        kind: ChangeSetKind::Full,
        changes: translated.changes,
        cursor: None,
        zones: None,
    };
    let plan = plan(changes, &stored);
    // The zones with the events, in one transaction, as the sync layer applies them.
    let window = SyncWindow::around(args.now, 30, 90);
    store
        .apply_plan_with_zones(calendar, &plan, Some(&translated.zones), window, args.now)
        .await
        .map_err(fail)?;
    let range = QueryRange::new(args.from, args.to, &VIEWER);
    let filter = EventFilter {
        include_declined: true,
        limit: None,
    };
    let views = store.events_between(range, filter).await.map_err(fail)?;
    store.close().await;
    Ok(views)
}

fn occurrence(view: &EventView) -> Value {
    json!({
        "uid": view.external_id,
        // The view's id is the row id, plus `@` and the original start for an instance.
        "recurrence_id": view.id.split_once('@').map(|(_, original)| original),
        "start": view.start,
        "end": view.end,
        "all_day": view.all_day,
        "summary": view.title,
        "status": view.status.to_ascii_uppercase(),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("ics_occurrences: {e}");
            return ExitCode::from(2);
        }
    };
    for path in &args.files {
        let line = match occurrences(path, &args).await {
            Ok(views) => json!({
                "file": path,
                "ok": true,
                "occurrences": views.iter().map(occurrence).collect::<Vec<_>>(),
            }),
            Err(error) => json!({"file": path, "ok": false, "error": error}),
        };
        // A reader that went away (`| head`) ends the run quietly; nothing is left to do.
        if writeln!(std::io::stdout(), "{line}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}
