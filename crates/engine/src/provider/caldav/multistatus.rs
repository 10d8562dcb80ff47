//! Reading a WebDAV `207 Multi-Status` body (RFC 4918 §13) and a `DAV:error` body, tolerantly.
//!
//! Elements are matched by namespace URI, never by prefix (Radicale uses a default namespace,
//! Xandikos `ns0:`); unknown elements are skipped; properties from a propstat whose status is not
//! 2xx (a `404` for what a server lacks) are ignored; hrefs are resolved against the request URL
//! and percent-decoded into one canonical form (`a%20b%40x.ics` and `a%20b@x.ics` are the same
//! resource). A `507` response marks a truncated sync-collection (RFC 6578 §3.6). The body is
//! capped in size and nesting; malformed XML is an error, never a panic.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use url::Url;

use super::xml::{APPLE_ICAL, CALDAV, CALSERVER, DAV};

/// The largest multistatus body read: a first sync-collection of a big calendar lists every
/// member's href and etag (about 200 bytes each), and a multiget batch carries its events.
pub const MAX_MULTISTATUS_BYTES: usize = 32 * 1024 * 1024;

/// Deeper nesting than any DAV answer needs is refused.
const MAX_DEPTH: usize = 64;

/// Why a body could not be read as a multistatus.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the answer is not UTF-8 text")]
    NotUtf8,
    #[error("the answer is not well-formed XML ({0})")]
    Malformed(String),
    #[error("the answer nests XML elements deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("the answer is not a WebDAV multistatus")]
    NotMultistatus,
}

/// A `resourcetype` as far as CalDAV cares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResourceType {
    pub collection: bool,
    /// `CALDAV:calendar`.
    pub calendar: bool,
}

/// The properties of one resource that came back with a 2xx status. `None` means the server
/// did not report it (or reported it missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Props {
    pub resource_type: Option<ResourceType>,
    pub display_name: Option<String>,
    /// Apple's `calendar-color` as sent (`#RRGGBB` or `#RRGGBBAA`).
    pub calendar_color: Option<String>,
    /// `supported-calendar-component-set`: component names such as `VEVENT`, `VTODO`.
    pub components: Option<Vec<String>>,
    /// CalendarServer's `getctag`.
    pub ctag: Option<String>,
    /// The `DAV:sync-token` property of a collection.
    pub sync_token: Option<String>,
    /// `getetag`, verbatim (quotes and `W/` kept).
    pub etag: Option<String>,
    /// `current-user-privilege-set`: the local names of the privileges (`read`, `write`, `all`…).
    pub privileges: Option<Vec<String>>,
    pub current_user_principal: Option<Url>,
    pub calendar_home_set: Vec<Url>,
    /// `CALDAV:calendar-data`: the iCalendar text of the resource.
    pub calendar_data: Option<String>,
}

impl Props {
    /// Takes every property `other` has, keeping ours where it has none.
    fn merge(&mut self, other: Props) {
        fn take<T>(mine: &mut Option<T>, theirs: Option<T>) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        take(&mut self.resource_type, other.resource_type);
        take(&mut self.display_name, other.display_name);
        take(&mut self.calendar_color, other.calendar_color);
        take(&mut self.components, other.components);
        take(&mut self.ctag, other.ctag);
        take(&mut self.sync_token, other.sync_token);
        take(&mut self.etag, other.etag);
        take(&mut self.privileges, other.privileges);
        take(
            &mut self.current_user_principal,
            other.current_user_principal,
        );
        take(&mut self.calendar_data, other.calendar_data);
        self.calendar_home_set.extend(other.calendar_home_set);
    }
}

/// One `DAV:response`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Resolved against the request URL, in canonical percent-encoding.
    pub href: Url,
    /// The response-level status, when the server gave one instead of propstats (`404` for a
    /// member removed since the sync token, or missing from a multiget).
    pub status: Option<u16>,
    pub props: Props,
}

