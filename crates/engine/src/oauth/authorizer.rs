//! Handing out valid access tokens for one account: the tokens kept in the secret store,
//! refreshed before they expire or when the server answers 401. A refresh token the server
//! rotates is saved before the new access token is used.

use chrono::Utc;
use oauth2::basic::BasicErrorResponseType;
use oauth2::{RefreshToken, RequestTokenError};
use tokio::sync::Mutex;

use super::token_http::{TokenHttp, TokenHttpError};
use super::{BasicOAuth, OAuthClient, TokenSet};
use crate::provider::ProviderError;
use crate::secrets::{SecretStore, Sensitive};

/// Hands out valid access tokens for one account, refreshing and saving them as needed.
pub struct Authorizer {
    /// Names the service in messages.
    provider: &'static str,
    client: BasicOAuth,
    http: TokenHttp,
    secrets: SecretStore,
    /// Where the tokens are saved; `None` while connecting, before the account is known.
    secret_key: Option<String>,
    tokens: Mutex<Option<TokenSet>>,
}

impl Authorizer {
    /// An authorizer for `oauth`'s tokens, saved under `secret_key` in `secrets` (`None`
    /// while connecting: the tokens are given, and saved by the caller once the account is
    /// known).
    pub fn new(
        oauth: &OAuthClient,
        secrets: SecretStore,
        secret_key: Option<String>,
        tokens: Option<TokenSet>,
    ) -> Result<Self, ProviderError> {
        Ok(Authorizer {
            provider: oauth.provider,
            client: oauth.basic()?,
            http: TokenHttp::new(oauth.retry),
            secrets,
            secret_key,
            tokens: Mutex::new(tokens),
        })
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

    /// The server refused `rejected` (401): get a new access token unless another task already
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
            ProviderError::ReauthRequired(format!(
                "{} gave no refresh token; sign in again",
                self.provider
            ))
        })?;
        let response = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh.expose().clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(self.provider, e))?;
        // A rotated refresh token replaces the old one, which may already be dead: it is saved
        // before the new access token is handed out, so no request runs on tokens that are not
        // saved.
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

/// A failure at the token endpoint, as the oauth2 crate reports it.
pub(crate) type TokenRequestError =
    RequestTokenError<TokenHttpError, oauth2::basic::BasicErrorResponse>;

/// Maps a token-endpoint failure: `invalid_grant` means the grant is gone (revoked, expired,
/// or the user changed their password) and only signing in again helps.
pub(super) fn token_error(provider: &str, e: TokenRequestError) -> ProviderError {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error() {
            BasicErrorResponseType::InvalidGrant => ProviderError::ReauthRequired(
                // Microsoft's descriptions go on with "Trace ID: ..." lines: the first line
                // ("AADSTS700082: The refresh token has expired ...") is the message.
                r.error_description()
                    .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
                    .map(crate::text::one_line)
                    .unwrap_or_else(|| "the sign-in is no longer valid".into()),
            ),
            // Microsoft: multi-factor authentication or a Conditional Access policy wants the
            // user in the browser again.
            BasicErrorResponseType::Extension(e) if e == "interaction_required" => {
                ProviderError::ReauthRequired(format!(
                    "{provider}: your organisation requires you to sign in again"
                ))
            }
            BasicErrorResponseType::InvalidClient => ProviderError::Rejected(format!(
                "{provider} does not accept the OAuth client id/secret (invalid_client)"
            )),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn server_says(json: &str) -> ProviderError {
        let body: oauth2::basic::BasicErrorResponse = serde_json::from_str(json).unwrap();
        token_error("Microsoft", RequestTokenError::ServerResponse(body))
    }

    #[test]
    fn microsoft_token_errors_ask_to_sign_in_again_with_one_short_line() {
        // The documented shape of a Microsoft identity platform error.
        let expired = server_says(
            r#"{"error": "invalid_grant",
                "error_description": "AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-11-30 08:52:33Z",
                "error_codes": [700082], "timestamp": "2026-11-30 08:52:33Z",
                "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333",
                "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
                "error_uri": "https://login.microsoftonline.com/error?code=700082"}"#,
        );
        match &expired {
            ProviderError::ReauthRequired(m) => assert_eq!(
                m,
                "AADSTS700082: The refresh token has expired due to inactivity."
            ),
            other => panic!("{other:?}"),
        }
        let mfa = server_says(
            r#"{"error": "interaction_required", "error_description": "AADSTS50076: ...", "error_codes": [50076]}"#,
        );
        assert!(mfa.is_auth_expired(), "{mfa:?}");
        assert!(mfa.to_string().contains("sign in again"), "{mfa}");
        let other = server_says(r#"{"error": "unauthorized_client"}"#);
        assert!(matches!(other, ProviderError::Rejected(_)), "{other:?}");
    }
}
