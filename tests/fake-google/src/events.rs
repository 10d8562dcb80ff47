//! `GET /calendar/v3/calendars/{calendarId}/events`: filters, expansion into instances,
//! ordering, paging and sync tokens.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::{json_response, ApiError};
use crate::event_store::{EventStore, StoredEvent};
use crate::log::RecordedRequest;
use crate::oauth::check_bearer;
use crate::query::{flag, max_results, time};
use crate::recurrence::{Occurrence, Series};
use crate::state::Shared;
use crate::times::{format_timestamp, instance_id};
use crate::tokens::query_fingerprint;

const SYNC_PURPOSE: &str = "events-sync";
const PAGE_PURPOSE: &str = "events-page";

/// Parameters that may not be combined with `syncToken`.
const NOT_WITH_SYNC_TOKEN: [&str; 8] = [
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Unspecified but stable: by event id, instances by original start.
    Stable,
    StartTime,
    Updated,
}

/// A validated events.list query.
struct Query {
    limit: usize,
    /// The change sequence number of the sync token: list only what changed after it.
    since: Option<u64>,
    /// Where instances of series are expanded in an incremental listing.
    sync_window: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    time_min: Option<DateTime<Utc>>,
    time_max: Option<DateTime<Utc>>,
    updated_min: Option<DateTime<Utc>>,
    single: bool,
    order: Order,
    show_deleted: bool,
    text: Option<String>,
    ical_uid: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SyncToken {
    calendar: String,
    epoch: u64,
    seq: u64,
    /// The window of the full listing the sync started from (Unix seconds): incremental
    /// listings expand changed series over it.
    window: (Option<i64>, Option<i64>),
}

#[derive(Serialize, Deserialize)]
struct PageToken {
    fingerprint: u64,
    after: Position,
    snapshot: u64,
}

/// Where an item sits in the listing order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Position {
    /// The orderBy value (start or updated, in microseconds); 0 in the stable order.
    sort: i64,
    /// The stored event the item comes from (the master, for instances).
    id: String,
    /// The instance's original start key; `i64::MIN` for a whole event.
    sub: i64,
}

struct Item<'a> {
    position: Position,
    body: Cow<'a, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventsPage<'a> {
    kind: &'static str,
    etag: String,
    summary: &'a str,
    updated: String,
    time_zone: &'a str,
    access_role: &'static str,
    default_reminders: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_sync_token: Option<String>,
    items: Vec<Cow<'a, Value>>,
}

/// `GET /calendar/v3/calendars/{calendarId}/events`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
    headers: HeaderMap,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    match list_page(&shared, &calendar_id, &headers, &request) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => error.into_response(),
    }
}

fn list_page(
    shared: &Shared,
    calendar_id: &str,
    headers: &HeaderMap,
    request: &RecordedRequest,
) -> Result<String, ApiError> {
    let fake = shared.lock();
    check_bearer(&fake, headers)?;
    let calendar = fake
        .calendars
        .find(calendar_id)
        .ok_or_else(ApiError::not_found)?;
    let (mut query, sync_token, zone) = read_query(request)?;
    let store = &calendar.store;
    let fingerprint = query_fingerprint(&request.query);
    let (after, snapshot) = match request.query_param("pageToken") {
        None => (None, store.seq),
        Some(token) => {
            let page = shared
                .sealer
                .open::<PageToken>(PAGE_PURPOSE, token)
                .filter(|page| page.fingerprint == fingerprint)
                .ok_or_else(|| {
                    ApiError::new(400, "invalid")
                        .with_message("Invalid Value")
                        .at_parameter("pageToken")
                })?;
            (Some(page.after), page.snapshot)
        }
    };
    if let Some(token) = sync_token {
        let token = shared
            .sealer
            .open::<SyncToken>(SYNC_PURPOSE, token)
            .filter(|token| {
                token.calendar == calendar.id
                    && token.epoch == store.epoch
                    && token.seq <= store.seq
            })
            .ok_or_else(ApiError::full_sync_required)?;
        query.since = Some(token.seq);
        let (from, to) = token.window;
        query.sync_window = (
            from.and_then(|secs| DateTime::from_timestamp(secs, 0)),
            to.and_then(|secs| DateTime::from_timestamp(secs, 0)),
        );
    }
    let mut items = collect(store, &query, after.as_ref());
    if query.order != Order::Stable {
        items.sort_by(|a, b| a.position.cmp(&b.position));
        if let Some(after) = &after {
            items.retain(|item| item.position > *after);
        }
    }
    let next = (items.len() > query.limit).then(|| {
        items.truncate(query.limit);
        items[query.limit - 1].position.clone()
    });
    let next_page_token = next.map(|after| {
        let token = PageToken {
            fingerprint,
            after,
            snapshot,
        };
        shared.sealer.seal(PAGE_PURPOSE, &token)
    });
    // Only the last page carries the sync token.
    let next_sync_token = next_page_token.is_none().then(|| {
        let token = SyncToken {
            calendar: calendar.id.clone(),
            epoch: store.epoch,
            seq: snapshot,
            window: (
                query.sync_window.0.map(|at| at.timestamp()),
                query.sync_window.1.map(|at| at.timestamp()),
            ),
        };
        shared.sealer.seal(SYNC_PURPOSE, &token)
    });
    let page = EventsPage {
        kind: "calendar#events",
        etag: format!("\"p{}{}\"", store.epoch, snapshot),
        summary: calendar.summary(),
        updated: format_timestamp(store.updated),
        time_zone: zone.map_or(calendar.zone().name(), |zone| zone.name()),
        access_role: "owner",
        default_reminders: calendar.default_reminders(),
        next_page_token,
        next_sync_token,
        items: items.into_iter().map(|item| item.body).collect(),
    };
    serde_json::to_string(&page).map_err(|_| ApiError::new(500, "backendError"))
}

