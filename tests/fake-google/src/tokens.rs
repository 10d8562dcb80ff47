//! Opaque, tamper-evident sync and page tokens: a payload sealed with a per-server key.
//!
//! A token is URL-safe base64 (with `=` padding, like Google's) of the JSON payload followed by
//! a truncated SHA-256 MAC. Any change to a token, or a token from another server, fails to open.

use std::hash::{DefaultHasher, Hash, Hasher};

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

const MAC_LEN: usize = 12;

/// The key that seals this server's tokens.
pub(crate) struct Sealer {
    key: [u8; 32],
}

impl Sealer {
    pub(crate) fn random() -> Self {
        Sealer {
            key: rand::random(),
        }
    }

    /// Seals `payload` for `purpose` (a token sealed for one purpose never opens for another).
    pub(crate) fn seal<T: Serialize>(&self, purpose: &str, payload: &T) -> String {
        let mut bytes = serde_json::to_vec(payload).unwrap_or_default();
        let mac = self.mac(purpose, &bytes);
        bytes.extend_from_slice(&mac);
        URL_SAFE.encode(bytes)
    }

    /// Opens a token sealed for `purpose`; `None` if it was altered or is not ours.
    pub(crate) fn open<T: DeserializeOwned>(&self, purpose: &str, token: &str) -> Option<T> {
        let bytes = URL_SAFE.decode(token).ok()?;
        let split = bytes.len().checked_sub(MAC_LEN)?;
        let (payload, mac) = bytes.split_at(split);
        if self.mac(purpose, payload) != mac {
            return None;
        }
        serde_json::from_slice(payload).ok()
    }

    fn mac(&self, purpose: &str, payload: &[u8]) -> [u8; MAC_LEN] {
        let digest = Sha256::new()
            .chain_update(self.key)
            .chain_update(purpose.as_bytes())
            .chain_update([0])
            .chain_update(payload)
            .finalize();
        let mut mac = [0; MAC_LEN];
        mac.copy_from_slice(&digest[..MAC_LEN]);
        mac
    }
}

/// A fingerprint of a query, leaving out the parameters a page request may change.
pub(crate) fn query_fingerprint(pairs: &[(String, String)]) -> u64 {
    let mut kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(key, _)| key != "pageToken" && key != "maxResults")
        .collect();
    kept.sort();
    let mut hasher = DefaultHasher::new();
    kept.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_detect_tampering() {
        let sealer = Sealer::random();
        let token = sealer.seal("sync", &(7_u64, "cal"));
        assert_eq!(
            sealer.open::<(u64, String)>("sync", &token),
            Some((7, "cal".into()))
        );
        assert_eq!(sealer.open::<(u64, String)>("page", &token), None);
        assert_eq!(Sealer::random().open::<(u64, String)>("sync", &token), None);
        let mut tampered = token.into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        assert_eq!(sealer.open::<(u64, String)>("sync", &tampered), None);
        assert_eq!(sealer.open::<(u64, String)>("sync", "not a token"), None);
    }

    #[test]
    fn fingerprints_ignore_paging_parameters_and_order() {
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let first = query_fingerprint(&[pair("a", "1"), pair("maxResults", "5"), pair("b", "2")]);
        let later = query_fingerprint(&[pair("b", "2"), pair("pageToken", "x"), pair("a", "1")]);
        assert_eq!(first, later);
        assert_ne!(first, query_fingerprint(&[pair("a", "1")]));
    }
}
