//! The public, read-mostly API: health, forms, tenants, code lists, schemas,
//! the OpenAPI description, and validation without storing.

use std::time::Duration;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value as Json_};

use super::error::{ApiError, ApiResult};
use super::limits;
use super::state::Shared;
use super::{clock, lang};

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// `GET /healthz`: 200 when the store answers, else 503.
pub async fn healthz(State(state): State<Shared>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(2), state.store.ping()).await;
    let (status, store) = match ping {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ok" } else { "degraded" },
        "store": store,
        "forms": state.library.forms.len(),
        "tenants": state.library.tenants.len(),
    });
    (status, Json(body)).into_response()
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `GET /api/forms`: id, version and title of every form.
pub async fn list_forms(State(state): State<Shared>) -> Json<Json_> {
    let forms: Vec<Json_> = state
        .library
        .forms
        .values()
        .map(|f| json!({ "id": f.definition.id, "version": f.definition.version, "title": f.json.get("title") }))
        .collect();
    Json(Json_::Array(forms))
}

/// `GET /api/forms/{form}`: the definition as written.
pub async fn get_form(State(state): State<Shared>, Path(form): Path<String>) -> ApiResult<Json<Json_>> {
    state
        .library
        .forms
        .get(&form)
        .map(|f| Json(f.json.clone()))
        .ok_or_else(|| ApiError::not_found("unknown_form", format!("there is no form '{form}'")))
}

/// `GET /api/tenants`: id and name of every tenant.
pub async fn list_tenants(State(state): State<Shared>) -> Json<Json_> {
    let tenants: Vec<Json_> = state.library.tenants.values().map(|t| json!({ "id": t.tenant.id, "name": t.json.get("name") })).collect();
    Json(Json_::Array(tenants))
}

/// `GET /api/tenants/{tenant}`: the tenant file as written.
pub async fn get_tenant(State(state): State<Shared>, Path(tenant): Path<String>) -> ApiResult<Json<Json_>> {
    state
        .library
        .tenants
        .get(&tenant)
        .map(|t| Json(t.json.clone()))
        .ok_or_else(|| ApiError::not_found("unknown_tenant", format!("there is no tenant '{tenant}'")))
}

/// `GET /api/codelists`: the ids of the code lists.
pub async fn list_codelists(State(state): State<Shared>) -> Json<Json_> {
    Json(json!(state.library.codelists.keys().collect::<Vec<_>>()))
}

/// `GET /api/codelists/{id}`: one code list (`{id}.json` also works).
pub async fn get_codelist(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Json_>> {
    // `/api/codelists/hunderassen.json` works too, for clients that add the extension.
    let id = id.strip_suffix(".json").unwrap_or(&id);
    let list =
        state.library.codelists.get(id).ok_or_else(|| ApiError::not_found("unknown_codelist", format!("there is no code list '{id}'")))?;
    serde_json::to_value(list).map(Json).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

/// `GET /api/schemas`: the names of the format's JSON Schemas.
pub async fn list_schemas(State(state): State<Shared>) -> Json<Json_> {
    Json(json!(state.schemas.keys().collect::<Vec<_>>()))
}

/// `GET /api/schemas/{name}`: one of the format's JSON Schemas
/// (`form.schema.json`, `tenant.schema.json`, `codelist.schema.json`; the
/// `.schema.json` may be left out).
pub async fn get_schema(State(state): State<Shared>, Path(name): Path<String>) -> ApiResult<Json<Json_>> {
    let file = if name.ends_with(".schema.json") { name.clone() } else { format!("{name}.schema.json") };
    state
        .schemas
        .get(&file)
        .map(|s| Json(s.clone()))
        .ok_or_else(|| ApiError::not_found("unknown_schema", format!("there is no schema '{name}'")))
}

/// `GET /api/{tenant}/forms/{form}/schema`: the JSON Schema of the
/// submission data, for downstream systems.
pub async fn data_schema(State(state): State<Shared>, Path((tenant, form)): Path<(String, String)>) -> ApiResult<Json<Json_>> {
    Ok(Json(state.form(&tenant, &form)?.json_schema()))
}

/// `POST /api/{tenant}/forms/{form}/validate`: the engine's report for an
/// envelope `{"form", "data"}` or a bare data object; never stores.
pub async fn validate(
    State(state): State<Shared>,
    Path((tenant, form)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Response> {
    let compiled = state.form(&tenant, &form)?;
    limits::body_kind(&headers, false)?;
    let request = limits::check_length(request, state.limits.json_bytes).await?;
    let body = limits::read_body(request.into_body(), state.limits.json_bytes).await?;
    let value = limits::parse_json(&body)?;
    let context = efa_engine::Context::new(clock::berlin_date(clock::now_millis().div_euclid(1000)), lang::negotiate(&headers));
    let engine = compiled.clone();
    let mut report = limits::cpu_bound(body.len(), move || {
        if is_envelope(&value) {
            engine.validate_envelope(&value, &context)
        } else {
            engine.validate(&value, &context)
        }
    })
    .await?;
    // Same bound as for 422 answers; `valid` stays false.
    report.errors.truncate(super::error::MAX_ISSUES);
    report.warnings.truncate(super::error::MAX_ISSUES);
    Ok(Json(report).into_response())
}

/// An envelope has exactly the keys `form` and `data`.
fn is_envelope(value: &Json_) -> bool {
    value.as_object().is_some_and(|o| o.contains_key("form") && o.contains_key("data"))
}
