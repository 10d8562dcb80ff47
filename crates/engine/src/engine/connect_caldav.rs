//! Connecting a CalDAV account (iCloud, Fastmail, Nextcloud, Radicale …): discovery first, so a
//! wrong password or address adds nothing; then the saved sign-in, the account and its first
//! sync. Reconnecting is connecting again with a new password.

use chrono::{DateTime, Utc};

use super::{Engine, EngineEvent, Result};
use crate::error::EngineError;
use crate::provider::caldav::account::{self as caldav, SavedAccount};
use crate::provider::caldav::discovery;
use crate::provider::caldav::transport::{Credentials, DavClient};
use crate::provider::ProviderKind;
use crate::secrets::Sensitive;
use crate::store::Account;
use crate::sync::SyncReport;

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

    /// A CalDAV or iCloud account's password again ("Reconnect"): the address and user name it
    /// was connected with (from its saved sign-in, or — when that is gone — from its
    /// `user@host` id), then [`Engine::connect_caldav`], which checks the password before
    /// replacing the saved one. A refused password leaves the account as it was.
    pub async fn reconnect_caldav(
        &self,
        account_id: i64,
        password: Sensitive<String>,
        now: DateTime<Utc>,
    ) -> Result<(Account, SyncReport)> {
        let account = self.account(account_id).await?;
        if ProviderKind::parse(&account.provider) != Some(ProviderKind::CalDav) {
            return Err(EngineError::NotFound("CalDAV account", account_id));
        }
        let saved = self
            .config
            .secrets
            .get(&caldav::secret_key(&account.external_id))
            .await?
            .and_then(|secret| SavedAccount::from_secret(&secret));
        let (url, username) = match saved {
            Some(saved) => (saved.locator.start.to_string(), saved.credentials.username),
            None => {
                let (user, host) = account
                    .external_id
                    .rsplit_once('@')
                    .ok_or(EngineError::NotFound("CalDAV account", account_id))?;
                (format!("https://{host}/"), user.to_owned())
            }
        };
        let sign_in = CalDavSignIn {
            url,
            username,
            password,
        };
        self.connect_caldav(sign_in, now).await
    }
}
