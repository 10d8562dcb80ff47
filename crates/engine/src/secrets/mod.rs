//! Where tokens and passwords live: the OS keychain (default), or — only when the user opts in
//! with `CALBUDDY_SECRET_STORE=file` — a 0600 file in the data directory. Never the database,
//! never a log line: values travel wrapped in [`Sensitive`].

mod file;
mod keychain;

use std::fmt;
use std::path::PathBuf;

/// A value that must not be logged, printed or serialised by accident: its `Debug` and
/// `Display` say `<redacted>` and it has no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why a secret could not be read or written. Messages never contain the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "no OS keychain is available ({0}). Start a Secret Service such as gnome-keyring or \
         KeePassXC (on Linux it needs a D-Bus session), or set CALBUDDY_SECRET_STORE=file to keep \
         tokens in a private file in the data directory instead"
    )]
    NoKeychain(String),
    #[error("the OS keychain refused access ({0}); unlock it and try again")]
    Locked(String),
    #[error("the OS keychain failed: {0}")]
    Keychain(String),
    #[error("cannot use the secrets file {path}: {message}")]
    File { path: String, message: String },
    #[error("CALBUDDY_SECRET_STORE must be \"os\" or \"file\", not {0:?}")]
    BadChoice(String),
}

/// The configured place for secrets.
#[derive(Debug, Clone)]
pub enum SecretStore {
    /// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
    Os { service: String },
    /// A JSON file readable only by the user.
    File { path: PathBuf },
}

/// Service name under which entries appear in the OS keychain.
pub const KEYCHAIN_SERVICE: &str = "calendar-buddy";

impl SecretStore {
    /// Reads `CALBUDDY_SECRET_STORE` (`os`, the default, or `file`).
    pub fn from_env(secrets_file: PathBuf) -> Result<SecretStore, SecretError> {
        let choice = std::env::var("CALBUDDY_SECRET_STORE").unwrap_or_default();
        match choice.trim() {
            "" | "os" => Ok(SecretStore::Os {
                service: KEYCHAIN_SERVICE.to_owned(),
            }),
            "file" => Ok(SecretStore::File { path: secrets_file }),
            other => Err(SecretError::BadChoice(other.to_owned())),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Sensitive<String>>, SecretError> {
        match self {
            SecretStore::Os { service } => keychain::get(service, key).await,
            SecretStore::File { path } => file::get(path, key).await,
        }
    }

    pub async fn set(&self, key: &str, value: &Sensitive<String>) -> Result<(), SecretError> {
        match self {
            SecretStore::Os { service } => keychain::set(service, key, value).await,
            SecretStore::File { path } => file::set(path, key, value).await,
        }
    }

    /// Removes the secret; removing one that does not exist is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self {
            SecretStore::Os { service } => keychain::delete(service, key).await,
            SecretStore::File { path } => file::delete(path, key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_are_redacted() {
        let s = Sensitive::new("ya29.secret".to_owned());
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(s.expose(), "ya29.secret");
    }
}
