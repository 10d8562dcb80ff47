//! Reading PROPFIND and REPORT bodies by namespace URI (never by prefix), and writing
//! multistatus answers (RFC 4918 §13) with the prefixes declared once on the root.

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE_ICAL: &str = "http://apple.com/ns/ical/";

/// Deeper request bodies are refused.
const MAX_DEPTH: usize = 32;

/// A property or element name: (namespace URI, local name).
pub type Name = (String, String);

/// What the fake needs of a request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestBody {
    /// The root element; `None` for an empty body (a PROPFIND for all properties).
    pub root: Option<Name>,
    /// The properties under the root's `DAV:prop`.
    pub props: Vec<Name>,
    /// `DAV:href` children of the root (calendar-multiget).
    pub hrefs: Vec<String>,
    /// `DAV:sync-token` under the root: `Some("")` when empty.
    pub sync_token: Option<String>,
    pub sync_level: Option<String>,
    /// `DAV:limit/DAV:nresults`.
    pub limit: Option<usize>,
}

impl RequestBody {
    pub fn root_is(&self, ns: &str, local: &str) -> bool {
        self.root
            .as_ref()
            .is_some_and(|(n, l)| n == ns && l == local)
    }

    /// True when the root asks for every property (`allprop`, or no body).
    pub fn wants_all(&self) -> bool {
        self.root.is_none() || self.props.is_empty()
    }
}

/// Reads `body`; an error names what is wrong, for a 400.
pub fn read_request(body: &[u8]) -> Result<RequestBody, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    let mut out = RequestBody::default();
    if text.trim().is_empty() {
        return Ok(out);
    }
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Name> = Vec::new();
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("malformed XML: {e}"))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let ns = match resolved {
                    ResolveResult::Bound(ns) => ns.as_ref().to_owned(),
                    _ => String::new(),
                };
                let name = (ns, e.local_name().as_ref().to_owned());
                match stack.len() {
                    0 => out.root = Some(name.clone()),
                    2 if stack[1] == dav("prop") => out.props.push(name.clone()),
                    1 if name == dav("sync-token") => out.sync_token = Some(String::new()),
                    1 if name == dav("href") => out.hrefs.push(String::new()),
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    if stack.len() >= MAX_DEPTH {
                        return Err("the body nests too deep".to_owned());
                    }
                    stack.push(name);
                }
            }
            Event::Text(t) => {
                let value = t.xml10_content().into_owned();
                append_text(&mut out, &stack, &value);
            }
            Event::CData(t) => {
                let value = t.xml10_content().into_owned();
                append_text(&mut out, &stack, &value);
            }
            Event::GeneralRef(r) => {
                let value = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => resolve_predefined_entity(&r).unwrap_or_default().to_owned(),
                };
                append_text(&mut out, &stack, &value);
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Adds text inside the element at the top of `stack` to the field it belongs to.
fn append_text(out: &mut RequestBody, stack: &[Name], value: &str) {
    let Some((ns, local)) = stack.last() else {
        return;
    };
    if ns != DAV {
        return;
    }
    match (stack.len(), local.as_str()) {
        (2, "href") => {
            if let Some(last) = out.hrefs.last_mut() {
                last.push_str(value);
            }
        }
        (2, "sync-token") => out
            .sync_token
            .get_or_insert_with(String::new)
            .push_str(value),
        (2, "sync-level") => out
            .sync_level
            .get_or_insert_with(String::new)
            .push_str(value),
        (3, "nresults") if stack[1].1 == "limit" => out.limit = value.trim().parse().ok(),
        _ => {}
    }
}

/// The prefix for a namespace declared on every multistatus root.
fn prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("D"),
        CALDAV => Some("C"),
        CALSERVER => Some("CS"),
        APPLE_ICAL => Some("I"),
        _ => None,
    }
}

/// An element `name` holding `inner` (already XML); empty when `inner` is.
pub fn element(name: &Name, inner: &str) -> String {
    let (ns, local) = name;
    let (tag, decl) = match prefix(ns) {
        Some(p) => (format!("{p}:{local}"), String::new()),
        None => (
            format!("X:{local}"),
            format!(" xmlns:X=\"{}\"", escape(ns.as_str())),
        ),
    };
    if inner.is_empty() {
        format!("<{tag}{decl}/>")
    } else {
        format!("<{tag}{decl}>{inner}</{tag}>")
    }
}

