//! Tests of [`super::fetch`] against a tiny HTTP/1.1 server on 127.0.0.1 that answers each
//! request with whatever the test's handler says, and records the requests it saw.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// What the server sends back for one request.
enum Reply {
    Bytes(Vec<u8>),
    /// The head, then a body that never ends (until the client hangs up).
    Endless(String),
}

struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// The heads of the requests received so far, lowercased.
    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// Serves every connection with `handler(request head, number of the request)`.
async fn serve<F>(handler: F) -> Server
where
    F: Fn(&str, usize) -> Reply + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            let handler = handler.clone();
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
                let index = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(head.clone());
                    seen.len() - 1
                };
                match handler(&head, index) {
                    Reply::Bytes(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                    }
                    Reply::Endless(head) => {
                        let _ = stream.write_all(head.as_bytes()).await;
                        let _ = stream.write_all(b"BEGIN:VCALENDAR\r\n").await;
                        let chunk = b"X-FILLER:0123456789abcdef0123456789abcdef\r\n".repeat(1000);
                        while stream.write_all(&chunk).await.is_ok() {}
                    }
                }
            });
        }
    });
    Server { base, requests }
}

/// A complete response with `Content-Length`, closing the connection.
fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Reply::Bytes(bytes)
}

fn calendar(summary: &str, dtstamp: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-PUBLISHED-TTL:PT2H\r\nBEGIN:VEVENT\r\nUID:1\r\n\
         DTSTAMP:{dtstamp}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn limits() -> FetchLimits {
    FetchLimits {
        max_bytes: 1024 * 1024,
        max_redirects: 5,
        retry: RetryPolicy {
            retries: 2,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            timeout: Duration::from_secs(10),
            sync_deadline: Duration::from_secs(30),
            ..RetryPolicy::default()
        },
    }
}

async fn get(url: &str, validators: Option<&Validators>) -> Result<FetchOutcome, FetchError> {
    let url = FeedUrl::parse(url).unwrap();
    let limits = limits();
    fetch(&limits.retry.client(), &url, validators, &limits).await
}

fn body_of(outcome: FetchOutcome) -> (String, Validators) {
    match outcome {
        FetchOutcome::Body {
            text, validators, ..
        } => (text, validators),
        other => panic!("expected a body, got {other:?}"),
    }
}

#[tokio::test]
async fn a_304_is_not_modified_and_the_validators_are_sent() {
    let server = serve(|head, _| {
        if head.contains("if-none-match: \"v1\"")
            && head.contains("if-modified-since: tue, 01 dec 2026 00:00:00 gmt")
        {
            reply("304 Not Modified", &[("ETag", "\"v1\"")], b"")
        } else {
            let body = calendar("A", "20260101T000000Z");
            let headers = [
                ("ETag", "\"v1\""),
                ("Last-Modified", "Tue, 01 Dec 2026 00:00:00 GMT"),
                ("Content-Type", "text/calendar"),
            ];
            reply("200 OK", &headers, body.as_bytes())
        }
    })
    .await;
    let url = format!("{}/cal.ics", server.base);
    let first = get(&url, None).await.unwrap();
    let FetchOutcome::Body {
        validators,
        refresh_interval,
        moved_to,
        ..
    } = first
    else {
        panic!("expected a body")
    };
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(refresh_interval, Some(Duration::from_secs(2 * 3600)));
    assert!(moved_to.is_none());

    let second = get(&url, Some(&validators)).await.unwrap();
    let FetchOutcome::NotModified {
        why,
        validators: kept,
        ..
    } = second
    else {
        panic!("expected not modified")
    };
    assert_eq!(why, Unchanged::NotModifiedStatus);
    assert_eq!(kept, validators);
}

#[tokio::test]
async fn a_body_that_differs_only_in_dtstamp_is_not_modified_and_a_changed_one_is_new() {
    // No validators from the server, a fresh DTSTAMP every time; the summary changes from the
    // third request on.
    let server = serve(|_, n| {
        let summary = if n < 2 { "Standup" } else { "Retro" };
        let body = calendar(summary, &format!("2026120{n}T000000Z"));
        reply("200 OK", &[("Content-Type", "text/plain")], body.as_bytes())
    })
    .await;
    let url = format!("{}/cal.ics", server.base);
    let (text, first) = body_of(get(&url, None).await.unwrap());
    assert!(text.contains("SUMMARY:Standup"));
    let hash = first.content_hash.clone().unwrap();

    let again = get(&url, Some(&first)).await.unwrap();
    let FetchOutcome::NotModified {
        why, validators, ..
    } = again
    else {
        panic!("expected not modified")
    };
    assert_eq!(why, Unchanged::SameContent);
    assert_eq!(validators.content_hash.as_deref(), Some(hash.as_str()));

    let (text, changed) = body_of(get(&url, Some(&first)).await.unwrap());
    assert!(text.contains("SUMMARY:Retro"));
    assert_ne!(changed.content_hash, first.content_hash);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn gzip_bodies_are_decompressed() {
    let body = calendar("Zipped", "20260101T000000Z");
    let zipped = gzip(body.as_bytes());
    let server = serve(move |head, _| {
        assert!(head.contains("accept-encoding: gzip"), "{head}");
        reply("200 OK", &[("Content-Encoding", "gzip")], &zipped)
    })
    .await;
    let (text, _) = body_of(get(&format!("{}/z.ics", server.base), None).await.unwrap());
    assert_eq!(text, body);
}

#[tokio::test]
async fn a_gzip_bomb_fails_at_the_cap_on_decompressed_bytes() {
    // 64 MiB of calendar-looking text squeezes into well under the 1 MiB cap.
    let mut big = b"BEGIN:VCALENDAR\r\n".to_vec();
    big.resize(64 * 1024 * 1024, b'A');
    let zipped = gzip(&big);
    assert!(zipped.len() < 1024 * 1024);
    let server = serve(move |_, _| reply("200 OK", &[("Content-Encoding", "gzip")], &zipped)).await;
    let err = get(&format!("{}/bomb.ics", server.base), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::TooLarge {
                max_bytes: 1048576,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_endless_body_is_refused_at_the_cap_without_reading_it_all() {
    let server =
        serve(|_, _| Reply::Endless("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_owned()))
            .await;
    let url = format!("{}/huge.ics", server.base);
    let fetching = get(&url, None);
    let err = tokio::time::timeout(Duration::from_secs(10), fetching)
        .await
        .expect("stopped at the cap")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the feed {}/huge.ics is larger than 1048576 bytes",
            server.base
        )
    );
    assert_eq!(server.requests().len(), 1, "not retried");
}

/// `/hop/N` redirects to `/hop/N-1` with `status`; `/hop/0` is the calendar.
async fn redirect_chain(status: &'static str) -> Server {
    serve(move |head, _| {
        let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
        let n: usize = path.trim_start_matches("/hop/").parse().unwrap_or(0);
        if n == 0 {
            reply(
                "200 OK",
                &[],
                calendar("End", "20260101T000000Z").as_bytes(),
            )
        } else {
            let next = format!("/hop/{}", n - 1);
            reply(status, &[("Location", next.as_str())], b"")
        }
    })
    .await
}

#[tokio::test]
async fn a_chain_of_three_redirects_is_followed() {
    let server = redirect_chain("302 Found").await;
    let outcome = get(&format!("{}/hop/3", server.base), None).await.unwrap();
    let FetchOutcome::Body { moved_to, .. } = outcome else {
        panic!("expected a body")
    };
    assert!(
        moved_to.is_none(),
        "a temporary redirect does not move the feed"
    );
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn permanent_redirects_report_the_new_address() {
    let server = redirect_chain("301 Moved Permanently").await;
    let outcome = get(&format!("{}/hop/2", server.base), None).await.unwrap();
    let FetchOutcome::Body {
        moved_to: Some(moved),
        ..
    } = outcome
    else {
        panic!("expected a body with a new address")
    };
    assert_eq!(moved.expose().as_str(), format!("{}/hop/0", server.base));
}

#[tokio::test]
async fn six_redirects_are_refused() {
    let server = redirect_chain("307 Temporary Redirect").await;
    let err = get(&format!("{}/hop/6", server.base), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { max: 5, .. }),
        "{err}"
    );
    assert_eq!(server.requests().len(), 6);
}

#[tokio::test]
async fn credentials_are_not_sent_to_another_host() {
    let other = serve(|_, _| reply("200 OK", &[], calendar("X", "1").as_bytes())).await;
    let target = format!("{}/elsewhere.ics", other.base);
    let origin = serve(move |head, _| {
        if head.starts_with("get /start") {
            reply("302 Found", &[("Location", "/same.ics")], b"")
        } else {
            reply("302 Found", &[("Location", target.as_str())], b"")
        }
    })
    .await;
    let url = origin.base.replace("http://", "http://alice:s%3Acret@") + "/start.ics";
    let (text, _) = body_of(get(&url, None).await.unwrap());
    assert!(text.contains("SUMMARY:X"));

    // "alice:s:cret" in Base64: sent on both hops of the feed's own origin.
    let basic = "authorization: basic ywxpy2u6czpjcmv0";
    let own = origin.requests();
    assert_eq!(own.len(), 2);
    assert!(own.iter().all(|r| r.contains(basic)), "{own:?}");
    let foreign = other.requests();
    assert_eq!(foreign.len(), 1);
    assert!(!foreign[0].contains("authorization"), "{foreign:?}");
}

#[tokio::test]
async fn an_html_login_page_is_refused() {
    let server = serve(|_, _| {
        let page = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>";
        reply(
            "200 OK",
            &[("Content-Type", "text/html; charset=utf-8")],
            page,
        )
    })
    .await;
    let err = get(&format!("{}/cal.ics?token=SECRET", server.base), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::NotICalendar { content_type: Some(ct), first_line, .. }
            if ct == "text/html; charset=utf-8" && first_line == "<!DOCTYPE html>"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the feed {}/cal.ics?… did not send a calendar (content type text/html; \
             charset=utf-8, starting with \"<!DOCTYPE html>\")",
            server.base
        )
    );
}

#[tokio::test]
async fn login_and_gone_statuses_have_clear_messages_without_the_token() {
    let server = serve(|head, _| {
        let status = if head.contains("/401/") {
            "401 Unauthorized"
        } else if head.contains("/404/") {
            "404 Not Found"
        } else {
            "410 Gone"
        };
        reply(status, &[], b"")
    })
    .await;
    let token = "private-0123456789abcdef0123456789abcdef";
    let url = |code: &str| format!("{}/{code}/{token}/basic.ics?key=SECRET", server.base);
    let shown = format!("{}/…/basic.ics?…", server.base);

    let err = get(&url("401"), None).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the feed {} needs a login, or the link is no longer valid (HTTP 401)",
            shown
        )
    );
    for code in ["404", "410"] {
        let err = get(&url(code), None).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("the feed {shown} is gone (HTTP {code}); check the link")
        );
        assert!(!err.is_transient());
    }
    // 4xx are not retried.
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_503_is_retried_then_the_body_is_read() {
    let server = serve(|_, n| {
        if n == 0 {
            reply("503 Service Unavailable", &[("Retry-After", "0")], b"busy")
        } else {
            reply("200 OK", &[], calendar("Back", "1").as_bytes())
        }
    })
    .await;
    let (text, _) = body_of(
        get(&format!("{}/cal.ics", server.base), None)
            .await
            .unwrap(),
    );
    assert!(text.contains("SUMMARY:Back"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_latin1_body_is_decoded() {
    let server = serve(|_, _| {
        let body = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:F\xeate\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        reply("200 OK", &[("Content-Type", "text/calendar; charset=ISO-8859-1")], body)
    })
    .await;
    let (text, _) = body_of(get(&format!("{}/fr.ics", server.base), None).await.unwrap());
    assert!(text.contains("SUMMARY:Fête\r\n"), "{text}");
}

#[tokio::test]
async fn an_unreachable_feed_is_a_transient_network_error_without_the_address() {
    // Bind then drop a listener: nothing answers on that port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = get(
        &format!("http://127.0.0.1:{port}/x/private-abcdef0123456789/b.ics"),
        None,
    )
    .await
    .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "could not reach the feed http://127.0.0.1:{port}/…/b.ics: "
        )),
        "{message}"
    );
    assert!(!message.contains("private"), "{message}");
}

#[tokio::test]
async fn a_feed_that_never_answers_times_out_at_the_deadline() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        // Accept and keep the connection open without a word.
        let (_stream, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
    });
    let url = FeedUrl::parse(&format!("{base}/slow.ics")).unwrap();
    let mut limits = limits();
    limits.retry.sync_deadline = Duration::from_millis(300);
    let err = fetch(&limits.retry.client(), &url, None, &limits)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TimedOut { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_redirect_to_another_scheme_or_without_location_is_refused() {
    let server = serve(|head, _| {
        if head.starts_with("get /ftp") {
            reply("302 Found", &[("Location", "ftp://example.com/c.ics")], b"")
        } else {
            reply("302 Found", &[], b"")
        }
    })
    .await;
    let err = get(&format!("{}/ftp.ics", server.base), None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "the feed {}/ftp.ics redirected to an unusable address (ftp: links are not followed)",
            server.base
        )
    );
    let err = get(&format!("{}/none.ics", server.base), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::BadRedirect { reason, .. } if reason == "no Location header"),
        "{err:?}"
    );
}
