//! CalDAV (RFC 4791) groundwork for iCloud, Fastmail, Nextcloud, Radicale, Xandikos and other
//! servers: the XML request bodies (`xml`), reading multistatus answers (`multistatus`), and
//! finding a user's calendars from what they typed (`discovery`, over `transport`).
//!
//! Turning calendar data into events and syncing collections build on this (issue 8).

pub mod multistatus;
pub mod xml;
