//! Helpers shared by the integration tests: an HTTP client, the OAuth dance, JSON GETs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fake_google::FakeGoogle;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const REDIRECT: &str = "http://127.0.0.1:53682/callback";
pub const SCOPE: &str = "https://www.googleapis.com/auth/calendar.readonly";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mJ0kkcQ9uwWXdR8i2zeMjt6_kL3rcZ.~-0123456789";

/// A client that does not follow redirects (the consent redirect goes to the app).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// GETs the consent screen with a PKCE S256 challenge of [`VERIFIER`], plus `extra`.
pub async fn authorize(fake: &FakeGoogle, extra: &[(&str, &str)]) -> reqwest::Response {
    let challenge = s256(VERIFIER);
    let mut query = vec![
        ("client_id", FakeGoogle::CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("state", "st4te"),
        ("access_type", "offline"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        query.retain(|(key, _)| key != name);
        query.push((name, value));
    }
    client()
        .get(fake.auth_url())
        .query(&query)
        .send()
        .await
        .expect("auth request")
}

/// The query pairs of a redirect's Location.
pub fn redirect_params(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = response.headers()["location"].to_str().expect("ascii");
    url::Url::parse(location)
        .expect("url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A fresh authorization code.
pub async fn code(fake: &FakeGoogle) -> String {
    let response = authorize(fake, &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    param(&redirect_params(&response), "code")
        .expect("code")
        .to_owned()
}

/// POSTs a form to the token endpoint.
pub async fn token_request(fake: &FakeGoogle, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = client()
        .post(fake.token_url())
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

/// Exchanges a code with the given verifier.
pub async fn exchange(fake: &FakeGoogle, code: &str, verifier: &str) -> (StatusCode, Value) {
    token_request(
        fake,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", REDIRECT),
            ("client_id", FakeGoogle::CLIENT_ID),
            ("client_secret", FakeGoogle::CLIENT_SECRET),
        ],
    )
    .await
}

/// Runs the whole flow; returns (access token, refresh token).
pub async fn sign_in(fake: &FakeGoogle) -> (String, String) {
    let code = code(fake).await;
    let (status, body) = exchange(fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["access_token"].as_str().expect("access").to_owned(),
        body["refresh_token"].as_str().expect("refresh").to_owned(),
    )
}

/// GETs an API path (below `/calendar/v3`) with a bearer token and query pairs.
pub async fn get(
    fake: &FakeGoogle,
    token: &str,
    path: &str,
    query: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = client()
        .get(format!("{}{path}", fake.api_url()))
        .bearer_auth(token)
        .query(query)
        .send()
        .await
        .expect("api request");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The events path of a calendar, with the id percent-encoded.
pub fn events_path(calendar_id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(calendar_id.as_bytes()).collect();
    format!("/calendars/{encoded}/events")
}

/// Lists every page; returns the items and the final sync token.
pub async fn list_all(
    fake: &FakeGoogle,
    token: &str,
    path: &str,
    query: &[(&str, &str)],
) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut pairs: Vec<(&str, &str)> = query.to_vec();
        if let Some(page) = &page_token {
            pairs.push(("pageToken", page));
        }
        let (status, body) = get(fake, token, path, &pairs).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        items.extend(body["items"].as_array().expect("items").iter().cloned());
        match body.get("nextPageToken").and_then(Value::as_str) {
            Some(next) => {
                assert!(
                    body.get("nextSyncToken").is_none(),
                    "only the last page has a sync token"
                );
                page_token = Some(next.to_owned());
            }
            None => {
                return (
                    items,
                    body["nextSyncToken"]
                        .as_str()
                        .expect("sync token")
                        .to_owned(),
                )
            }
        }
    }
}

pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A timed event on 2024-01-DD from HH:00 for an hour.
pub fn timed_event(id: &str, day: u32, hour: u32) -> Value {
    serde_json::json!({
        "id": id,
        "summary": format!("Event {id}"),
        "start": {"dateTime": format!("2024-01-{day:02}T{hour:02}:00:00Z")},
        "end": {"dateTime": format!("2024-01-{day:02}T{:02}:00:00Z", hour + 1)},
    })
}
