//! Google Calendar: Calendar API v3 (calendar list, events with sync tokens), signed in with
//! the shared installed-app OAuth ([`crate::oauth`]) configured for Google. Protocol facts and
//! sources: shared/PROVIDERS.md.

mod wire;
#[cfg(test)]
mod wire_hostile;

use std::time::Duration;

use url::Url;

pub use crate::oauth::TokenSet;

use super::{
    Capabilities, ChangeSet, ChangeSetKind, FetchRequest, Progress, Provider, ProviderError, Scope,
};
use crate::http::{read_body, retry_after, BodyError, Failure, RetryPolicy};
use crate::model::RemoteCalendar;
use crate::oauth::{self, error_chain, get_json, Attempt, Authorizer, ConnectError, OAuthClient};
use crate::secrets::{SecretStore, Sensitive};

/// Read-only access to calendars and events is all Calendar Buddy asks for.
pub const SCOPE: &str = "https://www.googleapis.com/auth/calendar.readonly";

/// Where Google is. Every endpoint can be pointed elsewhere (tests use a local fake), through
/// `CALBUDDY_GOOGLE_*_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleEndpoints {
    pub auth_url: String,
    pub token_url: String,
    pub revoke_url: String,
    /// Calendar API base, `https://www.googleapis.com/calendar/v3`.
    pub api_url: String,
}

impl Default for GoogleEndpoints {
    /// Google's real endpoints.
    fn default() -> Self {
        GoogleEndpoints {
            auth_url: AUTH_URL.to_owned(),
            token_url: TOKEN_URL.to_owned(),
            revoke_url: REVOKE_URL.to_owned(),
            api_url: API_URL.to_owned(),
        }
    }
}

impl GoogleEndpoints {
    /// Google's real endpoints, each overridden by its `CALBUDDY_GOOGLE_*_URL` variable.
    pub fn from_env() -> Self {
        GoogleEndpoints::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`GoogleEndpoints::from_env`], reading variables through `lookup`; a blank value
    /// counts as unset.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let endpoint = |name: &str, default: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        GoogleEndpoints {
            auth_url: endpoint("CALBUDDY_GOOGLE_AUTH_URL", AUTH_URL),
            token_url: endpoint("CALBUDDY_GOOGLE_TOKEN_URL", TOKEN_URL),
            revoke_url: endpoint("CALBUDDY_GOOGLE_REVOKE_URL", REVOKE_URL),
            api_url: endpoint("CALBUDDY_GOOGLE_API_URL", API_URL),
        }
    }
}

/// Where Google is and who we are to it.
#[derive(Debug, Clone)]
pub struct GoogleConfig {
    pub client_id: String,
    pub client_secret: Option<Sensitive<String>>,
    pub endpoints: GoogleEndpoints,
    pub retry: RetryPolicy,
    /// How long to wait for the user to finish signing in in the browser.
    pub sign_in_timeout: Duration,
}

/// Google's real endpoints.
pub const AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
pub const TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
pub const REVOKE_URL: &str = "https://oauth2.googleapis.com/revoke";
pub const API_URL: &str = "https://www.googleapis.com/calendar/v3";

/// Page sizes: the documented maximums, so a sync takes as few requests as possible.
const EVENTS_PAGE: &str = "2500";
const CALENDARS_PAGE: &str = "250";

/// The most pages one listing may take. Google pages hold up to 2,500 events (250 calendars),
/// so 1,000 pages are 2.5 million events, far beyond any real calendar in a sync window; a
/// server still sending page tokens by then never will stop.
const MAX_PAGES: usize = 1000;

/// The largest answer read: a full page of 2,500 events with long descriptions is a few MiB.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Where a user removes Calendar Buddy's access (named when Google issued no refresh token).
const PERMISSIONS_URL: &str = "https://myaccount.google.com/permissions";

impl GoogleConfig {
    /// The shared OAuth client, set up as Google wants it.
    fn oauth(&self) -> OAuthClient {
        OAuthClient {
            provider: "Google",
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            auth_url: self.endpoints.auth_url.clone(),
            token_url: self.endpoints.token_url.clone(),
            revoke_url: Some(self.endpoints.revoke_url.clone()),
            scopes: vec![SCOPE.to_owned()],
            // A refresh token is issued only for offline access; `consent` makes Google issue
            // a new one when an account is connected again.
            extra_auth_params: vec![
                ("access_type".to_owned(), "offline".to_owned()),
                ("prompt".to_owned(), "consent".to_owned()),
            ],
            permissions_url: Some(PERMISSIONS_URL.to_owned()),
            retry: self.retry,
            sign_in_timeout: self.sign_in_timeout,
            redirect_host: oauth::RedirectHost::Ip,
        }
    }
}

