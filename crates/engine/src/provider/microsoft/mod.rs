//! Microsoft 365 (work or school) and Outlook.com calendars through Microsoft Graph v1.0:
//! the calendar list, and each calendar's calendarView delta over the sync window. Signed in
//! with the shared installed-app OAuth ([`crate::oauth`]) as a public client (no secret) of the
//! user's own Entra app registration. Protocol facts and sources: shared/PROVIDERS-more.md A.

mod date_time;
mod delta;
mod graph;
mod html_text;
#[cfg(test)]
mod provider_tests;
mod wire;
#[cfg(test)]
mod wire_hostile;

use std::time::Duration;

use url::Url;

pub use crate::oauth::TokenSet;

use super::{Capabilities, ChangeSet, FetchRequest, Progress, Provider, ProviderError, Scope};
use crate::http::RetryPolicy;
use crate::model::RemoteCalendar;
use crate::oauth::{self, Authorizer, ConnectError, OAuthClient, RedirectHost};
use crate::secrets::SecretStore;
use graph::Graph;
use wire::{Calendar, Me, Page};

/// Read-only access to calendars, the user's name, and a refresh token (`offline_access`;
/// without it Microsoft issues none).
pub const SCOPES: [&str; 3] = ["offline_access", "User.Read", "Calendars.Read"];

/// Microsoft's real endpoints. `{tenant}` is replaced by the configured tenant.
pub const AUTH_URL: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize";
pub const TOKEN_URL: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
pub const GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";

/// The tenant when none is set: work, school and personal accounts alike.
pub const DEFAULT_TENANT: &str = "common";

/// Events per delta page asked for (`Prefer: odata.maxpagesize`); Graph may send fewer.
/// Large pages mean few requests on a first sync.
pub const PAGE_SIZE: u32 = 500;

/// The most pages of the calendar list: 10 calendars a page by default.
const MAX_CALENDAR_PAGES: usize = 100;

/// Where Microsoft is. Every endpoint can be pointed elsewhere (tests use a local fake),
/// through `CALBUDDY_MICROSOFT_*_URL`; `{tenant}` in the sign-in addresses is replaced by the
/// configured tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MicrosoftEndpoints {
    pub auth_url: String,
    pub token_url: String,
    /// Graph's base, `https://graph.microsoft.com/v1.0`.
    pub graph_url: String,
}

impl Default for MicrosoftEndpoints {
    /// Microsoft's real endpoints.
    fn default() -> Self {
        MicrosoftEndpoints {
            auth_url: AUTH_URL.to_owned(),
            token_url: TOKEN_URL.to_owned(),
            graph_url: GRAPH_URL.to_owned(),
        }
    }
}

impl MicrosoftEndpoints {
    /// Microsoft's real endpoints, each overridden by its `CALBUDDY_MICROSOFT_*_URL` variable.
    pub fn from_env() -> Self {
        MicrosoftEndpoints::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`MicrosoftEndpoints::from_env`], reading variables through `lookup`; a blank value
    /// counts as unset.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let endpoint = |name: &str, default: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        MicrosoftEndpoints {
            auth_url: endpoint("CALBUDDY_MICROSOFT_AUTH_URL", AUTH_URL),
            token_url: endpoint("CALBUDDY_MICROSOFT_TOKEN_URL", TOKEN_URL),
            graph_url: endpoint("CALBUDDY_MICROSOFT_GRAPH_URL", GRAPH_URL),
        }
    }
}

/// Where Microsoft is and who we are to it.
#[derive(Debug, Clone)]
pub struct MicrosoftConfig {
    /// The application (client) id of the user's app registration.
    pub client_id: String,
    /// `common`, `organizations`, `consumers` or a tenant id (checked by the settings).
    pub tenant: String,
    pub endpoints: MicrosoftEndpoints,
    pub retry: RetryPolicy,
    /// How long to wait for the user to finish signing in in the browser.
    pub sign_in_timeout: Duration,
    /// Events per delta page asked for.
    pub page_size: u32,
}

