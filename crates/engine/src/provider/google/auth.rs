//! Google OAuth 2.0 for an installed app: the client (the user's own Google Cloud client id),
//! the tokens kept in the secret store, refreshing the access token before it expires or when
//! Google answers 401, and revoking the grant on disconnect.

use chrono::{DateTime, Duration, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RefreshToken,
    RequestTokenError, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::token_http::{TokenHttp, TokenHttpError};
use super::GoogleConfig;
use crate::provider::ProviderError;
use crate::secrets::{SecretStore, Sensitive};

/// The oauth2 client with its authorization and token endpoints set.
pub(super) type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Builds the oauth2 client from the configuration. Credentials go in the form body, as
/// Google's installed-app documentation shows.
pub(super) fn oauth_client(config: &GoogleConfig) -> Result<OAuthClient, ProviderError> {
    let bad_url = |e: url::ParseError| ProviderError::Rejected(format!("bad Google endpoint: {e}"));
    let mut client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(config.endpoints.auth_url.clone()).map_err(bad_url)?)
        .set_token_uri(TokenUrl::new(config.endpoints.token_url.clone()).map_err(bad_url)?);
    if let Some(secret) = &config.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
    }
    Ok(client)
}

/// What the secret store keeps for a Google account. The tokens are [`Sensitive`], so a
/// `TokenSet` can be neither logged nor serialised by accident: [`TokenSet::to_secret`] is
/// the one way out.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: Sensitive<String>,
    pub refresh_token: Option<Sensitive<String>>,
    pub expires_at: DateTime<Utc>,
}

/// The stored form (one JSON value per account), unchanged since the first release so that
/// saved sign-ins keep working.
#[derive(Serialize, Deserialize)]
struct StoredTokens {
    access_token: String,
    refresh_token: Option<String>,
    expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl TokenSet {
    pub fn from_response(
        response: &oauth2::basic::BasicTokenResponse,
        previous_refresh: Option<Sensitive<String>>,
        now: DateTime<Utc>,
    ) -> TokenSet {
        let lifetime = response
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .unwrap_or_else(|| Duration::seconds(3600));
        TokenSet {
            access_token: Sensitive::new(response.access_token().secret().clone()),
            // Google sends no new refresh token when refreshing: keep the old one.
            refresh_token: response
                .refresh_token()
                .map(|t| Sensitive::new(t.secret().clone()))
                .or(previous_refresh),
            expires_at: now + lifetime,
        }
    }

    pub fn to_secret(&self) -> Sensitive<String> {
        let stored = StoredTokens {
            access_token: self.access_token.expose().clone(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose().clone()),
            expires_at: self.expires_at,
        };
        Sensitive::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// The tokens of a stored secret; `None` if it cannot be read as one.
    pub fn from_secret(secret: &Sensitive<String>) -> Option<TokenSet> {
        let stored: StoredTokens = serde_json::from_str(secret.expose()).ok()?;
        Some(TokenSet {
            access_token: Sensitive::new(stored.access_token),
            refresh_token: stored.refresh_token.map(Sensitive::new),
            expires_at: stored.expires_at,
        })
    }

    /// The access token should be replaced before it is used (a minute of slack).
    fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - Duration::seconds(60) <= now
    }
}

/// Hands out valid access tokens for one account, refreshing and saving them as needed.
pub struct Authorizer {
    client: OAuthClient,
    http: TokenHttp,
    secrets: SecretStore,
    /// Where the tokens are saved; `None` while connecting, before the account is known.
    secret_key: Option<String>,
    tokens: Mutex<Option<TokenSet>>,
}

impl Authorizer {
    pub(super) fn new(
        client: OAuthClient,
        http: TokenHttp,
        secrets: SecretStore,
        secret_key: Option<String>,
        tokens: Option<TokenSet>,
    ) -> Self {
        Authorizer {
            client,
            http,
            secrets,
            secret_key,
            tokens: Mutex::new(tokens),
        }
    }

    /// The tokens in use now (after any refresh).
    pub async fn tokens(&self) -> Option<TokenSet> {
        self.tokens.lock().await.clone()
    }

    /// A current access token: the cached one, else the stored one, refreshed if stale.
    pub async fn access_token(&self) -> Result<Sensitive<String>, ProviderError> {
        let mut guard = self.tokens.lock().await;
        if let (None, Some(key)) = (guard.as_ref(), &self.secret_key) {
            let stored = self
                .secrets
                .get(key)
                .await
                .map_err(|e| ProviderError::Credentials(e.to_string()))?;
            let stored = stored.ok_or_else(|| {
                ProviderError::ReauthRequired("no saved sign-in for this account".into())
            })?;
            // There is a secret but it is not ours to read (damaged, or written by something
            // else): say so, rather than blaming Google.
            let tokens = TokenSet::from_secret(&stored).ok_or(ProviderError::UnreadableSignIn)?;
            *guard = Some(tokens);
        }
        let tokens = guard.as_ref().ok_or_else(|| {
            ProviderError::ReauthRequired("no saved sign-in for this account".into())
        })?;
        if tokens.is_stale(Utc::now()) {
            let fresh = self.refresh(tokens).await?;
            *guard = Some(fresh);
        }
        Ok(guard
            .as_ref()
            .map(|t| t.access_token.clone())
            .unwrap_or_else(|| Sensitive::new(String::new())))
    }