/// Signs in to Google in the browser (`open_browser` gets the URL); the tokens once the user
/// has approved.
pub async fn authorize(
    config: &GoogleConfig,
    open_browser: impl FnOnce(&str),
) -> Result<TokenSet, ConnectError> {
    oauth::authorize(&config.oauth(), open_browser).await
}

/// Revokes the account's grant at Google.
pub async fn revoke(config: &GoogleConfig, tokens: &TokenSet) -> Result<(), ProviderError> {
    oauth::revoke(&config.oauth(), tokens).await
}

/// The key of an account's tokens in the secret store.
pub fn secret_key(email: &str) -> String {
    format!("google:{email}")
}

/// One Google account's calendars, through the Calendar API.
pub struct GoogleProvider {
    api: Url,
    http: reqwest::Client,
    retry: RetryPolicy,
    auth: Authorizer,
}

impl GoogleProvider {
    /// The provider of a connected account, whose tokens are in the secret store.
    pub fn new(
        config: &GoogleConfig,
        secrets: SecretStore,
        email: &str,
    ) -> Result<Self, ProviderError> {
        GoogleProvider::build(config, secrets, Some(secret_key(email)), None)
    }

    /// A provider for tokens just obtained, before the account (and so the key to save them
    /// under) is known.
    pub fn with_tokens(
        config: &GoogleConfig,
        secrets: SecretStore,
        tokens: TokenSet,
    ) -> Result<Self, ProviderError> {
        GoogleProvider::build(config, secrets, None, Some(tokens))
    }

    fn build(
        config: &GoogleConfig,
        secrets: SecretStore,
        secret_key: Option<String>,
        tokens: Option<TokenSet>,
    ) -> Result<Self, ProviderError> {
        let http = config.retry.client();
        let api = Url::parse(config.endpoints.api_url.trim_end_matches('/'))
            .map_err(|e| ProviderError::Rejected(format!("bad Google API address: {e}")))?;
        Ok(GoogleProvider {
            api,
            auth: Authorizer::new(&config.oauth(), secrets, secret_key, tokens)?,
            http,
            retry: config.retry,
        })
    }

    /// The tokens in use now (they may have been refreshed).
    pub async fn tokens(&self) -> Option<TokenSet> {
        self.auth.tokens().await
    }

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.api.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url.query_pairs_mut().extend_pairs(query);
        url
    }

    /// GETs a JSON document, with a fresh access token, retries and error mapping.
    async fn get<T: serde::de::DeserializeOwned>(&self, url: &Url) -> Result<T, ProviderError> {
        get_json(&self.auth, &self.retry, url, "Google", |token| {
            self.attempt(url, token)
        })
        .await
    }

    async fn attempt(
        &self,
        url: &Url,
        token: Sensitive<String>,
    ) -> Result<Vec<u8>, Failure<Attempt>> {
        let network = |e: reqwest::Error| {
            Failure::transient(
                Attempt::Failed(ProviderError::Network(error_chain(&e.without_url()))),
                None,
            )
        };
        let response = self
            .http
            .get(url.clone())
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let wait = retry_after(response.headers());
        let body = read_body(response, MAX_BODY).await.map_err(|e| match e {
            BodyError::Network(e) => network(e),
            // Asking again would only bring the same flood.
            e @ BodyError::TooLarge(_) => {
                Failure::fatal(Attempt::Failed(ProviderError::Malformed(e.to_string())))
            }
        })?;
        if status == 200 {
            return Ok(body);
        }
        let error = wire_error(&body);
        let fail = |e: ProviderError| Failure::fatal(Attempt::Failed(e));
        Err(match (status, error.reason.as_str()) {
            (401, _) => Failure::fatal(Attempt::Unauthorized),
            (410, _) => fail(ProviderError::CursorExpired),
            (404, _) => fail(ProviderError::CalendarGone),
            (429, _) | (403, "rateLimitExceeded" | "userRateLimitExceeded") => Failure::transient(
                Attempt::Failed(ProviderError::RateLimited(error.describe(status))),
                wait,
            ),
            (500..=599, _) => Failure::transient(
                Attempt::Failed(ProviderError::Network(error.describe(status))),
                wait,
            ),
            _ => fail(ProviderError::Rejected(error.describe(status))),
        })
    }
}

