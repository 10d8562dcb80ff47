//! Fault injection: statuses with Google bodies, broken bodies, delays, hangs; request counts.

use std::time::{Duration, Instant};

use fake_google::{FakeGoogle, Fault, FaultKind};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

const PATH: &str = "/calendars/primary/events";

#[tokio::test]
async fn status_faults_hit_the_next_matching_requests_only() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    fake.clear_requests();
    fake.inject(Fault::new(
        "/events",
        2,
        FaultKind::Status {
            status: 429,
            reason: "rateLimitExceeded".into(),
            retry_after: Some(3),
        },
    ));
    fake.inject(Fault::new("", 1, FaultKind::status(500, "backendError")));

    let (status, _) = get(&fake, &token, "/users/me/calendarList", &[]).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the catch-all fault takes any path"
    );
    let response = client()
        .get(format!("{}{PATH}", fake.api_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "3");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"error": {"errors": [{"domain": "usageLimits",
        "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}],
        "code": 429, "message": "Rate Limit Exceeded"}})
    );
    assert_eq!(
        get(&fake, &token, PATH, &[]).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(get(&fake, &token, PATH, &[]).await.0, StatusCode::OK);
    let logged = fake.requests();
    assert_eq!(logged.len(), 4, "faulted requests are logged too");
    assert!(logged.iter().all(|request| request.authorized));

    fake.inject(Fault::new(
        PATH,
        5,
        FaultKind::status(403, "userRateLimitExceeded"),
    ));
    fake.clear_faults();
    assert_eq!(get(&fake, &token, PATH, &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn token_endpoint_faults_use_the_oauth_body() {
    let fake = FakeGoogle::start().await;
    let code = code(&fake).await;
    fake.inject(Fault::new(
        "/token",
        1,
        FaultKind::status(503, "temporarily_unavailable"),
    ));
    let (status, body) = exchange(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "temporarily_unavailable");
    let (status, _) = exchange(&fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    let form = fake.requests().last().expect("logged").clone();
    assert_eq!(form.param("grant_type"), Some("authorization_code"));
    assert_eq!(form.form_param("code"), Some(code.as_str()));
}

#[tokio::test]
async fn broken_bodies() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    fake.inject(Fault::new("/events", 1, FaultKind::MalformedJson));
    fake.inject(Fault::new("/events", 1, FaultKind::WrongShape));
    let (status, body) = get(&fake, &token, PATH, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_string(), "not JSON: {body}");
    let (status, body) = get(&fake, &token, PATH, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["items"].is_string());
}

#[tokio::test]
async fn delays_and_hangs() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    fake.inject(Fault::new(
        "/events",
        1,
        FaultKind::Delay(Duration::from_millis(300)),
    ));
    let started = Instant::now();
    assert_eq!(get(&fake, &token, PATH, &[]).await.0, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    fake.inject(Fault::new("/events", 1, FaultKind::Hang));
    let result = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client")
        .get(format!("{}{PATH}", fake.api_url()))
        .bearer_auth(&token)
        .send()
        .await;
    assert!(result.expect_err("hangs").is_timeout());

    // A hanging request ends when the server shuts down.
    fake.inject(Fault::new("/events", 1, FaultKind::Hang));
    let url = format!("{}{PATH}", fake.api_url());
    let pending = tokio::spawn(async move { client().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    fake.shutdown();
    let answer = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .expect("ends after shutdown")
        .expect("joined");
    if let Ok(response) = answer {
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}

#[tokio::test]
async fn runaway_servers_page_forever_and_send_huge_bodies() {
    let fake = FakeGoogle::start().await;
    let (token, _) = sign_in(&fake).await;
    fake.clear_requests();
    fake.inject(Fault::new("", 2, FaultKind::EndlessPages));
    let (_, first) = get(&fake, &token, PATH, &[]).await;
    let (_, second) = get(&fake, &token, "/users/me/calendarList", &[]).await;
    for page in [&first, &second] {
        assert_eq!(page["items"], json!([]));
        assert!(page["nextPageToken"].is_string(), "{page}");
    }
    assert_ne!(first["nextPageToken"], second["nextPageToken"]);

    fake.inject(Fault::new("/events", 1, FaultKind::HugeBody(100_000)));
    let response = client()
        .get(format!("{}{PATH}", fake.api_url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.content_length(), Some(100_000));
    let body: serde_json::Value = response.json().await.expect("valid JSON");
    assert_eq!(body["items"], json!([]));
    let logged = fake.requests();
    assert_eq!(logged.len(), 3);
    assert!(logged
        .iter()
        .all(|r| r.bearer.as_deref() == Some(token.as_str())));
}

#[tokio::test]
async fn an_html_page_in_place_of_json() {
    let fake = FakeGoogle::start().await;
    let code = code(&fake).await;
    fake.inject(Fault::new("/token", 1, FaultKind::HtmlPage(503)));
    let response = client()
        .post(fake.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response
        .text()
        .await
        .expect("body")
        .starts_with("<!DOCTYPE html>"));
}
