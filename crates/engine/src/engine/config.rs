//! Where the engine keeps things and how it reaches each provider: from the environment for
//! the CLI and the desktop app, or fixed for tools and tests.

use crate::error::EngineError;
use crate::http::RetryPolicy;
use crate::paths::DataDir;
use crate::provider::google::GoogleEndpoints;
use crate::provider::microsoft::MicrosoftEndpoints;
use crate::secrets::SecretStore;

use super::Result;

/// Where the engine keeps things and how it reaches each provider; from the environment by
/// default.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: DataDir,
    pub secrets: SecretStore,
    pub google: GoogleEndpoints,
    /// Microsoft identity platform and Graph (`CALBUDDY_MICROSOFT_*_URL`, for tests).
    pub microsoft: MicrosoftEndpoints,
    pub retry: RetryPolicy,
    pub sign_in_timeout: std::time::Duration,
    /// Where `connect_icloud` starts discovery (`CALBUDDY_ICLOUD_URL`, for tests).
    pub icloud_url: String,
}

/// iCloud's CalDAV service; discovery finds the user's partition host from here.
pub const ICLOUD_URL: &str = "https://caldav.icloud.com/";

impl EngineConfig {
    /// Reads `CALBUDDY_DATA_DIR`, `CALBUDDY_SECRET_STORE`, the `CALBUDDY_GOOGLE_*_URL` and
    /// `CALBUDDY_MICROSOFT_*_URL` endpoints (the real ones by default) and
    /// `CALBUDDY_ICLOUD_URL`.
    pub fn from_env() -> Result<EngineConfig> {
        let data_dir = DataDir::from_env().ok_or(EngineError::NoDataDir)?;
        let secrets = SecretStore::from_env(data_dir.secrets_file())?;
        let sign_in_secs = std::env::var("CALBUDDY_SIGN_IN_TIMEOUT_SECS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(300);
        Ok(EngineConfig {
            data_dir,
            secrets,
            google: GoogleEndpoints::from_env(),
            microsoft: MicrosoftEndpoints::from_env(),
            retry: RetryPolicy::from_env(),
            sign_in_timeout: std::time::Duration::from_secs(sign_in_secs),
            icloud_url: icloud_url(std::env::var("CALBUDDY_ICLOUD_URL").ok()),
        })
    }

    /// A config for the data directory `dir` that reads nothing from the environment: secrets
    /// in its 0600 file, Google's and iCloud's real endpoints, the default retry policy and a
    /// short sign-in wait. For tools and tests that must not depend on the caller's environment.
    pub fn in_dir(dir: &std::path::Path) -> EngineConfig {
        let data_dir = DataDir::new(dir);
        EngineConfig {
            secrets: SecretStore::File {
                path: data_dir.secrets_file(),
            },
            data_dir,
            google: GoogleEndpoints::default(),
            microsoft: MicrosoftEndpoints::default(),
            retry: RetryPolicy::default(),
            sign_in_timeout: std::time::Duration::from_secs(1),
            icloud_url: ICLOUD_URL.to_owned(),
        }
    }
}

/// iCloud's address, unless `CALBUDDY_ICLOUD_URL` (`set`) names another.
fn icloud_url(set: Option<String>) -> String {
    set.map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| ICLOUD_URL.to_owned())
}

/// The Google client given by `CALBUDDY_GOOGLE_CLIENT_ID` / `CALBUDDY_GOOGLE_CLIENT_SECRET`,
/// which take precedence over the settings file.
pub fn google_client_from_env() -> (Option<String>, Option<String>) {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    (
        env("CALBUDDY_GOOGLE_CLIENT_ID"),
        env("CALBUDDY_GOOGLE_CLIENT_SECRET"),
    )
}

/// The Microsoft client given by `CALBUDDY_MICROSOFT_CLIENT_ID`, which takes precedence over
/// the settings file.
pub fn microsoft_client_from_env() -> Option<String> {
    std::env::var("CALBUDDY_MICROSOFT_CLIENT_ID")
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icloud_address_is_apple_s_unless_the_environment_names_another() {
        assert_eq!(icloud_url(None), "https://caldav.icloud.com/");
        assert_eq!(icloud_url(Some("  ".into())), "https://caldav.icloud.com/");
        assert_eq!(
            icloud_url(Some(" http://127.0.0.1:5232/ ".into())),
            "http://127.0.0.1:5232/"
        );
    }
}
