//! The WebDAV and CalDAV methods on the fake's resources: PROPFIND (Depth 0 and 1, RFC 4918
//! §9.1), REPORT `sync-collection` (RFC 6578) and `calendar-multiget` (RFC 4791 §7.9), GET, and
//! PUT/DELETE with `If-Match` / `If-None-Match` (RFC 9110 §13).
//!
//! The resource tree, like iCloud's numeric paths:
//! `/` → principal `/{PRINCIPAL_ID}/principal/` → home `/{PRINCIPAL_ID}/calendars/` →
//! calendars `/{PRINCIPAL_ID}/calendars/{name}/` → resources `.../{name}/{resource}`.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use crate::store::{self, Calendar, Store};
use crate::xml::{self, caldav, dav, Name, RequestBody, APPLE_ICAL, CALSERVER};

/// The principal's path segment (iCloud uses the account's number).
pub const PRINCIPAL_ID: &str = "1234567890";

/// What a path segment must escape.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'&');

/// The resource a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    WellKnown,
    Root,
    Principal,
    Home,
    Calendar(String),
    Object(String, String),
    Unknown,
}

impl Target {
    /// Reads a request path (percent-encoded, as on the request line).
    pub fn of(path: &str) -> Target {
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        match s.as_slice() {
            [] => Target::Root,
            [".well-known", "caldav"] => Target::WellKnown,
            [id, "principal"] if *id == PRINCIPAL_ID => Target::Principal,
            [id, "calendars"] if *id == PRINCIPAL_ID => Target::Home,
            [id, "calendars", cal] if *id == PRINCIPAL_ID => Target::Calendar((*cal).to_owned()),
            [id, "calendars", cal, name] if *id == PRINCIPAL_ID => {
                Target::Object((*cal).to_owned(), (*name).to_owned())
            }
            _ => Target::Unknown,
        }
    }

    /// Served only by the partition host in iCloud's shape.
    pub fn on_partition(&self) -> bool {
        matches!(
            self,
            Target::Home | Target::Calendar(_) | Target::Object(_, _)
        )
    }
}

pub fn principal_path() -> String {
    format!("/{PRINCIPAL_ID}/principal/")
}

pub fn home_path() -> String {
    format!("/{PRINCIPAL_ID}/calendars/")
}

pub fn calendar_path(cal: &str) -> String {
    format!("{}{}/", home_path(), utf8_percent_encode(cal, SEGMENT))
}

pub fn object_path(cal: &str, name: &str) -> String {
    format!(
        "{}{}",
        calendar_path(cal),
        utf8_percent_encode(name, SEGMENT)
    )
}

/// An answer before HTTP: status, extra headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    fn multistatus(body: String) -> Answer {
        Answer {
            status: 207,
            headers: vec![("content-type", "application/xml; charset=utf-8".into())],
            body,
        }
    }

    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// A status with a `DAV:error` body naming `condition`.
    fn error(status: u16, condition: &Name) -> Answer {
        Answer {
            status,
            headers: vec![("content-type", "application/xml; charset=utf-8".into())],
            body: xml::error_body(condition),
        }
    }

    fn bad_request(why: &str) -> Answer {
        Answer {
            status: 400,
            headers: vec![("content-type", "text/plain; charset=utf-8".into())],
            body: why.to_owned(),
        }
    }
}

/// What the methods need besides the store.
#[derive(Debug, Clone)]
pub struct Site {
    pub username: String,
    /// The calendar home as `calendar-home-set` names it (absolute on iCloud's partition host).
    pub home_href: String,
    pub sync_collection: bool,
    /// A server-side cap on sync-collection results (RFC 6578 §3.6 truncation).
    pub sync_limit: Option<usize>,
}

