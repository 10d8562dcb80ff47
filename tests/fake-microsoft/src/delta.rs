//! `GET /me/calendars/{id}/calendarView/delta` (and `/me/calendarView/delta` for the default
//! calendar): rounds of pages linked by `$skiptoken`, ending in a `$deltatoken` whose later use
//! returns only what changed in the fixed window, with `@removed` for what left it. [GA][GC][GO]
//!
//! State tokens live in a size-limited cache, as Outlook's do: the oldest are evicted, and an
//! evicted or unknown token gets 410 `SyncStateNotFound`. [GO][GI]

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::HeaderName;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::distr::{Alphanumeric, SampleString};
use serde::Serialize;
use serde_json::{json, Value};

use crate::errors::{json_response, GraphError};
use crate::identity::check_bearer;
use crate::instances::{expand, Window};
use crate::log::RecordedRequest;
use crate::mailbox::{Mailbox, DEFAULT_CALENDAR_ID};
use crate::prefer::Preferences;
use crate::render::{render, EventJson, Preferred, RenderedEvent};
use crate::state::Shared;
use crate::zones;

/// What is percent-encoded in a path segment: all but unreserved characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Delta tokens kept before the oldest is evicted.
const MAX_STATES: usize = 4096;
/// Rounds (their pages) kept before the oldest is evicted.
const MAX_ROUNDS: usize = 16;
/// Page size without `Prefer: odata.maxpagesize` (inferred: calendarView's default of 10).
const DEFAULT_PAGE: usize = 10;

/// What a delta token stands for: the window and what the client has seen of it.
struct DeltaState {
    calendar_id: String,
    window: Window,
    /// Instance id → version, as sent to the client.
    seen: HashMap<String, u64>,
    /// Events (or series) with an instance the client has.
    seen_sources: HashSet<String>,
    /// The mailbox's change counter when the state was made; `None` before a first round.
    change: Option<u64>,
}

/// One round in progress: every entry it will send, page by page.
struct Round {
    calendar_id: String,
    window: Window,
    /// The entries from `base` on; those before were sent and dropped (memory for big rounds).
    entries: Vec<Entry>,
    /// The offset of `entries[0]` in the round.
    base: usize,
    next_seen: HashMap<String, u64>,
    next_sources: HashSet<String>,
    change: u64,
    delta_token: Option<String>,
}

enum Entry {
    Event(RenderedEvent),
    Removed(String),
}

/// One page as serialized.
#[derive(Serialize)]
struct Page<'a> {
    #[serde(rename = "@odata.context")]
    context: String,
    value: Vec<PageItem<'a>>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", skip_serializing_if = "Option::is_none")]
    delta_link: Option<String>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum PageItem<'a> {
    Event(EventJson<'a>),
    Removed(Value),
}

/// The state-token cache.
#[derive(Default)]
pub(crate) struct DeltaCache {
    states: HashMap<String, DeltaState>,
    state_order: VecDeque<String>,
    rounds: HashMap<String, Round>,
    round_order: VecDeque<String>,
    /// Send each change of an incremental round twice, as Graph may. [GO]
    pub(crate) replay: bool,
}

impl DeltaCache {
    /// Forgets every token: each later use gets 410.
    pub(crate) fn expire_all(&mut self) {
        self.states.clear();
        self.state_order.clear();
        self.rounds.clear();
        self.round_order.clear();
    }

    /// How many delta tokens are live.
    pub(crate) fn live_tokens(&self) -> usize {
        self.states.len()
    }

    fn store_round(&mut self, round: Round) -> String {
        let key = random_token();
        self.rounds.insert(key.clone(), round);
        self.round_order.push_back(key.clone());
        while self.round_order.len() > MAX_ROUNDS {
            if let Some(old) = self.round_order.pop_front() {
                self.rounds.remove(&old);
            }
        }
        key
    }

    fn store_state(&mut self, state: DeltaState) -> String {
        let key = random_token();
        self.states.insert(key.clone(), state);
        self.state_order.push_back(key.clone());
        while self.state_order.len() > MAX_STATES {
            if let Some(old) = self.state_order.pop_front() {
                self.states.remove(&old);
            }
        }
        key
    }
}

fn random_token() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 43)
}

/// Marks a request the [`FaultKind::EmptyPage`](crate::FaultKind::EmptyPage) fault picked: it
/// gets a page with no events whose nextLink leads to the page it would have had.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmptyPage;

