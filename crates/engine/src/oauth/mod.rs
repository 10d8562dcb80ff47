//! OAuth 2.0 for installed apps, shared by every provider that signs in with it (Google now,
//! Microsoft next): authorization code + PKCE (S256) + state through the system browser and a
//! loopback redirect (RFC 8252, [`crate::loopback`]), token exchange, refresh (with rotating
//! refresh tokens), revocation where the service has it, and the saved [`TokenSet`].
//!
//! A provider describes itself with an [`OAuthClient`]; nothing here knows a service by name.

mod authorizer;
mod bearer;
mod sign_in;
mod token_http;
mod tokens;

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, TokenUrl};

pub use authorizer::Authorizer;
pub use bearer::{get_json, Attempt};
pub use sign_in::{authorize, revoke, ConnectError};
pub use tokens::TokenSet;

use crate::http::RetryPolicy;
pub use crate::loopback::RedirectHost;
use crate::provider::ProviderError;
use crate::secrets::Sensitive;

/// An OAuth client at one service: who we are to it, where it is, and what we ask for.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    /// The service's name in messages ("Google did not accept the sign-in").
    pub provider: &'static str,
    pub client_id: String,
    /// Desktop clients of some services have a secret (Google's is not secret in practice);
    /// public clients have none.
    pub client_secret: Option<Sensitive<String>>,
    pub auth_url: String,
    pub token_url: String,
    /// Where to revoke a grant on disconnect; `None` when the service has no such endpoint.
    pub revoke_url: Option<String>,
    pub scopes: Vec<String>,
    /// Extra parameters of the authorization URL (Google's `access_type=offline`).
    pub extra_auth_params: Vec<(String, String)>,
    /// Where a user removes the app's access, named when the service issued no refresh token.
    pub permissions_url: Option<String>,
    pub retry: RetryPolicy,
    /// How long to wait for the user to finish signing in in the browser.
    pub sign_in_timeout: Duration,
    /// How the loopback redirect URI names the host (`127.0.0.1` or `localhost`).
    pub redirect_host: RedirectHost,
}

/// The oauth2 client with its authorization and token endpoints set.
type BasicOAuth =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

impl OAuthClient {
    /// The oauth2 crate's client. Credentials go in the form body, as Google's installed-app
    /// documentation shows (and Microsoft accepts).
    fn basic(&self) -> Result<BasicOAuth, ProviderError> {
        let bad_url = |e: url::ParseError| {
            ProviderError::Rejected(format!("bad {} endpoint: {e}", self.provider))
        };
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(self.auth_url.clone()).map_err(bad_url)?)
            .set_token_uri(TokenUrl::new(self.token_url.clone()).map_err(bad_url)?);
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
        }
        Ok(client)
    }
}

/// An error and its sources on one line (reqwest's top-level message alone says little).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
