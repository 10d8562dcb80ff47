//! The dashboard and settings windows, created when asked for and destroyed when closed: an
//! app with no window open runs no webview at all.

use std::time::Duration;

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Dashboard,
    Settings,
}

impl Window {
    fn label(self) -> &'static str {
        match self {
            Window::Dashboard => "dashboard",
            Window::Settings => "settings",
        }
    }
}

/// Shows the window, creating it if it is not open.
pub fn show(app: &AppHandle, which: Window) {
    if let Some(window) = app.get_webview_window(which.label()) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    let (url, title, size) = match which {
        Window::Dashboard => ("index.html", "Calendar Buddy", (440.0, 660.0)),
        Window::Settings => (
            "index.html#settings",
            "Calendar Buddy — Settings",
            (580.0, 740.0),
        ),
    };
    let built = WebviewWindowBuilder::new(app, which.label(), WebviewUrl::App(url.into()))
        .title(title)
        .inner_size(size.0, size.1)
        .min_inner_size(360.0, 420.0)
        .build();
    if let Err(e) = built {
        tracing::error!("cannot open the {} window: {e}", which.label());
    }
}

/// Called when a window is gone. Once no window is left, WebKitGTK still keeps its network
/// process (~15 MB) for the app's lifetime; it is ended after a short grace period, and WebKit
/// starts a new one with the next window.
pub fn on_destroyed(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        if app.webview_windows().is_empty() {
            // WebKitGTK only: WKWebView (macOS) and WebView2 (Windows) end their helper
            // processes with the last webview themselves.
            #[cfg(target_os = "linux")]
            end_webkit_helpers();
        }
    });
}

/// Ends the WebKit helper processes this process started (only called with no webview left).
#[cfg(target_os = "linux")]
fn end_webkit_helpers() {
    let me = std::process::id();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{me}/task")) else {
        return;
    };
    let children = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok());
    for pid in children.flat_map(|c| {
        c.split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
            .collect::<Vec<_>>()
    }) {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if name.trim_end().starts_with("WebKit") {
            if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
            }
        }
    }
}
