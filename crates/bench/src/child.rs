//! Running this benchmark binary again as a child process (a fresh process per measured sync,
//! so its peak memory is its own): the child prints numbers on one line, read back here; and
//! the account set-up before it (an engine configured like the child, a consenting browser).

use std::path::Path;

use calbuddy_engine::{Engine, EngineConfig};

/// Runs this binary with `args` and `env`; the numbers it printed on stdout (its stderr is
/// passed on). A failed child fails the benchmark with its stderr.
pub async fn run(args: &[&str], env: &[(&str, String)]) -> Vec<u64> {
    let child = tokio::process::Command::new(std::env::current_exe().expect("own path"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .await
        .expect("child");
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "{stderr}");
    eprint!("{stderr}");
    String::from_utf8_lossy(&child.stdout)
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect()
}

/// [`run`] with the data directory `data` and the file secret store.
pub async fn run_in(args: &[&str], data: &Path) -> Vec<u64> {
    let env = [
        ("CALBUDDY_DATA_DIR", data.display().to_string()),
        ("CALBUDDY_SECRET_STORE", "file".to_owned()),
    ];
    run(args, &env).await
}

/// An engine in this process configured by `env` (set as environment variables, as the child
/// processes get them), for setting an account up before the measured runs.
pub async fn engine_in(env: &[(&str, String)]) -> Engine {
    for (k, v) in env {
        std::env::set_var(k, v);
    }
    Engine::open(EngineConfig::from_env().expect("config"))
        .await
        .expect("engine")
}

/// Plays the browser of a sign-in against a fake that consents at once: follows the address.
pub fn consent(url: &str) {
    let url = url.to_owned();
    tokio::spawn(async move {
        let _ = reqwest::get(url).await;
    });
}
