//! The OAuth 2.0 endpoints of an installed-app flow: authorization (consent), token, revoke,
//! and the bearer check the Calendar endpoints use.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use crate::credentials::{
    ChallengeMethod, Consent, Minted, PendingCode, RefreshError, CLIENT_ID, CLIENT_SECRET,
};
use crate::errors::{json_response, oauth_error, ApiError};
use crate::log::{decode_pairs, RecordedRequest};
use crate::state::{Shared, State as FakeState};

/// `GET /o/oauth2/v2/auth`: the consent screen, answered at once by the configured consent.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    let param = |name| request.query_param(name);
    let Some(client_id) = param("client_id") else {
        return error_page("invalid_request", "Missing required parameter: client_id");
    };
    if client_id != CLIENT_ID {
        return error_page("invalid_client", "The OAuth client was not found.");
    }
    let Some(redirect_uri) = param("redirect_uri") else {
        return error_page(
            "invalid_request",
            "Missing required parameter: redirect_uri",
        );
    };
    let Some(mut target) = loopback_redirect(redirect_uri) else {
        return error_page(
            "redirect_uri_mismatch",
            "The redirect URI is not a loopback address (http://127.0.0.1:PORT, http://[::1]:PORT or http://localhost:PORT).",
        );
    };
    match param("response_type") {
        Some("code") => {}
        Some(other) => {
            return error_page(
                "unsupported_response_type",
                &format!("Invalid response_type: {other}"),
            )
        }
        None => {
            return error_page(
                "invalid_request",
                "Missing required parameter: response_type",
            )
        }
    }
    let Some(scope) = param("scope").filter(|scope| !scope.trim().is_empty()) else {
        return error_page("invalid_request", "Missing required parameter: scope");
    };
    let Some(challenge) = param("code_challenge") else {
        return error_page(
            "invalid_request",
            "Missing required parameter: code_challenge",
        );
    };
    if !is_pkce_text(challenge) {
        return error_page("invalid_request", "Invalid code_challenge value.");
    }
    let method = match param("code_challenge_method") {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return error_page("invalid_request", "Invalid code_challenge_method value."),
    };
    let offline = match param("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(other) => {
            return error_page("invalid_request", &format!("Invalid access_type: {other}"))
        }
    };
    let state = param("state");
    let mut fake = shared.lock();
    {
        let mut query = target.query_pairs_mut();
        match fake.credentials.consent {
            Consent::Deny => {
                query.append_pair("error", "access_denied");
            }
            Consent::Approve => {
                let code = fake.credentials.issue_code(PendingCode {
                    client_id: client_id.to_owned(),
                    redirect_uri: redirect_uri.to_owned(),
                    challenge: challenge.to_owned(),
                    method,
                    scope: scope.to_owned(),
                    offline,
                    issued: Instant::now(),
                });
                query.append_pair("code", &code).append_pair("scope", scope);
            }
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(LOCATION, target.to_string())]).into_response()
}

/// The redirect URI as a URL, if it is a loopback address the desktop client may use.
fn loopback_redirect(uri: &str) -> Option<Url> {
    let url = Url::parse(uri).ok()?;
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1") | Some("[::1]") | Some("localhost")
    );
    (url.scheme() == "http" && loopback && url.fragment().is_none()).then_some(url)
}

