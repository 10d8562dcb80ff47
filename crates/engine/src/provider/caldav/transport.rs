//! One WebDAV request: method, `Depth`, an XML body with its content type, credentials when
//! the caller allows them, retries for timeouts, 5xx and 429 (with `Retry-After`), and the
//! answer read under the multistatus size cap. Redirects are returned, not followed: the caller
//! decides where to go and whether the password may go along (an HTTP client's own redirect may
//! also turn a PROPFIND into a GET).
//!
//! Authentication: Basic is sent with the first request to an origin (no extra round trip for
//! the servers that use it). A 401 carrying a Digest challenge (RFC 7616) is answered once with
//! Digest, and that origin's challenge is remembered so later requests send Digest at once with
//! the next nonce count (`digest`). Only a `stale=true` nonce (or a new realm) earns one more
//! try; any other 401 is [`DavError::Unauthorized`], never a loop.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use super::digest::{self, AuthChallenge, DigestSessions, Offer};
use super::error::DavError;
use super::multistatus::MAX_MULTISTATUS_BYTES;
use super::xml;
use crate::http::{
    read_body, retry_after, with_retries, BodyError, Failure, Redirects, RetryPolicy,
};
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

/// Test-only network settings for [`DavClient::on_network`]: DNS overrides (a host name and the
/// address it resolves to; the address's port is used when the URL names none) and extra
/// root certificates to trust.
#[derive(Debug, Clone, Default)]
pub struct LocalNetwork {
    pub resolve: Vec<(String, SocketAddr)>,
    pub root_certificates: Vec<reqwest::Certificate>,
}

/// Sends WebDAV requests for one account. Clones share the Digest challenges answered so far.
#[derive(Debug, Clone)]
pub struct DavClient {
    http: reqwest::Client,
    credentials: Credentials,
    policy: RetryPolicy,
    digest: Arc<DigestSessions>,
}

/// How a request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sent {
    Nothing,
    Basic,
    /// Digest under this realm.
    Digest(String),
}

/// One request's outcome once the retries are done: an answer, or a 401 with its challenges.
enum Exchange {
    Answered(Reply),
    Refused {
        sent: Sent,
        challenges: Vec<AuthChallenge>,
    },
}

/// A request is sent at most this often because of 401s: once as it comes, once more to answer
/// a Digest challenge.
const AUTH_ROUNDS: usize = 2;

impl DavClient {
    /// A client under `policy` that follows no redirect by itself.
    pub fn new(credentials: Credentials, policy: RetryPolicy) -> DavClient {
        DavClient {
            http: policy.client(),
            credentials,
            policy,
            digest: Arc::default(),
        }
    }

    /// A client like [`DavClient::new`] that reaches the host names in `network` at fixed
    /// addresses and trusts its certificates: how tests talk to a local server under names such
    /// as `caldav.icloud.test` and `p07-caldav.icloud.test`, over https, so discovery's rules
    /// for partition hosts run as they would against iCloud. Nothing a user sets leads here.
    pub fn on_network(
        credentials: Credentials,
        policy: RetryPolicy,
        network: &LocalNetwork,
    ) -> Result<DavClient, reqwest::Error> {
        let mut builder = policy.client_builder(Redirects::None);
        for (host, addr) in &network.resolve {
            builder = builder.resolve(host, *addr);
        }
        for certificate in &network.root_certificates {
            builder = builder.add_root_certificate(certificate.clone());
        }
        Ok(DavClient {
            http: builder.build()?,
            credentials,
            policy,
            digest: Arc::default(),
        })
    }

    /// Sends `method` (PROPFIND, REPORT) with `body` to `url`; credentials go along only when
    /// `authenticate` is set (see the module header for Basic and Digest). A 401 that no
    /// Digest answer can settle is [`DavError::Unauthorized`] ([`DavError::DigestNotSupported`]
    /// when the server asks only for a Digest we cannot compute); every other status comes back
    /// in the [`Reply`].
    pub async fn send(
        &self,
        method: Method,
        url: &Url,
        depth: Depth,
        body: &str,
        authenticate: bool,
    ) -> Result<Reply, DavError> {
        for _ in 0..AUTH_ROUNDS {
            let (sent, challenges) = match self
                .exchange(&method, url, depth, body, authenticate)
                .await?
            {
                Exchange::Answered(reply) => return Ok(reply),
                Exchange::Refused { sent, challenges } => (sent, challenges),
            };
            if sent == Sent::Nothing {
                return Err(DavError::Unauthorized);
            }
            let challenge = match digest::offer(&challenges) {
                Offer::Digest(challenge) => challenge,
                Offer::None => return Err(DavError::Unauthorized),
                // Basic was refused with a Basic challenge: the password is wrong. Only Digest
                // on offer, none of it computable: the password may well be right.
                Offer::Unsupported if challenges.iter().any(|c| c.scheme == "basic") => {
                    return Err(DavError::Unauthorized)
                }
                Offer::Unsupported => return Err(DavError::DigestNotSupported),
            };
            // After a Digest attempt, only an expired nonce or another realm is worth a new
            // try; anything else means the user name or password is wrong (RFC 7616 §3.3).
            let worth_a_try = match &sent {
                Sent::Digest(realm) => challenge.stale() || challenge.realm() != realm,
                _ => true,
            };
            if !worth_a_try {
                return Err(DavError::Unauthorized);
            }
            self.digest.remember(url, challenge);
        }
        Err(DavError::Unauthorized)
    }

    /// Sends the request, retrying transient failures; a 401 ends it with the challenges.
    async fn exchange(
        &self,
        method: &Method,
        url: &Url,
        depth: Depth,
        body: &str,
        authenticate: bool,
    ) -> Result<Exchange, DavError> {
        with_retries(&self.policy, || async {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header("Depth", depth.header())
                .header(CONTENT_TYPE, HeaderValue::from_static(xml::CONTENT_TYPE))
                .body(body.to_owned());
            // Computed per attempt: every retry counts one more use of the nonce.
            let mut sent = Sent::Nothing;
            if authenticate {
                match self.digest.authorization(
                    &self.credentials,
                    method.as_str(),
                    url,
                    body.as_bytes(),
                ) {
                    Some((value, realm)) => {
                        request = request.header(AUTHORIZATION, value);
                        sent = Sent::Digest(realm);
                    }
                    None => {
                        request = request.basic_auth(
                            &self.credentials.username,
                            Some(self.credentials.password.expose()),
                        );
                        sent = Sent::Basic;
                    }
                }
            }
            let response = request.send().await.map_err(|e| network(url, e))?;
            let status = response.status();
            tracing::debug!(%url, %method, status = status.as_u16(), "WebDAV request");
            if status == StatusCode::UNAUTHORIZED {
                let challenges = digest::challenges(response.headers());
                return Ok(Exchange::Refused { sent, challenges });
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
            Ok(Exchange::Answered(Reply {
                status: status.as_u16(),
                location,
                body,
            }))
        })
        .await
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
