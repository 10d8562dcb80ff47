//! The ICS subscription provider: one read-only calendar whose whole content is the feed.
//!
//! Each fetch is a conditional GET with the validators saved as the cursor (JSON of
//! [`Validators`]). An unchanged feed (HTTP 304, or the same content without DTSTAMP) is an
//! empty delta with the cursor as it was, which the sync layer does not write; a changed one is
//! a full change set of one `ReplaceResource` per UID, with the feed's VTIMEZONEs.

use sha2::{Digest, Sha256};

use super::feed_url::FeedUrl;
use super::fetch::{fetch, FetchError, FetchLimits, FetchOutcome, Validators};
use super::translate::translate;
use crate::http::RetryPolicy;
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

pub struct IcsProvider {
    client: reqwest::Client,
    url: FeedUrl,
    /// The one calendar's id (the account's) and name (the account's).
    calendar_id: String,
    name: String,
    limits: FetchLimits,
    /// Where the link is saved (store and key), to keep a permanent move (301/308) there.
    saved_at: Option<(SecretStore, String)>,
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
            color: None,
            time_zone: None,
            primary: true,
            read_only: true,
        }])
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        // A cursor this build cannot read is no cursor: the feed is fetched in full.
        let validators = request
            .cursor
            .and_then(|c| serde_json::from_str::<Validators>(c).ok());
        let outcome = fetch(&self.client, &self.url, validators.as_ref(), &self.limits)
            .await
            .map_err(provider_error)?;
        match outcome {
            FetchOutcome::NotModified {
                validators,
                moved_to,
                ..
            } => {
                self.remember_move(moved_to).await;
                Ok(ChangeSet {
                    kind: ChangeSetKind::Delta,
                    changes: vec![],
                    cursor: Some(cursor(&validators)),
                    zones: None,
                })
            }
            FetchOutcome::Body {
                text,
                validators,
                moved_to,
                ..
            } => {
                self.remember_move(moved_to).await;
                let feed = crate::ical::parse(text.as_bytes());
                let translated = translate(&feed);
                // A skipped event is logged, and the rest of the feed kept.
                for warning in feed.warnings.iter().take(MAX_LOGGED_WARNINGS) {
                    tracing::warn!(calendar = %crate::text::one_line(&self.name), "{warning}");
                }
                let events = translated
                    .changes
                    .iter()
                    .map(|c| match c {
                        RemoteChange::ReplaceResource { events, .. } => events.len(),
                        _ => 1,
                    })
                    .sum();
                progress(events);
                Ok(ChangeSet {
                    kind: ChangeSetKind::Full,
                    changes: translated.changes,
                    cursor: Some(cursor(&validators)),
                    zones: Some(translated.zones),
                })
            }
        }
    }
}

fn cursor(validators: &Validators) -> String {
    // Three optional strings always serialize.
    serde_json::to_string(validators).unwrap_or_default()
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
