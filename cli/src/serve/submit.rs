//! `POST /api/{tenant}/forms/{form}/submissions`: revalidate, check the
//! attachments against what arrived, store durably, answer with a receipt.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use efa_engine::{CompiledForm, Context, Submission};
use serde_json::Value as Json;

use super::attachments::{self, ReceivedFile};
use super::config::Limits;
use super::error::{ApiError, ApiResult};
use super::idempotency;
use super::limits::{self, BodyKind};
use super::multipart;
use super::state::Shared;
use super::storage::{FormRef, Idempotency, Inserted, NewSubmission, Receipt, StoreError};
use super::{clock, lang};

/// Header set on a response that repeats an earlier receipt.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// Accepts a submission (JSON envelope, or multipart with attachments).
pub async fn submit(
    State(state): State<Shared>,
    Path((tenant, form_id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Response> {
    let form = state.form(&tenant, &form_id)?.clone();
    let key = idempotency::key(&headers)?;
    let lang = lang::negotiate(&headers);
    let (envelope, size, files) = read(&headers, request, &state.limits).await?;
    let now = clock::now_millis();
    let context = Context::new(clock::berlin_date(now.div_euclid(1000)), lang);
    let (envelope, canonical) = revalidate(&form, envelope, size, &files, context).await?;

    // Only a submission with files needs its data read back.
    let attachments = if files.is_empty() {
        Vec::new()
    } else {
        let canonical = canonical.to_json();
        canonical.get("data").map(|data| attachments::to_store(&attachments::listed(&form, data), &files)).unwrap_or_default()
    };
    let submission = NewSubmission {
        receipt: Receipt {
            id: uuid::Uuid::now_v7().to_string(),
            received_at: clock::rfc3339_utc(now),
            form: FormRef { id: form.id().to_string(), version: form.version().to_string() },
            tenant,
        },
        idempotency: key.map(|key| Idempotency { key, request_hash: idempotency::request_hash(&form_id, &envelope, &files) }),
        envelope: canonical,
        attachments,
    };
    match state.store.insert(submission).await {
        Ok(Inserted::Created(receipt)) => Ok(created(&receipt, false)),
        Ok(Inserted::Replayed(receipt)) => Ok(created(&receipt, true)),
        Err(StoreError::Conflict) => Err(idempotency::conflict()),
        Err(StoreError::Unavailable(detail)) => Err(ApiError::storage(&detail)),
    }
}

/// The envelope (parsed), the size of its JSON, and the files.
async fn read(headers: &HeaderMap, request: Request, limits: &Limits) -> ApiResult<(Json, usize, Vec<ReceivedFile>)> {
    match limits::body_kind(headers, true)? {
        BodyKind::Json => {
            let request = limits::check_length(request, limits.json_bytes).await?;
            let body = limits::read_body(request.into_body(), limits.json_bytes).await?;
            Ok((limits::parse_json(&body)?, body.len(), Vec::new()))
        }
        BodyKind::Multipart => {
            let request = limits::check_length(request, limits.multipart_bytes).await?;
            let upload = multipart::read(request, limits).await?;
            Ok((limits::parse_json(&upload.submission)?, upload.submission.len(), upload.files))
        }
    }
}

/// The engine's verdict plus the check of the files against their
/// metadata: the envelope back and the canonical submission, or 422 with
/// every issue.
async fn revalidate(
    form: &Arc<CompiledForm>,
    envelope: Json,
    size: usize,
    files: &[ReceivedFile],
    context: Context,
) -> ApiResult<(Json, Submission)> {
    let lang = context.lang.clone();
    let engine = form.clone();
    let (envelope, report) = limits::cpu_bound(size, move || {
        let report = engine.validate_envelope(&envelope, &context);
        (envelope, report)
    })
    .await?;
    let declared = envelope.get("data").map(|data| attachments::listed(form, data)).unwrap_or_default();
    let mut issues = report.errors;
    // A field the engine already rejects gets no second issue about its files.
    let file_issues: Vec<_> =
        attachments::check(&declared, files, &lang).into_iter().filter(|f| !issues.iter().any(|i| i.path == f.path)).collect();
    issues.extend(file_issues);
    match report.submission {
        Some(canonical) if issues.is_empty() => Ok((envelope, canonical)),
        _ => Err(ApiError::invalid(issues)),
    }
}

/// 201 with the receipt and the operator URL of the submission.
fn created(receipt: &Receipt, replayed: bool) -> Response {
    let mut response = (StatusCode::CREATED, axum::Json(receipt)).into_response();
    let location = format!("/api/{}/submissions/{}", receipt.tenant, receipt.id);
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if replayed {
        response.headers_mut().insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}
