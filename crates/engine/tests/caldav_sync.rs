//! Syncing CalDAV accounts through the engine against real Radicale and Xandikos servers
//! (`caldav_support`), with a counting proxy in front for request counts and for what the
//! servers cannot show by themselves (a made-up sync token, a body that is not iCalendar, a
//! server without sync-collection, a kill mid-sync); and a small canned server for 507
//! truncation.

mod caldav_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::caldav::account::{secret_key, Locator};
use calbuddy_engine::provider::caldav::provider::CalDavProvider;
use calbuddy_engine::provider::caldav::sync_collection::{self, SyncCollectionError};
use calbuddy_engine::provider::caldav::transport::{Credentials, DavClient};
use calbuddy_engine::provider::ProviderError;
use calbuddy_engine::secrets::Sensitive;
use calbuddy_engine::store::Store;
use calbuddy_engine::sync::{sync_account, SyncOptions};
use calbuddy_engine::{CalDavSignIn, Engine, EngineConfig};
use caldav_support::edit::{self, href, put, put_event, vcalendar, vevent};
use caldav_support::proxy::{Action, Proxy, Seen};
use caldav_support::{start, DavServer, Kind, PASSWORD, USER};
use chrono::{DateTime, Duration as Span, Local, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

fn retry() -> RetryPolicy {
    RetryPolicy {
        retries: 1,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        timeout: Duration::from_secs(20),
        ..RetryPolicy::default()
    }
}

fn credentials() -> Credentials {
    Credentials {
        username: USER.to_owned(),
        password: Sensitive::new(PASSWORD.to_owned()),
    }
}

/// A server, a proxy in front of it and an engine in a temporary data directory.
struct World {
    server: Arc<DavServer>,
    proxy: Proxy,
    engine: Engine,
    /// The "Personal" calendar on the server itself (edits bypass the proxy).
    calendar: Url,
    anchor: DateTime<Utc>,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new(kind: Kind) -> World {
        let server = Arc::new(start(kind));
        let proxy = Proxy::start(server.addr()).await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = EngineConfig::in_dir(dir.path());
        config.retry = retry();
        let engine = Engine::open(config).await.unwrap();
        let calendar = Url::parse(&server.calendar("Personal").href).unwrap();
        let now = Utc::now();
        World {
            server,
            proxy,
            engine,
            calendar,
            anchor: now - Span::seconds(now.timestamp() % 3600) + Span::hours(2),
            _dir: dir,
        }
    }

    fn sign_in(&self, password: &str) -> CalDavSignIn {
        CalDavSignIn {
            url: self.proxy.url.clone(),
            username: USER.to_owned(),
            password: Sensitive::new(password.to_owned()),
        }
    }

    async fn connect(&self) -> i64 {
        let (account, report) = self
            .engine
            .connect_caldav(self.sign_in(PASSWORD), Utc::now())
            .await
            .unwrap();
        assert!(report.ok(), "{report:?}");
        account.id
    }

    async fn add(&self, uid: &str, title: &str, hours: i64) {
        put_event(&self.calendar, uid, title, self.anchor + Span::hours(hours)).await
    }

    async fn sync(&self, id: i64) -> calbuddy_engine::sync::SyncReport {
        match self
            .engine
            .sync(Some(id), Utc::now())
            .await
            .unwrap()
            .remove(0)
        {
            Ok(report) => report,
            Err(e) => panic!("{e}"),
        }
    }

    /// Titles of the occurrences in the next ten days, sorted.
    async fn titles(&self) -> Vec<String> {
        let today = Local::now().date_naive();
        let events = self
            .engine
            .events_on_days(today - Span::days(1), today + Span::days(10))
            .await
            .unwrap();
        let mut titles: Vec<String> = events.into_iter().map(|e| e.title).collect();
        titles.sort();
        titles
    }
}

#[tokio::test]
async fn connect_add_change_delete_and_a_sync_without_changes_costs_one_request_per_calendar() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        w.add("b", "B", 2).await;
        let id = w.connect().await;
        let account = w.engine.account(id).await.unwrap();
        assert_eq!(account.provider, "caldav");
        assert_eq!(account.name, USER);
        assert_eq!(account.detail.as_deref(), Some("127.0.0.1"));
        assert_eq!(w.titles().await, ["A", "B"], "{kind:?}");
        let calendars = w.engine.calendars().await.unwrap();
        assert_eq!(
            calendars.len(),
            1,
            "the task list is skipped: {calendars:?}"
        );
        assert_eq!(calendars[0].name, "Personal");
        assert_eq!(calendars[0].color.as_deref(), Some("#3a87ad"));

        let before = w.proxy.count();
        let report = w.sync(id).await;
        assert!(report.ok(), "{report:?}");
        // The calendar listing and one sync-collection report.
        assert_eq!(
            w.proxy.count() - before,
            2,
            "{kind:?}: {:?}",
            w.proxy.seen()
        );

        w.add("a", "A changed", 3).await;
        edit::delete(&href(&w.calendar, "b")).await;
        w.add("c", "C", 4).await;
        let report = w.sync(id).await;
        assert!(report.ok(), "{report:?}");
        let calendar = &report.calendars[0];
        assert!(!calendar.full, "{report:?}");
        assert_eq!((calendar.upserted, calendar.deleted), (2, 1), "{report:?}");
        assert_eq!(w.titles().await, ["A changed", "C"], "{kind:?}");
    }
}

