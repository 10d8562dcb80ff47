//! CalDAV (RFC 4791) for iCloud, Fastmail, Nextcloud, Radicale, Xandikos and other servers:
//! the XML request bodies (`xml`), reading multistatus answers (`multistatus`), one
//! authenticated WebDAV request (`transport`, Basic or Digest: `digest`), finding a user's calendars from what they typed
//! (`discovery`), errors worded for people (`error`), and syncing: the provider (`provider`)
//! over sync-collection (`sync_collection`) or the ctag + etag fallback (`etag_sync`), bodies
//! fetched in batches (`multiget`) and translated per resource (`resource`), its cursor
//! (`cursor`) and what an account keeps in the secret store (`account`).

pub mod account;
pub mod cursor;
pub mod digest;
pub mod discovery;
pub mod error;
pub mod etag_sync;
pub mod multiget;
pub mod multistatus;
pub mod provider;
pub mod resource;
pub mod sync_collection;
pub mod transport;
pub mod xml;
