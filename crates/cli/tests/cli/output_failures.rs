//! When stdout or stderr cannot be written: a full disk is an error (exit 1), a reader that went
//! away is a quiet success, and a failing stderr never turns into a panic or an abort.

use std::process::{Output, Stdio};

use tokio::process::Command;

use crate::harness::{assert_clean_error, Cli};

/// `/dev/full`: every write fails with ENOSPC.
fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// Runs with the stdio set on `cmd` (tokio's `output()` would replace it with pipes); the
/// streams left unset are captured.
async fn run(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null());
    cmd.spawn().unwrap().wait_with_output().await.unwrap()
}

fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // 101 is a panic, 134 an abort.
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
}

#[tokio::test]
async fn a_full_stdout_is_an_error() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    for args in [
        &["upcoming"][..],
        &["upcoming", "--json"],
        &["accounts"],
        &["status", "--json"],
        &["--help"],
    ] {
        let mut cmd = cli.command(args);
        cmd.stdout(dev_full()).stderr(Stdio::piped());
        let out = run(cmd).await;
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_clean_error(&stderr);
        assert!(stderr.contains("cannot write"), "{stderr}");
    }
}

#[tokio::test]
async fn a_full_stderr_keeps_the_exit_code_without_aborting() {
    let cli = Cli::new().await;
    let mut cmd = cli.command(&["sync", "99"]);
    cmd.stderr(dev_full());
    let out = run(cmd).await;
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));

    // A log line that cannot be written is dropped, and the command goes on.
    let mut cmd = cli.command(&["connect", "demo"]);
    cmd.stderr(dev_full())
        .stdout(Stdio::piped())
        .env("CALBUDDY_LOG", "debug");
    let out = run(cmd).await;
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("Connected"));

    // Both failing: still exit 1, no abort.
    let mut cmd = cli.command(&["upcoming"]);
    cmd.stdout(dev_full()).stderr(dev_full());
    let out = run(cmd).await;
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test]
async fn output_to_a_closed_pipe_ends_quietly() {
    let cli = Cli::new().await;
    cli.ok(&["connect", "demo"]).await;
    for args in [&["upcoming", "--json"][..], &["upcoming"], &["status"]] {
        let mut cmd = cli.command(args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        drop(child.stdout.take()); // the reader goes away at once
        let out = child.wait_with_output().await.unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[tokio::test]
async fn logs_are_plain_text_when_stderr_is_not_a_terminal() {
    let cli = Cli::new().await;
    for no_color in [None, Some("1")] {
        let mut cmd = cli.command(&["connect", "demo"]);
        cmd.env("CALBUDDY_LOG", "debug");
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        let out = cli.run_with(cmd).await;
        assert!(out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("DEBUG"), "debug logs are on: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
}
