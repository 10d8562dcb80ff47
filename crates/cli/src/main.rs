//! `calbuddy`: the headless command line over the Calendar Buddy engine, for scripts, status
//! bars and tests. Its commands, flags and JSON fields are a stable contract.

mod args;
mod output;

use std::process::ExitCode;

use calbuddy_engine::{Engine, EngineConfig, EngineError};
use chrono::Utc;
use clap::Parser;

use args::{CalendarsAction, Cli, Command, ConnectTarget, SettingsAction};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Err(e) => fail(&e.to_string()),
    }
}

/// One clear line on stderr, never a backtrace.
fn fail(message: &str) -> ExitCode {
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    eprintln!("calbuddy: error: {message}");
    ExitCode::FAILURE
}

async fn run(cli: Cli) -> Result<ExitCode, EngineError> {
    let engine = Engine::open(EngineConfig::from_env()?).await?;
    let now = Utc::now();
    let out = output::Out::new(cli.json());
    match cli.command {
        Command::Connect {
            target: ConnectTarget::Demo,
        } => {
            let account = engine.connect_demo(now).await?;
            out.connected(&account, None);
        }
        Command::Connect {
            target: ConnectTarget::Google,
        } => {
            let progress = output::SyncProgressBar::start(&engine);
            let (account, report) = engine
                .connect_google(
                    |url| {
                        let opened = calbuddy_engine::browser::open(url);
                        output::sign_in_prompt(url, opened);
                    },
                    now,
                )
                .await?;
            progress.finish();
            out.connected(&account, Some(&report));
            if !report.ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Accounts { .. } => out.accounts(&engine.accounts().await?),
        Command::Calendars { action: None, .. } => out.calendars(&engine.calendars().await?),
        Command::Calendars {
            action: Some(CalendarsAction::Enable { id }),
            ..
        } => engine.set_calendar_enabled(id, true).await?,
        Command::Calendars {
            action: Some(CalendarsAction::Disable { id }),
            ..
        } => engine.set_calendar_enabled(id, false).await?,
        Command::Sync { account_id } => {
            let progress = output::SyncProgressBar::start(&engine);
            let results = engine.sync(account_id, now).await?;
            progress.finish();
            let mut ok = true;
            for result in &results {
                ok &= out.sync_result(&engine, result).await;
            }
            if results.is_empty() {
                out.no_accounts();
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
                out.no_accounts();
            } else {
                out.events(
                    &engine.upcoming(now, days, limit, include_declined).await?,
                    now,
                );
            }
        }
        Command::Events { from, to, .. } => {
            if to < from {
                return Err(EngineError::Settings(
                    calbuddy_engine::settings::SettingsError::Invalid {
                        key: "--to".into(),
                        message: "is before --from".into(),
                    },
                ));
            }
            out.events(&engine.events_on_days(from, to).await?, now);
        }
        Command::Disconnect { account_id } => {
            out.disconnected(&engine.disconnect(account_id).await?)
        }
        Command::Status { .. } => out.status(&engine.status().await?, now),
        Command::Settings { action: None, .. } => out.settings(&engine.settings()?),
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
