//! The HTTP server: routes, and the layer that logs every request and applies injected faults.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use percent_encoding::percent_decode_str;

use crate::errors::{json_response, oauth_error, ApiError};
use crate::faults::{self, FaultKind};
use crate::log::{decode_pairs, RecordedRequest};
use crate::state::Shared;
use crate::{admin, calendar_list, events, oauth};

/// The largest request body read.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A 200 body cut off in the middle.
const MALFORMED_JSON: &str = r#"{"kind": "calendar#events", "etag": "\"p1\"", "items": [{"kind": "calendar#event", "id": "trunc"#;
/// A 200 body that is valid JSON of the wrong shape.
const WRONG_SHAPE: &str = r#"{"kind": "calendar#events", "etag": 7, "items": "not a list", "nextPageToken": 42, "nextSyncToken": false, "access_token": 12345, "expires_in": "soon", "token_type": ["Bearer"]}"#;

/// Every route; all but `/_admin` are logged and subject to faults.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/o/oauth2/v2/auth", get(oauth::authorize))
        .route("/token", post(oauth::token))
        .route("/revoke", post(oauth::revoke))
        .route(
            "/calendar/v3/users/me/calendarList",
            get(calendar_list::list),
        )
        .route(
            "/calendar/v3/calendars/{calendar_id}/events",
            get(events::list),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), intercept))
        .merge(admin::router())
        .with_state(shared)
}

async fn not_found() -> Response {
    ApiError::not_found().into_response()
}

/// Logs the request, then answers with the next matching fault, or passes it on with the
/// parsed [`RecordedRequest`] as an extension.
async fn intercept(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::bad_request("The request body could not be read.").into_response();
    };
    let raw_path = parts.uri.path().to_owned();
    let path = percent_decode_str(&raw_path)
        .decode_utf8_lossy()
        .into_owned();
    let form_body = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("application/x-www-form-urlencoded"));
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path,
        query: decode_pairs(parts.uri.query().unwrap_or_default().as_bytes()),
        form: if form_body {
            decode_pairs(&bytes)
        } else {
            Vec::new()
        },
        authorized: parts.headers.contains_key(AUTHORIZATION),
        bearer: parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned()),
    };
    let fault = {
        let mut fake = shared.lock();
        fake.requests.push(recorded.clone());
        faults::take(&mut fake.faults, &raw_path, &recorded.path)
    };
    if let Some(kind) = fault {
        let oauth = matches!(recorded.path.as_str(), "/token" | "/revoke");
        match kind {
            FaultKind::Status {
                status,
                reason,
                retry_after,
            } => return status_fault(status, &reason, retry_after, oauth),
            FaultKind::MalformedJson => {
                return json_response(StatusCode::OK, MALFORMED_JSON.into())
            }
            FaultKind::WrongShape => return json_response(StatusCode::OK, WRONG_SHAPE.into()),
            FaultKind::Delay(delay) => {
                if !sleep_unless_shutdown(&shared, Some(delay)).await {
                    return ApiError::new(503, "backendError").into_response();
                }
            }
            FaultKind::Hang => {
                sleep_unless_shutdown(&shared, None).await;
                return ApiError::new(503, "backendError").into_response();
            }
            FaultKind::EndlessPages => return endless_page(&shared),
            FaultKind::HugeBody(bytes) => return json_response(StatusCode::OK, huge_body(bytes)),
            FaultKind::HtmlPage(status) => return html_page(status),
        }
    }
    parts.extensions.insert(recorded);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn status_fault(status: u16, reason: &str, retry_after: Option<u64>, oauth: bool) -> Response {
    if !oauth {
        return ApiError::new(status, reason)
            .with_retry_after(retry_after)
            .into_response();
    }
    let description = StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or(reason);
    let mut response = oauth_error(status, reason, description);
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// An empty page pointing to yet another page, with a fresh token each time.
fn endless_page(shared: &Shared) -> Response {
    let page = shared.lock().requests.len();
    let body = serde_json::json!({
        "kind": "calendar#events",
        "items": [],
        "nextPageToken": format!("endless-{page}"),
    });
    json_response(StatusCode::OK, body.to_string())
}

/// A valid, empty events page of `bytes` bytes: the padding is one long `description`.
fn huge_body(bytes: usize) -> String {
    const HEAD: &str =
        r#"{"kind":"calendar#events","items":[],"nextSyncToken":"huge","description":""#;
    const TAIL: &str = r#""}"#;
    let padding = bytes.saturating_sub(HEAD.len() + TAIL.len());
    let mut body = String::with_capacity(HEAD.len() + padding + TAIL.len());
    body.push_str(HEAD);
    body.extend(std::iter::repeat_n('x', padding));
    body.push_str(TAIL);
    body
}

/// An HTML error page with `status`, as a front end sends when the service behind it is down.
fn html_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = format!(
        "<!DOCTYPE html><html><head><title>Error {status}</title></head>\
         <body><p><b>{status}.</b> That's an error.</p></body></html>"
    );
    (status, [(CONTENT_TYPE, "text/html; charset=UTF-8")], body).into_response()
}

/// Sleeps for `delay` (forever if `None`); false if the server shut down first.
async fn sleep_unless_shutdown(shared: &Shared, delay: Option<Duration>) -> bool {
    let mut shutdown = shared.shutdown.clone();
    let sleep = async {
        match delay {
            Some(delay) => tokio::time::sleep(delay).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = sleep => true,
        _ = shutdown.wait_for(|down| *down) => false,
    }
}
