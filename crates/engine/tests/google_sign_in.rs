//! Sign-in faults: the token endpoint down or answering HTML, a code Google does not accept,
//! a saved sign-in that cannot be read. Each says what happened, and only a lost grant asks
//! for a new sign-in.

mod common;

use calbuddy_engine::secrets::{SecretStore, Sensitive};
use chrono::Utc;
use common::{timed, world, World, EMAIL};
use fake_google::{Fault, FaultKind};

async fn connected() -> (World, i64) {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    let id = w.connect().await;
    w.fake.put_event(EMAIL, timed("b", "B", 2));
    w.fake.expire_access_tokens();
    w.fake.clear_requests();
    (w, id)
}

fn refreshes(w: &World) -> usize {
    w.fake
        .requests()
        .iter()
        .filter(|r| r.form_param("grant_type") == Some("refresh_token"))
        .count()
}

#[tokio::test]
async fn a_token_endpoint_outage_is_retried() {
    for kind in [
        FaultKind::HtmlPage(503),
        FaultKind::status(503, "temporarily_unavailable"),
        FaultKind::Status {
            status: 429,
            reason: "rate_limited".into(),
            retry_after: Some(1),
        },
    ] {
        let (w, id) = connected().await;
        w.fake.inject(Fault::new("/token", 2, kind.clone()));
        let report = w.sync(id).await;
        assert!(report.ok(), "{kind:?}: {report:?}");
        assert_eq!(refreshes(&w), 3, "{kind:?}");
        assert_eq!(w.titles().await, ["A", "B"]);
    }
}

#[tokio::test]
async fn a_lasting_token_endpoint_outage_says_so_and_keeps_the_account() {
    let (w, id) = connected().await;
    w.fake
        .inject(Fault::new("/token", 100, FaultKind::HtmlPage(503)));
    let report = w.sync(id).await;
    assert!(!report.needs_reauth);
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains("the sign-in server answered 503 Service Unavailable"),
        "{error}"
    );
    assert!(
        !error.contains("JSON") && !error.contains("revoked"),
        "{error}"
    );
    assert_eq!(refreshes(&w), 4, "first try and three retries");
    let account = w.engine.account(id).await.unwrap();
    assert!(!account.needs_reauth);
    assert_eq!(w.titles().await, ["A"]);
}

#[tokio::test]
async fn the_code_exchange_is_retried_too() {
    let w = world().await;
    w.fake
        .inject(Fault::new("/token", 1, FaultKind::HtmlPage(502)));
    w.connect().await;
    let exchanges = w
        .fake
        .requests()
        .iter()
        .filter(|r| r.form_param("grant_type") == Some("authorization_code"))
        .count();
    assert_eq!(exchanges, 2);
}

#[tokio::test]
async fn a_code_google_refuses_is_a_failed_sign_in_not_revoked_access() {
    let w = world().await;
    w.fake.inject(Fault::new(
        "/token",
        1,
        FaultKind::status(400, "invalid_grant"),
    ));
    let err = w
        .engine
        .connect_google(common::browser, Utc::now())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("Google did not accept the sign-in: ")
            && message.ends_with("Try connecting again"),
        "{message}"
    );
    assert!(!message.contains("revoked"), "{message}");
    assert_eq!(err.code(), "sign_in");
    assert!(w.engine.accounts().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unreadable_saved_sign_in_says_so() {
    let w = world().await;
    w.fake.put_event(EMAIL, timed("a", "A", 1));
    let id = w.connect().await;
    let secrets = SecretStore::File {
        path: w.dir.path().join("secrets.json"),
    };
    let key = format!("google:{EMAIL}");
    secrets
        .set(&key, &Sensitive::new("{not json".to_owned()))
        .await
        .unwrap();

    let report = w.sync(id).await;
    let error = report.error.unwrap_or_default();
    assert!(
        error.contains("the saved sign-in could not be read") && error.contains("reconnect"),
        "{error}"
    );
    assert!(!error.contains("revoked"), "{error}");
    // Connecting again is the fix, so the account asks for it.
    assert!(report.needs_reauth);
    assert!(w.engine.account(id).await.unwrap().needs_reauth);
    assert_eq!(w.titles().await, ["A"]);
}
