//! Property tests (proptest):
//! - arbitrary JSON as a definition, a tenant or a submission never panics,
//!   nor does arbitrary or damaged text as a definition;
//! - every member of the real definitions, tenants and code lists is read;
//! - a simulated citizen (random or diligent) fills a real form: whenever the
//!   session says the form is complete, the server's one-shot validation of
//!   the canonical submission agrees and returns the same submission, and
//!   every accepted submission validates against the exported JSON Schema.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use efa_engine::model::{CodeList, FieldType};
use efa_engine::{
    compile, compile_definition, parse_codelist, parse_definition, parse_definition_text, parse_tenant, CompiledForm, Context, Date,
    NameMap, NodeKind, Resources, Session,
};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

fn forms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms")
}

fn read(path: &Path) -> Json {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn codelists() -> NameMap<CodeList> {
    fs::read_dir(forms_dir().join("codelists"))
        .unwrap()
        .flatten()
        .map(|e| parse_codelist(&read(&e.path())).unwrap())
        .map(|list| (list.id.clone(), list))
        .collect()
}

const FORMS: [&str; 4] = ["hundesteuer-anmeldung", "bewohnerparkausweis", "wohngeld-antrag", "jagdschein"];

fn real_form(name: &str) -> Arc<CompiledForm> {
    let tenant = parse_tenant(&read(&forms_dir().join("tenants/musterstadt.json"))).unwrap();
    let lists = codelists();
    let definition = read(&forms_dir().join(format!("{name}.json")));
    Arc::new(compile(&definition, Resources { codelists: Some(&lists), tenant: Some(&tenant) }).unwrap())
}

fn context() -> Context {
    Context::new(Date::parse("2026-11-23").unwrap(), "de")
}

fn arbitrary_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        "[a-z_]{0,8}".prop_map(Json::String),
        ".{0,12}".prop_map(Json::String),
        prop_oneof![Just("text"), Just("group"), Just("choice"), Just("date"), Just("a == 1 &&"), Just("hund"), Just("(((")]
            .prop_map(|s| Json::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("type".to_string()),
                    Just("fields".to_string()),
                    Just("steps".to_string()),
                    Just("visible".to_string()),
                    Just("repeat".to_string()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Text that is often almost JSON: fragments of the format's syntax and
/// words, and now and then any character.
fn json_soup() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\"id\"",
        "\"steps\"",
        "\"fields\"",
        "\"type\"",
        "\"label\"",
        "\"x\"",
        "\"",
        "\\u",
        "\\ud83d",
        "\\",
        "1",
        "-",
        ".",
        "e",
        "0",
        "true",
        "fals",
        "null",
        "\"text\"",
        "\"group\"",
        "{\"de\": \"x\"}",
    ];
    let piece = prop_oneof![4 => prop::sample::select(PIECES).prop_map(String::from), 1 => ".{0,2}"];
    prop::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
}

/// A real definition's text with a few pieces cut out or repeated.
fn damaged_text(form: usize, cuts: &[(usize, usize, bool)]) -> String {
    let mut text = fs::read_to_string(forms_dir().join(format!("{}.json", FORMS[form]))).unwrap();
    for &(at, len, repeat) in cuts {
        let start = char_boundary(&text, at % text.len().max(1));
        let end = char_boundary(&text, start + len % 40);
        let piece = text[start..end].to_string();
        if repeat {
            text.insert_str(end, &piece);
        } else {
            text.replace_range(start..end, "");
        }
    }
    text
}

/// The last character boundary of `text` at or before `at`.
fn char_boundary(text: &str, at: usize) -> usize {
    (0..=at.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0)
}

/// Whether every member of `original` is in `read` with the same value
/// (`read` may add defaults; a `null` member is the same as none).
fn contained(original: &Json, read: &Json) -> bool {
    match (original, read) {
        (Json::Object(original), Json::Object(read)) => {
            original.iter().all(|(key, value)| value.is_null() || read.get(key).is_some_and(|r| contained(value, r)))
        }
        (Json::Array(original), Json::Array(read)) => {
            original.len() == read.len() && original.iter().zip(read).all(|(o, r)| contained(o, r))
        }
        _ => original == read,
    }
}

#[test]
fn every_member_of_the_real_files_is_read() {
    for form in FORMS {
        let text = fs::read_to_string(forms_dir().join(format!("{form}.json"))).unwrap();
        let original: Json = serde_json::from_str(&text).unwrap();
        let from_text = serde_json::to_value(parse_definition_text(&text).unwrap()).unwrap();
        assert!(contained(&original, &from_text), "{form}: a member was lost");
        assert_eq!(from_text, serde_json::to_value(parse_definition(&original).unwrap()).unwrap(), "{form}: text and value differ");
    }
    for dir in ["tenants", "codelists"] {
        for entry in fs::read_dir(forms_dir().join(dir)).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "json")) {
            let original = read(&entry.path());
            let read = match dir {
                "tenants" => serde_json::to_value(parse_tenant(&original).unwrap()).unwrap(),
                _ => serde_json::to_value(parse_codelist(&original).unwrap()).unwrap(),
            };
            assert!(contained(&original, &read), "{}: a member was lost", entry.path().display());
        }
    }
}

