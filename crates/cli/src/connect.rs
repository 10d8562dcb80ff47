//! `calbuddy connect …`: each kind of account, with the sync spinner on stderr while the
//! account is connected and synced the first time (a password is asked for before it starts).

use std::future::Future;
use std::process::ExitCode;

use calbuddy_engine::text::one_line;
use calbuddy_engine::{CalDavSignIn, Engine, EngineError};
use chrono::{DateTime, Utc};

use crate::args::ConnectTarget;
use crate::output::{self, Out};
use crate::{password, CliError};

pub async fn run(
    engine: &Engine,
    target: ConnectTarget,
    out: &Out,
    now: DateTime<Utc>,
) -> Result<ExitCode, CliError> {
    let connected = match target {
        ConnectTarget::Demo => {
            let account = engine.connect_demo(now).await?;
            out.connected(&account, None)?;
            return Ok(ExitCode::SUCCESS);
        }
        ConnectTarget::Google => with_spinner(engine, engine.connect_google(sign_in, now)).await,
        ConnectTarget::Outlook => {
            with_spinner(engine, engine.connect_microsoft(sign_in, now)).await
        }
        ConnectTarget::Ics { url, name } => {
            with_spinner(engine, engine.connect_ics(&url, name.as_deref(), now)).await
        }
        ConnectTarget::Caldav { url, username } => {
            let password = password::read(&format!("Password for {}: ", one_line(&username)))?;
            let sign_in = CalDavSignIn {
                url,
                username,
                password,
            };
            with_spinner(engine, engine.connect_caldav(sign_in, now)).await
        }
        ConnectTarget::Icloud { username } => {
            let prompt = format!("App-specific password for {}: ", one_line(&username));
            let password = password::read(&prompt)?;
            with_spinner(engine, engine.connect_icloud(&username, password, now)).await
        }
    };
    let (account, report) = connected?;
    out.connected(&account, Some(&report))?;
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Opens the sign-in address in the browser and says so (or shows it when none opened).
fn sign_in(url: &str) {
    let opened = calbuddy_engine::browser::open(url);
    output::sign_in_prompt(url, opened);
}

/// Runs `work` with the sync spinner showing, stopped whatever the outcome.
async fn with_spinner<T>(
    engine: &Engine,
    work: impl Future<Output = Result<T, EngineError>>,
) -> Result<T, EngineError> {
    let spinner = output::SyncProgressBar::start(engine);
    let outcome = work.await;
    spinner.finish();
    outcome
}
