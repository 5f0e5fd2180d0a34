//! Reading request bodies within limits: media type (415), size (413,
//! checked on `Content-Length` first and again while reading, for chunked
//! bodies), and JSON syntax and nesting (400).

use std::error::Error as _;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value as Json;

use super::error::{ApiError, ApiResult};

/// The kinds of request body the API takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` (or `application/*+json`).
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// The body kind from `Content-Type`, or 415 naming the accepted ones.
pub fn body_kind(headers: &HeaderMap, multipart_allowed: bool) -> ApiResult<BodyKind> {
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let accepted = if multipart_allowed { "application/json or multipart/form-data" } else { "application/json" };
    match essence.as_str() {
        "application/json" => Ok(BodyKind::Json),
        e if e.starts_with("application/") && e.ends_with("+json") => Ok(BodyKind::Json),
        "multipart/form-data" if multipart_allowed => Ok(BodyKind::Multipart),
        "" => Err(unsupported(format!("a Content-Type header is required: {accepted}"))),
        _ => Err(unsupported(format!("Content-Type '{essence}' is not supported here; send {accepted}"))),
    }
}

fn unsupported(message: String) -> ApiError {
    ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message)
}

/// 413 when `Content-Length` already says the body is too large, before
/// reading any of it.
pub fn check_length(headers: &HeaderMap, limit: usize) -> ApiResult<()> {
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    match length {
        Some(length) if length > limit as u64 => Err(ApiError::too_large(limit)),
        _ => Ok(()),
    }
}

/// Reads the whole body, at most `limit` bytes.
pub async fn read_body(body: Body, limit: usize) -> ApiResult<Bytes> {
    axum::body::to_bytes(body, limit).await.map_err(|error| {
        if error.source().is_some_and(is_length_limit) {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request("body_read_failed", format!("the request body could not be read: {error}"))
        }
    })
}

/// Whether an error (or one of its causes) is a body length limit.
pub fn is_length_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// Parses JSON. serde_json stops at 128 levels of nesting, so hostile
/// nesting is a 400, never a stack overflow.
pub fn parse_json(bytes: &[u8]) -> ApiResult<Json> {
    serde_json::from_slice(bytes).map_err(|error| {
        if error.to_string().starts_with("recursion limit exceeded") {
            ApiError::bad_request("too_deep", "the JSON is nested too deeply (at most 128 levels)")
        } else {
            ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {error}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn content_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn classifies_media_types() {
        assert_eq!(body_kind(&content_type("application/json; charset=utf-8"), true).unwrap(), BodyKind::Json);
        assert_eq!(body_kind(&content_type("application/merge+json"), false).unwrap(), BodyKind::Json);
        assert_eq!(body_kind(&content_type("multipart/form-data; boundary=x"), true).unwrap(), BodyKind::Multipart);
        assert_eq!(
            body_kind(&content_type("multipart/form-data; boundary=x"), false).unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(body_kind(&content_type("text/plain"), true).unwrap_err().status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body_kind(&HeaderMap::new(), true).unwrap_err().code, "unsupported_media_type");
    }

    #[test]
    fn deep_nesting_is_a_clear_error() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(parse_json(deep.as_bytes()).unwrap_err().code, "too_deep");
        assert_eq!(parse_json(b"{\"a\": ").unwrap_err().code, "malformed_json");
    }
}
