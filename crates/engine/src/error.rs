//! The engine's error: what the CLI prints on one line and the desktop shell sends to its UI
//! as `{code, message}`. Messages never contain a secret.

use serde::Serialize;

use crate::loopback::LoopbackError;
use crate::oauth::ConnectError;
use crate::provider::caldav::error::DavError;
use crate::provider::ics::feed_url::FeedUrlError;
use crate::provider::ics::fetch::FetchError;
use crate::provider::ProviderError;
use crate::secrets::SecretError;
use crate::settings::SettingsError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("no data directory: set CALBUDDY_DATA_DIR")]
    NoDataDir,
    #[error("cannot create the data directory {path}: {message}")]
    DataDir { path: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Secrets(#[from] SecretError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(
        "no Google OAuth client is configured. Create a Desktop app client in Google Cloud \
         (see the README), then set CALBUDDY_GOOGLE_CLIENT_ID and CALBUDDY_GOOGLE_CLIENT_SECRET, \
         or run `calbuddy settings set google.client_id ...` and `... google.client_secret ...`"
    )]
    NoGoogleClient,
    #[error(
        "no Microsoft app registration is configured. Register an app in the Microsoft Entra \
         admin center (see the README), then set CALBUDDY_MICROSOFT_CLIENT_ID or run \
         `calbuddy settings set microsoft.client_id ...`"
    )]
    NoMicrosoftClient,
    /// The account was connected with a provider this build does not know.
    #[error("unknown provider {0:?}; a newer version of Calendar Buddy may have connected it")]
    UnknownProvider(String),
    /// A calendar link that is not a usable web address.
    #[error(transparent)]
    FeedUrl(#[from] FeedUrlError),
    /// Subscribing to a calendar link failed at the feed (the message shows the link
    /// redacted).
    #[error(transparent)]
    Feed(#[from] FetchError),
    /// Connecting a CalDAV account failed (discovery: the address, the password, the server).
    #[error(transparent)]
    Dav(#[from] DavError),
    #[error("no {0} with id {1}")]
    NotFound(&'static str, i64),
    /// A span of days or dates the engine will not look at (see `days_span`).
    #[error("{0}")]
    InvalidRange(String),
    #[error("account {0} is already being synced by another process")]
    Busy(i64),
    #[error("cannot lock the account for syncing: {0}")]
    Lock(String),
}

/// The form errors take on their way to a UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorPayload {
    pub code: &'static str,
    pub message: String,
}

impl EngineError {
    /// A stable, machine-readable code, so a UI never matches on message text.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::NoDataDir | EngineError::DataDir { .. } => "data_dir",
            EngineError::Store(_) => "database",
            EngineError::Settings(_) => "settings",
            EngineError::Secrets(SecretError::NoKeychain(_)) => "no_keychain",
            EngineError::Secrets(_) => "secrets",
            EngineError::Provider(e) | EngineError::Connect(ConnectError::Token(_, e)) => match e {
                ProviderError::ReauthRequired(_) => "needs_reauth",
                ProviderError::RateLimited(_) => "rate_limited",
                ProviderError::Network(_) => "network",
                _ => "provider",
            },
            EngineError::Connect(ConnectError::Browser(LoopbackError::Timeout(_))) => {
                "sign_in_timeout"
            }
            EngineError::Connect(ConnectError::Browser(LoopbackError::Denied(_))) => {
                "sign_in_denied"
            }
            EngineError::Connect(_) => "sign_in",
            EngineError::NoGoogleClient => "no_google_client",
            EngineError::NoMicrosoftClient => "no_microsoft_client",
            // The code an unknown provider always had.
            EngineError::UnknownProvider(_) => "provider",
            EngineError::FeedUrl(_) => "invalid_url",
            EngineError::Feed(e) => match e {
                FetchError::NotICalendar { .. } => "feed_not_calendar",
                FetchError::NeedsLogin { .. } => "feed_needs_login",
                FetchError::Gone { .. } => "feed_gone",
                _ if e.is_transient() => "network",
                _ => "provider",
            },
            EngineError::Dav(e) => match e {
                DavError::InvalidAddress => "invalid_url",
                DavError::Unauthorized | DavError::DigestNotSupported => "wrong_password",
                DavError::NotCalDav(_) => "not_caldav",
                DavError::NoCalendars(_) => "no_calendars",
                DavError::OtherSite { .. } => "other_site",
                _ if e.is_transient() => "network",
                _ => "provider",
            },
            EngineError::NotFound(..) => "not_found",
            EngineError::InvalidRange(_) => "invalid_range",
            EngineError::Busy(_) => "busy",
            EngineError::Lock(_) => "lock",
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_reach_a_ui_as_stable_codes() {
        let cases = [
            (EngineError::NoGoogleClient, "no_google_client"),
            (EngineError::NoMicrosoftClient, "no_microsoft_client"),
            (
                EngineError::Provider(ProviderError::ReauthRequired(
                    "AADSTS700082: The refresh token has expired due to inactivity.".into(),
                )),
                "needs_reauth",
            ),
            (
                EngineError::Provider(ProviderError::CursorExpired),
                "provider",
            ),
            (EngineError::Busy(3), "busy"),
            (
                EngineError::Provider(ProviderError::ReauthRequired("revoked".into())),
                "needs_reauth",
            ),
            (
                EngineError::Secrets(SecretError::NoKeychain("no bus".into())),
                "no_keychain",
            ),
            (
                EngineError::Connect(ConnectError::Browser(LoopbackError::Timeout(300))),
                "sign_in_timeout",
            ),
            (EngineError::FeedUrl(FeedUrlError::Empty), "invalid_url"),
            (
                EngineError::Feed(FetchError::NotICalendar {
                    url: "https://x/…".into(),
                    content_type: None,
                    first_line: "<html>".into(),
                }),
                "feed_not_calendar",
            ),
            (
                EngineError::Feed(FetchError::NeedsLogin {
                    url: "https://x/…".into(),
                    status: 401,
                }),
                "feed_needs_login",
            ),
            (
                EngineError::Feed(FetchError::Gone {
                    url: "https://x/…".into(),
                    status: 410,
                }),
                "feed_gone",
            ),
            (
                EngineError::Feed(FetchError::Network {
                    url: "https://x/…".into(),
                    message: "refused".into(),
                }),
                "network",
            ),
            (EngineError::Dav(DavError::InvalidAddress), "invalid_url"),
            (EngineError::Dav(DavError::Unauthorized), "wrong_password"),
            (
                EngineError::Dav(DavError::NoCalendars(
                    url::Url::parse("https://dav.example.com/").unwrap(),
                )),
                "no_calendars",
            ),
            (
                EngineError::Dav(DavError::Network {
                    url: url::Url::parse("https://dav.example.com/").unwrap(),
                    message: "refused".into(),
                    transient: true,
                }),
                "network",
            ),
        ];
        for (error, code) in cases {
            let payload = error.payload();
            assert_eq!(payload.code, code);
            assert_eq!(payload.message, error.to_string());
        }
        let json = serde_json::to_value(EngineError::Busy(3).payload()).unwrap();
        assert_eq!(json["code"], "busy");
    }
}
