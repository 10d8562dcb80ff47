//! The address of an ICS feed as the user pastes it: `webcal://`/`webcals://` read as
//! `https://`, `http(s)://` kept, anything else refused. Private feed links carry a bearer
//! token in the path or query, so the full address is a secret: [`FeedUrl`] keeps it in
//! [`Sensitive`], shows only [`FeedUrl::redacted`] in `Debug`, and cannot be serialised.

use std::fmt;

use url::Url;

use crate::secrets::Sensitive;

/// Why a pasted feed address was refused. Messages never repeat the address (it may carry a
/// token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedUrlError {
    #[error("the calendar link is empty")]
    Empty,
    #[error("a calendar link must start with https://, http:// or webcal://, not {0}://")]
    UnsupportedScheme(String),
    #[error("the calendar link is not a valid web address ({0})")]
    Invalid(String),
}

/// An ICS feed address: always `http` or `https`, with a host.
#[derive(Clone, PartialEq, Eq)]
pub struct FeedUrl(Sensitive<Url>);

impl FeedUrl {
    /// Reads what a user pasted. `webcal://` is an unofficial alias of "subscribe to this HTTP
    /// feed"; we try `https://` for it (a fallback to plain http would need the user's consent).
    pub fn parse(input: &str) -> Result<FeedUrl, FeedUrlError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(FeedUrlError::Empty);
        }
        let rewritten = ["webcals://", "webcal://"]
            .iter()
            .find_map(|prefix| {
                let head = input.get(..prefix.len())?;
                head.eq_ignore_ascii_case(prefix)
                    .then(|| format!("https://{}", &input[prefix.len()..]))
            })
            .unwrap_or_else(|| input.to_owned());
        let url = Url::parse(&rewritten).map_err(|e| FeedUrlError::Invalid(e.to_string()))?;
        FeedUrl::from_url(url)
    }

    /// Accepts an already parsed address (a redirect target) under the same rules.
    pub fn from_url(mut url: Url) -> Result<FeedUrl, FeedUrlError> {
        match url.scheme() {
            "http" | "https" => {}
            other => {
                return Err(FeedUrlError::UnsupportedScheme(crate::text::one_line(
                    other,
                )))
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(FeedUrlError::Invalid("it has no host".to_owned()));
        }
        // A fragment is never sent to the server; dropping it keeps stored links comparable.
        url.set_fragment(None);
        Ok(FeedUrl(Sensitive::new(url)))
    }

    /// The full address, for the one place that sends it.
    pub fn expose(&self) -> &Url {
        self.0.expose()
    }

    /// A form safe for display and logs: scheme, host and port, and the last path segment
    /// unless it looks like a token; no user name, password, query or middle of the path.
    /// `https://calendar.google.com/calendar/ical/x/private-abc/basic.ics` becomes
    /// `https://calendar.google.com/…/basic.ics`.
    pub fn redacted(&self) -> String {
        let url = self.expose();
        let mut out = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
        if let Some(port) = url.port() {
            out.push_str(&format!(":{port}"));
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|seg| !seg.is_empty()).collect())
            .unwrap_or_default();
        let Some(last) = segments.last() else {
            out.push('/');
            return out;
        };
        if segments.len() > 1 {
            out.push_str("/…");
        }
        if looks_like_token(last) {
            out.push_str("/…");
        } else {
            out.push('/');
            out.push_str(last);
        }
        if url.query().is_some() {
            out.push_str("?…");
        }
        out
    }

    /// The calendar's name when neither the user nor the feed gives one: the host, without a
    /// leading `www.`.
    pub fn default_name(&self) -> String {
        let host = self.expose().host_str().unwrap_or("");
        host.strip_prefix("www.").unwrap_or(host).to_owned()
    }
}

impl fmt::Debug for FeedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FeedUrl({})", self.redacted())
    }
}

/// A path segment we would rather not show: long, or mixing letters and digits the way
/// generated ids do (`basic.ics`, `calendar.ics`, `holidays` pass).
fn looks_like_token(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or(segment);
    let has_digit = stem.chars().any(|c| c.is_ascii_digit());
    let has_letter = stem.chars().any(|c| c.is_alphabetic());
    let is_plain = stem
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    !is_plain || stem.len() >= 20 || (stem.len() >= 8 && has_digit && has_letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webcal_links_become_https_and_http_links_are_kept() {
        let cases = [
            (
                "webcal://example.com/cal.ics",
                "https://example.com/cal.ics",
            ),
            (
                "WEBCALS://example.com/cal.ics",
                "https://example.com/cal.ics",
            ),
            (
                "  https://example.com/a.ics#x \n",
                "https://example.com/a.ics",
            ),
            (
                "http://example.com:8080/a.ics",
                "http://example.com:8080/a.ics",
            ),
        ];
        for (input, expected) in cases {
            let url = FeedUrl::parse(input).unwrap();
            assert_eq!(url.expose().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn other_schemes_and_non_urls_are_refused_with_a_clear_message() {
        let err = FeedUrl::parse("ftp://example.com/a.ics").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a calendar link must start with https://, http:// or webcal://, not ftp://"
        );
        assert!(matches!(
            FeedUrl::parse("file:///etc/passwd"),
            Err(FeedUrlError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            FeedUrl::parse("example.com/cal.ics"),
            Err(FeedUrlError::Invalid(_))
        ));
        assert_eq!(FeedUrl::parse("  "), Err(FeedUrlError::Empty));
    }

    #[test]
    fn redaction_never_shows_the_token_query_or_credentials() {
        let secret = "https://user:pass@calendar.google.com/calendar/ical/me%40gmail.com/\
                      private-0123456789abcdef0123456789abcdef/basic.ics?key=SECRETKEY";
        let url = FeedUrl::parse(secret).unwrap();
        let shown = url.redacted();
        assert_eq!(shown, "https://calendar.google.com/…/basic.ics?…");
        let debug = format!("{url:?}");
        for leak in ["private-0123", "SECRETKEY", "pass", "user", "gmail"] {
            assert!(!shown.contains(leak), "{shown}");
            assert!(!debug.contains(leak), "{debug}");
        }

        // A token as the last segment (Nextcloud public links) is hidden too.
        let url = FeedUrl::parse(
            "https://cloud.example.org/remote.php/dav/public-calendars/Ab3dE9fGh2JkLm?export",
        )
        .unwrap();
        assert_eq!(url.redacted(), "https://cloud.example.org/…/…?…");
        let url = FeedUrl::parse("https://example.org:8443/holidays").unwrap();
        assert_eq!(url.redacted(), "https://example.org:8443/holidays");
        let url = FeedUrl::parse("https://example.org").unwrap();
        assert_eq!(url.redacted(), "https://example.org/");
    }

    #[test]
    fn the_default_name_is_the_host() {
        let url = FeedUrl::parse("webcal://www.example.com/team/rota.ics").unwrap();
        assert_eq!(url.default_name(), "example.com");
        let url = FeedUrl::parse("https://calendar.google.com/x/basic.ics").unwrap();
        assert_eq!(url.default_name(), "calendar.google.com");
    }
}