/// PROPFIND on `target`.
pub fn propfind(
    store: &Store,
    site: &Site,
    target: &Target,
    depth: Option<&str>,
    body: &[u8],
) -> Answer {
    let depth = match depth.map(str::trim) {
        Some("0") => 0,
        Some("1") => 1,
        // RFC 4918 §9.1: a server may refuse infinite depth, naming this precondition.
        _ => return Answer::error(403, &dav("propfind-finite-depth")),
    };
    let request = match xml::read_request(body) {
        Ok(r) => r,
        Err(why) => return Answer::bad_request(&why),
    };
    if request.root.is_some() && !request.root_is(xml::DAV, "propfind") {
        return Answer::bad_request("the body is not a DAV:propfind");
    }
    let mut members: Vec<(String, Vec<(Name, String)>)> = Vec::new();
    match target {
        Target::Root => members.push(("/".into(), root_props())),
        Target::Principal => members.push((principal_path(), principal_props(site))),
        Target::Home => {
            members.push((home_path(), home_props()));
            if depth == 1 {
                for (name, cal) in &store.calendars {
                    members.push((calendar_path(name), calendar_props(store, site, cal)));
                }
            }
        }
        Target::Calendar(name) => {
            let Some(cal) = store.calendars.get(name) else {
                return Answer::status(404);
            };
            members.push((calendar_path(name), calendar_props(store, site, cal)));
            if depth == 1 {
                for (object, resource) in &cal.resources {
                    members.push((object_path(name, object), object_props(resource, false)));
                }
            }
        }
        Target::Object(cal, object) => {
            let Some(resource) = store
                .calendars
                .get(cal)
                .and_then(|c| c.resources.get(object))
            else {
                return Answer::status(404);
            };
            members.push((object_path(cal, object), object_props(resource, false)));
        }
        Target::WellKnown | Target::Unknown => return Answer::status(404),
    }
    let responses: String = members
        .iter()
        .map(|(href, props)| answer_props(href, props, &request))
        .collect();
    Answer::multistatus(xml::multistatus(&responses, None))
}

/// The `DAV:response` for one resource: what was asked for that it has under 200, the rest
/// under 404 (RFC 4918 §9.1: a missing property is no error).
fn answer_props(href: &str, props: &[(Name, String)], request: &RequestBody) -> String {
    if request.wants_all() {
        return xml::response(href, props, &[]);
    }
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for wanted in &request.props {
        match props.iter().find(|(name, _)| name == wanted) {
            Some(prop) => found.push(prop.clone()),
            None => missing.push(wanted.clone()),
        }
    }
    xml::response(href, &found, &missing)
}

fn href_prop(path: &str) -> String {
    xml::href(path)
}

fn root_props() -> Vec<(Name, String)> {
    vec![
        (dav("resourcetype"), "<D:collection/>".into()),
        (dav("current-user-principal"), href_prop(&principal_path())),
    ]
}

fn principal_props(site: &Site) -> Vec<(Name, String)> {
    vec![
        (dav("resourcetype"), "<D:principal/>".into()),
        (dav("displayname"), xml::text(&site.username)),
        (dav("current-user-principal"), href_prop(&principal_path())),
        (caldav("calendar-home-set"), href_prop(&site.home_href)),
    ]
}

fn home_props() -> Vec<(Name, String)> {
    vec![
        (dav("resourcetype"), "<D:collection/>".into()),
        (dav("current-user-principal"), href_prop(&principal_path())),
    ]
}

fn calendar_props(store: &Store, site: &Site, cal: &Calendar) -> Vec<(Name, String)> {
    let mut props = vec![
        (dav("resourcetype"), "<D:collection/><C:calendar/>".into()),
        (dav("displayname"), xml::text(&cal.spec.display_name)),
        (
            (CALSERVER.to_owned(), "getctag".to_owned()),
            cal.changed.to_string(),
        ),
        (
            dav("current-user-privilege-set"),
            [
                "read",
                "write",
                "write-properties",
                "write-content",
                "bind",
                "unbind",
            ]
            .iter()
            .map(|p| format!("<D:privilege><D:{p}/></D:privilege>"))
            .collect(),
        ),
        (dav("current-user-principal"), href_prop(&principal_path())),
    ];
    let mut reports = String::from(
        "<D:supported-report><D:report><C:calendar-multiget/></D:report></D:supported-report>",
    );
    if site.sync_collection {
        reports.push_str(
            "<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>",
        );
        let token = cal.changed.max(cal.oldest_valid_token).min(store.now());
        props.push((dav("sync-token"), xml::text(&store::token(token))));
    }
    props.push((dav("supported-report-set"), reports));
    if let Some(color) = &cal.spec.color {
        props.push((
            (APPLE_ICAL.to_owned(), "calendar-color".to_owned()),
            xml::text(color),
        ));
    }
    if !cal.spec.components.is_empty() {
        let comps: String = cal
            .spec
            .components
            .iter()
            .map(|c| format!("<C:comp name=\"{}\"/>", xml::text(c)))
            .collect();
        props.push((caldav("supported-calendar-component-set"), comps));
    }
    props
}