/// RFC 7636 code verifier / challenge text: 43 to 128 unreserved characters.
fn is_pkce_text(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Google's error page: shown in the browser, no redirect.
fn error_page(error: &str, detail: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Error 400 ({error})</title></head><body>\
         <h1>Access blocked: Authorization Error</h1><p>{detail}</p>\
         <p><b>Error 400: {error}</b></p></body></html>",
        detail = detail.replace('<', "&lt;"),
    );
    (
        StatusCode::BAD_REQUEST,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `POST /token`: the code exchange and the refresh grant.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    let (client_id, client_secret) = match client_credentials(&headers, &request) {
        Ok(pair) => pair,
        Err(response) => return *response,
    };
    let Some(client_id) = client_id else {
        return oauth_error(
            400,
            "invalid_request",
            "Could not determine client ID from request.",
        );
    };
    if client_id != CLIENT_ID {
        return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    }
    match client_secret.as_deref() {
        None => return oauth_error(400, "invalid_request", "client_secret is missing."),
        Some(CLIENT_SECRET) => {}
        Some(_) => return oauth_error(401, "invalid_client", "Unauthorized"),
    }
    let mut fake = shared.lock();
    match request.form_param("grant_type") {
        Some("authorization_code") => exchange_code(&mut fake, &request, &client_id),
        Some("refresh_token") => {
            let Some(refresh_token) = request.form_param("refresh_token") else {
                return oauth_error(
                    400,
                    "invalid_request",
                    "Missing required parameter: refresh_token",
                );
            };
            match fake.credentials.refresh(refresh_token, &client_id) {
                Ok(minted) => token_response(minted),
                Err(RefreshError::InvalidGrant) => {
                    oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
                }
                Err(RefreshError::WrongClient) => {
                    oauth_error(400, "unauthorized_client", "Unauthorized")
                }
            }
        }
        Some(other) => oauth_error(
            400,
            "unsupported_grant_type",
            &format!("Invalid grant_type: {other}"),
        ),
        None => oauth_error(
            400,
            "invalid_request",
            "Missing required parameter: grant_type",
        ),
    }
}

/// The client id and secret from HTTP Basic authentication, else from the form.
fn client_credentials(
    headers: &HeaderMap,
    request: &RecordedRequest,
) -> Result<(Option<String>, Option<String>), Box<Response>> {
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "));
    let Some(encoded) = basic else {
        return Ok((
            request.form_param("client_id").map(str::to_owned),
            request.form_param("client_secret").map(str::to_owned),
        ));
    };
    let invalid = || {
        Box::new(oauth_error(
            401,
            "invalid_client",
            "Invalid client authentication.",
        ))
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (id, secret) = text.split_once(':').ok_or_else(invalid)?;
    let unescape = |part: &str| {
        decode_pairs(format!("v={part}").as_bytes())
            .pop()
            .map(|(_, value)| value)
    };
    Ok((unescape(id), unescape(secret)))
}

fn exchange_code(fake: &mut FakeState, request: &RecordedRequest, client_id: &str) -> Response {
    let Some(code) = request.form_param("code") else {
        return oauth_error(400, "invalid_request", "Missing required parameter: code");
    };
    let Some(pending) = fake.credentials.codes.get(code) else {
        return oauth_error(400, "invalid_grant", "Bad Request");
    };
    if pending.expired() || pending.client_id != client_id {
        return oauth_error(400, "invalid_grant", "Bad Request");
    }
    match request.form_param("redirect_uri") {
        None => return oauth_error(400, "invalid_request", "Missing parameter: redirect_uri"),
        Some(uri) if uri != pending.redirect_uri => {
            return oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        }
        Some(_) => {}
    }
    let Some(verifier) = request.form_param("code_verifier") else {
        return oauth_error(400, "invalid_grant", "Missing code verifier.");
    };
    let derived = match pending.method {
        ChallengeMethod::Plain => verifier.to_owned(),
        ChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
    };
    if !is_pkce_text(verifier) || derived != pending.challenge {
        return oauth_error(400, "invalid_grant", "Invalid code verifier.");
    }
    let Some(pending) = fake.credentials.codes.remove(code) else {
        return oauth_error(400, "invalid_grant", "Bad Request");
    };
    token_response(fake.credentials.grant(&pending))
}

fn token_response(minted: Minted) -> Response {
    let mut body = json!({
        "access_token": minted.access_token,
        "expires_in": minted.expires_in,
        "scope": minted.scope,
        "token_type": "Bearer",
    });
    if let Some(refresh_token) = minted.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    let mut response = json_response(StatusCode::OK, body.to_string());
    response.headers_mut().insert(
        CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache, no-store, max-age=0, must-revalidate"),
    );
    response
}

/// `POST /revoke`: revokes the grant behind an access or refresh token.
pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    let Some(token) = request.param("token") else {
        return oauth_error(400, "invalid_request", "Missing required parameter: token");
    };
    if shared.lock().credentials.revoke(token) {
        json_response(StatusCode::OK, String::new())
    } else {
        oauth_error(400, "invalid_token", "Token expired or revoked")
    }
}

/// Checks the `Authorization: Bearer` header of a Calendar API request.
pub(crate) fn check_bearer(fake: &FakeState, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match token {
        Some(token) if fake.credentials.access_valid(token) => Ok(()),
        _ => Err(ApiError::auth_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_redirects_are_accepted() {
        for good in [
            "http://127.0.0.1:53111/",
            "http://127.0.0.1:1/callback",
            "http://[::1]:8080",
            "http://localhost:4000/cb",
        ] {
            assert!(loopback_redirect(good).is_some(), "{good}");
        }
        for bad in [
            "https://127.0.0.1:53111/",
            "http://example.com:80/",
            "http://127.0.0.2:80/",
            "urn:ietf:wg:oauth:2.0:oob",
            "not a url",
        ] {
            assert!(loopback_redirect(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn pkce_text_follows_rfc_7636() {
        assert!(is_pkce_text(&"a".repeat(43)));
        assert!(is_pkce_text(&"-._~Az09".repeat(16)));
        assert!(!is_pkce_text(&"a".repeat(42)));
        assert!(!is_pkce_text(&"a".repeat(129)));
        assert!(!is_pkce_text(&format!("{}+", "a".repeat(43))));
    }
}
