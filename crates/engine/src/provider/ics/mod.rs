//! ICS subscription feeds: published `.ics` links fetched over HTTP.

pub mod color;
pub mod feed_body;
pub mod feed_url;
pub mod fetch;
pub mod provider;
pub mod refresh_interval;
pub mod translate;
