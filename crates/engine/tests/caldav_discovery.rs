//! CalDAV discovery against real Radicale and Xandikos servers (started per test by
//! `caldav_support`), and against tiny hand-made servers for what they cannot show: a server
//! that wants Digest, a redirect to another site, a 401 that must not be retried (more on
//! Digest and iCloud's partition hosts against the fake server: `caldav_fake_discovery`).

mod caldav_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::caldav::discovery::{discover, DavCalendar};
use calbuddy_engine::provider::caldav::error::DavError;
use calbuddy_engine::provider::caldav::transport::{self, Credentials, DavClient, Depth};
use calbuddy_engine::secrets::Sensitive;
use caldav_support::{start, vdirsyncer_discover, Kind, PASSWORD, USER};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

fn policy() -> RetryPolicy {
    RetryPolicy {
        retries: 2,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
        timeout: Duration::from_secs(10),
        sync_deadline: Duration::from_secs(60),
    }
}

fn client(password: &str) -> DavClient {
    DavClient::new(
        Credentials {
            username: USER.to_owned(),
            password: Sensitive::new(password.to_owned()),
        },
        policy(),
    )
}

fn names(calendars: &[DavCalendar]) -> Vec<&str> {
    calendars.iter().map(|c| c.display_name.as_str()).collect()
}

#[tokio::test]
async fn discovery_from_the_root_finds_the_named_calendars_and_skips_the_task_list() {
    for kind in Kind::ALL {
        let server = start(kind);
        let found = discover(&client(PASSWORD), server.url()).await.unwrap();
        assert_eq!(
            found.principal.as_ref().map(|u| u.as_str()),
            Some(server.info.principal.as_str()),
            "{kind:?}"
        );
        assert_eq!(names(&found.calendars), ["Personal"], "{kind:?}");
        let personal = &found.calendars[0];
        assert_eq!(personal.href.as_str(), server.calendar("Personal").href);
        assert_eq!(personal.color.as_deref(), Some("#3A87AD"), "{kind:?}");
        assert_eq!(personal.components, ["VEVENT"], "{kind:?}");
        assert!(!personal.read_only, "{kind:?}");
        assert!(personal.ctag.is_some(), "{kind:?}");
        assert!(personal.sync_token.is_some(), "{kind:?}");
    }
}

#[tokio::test]
async fn discovery_agrees_with_vdirsyncer_except_for_task_lists() {
    for kind in Kind::ALL {
        let server = start(kind);
        let ours = discover(&client(PASSWORD), server.url()).await.unwrap();
        let mut expected: Vec<String> = ours.calendars.iter().map(|c| c.href.to_string()).collect();
        // vdirsyncer lists every calendar collection; we leave out the task-only ones.
        expected.push(server.calendar("Tasks").href.clone());
        expected.sort();
        assert_eq!(vdirsyncer_discover(server.url()), expected, "{kind:?}");
    }
}

#[tokio::test]
async fn a_principal_or_a_calendar_url_given_directly_works() {
    for kind in Kind::ALL {
        let server = start(kind);
        let from_principal = discover(&client(PASSWORD), &server.info.principal)
            .await
            .unwrap();
        assert_eq!(names(&from_principal.calendars), ["Personal"], "{kind:?}");

        let href = &server.calendar("Personal").href;
        let direct = discover(&client(PASSWORD), href).await.unwrap();
        assert_eq!(direct.principal, None, "{kind:?}");
        assert_eq!(direct.calendars, from_principal.calendars, "{kind:?}");

        // The task list given directly holds no events.
        let tasks = &server.calendar("Tasks").href;
        let err = discover(&client(PASSWORD), tasks).await.unwrap_err();
        assert!(matches!(err, DavError::NoCalendars(_)), "{kind:?}: {err}");
    }
}

#[tokio::test]
async fn a_wrong_password_is_the_typed_error_and_never_in_a_message() {
    for kind in Kind::ALL {
        let server = start(kind);
        let err = discover(&client("not-the-password"), server.url())
            .await
            .unwrap_err();
        assert!(matches!(err, DavError::Unauthorized), "{kind:?}: {err:?}");
        assert!(err.is_auth() && !err.is_transient());
        assert_eq!(err.to_string(), "wrong user name or password");
        assert!(!format!("{err:?}").contains("not-the-password"));
    }
}

#[tokio::test]
async fn another_users_collection_is_a_refusal_not_a_password_error() {
    let server = start(Kind::Radicale);
    // Radicale's owner_only rights answer 403 for bob's collection.
    let other = format!("{}bob/", server.url());
    let err = discover(&client(PASSWORD), &other).await.unwrap_err();
    assert!(
        matches!(err, DavError::Status { status: 403, .. }),
        "{err:?}"
    );
    assert!(!err.is_auth() && !err.is_transient());
}

/// A one-route HTTP server: answers every request with `reply(request_text)` and records the
/// requests it saw.
async fn fake(
    reply: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let reply = reply.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut n = 0;
                // Read the head and a body of Content-Length bytes.
                loop {
                    match stream.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(m) => n += m,
                    }
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    if let Some(head_end) = text.find("\r\n\r\n") {
                        let length = text
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .and_then(|v| v.trim().parse::<usize>().ok())
                            })
                            .unwrap_or(0);
                        if n >= head_end + 4 + length {
                            break;
                        }
                    }
                }
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let answer = reply(&request);
                log.lock().unwrap().push(request);
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (url, seen)
}

