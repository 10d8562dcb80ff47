//! With no Secret Service reachable, the keychain store fails with a message that names the
//! fix. Its own test binary, because it points the process at a D-Bus that does not exist.

use calbuddy_engine::secrets::{SecretError, SecretStore, Sensitive};

#[tokio::test]
async fn no_keychain_is_a_clear_error_naming_the_fix() {
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/calbuddy-test-bus",
    );
    let secrets = SecretStore::Os {
        service: "calendar-buddy-test".into(),
    };
    let err = secrets
        .set("google:x@y", &Sensitive::new("token-value".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, SecretError::NoKeychain(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("CALBUDDY_SECRET_STORE=file"), "{message}");
    assert!(message.contains("gnome-keyring"), "{message}");
    assert!(!message.contains("token-value"));
}
