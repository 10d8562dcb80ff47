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

use crate::errors::{identity_error, json_response, GraphError};
use crate::faults::{self, FaultKind};
use crate::log::{decode_pairs, RecordedRequest};
use crate::state::Shared;
use crate::{admin, delta, graph, identity};

/// The largest request body read.
const MAX_BODY: usize = 1024 * 1024;

/// A 200 delta page cut off in the middle.
const TRUNCATED: &str = r#"{"@odata.context":"$metadata#Collection(event)","value":[{"@odata.etag":"W/\"DwAAABYAAA\"","id":"AAMkAGI2trunc"#;

/// Every route; all but `/_admin` are logged and subject to faults.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(identity::authorize))
        .route("/{tenant}/oauth2/v2.0/token", post(identity::token))
        .route("/v1.0/me", get(graph::me))
        .route("/v1.0/me/calendars", get(graph::calendars))
        .route("/v1.0/me/calendar", get(graph::default_calendar))
        .route("/v1.0/me/calendarView/delta", get(delta::default_calendar))
        .route(
            "/v1.0/me/calendars/{calendar_id}/calendarView/delta",
            get(delta::calendar),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), intercept))
        .merge(admin::router())
        .with_state(shared)
}

async fn not_found() -> Response {
    GraphError::new(404, "UnknownError", "Resource not found for the segment.").into_response()
}

/// Logs the request, then answers with the next matching fault, or passes it on with the
/// parsed [`RecordedRequest`] as an extension.
async fn intercept(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return GraphError::bad_request("BadRequest", "The request body could not be read.")
            .into_response();
    };
    let raw_path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or_default().to_owned();
    let path = percent_decode_str(&raw_path)
        .decode_utf8_lossy()
        .into_owned();
    let form_body = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path,
        query: decode_pairs(raw_query.as_bytes()),
        form: if form_body {
            decode_pairs(&bytes)
        } else {
            Vec::new()
        },
        bearer: parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned()),
        prefer: parts
            .headers
            .get_all("prefer")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect(),
    };
    let fault = {
        let mut fake = shared.lock();
        fake.requests.push(recorded.clone());
        faults::take(&mut fake.faults, &raw_path, &recorded.path)
    };
    if let Some(kind) = fault {
        let token = recorded.is_token();
        match kind {
            FaultKind::Status {
                status,
                code,
                retry_after,
            } => return status_fault(status, &code, retry_after, token),
            FaultKind::Throttle { retry_after } => {
                return status_fault(429, "TooManyRequests", Some(retry_after), token)
            }
            FaultKind::TruncatedJson => return json_response(StatusCode::OK, TRUNCATED.into()),
            FaultKind::Delay(delay) => {
                if !sleep_unless_shutdown(&shared, Some(delay)).await {
                    return GraphError::with_code(503, "serviceNotAvailable").into_response();
                }
            }
            FaultKind::Hang => {
                sleep_unless_shutdown(&shared, None).await;
                return GraphError::with_code(503, "serviceNotAvailable").into_response();
            }
            // The delta handler answers it, so the nextLink carries a real skiptoken.
            FaultKind::EmptyPage => {
                parts.extensions.insert(delta::EmptyPage);
            }
            FaultKind::HtmlPage(status) => return html_page(status),
        }
    }
    parts.extensions.insert(recorded);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn status_fault(status: u16, code: &str, retry_after: Option<u64>, token: bool) -> Response {
    let mut response = if token {
        // A transient failure of the token endpoint. (the AADSTS number is inferred)
        identity_error(
            status,
            code,
            90033,
            "A transient error has occurred. Please try again.",
        )
    } else {
        GraphError::with_code(status, code).into_response()
    };
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// An HTML error page with `status`, as a gateway in front of Graph may send. [GE]
fn html_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::GATEWAY_TIMEOUT);
    let body = format!(
        "<!DOCTYPE html><html><head><title>{status}</title></head>\
         <body><h1>{status}</h1><p>The gateway did not receive a timely response.</p></body></html>"
    );
    (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
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
