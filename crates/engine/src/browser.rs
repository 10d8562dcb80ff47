//! Opening a URL in the user's browser: `$BROWSER` if set (a command, given the URL as its
//! argument), else the platform's opener.

use std::process::{Command, Stdio};

/// Starts the browser on `url`. Returns false if no browser could be started; the caller then
/// shows the URL so the user can open it by hand.
pub fn open(url: &str) -> bool {
    if let Some(browser) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        // $BROWSER may hold several commands separated by ':' (the convention from
        // sensible-browser); try each.
        let browser = browser.to_string_lossy().into_owned();
        return browser
            .split(':')
            .filter(|c| !c.trim().is_empty())
            .any(|command| spawn(command.trim(), url));
    }
    platform_open(url)
}

fn spawn(command: &str, url: &str) -> bool {
    let mut parts = command.split_whitespace();
    let Some(program) = parts.next() else {
        return false;
    };
    let mut args: Vec<String> = parts.map(str::to_owned).collect();
    match args.iter_mut().find(|a| a.contains("%s")) {
        Some(slot) => *slot = slot.replace("%s", url),
        None => args.push(url.to_owned()),
    }
    Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(target_os = "macos")]
fn platform_open(url: &str) -> bool {
    spawn("open", url)
}

#[cfg(target_os = "windows")]
fn platform_open(url: &str) -> bool {
    // `start` treats its first quoted argument as a window title, hence the empty one.
    Command::new("cmd")
        .args(["/C", "start", "", url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn platform_open(url: &str) -> bool {
    spawn("xdg-open", url)
}
