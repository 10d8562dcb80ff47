//! What can go wrong talking to a CalDAV server, worded for the person who typed the address.
//! No message ever holds a password: credentials travel only in the `Authorization` header,
//! and user info typed into an address is dropped before any request (`discovery::parse_input`).

use url::Url;

use super::multistatus::XmlError;
use crate::provider::ProviderError;

#[derive(Debug, thiserror::Error)]
pub enum DavError {
    #[error("this is not a server address; enter one such as https://caldav.example.com/ or caldav.icloud.com")]
    InvalidAddress,
    /// A 401 with our credentials: the account needs its password again. Never retried (servers
    /// such as Radicale slow down repeated failed logins on purpose).
    #[error("wrong user name or password")]
    Unauthorized,
    /// A 401 whose only challenges are Digest ones we cannot compute (an unknown algorithm or
    /// `qop`, no nonce). Entering the password again would not help.
    #[error("the server asks for a kind of Digest authentication that is not supported (MD5, SHA-256 and SHA-512-256 are); ask its administrator for Basic authentication over HTTPS")]
    DigestNotSupported,
    /// A redirect or an href to a site other than the one the user entered: the password is
    /// not sent there.
    #[error("the server sent us on to another site ({host}); your password is only sent to the site you entered, so enter that address instead")]
    OtherSite { host: String },
    #[error("too many redirects, starting from {0}")]
    TooManyRedirects(Url),
    #[error("{url} answered HTTP {status}")]
    Status { url: Url, status: u16 },
    #[error("{0} does not offer CalDAV (no calendar home for this user)")]
    NotCalDav(Url),
    #[error("no calendar with events was found at {0}")]
    NoCalendars(Url),
    #[error("{url} sent an answer that is not understood: {source}")]
    Malformed { url: Url, source: XmlError },
    #[error("could not reach {url}: {message}")]
    Network {
        url: Url,
        message: String,
        /// Worth trying again later (a timeout, a refused connection, a 5xx or 429 after the
        /// retries).
        transient: bool,
    },
}

impl DavError {
    /// The account needs its password entered again.
    pub fn is_auth(&self) -> bool {
        matches!(self, DavError::Unauthorized)
    }

    /// A later attempt may succeed without anything changing on our side.
    pub fn is_transient(&self) -> bool {
        match self {
            DavError::Network { transient, .. } => *transient,
            DavError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// What a failed request means for a sync: a wrong password needs the user, a network or
/// server failure is worth trying later, the rest is refused.
impl From<DavError> for ProviderError {
    fn from(error: DavError) -> ProviderError {
        let message = error.to_string();
        match error {
            DavError::Unauthorized | DavError::DigestNotSupported => {
                ProviderError::ReauthRequired(message)
            }
            DavError::Status { status: 429, .. } => ProviderError::RateLimited(message),
            DavError::Status {
                status: 404 | 410, ..
            } => ProviderError::CalendarGone,
            _ if error.is_transient() => ProviderError::Network(message),
            DavError::Network { .. } => ProviderError::Network(message),
            DavError::Malformed { .. } => ProviderError::Malformed(message),
            _ => ProviderError::Rejected(message),
        }
    }
}

/// An answer to a calendar's REPORT or PROPFIND that is not a multistatus.
pub fn unexpected_status(url: &Url, status: u16, what: &str) -> ProviderError {
    match status {
        404 | 410 => ProviderError::CalendarGone,
        _ => ProviderError::Rejected(format!("{url} answered HTTP {status} to {what}")),
    }
}

/// A multistatus that could not be read.
pub fn malformed(url: &Url, source: XmlError) -> ProviderError {
    ProviderError::from(DavError::Malformed {
        url: url.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_password_needs_the_user_and_a_busy_server_is_retried_later() {
        let url = Url::parse("https://dav.example.com/alice/").unwrap();
        assert!(ProviderError::from(DavError::Unauthorized).is_auth_expired());
        let busy = DavError::Status {
            url: url.clone(),
            status: 503,
        };
        assert!(matches!(
            ProviderError::from(busy),
            ProviderError::Network(_)
        ));
        let gone = DavError::Status {
            url: url.clone(),
            status: 404,
        };
        assert!(matches!(
            ProviderError::from(gone),
            ProviderError::CalendarGone
        ));
        let limited = DavError::Status { url, status: 429 };
        assert!(matches!(
            ProviderError::from(limited),
            ProviderError::RateLimited(_)
        ));
    }
}
