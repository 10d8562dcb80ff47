//! Running this benchmark binary again as a child process (a fresh process per measured sync,
//! so its peak memory is its own): the child prints numbers on one line, read back here.

use std::path::Path;

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
