//! Editing a real server's calendars from a test the way curl would: plain HTTP PUT, DELETE
//! and MKCALENDAR with Basic auth, straight to the server (not through a test's proxy, so
//! they are not counted as the engine's requests).

use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::{PASSWORD, USER};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// An iCalendar timestamp in UTC.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VEVENT block of one hour from `start`, with `extra` lines (RRULE, RECURRENCE-ID).
pub fn vevent(uid: &str, title: &str, start: DateTime<Utc>, extra: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{}\r\n{extra}DTSTART:{}\r\nDTEND:{}\r\n\
         SUMMARY:{title}\r\nEND:VEVENT\r\n",
        stamp(Utc::now()),
        stamp(start),
        stamp(start + Duration::hours(1))
    )
}

/// A VCALENDAR around `blocks`.
pub fn vcalendar(blocks: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calbuddy tests//EN\r\n{blocks}END:VCALENDAR\r\n"
    )
}

/// The resource `name.ics` in `calendar`.
pub fn href(calendar: &Url, name: &str) -> Url {
    calendar.join(&format!("{name}.ics")).unwrap()
}

/// PUTs `body` at `href`, creating or replacing it.
pub async fn put(href: &Url, body: &str) {
    let status = client()
        .put(href.clone())
        .basic_auth(USER, Some(PASSWORD))
        .header("Content-Type", "text/calendar; charset=utf-8")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "PUT {href}: {status}");
}

/// PUTs a one-event resource `uid.ics` in `calendar`.
pub async fn put_event(calendar: &Url, uid: &str, title: &str, start: DateTime<Utc>) {
    put(
        &href(calendar, uid),
        &vcalendar(&vevent(uid, title, start, "")),
    )
    .await
}

pub async fn delete(href: &Url) {
    let status = client()
        .delete(href.clone())
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "DELETE {href}: {status}");
}

/// Creates an event calendar named `name` at `href` (a collection URL ending in `/`).
pub async fn mkcalendar(href: &Url, name: &str) {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>{name}</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#
    );
    let status = client()
        .request(
            reqwest::Method::from_bytes(b"MKCALENDAR").unwrap(),
            href.clone(),
        )
        .basic_auth(USER, Some(PASSWORD))
        .header("Content-Type", "application/xml; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 201, "MKCALENDAR {href}");
}
