//! Moving changes from providers into the store: planning (pure), syncing an account, the
//! cross-process account lock and the background sync service.

mod account;
mod lock;
pub mod plan;
mod service;

pub use account::{sync_account, CalendarReport, SyncOptions, SyncProgress, SyncReport};
pub use lock::AccountLock;
pub use service::{SyncService, SyncServiceHandle};
