//! The offline subcommands: lint, validate, schema, graph.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use efa_engine::model::{CodeList, Tenant};
use efa_engine::{compile, parse_tenant, CompiledForm, Context, Date, DefinitionError, DefinitionErrorKind, NameMap, Notation, Resources};
use serde_json::Value as Json;

use crate::library::{json_files, load_codelists, locate_all, read_json, Problem};

/// The format's JSON Schema, compiled into the binary so `efa lint` needs no
/// network and no checkout.
const FORM_SCHEMA: &str = include_str!("../../forms/form.schema.json");

const EXIT_FINDINGS: u8 = 1;
const EXIT_UNUSABLE: u8 = 2;

/// `efa lint FORM...`
pub fn lint(paths: &[PathBuf]) -> ExitCode {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(json_files(path, &mut problems));
        } else {
            files.push(path.clone());
        }
    }
    let schema: Json = match serde_json::from_str(FORM_SCHEMA) {
        Ok(schema) => schema,
        Err(error) => {
            eprintln!("internal error: the embedded format schema is broken: {error}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(validator) => validator,
        Err(error) => {
            eprintln!("internal error: the embedded format schema is invalid: {error}");
            return ExitCode::from(EXIT_UNUSABLE);
        }
    };
    // Code lists and tenants are read once per directory, not once per form.
    let mut beside: BTreeMap<PathBuf, Beside> = BTreeMap::new();
    for file in &files {
        let before = problems.len();
        let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        if !beside.contains_key(&dir) {
            let loaded = Beside::load(&dir, &mut problems);
            beside.insert(dir.clone(), loaded);
        }
        lint_file(file, &validator, &beside[&dir], &mut problems);
        if problems.len() == before {
            println!("{}: ok", file.display());
        }
    }
    locate_all(&mut problems);
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        println!("{} file(s) checked, no problems", files.len());
        ExitCode::SUCCESS
    } else {
        println!("{} file(s) checked, {} problem(s)", files.len(), problems.len());
        ExitCode::from(EXIT_FINDINGS)
    }
}

/// The code lists and tenants in a form's directory.
struct Beside {
    codelists: NameMap<CodeList>,
    tenants: Vec<Tenant>,
}

impl Beside {
    /// Broken code lists are findings; broken tenants are `efa serve`'s to
    /// report, so lint compiles with the good ones.
    fn load(dir: &Path, problems: &mut Vec<Problem>) -> Beside {
        let codelists = load_codelists(&dir.join("codelists"), problems);
        let mut tenant_problems = Vec::new();
        let tenants = json_files(&dir.join("tenants"), &mut tenant_problems)
            .iter()
            .filter_map(|path| parse_tenant(&read_json(path, &mut tenant_problems)?).ok())
            .collect();
        Beside { codelists, tenants }
    }
}

fn lint_file(file: &Path, validator: &jsonschema::Validator, beside: &Beside, problems: &mut Vec<Problem>) {
    let Some(json) = read_json(file, problems) else { return };
    let mut found: Vec<DefinitionError> = validator
        .iter_errors(&json)
        .map(|error| DefinitionError::new(error.instance_path.to_string(), DefinitionErrorKind::Format, error.to_string()))
        .collect();
    let tenant_choices: Vec<Option<&Tenant>> =
        if beside.tenants.is_empty() { vec![None] } else { beside.tenants.iter().map(Some).collect() };
    for tenant in tenant_choices {
        let resources = Resources { codelists: Some(&beside.codelists), tenant };
        if let Err(errors) = compile(&json, resources) {
            found.extend(errors);
        }
    }
    found.sort();
    found.dedup();
    problems.extend(found.into_iter().map(|error| Problem::new(file, error)));
}

