//! The demo: a page listing one portal per tenant, the portal pages that
//! embed `<efa-form>`, and the static files they need (widget build, tenant
//! assets, example pages, the portal stylesheet).
//!
//! Pages are server-rendered with every text escaped, and need no inline
//! script or style, so they run under the strict Content-Security-Policy.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Component, Path as FsPath, PathBuf};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::state::Shared;

const PORTAL_CSS: &str = include_str!("portal.css");

/// `GET /`: the demo portals, one per tenant.
pub async fn index(State(state): State<Shared>) -> Html<String> {
    let mut items = String::new();
    for tenant in state.library.tenants.values() {
        let name = tenant.tenant.name.get("de", "de");
        let _ = writeln!(items, r#"<li><a href="/portal/{}">{}</a></li>"#, escape(&tenant.tenant.id), escape(name));
    }
    let examples = example_links(&state.examples_dir);
    Html(page(
        "de",
        "efa-forms – Demo-Portale",
        &format!(
            r#"<main class="portal-main"><h1>Demo-Portale</h1>
<p>Dasselbe Formular, eingebettet in die Portale verschiedener Kommunen – jeweils in deren Erscheinungsbild.</p>
<ul class="portal-list">{items}</ul>
{examples}
<p><a href="/api/openapi.json">API-Beschreibung (OpenAPI)</a></p></main>"#
        ),
        None,
    ))
}

/// Links to the example pages (subdirectories with an `index.html`).
fn example_links(dir: &FsPath) -> String {
    let Ok(entries) = std::fs::read_dir(dir) else { return String::new() };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    if names.is_empty() {
        return String::new();
    }
    let items: String = names.iter().map(|n| format!(r#"<li><a href="/examples/{0}/">{0}</a></li>"#, escape(n))).collect();
    format!("<h2>Beispielseiten eines Portals</h2>\n<ul class=\"portal-list\">{items}</ul>")
}

/// `GET /portal/{tenant}?form=&lang=`: a municipal portal page with the
/// chosen form (the first one by default) and a picker for the others.
pub async fn portal(State(state): State<Shared>, Path(tenant_id): Path<String>, Query(query): Query<HashMap<String, String>>) -> Response {
    let Some(tenant) = state.library.tenants.get(&tenant_id) else {
        return not_found_page("Dieses Portal gibt es nicht.");
    };
    let lang = if query.get("lang").is_some_and(|l| l == "en") { "en" } else { "de" };
    let Some(form) = query.get("form").map_or_else(|| state.library.forms.values().next(), |id| state.library.forms.get(id)) else {
        return not_found_page("Dieses Formular gibt es nicht.");
    };
    let tenant_name = tenant.tenant.name.get(lang, "de");
    let form_id = &form.definition.id;
    let mut picker = String::new();
    for other in state.library.forms.values() {
        let current = if other.definition.id == *form_id { r#" aria-current="page""# } else { "" };
        let href = format!("/portal/{}?form={}&lang={lang}", tenant.tenant.id, other.definition.id);
        let _ = writeln!(picker, r#"<li><a href="{}"{current}>{}</a></li>"#, escape(&href), escape(other.definition.title.get(lang, "de")));
    }
    // Only same-origin logos: the page's CSP allows images from 'self' only.
    let logo = match (&tenant.tenant.branding.logo, &tenant.tenant.branding.logo_alt) {
        (Some(src), alt) if src.starts_with('/') && !src.starts_with("//") => {
            format!(
                r#"<img class="portal-logo" src="{}" alt="{}">"#,
                escape(src),
                escape(alt.as_ref().map_or(tenant_name, |a| a.get(lang, "de")))
            )
        }
        _ => String::new(),
    };
    let (nav_label, services) = if lang == "en" { ("Online services", "Online services") } else { ("Online-Dienste", "Online-Dienste") };
    let noscript = if lang == "en" {
        "This form needs JavaScript and WebAssembly."
    } else {
        "Für dieses Formular werden JavaScript und WebAssembly benötigt."
    };
    let body = format!(
        r#"<header class="portal-header">{logo}<span class="portal-name">{name}</span></header>
<div class="portal-layout">
<nav class="portal-nav" aria-label="{nav_label}"><h2>{services}</h2><ul>{picker}</ul></nav>
<main class="portal-main" id="inhalt">
<efa-form form="{form_url}" lang="{lang}" action="{action}"></efa-form>
<noscript><p>{noscript}</p></noscript>
</main>
</div>"#,
        name = escape(tenant_name),
        form_url = escape(&format!("/compiled/{}/{form_id}.efa", tenant.tenant.id)),
        action = escape(&format!("/api/{}/forms/{form_id}/submissions", tenant.tenant.id)),
    );
    let title = format!("{} – {}", form.definition.title.get(lang, "de"), tenant_name);
    Html(page(lang, &title, &body, Some(&format!("/widget/{}", state.widget_entry)))).into_response()
}

/// `GET /static/portal.css`.
pub async fn portal_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], PORTAL_CSS).into_response()
}

/// `GET /widget/{*path}`: the built widget.
pub async fn widget(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    if !state.widget_dir.is_dir() {
        let message = format!(
            "The efa-form widget is not built: {} does not exist.\n\
             Build the widget (bindings/) into that directory, or start `efa serve --widget DIR` with the directory of a build.\n",
            state.widget_dir.display()
        );
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response();
    }
    serve_file(&state.widget_dir, "/widget/", &path).await
}

/// `GET /examples/{*path}`: the example pages.
pub async fn examples(State(state): State<Shared>, path: Option<Path<String>>) -> Response {
    let path = path.map(|Path(p)| p).unwrap_or_default();
    serve_file(&state.examples_dir, "/examples/", &path).await
}

/// `GET /forms/{*path}`: the forms directory as files (definitions, code
/// lists, schemas), for portals that embed the widget with file URLs.
pub async fn forms_files(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    serve_file(&state.forms_dir, "/forms/", &path).await
}

/// `GET /compiled/{tenant}/{form}.efa`: the form compiled for the tenant,
/// as the image `<efa-form form="…">` loads (the widget holds no compiler).
/// Written per request: it takes microseconds, and the image always matches
/// the engine of this service and of the widget it serves.
pub async fn compiled_form(State(state): State<Shared>, Path((tenant_id, file)): Path<(String, String)>) -> Response {
    let Some(form_id) = file.strip_suffix(".efa") else { return plain_not_found() };
    let (Some(tenant), Some(form)) = (state.library.tenants.get(&tenant_id), state.library.form(&tenant_id, form_id)) else {
        return plain_not_found();
    };
    let image = efa_engine::write_image(form, Some(&tenant.tenant));
    ([(header::CONTENT_TYPE, "application/octet-stream"), (header::CACHE_CONTROL, "no-cache")], image).into_response()
}

/// `GET /tenants/{*path}`: the tenant files.
pub async fn tenant_files(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    serve_file(&state.forms_dir.join("tenants"), "/tenants/", &path).await
}

/// `GET /assets/{*path}`: tenant assets such as logos.
pub async fn assets(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    serve_file(&state.assets_dir, "/assets/", &path).await
}

/// Serves a file below `root` (mounted at `prefix`); directories serve
/// their `index.html`. Paths that leave `root` or name hidden files are not
/// found.
async fn serve_file(root: &FsPath, prefix: &str, relative: &str) -> Response {
    let Some(mut path) = inside(root, relative) else {
        return plain_not_found();
    };
    if path.is_dir() {
        // Relative links in the page resolve against the directory only with the slash.
        if !relative.is_empty() && !relative.ends_with('/') {
            return match HeaderValue::from_str(&format!("{prefix}{relative}/")) {
                Ok(location) => (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response(),
                Err(_) => plain_not_found(),
            };
        }
        path.push("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, "no-cache")], bytes).into_response(),
        Err(_) => plain_not_found(),
    }
}

/// `root/relative` if every component of `relative` is a plain, visible name.
fn inside(root: &FsPath, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for component in FsPath::new(relative).components() {
        match component {
            Component::Normal(name) if !name.to_string_lossy().starts_with('.') => path.push(name),
            _ => return None,
        }
    }
    Some(path)
}

/// Media type by file extension; `.wasm` must be `application/wasm` for
/// streaming compilation.
pub fn content_type(path: &FsPath) -> &'static str {
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn plain_not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "not found\n").into_response()
}

fn not_found_page(message: &str) -> Response {
    let body = format!(
        r#"<main class="portal-main"><h1>Nicht gefunden</h1><p>{}</p><p><a href="/">Zur Übersicht</a></p></main>"#,
        escape(message)
    );
    (StatusCode::NOT_FOUND, Html(page("de", "Nicht gefunden", &body, None))).into_response()
}

/// A complete HTML page.
fn page(lang: &str, title: &str, body: &str, script: Option<&str>) -> String {
    let script = script.map(|src| format!(r#"<script type="module" src="{}"></script>"#, escape(src))).unwrap_or_default();
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/portal.css">
{script}
</head>
<body>
{body}
</body>
</html>
"#,
        title = escape(title),
    )
}

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"<script>"a" & 'b'</script>"#), "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
    }

    #[test]
    fn stays_inside_the_root() {
        let root = FsPath::new("/srv/widget");
        assert_eq!(inside(root, "efa-form.js"), Some(PathBuf::from("/srv/widget/efa-form.js")));
        assert_eq!(inside(root, "snippets/a/b.js"), Some(PathBuf::from("/srv/widget/snippets/a/b.js")));
        assert_eq!(inside(root, "../secret"), None);
        assert_eq!(inside(root, "/etc/passwd"), None);
        assert_eq!(inside(root, ".git/config"), None);
        assert_eq!(content_type(FsPath::new("x/efa_wasm_bg.wasm")), "application/wasm");
    }
}
