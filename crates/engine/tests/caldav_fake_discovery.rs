//! CalDAV discovery and the sync request bodies against the fake CalDAV server
//! (`tests/fake-caldav`), for what Radicale and Xandikos cannot show: iCloud's partition host
//! (over https, the client resolving `*.icloud.test` to the fake), Digest-only login, a server
//! without sync-collection, and 507 truncation of sync results.

use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::caldav::discovery::discover;
use calbuddy_engine::provider::caldav::error::DavError;
use calbuddy_engine::provider::caldav::multistatus::{self, Multistatus};
use calbuddy_engine::provider::caldav::transport::{
    self, Credentials, DavClient, Depth, LocalNetwork,
};
use calbuddy_engine::provider::caldav::xml;
use calbuddy_engine::secrets::Sensitive;
use fake_caldav::{
    AuthScheme, AuthSeen, CalendarSpec, DigestAlgorithm, FakeCalDav, Icloud, Options, PASSWORD,
    USER,
};
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

fn credentials(password: &str) -> Credentials {
    Credentials {
        username: USER.to_owned(),
        password: Sensitive::new(password.to_owned()),
    }
}

/// A client that reaches the fake's host names and trusts its certificate.
fn client_for(fake: &FakeCalDav, password: &str) -> DavClient {
    let network = LocalNetwork {
        resolve: fake.resolve(),
        root_certificates: vec![reqwest::Certificate::from_pem(
            fake_caldav::CERTIFICATE_PEM.as_bytes(),
        )
        .unwrap()],
    };
    DavClient::on_network(credentials(password), policy(), &network).unwrap()
}

fn event(uid: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn with_calendars(fake: &FakeCalDav) {
    fake.add_calendar(
        "home",
        CalendarSpec {
            display_name: "Home".into(),
            color: Some("#FF2968FF".into()),
            components: vec!["VEVENT".into(), "VTODO".into()],
        },
    );
    fake.add_calendar(
        "reminders",
        CalendarSpec {
            display_name: "Reminders".into(),
            color: None,
            components: vec!["VTODO".into()],
        },
    );
}

#[tokio::test]
async fn icloud_calendars_are_found_on_the_partition_host() {
    let fake = FakeCalDav::start(Options {
        icloud: Some(Icloud::over_https()),
        ..Options::default()
    })
    .await;
    with_calendars(&fake);

    // What a user types: the bare host.
    let found = discover(&client_for(&fake, PASSWORD), "caldav.icloud.test")
        .await
        .unwrap();
    assert_eq!(
        found.principal.as_ref().map(Url::as_str),
        Some("https://caldav.icloud.test/1234567890/principal/")
    );
    assert_eq!(found.calendars.len(), 1, "the task list is skipped");
    let home = &found.calendars[0];
    assert_eq!(
        home.href.as_str(),
        "https://p07-caldav.icloud.test/1234567890/calendars/home/"
    );
    assert_eq!(home.href.as_str(), fake.calendar_url("home"));
    assert_eq!(home.display_name, "Home");
    assert_eq!(home.color.as_deref(), Some("#FF2968"));
    assert!(home.ctag.is_some() && home.sync_token.is_some());
    assert!(!home.read_only);

    // The entry host answered the principal; only the partition host listed calendars.
    let requests = fake.requests();
    let hosts: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.host.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("caldav.icloud.test", "/.well-known/caldav"),
            ("caldav.icloud.test", "/"),
            ("caldav.icloud.test", "/1234567890/principal/"),
            ("p07-caldav.icloud.test", "/1234567890/calendars/"),
        ]
    );
    assert!(requests.iter().all(|r| r.status != 401));
}

#[tokio::test]
async fn the_password_goes_to_no_partition_host_discovery_does_not_trust() {
    // Over plain http, and over https under another parent domain, the home set is refused
    // before anything is sent there.
    for icloud in [
        Icloud {
            entry_host: "127.0.0.1".into(),
            partition_host: "localhost".into(),
            tls: false,
        },
        Icloud {
            partition_host: "p07-caldav.elsewhere.test".into(),
            ..Icloud::over_https()
        },
    ] {
        let partition = icloud.partition_host.clone();
        let fake = FakeCalDav::start(Options {
            icloud: Some(icloud),
            ..Options::default()
        })
        .await;
        with_calendars(&fake);
        let err = discover(&client_for(&fake, PASSWORD), &fake.url())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, DavError::OtherSite { host } if *host == partition),
            "{err:?}"
        );
        let requests = fake.requests();
        assert!(!requests.is_empty());
        assert!(
            requests.iter().all(|r| !r.host.starts_with(&partition)),
            "{requests:?}"
        );
    }
}

