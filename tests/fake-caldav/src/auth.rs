//! The fake's login: Basic (RFC 7617) or Digest (RFC 7616, qop=auth, MD5 and SHA-256), checked
//! with its own arithmetic. Nonces are random, remembered (at most [`MAX_NONCES`]), and can be
//! marked stale by the test, which the next request learns through `stale=true`. A nonce count
//! used twice with one nonce is refused as a replay.

use std::collections::{HashMap, HashSet, VecDeque};

use base64::Engine as _;
use md5::{Digest as _, Md5};
use rand::distr::{Alphanumeric, SampleString};
use sha2::Sha256;

/// The realm the fake names in its challenges.
pub const REALM: &str = "fake-caldav";

/// Nonces remembered; older ones are forgotten (and then refused as unknown).
const MAX_NONCES: usize = 1024;

/// A Digest hash function the fake offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Md5,
    Sha256,
}

impl DigestAlgorithm {
    fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }

    fn from_name(name: &str) -> Option<DigestAlgorithm> {
        match name.to_ascii_uppercase().as_str() {
            "MD5" => Some(DigestAlgorithm::Md5),
            "SHA-256" => Some(DigestAlgorithm::Sha256),
            _ => None,
        }
    }

    fn hash(self, text: &str) -> String {
        let bytes: Vec<u8> = match self {
            DigestAlgorithm::Md5 => Md5::digest(text.as_bytes()).to_vec(),
            DigestAlgorithm::Sha256 => Sha256::digest(text.as_bytes()).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Which login the fake asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    /// `WWW-Authenticate: Basic`; Digest answers are refused.
    Basic,
    /// Digest only, one challenge per algorithm in this order (the server's preference); Basic
    /// answers are refused.
    Digest(Vec<DigestAlgorithm>),
}

/// What a request's `Authorization` carried, as the request log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSeen {
    Basic {
        username: String,
    },
    Digest {
        username: String,
        /// As the client named it (`MD5` when it named none).
        algorithm: String,
        nonce: String,
        nc: u32,
    },
    /// A header the fake could not read.
    Other,
}

/// The outcome of checking one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// 401 with these `WWW-Authenticate` values.
    Refused(Vec<String>),
}

#[derive(Debug)]
struct NonceState {
    stale: bool,
    counts: HashSet<u32>,
}

/// The credentials and the nonces handed out.
#[derive(Debug)]
pub struct Login {
    pub scheme: AuthScheme,
    username: String,
    password: String,
    nonces: HashMap<String, NonceState>,
    order: VecDeque<String>,
    opaque: String,
}

impl Login {
    pub fn new(scheme: AuthScheme, username: &str, password: &str) -> Login {
        Login {
            scheme,
            username: username.to_owned(),
            password: password.to_owned(),
            nonces: HashMap::new(),
            order: VecDeque::new(),
            opaque: random(24),
        }
    }

    /// Accepts `password` from now on (a password revoked on the server).
    pub fn set_password(&mut self, password: &str) {
        self.password = password.to_owned();
    }

    /// Marks every nonce handed out so far stale.
    pub fn expire_nonces(&mut self) {
        for state in self.nonces.values_mut() {
            state.stale = true;
        }
    }

    /// Reads the `Authorization` header for the log.
    pub fn seen(header: Option<&str>) -> Option<AuthSeen> {
        let header = header?;
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        Some(match scheme.to_ascii_lowercase().as_str() {
            "basic" => match basic_pair(rest) {
                Some((username, _)) => AuthSeen::Basic { username },
                None => AuthSeen::Other,
            },
            "digest" => {
                let p = params(rest);
                let nc = p.get("nc").and_then(|n| u32::from_str_radix(n, 16).ok());
                match (p.get("username"), p.get("nonce"), nc) {
                    (Some(u), Some(n), Some(nc)) => AuthSeen::Digest {
                        username: u.clone(),
                        algorithm: p.get("algorithm").cloned().unwrap_or_else(|| "MD5".into()),
                        nonce: n.clone(),
                        nc,
                    },
                    _ => AuthSeen::Other,
                }
            }
            _ => AuthSeen::Other,
        })
    }

    /// Checks `header` for a request of `method` whose request line named `target`.
    pub fn check(&mut self, header: Option<&str>, method: &str, target: &str) -> Verdict {
        let Some(header) = header else {
            return self.refuse(false);
        };
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        match (&self.scheme, scheme.to_ascii_lowercase().as_str()) {
            (AuthScheme::Basic, "basic") => match basic_pair(rest) {
                Some((u, p)) if u == self.username && p == self.password => Verdict::Allowed,
                _ => self.refuse(false),
            },
            (AuthScheme::Digest(_), "digest") => self.check_digest(&params(rest), method, target),
            _ => self.refuse(false),
        }
    }

