//! JSON ↔ JS values at the boundary.
//!
//! Values cross as JSON text: `JSON.parse`/`JSON.stringify` are native and
//! fast. The benchmark (tests/wasm-runner/bench.mjs) measured this against
//! serde-wasm-bindgen. Text is read with the engine's reader
//! (`efa_engine::parse_json`) and written with the engine's writer
//! (`efa_engine::WriteJson`, the same text as `serde_json::to_string`):
//! serde_json's parser and serializer, with their generic error paths, stay
//! out of the widget.

use efa_engine::WriteJson;
use wasm_bindgen::prelude::*;

/// A JS value as JSON (`undefined` becomes `null`).
pub(crate) fn from_js(value: &JsValue) -> Result<serde_json::Value, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::Value::Null);
    }
    if let Some(text) = value.as_string() {
        return Ok(serde_json::Value::String(text));
    }
    let text: String = js_sys::JSON::stringify(value).map_err(|_| JsError::new("the value cannot be written as JSON"))?.into();
    efa_engine::parse_json(&text).map_err(|e| JsError::new(&format!("the value is not JSON: {e}")))
}

/// An engine output as a JS value.
pub(crate) fn to_js<T: WriteJson + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&value.to_json_text()).map_err(|_| JsError::new("JSON.parse failed"))
}

/// The JSON text of `value`, exactly what `value.to_string()` gives, through
/// the writer [`to_js`] uses anyway: `Display` would bring serde's
/// serializer (and the pretty printer) into the widget.
pub(crate) fn json_text(value: &serde_json::Value) -> String {
    value.to_json_text()
}

/// A JSON object with `entries` in this order, like `serde_json::json!`
/// without its `to_value` serializer (another copy in the widget).
pub(crate) fn object<const N: usize>(entries: [(&str, serde_json::Value); N]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (key, value) in entries {
        map.insert(key.to_string(), value);
    }
    serde_json::Value::Object(map)
}

/// Parses JSON text, naming what it was in the error.
pub(crate) fn parse(text: &str, what: &str) -> Result<serde_json::Value, String> {
    efa_engine::parse_json(text).map_err(|e| format!("{what} is not valid JSON: {e}"))
}

/// Puts every string of `value` into Unicode NFC with the JS engine's
/// `String.prototype.normalize`, before the Rust engine sees it. The engine
/// normalizes too; doing it here lets the WASM build leave out the engine's
/// normalization tables (see the crate README) with identical results.
pub(crate) fn nfc(mut value: serde_json::Value) -> serde_json::Value {
    normalize(&mut value);
    value
}

/// In place: rebuilding every object would hash each key again.
fn normalize(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(text) if !text.is_ascii() => *text = String::from(js_sys::JsString::from(text.as_str()).normalize("NFC")),
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => map.values_mut().for_each(normalize),
        _ => {}
    }
}