impl MicrosoftConfig {
    /// The shared OAuth client, set up as the Microsoft identity platform wants a public
    /// desktop client.
    fn oauth(&self) -> OAuthClient {
        let with_tenant = |url: &str| url.replace("{tenant}", &self.tenant);
        OAuthClient {
            provider: "Microsoft",
            client_id: self.client_id.clone(),
            // A public client must not send a secret (AADSTS700025).
            client_secret: None,
            auth_url: with_tenant(&self.endpoints.auth_url),
            token_url: with_tenant(&self.endpoints.token_url),
            // There is no per-grant revocation for a public client (see `release`).
            revoke_url: None,
            scopes: SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            // Lets someone with several Microsoft accounts pick the one to connect.
            extra_auth_params: vec![("prompt".to_owned(), "select_account".to_owned())],
            permissions_url: None,
            retry: self.retry,
            sign_in_timeout: self.sign_in_timeout,
            // The Entra portal registers `http://localhost` (any port), not `127.0.0.1`.
            redirect_host: RedirectHost::Localhost,
        }
    }
}

/// Signs in to Microsoft in the browser (`open_browser` gets the URL); the tokens once the
/// user has approved.
pub async fn authorize(
    config: &MicrosoftConfig,
    open_browser: impl FnOnce(&str),
) -> Result<TokenSet, ConnectError> {
    oauth::authorize(&config.oauth(), open_browser).await
}

/// The key of an account's tokens in the secret store.
pub fn secret_key(account: &str) -> String {
    format!("microsoft:{account}")
}

/// Who signed in: the account's address (its id here) and the name Microsoft shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInUser {
    pub address: String,
    pub display_name: Option<String>,
}

/// One Microsoft account's calendars, through Graph.
pub struct MicrosoftProvider {
    graph: Graph,
    page_size: u32,
    /// The account's address, when connected: which attendee of an event is the user.
    own_address: Option<String>,
}

impl MicrosoftProvider {
    /// The provider of a connected account, whose tokens are in the secret store.
    pub fn new(
        config: &MicrosoftConfig,
        secrets: SecretStore,
        account: &str,
    ) -> Result<Self, ProviderError> {
        let mut provider =
            MicrosoftProvider::build(config, secrets, Some(secret_key(account)), None)?;
        provider.own_address = Some(account.to_owned());
        Ok(provider)
    }

    /// A provider for tokens just obtained, before the account (and so the key to save them
    /// under) is known.
    pub fn with_tokens(
        config: &MicrosoftConfig,
        secrets: SecretStore,
        tokens: TokenSet,
    ) -> Result<Self, ProviderError> {
        MicrosoftProvider::build(config, secrets, None, Some(tokens))
    }

    fn build(
        config: &MicrosoftConfig,
        secrets: SecretStore,
        secret_key: Option<String>,
        tokens: Option<TokenSet>,
    ) -> Result<Self, ProviderError> {
        let base = Url::parse(config.endpoints.graph_url.trim_end_matches('/'))
            .map_err(|e| ProviderError::Rejected(format!("bad Microsoft Graph address: {e}")))?;
        let auth = Authorizer::new(&config.oauth(), secrets, secret_key, tokens)?;
        Ok(MicrosoftProvider {
            graph: Graph::new(base, config.retry, auth),
            page_size: config.page_size.max(1),
            own_address: None,
        })
    }

    /// The tokens in use now (they may have been refreshed).
    pub async fn tokens(&self) -> Option<TokenSet> {
        self.graph.auth.tokens().await
    }

    /// Who signed in (`GET /me`).
    pub async fn signed_in_user(&self) -> Result<SignedInUser, ProviderError> {
        let me: Me = self.graph.get(&self.graph.url(&["me"], &[]), &[]).await?;
        let address = me.address().ok_or_else(|| {
            ProviderError::Malformed("Microsoft did not say which account signed in".into())
        })?;
        Ok(SignedInUser {
            address,
            display_name: me.display_name(),
        })
    }
}

