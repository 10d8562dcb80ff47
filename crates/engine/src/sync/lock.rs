//! Keeps two syncs of one account from running at once, across processes too (the CLI and the
//! desktop app share the database): an OS file lock per account, released by the OS even if
//! the process is killed.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

/// Held while an account syncs; dropping it releases the lock.
#[derive(Debug)]
pub struct AccountLock {
    _file: File,
}

impl AccountLock {
    /// Takes the account's lock, or returns `None` if another sync holds it.
    pub fn try_acquire(dir: &Path, account_id: i64) -> std::io::Result<Option<AccountLock>> {
        std::fs::create_dir_all(dir)?;
        let file = OpenOptions::new()
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
}
