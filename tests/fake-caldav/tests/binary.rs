//! The `fake-caldav` binary as CLI and e2e tests use it: it prints its URL, serves the
//! calendar it was asked for, asks for the login it was told to, and lists its requests under
//! `/_admin/requests`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-caldav"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (Running(child), url)
}

#[tokio::test]
async fn the_binary_prints_its_url_and_serves_the_calendar_it_was_given() {
    let (_server, url) = start(&["--calendar", "work=Work Things", "--password", "pw"]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let http = reqwest::Client::new();
    let propfind = reqwest::Method::from_bytes(b"PROPFIND").unwrap();
    let answer = http
        .request(propfind, format!("{url}1234567890/calendars/work/"))
        .basic_auth("alice", Some("pw"))
        .header("Depth", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 207);
    let body = answer.text().await.unwrap();
    assert!(
        body.contains("<D:displayname>Work Things</D:displayname>"),
        "{body}"
    );

    let log: serde_json::Value = http
        .get(format!("{url}_admin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log[0]["method"], "PROPFIND");
    assert_eq!(log[0]["status"], 207);
    assert_eq!(
        log.as_array().unwrap().len(),
        1,
        "admin requests are not logged"
    );
}

#[tokio::test]
async fn the_binary_asks_for_digest_when_told_to() {
    let (_server, url) = start(&["--digest", "sha-256,md5"]);
    let answer = reqwest::Client::new()
        .get(&url)
        .basic_auth(fake_caldav::USER, Some(fake_caldav::PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let challenges: Vec<&str> = answer
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(challenges.len(), 2);
    assert!(
        challenges[0].contains("algorithm=SHA-256"),
        "{challenges:?}"
    );
    assert!(challenges[1].contains("algorithm=MD5"), "{challenges:?}");
}
