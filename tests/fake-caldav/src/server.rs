//! The HTTP side: one handler for every method and path (PROPFIND and REPORT are not methods
//! axum routes by), the request log, the login, and iCloud's split between the entry host and
//! the partition host.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::{self, Request};
use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::auth::{Login, Verdict};
use crate::dav::{self, Answer, Conditions, Site, Target};
use crate::store::Store;
use crate::RecordedRequest;

/// The largest request body read.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Requests kept in the log; older ones are dropped (the count goes on).
const MAX_LOGGED: usize = 100_000;

/// What the server shares with the handles.
pub struct Shared {
    pub state: Mutex<State>,
    pub site: Site,
    /// In iCloud's shape, the `Host` (name and port) that alone serves the calendar home.
    pub partition_authority: Option<String>,
}

pub struct State {
    pub store: Store,
    pub login: Login,
    pub log: Vec<RecordedRequest>,
    pub requests_seen: usize,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking holder leaves nothing half-written that matters to a test fake.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(extract::State(shared): extract::State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let headers = &parts.headers;
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let target_text = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| path.clone());
    let host = header(headers, HOST).unwrap_or_default();
    let authorization = header(headers, AUTHORIZATION);
    let depth = header(headers, "depth");
    let target = Target::of(&path);

    let mut state = shared.lock();
    if let Some(action) = path.strip_prefix("/_admin/") {
        return into_response(admin(&mut state, &method, action));
    }
    let answer = answer(
        &shared,
        &mut state,
        &method,
        &target,
        &target_text,
        &host,
        authorization.as_deref(),
        depth.as_deref(),
        headers,
        &body,
    );
    state.requests_seen += 1;
    if state.log.len() < MAX_LOGGED {
        state.log.push(RecordedRequest {
            method,
            host,
            path,
            depth,
            auth: Login::seen(authorization.as_deref()),
            status: answer.status,
        });
    }
    drop(state);
    into_response(answer)
}

#[allow(clippy::too_many_arguments)]
fn answer(
    shared: &Shared,
    state: &mut State,
    method: &str,
    target: &Target,
    target_text: &str,
    host: &str,
    authorization: Option<&str>,
    depth: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Answer {
    // RFC 6764 §5: the well-known URI redirects to the context path, before any login.
    if *target == Target::WellKnown {
        return Answer {
            status: 301,
            headers: vec![("location", "/".into())],
            body: String::new(),
        };
    }
    if let Verdict::Refused(challenges) = state.login.check(authorization, method, target_text) {
        return Answer {
            status: 401,
            headers: challenges
                .into_iter()
                .map(|c| ("www-authenticate", c))
                .collect(),
            body: String::new(),
        };
    }
    // iCloud: the entry host knows the principal; the calendars live on the partition host.
    if let Some(partition) = &shared.partition_authority {
        if target.on_partition() && !host.eq_ignore_ascii_case(partition) {
            return Answer::status(404);
        }
    }
    let conditions = || Conditions {
        if_match: header(headers, "if-match"),
        if_none_match: header(headers, "if-none-match"),
    };
    match method {
        "PROPFIND" => dav::propfind(&state.store, &shared.site, target, depth, body),
        "REPORT" => dav::report(&state.store, &shared.site, target, depth, body),
        "GET" => dav::get(&state.store, target),
        "PUT" => dav::put(&mut state.store, target, &conditions(), body),
        "DELETE" => dav::delete(&mut state.store, target, &conditions()),
        "OPTIONS" => Answer {
            status: 200,
            headers: vec![
                ("dav", "1, 3, calendar-access".into()),
                (
                    "allow",
                    "OPTIONS, GET, PUT, DELETE, PROPFIND, REPORT".into(),
                ),
            ],
            body: String::new(),
        },
        _ => Answer::status(405),
    }
}

fn header(headers: &HeaderMap, name: impl axum::http::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The binary's test controls, outside the login and the log.
fn admin(state: &mut State, method: &str, action: &str) -> Answer {
    match (method, action) {
        ("GET", "requests") => {
            let list: Vec<serde_json::Value> = state
                .log
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "method": r.method,
                        "host": r.host,
                        "path": r.path,
                        "status": r.status,
                        "authenticated": r.auth.is_some(),
                    })
                })
                .collect();
            Answer {
                status: 200,
                headers: vec![("content-type", "application/json".into())],
                body: serde_json::Value::Array(list).to_string(),
            }
        }
        ("DELETE", "requests") => {
            state.log.clear();
            state.requests_seen = 0;
            Answer::status(204)
        }
        ("POST", "expire-nonces") => {
            state.login.expire_nonces();
            Answer::status(204)
        }
        ("POST", "expire-sync-tokens") => {
            state.store.expire_tokens();
            Answer::status(204)
        }
        _ => Answer::status(404),
    }
}

fn into_response(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