fn digest_fake_options(algorithms: Vec<DigestAlgorithm>) -> Options {
    Options {
        auth: AuthScheme::Digest(algorithms),
        ..Options::default()
    }
}

/// The Digest answers in the log: (algorithm, nonce, nc).
fn digests(fake: &FakeCalDav) -> Vec<(String, String, u32)> {
    fake.requests()
        .into_iter()
        .filter_map(|r| match r.auth {
            Some(AuthSeen::Digest {
                algorithm,
                nonce,
                nc,
                ..
            }) => Some((algorithm, nonce, nc)),
            _ => None,
        })
        .collect()
}

fn refusals(fake: &FakeCalDav) -> usize {
    fake.requests().iter().filter(|r| r.status == 401).count()
}

#[tokio::test]
async fn digest_only_login_works_and_later_requests_answer_at_once() {
    for (offered, expected) in [
        (
            vec![DigestAlgorithm::Sha256, DigestAlgorithm::Md5],
            "SHA-256",
        ),
        (vec![DigestAlgorithm::Md5], "MD5"),
    ] {
        let fake = FakeCalDav::start(digest_fake_options(offered)).await;
        with_calendars(&fake);
        let client = DavClient::new(credentials(PASSWORD), policy());
        let found = discover(&client, &fake.url()).await.unwrap();
        assert_eq!(found.calendars.len(), 1);
        assert_eq!(found.calendars[0].href.as_str(), fake.calendar_url("home"));

        // One 401 (the first authenticated request), then Digest at once, counting up.
        assert_eq!(refusals(&fake), 1, "{:?}", fake.requests());
        let answers = digests(&fake);
        assert_eq!(answers.len(), 3, "/, principal, home: {answers:?}");
        assert!(answers
            .iter()
            .all(|(a, n, _)| a == expected && *n == answers[0].1));
        let counts: Vec<u32> = answers.iter().map(|(_, _, nc)| *nc).collect();
        assert_eq!(counts, [1, 2, 3]);

        // A clone of the client shares the challenge: Digest from the first request (the
        // well-known one included), no 401.
        fake.clear_requests();
        discover(&client.clone(), &fake.url()).await.unwrap();
        assert_eq!(refusals(&fake), 0);
        let counts: Vec<u32> = digests(&fake).iter().map(|(_, _, nc)| *nc).collect();
        assert_eq!(counts, [4, 5, 6, 7]);
    }
}

#[tokio::test]
async fn a_stale_nonce_is_renewed_once_without_asking_for_the_password() {
    let fake = FakeCalDav::start(digest_fake_options(vec![DigestAlgorithm::Sha256])).await;
    with_calendars(&fake);
    let client = DavClient::new(credentials(PASSWORD), policy());
    discover(&client, &fake.url()).await.unwrap();
    let first_nonce = digests(&fake)[0].1.clone();

    fake.expire_nonces();
    fake.clear_requests();
    discover(&client, &fake.url()).await.unwrap();
    assert_eq!(refusals(&fake), 1, "{:?}", fake.requests());
    // The old nonce went to the well-known redirect (which needs no login) and to `/`, which
    // answered stale=true; the new nonce counts from 1.
    let answers = digests(&fake);
    assert_eq!(answers[0].1, first_nonce);
    assert_eq!(answers[1].1, first_nonce);
    let renewed: Vec<u32> = answers[2..]
        .iter()
        .inspect(|(_, n, _)| assert_ne!(*n, first_nonce))
        .map(|(_, _, nc)| *nc)
        .collect();
    assert_eq!(renewed, [1, 2, 3]);
    assert!(fake
        .requests()
        .iter()
        .all(|r| !matches!(r.auth, Some(AuthSeen::Basic { .. }))));
}

#[tokio::test]
async fn a_wrong_digest_password_is_the_typed_error_after_one_answer() {
    let fake = FakeCalDav::start(digest_fake_options(vec![DigestAlgorithm::Md5])).await;
    with_calendars(&fake);
    let err = discover(
        &DavClient::new(credentials("not-the-password"), policy()),
        &fake.url(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DavError::Unauthorized), "{err:?}");
    assert!(err.is_auth() && !err.is_transient());
    assert_eq!(err.to_string(), "wrong user name or password");
    assert!(!format!("{err:?}").contains("not-the-password"));
    // The well-known redirect, the first try (Basic), one Digest answer: then it stops.
    let requests = fake.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(refusals(&fake), 2);
    assert_eq!(digests(&fake).len(), 1);
}

