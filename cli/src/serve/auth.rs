//! Bearer tokens of operators, one per tenant.
//!
//! A token opens only its own tenant's submissions: the presented token is
//! compared with the token of the tenant named in the path, never looked up
//! among all tokens. Comparison is constant-time over SHA-256 digests, so
//! neither content nor length leaks through timing.

use axum::http::{header, HeaderMap, StatusCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::config::{Tokens, TOKENS_ENV};
use super::error::{ApiError, ApiResult};

/// Checks that the request carries `tenant`'s operator token.
pub fn authorize(tokens: Option<&Tokens>, tenant: &str, headers: &HeaderMap) -> ApiResult<()> {
    let Some(tokens) = tokens else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "operator_api_disabled",
            format!("the operator API is off: no operator tokens are configured (set {TOKENS_ENV} or start with --tokens FILE)"),
        ));
    };
    let unauthorized =
        || ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid operator bearer token for this tenant is required");
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(unauthorized)?;
    // Compare even when the tenant has no token, so both cases take equal time.
    let expected = tokens.get(tenant);
    let matches: bool = digest(presented).ct_eq(expected.unwrap_or(&[0; 32])).into();
    if matches && expected.is_some() {
        Ok(())
    } else {
        Err(unauthorized())
    }
}

/// The SHA-256 digest tokens are kept and compared as.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        headers
    }

    #[test]
    fn a_token_opens_only_its_tenant() {
        let tokens = super::super::config::parse_tokens("musterstadt=secret-one,seedorf=secret-two").unwrap();
        assert!(authorize(Some(&tokens), "musterstadt", &bearer("secret-one")).is_ok());
        assert_eq!(authorize(Some(&tokens), "seedorf", &bearer("secret-one")).unwrap_err().status, StatusCode::UNAUTHORIZED);
        assert_eq!(authorize(Some(&tokens), "beispielhausen", &bearer("")).unwrap_err().status, StatusCode::UNAUTHORIZED);
        assert_eq!(authorize(Some(&tokens), "musterstadt", &HeaderMap::new()).unwrap_err().status, StatusCode::UNAUTHORIZED);
        assert_eq!(authorize(None, "musterstadt", &bearer("secret-one")).unwrap_err().status, StatusCode::FORBIDDEN);
    }

    #[test]
    fn a_digest_in_the_configuration_opens_with_its_token() {
        let hex: String = digest("secret-one").iter().map(|b| format!("{b:02x}")).collect();
        let tokens = super::super::config::parse_tokens(&format!("musterstadt=sha256:{hex}")).unwrap();
        assert!(authorize(Some(&tokens), "musterstadt", &bearer("secret-one")).is_ok());
        assert_eq!(
            authorize(Some(&tokens), "musterstadt", &bearer(&format!("sha256:{hex}"))).unwrap_err().status,
            StatusCode::UNAUTHORIZED
        );
    }
}
