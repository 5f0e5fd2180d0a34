//! `efa serve`: the HTTP service.
//!
//! Serves definitions, tenants, code lists and the widget; revalidates
//! submissions with the engine (the same code the widget runs); stores
//! accepted ones durably (SQLite or PostgreSQL) with a receipt; honours
//! `Idempotency-Key`; lets each municipality's operators read their
//! submissions with a bearer token; and hosts the demo portals.
//!
//! Module map: `config` (flags, tokens) · `routes` (router, layers) · `api`
//! (read API, validate) · `submit` (submissions) · `multipart` and
//! `attachments` (files as received vs. as declared) · `idempotency` · `auth`
//! · `operator` · `limits` (body size, media type, JSON) · `demo` (portals,
//! static files) · `storage` (trait, SQLite with group commit, PostgreSQL) ·
//! `clock` (Berlin civil date, RFC 3339) · `lang` · `error` · `state`.

mod api;
mod attachments;
mod auth;
mod clock;
mod config;
mod demo;
mod error;
mod idempotency;
mod lang;
mod limits;
mod multipart;
mod operator;
mod routes;
mod state;
mod storage;
mod submit;

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use serde_json::Value as Json;

pub use config::ServeArgs;

use crate::library::{read_json, Library};
use state::AppState;

const EXIT_FAILED: u8 = 1;
const EXIT_UNUSABLE: u8 = 2;

/// Path segments after `/api/` that are routes, not tenants.
const RESERVED: [&str; 5] = ["forms", "tenants", "codelists", "schemas", "openapi.json"];

/// Runs the service until SIGTERM or Ctrl-C; in-flight requests finish first.
pub fn run(args: ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("efa serve: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> ExitCode {
    let state = match prepare(&args).await {
        Ok(state) => state,
        Err(message) => {
            eprintln!("efa serve: {message}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("efa serve: cannot listen on {}: {error}", args.addr);
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let address = listener.local_addr().map_or_else(|_| args.addr.to_string(), |a| a.to_string());
    // Small responses go out at once instead of waiting for Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("efa serve: listening on http://{address}/");
    let _ = std::io::stdout().flush();
    let grace = state.limits.timeout + Duration::from_secs(5);
    let app = routes::router(Arc::new(state));
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    });
    // Requests in flight finish; a connection that never finishes (a client
    // stalling mid-headers) cannot hold the process beyond the grace period.
    let deadline = async move {
        if stopped.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server.into_future() => match result {
            Ok(()) => {
                println!("efa serve: stopped");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("efa serve: {error}");
                ExitCode::from(EXIT_FAILED)
            }
        },
        () = deadline => {
            eprintln!("efa serve: connections still open after {} s; stopping anyway", grace.as_secs());
            ExitCode::from(EXIT_FAILED)
        }
    }
}

/// Loads everything the service needs; any problem is fatal at start, not
/// a surprise for the first citizen.
async fn prepare(args: &ServeArgs) -> Result<AppState, String> {
    if !args.forms.is_dir() {
        return Err(format!("the forms directory {} does not exist (use --forms DIR)", args.forms.display()));
    }
    let library = match Library::load(&args.forms) {
        Ok(library) => library,
        Err(mut problems) => {
            crate::library::locate_all(&mut problems);
            for problem in &problems {
                eprintln!("{problem}");
            }
            return Err(format!("{} problem(s) in {}; not starting", problems.len(), args.forms.display()));
        }
    };
    if library.forms.is_empty() || library.tenants.is_empty() {
        eprintln!(
            "efa serve: warning: {} has {} form(s) and {} tenant(s)",
            args.forms.display(),
            library.forms.len(),
            library.tenants.len()
        );
    }
    for id in library.tenants.keys().filter(|id| RESERVED.contains(&id.as_str())) {
        eprintln!("efa serve: warning: tenant id '{id}' collides with /api/{id}; its submissions API is unreachable");
    }
    routes::cors(&args.allow_origins)?;
    let tokens = config::load_tokens(args.tokens.as_deref())?;
    match &tokens {
        None => eprintln!("efa serve: no operator tokens configured; the operator API is off"),
        Some(tokens) => {
            for tenant in tokens.keys().filter(|t| !library.tenants.contains_key(*t)) {
                eprintln!("efa serve: warning: operator token for unknown tenant '{tenant}'");
            }
        }
    }
    let store = storage::open(&args.database).await?;
    Ok(AppState {
        schemas: load_schemas(&args.forms),
        assets_dir: args.forms.join("tenants").join("assets"),
        forms_dir: args.forms.clone(),
        library,
        store,
        tokens,
        limits: config::Limits::from_args(args),
        widget_dir: args.widget.clone(),
        widget_entry: args.widget_entry.clone(),
        examples_dir: args.examples.clone(),
        allow_origins: args.allow_origins.clone(),
    })
}

/// The format's schemas (`*.schema.json` in the forms directory).
fn load_schemas(dir: &Path) -> BTreeMap<String, Json> {
    let mut problems = Vec::new();
    let mut schemas = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return schemas };
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.ends_with(".schema.json") {
            if let Some(json) = read_json(&path, &mut problems) {
                schemas.insert(name, json);
            }
        }
    }
    for problem in problems {
        eprintln!("efa serve: warning: {problem}");
    }
    schemas
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    eprintln!("efa serve: shutting down; finishing requests in flight");
}
