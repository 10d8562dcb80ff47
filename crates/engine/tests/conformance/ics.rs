//! The ICS backend: an `.ics` feed served by a tiny HTTP/1.1 server on 127.0.0.1 whose
//! content the test edits. It answers with an ETag (and 304 to a matching If-None-Match),
//! rewrites DTSTAMP on every answer as real feeds do, and can be made to send an HTML login
//! page instead of the calendar once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::ics::feed_url::FeedUrl;
use calbuddy_engine::provider::ics::provider::IcsProvider;
use calbuddy_engine::provider::Provider;
use chrono::{DateTime, Duration, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Backend, Feature};

#[derive(Default)]
struct Feed {
    /// VEVENT blocks by UID (a series' block holds its overrides too).
    events: BTreeMap<String, String>,
    version: u64,
    requests: usize,
    html_next: bool,
}

pub struct IcsBackend {
    feed: Arc<Mutex<Feed>>,
    provider: IcsProvider,
    anchor: DateTime<Utc>,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn event(uid: &str, title: &str, start: DateTime<Utc>, recurrence: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:@DTSTAMP@\r\n{recurrence}DTSTART:{}\r\n\
         DTEND:{}\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n",
        stamp(start),
        stamp(start + Duration::hours(1))
    )
}

impl Feed {
    fn body(&self) -> String {
        let events: String = self.events.values().cloned().collect();
        // A new DTSTAMP on every answer, as Google's and Outlook's feeds do.
        let events = events.replace("@DTSTAMP@", &stamp(Utc::now()));
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//conformance//EN\r\n{events}END:VCALENDAR\r\n")
    }

    fn answer(&mut self, head: &str) -> Vec<u8> {
        self.requests += 1;
        if std::mem::take(&mut self.html_next) {
            let page = "<!DOCTYPE html><html><body>Please sign in</body></html>";
            return response("200 OK", "text/html", "", page);
        }
        let etag = format!("\"v{}\"", self.version);
        if head.contains(&format!("if-none-match: {etag}")) {
            return response("304 Not Modified", "text/calendar", &etag, "");
        }
        response("200 OK", "text/calendar", &etag, &self.body())
    }
}

fn response(status: &str, content_type: &str, etag: &str, body: &str) -> Vec<u8> {
    let etag = if etag.is_empty() {
        String::new()
    } else {
        format!("ETag: {etag}\r\n")
    };
    format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {content_type}\r\n{etag}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

async fn serve(feed: Arc<Mutex<Feed>>) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let feed = feed.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let bytes = feed.lock().unwrap().answer(&head);
                let _ = stream.write_all(&bytes).await;
            });
        }
    });
    base
}

impl IcsBackend {
    fn with(&self, edit: impl FnOnce(&mut Feed)) {
        let mut feed = self.feed.lock().unwrap();
        edit(&mut feed);
        feed.version += 1;
    }

    fn at(&self, offset_hours: i64) -> DateTime<Utc> {
        self.anchor + Duration::hours(offset_hours)
    }
}

impl Backend for IcsBackend {
    const KIND: &'static str = "ics";

