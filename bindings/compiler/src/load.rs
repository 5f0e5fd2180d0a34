//! From the files a page fetched (definition, tenant, code lists) to a
//! compiled form — shared by the browser compiler and the Node build.

use std::fmt;
use std::sync::Arc;

use efa_engine::model::{CodeList, Field, Options, Tenant};
use efa_engine::{
    compile_definition, parse_codelist, parse_definition_text, parse_json, parse_tenant, CompiledForm, DefinitionError,
    DefinitionErrorKind, NameMap, Resources,
};
use serde_json::Value as Json;

/// A compiled form with the tenant it was compiled for.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The compiled form, shared with sessions.
    pub form: Arc<CompiledForm>,
    /// The checked tenant, if one was given.
    pub tenant: Option<Tenant>,
}

/// Why the files do not make a usable form.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// The tenant file is unusable (shape, colour contrast, unsafe links).
    Tenant(Vec<DefinitionError>),
    /// A code list file is unusable (no id: the set of code lists is).
    CodeList(String, Vec<DefinitionError>),
    /// The definition does not compile.
    Definition(Vec<DefinitionError>),
}

impl LoadError {
    /// Which file is at fault: `tenant`, `codelist` or `definition`.
    pub fn file(&self) -> &'static str {
        match self {
            LoadError::Tenant(_) => "tenant",
            LoadError::CodeList(..) => "codelist",
            LoadError::Definition(_) => "definition",
        }
    }

    /// One line per problem: `pointer: message [code]`.
    pub fn details(&self) -> Vec<String> {
        let (prefix, errors) = match self {
            LoadError::CodeList(id, errors) if !id.is_empty() => (format!("{id}: "), errors),
            LoadError::Tenant(errors) | LoadError::Definition(errors) | LoadError::CodeList(_, errors) => (String::new(), errors),
        };
        errors.iter().map(|e| format!("{prefix}{e}")).collect()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} is not usable: {}", self.file(), self.details().join("; "))
    }
}

/// Checks the tenant, parses the code lists and compiles the definition
/// (JSON text: it goes straight into the engine's model, without a
/// `serde_json::Value` tree as large as the compiled form). The tenant comes
/// first: a tenant whose colours fail WCAG contrast must never frame a form,
/// whatever else is wrong.
pub fn load(definition: &str, tenant: Option<&Json>, codelists: &NameMap<Json>) -> Result<Loaded, LoadError> {
    let tenant = tenant.map(parse_tenant).transpose().map_err(LoadError::Tenant)?;
    let mut lists: NameMap<CodeList> = NameMap::new();
    for (id, json) in codelists {
        let list = parse_codelist(json).map_err(|e| LoadError::CodeList(id.clone(), e))?;
        lists.insert(id.clone(), list);
    }
    let resources = Resources { codelists: Some(&lists), tenant: tenant.as_ref() };
    let definition = parse_definition_text(definition).map_err(LoadError::Definition)?;
    let form = compile_definition(definition, resources).map_err(LoadError::Definition)?;
    Ok(Loaded { form: Arc::new(form), tenant })
}

/// [`load`] with every file as JSON text, as pages and servers hold them:
/// `codelists` is an object `{id: codeList}`. Text that is not JSON is a
/// `format` problem of its file.
pub fn load_texts(definition: &str, tenant: Option<&str>, codelists: Option<&str>) -> Result<Loaded, LoadError> {
    let tenant = tenant.map(json).transpose().map_err(LoadError::Tenant)?;
    let codelists = match codelists.map(json).transpose().map_err(|e| LoadError::CodeList(String::new(), e))? {
        Some(Json::Object(lists)) => lists.into_iter().collect(),
        Some(_) => return Err(LoadError::CodeList(String::new(), vec![format_error("the code lists are not a JSON object")])),
        None => NameMap::new(),
    };
    load(definition, tenant.as_ref(), &codelists)
}

fn json(text: &str) -> Result<Json, Vec<DefinitionError>> {
    parse_json(text).map_err(|e| vec![format_error(&format!("not valid JSON: {e}"))])
}

fn format_error(message: &str) -> DefinitionError {
    DefinitionError::new("", DefinitionErrorKind::Format, message)
}

/// The ids of the code lists a definition names (`options.codelist`), sorted
/// and without repeats, so a page can fetch them before compiling.
pub fn referenced_codelists(definition: &str) -> Result<Vec<String>, LoadError> {
    let definition = parse_definition_text(definition).map_err(LoadError::Definition)?;
    let mut ids = Vec::new();
    for step in &definition.steps {
        collect(&step.fields, &mut ids);
    }
    Ok(ids)
}

/// Adds the code lists of `fields` to the sorted `ids`, skipping repeats (a
/// sorted insert: the same result as `sort` + `dedup` without another copy
/// of the standard library's sort in the widget).
fn collect(fields: &[Field], ids: &mut Vec<String>) {
    for field in fields {
        if let Some(Options::CodeList { codelist }) = &field.options {
            if let Err(at) = ids.binary_search(codelist) {
                ids.insert(at, codelist.clone());
            }
        }
        collect(&field.fields, ids);
    }
}