    fn check_digest(&mut self, p: &HashMap<String, String>, method: &str, target: &str) -> Verdict {
        let get = |k: &str| p.get(k).map(String::as_str);
        let (Some(username), Some(nonce), Some(uri), Some(response)) =
            (get("username"), get("nonce"), get("uri"), get("response"))
        else {
            return self.refuse(false);
        };
        let algorithm = match get("algorithm") {
            Some(name) => DigestAlgorithm::from_name(name),
            None => Some(DigestAlgorithm::Md5),
        };
        let offered = match &self.scheme {
            AuthScheme::Digest(list) => list.clone(),
            AuthScheme::Basic => Vec::new(),
        };
        let Some(algorithm) = algorithm.filter(|a| offered.contains(a)) else {
            return self.refuse(false);
        };
        if username != self.username
            || get("realm") != Some(REALM)
            || uri != target
            || get("opaque") != Some(self.opaque.as_str())
            || get("qop") != Some("auth")
        {
            return self.refuse(false);
        }
        let (Some(nc_text), Some(cnonce)) = (get("nc"), get("cnonce")) else {
            return self.refuse(false);
        };
        let Some(nc) = u32::from_str_radix(nc_text, 16)
            .ok()
            .filter(|_| nc_text.len() == 8)
        else {
            return self.refuse(false);
        };
        let ha1 = algorithm.hash(&format!("{username}:{REALM}:{}", self.password));
        let ha2 = algorithm.hash(&format!("{method}:{uri}"));
        let expected = algorithm.hash(&format!("{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}"));
        if expected != response {
            return self.refuse(false);
        }
        // The password is right: now the nonce must be current and the count new.
        let (stale, fresh_count) = match self.nonces.get_mut(nonce) {
            Some(state) if state.stale => (true, false),
            Some(state) => (false, state.counts.insert(nc)),
            None => (false, false),
        };
        if fresh_count {
            Verdict::Allowed
        } else {
            self.refuse(stale)
        }
    }

    /// A 401's challenges, each with a fresh nonce.
    fn refuse(&mut self, stale: bool) -> Verdict {
        let AuthScheme::Digest(algorithms) = &self.scheme else {
            return Verdict::Refused(vec![format!("Basic realm=\"{REALM}\", charset=\"UTF-8\"")]);
        };
        let algorithms = algorithms.clone();
        let nonce = random(32);
        self.nonces.insert(
            nonce.clone(),
            NonceState {
                stale: false,
                counts: HashSet::new(),
            },
        );
        self.order.push_back(nonce.clone());
        while self.order.len() > MAX_NONCES {
            if let Some(old) = self.order.pop_front() {
                self.nonces.remove(&old);
            }
        }
        let stale = if stale { ", stale=true" } else { "" };
        Verdict::Refused(
            algorithms
                .iter()
                .map(|a| {
                    format!(
                        "Digest realm=\"{REALM}\", qop=\"auth\", algorithm={}, nonce=\"{nonce}\", opaque=\"{}\"{stale}",
                        a.name(),
                        self.opaque
                    )
                })
                .collect(),
        )
    }
}

fn random(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// `user:password` from a Basic credential.
fn basic_pair(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_owned(), p.to_owned()))
}

/// The `name=value` / `name="value"` pairs of a Digest header, names lower-cased.
fn params(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = text.trim();
    // Each turn consumes at least one byte, so this ends.
    while !rest.is_empty() {
        let Some((name, after)) = rest.split_once('=') else {
            break;
        };
        let name = name
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.insert(name, value);
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7616 §3.9.1, checked from the server's side.
    #[test]
    fn the_rfc_7616_example_is_accepted_by_the_arithmetic() {
        for (algorithm, response) in [
            (
                DigestAlgorithm::Sha256,
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
            (DigestAlgorithm::Md5, "8ca523f5e9506fed4657c9700eebdbec"),
        ] {
            let ha1 = algorithm.hash("Mufasa:http-auth@example.org:Circle of Life");
            let ha2 = algorithm.hash("GET:/dir/index.html");
            let got = algorithm.hash(&format!(
                "{ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:{ha2}"
            ));
            assert_eq!(got, response);
        }
    }

    #[test]
    fn digest_parameters_are_read_quoted_or_not() {
        let p = params(r#"username="Mu\"fasa", nc=00000001,qop=auth, uri="/a,b""#);
        assert_eq!(p["username"], "Mu\"fasa");
        assert_eq!(p["nc"], "00000001");
        assert_eq!(p["qop"], "auth");
        assert_eq!(p["uri"], "/a,b");
        // Garbage ends the loop without a panic.
        let _ = params(r#"=, "x"#);
        let _ = params(r#"a="unterminated"#);
    }

    #[test]
    fn basic_is_refused_under_digest_and_a_wrong_password_too() {
        let mut login = Login::new(AuthScheme::Digest(vec![DigestAlgorithm::Md5]), "u", "p");
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("u:p")
        );
        let Verdict::Refused(challenges) = login.check(Some(&basic), "GET", "/") else {
            panic!("Basic accepted under Digest");
        };
        assert!(challenges[0].starts_with("Digest realm=\"fake-caldav\""));
        let mut basic_login = Login::new(AuthScheme::Basic, "u", "p");
        assert_eq!(
            basic_login.check(Some(&basic), "GET", "/"),
            Verdict::Allowed
        );
        let wrong = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("u:x")
        );
        assert!(matches!(
            basic_login.check(Some(&wrong), "GET", "/"),
            Verdict::Refused(_)
        ));
    }
}
