//! The provider's sign-in, requests and paging against a tiny HTTP/1.1 server on 127.0.0.1 that
//! answers with canned token answers and Graph pages (shapes from the Microsoft identity
//! platform and Graph references) and records what it was asked.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::model::{RemoteChange, SyncWindow};
use crate::provider::ChangeSetKind;
use crate::secrets::Sensitive;

/// What the server answers: status, extra header lines, body.
struct Reply {
    status: u16,
    headers: Vec<String>,
    body: Vec<u8>,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        headers: vec!["Content-Type: application/json".into()],
        body: body.to_string().into_bytes(),
    }
}

fn status(status: u16, headers: &[&str], body: &str) -> Reply {
    Reply {
        status,
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        body: body.as_bytes().to_vec(),
    }
}

struct Server {
    base: String,
    /// The request heads received, lowercased.
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// The request lines (`get /path?query http/1.1`).
    fn lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|h| h.lines().next().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Serves each request with `handler(base, request head, number of the request)`.
async fn serve<F>(handler: F) -> Server
where
    F: Fn(&str, &str, usize) -> Reply + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let handler = Arc::new(handler);
    let root = base.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let (seen, handler, root) = (seen.clone(), handler.clone(), root.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                // Read a request body too (a token request's form), so the answer is not cut
                // off by a reset for unread bytes; it is recorded after the head.
                let mut head = String::from_utf8_lossy(&head).to_string();
                let length = head
                    .to_ascii_lowercase()
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("content-length:")
                            .map(|v| v.trim().to_owned())
                    })
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let read = head.split_once("\r\n\r\n").map_or(0, |(_, b)| b.len());
                let mut rest = vec![0u8; length.saturating_sub(read).min(64 * 1024)];
                if stream.read_exact(&mut rest).await.is_err() {
                    return;
                }
                head.push_str(&String::from_utf8_lossy(&rest));
                let index = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(head.to_ascii_lowercase());
                    seen.len() - 1
                };
                let reply = handler(&root, &head, index);
                let mut out = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    reply.status,
                    reply.body.len()
                );
                for h in reply.headers {
                    out.push_str(&h);
                    out.push_str("\r\n");
                }
                out.push_str("\r\n");
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&reply.body);
                let _ = stream.write_all(&bytes).await;
            });
        }
    });
    Server { base, requests }
}

fn provider(server: &Server) -> MicrosoftProvider {
    let tokens = TokenSet {
        access_token: Sensitive::new("access-1".into()),
        refresh_token: Some(Sensitive::new("refresh-1".into())),
        expires_at: Utc::now() + chrono::Duration::hours(1),
    };
    let dir = std::env::temp_dir().join("calbuddy-ms-unused-secrets");
    let secrets = SecretStore::File {
        path: dir.join("secrets.json"),
    };
    MicrosoftProvider::with_tokens(&config(server), secrets, tokens).unwrap()
}

fn config(server: &Server) -> MicrosoftConfig {
    MicrosoftConfig {
        client_id: "client".into(),
        tenant: "common".into(),
        endpoints: MicrosoftEndpoints {
            auth_url: format!("{}/authorize", server.base),
            token_url: format!("{}/token", server.base),
            graph_url: format!("{}/v1.0/", server.base),
        },
        retry: RetryPolicy {
            retries: 3,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_retry_after: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
            sync_deadline: Duration::from_secs(60),
        },
        sign_in_timeout: Duration::from_secs(1),
        page_size: 50,
    }
}

fn window() -> SyncWindow {
    SyncWindow {
        start: Utc.with_ymd_and_hms(2026, 10, 31, 0, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap(),
    }
}

fn event(id: &str, subject: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.event",
        "@odata.etag": "W/\"DwAAABYAAAB\"",
        "id": id, "subject": subject, "type": "singleInstance", "isAllDay": false,
        "isCancelled": false, "showAs": "busy",
        "start": {"dateTime": "2026-12-01T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T10:00:00.0000000", "timeZone": "UTC"}
    })
}

