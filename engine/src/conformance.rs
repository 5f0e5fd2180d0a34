//! The conformance harness: runs language-neutral JSON test cases and
//! produces deterministic JSON output, so that every build of the engine
//! (native, WebAssembly) can be compared byte for byte.
//!
//! A case file is `{"cases": [case, …]}`. A case:
//! ```json
//! { "name": "iban only for direct debit",
//!   "form": "hundesteuer-anmeldung" | "definition": { … },
//!   "tenant": "musterstadt" | { … },            (optional)
//!   "today": "2026-11-23", "lang": "de",        (optional)
//!   "steps": [ { "set": "/zahlweise", "value": "lastschrift",
//!                "expect": { "/iban": { "visible": true, "required": true } },
//!                "changed": ["/iban"] },
//!              { "add": "/hund" }, { "remove": "/hund/1" },
//!              { "report": { "valid": false, "errors": [{ "code": "required", "path": "/iban" }] } } ],
//!   "validate": { "data": { … }, "expect": { "valid": false, "errors": [ … ] } },
//!   "definitionErrors": [ { "kind": "cycle", "pointer": "/steps/0/fields/1" } ] }
//! ```
//! Names like `"form": "…"` refer to the library the runner passes in
//! (`{"forms": {id: definition}, "tenants": {id: tenant}, "codelists": {id: list}}`).
//!
//! The output records everything observable (compile errors, the changed
//! states of every step, reports) plus `failures`: the expectations that did
//! not hold. A runner fails a case when `failures` is not empty. Every
//! output the engine writes as JSON text itself ([`WriteJson`]: states,
//! reports, submissions, drafts) is also checked against serde_json's text
//! of it, so both runners prove the writer byte for byte on the corpus.
//!
//! [`run_file_through_images`] runs the same cases on each form after a
//! round trip through its compiled image ([`write_image`] → [`read_image`],
//! what the widget loads); a runner requires its output to be byte for byte
//! that of [`run_file`], so sessions and validation behave identically.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Map, Value as Json};

use crate::model::{CodeList, Tenant};
use crate::{
    compile, parse_codelist, parse_tenant, read_image, write_image, CompiledForm, Context, Date, NameMap, Report, Resources, Session,
    WriteJson,
};

/// Runs every case of a case file.
pub fn run_file(file: &Json, library: &Json) -> Json {
    let cases = file.get("cases").and_then(Json::as_array).cloned().unwrap_or_default();
    Json::Array(cases.iter().map(|case| run_case(case, library)).collect())
}

/// Runs every case of a case file like [`run_file`], each compiled form
/// replaced by what its image reads back as.
pub fn run_file_through_images(file: &Json, library: &Json) -> Json {
    let cases = file.get("cases").and_then(Json::as_array).cloned().unwrap_or_default();
    Json::Array(cases.iter().map(|case| run_case_with(case, library, true)).collect())
}

/// Runs one case.
pub fn run_case(case: &Json, library: &Json) -> Json {
    run_case_with(case, library, false)
}

/// Runs one case, on the compiled form or (`through_image`) on the form
/// read back from its image.
fn run_case_with(case: &Json, library: &Json, through_image: bool) -> Json {
    let mut out = Map::new();
    let mut failures: Vec<String> = Vec::new();
    out.insert("name".into(), case.get("name").cloned().unwrap_or(Json::Null));
    let codelists = codelists(library);
    let tenant = match resolve(case.get("tenant"), library, "tenants") {
        Some(json) => match parse_tenant(&json) {
            Ok(tenant) => Some(tenant),
            Err(errors) => {
                out.insert("tenantErrors".into(), json!(errors));
                check_definition_errors(case, &errors, &mut failures);
                return finish(out, failures);
            }
        },
        None => None,
    };
    let Some(definition) = case.get("definition").cloned().or_else(|| resolve(case.get("form"), library, "forms")) else {
        failures.push("case names no definition or unknown form".into());
        return finish(out, failures);
    };
    let form = match compile(&definition, Resources { codelists: Some(&codelists), tenant: tenant.as_ref() }) {
        Ok(form) if through_image => match imaged(form, tenant.as_ref()) {
            Ok(form) => Arc::new(form),
            Err(failure) => {
                failures.push(failure);
                return finish(out, failures);
            }
        },
        Ok(form) => Arc::new(form),
        Err(errors) => {
            out.insert("definitionErrors".into(), json!(errors));
            check_definition_errors(case, &errors, &mut failures);
            return finish(out, failures);
        }
    };
    if case.get("definitionErrors").is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty())) {
        failures.push("expected definition errors, but the form compiled".into());
    }
    let today = case.get("today").and_then(Json::as_str).and_then(Date::parse).unwrap_or(Date::EPOCH);
    let lang = case.get("lang").and_then(Json::as_str).unwrap_or("de");
    let context = Context::new(today, lang);
    let mut session = Session::new(form.clone(), context.clone());
    let steps = case.get("steps").and_then(Json::as_array).cloned().unwrap_or_default();
    let outputs: Vec<Json> = steps.iter().enumerate().map(|(i, step)| run_step(&mut session, step, i, &mut failures)).collect();
    out.insert("steps".into(), Json::Array(outputs));
    if let Some(validate) = case.get("validate") {
        let data = validate.get("data").cloned().unwrap_or(Json::Null);
        let report = if validate.get("envelope").and_then(Json::as_bool) == Some(true) {
            form.validate_envelope(&data, &context)
        } else {
            form.validate(&data, &context)
        };
        if let Some(expect) = validate.get("expect") {
            check_report(&report, expect, "validate", &mut failures);
        }
        check_written(&report, "validate: report", &mut failures);
        out.insert("validate".into(), json!(report));
    }
    finish(out, failures)
}