/// The `reason` and `message` of a Google error body, when it has one.
struct WireError {
    reason: String,
    message: String,
}

impl WireError {
    fn describe(&self, status: u16) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (true, true) => format!("HTTP {status}"),
            (false, true) => format!("HTTP {status} {}", self.reason),
            (_, false) => format!("HTTP {status} {}: {}", self.reason, self.message),
        }
    }
}

fn wire_error(body: &[u8]) -> WireError {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let err = &v["error"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    WireError {
        reason: text(&err["errors"][0]["reason"]),
        message: text(&err["message"]),
    }
}

#[async_trait::async_trait]
impl Provider for GoogleProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            scope: Scope::Windowed,
            writable: false,
        }
    }

    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError> {
        let mut calendars = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("maxResults", CALENDARS_PAGE)];
            if let Some(token) = &page_token {
                query.push(("pageToken", token));
            }
            let url = self.url(&["users", "me", "calendarList"], &query);
            let page: wire::CalendarListPage = self.get(&url).await?;
            calendars.extend(
                page.items
                    .into_iter()
                    .filter(|c| !c.deleted)
                    .map(wire::CalendarListEntry::into_remote),
            );
            match page.next_page_token {
                Some(next) => page_token = Some(next),
                None => return Ok(calendars),
            }
        }
        Err(ProviderError::EndlessListing {
            listing: "the calendar list",
            pages: MAX_PAGES,
        })
    }

    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError> {
        let time_min = request
            .window
            .start
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let time_max = request
            .window
            .end
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        // Every page repeats the first page's query, as Google requires.
        let mut base = vec![("maxResults", EVENTS_PAGE), ("singleEvents", "false")];
        match request.cursor {
            Some(token) => base.push(("syncToken", token)),
            None => {
                base.push(("timeMin", &time_min));
                base.push(("timeMax", &time_max));
            }
        }
        let mut changes = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = base.clone();
            if let Some(token) = &page_token {
                query.push(("pageToken", token));
            }
            let url = self.url(
                &["calendars", request.calendar_external_id, "events"],
                &query,
            );
            let page: wire::EventsPage = self.get(&url).await?;
            let defaults = page.default_popup_minutes();
            let tz = page.time_zone.as_deref();
            for item in page.items {
                changes.push(
                    item.into_change(tz, &defaults)
                        .map_err(ProviderError::Malformed)?,
                );
            }
            progress(changes.len());
            if let Some(next) = page.next_page_token {
                page_token = Some(next);
                continue;
            }
            let cursor = page.next_sync_token.ok_or_else(|| {
                ProviderError::Malformed("the last page has no nextSyncToken".into())
            })?;
            let kind = if request.cursor.is_some() {
                ChangeSetKind::Delta
            } else {
                ChangeSetKind::Full
            };
            return Ok(ChangeSet {
                kind,
                changes,
                cursor: Some(cursor),
                zones: None,
            });
        }
        Err(ProviderError::EndlessListing {
            listing: "events",
            pages: MAX_PAGES,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_default_to_google_and_each_can_be_pointed_elsewhere() {
        let vars = |name: &str| match name {
            "CALBUDDY_GOOGLE_TOKEN_URL" => Some("http://127.0.0.1:9/token".to_owned()),
            "CALBUDDY_GOOGLE_API_URL" => Some("  ".to_owned()),
            _ => None,
        };
        let endpoints = GoogleEndpoints::from_lookup(vars);
        assert_eq!(endpoints.token_url, "http://127.0.0.1:9/token");
        assert_eq!(endpoints.auth_url, AUTH_URL);
        assert_eq!(endpoints.revoke_url, REVOKE_URL);
        // A blank variable is as good as unset.
        assert_eq!(endpoints.api_url, API_URL);
        assert_eq!(
            GoogleEndpoints::from_lookup(|_| None),
            GoogleEndpoints::default()
        );
    }
}
