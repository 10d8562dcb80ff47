//! Multistatus reading: answers captured from Radicale 3.9.0 and Xandikos 0.4.10 (`fixtures/`,
//! taken with curl from `tests/caldav/serve.py`), hand-written iCloud-like answers, and hostile
//! bodies through a property test.

use super::*;
use proptest::prelude::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

const RADICALE: &str = "http://127.0.0.1:5232/";
const XANDIKOS: &str = "http://127.0.0.1:8080/";

fn fixture(name: &str) -> &'static [u8] {
    match name {
        "radicale-principal" => include_bytes!("fixtures/radicale-principal.xml"),
        "radicale-home-set" => include_bytes!("fixtures/radicale-home-set.xml"),
        "radicale-calendars" => include_bytes!("fixtures/radicale-calendars.xml"),
        "radicale-sync-initial" => include_bytes!("fixtures/radicale-sync-initial.xml"),
        "radicale-multiget" => include_bytes!("fixtures/radicale-multiget.xml"),
        "radicale-bad-token" => include_bytes!("fixtures/radicale-bad-token.xml"),
        "xandikos-principal" => include_bytes!("fixtures/xandikos-principal.xml"),
        "xandikos-home-set" => include_bytes!("fixtures/xandikos-home-set.xml"),
        "xandikos-calendars" => include_bytes!("fixtures/xandikos-calendars.xml"),
        "xandikos-sync-initial" => include_bytes!("fixtures/xandikos-sync-initial.xml"),
        "xandikos-multiget" => include_bytes!("fixtures/xandikos-multiget.xml"),
        "xandikos-bad-token" => include_bytes!("fixtures/xandikos-bad-token.xml"),
        other => panic!("no fixture {other}"),
    }
}

#[test]
fn principal_and_home_set_from_both_servers() {
    for (server, base, home) in [
        ("radicale", RADICALE, "/alice/"),
        ("xandikos", XANDIKOS, "/alice/calendars/"),
    ] {
        let ms = parse(fixture(&format!("{server}-principal")), &url(base)).unwrap();
        let root = ms.response_for(&url(base)).expect(server);
        assert_eq!(
            root.props.current_user_principal,
            Some(url(base).join("/alice/").unwrap()),
            "{server}"
        );
        let principal = url(base).join("/alice/").unwrap();
        let ms = parse(fixture(&format!("{server}-home-set")), &principal).unwrap();
        assert_eq!(
            ms.response_for(&principal).unwrap().props.calendar_home_set,
            vec![url(base).join(home).unwrap()],
            "{server}"
        );
    }
}

#[test]
fn calendar_collections_from_both_servers() {
    for (server, base, home) in [
        ("radicale", RADICALE, "/alice/"),
        ("xandikos", XANDIKOS, "/alice/calendars/"),
    ] {
        let home = url(base).join(home).unwrap();
        let ms = parse(fixture(&format!("{server}-calendars")), &home).unwrap();
        assert_eq!(ms.responses.len(), 3, "{server}");
        let me = ms.response_for(&home).unwrap();
        assert!(!me.props.resource_type.unwrap().calendar, "{server}");
        // The home's missing properties came in a 404 propstat: absent, not an error.
        assert_eq!(me.props.components, None, "{server}");
        assert_eq!(me.props.calendar_color, None, "{server}");

        let personal = ms.response_for(&home.join("personal/").unwrap()).unwrap();
        let p = &personal.props;
        assert_eq!(
            p.resource_type,
            Some(ResourceType {
                collection: true,
                calendar: true
            }),
            "{server}"
        );
        assert_eq!(p.display_name.as_deref(), Some("Personal"), "{server}");
        assert_eq!(p.calendar_color.as_deref(), Some("#3A87ADFF"), "{server}");
        assert_eq!(p.components, Some(vec!["VEVENT".to_owned()]), "{server}");
        assert!(p.ctag.is_some() && p.sync_token.is_some(), "{server}");
        assert!(
            p.privileges.as_ref().unwrap().contains(&"all".to_owned()),
            "{server}"
        );

        let tasks = ms.response_for(&home.join("tasks/").unwrap()).unwrap();
        assert_eq!(tasks.props.display_name.as_deref(), Some("Tasks"));
        assert_eq!(tasks.props.components, Some(vec!["VTODO".to_owned()]));
        assert_eq!(tasks.props.calendar_color, None, "{server}: a 404 propstat");
    }
}

