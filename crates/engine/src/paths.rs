//! Where Calendar Buddy keeps its files: one data directory shared by the CLI and the desktop
//! app, `CALBUDDY_DATA_DIR` or the OS data directory (e.g. `~/.local/share/calendar-buddy`).

use std::path::{Path, PathBuf};

/// The data directory and the files inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

/// Name of the folder inside the OS data directory.
const APP_DIR: &str = "calendar-buddy";

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// `CALBUDDY_DATA_DIR` if set, else the OS data directory. `None` when neither is known.
    pub fn from_env() -> Option<Self> {
        match std::env::var_os("CALBUDDY_DATA_DIR") {
            Some(dir) if !dir.is_empty() => Some(DataDir::new(dir)),
            _ => dirs::data_dir().map(|d| DataDir::new(d.join(APP_DIR))),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn database(&self) -> PathBuf {
        self.root.join("calbuddy.db")
    }

    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    /// The opt-in file secret store (`CALBUDDY_SECRET_STORE=file`).
    pub fn secrets_file(&self) -> PathBuf {
        self.root.join("secrets.json")
    }

    /// Lock files that keep two processes from syncing one account at once.
    pub fn locks(&self) -> PathBuf {
        self.root.join("locks")
    }
}
