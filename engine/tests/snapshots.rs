//! Snapshot tests (insta) of what the engine makes of the real forms in
//! `forms/`: the compiled structure, the dependency graph, the submission
//! JSON Schema, and the report for an empty submission (every message a
//! citizen would see first). Review changes with `INSTA_UPDATE=always` and
//! a careful look at the diff.

use std::fs;
use std::path::{Path, PathBuf};

use efa_engine::model::CodeList;
use efa_engine::{compile, parse_codelist, parse_tenant, CompiledForm, Context, Date, NameMap, NodeKind, Notation, Resources};
use serde_json::{json, Value as Json};

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms")
}

fn read(path: &Path) -> Json {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn codelists() -> NameMap<CodeList> {
    let mut lists = NameMap::new();
    for entry in fs::read_dir(forms_dir().join("codelists")).unwrap().flatten() {
        let list = parse_codelist(&read(&entry.path())).unwrap();
        lists.insert(list.id.clone(), list);
    }
    lists
}

fn definition(form: &str) -> serde_json::Value {
    read(&forms_dir().join(format!("{form}.json")))
}

fn compiled(form: &str) -> CompiledForm {
    let definition = definition(form);
    let tenant = parse_tenant(&read(&forms_dir().join("tenants/musterstadt.json"))).unwrap();
    let codelists = codelists();
    compile(&definition, Resources { codelists: Some(&codelists), tenant: Some(&tenant) }).unwrap()
}

/// One line per node: where it lives, what it is, what drives it (read
/// from the field in the definition, which the node's pointer names).
fn structure(form: &CompiledForm, definition: &serde_json::Value) -> String {
    let mut out = String::new();
    for node in form.nodes() {
        let kind = match node.kind {
            NodeKind::Step => "step".to_string(),
            NodeKind::Field(t) => format!("{t:?}").to_lowercase(),
        };
        let depth = std::iter::successors(node.parent, |&p| form.node(p).parent).count();
        let mut notes = Vec::new();
        if let Some(field) = definition.pointer(&node.pointer).filter(|_| node.spec.is_some()) {
            let has = |key: &str| field.get(key).is_some_and(|v| !v.is_null());
            if has("visible") {
                notes.push("visible-if");
            }
            if has("required") {
                notes.push("required");
            }
            if has("compute") {
                notes.push("computed");
            }
            if field.get("rules").and_then(|r| r.as_array()).is_some_and(|r| !r.is_empty()) {
                notes.push("checked");
            }
        }
        if let Some(repeat) = node.repeat {
            out.push_str(&format!("{}{} {kind} repeat {}..{} {}\n", "  ".repeat(depth), node.id, repeat.min, repeat.max, notes.join(" ")));
        } else {
            out.push_str(&format!("{}{} {kind} {}\n", "  ".repeat(depth), node.id, notes.join(" ")));
        }
    }
    out
}

const FORMS: [&str; 4] = ["hundesteuer-anmeldung", "bewohnerparkausweis", "wohngeld-antrag", "jagdschein"];

#[test]
fn compiled_structure() {
    for form in FORMS {
        insta::assert_snapshot!(format!("structure-{form}"), structure(&compiled(form), &definition(form)));
    }
}

#[test]
fn dependency_graphs() {
    for form in FORMS {
        insta::assert_snapshot!(format!("graph-{form}"), compiled(form).diagram(Notation::Mermaid));
    }
}

#[test]
fn submission_schemas() {
    for form in FORMS {
        insta::assert_json_snapshot!(format!("schema-{form}"), compiled(form).json_schema());
    }
}

#[test]
fn reports_for_empty_submissions() {
    let context = Context::new(Date::parse("2026-11-23").unwrap(), "de");
    for form in FORMS {
        let report = compiled(form).validate(&json!({}), &context);
        assert!(!report.valid);
        insta::assert_json_snapshot!(format!("empty-report-{form}"), report);
    }
}

#[test]
fn report_for_tampered_submission_in_english() {
    let context = Context::new(Date::parse("2026-11-23").unwrap(), "en");
    let data = json!({
        "vorname": "Erika", "familienname": "Mustermann", "geburtsdatum": "2010-02-30",
        "anschrift": { "strasse": "Hauptstraße", "hausnummer": "1", "plz": "1234", "ort": "Musterstadt", "etage": 3 },
        "zugezogen": false, "zuzugsdatum": "2026-01-01",
        "email": "erika@", "hund": [], "admin": true,
        "steuer": "1.00", "zahlungsweise": "bar"
    });
    insta::assert_json_snapshot!("tampered-report-hundesteuer", compiled("hundesteuer-anmeldung").validate(&data, &context));
}
