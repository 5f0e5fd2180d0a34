//! Multipart submissions: one part `submission` (the JSON envelope) and one
//! part per attached file, named by the JSON pointer of its attachment field
//! (e.g. `/hund/0/nachweis`), in the order of that field's metadata.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use bytes::Bytes;
use http_body_util::Limited;

use super::attachments::ReceivedFile;
use super::config::Limits;
use super::error::{ApiError, ApiResult};

/// The name of the part with the JSON envelope.
pub const SUBMISSION_PART: &str = "submission";

/// A multipart submission, read into memory.
#[derive(Debug)]
pub struct Upload {
    /// The `submission` part.
    pub submission: Bytes,
    /// The file parts, in the order received.
    pub files: Vec<ReceivedFile>,
}

/// Reads a multipart body within the limits: the whole body at most
/// `limits.multipart_bytes` (also when sent chunked), the submission part at
/// most `limits.json_bytes`, at most `limits.parts` parts.
pub async fn read(request: Request, limits: &Limits) -> ApiResult<Upload> {
    let max = limits.multipart_bytes;
    let request = request.map(|body| Body::new(Limited::new(body, max)));
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| ApiError::bad_request("malformed_multipart", rejection.body_text()))?;
    let part_error = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(max)
        } else {
            ApiError::bad_request("malformed_multipart", error.body_text())
        }
    };
    let mut submission = None;
    let mut files = Vec::new();
    let mut parts = 0;
    while let Some(field) = multipart.next_field().await.map_err(part_error)? {
        parts += 1;
        if parts > limits.parts {
            drop(field);
            drain(&mut multipart).await;
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_parts",
                format!("at most {} parts are accepted", limits.parts),
            ));
        }
        let name = field.name().map(str::to_string).or_else(|| extended_name(field.headers())).unwrap_or_default();
        if name == SUBMISSION_PART {
            if submission.is_some() {
                return Err(ApiError::bad_request("malformed_multipart", "the part 'submission' must appear once"));
            }
            let media_type = field.content_type().map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
            if media_type.as_deref().is_some_and(|t| t != "application/json") {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "the part 'submission' must be application/json",
                ));
            }
            let bytes = field.bytes().await.map_err(part_error)?;
            if bytes.len() > limits.json_bytes {
                return Err(ApiError::too_large(limits.json_bytes));
            }
            submission = Some(bytes);
        } else if name.starts_with('/') {
            let file_name = field.file_name().map(str::to_string).or_else(|| extended_param(field.headers(), "filename*"));
            let content_type = field.content_type().map(str::to_string);
            let content = field.bytes().await.map_err(part_error)?;
            files.push(ReceivedFile::new(name, file_name, content_type, content));
        } else {
            return Err(ApiError::bad_request(
                "unexpected_part",
                format!("unexpected part '{name}': send 'submission' and file parts named by the JSON pointer of their attachment field"),
            ));
        }
    }
    let submission =
        submission.ok_or_else(|| ApiError::bad_request("missing_submission", "the part 'submission' with the JSON envelope is missing"))?;
    Ok(Upload { submission, files })
}

/// Reads and drops the remaining parts (bounded by the body limit), so the
/// client, still sending, receives the error instead of a reset connection.
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.bytes().await.is_err() {
            break;
        }
    }
}

/// The part name from an RFC 7578/5987 extended parameter (`name*=UTF-8''%2Fhund%2F0%2Fnachweis`),
/// which some clients send for names with `/`.
fn extended_name(headers: &axum::http::HeaderMap) -> Option<String> {
    extended_param(headers, "name*")
}

fn extended_param(headers: &axum::http::HeaderMap, param: &str) -> Option<String> {
    let disposition = headers.get(axum::http::header::CONTENT_DISPOSITION)?.to_str().ok()?;
    let value = disposition.split(';').map(str::trim).find_map(|p| p.strip_prefix(param)?.trim_start().strip_prefix('='))?;
    let (charset, rest) = value.trim().trim_matches('"').split_once('\'')?;
    let (_language, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    percent_decode(encoded)
}

fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(b) = input.next() {
        if b == b'%' {
            let hex = [input.next()?, input.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderMap, HeaderValue};

    #[test]
    fn reads_extended_part_names() {
        let mut headers = HeaderMap::new();
        let value = "form-data; name*=utf-8''%2Fhund%2F0%2Fnachweis; filename*=utf-8''Erlaubnis%20M%C3%BCller.pdf";
        headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(value));
        assert_eq!(extended_name(&headers).as_deref(), Some("/hund/0/nachweis"));
        assert_eq!(extended_param(&headers, "filename*").as_deref(), Some("Erlaubnis Müller.pdf"));
        assert_eq!(percent_decode("%zz"), None);
    }
}
