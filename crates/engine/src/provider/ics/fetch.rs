//! One conditional GET of an ICS feed: validators sent (`If-None-Match`, `If-Modified-Since`),
//! 304 or an unchanged content hash reported as "not modified", gzip under a size cap,
//! redirects followed by hand (capped, credentials kept to the feed's own origin), 5xx/429
//! retried under the [`RetryPolicy`], and a body that is not iCalendar refused with a clear
//! error, so an HTML login page can never replace a calendar.

use std::time::Duration;

use reqwest::header::{self, HeaderValue};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use url::Url;

use super::feed_body::{check_icalendar, content_hash, decode_text, read_decompressed, ReadError};
use super::feed_url::FeedUrl;
use super::refresh_interval::suggested_refresh;
use crate::http::{retry_after, with_retries, Failure, RetryPolicy};

/// What the last successful fetch left to compare the next one against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// [`super::feed_body::content_hash`] of the body.
    pub content_hash: Option<String>,
}

/// The bounds of one fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    /// The most body bytes held, after decompression.
    pub max_bytes: usize,
    /// The most redirects followed.
    pub max_redirects: usize,
    /// Retries, the time limit of one request, and (as `sync_deadline`) of the whole fetch.
    pub retry: RetryPolicy,
}

impl FetchLimits {
    /// 20 MiB: the largest real feeds (years of a busy shared calendar) are a few MiB.
    pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;
    /// A few hops cover http→https and a CDN; more is a loop or a trap.
    pub const DEFAULT_MAX_REDIRECTS: usize = 5;

    pub fn new(retry: RetryPolicy) -> Self {
        FetchLimits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_redirects: Self::DEFAULT_MAX_REDIRECTS,
            retry,
        }
    }
}

/// Why a fetch found nothing new (for logs and the benchmark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchanged {
    /// The server answered 304 Not Modified.
    NotModifiedStatus,
    /// The server sent the body again, and it hashes the same.
    SameContent,
}

/// What a fetch found.
#[derive(Debug)]
pub enum FetchOutcome {
    /// Nothing changed since `validators` were saved: no parsing, no database work.
    NotModified {
        why: Unchanged,
        /// The validators to save (a server may send a new ETag with an unchanged body).
        validators: Validators,
        moved_to: Option<FeedUrl>,
    },
    /// A new or changed calendar.
    Body {
        /// The iCalendar text (starts with `BEGIN:VCALENDAR`, byte-order mark removed).
        text: String,
        validators: Validators,
        /// The poll interval the feed suggests, clamped.
        refresh_interval: Option<Duration>,
        moved_to: Option<FeedUrl>,
    },
}

/// Why a fetch failed. Messages show the feed's redacted address only.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the feed {url} needs a login, or the link is no longer valid (HTTP {status})")]
    NeedsLogin { url: String, status: u16 },
    #[error("the feed {url} is gone (HTTP {status}); check the link")]
    Gone { url: String, status: u16 },
    #[error("the feed {url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error(
        "the feed {url} did not send a calendar (content type {}, starting with {first_line:?})",
        content_type.as_deref().unwrap_or("none")
    )]
    NotICalendar {
        url: String,
        content_type: Option<String>,
        first_line: String,
    },
    #[error("the feed {url} is larger than {max_bytes} bytes")]
    TooLarge { url: String, max_bytes: usize },
    #[error("the feed {url} redirected more than {max} times")]
    TooManyRedirects { url: String, max: usize },
    #[error("the feed {url} redirected to an unusable address ({reason})")]
    BadRedirect { url: String, reason: String },
    #[error("the feed {url} sent a body that could not be read ({reason})")]
    BadBody { url: String, reason: String },
    #[error("could not reach the feed {url}: {message}")]
    Network { url: String, message: String },
    #[error("the feed {url} did not answer within {} seconds", .after.as_secs())]
    TimedOut { url: String, after: Duration },
}