/// The form and tenant as read back from their image, which must print
/// exactly as they did before.
fn imaged(form: CompiledForm, tenant: Option<&Tenant>) -> Result<CompiledForm, String> {
    let (read, read_tenant) = read_image(&write_image(&form, tenant)).map_err(|e| format!("image: {e}"))?;
    if format!("{read:?}") != format!("{form:?}") {
        return Err("image: the form read back differs from the form written".into());
    }
    if format!("{:?}", read_tenant.as_ref()) != format!("{tenant:?}") {
        return Err("image: the tenant read back differs from the tenant written".into());
    }
    Ok(read)
}

fn finish(mut out: Map<String, Json>, failures: Vec<String>) -> Json {
    out.insert("failures".into(), json!(failures));
    Json::Object(out)
}

fn resolve(reference: Option<&Json>, library: &Json, kind: &str) -> Option<Json> {
    match reference? {
        Json::String(name) => library.get(kind)?.get(name).cloned(),
        inline => Some(inline.clone()),
    }
}

fn codelists(library: &Json) -> NameMap<CodeList> {
    let Some(lists) = library.get("codelists").and_then(Json::as_object) else { return NameMap::new() };
    lists.iter().filter_map(|(id, json)| Some((id.clone(), parse_codelist(json).ok()?))).collect()
}

fn run_step(session: &mut Session, step: &Json, index: usize, failures: &mut Vec<String>) -> Json {
    let label = format!("step {index}");
    let result = if let Some(path) = step.get("set").and_then(Json::as_str) {
        session.set(path, step.get("value").cloned().unwrap_or(Json::Null))
    } else if let Some(path) = step.get("add").and_then(Json::as_str) {
        session.add_instance(path)
    } else if let Some(path) = step.get("remove").and_then(Json::as_str) {
        session.remove_instance(path)
    } else if let Some(draft) = step.get("loadDraft") {
        Ok(session.load_draft(draft))
    } else {
        Ok(Vec::new())
    };
    let mut out = Map::new();
    match result {
        Ok(changed) => {
            if let Some(expected) = step.get("changed").and_then(Json::as_array) {
                let paths: Vec<Json> = changed.iter().map(|s| Json::String(s.path.to_string())).collect();
                if &paths != expected {
                    failures.push(format!("{label}: changed {} expected {}", Json::Array(paths), Json::Array(expected.clone())));
                }
            }
            check_written(&changed, &format!("{label}: changed states"), failures);
            out.insert("changed".into(), json!(changed));
        }
        Err(error) => {
            if step.get("error").is_none() {
                failures.push(format!("{label}: {error}"));
            }
            out.insert("error".into(), Json::String(error.to_string()));
        }
    }
    if let Some(expect) = step.get("expect").and_then(Json::as_object) {
        check_states(session, expect, &label, failures);
    }
    check_written(&session.states(), &format!("{label}: states"), failures);
    check_written(&session.report(), &format!("{label}: report"), failures);
    check_written(&session.draft(), &format!("{label}: draft"), failures);
    let submission = session.submission();
    if submission.as_str() != serde_json::to_string(&submission.to_json()).unwrap_or_default() {
        failures.push(format!("{label}: the submission is not serde_json's text of it"));
    }
    if let Some(expect) = step.get("report") {
        let report = session.report();
        check_report(&report, expect, &label, failures);
        out.insert("report".into(), json!(report));
    }
    if let Some(expect) = step.get("submission") {
        let submission = session.submission().to_json();
        if submission.get("data") != Some(expect) {
            failures.push(format!("{label}: submission data {} expected {expect}", submission["data"]));
        }
        out.insert("submission".into(), submission);
    }
    if step.get("draft").is_some() {
        out.insert("draft".into(), session.draft());
    }
    Json::Object(out)
}

