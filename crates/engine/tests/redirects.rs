//! Redirects: the default client follows none; a limited client follows at most its hops and
//! never carries the `Authorization` header to another origin (host or port).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use calbuddy_engine::http::{Redirects, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A local server that answers every request with `reply(path)` and keeps each request's head.
struct Server {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Server {
    async fn start(reply: impl Fn(&str) -> String + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                seen.lock().unwrap().push(head);
                let _ = stream.write_all(reply(&path).as_bytes()).await;
            }
        });
        Server { url, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn redirect_to(location: &str) -> String {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

fn policy() -> RetryPolicy {
    RetryPolicy {
        timeout: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

fn has_authorization(head: &str) -> bool {
    head.to_ascii_lowercase().contains("\r\nauthorization:")
}

#[tokio::test]
async fn the_default_client_returns_a_redirect_instead_of_following_it() {
    let target = Server::start(|_| OK.to_owned()).await;
    let location = format!("{}/feed", target.url);
    let origin = Server::start(move |_| redirect_to(&location)).await;
    let response = policy().client().get(&origin.url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert!(target.heads().is_empty());
}

#[tokio::test]
async fn credentials_follow_a_redirect_on_the_same_origin_but_not_to_another_port() {
    let other = Server::start(|_| OK.to_owned()).await;
    let elsewhere = format!("{}/calendars", other.url);
    let origin = Server::start(move |path| match path {
        "/.well-known/caldav" => redirect_to("/dav/"),
        "/dav/" => redirect_to(&elsewhere),
        _ => OK.to_owned(),
    })
    .await;
    let client = policy().client_with(Redirects::Limited(5));
    let response = client
        .get(format!("{}/.well-known/caldav", origin.url))
        .basic_auth("me", Some("secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");

    let origin_heads = origin.heads();
    assert_eq!(origin_heads.len(), 2);
    assert!(
        origin_heads.iter().all(|h| has_authorization(h)),
        "{origin_heads:?}"
    );
    let other_heads = other.heads();
    assert_eq!(other_heads.len(), 1);
    assert!(!has_authorization(&other_heads[0]), "{other_heads:?}");
}

#[tokio::test]
async fn a_limited_client_gives_up_after_its_hops() {
    let looping = Server::start(|path| {
        let n: u32 = path.trim_start_matches('/').parse().unwrap_or(0);
        redirect_to(&format!("/{}", n + 1))
    })
    .await;
    let client = policy().client_with(Redirects::Limited(3));
    let error = client
        .get(format!("{}/0", looping.url))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_redirect(), "{error:?}");
    // The first request and three hops; the fourth redirect is refused.
    assert_eq!(looping.heads().len(), 4);
}
