//! The OS keychain path, for real: run by `scripts/with-keyring` against gnome-keyring in a
//! private D-Bus session (`scripts/test` does this), hence `--ignored`.

use calbuddy_engine::secrets::{SecretStore, Sensitive};

fn store() -> SecretStore {
    SecretStore::Os {
        service: "calendar-buddy-test".into(),
    }
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
async fn secrets_round_trip_through_the_os_keychain() {
    let secrets = store();
    let key = "google:keychain-test@example.com";
    secrets.delete(key).await.unwrap();
    assert!(secrets.get(key).await.unwrap().is_none());

    secrets
        .set(key, &Sensitive::new("first".into()))
        .await
        .unwrap();
    secrets
        .set(key, &Sensitive::new("second".into()))
        .await
        .unwrap();
    assert_eq!(secrets.get(key).await.unwrap().unwrap().expose(), "second");

    secrets.delete(key).await.unwrap();
    assert!(secrets.get(key).await.unwrap().is_none());
    // Deleting what is not there is fine.
    secrets.delete(key).await.unwrap();
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring"]
async fn accounts_do_not_see_each_others_secrets() {
    let secrets = store();
    secrets
        .set("google:a@x", &Sensitive::new("a".into()))
        .await
        .unwrap();
    secrets
        .set("google:b@x", &Sensitive::new("b".into()))
        .await
        .unwrap();
    assert_eq!(
        secrets.get("google:a@x").await.unwrap().unwrap().expose(),
        "a"
    );
    secrets.delete("google:a@x").await.unwrap();
    assert_eq!(
        secrets.get("google:b@x").await.unwrap().unwrap().expose(),
        "b"
    );
    secrets.delete("google:b@x").await.unwrap();
}
