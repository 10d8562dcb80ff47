//! A small HTTP/1.1 proxy on 127.0.0.1 in front of a real server, for what the server cannot
//! show by itself: it counts the requests a sync makes, and a test's hook may answer one
//! itself (a refusal, a 500), drop the connection, change the request body (a made-up sync
//! token) or the answer's body (a resource that is not iCalendar), or kill the server.
//!
//! Each request is forwarded on a fresh connection with `Connection: close`, read whole (a
//! chunked answer is de-chunked) and returned with a `Content-Length` and `Connection: close`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: String,
}

impl Seen {
    pub fn is_multiget(&self) -> bool {
        self.method == "REPORT" && self.body.contains("calendar-multiget")
    }

    pub fn is_sync_collection(&self) -> bool {
        self.method == "REPORT" && self.body.contains("sync-collection")
    }

    /// The hrefs a multiget asks for.
    pub fn hrefs(&self) -> usize {
        self.body.matches("<D:href>").count()
    }
}

/// Rewrites an answer's body.
pub type Rewrite = Box<dyn FnOnce(Vec<u8>) -> Vec<u8> + Send>;

/// What to do with one request.
pub enum Action {
    Forward,
    /// Forward with this request body instead.
    ForwardBody(String),
    /// Forward, and change the answer's body.
    Rewrite(Rewrite),
    /// Answer with this status and an empty body.
    Respond(u16),
    /// Close the connection without an answer.
    Drop,
}

pub type Hook = Box<dyn FnMut(&Seen) -> Action + Send>;

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    hook: Option<Hook>,
}

pub struct Proxy {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Proxy {
    /// A proxy forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handle(stream, upstream, shared.clone()));
            }
        });
        Proxy { url, state }
    }

    /// `url` (on the server) as reached through the proxy.
    pub fn via(&self, url: &str) -> url::Url {
        let mut url = url::Url::parse(url).unwrap();
        let me = url::Url::parse(&self.url).unwrap();
        url.set_port(me.port()).unwrap();
        url
    }

    /// Requests answered so far.
    pub fn count(&self) -> usize {
        self.state.lock().unwrap().seen.len()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Decides about every later request (until replaced or cleared).
    pub fn set_hook(&self, hook: impl FnMut(&Seen) -> Action + Send + 'static) {
        self.state.lock().unwrap().hook = Some(Box::new(hook));
    }

    pub fn clear_hook(&self) {
        self.state.lock().unwrap().hook = None;
    }
}

async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<usize> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(end + 4);
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The head's lines without the framing headers the proxy sets itself.
fn head_lines(head: &str) -> Vec<&str> {
    head.split("\r\n")
        .filter(|l| !l.is_empty())
        .filter(|l| {
            let name = l
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            !matches!(
                name.as_str(),
                "connection" | "content-length" | "transfer-encoding" | "keep-alive"
            )
        })
        .collect()
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, state: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    let Some(end) = read_head(&mut client, &mut buf).await else {
        return;
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        match client.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let mut words = head.split_whitespace();
    let seen = Seen {
        method: words.next().unwrap_or("").to_owned(),
        path: words.next().unwrap_or("").to_owned(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let action = {
        let mut state = state.lock().unwrap();
        state.seen.push(seen.clone());
        match state.hook.as_mut() {
            Some(hook) => hook(&seen),
            None => Action::Forward,
        }
    };
    let (body, rewrite) = match action {
        Action::Forward => (body, None),
        Action::ForwardBody(new) => (new.into_bytes(), None),
        Action::Rewrite(rewrite) => (body, Some(rewrite)),
        Action::Respond(status) => {
            let answer =
                format!("HTTP/1.1 {status} Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = client.write_all(answer.as_bytes()).await;
            return;
        }
        Action::Drop => return,
    };
    let Some(answer) = forward(upstream, &head, &body).await else {
        return;
    };
    let (status_and_headers, mut answer_body) = answer;
    if let Some(rewrite) = rewrite {
        answer_body = rewrite(answer_body);
    }
    let mut out = head_lines(&status_and_headers).join("\r\n");
    out.push_str(&format!(
        "\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer_body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer_body);
    let _ = client.write_all(&bytes).await;
}

/// Sends the request upstream on a new connection; the answer's head and whole body.
async fn forward(upstream: SocketAddr, head: &str, body: &[u8]) -> Option<(String, Vec<u8>)> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    let mut out = head_lines(head).join("\r\n");
    out.push_str(&format!(
        "\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    server.write_all(&bytes).await.ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await.ok()?;
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let answer_head = String::from_utf8_lossy(&answer[..end]).into_owned();
    let raw = answer[end..].to_vec();
    let chunked = header(&answer_head, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked { dechunk(&raw)? } else { raw };
    Some((answer_head, body))
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}
