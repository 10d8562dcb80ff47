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
    /// Connect an account: `google` or `outlook` (sign in in the browser), `caldav --url URL
    /// --username USER` (any CalDAV server), `icloud --username APPLE_ID`, `ics --url URL`
    /// (subscribe to a published calendar link) or `demo` (a sample calendar).
    Connect {
        #[command(subcommand)]
        target: ConnectTarget,
    },
    /// List connected accounts.
    Accounts {
        /// Print JSON: [{id, provider, name, needs_reauth, last_synced_at, last_error}].
        #[arg(long)]
        json: bool,
    },
    /// List calendars, turn one on or off, or turn its reminders on or off.
    Calendars {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<CalendarsAction>,
    },
    /// Sync one account now, or all of them.
    Sync {
        /// The account to sync (see `calbuddy accounts`); all of them when left out.
        account_id: Option<i64>,
    },
    /// Show what is coming up (ongoing events included).
    Upcoming {
        /// How many days ahead to look (at most 3660).
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// At most this many events.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Also show events you declined.
        #[arg(long)]
        include_declined: bool,
        /// Print JSON (the event fields listed in the README) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What is on now and what comes next, for a status bar (Waybar, Polybar, i3blocks): timed
    /// events of the next 24 hours, all-day and declined events left out.
    Next {
        /// `text`: one line; `json`: {current, next}; `waybar`: {text, tooltip, class, alt}.
        #[arg(long, value_enum, default_value_t = NextFormat::Text)]
        format: NextFormat,
    },
    /// Show the events of a span of days (`--to` is the last day included). Days are local
    /// days, in the years 1900 to 9999.
    Events {
        /// The first day: YYYY-MM-DD, `today` or `tomorrow`.
        #[arg(long, value_name = "DAY", value_parser = local_day)]
        from: NaiveDate,
        /// The last day, included: YYYY-MM-DD, `today` or `tomorrow`.
        #[arg(long, value_name = "DAY", value_parser = local_day)]
        to: NaiveDate,
        /// Print JSON (the fields of `upcoming --json`) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Find events by the words in their title, location, description or the names of their
    /// organizer and attendees (case and accents do not matter; the last word may be the start
    /// of one). Matching occurrences are listed by
    /// day, from today to a year ahead unless --from/--to say otherwise.
    Search {
        /// The words to find; plain text, never search syntax.
        #[arg(value_name = "QUERY", required = true, num_args = 1..)]
        query: Vec<String>,
        /// The first day: YYYY-MM-DD, `today` or `tomorrow` (default: today).
        #[arg(long, value_name = "DAY", value_parser = local_day)]
        from: Option<NaiveDate>,
        /// The last day, included: YYYY-MM-DD, `today` or `tomorrow` (default: a year after
        /// --from).
        #[arg(long, value_name = "DAY", value_parser = local_day)]
        to: Option<NaiveDate>,
        /// Print JSON (the fields of `events --json`) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Disconnect an account: revoke its access, delete its token and its events.
    Disconnect {
        /// The account's id (see `calbuddy accounts`).
        account_id: i64,
    },
    /// Show accounts, sync state and where data is kept.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the settings, or change one (`calbuddy settings set sync.interval_minutes 30`).
    Settings {
        /// Print JSON instead of text (a client secret shows as "(set)").
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<SettingsAction>,
    },
}

/// How `calbuddy next` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NextFormat {
    Text,
    Json,
    Waybar,
}

/// A day as typed: `YYYY-MM-DD`, or `today` / `tomorrow` (the local day).
fn local_day(text: &str) -> Result<NaiveDate, String> {
    let today = chrono::Local::now().date_naive();
    match text.trim().to_ascii_lowercase().as_str() {
        "today" => Ok(today),
        "tomorrow" => today
            .succ_opt()
            .ok_or_else(|| "there is no tomorrow".to_owned()),
        other => other
            .parse()
            .map_err(|_| "expected YYYY-MM-DD, today or tomorrow".to_owned()),
    }
}

#[derive(Debug, Subcommand)]
pub enum ConnectTarget {
    /// Sign in to Google in the browser and sync its calendars.
    Google,
    /// Sign in to Microsoft in the browser and sync the calendars of a Microsoft 365 (work or
    /// school) or Outlook.com (personal) account, read-only.
    ///
    /// It needs your own app registration in the Microsoft Entra admin center (see the
    /// README): its Application (client) ID in CALBUDDY_MICROSOFT_CLIENT_ID or `calbuddy
    /// settings set microsoft.client_id ID`. `microsoft.tenant` limits who may sign in:
    /// `common` (default: any account), `organizations`, `consumers` or your tenant's id.
    Outlook,
    /// Add a sample calendar, to see everything work.
    Demo,
    /// Subscribe to a published calendar link (`.ics`): one read-only calendar, refreshed with
    /// the other accounts. The link is kept in the keychain and shown redacted.
    Ics {
        /// The calendar link: https://, http://, webcal:// or webcals://.
        #[arg(long, value_name = "URL")]
        url: String,
        /// The calendar's name (default: the name the feed gives, else its host).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Connect a CalDAV account (Fastmail, Nextcloud, mailbox.org, Synology, Radicale …). The
    /// password comes from CALBUDDY_CALDAV_PASSWORD, or else from standard input (asked for,
    /// without echo, on a terminal); it is kept in the keychain.
    Caldav {
        /// The server (https://caldav.fastmail.com/ or a bare host), your principal, or one
        /// calendar collection.
        #[arg(long, value_name = "URL")]
        url: String,
        /// Your user name on that server.
        #[arg(long, value_name = "USER")]
        username: String,
    },
    /// Connect iCloud calendars. Apple asks for an app-specific password: create one at
    /// account.apple.com (Sign-In and Security, App-Specific Passwords) and give it in
    /// CALBUDDY_CALDAV_PASSWORD or on standard input; your Apple ID password will not work.
    Icloud {
        /// Your Apple ID (its email address).
        #[arg(long, value_name = "APPLE_ID")]
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarsAction {
    /// Sync and show this calendar.
    Enable {
        /// The calendar's id (see `calbuddy calendars`).
        id: i64,
    },
    /// Stop syncing and showing this calendar (its events are kept).
    Disable {
        /// The calendar's id (see `calbuddy calendars`).
        id: i64,
    },
    /// Turn the desktop reminders of this calendar's events on or off (it stays shown).
    Reminders {
        /// The calendar's id (see `calbuddy calendars`).
        id: i64,
        /// `on` or `off`.
        #[arg(value_enum)]
        state: OnOff,
    },
}

/// A switch's position on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Change one setting.
    Set {
        /// The setting's key, e.g. `sync.interval_minutes`.
        key: String,
        /// Its new value.
        value: String,
    },
}

impl Cli {
    pub fn json(&self) -> bool {
        match &self.command {
            Command::Accounts { json }
            | Command::Calendars { json, .. }
            | Command::Upcoming { json, .. }
            | Command::Events { json, .. }
            | Command::Search { json, .. }
            | Command::Status { json }
            | Command::Settings { json, .. } => *json,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The day and number arguments, random and hostile, through clap and the engine's range
    //! handling: a clean error or a listing, never a panic.

    use calbuddy_engine::paths::DataDir;
    use calbuddy_engine::secrets::SecretStore;
    use calbuddy_engine::{Engine, EngineConfig, EngineError};
    use chrono::{DateTime, Utc};
    use proptest::prelude::*;

    use super::*;

    /// Numbers as a user might type them: small, huge, negative, malformed.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..4000).prop_map(|n| n.to_string()),
            any::<u32>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just(u64::MAX.to_string()),
            "[-+]?[0-9]{0,25}",
            "[0-9a-z.,e_ -]{0,8}",
        ]
    }

    /// Dates as a user might type them: near, far, extreme (chrono's own limits), malformed.
    fn date() -> impl Strategy<Value = String> {
        prop_oneof![
            (1800i32..10100, 1u32..=12, 1u32..=31)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            (-300_000i32..300_000, 0u32..14, 0u32..33)
                .prop_map(|(y, m, d)| format!("{y:+}-{m:02}-{d:02}")),
            Just("+262142-12-31".to_owned()),
            Just("-262143-01-01".to_owned()),
            Just("9999-12-31".to_owned()),
            Just("1900-01-01".to_owned()),
            "[-+0-9]{0,7}-[0-9]{1,3}-[0-9]{1,3}",
            "[0-9a-zT:+ -]{0,12}",
        ]
    }

    /// An engine on an empty database in a temporary directory.
    async fn engine(dir: &std::path::Path) -> Engine {
        let mut config = EngineConfig::from_env().unwrap();
        config.data_dir = DataDir::new(dir);
        config.secrets = SecretStore::File {
            path: config.data_dir.secrets_file(),
        };
        Engine::open(config).await.unwrap()
    }

    /// A range error is fine; any other error is not what these arguments should cause.
    fn checked<T>(result: Result<T, EngineError>) -> Result<(), TestCaseError> {
        match result {
            Ok(_) | Err(EngineError::InvalidRange(_)) => Ok(()),
            Err(e) => Err(TestCaseError::fail(format!("unexpected error: {e}"))),
        }
    }

    /// Every argument of every command says what it is for in `--help`.
    #[test]
    fn every_argument_has_help_text() {
        fn check(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let id = arg.get_id().as_str();
                if id != "help" && id != "version" && arg.get_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in command.get_subcommands() {
                check(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        check(
            &<Cli as clap::CommandFactory>::command(),
            "calbuddy",
            &mut missing,
        );
        assert_eq!(missing, Vec::<String>::new());
    }

    #[test]
    fn days_are_dates_today_or_tomorrow() {
        let today = chrono::Local::now().date_naive();
        assert_eq!(local_day("today"), Ok(today));
        assert_eq!(local_day(" Tomorrow"), Ok(today.succ_opt().unwrap()));
        assert_eq!(
            local_day("2026-12-01"),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        );
        assert!(local_day("yesterday").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn day_and_number_arguments_never_panic(
            days in number(),
            limit in number(),
            from in date(),
            to in date(),
            now_secs in 0i64..4_102_444_800,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let engine = runtime.block_on(engine(dir.path()));
            // Any "now" from 1970 to 2100.
            let now = DateTime::<Utc>::from_timestamp(now_secs, 0).unwrap();
            let upcoming = ["calbuddy", "upcoming", "--days", &days, "--limit", &limit];
            if let Ok(Cli { command: Command::Upcoming { days, limit, include_declined, .. } }) =
                Cli::try_parse_from(upcoming)
            {
                checked(runtime.block_on(engine.upcoming(now, days, limit, include_declined)))?;
            }
            let events = ["calbuddy", "events", "--from", &from, "--to", &to];
            if let Ok(Cli { command: Command::Events { from, to, .. } }) =
                Cli::try_parse_from(events)
            {
                checked(runtime.block_on(engine.events_on_days(from, to)))?;
            }
        }
    }
}
