//! Finding the join link of an online meeting in an event's free text (location, description).
//!
//! A small hand-written scanner, no regex: it finds `http(s)://` URLs in plain or HTML text
//! (HTML entities decoded, URLs cut at whitespace, quotes and angle brackets, trailing
//! punctuation trimmed) and keeps the first whose host is a known meeting service, matched by
//! domain suffix on a label boundary (so `zoom.us.evil.com` and `evilzoom.us` do not count) and
//! whose path has the shape of a meeting link. URLs nested inside another URL (redirectors,
//! `?u=https://zoom.us/...`) are not considered. Does no I/O.

/// The first meeting URL found in the given texts (location first, then description), or None.
pub fn find_meeting_url<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<String> {
    texts.into_iter().find_map(|text| {
        let text = crate::html_entities::decode(text);
        let found = urls(&text).find(|url| is_meeting_url(url));
        found
    })
}

/// The URLs in `text`, in order, cleaned.
fn urls(text: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let Some(start) = find_scheme(bytes, at) else {
                at = bytes.len();
                return None;
            };
            let end = bytes[start..]
                .iter()
                .position(|&b| ends_url(b))
                .map_or(bytes.len(), |n| start + n);
            at = end.max(start + 1);
            // Only ASCII bytes were passed, so `start..end` is on char boundaries.
            if let Some(url) = clean(&text[start..end]) {
                return Some(url);
            }
        }
        None
    })
}

/// Index of the next `http://` or `https://` (any case) at or after `from`.
fn find_scheme(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find(|&i| {
        let rest = &bytes[i..];
        starts_with_ignore_case(rest, b"https://") || starts_with_ignore_case(rest, b"http://")
    })
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Bytes that cannot be part of a URL in running text: whitespace, controls, quotes, angle
/// brackets, backquote and anything non-ASCII (meeting links are ASCII; this also stops at
/// `&nbsp;` once decoded, and at full-width punctuation).
fn ends_url(b: u8) -> bool {
    b <= b' ' || b >= 0x7f || matches!(b, b'<' | b'>' | b'"' | b'\'' | b'`' | b'\\' | b'|' | b'^')
}

/// Trims trailing punctuation (keeping a closing bracket whose opening one is in the URL) and
/// decodes a left-over `&amp;` from doubly encoded HTML.
fn clean(raw: &str) -> Option<String> {
    let mut url = raw.replace("&amp;", "&");
    loop {
        let last = url.chars().last()?;
        let unbalanced = |open: char| url.matches(open).count() < url.matches(last).count();
        let trim = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' | '&' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            '}' => unbalanced('{'),
            _ => false,
        };
        if !trim {
            break;
        }
        url.pop();
    }
    Some(url)
}

/// Host (lower case, without user info, port or trailing dot) and path (from the first `/`,
/// without query or fragment) of an `http(s)://` URL.
fn host_and_path(url: &str) -> Option<(String, &str)> {
    let rest = url.split_once("://")?.1;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.split(':').next()?.trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    let after = &rest[authority_end..];
    let path = if after.starts_with('/') {
        &after[..after.find(['?', '#']).unwrap_or(after.len())]
    } else {
        ""
    };
    Some((host.to_ascii_lowercase(), path))
}

/// `host` is `domain` or a subdomain of it.
fn in_domain(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain)
        .is_some_and(|prefix| prefix.is_empty() || prefix.ends_with('.'))
}

