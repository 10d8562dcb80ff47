//! The `fake-microsoft` binary: prints its address, serves the admin API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

/// The binary, killed when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn() -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-microsoft"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn fake-microsoft");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read address");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    (server, base)
}

async fn admin(
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client().request(method, format!("{base}/_admin{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("admin request");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn the_binary_prints_its_address_and_serves_the_admin_api() {
    let (_server, base) = spawn();
    let post = reqwest::Method::POST;
    let (status, body) = admin(
        &base,
        post.clone(),
        "/calendars",
        Some(json!({"id": "team", "name": "Team"})),
    )
    .await;
    assert_eq!(
        (status, body["id"].as_str()),
        (StatusCode::OK, Some("team"))
    );
    let (status, body) = admin(
        &base,
        post.clone(),
        "/calendars/team/events",
        Some(json!([timed_event("a", 2, 9), timed_event("b", 3, 9)])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ids"], json!(["a", "b"]));
    let (status, _) = admin(
        &base,
        post.clone(),
        "/calendars/team/events",
        Some(json!({"subject": "no times"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Sign in over HTTP, as the app does.
    let challenge = s256(VERIFIER);
    let response = client()
        .get(format!("{base}/common/oauth2/v2.0/authorize"))
        .query(&[
            ("client_id", fake_microsoft::CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPE),
            ("state", "s"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    let code = param(&redirect_params(&response), "code")
        .expect("code")
        .to_owned();
    let tokens: Value = client()
        .post(format!("{base}/common/oauth2/v2.0/token"))
        .form(&[
            ("client_id", fake_microsoft::CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let access = tokens["access_token"].as_str().expect("access");

    let url = format!(
        "{base}/v1.0/me/calendars/team/calendarView/delta?startDateTime={START}&endDateTime={END}"
    );
    let (items, delta, _) = round(&url, access, &[]).await;
    assert_eq!(ids(&items), ["a", "b"]);

    // A series with a changed and a deleted occurrence, through the admin API.
    let series = json!({
        "id": "series",
        "subject": "Daily",
        "start": {"dateTime": "2024-05-20T08:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2024-05-20T08:30:00", "timeZone": "UTC"},
        "recurrence": {"pattern": {"type": "daily"}, "range": {"type": "numbered", "numberOfOccurrences": 3}},
    });
    admin(&base, post.clone(), "/calendars/team/events", Some(series)).await;
    let change =
        json!({"originalStart": "2024-05-21T08:00:00", "patch": {"subject": "Daily (late)"}});
    let (status, body) = admin(
        &base,
        post.clone(),
        "/calendars/team/events/series/exceptions",
        Some(change),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let gone = json!({"originalStart": "2024-05-22T08:00:00"});
    let (status, _) = admin(
        &base,
        post.clone(),
        "/calendars/team/events/series/delete-occurrence",
        Some(gone),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let wrong = json!({"originalStart": "2024-05-23T08:00:00"});
    let (status, _) = admin(
        &base,
        post.clone(),
        "/calendars/team/events/series/delete-occurrence",
        Some(wrong),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no such occurrence");
    let (status, _) = admin(
        &base,
        reqwest::Method::DELETE,
        "/calendars/team/events/a",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (items, delta, _) = round(&delta, access, &[]).await;
    let subjects: Vec<&str> = items.iter().filter_map(|i| i["subject"].as_str()).collect();
    assert_eq!(subjects, ["Daily", "Daily (late)"]);
    assert!(items
        .iter()
        .any(|i| i["id"] == "a" && i["@removed"]["reason"] == "deleted"));

    let (_, log) = admin(&base, reqwest::Method::GET, "/requests", None).await;
    let paths: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .map(|r| r["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("/calendarView/delta"))
            .count(),
        2,
        "one request per round: the first and the one after the changes"
    );
    let (_, issued) = admin(&base, reqwest::Method::GET, "/tokens", None).await;
    assert!(issued
        .as_array()
        .expect("tokens")
        .iter()
        .any(|t| t == access));

    let (status, _) = admin(&base, post.clone(), "/expire-delta-tokens", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get_url(&delta, access, &[]).await.0, StatusCode::GONE);

    let fault =
        json!({"path_contains": "/me", "times": 1, "kind": {"throttle": {"retry_after": 5}}});
    admin(&base, post.clone(), "/faults", Some(fault)).await;
    assert_eq!(
        get_url(&format!("{base}/v1.0/me"), access, &[]).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    admin(&base, post.clone(), "/expire-access-tokens", None).await;
    assert_eq!(
        get_url(&format!("{base}/v1.0/me"), access, &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
}
