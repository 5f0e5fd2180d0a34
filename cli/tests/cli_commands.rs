//! The offline subcommands as an author or operator runs them: exit codes
//! and what they print.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn efa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_efa")).args(args).current_dir(repo()).output().expect("efa runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("efa-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn lint_accepts_the_real_forms() {
    let output = efa(&["lint", "forms/"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("4 file(s) checked, no problems"));
}

#[test]
fn lint_names_file_pointer_and_problem() {
    let form = temp_file(
        "broken.json",
        r#"{"id": "kaputt", "version": "1.0.0", "title": "Kaputt", "steps": [{"id": "s", "title": "S", "fields": [
            {"id": "zahlweise", "type": "choice", "label": "Zahlweise", "options": ["a", "b"]},
            {"id": "iban", "type": "iban", "label": "IBAN", "visible": "zahlwise == 'a'"},
            {"id": "farbe", "type": "text", "label": "Farbe", "colour": "rot"}
        ]}]}"#,
    );
    let output = efa(&["lint", form.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    // file:line:column, so that an editor jumps to the field.
    assert!(text.contains("broken.json:4:13: /steps/0/fields/2: "), "the JSON Schema finding names the field: {text}");
    assert!(text.contains("broken.json:4:73: /steps/0/fields/2/colour: unknown member \"colour\""), "{text}");
}

#[test]
fn lint_reports_unknown_references_with_a_suggestion() {
    let form = temp_file(
        "typo.json",
        r#"{"id": "tippfehler", "version": "1.0.0", "title": "T", "steps": [{"id": "s", "title": "S", "fields": [
            {"id": "zahlweise", "type": "choice", "label": "Zahlweise", "options": ["a", "b"]},
            {"id": "iban", "type": "iban", "label": "IBAN", "visible": "zahlwise == 'a'"}
        ]}]}"#,
    );
    let output = efa(&["lint", form.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(text.contains("typo.json:3:72: /steps/0/fields/1/visible: unknown field 'zahlwise' (did you mean zahlweise?)"), "{text}");
    assert!(text.contains("[unknown_reference]"), "{text}");
}

#[test]
fn validate_exit_codes() {
    let form = "forms/hundesteuer-anmeldung.json";
    let tenant = "forms/tenants/musterstadt.json";
    let invalid = temp_file("invalid.json", r#"{"vorname": "Erika", "hobby": "Schach"}"#);
    let output = efa(&["validate", form, invalid.to_str().unwrap(), "--tenant", tenant, "--today", "2026-11-23", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let codes: Vec<&str> = report["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"required") && codes.contains(&"unknown_key"), "{codes:?}");

    let broken = temp_file("broken-data.json", "{ not json");
    let output = efa(&["validate", form, broken.to_str().unwrap(), "--today", "2026-11-23"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid JSON"));

    let output = efa(&["validate", form, invalid.to_str().unwrap(), "--today", "23.11.2026"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn schema_and_graph() {
    let output = efa(&["schema", "forms/wohngeld-antrag.json", "--tenant", "forms/tenants/musterstadt.json"]);
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["properties"]["form"]["properties"]["id"]["const"], "wohngeld-antrag");

    let output = efa(&["graph", "forms/hundesteuer-anmeldung.json", "--tenant", "forms/tenants/musterstadt.json", "--format", "mermaid"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("flowchart LR"));
    assert!(stdout(&output).contains("-->|visible|"));
}

#[test]
fn lint_reports_every_problem_at_once() {
    let form = temp_file(
        "several.json",
        r#"{"id": "mehrere", "version": "1.0.0", "title": "M", "steps": [{"id": "s", "title": "S", "fields": [
            {"id": "a", "type": "text", "label": "A", "visible": "hnd == 1"},
            {"id": "b", "type": "integer", "label": "B", "compute": "b + 1"}
        ]}]}"#,
    );
    let output = efa(&["lint", form.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(text.contains("[unknown_reference]") && text.contains("b → b [cycle]"), "{text}");
}

#[test]
fn compile_writes_the_image_the_widget_loads() {
    let output_path = std::env::temp_dir().join(format!("efa-cli-test-{}-hundesteuer.efa", std::process::id()));
    let output_arg = output_path.to_str().unwrap();
    let output = efa(&["compile", "forms/hundesteuer-anmeldung.json", "--tenant", "forms/tenants/beispielhausen.json", "-o", output_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout(&output).contains("hundesteuer-anmeldung 1.0.0 for tenant beispielhausen"), "{}", stdout(&output));
    let image = std::fs::read(&output_path).unwrap();
    let (form, tenant) = efa_engine::read_image(&image).expect("an image of this engine build");
    assert_eq!((form.id(), tenant.map(|t| t.id)), ("hundesteuer-anmeldung", Some("beispielhausen".to_string())));

    // A tenant that fails WCAG contrast never frames a form, compiled or not.
    let output =
        efa(&["compile", "forms/hundesteuer-anmeldung.json", "--tenant", "tests/e2e/fixtures/low-contrast-tenant.json", "-o", output_arg]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/branding/"), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::remove_file(&output_path).unwrap();
}
