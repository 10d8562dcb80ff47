//! The provider boundary: one trait that every calendar service implements (Google now;
//! Microsoft Graph, CalDAV and ICS feeds later; the built-in demo calendar).
//!
//! A provider only talks to its service and translates what it hears into [`crate::model`]
//! types. It never touches the database: the sync layer decides what a change set means for the
//! store and applies it in one transaction together with the new cursor.

pub mod caldav;
pub mod demo;
pub mod fields;
pub mod google;
pub mod ics;
pub mod microsoft;
pub mod people;

/// Implementers of [`Provider`] outside this crate (tests, later backends) use this attribute.
pub use async_trait::async_trait;

use crate::model::{RemoteCalendar, RemoteChange, SyncWindow};

/// The kinds of provider an account can have; the name is what the store's `provider` column
/// and the CLI's JSON say. The engine builds each account's provider from its kind in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Demo,
    Google,
    /// An ICS subscription (a published `.ics` link).
    Ics,
    /// A CalDAV account (iCloud, Fastmail, Nextcloud, any CalDAV server).
    CalDav,
    /// A Microsoft 365 (work or school) or Outlook.com account, through Microsoft Graph.
    Microsoft,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 5] = [
        ProviderKind::Demo,
        ProviderKind::Google,
        ProviderKind::Ics,
        ProviderKind::CalDav,
        ProviderKind::Microsoft,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Demo => "demo",
            ProviderKind::Google => "google",
            ProviderKind::Ics => "ics",
            ProviderKind::CalDav => "caldav",
            ProviderKind::Microsoft => "microsoft",
        }
    }

    /// The kind named `name`, if this build knows it (a newer version may have written others).
    pub fn parse(name: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// What the sync layer asks for when it fetches one calendar's changes.
#[derive(Debug, Clone)]
pub struct FetchRequest<'a> {
    /// The provider's id of the calendar.
    pub calendar_external_id: &'a str,
    /// The opaque cursor saved after the last successful sync (Google sync token, Graph delta
    /// link, CalDAV sync-token, HTTP ETag). `None` asks for a full listing of `window`.
    pub cursor: Option<&'a str>,
    /// The span a full listing covers. Incremental fetches report changes wherever they are.
    pub window: SyncWindow,
}

/// How to read a change set against what the store already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetKind {
    /// Everything the calendar holds in the window: events the store has that are not in the
    /// set are gone.
    Full,
    /// Only what changed since the cursor.
    Delta,
}

/// One calendar's changes, complete (every page fetched), with the cursor to save with them.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    pub kind: ChangeSetKind,
    pub changes: Vec<RemoteChange>,
    /// The cursor for the next incremental fetch (`None`: the provider has no cursors).
    pub cursor: Option<String>,
    /// The collection's VTIMEZONE definitions, when the change set brings its whole set (an
    /// ICS feed, later CalDAV): they replace the calendar's before the changes are applied.
    pub zones: Option<crate::zones::ZoneDefinitions>,
}

/// Why a provider call failed. The sync layer decides what each kind means for the account.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The saved cursor is no longer accepted (Google 410 `fullSyncRequired`): sync in full.
    #[error("the sync token is no longer valid")]
    CursorExpired,
    /// The credentials are expired or revoked: the user must sign in again.
    #[error("access was revoked or expired; reconnect the account ({0})")]
    ReauthRequired(String),
    /// Still rate limited after the retries.
    #[error("rate limited by the server ({0})")]
    RateLimited(String),
    /// The network failed, timed out or the server had an error, after the retries.
    #[error("could not reach the server: {0}")]
    Network(String),
    /// The server's answer could not be understood.
    #[error("unexpected response from the server: {0}")]
    Malformed(String),
    /// The calendar does not exist any more (or is not shared with the user now).
    #[error("calendar not found on the server")]
    CalendarGone,
    /// The saved sign-in could not be read or written (keychain unavailable or locked).
    #[error("cannot use the saved sign-in: {0}")]
    Credentials(String),
    /// Any other refusal from the server (4xx) that retrying will not fix.
    #[error("the server refused the request: {0}")]
    Rejected(String),
    /// A secret is saved for the account but cannot be read as a sign-in (damaged, or written
    /// by something else). Connecting again replaces it.
    #[error("the saved sign-in could not be read; reconnect the account")]
    UnreadableSignIn,
    /// The server kept sending page tokens: a runaway server, not a real calendar.
    #[error("gave up after {pages} pages of {listing}: the server keeps sending more")]
    EndlessListing { listing: &'static str, pages: usize },
    /// The account's sync ran past its deadline (`CALBUDDY_SYNC_DEADLINE_SECS`).
    #[error("the sync did not finish within {0} s and was stopped")]
    DeadlineExceeded(u64),
}

impl ProviderError {
    /// Only signing in again helps: the grant is gone, or the saved sign-in is unreadable.
    pub fn is_auth_expired(&self) -> bool {
        matches!(
            self,
            ProviderError::ReauthRequired(_) | ProviderError::UnreadableSignIn
        )
    }
}

/// Reports progress while a provider pages through a listing (events received so far).
pub type Progress<'a> = &'a (dyn Fn(usize) + Send + Sync);

/// Which stored events a full listing speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A full listing covers the sync window only (Google, Microsoft Graph). Incremental
    /// fetches only report changes, so the calendar is listed in full again once the window has
    /// moved on by a week, to pick up events that came into it.
    Windowed,
    /// A full listing is the whole collection (ICS feeds, CalDAV): everything is stored and
    /// there is no window to re-list.
    WholeCollection,
}

/// What a provider can do, asked by the sync layer and the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub scope: Scope,
    /// Events can be written back (no provider writes yet; CalDAV and Graph will).
    pub writable: bool,
}

/// A calendar service, as the sync layer sees it. Object safe, so the engine can choose a
/// provider per account at run time and the sync layer takes a `&dyn Provider`.
///
/// `async-trait` boxes each call's future: one allocation per request is nothing next to an
/// HTTP round trip, and every provider keeps writing plain `async fn`s.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// What the sync layer may expect of this provider.
    fn capabilities(&self) -> Capabilities;

    /// Every calendar of the account. Only a complete listing is returned: if any page fails,
    /// the whole call fails, so a calendar is never dropped because of a partial listing.
    async fn list_calendars(&self) -> Result<Vec<RemoteCalendar>, ProviderError>;

    /// The changes of one calendar since `request.cursor`, every page fetched, or a full listing
    /// (of `request.window` for a [`Scope::Windowed`] provider) when there is no cursor. An
    /// expired cursor is reported as [`ProviderError::CursorExpired`]; the caller then asks
    /// again without one.
    async fn fetch_changes(
        &self,
        request: FetchRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ChangeSet, ProviderError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_reads_back_from_its_name_and_unknown_names_are_none() {
        for kind in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ProviderKind::parse("exchange"), None);
        assert_eq!(ProviderKind::parse("Google"), None);
    }
}