impl FetchError {
    /// Worth trying again at the next refresh without the user doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network { .. } | FetchError::TimedOut { .. } => true,
            FetchError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Fetches `url`, conditionally when `validators` are given. `client` must not follow
/// redirects itself ([`RetryPolicy::client`] does not): they are followed here so credentials
/// stay with the feed's origin.
pub async fn fetch(
    client: &reqwest::Client,
    url: &FeedUrl,
    validators: Option<&Validators>,
    limits: &FetchLimits,
) -> Result<FetchOutcome, FetchError> {
    let deadline = limits.retry.sync_deadline;
    let attempts = with_retries(&limits.retry, || attempt(client, url, validators, limits));
    match tokio::time::timeout(deadline, attempts).await {
        Ok(outcome) => outcome,
        Err(_) => Err(FetchError::TimedOut {
            url: url.redacted(),
            after: deadline,
        }),
    }
}

async fn attempt(
    client: &reqwest::Client,
    feed: &FeedUrl,
    validators: Option<&Validators>,
    limits: &FetchLimits,
) -> Result<FetchOutcome, Failure<FetchError>> {
    let shown = feed.redacted();
    // reqwest sends user info in the address as `Authorization: Basic`; every hop's address
    // gets the feed's user info back only on the feed's own origin.
    let mut current = feed.expose().clone();
    let mut hops = 0usize;
    let mut all_permanent = true;
    let response = loop {
        let mut request = client
            .get(current.clone())
            .header(header::ACCEPT, "text/calendar, */*;q=0.5")
            .header(header::ACCEPT_ENCODING, "gzip");
        if let Some(v) = validators {
            if let Some(etag) = v.etag.as_deref().and_then(header_value) {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = v.last_modified.as_deref().and_then(header_value) {
                request = request.header(header::IF_MODIFIED_SINCE, date);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| network_failure(&shown, e))?;
        let status = response.status();
        if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            break response;
        }
        hops += 1;
        if hops > limits.max_redirects {
            return Err(Failure::fatal(FetchError::TooManyRedirects {
                url: shown,
                max: limits.max_redirects,
            }));
        }
        all_permanent &= matches!(status.as_u16(), 301 | 308);
        current = next_hop(&current, feed.expose(), &response).map_err(|reason| {
            Failure::fatal(FetchError::BadRedirect {
                url: shown.clone(),
                reason,
            })
        })?;
    };
    let moved_to = (hops > 0 && all_permanent)
        .then(|| FeedUrl::from_url(current.clone()).ok())
        .flatten();

    let status = response.status();
    let mut fresh = Validators {
        etag: header_text(&response, header::ETAG),
        last_modified: header_text(&response, header::LAST_MODIFIED),
        content_hash: None,
    };
    if status == StatusCode::NOT_MODIFIED {
        let old = validators.cloned().unwrap_or_default();
        fresh.etag = fresh.etag.or(old.etag);
        fresh.last_modified = fresh.last_modified.or(old.last_modified);
        fresh.content_hash = old.content_hash;
        return Ok(FetchOutcome::NotModified {
            why: Unchanged::NotModifiedStatus,
            validators: fresh,
            moved_to,
        });
    }
    if !status.is_success() {
        return Err(status_failure(&shown, status, &response));
    }

    let content_type = header_text(&response, header::CONTENT_TYPE);
    let bytes = read_decompressed(response, limits.max_bytes)
        .await
        .map_err(|e| match e {
            ReadError::TooLarge(max_bytes) => Failure::fatal(FetchError::TooLarge {
                url: shown.clone(),
                max_bytes,
            }),
            ReadError::Network(e) => network_failure(&shown, e),
            other => Failure::fatal(FetchError::BadBody {
                url: shown.clone(),
                reason: other.to_string(),
            }),
        })?;
    let text = decode_text(bytes, content_type.as_deref());
    if let Err(not) = check_icalendar(&text) {
        return Err(Failure::fatal(FetchError::NotICalendar {
            url: shown,
            content_type: content_type.as_deref().map(crate::text::one_line),
            first_line: not.first_line,
        }));
    }
    let hash = content_hash(&text);
    let unchanged = validators.and_then(|v| v.content_hash.as_deref()) == Some(hash.as_str());
    fresh.content_hash = Some(hash);
    if unchanged {
        return Ok(FetchOutcome::NotModified {
            why: Unchanged::SameContent,
            validators: fresh,
            moved_to,
        });
    }
    Ok(FetchOutcome::Body {
        refresh_interval: suggested_refresh(&text),
        text,
        validators: fresh,
        moved_to,
    })
}

/// The redirect target, resolved against the current address. Only http(s) is followed.
/// User info in a `Location` is dropped (credentials come from the user, never from a
/// server), and the feed's own user info goes only to the feed's origin.
fn next_hop(current: &Url, feed: &Url, response: &reqwest::Response) -> Result<Url, String> {
    let location = response
        .headers()
        .get(header::LOCATION)
        .ok_or("no Location header")?
        .to_str()
        .map_err(|_| "a Location that is not text".to_owned())?;
    let mut next = current
        .join(location.trim())
        .map_err(|e| format!("Location is not an address: {e}"))?;
    match next.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "{}: links are not followed",
                crate::text::one_line(other)
            ))
        }
    }
    let same_origin = next.origin() == feed.origin();
    // Neither can fail: http(s) addresses always have a host.
    let _ = next.set_username(if same_origin { feed.username() } else { "" });
    let _ = next.set_password(if same_origin { feed.password() } else { None });
    Ok(next)
}

fn status_failure(
    shown: &str,
    status: StatusCode,
    response: &reqwest::Response,
) -> Failure<FetchError> {
    let url = shown.to_owned();
    let code = status.as_u16();
    match code {
        401 | 403 => Failure::fatal(FetchError::NeedsLogin { url, status: code }),
        404 | 410 => Failure::fatal(FetchError::Gone { url, status: code }),
        429 | 500..=599 => Failure::transient(
            FetchError::Status { url, status: code },
            retry_after(response.headers()),
        ),
        _ => Failure::fatal(FetchError::Status { url, status: code }),
    }
}

/// A request that failed on the way: retried. reqwest's message names the URL, so it is
/// dropped; the redacted address is shown instead.
fn network_failure(shown: &str, error: reqwest::Error) -> Failure<FetchError> {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    Failure::transient(
        FetchError::Network {
            url: shown.to_owned(),
            message: crate::text::one_line(&message),
        },
        None,
    )
}

fn header_text(response: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn header_value(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

#[cfg(test)]
#[path = "fetch_tests.rs"]
mod tests;