/// Loads and compiles one form (with the code lists beside it) or explains why not.
fn load_form(form: &Path, tenant: Option<&Path>) -> Result<(CompiledForm, Option<Tenant>), Vec<Problem>> {
    let mut problems = Vec::new();
    let json = read_json(form, &mut problems);
    let dir = form.parent().unwrap_or(Path::new("."));
    let codelists = load_codelists(&dir.join("codelists"), &mut problems);
    let tenant = match tenant {
        Some(path) => match read_json(path, &mut problems).map(|json| parse_tenant(&json)) {
            Some(Ok(tenant)) => Some(tenant),
            Some(Err(errors)) => {
                problems.extend(errors.into_iter().map(|error| Problem::new(path, error)));
                None
            }
            None => None,
        },
        None => None,
    };
    let (Some(json), true) = (json, problems.is_empty()) else { return Err(problems) };
    match compile(&json, Resources { codelists: Some(&codelists), tenant: tenant.as_ref() }) {
        Ok(compiled) => Ok((compiled, tenant)),
        Err(errors) => Err(errors.into_iter().map(|error| Problem::new(form, error)).collect()),
    }
}

fn report_unusable(problems: &[Problem]) -> ExitCode {
    for problem in problems {
        eprintln!("{problem}");
    }
    ExitCode::from(EXIT_UNUSABLE)
}

/// `efa validate FORM DATA`
pub fn validate(form: &Path, data: &Path, tenant: Option<&Path>, today: Option<&str>, lang: &str, as_json: bool) -> ExitCode {
    let today = match today {
        Some(text) => match Date::parse(text) {
            Some(date) => date,
            None => {
                eprintln!("--today must be a date like 2026-11-23, not '{text}'");
                return ExitCode::from(EXIT_UNUSABLE);
            }
        },
        None => system_today(),
    };
    let compiled = match load_form(form, tenant) {
        Ok((compiled, _)) => compiled,
        Err(problems) => return report_unusable(&problems),
    };
    let mut problems = Vec::new();
    let Some(submission) = read_json(data, &mut problems) else { return report_unusable(&problems) };
    let context = Context::new(today, lang);
    let is_envelope = submission.get("form").is_some_and(Json::is_object) && submission.get("data").is_some();
    let report = if is_envelope { compiled.validate_envelope(&submission, &context) } else { compiled.validate(&submission, &context) };
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else if report.valid {
        println!("valid: {} has no errors", data.display());
        for warning in &report.warnings {
            println!("warning {}: {} [{}]", display_path(&warning.path), warning.message, warning.code);
        }
    } else {
        println!("invalid: {} error(s)", report.errors.len());
        for error in &report.errors {
            println!("{}: {} [{}]", display_path(&error.path), error.message, error.code);
        }
        for warning in &report.warnings {
            println!("warning {}: {} [{}]", display_path(&warning.path), warning.message, warning.code);
        }
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

/// `efa schema FORM`
pub fn schema(form: &Path, tenant: Option<&Path>) -> ExitCode {
    match load_form(form, tenant) {
        Ok((compiled, _)) => {
            println!("{}", serde_json::to_string_pretty(&compiled.json_schema()).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(problems) => report_unusable(&problems),
    }
}

/// `efa graph FORM`
pub fn graph(form: &Path, tenant: Option<&Path>, notation: Notation) -> ExitCode {
    match load_form(form, tenant) {
        Ok((compiled, _)) => {
            print!("{}", compiled.diagram(notation));
            ExitCode::SUCCESS
        }
        Err(problems) => report_unusable(&problems),
    }
}

/// `efa compile FORM --tenant T --output OUT`: the image `<efa-form>` loads.
/// It holds the tenant, and only the widget of this very engine build reads it.
pub fn compile_image(form: &Path, tenant: Option<&Path>, output: &Path) -> ExitCode {
    let (compiled, tenant) = match load_form(form, tenant) {
        Ok(loaded) => loaded,
        Err(problems) => return report_unusable(&problems),
    };
    let image = efa_engine::write_image(&compiled, tenant.as_ref());
    if let Err(error) = std::fs::write(output, &image) {
        eprintln!("{}: cannot write: {error}", output.display());
        return ExitCode::from(EXIT_UNUSABLE);
    }
    let tenant = tenant.map_or_else(|| "no tenant".to_string(), |t| format!("tenant {}", t.id));
    println!("{}: {} {} for {tenant}, {} bytes", output.display(), compiled.id(), compiled.version(), image.len());
    ExitCode::SUCCESS
}

/// Today's civil date in UTC from the system clock (the CLI's context; the
/// engine itself never reads a clock).
pub fn system_today() -> Date {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::from_days_since_epoch((seconds / 86_400) as i64).unwrap_or(Date::EPOCH)
}
