//! The command line, as clap parses it.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// Calendar Buddy from the terminal: connect calendars, sync them, see what is coming up.
///
/// Data lives in CALBUDDY_DATA_DIR (default: the OS data directory), shared with the desktop
/// app. Secrets go to the OS keychain, or to a private file with CALBUDDY_SECRET_STORE=file.
#[derive(Debug, Parser)]
#[command(name = "calbuddy", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect an account: `google` (signs in in the browser) or `demo` (a sample calendar).
    Connect { target: ConnectTarget },
    /// List connected accounts.
    Accounts {
        #[arg(long)]
        json: bool,
    },
    /// List calendars, or turn one on or off.
    Calendars {
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<CalendarsAction>,
    },
    /// Sync one account now, or all of them.
    Sync { account_id: Option<i64> },
    /// Show what is coming up (ongoing events included).
    Upcoming {
        /// How many days ahead to look.
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// At most this many events.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Also show events you declined.
        #[arg(long)]
        include_declined: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the events of a span of days (`--to` is the last day included).
    Events {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: NaiveDate,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: NaiveDate,
        #[arg(long)]
        json: bool,
    },
    /// Disconnect an account: revoke its access, delete its token and its events.
    Disconnect { account_id: i64 },
    /// Show accounts, sync state and where data is kept.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Show the settings, or change one (`calbuddy settings set sync.interval_minutes 30`).
    Settings {
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<SettingsAction>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConnectTarget {
    Google,
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum CalendarsAction {
    /// Sync and show this calendar.
    Enable { id: i64 },
    /// Stop syncing and showing this calendar (its events are kept).
    Disable { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Change one setting.
    Set { key: String, value: String },
}

impl Cli {
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Accounts { json }
            | Command::Calendars { json, .. }
            | Command::Upcoming { json, .. }
            | Command::Events { json, .. }
            | Command::Status { json }
            | Command::Settings { json, .. } => *json,
            _ => false,
        }
    }
}
