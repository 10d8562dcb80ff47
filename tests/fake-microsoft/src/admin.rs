//! The `/_admin` JSON API, so a process outside the test (the CLI and desktop end-to-end
//! tests) can drive the fake: calendars, events, series exceptions, token switches, faults,
//! the request log and the issued tokens.

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
use crate::grants::Consent;
use crate::state::Shared;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_admin/user", post(set_user))
        .route("/_admin/calendars", post(add_calendar))
        .route("/_admin/calendars/{calendar_id}", delete(remove_calendar))
        .route("/_admin/calendars/{calendar_id}/events", post(put_events))
        .route(
            "/_admin/calendars/{calendar_id}/events/{event_id}",
            delete(delete_event),
        )
        .route(
            "/_admin/calendars/{calendar_id}/events/{event_id}/exceptions",
            post(put_exception),
        )
        .route(
            "/_admin/calendars/{calendar_id}/events/{event_id}/delete-occurrence",
            post(delete_occurrence),
        )
        .route("/_admin/consent", post(set_consent))
        .route("/_admin/expire-delta-tokens", post(expire_delta_tokens))
        .route("/_admin/expire-access-tokens", post(expire_access_tokens))
        .route("/_admin/expire-refresh-tokens", post(expire_refresh_tokens))
        .route("/_admin/revoke-grants", post(revoke_grants))
        .route("/_admin/faults", post(add_fault).delete(clear_faults))
        .route("/_admin/requests", get(requests).delete(clear_requests))
        .route("/_admin/tokens", get(tokens))
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

fn done(result: Result<(), String>) -> Response {
    match result {
        Ok(()) => ok(),
        Err(err) => failure(StatusCode::BAD_REQUEST, err),
    }
}

/// `POST /_admin/user {displayName, userPrincipalName, mail}`.
async fn set_user(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: Value = match read(&body) {
        Ok(spec) => spec,
        Err(response) => return *response,
    };
    let mut fake = shared.lock();
    let profile = &mut fake.mailbox.profile;
    if let Some(name) = spec["displayName"].as_str() {
        profile.display_name = name.to_owned();
    }
    if let Some(upn) = spec["userPrincipalName"].as_str() {
        profile.user_principal_name = upn.to_owned();
    }
    if spec.get("mail").is_some() {
        profile.mail = spec["mail"].as_str().map(str::to_owned);
    }
    ok()
}

/// `POST /_admin/calendars {id?, name, color?, hexColor?, canEdit?, owner?}` → `{"id"}`.
async fn add_calendar(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: Value = match read(&body) {
        Ok(spec) => spec,
        Err(response) => return *response,
    };
    match shared.lock().mailbox.add_calendar(&spec) {
        Ok(id) => Json(json!({"id": id})).into_response(),
        Err(err) => failure(StatusCode::BAD_REQUEST, err),
    }
}

async fn remove_calendar(
    State(shared): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
) -> Response {
    done(shared.lock().mailbox.remove_calendar(&calendar_id))
}

/// `POST /_admin/calendars/{id}/events`: one event (Graph's create-event JSON) or a list;
/// answers `{"ids": [...]}`.
async fn put_events(
    State(shared): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
    body: Bytes,
) -> Response {
    let body: Value = match read(&body) {
        Ok(body) => body,
        Err(response) => return *response,
    };
    let events = match body {
        Value::Array(events) => events,
        event => vec![event],
    };
    let mut fake = shared.lock();
    let mut ids = Vec::with_capacity(events.len());
    for event in &events {
        match fake.mailbox.put_event(&calendar_id, event) {
            Ok(id) => ids.push(id),
            Err(err) => return failure(StatusCode::BAD_REQUEST, err),
        }
    }
    Json(json!({"ids": ids})).into_response()
}

async fn delete_event(
    State(shared): State<Arc<Shared>>,
    Path((calendar_id, event_id)): Path<(String, String)>,
) -> Response {
    done(shared.lock().mailbox.delete_event(&calendar_id, &event_id))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OccurrenceChange {
    original_start: String,
    #[serde(default)]
    patch: Value,
}

/// `POST .../events/{master}/exceptions {"originalStart": "2024-05-06T09:00:00", "patch": {..}}`.
async fn put_exception(
    State(shared): State<Arc<Shared>>,
    Path((calendar_id, master_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let change: OccurrenceChange = match read(&body) {
        Ok(change) => change,
        Err(response) => return *response,
    };
    done(shared.lock().mailbox.put_exception(
        &calendar_id,
        &master_id,
        &change.original_start,
        &change.patch,
    ))
}

/// `POST .../events/{master}/delete-occurrence {"originalStart": "2024-05-06T09:00:00"}`.
async fn delete_occurrence(
    State(shared): State<Arc<Shared>>,
    Path((calendar_id, master_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let change: OccurrenceChange = match read(&body) {
        Ok(change) => change,
        Err(response) => return *response,
    };
    done(
        shared
            .lock()
            .mailbox
            .delete_occurrence(&calendar_id, &master_id, &change.original_start),
    )
}

/// `POST /_admin/consent {"approve": false}`.
async fn set_consent(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: Value = match read(&body) {
        Ok(spec) => spec,
        Err(response) => return *response,
    };
    let Some(approve) = spec["approve"].as_bool() else {
        return failure(
            StatusCode::BAD_REQUEST,
            "expected {\"approve\": true|false}",
        );
    };
    shared.lock().credentials.consent = if approve {
        Consent::Approve
    } else {
        Consent::Deny
    };
    ok()
}

async fn expire_delta_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().delta.expire_all();
    ok()
}

async fn expire_access_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().credentials.expire_access_tokens();
    ok()
}

async fn expire_refresh_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().credentials.expire_refresh_tokens();
    ok()
}

async fn revoke_grants(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().credentials.revoke_grants();
    ok()
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

/// `GET /_admin/tokens`: every access and refresh token issued, so a test can check that
/// none of them leaked.
async fn tokens(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.lock().credentials.issued_tokens()).into_response()
}