/// Reads and checks the parameters; returns the query, the raw sync token and the response zone.
fn read_query(request: &RecordedRequest) -> Result<(Query, Option<&str>, Option<Tz>), ApiError> {
    let limit = max_results(request, 250, 2500)?;
    let single = flag(request, "singleEvents")?.unwrap_or(false);
    let show_deleted = flag(request, "showDeleted")?;
    let time_min = time(request, "timeMin")?;
    let time_max = time(request, "timeMax")?;
    let updated_min = time(request, "updatedMin")?;
    let order = match request.query_param("orderBy") {
        None => Order::Stable,
        Some("startTime") => Order::StartTime,
        Some("updated") => Order::Updated,
        Some(other) => return Err(ApiError::invalid_parameter("orderBy", other)),
    };
    if order == Order::StartTime && !single {
        return Err(ApiError::bad_request(
            "The requested ordering is not available for the particular query.",
        ));
    }
    let zone = request
        .query_param("timeZone")
        .map(|name| {
            name.parse::<Tz>()
                .map_err(|_| ApiError::invalid_parameter("timeZone", name))
        })
        .transpose()?;
    let sync_token = request.query_param("syncToken");
    if sync_token.is_some()
        && (show_deleted == Some(false)
            || NOT_WITH_SYNC_TOKEN
                .iter()
                .any(|name| request.query_param(name).is_some()))
    {
        return Err(ApiError::sync_token_restricted());
    }
    if let (Some(min), Some(max)) = (time_min, time_max) {
        if max <= min {
            return Err(ApiError::new(400, "timeRangeEmpty").at_parameter("timeMax"));
        }
    }
    let query = Query {
        limit,
        since: None,
        sync_window: (time_min, time_max),
        time_min,
        time_max,
        updated_min,
        single,
        order,
        show_deleted: show_deleted.unwrap_or(false),
        text: request.query_param("q").map(str::to_lowercase),
        ical_uid: request.query_param("iCalUID").map(str::to_owned),
    };
    Ok((query, sync_token, zone))
}

/// The items of the listing after `after`. In the stable order it stops one past a full page;
/// with an orderBy it returns every match, unsorted.
fn collect<'a>(store: &'a EventStore, query: &Query, after: Option<&Position>) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    let stable = query.order == Order::Stable;
    let (from, resume) = match after.filter(|_| stable) {
        Some(after) => (Bound::Included(after.id.as_str()), Some(after)),
        None => (Bound::Unbounded, None),
    };
    for (id, event) in store
        .events
        .range::<str, (Bound<&str>, Bound<&str>)>((from, Bound::Unbounded))
    {
        let skip_through = resume
            .filter(|after| after.id == *id)
            .map(|after| after.sub);
        if skip_through == Some(i64::MIN) {
            continue;
        }
        items_of(store, id, event, query, skip_through, &mut out);
        if stable && out.len() > query.limit {
            break;
        }
    }
    out
}

/// Adds the items one stored event yields: itself, or (singleEvents) its instances.
fn items_of<'a>(
    store: &'a EventStore,
    id: &'a str,
    event: &'a StoredEvent,
    query: &Query,
    skip_through: Option<i64>,
    out: &mut Vec<Item<'a>>,
) {
    if query.single {
        if let Some(series) = &event.series {
            if event.cancelled {
                // The series is gone: a sync reports the cancelled master itself.
                if changed(event, query) {
                    out.push(whole(id, event, query));
                }
            } else {
                expand(store, id, event, series, query, skip_through, out);
            }
            return;
        }
        if store.master_of(event).is_some() {
            return; // listed with its master's instances
        }
    }
    if keep(store, event, query) {
        out.push(whole(id, event, query));
    }
}

/// In a sync: whether the event changed after the token. Also true when updatedMin asks for
/// changes and this one is recent enough.
fn changed(event: &StoredEvent, query: &Query) -> bool {
    match (query.since, query.updated_min) {
        (Some(since), _) => event.seq > since,
        (None, Some(min)) => event.updated >= min,
        (None, None) => false,
    }
}

/// Whether a stored event (not expanded) belongs in the listing.
fn keep(store: &EventStore, event: &StoredEvent, query: &Query) -> bool {
    if let Some(since) = query.since {
        return event.seq > since;
    }
    if query.updated_min.is_some_and(|min| event.updated < min) {
        return false;
    }
    if event.cancelled {
        let live_exception = !query.single
            && store
                .master_of(event)
                .is_some_and(|master| !master.cancelled);
        if !(query.show_deleted || query.updated_min.is_some() || live_exception) {
            return false;
        }
    }
    event.overlaps(query.time_min, query.time_max) && matches_text(&event.json, query)
}

