//! Error responses in Google's shapes: the Calendar API error body and the OAuth error body.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The content type Google sends with its JSON answers.
pub(crate) const JSON_UTF8: &str = "application/json; charset=UTF-8";

/// A Calendar API error: `{"error":{"errors":[{domain,reason,message,..}],"code","message"}}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    reason: String,
    message: String,
    location: Option<(&'static str, String)>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `reason`, the message Google uses for it, and the usual location.
    pub(crate) fn new(status: u16, reason: &str) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = default_message(reason)
            .map(str::to_owned)
            .or_else(|| status.canonical_reason().map(str::to_owned))
            .unwrap_or_else(|| reason.to_owned());
        let location = match reason {
            "authError" | "required" => Some(("header", "Authorization".to_owned())),
            "fullSyncRequired" => Some(("parameter", "syncToken".to_owned())),
            _ => None,
        };
        ApiError {
            status,
            reason: reason.to_owned(),
            message,
            location,
            retry_after: None,
        }
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub(crate) fn at_parameter(mut self, name: &str) -> Self {
        self.location = Some(("parameter", name.to_owned()));
        self
    }

    pub(crate) fn with_retry_after(mut self, secs: Option<u64>) -> Self {
        self.retry_after = secs;
        self
    }

    /// 401 `authError` "Invalid Credentials" at the Authorization header.
    pub(crate) fn auth_error() -> Self {
        Self::new(401, "authError")
    }

    /// 404 `notFound`.
    pub(crate) fn not_found() -> Self {
        Self::new(404, "notFound")
    }

    /// 410 `fullSyncRequired` at the syncToken parameter.
    pub(crate) fn full_sync_required() -> Self {
        Self::new(410, "fullSyncRequired")
    }

    /// 400 `badRequest` with a message.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "badRequest").with_message(message)
    }

    /// 400 `invalidParameter` for a query parameter whose value cannot be read.
    pub(crate) fn invalid_parameter(name: &str, value: &str) -> Self {
        Self::new(400, "invalidParameter")
            .with_message(format!("Invalid value '{value}' for parameter {name}."))
            .at_parameter(name)
    }

    /// 400 `syncTokenWithRequestRestrictions`.
    pub(crate) fn sync_token_restricted() -> Self {
        Self::new(400, "syncTokenWithRequestRestrictions")
    }

    fn body(&self) -> serde_json::Value {
        let mut detail = json!({
            "domain": domain(&self.reason),
            "reason": self.reason,
            "message": self.message,
        });
        if let Some((kind, name)) = &self.location {
            detail["locationType"] = json!(kind);
            detail["location"] = json!(name);
        }
        json!({
            "error": {
                "errors": [detail],
                "code": self.status.as_u16(),
                "message": self.message,
            }
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, self.body().to_string());
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"",
                ),
            );
        }
        response
    }
}

/// The error domain Google files a reason under.
fn domain(reason: &str) -> &'static str {
    match reason {
        "rateLimitExceeded" | "userRateLimitExceeded" | "quotaExceeded" | "dailyLimitExceeded" => {
            "usageLimits"
        }
        "timeRangeEmpty" | "forbiddenForNonOrganizer" | "requiredAccessLevel" => "calendar",
        _ => "global",
    }
}

/// The message Google sends with a reason, where it is known.
fn default_message(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "authError" => "Invalid Credentials",
        "required" => "Login Required.",
        "backendError" => "Backend Error",
        "rateLimitExceeded" => "Rate Limit Exceeded",
        "userRateLimitExceeded" => "User Rate Limit Exceeded",
        "quotaExceeded" => "Calendar usage limits exceeded.",
        "forbidden" => "Forbidden",
        "notFound" => "Not Found",
        "badRequest" => "Bad Request",
        "fullSyncRequired" => "Sync token is no longer valid, a full sync is required.",
        "timeRangeEmpty" => "The specified time range is empty.",
        "syncTokenWithRequestRestrictions" => {
            "Sync token cannot be used with other request restrictions."
        }
        "updatedMinTooLongAgo" => {
            "The requested minimum modification time lies too far in the past."
        }
        "deleted" => "Resource has been deleted",
        "duplicate" => "The requested identifier already exists.",
        "conditionNotMet" => "Precondition Failed",
        _ => return None,
    })
}

/// An OAuth endpoint error: `{"error": code, "error_description": text}`.
pub(crate) fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"error": error, "error_description": description});
    json_response(status, body.to_string())
}

/// A JSON answer with Google's content type.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, JSON_UTF8)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_sync_required_has_the_documented_body() {
        let body = ApiError::full_sync_required().body();
        assert_eq!(
            body,
            json!({"error": {"errors": [{
                "domain": "global",
                "reason": "fullSyncRequired",
                "message": "Sync token is no longer valid, a full sync is required.",
                "locationType": "parameter",
                "location": "syncToken"}],
                "code": 410,
                "message": "Sync token is no longer valid, a full sync is required."}})
        );
    }

    #[test]
    fn rate_limits_are_usage_limits() {
        let body = ApiError::new(403, "userRateLimitExceeded").body();
        assert_eq!(body["error"]["errors"][0]["domain"], "usageLimits");
        assert_eq!(body["error"]["message"], "User Rate Limit Exceeded");
        assert_eq!(body["error"]["code"], 403);
    }
}
