//! Calendar Buddy's engine: everything but the GUI. Providers fetch calendars, the store keeps
//! them in SQLite, the sync layer moves changes from one to the other, and [`Engine`] ties it
//! together for the CLI, the desktop shell and tests.

pub mod agenda;
pub mod browser;
mod engine;
mod error;
pub mod html_entities;
pub mod http;
pub mod ical;
pub mod local_time;
pub mod logging;
pub mod loopback;
pub mod meeting_link;
pub mod model;
pub mod oauth;
pub mod paths;
pub mod provider;
pub mod recurrence;
pub mod reminders;
pub mod secrets;
pub mod settings;
pub mod store;
pub mod sync;
pub mod text;
pub mod time_format;
pub mod zones;

pub use engine::{
    google_client_from_env, local_zone, microsoft_client_from_env, CalDavSignIn, Disconnected,
    Engine, EngineConfig, EngineEvent, Status, ICLOUD_URL,
};
pub use error::{EngineError, ErrorPayload};
