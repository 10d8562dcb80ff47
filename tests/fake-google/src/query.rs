//! Reading and validating the query parameters of the list methods.

use chrono::{DateTime, Utc};

use crate::errors::ApiError;
use crate::log::RecordedRequest;
use crate::times::parse_rfc3339_param;

/// `maxResults`: a positive integer, `default` when absent, capped at `cap`.
pub(crate) fn max_results(
    request: &RecordedRequest,
    default: usize,
    cap: usize,
) -> Result<usize, ApiError> {
    let Some(text) = request.query_param("maxResults") else {
        return Ok(default);
    };
    match text.parse::<usize>() {
        Ok(value) if value > 0 => Ok(value.min(cap)),
        _ => Err(ApiError::invalid_parameter("maxResults", text)),
    }
}

/// A boolean parameter: `true` or `false`.
pub(crate) fn flag(request: &RecordedRequest, name: &str) -> Result<Option<bool>, ApiError> {
    match request.query_param(name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::invalid_parameter(name, other)),
    }
}

/// An RFC 3339 time parameter with a mandatory offset.
pub(crate) fn time(
    request: &RecordedRequest,
    name: &str,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    request
        .query_param(name)
        .map(|text| {
            parse_rfc3339_param(text).ok_or_else(|| {
                ApiError::bad_request(format!("Invalid value for {name}: {text}"))
                    .at_parameter(name)
            })
        })
        .transpose()
}
