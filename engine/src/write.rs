//! JSON text of the engine's outputs, written by hand: the same bytes as
//! `serde_json::to_string`, without serde's serializer, its error type and
//! one generated impl per output type in the widget (~15 KB of
//! WebAssembly). Tests compare every output with serde_json's text.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::session::{FieldState, Issue, Submission};
use crate::validate::Report;

/// A value that writes itself as compact JSON text.
pub trait WriteJson {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut String);

    /// The JSON text of `self`, as `serde_json::to_string` writes it.
    fn to_json_text(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (position, item) in self.iter().enumerate() {
            if position > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl WriteJson for Json {
    fn write_json(&self, out: &mut String) {
        write_value(out, self);
    }
}

impl WriteJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl WriteJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl WriteJson for Issue {
    fn write_json(&self, out: &mut String) {
        let mut object = Object::new(out);
        object.member("code", &*self.code);
        object.member("path", &*self.path);
        object.member("message", &*self.message);
        if let Some(rule) = &self.rule {
            object.member("rule", rule);
        }
        object.end();
    }
}

impl WriteJson for FieldState {
    fn write_json(&self, out: &mut String) {
        let mut object = Object::new(out);
        object.member("path", &*self.path);
        object.member_raw("visible", bool_text(self.visible));
        object.member_raw("required", bool_text(self.required));
        object.member_raw("readonly", bool_text(self.readonly));
        object.member("value", &self.value);
        if let Some(count) = self.count {
            object.key("count");
            write_integer(object.out, count);
        }
        if let Some(options) = &self.options {
            object.member("options", options);
        }
        object.member("errors", &self.errors);
        object.member("warnings", &self.warnings);
        object.end();
    }
}

impl WriteJson for Report {
    fn write_json(&self, out: &mut String) {
        let mut object = Object::new(out);
        object.member_raw("valid", bool_text(self.valid));
        object.member("errors", &self.errors);
        object.member("warnings", &self.warnings);
        if let Some(submission) = &self.submission {
            object.member_raw("submission", submission.as_str());
        }
        object.end();
    }
}

impl WriteJson for Submission {
    fn write_json(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

/// Writes the members of one object, commas between them.
pub(crate) struct Object<'a> {
    pub(crate) out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Writes the key of the next member; its value follows.
    pub(crate) fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_str(self.out, key);
        self.out.push(':');
    }

    pub(crate) fn member<T: WriteJson + ?Sized>(&mut self, key: &str, value: &T) {
        self.key(key);
        value.write_json(self.out);
    }

    /// A member whose value is JSON text already.
    pub(crate) fn member_raw(&mut self, key: &str, text: &str) {
        self.key(key);
        self.out.push_str(text);
    }

    pub(crate) fn end(self) {
        self.out.push('}');
    }
}

pub(crate) fn bool_text(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

/// One JSON value; object members in their stored order (serde_json's
/// `preserve_order`).
pub(crate) fn write_value(out: &mut String, value: &Json) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(value) => out.push_str(bool_text(*value)),
        // `Display` of a number is the text its `Serialize` writes (itoa, ryu).
        Json::Number(number) => {
            let _ = write!(out, "{number}");
        }
        Json::String(text) => write_str(out, text),
        Json::Array(items) => items.write_json(out),
        Json::Object(members) => {
            let mut object = Object::new(out);
            for (key, value) in members {
                object.member(key, value);
            }
            object.end();
        }
    }
}

/// An integer, as serde_json writes it (`Display` is the same text).
pub(crate) fn write_integer(out: &mut String, value: impl std::fmt::Display) {
    let _ = write!(out, "{value}");
}

/// A JSON string escaped as serde_json escapes it: `"` and `\`, the short
/// escapes `\b \t \n \f \r`, other control characters as `\u00xx`;
/// everything else, non-ASCII included, as it is.
pub(crate) fn write_str(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    // Runs without escapes are copied whole: most text has none, and a
    // tight search beats deciding byte by byte what to push.
    while let Some(offset) = bytes[start..].iter().position(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\') {
        // An ASCII byte: `position` is a character boundary.
        let position = start + offset;
        out.push_str(&text[start..position]);
        write_escape(out, bytes[position]);
        start = position + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

fn write_escape(out: &mut String, byte: u8) {
    let escape = match byte {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        b'\n' => "\\n",
        b'\t' => "\\t",
        b'\r' => "\\r",
        0x08 => "\\b",
        0x0c => "\\f",
        _ => return write_control(out, byte),
    };
    out.push_str(escape);
}

fn write_control(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\u00");
    out.push(HEX[usize::from(byte >> 4)] as char);
    out.push(HEX[usize::from(byte & 0xf)] as char);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Map, Number, Value as Json};

    use super::WriteJson;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[\\x00-\\x1f\"\\\\\u{7f}\u{2028}\u{2029}a-z\u{e4}\u{1f600}]{0,12}",]
    }

    fn number() -> impl Strategy<Value = Number> {
        prop_oneof![
            any::<u64>().prop_map(Number::from),
            any::<i64>().prop_map(Number::from),
            any::<f64>().prop_filter_map("finite", Number::from_f64),
            (-1e-3f64..1e-3).prop_filter_map("finite", Number::from_f64),
            prop_oneof![Just(0.0), Just(-0.0), Just(1e21), Just(1e-7), Just(f64::MAX), Just(f64::MIN_POSITIVE)]
                .prop_filter_map("finite", Number::from_f64),
        ]
    }

    fn value() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            number().prop_map(Json::Number),
            text().prop_map(Json::String),
        ];
        leaf.prop_recursive(8, 256, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
                prop::collection::vec((text(), inner), 0..8).prop_map(|members| Json::Object(members.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        #[test]
        fn values_are_written_as_serde_json_writes_them(value in value()) {
            prop_assert_eq!(value.to_json_text(), serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn every_control_character_and_deep_nesting() {
        let all: String = (0u32..0x80).chain([0x2028, 0x2029, 0xfeff, 0x1f600]).filter_map(char::from_u32).collect();
        let mut value = Json::String(all);
        for depth in 0..200 {
            value = if depth % 2 == 0 { Json::Array(vec![value]) } else { serde_json::json!({ "k\n": value }) };
        }
        assert_eq!(value.to_json_text(), serde_json::to_string(&value).unwrap());
    }
}
