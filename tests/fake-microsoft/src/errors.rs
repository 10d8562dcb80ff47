//! Error answers in Microsoft's shapes: Graph's `{"error":{code,message,innerError}}` and the
//! identity platform's token-endpoint body with its AADSTS code. [GE][IE]

use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde_json::json;

/// The content type Graph sends with its JSON answers.
pub(crate) const JSON: &str = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

/// A Graph error: `{"error":{"code","message","innerError":{"date","request-id",..}}}`.
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    status: StatusCode,
    code: String,
    message: String,
}

impl GraphError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        GraphError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// An error with the message Graph uses for `code`, where the fake knows one.
    pub(crate) fn with_code(status: u16, code: &str) -> Self {
        let message = match code {
            "TooManyRequests" | "ApplicationThrottled" => {
                "Application is over its MailboxConcurrency limit."
            }
            "serviceNotAvailable" => "The service is temporarily unavailable.",
            "ErrorItemNotFound" => "The specified object was not found in the store.",
            "SyncStateNotFound" => SYNC_STATE_NOT_FOUND,
            _ => "An error occurred.",
        };
        Self::new(status, code, message)
    }

    /// 401 `InvalidAuthenticationToken`: a missing, unknown or expired access token.
    pub(crate) fn invalid_token(message: &str) -> Self {
        Self::new(401, "InvalidAuthenticationToken", message)
    }

    /// 403 `ErrorAccessDenied`: the grant lacks the permission.
    pub(crate) fn access_denied() -> Self {
        Self::new(
            403,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        )
    }

    /// 404 `ErrorItemNotFound`.
    pub(crate) fn not_found() -> Self {
        Self::with_code(404, "ErrorItemNotFound")
    }

    /// 410 `SyncStateNotFound`, the body observed for an evicted or expired delta token. [GI]
    pub(crate) fn sync_state_not_found() -> Self {
        Self::with_code(410, "SyncStateNotFound")
    }

    /// 400 `ErrorInvalidParameter`-style errors for a request the fake cannot serve.
    pub(crate) fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub(crate) fn body(&self) -> serde_json::Value {
        let date = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": date,
                    "request-id": uuid_like(),
                    "client-request-id": uuid_like(),
                }
            }
        })
    }
}

/// The message of the 410 body seen in the wild. [GI]
const SYNC_STATE_NOT_FOUND: &str =
    "The sync state generation is not found; it may have expired or been deleted.";

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, self.body().to_string());
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                ),
            );
        }
        response
    }
}

/// A token-endpoint error: `{"error","error_description":"AADSTSnnnn: ...","error_codes":[n],
/// "timestamp","trace_id","correlation_id","error_uri"}`. [IE]
pub(crate) fn identity_error(status: u16, error: &str, aadsts: u32, text: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let now = Utc::now();
    let trace_id = uuid_like();
    let correlation_id = uuid_like();
    let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
    let description = format!(
        "AADSTS{aadsts}: {text} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
    );
    let body = json!({
        "error": error,
        "error_description": description,
        "error_codes": [aadsts],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={aadsts}"),
    });
    (
        status,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// A JSON answer with Graph's content type.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, JSON)], body).into_response()
}

/// A random id in the 8-4-4-4-12 hex form Microsoft uses for request and trace ids.
pub(crate) fn uuid_like() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_state_not_found_has_the_observed_shape() {
        let body = GraphError::sync_state_not_found().body();
        assert_eq!(body["error"]["code"], "SyncStateNotFound");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("The sync state generation is not found")));
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }

    #[test]
    fn uuid_like_ids_have_five_groups() {
        let id = uuid_like();
        let lengths: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
    }
}