/// A calendar object's properties; `calendar-data` only in REPORTs (RFC 4791 §9.6).
fn object_props(resource: &store::Resource, with_data: bool) -> Vec<(Name, String)> {
    let mut props = vec![
        (dav("getetag"), xml::text(&resource.etag)),
        (
            dav("getcontenttype"),
            "text/calendar; charset=utf-8; component=vevent".into(),
        ),
        (dav("resourcetype"), String::new()),
    ];
    if with_data {
        props.push((caldav("calendar-data"), xml::text(&resource.ics)));
    }
    props
}

/// REPORT on `target`: `sync-collection` or `calendar-multiget`; anything else is refused with
/// `DAV:supported-report` (RFC 3253 §3.6).
pub fn report(
    store: &Store,
    site: &Site,
    target: &Target,
    depth: Option<&str>,
    body: &[u8],
) -> Answer {
    let request = match xml::read_request(body) {
        Ok(r) => r,
        Err(why) => return Answer::bad_request(&why),
    };
    let Target::Calendar(name) = target else {
        return Answer::error(403, &dav("supported-report"));
    };
    let Some(cal) = store.calendars.get(name) else {
        return Answer::status(404);
    };
    if request.root_is(xml::DAV, "sync-collection") && site.sync_collection {
        // RFC 6578 §3.2: the report is defined for Depth 0 (or none, which means 0) only, and
        // other values are a 400. Radicale and Xandikos accept Depth 1; Milton refuses it and
        // SabreDAV 1.x answered 403, so a client that sends 1 is caught here.
        if !matches!(depth.map(str::trim), None | Some("0")) {
            return Answer::bad_request("sync-collection is only defined with Depth: 0");
        }
        return sync_collection(store, site, name, cal, &request);
    }
    if request.root_is(xml::CALDAV, "calendar-multiget") {
        return multiget(name, cal, &request);
    }
    Answer::error(403, &dav("supported-report"))
}

fn sync_collection(
    store: &Store,
    site: &Site,
    name: &str,
    cal: &Calendar,
    request: &RequestBody,
) -> Answer {
    if request.sync_level.as_deref().map(str::trim) != Some("1") {
        // Only members of the collection itself: a calendar holds no sub-collections.
        return Answer::error(403, &dav("sync-traversal-supported"));
    }
    let now = store.now();
    let since = match cal.parse_token(request.sync_token.as_deref().unwrap_or(""), now) {
        Ok(since) => since,
        Err(store::InvalidToken) => return Answer::error(403, &dav("valid-sync-token")),
    };
    let changes = cal.changes_since(since);
    let limit = match (site.sync_limit, request.limit) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let (listed, truncated) = match limit {
        Some(n) if changes.len() > n => (&changes[..n], true),
        _ => (&changes[..], false),
    };
    let props_request = RequestBody {
        props: request.props.clone(),
        root: request.root.clone(),
        ..RequestBody::default()
    };
    let mut responses = String::new();
    for change in listed {
        let href = object_path(name, &change.name);
        match cal
            .resources
            .get(&change.name)
            .filter(|_| change.etag.is_some())
        {
            Some(resource) => responses.push_str(&answer_props(
                &href,
                &object_props(resource, true),
                &props_request,
            )),
            None => responses.push_str(&xml::status_response(&href, "404 Not Found", None)),
        }
    }
    // A truncated answer's token continues after the last change listed (RFC 6578 §3.6).
    let token = match (truncated, listed.last()) {
        (true, Some(last)) => last.seq,
        _ => now,
    };
    if truncated {
        responses.push_str(&xml::status_response(
            &calendar_path(name),
            "507 Insufficient Storage",
            Some(&dav("number-of-matches-within-limits")),
        ));
    }
    Answer::multistatus(xml::multistatus(&responses, Some(&store::token(token))))
}

fn multiget(name: &str, cal: &Calendar, request: &RequestBody) -> Answer {
    let mut responses = String::new();
    for href in &request.hrefs {
        // An href may be a path or a full URL; only the path matters here.
        let path = url::Url::parse(href)
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| href.trim().to_owned());
        let found = match Target::of(&path) {
            Target::Object(c, object) if c == name => {
                cal.resources.get(&object).map(|r| (object, r))
            }
            _ => None,
        };
        match found {
            Some((object, resource)) => responses.push_str(&answer_props(
                &object_path(name, &object),
                &object_props(resource, true),
                request,
            )),
            None => responses.push_str(&xml::status_response(href.trim(), "404 Not Found", None)),
        }
    }
    Answer::multistatus(xml::multistatus(&responses, None))
}

