//! API errors as values: every failure a handler can meet becomes an
//! [`ApiError`] with a status, a stable code and a message, rendered as
//! `{"error": {"code", "message"}, "issues": [...]}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use efa_engine::Issue;
use serde_json::json;

/// Most issues listed in one 422 answer.
pub const MAX_ISSUES: usize = 500;

/// A failed request.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `malformed_json`.
    pub code: &'static str,
    /// What went wrong, for developers (English).
    pub message: String,
    /// Field-level problems (422), localized for citizens.
    pub issues: Vec<Issue>,
}

impl ApiError {
    /// An error without field issues.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), issues: Vec::new() }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 with `code`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 413: the body exceeds `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the request body is larger than {limit} bytes"))
    }

    /// 422 listing every problem of a submission (the first
    /// [`MAX_ISSUES`]: a body of thousands of unknown keys must not turn
    /// into a response many times its size).
    pub fn invalid(mut issues: Vec<Issue>) -> Self {
        let count = issues.len();
        let message = if count > MAX_ISSUES {
            issues.truncate(MAX_ISSUES);
            format!("the submission has {count} problems; the first {MAX_ISSUES} are listed in issues")
        } else {
            format!("the submission has {count} problem(s); see issues")
        };
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, code: "invalid_submission", message, issues }
    }

    /// 503: storage failed; the detail goes to the log, not to the client.
    pub fn storage(detail: &str) -> Self {
        eprintln!("efa serve: storage error: {detail}");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "the submission store is not available; try again later")
    }

    /// The generic error for a status without a handler-specific one
    /// (e.g. 405 from the router, 408 from the timeout layer).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not_found", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed here"),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long"),
            StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "unsupported content type"),
            StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
            s if s.is_server_error() => ("internal", "internal error"),
            _ => ("error", "the request failed"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": { "code": self.code, "message": self.message },
            "issues": self.issues,
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Handler results.
pub type ApiResult<T> = Result<T, ApiError>;
