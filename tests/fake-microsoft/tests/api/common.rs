//! Helpers shared by the integration tests: an HTTP client, the sign-in dance, Graph GETs,
//! whole delta rounds.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fake_microsoft::FakeMicrosoft;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const REDIRECT: &str = "http://127.0.0.1:53682/";
pub const SCOPE: &str = "offline_access User.Read Calendars.Read";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mJ0kkcQ9uwWXdR8i2zeMjt6_kL3rcZ.~-0123456789";
pub const START: &str = "2024-05-01T00:00:00Z";
pub const END: &str = "2024-06-01T00:00:00Z";

/// A client that does not follow redirects (the sign-in redirect goes to the app).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("client")
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// GETs the authorize endpoint with a PKCE S256 challenge of [`VERIFIER`]; `extra` replaces
/// or adds parameters, and a pair with an empty value removes that parameter.
pub async fn authorize(fake: &FakeMicrosoft, extra: &[(&str, &str)]) -> reqwest::Response {
    let challenge = s256(VERIFIER);
    let mut query = vec![
        ("client_id", FakeMicrosoft::CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", SCOPE),
        ("state", "st4te"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        query.retain(|(key, _)| key != name);
        if !value.is_empty() {
            query.push((name, value));
        }
    }
    client()
        .get(fake.auth_url())
        .query(&query)
        .send()
        .await
        .expect("authorize request")
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

/// A fresh authorization code (requested with `extra`).
pub async fn auth_code(fake: &FakeMicrosoft, extra: &[(&str, &str)]) -> String {
    let response = authorize(fake, extra).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    param(&redirect_params(&response), "code")
        .expect("code")
        .to_owned()
}

/// POSTs a form to the token endpoint.
pub async fn token_request(fake: &FakeMicrosoft, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = client()
        .post(fake.token_url())
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

/// Redeems a code with the given verifier, as a public client (no secret).
pub async fn redeem(fake: &FakeMicrosoft, code: &str, verifier: &str) -> (StatusCode, Value) {
    token_request(
        fake,
        &[
            ("client_id", FakeMicrosoft::CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Refreshes with a refresh token.
pub async fn refresh(fake: &FakeMicrosoft, refresh_token: &str) -> (StatusCode, Value) {
    token_request(
        fake,
        &[
            ("client_id", FakeMicrosoft::CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// Runs the whole flow; returns (access token, refresh token).
pub async fn sign_in(fake: &FakeMicrosoft) -> (String, String) {
    let code = auth_code(fake, &[]).await;
    let (status, body) = redeem(fake, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["access_token"].as_str().expect("access").to_owned(),
        body["refresh_token"].as_str().expect("refresh").to_owned(),
    )
}

/// GETs an absolute URL with a bearer token and `Prefer` headers; the body as JSON (a
/// string if it is not JSON) and the headers.
pub async fn get_url(
    url: &str,
    token: &str,
    prefer: &[&str],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = client().get(url).bearer_auth(token);
    for value in prefer {
        request = request.header("Prefer", *value);
    }
    let response = request.send().await.expect("graph request");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        headers,
    )
}

/// The first delta URL of a calendar over `[start, end)`.
pub fn delta_url(fake: &FakeMicrosoft, calendar_id: &str, start: &str, end: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/me/calendars/", fake.graph_url())).expect("url");
    url.path_segments_mut()
        .expect("base")
        .pop_if_empty()
        .extend([calendar_id, "calendarView", "delta"]);
    url.query_pairs_mut()
        .append_pair("startDateTime", start)
        .append_pair("endDateTime", end);
    url.to_string()
}

/// One whole round from `url`: every page's items, the delta link and the pages fetched.
pub async fn round(url: &str, token: &str, prefer: &[&str]) -> (Vec<Value>, String, usize) {
    let mut items = Vec::new();
    let mut next = url.to_owned();
    for pages in 1..=10_000 {
        let (status, body, _) = get_url(&next, token, prefer).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        items.extend(body["value"].as_array().expect("value").iter().cloned());
        if let Some(link) = body["@odata.nextLink"].as_str() {
            assert!(body.get("@odata.deltaLink").is_none());
            assert!(link.contains("$skiptoken="), "{link}");
            next = link.to_owned();
            continue;
        }
        let delta = body["@odata.deltaLink"].as_str().expect("delta link");
        assert!(delta.contains("$deltatoken="), "{delta}");
        return (items, delta.to_owned(), pages);
    }
    panic!("the round did not end");
}

pub fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A timed event on 2024-05-DD at HH:00 UTC for an hour.
pub fn timed_event(id: &str, day: u32, hour: u32) -> Value {
    json!({
        "id": id,
        "subject": format!("Event {id}"),
        "start": {"dateTime": format!("2024-05-{day:02}T{hour:02}:00:00"), "timeZone": "UTC"},
        "end": {"dateTime": format!("2024-05-{day:02}T{:02}:00:00", hour + 1), "timeZone": "UTC"},
    })
}
