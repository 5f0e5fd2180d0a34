//! Native runner of the conformance corpus (`tests/conformance/`).
//!
//! Every case file's output is compared byte for byte with
//! `tests/conformance/expected/<file>`; the WebAssembly runner compares with
//! the same files. The corpus also runs on every form after a round trip
//! through its compiled image, with the same output byte for byte. Set `EFA_UPDATE_CONFORMANCE=1` to rewrite them (review the
//! diff); with `CI=true` a missing expected file fails.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> Json {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `{id: json}` of every `*.json` in a directory.
fn by_id(dir: &Path) -> Json {
    let mut map = Map::new();
    let mut paths: Vec<PathBuf> = fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") && !name.ends_with(".schema.json") {
            let json = read(&path);
            let id = json["id"].as_str().unwrap_or(&name).to_string();
            map.insert(id, json);
        }
    }
    Json::Object(map)
}

/// The forms directory as the library object the harness expects.
fn library() -> Json {
    let forms = repo().join("forms");
    serde_json::json!({
        "forms": by_id(&forms),
        "tenants": by_id(&forms.join("tenants")),
        "codelists": by_id(&forms.join("codelists")),
    })
}

#[test]
fn conformance_corpus() {
    let library = library();
    let cases_dir = repo().join("tests/conformance/cases");
    let expected_dir = repo().join("tests/conformance/expected");
    let update = std::env::var("EFA_UPDATE_CONFORMANCE").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut files: Vec<PathBuf> = fs::read_dir(&cases_dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut problems = Vec::new();
    let mut case_count = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let output = efa_engine::conformance::run_file(&read(file), &library);
        for case in output.as_array().unwrap() {
            case_count += 1;
            for failure in case["failures"].as_array().unwrap() {
                problems.push(format!("{name} / {}: {}", case["name"], failure.as_str().unwrap()));
            }
        }
        let text = serde_json::to_string_pretty(&output).unwrap() + "\n";
        let expected_path = expected_dir.join(&name);
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == text => {}
            _ if update || (!ci && !expected_path.exists()) => fs::write(&expected_path, &text).unwrap(),
            Ok(_) => {
                problems.push(format!("{name}: output differs from {} (EFA_UPDATE_CONFORMANCE=1 rewrites it)", expected_path.display()))
            }
            Err(_) => problems.push(format!("{name}: {} is missing", expected_path.display())),
        }
    }
    println!("conformance: {case_count} cases in {} files", files.len());
    assert!(case_count > 0, "no conformance cases found");
    assert!(problems.is_empty(), "{} conformance problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn conformance_corpus_through_images() {
    let library = library();
    let cases_dir = repo().join("tests/conformance/cases");
    let mut files: Vec<PathBuf> = fs::read_dir(&cases_dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut compiled = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let cases = read(file);
        let direct = efa_engine::conformance::run_file(&cases, &library);
        let imaged = efa_engine::conformance::run_file_through_images(&cases, &library);
        compiled += direct.as_array().unwrap().iter().filter(|case| case.get("steps").is_some()).count();
        let text = |output: &Json| serde_json::to_string_pretty(output).unwrap();
        assert!(text(&direct) == text(&imaged), "{name}: output through images differs:\n{}", text(&imaged));
    }
    println!("conformance through images: {compiled} compiled forms");
    assert!(compiled > 100, "only {compiled} cases compiled");
}
