//! Reading the public formats (definition, tenant, code list) from JSON.
//!
//! A hand-written pull reader (`json`) and one reading function per model
//! type (`model`) instead of serde's derived `Deserialize`: the same strict
//! shapes (unknown members are errors), errors with the JSON pointer of the
//! offending value in words a form author understands, and a smaller
//! browser widget (42 KB of WebAssembly, 14 KB gzip less than the derives). A `serde_json::Value` is read by
//! the same functions through its JSON text, so there is one reader.

mod json;
mod model;

pub(crate) use json::{Reader, Result};
pub(crate) use model::{codelist, definition, tenant};

use crate::error::DefinitionError;

/// Reads `text` as one document with `read`; errors name the pointer, the
/// line and the column.
pub(crate) fn from_text<T>(text: &str, read: fn(&mut Reader) -> Result<T>) -> std::result::Result<T, Vec<DefinitionError>> {
    document(text, read).map_err(|error| {
        let (line, column) = json::line_column(text, error.offset);
        vec![DefinitionError::new(error.pointer, error.kind, format!("{} at line {line} column {column}", error.message))]
    })
}

/// Reads a parsed value with `read`; errors name the pointer (a value has
/// no lines). The text is written by the engine's writer, the same text as
/// `Display` gives: `Display` would bring serde's serializer, with the
/// pretty printer, into the widget.
pub(crate) fn from_value<T>(value: &serde_json::Value, read: fn(&mut Reader) -> Result<T>) -> std::result::Result<T, Vec<DefinitionError>> {
    document(&crate::WriteJson::to_json_text(value), read)
        .map_err(|error| vec![DefinitionError::new(error.pointer, error.kind, error.message)])
}

/// JSON text that is not a data value: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong, in words.
    pub message: String,
    /// Line of the problem, from 1.
    pub line: usize,
    /// Column of the problem in characters, from 1.
    pub column: usize,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

impl std::error::Error for JsonError {}

/// Parses JSON text into a data value: the value `serde_json::from_str`
/// gives (the same numbers; a repeated member keeps its first place and its
/// last value), with nesting bounded at 127 levels like serde_json's. The
/// widget parses all JSON with it, so serde_json's parser stays out of the
/// browser.
pub fn parse_json(text: &str) -> std::result::Result<serde_json::Value, JsonError> {
    document(text, |reader| reader.json()).map_err(|error| {
        let (line, column) = json::line_column(text, error.offset);
        JsonError { message: error.message, line, column }
    })
}

/// Line and column (from 1) of the value at JSON `pointer` in `text`, or
/// of its deepest ancestor in the text when the pointer goes further (a
/// missing member is reported at its object): for authors' tools, which
/// jump to a line. `None` for a pointer that is not a JSON pointer.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let segments: Vec<String> = match pointer.strip_prefix('/') {
        Some(rest) => rest.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect(),
        None if pointer.is_empty() => Vec::new(),
        None => return None,
    };
    let mut found = 0;
    // A broken text still tells how far the pointer got.
    let _ = descend(&mut Reader::new(text), &segments, &mut found);
    Some(json::line_column(text, found))
}

/// Follows `segments` from the value at the reader, noting each value's
/// offset in `found`.
fn descend(reader: &mut Reader, segments: &[String], found: &mut usize) -> Result<()> {
    *found = reader.position();
    let Some((first, rest)) = segments.split_first() else { return Ok(()) };
    match reader.peek()? {
        json::Kind::Object => reader.members(&mut |r, key| if key == first { descend(r, rest, found) } else { r.json().map(drop) }),
        json::Kind::List => {
            let wanted = first.parse::<usize>().ok();
            let mut index = 0;
            reader.elements(&mut |r| {
                index += 1;
                if wanted == Some(index - 1) {
                    descend(r, rest, found)
                } else {
                    r.json().map(drop)
                }
            })
        }
        _ => Ok(()),
    }
}