#[tokio::test]
async fn a_calendar_url_entered_directly_is_the_account_s_one_calendar() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        let sign_in = CalDavSignIn {
            url: w.proxy.via(w.calendar.as_str()).to_string(),
            ..w.sign_in(PASSWORD)
        };
        let (account, report) = w.engine.connect_caldav(sign_in, Utc::now()).await.unwrap();
        assert!(report.ok(), "{report:?}");
        assert_eq!(w.titles().await, ["A"], "{kind:?}");
        let before = w.proxy.count();
        assert!(w.sync(account.id).await.ok());
        // The calendar itself (Depth 0) and its report.
        assert_eq!(
            w.proxy.count() - before,
            2,
            "{kind:?}: {:?}",
            w.proxy.seen()
        );
    }
}

#[tokio::test]
async fn connect_icloud_starts_at_the_configured_address() {
    let w = World::new(Kind::Xandikos).await;
    w.add("a", "A", 1).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::in_dir(dir.path());
    assert_eq!(config.icloud_url, "https://caldav.icloud.com/");
    config.icloud_url = w.proxy.url.clone();
    config.retry = retry();
    let engine = Engine::open(config).await.unwrap();
    let (account, report) = engine
        .connect_icloud(USER, Sensitive::new(PASSWORD.to_owned()), Utc::now())
        .await
        .unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(account.provider, "caldav");
    assert_eq!(engine.store().event_count().await.unwrap(), 1);
}

#[tokio::test]
async fn the_password_is_kept_in_the_secret_store_only() {
    let w = World::new(Kind::Radicale).await;
    w.add("a", "A", 1).await;
    let id = w.connect().await;
    let account = w.engine.account(id).await.unwrap();
    let secret = w
        .engine
        .config()
        .secrets
        .get(&secret_key(&account.external_id))
        .await
        .unwrap()
        .expect("saved");
    assert!(secret.expose().contains(PASSWORD));
    let database = std::fs::read(w.engine.config().data_dir.database()).unwrap();
    let wal = std::fs::read(
        w.engine
            .config()
            .data_dir
            .database()
            .with_extension("db-wal"),
    )
    .unwrap_or_default();
    for bytes in [database, wal] {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(PASSWORD), "the password is in SQLite");
    }

    // Disconnecting forgets it.
    w.engine.disconnect(id).await.unwrap();
    let gone = w
        .engine
        .config()
        .secrets
        .get(&secret_key(&account.external_id))
        .await
        .unwrap();
    assert!(gone.is_none());
}