/// Replaces the value at a random place of `json` by `replacement`.
fn graft(json: &mut Json, mut choice: usize, replacement: Json) {
    let mut target = json;
    loop {
        let children: usize = match target {
            Json::Array(a) => a.len(),
            Json::Object(o) => o.len(),
            _ => 0,
        };
        if children == 0 || choice % 4 == 0 {
            *target = replacement;
            return;
        }
        let pick = choice % children;
        choice /= 3;
        target = match target {
            Json::Array(a) => &mut a[pick],
            Json::Object(o) => o.values_mut().nth(pick).unwrap(),
            _ => unreachable!(),
        };
    }
}

/// JSON numbers of every shape: signs, leading zeros, long fractions,
/// exponents far out, whole numbers beyond 64 bits.
fn number_text() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?([eE][-+]?[0-9]{1,3})?"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The widget parses JSON with the engine's reader instead of serde_json:
    /// same verdict, same value, on text that is mostly not JSON.
    #[test]
    fn parse_json_reads_what_serde_json_reads(text in json_soup()) {
        prop_assert_eq!(efa_engine::parse_json(&text).ok(), serde_json::from_str::<Json>(&text).ok());
    }

    #[test]
    fn parse_json_reads_numbers_as_serde_json_does(number in number_text()) {
        let text = format!("[{number}, {{\"n\": -{number}}}]");
        prop_assert_eq!(efa_engine::parse_json(&text).ok(), serde_json::from_str::<Json>(&text).ok());
    }

    #[test]
    fn parse_json_reads_arbitrary_values_back(json in arbitrary_json()) {
        prop_assert_eq!(efa_engine::parse_json(&json.to_string()).ok(), Some(json));
    }

    #[test]
    fn arbitrary_json_as_definition_never_panics(json in arbitrary_json()) {
        let _ = compile(&json, Resources::default());
        let _ = parse_tenant(&json);
    }

    #[test]
    fn arbitrary_text_as_definition_never_panics(text in json_soup()) {
        if let Ok(definition) = parse_definition_text(&text) {
            let _ = compile_definition(definition, Resources::default());
        }
    }

    #[test]
    fn damaged_definition_text_never_panics(form in 0..FORMS.len(), cuts in prop::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 1..4)) {
        let text = damaged_text(form, &cuts);
        let lists = codelists();
        match parse_definition_text(&text) {
            Ok(definition) => { let _ = compile_definition(definition, Resources { codelists: Some(&lists), tenant: None }); }
            Err(errors) => prop_assert!(errors.len() == 1 && errors[0].message.contains(" at line "), "{:?}", errors),
        }
    }

    #[test]
    fn damaged_real_definitions_never_panic(form in 0..FORMS.len(), place in any::<usize>(), replacement in arbitrary_json()) {
        let mut definition = read(&forms_dir().join(format!("{}.json", FORMS[form])));
        graft(&mut definition, place, replacement);
        let lists = codelists();
        let _ = compile(&definition, Resources { codelists: Some(&lists), tenant: None });
    }

    #[test]
    fn arbitrary_submissions_never_panic(form in 0..FORMS.len(), data in arbitrary_json()) {
        let form = real_form(FORMS[form]);
        let report = form.validate(&data, &context());
        prop_assert!(!report.errors.is_empty() || report.valid);
        let _ = form.validate_envelope(&data, &context());
        // Read from text, the same envelope gets the same report.
        let envelope = json!({ "form": { "id": form.id(), "version": form.version() }, "data": data });
        let from_text = form.validate_envelope_text(&envelope.to_string(), &context()).unwrap();
        prop_assert_eq!(from_text, form.validate_envelope(&envelope, &context()));
        prop_assert_eq!(form.validate_envelope_text(&data.to_string(), &context()).unwrap(), form.validate_envelope(&data, &context()));
    }

    #[test]
    fn browser_and_server_agree(form in 0..FORMS.len(), choices in prop::collection::vec(any::<u8>(), 64..256)) {
        let form = real_form(FORMS[form]);
        let mut session = Session::new(form.clone(), context());
        fill(&mut session, &choices);
        let submission = session.submission();
        let server = form.validate_envelope(&submission.to_json(), &context());
        prop_assert_eq!(&form.validate_envelope_text(submission.as_str(), &context()).unwrap(), &server);
        if session.report().valid {
            prop_assert!(server.valid, "session complete but server says {:?}", server.errors);
            prop_assert_eq!(server.submission.as_ref(), Some(&submission));
        }
        if server.valid {
            let schema = form.json_schema();
            let validator = jsonschema::validator_for(&schema).unwrap();
            let accepted = server.submission.unwrap().to_json();
            let problems: Vec<String> = validator.iter_errors(&accepted).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            prop_assert!(problems.is_empty(), "schema rejects an accepted submission: {:?}", problems);
        }
    }
}