fn matches_text(json: &Value, query: &Query) -> bool {
    let text_ok = query.text.as_ref().is_none_or(|text| {
        ["summary", "description", "location"].iter().any(|field| {
            json.get(field)
                .and_then(Value::as_str)
                .is_some_and(|value| value.to_lowercase().contains(text.as_str()))
        })
    });
    let uid_ok = query
        .ical_uid
        .as_ref()
        .is_none_or(|uid| json.get("iCalUID").and_then(Value::as_str) == Some(uid.as_str()));
    text_ok && uid_ok
}

fn sort_value(query: &Query, start: Option<DateTime<Utc>>, updated: DateTime<Utc>) -> i64 {
    match query.order {
        Order::Stable => 0,
        Order::StartTime => start.map_or(i64::MIN, |start| start.timestamp_micros()),
        Order::Updated => updated.timestamp_micros(),
    }
}

fn whole<'a>(id: &str, event: &'a StoredEvent, query: &Query) -> Item<'a> {
    Item {
        position: Position {
            sort: sort_value(query, event.span.map(|(start, _)| start), event.updated),
            id: id.to_owned(),
            sub: i64::MIN,
        },
        body: Cow::Borrowed(&event.json),
    }
}

enum Instance<'a> {
    Generated(Occurrence),
    Exception(&'a StoredEvent),
}

/// Adds a live master's instances: its occurrences with the stored exceptions applied.
fn expand<'a>(
    store: &'a EventStore,
    id: &'a str,
    master: &'a StoredEvent,
    series: &Series,
    query: &Query,
    skip_through: Option<i64>,
    out: &mut Vec<Item<'a>>,
) {
    let syncing = query.since.is_some();
    let (from, to) = if syncing {
        query.sync_window
    } else {
        (query.time_min, query.time_max)
    };
    let mut instances: BTreeMap<i64, Instance<'a>> = series
        .occurrences(from, to)
        .into_iter()
        .map(|occurrence| (occurrence.key, Instance::Generated(occurrence)))
        .collect();
    for exception in store.exceptions_of(id) {
        if let Some((_, key)) = exception.parent {
            instances.insert(key, Instance::Exception(exception));
        }
    }
    let master_changed = changed(master, query);
    let range = match skip_through {
        Some(key) => (Bound::Excluded(key), Bound::Unbounded),
        None => (Bound::Unbounded, Bound::Unbounded),
    };
    for (key, instance) in instances.range(range) {
        let position = |start: Option<DateTime<Utc>>, updated| Position {
            sort: sort_value(query, start, updated),
            id: id.to_owned(),
            sub: *key,
        };
        match instance {
            Instance::Generated(occurrence) => {
                let wanted = if syncing {
                    master_changed
                } else {
                    query.updated_min.is_none_or(|min| master.updated >= min)
                };
                if !wanted || !matches_text(&master.json, query) {
                    continue;
                }
                out.push(Item {
                    position: position(Some(occurrence.start), master.updated),
                    body: Cow::Owned(instance_json(master, id, occurrence, series.all_day())),
                });
            }
            Instance::Exception(exception) => {
                let wanted = if syncing {
                    master_changed || changed(exception, query)
                } else {
                    query.updated_min.is_none_or(|min| exception.updated >= min)
                        && (!exception.cancelled
                            || query.show_deleted
                            || query.updated_min.is_some())
                        && exception.overlaps(query.time_min, query.time_max)
                        && matches_text(&exception.json, query)
                };
                if wanted {
                    out.push(Item {
                        position: position(
                            exception.span.map(|(start, _)| start),
                            exception.updated,
                        ),
                        body: Cow::Borrowed(&exception.json),
                    });
                }
            }
        }
    }
}

/// An instance as Google shows it: the master's fields at the occurrence's time.
fn instance_json(
    master: &StoredEvent,
    master_id: &str,
    occurrence: &Occurrence,
    all_day: bool,
) -> Value {
    let mut fields = master.json.as_object().cloned().unwrap_or_default();
    fields.remove("recurrence");
    fields.insert(
        "id".into(),
        json!(instance_id(master_id, occurrence.key, all_day)),
    );
    fields.insert("recurringEventId".into(), json!(master_id));
    fields.insert("originalStartTime".into(), occurrence.start_json.clone());
    fields.insert("start".into(), occurrence.start_json.clone());
    fields.insert("end".into(), occurrence.end_json.clone());
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_sort_then_id_then_instance() {
        let at = |sort, id: &str, sub| Position {
            sort,
            id: id.to_owned(),
            sub,
        };
        assert!(at(0, "a", i64::MIN) < at(0, "a", 5));
        assert!(at(0, "a", 5) < at(0, "a_1", i64::MIN));
        assert!(at(0, "b", i64::MIN) < at(1, "a", i64::MIN));
    }
}