fn is_meeting_url(url: &str) -> bool {
    let Some((host, path)) = host_and_path(url) else {
        return false;
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let first = segments.first().map(|s| s.to_ascii_lowercase());
    let first = first.as_deref();
    let has_second = segments.len() >= 2;
    let lower_path = path.to_ascii_lowercase();
    let in_any = |domains: &[&str]| domains.iter().any(|d| in_domain(&host, d));

    if host == "meet.google.com" {
        // `abc-defg-hij`, or `lookup/<name>`.
        return first.is_some_and(|f| f != "_meet" && f.len() >= 3);
    }
    if in_any(&["zoom.us", "zoomgov.com", "zoom.com"]) {
        return matches!(first, Some("j" | "my" | "w" | "s" | "wc")) && has_second;
    }
    if in_any(&["teams.microsoft.com", "teams.microsoft.us"]) {
        return lower_path.starts_with("/l/meetup-join/") || lower_path.starts_with("/meet/");
    }
    if in_domain(&host, "teams.live.com") {
        return lower_path.starts_with("/meet/");
    }
    if in_domain(&host, "webex.com") {
        return (matches!(first, Some("meet" | "join" | "wbxmjs")) && has_second)
            || segments.iter().any(|s| s.eq_ignore_ascii_case("j.php"));
    }
    if in_domain(&host, "gotomeeting.com") {
        return first == Some("join") && has_second;
    }
    if in_domain(&host, "meet.goto.com") {
        return first.is_some();
    }
    if in_any(&["whereby.com", "meet.jit.si", "chime.aws", "join.skype.com"]) {
        return first.is_some();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(texts: &[&str]) -> Option<String> {
        find_meeting_url(texts.iter().copied())
    }

    fn one(text: &str) -> Option<String> {
        find(&[text])
    }

    #[test]
    fn google_meet() {
        assert_eq!(
            one("Join: https://meet.google.com/abc-defg-hij"),
            Some("https://meet.google.com/abc-defg-hij".into())
        );
        assert_eq!(
            one("https://meet.google.com/abc-defg-hij?authuser=0&hs=122"),
            Some("https://meet.google.com/abc-defg-hij?authuser=0&hs=122".into())
        );
        assert_eq!(one("https://meet.google.com/"), None);
    }

    #[test]
    fn zoom_forms() {
        for url in [
            "https://us02web.zoom.us/j/81234567890?pwd=aBcDeFgHiJkLmNoP.1",
            "https://zoom.us/j/81234567890",
            "https://company.zoom.us/my/jane.doe",
            "https://zoom.us/w/98765432101?tk=abc",
            "https://agency.zoomgov.com/j/1601234567",
            "http://zoom.us/j/123",
            "HTTPS://Zoom.US/j/123",
        ] {
            assert_eq!(
                one(&format!("Zoom: {url} (passcode 1234)")),
                Some(url.into()),
                "{url}"
            );
        }
        assert_eq!(one("https://zoom.us/pricing"), None);
        assert_eq!(one("https://zoom.us/j/"), None);
    }

    #[test]
    fn teams_forms() {
        let long = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZTk0YjItYjM0Ny00%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22a1b2c3%22%7d";
        assert_eq!(
            one(&format!(
                "Microsoft Teams meeting\nJoin on your computer\n<{long}>\nMeeting ID: 1"
            )),
            Some(long.into())
        );
        assert_eq!(
            one("Click https://teams.live.com/meet/9312345678901?p=AbCdEf."),
            Some("https://teams.live.com/meet/9312345678901?p=AbCdEf".into())
        );
        assert_eq!(
            one("https://teams.microsoft.com/meet/2345678901234?p=xYz"),
            Some("https://teams.microsoft.com/meet/2345678901234?p=xYz".into())
        );
        assert_eq!(one("https://teams.microsoft.com/l/channel/19%3a123"), None);
    }

    #[test]
    fn webex_forms() {
        for url in [
            "https://acme.webex.com/meet/jdoe",
            "https://acme.webex.com/join/jdoe",
            "https://acme.webex.com/acme/j.php?MTID=m1234567890abcdef",
            "https://acme.webex.com/wbxmjs/joinservice/sites/acme/meeting/download/abc",
        ] {
            assert_eq!(one(url), Some(url.into()), "{url}");
        }
        assert_eq!(one("https://www.webex.com/pricing"), None);
    }

    #[test]
    fn other_services() {
        for url in [
            "https://meet.jit.si/MyTeamStandup",
            "https://whereby.com/my-room",
            "https://global.gotomeeting.com/join/123456789",
            "https://meet.goto.com/123456789",
            "https://chime.aws/1234567890",
            "https://join.skype.com/AbCdEfGh",
        ] {
            assert_eq!(one(url), Some(url.into()), "{url}");
        }
    }

    #[test]
    fn html_descriptions_and_entities() {
        let html = r#"<p>Hi!<br>Join <a href="https://us02web.zoom.us/j/812?pwd=ab&amp;uname=x">here</a><br/>Thanks</p>"#;
        assert_eq!(
            one(html),
            Some("https://us02web.zoom.us/j/812?pwd=ab&uname=x".into())
        );
        let single = "<a href='https://meet.google.com/abc-defg-hij'>Meet</a>";
        assert_eq!(
            one(single),
            Some("https://meet.google.com/abc-defg-hij".into())
        );
        let escaped = "Join &lt;https://zoom.us/j/123?pwd=a&amp;amp;b=c&gt;&nbsp;now";
        assert_eq!(one(escaped), Some("https://zoom.us/j/123?pwd=a&b=c".into()));
        let numeric = "https://zoom.us/j/123?a=1&#38;b=2&#x26;c=3<br>";
        assert_eq!(
            one(numeric),
            Some("https://zoom.us/j/123?a=1&b=2&c=3".into())
        );
    }

    #[test]
    fn trailing_punctuation_is_trimmed() {
        let url = "https://meet.google.com/abc-defg-hij";
        for text in [
            format!("({url})"),
            format!("{url}."),
            format!("{url},"),
            format!("{url};"),
            format!("<{url}>"),
            format!("\"{url}\""),
            format!("'{url}'"),
            format!("[Join]({url})"),
            format!("{url}!?"),
            format!("{url}\u{3002}"),
            format!("{url}\u{a0}next"),
        ] {
            assert_eq!(one(&text), Some(url.into()), "{text}");
        }
        // A bracket the URL opened stays.
        assert_eq!(
            one("https://whereby.com/room(1)."),
            Some("https://whereby.com/room(1)".into())
        );
    }

    #[test]
    fn lookalike_hosts_do_not_match() {
        for text in [
            "https://zoom.us.evil.com/j/1",
            "https://evilzoom.us/j/1",
            "https://meet.google.com.evil.com/abc-defg-hij",
            "https://zoom.us@evil.com/j/1",
            "https://evil.com/zoom.us/j/1",
            "https://evil.com/?u=https://zoom.us/j/1",
            "https://teams.microsoft.com.evil.com/l/meetup-join/1",
            "ftp://zoom.us/j/1",
            "zoom.us/j/1",
        ] {
            assert_eq!(one(text), None, "{text}");
        }
        // User info and port do not hide a real host.
        assert_eq!(
            one("https://user@zoom.us:443/j/1"),
            Some("https://user@zoom.us:443/j/1".into())
        );
    }

    #[test]
    fn first_match_in_text_order_skipping_other_links() {
        let text = "Agenda: https://docs.google.com/document/d/1 then https://zoom.us/j/2 or https://meet.google.com/abc-defg-hij";
        assert_eq!(one(text), Some("https://zoom.us/j/2".into()));
    }

    #[test]
    fn location_preferred_over_description() {
        assert_eq!(
            find(&[
                "https://meet.google.com/abc-defg-hij",
                "Join https://zoom.us/j/1"
            ]),
            Some("https://meet.google.com/abc-defg-hij".into())
        );
        assert_eq!(
            find(&["Room 4.12, Building B", "Join https://zoom.us/j/1"]),
            Some("https://zoom.us/j/1".into())
        );
    }

    #[test]
    fn none_found() {
        assert_eq!(find(&[]), None);
        assert_eq!(
            find(&["", "No link here, call +1 555 0100 &amp; ask"]),
            None
        );
        assert_eq!(one("https://"), None);
        assert_eq!(one("https:// zoom.us/j/1"), None);
        assert_eq!(one("&#xZZ; &#99999999; &unknown; https"), None);
    }
}
