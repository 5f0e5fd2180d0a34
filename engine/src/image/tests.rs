//! The format's edges: what is not an image, lengths and tags that do not
//! fit, nesting at and beyond the limit, extreme values. Round trips of the
//! real forms and the hostile-bytes property tests are in `tests/image.rs`.

use serde_json::{json, Value as Json};

use super::*;
use crate::value::{Date, Decimal, Value};
use crate::{compile, Resources};

/// `payload` behind a valid header and checksum.
fn sealed(payload: &[u8]) -> Vec<u8> {
    let mut image = IMAGE_MAGIC.to_vec();
    image.extend_from_slice(engine_fingerprint().as_bytes());
    image.extend_from_slice(payload);
    image.extend_from_slice(&checksum(&image).to_le_bytes());
    image
}

fn form(fields: Json) -> CompiledForm {
    let definition = json!({ "id": "f", "version": "1.0.0", "title": "F",
        "parameters": { "p": { "type": "text", "default": "x" } },
        "steps": [{ "id": "s", "title": "S", "fields": fields }] });
    compile(&definition, Resources::default()).unwrap()
}

fn round_trip(form: &CompiledForm) -> Result<CompiledForm, ImageError> {
    read_image(&write_image(form, None)).map(|(form, _)| form)
}

/// `levels` arrays, one inside the other, around a number.
fn nested_arrays(levels: usize) -> Json {
    (0..levels).fold(json!(0), |inner, _| json!([inner]))
}

