//! Loading a forms directory: definitions (`*.json`), tenants (`tenants/`)
//! and code lists (`codelists/`), compiled for every tenant.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use efa_engine::model::{CodeList, FormDefinition, Tenant};
use efa_engine::{
    compile_definition, parse_codelist, parse_definition, parse_tenant, CompiledForm, DefinitionError, DefinitionErrorKind, NameMap,
    Resources,
};
use serde_json::Value as Json;

/// Largest definition, tenant or code list file read.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A problem in one file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// What is wrong, and where inside the file.
    pub error: DefinitionError,
    /// Line and column of the pointer in the file, when looked up.
    pub line_column: Option<(usize, usize)>,
}

impl Problem {
    /// A problem of `file`, not yet located in its text.
    pub fn new(file: &Path, error: DefinitionError) -> Problem {
        Problem { file: file.to_path_buf(), error, line_column: None }
    }
}

/// Looks every problem's pointer up in its file, so that editors and CI
/// annotations can jump to the line. Each file is read once. Problems of
/// the whole file (unreadable, too large, not JSON) keep the form they have:
/// a JSON syntax error names its own line.
pub fn locate_all(problems: &mut [Problem]) {
    let mut texts: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    for problem in problems.iter_mut().filter(|p| !p.error.pointer.is_empty()) {
        let text = texts.entry(problem.file.clone()).or_insert_with(|| small_text(&problem.file));
        if let Some(text) = text {
            problem.line_column = efa_engine::locate(text, &problem.error.pointer);
        }
    }
}

/// The text of a file no larger than [`read_json`] reads.
fn small_text(path: &Path) -> Option<String> {
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_FILE_BYTES);
    small.then(|| std::fs::read_to_string(path).ok()).flatten()
}

/// `file:line:column: /pointer: message [code]` (the form editors and CI
/// annotations read), or `file#/pointer: …` when no line is known.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.error.pointer.is_empty() { "/" } else { &self.error.pointer };
        match self.line_column {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {pointer}: ", self.file.display())?,
            None => write!(f, "{}#{pointer}: ", self.file.display())?,
        }
        write!(f, "{} [{}]", self.error.message, self.error.kind.code())
    }
}

/// A definition file.
#[derive(Debug, Clone)]
pub struct FormFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The JSON as written (served to widgets).
    pub json: Json,
    /// The parsed definition.
    pub definition: FormDefinition,
}

/// A tenant file.
#[derive(Debug, Clone)]
pub struct TenantFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The JSON as written (served to widgets).
    pub json: Json,
    /// The parsed tenant.
    pub tenant: Tenant,
}

/// Every form, tenant and code list of a directory, compiled per tenant.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Definitions by form id.
    pub forms: BTreeMap<String, FormFile>,
    /// Tenants by id.
    pub tenants: BTreeMap<String, TenantFile>,
    /// Code lists by id.
    pub codelists: NameMap<CodeList>,
    compiled: BTreeMap<(String, String), Arc<CompiledForm>>,
}

impl Library {
    /// Loads and compiles everything; any broken file is reported with its
    /// JSON pointer and nothing is returned.
    pub fn load(dir: &Path) -> Result<Library, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut library = Library { codelists: load_codelists(&dir.join("codelists"), &mut problems), ..Library::default() };
        for path in json_files(dir, &mut problems) {
            let Some(json) = read_json(&path, &mut problems) else { continue };
            match parse_definition(&json) {
                Ok(definition) => {
                    if let Some(previous) = library.forms.get(&definition.id) {
                        problems.push(problem(
                            &path,
                            "/id",
                            format!("form id '{}' is also used by {}", definition.id, previous.path.display()),
                        ));
                        continue;
                    }
                    library.forms.insert(definition.id.clone(), FormFile { path, json, definition });
                }
                Err(errors) => problems.extend(errors.into_iter().map(|error| Problem::new(&path, error))),
            }
        }
        for path in json_files(&dir.join("tenants"), &mut problems) {
            let Some(json) = read_json(&path, &mut problems) else { continue };
            match parse_tenant(&json) {
                Ok(tenant) => {
                    library.tenants.insert(tenant.id.clone(), TenantFile { path, json, tenant });
                }
                Err(errors) => problems.extend(errors.into_iter().map(|error| Problem::new(&path, error))),
            }
        }
        for tenant in library.tenants.values() {
            for form in library.forms.values() {
                let resources = Resources { codelists: Some(&library.codelists), tenant: Some(&tenant.tenant) };
                match compile_definition(form.definition.clone(), resources) {
                    Ok(compiled) => {
                        library.compiled.insert((tenant.tenant.id.clone(), form.definition.id.clone()), Arc::new(compiled));
                    }
                    Err(errors) => problems.extend(errors.into_iter().map(|error| {
                        let file = if error.kind == DefinitionErrorKind::Tenant { &tenant.path } else { &form.path };
                        Problem::new(file, annotate(error, &tenant.tenant.id))
                    })),
                }
            }
        }
        if problems.is_empty() {
            Ok(library)
        } else {
            Err(problems)
        }
    }

    /// The form compiled for a tenant.
    pub fn form(&self, tenant: &str, form: &str) -> Option<&Arc<CompiledForm>> {
        self.compiled.get(&(tenant.to_string(), form.to_string()))
    }
}

/// Names the tenant in messages about parameter values, so an operator knows
/// which municipality's file to fix.
fn annotate(mut error: DefinitionError, tenant: &str) -> DefinitionError {
    if !error.message.contains(tenant) {
        error.message = format!("{} (with tenant '{tenant}')", error.message);
    }
    error
}

fn problem(path: &Path, pointer: &str, message: String) -> Problem {
    Problem::new(path, DefinitionError::new(pointer, DefinitionErrorKind::Format, message))
}

/// The `*.json` files of a directory (not `*.schema.json`), sorted; a missing
/// directory has none.
pub fn json_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(error) => {
            problems.push(problem(dir, "", format!("cannot read directory: {error}")));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json") && !p.to_string_lossy().ends_with(".schema.json"))
        .collect();
    files.sort();
    files
}

/// Reads a JSON file; problems say what and where (line and column).
pub fn read_json(path: &Path, problems: &mut Vec<Problem>) -> Option<Json> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        problems.push(problem(path, "", format!("file is larger than {MAX_FILE_BYTES} bytes")));
        return None;
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            problems.push(problem(path, "", format!("cannot read file: {error}")));
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(json) => Some(json),
        Err(error) => {
            problems.push(problem(path, "", format!("not valid JSON: {error}")));
            None
        }
    }
}

/// Loads every code list of a directory.
pub fn load_codelists(dir: &Path, problems: &mut Vec<Problem>) -> NameMap<CodeList> {
    let mut lists = NameMap::new();
    for path in json_files(dir, problems) {
        let Some(json) = read_json(&path, problems) else { continue };
        match parse_codelist(&json) {
            Ok(list) => {
                let expected = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                if list.id != expected {
                    problems.push(problem(&path, "/id", format!("code list id '{}' must equal the file name '{expected}'", list.id)));
                }
                lists.insert(list.id.clone(), list);
            }
            Err(errors) => problems.extend(errors.into_iter().map(|error| Problem::new(&path, error))),
        }
    }
    lists
}