#[tokio::test]
async fn a_made_up_sync_token_lists_in_full_without_losing_events() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        w.add("b", "B", 2).await;
        let id = w.connect().await;
        edit::delete(&href(&w.calendar, "a")).await;
        w.add("c", "C", 3).await;
        let replaced = Arc::new(AtomicBool::new(false));
        let once = replaced.clone();
        w.proxy.set_hook(move |seen| {
            let start = seen.body.find("<D:sync-token>");
            let end = seen.body.find("</D:sync-token>");
            match (start, end) {
                (Some(s), Some(e))
                    if seen.is_sync_collection() && !once.swap(true, Ordering::SeqCst) =>
                {
                    let token = &seen.body[s + "<D:sync-token>".len()..e];
                    Action::ForwardBody(
                        seen.body
                            .replace(token, "http://example.com/ns/sync/made-up"),
                    )
                }
                _ => Action::Forward,
            }
        });
        let report = w.sync(id).await;
        assert!(replaced.load(Ordering::SeqCst));
        assert!(report.ok(), "{kind:?}: {report:?}");
        let calendar = &report.calendars[0];
        assert!(calendar.cursor_expired && calendar.full, "{report:?}");
        // One transaction of upserts and deletions: B was never deleted and written again.
        assert_eq!(
            (calendar.upserted, calendar.deleted, calendar.unchanged),
            (1, 1, 1),
            "{kind:?}: {report:?}"
        );
        assert_eq!(w.titles().await, ["B", "C"], "{kind:?}");
        w.proxy.clear_hook();
        let after = w.sync(id).await;
        assert!(!after.calendars[0].full, "back to deltas: {after:?}");
    }
}

#[tokio::test]
async fn a_wrong_password_needs_sign_in_once_keeps_the_events_and_reconnect_fixes_it() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        let id = w.connect().await;
        let account = w.engine.account(id).await.unwrap();
        // The password was changed on the server (here: the saved one no longer matches).
        let key = secret_key(&account.external_id);
        let secrets = &w.engine.config().secrets;
        let saved = secrets.get(&key).await.unwrap().unwrap();
        let wrong = saved
            .expose()
            .replace(&format!("\"{PASSWORD}\""), "\"not-the-password\"");
        secrets.set(&key, &Sensitive::new(wrong)).await.unwrap();

        let before = w.proxy.count();
        let report = w.sync(id).await;
        assert!(report.needs_reauth, "{kind:?}: {report:?}");
        assert_eq!(w.proxy.count() - before, 1, "a 401 is never retried");
        let error = report.error.clone().unwrap_or_default();
        assert!(error.contains("wrong user name or password"), "{error}");
        assert!(!error.contains("not-the-password"), "{error}");
        let account = w.engine.account(id).await.unwrap();
        assert!(account.needs_reauth);
        assert_eq!(w.titles().await, ["A"], "{kind:?}");

        // Connecting with the wrong password adds nothing and says why.
        let refused = w
            .engine
            .connect_caldav(w.sign_in("still-wrong"), Utc::now())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "wrong_password", "{refused}");
        assert_eq!(w.engine.accounts().await.unwrap().len(), 1);

        // Reconnect: the same account, signed in again.
        assert_eq!(w.connect().await, id);
        assert!(!w.engine.account(id).await.unwrap().needs_reauth);
        assert!(w.sync(id).await.ok());
    }
}