/// A parsed `207 Multi-Status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multistatus {
    pub responses: Vec<Response>,
    /// The new token of a sync-collection report.
    pub sync_token: Option<String>,
    /// A `507 Insufficient Storage` response: the server listed only part of the changes and
    /// the client continues from `sync_token` (RFC 6578 §3.6).
    pub truncated: bool,
    /// Responses left out because their href was missing or not an http(s) URL.
    pub skipped: usize,
}

impl Multistatus {
    /// The response for `url`, compared in canonical form.
    pub fn response_for(&self, url: &Url) -> Option<&Response> {
        let url = canonical(url.clone());
        self.responses.iter().find(|r| same_resource(&r.href, &url))
    }
}

/// True when `a` and `b` name the same resource: equal canonical URLs, ignoring a trailing slash
/// (servers list a collection with or without one).
pub fn same_resource(a: &Url, b: &Url) -> bool {
    a == b || a.as_str().trim_end_matches('/') == b.as_str().trim_end_matches('/')
}

/// Resolves an href against the URL of the request that returned it; `None` for an href that
/// is not http(s).
pub fn resolve_href(base: &Url, href: &str) -> Option<Url> {
    let url = base.join(href.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| canonical(url))
}

/// `url` with each path segment percent-decoded and encoded again one way, so `%40` and `@`,
/// `%7E` and `~` compare equal. A segment that does not decode to UTF-8 leaves the URL as it is.
pub fn canonical(mut url: Url) -> Url {
    let Some(segments) = url.path_segments() else {
        return url;
    };
    let decoded: Option<Vec<String>> = segments
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(Cow::into_owned)
        })
        .collect();
    if let (Some(decoded), Ok(mut path)) = (decoded, url.path_segments_mut()) {
        path.clear().extend(decoded);
    }
    url
}

/// The namespaces this parser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Dav,
    CalDav,
    CalServer,
    Apple,
    Other,
}

fn namespace(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(ns) => match ns.as_ref() {
            DAV => Ns::Dav,
            CALDAV => Ns::CalDav,
            CALSERVER => Ns::CalServer,
            APPLE_ICAL => Ns::Apple,
            _ => Ns::Other,
        },
        _ => Ns::Other,
    }
}

#[derive(Debug)]
struct Element {
    ns: Ns,
    local: String,
}

/// One propstat being read: its properties and its status, which may come before or after them.
#[derive(Default)]
struct PropStat {
    props: Props,
    status: Option<u16>,
}

#[derive(Default)]
struct PendingResponse {
    href: Option<String>,
    status: Option<u16>,
    props: Props,
}

/// Parses a multistatus body returned for a request to `base`.
pub fn parse(body: &[u8], base: &Url) -> Result<Multistatus, XmlError> {
    let text = text_of(body)?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut buf = String::new();
    let mut out = Multistatus::default();
    let mut response: Option<PendingResponse> = None;
    let mut propstat: Option<PropStat> = None;
    let mut root_seen = false;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        let ns = namespace(&resolved);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name().as_ref().to_owned();
                if stack.is_empty() {
                    if root_seen || ns != Ns::Dav || local != "multistatus" {
                        return Err(XmlError::NotMultistatus);
                    }
                    root_seen = true;
                }
                stack.push(Element { ns, local });
                if stack.len() > MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                buf.clear();
                opened(&stack, e, &mut response, &mut propstat);
                if empty {
                    closed(&mut stack, "", base, &mut out, &mut response, &mut propstat);
                }
            }
            Event::End(_) => {
                let text = std::mem::take(&mut buf);
                closed(
                    &mut stack,
                    &text,
                    base,
                    &mut out,
                    &mut response,
                    &mut propstat,
                );
            }
            Event::Text(t) => buf.push_str(&t.xml10_content()),
            Event::CData(t) => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else if let Some(s) = resolve_predefined_entity(&r) {
                    buf.push_str(s);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !root_seen {
        return Err(XmlError::NotMultistatus);
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("the answer ends in the middle".into()));
    }
    Ok(out)
}

