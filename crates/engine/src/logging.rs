//! Logging for the programs built on the engine (the CLI, the desktop app): to stderr, filtered
//! by `CALBUDDY_LOG` (e.g. `debug`, `calbuddy_engine=debug`), warnings only by default. Nothing
//! the engine logs contains a secret.

/// Installs the subscriber; call once at start.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CALBUDDY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