/// `GET /v1.0/me/calendarView/delta`: the default calendar.
pub(crate) async fn default_calendar(
    State(shared): State<Arc<Shared>>,
    Extension(request): Extension<RecordedRequest>,
    empty: Option<Extension<EmptyPage>>,
) -> Response {
    serve(&shared, &request, None, empty.is_some()).unwrap_or_else(IntoResponse::into_response)
}

/// `GET /v1.0/me/calendars/{id}/calendarView/delta`.
pub(crate) async fn calendar(
    State(shared): State<Arc<Shared>>,
    Path(calendar_id): Path<String>,
    Extension(request): Extension<RecordedRequest>,
    empty: Option<Extension<EmptyPage>>,
) -> Response {
    serve(&shared, &request, Some(&calendar_id), empty.is_some())
        .unwrap_or_else(IntoResponse::into_response)
}

fn serve(
    shared: &Shared,
    request: &RecordedRequest,
    calendar_id: Option<&str>,
    empty_page: bool,
) -> Result<Response, GraphError> {
    if !check_bearer(shared, request)?.calendars {
        return Err(GraphError::access_denied());
    }
    for unsupported in ["$select", "$expand", "$filter", "$orderby", "$search"] {
        if request.query_param(unsupported).is_some() {
            // Not supported on calendarView delta [GA]; the fake says so rather than ignore
            // it (the status and code are inferred).
            return Err(GraphError::bad_request(
                "ErrorInvalidUrlQuery",
                format!("The query parameter '{unsupported}' is not supported with change tracking over the 'CalendarView' resource."),
            ));
        }
    }
    let preferences = Preferences::read(&request.prefer);
    let mut fake = shared.lock();
    let state = &mut *fake;
    let request_calendar = calendar_id;
    let calendar_id = calendar_id
        .map(str::to_owned)
        .or_else(|| {
            state
                .mailbox
                .calendars
                .iter()
                .find(|c| c.is_default)
                .map(|c| c.id.clone())
        })
        .unwrap_or_else(|| DEFAULT_CALENDAR_ID.to_owned());
    if state.mailbox.calendar(&calendar_id).is_none() {
        return Err(GraphError::not_found());
    }
    let (round_key, offset) = if let Some(skip) = request.query_param("$skiptoken") {
        let (key, offset) = skip
            .rsplit_once('.')
            .and_then(|(key, offset)| Some((key, offset.parse::<usize>().ok()?)))
            .ok_or_else(GraphError::sync_state_not_found)?;
        match state.delta.rounds.get(key) {
            Some(round)
                if round.calendar_id == calendar_id
                    && (round.base..=round.base + round.entries.len()).contains(&offset) =>
            {
                (key.to_owned(), offset)
            }
            _ => return Err(GraphError::sync_state_not_found()),
        }
    } else if let Some(token) = request.query_param("$deltatoken") {
        let previous = state
            .delta
            .states
            .get(token)
            .filter(|s| s.calendar_id == calendar_id)
            .ok_or_else(GraphError::sync_state_not_found)?;
        // The window and parameters come from the token; new ones are ignored. [GC][GI]
        let round = next_round(&state.mailbox, previous, state.delta.replay);
        (state.delta.store_round(round), 0)
    } else {
        let window = first_window(request)?;
        let empty = DeltaState {
            calendar_id: calendar_id.clone(),
            window,
            seen: HashMap::new(),
            seen_sources: HashSet::new(),
            change: None,
        };
        let round = next_round(&state.mailbox, &empty, false);
        (state.delta.store_round(round), 0)
    };
    let page_size = preferences.page_size.unwrap_or(DEFAULT_PAGE);
    let preferred = preferences.zone.clone().unwrap_or_else(Preferred::utc);
    // Links name the calendar as the request did, its id percent-encoded. [GC]
    let link_base = match request_calendar {
        Some(id) => format!(
            "{}/v1.0/me/calendars/{}/calendarView/delta",
            shared.base_url,
            utf8_percent_encode(id, PATH_SEGMENT)
        ),
        None => format!("{}/v1.0/me/calendarView/delta", shared.base_url),
    };
    let Some(round) = state.delta.rounds.get_mut(&round_key) else {
        return Err(GraphError::sync_state_not_found());
    };
    // Pages before this one are never asked for again (a retry repeats this page's link).
    round.entries.drain(..offset - round.base);
    round.base = offset;
    let end = if empty_page {
        0
    } else {
        page_size.min(round.entries.len())
    };
    let more = empty_page || end < round.entries.len();
    let mut page = Page {
        context: format!("{}/v1.0/$metadata#Collection(event)", shared.base_url),
        value: Vec::new(),
        next_link: None,
        delta_link: None,
    };
    if more {
        let next = offset + end;
        page.next_link = Some(format!("{link_base}?$skiptoken={round_key}.{next}"));
    } else {
        let token = match &round.delta_token {
            Some(token) => token.clone(),
            None => {
                let next = DeltaState {
                    calendar_id: round.calendar_id.clone(),
                    window: round.window,
                    seen: round.next_seen.clone(),
                    seen_sources: round.next_sources.clone(),
                    change: Some(round.change),
                };
                let token = state.delta.store_state(next);
                if let Some(round) = state.delta.rounds.get_mut(&round_key) {
                    round.delta_token = Some(token.clone());
                }
                token
            }
        };
        page.delta_link = Some(format!("{link_base}?$deltatoken={token}"));
    }
    let Some(round) = state.delta.rounds.get(&round_key) else {
        return Err(GraphError::sync_state_not_found());
    };
    page.value = round.entries[..end]
        .iter()
        .map(|entry| match entry {
            Entry::Event(event) => PageItem::Event(event.in_zone(&preferred)),
            Entry::Removed(id) => PageItem::Removed(json!({
                "@odata.type": "#microsoft.graph.event",
                "id": id,
                "@removed": {"reason": "deleted"},
            })),
        })
        .collect();
    let body = serde_json::to_string(&page).unwrap_or_default();
    drop(fake);
    let mut response = json_response(StatusCode::OK, body);
    if let Some(applied) = preferences.applied() {
        if let Ok(value) = HeaderValue::from_str(&applied) {
            response
                .headers_mut()
                .insert(HeaderName::from_static("preference-applied"), value);
        }
    }
    Ok(response)
}

