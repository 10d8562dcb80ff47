//! The user's calendars and `GET /calendar/v3/users/me/calendarList` (paging, sync tokens,
//! deleted entries).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::{json_response, ApiError};
use crate::event_store::{CalendarInfo, EventStore};
use crate::log::RecordedRequest;
use crate::oauth::check_bearer;
use crate::query::{flag, max_results};
use crate::state::Shared;
use crate::tokens::query_fingerprint;

/// Google's calendar colour palette (`colors.get`), by colorId.
const PALETTE: [&str; 24] = [
    "#ac725e", "#d06b64", "#f83a22", "#fa573c", "#ff7537", "#ffad46", "#42d692", "#16a765",
    "#7bd148", "#b3dc6c", "#fbe983", "#fad165", "#92e1c0", "#9fe1e7", "#9fc6e7", "#4986e7",
    "#9a9cff", "#b99aff", "#c2c2c2", "#cabdbf", "#cca6ac", "#f691b2", "#cd74e6", "#a47ae2",
];
const PRIMARY_COLOR: &str = "#9fe1e7";

/// One calendar in the user's list, with its events.
pub(crate) struct Calendar {
    pub(crate) id: String,
    summary: String,
    background: String,
    primary: bool,
    zone: Tz,
    deleted: bool,
    /// The list's change sequence number at this entry's last change.
    list_seq: u64,
    list_updated: DateTime<Utc>,
    pub(crate) store: EventStore,
}

impl Calendar {
    fn entry(&self) -> Value {
        let etag = format!("\"{}\"", self.list_updated.timestamp_micros());
        if self.deleted {
            return json!({"kind": "calendar#calendarListEntry", "etag": etag, "id": self.id, "deleted": true});
        }
        let mut entry = json!({
            "kind": "calendar#calendarListEntry",
            "etag": etag,
            "id": self.id,
            "summary": self.summary,
            "timeZone": self.zone.name(),
            "colorId": color_id(&self.background),
            "backgroundColor": self.background,
            "foregroundColor": "#000000",
            "selected": true,
            "accessRole": "owner",
            "defaultReminders": self.default_reminders(),
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        });
        if self.primary {
            entry["primary"] = json!(true);
        }
        entry
    }

    pub(crate) fn summary(&self) -> &str {
        &self.summary
    }

    pub(crate) fn zone(&self) -> Tz {
        self.zone
    }

    pub(crate) fn default_reminders(&self) -> Value {
        if self.primary {
            json!([{"method": "popup", "minutes": 10}])
        } else {
            json!([])
        }
    }
}

/// The colorId whose palette colour is nearest to `hex`.
fn color_id(hex: &str) -> String {
    let rgb = |text: &str| -> Option<[i32; 3]> {
        let text = text.strip_prefix('#')?;
        let channel = |at: usize| i32::from_str_radix(text.get(at..at + 2)?, 16).ok();
        Some([channel(0)?, channel(2)?, channel(4)?])
    };
    let Some(target) = rgb(hex) else {
        return "1".into();
    };
    let distance = |color: &str| {
        rgb(color).map_or(i32::MAX, |c| {
            (0..3).map(|i| (c[i] - target[i]).pow(2)).sum()
        })
    };
    let best = (0..PALETTE.len())
        .min_by_key(|&i| distance(PALETTE[i]))
        .unwrap_or(0);
    (best + 1).to_string()
}

/// The user's calendar list (removed calendars stay as deleted entries for sync).
pub(crate) struct Calendars {
    entries: Vec<Calendar>,
    seq: u64,
}

impl Calendars {
    pub(crate) fn new(email: &str) -> Self {
        let mut calendars = Calendars {
            entries: Vec::new(),
            seq: 0,
        };
        calendars.add(email, email, PRIMARY_COLOR);
        calendars.entries[0].primary = true;
        calendars
    }

