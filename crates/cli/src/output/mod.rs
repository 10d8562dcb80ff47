//! What the CLI prints: JSON for scripts (`--json`, a stable contract, exact) or text for
//! people, with local times and outside text made safe for a terminal
//! ([`calbuddy_engine::text::one_line`]). A failed write to stdout is an error the caller
//! reports; writing to a closed pipe (`calbuddy upcoming | head -1`) is one too, which `main`
//! turns into a quiet success.

mod listing;
mod next;
mod progress;

use std::io::Write;

use calbuddy_engine::settings::Settings;
use calbuddy_engine::store::{Account, Calendar, EventView};
use calbuddy_engine::sync::SyncReport;
use calbuddy_engine::text::one_line;
use calbuddy_engine::time_format::HourCycle;
use calbuddy_engine::{Disconnected, Engine, EngineError, Status};
use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;

pub use progress::{sign_in_prompt, to_stderr, SyncProgressBar};

/// Writes a block to stdout.
fn emit(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

fn json<T: Serialize + ?Sized>(value: &T) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    emit(&format!("{text}\n"))
}

/// One error line on stderr: `calbuddy: error: ...`, outside text made safe.
pub fn error_line(message: &str) {
    to_stderr(&format!("calbuddy: error: {}\n", one_line(message)));
}

pub struct Out {
    pub json: bool,
    /// How listings write clock times.
    pub hours: HourCycle,
}

const HOW_TO_CONNECT: &str = "No calendars connected yet.\n\
  Try the sample calendar:    calbuddy connect demo\n\
  Connect Google Calendar:    calbuddy connect google   (needs your own OAuth client; see the README)\n\
  Connect Outlook / 365:      calbuddy connect outlook  (needs your own app registration; see the README)\n\
  Connect iCloud:             calbuddy connect icloud --username APPLE_ID\n\
  Connect a CalDAV server:    calbuddy connect caldav --url URL --username USER\n\
  Subscribe to a .ics link:   calbuddy connect ics --url URL\n";

type Written = std::io::Result<()>;

/// `calbuddy next` in the chosen format; `events` are the coming day's, declined ones left out.
pub fn next(events: &[EventView], now: DateTime<Utc>, format: crate::args::NextFormat) -> Written {
    let next = next::NextUp::new(events, now);
    let text = match format {
        crate::args::NextFormat::Text => next.line(),
        crate::args::NextFormat::Json => next.json(),
        crate::args::NextFormat::Waybar => next.waybar(&Local),
    };
    emit(&format!("{text}\n"))
}

impl Out {
    /// `hours`: the tray's rule (`general.time_format`, else the locale).
    pub fn new(json: bool, hours: HourCycle) -> Self {
        Out { json, hours }
    }

    pub fn no_accounts(&self) -> Written {
        if self.json {
            json(&[] as &[EventView])
        } else {
            emit(HOW_TO_CONNECT)
        }
    }

    pub fn connected(&self, account: &Account, report: Option<&SyncReport>) -> Written {
        let mut text = format!(
            "Connected {} (account {}).\n",
            one_line(&account.name),
            account.id
        );
        if let Some(detail) = &account.detail {
            text.push_str(&format!("Address: {}\n", one_line(detail)));
        }
        if let Some(report) = report {
            let events: usize = report.calendars.iter().map(|c| c.upserted).sum();
            text.push_str(&format!(
                "Synced {} calendars, {events} events.\n",
                report.calendars.len()
            ));
            if let Some(error) = &report.error {
                text.push_str(&format!("Some calendars failed: {}\n", one_line(error)));
            }
        }
        text.push_str("See what is coming up: calbuddy upcoming\n");
        emit(&text)
    }

    pub fn accounts(&self, accounts: &[Account]) -> Written {
        if self.json {
            return json(accounts);
        }
        if accounts.is_empty() {
            return emit(HOW_TO_CONNECT);
        }
        let mut text = String::new();
        for a in accounts {
            let state = if a.needs_reauth {
                format!("needs sign-in: run `{}`", reconnect_command(&a.provider))
            } else if let Some(e) = &a.last_error {
                format!("last sync failed: {}", one_line(e))
            } else {
                match a.last_synced_at {
                    Some(t) => format!("synced {}", local_time(t)),
                    None => "never synced".to_owned(),
                }
            };
            text.push_str(&format!(
                "{:>3}  {:<8} {:<32} {state}\n",
                a.id,
                a.provider,
                one_line(&a.name)
            ));
            if let Some(detail) = &a.detail {
                text.push_str(&format!("     {}\n", one_line(detail)));
            }
        }
        emit(&text)
    }

    pub fn calendars(&self, calendars: &[Calendar]) -> Written {
        if self.json {
            return json(calendars);
        }
        let mut text = String::new();
        for c in calendars {
            let mark = if c.enabled { "on " } else { "off" };
            let muted = if c.reminders { "" } else { "  (no reminders)" };
            let note = c
                .last_error
                .as_deref()
                .map(|e| format!("  (error: {})", one_line(e)))
                .unwrap_or_default();
            text.push_str(&format!(
                "{:>3}  [{mark}]  {}{}  (account {}){muted}{note}\n",
                c.id,
                one_line(&c.name),
                if c.primary { " *" } else { "" },
                c.account_id
            ));
        }
        if calendars.is_empty() {
            text.push_str(HOW_TO_CONNECT);
        }
        emit(&text)
    }

