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

/// Creates `dir` (and its parents) readable only by the user: it holds the tokens (file secret
/// store), the client secret (config.toml) and the calendar. An existing directory is left as
/// it is, since the user may have chosen one to share on purpose.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    // Unix only: elsewhere the user's profile directory is already private.
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes an existing file readable and writable only by its owner (a file left 0644 by an
/// older version or a umask of 022). A missing file is fine.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    // Unix only: Windows has no mode bits; its ACLs follow the user's profile directory.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_file() && meta.permissions().mode() & 0o077 != 0 => {
                let mode = meta.permissions().mode() & 0o700;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Options that create a file readable only by the user (0600 whatever the umask).
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Replaces `path` with `bytes` atomically, as a file only the user can read: a temporary file
/// beside it is created exclusively (0600, never through a symlink someone left there),
/// written, flushed to disk and renamed over `path`, and the directory is flushed so the
/// rename survives a crash.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    // A leftover temporary file (a crash, or a symlink planted there) is removed, not reused:
    // `remove_file` removes a link itself, and `create_new` (O_EXCL) follows none.
    match std::fs::symlink_metadata(&tmp) {
        Ok(_) => std::fs::remove_file(&tmp)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let written = (|| {
        let mut file = private_file_options()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    // Unix only: a directory can be opened and flushed there, not on Windows.
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_dirs_and_files_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b");
        // Mode bits given to mkdir/open are masked by the umask; 0700/0600 lose nothing to 022.
        create_private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        let file = data.join("f");
        private_file_options()
            .write(true)
            .create_new(true)
            .open(&file)
            .unwrap();
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_private(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        make_private(&data.join("missing")).unwrap();
    }

    #[test]
    fn atomic_writes_never_follow_or_reuse_a_planted_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "untouched").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join("config.toml.tmp")).unwrap();
        write_private_atomically(&path, b"one").unwrap();
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "untouched");
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        assert_eq!(mode(&path), 0o600);

        let loose = dir.path().join("config.toml.tmp");
        std::fs::write(&loose, "stale").unwrap();
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_private_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(mode(&path), 0o600);
        assert!(!loose.exists());
    }
}