fn has_authorization(request: &str) -> bool {
    request
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization:"))
}

fn authorization_scheme(request: &str) -> Option<String> {
    request.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().split(' ').next().unwrap_or("").to_owned())
    })
}

#[tokio::test]
async fn a_digest_challenge_is_answered_once_and_one_we_cannot_answer_is_told_apart() {
    // Digest only, refusing everything: Basic, then one Digest answer, then the typed error.
    let (url, seen) = fake(|_| {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"dav\", nonce=\"abc\", qop=\"auth\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    })
    .await;
    let err = discover(&client(PASSWORD), &format!("{url}dav/"))
        .await
        .unwrap_err();
    assert!(matches!(err, DavError::Unauthorized), "{err:?}");
    assert!(err.is_auth());
    let schemes: Vec<Option<String>> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| authorization_scheme(r))
        .collect();
    assert_eq!(schemes, [Some("Basic".into()), Some("Digest".into())]);

    // Basic refused while Digest is offered too: Digest is tried once, then the typed error.
    let (url, seen) = fake(|_| {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"dav\", nonce=\"abc\"\r\nWWW-Authenticate: Basic realm=\"dav\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    })
    .await;
    let err = discover(&client(PASSWORD), &format!("{url}dav/"))
        .await
        .unwrap_err();
    assert!(matches!(err, DavError::Unauthorized), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 2);

    // Only a Digest we cannot compute: not a password problem, and not retried.
    let (url, seen) = fake(|_| {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"dav\", nonce=\"abc\", algorithm=SHA3-512\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    })
    .await;
    let err = discover(&client(PASSWORD), &format!("{url}dav/"))
        .await
        .unwrap_err();
    assert!(matches!(err, DavError::DigestNotSupported), "{err:?}");
    assert!(!err.is_auth() && !err.is_transient());
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_challenge_for_another_realm_is_answered_once_more() {
    // Two protection spaces on one origin: /one wants realm "a", /two realm "b".
    let (url, seen) = fake(|request| {
        let path_realm = if request.starts_with("PROPFIND /one") { "a" } else { "b" };
        let digest_realm = request
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization: digest"))
            .and_then(|l| l.split("realm=\"").nth(1))
            .and_then(|r| r.split('"').next());
        if digest_realm == Some(path_realm) {
            "HTTP/1.1 207 Multi-Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
        } else {
            format!("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"{path_realm}\", nonce=\"n-{path_realm}\", qop=\"auth\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
    })
    .await;
    let dav = client(PASSWORD);
    for path in ["one", "two", "one"] {
        let target = Url::parse(&format!("{url}{path}")).unwrap();
        let reply = dav
            .send(transport::propfind(), &target, Depth::Zero, "", true)
            .await
            .unwrap();
        assert_eq!(reply.status, 207, "{path}");
    }
    // Basic then Digest "a"; Digest "a" then "b"; Digest "b" then "a": two sends each.
    let schemes: Vec<Option<String>> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| authorization_scheme(r))
        .collect();
    assert_eq!(schemes.len(), 6);
    assert_eq!(schemes[0].as_deref(), Some("Basic"));
    assert!(schemes[1..].iter().all(|s| s.as_deref() == Some("Digest")));
}

#[tokio::test]
async fn a_redirect_to_another_site_is_refused_before_the_password_goes_there() {
    let (elsewhere, elsewhere_seen) = fake(|_| {
        "HTTP/1.1 207 Multi-Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
    })
    .await;
    let target = format!("{elsewhere}dav/");
    let (url, seen) = fake(move |_| {
        format!("HTTP/1.1 301 Moved\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    })
    .await;
    let err = discover(&client(PASSWORD), &url).await.unwrap_err();
    assert!(matches!(err, DavError::OtherSite { .. }), "{err:?}");
    assert!(elsewhere_seen.lock().unwrap().is_empty());
    // The site the user entered did get the well-known request, with credentials.
    let seen = seen.lock().unwrap();
    assert!(
        seen[0].starts_with("PROPFIND /.well-known/caldav "),
        "{}",
        seen[0]
    );
    assert!(has_authorization(&seen[0]));
}

#[tokio::test]
async fn a_web_server_without_dav_is_not_caldav() {
    // A plain web server: 405 for PROPFIND, at the well-known path and at the root.
    let (url, seen) = fake(|_| {
        "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_owned()
    })
    .await;
    let err = discover(&client(PASSWORD), &url).await.unwrap_err();
    assert!(matches!(err, DavError::NotCalDav(_)), "{err:?}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].starts_with("PROPFIND / "), "{}", seen[1]);
}

#[tokio::test]
async fn redirects_are_capped() {
    let hops = Arc::new(AtomicUsize::new(0));
    let counter = hops.clone();
    let (url, _) = fake(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        format!("HTTP/1.1 302 Found\r\nLocation: /loop/{n}/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    })
    .await;
    let err = discover(&client(PASSWORD), &format!("{url}start/"))
        .await
        .unwrap_err();
    assert!(matches!(err, DavError::TooManyRedirects(_)), "{err:?}");
    assert_eq!(hops.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_as_transient() {
    let (url, seen) = fake(|_| {
        "HTTP/1.1 503 Busy\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_owned()
    })
    .await;
    let err = discover(&client(PASSWORD), &format!("{url}dav/"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DavError::Status { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert_eq!(
        seen.lock().unwrap().len(),
        3,
        "the first try and two retries"
    );
}