/// The body as text: UTF-8 (a BOM is dropped), within [`MAX_MULTISTATUS_BYTES`].
fn text_of(body: &[u8]) -> Result<&str, XmlError> {
    if body.len() > MAX_MULTISTATUS_BYTES {
        return Err(XmlError::TooLarge(MAX_MULTISTATUS_BYTES));
    }
    let text = std::str::from_utf8(body).map_err(|_| XmlError::NotUtf8)?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The names on the stack from `DAV:prop` down, when the stack is inside
/// `multistatus/response/propstat/prop`.
fn in_prop(stack: &[Element]) -> Option<Vec<(Ns, &str)>> {
    let path: Vec<(Ns, &str)> = stack.iter().map(|e| (e.ns, e.local.as_str())).collect();
    match path.as_slice() {
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response"), (Ns::Dav, "propstat"), (Ns::Dav, "prop"), rest @ ..] => {
            Some(rest.to_vec())
        }
        _ => None,
    }
}

/// An element was opened: start the records that collect children.
fn opened(
    stack: &[Element],
    e: &BytesStart<'_>,
    response: &mut Option<PendingResponse>,
    propstat: &mut Option<PropStat>,
) {
    let path: Vec<(Ns, &str)> = stack.iter().map(|e| (e.ns, e.local.as_str())).collect();
    match path.as_slice() {
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response")] => {
            *response = Some(PendingResponse::default());
        }
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response"), (Ns::Dav, "propstat")] => {
            *propstat = Some(PropStat::default());
        }
        _ => {}
    }
    let (Some(rel), Some(ps)) = (in_prop(stack), propstat.as_mut()) else {
        return;
    };
    let props = &mut ps.props;
    match rel.as_slice() {
        [(Ns::Dav, "resourcetype")] => props.resource_type = Some(ResourceType::default()),
        [(Ns::CalDav, "supported-calendar-component-set")] => props.components = Some(Vec::new()),
        [(Ns::Dav, "current-user-privilege-set")] => props.privileges = Some(Vec::new()),
        [(Ns::CalDav, "supported-calendar-component-set"), (Ns::CalDav, "comp")] => {
            let name = e.attributes().flatten().find_map(|a| {
                (a.key.local_name().as_ref() == "name").then(|| a.value.trim().to_ascii_uppercase())
            });
            if let (Some(name), Some(list)) = (name, props.components.as_mut()) {
                list.push(name);
            }
        }
        _ => {}
    }
}

/// An element closed with `text` as its (direct) text: store what it means, then pop it.
fn closed(
    stack: &mut Vec<Element>,
    text: &str,
    base: &Url,
    out: &mut Multistatus,
    response: &mut Option<PendingResponse>,
    propstat: &mut Option<PropStat>,
) {
    let value = || Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let path: Vec<(Ns, &str)> = stack.iter().map(|e| (e.ns, e.local.as_str())).collect();
    match path.as_slice() {
        [(Ns::Dav, "multistatus"), (Ns::Dav, "sync-token")] => out.sync_token = value(),
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response")] => {
            if let Some(done) = response.take() {
                finish_response(done, base, out);
            }
        }
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response"), (Ns::Dav, "href")] => {
            if let Some(r) = response.as_mut() {
                r.href = r.href.take().or_else(value);
            }
        }
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response"), (Ns::Dav, "status")] => {
            if let Some(r) = response.as_mut() {
                r.status = status_code(text);
            }
        }
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response"), (Ns::Dav, "propstat")] => {
            if let (Some(ps), Some(r)) = (propstat.take(), response.as_mut()) {
                // A propstat without a status is taken as successful: tolerant of sloppy
                // servers, and a property reported missing carries no value anyway.
                if ps.status.is_none_or(|s| (200..300).contains(&s)) {
                    r.props.merge(ps.props);
                }
            }
        }
        [(Ns::Dav, "multistatus"), (Ns::Dav, "response"), (Ns::Dav, "propstat"), (Ns::Dav, "status")] => {
            if let Some(ps) = propstat.as_mut() {
                ps.status = status_code(text);
            }
        }
        _ => {
            if let (Some(rel), Some(ps)) = (in_prop(stack), propstat.as_mut()) {
                property(&rel, text, base, &mut ps.props);
            }
        }
    }
    stack.pop();
}

