//! One WebDAV request: method, `Depth`, an XML body with its content type, Basic credentials
//! when the caller allows them, retries for timeouts, 5xx and 429 (with `Retry-After`), and the
//! answer read under the multistatus size cap. Redirects are returned, not followed: the caller
//! decides where to go and whether the password may go along (an HTTP client's own redirect may
//! also turn a PROPFIND into a GET).

use reqwest::header::{HeaderValue, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, StatusCode};
use url::Url;

use super::error::DavError;
use super::multistatus::MAX_MULTISTATUS_BYTES;
use super::xml;
use crate::http::{read_body, retry_after, with_retries, BodyError, Failure, RetryPolicy};
use crate::secrets::Sensitive;

/// A CalDAV account's user name and password (for iCloud an app-specific password).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: Sensitive<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    Zero,
    One,
}

impl Depth {
    fn header(self) -> &'static str {
        match self {
            Depth::Zero => "0",
            Depth::One => "1",
        }
    }
}

/// What the server answered.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// `Location`, resolved against the request URL.
    pub location: Option<Url>,
    pub body: Vec<u8>,
}

/// The WebDAV method PROPFIND (RFC 4918 §9.1).
pub fn propfind() -> Method {
    Method::from_bytes(b"PROPFIND").expect("PROPFIND is a valid method token")
}

/// The WebDAV method REPORT (RFC 3253 §3.6; sync-collection, calendar-multiget).
pub fn report() -> Method {
    Method::from_bytes(b"REPORT").expect("REPORT is a valid method token")
}

/// Sends WebDAV requests for one account.
#[derive(Debug, Clone)]
pub struct DavClient {
    http: reqwest::Client,
    credentials: Credentials,
    policy: RetryPolicy,
}

impl DavClient {
    /// A client under `policy` that follows no redirect by itself.
    pub fn new(credentials: Credentials, policy: RetryPolicy) -> DavClient {
        DavClient {
            http: policy.client(),
            credentials,
            policy,
        }
    }

    /// Sends `method` (PROPFIND, REPORT) with `body` to `url`; Basic credentials go along only
    /// when `authenticate` is set. A 401 is [`DavError::Unauthorized`] (or
    /// [`DavError::DigestNotSupported`] when the server offers Digest only); every other status
    /// comes back in the [`Reply`].
    pub async fn send(
        &self,
        method: Method,
        url: &Url,
        depth: Depth,
        body: &str,
        authenticate: bool,
    ) -> Result<Reply, DavError> {
        let reply = with_retries(&self.policy, || async {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header("Depth", depth.header())
                .header(CONTENT_TYPE, HeaderValue::from_static(xml::CONTENT_TYPE))
                .body(body.to_owned());
            if authenticate {
                request = request.basic_auth(
                    &self.credentials.username,
                    Some(self.credentials.password.expose()),
                );
            }
            let response = request.send().await.map_err(|e| network(url, e))?;
            let status = response.status();
            tracing::debug!(%url, %method, status = status.as_u16(), "WebDAV request");
            if status == StatusCode::UNAUTHORIZED {
                return Err(Failure::fatal(unauthorized(response.headers())));
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                let wait = retry_after(response.headers());
                let error = DavError::Status {
                    url: url.clone(),
                    status: status.as_u16(),
                };
                // 507 is the RFC 6578 truncation signal when the whole answer carries it.
                if status != StatusCode::INSUFFICIENT_STORAGE {
                    return Err(Failure::transient(error, wait));
                }
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok());
            let body = read_body(response, MAX_MULTISTATUS_BYTES)
                .await
                .map_err(|e| match e {
                    BodyError::TooLarge(cap) => Failure::fatal(DavError::Malformed {
                        url: url.clone(),
                        source: super::multistatus::XmlError::TooLarge(cap),
                    }),
                    BodyError::Network(e) => network(url, e),
                })?;
            Ok(Reply {
                status: status.as_u16(),
                location,
                body,
            })
        })
        .await?;
        Ok(reply)
    }
}

/// A 401: the password is wrong, unless the server only speaks Digest.
fn unauthorized(headers: &reqwest::header::HeaderMap) -> DavError {
    let schemes: Vec<String> = headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.trim_start().to_ascii_lowercase())
        .collect();
    let digest_only = !schemes.is_empty()
        && schemes.iter().any(|s| s.starts_with("digest"))
        && !schemes.iter().any(|s| s.starts_with("basic"));
    if digest_only {
        DavError::DigestNotSupported
    } else {
        DavError::Unauthorized
    }
}

/// A transport failure, worded without the URL reqwest would add (we name it ourselves).
fn network(url: &Url, e: reqwest::Error) -> Failure<DavError> {
    let transient = e.is_timeout() || e.is_connect() || e.is_request() || e.is_body();
    let error = DavError::Network {
        url: url.clone(),
        message: e.without_url().to_string(),
        transient,
    };
    if transient {
        Failure::transient(error, None)
    } else {
        Failure::fatal(error)
    }
}