#[tokio::test]
async fn reconnect_asks_only_for_the_password_and_a_wrong_one_changes_nothing() {
    let w = World::new(Kind::Radicale).await;
    w.add("a", "A", 1).await;
    let id = w.connect().await;
    let account = w.engine.account(id).await.unwrap();
    let key = secret_key(&account.external_id);
    let secrets = &w.engine.config().secrets;
    let saved = secrets.get(&key).await.unwrap().unwrap();
    let wrong = saved
        .expose()
        .replace(&format!("\"{PASSWORD}\""), "\"not-the-password\"");
    secrets
        .set(&key, &Sensitive::new(wrong.clone()))
        .await
        .unwrap();
    assert!(w.sync(id).await.needs_reauth);

    let refused = w
        .engine
        .reconnect_caldav(id, Sensitive::new("still-wrong".into()), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "wrong_password", "{refused}");
    assert!(w.engine.account(id).await.unwrap().needs_reauth);
    assert_eq!(
        secrets.get(&key).await.unwrap().unwrap().expose(),
        &wrong,
        "a refused password is not saved"
    );
    assert_eq!(w.titles().await, ["A"]);

    let (again, report) = w
        .engine
        .reconnect_caldav(id, Sensitive::new(PASSWORD.into()), Utc::now())
        .await
        .unwrap();
    assert_eq!(again.id, id);
    assert!(report.ok(), "{report:?}");
    assert!(!again.needs_reauth);
    assert_eq!(w.engine.accounts().await.unwrap().len(), 1);

    // Only a CalDAV account can be reconnected with a password.
    let demo = w.engine.connect_demo(Utc::now()).await.unwrap();
    let not_dav = w
        .engine
        .reconnect_caldav(demo.id, Sensitive::new(PASSWORD.into()), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(not_dav.code(), "not_found", "{not_dav}");
}

#[tokio::test]
async fn a_calendar_added_and_removed_on_the_server_comes_and_goes() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        let id = w.connect().await;
        let work = w.calendar.join("../work/").unwrap();
        edit::mkcalendar(&work, "Work").await;
        put_event(&work, "w", "W", w.anchor).await;
        let report = w.sync(id).await;
        assert!(report.ok(), "{report:?}");
        let mut names: Vec<String> = w
            .engine
            .calendars()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Personal", "Work"], "{kind:?}");
        assert_eq!(w.titles().await, ["A", "W"]);

        edit::delete(&work).await;
        let report = w.sync(id).await;
        assert!(report.ok(), "{report:?}");
        let calendars = w.engine.calendars().await.unwrap();
        assert_eq!(calendars.len(), 1, "{kind:?}: {calendars:?}");
        assert_eq!(w.titles().await, ["A"]);
    }
}

#[tokio::test]
async fn a_series_with_overrides_in_one_resource_is_replaced_whole() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        let first = w.anchor + Span::hours(20);
        let series = |moved: &[i64]| {
            let mut blocks = vevent("s", "S", first, "RRULE:FREQ=DAILY;COUNT=5\r\n");
            for index in moved {
                let original = first + Span::days(*index);
                let rid = format!("RECURRENCE-ID:{}\r\n", edit::stamp(original));
                blocks.push_str(&vevent("s", "S moved", original + Span::hours(1), &rid));
            }
            vcalendar(&blocks)
        };
        put(&href(&w.calendar, "s"), &series(&[1, 3])).await;
        let id = w.connect().await;
        assert_eq!(
            w.titles().await,
            ["S", "S", "S", "S moved", "S moved"],
            "{kind:?}"
        );

        put(&href(&w.calendar, "s"), &series(&[3])).await;
        assert!(w.sync(id).await.ok());
        assert_eq!(
            w.titles().await,
            ["S", "S", "S", "S", "S moved"],
            "{kind:?}"
        );

        edit::delete(&href(&w.calendar, "s")).await;
        assert!(w.sync(id).await.ok());
        assert!(w.titles().await.is_empty(), "{kind:?}");
    }
}

/// Replaces the `BEGIN:VCALENDAR` of the resource holding `uid` in a multiget answer, so its
/// body is no longer iCalendar.
fn break_resource(body: Vec<u8>, uid: &str) -> Vec<u8> {
    let text = String::from_utf8(body).unwrap();
    let Some(at) = text.find(&format!("UID:{uid}")) else {
        return text.into_bytes();
    };
    let begin = text[..at].rfind("BEGIN:VCALENDAR").unwrap();
    let mut broken = text;
    broken.replace_range(begin..begin + "BEGIN:VCALENDAR".len(), "<html>Oops</html>");
    broken.into_bytes()
}

/// The body of a sync-collection request from a saved token, with a token the server never
/// issued instead (it then answers valid-sync-token); None for any other request.
fn made_up_token(seen: &Seen) -> Option<String> {
    let start = seen.body.find("<D:sync-token>")? + "<D:sync-token>".len();
    let end = seen.body.find("</D:sync-token>")?;
    let token = &seen.body[start..end];
    (seen.is_sync_collection() && !token.is_empty()).then(|| {
        seen.body
            .replace(token, "http://example.com/ns/sync/made-up")
    })
}

