//! The request log: what every request to the fake asked for, in arrival order.

use serde::Serialize;

/// One request as the fake received it, logged before any fault is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The percent-decoded path, e.g. `/calendar/v3/calendars/user@example.com/events`.
    pub path: String,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The decoded `application/x-www-form-urlencoded` body pairs, in order.
    pub form: Vec<(String, String)>,
    /// Whether the request carried an `Authorization` header.
    pub authorized: bool,
    /// The token of an `Authorization: Bearer` header, if any.
    pub bearer: Option<String>,
}

impl RecordedRequest {
    /// The first value of `name` in the query, else in the form body.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query_param(name).or_else(|| self.form_param(name))
    }

    /// The first value of `name` in the query.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        first(&self.query, name)
    }

    /// The first value of `name` in the form body.
    pub fn form_param(&self, name: &str) -> Option<&str> {
        first(&self.form, name)
    }
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Decodes `application/x-www-form-urlencoded` text (a query string or a form body).
pub(crate) fn decode_pairs(input: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(input)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_prefers_the_query_then_the_form() {
        let request = RecordedRequest {
            method: "POST".into(),
            path: "/revoke".into(),
            query: decode_pairs(b"a=1&token=q"),
            form: decode_pairs(b"token=f&b=x+y%2Fz"),
            authorized: false,
            bearer: None,
        };
        assert_eq!(request.param("token"), Some("q"));
        assert_eq!(request.param("b"), Some("x y/z"));
        assert_eq!(request.form_param("token"), Some("f"));
        assert_eq!(request.param("missing"), None);
    }
}