#[test]
fn the_fingerprint_is_16_hex_digits() {
    let fingerprint = engine_fingerprint();
    assert_eq!(fingerprint.len(), FINGERPRINT_LEN);
    assert!(fingerprint.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{fingerprint}");
}

#[test]
fn json_text_is_never_taken_for_an_image() {
    // JSON text starts with whitespace, a byte order mark, or one of these;
    // the magic starts with none of them.
    for first in ["{", "[", "\"", "-", "0", "t", "f", "n", " ", "\t", "\n", "\r", "\u{feff}"] {
        let text = format!("{first}EFAi{}", engine_fingerprint());
        assert_eq!(read_image(text.as_bytes()).unwrap_err(), ImageError::NotAnImage, "{first:?}");
    }
    let definition = include_str!("../../../forms/hundesteuer-anmeldung.json");
    assert_eq!(read_image(definition.as_bytes()).unwrap_err(), ImageError::NotAnImage);
}

#[test]
fn a_length_is_checked_before_anything_is_allocated() {
    // No tenant, no `$schema`, then an id of 2^28 - 1 bytes in a 7-byte payload.
    let error = read_image(&sealed(&[0, 0, 0xff, 0xff, 0xff, 0x7f])).unwrap_err();
    assert_eq!(error, ImageError::Damaged("a length runs past the end".into()));
    // A count larger than any `usize`.
    let error = read_image(&sealed(&[0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])).unwrap_err();
    assert_eq!(error, ImageError::Damaged("a number is too large".into()));
    // More continuation bytes than 128 bits hold.
    let error = read_image(&sealed(&[
        0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]))
    .unwrap_err();
    assert_eq!(error, ImageError::Damaged("a number is too large".into()));
}

#[test]
fn bad_tags_and_text_are_damaged() {
    assert_eq!(read_image(&sealed(&[7])).unwrap_err(), ImageError::Damaged("unknown option".into()));
    assert_eq!(read_image(&sealed(&[0, 0, 2, 0xc3, 0x28])).unwrap_err(), ImageError::Damaged("a text is not UTF-8".into()));
    assert_eq!(read_image(&sealed(&[])).unwrap_err(), ImageError::Damaged("it ends too early".into()));
}

#[test]
fn nesting_is_read_up_to_the_limit_and_no_deeper() {
    let mut deep = form(json!([{ "id": "a", "type": "text", "label": "A" }]));
    let parameter = |form: &mut CompiledForm, json: Json| {
        form.definition.parameters = [(
            "p".to_string(),
            crate::model::Parameter { kind: crate::model::ParameterType::Text, default: Some(json), description: None },
        )]
        .into();
    };
    parameter(&mut deep, nested_arrays(MAX_DEPTH - 1));
    assert_eq!(format!("{:?}", round_trip(&deep).unwrap()), format!("{deep:?}"));
    parameter(&mut deep, nested_arrays(MAX_DEPTH));
    assert_eq!(round_trip(&deep).unwrap_err(), ImageError::Damaged("values are nested too deeply".into()));
}

#[test]
fn the_deepest_definitions_the_compiler_accepts_round_trip() {
    let fields = |compute: String| {
        json!([
            { "id": "i", "type": "integer", "label": "I" },
            { "id": "e", "type": "decimal", "label": "E" },
            { "id": "d", "type": "decimal", "label": "D", "compute": compute },
            { "id": "u", "type": "text", "label": "U" },
            { "id": "t", "type": "text", "label": "T", "visible": "matches(u, '((a|b){2,3}|[^x-z0-9])+')" },
        ])
    };
    // The deepest right-nested mixed sum that compiles (integers converted
    // to decimals on the way).
    let sum = |depth: usize| format!("{}e{}", "i + (".repeat(depth), ")".repeat(depth));
    let depth = (1..=crate::expr::MAX_DEPTH + 2).rev().find(|&depth| compile_ok(fields(sum(depth)))).unwrap();
    assert!(depth >= 30, "{depth}");
    let mut deepest = form(fields(sum(depth)));
    assert_eq!(format!("{:?}", round_trip(&deepest).unwrap()), format!("{deepest:?}"));
    // JSON as deep as a definition file may nest at all (127 levels, the
    // definition reader's limit), set after compiling: no field type takes
    // a list as its default.
    let t = deepest.node_at("/t").unwrap();
    deepest.nodes[t].logic.default = Some(Box::new(nested_arrays(126)));
    assert_eq!(format!("{:?}", round_trip(&deepest).unwrap()), format!("{deepest:?}"));
}

fn compile_ok(fields: Json) -> bool {
    let definition = json!({ "id": "f", "version": "1.0.0", "title": "F", "steps": [{ "id": "s", "title": "S", "fields": fields }] });
    compile(&definition, Resources::default()).is_ok()
}

#[test]
fn extreme_values_round_trip() {
    let mut extreme = form(json!([{ "id": "a", "type": "text", "label": "A" }]));
    let decimal = |mantissa: i128, scale: u32| Value::Decimal(Decimal::from_mantissa(mantissa, scale).unwrap());
    let values = [
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Bool(true),
        decimal(i128::MAX, 28),
        decimal(-i128::MAX, 0),
        decimal(150, 2),
        Value::Date(Date::from_ymd(1, 1, 1).unwrap()),
        Value::Date(Date::from_ymd(9999, 12, 31).unwrap()),
        Value::Text("Grüße 😀".into()),
        Value::List(vec![None, Some(Value::List(vec![Some(Value::Int(-1))].into()))].into()),
    ];
    extreme.parameters = values.into_iter().enumerate().map(|(i, v)| (format!("p{i}"), Some(v))).chain([("q".to_string(), None)]).collect();
    let numbers = json!([u64::MAX, i64::MIN, 0.1, -0.0, 1e308, 5.0, -3, { "z": 1, "a": [null, true, false, "ü"] }]);
    extreme.definition.parameters =
        [("p".to_string(), crate::model::Parameter { kind: crate::model::ParameterType::Text, default: Some(numbers), description: None })]
            .into();
    let read = round_trip(&extreme).unwrap();
    assert_eq!(format!("{read:?}"), format!("{extreme:?}"));
    // Members keep their order, numbers their representation.
    let default = read.definition.parameters.get("p").and_then(|p| p.default.as_ref()).unwrap();
    assert_eq!(
        default.to_string(),
        r#"[18446744073709551615,-9223372036854775808,0.1,-0.0,1e+308,5.0,-3,{"z":1,"a":[null,true,false,"ü"]}]"#
    );
}

#[test]
fn the_reader_names_no_part_of_the_compiler() {
    // What the widget drops must stay unreachable from `read_image`.
    let source = include_str!("read.rs");
    for name in [
        "compile(",
        "compile_definition",
        "parse_definition",
        "Pattern::new",
        "expr::check",
        "expr::parse",
        "expr::lex",
        "tenant::check",
        "crate::read",
        "graph::build",
        "resolve::",
        "Decimal::parse",
        "Date::parse",
    ] {
        assert!(!source.contains(name), "read.rs names {name}");
    }
}
