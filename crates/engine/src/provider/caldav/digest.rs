//! HTTP Digest authentication (RFC 7616, and the RFC 2617 form without `qop`) for CalDAV
//! servers that ask for it, such as older SabreDAV set-ups.
//!
//! The hashing is the `digest_auth` crate's (MD5, SHA-256, SHA-512/256 and their `-sess`
//! forms, `userhash`); this module picks the challenge to answer from a 401's
//! `WWW-Authenticate` fields and remembers it per origin, so later requests of the same client
//! send `Authorization: Digest` at once with the next nonce count instead of being refused
//! first.

use std::collections::HashMap;
use std::sync::Mutex;

use digest_auth::{AuthContext, HttpMethod, Qop, WwwAuthenticateHeader};
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use url::{Origin, Position, Url};

use super::transport::Credentials;

/// Origins whose challenge a client remembers; discovery and sync meet one or two (iCloud's
/// entry host and the partition host).
const MAX_REMEMBERED: usize = 16;

/// Nonce counts after which a challenge is dropped and a fresh one fetched, far below where
/// the 8-hex-digit `nc` would wrap.
const MAX_NONCE_COUNT: u32 = 1_000_000;

/// One auth challenge of a `WWW-Authenticate` field: its scheme, lower-cased, and the text of
/// its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthChallenge {
    pub scheme: String,
    pub params: String,
}

/// Every challenge in `headers`' `WWW-Authenticate` fields (RFC 9110 §11.6.1). A field may
/// hold several, separated by commas: a new one starts where a comma outside quotes is followed
/// by a token and a space rather than by `name=`.
pub fn challenges(headers: &HeaderMap) -> Vec<AuthChallenge> {
    let mut out = Vec::new();
    for value in headers.get_all(WWW_AUTHENTICATE) {
        // Anything but visible ASCII is not a challenge we could answer (and `digest_auth`'s
        // parser slices by character count, which is only safe on ASCII).
        let Ok(text) = value.to_str() else { continue };
        for part in split_challenges(text) {
            let part = part.trim();
            let (scheme, params) = part.split_once(' ').unwrap_or((part, ""));
            if !scheme.is_empty() {
                out.push(AuthChallenge {
                    scheme: scheme.to_ascii_lowercase(),
                    params: params.trim().to_owned(),
                });
            }
        }
    }
    out
}