/// A property element (or one inside it) closed.
fn property(rel: &[(Ns, &str)], text: &str, base: &Url, props: &mut Props) {
    let value = || Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    match rel {
        [(Ns::Dav, "displayname")] => props.display_name = value(),
        [(Ns::Apple, "calendar-color")] => props.calendar_color = value(),
        [(Ns::CalServer, "getctag")] => props.ctag = value(),
        [(Ns::Dav, "sync-token")] => props.sync_token = value(),
        [(Ns::Dav, "getetag")] => props.etag = value(),
        // Calendar data keeps its exact text (line ends are XML-normalised to LF).
        [(Ns::CalDav, "calendar-data")] => {
            props.calendar_data = Some(text.to_owned()).filter(|t| !t.trim().is_empty())
        }
        [(Ns::Dav, "current-user-principal"), (Ns::Dav, "href")] => {
            props.current_user_principal = resolve_href(base, text);
        }
        [(Ns::CalDav, "calendar-home-set"), (Ns::Dav, "href")] => {
            props.calendar_home_set.extend(resolve_href(base, text));
        }
        [(Ns::Dav, "resourcetype"), (ns, local)] => {
            if let Some(t) = props.resource_type.as_mut() {
                match (ns, *local) {
                    (Ns::Dav, "collection") => t.collection = true,
                    (Ns::CalDav, "calendar") => t.calendar = true,
                    _ => {}
                }
            }
        }
        [(Ns::Dav, "current-user-privilege-set"), (Ns::Dav, "privilege"), (Ns::Dav, privilege)] => {
            if let Some(list) = props.privileges.as_mut() {
                list.push((*privilege).to_owned());
            }
        }
        _ => {}
    }
}

fn finish_response(r: PendingResponse, base: &Url, out: &mut Multistatus) {
    if r.status == Some(507) {
        out.truncated = true;
        return;
    }
    match r.href.as_deref().and_then(|h| resolve_href(base, h)) {
        Some(href) => out.responses.push(Response {
            href,
            status: r.status,
            props: r.props,
        }),
        None => out.skipped += 1,
    }
}

/// `HTTP/1.1 404 Not Found` → 404.
fn status_code(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The preconditions or postconditions a `DAV:error` body names (RFC 4918 §16), as
/// (namespace URI, local name); empty when the body is not a `DAV:error`.
pub fn error_conditions(body: &[u8]) -> Vec<(String, String)> {
    let Ok(text) = text_of(body) else {
        return Vec::new();
    };
    let mut reader = NsReader::from_str(text);
    let mut depth = 0usize;
    let mut is_error = false;
    let mut conditions = Vec::new();
    while let Ok((resolved, event)) = reader.read_resolved_event() {
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let uri = match &resolved {
                    ResolveResult::Bound(ns) => ns.as_ref().to_owned(),
                    _ => String::new(),
                };
                let local = e.local_name().as_ref().to_owned();
                if depth == 0 {
                    is_error = uri == DAV && local == "error";
                    if !is_error {
                        return Vec::new();
                    }
                } else if depth == 1 && !(uri == DAV && local == "responsedescription") {
                    conditions.push((uri, local));
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    if is_error {
        conditions
    } else {
        Vec::new()
    }
}

/// True when `body` is a `DAV:error` naming `DAV:valid-sync-token`: the sync token the client
/// sent is no longer valid, and a full resync is needed (RFC 6578 §3.2).
pub fn names_invalid_sync_token(body: &[u8]) -> bool {
    error_conditions(body)
        .iter()
        .any(|(ns, local)| ns == DAV && local == "valid-sync-token")
}

#[cfg(test)]
#[path = "multistatus_tests.rs"]
mod tests;