#[test]
fn sync_collection_with_the_token_before_or_after_the_responses() {
    // Radicale sends the token first and encodes `@`; Xandikos sends it last and does not.
    for (server, base, token) in [
        (
            "radicale",
            RADICALE,
            "http://radicale.org/ns/sync/f84417c7635edf38035305aa8ccfb306a5f3f42f31706d65055ce94dbf21d096",
        ),
        (
            "xandikos",
            XANDIKOS,
            "fb71f86d8a406df8a6cadb0d57f3e01867139d06",
        ),
    ] {
        let ms = parse(fixture(&format!("{server}-sync-initial")), &url(base)).unwrap();
        assert_eq!(ms.sync_token.as_deref(), Some(token));
        assert_eq!(ms.responses.len(), 1);
        let r = &ms.responses[0];
        assert!(r.href.path().ends_with("/personal/a%20b@x.ics"), "{}", r.href);
        assert!(r.props.etag.as_deref().unwrap().starts_with('"'));
        assert!(!ms.truncated);
    }
}

#[test]
fn multiget_bodies_and_missing_members() {
    for (server, base) in [("radicale", RADICALE), ("xandikos", XANDIKOS)] {
        let ms = parse(fixture(&format!("{server}-multiget")), &url(base)).unwrap();
        let found = ms
            .responses
            .iter()
            .find(|r| r.href.path().ends_with("a%20b@x.ics"))
            .unwrap();
        let data = found.props.calendar_data.as_deref().unwrap();
        assert!(data.starts_with("BEGIN:VCALENDAR\n"), "{server}: {data}");
        assert!(data.contains("UID:a b@x"));
        let missing = ms
            .responses
            .iter()
            .find(|r| r.href.path().ends_with("missing.ics"))
            .unwrap();
        assert_eq!(missing.status, Some(404), "{server}");
        assert_eq!(missing.props, Props::default());
    }
}

#[test]
fn invalid_sync_token_errors_from_both_servers() {
    // Radicale answers 403, Xandikos 412; both name DAV:valid-sync-token.
    assert!(names_invalid_sync_token(fixture("radicale-bad-token")));
    assert!(names_invalid_sync_token(fixture("xandikos-bad-token")));
    assert_eq!(
        error_conditions(fixture("xandikos-bad-token")),
        vec![(DAV.to_owned(), "valid-sync-token".to_owned())]
    );
    assert!(!names_invalid_sync_token(
        br#"<error xmlns="DAV:"><need-privileges/></error>"#
    ));
    assert!(!names_invalid_sync_token(b"<html>valid-sync-token</html>"));
    assert!(!names_invalid_sync_token(fixture("radicale-principal")));
    // Only the DAV namespace counts.
    assert!(!names_invalid_sync_token(
        br#"<D:error xmlns:D="DAV:" xmlns:X="urn:x"><X:valid-sync-token/></D:error>"#
    ));
}

/// An iCloud-like home listing: full URLs on a partition host, Apple and CalendarServer
/// namespaces under unusual prefixes, a colour with alpha, a read-only shared calendar, and
/// the RFC 6578 507 element.
const ICLOUD_HOME: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<multistatus xmlns="DAV:">
 <response xmlns="DAV:">
  <href>https://p56-caldav.icloud.com:443/1234567890/calendars/</href>
  <propstat><prop><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat>
 </response>
 <response>
  <href>/1234567890/calendars/home/</href>
  <propstat>
   <prop>
    <displayname>Home &amp; Family</displayname>
    <calendar-color xmlns="http://apple.com/ns/ical/" symbolic-color="red">#FF2968FF</calendar-color>
    <getctag xmlns="http://calendarserver.org/ns/">HwoQEgwAAA</getctag>
    <resourcetype><collection/><calendar xmlns="urn:ietf:params:xml:ns:caldav"/></resourcetype>
    <A:supported-calendar-component-set xmlns:A="urn:ietf:params:xml:ns:caldav">
      <A:comp name="VEVENT"/>
    </A:supported-calendar-component-set>
    <current-user-privilege-set>
      <privilege><read/></privilege><privilege><write/></privilege>
    </current-user-privilege-set>
   </prop>
   <status>HTTP/1.1 200 OK</status>
  </propstat>
  <propstat><prop><sync-token/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
 </response>
 <response>
  <href>/1234567890/calendars/shared%20with%20me/</href>
  <propstat>
   <status>HTTP/1.1 200 OK</status>
   <prop>
    <displayname><![CDATA[Team <shared>]]></displayname>
    <resourcetype><collection/><calendar xmlns="urn:ietf:params:xml:ns:caldav"/></resourcetype>
    <current-user-privilege-set><privilege><read/></privilege></current-user-privilege-set>
   </prop>
  </propstat>
 </response>
