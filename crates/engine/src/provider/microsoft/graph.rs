//! Requests to Microsoft Graph: a fresh access token on each (renewed once on a 401), the
//! `Prefer` headers, retries of throttling (429/503 with `Retry-After`), server errors and
//! timeouts through [`with_retries`], a size cap on every body, and Graph's error answers
//! mapped to [`ProviderError`]. Links Graph hands out (`@odata.nextLink`, `@odata.deltaLink`)
//! are followed only to Graph itself, so a bearer token never goes anywhere else.

use url::Url;

use crate::http::{read_body, retry_after, BodyError, Failure, RetryPolicy};
use crate::oauth::{error_chain, get_json, Attempt, Authorizer};
use crate::provider::ProviderError;
use crate::secrets::Sensitive;

/// The largest answer read: a full delta page of events with long HTML bodies is a few MiB.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Talks to one account's Graph.
pub(super) struct Graph {
    base: Url,
    http: reqwest::Client,
    retry: RetryPolicy,
    pub(super) auth: Authorizer,
}

impl Graph {
    pub(super) fn new(base: Url, retry: RetryPolicy, auth: Authorizer) -> Graph {
        Graph {
            base,
            http: retry.client(),
            retry,
            auth,
        }
    }

    /// `base/segments...?query`, each segment percent-encoded (calendar ids hold `=`, `/`…).
    pub(super) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// A link from Graph (or a saved delta link), if it points at Graph: the same scheme,
    /// host and port as the base address.
    pub(super) fn link(&self, link: &str) -> Result<Url, ProviderError> {
        let url = Url::parse(link)
            .map_err(|_| ProviderError::Malformed("a paging link is not a URL".into()))?;
        if url.origin() != self.base.origin() {
            return Err(ProviderError::Malformed(format!(
                "a paging link leads away from Graph (to {})",
                url.host_str()
                    .map(crate::text::one_line)
                    .unwrap_or_default()
            )));
        }
        Ok(url)
    }

    /// GETs a JSON document with the given `Prefer` preferences (one header each, as Graph's
    /// examples send them).
    pub(super) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        prefer: &[String],
    ) -> Result<T, ProviderError> {
        get_json(&self.auth, &self.retry, url, "Microsoft", |token| {
            self.attempt(url, prefer, token)
        })
        .await
    }

    async fn attempt(
        &self,
        url: &Url,
        prefer: &[String],
        token: Sensitive<String>,
    ) -> Result<Vec<u8>, Failure<Attempt>> {
        let network = |e: reqwest::Error| {
            Failure::transient(
                Attempt::Failed(ProviderError::Network(error_chain(&e.without_url()))),
                None,
            )
        };
        let mut request = self.http.get(url.clone()).bearer_auth(token.expose());
        for preference in prefer {
            request = request.header("Prefer", preference);
        }
        let response = request.send().await.map_err(network)?;
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        let body = read_body(response, MAX_BODY).await.map_err(|e| match e {
            BodyError::Network(e) => network(e),
            // Asking again would only bring the same flood.
            e @ BodyError::TooLarge(_) => {
                Failure::fatal(Attempt::Failed(ProviderError::Malformed(e.to_string())))
            }
        })?;
        if status == 200 {
            return Ok(body);
        }
        Err(failure(status, &error_code(&body), wait))
    }
}

/// What a non-200 answer means. Decided by status, not by Graph's error code (the codes vary:
/// `SyncStateNotFound`, `syncStateNotFound`, `resyncRequired` all come as 410), which is only
/// named in the message; Graph's `message` is never shown.
pub(super) fn failure(
    status: u16,
    code: &str,
    wait: Option<std::time::Duration>,
) -> Failure<Attempt> {
    let describe = if code.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status} {}", crate::text::one_line(code))
    };
    let fail = |e: ProviderError| Failure::fatal(Attempt::Failed(e));
    match status {
        401 => Failure::fatal(Attempt::Unauthorized),
        // The delta token is gone (evicted, expired, or the sync state reset): list in full.
        410 => fail(ProviderError::CursorExpired),
        404 => fail(ProviderError::CalendarGone),
        429 => Failure::transient(Attempt::Failed(ProviderError::RateLimited(describe)), wait),
        500..=599 => Failure::transient(Attempt::Failed(ProviderError::Network(describe)), wait),
        _ => fail(ProviderError::Rejected(describe)),
    }
}

/// The `error.code` of a Graph error body (empty when there is none, e.g. a gateway's HTML).
pub(super) fn error_code(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let code = v["error"]["code"].as_str().unwrap_or_default();
    // A code is a short identifier; anything else is not one.
    if code.len() <= 64 {
        code.to_owned()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(f: Failure<Attempt>) -> (bool, Option<std::time::Duration>, String) {
        let text = match f.error {
            Attempt::Unauthorized => "unauthorized".to_owned(),
            Attempt::Failed(e) => format!("{e:?}"),
        };
        (f.retryable, f.retry_after, text)
    }

    #[test]
    fn answers_are_mapped_by_status() {
        let body = br#"{"error": {"code": "SyncStateNotFound", "message": "The sync state generation is not found; secret-ish detail", "innerError": {"date": "2026-11-30T10:00:00", "request-id": "r"}}}"#;
        let code = error_code(body);
        assert_eq!(code, "SyncStateNotFound");
        let (retry, _, text) = error_of(failure(410, &code, None));
        assert!(!retry && text == "CursorExpired", "{text}");
        // Any 410 is an expired cursor, whatever the body.
        assert_eq!(error_of(failure(410, "", None)).2, "CursorExpired");
        let wait = Some(std::time::Duration::from_secs(7));
        let (retry, after, text) = error_of(failure(429, "TooManyRequests", wait));
        assert!(
            retry && after == wait && text.contains("RateLimited"),
            "{text}"
        );
        let (retry, after, text) = error_of(failure(503, "serviceNotAvailable", wait));
        assert!(retry && after == wait && text.contains("Network"), "{text}");
        let (retry, _, _) = error_of(failure(504, &error_code(b"<html>Gateway</html>"), None));
        assert!(retry);
        assert_eq!(
            error_of(failure(401, "InvalidAuthenticationToken", None)).2,
            "unauthorized"
        );
        assert_eq!(
            error_of(failure(404, "ErrorItemNotFound", None)).2,
            "CalendarGone"
        );
        let (retry, _, text) = error_of(failure(403, "ErrorAccessDenied", None));
        assert!(!retry && text.contains("Rejected") && text.contains("ErrorAccessDenied"));
        // Graph's message never reaches our errors.
        assert!(!format!("{:?}", failure(400, &error_code(body), None).error).contains("secret"));
        assert_eq!(
            error_code(format!(r#"{{"error":{{"code":"{}"}}}}"#, "x".repeat(100)).as_bytes()),
            ""
        );
    }
}
