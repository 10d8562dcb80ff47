//! From what a user types to their calendar collections (RFC 6764, 5397, 4791 §6.2).
//!
//! The address may be a server root (`https://caldav.fastmail.com/`), a bare host
//! (`caldav.icloud.com`), a principal or one calendar collection. A root is tried at
//! `/.well-known/caldav` first (redirects followed by hand, at most [`MAX_REDIRECTS`]); then
//! `current-user-principal`, `calendar-home-set` and a Depth 1 PROPFIND of each home. Task-only
//! lists are skipped; a calendar is read-only when its privileges grant no write.
//!
//! The password goes only to the site the user entered: the same origin, its `https` upgrade,
//! and — for hrefs the authenticated server hands out, such as iCloud's per-user partition host
//! `p56-caldav.icloud.com` under `caldav.icloud.com` — https hosts under the same parent domain.
//! Anything else is [`DavError::OtherSite`], never a request with the password.

use url::{Host, Url};

use super::error::DavError;
use super::multistatus::{self, Multistatus, Response};
use super::transport::{self, DavClient, Depth};
use super::xml;

/// Redirects followed from one address.
pub const MAX_REDIRECTS: usize = 5;

/// A calendar collection as discovery found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DavCalendar {
    /// The collection's URL (on whatever host the server named).
    pub href: Url,
    /// `displayname`, or the last path segment when the server has none.
    pub display_name: String,
    /// Apple's `calendar-color` as `#RRGGBB` (an alpha byte dropped), if valid.
    pub color: Option<String>,
    pub ctag: Option<String>,
    pub sync_token: Option<String>,
    /// The privileges the server reported grant no `write`, `write-content`, `bind` or `all`.
    /// A server that reports none is taken as writable.
    pub read_only: bool,
    /// `supported-calendar-component-set`; empty when the server did not say (all components).
    pub components: Vec<String>,
}

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The user's principal, when the server named one (not when a calendar URL was entered).
    pub principal: Option<Url>,
    /// The principal's calendar homes (empty when a calendar URL was entered): listing them
    /// again later costs one request each ([`calendars_in`]).
    pub homes: Vec<Url>,
    pub calendars: Vec<DavCalendar>,
}