#[async_trait::async_trait]
impl Provider for MicrosoftProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            scope: Scope::Windowed,
            writable: false,
        }
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        let mut calendars = Vec::new();
        let mut url = self.graph.url(&["me", "calendars"], &[]);
        for _ in 0..MAX_CALENDAR_PAGES {
            let page: Page<Calendar> = self.graph.get(&url, &[]).await?;
            calendars.extend(page.value.into_iter().map(Calendar::into_remote));
            match page.next_link {
                Some(next) => url = self.graph.link(&next)?,
                None => return Ok(calendars),
            }
        }
        Err(ProviderError::EndlessListing {
            listing: "the calendar list",
            pages: MAX_CALENDAR_PAGES,
        })
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let start = match request.cursor {
            Some(link) => delta::Start::DeltaLink(link),
            None => delta::Start::Window {
                calendar_id: request.calendar_external_id,
                window: request.window,
            },
        };
        delta::round(
            &self.graph,
            start,
            self.page_size,
            delta::MAX_PAGES,
            self.own_address.as_deref(),
            progress,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_default_to_microsoft_and_each_can_be_pointed_elsewhere() {
        let vars = |name: &str| match name {
            "CALBUDDY_MICROSOFT_TOKEN_URL" => Some(" http://127.0.0.1:9/t/token ".to_owned()),
            "CALBUDDY_MICROSOFT_GRAPH_URL" => Some("  ".to_owned()),
            _ => None,
        };
        let endpoints = MicrosoftEndpoints::from_lookup(vars);
        assert_eq!(endpoints.token_url, "http://127.0.0.1:9/t/token");
        assert_eq!(endpoints.auth_url, AUTH_URL);
        // A blank variable is as good as unset.
        assert_eq!(endpoints.graph_url, "https://graph.microsoft.com/v1.0");
        assert_eq!(
            MicrosoftEndpoints::from_lookup(|_| None),
            MicrosoftEndpoints::default()
        );
    }

    fn config(tenant: &str, endpoints: MicrosoftEndpoints) -> MicrosoftConfig {
        MicrosoftConfig {
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            tenant: tenant.into(),
            endpoints,
            retry: RetryPolicy::default(),
            sign_in_timeout: Duration::from_secs(1),
            page_size: PAGE_SIZE,
        }
    }

    #[test]
    fn the_oauth_client_is_public_with_the_tenant_and_a_localhost_redirect() {
        let oauth = config("organizations", MicrosoftEndpoints::default()).oauth();
        assert_eq!(
            oauth.auth_url,
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
        );
        assert_eq!(
            oauth.token_url,
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
        );
        assert!(oauth.client_secret.is_none() && oauth.revoke_url.is_none());
        assert_eq!(
            oauth.scopes,
            ["offline_access", "User.Read", "Calendars.Read"]
        );
        assert_eq!(oauth.redirect_host, RedirectHost::Localhost);
        // An overridden endpoint without `{tenant}` is used as it is.
        let fake = MicrosoftEndpoints {
            auth_url: "http://127.0.0.1:1/authorize".into(),
            token_url: "http://127.0.0.1:1/{tenant}/token".into(),
            graph_url: "http://127.0.0.1:1/v1.0".into(),
        };
        let oauth = config("common", fake).oauth();
        assert_eq!(oauth.auth_url, "http://127.0.0.1:1/authorize");
        assert_eq!(oauth.token_url, "http://127.0.0.1:1/common/token");
    }

    #[test]
    fn a_refresh_answer_s_new_refresh_token_replaces_the_old_one() {
        // The documented shape of a Microsoft token answer (refresh grant).
        let answer: oauth2::basic::BasicTokenResponse = serde_json::from_str(
            r#"{"token_type": "Bearer", "scope": "User.Read Calendars.Read",
                "expires_in": 3599, "ext_expires_in": 3599,
                "access_token": "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkFR",
                "refresh_token": "M.C5_BAY.new-refresh"}"#,
        )
        .unwrap();
        let old = crate::secrets::Sensitive::new("M.C5_BAY.old-refresh".to_owned());
        let now = chrono::Utc::now();
        let tokens = TokenSet::from_response(&answer, Some(old), now);
        assert_eq!(
            tokens.refresh_token.as_ref().map(|t| t.expose().as_str()),
            Some("M.C5_BAY.new-refresh")
        );
        assert_eq!((tokens.expires_at - now).num_seconds(), 3599);
        assert!(!tokens.to_secret().expose().contains("old-refresh"));
    }

    #[test]
    fn tokens_are_kept_under_the_account_s_address() {
        assert_eq!(
            secret_key("adele@contoso.com"),
            "microsoft:adele@contoso.com"
        );
    }
}
