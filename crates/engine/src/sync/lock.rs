//! Keeps two syncs of one account from running at once, across processes too (the CLI and the
//! desktop app share the database): an OS file lock per account, released by the OS even if
//! the process is killed.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// Held while an account syncs; dropping it releases the lock.
#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

impl AccountLock {
    /// Takes the account's lock, or returns `None` if another sync holds it.
    pub fn try_acquire(dir: &Path, account_id: i64) -> std::io::Result<Option<AccountLock>> {
        crate::paths::create_private_dir(dir)?;
        let file = crate::paths::private_file_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("account-{account_id}.lock")))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(AccountLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// Takes the account's lock, waiting up to `patience` for another holder to let go;
    /// `None` if it still holds the lock then.
    pub async fn acquire_within(
        dir: &Path,
        account_id: i64,
        patience: Duration,
    ) -> std::io::Result<Option<AccountLock>> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(lock) = AccountLock::try_acquire(dir, account_id)? {
                return Ok(Some(lock));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            // File locks have no async wait; polling is cheap and a sync takes seconds.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_per_account() {
        let dir = tempfile::tempdir().unwrap();
        let first = AccountLock::try_acquire(dir.path(), 1).unwrap();
        assert!(first.is_some());
        assert!(AccountLock::try_acquire(dir.path(), 1).unwrap().is_none());
        assert!(AccountLock::try_acquire(dir.path(), 2).unwrap().is_some());
        drop(first);
        assert!(AccountLock::try_acquire(dir.path(), 1).unwrap().is_some());
    }

    #[tokio::test]
    async fn waiting_for_the_lock_gets_it_when_released_or_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let held = AccountLock::try_acquire(dir.path(), 1).unwrap().unwrap();
        let patience = Duration::from_millis(300);
        assert!(AccountLock::acquire_within(dir.path(), 1, patience)
            .await
            .unwrap()
            .is_none());
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            drop(held);
        });
        let waited = AccountLock::acquire_within(dir.path(), 1, Duration::from_secs(10));
        assert!(waited.await.unwrap().is_some());
        release.await.unwrap();
    }
}
