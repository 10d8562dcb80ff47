//! CalDAV (RFC 4791) groundwork for iCloud, Fastmail, Nextcloud, Radicale, Xandikos and other
//! servers: the XML request bodies (`xml`), reading multistatus answers (`multistatus`), one
//! authenticated WebDAV request (`transport`), and finding a user's calendars from what they
//! typed (`discovery`), with errors worded for people (`error`).
//!
//! Turning calendar data into events and syncing collections build on this (issue 8).

pub mod digest;
pub mod discovery;
pub mod error;
pub mod multistatus;
pub mod transport;
pub mod xml;
