//! Connecting accounts: the demo calendar, Google (browser sign-in) and ICS subscriptions
//! (CalDAV accounts: `connect_caldav`). Each saves what the account needs in the secret store,
//! adds (or finds) the account and runs its first sync.

use chrono::{DateTime, Utc};

use super::{Engine, EngineEvent, Result};
use crate::provider::demo;
use crate::provider::google::{self, GoogleProvider};
use crate::provider::ics::feed_url::FeedUrl;
use crate::provider::ics::fetch::{fetch, FetchLimits, FetchOutcome};
use crate::provider::ics::provider::{self as ics, FirstFetch};
use crate::provider::{Provider, ProviderKind};
use crate::secrets::Sensitive;
use crate::store::Account;
use crate::sync::SyncReport;

impl Engine {
    /// Adds the built-in demo calendar (or finds it) and syncs it.
    pub async fn connect_demo(&self, now: DateTime<Utc>) -> Result<Account> {
        let (id, _) = self
            .store
            .upsert_account(
                ProviderKind::Demo.as_str(),
                demo::ACCOUNT_ID,
                "Demo calendar",
                now,
            )
            .await?;
        self.emit(EngineEvent::DataChanged);
        self.sync_one(id, now).await?;
        self.account(id).await
    }

    /// Signs in to Google in the browser (`open_browser` gets the URL), saves the tokens in the
    /// secret store, adds the account — or re-authorizes it if it is already connected — and
    /// runs its first sync.
    pub async fn connect_google(
        &self,
        open_browser: impl FnOnce(&str),
        now: DateTime<Utc>,
    ) -> Result<(Account, SyncReport)> {
        let config = self.google_config()?;
        let tokens = google::authorize(&config, open_browser).await?;
        let provider = GoogleProvider::with_tokens(&config, self.config.secrets.clone(), tokens)?;
        let calendars = provider.list_calendars().await?;
        let email = calendars
            .iter()
            .find(|c| c.primary)
            .map(|c| c.external_id.clone())
            .ok_or_else(|| {
                crate::provider::ProviderError::Malformed(
                    "the calendar list has no primary calendar".into(),
                )
            })?;
        let tokens = provider.tokens().await.ok_or_else(|| {
            crate::provider::ProviderError::ReauthRequired("sign-in produced no tokens".into())
        })?;
        self.config
            .secrets
            .set(&google::secret_key(&email), &tokens.to_secret())
            .await?;
        let (id, _) = self
            .store
            .upsert_account(ProviderKind::Google.as_str(), &email, &email, now)
            .await?;
        self.emit(EngineEvent::DataChanged);
        let report = self.sync_one(id, now).await?;
        Ok((self.account(id).await?, report))
    }

    /// Subscribes to a published calendar link (`https://`, `http://`, `webcal://`): fetches
    /// it once to check it is a calendar and learn its name (that fetch is also the first
    /// sync's, so a large feed is fetched and parsed once), keeps the full URL in the secret
    /// store (it often carries a token), adds the account — or finds the one already subscribed
    /// to this URL — with its redacted address as its detail, and runs the first sync.
    ///
    /// The name is `name` if given, else the feed's NAME / X-WR-CALNAME, else its host.
    pub async fn connect_ics(
        &self,
        url: &str,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Account, SyncReport)> {
        let url = FeedUrl::parse(url)?;
        let retry = self.config.retry;
        let outcome = fetch(&retry.client(), &url, None, &FetchLimits::new(retry)).await?;
        // Parsed once: the name comes from it, and the first sync uses it as its fetch.
        let first = match outcome {
            FetchOutcome::Body {
                text,
                validators,
                refresh_interval,
                moved_to,
            } => Some(FirstFetch {
                feed: crate::ical::parse(text.as_bytes()),
                validators,
                refresh_interval,
                moved_to,
            }),
            // Without validators the fetcher always returns the body.
            FetchOutcome::NotModified { .. } => None,
        };
        let feed_name = first.as_ref().and_then(|f| f.feed.name.as_deref());
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(crate::text::one_line)
            .or_else(|| feed_name.map(|n| crate::text::one_line(n.trim())))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| url.default_name());
        let external_id = ics::account_external_id(&url);
        self.config
            .secrets
            .set(
                &ics::secret_key(&external_id),
                &Sensitive::new(url.expose().to_string()),
            )
            .await?;
        let (id, _) = self
            .store
            .upsert_account(ProviderKind::Ics.as_str(), &external_id, &name, now)
            .await?;
        self.store
            .set_account_detail(id, Some(&url.redacted()))
            .await?;
        self.emit(EngineEvent::DataChanged);
        let provider = self.ics_provider(&self.account(id).await?).await?;
        let provider: Box<dyn Provider> = match first {
            Some(first) => Box::new(provider.with_first_fetch(first)),
            None => Box::new(provider),
        };
        let report = self.sync_one_with(id, now, Some(provider)).await?;
        Ok((self.account(id).await?, report))
    }
}