/// Each expected path must exist, and each given key must match.
/// The engine's JSON text of `value` must be serde_json's, byte for byte.
fn check_written<T: WriteJson + Serialize + ?Sized>(value: &T, label: &str, failures: &mut Vec<String>) {
    let written = value.to_json_text();
    let serde = serde_json::to_string(value).unwrap_or_default();
    if written != serde {
        failures.push(format!("{label}: written {written} but serde_json writes {serde}"));
    }
}

fn check_states(session: &Session, expect: &Map<String, Json>, label: &str, failures: &mut Vec<String>) {
    let states = session.states();
    for (path, expected) in expect {
        let Some(state) = states.iter().find(|s| *s.path == **path) else {
            failures.push(format!("{label}: no state for {path}"));
            continue;
        };
        let actual = json!(state);
        for (key, want) in expected.as_object().into_iter().flatten() {
            let got = match key.as_str() {
                "errors" | "warnings" => Json::Array(actual[key].as_array().into_iter().flatten().map(|i| i["code"].clone()).collect()),
                "messages" => Json::Array(actual["errors"].as_array().into_iter().flatten().map(|i| i["message"].clone()).collect()),
                _ => actual.get(key).cloned().unwrap_or(Json::Null),
            };
            if &got != want {
                failures.push(format!("{label}: {path}.{key} is {got}, expected {want}"));
            }
        }
    }
}

/// `valid` must match; `errors`/`warnings` (lists of `{code, path}`) must
/// match as sets; `submission` must equal the canonical data.
fn check_report(report: &Report, expect: &Json, label: &str, failures: &mut Vec<String>) {
    if let Some(valid) = expect.get("valid").and_then(Json::as_bool) {
        if report.valid != valid {
            failures.push(format!("{label}: valid is {}, expected {valid}", report.valid));
        }
    }
    for (key, issues) in [("errors", &report.errors), ("warnings", &report.warnings)] {
        let Some(expected) = expect.get(key).and_then(Json::as_array) else { continue };
        let got = sorted(issues.iter().map(|i| (i.code.to_string(), i.path.to_string())).collect());
        let want = expected_pairs(expected, "code", "path");
        if got != want {
            failures.push(format!("{label}: {key} {got:?}, expected {want:?}"));
        }
    }
    if let Some(expected) = expect.get("submission") {
        let submission = report.submission.as_ref().map(crate::Submission::to_json);
        let data = submission.as_ref().and_then(|s| s.get("data"));
        if data != Some(expected) {
            failures.push(format!("{label}: submission data {data:?}, expected {expected}"));
        }
    }
}

/// Expected definition errors (`{kind, pointer}`) must match as sets.
fn check_definition_errors(case: &Json, errors: &[crate::DefinitionError], failures: &mut Vec<String>) {
    let Some(expected) = case.get("definitionErrors").and_then(Json::as_array) else {
        failures.push(format!("unexpected definition errors: {}", json!(errors)));
        return;
    };
    let mut got = sorted(errors.iter().map(|e| (e.kind.code().to_string(), e.pointer.clone())).collect());
    got.dedup();
    let want = expected_pairs(expected, "kind", "pointer");
    if got != want {
        failures.push(format!("definition errors {got:?}, expected {want:?}"));
    }
}

/// `[{first: …, second: …}, …]` from a case, as sorted pairs.
fn expected_pairs(expected: &[Json], first: &str, second: &str) -> Vec<(String, String)> {
    let text = |e: &Json, key: &str| e[key].as_str().unwrap_or_default().to_string();
    sorted(expected.iter().map(|e| (text(e, first), text(e, second))).collect())
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}
