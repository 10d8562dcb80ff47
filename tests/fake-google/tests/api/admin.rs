//! The `/_admin` API and the `fake-google` binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fake_google::FakeGoogle;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

async fn admin(
    fake: &FakeGoogle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client().request(method, format!("{}/_admin{path}", fake.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("admin request");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn admin_api_drives_the_fake() {
    use reqwest::Method;
    let fake = FakeGoogle::start().await;
    let team = "team@group.calendar.google.com";
    let (status, _) = admin(
        &fake,
        Method::POST,
        "/calendars",
        Some(json!({"id": team, "summary": "Team", "color": "#16a765"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, stored) = admin(
        &fake,
        Method::POST,
        &format!("/calendars/{team}/events"),
        Some(timed_event("e1", 1, 9)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored["status"], "confirmed");
    let (status, _) = admin(
        &fake,
        Method::POST,
        &format!("/calendars/{team}/events"),
        Some(json!({"summary": "no times"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = admin(
        &fake,
        Method::POST,
        "/calendars/nobody/events",
        Some(timed_event("e1", 1, 9)),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (token, _) = sign_in(&fake).await;
    let (items, sync) = list_all(&fake, &token, &events_path(team), &[]).await;
    assert_eq!(ids(&items), ["e1"]);
    let (status, _) = admin(
        &fake,
        Method::DELETE,
        &format!("/calendars/{team}/events/e1"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = get(&fake, &token, &events_path(team), &[("syncToken", &sync)]).await;
    assert_eq!(body["items"][0]["status"], "cancelled");
    let (status, _) = admin(&fake, Method::POST, &format!("/invalidate/{team}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        get(&fake, &token, &events_path(team), &[("syncToken", &sync)])
            .await
            .0,
        StatusCode::GONE
    );

    let fault = json!({"path_contains": "calendarList", "times": 1,
        "kind": {"status": {"status": 503, "reason": "backendError"}}});
    assert_eq!(
        admin(&fake, Method::POST, "/faults", Some(fault)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        admin(
            &fake,
            Method::POST,
            "/faults",
            Some(json!({"kind": "nope"}))
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&fake, &token, "/users/me/calendarList", &[]).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );

    let (_, log) = admin(&fake, Method::GET, "/requests", None).await;
    let last = log.as_array().expect("log").last().expect("entry").clone();
    assert_eq!(last["path"], "/calendar/v3/users/me/calendarList");
    assert_eq!(last["authorized"], true);

    assert_eq!(
        admin(&fake, Method::POST, "/expire-access-tokens", None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        get(&fake, &token, "/users/me/calendarList", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        admin(&fake, Method::POST, "/revoke-refresh-tokens", None)
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn binary_prints_its_address_first() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-google"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn fake-google");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let response = client()
        .get(format!("{base}/_admin/requests"))
        .send()
        .await
        .expect("admin");
    assert_eq!(response.status(), StatusCode::OK);
    child.kill().expect("kill");
    child.wait().expect("wait");

    let status = Command::new(env!("CARGO_BIN_EXE_fake-google"))
        .args(["--port", "many"])
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert!(!status.success());
}
