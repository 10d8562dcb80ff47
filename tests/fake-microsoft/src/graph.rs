//! Graph's profile and calendar list: `GET /me`, `GET /me/calendars` (paged with
//! `@odata.nextLink`), `GET /me/calendar`. [GK]

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};

use crate::errors::{json_response, GraphError};
use crate::identity::check_bearer;
use crate::log::RecordedRequest;
use crate::state::Shared;

/// The calendar list's page size without `$top` (inferred, as Graph's usual 10).
const DEFAULT_TOP: usize = 10;
/// The largest `$top` served.
const MAX_TOP: usize = 1000;

/// `GET /v1.0/me`: the account's names; needs `User.Read`.
pub(crate) async fn me(
    State(shared): State<Arc<Shared>>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    match check_bearer(&shared, &request) {
        Ok(scopes) if scopes.user => {}
        Ok(_) => return GraphError::access_denied().into_response(),
        Err(err) => return err.into_response(),
    }
    let profile = shared.lock().mailbox.profile.clone();
    let body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#users/$entity", shared.base_url),
        "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
        "displayName": profile.display_name,
        "userPrincipalName": profile.user_principal_name,
        "mail": profile.mail,
        "givenName": null,
        "surname": null,
        "businessPhones": [],
        "jobTitle": null,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
    });
    json_response(StatusCode::OK, body.to_string())
}

/// `GET /v1.0/me/calendars`: pages of `$top` (default 10), `$skip` in the next link.
pub(crate) async fn calendars(
    State(shared): State<Arc<Shared>>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    if let Err(response) = check_calendars(&shared, &request) {
        return *response;
    }
    let read = |name: &str, default: usize| match request.query_param(name) {
        None => Ok(default),
        Some(text) => text.parse::<usize>().map_err(|_| {
            GraphError::bad_request(
                "BadRequest",
                format!("Invalid value '{text}' for query option {name}."),
            )
        }),
    };
    let (top, skip) = match (read("$top", DEFAULT_TOP), read("$skip", 0)) {
        (Ok(top), Ok(skip)) => (top.clamp(1, MAX_TOP), skip),
        (Err(err), _) | (_, Err(err)) => return err.into_response(),
    };
    let fake = shared.lock();
    let all: Vec<Value> = fake
        .mailbox
        .calendars
        .iter()
        .map(|calendar| calendar.to_json(&fake.mailbox.profile))
        .collect();
    drop(fake);
    let page: Vec<Value> = all.iter().skip(skip).take(top).cloned().collect();
    let mut body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#users('me')/calendars", shared.base_url),
        "value": page,
    });
    if skip + top < all.len() {
        body["@odata.nextLink"] = json!(format!(
            "{}/v1.0/me/calendars?$top={top}&$skip={}",
            shared.base_url,
            skip + top
        ));
    }
    json_response(StatusCode::OK, body.to_string())
}

/// `GET /v1.0/me/calendar`: the default calendar.
pub(crate) async fn default_calendar(
    State(shared): State<Arc<Shared>>,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    if let Err(response) = check_calendars(&shared, &request) {
        return *response;
    }
    let fake = shared.lock();
    let Some(calendar) = fake.mailbox.calendars.iter().find(|c| c.is_default) else {
        return GraphError::not_found().into_response();
    };
    let body = calendar.to_json(&fake.mailbox.profile);
    json_response(StatusCode::OK, body.to_string())
}

fn check_calendars(shared: &Shared, request: &RecordedRequest) -> Result<(), Box<Response>> {
    match check_bearer(shared, request) {
        Ok(scopes) if scopes.calendars => Ok(()),
        Ok(_) => Err(Box::new(GraphError::access_denied().into_response())),
        Err(err) => Err(Box::new(err.into_response())),
    }
}
