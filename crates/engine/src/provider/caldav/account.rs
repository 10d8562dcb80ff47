//! What a CalDAV account keeps in the secret store, under `caldav:<account external id>`:
//! where its calendars are listed and its user name and password. The password lives only
//! there — never in SQLite, a log or an error.

use serde::{Deserialize, Serialize};
use url::Url;

use super::discovery::Discovery;
use super::transport::Credentials;
use crate::secrets::Sensitive;

/// The key of an account's saved sign-in.
pub fn secret_key(account_external_id: &str) -> String {
    format!("caldav:{account_external_id}")
}

/// The account's external id: `user@host`, the host being where its calendars live (the
/// principal's, else the calendar's), so the same user on the same server is one account.
pub fn external_id(username: &str, discovery: &Discovery, start: &Url) -> String {
    let host = discovery
        .principal
        .as_ref()
        .or(discovery.calendars.first().map(|c| &c.href))
        .unwrap_or(start)
        .host_str()
        .unwrap_or_default()
        .to_owned();
    format!("{}@{host}", username.trim())
}

/// Where an account's calendars are listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locator {
    /// The address the user entered (it decides where the password may go).
    pub start: Url,
    /// The calendar homes discovery found; empty when a calendar URL was entered, which is
    /// then listed from `start`.
    pub homes: Vec<Url>,
}

/// An account's saved sign-in.
#[derive(Debug, Clone)]
pub struct SavedAccount {
    pub locator: Locator,
    pub credentials: Credentials,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    start: Url,
    homes: Vec<Url>,
    principal: Option<Url>,
    username: String,
    password: String,
}

impl SavedAccount {
    pub fn new(start: Url, discovery: &Discovery, credentials: Credentials) -> SavedAccount {
        SavedAccount {
            locator: Locator {
                start,
                homes: discovery.homes.clone(),
            },
            credentials,
        }
    }

    /// The JSON saved in the secret store.
    pub fn to_secret(&self, principal: Option<&Url>) -> Sensitive<String> {
        let stored = Stored {
            start: self.locator.start.clone(),
            homes: self.locator.homes.clone(),
            principal: principal.cloned(),
            username: self.credentials.username.clone(),
            password: self.credentials.password.expose().clone(),
        };
        // URLs and strings always serialize.
        Sensitive::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// The saved sign-in, or `None` when the secret cannot be read as one.
    pub fn from_secret(secret: &Sensitive<String>) -> Option<SavedAccount> {
        let stored: Stored = serde_json::from_str(secret.expose()).ok()?;
        Some(SavedAccount {
            locator: Locator {
                start: stored.start,
                homes: stored.homes,
            },
            credentials: Credentials {
                username: stored.username,
                password: Sensitive::new(stored.password),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::caldav::discovery::DavCalendar;

    #[test]
    fn a_saved_sign_in_reads_back_and_its_debug_form_hides_the_password() {
        let start = Url::parse("https://caldav.icloud.com/").unwrap();
        let principal = Url::parse("https://caldav.icloud.com/123/principal/").unwrap();
        let discovery = Discovery {
            principal: Some(principal.clone()),
            homes: vec![Url::parse("https://p56-caldav.icloud.com/123/calendars/").unwrap()],
            calendars: vec![],
        };
        let saved = SavedAccount::new(
            start.clone(),
            &discovery,
            Credentials {
                username: "alice@icloud.com".into(),
                password: Sensitive::new("abcd-efgh-ijkl-mnop".into()),
            },
        );
        assert!(!format!("{saved:?}").contains("abcd-efgh"));
        let secret = saved.to_secret(Some(&principal));
        let back = SavedAccount::from_secret(&secret).unwrap();
        assert_eq!(back.locator, saved.locator);
        assert_eq!(back.credentials.password.expose(), "abcd-efgh-ijkl-mnop");
        assert!(SavedAccount::from_secret(&Sensitive::new("{}".into())).is_none());
        assert_eq!(
            external_id("alice@icloud.com", &discovery, &start),
            "alice@icloud.com@caldav.icloud.com"
        );
        let direct = Discovery {
            principal: None,
            homes: vec![],
            calendars: vec![DavCalendar {
                href: Url::parse("http://127.0.0.1:5232/alice/cal/").unwrap(),
                display_name: "Cal".into(),
                color: None,
                ctag: None,
                sync_token: None,
                read_only: false,
                components: vec![],
            }],
        };
        assert_eq!(external_id("alice", &direct, &start), "alice@127.0.0.1");
    }
}