    /// Google refused `rejected` (401): get a new access token unless another task already
    /// did.
    pub async fn renew(&self, rejected: &Sensitive<String>) -> Result<(), ProviderError> {
        let mut guard = self.tokens.lock().await;
        let Some(tokens) = guard.as_ref() else {
            return Ok(());
        };
        if tokens.access_token != *rejected {
            return Ok(());
        }
        let fresh = self.refresh(tokens).await?;
        *guard = Some(fresh);
        Ok(())
    }

    async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, ProviderError> {
        let refresh = tokens.refresh_token.clone().ok_or_else(|| {
            ProviderError::ReauthRequired("Google gave no refresh token; sign in again".into())
        })?;
        let response = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh.expose().clone()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let fresh = TokenSet::from_response(&response, Some(refresh), Utc::now());
        if let Some(key) = &self.secret_key {
            self.secrets
                .set(key, &fresh.to_secret())
                .await
                .map_err(|e| {
                    ProviderError::Credentials(format!("cannot save the new token: {e}"))
                })?;
        }
        tracing::debug!("access token refreshed");
        Ok(fresh)
    }
}

/// Revokes the grant at Google: the refresh token if there is one (which revokes the access
/// token with it). A plain form POST, as Google documents it (`token=...`); the oauth2 crate's
/// revocation insists on https, which would rule out pointing it at a local endpoint.
pub(super) async fn revoke(
    revoke_url: &str,
    http: &reqwest::Client,
    tokens: &TokenSet,
) -> Result<(), ProviderError> {
    let token = tokens
        .refresh_token
        .as_ref()
        .unwrap_or(&tokens.access_token);
    let response = http
        .post(revoke_url)
        .form(&[("token", token.expose().as_str())])
        .send()
        .await
        .map_err(|e| ProviderError::Network(error_chain(&e.without_url())))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let reason = body["error"].as_str().unwrap_or("unknown error").to_owned();
    Err(ProviderError::Rejected(format!(
        "HTTP {} {reason}",
        status.as_u16()
    )))
}

/// A failure at the token endpoint, as the oauth2 crate reports it.
pub(super) type TokenRequestError =
    RequestTokenError<TokenHttpError, oauth2::basic::BasicErrorResponse>;

/// Maps a token-endpoint failure: `invalid_grant` means the grant is gone (revoked, expired,
/// or the user changed their password) and only signing in again helps.
pub(super) fn token_error(e: TokenRequestError) -> ProviderError {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error() {
            BasicErrorResponseType::InvalidGrant => ProviderError::ReauthRequired(
                r.error_description()
                    .cloned()
                    .unwrap_or_else(|| "the sign-in is no longer valid".into()),
            ),
            BasicErrorResponseType::InvalidClient => ProviderError::Rejected(
                "Google does not accept the OAuth client id/secret (invalid_client)".into(),
            ),
            other => ProviderError::Rejected(format!("token endpoint said {other}")),
        },
        RequestTokenError::Request(e @ TokenHttpError::Status { status: 429, .. }) => {
            ProviderError::RateLimited(e.to_string())
        }
        RequestTokenError::Request(e) => ProviderError::Network(e.to_string()),
        RequestTokenError::Parse(_, _) => {
            ProviderError::Malformed("the sign-in server's answer is not valid JSON".into())
        }
        RequestTokenError::Other(msg) => ProviderError::Malformed(msg),
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

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_FORMAT: &str = r#"{"access_token":"ya29.access","refresh_token":"1//refresh","expires_at":"2026-11-30T10:00:00Z"}"#;

    #[test]
    fn tokens_do_not_show_in_debug_output() {
        let secret = Sensitive::new(OLD_FORMAT.to_owned());
        let tokens = TokenSet::from_secret(&secret).unwrap();
        let debug = format!(
            "{tokens:?} {:?} {:?}",
            tokens.access_token, tokens.refresh_token
        );
        assert!(!debug.contains("ya29") && !debug.contains("1//"), "{debug}");
    }

    #[test]
    fn the_stored_format_reads_and_round_trips() {
        let tokens = TokenSet::from_secret(&Sensitive::new(OLD_FORMAT.to_owned())).unwrap();
        assert_eq!(tokens.access_token.expose(), "ya29.access");
        assert_eq!(
            tokens.refresh_token.as_ref().map(|t| t.expose().as_str()),
            Some("1//refresh")
        );
        assert_eq!(tokens.to_secret().expose(), OLD_FORMAT);

        let without_refresh =
            r#"{"access_token":"a","refresh_token":null,"expires_at":"2026-11-30T10:00:00Z"}"#;
        let tokens = TokenSet::from_secret(&Sensitive::new(without_refresh.to_owned())).unwrap();
        assert!(tokens.refresh_token.is_none());
        assert_eq!(tokens.to_secret().expose(), without_refresh);

        assert!(TokenSet::from_secret(&Sensitive::new("{not json".to_owned())).is_none());
    }
}