/// The URL to start from: `https://` added to a bare host, user info and fragment dropped, an
/// empty path made `/`.
pub fn parse_input(input: &str) -> Result<Url, DavError> {
    let input = input.trim();
    let with_scheme = if input.contains("://") {
        input.to_owned()
    } else if input.contains('@') {
        // `alice@example.com` is an e-mail address, not a host.
        return Err(DavError::InvalidAddress);
    } else {
        format!("https://{input}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|_| DavError::InvalidAddress)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(DavError::InvalidAddress);
    }
    // Credentials typed into the address never travel in it (nor into an error message).
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    Ok(multistatus::canonical(url))
}

/// Finds the calendars with events that `input` leads to.
pub async fn discover(client: &DavClient, input: &str) -> Result<Discovery, DavError> {
    let start = parse_input(input)?;
    let trust = Trust::new(&start);
    let principal_body = xml::propfind_principal();

    // 1. The context path: /.well-known/caldav for a root, else the address as given.
    let mut context = None;
    if start.path() == "/" {
        let well_known = start
            .join("/.well-known/caldav")
            .map_err(|_| DavError::InvalidAddress)?;
        context = propfind(client, &trust, well_known, Depth::Zero, &principal_body)
            .await?
            .ok();
    }
    let (context_url, answer) = match context {
        Some(found) => found,
        None => propfind(client, &trust, start.clone(), Depth::Zero, &principal_body)
            .await?
            .map_err(|status| not_caldav(&start, status))?,
    };
    let me =
        own_response(&answer, &context_url).ok_or_else(|| DavError::NotCalDav(start.clone()))?;

    // 2. A calendar entered directly.
    if me.props.resource_type.is_some_and(|t| t.calendar) {
        let calendars = with_events(vec![calendar(me)]);
        if calendars.is_empty() {
            return Err(DavError::NoCalendars(context_url));
        }
        return Ok(Discovery {
            principal: None,
            homes: Vec::new(),
            calendars,
        });
    }

    // 3. The principal and its calendar homes.
    let principal = me
        .props
        .current_user_principal
        .clone()
        .unwrap_or_else(|| context_url.clone());
    let mut homes = if multistatus::same_resource(&principal, &context_url) {
        me.props.calendar_home_set.clone()
    } else {
        Vec::new()
    };
    if homes.is_empty() {
        trust.check(&principal)?;
        let (url, answer) = propfind(
            client,
            &trust,
            principal.clone(),
            Depth::Zero,
            &xml::propfind_home_set(),
        )
        .await?
        .map_err(|status| not_caldav(&principal, status))?;
        homes = own_response(&answer, &url)
            .map(|r| r.props.calendar_home_set.clone())
            .unwrap_or_default();
    }
    if homes.is_empty() {
        return Err(DavError::NotCalDav(start));
    }

    // 4. The collections in each home.
    let calendars = collections(client, &trust, &homes).await?;
    if calendars.is_empty() {
        return Err(DavError::NoCalendars(principal));
    }
    Ok(Discovery {
        principal: Some(principal),
        homes,
        calendars,
    })
}

/// The calendars with events in `homes` (found by [`discover`] from `start`, the address the
/// user entered, which decides where the password may go): one Depth 1 PROPFIND per home.
/// An empty list is not an error here: the sync's wipe guard decides what it means.
pub async fn calendars_in(
    client: &DavClient,
    start: &Url,
    homes: &[Url],
) -> Result<Vec<DavCalendar>, DavError> {
    collections(client, &Trust::new(start), homes).await
}

async fn collections(
    client: &DavClient,
    trust: &Trust,
    homes: &[Url],
) -> Result<Vec<DavCalendar>, DavError> {
    let mut calendars = Vec::new();
    for home in homes {
        trust.check(home)?;
        let (url, answer) = propfind(
            client,
            trust,
            home.clone(),
            Depth::One,
            &xml::propfind_collections(),
        )
        .await?
        .map_err(|status| DavError::Status {
            url: home.clone(),
            status,
        })?;
        calendars.extend(
            answer
                .responses
                .iter()
                .filter(|r| !multistatus::same_resource(&r.href, &url))
                .filter(|r| r.props.resource_type.is_some_and(|t| t.calendar))
                .map(calendar),
        );
    }
    Ok(with_events(calendars))
}

/// PROPFINDs `url`, following redirects by hand. `Ok(Err(status))` is an answer that is neither
/// a multistatus nor a redirect (404, 405…), which the caller may fall back from.
async fn propfind(
    client: &DavClient,
    trust: &Trust,
    mut url: Url,
    depth: Depth,
    body: &str,
) -> Result<Result<(Url, Multistatus), u16>, DavError> {
    for _ in 0..=MAX_REDIRECTS {
        trust.check(&url)?;
        let reply = client
            .send(transport::propfind(), &url, depth, body, true)
            .await?;
        match reply.status {
            207 => {
                let parsed = multistatus::parse(&reply.body, &url).map_err(|source| {
                    DavError::Malformed {
                        url: url.clone(),
                        source,
                    }
                })?;
                return Ok(Ok((url, parsed)));
            }
            301 | 302 | 303 | 307 | 308 => match reply.location {
                Some(to) => {
                    trust.check_redirect(&url, &to)?;
                    url = multistatus::canonical(to);
                }
                None => return Ok(Err(reply.status)),
            },
            status => return Ok(Err(status)),
        }
    }
    Err(DavError::TooManyRedirects(url))
}

fn not_caldav(url: &Url, status: u16) -> DavError {
    match status {
        404 | 405 | 501 => DavError::NotCalDav(url.clone()),
        status => DavError::Status {
            url: url.clone(),
            status,
        },
    }
}

/// The response describing `url` itself, or the only one there is (some servers answer a
/// Depth 0 request with the path they prefer).
fn own_response<'a>(answer: &'a Multistatus, url: &Url) -> Option<&'a Response> {
    answer
        .response_for(url)
        .or_else(|| (answer.responses.len() == 1).then(|| &answer.responses[0]))
}

fn calendar(r: &Response) -> DavCalendar {
    let p = &r.props;
    let fallback_name = || {
        r.href
            .path_segments()
            .and_then(|mut s| s.rfind(|s| !s.is_empty()))
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_else(|| r.href.to_string())
    };
    let writes = ["write", "write-content", "bind", "all"];
    DavCalendar {
        href: r.href.clone(),
        display_name: p.display_name.clone().unwrap_or_else(fallback_name),
        color: p.calendar_color.as_deref().and_then(rgb),
        ctag: p.ctag.clone(),
        sync_token: p.sync_token.clone(),
        read_only: p
            .privileges
            .as_ref()
            .is_some_and(|list| !list.iter().any(|x| writes.contains(&x.as_str()))),
        components: p.components.clone().unwrap_or_default(),
    }
}

