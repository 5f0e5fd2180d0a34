//! The router: every route, and the layers around them (timeout, JSON
//! errors, security headers, panic safety, CORS for other portals, the
//! access log).

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use super::error::ApiError;
use super::state::Shared;
use super::{api, demo, idempotency, operator, submit};

/// Content-Security-Policy of HTML (and SVG) responses: no inline script or
/// style; WebAssembly may compile.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";

/// The whole service.
pub fn router(state: Shared) -> Router {
    let timeout = state.limits.timeout;
    // Checked at start (see `cors`), so this cannot fail here.
    let cors = cors(&state.allow_origins).ok().flatten();
    let router = Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/forms", get(api::list_forms))
        .route("/api/forms/{form}", get(api::get_form))
        .route("/api/tenants", get(api::list_tenants))
        .route("/api/tenants/{tenant}", get(api::get_tenant))
        .route("/api/codelists", get(api::list_codelists))
        .route("/api/codelists/{id}", get(api::get_codelist))
        .route("/api/schemas", get(api::list_schemas))
        .route("/api/schemas/{name}", get(api::get_schema))
        .route("/api/{tenant}/forms/{form}/schema", get(api::data_schema))
        .route("/api/{tenant}/forms/{form}/validate", post(api::validate))
        .route("/api/{tenant}/forms/{form}/submissions", post(submit::submit))
        .route("/api/{tenant}/submissions", get(operator::list))
        .route("/api/{tenant}/submissions/{id}", get(operator::get))
        .route("/api/{tenant}/submissions/{id}/attachments/{n}", get(operator::attachment))
        .route("/", get(demo::index))
        .route("/portal/{tenant}", get(demo::portal))
        .route("/static/portal.css", get(demo::portal_css))
        .route("/widget/{*path}", get(demo::widget))
        // The file layout the example portals (and the DESIGN's embedding
        // example) use: /efa/efa-form.js, /compiled/<tenant>/<id>.efa,
        // /forms/<id>.json, /tenants/<id>.json.
        .route("/efa/{*path}", get(demo::widget))
        .route("/forms/{*path}", get(demo::forms_files))
        .route("/compiled/{tenant}/{file}", get(demo::compiled_form))
        .route("/tenants/{*path}", get(demo::tenant_files))
        .route("/examples", get(demo::examples))
        .route("/examples/", get(demo::examples))
        .route("/examples/{*path}", get(demo::examples))
        .route("/assets/{*path}", get(demo::assets))
        .fallback(not_found)
        // Handlers read bodies themselves, with the configured limits and JSON errors.
        .layer(DefaultBodyLimit::disable())
        .layer(CatchPanicLayer::custom(|_| ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(security_headers));
    let router = match cors {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router.layer(middleware::from_fn(access_log)).with_state(state)
}

/// One line per request on stderr: method, path, status, duration. No
/// query string, no address and nothing of the body: the log shows how the
/// service is used, not who applied for what.
async fn access_log(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    eprintln!("efa serve: {method} {path} {} {millis:.1} ms", response.status().as_u16());
    response
}

/// The CORS layer for portals on other hosts: they may read forms, tenants
/// and code lists and send validations and submissions. `Authorization` is
/// not an allowed header, so the operator API stays same-origin.
pub fn cors(origins: &[String]) -> Result<Option<CorsLayer>, String> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let parsed = origins
            .iter()
            .map(|o| HeaderValue::from_str(o.trim_end_matches('/')).map_err(|_| format!("--allow-origin '{o}' is not a valid origin")))
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(parsed)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::ACCEPT_LANGUAGE, HeaderName::from_static(idempotency::HEADER)])
            .expose_headers([header::LOCATION, HeaderName::from_static(submit::REPLAYED_HEADER)])
            .max_age(Duration::from_secs(3600)),
    ))
}

async fn not_found(request: Request) -> Response {
    if is_api(request.uri().path()) {
        ApiError::not_found("not_found", format!("no route {} {}", request.method(), request.uri().path())).into_response()
    } else {
        (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "not found\n").into_response()
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path == "/healthz"
}

/// Gives API errors that did not come from a handler (405 from the router,
/// 408 from the timeout, extractor rejections) the JSON error shape.
async fn json_errors(request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let has_body = request.method() == Method::POST;
    let mut response = next.run(request).await;
    let status = response.status();
    // A request rejected before its body was read to the end leaves bytes on
    // the connection: close it, so the client does not reuse it (422 and 409
    // come after the whole body was read).
    if has_body && status.is_client_error() && !matches!(status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if api && (status.is_client_error() || status.is_server_error()) && !is_json {
        let (parts, body) = response.into_parts();
        let detail = axum::body::to_bytes(body, 4096).await.ok().and_then(|b| String::from_utf8(b.to_vec()).ok()).unwrap_or_default();
        let mut error = ApiError::from_status(status);
        if !detail.trim().is_empty() {
            error.message = detail.trim().to_string();
        }
        let mut converted = error.into_response();
        for name in [header::ALLOW, header::CONNECTION] {
            if let Some(value) = parts.headers.get(&name) {
                converted.headers_mut().insert(name, value.clone());
            }
        }
        return converted;
    }
    response
}

/// `nosniff` everywhere; the CSP on documents that could run script.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    let document = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html") || v.as_bytes().starts_with(b"image/svg+xml"));
    if document && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    response
}
