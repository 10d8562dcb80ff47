//! The sync request bodies (`provider::caldav::xml`) and the multistatus reader against real
//! Radicale and Xandikos servers: sync-collection from nothing and from a token, an invalid
//! token, calendar-multiget with a missing member, and the Depth 1 etag listing.

mod caldav_support;

use std::time::Duration;

use calbuddy_engine::http::RetryPolicy;
use calbuddy_engine::provider::caldav::multistatus::{self, names_invalid_sync_token};
use calbuddy_engine::provider::caldav::transport::{self, Credentials, DavClient, Depth};
use calbuddy_engine::provider::caldav::xml;
use calbuddy_engine::secrets::Sensitive;
use caldav_support::{start, Kind, PASSWORD, USER};
use url::Url;

fn client() -> DavClient {
    DavClient::new(
        Credentials {
            username: USER.to_owned(),
            password: Sensitive::new(PASSWORD.to_owned()),
        },
        RetryPolicy {
            retries: 1,
            min_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
    )
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calbuddy tests//EN\r\n\
BEGIN:VEVENT\r\nUID:stand-up@example.com\r\nDTSTAMP:20261201T000000Z\r\n\
DTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nSUMMARY:Stand-up & review\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

/// Creates a resource with a name that needs percent-encoding.
async fn put_event(calendar: &Url) -> Url {
    let href = calendar.join("stand%20up@example.com.ics").unwrap();
    let status = reqwest::Client::new()
        .put(href.clone())
        .basic_auth(USER, Some(PASSWORD))
        .header("Content-Type", "text/calendar; charset=utf-8")
        .body(EVENT)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 201);
    multistatus::canonical(href)
}

#[tokio::test]
async fn sync_collection_from_nothing_from_a_token_and_from_a_bad_token() {
    for kind in Kind::ALL {
        let server = start(kind);
        let calendar = Url::parse(&server.calendar("Personal").href).unwrap();
        let href = put_event(&calendar).await;
        let dav = client();

        let first = dav
            .send(
                transport::report(),
                &calendar,
                Depth::One,
                &xml::sync_collection(None),
                true,
            )
            .await
            .unwrap();
        assert_eq!(first.status, 207, "{kind:?}");
        let first = multistatus::parse(&first.body, &calendar).unwrap();
        let token = first.sync_token.clone().expect("a sync token");
        let members: Vec<_> = first
            .responses
            .iter()
            .filter(|r| r.status != Some(404))
            .collect();
        assert_eq!(members.len(), 1, "{kind:?}: {first:?}");
        assert_eq!(members[0].href, href, "{kind:?}");
        assert!(members[0].props.etag.is_some());

        // Nothing changed: no member, the same token.
        let again = dav
            .send(
                transport::report(),
                &calendar,
                Depth::One,
                &xml::sync_collection(Some(&token)),
                true,
            )
            .await
            .unwrap();
        let again = multistatus::parse(&again.body, &calendar).unwrap();
        assert!(again.responses.is_empty(), "{kind:?}: {again:?}");
        assert_eq!(again.sync_token.as_deref(), Some(token.as_str()));

        // A token the server never gave: Radicale 403, Xandikos 412, both valid-sync-token.
        let bad = dav
            .send(
                transport::report(),
                &calendar,
                Depth::One,
                &xml::sync_collection(Some("http://example.com/ns/sync/nope")),
                true,
            )
            .await
            .unwrap();
        assert!(
            matches!(bad.status, 403 | 409 | 412),
            "{kind:?}: {}",
            bad.status
        );
        assert!(names_invalid_sync_token(&bad.body), "{kind:?}");
    }
}

#[tokio::test]
async fn multiget_returns_the_data_and_a_404_for_a_missing_member() {
    for kind in Kind::ALL {
        let server = start(kind);
        let calendar = Url::parse(&server.calendar("Personal").href).unwrap();
        let href = put_event(&calendar).await;
        let missing = calendar.join("missing.ics").unwrap();
        let answer = client()
            .send(
                transport::report(),
                &calendar,
                Depth::One,
                &xml::calendar_multiget([href.path(), missing.path()]),
                true,
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 207, "{kind:?}");
        let answer = multistatus::parse(&answer.body, &calendar).unwrap();
        let found = answer.response_for(&href).expect("the event");
        let data = found.props.calendar_data.as_deref().unwrap();
        assert!(
            data.contains("SUMMARY:Stand-up & review"),
            "{kind:?}: {data}"
        );
        assert!(found.props.etag.is_some());
        assert_eq!(answer.response_for(&missing).unwrap().status, Some(404));
    }
}

#[tokio::test]
async fn the_etag_listing_names_every_member() {
    for kind in Kind::ALL {
        let server = start(kind);
        let calendar = Url::parse(&server.calendar("Personal").href).unwrap();
        let href = put_event(&calendar).await;
        let answer = client()
            .send(
                transport::propfind(),
                &calendar,
                Depth::One,
                &xml::propfind_etags(),
                true,
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 207, "{kind:?}");
        let answer = multistatus::parse(&answer.body, &calendar).unwrap();
        let member = answer.response_for(&href).expect("the event");
        assert!(member.props.etag.as_deref().unwrap().starts_with('"'));
        assert!(!member.props.resource_type.unwrap_or_default().collection);
    }
}
