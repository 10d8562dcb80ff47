//! The identity platform v2.0 endpoints `/{tenant}/oauth2/v2.0/authorize` and `/token` for a
//! public desktop client (authorization code + PKCE S256, loopback redirect), and the bearer
//! check Graph requests go through. [IA][IU][IE]

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use crate::errors::{identity_error, json_response, uuid_like, GraphError};
use crate::grants::{AccessError, Consent, Minted, PendingCode, Scopes, CLIENT_ID, TENANT_ID};
use crate::log::RecordedRequest;
use crate::state::Shared;

/// Whether the `{tenant}` segment names an audience or the fake's directory. [IA]
fn known_tenant(tenant: &str) -> bool {
    matches!(tenant, "common" | "organizations" | "consumers") || tenant == TENANT_ID
}

/// `GET /{tenant}/oauth2/v2.0/authorize`: sign-in and consent, answered at once by the
/// configured [`Consent`], as a browser would follow it.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    let param = |name| request.query_param(name);
    if !known_tenant(&tenant) {
        return error_page(90002, &format!("Tenant '{tenant}' not found."));
    }
    // Failures before the redirect URI is trusted stay in the browser: the app never hears
    // of them and its listener has to time out. [IE]
    let Some(client_id) = param("client_id") else {
        return error_page(
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    if client_id != CLIENT_ID {
        return error_page(700016, "Application was not found in the directory.");
    }
    let Some(redirect_uri) = param("redirect_uri") else {
        return error_page(
            900144,
            "The request body must contain the following parameter: 'redirect_uri'.",
        );
    };
    let Some(mut target) = registered_loopback(redirect_uri) else {
        return error_page(
            50011,
            "The redirect URI specified in the request does not match the redirect URIs configured for the application.",
        );
    };
    let state = param("state");
    let refuse = |target: &mut Url, error: &str, aadsts: u32, text: &str| {
        let description = format!("AADSTS{aadsts}: {text}");
        {
            let mut query = target.query_pairs_mut();
            query
                .append_pair("error", error)
                .append_pair("error_description", &description);
            if let Some(state) = state {
                query.append_pair("state", state);
            }
        }
        redirect(target)
    };
    match param("response_type") {
        Some("code") => {}
        _ => {
            return refuse(
                &mut target,
                "unsupported_response_type",
                70005,
                "The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'.",
            )
        }
    }
    let Some(scope) = param("scope").filter(|scope| !scope.trim().is_empty()) else {
        return refuse(
            &mut target,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let Some(challenge) = param("code_challenge").filter(|c| is_pkce_text(c)) else {
        return refuse(
            &mut target,
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        );
    };
    // Entra takes a missing method as `plain` and accepts it [IA]; this fake refuses
    // anything but S256 so a client that forgets the method fails its tests.
    if param("code_challenge_method") != Some("S256") {
        return refuse(
            &mut target,
            "invalid_request",
            501492,
            "This application requires the S256 code_challenge_method; 'plain' is not accepted.",
        );
    }
    let mut fake = shared.lock();
    if fake.credentials.consent == Consent::Deny {
        return refuse(
            &mut target,
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        );
    }
    let code = fake.credentials.issue_code(PendingCode {
        redirect_uri: redirect_uri.to_owned(),
        challenge: challenge.to_owned(),
        scopes: Scopes::parse(scope),
        issued: Instant::now(),
        redeemed: false,
    });
    drop(fake);
    {
        let mut query = target.query_pairs_mut();
        query.append_pair("code", &code);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        // Extra parameters may come along; clients ignore what they do not use. (inferred)
        query.append_pair("session_state", &uuid_like());
    }
    redirect(&target)
}

fn redirect(target: &Url) -> Response {
    (StatusCode::FOUND, [(LOCATION, target.to_string())]).into_response()
}

/// The redirect URI as a URL, if it matches the registration: `http://localhost` and
/// `http://127.0.0.1` with no path, the port ignored; `[::1]` and `https` loopback are not
/// supported. A URI without a path comes back with a trailing `/`. [IU][IA]
fn registered_loopback(uri: &str) -> Option<Url> {
    let url = Url::parse(uri).ok()?;
    let host_ok = matches!(url.host_str(), Some("localhost") | Some("127.0.0.1"));
    let plain = url.query().is_none() && url.fragment().is_none() && url.path() == "/";
    (url.scheme() == "http" && host_ok && plain && url.username().is_empty()).then_some(url)
}

/// RFC 7636 code verifier / challenge text: 43 to 128 unreserved characters.
fn is_pkce_text(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The sign-in page's error screen: shown in the browser, no redirect. [IE]
fn error_page(aadsts: u32, text: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>\
         <h1>Sorry, but we're having trouble signing you in.</h1>\
         <p>AADSTS{aadsts}: {text}</p></body></html>",
        text = text.replace('<', "&lt;"),
    );
    (
        StatusCode::BAD_REQUEST,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `POST /{tenant}/oauth2/v2.0/token`: the code redemption and the refresh grant.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    let form = |name| request.form_param(name);
    if !known_tenant(&tenant) {
        return identity_error(400, "invalid_request", 90002, "Tenant not found.");
    }
    let Some(client_id) = form("client_id") else {
        return identity_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    if client_id != CLIENT_ID {
        return identity_error(
            400,
            "unauthorized_client",
            700016,
            "Application was not found in the directory.",
        );
    }
    if form("client_secret").is_some() || form("client_assertion").is_some() {
        return identity_error(
            401,
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        );
    }
    let mut fake = shared.lock();
    let minted = match form("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri)) = (form("code"), form("redirect_uri")) else {
                return identity_error(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameters: 'code' and 'redirect_uri'.",
                );
            };
            let Some(verifier) = form("code_verifier").filter(|v| is_pkce_text(v)) else {
                return identity_error(
                    400,
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            };
            let derived = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            fake.credentials.redeem(code, redirect_uri, &derived)
        }
        Some("refresh_token") => {
            let Some(refresh_token) = form("refresh_token") else {
                return identity_error(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: 'refresh_token'.",
                );
            };
            fake.credentials.refresh(refresh_token)
        }
        Some(_) => {
            return identity_error(
                400,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type.",
            )
        }
        None => {
            return identity_error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        }
    };
    drop(fake);
    match minted {
        Ok(minted) => token_response(minted),
        Err(err) => identity_error(400, err.error, err.aadsts, err.text),
    }
}

fn token_response(minted: Minted) -> Response {
    let mut body = json!({
        "token_type": "Bearer",
        "scope": minted.scope,
        "expires_in": minted.expires_in,
        "ext_expires_in": minted.expires_in,
        "access_token": minted.access_token,
    });
    if let Some(refresh_token) = minted.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    let mut response = json_response(StatusCode::OK, body.to_string());
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

/// What a Graph request may read: the scopes behind its bearer token, or 401
/// `InvalidAuthenticationToken`. [GE]
pub(crate) fn check_bearer(
    shared: &Shared,
    request: &RecordedRequest,
) -> Result<Scopes, GraphError> {
    let fake = shared.lock();
    fake.credentials
        .access_scopes(request.bearer.as_deref())
        .map_err(|err| {
            GraphError::invalid_token(match err {
                AccessError::Missing => "Access token is empty.",
                AccessError::Expired => "Lifetime validation failed, the token is expired.",
                AccessError::Unknown => "IDX14100: JWT is not well formed, there are no dots (.).",
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_registered_loopback_redirects_are_accepted() {
        for good in [
            "http://127.0.0.1:53111/",
            "http://127.0.0.1:1",
            "http://localhost:4000",
            "http://localhost:4000/",
        ] {
            assert!(registered_loopback(good).is_some(), "{good}");
        }
        for bad in [
            "https://127.0.0.1:53111/",
            "http://[::1]:8080/",
            "http://localhost:4000/callback",
            "http://example.com:80/",
            "http://127.0.0.2:80/",
            "not a url",
        ] {
            assert!(registered_loopback(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_redirect_without_a_path_gets_a_trailing_slash() {
        let url = registered_loopback("http://localhost:7071").expect("loopback");
        assert_eq!(url.as_str(), "http://localhost:7071/");
    }

    #[test]
    fn pkce_text_follows_rfc_7636() {
        assert!(is_pkce_text(&"a".repeat(43)));
        assert!(!is_pkce_text(&"a".repeat(42)));
        assert!(!is_pkce_text(&"a".repeat(129)));
        assert!(!is_pkce_text(&format!("{}+", "a".repeat(43))));
    }
}
