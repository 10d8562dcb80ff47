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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Sensitive;

    async fn engine(dir: &std::path::Path) -> Engine {
        Engine::open(super::super::EngineConfig::in_dir(dir))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_client_and_tenant_come_from_the_settings_and_a_missing_client_names_the_fix() {
        if microsoft_client_from_env().is_some() {
            // The environment would win over the settings this test is about.
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path()).await;
        let err = engine.microsoft_config().unwrap_err();
        assert_eq!(err.code(), "no_microsoft_client");
        assert!(err.to_string().contains("microsoft.client_id"), "{err}");
        let err = engine
            .connect_microsoft(|_| {}, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "no_microsoft_client");

        engine.set_setting("microsoft.client_id", "app-id").unwrap();
        engine.set_setting("microsoft.tenant", "consumers").unwrap();
        let config = engine.microsoft_config().unwrap();
        assert_eq!(
            (config.client_id.as_str(), config.tenant.as_str()),
            ("app-id", "consumers")
        );
        assert_eq!(
            config.endpoints,
            crate::provider::microsoft::MicrosoftEndpoints::default()
        );
    }

    #[tokio::test]
    async fn disconnecting_deletes_the_tokens_and_says_microsoft_cannot_revoke_them() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path()).await;
        let now = Utc::now();
        let (id, _) = engine
            .store
            .upsert_account("microsoft", "adele@contoso.com", "adele@contoso.com", now)
            .await
            .unwrap();
        let key = microsoft::secret_key("adele@contoso.com");
        let secrets = &engine.config.secrets;
        secrets
            .set(&key, &Sensitive::new("{}".to_owned()))
            .await
            .unwrap();
        let done = engine.disconnect(id).await.unwrap();
        assert!(!done.revoked);
        let note = done.revoke_error.unwrap();
        assert!(note.contains("no way for an app to revoke"), "{note}");
        assert!(secrets.get(&key).await.unwrap().is_none());
        assert!(engine.accounts().await.unwrap().is_empty());
    }
}
