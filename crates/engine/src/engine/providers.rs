//! Each account's provider, built from the kind it was connected with, and what disconnecting
//! releases at the provider.

use chrono::{DateTime, Utc};

use super::{account_created, local_zone, provider_kind, Engine, Result};
use crate::error::EngineError;
use crate::provider::caldav::account::{self as caldav, SavedAccount};
use crate::provider::caldav::provider::CalDavProvider;
use crate::provider::demo::DemoProvider;
use crate::provider::google::{self, GoogleProvider, TokenSet};
use crate::provider::ics::feed_url::FeedUrl;
use crate::provider::ics::provider::{self as ics, IcsProvider};
use crate::provider::microsoft::{self, MicrosoftProvider};
use crate::provider::{Provider, ProviderKind};
use crate::store::Account;

/// Why a Microsoft account's access is not revoked at disconnect, and where the user removes it.
pub(super) const MICROSOFT_NO_REVOKE: &str =
    "Microsoft has no way for an app to revoke its own access; the tokens were deleted from \
     this computer. Remove Calendar Buddy at https://account.live.com/consent/Manage (personal \
     accounts) or https://myapps.microsoft.com (work or school)";

impl Engine {
    /// The one place an account's provider is built, from the kind the account was connected
    /// with.
    pub(super) async fn provider_for(
        &self,
        account: &Account,
        now: DateTime<Utc>,
    ) -> Result<Box<dyn Provider>> {
        Ok(match provider_kind(account)? {
            ProviderKind::Demo => Box::new(DemoProvider::new(
                account_created(&self.store, account.id, now).await?,
                local_zone(),
            )),
            ProviderKind::Google => Box::new(GoogleProvider::new(
                &self.google_config()?,
                self.config.secrets.clone(),
                &account.external_id,
            )?),
            ProviderKind::Ics => Box::new(self.ics_provider(account).await?),
            ProviderKind::CalDav => {
                let key = caldav::secret_key(&account.external_id);
                let saved = self.config.secrets.get(&key).await?.ok_or_else(|| {
                    crate::provider::ProviderError::Credentials(
                        "the password is not saved; reconnect the account".into(),
                    )
                })?;
                let saved = SavedAccount::from_secret(&saved)
                    .ok_or(crate::provider::ProviderError::UnreadableSignIn)?;
                Box::new(CalDavProvider::new(
                    saved.credentials,
                    saved.locator,
                    self.config.retry,
                ))
            }
            ProviderKind::Microsoft => Box::new(MicrosoftProvider::new(
                &self.microsoft_config()?,
                self.config.secrets.clone(),
                &account.external_id,
            )?),
        })
    }

    /// A subscription's provider, with the link from the secret store and what its last
    /// fetch learnt (the cursor of its one calendar).
    pub(super) async fn ics_provider(&self, account: &Account) -> Result<IcsProvider> {
        let key = ics::secret_key(&account.external_id);
        let missing = || {
            crate::provider::ProviderError::Credentials(
                "the calendar link is not saved; subscribe to it again".into(),
            )
        };
        let saved = self.config.secrets.get(&key).await?.ok_or_else(missing)?;
        let url = FeedUrl::parse(saved.expose()).map_err(|_| missing())?;
        // The feed may have moved for good since the detail was written.
        let shown = url.redacted();
        if account.detail.as_deref() != Some(shown.as_str()) {
            self.store
                .set_account_detail(account.id, Some(&shown))
                .await?;
        }
        let cursor = match self.store.calendars(Some(account.id)).await?.first() {
            Some(calendar) => self.store.calendar_sync_state(calendar.id).await?.cursor,
            None => None,
        };
        Ok(
            IcsProvider::new(url, &account.external_id, &account.name, self.config.retry)
                .saving_moves_to(self.config.secrets.clone(), key)
                .remembering(cursor.as_deref()),
        )
    }

    /// What disconnecting means at the provider, as (revoked, why revoking failed): Google's
    /// grant is revoked (best effort) and its tokens forgotten; Microsoft's tokens are
    /// forgotten (it cannot revoke them, and says so); a subscription's link and a CalDAV
    /// account's password are forgotten; the demo holds nothing.
    pub(super) async fn release(
        &self,
        kind: ProviderKind,
        account: &Account,
    ) -> Result<(bool, Option<String>)> {
        match kind {
            ProviderKind::Demo => Ok((false, None)),
            ProviderKind::Ics => {
                self.config
                    .secrets
                    .delete(&ics::secret_key(&account.external_id))
                    .await?;
                Ok((false, None))
            }
            ProviderKind::CalDav => {
                self.config
                    .secrets
                    .delete(&caldav::secret_key(&account.external_id))
                    .await?;
                Ok((false, None))
            }
            ProviderKind::Microsoft => {
                // The Microsoft identity platform has no revocation endpoint for a public
                // client, and `revokeSignInSessions` would sign the user out of every app
                // (PROVIDERS-more.md A1): deleting the tokens here is all there is.
                self.config
                    .secrets
                    .delete(&microsoft::secret_key(&account.external_id))
                    .await?;
                Ok((false, Some(MICROSOFT_NO_REVOKE.to_owned())))
            }
            ProviderKind::Google => {
                let key = google::secret_key(&account.external_id);
                let tokens = self.config.secrets.get(&key).await?;
                let mut outcome = (false, None);
                if let Some(tokens) = tokens.as_ref().and_then(TokenSet::from_secret) {
                    let revoked = match self.google_config() {
                        Ok(config) => google::revoke(&config, &tokens)
                            .await
                            .map_err(EngineError::from),
                        Err(e) => Err(e),
                    };
                    outcome = match revoked {
                        Ok(()) => (true, None),
                        Err(e) => (false, Some(e.to_string())),
                    };
                }
                self.config.secrets.delete(&key).await?;
                Ok(outcome)
            }
        }
    }
}
