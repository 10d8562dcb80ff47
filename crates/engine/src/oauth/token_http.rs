//! The HTTP client the oauth2 crate uses for a token endpoint: like the calendar API
//! requests, it retries 5xx and 429 answers (honouring `Retry-After`) and network failures,
//! reads at most a small body, and reports a server that is down as such rather than as an
//! answer that "is not valid JSON".

use std::future::Future;
use std::pin::Pin;

use oauth2::http::{self, StatusCode};
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use super::error_chain;
use crate::http::{read_body, retry_after, with_retries, BodyError, Failure, RetryPolicy};

/// A token answer is a few hundred bytes; 64 KiB is plenty for any error page too.
const MAX_TOKEN_BODY: usize = 64 * 1024;

/// Why a request to the token endpoint failed (after the retries). Never holds a token: the
/// request and response bodies are not part of any message.
#[derive(Debug, thiserror::Error)]
pub enum TokenHttpError {
    /// A status with no OAuth error body: a server error or rate limit still there after the
    /// retries, or a page that is not JSON.
    #[error("the sign-in server answered {status} {reason}")]
    Status { status: u16, reason: &'static str },
    #[error("{0}")]
    Network(String),
    #[error("the sign-in server's answer is too large: {0}")]
    TooLarge(String),
}

/// Sends token requests under a retry policy.
pub struct TokenHttp {
    http: reqwest::Client,
    retry: RetryPolicy,
}

impl TokenHttp {
    pub fn new(retry: RetryPolicy) -> Self {
        TokenHttp {
            http: retry.client(),
            retry,
        }
    }

    async fn attempt(
        &self,
        request: &HttpRequest,
    ) -> Result<HttpResponse, Failure<TokenHttpError>> {
        let mut builder = self
            .http
            .request(request.method().clone(), request.uri().to_string())
            .body(request.body().clone());
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        let network = |e: reqwest::Error| {
            Failure::transient(TokenHttpError::Network(error_chain(&e.without_url())), None)
        };
        let response = builder.send().await.map_err(network)?;
        let status = response.status();
        let headers = response.headers().clone();
        let answered = TokenHttpError::Status {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("error"),
        };
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Failure::transient(answered, retry_after(&headers)));
        }
        let body = read_body(response, MAX_TOKEN_BODY)
            .await
            .map_err(|e| match e {
                BodyError::Network(e) => network(e),
                e @ BodyError::TooLarge(_) => {
                    Failure::fatal(TokenHttpError::TooLarge(e.to_string()))
                }
            })?;
        // An OAuth error comes as JSON; any other page only tells its status.
        let json = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
        if status != StatusCode::OK && !json {
            return Err(Failure::fatal(answered));
        }
        let mut out = http::Response::builder().status(status);
        for (name, value) in &headers {
            out = out.header(name, value);
        }
        out.body(body)
            .map_err(|e| Failure::fatal(TokenHttpError::Network(e.to_string())))
    }
}

impl<'c> AsyncHttpClient<'c> for TokenHttp {
    type Error = TokenHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TokenHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move { with_retries(&self.retry, || self.attempt(&request)).await })
    }
}
