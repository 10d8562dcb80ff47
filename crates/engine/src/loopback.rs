//! The loopback redirect listener of an OAuth sign-in in the system browser (RFC 8252 §7.3):
//! it listens on 127.0.0.1 at a random port (and on ::1 at the same port when the redirect
//! names `localhost`, which a browser may resolve to either), answers the browser with a small page, accepts only
//! the `state` it was given, and gives up after a timeout. Connections are served side by side,
//! each with a short read deadline, so idle ones (a browser's pre-connects, or another local
//! program) cannot hold up the real redirect.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinSet};

/// How long a connection may take to send its request head. A browser sends it at once.
const READ_DEADLINE: Duration = Duration::from_secs(2);

/// Connections served at once. At the cap the oldest is closed to make room: the newest is
/// the likeliest to be the browser coming back, and refusing new ones instead would let a few
/// idle connections block the sign-in.
const MAX_CONNECTIONS: usize = 32;

/// How a sign-in in the browser ended.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoopbackError {
    #[error("cannot listen on 127.0.0.1 for the sign-in redirect: {0}")]
    Bind(String),
    #[error("sign-in was not completed within {0} seconds")]
    Timeout(u64),
    #[error("sign-in was refused in the browser ({0})")]
    Denied(String),
}

/// How the redirect URI names the loopback host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedirectHost {
    /// `http://127.0.0.1:PORT/` (RFC 8252's recommendation; Google).
    #[default]
    Ip,
    /// `http://localhost:PORT`: Microsoft Entra lets an app register `http://localhost` (any
    /// port) in its portal, but not `http://127.0.0.1`.
    Localhost,
}

/// A listener waiting for the browser to come back.
pub struct Loopback {
    listener: TcpListener,
    /// The IPv6 loopback at the same port, for a `localhost` redirect (when it can be bound).
    v6: Option<TcpListener>,
    port: u16,
    host: RedirectHost,
}

impl Loopback {
    /// A listener for a `http://127.0.0.1:PORT/` redirect.
    pub async fn bind() -> Result<Loopback, LoopbackError> {
        Loopback::bind_for(RedirectHost::Ip).await
    }

    /// A listener for a redirect naming the loopback host as `host` says.
    pub async fn bind_for(host: RedirectHost) -> Result<Loopback, LoopbackError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| LoopbackError::Bind(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| LoopbackError::Bind(e.to_string()))?
            .port();
        // Best effort: a system without IPv6 resolves `localhost` to 127.0.0.1 only.
        let v6 = match host {
            RedirectHost::Ip => None,
            RedirectHost::Localhost => TcpListener::bind(("::1", port)).await.ok(),
        };
        Ok(Loopback {
            listener,
            v6,
            port,
            host,
        })
    }

    /// The redirect URI to register in the authorization request.
    pub fn redirect_uri(&self) -> String {
        match self.host {
            RedirectHost::Ip => format!("http://127.0.0.1:{}/", self.port),
            RedirectHost::Localhost => format!("http://localhost:{}", self.port),
        }
    }

    /// Waits for the redirect that carries `state` and returns its authorization code.
    /// Requests with another state (or none) get an error page and are otherwise ignored.
    pub async fn wait_for_code(
        self,
        state: &str,
        timeout: Duration,
    ) -> Result<String, LoopbackError> {
        tokio::time::timeout(timeout, self.serve(state))
            .await
            .map_err(|_| LoopbackError::Timeout(timeout.as_secs()))?
    }

    /// Serves connections until one ends the sign-in. Dropping the `JoinSet` on return closes
    /// the connections still open.
    async fn serve(self, state: &str) -> Result<String, LoopbackError> {
        let state: Arc<str> = Arc::from(state);
        let mut running = JoinSet::new();
        let mut order: VecDeque<AbortHandle> = VecDeque::new();
        loop {
            tokio::select! {
                accepted = accept(&self.listener, self.v6.as_ref()) => {
                    let Ok((stream, _)) = accepted else { continue };
                    order.retain(|task| !task.is_finished());
                    if order.len() >= MAX_CONNECTIONS {
                        if let Some(oldest) = order.pop_front() {
                            oldest.abort();
                        }
                    }
                    order.push_back(running.spawn(handle(stream, state.clone())));
                }
                Some(done) = running.join_next() => {
                    // A closed connection (or one that ended in a panic) does not end the wait.
                    if let Ok(Some(outcome)) = done {
                        return outcome;
                    }
                }
            }
        }
    }
}

/// The next connection on either listener.
async fn accept(
    v4: &TcpListener,
    v6: Option<&TcpListener>,
) -> std::io::Result<(TcpStream, std::net::SocketAddr)> {
    match v6 {
        Some(v6) => tokio::select! {
            accepted = v4.accept() => accepted,
            accepted = v6.accept() => accepted,
        },
        None => v4.accept().await,
    }
}

