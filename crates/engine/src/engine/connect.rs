//! Connecting accounts: the demo calendar, Google (browser sign-in), ICS subscriptions and
//! CalDAV accounts (iCloud and any CalDAV server). Each
//! saves what the account needs in the secret store, adds (or finds) the account and runs its
//! first sync.

use chrono::{DateTime, Utc};

use super::{Engine, EngineEvent, Result};
use crate::provider::caldav::account::{self as caldav, SavedAccount};
use crate::provider::caldav::discovery;
use crate::provider::caldav::transport::{Credentials, DavClient};
use crate::provider::demo;
use crate::provider::google::{self, GoogleProvider};
use crate::provider::ics::feed_url::FeedUrl;
use crate::provider::ics::fetch::{fetch, FetchLimits, FetchOutcome};
use crate::provider::ics::provider as ics;
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
    /// it once to check it is a calendar and learn its name, keeps the full URL in the secret
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
        let feed_name = match &outcome {
            FetchOutcome::Body { text, .. } => crate::ical::parse(text.as_bytes()).name,
            // Without validators the fetcher always returns the body.
            FetchOutcome::NotModified { .. } => None,
        };
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(crate::text::one_line)
            .or(feed_name.map(|n| crate::text::one_line(n.trim())))
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
        let report = self.sync_one(id, now).await?;
        Ok((self.account(id).await?, report))
    }
}

/// What a person enters to connect a CalDAV account: the server (a root such as
/// `https://caldav.fastmail.com/`, a bare host, a principal or one calendar's URL), the user
/// name and the password (for iCloud an app-specific password).
#[derive(Debug, Clone)]
pub struct CalDavSignIn {
    pub url: String,
    pub username: String,
    pub password: Sensitive<String>,
}

impl Engine {
    /// Connects a CalDAV account: discovers its calendars first (a failure — a wrong password,
    /// an address that is not CalDAV — adds nothing and is worded by [`DavError`]), saves the
    /// sign-in (the password only in the secret store), adds the account — or finds it, when
    /// this user on this server is connected already, replacing its password ("Reconnect") —
    /// and runs the first sync.
    ///
    /// The account is `user@host` (the host where its calendars live), named by the user name,
    /// with the server's host as its detail.
    ///
    /// [`DavError`]: crate::provider::caldav::error::DavError
    pub async fn connect_caldav(
        &self,
        sign_in: CalDavSignIn,
        now: DateTime<Utc>,
    ) -> Result<(Account, SyncReport)> {
        let start = discovery::parse_input(&sign_in.url)?;
        let username = sign_in.username.trim().to_owned();
        let credentials = Credentials {
            username: username.clone(),
            password: sign_in.password,
        };
        let client = DavClient::new(credentials.clone(), self.config.retry);
        let found = discovery::discover(&client, start.as_str()).await?;
        let external_id = caldav::external_id(&username, &found, &start);
        let saved = SavedAccount::new(start.clone(), &found, credentials);
        self.config
            .secrets
            .set(
                &caldav::secret_key(&external_id),
                &saved.to_secret(found.principal.as_ref()),
            )
            .await?;
        let name = crate::text::one_line(&username);
        let (id, _) = self
            .store
            .upsert_account(ProviderKind::CalDav.as_str(), &external_id, &name, now)
            .await?;
        let host = found
            .principal
            .as_ref()
            .unwrap_or(&start)
            .host_str()
            .map(str::to_owned);
        self.store.set_account_detail(id, host.as_deref()).await?;
        self.emit(EngineEvent::DataChanged);
        let report = self.sync_one(id, now).await?;
        Ok((self.account(id).await?, report))
    }

    /// [`Engine::connect_caldav`] at iCloud (`EngineConfig::icloud_url`), with the Apple ID
    /// and an app-specific password.
    pub async fn connect_icloud(
        &self,
        username: &str,
        password: Sensitive<String>,
        now: DateTime<Utc>,
    ) -> Result<(Account, SyncReport)> {
        let sign_in = CalDavSignIn {
            url: self.config.icloud_url.clone(),
            username: username.to_owned(),
            password,
        };
        self.connect_caldav(sign_in, now).await
    }
}
