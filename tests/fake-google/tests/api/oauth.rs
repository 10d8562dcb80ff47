//! The installed-app OAuth flow: consent, code exchange with PKCE, refresh, revoke.

use crate::common::*;
use fake_google::{Consent, FakeGoogle};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn code_flow_with_pkce_issues_tokens_once() {
    let fake = FakeGoogle::start().await;
    let response = authorize(&fake, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().expect("ascii");
    assert!(location.starts_with(REDIRECT), "{location}");
    let params = redirect_params(&response);
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert_eq!(param(&params, "scope"), Some(SCOPE));
    let code = param(&params, "code").expect("code").to_owned();

    let (status, body) = exchange(
        &fake,
        &code,
        "wrong-verifier-wrong-verifier-wrong-verifier-x",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");

    let (status, body) = exchange(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["scope"], SCOPE);
    let access = body["access_token"].as_str().expect("access");
    let refresh = body["refresh_token"].as_str().expect("refresh");
    assert_eq!(
        fake.issued_tokens(),
        vec![refresh.to_owned(), access.to_owned()]
    );

    let (status, body) = exchange(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "a code is single use");

    let (status, _) = get(&fake, access, "/users/me/calendarList", &[]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn plain_pkce_online_access_and_basic_client_auth() {
    let fake = FakeGoogle::start().await;
    let response = authorize(
        &fake,
        &[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
            ("access_type", "online"),
        ],
    )
    .await;
    let code = param(&redirect_params(&response), "code")
        .expect("code")
        .to_owned();
    let response = client()
        .post(fake.token_url())
        .basic_auth(FakeGoogle::CLIENT_ID, Some(FakeGoogle::CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("code_verifier", VERIFIER),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token without access_type=offline"
    );
}

#[tokio::test]
async fn code_exchange_checks_redirect_and_client() {
    let fake = FakeGoogle::start().await;
    let code = code(&fake).await;
    let form = |redirect: &'static str, secret: &'static str| {
        vec![
            ("grant_type", "authorization_code"),
            ("code", ""),
            ("code_verifier", VERIFIER),
            ("redirect_uri", redirect),
            ("client_id", FakeGoogle::CLIENT_ID),
            ("client_secret", secret),
        ]
    };
    let mut wrong_redirect = form("http://127.0.0.1:1/other", FakeGoogle::CLIENT_SECRET);
    wrong_redirect[1].1 = &code;
    let (status, body) = token_request(&fake, &wrong_redirect).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("redirect_uri_mismatch"))
    );
    let mut wrong_secret = form(REDIRECT, "nope");
    wrong_secret[1].1 = &code;
    let (status, body) = token_request(&fake, &wrong_secret).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = token_request(&fake, &[("grant_type", "password")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    let (status, body) = token_request(
        &fake,
        &[
            ("grant_type", "password"),
            ("client_id", FakeGoogle::CLIENT_ID),
            ("client_secret", FakeGoogle::CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    // The failed attempts did not use the code up.
    let (status, _) = exchange(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn consent_screen_errors_and_denial() {
    let fake = FakeGoogle::start().await;
    let response = authorize(
        &fake,
        &[("client_id", "someone-else.apps.googleusercontent.com")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
    assert!(response
        .text()
        .await
        .expect("html")
        .contains("invalid_client"));
    for bad in ["https://example.com/cb", "http://10.0.0.1:80/"] {
        let response = authorize(&fake, &[("redirect_uri", bad)]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(response.headers().get("location").is_none());
    }
    for ok in ["http://[::1]:9/", "http://localhost:65000"] {
        let response = authorize(&fake, &[("redirect_uri", ok)]).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{ok}");
    }
    let response = authorize(&fake, &[("code_challenge_method", "S512")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = authorize(&fake, &[("response_type", "token")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    fake.set_consent(Consent::Deny);
    let response = authorize(&fake, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let params = redirect_params(&response);
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert_eq!(param(&params, "code"), None);
}

#[tokio::test]
async fn refresh_expiry_and_revocation() {
    let fake = FakeGoogle::start().await;
    let (access, refresh) = sign_in(&fake).await;
    let refresh_form = |token: &str| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", token.to_owned()),
            ("client_id", FakeGoogle::CLIENT_ID.to_owned()),
            ("client_secret", FakeGoogle::CLIENT_SECRET.to_owned()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let fake = fake.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token_request(&fake, &form).await
        }
    };

    fake.expire_access_tokens();
    let (status, body) = get(&fake, &access, "/users/me/calendarList", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"error": {"errors": [{"domain": "global", "reason": "authError",
            "message": "Invalid Credentials", "locationType": "header", "location": "Authorization"}],
            "code": 401, "message": "Invalid Credentials"}})
    );

    let (status, body) = send(refresh_form(&refresh)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(body["token_type"], "Bearer");
    let fresh = body["access_token"].as_str().expect("access").to_owned();
    assert_eq!(
        get(&fake, &fresh, "/users/me/calendarList", &[]).await.0,
        StatusCode::OK
    );

    fake.revoke_refresh_tokens();
    let (status, body) = send(refresh_form(&refresh)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    );

    // Short-lived tokens expire on the real clock.
    fake.set_access_token_lifetime(0);
    let (short, _) = sign_in(&fake).await;
    assert_eq!(
        get(&fake, &short, "/users/me/calendarList", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&fake, "garbage", "/users/me/calendarList", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn revoke_endpoint_revokes_the_whole_grant() {
    let fake = FakeGoogle::start().await;
    let (access, refresh) = sign_in(&fake).await;
    let revoke = |token: String| {
        let url = fake.revoke_url();
        async move {
            client()
                .post(url)
                .form(&[("token", token)])
                .send()
                .await
                .expect("revoke")
        }
    };
    let response = revoke(refresh.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(fake.is_revoked(&refresh));
    assert!(fake.is_revoked(&access));
    assert_eq!(
        get(&fake, &access, "/users/me/calendarList", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );

    let response = revoke(refresh).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error": "invalid_token", "error_description": "Token expired or revoked"})
    );

    // The token may also travel in the query.
    let (other_access, _) = sign_in(&fake).await;
    let response = client()
        .post(fake.revoke_url())
        .query(&[("token", other_access.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(fake.is_revoked(&other_access));
}

#[tokio::test]
async fn rotating_refresh_tokens_retire_the_one_used() {
    let fake = FakeGoogle::start().await;
    let (_, first) = sign_in(&fake).await;
    fake.set_rotating_refresh_tokens(true);
    let refresh = |token: String| {
        let fake = fake.clone();
        async move {
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", token.as_str()),
                ("client_id", FakeGoogle::CLIENT_ID),
                ("client_secret", FakeGoogle::CLIENT_SECRET),
            ];
            token_request(&fake, &form).await
        }
    };
    let (status, body) = refresh(first.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["refresh_token"]
        .as_str()
        .expect("a new refresh token")
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(fake.issued_tokens().last(), Some(&second));

    let (status, body) = refresh(first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "the used token is retired");
    assert_eq!(refresh(second).await.0, StatusCode::OK);
}
