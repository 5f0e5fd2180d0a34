//! The operator API: a municipality's IT fetches its submissions with its
//! bearer token. Responses carry personal data, so none may be cached.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::auth;
use super::error::{ApiError, ApiResult};
use super::state::Shared;
use super::storage::StoreError;

/// Page size when the client names none.
const DEFAULT_LIMIT: u32 = 50;
/// Largest page.
const MAX_LIMIT: u32 = 500;

/// `GET /api/{tenant}/submissions?limit=&after=`: the tenant's submissions,
/// oldest first; `next` is the `after` of the following page.
pub async fn list(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    authorize(&state, &tenant, &headers)?;
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::bad_request("invalid_query", format!("limit must be a number from 1 to {MAX_LIMIT}")))?,
    };
    let after = match query.get("after") {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| ApiError::bad_request("invalid_query", "after must be the `next` cursor of an earlier page"))?,
        ),
    };
    let page = state.store.list(&tenant, after, limit).await.map_err(store_error)?;
    Ok(private(Json(page).into_response()))
}

/// `GET /api/{tenant}/submissions/{id}`: the stored submission with the
/// metadata of its files.
pub async fn get(State(state): State<Shared>, Path((tenant, id)): Path<(String, String)>, headers: HeaderMap) -> ApiResult<Response> {
    authorize(&state, &tenant, &headers)?;
    let stored = state.store.get(&tenant, &id).await.map_err(store_error)?.ok_or_else(no_submission)?;
    Ok(private(Json(stored).into_response()))
}

/// `GET /api/{tenant}/submissions/{id}/attachments/{n}`: a file's bytes.
pub async fn attachment(
    State(state): State<Shared>,
    Path((tenant, id, n)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    authorize(&state, &tenant, &headers)?;
    let n: u32 = n.parse().map_err(|_| ApiError::not_found("unknown_attachment", "attachments are numbered 0, 1, 2, …"))?;
    let (meta, content) = state
        .store
        .attachment(&tenant, &id, n)
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::not_found("unknown_attachment", format!("submission '{id}' has no attachment {n}")))?;
    let mut response = content.into_response();
    let headers = response.headers_mut();
    // Citizens chose these bytes and their type: never let a browser render them here.
    let media_type = HeaderValue::from_str(&meta.media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, media_type);
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    if let Ok(digest) = HeaderValue::from_str(&meta.sha256) {
        headers.insert("x-efa-sha256", digest);
    }
    Ok(private(response))
}

fn authorize(state: &Shared, tenant: &str, headers: &HeaderMap) -> ApiResult<()> {
    auth::authorize(state.tokens.as_ref(), tenant, headers)?;
    state.tenant_exists(tenant)
}

fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn no_submission() -> ApiError {
    ApiError::not_found("unknown_submission", "this tenant has no submission with that id")
}

fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::Unavailable(detail) => ApiError::storage(&detail),
        StoreError::Conflict => ApiError::new(StatusCode::CONFLICT, "conflict", "conflict"),
    }
}