fn document<T>(text: &str, read: fn(&mut Reader) -> Result<T>) -> Result<T> {
    let mut reader = Reader::new(text);
    let value = read(&mut reader)?;
    reader.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_located_at_their_value_or_deepest_ancestor() {
        let text = "{\n  \"steps\": [\n    {\"id\": \"s\", \"fields\": [{\"id\": \"a/b\", \"visible\": \"x\"}]}\n  ]\n}";
        assert_eq!(locate(text, ""), Some((1, 1)));
        assert_eq!(locate(text, "/steps"), Some((2, 12)));
        assert_eq!(locate(text, "/steps/0/fields/0/visible"), Some((3, 53)));
        assert_eq!(locate(text, "/steps/0/fields/0/label"), Some((3, 28)), "a missing member: its object");
        assert_eq!(locate(text, "/steps/7"), Some((2, 12)), "no such element: the list");
        assert_eq!(locate("{\"a~b/c\": 1, \"x\": [0, 1, 2]}", "/a~0b~1c"), Some((1, 11)));
        assert_eq!(locate("{\"x\": [0, 1, 2]}", "/x/2"), Some((1, 14)));
        assert_eq!(locate("{\"x\": [0, 1, ", "/x/1"), Some((1, 11)), "broken text: as far as it goes");
        assert_eq!(locate("{}", "no pointer"), None);
    }

    /// What reading `text` with `read` gives, in words.
    fn outcome<T: std::fmt::Debug>(read: fn(&mut Reader) -> Result<T>, text: &str) -> String {
        match document(text, read) {
            Ok(value) => format!("{value:?}"),
            Err(error) => format!("{}: {}", error.pointer, error.message),
        }
    }

    /// The outcome of reading `text` as each shape with alternatives:
    /// the value, or `!` and the pointer of the error.
    fn shapes(text: &str) -> [String; 4] {
        fn short<T: std::fmt::Debug>(read: fn(&mut Reader) -> Result<T>, text: &str) -> String {
            match document(text, read) {
                Ok(value) => format!("{value:?}"),
                Err(error) => format!("! {}", error.pointer),
            }
        }
        [short(model::text, text), short(model::condition, text), short(model::options, text), short(model::option_item, text)]
    }

    /// The shapes accepted before the hand-written reader are accepted the
    /// same way, except where serde went beyond the format (an object read
    /// from a list, unknown members next to `codelist`); an error points at
    /// the innermost offending value.
    #[test]
    fn shapes_with_alternatives() {
        #[rustfmt::skip]
        let table: &[(&str, [&str; 4])] = &[
            // input                                  Text                                   Condition        Options                                   OptionItem
            (r#""text""#,                             [r#"Plain("text")"#,                   r#"When("text")"#, "! ",                                    r#"Code("text")"#]),
            (r#"{"de": "Hund", "en": "dog"}"#,        [r#"Localized({"de": "Hund", "en": "dog"})"#, "! ",        "! /de",                                 "! /de"]),
            ("{}",                                    ["Localized({})",                      "! ",              "! ",                                     "! "]),
            (r#"{"de": 1}"#,                          ["! /de",                              "! ",              "! /de",                                  "! /de"]),
            ("true",                                  ["! ",                                 "Always(true)",    "! ",                                     "! "]),
            ("false",                                 ["! ",                                 "Always(false)",   "! ",                                     "! "]),
            ("null",                                  ["! ",                                 "! ",              "! ",                                     "! "]),
            ("1",                                     ["! ",                                 "! ",              "! ",                                     "! "]),
            ("1.5",                                   ["! ",                                 "! ",              "! ",                                     "! "]),
            ("[]",                                    ["! ",                                 "! ",              "Inline([])",                             "! "]),
            (r#"["a", "b"]"#,                         ["! ",                                 "! ",              r#"Inline([Code("a"), Code("b")])"#,      "! "]),
            (r#"["a", 1]"#,                           ["! ",                                 "! ",              "! /1",                                   "! "]),
            (r#"[{"code": "a", "label": "A"}, "b"]"#, ["! ", "! ", r#"Inline([Full(OptionSpec { code: "a", label: Plain("A"), visible: None }), Code("b")])"#, "! "]),
            (r#"[{"code": "a", "label": {"de": "A"}, "visible": "x > 1"}]"#,
                                                      ["! ", "! ", r#"Inline([Full(OptionSpec { code: "a", label: Localized({"de": "A"}), visible: Some("x > 1") })])"#, "! "]),
            (r#"[{"code": "a", "label": "A", "extra": 1}]"#, ["! ",                          "! ",              "! /0/extra",                             "! "]),
            (r#"[{"code": "a"}]"#,                    ["! ",                                 "! ",              "! /0",                                   "! "]),
            (r#"[["a", "A"]]"#,                       ["! ",                                 "! ",              "! /0",                                   "! "]),
            (r#"{"codelist": "staaten"}"#,            [r#"Localized({"codelist": "staaten"})"#, "! ",           r#"CodeList { codelist: "staaten" }"#,    "! /codelist"]),
            (r#"{"codelist": "staaten", "x": true}"#, ["! /x",                               "! ",              "! /x",                                   "! /codelist"]),
            (r#"{"codelist": 5}"#,                    ["! /codelist",                        "! ",              "! /codelist",                            "! /codelist"]),
            (r#"{"list": "staaten"}"#,                [r#"Localized({"list": "staaten"})"#,  "! ",              "! /list",                                "! /list"]),
            ("[5]",                                   ["! ",                                 "! ",              "! /0",                                   "! "]),
        ];
        for (input, expected) in table {
            assert_eq!(shapes(input), expected.map(String::from), "{input}");
        }
    }

    #[test]
    fn shape_errors_say_what_was_expected() {
        let by_language = r#"expected a string or an object of strings by language, like {"de": "…"}"#;
        assert_eq!(outcome(model::text, "7"), format!(": {by_language}, found the number 7"));
        assert_eq!(outcome(model::text, r#"{"de": true}"#), "/de: expected a string, found true");
        assert_eq!(outcome(model::condition, "null"), ": expected true, false or an expression in a string, found null");
        assert_eq!(outcome(model::condition, "1"), ": expected true, false or an expression in a string, found the number 1");
        assert_eq!(outcome(model::options, r#"{"codelist": "a", "codelist": "b"}"#), r#"/codelist: member "codelist" appears twice"#);
        assert_eq!(outcome(model::options, r#"{"codelst": "a"}"#), r#"/codelst: unknown member "codelst" (did you mean "codelist"?)"#);
        assert_eq!(outcome(model::option_item, r#"{"code": "a"}"#), r#": missing member "label""#);
    }
}