/// Calendars that can hold events: task-only and journal-only lists are left out.
fn with_events(calendars: Vec<DavCalendar>) -> Vec<DavCalendar> {
    calendars
        .into_iter()
        .filter(|c| c.components.is_empty() || c.components.iter().any(|x| x == "VEVENT"))
        .collect()
}

/// `#RRGGBB` from `#RRGGBB` or `#RRGGBBAA` (Apple's form), upper-case; anything else is `None`.
pub fn rgb(color: &str) -> Option<String> {
    let hex = color.trim().strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("#{}", hex[..6].to_ascii_uppercase()))
}

/// Where the password may go (see the module header).
#[derive(Debug)]
struct Trust {
    origin: url::Origin,
    https_upgrade: url::Origin,
    host: Option<Host<String>>,
    https: bool,
}

impl Trust {
    fn new(start: &Url) -> Trust {
        let mut upgraded = start.clone();
        let _ = upgraded.set_scheme("https");
        let _ = upgraded.set_port(None);
        Trust {
            origin: start.origin(),
            https_upgrade: upgraded.origin(),
            host: start.host().map(|h| h.to_owned()),
            https: start.scheme() == "https",
        }
    }

    /// May `url` (named by the server the user entered) receive the password?
    fn allows(&self, url: &Url) -> bool {
        let origin = url.origin();
        if origin == self.origin || origin == self.https_upgrade {
            return true;
        }
        // A sibling host of an https site: iCloud's partition hosts.
        let (Some(Host::Domain(mine)), Some(Host::Domain(theirs))) = (&self.host, url.host())
        else {
            return false;
        };
        let parent = mine
            .split_once('.')
            .map(|(_, p)| p)
            .filter(|p| p.contains('.'));
        self.https
            && url.scheme() == "https"
            && url.port().is_none()
            && parent.is_some_and(|p| theirs.ends_with(&format!(".{p}")))
    }

    fn check(&self, url: &Url) -> Result<(), DavError> {
        if self.allows(url) {
            Ok(())
        } else {
            Err(DavError::OtherSite {
                host: url.host_str().unwrap_or("").to_owned(),
            })
        }
    }

