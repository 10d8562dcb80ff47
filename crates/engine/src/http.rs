//! HTTP plumbing shared by the providers: one client with timeouts, the retry policy
//! (exponential backoff with jitter, honouring `Retry-After`) built on the backon crate, and
//! reading a response body streamed, never past a size cap.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

/// How often and how patiently a request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: usize,
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// A server's `Retry-After` is honoured up to this long.
    pub max_retry_after: Duration,
    /// Time limit of one request.
    pub timeout: Duration,
    /// Time limit of one account's whole sync, every request and retry included, so a server
    /// that never stops answering cannot keep the account locked.
    pub sync_deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
            // Ten minutes: a first sync of a few calendars of 10,000s of events takes seconds
            // to a minute even on a slow line; far beyond that, something is wrong.
            sync_deadline: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// The defaults, with `CALBUDDY_HTTP_TIMEOUT_SECS`, `CALBUDDY_RETRY_BASE_MS` and
    /// `CALBUDDY_SYNC_DEADLINE_SECS` applied (for slow networks, and for tests that should not
    /// wait).
    pub fn from_env() -> Self {
        let mut policy = RetryPolicy::default();
        let read = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        if let Some(secs) = read("CALBUDDY_HTTP_TIMEOUT_SECS").filter(|s| *s > 0) {
            policy.timeout = Duration::from_secs(secs);
        }
        if let Some(ms) = read("CALBUDDY_RETRY_BASE_MS") {
            policy.min_delay = Duration::from_millis(ms);
            policy.max_delay = Duration::from_millis(ms.saturating_mul(60)).max(policy.min_delay);
        }
        if let Some(secs) = read("CALBUDDY_SYNC_DEADLINE_SECS").filter(|s| *s > 0) {
            policy.sync_deadline = Duration::from_secs(secs);
        }
        policy
    }

    /// A client for requests under this policy that follows no redirect: none of the APIs we
    /// call redirect, and an OAuth endpoint that does is misconfigured.
    pub fn client(&self) -> reqwest::Client {
        self.client_with(Redirects::None)
    }

    /// A client for requests under this policy, following redirects as `redirects` says.
    pub fn client_with(&self, redirects: Redirects) -> reqwest::Client {
        self.client_builder(redirects).build().unwrap_or_default()
    }

    /// The builder of [`RetryPolicy::client_with`], for a caller that adds to it (a test's
    /// DNS overrides).
    pub fn client_builder(&self, redirects: Redirects) -> reqwest::ClientBuilder {
        let redirect = match redirects {
            Redirects::None => reqwest::redirect::Policy::none(),
            // reqwest's own limited policy drops `Authorization`, cookies and the proxy and
            // WWW-Authenticate headers on every hop to another host or port
            // (`redirect::remove_sensitive_headers`), so credentials stay with the origin
            // they were meant for; tests/redirects.rs checks it.
            Redirects::Limited(hops) => reqwest::redirect::Policy::limited(hops),
        };
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .redirect(redirect)
            .user_agent(concat!("calendar-buddy/", env!("CARGO_PKG_VERSION")))
    }
}

/// Which redirects a client follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// None: a redirect is returned as the answer (OAuth endpoints and calendar APIs).
    None,
    /// At most this many hops (CalDAV `.well-known` discovery, ICS feed links), with
    /// credentials never sent to another host.
    Limited(usize),
}

/// A failed attempt: retry it (after `retry_after` if the server said so), or give up.
#[derive(Debug)]
pub struct Failure<E> {
    pub error: E,
    pub retryable: bool,
    pub retry_after: Option<Duration>,
}

impl<E> Failure<E> {
    pub fn fatal(error: E) -> Self {
        Failure {
            error,
            retryable: false,
            retry_after: None,
        }
    }