#[tokio::test]
async fn a_resource_that_is_not_icalendar_is_skipped_and_the_rest_kept() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        w.add("broken", "Broken", 2).await;
        w.add("c", "C", 3).await;
        w.proxy.set_hook(|seen| {
            if seen.is_multiget() {
                Action::Rewrite(Box::new(|body| break_resource(body, "broken")))
            } else {
                Action::Forward
            }
        });
        let id = w.connect().await;
        assert_eq!(w.titles().await, ["A", "C"], "{kind:?}");

        // Once the server sends it whole again (it changed), it is read.
        w.proxy.clear_hook();
        w.add("broken", "Mended", 2).await;
        assert!(w.sync(id).await.ok());
        assert_eq!(w.titles().await, ["A", "C", "Mended"], "{kind:?}");

        // Broken again while the calendar is listed in full (the sync token refused): what was
        // read of it before stays.
        w.add("broken", "Mended again", 2).await;
        w.proxy.set_hook(|seen| {
            if seen.is_multiget() {
                Action::Rewrite(Box::new(|body| break_resource(body, "broken")))
            } else if let Some(body) = made_up_token(seen) {
                Action::ForwardBody(body)
            } else {
                Action::Forward
            }
        });
        let report = w.sync(id).await;
        assert!(report.ok(), "{kind:?}: {report:?}");
        assert!(report.calendars[0].full, "{kind:?}: {report:?}");
        assert_eq!(w.titles().await, ["A", "C", "Mended"], "{kind:?}");
    }
}

#[tokio::test]
async fn a_server_killed_mid_sync_leaves_the_previous_data() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        let id = w.connect().await;
        w.add("b", "B", 2).await;
        edit::delete(&href(&w.calendar, "a")).await;
        let server = w.server.clone();
        // The server dies after listing the changes, while the bodies are fetched.
        w.proxy.set_hook(move |seen| {
            if seen.is_multiget() {
                server.kill();
            }
            Action::Forward
        });
        let report = w.sync(id).await;
        assert!(!report.ok(), "{kind:?}: {report:?}");
        assert!(report.calendars[0].error.is_some(), "{report:?}");
        assert_eq!(w.titles().await, ["A"], "{kind:?}");
        let calendar = &w.engine.calendars().await.unwrap()[0];
        assert!(calendar.last_error.is_some());
    }
}

#[tokio::test]
async fn without_sync_collection_the_ctag_and_etags_fetch_only_what_changed() {
    for kind in Kind::ALL {
        let w = World::new(kind).await;
        w.add("a", "A", 1).await;
        w.add("b", "B", 2).await;
        w.add("c", "C", 3).await;
        // A server without RFC 6578: the report is refused.
        w.proxy.set_hook(|seen| {
            if seen.is_sync_collection() {
                Action::Respond(403)
            } else {
                Action::Forward
            }
        });
        let id = w.connect().await;
        assert_eq!(w.titles().await, ["A", "B", "C"], "{kind:?}");

        let before = w.proxy.count();
        let report = w.sync(id).await;
        assert!(report.ok(), "{report:?}");
        // The calendar listing and the ctag.
        assert_eq!(
            w.proxy.count() - before,
            2,
            "{kind:?}: {:?}",
            w.proxy.seen()
        );

        w.add("a", "A changed", 1).await;
        edit::delete(&href(&w.calendar, "b")).await;
        w.add("d", "D", 4).await;
        let before = w.proxy.count();
        let report = w.sync(id).await;
        assert!(report.ok(), "{report:?}");
        assert!(!report.calendars[0].full, "{report:?}");
        assert_eq!(report.calendars[0].deleted, 1, "{report:?}");
        let seen = w.proxy.seen().split_off(before);
        let multigets: Vec<usize> = seen
            .iter()
            .filter(|s| s.is_multiget())
            .map(|s| s.hrefs())
            .collect();
        assert_eq!(multigets, [2], "only the changed and the new: {seen:?}");
        assert_eq!(w.titles().await, ["A changed", "C", "D"], "{kind:?}");
    }
}