    /// A redirect from `from` to `to`: never from https to http.
    fn check_redirect(&self, from: &Url, to: &Url) -> Result<(), DavError> {
        if from.scheme() == "https" && to.scheme() != "https" {
            return Err(DavError::OtherSite {
                host: to.host_str().unwrap_or("").to_owned(),
            });
        }
        self.check(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn what_users_type_becomes_a_start_url() {
        for (typed, expected) in [
            ("caldav.icloud.com", "https://caldav.icloud.com/"),
            (
                "  https://caldav.fastmail.com  ",
                "https://caldav.fastmail.com/",
            ),
            (
                "https://alice:hunter2@cloud.example.com/remote.php/dav#x",
                "https://cloud.example.com/remote.php/dav",
            ),
            (
                "http://127.0.0.1:5232/alice/",
                "http://127.0.0.1:5232/alice/",
            ),
            (
                "https://dav.example.com/cal/a%40b/",
                "https://dav.example.com/cal/a@b/",
            ),
        ] {
            assert_eq!(parse_input(typed).unwrap().as_str(), expected, "{typed}");
        }
        for bad in [
            "",
            "   ",
            "ftp://example.com/",
            "mailto:alice@example.com",
            "alice@example.com",
            "https://",
        ] {
            assert!(
                matches!(parse_input(bad), Err(DavError::InvalidAddress)),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_password_goes_to_the_site_entered_and_its_partition_hosts_only() {
        let icloud = Trust::new(&url("https://caldav.icloud.com/"));
        assert!(icloud.allows(&url("https://caldav.icloud.com/123/principal/")));
        assert!(icloud.allows(&url("https://p56-caldav.icloud.com/123/calendars/")));
        assert!(!icloud.allows(&url("http://p56-caldav.icloud.com/123/calendars/")));
        assert!(!icloud.allows(&url("https://evil.example.com/")));
        assert!(!icloud.allows(&url("https://icloud.com.evil.example/")));
        assert!(!icloud.allows(&url("https://caldav.icloud.com:8443/")));

        // A two-label host has no parent domain to share: only itself.
        let plain = Trust::new(&url("https://example.com/"));
        assert!(!plain.allows(&url("https://other.com/")));
        assert!(!plain.allows(&url("https://a.example.com/")));

        // Loopback and plain http: the same origin, or its https upgrade.
        let local = Trust::new(&url("http://127.0.0.1:5232/"));
        assert!(local.allows(&url("http://127.0.0.1:5232/alice/")));
        assert!(!local.allows(&url("http://127.0.0.1:5233/")));
        assert!(!local.allows(&url("http://localhost:5232/")));
        let http = Trust::new(&url("http://dav.example.com/"));
        assert!(http.allows(&url("https://dav.example.com/")));
        assert!(
            !http.allows(&url("https://p1.example.com/")),
            "not from http"
        );

        let err = icloud
            .check_redirect(
                &url("https://caldav.icloud.com/"),
                &url("http://caldav.icloud.com/"),
            )
            .unwrap_err();
        assert!(matches!(err, DavError::OtherSite { .. }), "{err}");
    }

    #[test]
    fn colours_drop_the_alpha_byte_and_refuse_anything_else() {
        assert_eq!(rgb("#FF2968FF").as_deref(), Some("#FF2968"));
        assert_eq!(rgb("#3a87ad").as_deref(), Some("#3A87AD"));
        for bad in ["", "#", "red", "#12345", "#1234567", "#GGGGGG", "FF2968"] {
            assert_eq!(rgb(bad), None, "{bad}");
        }
    }

    fn listing(body: &str) -> Vec<DavCalendar> {
        let base = url("https://p56-caldav.icloud.com/1234567890/calendars/");
        let ms = multistatus::parse(body.as_bytes(), &base).unwrap();
        with_events(
            ms.responses
                .iter()
                .filter(|r| !multistatus::same_resource(&r.href, &base))
                .filter(|r| r.props.resource_type.is_some_and(|t| t.calendar))
                .map(calendar)
                .collect(),
        )
    }

    #[test]
    fn calendars_from_an_icloud_like_home() {
        let body = r##"<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <response><href>/1234567890/calendars/</href><propstat><prop><resourcetype><collection/></resourcetype></prop></propstat></response>
          <response><href>/1234567890/calendars/home/</href><propstat><prop>
            <displayname>Home</displayname><calendar-color xmlns="http://apple.com/ns/ical/">#FF2968FF</calendar-color>
            <resourcetype><collection/><C:calendar/></resourcetype>
            <C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
            <current-user-privilege-set><privilege><read/></privilege><privilege><write-content/></privilege></current-user-privilege-set>
          </prop><status>HTTP/1.1 200 OK</status></propstat></response>
          <response><href>/1234567890/calendars/reminders/</href><propstat><prop>
            <displayname>Reminders</displayname><resourcetype><collection/><C:calendar/></resourcetype>
            <C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>
          </prop><status>HTTP/1.1 200 OK</status></propstat></response>
          <response><href>/1234567890/calendars/Shared%20Team/</href><propstat><prop>
            <resourcetype><collection/><C:calendar/></resourcetype>
            <current-user-privilege-set><privilege><read/></privilege><privilege><C:read-free-busy/></privilege></current-user-privilege-set>
          </prop><status>HTTP/1.1 200 OK</status></propstat></response>
          <response><href>/1234567890/calendars/inbox/</href><propstat><prop>
            <resourcetype><collection/><C:schedule-inbox/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response>
        </multistatus>"##;
        let found = listing(body);
        assert_eq!(
            found,
            vec![
                DavCalendar {
                    href: url("https://p56-caldav.icloud.com/1234567890/calendars/home/"),
                    display_name: "Home".into(),
                    color: Some("#FF2968".into()),
                    ctag: None,
                    sync_token: None,
                    read_only: false,
                    components: vec!["VEVENT".into(), "VTODO".into()],
                },
                DavCalendar {
                    href: url("https://p56-caldav.icloud.com/1234567890/calendars/Shared%20Team/"),
                    display_name: "Shared Team".into(),
                    color: None,
                    ctag: None,
                    sync_token: None,
                    read_only: true,
                    components: vec![],
                },
            ]
        );
    }
}
