//! The dashboard and settings windows, created when asked for and destroyed when closed: an
//! app with no window open runs no webview at all.

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
