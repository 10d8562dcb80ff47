//! `calbuddy`: the headless command line over the Calendar Buddy engine, for scripts, status
//! bars and tests. Its commands, flags and JSON fields are a stable contract.

mod args;
mod connect;
mod output;
mod password;

use std::process::ExitCode;

use calbuddy_engine::time_format::TimeFormat;
use calbuddy_engine::{Engine, EngineConfig, EngineError};
use chrono::{Local, Utc};
use clap::Parser;

use args::{CalendarsAction, Cli, Command, OnOff, SettingsAction};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    calbuddy_engine::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        // The reader went away (`calbuddy upcoming | head -1`): nothing more to say.
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

/// Prints clap's help or version, or a usage error as one `calbuddy: error: …` line like every
/// other error (exit code 2). Help that cannot be written to stdout is a failure like any other
/// output (a closed pipe aside); a failing stderr is ignored.
fn usage(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let shows_help = matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !shows_help {
        output::error_line(&usage_line(&e.render().to_string()));
        return ExitCode::from(2);
    }
    match e.print() {
        Err(io) if !e.use_stderr() && io.kind() != std::io::ErrorKind::BrokenPipe => {
            fail(&format!("cannot write the output: {io}"))
        }
        _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
    }
}

/// clap's usage error on one line: its message and hints, without the usage block and the
/// "For more information" line (`--help` says the same at more length).
fn usage_line(rendered: &str) -> String {
    rendered
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What ends a command with an error.
#[derive(Debug)]
pub(crate) enum CliError {
    Engine(EngineError),
    /// Arguments that parse but do not fit together.
    Usage(String),
    /// Stdout could not be written.
    Output(std::io::Error),
    Password(password::PasswordError),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Engine(e) => e.fmt(f),
            CliError::Usage(message) => f.write_str(message),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
            CliError::Password(e) => e.fmt(f),
        }
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        CliError::Engine(e)
    }
}

impl From<password::PasswordError> for CliError {
    fn from(e: password::PasswordError) -> Self {
        CliError::Password(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Output(e)
    }
}

/// One clear line on stderr, never a backtrace; a stderr that cannot be written is ignored
/// (the exit code still says it failed).
fn fail(message: &str) -> ExitCode {
    output::error_line(message);
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let engine = Engine::open(EngineConfig::from_env()?).await?;
    let now = Utc::now();
    // Unreadable settings do not stop a listing (the command that needs them says so); the
    // locale still decides the clock.
    let hours = engine
        .settings()
        .map_or(TimeFormat::System, |s| s.general.time_format)
        .hour_cycle();
    let out = output::Out::new(cli.json(), hours);
    match cli.command {
        Command::Connect { target } => return connect::run(&engine, target, &out, now).await,
        Command::Accounts { .. } => out.accounts(&engine.accounts().await?)?,
        Command::Calendars { action: None, .. } => out.calendars(&engine.calendars().await?)?,
        Command::Calendars {
            action: Some(CalendarsAction::Enable { id }),
            ..
        } => engine.set_calendar_enabled(id, true).await?,
        Command::Calendars {
            action: Some(CalendarsAction::Disable { id }),
            ..
        } => engine.set_calendar_enabled(id, false).await?,
        Command::Calendars {
            action: Some(CalendarsAction::Reminders { id, state }),
            ..
        } => {
            engine
                .set_calendar_reminders(id, state == OnOff::On)
                .await?
        }
        Command::Sync { account_id } => {
            let progress = output::SyncProgressBar::start(&engine);
            let results = engine.sync(account_id, now).await?;
            progress.finish();
            let mut ok = true;
            for result in &results {
                ok &= out.sync_result(&engine, result).await?;
            }
            if results.is_empty() {
                out.no_accounts()?;
            }
            if !ok {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Upcoming {
            days,
            limit,
            include_declined,
            ..
        } => {
            if engine.accounts().await?.is_empty() && !out.json {
                out.no_accounts()?;
            } else {
                let events = engine.upcoming(now, days, limit, include_declined).await?;
                out.events(&events, now, now.with_timezone(&Local).date_naive())?;
            }
        }
        Command::Next { format } => {
            // A day ahead is what a status bar shows; 200 bounds a day crowded with all-day
            // items, which are left out after the query.
            let events = engine.upcoming(now, 1, 200, false).await?;
            output::next(&events, now, format)?;
        }
        Command::Events { from, to, .. } => {
            if to < from {
                return Err(CliError::Usage(format!(
                    "--to {to} is before --from {from}"
                )));
            }
            out.events(&engine.events_on_days(from, to).await?, now, from)?;
        }
        Command::Search {
            query, from, to, ..
        } => {
            let from = from.unwrap_or_else(|| now.with_timezone(&Local).date_naive());
            // A year ahead: far enough for "when is the offsite", small enough to list.
            let to = match to {
                Some(to) => to,
                None => from
                    .checked_add_days(chrono::Days::new(365))
                    .ok_or_else(|| CliError::Usage(format!("--from {from} is too far ahead")))?,
            };
            if to < from {
                return Err(CliError::Usage(format!(
                    "--to {to} is before --from {from}"
                )));
            }
            let events = engine.search(&query.join(" "), from, to).await?;
            out.found(&events, now, (from, to))?;
        }
        Command::Disconnect { account_id } => {
            out.disconnected(&engine.disconnect(account_id).await?)?
        }
        Command::Status { .. } => out.status(&engine.status().await?, now)?,
        Command::Settings { action: None, .. } => out.settings(&engine.settings()?)?,
        Command::Settings {
            action: Some(SettingsAction::Set { key, value }),
            ..
        } => {
            engine.set_setting(&key, &value)?;
        }
    }
    engine.store().close().await;
    Ok(ExitCode::SUCCESS)
}
