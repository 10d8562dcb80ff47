//! Connecting a Microsoft 365 or Outlook.com account: the client and tenant from the
//! environment and settings, the browser sign-in, the account named by `GET /me`, its tokens
//! saved in the secret store, and the first sync.

use chrono::{DateTime, Utc};

use super::config::microsoft_client_from_env;
use super::{Engine, EngineEvent, Result};
use crate::error::EngineError;
use crate::provider::microsoft::{self, MicrosoftConfig, MicrosoftProvider};
use crate::provider::{ProviderError, ProviderKind};
use crate::store::Account;
use crate::sync::SyncReport;

impl Engine {
    /// The Microsoft client (the user's app registration), tenant and endpoints.
    /// `CALBUDDY_MICROSOFT_CLIENT_ID` overrides the settings file.
    pub fn microsoft_config(&self) -> Result<MicrosoftConfig> {
        let settings = self.settings()?;
        let client_id = microsoft_client_from_env()
            .or(settings.microsoft.client_id)
            .ok_or(EngineError::NoMicrosoftClient)?;
        Ok(MicrosoftConfig {
            client_id,
            tenant: settings.microsoft.tenant,
            endpoints: self.config.microsoft.clone(),
            retry: self.config.retry,
            sign_in_timeout: self.config.sign_in_timeout,
            page_size: microsoft::PAGE_SIZE,
        })
    }

    /// Signs in to Microsoft in the browser (`open_browser` gets the URL), reads who signed
    /// in, saves the tokens in the secret store, adds the account — or re-authorizes it if it
    /// is already connected — and runs its first sync.
    pub async fn connect_microsoft(
        &self,
        open_browser: impl FnOnce(&str),
        now: DateTime<Utc>,
    ) -> Result<(Account, SyncReport)> {
        let config = self.microsoft_config()?;
        let tokens = microsoft::authorize(&config, open_browser).await?;
        let provider =
            MicrosoftProvider::with_tokens(&config, self.config.secrets.clone(), tokens)?;
        let user = provider.signed_in_user().await?;
        // The tokens after `/me`, which may have refreshed them.
        let tokens = provider
            .tokens()
            .await
            .ok_or_else(|| ProviderError::ReauthRequired("sign-in produced no tokens".into()))?;
        self.config
            .secrets
            .set(&microsoft::secret_key(&user.address), &tokens.to_secret())
            .await?;
        let (id, _) = self
            .store
            .upsert_account(
                ProviderKind::Microsoft.as_str(),
                &user.address,
                &user.address,
                now,
            )
            .await?;
        self.store
            .set_account_detail(id, user.display_name.as_deref())
            .await?;
        self.emit(EngineEvent::DataChanged);
        let report = self.sync_one(id, now).await?;
        Ok((self.account(id).await?, report))
    }
}
