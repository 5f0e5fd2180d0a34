//! What every handler shares: the loaded forms, the store, tokens, limits
//! and the directories of static files.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use efa_engine::CompiledForm;
use serde_json::Value as Json;

use super::config::{Limits, Tokens};
use super::error::{ApiError, ApiResult};
use super::storage::Store;
use crate::library::Library;

/// Shared state of the service.
pub struct AppState {
    /// Forms, tenants and code lists, compiled.
    pub library: Library,
    /// Where submissions go.
    pub store: Arc<dyn Store>,
    /// Operator tokens; `None` turns the operator API off.
    pub tokens: Option<Tokens>,
    /// Request limits.
    pub limits: Limits,
    /// The format's JSON Schemas (`form.schema.json`, …) by file name.
    pub schemas: BTreeMap<String, Json>,
    /// Directory of the built widget.
    pub widget_dir: PathBuf,
    /// The widget's entry module, relative to `widget_dir`.
    pub widget_entry: String,
    /// Directory of the example pages.
    pub examples_dir: PathBuf,
    /// Directory of tenant assets (logos), served under `/assets/`.
    pub assets_dir: PathBuf,
    /// The forms directory, also served as files under `/forms/` and `/tenants/`.
    pub forms_dir: PathBuf,
    /// Origins allowed to call the public API from other hosts (`*`: any).
    pub allow_origins: Vec<String>,
}

/// The state as handlers receive it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// The form compiled for the tenant, or 404 naming which one is unknown.
    pub fn form(&self, tenant: &str, form: &str) -> ApiResult<&Arc<CompiledForm>> {
        if !self.library.tenants.contains_key(tenant) {
            return Err(ApiError::not_found("unknown_tenant", format!("there is no tenant '{tenant}'")));
        }
        self.library.form(tenant, form).ok_or_else(|| ApiError::not_found("unknown_form", format!("there is no form '{form}'")))
    }

    /// 404 unless the tenant exists.
    pub fn tenant_exists(&self, tenant: &str) -> ApiResult<()> {
        if self.library.tenants.contains_key(tenant) {
            Ok(())
        } else {
            Err(ApiError::not_found("unknown_tenant", format!("there is no tenant '{tenant}'")))
        }
    }
}
