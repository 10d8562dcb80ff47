//! The request log: what every request to the fake asked for, in arrival order.

use serde::Serialize;

/// One request as the fake received it, logged before any fault is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The percent-decoded path, e.g. `/v1.0/me/calendars/AAMk=/calendarView/delta`.
    pub path: String,
    /// The decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The decoded `application/x-www-form-urlencoded` body pairs, in order.
    pub form: Vec<(String, String)>,
    /// The token of an `Authorization: Bearer` header, if any.
    pub bearer: Option<String>,
    /// Every `Prefer` header value, in order.
    pub prefer: Vec<String>,
}

impl RecordedRequest {
    /// The first value of `name` in the query.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        first(&self.query, name)
    }

    /// The first value of `name` in the form body.
    pub fn form_param(&self, name: &str) -> Option<&str> {
        first(&self.form, name)
    }

    /// Whether this is a Microsoft Graph request (below `/v1.0`).
    pub fn is_graph(&self) -> bool {
        self.path.starts_with("/v1.0/")
    }

    /// Whether this is a request to a token endpoint.
    pub fn is_token(&self) -> bool {
        self.path.ends_with("/oauth2/v2.0/token")
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
    fn params_come_from_query_and_form_separately() {
        let request = RecordedRequest {
            method: "POST".into(),
            path: "/common/oauth2/v2.0/token".into(),
            query: decode_pairs(b"a=1&%24skiptoken=q"),
            form: decode_pairs(b"code=f&b=x+y%2Fz"),
            bearer: None,
            prefer: Vec::new(),
        };
        assert_eq!(request.query_param("$skiptoken"), Some("q"));
        assert_eq!(request.form_param("b"), Some("x y/z"));
        assert_eq!(request.query_param("code"), None);
        assert!(request.is_token());
        assert!(!request.is_graph());
    }
}