    /// Prints how one account's sync went (failures on stderr); `Ok(false)` if it failed.
    pub async fn sync_result(
        &self,
        engine: &Engine,
        result: &Result<SyncReport, EngineError>,
    ) -> std::io::Result<bool> {
        match result {
            Ok(report) => {
                let account = engine.account(report.account_id).await.ok();
                let name = account
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| report.account_id.to_string());
                let reconnect = reconnect_command(account.as_ref().map_or("", |a| &a.provider));
                let changed: usize = report
                    .calendars
                    .iter()
                    .map(|c| c.upserted + c.deleted)
                    .sum();
                match &report.error {
                    None => emit(&format!(
                        "{}: synced {} calendars, {changed} changes.\n",
                        one_line(&name),
                        report.calendars.len()
                    ))?,
                    Some(error) => {
                        let hint = if report.needs_reauth {
                            format!(" Run `{reconnect}` to sign in again.")
                        } else {
                            " Data from the last successful sync is kept.".to_owned()
                        };
                        error_line(&format!("{name}: {error}.{hint}"));
                    }
                }
                Ok(report.ok())
            }
            Err(e) => {
                error_line(&e.to_string());
                Ok(false)
            }
        }
    }

    /// Events under local day headings, from `first_day` (events that began earlier are
    /// listed under it).
    pub fn events(
        &self,
        events: &[EventView],
        now: DateTime<Utc>,
        first_day: NaiveDate,
    ) -> Written {
        if self.json {
            return json(events);
        }
        let listing = listing::Listing {
            now,
            first_day,
            zone: &Local,
            hours: self.hours,
        };
        emit(&listing.text(events))
    }

    /// Search results: like [`Out::events`], saying so in words when nothing matched.
    pub fn found(
        &self,
        events: &[EventView],
        now: DateTime<Utc>,
        span: (NaiveDate, NaiveDate),
    ) -> Written {
        if events.is_empty() && !self.json {
            return emit(&format!(
                "No events match, from {} to {}.\n",
                span.0, span.1
            ));
        }
        self.events(events, now, span.0)
    }

    pub fn disconnected(&self, d: &Disconnected) -> Written {
        let mut text = format!(
            "Disconnected {} and deleted its events.\n",
            one_line(&d.account.name)
        );
        if let Some(e) = &d.revoke_error {
            text.push_str(&format!(
                "Could not revoke access at the provider ({}); remove it by hand in your account's security settings.\n",
                one_line(e)
            ));
        }
        emit(&text)
    }

    pub fn status(&self, s: &Status, now: DateTime<Utc>) -> Written {
        if self.json {
            return json(s);
        }
        let mut text = format!(
            "Data:       {}\nSecrets:    {}\nAccounts:   {}\nCalendars:  {} ({} on)\nEvents:     {}\nSync:       every {} min",
            one_line(&s.data_dir),
            if s.secret_store == "os" { "OS keychain" } else { "private file in the data directory" },
            s.accounts.len(),
            s.calendars,
            s.enabled_calendars,
            s.events,
            s.sync_interval_minutes,
        );
        match s.last_synced_at {
            Some(t) => text.push_str(&format!(", last {}\n", ago(t, now))),
            None => text.push('\n'),
        }
        for a in &s.accounts {
            let name = one_line(&a.name);
            if a.needs_reauth {
                text.push_str(&format!("  {name} needs you to sign in again\n"));
            } else if let Some(e) = &a.last_error {
                text.push_str(&format!("  {name}: last sync failed: {}\n", one_line(e)));
            }
        }
        emit(&text)
    }

    pub fn settings(&self, s: &Settings) -> Written {
        // The client secret is shown only as set / not set.
        let mut shown = s.clone();
        shown.google.client_secret = s.google.client_secret.as_ref().map(|_| "(set)".to_owned());
        if self.json {
            return json(&shown);
        }
        emit(&toml_text(&shown))
    }
}

/// The command that signs an account of `provider` in again.
fn reconnect_command(provider: &str) -> &'static str {
    match provider {
        "microsoft" => "calbuddy connect outlook",
        // The same user on the same server again replaces the password.
        "caldav" => "calbuddy connect caldav --url URL --username USER",
        _ => "calbuddy connect google",
    }
}

fn toml_text(s: &Settings) -> String {
    let value = serde_json::to_value(s).unwrap_or_default();
    let mut text = String::new();
    if let Some(sections) = value.as_object() {
        for (section, fields) in sections {
            for (key, v) in fields.as_object().into_iter().flatten() {
                let shown = match v {
                    serde_json::Value::Null => "(not set)".to_owned(),
                    serde_json::Value::String(s) => one_line(s),
                    other => other.to_string(),
                };
                text.push_str(&format!("{section}.{key} = {shown}\n"));
            }
        }
    }
    text
}

fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%a %d %b %H:%M").to_string()
}

fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - t).num_minutes();
    match minutes {
        i64::MIN..=0 => "just now".into(),
        1..=59 => format!("{minutes} min ago"),
        60..=1439 => format!("{} h ago", minutes / 60),
        _ => local_time(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_told_the_command_that_signs_it_in_again() {
        assert_eq!(reconnect_command("microsoft"), "calbuddy connect outlook");
        assert_eq!(reconnect_command("google"), "calbuddy connect google");
        assert!(reconnect_command("caldav").starts_with("calbuddy connect caldav"));
    }
}