#[tokio::test]
async fn a_revoked_password_under_a_remembered_challenge_is_not_tried_again() {
    let fake = FakeCalDav::start(digest_fake_options(vec![DigestAlgorithm::Sha256])).await;
    with_calendars(&fake);
    let client = DavClient::new(credentials(PASSWORD), policy());
    discover(&client, &fake.url()).await.unwrap();

    fake.set_password("revoked");
    fake.clear_requests();
    let err = discover(&client, &fake.url()).await.unwrap_err();
    assert!(matches!(err, DavError::Unauthorized), "{err:?}");
    // The well-known redirect and one refused request: a 401 without stale=true after a
    // Digest answer means the password is wrong (RFC 7616 §3.3), so nothing is retried.
    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(refusals(&fake), 1);
}

/// Sends a REPORT or PROPFIND to `url` and parses the 207.
async fn dav(
    client: &DavClient,
    method: reqwest::Method,
    url: &Url,
    depth: Depth,
    body: &str,
) -> (u16, Vec<u8>) {
    let reply = client.send(method, url, depth, body, true).await.unwrap();
    (reply.status, reply.body)
}

fn parsed(body: &[u8], url: &Url) -> Multistatus {
    multistatus::parse(body, url).unwrap()
}

#[tokio::test]
async fn a_server_without_sync_collection_answers_ctag_etags_and_multiget() {
    let fake = FakeCalDav::start(Options {
        sync_collection: false,
        ..Options::default()
    })
    .await;
    with_calendars(&fake);
    for n in 1..=3 {
        fake.put_event(
            "home",
            &format!("e{n}.ics"),
            &event(&format!("e{n}"), "Event"),
        );
    }
    let client = DavClient::new(credentials(PASSWORD), policy());
    let found = discover(&client, &fake.url()).await.unwrap();
    let home = &found.calendars[0];
    assert_eq!(home.sync_token, None, "no sync-token property");
    let ctag = home.ctag.clone().expect("a ctag");
    let url = home.href.clone();

    // sync-collection is refused as an unsupported report.
    let (status, body) = dav(
        &client,
        transport::report(),
        &url,
        Depth::Zero,
        &xml::sync_collection(None),
    )
    .await;
    assert_eq!(status, 403);
    let conditions = multistatus::error_conditions(&body);
    assert_eq!(
        conditions,
        [("DAV:".to_owned(), "supported-report".to_owned())]
    );

    // The etag listing: the collection itself and its three members.
    let (status, body) = dav(
        &client,
        transport::propfind(),
        &url,
        Depth::One,
        &xml::propfind_etags(),
    )
    .await;
    assert_eq!(status, 207);
    let listing = parsed(&body, &url);
    let members: Vec<_> = listing
        .responses
        .iter()
        .filter(|r| !multistatus::same_resource(&r.href, &url))
        .collect();
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| m.props.etag.is_some()));

    // A multiget of two members and one that is gone.
    let e1 = fake.object_url("home", "e1.ics");
    let e3 = fake.object_url("home", "e3.ics");
    let gone = fake.object_url("home", "gone.ics");
    let hrefs = [
        Url::parse(&e1).unwrap().path().to_owned(),
        e3.clone(),
        Url::parse(&gone).unwrap().path().to_owned(),
    ];
    let (status, body) = dav(
        &client,
        transport::report(),
        &url,
        Depth::One,
        &xml::calendar_multiget(hrefs.iter().map(String::as_str)),
    )
    .await;
    assert_eq!(status, 207);
    let got = parsed(&body, &url);
    assert_eq!(got.responses.len(), 3);
    let data = |href: &str| {
        got.response_for(&Url::parse(href).unwrap())
            .and_then(|r| r.props.calendar_data.clone())
    };
    assert!(data(&e1).unwrap().contains("UID:e1"));
    assert!(data(&e3).unwrap().contains("UID:e3"));
    let missing = got.response_for(&Url::parse(&gone).unwrap()).unwrap();
    assert_eq!(missing.status, Some(404));

    // A change moves the ctag and that member's etag only.
    let before = fake.event("home", "e2.ics").unwrap().1;
    fake.put_event("home", "e2.ics", &event("e2", "Moved"));
    let again = discover(&client, &fake.url()).await.unwrap();
    assert_ne!(again.calendars[0].ctag.as_deref(), Some(ctag.as_str()));
    assert_ne!(fake.event("home", "e2.ics").unwrap().1, before);
}