async fn fetch(
    p: &MicrosoftProvider,
    calendar: &str,
    cursor: Option<&str>,
) -> Result<ChangeSet, ProviderError> {
    p.fetch_changes(
        FetchRequest {
            calendar_external_id: calendar,
            cursor,
            window: window(),
        },
        &|_| {},
    )
    .await
}

fn ids(set: &ChangeSet) -> Vec<String> {
    set.changes
        .iter()
        .map(|c| match c {
            RemoteChange::Upsert(e) => format!("+{}", e.external_id),
            RemoteChange::Delete { external_id } => format!("-{external_id}"),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_full_round_follows_next_links_to_the_delta_link() {
    let server = serve(|base, _, n| match n {
        0 => ok(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
            "@odata.nextLink": format!("{base}/v1.0/me/calendars/AAMk%3D/calendarView/delta?$skiptoken=R0usmcCM996"),
            "value": [event("e1", "One"), event("e2", "Two")]
        })),
        // An empty page that still goes on.
        1 => ok(json!({
            "@odata.nextLink": format!("{base}/v1.0/me/calendars/AAMk%3D/calendarView/delta?$skiptoken=R0usmcCM997"),
            "value": []
        })),
        _ => ok(json!({
            "@odata.deltaLink": format!("{base}/v1.0/me/calendars/AAMk%3D/calendarView/delta?$deltatoken=R0usmci39OQxqJrxK4"),
            "value": [event("e3", "Three"),
                      {"@odata.type": "#microsoft.graph.event", "id": "gone",
                       "@removed": {"reason": "deleted"}}]
        })),
    })
    .await;
    let p = provider(&server);
    let set = fetch(&p, "AAMk=/x", None).await.unwrap();
    assert_eq!(set.kind, ChangeSetKind::Full);
    assert_eq!(ids(&set), ["+e1", "+e2", "+e3", "-gone"]);
    assert_eq!(
        set.cursor.as_deref(),
        Some(
            format!(
                "{}/v1.0/me/calendars/AAMk%3D/calendarView/delta?$deltatoken=R0usmci39OQxqJrxK4",
                server.base
            )
            .as_str()
        )
    );
    let lines = server.lines();
    assert_eq!(lines.len(), 3);
    // The calendar id is one path segment; the window is sent in UTC with `Z`.
    assert_eq!(
        lines[0],
        "get /v1.0/me/calendars/aamk=%2fx/calendarview/delta?startdatetime=2026-10-31t00%3a00%3a00z&enddatetime=2027-03-01t00%3a00%3a00z http/1.1"
    );
    assert!(lines[1].contains("$skiptoken=r0usmccm996"), "{}", lines[1]);
    assert!(lines[2].contains("$skiptoken=r0usmccm997"), "{}", lines[2]);
    for head in server.requests() {
        assert!(
            head.contains("\r\nprefer: odata.maxpagesize=50\r\n"),
            "{head}"
        );
        assert!(
            head.contains("\r\nprefer: outlook.timezone=\"utc\"\r\n"),
            "{head}"
        );
        assert!(
            head.contains("\r\nauthorization: bearer access-1\r\n"),
            "{head}"
        );
    }
}

#[tokio::test]
async fn a_later_sync_is_one_request_to_the_delta_link() {
    let server = serve(|base, _, _| {
        ok(json!({
            "@odata.deltaLink": format!("{base}/v1.0/me/calendars/c/calendarView/delta?$deltatoken=next"),
            "value": [event("e1", "Renamed"),
                      {"id": "e2", "@removed": {"reason": "deleted"}}]
        }))
    })
    .await;
    let p = provider(&server);
    let cursor = format!(
        "{}/v1.0/me/calendars/c/calendarView/delta?$deltatoken=saved",
        server.base
    );
    let set = fetch(&p, "c", Some(&cursor)).await.unwrap();
    assert_eq!(set.kind, ChangeSetKind::Delta);
    assert_eq!(ids(&set), ["+e1", "-e2"]);
    assert!(set.cursor.unwrap().ends_with("$deltatoken=next"));
    assert_eq!(
        server.lines(),
        ["get /v1.0/me/calendars/c/calendarview/delta?$deltatoken=saved http/1.1"]
    );
}

#[tokio::test]
async fn an_expired_delta_link_asks_for_a_full_round() {
    let server = serve(|_, _, _| {
        status(
            410,
            &["Content-Type: application/json"],
            r#"{"error": {"code": "SyncStateNotFound", "message": "The sync state generation is not found; start a new sync.", "innerError": {"date": "2026-11-30T10:00:00", "request-id": "r", "client-request-id": "c"}}}"#,
        )
    })
    .await;
    let p = provider(&server);
    let cursor = format!(
        "{}/v1.0/me/calendars/c/calendarView/delta?$deltatoken=old",
        server.base
    );
    let err = fetch(&p, "c", Some(&cursor)).await.unwrap_err();
    assert!(matches!(err, ProviderError::CursorExpired), "{err:?}");
    assert_eq!(server.lines().len(), 1, "a 410 is not retried");
}

#[tokio::test]
async fn throttling_waits_as_long_as_retry_after_says() {
    let server = serve(|base, _, n| match n {
        0 => status(
            429,
            &["Retry-After: 1", "Content-Type: application/json"],
            r#"{"error": {"code": "TooManyRequests", "message": "Please retry again later."}}"#,
        ),
        1 => status(
            503,
            &["Content-Type: text/html"],
            "<html>Service Unavailable</html>",
        ),
        _ => ok(json!({
            "@odata.deltaLink": format!("{base}/v1.0/d?$deltatoken=t"),
            "value": [event("e1", "One")]
        })),
    })
    .await;
    let p = provider(&server);
    let began = Instant::now();
    let set = fetch(&p, "c", None).await.unwrap();
    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(ids(&set), ["+e1"]);
    let lines = server.lines();
    assert_eq!(lines.len(), 3);
    assert!(
        lines.iter().all(|l| l == &lines[0]),
        "the same page is asked again: {lines:?}"
    );
}

#[tokio::test]
async fn a_server_that_stays_down_or_throttling_fails_cleanly_after_the_retries() {
    let server = serve(|_, _, _| status(503, &[], "")).await;
    let err = fetch(&provider(&server), "c", None).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Network(ref m) if m == "HTTP 503"),
        "{err:?}"
    );
    assert_eq!(
        server.lines().len(),
        4,
        "the first attempt and three retries"
    );

    let server = serve(|_, _, _| status(429, &["Retry-After: 0"], "")).await;
    let err = fetch(&provider(&server), "c", None).await.unwrap_err();
    assert!(matches!(err, ProviderError::RateLimited(_)), "{err:?}");
}

