//! The identity platform: authorize checks, PKCE, public client, rotation, invalid_grant,
//! access-token checks on Graph.

use fake_microsoft::{Consent, FakeMicrosoft, TENANT_ID};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

fn error_code(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().expect("error code")
}

#[tokio::test]
async fn sign_in_redirects_with_code_and_state_and_redeems_tokens() {
    let fake = FakeMicrosoft::start().await;
    let response = authorize(&fake, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().expect("ascii");
    assert!(location.starts_with(REDIRECT), "{location}");
    let pairs = redirect_params(&response);
    assert_eq!(param(&pairs, "state"), Some("st4te"));
    assert!(param(&pairs, "session_state").is_some());
    let code = param(&pairs, "code").expect("code").to_owned();

    let (status, body) = redeem(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let expires_in = body["expires_in"].as_i64().expect("expires_in");
    assert!((3600..=5400).contains(&expires_in), "{expires_in}");
    assert_eq!(body["ext_expires_in"], body["expires_in"]);
    assert!(body["scope"]
        .as_str()
        .expect("scope")
        .contains("Calendars.Read"));
    let access = body["access_token"].as_str().expect("access");
    assert!(!access.contains('.'), "opaque, not a JWT");
    assert!(body["refresh_token"].is_string());
    assert_eq!(fake.issued_tokens().len(), 2);

    let (status, me, _) = get_url(&format!("{}/me", fake.graph_url()), access, &[]).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["displayName"], "Megan Bowen");
    assert_eq!(me["userPrincipalName"], "megan@contoso.example");
    assert_eq!(me["mail"], "megan@contoso.example");

    fake.set_user("Alex", "alex@outlook.example", None);
    let (_, me, _) = get_url(&format!("{}/me", fake.graph_url()), access, &[]).await;
    assert_eq!(me["displayName"], "Alex");
    assert!(me["mail"].is_null());
}

#[tokio::test]
async fn pkce_must_be_s256_and_the_verifier_must_match() {
    let fake = FakeMicrosoft::start().await;
    for method in ["plain", ""] {
        let response = authorize(&fake, &[("code_challenge_method", method)]).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let pairs = redirect_params(&response);
        assert_eq!(param(&pairs, "error"), Some("invalid_request"), "{method}");
        assert!(param(&pairs, "code").is_none());
        assert_eq!(param(&pairs, "state"), Some("st4te"));
    }
    let response = authorize(&fake, &[("code_challenge", "")]).await;
    assert_eq!(
        param(&redirect_params(&response), "error"),
        Some("invalid_request")
    );

    let code = auth_code(&fake, &[]).await;
    let wrong = "x".repeat(50);
    let (status, body) = redeem(&fake, &code, &wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(error_code(&body), 501481);
    let description = body["error_description"].as_str().expect("description");
    assert!(description.starts_with("AADSTS501481: "), "{description}");
    for field in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
        assert!(body[field].is_string(), "{field}");
    }

    let (status, _) = redeem(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = redeem(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (body["error"].as_str(), error_code(&body)),
        (Some("invalid_grant"), 54005)
    );
}

#[tokio::test]
async fn a_public_client_must_not_send_a_secret() {
    let fake = FakeMicrosoft::start().await;
    let code = auth_code(&fake, &[]).await;
    let (status, body) = token_request(
        &fake,
        &[
            ("client_id", FakeMicrosoft::CLIENT_ID),
            ("client_secret", "s3cret"),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (body["error"].as_str(), error_code(&body)),
        (Some("invalid_client"), 700025)
    );
    // The code was not spent by the refused request.
    assert_eq!(redeem(&fake, &code, VERIFIER).await.0, StatusCode::OK);
}

#[tokio::test]
async fn redirects_must_be_registered_loopback_uris_and_errors_stay_in_the_browser() {
    let fake = FakeMicrosoft::start().await;
    for bad in [
        "http://127.0.0.1:5000/callback",
        "http://[::1]:5000/",
        "https://localhost:5000/",
        "http://example.com/",
    ] {
        let response = authorize(&fake, &[("redirect_uri", bad)]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.expect("page").contains("AADSTS50011"));
    }
    let response = authorize(
        &fake,
        &[("client_id", "00000000-0000-0000-0000-000000000000")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response
        .text()
        .await
        .expect("page")
        .contains("AADSTS700016"));

    // Any port; a URI without a path comes back with a trailing slash.
    let response = authorize(&fake, &[("redirect_uri", "http://localhost:7071")]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().expect("ascii");
    assert!(
        location.starts_with("http://localhost:7071/?code="),
        "{location}"
    );
}

#[tokio::test]
async fn tenants_are_common_organizations_consumers_or_the_directory() {
    let fake = FakeMicrosoft::start().await;
    for tenant in ["organizations", "consumers", TENANT_ID] {
        let response = client()
            .get(fake.auth_url_for(tenant))
            .query(&[
                ("client_id", FakeMicrosoft::CLIENT_ID),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", SCOPE),
                ("code_challenge", &s256(VERIFIER)),
                ("code_challenge_method", "S256"),
            ])
            .send()
            .await
            .expect("authorize");
        assert_eq!(response.status(), StatusCode::FOUND, "{tenant}");
    }
    let response = client()
        .get(fake.auth_url_for("contoso.example"))
        .send()
        .await
        .expect("authorize");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_refusal_comes_back_on_the_redirect() {
    let fake = FakeMicrosoft::start().await;
    fake.set_consent(Consent::Deny);
    let response = authorize(&fake, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let pairs = redirect_params(&response);
    assert_eq!(param(&pairs, "error"), Some("access_denied"));
    assert!(param(&pairs, "error_description").is_some_and(|d| d.starts_with("AADSTS65004: ")));
    assert_eq!(param(&pairs, "state"), Some("st4te"));
    assert!(param(&pairs, "code").is_none());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_used_one_dies() {
    let fake = FakeMicrosoft::start().await;
    let (_, first) = sign_in(&fake).await;
    let (status, body) = refresh(&fake, &first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["refresh_token"].as_str().expect("rotated").to_owned();
    assert_ne!(first, second);
    let access = body["access_token"].as_str().expect("access").to_owned();
    let (status, _, _) = get_url(&format!("{}/me", fake.graph_url()), &access, &[]).await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = refresh(&fake, &first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (body["error"].as_str(), error_code(&body)),
        (Some("invalid_grant"), 70008)
    );
    let (status, _) = refresh(&fake, &second).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn revoked_and_inactive_grants_give_invalid_grant() {
    let fake = FakeMicrosoft::start().await;
    let (_, refresh_token) = sign_in(&fake).await;
    fake.revoke_grants();
    let (status, body) = refresh(&fake, &refresh_token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (body["error"].as_str(), error_code(&body)),
        (Some("invalid_grant"), 50173)
    );

    let (_, refresh_token) = sign_in(&fake).await;
    fake.expire_refresh_tokens();
    let (_, body) = refresh(&fake, &refresh_token).await;
    assert_eq!(
        (body["error"].as_str(), error_code(&body)),
        (Some("invalid_grant"), 700082)
    );

    let (_, body) = refresh(&fake, "not-a-token").await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn graph_refuses_missing_unknown_and_expired_access_tokens() {
    let fake = FakeMicrosoft::start().await;
    let me = format!("{}/me/calendars", fake.graph_url());
    let response = client().get(&me).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers()["www-authenticate"]
        .to_str()
        .expect("ascii")
        .starts_with("Bearer"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");

    let (status, _, _) = get_url(&me, "EwBunknown", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (access, _) = sign_in(&fake).await;
    assert_eq!(get_url(&me, &access, &[]).await.0, StatusCode::OK);
    fake.expire_access_tokens();
    let (status, body, _) = get_url(&me, &access, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");

    fake.set_access_token_lifetime(Some(0));
    let (access, _) = sign_in(&fake).await;
    assert_eq!(get_url(&me, &access, &[]).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn scopes_decide_refresh_tokens_and_permissions() {
    let fake = FakeMicrosoft::start().await;
    let code = auth_code(&fake, &[("scope", "Calendars.Read")]).await;
    let (status, body) = redeem(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let access = body["access_token"].as_str().expect("access");
    let (status, body, _) = get_url(&format!("{}/me", fake.graph_url()), access, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "ErrorAccessDenied");

    let code = auth_code(&fake, &[("scope", "offline_access User.Read")]).await;
    let (_, body) = redeem(&fake, &code, VERIFIER).await;
    let access = body["access_token"].as_str().expect("access");
    let (status, _, _) = get_url(&format!("{}/me/calendars", fake.graph_url()), access, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
