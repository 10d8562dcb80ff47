//! The tokens of one sign-in (access token, refresh token, expiry) and the form they are
//! saved in, unchanged since the first release so that saved sign-ins keep working.

use chrono::{DateTime, Duration, Utc};
use oauth2::TokenResponse;
use serde::{Deserialize, Serialize};

use crate::secrets::Sensitive;

/// What the secret store keeps for an account. The tokens are [`Sensitive`], so a
/// `TokenSet` can be neither logged nor serialised by accident: [`TokenSet::to_secret`] is
/// the one way out.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: Sensitive<String>,
    pub refresh_token: Option<Sensitive<String>>,
    pub expires_at: DateTime<Utc>,
}

/// The stored form (one JSON value per account), unchanged since the first release so that
/// saved sign-ins keep working.
#[derive(Serialize, Deserialize)]
struct StoredTokens {
    access_token: String,
    refresh_token: Option<String>,
    expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl TokenSet {
    pub fn from_response(
        response: &oauth2::basic::BasicTokenResponse,
        previous_refresh: Option<Sensitive<String>>,
        now: DateTime<Utc>,
    ) -> TokenSet {
        let lifetime = response
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .unwrap_or_else(|| Duration::seconds(3600));
        TokenSet {
            access_token: Sensitive::new(response.access_token().secret().clone()),
            // Google sends no new refresh token when refreshing: keep the old one. Microsoft
            // sends a new one every time (rotation), which replaces the old.
            refresh_token: response
                .refresh_token()
                .map(|t| Sensitive::new(t.secret().clone()))
                .or(previous_refresh),
            expires_at: now + lifetime,
        }
    }

    pub fn to_secret(&self) -> Sensitive<String> {
        let stored = StoredTokens {
            access_token: self.access_token.expose().clone(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose().clone()),
            expires_at: self.expires_at,
        };
        Sensitive::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// The tokens of a stored secret; `None` if it cannot be read as one.
    pub fn from_secret(secret: &Sensitive<String>) -> Option<TokenSet> {
        let stored: StoredTokens = serde_json::from_str(secret.expose()).ok()?;
        Some(TokenSet {
            access_token: Sensitive::new(stored.access_token),
            refresh_token: stored.refresh_token.map(Sensitive::new),
            expires_at: stored.expires_at,
        })
    }

    /// The access token should be replaced before it is used (a minute of slack).
    pub(super) fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.expires_at - Duration::seconds(60) <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD_FORMAT: &str = r#"{"access_token":"ya29.access","refresh_token":"1//refresh","expires_at":"2026-11-30T10:00:00Z"}"#;

    #[test]
    fn tokens_do_not_show_in_debug_output() {
        let secret = Sensitive::new(OLD_FORMAT.to_owned());
        let tokens = TokenSet::from_secret(&secret).unwrap();
        let debug = format!(
            "{tokens:?} {:?} {:?}",
            tokens.access_token, tokens.refresh_token
        );
        assert!(!debug.contains("ya29") && !debug.contains("1//"), "{debug}");
    }

    #[test]
    fn the_stored_format_reads_and_round_trips() {
        let tokens = TokenSet::from_secret(&Sensitive::new(OLD_FORMAT.to_owned())).unwrap();
        assert_eq!(tokens.access_token.expose(), "ya29.access");
        assert_eq!(
            tokens.refresh_token.as_ref().map(|t| t.expose().as_str()),
            Some("1//refresh")
        );
        assert_eq!(tokens.to_secret().expose(), OLD_FORMAT);

        let without_refresh =
            r#"{"access_token":"a","refresh_token":null,"expires_at":"2026-11-30T10:00:00Z"}"#;
        let tokens = TokenSet::from_secret(&Sensitive::new(without_refresh.to_owned())).unwrap();
        assert!(tokens.refresh_token.is_none());
        assert_eq!(tokens.to_secret().expose(), without_refresh);

        assert!(TokenSet::from_secret(&Sensitive::new("{not json".to_owned())).is_none());
    }
}
