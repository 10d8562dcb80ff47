//! The data directory and the files that hold secrets or the calendar are private to the user
//! (0700 / 0600) even under the common umask of 022, which would make them 0755 / 0644.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use calbuddy_engine::secrets::Sensitive;
use calbuddy_engine::{Engine, EngineConfig};
use chrono::Utc;

const CHILD: &str = "CALBUDDY_TEST_UMASK_CHILD";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The umask belongs to the whole process (and changing it needs `unsafe`), so the test runs
/// itself again in a child started by `sh` with `umask 022`.
#[test]
fn data_dir_and_private_files_under_umask_022() {
    if std::env::var_os(CHILD).is_some() {
        return checks_in_the_child();
    }
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"umask 022 && exec "$0" --exact data_dir_and_private_files_under_umask_022"#)
        .arg(std::env::current_exe().unwrap())
        .env(CHILD, "1")
        .env("CALBUDDY_DATA_DIR", dir.path().join("data"))
        .env("CALBUDDY_SECRET_STORE", "file")
        .status()
        .unwrap();
    assert!(status.success(), "the child test failed: {status}");
}

fn checks_in_the_child() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = EngineConfig::from_env().unwrap();
        let data = config.data_dir.clone();
        let engine = Engine::open(config.clone()).await.unwrap();
        engine
            .set_setting("google.client_secret", "client-secret")
            .unwrap();
        config
            .secrets
            .set("token", &Sensitive::new("t".into()))
            .await
            .unwrap();
        engine.connect_demo(Utc::now()).await.unwrap();

        assert_eq!(mode(data.root()), 0o700, "data directory");
        assert_eq!(mode(&data.config()), 0o600, "config.toml");
        assert_eq!(mode(&data.secrets_file()), 0o600, "secrets.json");
        assert_eq!(mode(&data.locks()), 0o700, "locks directory");
        for entry in std::fs::read_dir(data.locks()).unwrap() {
            assert_eq!(mode(&entry.unwrap().path()), 0o600, "lock file");
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", data.database().display());
            if Path::new(&file).exists() {
                assert_eq!(mode(Path::new(&file)), 0o600, "{file}");
            }
        }
        engine.store().close().await;

        // Files an older version left readable by others are made private on opening.
        for file in [data.config(), data.database()] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let engine = Engine::open(config).await.unwrap();
        assert_eq!(mode(&data.config()), 0o600, "config.toml, tightened");
        assert_eq!(mode(&data.database()), 0o600, "database, tightened");
        engine.store().close().await;
    });
}