    /// The user's e-mail: the primary calendar's id.
    pub(crate) fn owner_email(&self) -> &str {
        self.entries
            .iter()
            .find(|calendar| calendar.primary)
            .map_or("", |calendar| calendar.id.as_str())
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|calendar| {
            !calendar.deleted && (calendar.id == id || (id == "primary" && calendar.primary))
        })
    }

    /// A live calendar by id; `primary` stands for the user's primary calendar.
    pub(crate) fn find(&self, id: &str) -> Option<&Calendar> {
        self.position(id).map(|at| &self.entries[at])
    }

    pub(crate) fn find_mut(&mut self, id: &str) -> Option<&mut Calendar> {
        self.position(id).map(|at| &mut self.entries[at])
    }

    fn touch(&mut self, at: usize) {
        self.seq += 1;
        self.entries[at].list_seq = self.seq;
        self.entries[at].list_updated = Utc::now();
    }

    /// Adds a calendar, or updates it; a removed one comes back empty.
    pub(crate) fn add(&mut self, id: &str, summary: &str, background: &str) {
        let at = match self.entries.iter().position(|calendar| calendar.id == id) {
            Some(at) => at,
            None => {
                self.entries.push(Calendar {
                    id: id.to_owned(),
                    summary: String::new(),
                    background: String::new(),
                    primary: false,
                    zone: Tz::UTC,
                    deleted: false,
                    list_seq: 0,
                    list_updated: Utc::now(),
                    store: EventStore::new(),
                });
                self.entries.len() - 1
            }
        };
        let calendar = &mut self.entries[at];
        if calendar.deleted {
            let epoch = calendar.store.epoch + 1;
            calendar.store = EventStore::new();
            calendar.store.epoch = epoch;
            calendar.deleted = false;
        }
        calendar.summary = summary.to_owned();
        calendar.background = background.to_owned();
        self.touch(at);
    }

    /// Removes a calendar; listings with a sync token report it as deleted. False if unknown.
    pub(crate) fn remove(&mut self, id: &str) -> bool {
        match self.position(id) {
            Some(at) if !self.entries[at].primary => {
                self.entries[at].deleted = true;
                self.touch(at);
                true
            }
            _ => false,
        }
    }

    /// Renames the user: the primary calendar's id becomes `email` (and its summary too, if it
    /// was the old e-mail).
    pub(crate) fn set_user_email(&mut self, email: &str) {
        let Some(at) = self.entries.iter().position(|calendar| calendar.primary) else {
            return;
        };
        let calendar = &mut self.entries[at];
        if calendar.summary == calendar.id {
            calendar.summary = email.to_owned();
        }
        calendar.id = email.to_owned();
        self.touch(at);
    }

    /// Writes an event to a calendar and returns the stored resource.
    pub(crate) fn put_event(&mut self, calendar_id: &str, event: Value) -> Result<Value, String> {
        let owner_email = self.owner_email().to_owned();
        let calendar = self
            .find_mut(calendar_id)
            .ok_or_else(|| format!("no calendar {calendar_id:?}"))?;
        let info = CalendarInfo {
            id: &calendar.id,
            summary: &calendar.summary,
            zone: calendar.zone,
            owner_email: &owner_email,
        };
        calendar.store.put(&info, event)
    }

    /// Deletes an event (it becomes a tombstone).
    pub(crate) fn delete_event(&mut self, calendar_id: &str, event_id: &str) -> Result<(), String> {
        self.find_mut(calendar_id)
            .ok_or_else(|| format!("no calendar {calendar_id:?}"))?
            .store
            .delete(event_id)
    }

    /// Makes every earlier sync token of the calendar give 410. False if unknown.
    pub(crate) fn invalidate_sync_tokens(&mut self, calendar_id: &str) -> bool {
        self.find_mut(calendar_id)
            .map(|calendar| calendar.store.epoch += 1)
            .is_some()
    }
}

#[derive(Serialize, Deserialize)]
struct PageToken {
    fingerprint: u64,
    next: usize,
    snapshot: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListPage {
    kind: &'static str,
    etag: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_sync_token: Option<String>,
    items: Vec<Value>,
}

const SYNC_PURPOSE: &str = "calendarList-sync";
const PAGE_PURPOSE: &str = "calendarList-page";

/// `GET /calendar/v3/users/me/calendarList`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Extension(request): Extension<RecordedRequest>,
) -> Response {
    match list_page(&shared, &headers, &request) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => error.into_response(),
    }
}

fn list_page(
    shared: &Shared,
    headers: &HeaderMap,
    request: &RecordedRequest,
) -> Result<String, ApiError> {
    let fake = shared.lock();
    check_bearer(&fake, headers)?;
    let limit = max_results(request, 100, 250)?;
    let show_deleted = flag(request, "showDeleted")?.unwrap_or(false);
    flag(request, "showHidden")?;
    let sync_token = request.query_param("syncToken");
    if let Some(role) = request.query_param("minAccessRole") {
        if !matches!(role, "freeBusyReader" | "reader" | "writer" | "owner") {
            return Err(ApiError::invalid_parameter("minAccessRole", role));
        }
        if sync_token.is_some() {
            return Err(ApiError::sync_token_restricted());
        }
    }
    let since = sync_token
        .map(|token| {
            shared
                .sealer
                .open::<u64>(SYNC_PURPOSE, token)
                .ok_or_else(ApiError::full_sync_required)
        })
        .transpose()?;
    let calendars = &fake.calendars;
    let fingerprint = query_fingerprint(&request.query);
    let (start, snapshot) = match request.query_param("pageToken") {
        None => (0, calendars.seq),
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
            (page.next, page.snapshot)
        }
    };
    let mut items = Vec::new();
    let mut next = None;
    for (at, calendar) in calendars.entries.iter().enumerate().skip(start) {
        let wanted = match since {
            Some(since) => calendar.list_seq > since,
            None => show_deleted || !calendar.deleted,
        };
        if !wanted {
            continue;
        }
        if items.len() == limit {
            next = Some(at);
            break;
        }
        items.push(calendar.entry());
    }
    let page = ListPage {
        kind: "calendar#calendarList",
        etag: format!("\"p{snapshot}\""),
        next_page_token: next.map(|next| {
            shared.sealer.seal(
                PAGE_PURPOSE,
                &PageToken {
                    fingerprint,
                    next,
                    snapshot,
                },
            )
        }),
        next_sync_token: next
            .is_none()
            .then(|| shared.sealer.seal(SYNC_PURPOSE, &snapshot)),
        items,
    };
    serde_json::to_string(&page).map_err(|_| ApiError::new(500, "backendError"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_ids_follow_the_palette() {
        assert_eq!(color_id("#9fe1e7"), "14");
        assert_eq!(color_id("#f83a20"), "3");
        assert_eq!(color_id("blue"), "1");
    }

    #[test]
    fn primary_follows_the_user_email() {
        let mut calendars = Calendars::new("a@example.com");
        calendars.set_user_email("b@example.com");
        assert_eq!(calendars.owner_email(), "b@example.com");
        assert_eq!(
            calendars.find("primary").map(|c| c.summary()),
            Some("b@example.com")
        );
        assert!(!calendars.remove("primary"));
        calendars.add("team@group.calendar.google.com", "Team", "#16a765");
        assert!(calendars.remove("team@group.calendar.google.com"));
        assert!(calendars.find("team@group.calendar.google.com").is_none());
    }
}
