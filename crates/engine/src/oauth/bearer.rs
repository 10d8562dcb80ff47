//! One authorised API request, the same for every OAuth provider: a fresh access token, the
//! attempt retried under the retry policy, a 401 answered by renewing the token once (a second
//! 401 with a token just renewed means the grant is no good), and the body read as JSON.

use std::future::Future;

use serde::de::DeserializeOwned;
use url::Url;

use super::Authorizer;
use crate::http::{with_retries, Failure, RetryPolicy};
use crate::provider::ProviderError;
use crate::secrets::Sensitive;

/// How one attempt at a request went wrong.
#[derive(Debug)]
pub enum Attempt {
    /// 401: the access token must be renewed, then the request tried again.
    Unauthorized,
    Failed(ProviderError),
}

/// GETs `url` through `attempt` (one try with the given access token, returning the body) and
/// reads the body as `T`. `service` names the provider in the error a refused renewed token
/// gives. A cut-off or garbled body fails the call: nothing half-read is used.
pub async fn get_json<T, F, Fut>(
    auth: &Authorizer,
    retry: &RetryPolicy,
    url: &Url,
    service: &str,
    attempt: F,
) -> Result<T, ProviderError>
where
    T: DeserializeOwned,
    F: Fn(Sensitive<String>) -> Fut,
    Fut: Future<Output = Result<Vec<u8>, Failure<Attempt>>>,
{
    let mut renewed = false;
    loop {
        let token = auth.access_token().await?;
        match with_retries(retry, || attempt(token.clone())).await {
            Err(Attempt::Unauthorized) if !renewed => {
                renewed = true;
                auth.renew(&token).await?;
            }
            Err(Attempt::Unauthorized) => {
                return Err(ProviderError::ReauthRequired(format!(
                    "{service} refused a freshly refreshed access token"
                )))
            }
            Err(Attempt::Failed(e)) => return Err(e),
            Ok(bytes) => {
                return serde_json::from_slice(&bytes)
                    .map_err(|e| ProviderError::Malformed(format!("{}: {e}", url.path())))
            }
        }
    }
}