/// Splits one field into the text of each challenge.
fn split_challenges(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if quoted {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => quoted = true,
            b',' if starts_a_challenge(&text[i + 1..]) => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// True when `rest` (what follows a comma) begins a new challenge: `token SP`, or a lone token
/// at the end, rather than an `auth-param` (`token =`).
fn starts_a_challenge(rest: &str) -> bool {
    let rest = rest.trim_start();
    let token_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
        .count();
    if token_len == 0 {
        return false;
    }
    let after = rest[token_len..].trim_start();
    !after.starts_with('=') && (after.is_empty() || rest[token_len..].starts_with(' '))
}

/// A Digest challenge we can answer.
#[derive(Debug, Clone)]
pub struct DigestChallenge {
    header: WwwAuthenticateHeader,
}

/// What a 401 offers, as far as Digest goes.
#[derive(Debug)]
pub enum Offer {
    /// No Digest challenge at all.
    None,
    /// The first Digest challenge we can answer (RFC 7616 §3.7: a server lists them in its
    /// order of preference).
    Digest(DigestChallenge),
    /// Digest challenges, none of which we can answer (an unknown algorithm or `qop`, no nonce).
    Unsupported,
}

/// The Digest challenge to answer among `challenges`.
pub fn offer(challenges: &[AuthChallenge]) -> Offer {
    let mut digest = challenges
        .iter()
        .filter(|c| c.scheme == "digest")
        .peekable();
    if digest.peek().is_none() {
        return Offer::None;
    }
    digest
        .find_map(|c| DigestChallenge::parse(&c.params))
        .map_or(Offer::Unsupported, Offer::Digest)
}

impl DigestChallenge {
    /// Reads a challenge's parameters; `None` when it cannot be answered.
    pub fn parse(params: &str) -> Option<DigestChallenge> {
        let mut header = digest_auth::parse(params).ok()?;
        // RFC 7616 asks for qop=auth; auth-int is only used when it is all the server offers
        // (the crate would otherwise prefer it, and many servers get its body hash wrong).
        if let Some(qops) = &mut header.qop {
            if qops.contains(&Qop::AUTH) {
                *qops = vec![Qop::AUTH];
            }
        }
        Some(DigestChallenge { header })
    }

    /// The server said the nonce we used had expired, not that the password was wrong
    /// (RFC 7616 §3.3).
    pub fn stale(&self) -> bool {
        self.header.stale
    }

    pub fn realm(&self) -> &str {
        &self.header.realm
    }

    /// The `Authorization` value for `method` on `url` with `body`, counting one more use of
    /// the nonce. `cnonce` is fixed only by tests; otherwise a random one is made.
    pub fn authorization(
        &mut self,
        credentials: &Credentials,
        method: &str,
        url: &Url,
        body: &[u8],
        cnonce: Option<&str>,
    ) -> Option<HeaderValue> {
        let mut context = AuthContext::new_with_method(
            credentials.username.as_str(),
            credentials.password.expose().as_str(),
            request_target(url),
            Some(body),
            HttpMethod::from(method),
        );
        if let Some(cnonce) = cnonce {
            context.set_custom_cnonce(cnonce);
        }
        let answer = self.header.respond(&context).ok()?;
        let mut value = HeaderValue::from_bytes(answer.to_header_string().as_bytes()).ok()?;
        // A hash of the password: kept out of debug output like the password itself.
        value.set_sensitive(true);
        Some(value)
    }

    fn uses(&self) -> u32 {
        self.header.nc
    }
}

/// The `request-target` a Digest response covers: the path and query of the request line.
fn request_target(url: &Url) -> &str {
    &url[Position::BeforePath..Position::AfterQuery]
}

/// The challenges a client has answered, by origin, shared by its clones: each request to an
/// origin that asked for Digest sends it at once, with the next nonce count.
#[derive(Debug, Default)]
pub struct DigestSessions {
    by_origin: Mutex<HashMap<Origin, DigestChallenge>>,
}

impl DigestSessions {
    /// Remembers `challenge` for `url`'s origin, replacing the one before.
    pub fn remember(&self, url: &Url, challenge: DigestChallenge) {
        let mut map = self.lock();
        let origin = url.origin();
        if !map.contains_key(&origin) && map.len() >= MAX_REMEMBERED {
            map.clear();
        }
        map.insert(origin, challenge);
    }

    /// The `Authorization` value for a request to `url`, when its origin asked for Digest
    /// before, and the realm it was computed for.
    pub fn authorization(
        &self,
        credentials: &Credentials,
        method: &str,
        url: &Url,
        body: &[u8],
    ) -> Option<(HeaderValue, String)> {
        let mut map = self.lock();
        let origin = url.origin();
        let challenge = map.get_mut(&origin)?;
        if challenge.uses() >= MAX_NONCE_COUNT {
            map.remove(&origin);
            return None;
        }
        let value = challenge.authorization(credentials, method, url, body, None)?;
        Some((value, challenge.realm().to_owned()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Origin, DigestChallenge>> {
        // The map holds no invariant a panicking holder could break.
        self.by_origin.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::Sensitive;

    fn mufasa() -> Credentials {
        Credentials {
            username: "Mufasa".into(),
            password: Sensitive::new("Circle of Life".into()),
        }
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(WWW_AUTHENTICATE, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    /// The parameters of an `Authorization: Digest` value, unquoted.
    fn params(value: &HeaderValue) -> HashMap<String, String> {
        let text = value.to_str().unwrap().strip_prefix("Digest ").unwrap();
        split_params(text)
    }

    fn split_params(text: &str) -> HashMap<String, String> {
        text.split(", ")
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.trim_matches('"').to_owned())
            })
            .collect()
    }

    const RFC_URL: &str = "http://www.example.org/dir/index.html";
    const RFC_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    /// RFC 7616 §3.9.1: the same request answered under SHA-256 and MD5.
    #[test]
    fn rfc_7616_example_responses() {
        let offered = headers(&[
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        ]);
        let all = challenges(&offered);
        assert_eq!(all.len(), 2);
        let url = Url::parse(RFC_URL).unwrap();
        for (challenge, algorithm, response) in [
            (
                &all[0],
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
            (&all[1], "MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ] {
            let mut digest = DigestChallenge::parse(&challenge.params).unwrap();
            let value = digest
                .authorization(&mufasa(), "GET", &url, b"", Some(RFC_CNONCE))
                .unwrap();
            assert!(value.is_sensitive());
            let p = params(&value);
            assert_eq!(p["response"], response, "{algorithm}");
            assert_eq!(p["algorithm"], algorithm);
            assert_eq!(p["qop"], "auth", "auth is chosen over auth-int");
            assert_eq!(p["nc"], "00000001");
            assert_eq!(p["uri"], "/dir/index.html");
            assert_eq!(p["username"], "Mufasa");
            assert_eq!(p["opaque"], "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
            assert_eq!(p["cnonce"], RFC_CNONCE);
        }
        // The server's first preference wins.
        let Offer::Digest(first) = offer(&all) else {
            panic!("no offer")
        };
        assert_eq!(first.header.algorithm.to_string(), "SHA-256");
    }

    /// RFC 2617 §3.5: a challenge with qop, and the RFC 2069 form without one.
    #[test]
    fn rfc_2617_example_and_the_form_without_qop() {
        // RFC 2617 spells the password with a capital O.
        let creds = Credentials {
            username: "Mufasa".into(),
            password: Sensitive::new("Circle Of Life".into()),
        };
        let url = Url::parse("http://www.nowhere.org/dir/index.html").unwrap();
        let mut digest = DigestChallenge::parse(
            r#"realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        let value = digest
            .authorization(&creds, "GET", &url, b"", Some("0a4f113b"))
            .unwrap();
        assert_eq!(
            params(&value)["response"],
            "6629fae49393a05397450978507c4ef1"
        );

        let mut legacy = DigestChallenge::parse(
            r#"realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
        )
        .unwrap();
        let value = legacy
            .authorization(&creds, "GET", &url, b"", None)
            .unwrap();
        let p = params(&value);
        assert!(!p.contains_key("qop") && !p.contains_key("nc") && !p.contains_key("cnonce"));
        // MD5(HA1:nonce:HA2) (RFC 2069), computed independently with Python's hashlib.
        assert_eq!(p["response"], "670fd8c2df070c60b045671b8b24ff02");
    }

    #[test]
    fn the_nonce_count_goes_up_with_each_request_and_the_uri_keeps_the_query() {
        let sessions = DigestSessions::default();
        let url = Url::parse("https://dav.example.com/cal/a%20b/?x=1").unwrap();
        sessions.remember(
            &url,
            DigestChallenge::parse(r#"realm="dav", qop="auth", nonce="n1", algorithm=MD5"#)
                .unwrap(),
        );
        let mut seen = Vec::new();
        for _ in 0..3 {
            let (value, realm) = sessions
                .authorization(&mufasa(), "PROPFIND", &url, b"<x/>")
                .unwrap();
            assert_eq!(realm, "dav");
            let p = params(&value);
            assert_eq!(p["uri"], "/cal/a%20b/?x=1");
            seen.push((p["nc"].clone(), p["cnonce"].clone()));
        }
        assert_eq!(
            seen.iter().map(|(nc, _)| nc.as_str()).collect::<Vec<_>>(),
            ["00000001", "00000002", "00000003"]
        );
        assert_ne!(seen[0].1, seen[1].1, "a fresh cnonce each time");
        // Another origin has no challenge yet.
        let other = Url::parse("https://p1-dav.example.com/cal/").unwrap();
        assert!(sessions
            .authorization(&mufasa(), "GET", &other, b"")
            .is_none());
    }

    #[test]
    fn challenges_are_split_from_one_field_and_from_several() {
        let found = challenges(&headers(&[
            r#"Basic realm="a, b", Digest realm="x", nonce="y, Basic z", qop="auth""#,
            "Negotiate",
            r#"Bearer realm="r", error="invalid_token""#,
        ]));
        let schemes: Vec<&str> = found.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["basic", "digest", "negotiate", "bearer"]);
        assert_eq!(found[0].params, r#"realm="a, b""#);
        assert_eq!(
            found[1].params,
            r#"realm="x", nonce="y, Basic z", qop="auth""#
        );
        let Offer::Digest(d) = offer(&found) else {
            panic!("digest offered")
        };
        assert_eq!(d.realm(), "x");
        assert!(!d.stale());
    }

    #[test]
    fn stale_and_unanswerable_challenges_are_told_apart() {
        let stale = challenges(&headers(&[
            r#"Digest realm="dav", nonce="new", qop="auth", stale=TRUE"#,
        ]));
        let Offer::Digest(d) = offer(&stale) else {
            panic!("digest offered")
        };
        assert!(d.stale());

        for unanswerable in [
            r#"Digest realm="dav", nonce="n", algorithm=SHA3-512"#,
            r#"Digest realm="dav", qop="auth""#,
            r#"Digest realm="dav", nonce="n", qop="auth-conf""#,
            r#"Digest realm="dav", nonce="unterminated"#,
        ] {
            assert!(
                matches!(
                    offer(&challenges(&headers(&[unanswerable]))),
                    Offer::Unsupported
                ),
                "{unanswerable}"
            );
        }
        assert!(matches!(
            offer(&challenges(&headers(&[r#"Basic realm="dav""#]))),
            Offer::None
        ));
        // One answerable challenge among unanswerable ones is used.
        let mixed = challenges(&headers(&[
            r#"Digest realm="dav", nonce="n", algorithm=SHA3-512"#,
            r#"Digest realm="dav", nonce="n", algorithm=MD5"#,
        ]));
        assert!(matches!(offer(&mixed), Offer::Digest(_)));
    }
}
