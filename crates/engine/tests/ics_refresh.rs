//! Refreshing a subscription: an unchanged feed writes nothing to the database (the first
//! refresh after subscribing included), the background schedule waits as long as the feed
//! asks (REFRESH-INTERVAL) while an explicit sync always fetches, and the feed's colour is the
//! calendar's until the user picks one.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};

mod common;

const ETAG: &str = "\"v1\"";

/// Serves `body` with an ETag, answering 304 to a matching `If-None-Match`; the feed's URL and
/// the number of requests so far.
fn serve(body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/team.ics", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
            let answer = if head.contains(&format!("if-none-match: {ETAG}")) {
                format!("HTTP/1.1 304 Not Modified\r\nConnection: close\r\nETag: {ETAG}\r\n\r\n")
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nETag: {ETAG}\r\n\
                     Content-Type: text/calendar\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            };
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (url, requests)
}

const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Team\r\n\
REFRESH-INTERVAL;VALUE=DURATION:PT2H\r\nCOLOR:turquoise\r\n\
BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20301001T090000Z\r\nSUMMARY:Stand-up\r\n\
RRULE:FREQ=WEEKLY;COUNT=5\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20301002T090000Z\r\nSUMMARY:Review\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// Size and modification time of the database and its WAL.
fn database_files(data: &Path) -> Vec<(String, u64, SystemTime)> {
    let mut files: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = e.metadata().ok()?;
            let db = name.ends_with(".db") || name.ends_with(".db-wal");
            db.then(|| (name, meta.len(), meta.modified().unwrap()))
        })
        .collect();
    files.sort();
    files
}

fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

#[tokio::test]
async fn an_unchanged_refresh_writes_nothing_not_even_the_first_after_subscribing() {
    let world = common::world().await;
    let engine = &world.engine;
    let (url, requests) = serve(FEED);
    let subscribed: DateTime<Utc> = Utc::now();
    let (account, report) = engine.connect_ics(&url, None, subscribed).await.unwrap();
    assert!(report.ok(), "{report:?}");

    let data = engine.config().data_dir.root().to_path_buf();
    let before = database_files(&data);
    assert!(!before.is_empty());
    // An hour later, so a written timestamp could not equal the stored one.
    let later = subscribed + minutes(60);
    for refresh in 0..3 {
        let results = engine.sync(None, later + minutes(refresh)).await.unwrap();
        assert!(results[0].as_ref().unwrap().ok(), "{results:?}");
        // Coarse file times must be able to tell a write apart.
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(database_files(&data), before, "refresh {refresh} wrote");
    }
    assert_eq!(
        requests.load(Ordering::SeqCst),
        4,
        "one request per refresh"
    );
    // The engine still reports the last successful sync.
    let account = engine.account(account.id).await.unwrap();
    assert_eq!(account.last_synced_at, Some(later + minutes(2)));
    let status = engine.status().await.unwrap();
    assert_eq!(status.last_synced_at, Some(later + minutes(2)));
}

#[tokio::test]
async fn the_schedule_waits_as_long_as_the_feed_asks_and_an_explicit_sync_does_not() {
    let world = common::world().await;
    let engine = &world.engine;
    let (url, requests) = serve(FEED);
    let start: DateTime<Utc> = Utc::now();
    engine.connect_ics(&url, None, start).await.unwrap();
    let app_interval = Duration::from_secs(15 * 60);
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    // The app's interval is up, the feed's two hours are not.
    let reports = engine
        .sync_due(app_interval, start + minutes(20))
        .await
        .unwrap();
    assert!(reports.is_empty(), "{reports:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    // "Sync now" fetches all the same.
    let reports = engine.sync(None, start + minutes(25)).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(requests.load(Ordering::SeqCst), 2);

    // Two hours after that last fetch, the schedule fetches again.
    let due = start + minutes(25 + 120);
    let not_yet = engine
        .sync_due(app_interval, due - minutes(1))
        .await
        .unwrap();
    assert!(not_yet.is_empty());
    let reports = engine.sync_due(app_interval, due).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].as_ref().unwrap().ok());
    assert_eq!(requests.load(Ordering::SeqCst), 3);

    // An app interval longer than the feed's wins.
    let reports = engine
        .sync_due(Duration::from_secs(3 * 3600), due + minutes(1))
        .await
        .unwrap();
    assert_eq!(reports.len(), 1, "the schedule itself keeps the app's pace");
}

#[tokio::test]
async fn the_feeds_colour_is_the_calendars_until_the_user_picks_one() {
    let world = common::world().await;
    let engine = &world.engine;
    let (url, _) = serve(FEED);
    let now = Utc::now();
    engine.connect_ics(&url, None, now).await.unwrap();
    let calendar = engine.calendars().await.unwrap().remove(0);
    assert_eq!(calendar.color.as_deref(), Some("#40e0d0"));

    // A refresh answered 304 keeps it (the colour is remembered from the last body).
    engine.sync(None, now + minutes(30)).await.unwrap();
    let calendar = engine.calendars().await.unwrap().remove(0);
    assert_eq!(calendar.color.as_deref(), Some("#40e0d0"));

    engine
        .set_calendar_color(calendar.id, "#123456")
        .await
        .unwrap();
    engine.sync(None, now + minutes(60)).await.unwrap();
    let calendar = engine.calendars().await.unwrap().remove(0);
    assert_eq!(calendar.color.as_deref(), Some("#123456"));
}