/// Candidate inputs per field type: valid ones first, then invalid ones.
fn candidates(form: &CompiledForm, node: usize) -> Vec<Json> {
    let definition = form.node(node);
    let codes: Vec<Json> = definition.options.iter().take(3).map(|o| json!(o.code)).collect();
    match definition.field_type() {
        Some(FieldType::Text | FieldType::Textarea) => {
            vec![json!("Muster"), json!("1"), json!("123456789012345"), json!("M-AB 123"), json!("12a"), json!(""), json!("Иван")]
        }
        Some(FieldType::Integer) => vec![json!(3), json!(25), json!(0), json!(-1), json!("abc")],
        Some(FieldType::Decimal | FieldType::Money) => vec![json!("60"), json!("12,50"), json!("0"), json!("1000000"), json!("1.005")],
        Some(FieldType::Date) => {
            vec![
                json!("1980-05-17"),
                json!("2026-11-01"),
                json!("2010-01-01"),
                json!("2026-11-23"),
                json!("2030-01-01"),
                json!("2026-02-30"),
            ]
        }
        Some(FieldType::Boolean) => vec![json!(true), json!(false)],
        Some(FieldType::Choice) => codes.into_iter().chain([json!("unbekannt")]).collect(),
        Some(FieldType::Multichoice) => vec![json!(codes.iter().take(1).collect::<Vec<_>>()), json!(codes), json!([])],
        Some(FieldType::Email) => vec![json!("erika@example.de"), json!("erika@")],
        Some(FieldType::Phone) => vec![json!("030 1234567"), json!("12")],
        Some(FieldType::Iban) => vec![json!("DE89 3704 0044 0532 0130 00"), json!("DE00")],
        Some(FieldType::Postcode) => vec![json!("10115"), json!("123")],
        Some(FieldType::Attachment) => vec![
            json!([{ "name": "nachweis.pdf", "type": "application/pdf", "size": 120000 }]),
            json!([{ "name": "foto.jpg", "type": "image/jpeg", "size": 2000 }]),
            json!([{ "name": "tool.exe", "type": "application/x-msdownload", "size": 5 }]),
        ],
        _ => Vec::new(),
    }
}

/// A simulated citizen. The first byte decides whether they are diligent
/// (try each field's candidates until the field shows no error) or careless
/// (take whatever the next byte says).
fn fill(session: &mut Session, choices: &[u8]) {
    let diligent = choices[0] % 3 != 0;
    let mut bytes = choices[1..].iter().copied().cycle();
    let form = Arc::new(session.form().clone());
    for pass in 0..2 {
        if pass == 1 {
            for group in form.nodes().iter().filter(|n| n.is_repeat()) {
                let path = format!("/{}", group.data_path.join("/"));
                if bytes.next().unwrap_or(0) % 3 == 0 {
                    let _ = session.add_instance(&path);
                }
            }
        }
        let states = session.states();
        for state in states.iter().filter(|s| s.visible && !s.readonly && !s.path.starts_with('#')) {
            let Some(node) = form.node_at(&state.path) else { continue };
            if form.node(node).kind == NodeKind::Step || !form.node(node).has_value() || form.node(node).computed {
                continue;
            }
            let options = candidates(&form, node);
            if options.is_empty() {
                continue;
            }
            if diligent {
                for candidate in &options {
                    let _ = session.set(&state.path, candidate.clone());
                    let clean = session.states().iter().find(|s| s.path == state.path).is_none_or(|s| s.errors.is_empty());
                    if clean {
                        break;
                    }
                }
            } else {
                let pick = bytes.next().unwrap_or(0) as usize % options.len();
                let _ = session.set(&state.path, options[pick].clone());
            }
        }
    }
}

#[test]
fn diligent_citizens_complete_every_real_form() {
    // Guards the property above against vacuity: the simulated citizen must
    // actually reach complete, valid submissions.
    for name in FORMS {
        let form = real_form(name);
        let mut session = Session::new(form.clone(), context());
        fill(&mut session, &[1; 64]);
        let report = session.report();
        assert!(report.valid, "{name}: {:?}", report.errors);
        assert!(form.validate_envelope(&session.submission().to_json(), &context()).valid);
    }
}