    async fn start() -> Self {
        let feed = Arc::new(Mutex::new(Feed::default()));
        let base = serve(feed.clone()).await;
        let url = FeedUrl::parse(&format!("{base}/calendars/secret-token-123/basic.ics")).unwrap();
        let retry = RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        };
        let now = Utc::now();
        IcsBackend {
            feed,
            provider: IcsProvider::new(url, "conformance", "Conformance", retry),
            anchor: now - Duration::seconds(now.timestamp() % 3600),
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    fn supports(&self, feature: Feature) -> bool {
        // A feed has no cursor to expire and comes in one answer.
        !matches!(feature, Feature::ExpireCursor | Feature::Paging)
    }

    async fn add_event(&self, id: &str, title: &str, offset_hours: i64) {
        let block = event(id, title, self.at(offset_hours), "");
        self.with(|f| {
            f.events.insert(id.to_owned(), block);
        })
    }

    async fn change_event(&self, id: &str, title: &str, offset_hours: i64) {
        self.add_event(id, title, offset_hours).await
    }

    async fn delete_event(&self, id: &str) {
        self.with(|f| {
            f.events.remove(id);
        })
    }

    async fn expire_cursor(&self) {}

    async fn fail_next(&self) {
        // The answer a feed whose link now needs a login gives: a 200 with an HTML page.
        self.with(|f| f.html_next = true)
    }

    async fn empty_listing(&self) {
        self.with(|f| f.events.clear())
    }

    async fn add_series(&self, id: &str, title: &str, moved: &[u32]) {
        let first = self.at(24);
        let mut block = event(id, title, first, "RRULE:FREQ=DAILY;COUNT=5\r\n");
        for index in moved {
            let original = first + Duration::days(i64::from(*index));
            let rid = format!("RECURRENCE-ID:{}\r\n", stamp(original));
            block.push_str(&event(
                id,
                &format!("{title} moved"),
                original + Duration::hours(1),
                &rid,
            ));
        }
        self.with(|f| {
            f.events.insert(id.to_owned(), block);
        })
    }

    async fn drop_override(&self, id: &str, index: u32) {
        let first = self.at(24);
        let rid = stamp(first + Duration::days(i64::from(index)));
        self.with(|f| {
            if let Some(block) = f.events.get_mut(id) {
                let kept: Vec<&str> = block
                    .split_inclusive("END:VEVENT\r\n")
                    .filter(|e| !e.contains(&format!("RECURRENCE-ID:{rid}")))
                    .collect();
                *block = kept.concat();
            }
        })
    }

    fn requests(&self) -> Option<usize> {
        Some(self.feed.lock().unwrap().requests)
    }
}

/// An unchanged feed (HTTP 304) costs one request and writes nothing; a feed whose only
/// change is its DTSTAMP (a new ETag, same content) changes no event; a login page keeps the
/// events and says why, without the private address.
pub async fn an_unchanged_feed_writes_nothing_and_a_login_page_keeps_the_events() {
    let h = super::Harness::<IcsBackend>::new().await;
    h.backend.add_event("a", "A", 2).await;
    let first = h.sync().await;
    assert!(first.ok(), "{first:?}");
    let calendar = h.store.calendars(Some(h.account)).await.unwrap().remove(0);
    let state = h.store.calendar_sync_state(calendar.id).await.unwrap();

    let requests = h.backend.requests();
    let unchanged = h.sync().await;
    assert!(unchanged.ok(), "{unchanged:?}");
    assert_eq!(h.backend.requests().map(|n| n - requests.unwrap()), Some(1));
    let after = h.store.calendars(Some(h.account)).await.unwrap().remove(0);
    assert_eq!(after.last_success_at, calendar.last_success_at, "no write");
    assert_eq!(
        h.store.calendar_sync_state(calendar.id).await.unwrap(),
        state
    );

    // Same content, new ETag: the content hash says nothing changed.
    h.backend.with(|_| {});
    let same = h.sync().await;
    assert!(same.ok(), "{same:?}");
    let report = &same.calendars[0];
    assert!(!report.full, "{same:?}");
    assert_eq!((report.upserted, report.deleted), (0, 0), "{same:?}");

    h.backend.fail_next().await;
    let refused = h.sync().await;
    let error = refused.error.clone().unwrap_or_default();
    assert!(error.contains("did not send a calendar"), "{refused:?}");
    assert!(!error.contains("secret-token-123"), "{error}");
    assert_eq!(h.titles().await, ["A"]);

    // The feed is back and unchanged (HTTP 304): the calendar's error is cleared all the same.
    let back = h.sync().await;
    assert!(back.ok(), "{back:?}");
    let calendar = h.store.calendars(Some(h.account)).await.unwrap().remove(0);
    assert_eq!(calendar.last_error, None);
}
