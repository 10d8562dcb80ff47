//! Fault injection: a queue of faults, each answering the next N matching requests itself.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A fault applied to the next `times` requests whose path contains `path_contains`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// A substring of the request path (raw or percent-decoded); empty matches every path.
    #[serde(default)]
    pub path_contains: String,
    /// How many matching requests get this fault.
    #[serde(default = "one")]
    pub times: usize,
    pub kind: FaultKind,
}

fn one() -> usize {
    1
}

/// What a faulted request gets instead of its normal answer.
///
/// As JSON (admin API): `{"status":{"status":503,"code":"serviceNotAvailable","retry_after":2}}`,
/// `{"throttle":{"retry_after":3}}`, `"truncated_json"`, `{"delay":1500}` (milliseconds),
/// `"hang"`, `"empty_page"`, `{"html_page":504}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// That status with Graph's error body carrying `code` (the identity platform's error body
    /// on the token endpoint), plus a `Retry-After` header when `retry_after` is set.
    Status {
        status: u16,
        code: String,
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// 429 `TooManyRequests` with `Retry-After` in seconds, as Graph throttles. [GT]
    Throttle { retry_after: u64 },
    /// 200 with a JSON body cut off in the middle.
    TruncatedJson,
    /// The normal answer, after this delay.
    Delay(#[serde(with = "millis")] Duration),
    /// No answer until the server shuts down.
    Hang,
    /// On a delta request: a page with no events whose `@odata.nextLink` (with a
    /// `$skiptoken`) leads to the page it would have had; the docs allow it ("a page may be
    /// empty and still have a nextLink"). [GC] Other requests answer normally.
    EmptyPage,
    /// That status with an HTML page, as a gateway answers (a 504 body "may not be JSON"). [GE]
    HtmlPage(u16),
}

impl Fault {
    /// A fault for the next `times` requests whose path contains `path_contains`.
    pub fn new(path_contains: impl Into<String>, times: usize, kind: FaultKind) -> Self {
        Fault {
            path_contains: path_contains.into(),
            times,
            kind,
        }
    }
}

impl FaultKind {
    /// A status fault with Graph's error body for `code` and no `Retry-After`.
    pub fn status(status: u16, code: &str) -> Self {
        FaultKind::Status {
            status,
            code: code.to_owned(),
            retry_after: None,
        }
    }
}

/// Takes one use of the first queued fault that matches the path, if any.
pub(crate) fn take(queue: &mut VecDeque<Fault>, raw_path: &str, path: &str) -> Option<FaultKind> {
    queue.retain(|fault| fault.times > 0);
    let fault = queue.iter_mut().find(|fault| {
        raw_path.contains(&fault.path_contains) || path.contains(&fault.path_contains)
    })?;
    fault.times -= 1;
    let kind = fault.kind.clone();
    queue.retain(|fault| fault.times > 0);
    Some(kind)
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Duration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_and_run_out() {
        let mut queue = VecDeque::from([
            Fault::new("/delta", 2, FaultKind::status(503, "serviceNotAvailable")),
            Fault::new("", 1, FaultKind::Hang),
        ]);
        assert_eq!(take(&mut queue, "/token", "/token"), Some(FaultKind::Hang));
        assert_eq!(
            take(&mut queue, "/a/delta", "/a/delta"),
            Some(FaultKind::status(503, "serviceNotAvailable"))
        );
        assert!(take(&mut queue, "/a/delta", "/a/delta").is_some());
        assert_eq!(take(&mut queue, "/a/delta", "/a/delta"), None);
        assert!(queue.is_empty());
    }

    #[test]
    fn faults_read_from_json() {
        let fault: Fault = serde_json::from_str(
            r#"{"path_contains":"calendarView","times":3,"kind":{"throttle":{"retry_after":2}}}"#,
        )
        .expect("valid fault");
        assert_eq!(fault.kind, FaultKind::Throttle { retry_after: 2 });
        let fault: Fault = serde_json::from_str(r#"{"kind":"hang"}"#).expect("valid fault");
        assert_eq!((fault.times, fault.path_contains.as_str()), (1, ""));
    }
}
