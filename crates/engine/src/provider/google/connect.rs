//! Connecting a Google account: authorization code + PKCE (S256) + state in the system
//! browser, with the redirect caught on a loopback port (RFC 8252); and revoking the grant when
//! the account is disconnected.

use chrono::Utc;
use oauth2::basic::BasicErrorResponseType;
use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
};

use super::auth::{
    oauth_client, revoke as revoke_tokens, token_error, TokenRequestError, TokenSet,
};
use super::token_http::TokenHttp;
use super::{GoogleConfig, SCOPE};
use crate::loopback::{Loopback, LoopbackError};
use crate::provider::ProviderError;

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Browser(#[from] LoopbackError),
    #[error("Google did not issue tokens: {0}")]
    Token(ProviderError),
    /// The code was refused (`invalid_grant`): the sign-in failed, no access was lost.
    #[error("Google did not accept the sign-in: {0}. Try connecting again")]
    NotAccepted(String),
    #[error("Google issued no refresh token, so the account could not stay connected; remove Calendar Buddy's access at https://myaccount.google.com/permissions and connect again")]
    NoRefreshToken,
}

/// Runs the sign-in: `open_browser` is given the authorization URL (it should open the system
/// browser and may also print the URL). Returns the tokens once the user has approved.
pub async fn authorize(
    config: &GoogleConfig,
    open_browser: impl FnOnce(&str),
) -> Result<TokenSet, ConnectError> {
    let loopback = Loopback::bind().await?;
    let redirect = RedirectUrl::new(loopback.redirect_uri())
        .map_err(|e| ConnectError::Token(ProviderError::Rejected(e.to_string())))?;
    let client = oauth_client(config)
        .map_err(ConnectError::Token)?
        .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new(SCOPE.to_owned()))
        // A refresh token is issued only for offline access; `consent` makes Google issue a
        // new one when an account is connected again.
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent")
        .set_pkce_challenge(challenge)
        .url();
    open_browser(url.as_str());
    let code = loopback
        .wait_for_code(state.secret(), config.sign_in_timeout)
        .await?;
    let http = TokenHttp::new(config.retry);
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(exchange_error)?;
    let tokens = TokenSet::from_response(&response, None, Utc::now());
    if tokens.refresh_token.is_none() {
        return Err(ConnectError::NoRefreshToken);
    }
    Ok(tokens)
}

/// Maps a failed code exchange. Here `invalid_grant` means the code (or its PKCE verifier) was
/// not accepted, e.g. "Malformed auth code.": the sign-in failed, there was no access to lose.
fn exchange_error(e: TokenRequestError) -> ConnectError {
    match e {
        RequestTokenError::ServerResponse(r)
            if *r.error() == BasicErrorResponseType::InvalidGrant =>
        {
            let detail = r
                .error_description()
                .map(|d| d.trim().trim_end_matches('.').to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "invalid_grant".to_owned());
            ConnectError::NotAccepted(detail)
        }
        e => ConnectError::Token(token_error(e)),
    }
}

/// Revokes the account's grant at Google.
pub async fn revoke(config: &GoogleConfig, tokens: &TokenSet) -> Result<(), ProviderError> {
    revoke_tokens(&config.endpoints.revoke_url, &config.retry.client(), tokens).await
}
