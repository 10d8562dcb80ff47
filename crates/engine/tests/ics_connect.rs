//! `Engine::connect_ics` against feeds on 127.0.0.1: the name it falls back to, the error
//! codes a UI gets for each way a link can fail, a feed that moved for good, and a
//! subscription whose saved link is gone.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::Utc;

mod common;

/// Serves `status`, `content_type` and `body` to every request, on a thread; the feed's URL.
fn serve(status: &'static str, content_type: &'static str, body: &'static str) -> String {
    serve_counted(status, content_type, body).0
}

/// [`serve`], with the number of requests answered so far.
fn serve_counted(
    status: &'static str,
    content_type: &'static str,
    body: &'static str,
) -> (String, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/feeds/token-5f2e9a/cal.ics",
        listener.local_addr().unwrap()
    );
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
            let answer = format!(
                "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {content_type}\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (url, requests)
}

const NAMELESS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\n\
DTSTART:20300101T090000Z\r\nSUMMARY:Kick-off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn a_feed_without_a_name_is_named_after_its_host() {
    let world = common::world().await;
    let url = serve("200 OK", "text/calendar", NAMELESS);
    let (account, report) = world
        .engine
        .connect_ics(&url, None, Utc::now())
        .await
        .unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(account.provider, "ics");
    assert_eq!(account.name, "127.0.0.1");
    let detail = account.detail.unwrap();
    assert!(
        detail.ends_with("/…/cal.ics") && !detail.contains("token"),
        "{detail}"
    );
    let calendars = world.engine.calendars().await.unwrap();
    assert_eq!(calendars.len(), 1);
    assert!(calendars[0].read_only);
    // Not the account's "primary" calendar (a Google notion), so not badged as one.
    assert!(!calendars[0].primary);
}

const NAMED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Team rota\r\n\
BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20300101T090000Z\r\nSUMMARY:Kick-off\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// Subscribing learns the name from the same fetch that the first sync stores: a feed of
/// thousands of events is downloaded and parsed once.
#[tokio::test]
async fn subscribing_fetches_the_feed_once() {
    let world = common::world().await;
    let (url, requests) = serve_counted("200 OK", "text/calendar", NAMED);
    let (account, report) = world
        .engine
        .connect_ics(&url, None, Utc::now())
        .await
        .unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(account.name, "Team rota");
    assert_eq!(report.calendars[0].upserted, 1, "{report:?}");
    assert_eq!(requests.load(Ordering::SeqCst), 1);

    // The next sync fetches again, conditionally.
    let results = world
        .engine
        .sync(Some(account.id), Utc::now())
        .await
        .unwrap();
    assert!(results[0].as_ref().unwrap().ok());
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn each_way_a_link_fails_has_its_code() {
    let world = common::world().await;
    let engine = &world.engine;
    let code = |result: Result<_, calbuddy_engine::EngineError>| {
        let error = result.expect_err("an error");
        assert!(!error.to_string().contains("token-5f2e9a"), "{error}");
        error.code()
    };
    let now = Utc::now();
    assert_eq!(code(engine.connect_ics("", None, now).await), "invalid_url");
    assert_eq!(
        code(engine.connect_ics("mailto:a@b.c", None, now).await),
        "invalid_url"
    );
    let html = serve("200 OK", "text/html", "<html><body>Sign in</body></html>");
    assert_eq!(
        code(engine.connect_ics(&html, None, now).await),
        "feed_not_calendar"
    );
    let login = serve("401 Unauthorized", "text/plain", "");
    assert_eq!(
        code(engine.connect_ics(&login, None, now).await),
        "feed_needs_login"
    );
    let gone = serve("404 Not Found", "text/plain", "");
    assert_eq!(
        code(engine.connect_ics(&gone, None, now).await),
        "feed_gone"
    );
    // Nothing listens there any more.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/cal.ics", closed.local_addr().unwrap());
    drop(closed);
    assert_eq!(code(engine.connect_ics(&dead, None, now).await), "network");
    assert!(engine.accounts().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_subscription_whose_saved_link_is_gone_says_to_subscribe_again() {
    let world = common::world().await;
    let engine = &world.engine;
    let url = serve("200 OK", "text/calendar", NAMELESS);
    let (account, _) = engine.connect_ics(&url, None, Utc::now()).await.unwrap();
    // The keychain entry went away (another tool, a reset keychain).
    let secrets = engine.config().data_dir.secrets_file();
    std::fs::write(&secrets, "{}").unwrap();
    let results = engine.sync(Some(account.id), Utc::now()).await.unwrap();
    let error = results[0].as_ref().unwrap_err();
    assert!(
        error.to_string().contains("subscribe to it again"),
        "{error}"
    );
    let account = engine.account(account.id).await.unwrap();
    assert!(!account.needs_reauth);
    assert!(account
        .last_error
        .unwrap()
        .contains("subscribe to it again"));
}

/// `/old.ics` moved for good to `/new.ics`, and may then disappear (404 once `old_gone`).
fn serve_moved(old_gone: Arc<AtomicBool>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
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
            let head = String::from_utf8_lossy(&head);
            let (status, extra, body) = if head.starts_with("GET /new.ics ") {
                ("200 OK", "", NAMELESS)
            } else if old_gone.load(Ordering::SeqCst) {
                ("404 Not Found", "", "")
            } else {
                ("301 Moved Permanently", "Location: /new.ics\r\n", "")
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\nConnection: close\r\n{extra}Content-Type: text/calendar\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    format!("{base}/old.ics")
}

#[tokio::test]
async fn a_feed_that_moved_for_good_is_followed_to_its_new_address_from_then_on() {
    let world = common::world().await;
    let engine = &world.engine;
    let old_gone = Arc::new(AtomicBool::new(false));
    let url = serve_moved(old_gone.clone());
    let (account, report) = engine.connect_ics(&url, None, Utc::now()).await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert!(account.detail.unwrap().ends_with("/old.ics"));

    old_gone.store(true, Ordering::SeqCst);
    let results = engine.sync(Some(account.id), Utc::now()).await.unwrap();
    let report = results[0].as_ref().unwrap();
    assert!(report.ok(), "{report:?}");
    let account = engine.account(account.id).await.unwrap();
    assert!(account.detail.unwrap().ends_with("/new.ics"));
}
