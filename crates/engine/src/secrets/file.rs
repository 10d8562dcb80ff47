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
    match std::fs::read(path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|_| error(path, "it is not valid JSON"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(error(path, e)),
    }
}

fn write(path: &Path, map: &BTreeMap<String, String>) -> Result<(), SecretError> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| error(path, e))?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp).map_err(|e| error(path, e))?;
    let bytes = serde_json::to_vec_pretty(map).map_err(|e| error(path, e))?;
    f.write_all(&bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| error(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| error(path, e))
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
}