/// GET of a calendar object.
pub fn get(store: &Store, target: &Target) -> Answer {
    let Target::Object(cal, object) = target else {
        return Answer::status(404);
    };
    match store
        .calendars
        .get(cal)
        .and_then(|c| c.resources.get(object))
    {
        Some(r) => Answer {
            status: 200,
            headers: vec![
                ("content-type", "text/calendar; charset=utf-8".into()),
                ("etag", r.etag.clone()),
            ],
            body: r.ics.clone(),
        },
        None => Answer::status(404),
    }
}

/// The conditional headers of a write.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

impl Conditions {
    /// RFC 9110 §13.1.1/§13.1.2 against the current ETag (`None`: no such resource).
    fn hold(&self, current: Option<&str>) -> bool {
        let listed = |header: &str, etag: &str| {
            header.trim() == "*" || header.split(',').any(|t| t.trim() == etag)
        };
        if let Some(header) = &self.if_match {
            if !current.is_some_and(|etag| listed(header, etag)) {
                return false;
            }
        }
        if let Some(header) = &self.if_none_match {
            if current.is_some_and(|etag| listed(header, etag)) {
                return false;
            }
        }
        true
    }
}

/// PUT of a calendar object: 201 new, 204 replaced, 412 when a condition fails, 403
/// `valid-calendar-data` for a body that is not iCalendar.
pub fn put(store: &mut Store, target: &Target, conditions: &Conditions, body: &[u8]) -> Answer {
    let Target::Object(cal, object) = target else {
        return Answer::status(405);
    };
    let Some(calendar) = store.calendars.get(cal) else {
        return Answer::status(409);
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return Answer::error(403, &caldav("valid-calendar-data"));
    };
    if !text.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Answer::error(403, &caldav("valid-calendar-data"));
    }
    let current = calendar.resources.get(object).map(|r| r.etag.clone());
    if !conditions.hold(current.as_deref()) {
        return Answer::status(412);
    }
    let Some(etag) = store.put(cal, object, text) else {
        return Answer::status(409);
    };
    Answer {
        status: if current.is_some() { 204 } else { 201 },
        headers: vec![("etag", etag)],
        body: String::new(),
    }
}

/// DELETE of a calendar object (or a whole calendar).
pub fn delete(store: &mut Store, target: &Target, conditions: &Conditions) -> Answer {
    match target {
        Target::Object(cal, object) => {
            let current = store
                .calendars
                .get(cal)
                .and_then(|c| c.resources.get(object))
                .map(|r| r.etag.clone());
            let Some(current) = current else {
                return Answer::status(404);
            };
            if !conditions.hold(Some(&current)) {
                return Answer::status(412);
            }
            store.delete(cal, object);
            Answer::status(204)
        }
        Target::Calendar(cal) => match store.remove_calendar(cal) {
            true => Answer::status(204),
            false => Answer::status(404),
        },
        _ => Answer::status(405),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_resources_encoded_or_not() {
        assert_eq!(Target::of("/"), Target::Root);
        assert_eq!(Target::of("/.well-known/caldav"), Target::WellKnown);
        assert_eq!(Target::of(&principal_path()), Target::Principal);
        assert_eq!(Target::of("/1234567890/calendars"), Target::Home);
        assert_eq!(
            Target::of(&object_path("Work Team", "a b@x.ics")),
            Target::Object("Work Team".into(), "a b@x.ics".into())
        );
        assert_eq!(
            object_path("Work Team", "a b@x.ics"),
            "/1234567890/calendars/Work%20Team/a%20b@x.ics"
        );
        assert_eq!(Target::of("/999/calendars/"), Target::Unknown);
    }

    #[test]
    fn write_conditions_follow_rfc_9110() {
        let create = Conditions {
            if_none_match: Some("*".into()),
            ..Conditions::default()
        };
        assert!(create.hold(None));
        assert!(!create.hold(Some("\"1\"")));
        let update = Conditions {
            if_match: Some("\"1\"".into()),
            ..Conditions::default()
        };
        assert!(update.hold(Some("\"1\"")));
        assert!(!update.hold(Some("\"2\"")));
        assert!(!update.hold(None));
        assert!(Conditions::default().hold(None));
    }
}
