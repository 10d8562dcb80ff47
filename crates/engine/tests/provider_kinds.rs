//! The engine's one dispatch point: an account's provider is built from its kind, and an
//! account of a kind this build does not know fails clearly instead of being guessed at.

mod common;

use chrono::Utc;

#[tokio::test]
async fn an_account_of_an_unknown_provider_fails_to_sync_and_can_still_be_removed() {
    let world = common::world().await;
    let engine = &world.engine;
    let now = Utc::now();
    let (id, _) = engine
        .store()
        .upsert_account("exchange", "me@x", "me@x", now)
        .await
        .unwrap();
    let error = engine
        .sync(Some(id), now)
        .await
        .unwrap()
        .remove(0)
        .unwrap_err();
    assert_eq!(error.code(), "provider");
    assert!(
        error.to_string().contains("unknown provider \"exchange\""),
        "{error}"
    );
    assert_eq!(
        engine.account(id).await.unwrap().last_error.as_deref(),
        Some(error.to_string().as_str())
    );

    let disconnected = engine.disconnect(id).await.unwrap();
    assert!(!disconnected.revoked);
    assert!(engine.account(id).await.is_err());
}
