//! Injected faults: throttling with Retry-After, 503, truncated JSON, empty pages, gateway
//! pages, token-endpoint failures; once or N times.

use fake_microsoft::{FakeMicrosoft, Fault, FaultKind, DEFAULT_CALENDAR_ID};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn throttling_answers_429_with_retry_after_then_recovers() {
    let fake = FakeMicrosoft::start().await;
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, DEFAULT_CALENDAR_ID, START, END);
    fake.inject(Fault::new(
        "calendarView",
        2,
        FaultKind::Throttle { retry_after: 3 },
    ));
    for _ in 0..2 {
        let (status, body, headers) = get_url(&url, &token, &[]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers["retry-after"], "3");
        assert_eq!(body["error"]["code"], "TooManyRequests");
        assert!(body["error"]["innerError"]["date"].is_string());
    }
    assert_eq!(get_url(&url, &token, &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn service_unavailable_truncated_json_and_gateway_pages() {
    let fake = FakeMicrosoft::start().await;
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, DEFAULT_CALENDAR_ID, START, END);
    fake.inject(Fault::new(
        "delta",
        1,
        FaultKind::Status {
            status: 503,
            code: "serviceNotAvailable".into(),
            retry_after: Some(1),
        },
    ));
    let (status, body, headers) = get_url(&url, &token, &[]).await;
    assert_eq!(
        (status, headers["retry-after"].to_str().ok()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("1"))
    );
    assert_eq!(body["error"]["code"], "serviceNotAvailable");

    fake.inject(Fault::new("delta", 1, FaultKind::TruncatedJson));
    let (status, body, _) = get_url(&url, &token, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().expect("not JSON");
    assert!(serde_json::from_str::<Value>(text).is_err());

    fake.inject(Fault::new("delta", 1, FaultKind::HtmlPage(504)));
    let (status, body, _) = get_url(&url, &token, &[]).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
    assert!(body.as_str().expect("html").starts_with("<!DOCTYPE html>"));
    assert_eq!(get_url(&url, &token, &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_empty_page_with_a_next_link_leads_back_to_the_results() {
    let fake = FakeMicrosoft::start().await;
    fake.put_event(DEFAULT_CALENDAR_ID, timed_event("x", 2, 9));
    let (token, _) = sign_in(&fake).await;
    let url = delta_url(&fake, DEFAULT_CALENDAR_ID, START, END);
    fake.inject(Fault::new("delta", 2, FaultKind::EmptyPage));
    let (items, _, pages) = round(&url, &token, &[]).await;
    assert_eq!((ids(&items), pages), (vec!["x".to_owned()], 3));

    // An empty round, too, may start with an empty page that is not the last.
    let empty = fake.add_calendar(serde_json::json!({"name": "Empty"}));
    fake.inject(Fault::new("delta", 1, FaultKind::EmptyPage));
    let (items, _, pages) = round(&delta_url(&fake, &empty, START, END), &token, &[]).await;
    assert_eq!((items.len(), pages), (0, 2));
}

#[tokio::test]
async fn token_endpoint_faults_use_the_identity_error_body() {
    let fake = FakeMicrosoft::start().await;
    let (_, refresh_token) = sign_in(&fake).await;
    fake.inject(Fault::new(
        "/oauth2/v2.0/token",
        1,
        FaultKind::status(503, "temporarily_unavailable"),
    ));
    let (status, body) = refresh(&fake, &refresh_token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(body["error_codes"].is_array());
    // The failed request did not consume the refresh token.
    assert_eq!(refresh(&fake, &refresh_token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_delayed_answer_still_arrives() {
    let fake = FakeMicrosoft::start().await;
    let (token, _) = sign_in(&fake).await;
    fake.inject(Fault::new(
        "/me",
        1,
        FaultKind::Delay(std::time::Duration::from_millis(200)),
    ));
    let started = std::time::Instant::now();
    let (status, _, _) = get_url(&format!("{}/me", fake.graph_url()), &token, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
}