</multistatus>"##;

#[test]
fn icloud_like_answers_on_a_partition_host() {
    let base = url("https://p56-caldav.icloud.com/1234567890/calendars/");
    let ms = parse(ICLOUD_HOME.as_bytes(), &base).unwrap();
    assert_eq!(ms.responses.len(), 3);
    // The explicit default port is dropped by canonical URL parsing, so it is the same URL.
    assert_eq!(ms.responses[0].href, base);
    let home = &ms.responses[1];
    assert_eq!(
        home.href.as_str(),
        "https://p56-caldav.icloud.com/1234567890/calendars/home/"
    );
    assert_eq!(home.props.display_name.as_deref(), Some("Home & Family"));
    assert_eq!(home.props.calendar_color.as_deref(), Some("#FF2968FF"));
    assert_eq!(home.props.ctag.as_deref(), Some("HwoQEgwAAA"));
    assert_eq!(home.props.components, Some(vec!["VEVENT".to_owned()]));
    assert_eq!(home.props.sync_token, None);
    assert_eq!(
        home.props.privileges,
        Some(vec!["read".to_owned(), "write".to_owned()])
    );
    let shared = &ms.responses[2];
    assert_eq!(
        shared.href.path(),
        "/1234567890/calendars/shared%20with%20me/"
    );
    assert_eq!(shared.props.display_name.as_deref(), Some("Team <shared>"));
    assert_eq!(shared.props.privileges, Some(vec!["read".to_owned()]));
    assert_eq!(shared.props.components, None, "missing means all");
}

#[test]
fn a_partition_host_in_the_home_set_is_kept() {
    let body = br#"<d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">
      <d:response><d:href>/1234567890/principal/</d:href><d:propstat><d:prop>
        <cal:calendar-home-set><d:href xmlns:d="DAV:">https://p56-caldav.icloud.com:443/1234567890/calendars/</d:href></cal:calendar-home-set>
      </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
    let ms = parse(
        body,
        &url("https://caldav.icloud.com/1234567890/principal/"),
    )
    .unwrap();
    assert_eq!(
        ms.responses[0].props.calendar_home_set,
        vec![url("https://p56-caldav.icloud.com/1234567890/calendars/")]
    );
}

#[test]
fn a_507_marks_a_truncated_sync_and_is_not_a_member() {
    let body = br#"<D:multistatus xmlns:D="DAV:">
      <D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop>
        <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
      <D:response><D:href>/cal/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
      <D:response><D:href>/cal/</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status>
        <D:error><D:number-of-matches-within-limits/></D:error></D:response>
      <D:sync-token>http://example.com/sync/10</D:sync-token>
    </D:multistatus>"#;
    let ms = parse(body, &url("https://dav.example.com/cal/")).unwrap();
    assert!(ms.truncated);
    assert_eq!(ms.sync_token.as_deref(), Some("http://example.com/sync/10"));
    assert_eq!(ms.responses.len(), 2);
    assert_eq!(ms.responses[1].status, Some(404));
}

#[test]
fn hrefs_resolve_and_compare_decoded() {
    let base = url("https://dav.example.com/cal/");
    assert_eq!(
        resolve_href(&base, "a%20b%40x.ics"),
        resolve_href(&base, "/cal/a%20b@x.ics")
    );
    assert_eq!(
        resolve_href(&base, " %7Ealice/ ").unwrap().as_str(),
        "https://dav.example.com/cal/~alice/"
    );
    // An encoded slash stays a part of its segment.
    assert_eq!(
        resolve_href(&base, "a%2Fb.ics").unwrap().path(),
        "/cal/a%2Fb.ics"
    );
    assert_eq!(resolve_href(&base, "mailto:alice@example.com"), None);
    assert_eq!(resolve_href(&base, "file:///etc/passwd"), None);
    assert!(same_resource(
        &url("https://dav.example.com/cal"),
        &url("https://dav.example.com/cal/")
    ));
}

#[test]
fn responses_without_a_usable_href_are_skipped_and_counted() {
    let body = br#"<multistatus xmlns="DAV:">
      <response><propstat><prop><getetag>"1"</getetag></prop></propstat></response>
      <response><href>javascript:alert(1)</href></response>
      <response><href>/ok.ics</href></response></multistatus>"#;
    let ms = parse(body, &url("https://dav.example.com/")).unwrap();
    assert_eq!(ms.skipped, 2);
    assert_eq!(ms.responses.len(), 1);
}

