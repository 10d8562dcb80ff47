//! The ICS subscription provider: one read-only calendar whose whole content is the feed.
//!
//! Each fetch is a conditional GET with the validators saved as the cursor (JSON of
//! [`FeedCursor`], which also keeps the feed's suggested refresh interval and colour, since a
//! 304 repeats neither). An unchanged feed (HTTP 304, or the same content without DTSTAMP) is an
//! empty delta with the cursor as it was, which the sync layer does not write; a changed one is
//! a full change set of one `ReplaceResource` per UID, with the feed's VTIMEZONEs.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::color::feed_color;
use super::feed_url::FeedUrl;
use super::fetch::{fetch, FetchError, FetchLimits, FetchOutcome, Validators};
use super::translate::translate;
use crate::http::RetryPolicy;
use crate::ical::ParsedFeed;
use crate::model::{RemoteCalendar, RemoteChange};
use crate::provider::{
    Capabilities, ChangeSet, ChangeSetKind, FetchRequest, Progress, Provider, ProviderError, Scope,
};
use crate::secrets::{SecretStore, Sensitive};

/// The most warnings of one feed written to the log: a broken feed of thousands of events
/// should not flood it.
const MAX_LOGGED_WARNINGS: usize = 20;

/// The key of a subscription's full URL in the secret store.
pub fn secret_key(account_external_id: &str) -> String {
    format!("ics:{account_external_id}")
}

