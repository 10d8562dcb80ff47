//! The XML request bodies CalDAV clients send: PROPFINDs for discovery (RFC 5397, 4791, 4918),
//! the collection properties a calendar list needs, `sync-collection` (RFC 6578),
//! `calendar-multiget` (RFC 4791 §7.9) and the Depth 1 etag listing of the ctag fallback.
//!
//! Every body declares its namespaces by URI; the prefixes are ours and mean nothing to a server.
//! They are sent with [`CONTENT_TYPE`] (Xandikos answers 415 without it).

use quick_xml::escape::escape;

/// The content type of every PROPFIND and REPORT body.
pub const CONTENT_TYPE: &str = "application/xml; charset=utf-8";

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
/// CalendarServer's namespace (`getctag`).
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
/// Apple's iCal namespace (`calendar-color`).
pub const APPLE_ICAL: &str = "http://apple.com/ns/ical/";

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// `PROPFIND Depth: 0` on the context URL: who am I (RFC 5397), and, in the same request, what
/// the URL itself is, so a calendar URL typed by the user is recognised at once.
pub fn propfind_principal() -> String {
    format!(
        r#"{HEAD}<D:propfind xmlns:D="DAV:" xmlns:C="{CALDAV}" xmlns:CS="{CALSERVER}" xmlns:I="{APPLE_ICAL}"><D:prop><D:current-user-principal/><C:calendar-home-set/>{COLLECTION_PROPS}</D:prop></D:propfind>"#
    )
}

/// `PROPFIND Depth: 0` on the principal: where its calendars live (RFC 4791 §6.2.1).
pub fn propfind_home_set() -> String {
    format!(
        r#"{HEAD}<D:propfind xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:prop><C:calendar-home-set/></D:prop></D:propfind>"#
    )
}

/// What a calendar list needs to know of each collection.
const COLLECTION_PROPS: &str = "<D:resourcetype/><D:displayname/><I:calendar-color/>\
<C:supported-calendar-component-set/><CS:getctag/><D:sync-token/><D:current-user-privilege-set/>";

/// `PROPFIND Depth: 1` on a calendar home (or `Depth: 0` on one calendar): the collections with
/// name, colour, component set, ctag, sync token, privileges and type.
pub fn propfind_collections() -> String {
    format!(
        r#"{HEAD}<D:propfind xmlns:D="DAV:" xmlns:C="{CALDAV}" xmlns:CS="{CALSERVER}" xmlns:I="{APPLE_ICAL}"><D:prop>{COLLECTION_PROPS}</D:prop></D:propfind>"#
    )
}

/// `PROPFIND Depth: 1` on a calendar: every member's etag (the ctag + etag fallback).
pub fn propfind_etags() -> String {
    format!(
        r#"{HEAD}<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/></D:prop></D:propfind>"#
    )
}

/// `REPORT` sync-collection (RFC 6578 §3.2): every member's etag since `token`, or all of them
/// when `token` is `None` (an empty `<D:sync-token/>`). No `DAV:limit`: Xandikos truncates to
/// it silently and still hands out the latest token.
pub fn sync_collection(token: Option<&str>) -> String {
    let token = match token {
        Some(t) => format!("<D:sync-token>{}</D:sync-token>", escape(t)),
        None => "<D:sync-token/>".to_owned(),
    };
    format!(
        r#"{HEAD}<D:sync-collection xmlns:D="DAV:">{token}<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
    )
}

/// `REPORT` calendar-multiget (RFC 4791 §7.9): etag and iCalendar data of `hrefs` (absolute
/// paths or URLs as the server listed them).
pub fn calendar_multiget<'a>(hrefs: impl IntoIterator<Item = &'a str>) -> String {
    let hrefs: String = hrefs
        .into_iter()
        .map(|h| format!("<D:href>{}</D:href>", escape(h)))
        .collect();
    format!(
        r#"{HEAD}<C:calendar-multiget xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    use quick_xml::NsReader;

    /// Every element of `body` as (namespace URI, local name), checking it is well-formed.
    fn elements(body: &str) -> Vec<(String, String)> {
        let mut reader = NsReader::from_str(body);
        let mut out = Vec::new();
        loop {
            match reader.read_resolved_event().expect("well-formed") {
                (ResolveResult::Bound(ns), Event::Start(e) | Event::Empty(e)) => {
                    let local = e.local_name().as_ref().to_owned();
                    out.push((ns.as_ref().to_owned(), local));
                }
                (_, Event::Start(_) | Event::Empty(_)) => panic!("unbound element in {body}"),
                (_, Event::Eof) => return out,
                _ => {}
            }
        }
    }

    fn has(body: &str, ns: &str, local: &str) -> bool {
        elements(body).contains(&(ns.to_owned(), local.to_owned()))
    }

    #[test]
    fn the_collection_propfind_asks_for_every_property_in_its_namespace() {
        let body = propfind_collections();
        for (ns, local) in [
            (DAV, "resourcetype"),
            (DAV, "displayname"),
            (APPLE_ICAL, "calendar-color"),
            (CALDAV, "supported-calendar-component-set"),
            (CALSERVER, "getctag"),
            (DAV, "sync-token"),
            (DAV, "current-user-privilege-set"),
        ] {
            assert!(has(&body, ns, local), "{ns} {local} missing in {body}");
        }
        let principal = propfind_principal();
        assert!(has(&principal, DAV, "current-user-principal"));
        assert!(has(&principal, CALDAV, "calendar-home-set"));
        assert!(has(&principal, CALDAV, "supported-calendar-component-set"));
        assert!(has(&propfind_home_set(), CALDAV, "calendar-home-set"));
        assert!(has(&propfind_etags(), DAV, "getetag"));
    }

    #[test]
    fn sync_collection_sends_an_empty_token_first_then_the_escaped_token() {
        let first = sync_collection(None);
        assert!(first.contains("<D:sync-token/>"), "{first}");
        assert!(has(&first, DAV, "sync-level"));
        assert!(!first.contains("limit"));
        let next = sync_collection(Some("http://radicale.org/ns/sync/a&b<c"));
        assert!(
            next.contains("<D:sync-token>http://radicale.org/ns/sync/a&amp;b&lt;c</D:sync-token>"),
            "{next}"
        );
        elements(&next);
    }

    #[test]
    fn multiget_lists_each_href_escaped() {
        let body = calendar_multiget(["/alice/personal/a%20b.ics", "/alice/personal/x&y.ics"]);
        assert!(has(&body, CALDAV, "calendar-multiget"));
        assert!(has(&body, CALDAV, "calendar-data"));
        assert!(body.contains("<D:href>/alice/personal/a%20b.ics</D:href>"));
        assert!(body.contains("<D:href>/alice/personal/x&amp;y.ics</D:href>"));
    }
}