#[test]
fn unknown_elements_and_namespaces_are_ignored_by_uri_not_prefix() {
    // `C:` bound to the DAV namespace and `D:` to CalDAV: names count by URI.
    let body =
        br#"<C:multistatus xmlns:C="DAV:" xmlns:D="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:x">
      <C:response><C:href>/c/</C:href><X:extra><C:href>/wrong/</C:href></X:extra>
      <C:propstat><C:prop><X:displayname>not this</X:displayname><C:displayname>Work</C:displayname>
        <C:resourcetype><C:collection/><D:calendar/><X:calendar/></C:resourcetype></C:prop>
        <C:status>HTTP/1.1 200 OK</C:status></C:propstat></C:response></C:multistatus>"#;
    let ms = parse(body, &url("https://dav.example.com/")).unwrap();
    let r = &ms.responses[0];
    assert_eq!(r.href.path(), "/c/");
    assert_eq!(r.props.display_name.as_deref(), Some("Work"));
    assert!(r.props.resource_type.unwrap().calendar);
}

#[test]
fn malformed_bodies_are_errors() {
    let base = url("https://dav.example.com/");
    for (body, expected) in [
        (
            &b"<html><body>Login</body></html>"[..],
            XmlError::NotMultistatus,
        ),
        (b"", XmlError::NotMultistatus),
        (b"not xml at all", XmlError::NotMultistatus),
        (b"\xff\xfe<multistatus/>", XmlError::NotUtf8),
        (
            br#"<multistatus xmlns="DAV:"><response><href>/a"#,
            XmlError::Malformed("the answer ends in the middle".into()),
        ),
    ] {
        assert_eq!(parse(body, &base).unwrap_err(), expected);
    }
    assert!(matches!(
        parse(br#"<multistatus xmlns="DAV:"></response>"#, &base),
        Err(XmlError::Malformed(_))
    ));
    let deep = format!(
        r#"<multistatus xmlns="DAV:">{}"#,
        "<response>".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(parse(deep.as_bytes(), &base), Err(XmlError::TooDeep));
    let huge = vec![b' '; MAX_MULTISTATUS_BYTES + 1];
    assert_eq!(
        parse(&huge, &base),
        Err(XmlError::TooLarge(MAX_MULTISTATUS_BYTES))
    );
    // A BOM is fine.
    assert!(parse("\u{feff}<multistatus xmlns=\"DAV:\"/>".as_bytes(), &base).is_ok());
}

/// Pieces of real multistatus answers, shuffled and cut anywhere.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(
            r#"<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">"#.to_owned()
        ),
        Just("</D:multistatus>".to_owned()),
        Just("<D:response>".to_owned()),
        Just("</D:response>".to_owned()),
        Just("<D:propstat>".to_owned()),
        Just("</D:propstat>".to_owned()),
        Just("<D:prop>".to_owned()),
        Just("</D:prop>".to_owned()),
        Just("<D:status>HTTP/1.1 404 Not Found</D:status>".to_owned()),
        Just("<D:status>HTTP/1.1 507 x</D:status>".to_owned()),
        Just("<D:status>HTTP/1.1 99999999 x</D:status>".to_owned()),
        Just("<D:sync-token>t&amp;1&#x41;&#0;&bogus;</D:sync-token>".to_owned()),
        Just("<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/>".to_owned()),
        Just("</C:supported-calendar-component-set>".to_owned()),
        Just("<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>".to_owned()),
        Just("<C:calendar-home-set><D:href>//evil/</D:href></C:calendar-home-set>".to_owned()),
        Just("<![CDATA[BEGIN:VCALENDAR]]>".to_owned()),
        "<D:href>[ -~]{0,30}</D:href>",
        "[ -~]{0,20}",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn hostile_multistatus_never_panics(pieces in prop::collection::vec(piece(), 0..40), cut in any::<prop::sample::Index>()) {
        let body = pieces.concat();
        let base = url("https://dav.example.com/cal/");
        let _ = parse(body.as_bytes(), &base);
        let _ = error_conditions(body.as_bytes());
        let at = cut.index(body.len() + 1);
        let _ = parse(&body.as_bytes()[..at], &base);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let base = url("https://dav.example.com/");
        let _ = parse(&bytes, &base);
        let _ = names_invalid_sync_token(&bytes);
    }
}
