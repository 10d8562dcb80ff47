//! A generated 10,000-event ICS feed and the loopback server that publishes it.
//!
//! The feed looks like a busy shared calendar: summaries, multi-line descriptions with escapes,
//! locations, meeting links, all-day events, a few hundred weekly series with EXDATEs and a
//! moved instance each, and VTIMEZONEs. The server answers with an ETag and Last-Modified and
//! honours `If-None-Match` (mode [`Mode::Conditional`]), or ignores conditional requests and
//! writes a new DTSTAMP on every answer, as Google's and Nextcloud's feed links do
//! ([`Mode::Restamp`]). It counts the requests it sees.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration as Span, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// VEVENT components in the feed (series masters and their overrides included).
pub const FEED_EVENTS: usize = 10_000;
/// Weekly series; each has a master and one moved instance, so two VEVENTs.
pub const SERIES: usize = 300;
/// What DTSTAMP reads in the template; [`Mode::Restamp`] replaces it on every answer.
const STAMP: &str = "DTSTAMP:20260101T000000Z";
const ETAG: &str = "\"bench-feed-v1\"";
const LAST_MODIFIED: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

const VTIMEZONES: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n\
BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n\
BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n\
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

/// The feed body, with DTSTAMP lines reading [`STAMP`]; events spread around `now`.
pub fn generate(now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(FEED_EVENTS * 600);
    out.push_str(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Calendar Buddy//bench//EN\r\n\
         X-WR-CALNAME:Team rota\r\nX-WR-TIMEZONE:Europe/Berlin\r\n",
    );
    out.push_str(VTIMEZONES);
    let base = (now - Span::days(30)).date_naive();
    let local = |day: i64, minutes: i64| {
        (base + Span::days(day))
            .and_hms_opt(8, 0, 0)
            .map(|t| t + Span::minutes(minutes))
            .map(|t| t.format("%Y%m%dT%H%M%S").to_string())
            .unwrap_or_default()
    };
    for s in 0..SERIES {
        let day = (s % 28) as i64;
        let minutes = (s as i64 * 30) % 600;
        let zone = if s % 2 == 0 {
            "Europe/Berlin"
        } else {
            "W. Europe Standard Time"
        };
        event_head(&mut out, &format!("series-{s:04}@bench"), s);
        let _ = write!(
            out,
            "DTSTART;TZID={zone}:{}\r\nDTEND;TZID={zone}:{}\r\n\
             RRULE:FREQ=WEEKLY;COUNT=40\r\nEXDATE;TZID={zone}:{},{}\r\n\
             SUMMARY:Weekly sync {s} of the platform team\r\nEND:VEVENT\r\n",
            local(day, minutes),
            local(day, minutes + 30),
            local(day + 14, minutes),
            local(day + 21, minutes),
        );
        event_head(&mut out, &format!("series-{s:04}@bench"), s + 1);
        let _ = write!(
            out,
            "RECURRENCE-ID;TZID={zone}:{}\r\nDTSTART;TZID={zone}:{}\r\n\
             DTEND;TZID={zone}:{}\r\nSUMMARY:Weekly sync {s} (moved)\r\nEND:VEVENT\r\n",
            local(day + 7, minutes),
            local(day + 8, minutes + 60),
            local(day + 8, minutes + 90),
        );
    }
    for i in 0..FEED_EVENTS - 2 * SERIES {
        event_head(&mut out, &format!("single-{i:05}@bench"), i);
        let day = (i as i64 * 17 / 1440) % 120;
        if i % 50 == 0 {
            let date = (base + Span::days(day)).format("%Y%m%d");
            let next = (base + Span::days(day + 1 + (i as i64 % 3))).format("%Y%m%d");
            let _ = write!(
                out,
                "DTSTART;VALUE=DATE:{date}\r\nDTEND;VALUE=DATE:{next}\r\n\
                 SUMMARY:Offsite day {i}\r\nEND:VEVENT\r\n"
            );
            continue;
        }
        let minutes = (i as i64 * 17) % 600;
        let _ = write!(
            out,
            "DTSTART;TZID=Europe/Berlin:{}\r\nDTEND;TZID=Europe/Berlin:{}\r\n\
             SUMMARY:Meeting number {i} about the quarterly roadmap\r\nEND:VEVENT\r\n",
            local(day, minutes),
            local(day, minutes + 30 + (i as i64 % 4) * 15),
        );
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// UID, DTSTAMP, description, location and (for a third of them) a meeting link.
fn event_head(out: &mut String, uid: &str, i: usize) {
    let _ = write!(
        out,
        "BEGIN:VEVENT\r\nUID:{uid}\r\n{STAMP}\r\nSEQUENCE:{}\r\n\
         DESCRIPTION:Agenda:\\n1. Status of the launch\\, risks\\; owners\\n2. Next steps\\n\r\n \
         Please read the doc before the meeting: https://docs.example.com/d/{i:06}\r\n\
         LOCATION:Conference room 4.12\\, Main building\r\nSTATUS:CONFIRMED\r\n",
        i % 3,
    );
    if i.is_multiple_of(3) {
        let _ = write!(
            out,
            "URL:https://meet.google.com/abc-defg-{:03}\r\n",
            i % 1000
        );
    }
}

/// How the server treats conditional requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// ETag + Last-Modified; `If-None-Match` with the ETag gets a 304.
    Conditional,
    /// No validators, conditional headers ignored, a new DTSTAMP in every answer.
    Restamp,
}

/// The running feed server.
pub struct FeedServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
}

impl FeedServer {
    /// Serves `body` on 127.0.0.1 at a random port until the process ends.
    pub async fn start(body: String, mode: Mode) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!(
            "http://{}/feeds/token-bench/rota.ics",
            listener.local_addr().expect("address")
        );
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let body: Arc<str> = body.into();
        let stamps = Arc::new(AtomicU64::new(0));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let (body, stamps) = (body.clone(), stamps.clone());
                tokio::spawn(async move {
                    let _ = answer(stream, &body, mode, &stamps).await;
                });
            }
        });
        FeedServer { url, requests }
    }

    /// Requests seen since the last call.
    pub fn take_requests(&self) -> usize {
        self.requests.swap(0, Ordering::SeqCst)
    }
}

/// Reads one request head and answers it; the connection is then closed.
async fn answer(
    mut stream: TcpStream,
    body: &str,
    mode: Mode,
    stamps: &AtomicU64,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let matches = head
        .lines()
        .any(|l| l.starts_with("if-none-match:") && l.contains(&ETAG.to_ascii_lowercase()));
    let (status, validators, body) = match mode {
        Mode::Conditional if matches => (
            "304 Not Modified",
            format!("ETag: {ETAG}\r\nLast-Modified: {LAST_MODIFIED}\r\n"),
            String::new(),
        ),
        Mode::Conditional => (
            "200 OK",
            format!("ETag: {ETAG}\r\nLast-Modified: {LAST_MODIFIED}\r\n"),
            body.to_owned(),
        ),
        Mode::Restamp => {
            let n = stamps.fetch_add(1, Ordering::SeqCst) + 1;
            let stamp =
                (DateTime::<Utc>::UNIX_EPOCH + Span::days(20_000) + Span::seconds(n as i64))
                    .format("DTSTAMP:%Y%m%dT%H%M%SZ")
                    .to_string();
            ("200 OK", String::new(), body.replace(STAMP, &stamp))
        }
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: text/calendar; charset=utf-8\r\n\
         {validators}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
