//! What the CLI says on stderr while it works: the sync spinner and the sign-in prompt. A
//! stderr that cannot be written is ignored; it must never stop or crash the command.

use std::io::{IsTerminal, Write};

use calbuddy_engine::text::one_line;
use calbuddy_engine::{Engine, EngineEvent};

/// Writes lines to stderr, ignoring failure (stderr on a full disk, or closed).
pub fn to_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
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
                    shown.set_message(progress_message(&p.calendar, p.fetched));
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

/// The spinner's message; the calendar name comes from the server.
fn progress_message(calendar: &str, fetched: usize) -> String {
    format!("syncing {}: {fetched} events", one_line(calendar))
}

/// Tells the user where to sign in.
pub fn sign_in_prompt(url: &str, opened: bool) {
    let url = one_line(url);
    let first = if opened {
        format!("Opened your browser to sign in to Google. If it did not open, visit:\n  {url}")
    } else {
        format!("Open this address in your browser to sign in to Google:\n  {url}")
    };
    to_stderr(&format!("{first}\nWaiting for you to finish signing in…\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spinner_shows_a_hostile_calendar_name_inert_on_one_line() {
        let message = progress_message("Team\u{1b}]0;pwned\u{7}\r\n\u{202e}x", 12);
        assert_eq!(message, "syncing Team x: 12 events");
    }
}