/// The account id of a feed: a hash of its full URL, so subscribing twice finds the same
/// account while the URL (a bearer secret) never reaches the database.
pub fn account_external_id(url: &FeedUrl) -> String {
    let digest = Sha256::digest(url.expose().as_str().as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// What a subscription remembers between fetches, saved as its calendar's cursor (JSON): the
/// validators to send, and what the last body said about the feed itself, which a 304 does not
/// repeat. Cursors of older versions (bare [`Validators`]) read as such.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCursor {
    #[serde(flatten)]
    pub validators: Validators,
    /// The poll interval the feed suggests (REFRESH-INTERVAL / X-PUBLISHED-TTL), clamped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_secs: Option<u64>,
    /// The feed's colour (COLOR / X-APPLE-CALENDAR-COLOR) as `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

impl FeedCursor {
    /// A saved cursor; one this build cannot read is none (the feed is fetched in full).
    pub fn read(cursor: &str) -> Option<FeedCursor> {
        serde_json::from_str(cursor).ok()
    }

    fn write(&self) -> String {
        // Optional strings and a number always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The poll interval the feed behind `cursor` suggested at its last fetch (for the schedule).
pub fn suggested_refresh(cursor: &str) -> Option<Duration> {
    FeedCursor::read(cursor)?
        .refresh_secs
        .map(Duration::from_secs)
}

/// A feed body already fetched and parsed (subscribing reads the feed's name from it), which
/// the provider's first [`Provider::fetch_changes`] uses instead of fetching the feed again.
#[derive(Debug)]
pub struct FirstFetch {
    pub feed: ParsedFeed,
    pub validators: Validators,
    pub refresh_interval: Option<Duration>,
    pub moved_to: Option<FeedUrl>,
}

pub struct IcsProvider {
    client: reqwest::Client,
    url: FeedUrl,
    /// The one calendar's id (the account's) and name (the account's).
    calendar_id: String,
    name: String,
    limits: FetchLimits,
    /// Where the link is saved (store and key), to keep a permanent move (301/308) there.
    saved_at: Option<(SecretStore, String)>,
    /// Taken by the first fetch; a lock because fetches borrow the provider shared.
    first_fetch: std::sync::Mutex<Option<FirstFetch>>,
    /// The calendar's colour as the last fetch saw it (a 304 does not say).
    color: Option<String>,
}

impl IcsProvider {
    pub fn new(url: FeedUrl, calendar_id: &str, name: &str, retry: RetryPolicy) -> Self {
        IcsProvider {
            // Redirects are followed by the fetcher itself, hop by hop, so it can drop
            // credentials on the way to another host.
            client: retry.client(),
            url,
            calendar_id: calendar_id.to_owned(),
            name: name.to_owned(),
            limits: FetchLimits::new(retry),
            saved_at: None,
            first_fetch: std::sync::Mutex::new(None),
            color: None,
        }
    }

    /// Takes what the last fetch learnt about the feed from its saved `cursor` (the
    /// calendar's): the colour the calendar is listed with.
    pub fn remembering(self, cursor: Option<&str>) -> Self {
        IcsProvider {
            color: cursor.and_then(FeedCursor::read).and_then(|c| c.color),
            ..self
        }
    }

    /// Makes the first fetch answer with `first` (the feed as it was just fetched) rather
    /// than with a request of its own; the calendar takes its colour.
    pub fn with_first_fetch(self, first: FirstFetch) -> Self {
        IcsProvider {
            color: first.feed.color.as_deref().and_then(feed_color),
            first_fetch: std::sync::Mutex::new(Some(first)),
            ..self
        }
    }

    /// The full change set of a fetched and parsed feed. The parsed feed is dropped as soon
    /// as it is translated: only the changes travel on to the store.
    fn full_change_set(
        &self,
        feed: ParsedFeed,
        validators: Validators,
        refresh_interval: Option<Duration>,
        progress: Progress<'_>,
    ) -> ChangeSet {
        let translated = translate(&feed);
        let cursor = FeedCursor {
            validators,
            refresh_secs: refresh_interval.map(|d| d.as_secs()),
            color: feed.color.as_deref().and_then(feed_color),
        };
        // A skipped event is logged, and the rest of the feed kept.
        for warning in feed.warnings.iter().take(MAX_LOGGED_WARNINGS) {
            tracing::warn!(calendar = %crate::text::one_line(&self.name), "{warning}");
        }
        drop(feed);
        let events = translated
            .changes
            .iter()
            .map(|c| match c {
                RemoteChange::ReplaceResource { events, .. } => events.len(),
                _ => 1,
            })
            .sum();
        progress(events);
        ChangeSet {
            kind: ChangeSetKind::Full,
            changes: translated.changes,
            cursor: Some(cursor.write()),
            zones: Some(translated.zones),
        }
    }

    /// Keeps the feed's new address under `key` in `secrets` when it has moved for good, so
    /// later refreshes go straight there (and still work once the old address is gone).
    pub fn saving_moves_to(mut self, secrets: SecretStore, key: String) -> Self {
        self.saved_at = Some((secrets, key));
        self
    }

    async fn remember_move(&self, moved_to: Option<FeedUrl>) {
        let (Some(moved_to), Some((secrets, key))) = (moved_to, &self.saved_at) else {
            return;
        };
        let saved = secrets
            .set(key, &Sensitive::new(moved_to.expose().to_string()))
            .await;
        match saved {
            Ok(()) => tracing::info!(to = %moved_to.redacted(), "the feed moved permanently"),
            // The old address still leads there; the move is saved at a later refresh.
            Err(e) => tracing::warn!(%e, "cannot save the feed's new address"),
        }
    }
}

#[async_trait::async_trait]
impl Provider for IcsProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            scope: Scope::WholeCollection,
            writable: false,
        }
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        Ok(vec![RemoteCalendar {
            external_id: self.calendar_id.clone(),
            name: self.name.clone(),
            color: self.color.clone(),
            time_zone: None,
            // "Primary" is a Google account's own calendar (its address); a feed is not one,
            // and the settings window and `calbuddy calendars` would badge it as such.
            primary: false,
            read_only: true,
        }])
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        // A poisoned lock only means another fetch panicked; the feed is fetched afresh.
        let first = self.first_fetch.lock().ok().and_then(|mut f| f.take());
        if let Some(first) = first {
            self.remember_move(first.moved_to).await;
            return Ok(self.full_change_set(
                first.feed,
                first.validators,
                first.refresh_interval,
                progress,
            ));
        }
        let saved = request.cursor.and_then(FeedCursor::read);
        let sent = saved.as_ref().map(|c| &c.validators);
        let outcome = fetch(&self.client, &self.url, sent, &self.limits)
            .await
            .map_err(provider_error)?;
        match outcome {
            FetchOutcome::NotModified {
                validators,
                moved_to,
                ..
            } => {
                self.remember_move(moved_to).await;
                // What the body said about the feed still holds.
                let cursor = FeedCursor {
                    validators,
                    ..saved.unwrap_or_default()
                };
                Ok(ChangeSet {
                    kind: ChangeSetKind::Delta,
                    changes: vec![],
                    cursor: Some(cursor.write()),
                    zones: None,
                })
            }
            FetchOutcome::Body {
                text,
                validators,
                refresh_interval,
                moved_to,
            } => {
                self.remember_move(moved_to).await;
                let feed = crate::ical::parse(text.as_bytes());
                // The body is not needed once parsed; the store's work comes after this.
                drop(text);
                Ok(self.full_change_set(feed, validators, refresh_interval, progress))
            }
        }
    }
}

/// What a failed fetch means for the sync: the previous events stay, and the message (with the
/// redacted address only) says what to do.
pub fn provider_error(error: FetchError) -> ProviderError {
    let message = error.to_string();
    match error {
        FetchError::Network { .. } | FetchError::TimedOut { .. } => ProviderError::Network(message),
        FetchError::Status { .. } if error.is_transient() => ProviderError::Network(message),
        FetchError::NeedsLogin { .. } | FetchError::Gone { .. } | FetchError::Status { .. } => {
            ProviderError::Rejected(message)
        }
        FetchError::NotICalendar { .. }
        | FetchError::TooLarge { .. }
        | FetchError::TooManyRedirects { .. }
        | FetchError::BadRedirect { .. }
        | FetchError::BadBody { .. } => ProviderError::Malformed(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_id_is_a_stable_hash_that_does_not_show_the_url() {
        let url = FeedUrl::parse("webcal://example.com/private-abc123/basic.ics").unwrap();
        let id = account_external_id(&url);
        assert_eq!(id.len(), 32);
        assert!(!id.contains("abc123") && !id.contains("example"));
        let same = FeedUrl::parse("https://example.com/private-abc123/basic.ics").unwrap();
        assert_eq!(account_external_id(&same), id);
        let other = FeedUrl::parse("https://example.com/private-abc124/basic.ics").unwrap();
        assert_ne!(account_external_id(&other), id);
    }

    #[test]
    fn fetch_failures_keep_their_meaning_for_the_sync() {
        let url = "https://example.com/…".to_owned();
        let gone = provider_error(FetchError::Gone {
            url: url.clone(),
            status: 404,
        });
        assert!(matches!(gone, ProviderError::Rejected(_)));
        assert!(!gone.is_auth_expired());
        let busy = provider_error(FetchError::Status {
            url: url.clone(),
            status: 503,
        });
        assert!(matches!(busy, ProviderError::Network(_)));
        let html = provider_error(FetchError::NotICalendar {
            url,
            content_type: Some("text/html".into()),
            first_line: "<!DOCTYPE html>".into(),
        });
        assert!(matches!(html, ProviderError::Malformed(_)));
    }
}
