//! The opt-in file secret store: a JSON map in a file that only the user can read (0600),
//! rewritten atomically. Meant for headless machines and tests.

use std::collections::BTreeMap;
use std::path::Path;

use super::{SecretError, Sensitive};

fn error(path: &Path, message: impl ToString) -> SecretError {
    SecretError::File {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

fn read(path: &Path) -> Result<BTreeMap<String, String>, SecretError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(error(path, e)),
    };
    check_private(path, &file)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes).map_err(|e| error(path, e))?;
    serde_json::from_slice(&bytes).map_err(|_| error(path, "it is not valid JSON"))
}

/// Refuses a secrets file reached through a symbolic link (it would let whoever placed the
/// link choose where tokens are read from and, on the next write, whose file they replace),
/// and makes a file others can read private again. Tightening rather than refusing keeps the
/// user signed in; the warning tells them the tokens may have been read meanwhile.
// Unix only: Windows has no symlink-by-default or mode bits to check here.
#[cfg(unix)]
fn check_private(path: &Path, file: &std::fs::File) -> Result<(), SecretError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let link = std::fs::symlink_metadata(path).map_err(|e| error(path, e))?;
    let opened = file.metadata().map_err(|e| error(path, e))?;
    // The same inode by name and by handle: no link, and not swapped in between.
    if link.file_type().is_symlink() || (link.dev(), link.ino()) != (opened.dev(), opened.ino()) {
        return Err(error(
            path,
            "it is a symbolic link; refusing to use it for tokens",
        ));
    }
    if !opened.is_file() {
        return Err(error(path, "it is not a regular file"));
    }
    let mode = opened.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{:o}", mode & 0o777),
            "the secrets file was readable by others; making it private (0600)"
        );
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| {
                error(
                    path,
                    format!("it is readable by others and cannot be made private: {e}"),
                )
            })?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _file: &std::fs::File) -> Result<(), SecretError> {
    Ok(())
}

fn write(path: &Path, map: &BTreeMap<String, String>) -> Result<(), SecretError> {
    let bytes = serde_json::to_vec_pretty(map).map_err(|e| error(path, e))?;
    crate::paths::write_private_atomically(path, &bytes).map_err(|e| error(path, e))
}

pub(super) async fn get(path: &Path, key: &str) -> Result<Option<Sensitive<String>>, SecretError> {
    Ok(read(path)?.remove(key).map(Sensitive::new))
}

pub(super) async fn set(
    path: &Path,
    key: &str,
    value: &Sensitive<String>,
) -> Result<(), SecretError> {
    let mut map = read(path)?;
    map.insert(key.to_owned(), value.expose().clone());
    write(path, &map)
}

pub(super) async fn delete(path: &Path, key: &str) -> Result<(), SecretError> {
    let mut map = read(path)?;
    if map.remove(key).is_some() {
        write(path, &map)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_reads_and_deletes_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        assert!(get(&path, "a").await.unwrap().is_none());
        set(&path, "a", &Sensitive::new("one".into()))
            .await
            .unwrap();
        set(&path, "b", &Sensitive::new("two".into()))
            .await
            .unwrap();
        assert_eq!(get(&path, "a").await.unwrap().unwrap().expose(), "one");
        delete(&path, "a").await.unwrap();
        delete(&path, "missing").await.unwrap();
        assert!(get(&path, "a").await.unwrap().is_none());
        assert_eq!(get(&path, "b").await.unwrap().unwrap().expose(), "two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn a_corrupt_file_is_an_error_that_names_it_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, "{ not json secret-value").unwrap();
        let err = get(&path, "a").await.unwrap_err().to_string();
        assert!(
            err.contains("secrets.json") && !err.contains("secret-value"),
            "{err}"
        );
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symlink_at_the_temporary_file_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let chosen = dir.path().join("attackers-file");
        std::fs::write(&chosen, "").unwrap();
        std::os::unix::fs::symlink(&chosen, dir.path().join("secrets.json.tmp")).unwrap();
        set(&path, "a", &Sensitive::new("token".into()))
            .await
            .unwrap();
        assert_eq!(std::fs::read_to_string(&chosen).unwrap(), "");
        assert!(!std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(mode(&path), 0o600);
        assert_eq!(get(&path, "a").await.unwrap().unwrap().expose(), "token");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_loose_leftover_temporary_file_does_not_loosen_the_secrets() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let tmp = dir.path().join("secrets.json.tmp");
        std::fs::write(&tmp, "{}").unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).unwrap();
        set(&path, "a", &Sensitive::new("token".into()))
            .await
            .unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_secrets_file_others_can_read_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, r#"{"a":"token"}"#).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(get(&path, "a").await.unwrap().unwrap().expose(), "token");
        assert_eq!(mode(&path), 0o600);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symlinked_secrets_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(&elsewhere, r#"{"a":"token"}"#).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        let err = get(&path, "a").await.unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(set(&path, "b", &Sensitive::new("x".into())).await.is_err());
        assert_eq!(
            std::fs::read_to_string(&elsewhere).unwrap(),
            r#"{"a":"token"}"#
        );
    }
}
