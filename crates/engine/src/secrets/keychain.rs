//! The OS keychain through the keyring crate. Its calls block (D-Bus round trips on Linux), so
//! they run on tokio's blocking pool.

use super::{SecretError, Sensitive};

fn classify(err: keyring::Error) -> SecretError {
    match err {
        keyring::Error::PlatformFailure(e) => {
            let text = e.to_string();
            // What the Secret Service client reports when nothing provides the service, or
            // when there is no D-Bus session at all.
            if text.contains("org.freedesktop.secrets")
                || text.contains("no secret service provider")
                || text.contains("dbus")
                || text.contains("D-Bus")
            {
                SecretError::NoKeychain(text)
            } else {
                SecretError::Keychain(text)
            }
        }
        keyring::Error::NoStorageAccess(e) => SecretError::Locked(e.to_string()),
        other => SecretError::Keychain(other.to_string()),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SecretError::Keychain(e.to_string()))?
}

fn entry(service: &str, key: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(service, key).map_err(classify)
}

pub(super) async fn get(
    service: &str,
    key: &str,
) -> Result<Option<Sensitive<String>>, SecretError> {
    let (service, key) = (service.to_owned(), key.to_owned());
    blocking(move || match entry(&service, &key)?.get_password() {
        Ok(value) => Ok(Some(Sensitive::new(value))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(classify(e)),
    })
    .await
}

pub(super) async fn set(
    service: &str,
    key: &str,
    value: &Sensitive<String>,
) -> Result<(), SecretError> {
    let (service, key, value) = (service.to_owned(), key.to_owned(), value.clone());
    blocking(move || {
        entry(&service, &key)?
            .set_password(value.expose())
            .map_err(classify)
    })
    .await
}

pub(super) async fn delete(service: &str, key: &str) -> Result<(), SecretError> {
    let (service, key) = (service.to_owned(), key.to_owned());
    blocking(move || match entry(&service, &key)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(classify(e)),
    })
    .await
}