/// Answers one browser request; `Some` when it ends the sign-in.
async fn handle(mut stream: TcpStream, state: Arc<str>) -> Option<Result<String, LoopbackError>> {
    let target = read_request_target(&mut stream).await?;
    let params = query_params(&target);
    let state_ok = params.get("state").map(String::as_str) == Some(&*state);
    let (status, page, outcome) = match (state_ok, params.get("code"), params.get("error")) {
        (true, Some(code), _) => ("200 OK", PAGE_DONE, Some(Ok(code.clone()))),
        (true, None, Some(error)) => (
            "200 OK",
            PAGE_DENIED,
            Some(Err(LoopbackError::Denied(error.clone()))),
        ),
        (false, _, _) if params.contains_key("code") || params.contains_key("error") => {
            ("400 Bad Request", PAGE_FOREIGN, None)
        }
        _ => ("404 Not Found", PAGE_FOREIGN, None),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    outcome
}

/// Reads the request head (up to 16 KiB, within the read deadline) and returns the request
/// target.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read_head = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(READ_DEADLINE, read_head)
        .await
        .ok()??;
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

fn query_params(target: &str) -> HashMap<String, String> {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

const PAGE_DONE: &str = "<!doctype html><meta charset=utf-8><title>Calendar Buddy</title>\
<body style=\"font-family:system-ui,sans-serif;margin:3em\"><h1>You are signed in</h1>\
<p>Calendar Buddy is connected. You can close this tab.</p></body>";
const PAGE_DENIED: &str = "<!doctype html><meta charset=utf-8><title>Calendar Buddy</title>\
<body style=\"font-family:system-ui,sans-serif;margin:3em\"><h1>Sign-in cancelled</h1>\
<p>Calendar Buddy was not given access. You can close this tab.</p></body>";
const PAGE_FOREIGN: &str = "<!doctype html><meta charset=utf-8><title>Calendar Buddy</title>\
<body style=\"font-family:system-ui,sans-serif;margin:3em\"><h1>Not a current sign-in</h1>\
<p>This link does not belong to the sign-in Calendar Buddy is waiting for.</p></body>";

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, String) {
        let r = reqwest::get(url).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    #[tokio::test]
    async fn returns_the_code_for_the_matching_state_only() {
        let lb = Loopback::bind().await.unwrap();
        let base = lb.redirect_uri();
        assert!(base.starts_with("http://127.0.0.1:"));
        let wait =
            tokio::spawn(async move { lb.wait_for_code("s1", Duration::from_secs(10)).await });
        assert_eq!(get(&format!("{base}favicon.ico")).await.0, 404);
        let (status, _) = get(&format!("{base}?code=evil&state=other")).await;
        assert_eq!(status, 400);
        let (status, body) = get(&format!("{base}?code=c%2F1&state=s1&scope=x")).await;
        assert_eq!(status, 200);
        assert!(body.contains("close this tab"));
        assert_eq!(wait.await.unwrap(), Ok("c/1".to_owned()));
    }

    #[tokio::test]
    async fn idle_connections_do_not_hold_up_the_redirect() {
        let lb = Loopback::bind().await.unwrap();
        let base = lb.redirect_uri();
        let addr = base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let wait =
            tokio::spawn(async move { lb.wait_for_code("s", Duration::from_secs(60)).await });
        // More idle connections than the listener serves at once; they send nothing.
        let mut idle = Vec::new();
        for _ in 0..40 {
            idle.push(TcpStream::connect(&addr).await.unwrap());
        }
        let redirect = format!("{base}?code=c&state=s");
        let (status, _) = tokio::time::timeout(Duration::from_secs(3), get(&redirect))
            .await
            .expect("the redirect is answered while idle connections are open");
        assert_eq!(status, 200);
        let code = tokio::time::timeout(Duration::from_secs(3), wait)
            .await
            .expect("the sign-in ends at once")
            .unwrap();
        assert_eq!(code, Ok("c".to_owned()));
        drop(idle);
    }

    #[tokio::test]
    async fn a_localhost_redirect_is_answered_on_either_loopback_address() {
        let lb = Loopback::bind_for(RedirectHost::Localhost).await.unwrap();
        let base = lb.redirect_uri();
        assert!(
            base.starts_with("http://localhost:") && !base.ends_with('/'),
            "{base}"
        );
        let port = lb.port;
        let has_v6 = lb.v6.is_some();
        // Listening on ::1 too wherever the system has an IPv6 loopback.
        assert_eq!(has_v6, std::net::TcpListener::bind("[::1]:0").is_ok());
        let wait =
            tokio::spawn(async move { lb.wait_for_code("s", Duration::from_secs(10)).await });
        let (status, _) = get(&format!("http://127.0.0.1:{port}/?code=x&state=other")).await;
        assert_eq!(status, 400);
        // Where the system has an IPv6 loopback, the browser may come back on it.
        let host = if has_v6 { "[::1]" } else { "127.0.0.1" };
        let (status, _) = get(&format!("http://{host}:{port}/?code=c6&state=s")).await;
        assert_eq!(status, 200);
        assert_eq!(wait.await.unwrap(), Ok("c6".to_owned()));
    }

    #[tokio::test]
    async fn a_refusal_and_a_timeout_are_errors() {
        let lb = Loopback::bind().await.unwrap();
        let base = lb.redirect_uri();
        let wait =
            tokio::spawn(async move { lb.wait_for_code("s", Duration::from_secs(10)).await });
        get(&format!("{base}?error=access_denied&state=s")).await;
        assert_eq!(
            wait.await.unwrap(),
            Err(LoopbackError::Denied("access_denied".into()))
        );

        let lb = Loopback::bind().await.unwrap();
        let out = lb.wait_for_code("s", Duration::from_millis(50)).await;
        assert_eq!(out, Err(LoopbackError::Timeout(0)));
    }
}