    pub fn transient(error: E, retry_after: Option<Duration>) -> Self {
        Failure {
            error,
            retryable: true,
            retry_after,
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the retries are used up.
pub async fn with_retries<T, E, F, Fut>(policy: &RetryPolicy, attempt: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure<E>>>,
{
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.min_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.retries)
        .with_jitter();
    let cap = policy.max_retry_after;
    attempt
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|f: &Failure<E>| f.retryable)
        // Once the backoff is used up (`None`) stop, whatever the server asked for.
        .adjust(move |f: &Failure<E>, next| next.map(|d| f.retry_after.map_or(d, |r| r.min(cap))))
        .notify(|_, delay| tracing::debug!(?delay, "retrying request"))
        .await
        .map_err(|f| f.error)
}

/// Reads `Retry-After` given in seconds (the HTTP-date form is rare on APIs; it falls back to
/// the backoff).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Why a response body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the answer is larger than {}", size(*.0))]
    TooLarge(usize),
    #[error(transparent)]
    Network(#[from] reqwest::Error),
}

fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads the body chunk by chunk and stops as soon as it would exceed `cap` bytes (at once if
/// `Content-Length` says so), so a server can never make us hold more than `cap` in memory.
pub async fn read_body(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    let declared = response.content_length().unwrap_or(0);
    if declared > cap as u64 {
        return Err(BodyError::TooLarge(cap));
    }
    let mut body = Vec::with_capacity(declared as usize);
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Serves one connection: `head`, then `body_len` bytes of body, then keeps it open.
    async fn serve_once(head: String, body_len: usize) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let _ = stream.write_all(head.as_bytes()).await;
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < body_len {
                let n = chunk.len().min(body_len - sent);
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return; // The reader gave up: what we want.
                }
                sent += n;
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        url
    }

    async fn fetch(url: &str) -> reqwest::Response {
        RetryPolicy::default()
            .client()
            .get(url)
            .send()
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_streamed_body_is_cut_off_at_the_cap() {
        const MIB: usize = 1024 * 1024;
        let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_owned();
        let url = serve_once(head, 3 * MIB).await;
        let err = read_body(fetch(&url).await, MIB).await.unwrap_err();
        assert!(matches!(err, BodyError::TooLarge(MIB)), "{err:?}");
        assert_eq!(err.to_string(), "the answer is larger than 1 MiB");

        let head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".to_owned();
        let url = serve_once(head, 10).await;
        assert_eq!(
            read_body(fetch(&url).await, 10).await.unwrap(),
            b"xxxxxxxxxx"
        );
    }

    #[tokio::test]
    async fn a_declared_length_above_the_cap_is_refused_before_reading() {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".to_owned();
        // The body never comes: only the declared length can end this quickly.
        let url = serve_once(head, 0).await;
        let read = read_body(fetch(&url).await, 4000);
        let err = tokio::time::timeout(Duration::from_secs(5), read)
            .await
            .expect("refused without waiting for the body")
            .unwrap_err();
        assert_eq!(err.to_string(), "the answer is larger than 4000 bytes");
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            retries: 3,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        }
    }

    #[tokio::test]
    async fn retries_transient_failures_then_succeeds() {
        let calls = AtomicUsize::new(0);
        let out: Result<u32, &str> = with_retries(&quick(), || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(Failure::transient("busy", None))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(out, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn gives_up_after_the_retries_and_never_retries_fatal_errors() {
        let calls = AtomicUsize::new(0);
        let out: Result<(), &str> = with_retries(&quick(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::transient("busy", Some(Duration::from_millis(1))))
        })
        .await;
        assert_eq!(out, Err("busy"));
        assert_eq!(calls.load(Ordering::SeqCst), 4);

        calls.store(0, Ordering::SeqCst);
        let out: Result<(), &str> = with_retries(&quick(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Failure::fatal("bad request"))
        })
        .await;
        assert_eq!(out, Err("bad request"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn honours_retry_after() {
        let start = tokio::time::Instant::now();
        let calls = AtomicUsize::new(0);
        let _: Result<(), &str> = with_retries(&quick(), || async {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(Failure::transient(
                    "slow down",
                    Some(Duration::from_secs(7)),
                ))
            } else {
                Ok(())
            }
        })
        .await;
        assert!(start.elapsed() >= Duration::from_secs(7));
    }
}