/// A `DAV:` name.
pub fn dav(local: &str) -> Name {
    (DAV.to_owned(), local.to_owned())
}

pub fn caldav(local: &str) -> Name {
    (CALDAV.to_owned(), local.to_owned())
}

/// Text escaped for an element's content.
pub fn text(value: &str) -> String {
    escape(value).into_owned()
}

/// `<D:href>`.
pub fn href(path: &str) -> String {
    format!("<D:href>{}</D:href>", text(path))
}

/// A `DAV:response` with propstats: `found` (name, inner XML) under 200, `missing` under 404.
pub fn response(href_path: &str, found: &[(Name, String)], missing: &[Name]) -> String {
    let mut out = format!("<D:response>{}", href(href_path));
    if !found.is_empty() {
        let props: String = found.iter().map(|(n, inner)| element(n, inner)).collect();
        out.push_str(&format!(
            "<D:propstat><D:prop>{props}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
        ));
    }
    if !missing.is_empty() {
        let props: String = missing.iter().map(|n| element(n, "")).collect();
        out.push_str(&format!(
            "<D:propstat><D:prop>{props}</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>"
        ));
    }
    out.push_str("</D:response>");
    out
}

/// A `DAV:response` with a status only (a member removed since a sync token, an unknown href
/// in a multiget, the 507 of a truncated sync-collection) and an optional `DAV:error`.
pub fn status_response(href_path: &str, status: &str, error: Option<&Name>) -> String {
    let error = error
        .map(|e| format!("<D:error>{}</D:error>", element(e, "")))
        .unwrap_or_default();
    format!(
        "<D:response>{}<D:status>HTTP/1.1 {status}</D:status>{error}</D:response>",
        href(href_path)
    )
}

/// A whole `207` body: `responses`, then an optional `DAV:sync-token`.
pub fn multistatus(responses: &str, sync_token: Option<&str>) -> String {
    let token = sync_token
        .map(|t| format!("<D:sync-token>{}</D:sync-token>", text(t)))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="{DAV}" xmlns:C="{CALDAV}" xmlns:CS="{CALSERVER}" xmlns:I="{APPLE_ICAL}">{responses}{token}</D:multistatus>"#
    )
}

/// A `DAV:error` body naming one pre- or postcondition (RFC 4918 §16).
pub fn error_body(condition: &Name) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><D:error xmlns:D="{DAV}" xmlns:C="{CALDAV}">{}</D:error>"#,
        element(condition, "")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_are_read_by_namespace_with_entities_resolved() {
        let body = r#"<?xml version="1.0"?>
            <x:calendar-multiget xmlns:x="urn:ietf:params:xml:ns:caldav" xmlns:y="DAV:">
              <y:prop><y:getetag/><x:calendar-data/></y:prop>
              <y:href>/cal/a&amp;b.ics</y:href><y:href>/cal/c&#64;d.ics</y:href>
            </x:calendar-multiget>"#;
        let read = read_request(body.as_bytes()).unwrap();
        assert!(read.root_is(CALDAV, "calendar-multiget"));
        assert_eq!(read.props, [dav("getetag"), caldav("calendar-data")]);
        assert_eq!(read.hrefs, ["/cal/a&b.ics", "/cal/c@d.ics"]);

        let sync = r#"<sync-collection xmlns="DAV:"><sync-token/><sync-level>1</sync-level><limit><nresults>7</nresults></limit><prop><getetag/></prop></sync-collection>"#;
        let read = read_request(sync.as_bytes()).unwrap();
        assert_eq!(read.sync_token.as_deref(), Some(""));
        assert_eq!(read.sync_level.as_deref(), Some("1"));
        assert_eq!(read.limit, Some(7));

        assert!(read_request(b"").unwrap().wants_all());
        assert!(read_request(b"<a><b></a>").is_err());
        let deep = "<a>".repeat(100);
        assert!(read_request(deep.as_bytes()).is_err());
    }
}
