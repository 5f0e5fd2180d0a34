//! Hostile definitions and submissions: each gets a clear error (or a
//! bounded result), never a panic, a hang or unbounded memory.

use std::sync::Arc;

use efa_engine::{compile, Context, Date, DefinitionErrorKind, Resources, Session};
use serde_json::{json, Value as Json};

fn form_with(fields: Json) -> Json {
    json!({ "id": "feindlich", "version": "1.0.0", "title": "Feindlich", "steps": [{ "id": "s", "title": "S", "fields": fields }] })
}

fn kinds(definition: &Json) -> Vec<DefinitionErrorKind> {
    match compile(definition, Resources::default()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| e.kind).collect(),
    }
}

fn context() -> Context {
    Context::new(Date::parse("2026-11-23").unwrap(), "de")
}

#[test]
fn deeply_nested_groups_are_a_limit_error() {
    let mut field = json!({ "id": "blatt", "type": "text", "label": "Blatt" });
    for depth in 0..100 {
        field = json!({ "id": format!("g{depth}"), "type": "group", "label": "Gruppe", "fields": [field] });
    }
    assert!(kinds(&form_with(json!([field]))).contains(&DefinitionErrorKind::LimitExceeded));
}

#[test]
fn deeply_nested_text_is_a_limit_error() {
    let arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text =
        form_with(json!([{ "id": "a", "type": "text", "label": "A", "default": "ARRAYS" }])).to_string().replace("\"ARRAYS\"", &arrays);
    let errors = efa_engine::parse_definition_text(&text).unwrap_err();
    assert_eq!(errors[0].kind, DefinitionErrorKind::LimitExceeded, "{}", errors[0]);
    let mut field = json!({ "id": "blatt", "type": "text", "label": "Blatt" });
    for depth in 0..100 {
        field = json!({ "id": format!("g{depth}"), "type": "group", "label": "Gruppe", "fields": [field] });
    }
    let errors = efa_engine::parse_definition_text(&form_with(json!([field])).to_string()).unwrap_err();
    assert_eq!(errors[0].kind, DefinitionErrorKind::LimitExceeded, "{}", errors[0]);
    assert!(errors[0].pointer.ends_with("/fields/0/fields"), "{}", errors[0]);
}

#[test]
fn deeply_nested_expressions_are_an_error() {
    let deep = format!("{}1{}", "(".repeat(3000), ")".repeat(3000));
    let definition = form_with(json!([{ "id": "a", "type": "integer", "label": "A", "compute": deep }]));
    assert_eq!(kinds(&definition), vec![DefinitionErrorKind::ExpressionSyntax]);
    let chain = vec!["b"; 500].join(" + ");
    let definition = form_with(json!([
        { "id": "b", "type": "integer", "label": "B" },
        { "id": "a", "type": "integer", "label": "A", "compute": chain }
    ]));
    assert_eq!(kinds(&definition), vec![DefinitionErrorKind::ExpressionSyntax]);
}

#[test]
fn huge_repeats_and_too_many_fields_are_refused() {
    let definition = form_with(json!([{ "id": "g", "type": "group", "label": "G", "repeat": { "min": 0, "max": 10_000_000 },
        "fields": [{ "id": "x", "type": "text", "label": "X" }] }]));
    assert_eq!(kinds(&definition), vec![DefinitionErrorKind::InvalidProperty]);
    let many: Vec<Json> = (0..20_001).map(|i| json!({ "id": format!("f{i}"), "type": "boolean", "label": "F" })).collect();
    assert!(kinds(&form_with(Json::Array(many))).contains(&DefinitionErrorKind::LimitExceeded));
}

#[test]
fn catastrophic_patterns_run_in_linear_time() {
    // With a backtracking engine `(a+)+$` on "aaaa…b" takes exponential time;
    // regex-lite guarantees linear time, so this returns at once.
    let definition = form_with(json!([{ "id": "t", "type": "text", "label": "T", "pattern": "(a+)+", "maxLength": 100000 },
        { "id": "u", "type": "boolean", "label": "U", "compute": "matches(t, '(a|aa)+(b|c)')" }]));
    let form = compile(&definition, Resources::default()).unwrap();
    let evil = format!("{}!", "a".repeat(50_000));
    let report = form.validate(&json!({ "t": evil }), &context());
    assert_eq!(report.errors[0].code, "pattern");
}

#[test]
fn script_in_labels_is_data_not_markup() {
    let label = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let definition = form_with(json!([{ "id": "name", "type": "text", "label": label, "required": true }]));
    let form = compile(&definition, Resources::default()).unwrap();
    let report = form.validate(&json!({}), &context());
    // The engine passes the text through unchanged; renderers set it as text.
    assert!(report.errors[0].message.contains(label));
}

#[test]
fn oversized_submissions_are_bounded() {
    let definition = form_with(json!([
        { "id": "g", "type": "group", "label": "G", "repeat": { "min": 0, "max": 3 }, "fields": [{ "id": "x", "type": "text", "label": "X" }] },
        { "id": "t", "type": "text", "label": "T" },
        { "id": "m", "type": "multichoice", "label": "M", "options": ["a", "b"] }
    ]));
    let form = compile(&definition, Resources::default()).unwrap();
    let many: Vec<Json> = (0..1_000_000).map(|_| json!({ "x": "y" })).collect();
    let data = json!({ "g": many, "t": "x".repeat(1_000_000), "m": vec!["a"; 10_000] });
    let report = form.validate(&data, &context());
    let codes: Vec<&str> = report.errors.iter().map(|e| &*e.code).collect();
    assert_eq!(codes, ["too_large", "too_large", "repeat_max"], "{report:?}");
}

#[test]
fn submission_text_with_many_keys_is_read_in_linear_time() {
    let form = compile(&form_with(json!([{ "id": "t", "type": "text", "label": "T" }])), Resources::default()).unwrap();
    // 200 000 unknown keys, then one of them again (the way through a parsed value).
    let keys: Vec<String> = (0..200_000).map(|i| format!(r#""k{i}": 1"#)).collect();
    for extra in ["", r#", "k7": 2"#] {
        let text = format!(r#"{{"form": {{"id": "feindlich", "version": "1.0.0"}}, "data": {{{}{extra}}}}}"#, keys.join(", "));
        let report = form.validate_envelope_text(&text, &context()).unwrap();
        assert_eq!(report.errors.len(), 200_000, "one unknown_key each");
        assert!(report.errors.iter().all(|e| e.code == "unknown_key"));
    }
}

#[test]
fn session_paths_from_outside_are_checked() {
    let definition = form_with(json!([
        { "id": "g", "type": "group", "label": "G", "repeat": { "min": 1, "max": 3 }, "fields": [{ "id": "x", "type": "text", "label": "X" }] }
    ]));
    let form = Arc::new(compile(&definition, Resources::default()).unwrap());
    let mut session = Session::new(form, context());
    for path in ["", "g", "/g/99/x", "/g/-1/x", "/g/0/y", "/g/0/x/extra", "/g/18446744073709551616/x", "/g"] {
        assert!(session.set(path, json!("v")).is_err(), "{path}");
    }
    assert!(session.remove_instance("/g/5").is_err());
    for _ in 0..2 {
        session.add_instance("/g").unwrap();
    }
    assert!(session.add_instance("/g").is_err(), "max 3 instances");
}
