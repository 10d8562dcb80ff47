//! What the CLI prints: JSON for scripts (`--json`, a stable contract) or text for people,
//! with local times. Writing to a closed pipe (`calbuddy upcoming | head -1`) ends quietly.

use std::io::{IsTerminal, Write};

use calbuddy_engine::settings::Settings;
use calbuddy_engine::store::{Account, Calendar, EventView};
use calbuddy_engine::sync::SyncReport;
use calbuddy_engine::{Disconnected, Engine, EngineError, EngineEvent, Status};
use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;

/// Writes a block to stdout; a closed pipe ends the program successfully.
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

fn json<T: Serialize + ?Sized>(value: &T) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    emit(&format!("{text}\n"));
}

pub struct Out {
    pub json: bool,
}

const HOW_TO_CONNECT: &str = "No calendars connected yet.\n\
  Try the sample calendar:    calbuddy connect demo\n\
  Connect Google Calendar:    calbuddy connect google   (needs your own OAuth client; see the README)\n";

impl Out {
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    pub fn no_accounts(&self) {
        if self.json {
            json(&[] as &[EventView]);
        } else {
            emit(HOW_TO_CONNECT);
        }
    }

    pub fn connected(&self, account: &Account, report: Option<&SyncReport>) {
        let mut text = format!("Connected {} (account {}).\n", account.name, account.id);
        if let Some(report) = report {
            let events: usize = report.calendars.iter().map(|c| c.upserted).sum();
            text.push_str(&format!(
                "Synced {} calendars, {events} events.\n",
                report.calendars.len()
            ));
            if let Some(error) = &report.error {
                text.push_str(&format!("Some calendars failed: {error}\n"));
            }
        }
        text.push_str("See what is coming up: calbuddy upcoming\n");
        emit(&text);
    }

    pub fn accounts(&self, accounts: &[Account]) {
        if self.json {
            return json(accounts);
        }
        if accounts.is_empty() {
            return emit(HOW_TO_CONNECT);
        }
        let mut text = String::new();
        for a in accounts {
            let state = if a.needs_reauth {
                "needs sign-in: run `calbuddy connect google`".to_owned()
            } else if let Some(e) = &a.last_error {
                format!("last sync failed: {e}")
            } else {
                match a.last_synced_at {
                    Some(t) => format!("synced {}", local_time(t)),
                    None => "never synced".to_owned(),
                }
            };
            text.push_str(&format!(
                "{:>3}  {:<8} {:<32} {state}\n",
                a.id, a.provider, a.name
            ));
        }
        emit(&text);
    }

    pub fn calendars(&self, calendars: &[Calendar]) {
        if self.json {
            return json(calendars);
        }
        let mut text = String::new();
        for c in calendars {
            let mark = if c.enabled { "on " } else { "off" };
            let note = c
                .last_error
                .as_deref()
                .map(|e| format!("  (error: {e})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "{:>3}  [{mark}]  {}{}  (account {}){note}\n",
                c.id,
                c.name,
                if c.primary { " *" } else { "" },
                c.account_id
            ));
        }
        if calendars.is_empty() {
            text.push_str(HOW_TO_CONNECT);
        }
        emit(&text);
    }

    /// Prints how one account's sync went; false if it failed.
    pub async fn sync_result(
        &self,
        engine: &Engine,
        result: &Result<SyncReport, EngineError>,
    ) -> bool {
        match result {
            Ok(report) => {
                let name = engine
                    .account(report.account_id)
                    .await
                    .map(|a| a.name)
                    .unwrap_or_else(|_| report.account_id.to_string());
                let changed: usize = report
                    .calendars
                    .iter()
                    .map(|c| c.upserted + c.deleted)
                    .sum();
                match &report.error {
                    None => emit(&format!(
                        "{name}: synced {} calendars, {changed} changes.\n",
                        report.calendars.len()
                    )),
                    Some(error) => {
                        let hint = if report.needs_reauth {
                            " Run `calbuddy connect google` to sign in again."
                        } else {
                            " Data from the last successful sync is kept."
                        };
                        let error = error.split_whitespace().collect::<Vec<_>>().join(" ");
                        eprintln!("calbuddy: error: {name}: {error}.{hint}");
                    }
                }
                report.ok()
            }
            Err(e) => {
                eprintln!("calbuddy: error: {e}");
                false
            }
        }
    }

    pub fn events(&self, events: &[EventView], now: DateTime<Utc>) {
        if self.json {
            return json(events);
        }
        if events.is_empty() {
            return emit("Nothing coming up.\n");
        }
        let today = now.with_timezone(&Local).date_naive();
        let mut text = String::new();
        let mut current_day: Option<NaiveDate> = None;
        for e in events {
            let day = event_day(e).max(today.min(event_day(e)));
            if current_day != Some(day) {
                current_day = Some(day);
                text.push_str(&format!("{}\n", day_heading(day, today)));
            }
            let ongoing = is_ongoing(e, now);
            let when = time_span(e);
            let mark = if ongoing { "now" } else { "   " };
            text.push_str(&format!("  {mark} {when:<13} {}", e.title));
            let mut extras = vec![e.calendar_name.clone()];
            if e.my_response.as_deref() == Some("declined") {
                extras.push("declined".into());
            }
            text.push_str(&format!("  · {}\n", extras.join(" · ")));
            if let Some(location) = e
                .location
                .as_deref()
                .filter(|l| Some(*l) != e.meeting_url.as_deref())
            {
                text.push_str(&format!("                    at {}\n", one_line(location)));
            }
            if let Some(url) = &e.meeting_url {
                text.push_str(&format!("                    join {url}\n"));
            }
        }
        emit(&text);
    }

