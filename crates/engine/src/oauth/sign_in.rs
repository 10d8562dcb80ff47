//! Signing in: authorization code + PKCE (S256) + state in the system browser, with the
//! redirect caught on a loopback port (RFC 8252); and revoking the grant when the account is
//! disconnected.

use chrono::Utc;
use oauth2::basic::BasicErrorResponseType;
use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope,
};

use super::authorizer::{token_error, TokenRequestError};
use super::token_http::TokenHttp;
use super::{error_chain, OAuthClient, TokenSet};
use crate::loopback::{Loopback, LoopbackError};
use crate::provider::ProviderError;

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Browser(#[from] LoopbackError),
    #[error("{0} did not issue tokens: {1}")]
    Token(&'static str, ProviderError),
    /// The code was refused (`invalid_grant`): the sign-in failed, no access was lost.
    #[error("{0} did not accept the sign-in: {1}. Try connecting again")]
    NotAccepted(&'static str, String),
    /// (service, where to remove the app's access before connecting again)
    #[error("{0} issued no refresh token, so the account could not stay connected; {1}")]
    NoRefreshToken(&'static str, String),
}

/// Runs the sign-in: `open_browser` is given the authorization URL (it should open the system
/// browser and may also print the URL). Returns the tokens once the user has approved.
pub async fn authorize(
    oauth: &OAuthClient,
    open_browser: impl FnOnce(&str),
) -> Result<TokenSet, ConnectError> {
    let provider = oauth.provider;
    let loopback = Loopback::bind_for(oauth.redirect_host).await?;
    let redirect = RedirectUrl::new(loopback.redirect_uri())
        .map_err(|e| ConnectError::Token(provider, ProviderError::Rejected(e.to_string())))?;
    let client = oauth
        .basic()
        .map_err(|e| ConnectError::Token(provider, e))?
        .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(oauth.scopes.iter().cloned().map(Scope::new));
    for (name, value) in &oauth.extra_auth_params {
        request = request.add_extra_param(name, value);
    }
    let (url, state) = request.set_pkce_challenge(challenge).url();
    open_browser(url.as_str());
    let code = loopback
        .wait_for_code(state.secret(), oauth.sign_in_timeout)
        .await?;
    let http = TokenHttp::new(oauth.retry);
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(|e| exchange_error(provider, e))?;
    let tokens = TokenSet::from_response(&response, None, Utc::now());
    if tokens.refresh_token.is_none() {
        let hint = match &oauth.permissions_url {
            Some(url) => format!("remove Calendar Buddy's access at {url} and connect again"),
            None => "connect again".to_owned(),
        };
        return Err(ConnectError::NoRefreshToken(provider, hint));
    }
    Ok(tokens)
}

/// Maps a failed code exchange. Here `invalid_grant` means the code (or its PKCE verifier) was
/// not accepted, e.g. "Malformed auth code.": the sign-in failed, there was no access to lose.
fn exchange_error(provider: &'static str, e: TokenRequestError) -> ConnectError {
    match e {
        RequestTokenError::ServerResponse(r)
            if *r.error() == BasicErrorResponseType::InvalidGrant =>
        {
            let detail = r
                .error_description()
                .map(|d| d.trim().trim_end_matches('.').to_owned())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| "invalid_grant".to_owned());
            ConnectError::NotAccepted(provider, detail)
        }
        e => ConnectError::Token(provider, token_error(provider, e)),
    }
}

/// Revokes the account's grant at the service; one without a revocation endpoint has nothing
/// to revoke.
pub async fn revoke(oauth: &OAuthClient, tokens: &TokenSet) -> Result<(), ProviderError> {
    match &oauth.revoke_url {
        Some(url) => revoke_at(url, &oauth.retry.client(), tokens).await,
        None => Ok(()),
    }
}

/// Revokes the grant at `revoke_url`: the refresh token if there is one (which revokes the
/// access token with it). A plain form POST of `token=...` (RFC 7009, as Google documents it);
/// the oauth2 crate's revocation insists on https, which would rule out a local endpoint.
async fn revoke_at(
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
