//! The `/_admin` JSON API, so a process outside the test (the desktop end-to-end test) can
//! drive the fake: calendars, events, faults, the request log, token invalidation.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::Fault;
use crate::state::Shared;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_admin/calendars", post(add_calendar))
        .route("/_admin/calendars/{calendar_id}/events", post(put_events))
        .route(
            "/_admin/calendars/{calendar_id}/events/{event_id}",
            delete(delete_event),
        )
        .route("/_admin/faults", post(add_fault).delete(clear_faults))
        .route("/_admin/requests", get(requests).delete(clear_requests))
        .route("/_admin/invalidate/{calendar_id}", post(invalidate))
        .route("/_admin/expire-access-tokens", post(expire_access_tokens))
        .route("/_admin/revoke-refresh-tokens", post(revoke_refresh_tokens))
}

fn failure(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
}

/// Reads a JSON body; a 400 answer if it does not fit.
fn read<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Box<Response>> {
    serde_json::from_slice(body)
        .map_err(|err| Box::new(failure(StatusCode::BAD_REQUEST, err.to_string())))
}

#[derive(Deserialize)]
struct NewCalendar {
    id: String,
    summary: Option<String>,
    color: Option<String>,
}

/// `POST /_admin/calendars {id, summary, color}`.
async fn add_calendar(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let calendar: NewCalendar = match read(&body) {
        Ok(calendar) => calendar,
        Err(response) => return *response,
    };
    let summary = calendar.summary.as_deref().unwrap_or(&calendar.id);
    let color = calendar.color.as_deref().unwrap_or("#9fc6e7");
    shared.lock().calendars.add(&calendar.id, summary, color);
    ok()
}

/// `POST /_admin/calendars/{id}/events`: one event object, or a list of them.
async fn put_events(
    State(shared): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
    body: Bytes,
) -> Response {
    let body: Value = match read(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let mut fake = shared.lock();
    if fake.calendars.find(&calendar_id).is_none() {
        return failure(
            StatusCode::NOT_FOUND,
            format!("no calendar {calendar_id:?}"),
        );
    }
    let (events, single) = match body {
        Value::Array(events) => (events, false),
        event => (vec![event], true),
    };
    let mut stored = Vec::with_capacity(events.len());
    for event in events {
        match fake.calendars.put_event(&calendar_id, event) {
            Ok(event) => stored.push(event),
            Err(err) => return failure(StatusCode::BAD_REQUEST, err),
        }
    }
    match stored.pop() {
        Some(event) if single => Json(event).into_response(),
        last => {
            stored.extend(last);
            Json(stored).into_response()
        }
    }
}

/// `DELETE /_admin/calendars/{calendar}/events/{id}`.
async fn delete_event(
    State(shared): State<Arc<Shared>>,
    Path((calendar_id, event_id)): Path<(String, String)>,
) -> Response {
    match shared
        .lock()
        .calendars
        .delete_event(&calendar_id, &event_id)
    {
        Ok(()) => ok(),
        Err(err) => failure(StatusCode::NOT_FOUND, err),
    }
}

/// `POST /_admin/faults` with a [`Fault`] as JSON.
async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match read::<Fault>(&body) {
        Ok(fault) => {
            shared.lock().faults.push_back(fault);
            ok()
        }
        Err(response) => *response,
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().faults.clear();
    ok()
}

/// `GET /_admin/requests`: the request log.
async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.lock().requests.clone()).into_response()
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().requests.clear();
    ok()
}

/// `POST /_admin/invalidate/{calendar}`: earlier sync tokens of that calendar give 410.
async fn invalidate(
    State(shared): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
) -> Response {
    if shared.lock().calendars.invalidate_sync_tokens(&calendar_id) {
        ok()
    } else {
        failure(
            StatusCode::NOT_FOUND,
            format!("no calendar {calendar_id:?}"),
        )
    }
}

async fn expire_access_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().credentials.expire_access_tokens();
    ok()
}

async fn revoke_refresh_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().credentials.revoke_refresh_tokens();
    ok()
}