    pub fn disconnected(&self, d: &Disconnected) {
        let mut text = format!("Disconnected {} and deleted its events.\n", d.account.name);
        if let Some(e) = &d.revoke_error {
            text.push_str(&format!(
                "Could not revoke access at the provider ({e}); remove it by hand in your account's security settings.\n"
            ));
        }
        emit(&text);
    }

    pub fn status(&self, s: &Status, now: DateTime<Utc>) {
        if self.json {
            return json(s);
        }
        let mut text = format!(
            "Data:       {}\nSecrets:    {}\nAccounts:   {}\nCalendars:  {} ({} on)\nEvents:     {}\nSync:       every {} min",
            s.data_dir,
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
            if a.needs_reauth {
                text.push_str(&format!("  {} needs you to sign in again\n", a.name));
            } else if let Some(e) = &a.last_error {
                text.push_str(&format!("  {}: last sync failed: {e}\n", a.name));
            }
        }
        emit(&text);
    }

    pub fn settings(&self, s: &Settings) {
        // The client secret is shown only as set / not set.
        let mut shown = s.clone();
        shown.google.client_secret = s.google.client_secret.as_ref().map(|_| "(set)".to_owned());
        if self.json {
            return json(&shown);
        }
        emit(&toml_text(&shown));
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
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text.push_str(&format!("{section}.{key} = {shown}\n"));
            }
        }
    }
    text
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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

fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The local day an event starts on.
fn event_day(e: &EventView) -> NaiveDate {
    if e.all_day {
        return e.start.parse().unwrap_or_default();
    }
    parse_utc(&e.start)
        .map(|t| t.with_timezone(&Local).date_naive())
        .unwrap_or_default()
}

fn is_ongoing(e: &EventView, now: DateTime<Utc>) -> bool {
    if e.all_day {
        let today = now.with_timezone(&Local).date_naive();
        let (start, end) = (e.start.parse::<NaiveDate>(), e.end.parse::<NaiveDate>());
        return matches!((start, end), (Ok(s), Ok(en)) if s <= today && today < en);
    }
    matches!((parse_utc(&e.start), parse_utc(&e.end)), (Some(s), Some(en)) if s <= now && now < en)
}

fn time_span(e: &EventView) -> String {
    if e.all_day {
        let days = match (e.start.parse::<NaiveDate>(), e.end.parse::<NaiveDate>()) {
            (Ok(s), Ok(en)) => (en - s).num_days(),
            _ => 1,
        };
        return if days > 1 {
            format!("all day ({days}d)")
        } else {
            "all day".into()
        };
    }
    match (parse_utc(&e.start), parse_utc(&e.end)) {
        (Some(s), Some(en)) => {
            let (s, en) = (s.with_timezone(&Local), en.with_timezone(&Local));
            if s.date_naive() == en.date_naive() {
                format!("{}–{}", s.format("%H:%M"), en.format("%H:%M"))
            } else {
                format!(
                    "{}–{} {}",
                    s.format("%H:%M"),
                    en.format("%a"),
                    en.format("%H:%M")
                )
            }
        }
        _ => String::new(),
    }
}

fn day_heading(day: NaiveDate, today: NaiveDate) -> String {
    let label = day.format("%a %d %b").to_string();
    match (day - today).num_days() {
        0 => format!("Today, {label}"),
        1 => format!("Tomorrow, {label}"),
        _ => label,
    }
}

/// Shows sync progress on a terminal's stderr while a command runs.
pub struct SyncProgressBar {
    bar: indicatif::ProgressBar,
    task: tokio::task::JoinHandle<()>,
}

impl SyncProgressBar {
    pub fn start(engine: &Engine) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar.set_message("syncing…");
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        let mut events = engine.subscribe();
        let shown = bar.clone();
        let task = tokio::spawn(async move {
            while let Ok(event) = events.recv().await {
                if let EngineEvent::SyncProgress(p) = event {
                    shown.set_message(format!("syncing {}: {} events", p.calendar, p.fetched));
                }
            }
        });
        SyncProgressBar { bar, task }
    }

    pub fn finish(self) {
        self.task.abort();
        self.bar.finish_and_clear();
    }
}

/// Tells the user where to sign in.
pub fn sign_in_prompt(url: &str, opened: bool) {
    if opened {
        eprintln!("Opened your browser to sign in to Google. If it did not open, visit:\n  {url}");
    } else {
        eprintln!("Open this address in your browser to sign in to Google:\n  {url}");
    }
    eprintln!("Waiting for you to finish signing in…");
}