/// The window of a first request: both bounds are required. [GA]
fn first_window(request: &RecordedRequest) -> Result<Window, GraphError> {
    let bound = |name: &str| {
        request
            .query_param(name)
            .or_else(|| request.query_param(&name.to_ascii_lowercase()))
    };
    let (Some(start), Some(end)) = (bound("startDateTime"), bound("endDateTime")) else {
        return Err(GraphError::bad_request(
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        ));
    };
    let parse = |text: &str| {
        zones::parse_window_bound(text).ok_or_else(|| {
            GraphError::bad_request(
                "ErrorInvalidParameter",
                format!("The value '{text}' of parameter 'StartDateTime/EndDateTime' is invalid."),
            )
        })
    };
    let window = Window {
        start: parse(start)?,
        end: parse(end)?,
    };
    if window.end <= window.start {
        return Err(GraphError::bad_request(
            "ErrorInvalidParameter",
            "The parameter 'EndDateTime' must be later than 'StartDateTime'.",
        ));
    }
    Ok(window)
}

/// The round that brings a client from `previous` to the calendar as it is now.
fn next_round(mailbox: &Mailbox, previous: &DeltaState, replay: bool) -> Round {
    let mut entries = Vec::new();
    let mut next_seen = HashMap::new();
    let mut next_sources = HashSet::new();
    let calendar = mailbox.calendar(&previous.calendar_id);
    let instances = calendar
        .map(|calendar| expand(calendar, previous.window, mailbox.zone))
        .unwrap_or_default();
    for instance in instances {
        next_seen.insert(instance.id.clone(), instance.version);
        next_sources.insert(instance.source_id.clone());
        if previous.seen.get(&instance.id) == Some(&instance.version) {
            continue;
        }
        let Some(rendered) = calendar.and_then(|calendar| render(calendar, &instance)) else {
            continue;
        };
        if replay {
            entries.push(Entry::Event(rendered.clone()));
        }
        entries.push(Entry::Event(rendered));
    }
    for id in previous.seen.keys() {
        if !next_seen.contains_key(id) {
            entries.push(Entry::Removed(id.clone()));
        }
    }
    if let Some(since) = previous.change {
        // Events added, changed or deleted outside the window come as @removed too; a
        // client must take removing an id it never stored as a no-op. [GA]
        if let Some(calendar) = calendar {
            for event in calendar.events.values() {
                let outside =
                    !next_sources.contains(&event.id) && !previous.seen_sources.contains(&event.id);
                if event.changed > since && outside {
                    entries.push(Entry::Removed(event.id.clone()));
                }
            }
            for (id, change) in &calendar.tombstones {
                if *change > since && !previous.seen_sources.contains(id) {
                    entries.push(Entry::Removed(id.clone()));
                }
            }
        }
    }
    Round {
        calendar_id: previous.calendar_id.clone(),
        window: previous.window,
        entries,
        base: 0,
        next_seen,
        next_sources,
        change: mailbox.change,
        delta_token: None,
    }
}
