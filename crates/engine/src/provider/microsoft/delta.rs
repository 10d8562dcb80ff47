//! One calendar's changes through calendarView delta (PROVIDERS-more.md A3): a round starts at
//! `/me/calendars/{id}/calendarView/delta?startDateTime&endDateTime` (no cursor) or at the
//! saved delta link (the cursor), follows `@odata.nextLink` verbatim until a page carries
//! `@odata.deltaLink`, and only then returns the changes with that link as the new cursor, so
//! a round cut short changes nothing. The window is fixed by the round's first request; the
//! sync layer starts a fresh round (no cursor) once its window has moved on (`Scope::Windowed`).

use chrono::SecondsFormat;

use super::graph::Graph;
use super::wire::{Event, Page};
use crate::model::SyncWindow;
use crate::provider::{ChangeSet, ChangeSetKind, Progress, ProviderError};

/// The most pages one round may take. At the page size asked for (see
/// [`super::MicrosoftConfig::page_size`]) this is far more events than any calendar has in a
/// sync window, and a server may send empty pages with a nextLink: 2,000 pages still bound a
/// server that never sends the deltaLink.
pub(super) const MAX_PAGES: usize = 2000;

/// Where a round starts.
pub(super) enum Start<'a> {
    /// A full round over the window.
    Window {
        calendar_id: &'a str,
        window: SyncWindow,
    },
    /// The delta link saved after the last round.
    DeltaLink(&'a str),
}

/// Runs one round of at most `max_pages` pages and returns its changes, with the new delta
/// link as the cursor. `own` is the account's address (which attendee is the user).
pub(super) async fn round(
    graph: &Graph,
    start: Start<'_>,
    page_size: u32,
    max_pages: usize,
    own: Option<&str>,
    progress: Progress<'_>,
) -> Result<ChangeSet, ProviderError> {
    let (mut url, kind) = match start {
        Start::Window {
            calendar_id,
            window,
        } => {
            let from = window.start.to_rfc3339_opts(SecondsFormat::Secs, true);
            let to = window.end.to_rfc3339_opts(SecondsFormat::Secs, true);
            let url = graph.url(
                &["me", "calendars", calendar_id, "calendarView", "delta"],
                &[("startDateTime", &from), ("endDateTime", &to)],
            );
            (url, ChangeSetKind::Full)
        }
        // A saved link that is not Graph's (the Graph address was changed since) is never
        // followed: the calendar is listed in full again instead.
        Start::DeltaLink(link) => (
            graph.link(link).map_err(|_| ProviderError::CursorExpired)?,
            ChangeSetKind::Delta,
        ),
    };
    // Sent on every request, follow-ups included: preferences apply per request. Times come
    // in UTC (all-day events keep their midnight dates; see wire.rs).
    let prefer = [
        format!("odata.maxpagesize={page_size}"),
        "outlook.timezone=\"UTC\"".to_owned(),
    ];
    let mut changes = Vec::new();
    for _ in 0..max_pages {
        let page: Page<Event> = graph.get(&url, &prefer).await?;
        for item in page.value {
            if let Some(change) = item.into_change(own).map_err(ProviderError::Malformed)? {
                changes.push(change);
            }
        }
        progress(changes.len());
        match (page.next_link, page.delta_link) {
            (Some(next), _) => url = graph.link(&next)?,
            (None, Some(delta)) => {
                // Checked now, so a link we would refuse to follow is never saved.
                graph.link(&delta)?;
                return Ok(ChangeSet {
                    kind,
                    changes,
                    cursor: Some(delta),
                    zones: None,
                });
            }
            (None, None) => {
                return Err(ProviderError::Malformed(
                    "a calendarView delta page has neither a next nor a delta link".into(),
                ))
            }
        }
    }
    Err(ProviderError::EndlessListing {
        listing: "calendar view changes",
        pages: max_pages,
    })
}