#[tokio::test]
async fn a_truncated_sync_collection_continues_from_its_token() {
    let fake = FakeCalDav::start(Options {
        sync_limit: Some(2),
        ..Options::default()
    })
    .await;
    with_calendars(&fake);
    for n in 1..=5 {
        fake.put_event(
            "home",
            &format!("e{n}.ics"),
            &event(&format!("e{n}"), "Event"),
        );
    }
    let client = DavClient::new(credentials(PASSWORD), policy());
    let url = Url::parse(&fake.calendar_url("home")).unwrap();

    // Pages of at most two, each with a 507 for the collection, until the last.
    let mut token: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    for _ in 0..10 {
        let (status, body) = dav(
            &client,
            transport::report(),
            &url,
            Depth::Zero,
            &xml::sync_collection(token.as_deref()),
        )
        .await;
        assert_eq!(status, 207);
        let page = parsed(&body, &url);
        pages.push((page.responses.len(), page.truncated));
        seen.extend(page.responses.iter().map(|r| r.href.to_string()));
        token = page.sync_token.clone();
        assert!(token.is_some());
        if !page.truncated {
            break;
        }
    }
    assert_eq!(pages, [(2, true), (2, true), (1, false)]);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);

    // Later changes: one new, one removed (a 404 response).
    fake.delete_event("home", "e1.ics");
    fake.put_event("home", "e6.ics", &event("e6", "New"));
    let (_, body) = dav(
        &client,
        transport::report(),
        &url,
        Depth::Zero,
        &xml::sync_collection(token.as_deref()),
    )
    .await;
    let changes = parsed(&body, &url);
    assert!(!changes.truncated);
    let statuses: Vec<(String, Option<u16>)> = changes
        .responses
        .iter()
        .map(|r| {
            (
                r.href.path().rsplit('/').next().unwrap().to_owned(),
                r.status,
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("e1.ics".to_owned(), Some(404)),
            ("e6.ics".to_owned(), None)
        ]
    );

    // A token the server no longer knows: 403 valid-sync-token.
    fake.expire_sync_tokens();
    let (status, body) = dav(
        &client,
        transport::report(),
        &url,
        Depth::Zero,
        &xml::sync_collection(changes.sync_token.as_deref()),
    )
    .await;
    assert_eq!(status, 403);
    assert!(multistatus::names_invalid_sync_token(&body));

    // RFC 6578 §3.2 defines the report for Depth 0 only; other depths are a 400 (Radicale and
    // Xandikos let Depth 1 pass, other servers do not).
    let (status, _) = dav(
        &client,
        transport::report(),
        &url,
        Depth::One,
        &xml::sync_collection(None),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn events_are_edited_with_conditional_put_and_delete() {
    let fake = FakeCalDav::start(Options::default()).await;
    with_calendars(&fake);
    let http = reqwest::Client::new();
    let url = fake.object_url("home", "new.ics");
    let put = |body: String, header: (&'static str, String)| {
        http.put(&url)
            .basic_auth(USER, Some(PASSWORD))
            .header(header.0, header.1)
            .body(body)
            .send()
    };
    let created = put(event("new", "One"), ("If-None-Match", "*".into()))
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let again = put(event("new", "One"), ("If-None-Match", "*".into()))
        .await
        .unwrap();
    assert_eq!(again.status(), 412, "the name exists");
    let stale = put(event("new", "Two"), ("If-Match", "\"nope\"".into()))
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let updated = put(event("new", "Two"), ("If-Match", etag.clone()))
        .await
        .unwrap();
    assert_eq!(updated.status(), 204);
    assert!(fake
        .event("home", "new.ics")
        .unwrap()
        .0
        .contains("SUMMARY:Two"));
    let not_ical = put("<html/>".into(), ("If-Match", "*".into()))
        .await
        .unwrap();
    assert_eq!(not_ical.status(), 403);

    let deleted = http
        .delete(&url)
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(fake.resources("home").is_empty());
    let wrong = http
        .delete(&url)
        .basic_auth(USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}
