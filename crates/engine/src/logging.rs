//! Logging for the programs built on the engine (the CLI, the desktop app): to stderr, filtered
//! by `CALBUDDY_LOG` (e.g. `debug`, `calbuddy_engine=debug`), warnings only by default. Nothing
//! the engine logs contains a secret.
//!
//! Log lines are plain text unless stderr is a terminal (and `NO_COLOR` is unset), and every
//! field goes through [`crate::text::one_line`]: fields carry server text (calendar names,
//! error messages) that must not act on a terminal or start a line of its own.

use std::io::IsTerminal;

use tracing::Subscriber;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the subscriber; call once at start.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CALBUDDY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Another subscriber already installed (a test harness) is fine.
    let _ = tracing::subscriber::set_global_default(subscriber(filter, std::io::stderr, colour));
}

/// The subscriber [`init`] installs, writing to `writer`, coloured only when `colour`.
fn subscriber<W>(
    filter: tracing_subscriber::EnvFilter,
    writer: W,
    colour: bool,
) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let fields = tracing_subscriber::fmt::format::debug_fn(|out, field, value| {
        let text = crate::text::one_line(&format!("{value:?}"));
        match field.name() {
            "message" => write!(out, "{text}"),
            name => write!(out, "{name}={text}"),
        }
    })
    .delimited(" ");
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false)
        .with_ansi(colour)
        .fmt_fields(fields)
        // A log line that cannot be written (stderr on a full disk) is dropped: reporting it
        // would write to stderr again, and `eprintln!` panics when that fails.
        .log_internal_errors(false)
        .finish()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer the test reads back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(colour: bool, log: impl FnOnce()) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = subscriber(
            tracing_subscriber::EnvFilter::new("info"),
            move || writer.clone(),
            colour,
        );
        tracing::subscriber::with_default(subscriber, log);
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn server_text_in_fields_cannot_act_on_a_terminal_or_add_lines() {
        let name = "Team\u{1b}]0;pwned\u{7}\nfake line\u{202e}";
        let error = std::io::Error::other("bad\r\u{1b}[2Kgateway\u{9b}31m");
        let text = logged(false, || {
            tracing::info!(calendar = %name, "sync token expired");
            tracing::warn!(%error, debug = ?name, "listing \u{1b}[1mfailed\u{7}");
        });
        for c in text.chars() {
            assert!(
                c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "{c:?} in {text:?}"
            );
        }
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].contains("sync token expired"), "{text}");
        assert!(lines[0].contains("calendar=Team fake line"), "{text}");
        assert!(lines[1].contains("listing failed"), "{text}");
        assert!(lines[1].contains("error=bad gateway"), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = logged(false, || tracing::warn!("careful"));
        assert!(
            plain.contains("WARN") && !plain.contains('\u{1b}'),
            "{plain:?}"
        );
        let coloured = logged(true, || tracing::warn!("careful"));
        assert!(coloured.contains('\u{1b}'), "{coloured:?}");
    }
}
