//! A recording HTTP/1.1 proxy on 127.0.0.1 in front of a CalDAV server: every request a client
//! sends through it is forwarded as it came (method, path, headers, body) and kept, so the
//! CalDAV benchmark can count a sync's requests and replay exactly those requests with a plain
//! client. Answers are passed back whole with a `Content-Length`; a redirect's `Location` is
//! rewritten to the proxy, so a client never leaves it.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One request as the client sent it (hop-by-hop headers left out).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub struct Recorder {
    /// The proxy's base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`, no trailing slash).
    pub async fn start(upstream: &str) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let (upstream, own, log) = (upstream.to_owned(), url.clone(), seen.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let forward = Forward {
                    client: client.clone(),
                    upstream: upstream.clone(),
                    own: own.clone(),
                    seen: log.clone(),
                };
                tokio::spawn(forward.serve(stream));
            }
        });
        Recorder { url, seen }
    }

    /// The requests seen since the last call.
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.seen.lock().expect("log"))
    }
}

struct Forward {
    client: reqwest::Client,
    upstream: String,
    own: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Forward {
    /// Serves the requests of one connection (keep-alive) until the client closes it.
    async fn serve(self, stream: TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        while let Some(request) = read_request(&mut reader).await {
            self.seen.lock().expect("log").push(request.clone());
            let answer = self.forward(&request).await;
            if write.write_all(&answer).await.is_err() {
                return;
            }
        }
    }

    async fn forward(&self, request: &Recorded) -> Vec<u8> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
        let mut builder = self
            .client
            .request(method, format!("{}{}", self.upstream, request.path));
        for (name, value) in &request.headers {
            if !name.eq_ignore_ascii_case("host") {
                builder = builder.header(name, value);
            }
        }
        let response = builder
            .body(request.body.clone())
            .send()
            .await
            .expect("upstream");
        let status = response.status();
        let mut head = format!(
            "HTTP/1.1 {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        for (name, value) in response.headers() {
            let name = name.as_str();
            if matches!(name, "content-length" | "transfer-encoding" | "connection") {
                continue;
            }
            let value = value.to_str().unwrap_or_default();
            let value = if name == "location" {
                value.replace(&self.upstream, &self.own)
            } else {
                value.to_owned()
            };
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = response.bytes().await.expect("upstream body");
        head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
        let mut answer = head.into_bytes();
        answer.extend_from_slice(&body);
        answer
    }
}

/// Reads one request (head and a `Content-Length` body); None when the client is done.
async fn read_request(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        } else if !name.eq_ignore_ascii_case("connection") {
            headers.push((name, value));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Recorded {
        method,
        path,
        headers,
        body,
    })
}