#[tokio::test]
async fn a_truncated_page_fails_the_round_without_changes() {
    let server = serve(|base, _, n| match n {
        0 => ok(json!({
            "@odata.nextLink": format!("{base}/v1.0/next"),
            "value": [event("e1", "One")]
        })),
        _ => {
            let full = json!({"@odata.deltaLink": format!("{base}/v1.0/d"),
                              "value": [event("e2", "Two")]})
            .to_string();
            status(
                200,
                &["Content-Type: application/json"],
                &full[..full.len() / 2],
            )
        }
    })
    .await;
    let err = fetch(&provider(&server), "c", None).await.unwrap_err();
    assert!(matches!(err, ProviderError::Malformed(_)), "{err:?}");
    // A page with neither link is as broken.
    let server = serve(|_, _, _| ok(json!({"value": []}))).await;
    let err = fetch(&provider(&server), "c", None).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Malformed(ref m) if m.contains("neither")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_page_above_the_size_cap_fails_the_round_without_changes() {
    let server = serve(|base, _, n| match n {
        0 => ok(json!({
            "@odata.nextLink": format!("{base}/v1.0/next"),
            "value": [event("e1", "One")]
        })),
        // A flood: valid JSON as far as it goes, past Graph's 16 MiB page cap.
        _ => Reply {
            status: 200,
            headers: vec!["Content-Type: application/json".into()],
            body: [&b"{\"value\": [\""[..], &vec![b'x'; 16 * 1024 * 1024 + 1]].concat(),
        },
    })
    .await;
    let err = fetch(&provider(&server), "c", None).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Malformed(ref m) if m.contains("larger than")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_ends_the_round_is_given_up_on() {
    let server = serve(|base, _, n| {
        ok(json!({"@odata.nextLink": format!("{base}/v1.0/next?$skiptoken={n}"), "value": []}))
    })
    .await;
    let p = provider(&server);
    let start = delta::Start::Window {
        calendar_id: "c",
        window: window(),
    };
    let err = delta::round(&p.graph, start, 10, 5, None, &|_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::EndlessListing { pages: 5, .. }),
        "{err:?}"
    );
    assert_eq!(server.lines().len(), 5);
}

#[tokio::test]
async fn links_that_lead_away_from_graph_are_not_followed() {
    let server = serve(|_, _, _| {
        ok(json!({"@odata.nextLink": "https://attacker.example/steal?$skiptoken=1", "value": []}))
    })
    .await;
    let err = fetch(&provider(&server), "c", None).await.unwrap_err();
    assert!(
        matches!(err, ProviderError::Malformed(ref m) if m.contains("attacker.example")),
        "{err:?}"
    );
    // Nor is a saved cursor that points elsewhere (another port is another origin): the
    // calendar is listed in full instead.
    let server = serve(|_, _, _| ok(json!({"value": []}))).await;
    let err = fetch(
        &provider(&server),
        "c",
        Some("http://127.0.0.1:1/v1.0/d?$deltatoken=x"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ProviderError::CursorExpired), "{err:?}");
    assert!(server.lines().is_empty());
}

#[tokio::test]
async fn calendars_are_listed_across_pages_and_the_user_is_read_from_me() {
    let server = serve(|base, head, _| {
        let line = head.lines().next().unwrap_or_default().to_owned();
        if line.starts_with("GET /v1.0/me/calendars?$skip=1 ") {
            ok(
                json!({"value": [{"id": "b", "name": "Team", "hexColor": "", "color": "lightTeal",
                                 "canEdit": false, "isDefaultCalendar": false}]}),
            )
        } else if line.starts_with("GET /v1.0/me/calendars ") {
            ok(
                json!({"value": [{"id": "a", "name": "Calendar", "hexColor": "#aabbcc",
                                 "canEdit": true, "isDefaultCalendar": true}],
                      "@odata.nextLink": format!("{base}/v1.0/me/calendars?$skip=1")}),
            )
        } else if line.starts_with("GET /v1.0/me ") {
            ok(
                json!({"displayName": "Adele Vance", "userPrincipalName": "adele@contoso.com",
                      "mail": "adele@contoso.com", "id": "87d349ed"}),
            )
        } else {
            status(404, &[], "")
        }
    })
    .await;
    let p = provider(&server);
    let calendars = p.list_calendars().await.unwrap();
    let summary: Vec<_> = calendars
        .iter()
        .map(|c| {
            (
                c.external_id.as_str(),
                c.primary,
                c.read_only,
                c.color.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("a", true, false, Some("#aabbcc")),
            ("b", false, true, Some("#00b7c3"))
        ]
    );
    let user = p.signed_in_user().await.unwrap();
    assert_eq!(user.address, "adele@contoso.com");
    assert_eq!(user.display_name.as_deref(), Some("Adele Vance"));
    // A calendar that is gone.
    let err = fetch(&p, "missing", None).await.unwrap_err();
    assert!(matches!(err, ProviderError::CalendarGone), "{err:?}");
}

/// A connected account whose saved access token has expired, in a secret store in `dir`.
async fn saved_account(server: &Server, dir: &std::path::Path) -> (MicrosoftProvider, SecretStore) {
    let secrets = SecretStore::File {
        path: dir.join("secrets.json"),
    };
    let stale = TokenSet {
        access_token: Sensitive::new("access-1".into()),
        refresh_token: Some(Sensitive::new("refresh-1".into())),
        expires_at: Utc::now() - chrono::Duration::minutes(5),
    };
    secrets
        .set(&secret_key("adele@contoso.com"), &stale.to_secret())
        .await
        .unwrap();
    let p = MicrosoftProvider::new(&config(server), secrets.clone(), "adele@contoso.com").unwrap();
    (p, secrets)
}

#[tokio::test]
async fn a_refresh_saves_the_rotated_refresh_token_before_graph_is_asked() {
    let server = serve(|base, head, _| {
        if head.starts_with("POST /token ") {
            let rotated = if head.contains("refresh_token=refresh-1") {
                "2"
            } else {
                "x"
            };
            return ok(json!({
                "token_type": "Bearer", "scope": "User.Read Calendars.Read",
                "expires_in": 3599, "ext_expires_in": 3599,
                "access_token": format!("access-{rotated}"),
                "refresh_token": format!("refresh-{rotated}")
            }));
        }
        ok(json!({"@odata.deltaLink": format!("{base}/v1.0/d"), "value": []}))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (p, secrets) = saved_account(&server, dir.path()).await;
    fetch(&p, "c", None).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // A public client: no secret, the client id in the form.
    assert!(requests[0].starts_with("post /token "), "{}", requests[0]);
    assert!(
        requests[0].contains("grant_type=refresh_token"),
        "{}",
        requests[0]
    );
    assert!(requests[0].contains("client_id=client"), "{}", requests[0]);
    assert!(!requests[0].contains("client_secret"), "{}", requests[0]);
    assert!(
        requests[1].contains("authorization: bearer access-2"),
        "{}",
        requests[1]
    );
    let saved = secrets
        .get(&secret_key("adele@contoso.com"))
        .await
        .unwrap()
        .unwrap();
    let saved = TokenSet::from_secret(&saved).unwrap();
    assert_eq!(saved.refresh_token.unwrap().expose(), "refresh-2");
    assert_eq!(saved.access_token.expose(), "access-2");
}

#[tokio::test]
async fn a_revoked_grant_asks_to_sign_in_again_and_a_401_is_renewed_once() {
    let server = serve(|_, head, _| {
        if head.starts_with("POST /token ") {
            return status(
                400,
                &["Content-Type: application/json; charset=utf-8"],
                r#"{"error": "invalid_grant", "error_description": "AADSTS50173: The provided grant has expired due to it being revoked.\r\nTrace ID: t\r\nCorrelation ID: c", "error_codes": [50173]}"#,
            );
        }
        status(401, &["WWW-Authenticate: Bearer realm=\"\""], r#"{"error": {"code": "InvalidAuthenticationToken"}}"#)
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (p, _) = saved_account(&server, dir.path()).await;
    let err = fetch(&p, "c", None).await.unwrap_err();
    assert!(err.is_auth_expired(), "{err:?}");
    assert!(
        err.to_string().contains("AADSTS50173") && !err.to_string().contains("Trace"),
        "{err}"
    );

    // A token Graph refuses is renewed once, then the request is tried again.
    let server = serve(|base, head, _| {
        if head.starts_with("POST /token ") {
            return ok(json!({"token_type": "Bearer", "expires_in": 3599,
                             "access_token": "access-2", "refresh_token": "refresh-2"}));
        }
        if head
            .to_ascii_lowercase()
            .contains("authorization: bearer access-1")
        {
            return status(
                401,
                &[],
                r#"{"error": {"code": "InvalidAuthenticationToken"}}"#,
            );
        }
        ok(json!({"@odata.deltaLink": format!("{base}/v1.0/d"), "value": []}))
    })
    .await;
    let p = provider(&server);
    fetch(&p, "c", None).await.unwrap();
    let lines = server.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[1].starts_with("post /token "));
    assert_eq!(p.tokens().await.unwrap().access_token.expose(), "access-2");
}

#[tokio::test]
async fn through_the_sync_layer_a_410_relists_in_full_and_a_quiet_calendar_costs_one_request() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::store::Store;
    use crate::sync::{sync_account, SyncOptions};

    // How many times the saved delta link has been asked for.
    let delta_asks = Arc::new(AtomicUsize::new(0));
    let asks = delta_asks.clone();
    let server = serve(move |base, head, _| {
        let line = head.lines().next().unwrap_or_default().to_owned();
        let round_end = |token: &str| format!("{base}/v1.0/me/calendars/c/calendarView/delta?$deltatoken={token}");
        if line.starts_with("GET /v1.0/me/calendars ") {
            return ok(json!({"value": [{"id": "c", "name": "Calendar", "hexColor": "",
                                        "canEdit": true, "isDefaultCalendar": true}]}));
        }
        if line.contains("$deltatoken=") {
            return match asks.fetch_add(1, Ordering::SeqCst) {
                // The saved state was evicted.
                0 => status(410, &[], r#"{"error": {"code": "SyncStateNotFound"}}"#),
                _ => ok(json!({"@odata.deltaLink": round_end("3"), "value": []})),
            };
        }
        // A full round: the first one has two events, the one after the 410 only the second.
        ok(json!({"@odata.deltaLink": round_end("1"), "value": if asks.load(Ordering::SeqCst) == 0 {
            json!([event("e1", "One"), event("e2", "Two")])
        } else {
            json!([event("e2", "Two")])
        }}))
    })
    .await;
    let p = provider(&server);
    let store = Store::open_in_memory().await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let (account, _) = store
        .upsert_account("microsoft", "adele@contoso.com", "adele@contoso.com", now)
        .await
        .unwrap();
    let options = SyncOptions {
        days_back: 30,
        days_ahead: 90,
        deadline: Duration::from_secs(60),
    };
    let sync = || sync_account(&store, &p, account, options, now, &|_| {});

    let report = sync().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(store.event_count().await.unwrap(), 2);

    // The delta link is gone: the calendar is listed again and replaced in one go.
    let report = sync().await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(store.event_count().await.unwrap(), 1);
    let before = server.lines().len();

    // Nothing changed: the calendar list and one request for the calendar.
    let report = sync().await.unwrap();
    assert!(report.ok(), "{report:?}");
    let lines = server.lines();
    assert_eq!(lines.len() - before, 2, "{:?}", &lines[before..]);
    assert!(
        lines[lines.len() - 1].contains("$deltatoken=1"),
        "{lines:?}"
    );
    assert_eq!(store.event_count().await.unwrap(), 1);
}

#[tokio::test]
async fn signing_in_is_a_public_client_s_code_flow_with_pkce_and_a_localhost_redirect() {
    let server = serve(|_, head, _| {
        if head.starts_with("POST /organizations/token ") {
            return ok(
                json!({"token_type": "Bearer", "scope": "User.Read Calendars.Read",
                             "expires_in": 4000, "ext_expires_in": 4000,
                             "access_token": "access-1", "refresh_token": "refresh-1"}),
            );
        }
        status(404, &[], "")
    })
    .await;
    let mut config = config(&server);
    config.tenant = "organizations".into();
    config.endpoints.auth_url = format!("{}/{{tenant}}/authorize", server.base);
    config.endpoints.token_url = format!("{}/{{tenant}}/token", server.base);
    let shown = Arc::new(Mutex::new(String::new()));
    let seen = shown.clone();
    let tokens = authorize(&config, move |url| {
        *seen.lock().unwrap() = url.to_owned();
        // The browser: Microsoft sends it back to the redirect URI with the code and state.
        let url = Url::parse(url).unwrap();
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        let back = format!(
            "{}/?code=M.C1_BAY.code&state={}&session_state=x",
            query["redirect_uri"], query["state"]
        );
        tokio::spawn(async move { reqwest::get(back).await });
    })
    .await
    .unwrap();
    assert_eq!(tokens.refresh_token.unwrap().expose(), "refresh-1");

    let shown = Url::parse(&shown.lock().unwrap()).unwrap();
    assert_eq!(shown.path(), "/organizations/authorize");
    let query: std::collections::HashMap<_, _> = shown.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], "client");
    assert_eq!(query["scope"], "offline_access User.Read Calendars.Read");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["prompt"], "select_account");
    assert!(query["code_challenge"].len() >= 43 && query["state"].len() >= 16);
    let redirect = &query["redirect_uri"];
    assert!(
        redirect.starts_with("http://localhost:") && !redirect.ends_with('/'),
        "{redirect}"
    );

    let exchange = &server.requests()[0];
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(exchange.split_once("\r\n\r\n").unwrap().1.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(
        form["code"], "m.c1_bay.code",
        "(the recorded request is lowercased)"
    );
    assert_eq!(&form["redirect_uri"], redirect);
    assert!(form["code_verifier"].len() >= 43);
    assert!(!form.contains_key("client_secret"), "{form:?}");
}