#[tokio::test]
async fn bodies_are_fetched_in_batches() {
    let server = start(Kind::Radicale);
    let proxy = Proxy::start(server.addr()).await;
    let calendar = Url::parse(&server.calendar("Personal").href).unwrap();
    let at = Utc::now() + Span::hours(1);
    for i in 0..5 {
        put_event(&calendar, &format!("e{i}"), &format!("E{i}"), at).await;
    }
    let found = calbuddy_engine::provider::caldav::discovery::discover(
        &DavClient::new(credentials(), retry()),
        &proxy.url,
    )
    .await
    .unwrap();
    let locator = Locator {
        start: Url::parse(&proxy.url).unwrap(),
        homes: found.homes,
    };
    let provider = CalDavProvider::new(credentials(), locator, retry()).with_batch(2);
    let store = Store::open_in_memory().await.unwrap();
    let (account, _) = store
        .upsert_account("caldav", "alice@127.0.0.1", "alice", Utc::now())
        .await
        .unwrap();
    let options = SyncOptions {
        days_back: 30,
        days_ahead: 90,
        deadline: Duration::from_secs(60),
    };
    let report = sync_account(&store, &provider, account, options, Utc::now(), &|_| {})
        .await
        .unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(store.event_count().await.unwrap(), 5);
    let batches: Vec<usize> = proxy
        .seen()
        .iter()
        .filter(|s| s.is_multiget())
        .map(|s| s.hrefs())
        .collect();
    assert_eq!(batches, [2, 2, 1]);
}

/// A canned server answering sync-collection reports from `answers` (token → body).
async fn canned(answers: Vec<(&'static str, String)>) -> Url {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = Url::parse(&format!("http://{}/cal/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answers = answers.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !String::from_utf8_lossy(&request).contains("</D:sync-collection>") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let body = answers
                    .iter()
                    .find(|(token, _)| {
                        request.contains(&format!("<D:sync-token>{token}</D:sync-token>"))
                            || (token.is_empty() && request.contains("<D:sync-token/>"))
                    })
                    .map(|(_, body)| body.clone())
                    .unwrap_or_default();
                let answer = format!(
                    "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

fn multistatus(members: &[&str], truncated: bool, token: &str) -> String {
    let members: String = members
        .iter()
        .map(|m| {
            format!(
                "<D:response><D:href>/cal/{m}</D:href><D:propstat><D:prop>\
                 <D:getetag>\"{m}\"</D:getetag></D:prop>\
                 <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
            )
        })
        .collect();
    let truncation = if truncated {
        "<D:response><D:href>/cal/</D:href>\
         <D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>"
    } else {
        ""
    };
    format!(
        "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\">{members}{truncation}\
         <D:sync-token>{token}</D:sync-token></D:multistatus>"
    )
}

#[tokio::test]
async fn a_truncated_listing_is_followed_up_and_a_runaway_one_stops() {
    let calendar = canned(vec![
        ("", multistatus(&["a.ics"], true, "t1")),
        ("t1", multistatus(&["b.ics"], true, "t2")),
        ("t2", multistatus(&["c.ics"], false, "t3")),
    ])
    .await;
    let client = DavClient::new(credentials(), retry());
    let listing = match sync_collection::list(&client, &calendar, None).await {
        Ok(listing) => listing,
        Err(e) => panic!("{e:?}"),
    };
    let ids: Vec<&str> = listing.present.keys().map(String::as_str).collect();
    assert_eq!(ids, ["/cal/a.ics", "/cal/b.ics", "/cal/c.ics"]);
    assert_eq!(listing.token.as_deref(), Some("t3"));

    // Truncated for ever with the same token: stopped, not looped.
    let stuck = canned(vec![
        ("", multistatus(&["a.ics"], true, "t1")),
        ("t1", multistatus(&["a.ics"], true, "t1")),
    ])
    .await;
    match sync_collection::list(&client, &stuck, None).await {
        // Stopped at the second answer, which repeated the token.
        Err(SyncCollectionError::Provider(ProviderError::EndlessListing { pages: 2, .. })) => {}
        other => panic!("{other:?}"),
    }
}
