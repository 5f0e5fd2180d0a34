//! Reading request bodies within limits: media type (415), size (413,
//! checked on `Content-Length` first and again while reading, for chunked
//! bodies), and JSON syntax and nesting (400).

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use bytes::BytesMut;
use http_body_util::BodyExt;
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

/// Bodies up to this size are read to the end (and dropped) before a 413 is
/// sent: a client still sending would otherwise see its connection reset
/// instead of the answer. Larger ones are cut off at once.
const DRAIN_BYTES: u64 = 64 * 1024 * 1024;
/// Longest time spent draining.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// 413 when `Content-Length` already says the body is too large; otherwise
/// the request, untouched.
pub async fn check_length(request: Request, limit: usize) -> ApiResult<Request> {
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => {
            if length <= DRAIN_BYTES {
                drain(request.into_body()).await;
            }
            Err(ApiError::too_large(limit))
        }
        _ => Ok(request),
    }
}

/// Reads the whole body, at most `limit` bytes (also when sent chunked).
pub async fn read_body(body: Body, limit: usize) -> ApiResult<Bytes> {
    let mut body = body;
    let mut collected = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|error| ApiError::bad_request("body_read_failed", format!("the request body could not be read: {error}")))?;
        let Ok(data) = frame.into_data() else { continue };
        if collected.len() + data.len() > limit {
            drain(body).await;
            return Err(ApiError::too_large(limit));
        }
        collected.extend_from_slice(&data);
    }
    Ok(collected.freeze())
}

/// Reads and drops the rest of a body, within [`DRAIN_BYTES`] and [`DRAIN_TIME`].
async fn drain(mut body: Body) {
    let read = async {
        let mut seen = 0u64;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, |d| d.len() as u64);
            if seen > DRAIN_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}

/// Bodies larger than this are validated on the blocking pool.
const INLINE_BYTES: usize = 64 * 1024;

/// Runs engine work for a body of `size` bytes: inline when small (the
/// common case, microseconds), on the blocking pool when large, so one big
/// submission does not stall the async workers serving everyone else.
pub async fn cpu_bound<T: Send + 'static>(size: usize, work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    if size <= INLINE_BYTES {
        return Ok(work());
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "validation failed unexpectedly"))
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
