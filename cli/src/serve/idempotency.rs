//! The `Idempotency-Key` header: a retried send is stored once.
//!
//! The store keeps the key with a hash of the request's content; the same
//! key with the same content gets the first receipt again, with different
//! content a 409.

use axum::http::{HeaderMap, StatusCode};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use super::attachments::ReceivedFile;
use super::error::{ApiError, ApiResult};

/// The header's name.
pub const HEADER: &str = "idempotency-key";
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// The key, if the request has one; 400 if it is empty, too long or not
/// printable ASCII.
pub fn key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let mut values = headers.get_all(HEADER).iter();
    let Some(value) = values.next() else { return Ok(None) };
    let bad = |why: &str| ApiError::bad_request("invalid_idempotency_key", format!("Idempotency-Key {why}"));
    if values.next().is_some() {
        return Err(bad("must be sent once"));
    }
    let key = value.to_str().map_err(|_| bad("must be printable ASCII"))?;
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(bad(&format!("must have 1 to {MAX_KEY_LEN} characters")));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("must be printable ASCII without spaces"));
    }
    Ok(Some(key.to_string()))
}

/// SHA-256 (hex) of what makes two requests "the same": the form, the
/// submitted JSON (parsed, so whitespace does not matter) and every file.
pub fn request_hash(form_id: &str, envelope: &Json, files: &[ReceivedFile]) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        // Length-prefixed, so no two different sequences hash alike.
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(form_id.as_bytes());
    field(envelope.to_string().as_bytes());
    for file in files {
        field(file.part.as_bytes());
        field(file.name.as_deref().unwrap_or_default().as_bytes());
        field(file.content_type.as_deref().unwrap_or_default().as_bytes());
        field(file.sha256.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 409 for a key reused with different content.
pub fn conflict() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_conflict",
        "this Idempotency-Key was already used for a different submission; use a new key for new content",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn validates_keys() {
        assert_eq!(key(&HeaderMap::new()).unwrap(), None);
        assert_eq!(key(&headers("a1b2-c3")).unwrap().as_deref(), Some("a1b2-c3"));
        assert!(key(&headers("")).is_err());
        assert!(key(&headers("with space")).is_err());
        assert!(key(&headers(&"x".repeat(256))).is_err());
    }

    #[test]
    fn hash_ignores_whitespace_but_not_content() {
        let a: Json = serde_json::from_str(r#"{"form": {"id": "f"}, "data": {"x": 1}}"#).unwrap();
        let b: Json = serde_json::from_str(r#"{"form":{"id":"f"},"data":{"x":1}}"#).unwrap();
        assert_eq!(request_hash("f", &a, &[]), request_hash("f", &b, &[]));
        assert_ne!(request_hash("f", &a, &[]), request_hash("f", &json!({"form": {"id": "f"}, "data": {"x": 2}}), &[]));
        assert_ne!(request_hash("f", &a, &[]), request_hash("g", &a, &[]));
    }
}
