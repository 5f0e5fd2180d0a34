//! JSON input ↔ typed values, per field type.
//!
//! Input is lenient where citizens are (a German decimal comma, numbers typed
//! as text) and strict about shape (an object where text belongs is a type
//! error). Text is NFC-normalized and trimmed before anything looks at it.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::compile::Node;
use crate::model::FieldType;
use crate::value::{Date, Decimal, Value};

/// Longest text accepted at all, in bytes, whatever the field allows: keeps
/// normalization and checks of hostile input bounded.
pub const MAX_TEXT_BYTES: usize = 100_000;
/// Most files one attachment field may list.
pub const MAX_FILES: usize = 100;
/// Longest attachment file name.
pub const MAX_FILE_NAME: usize = 255;

/// Why an input is not a value of the field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    /// Wrong JSON type or shape.
    Type,
    /// Right JSON type, but not a valid number/date/… .
    Format,
    /// Larger than any value of this field can be.
    TooLarge,
}

impl InputError {
    /// The stable issue code.
    pub fn code(self) -> &'static str {
        match self {
            InputError::Type => "type",
            InputError::Format => "format",
            InputError::TooLarge => "too_large",
        }
    }
}

/// Parses the JSON input of a value field. `Ok(None)` is empty.
pub fn parse(node: &Node, json: &Json) -> Result<Option<Value>, InputError> {
    let Some(kind) = node.field_type() else {
        return Err(InputError::Type);
    };
    if json.is_null() {
        return Ok(None);
    }
    match kind {
        FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone | FieldType::Postcode | FieldType::Choice => {
            Ok(text(json)?.map(Value::Text))
        }
        FieldType::Iban => Ok(text(json)?.map(|t| Value::Text(normalize_iban(&t).into()))),
        FieldType::Integer => integer(json),
        FieldType::Decimal | FieldType::Money => decimal(json),
        FieldType::Date => match text(json)? {
            Some(s) => Date::parse(&s).map(|d| Some(Value::Date(d))).ok_or(InputError::Format),
            None => Ok(None),
        },
        FieldType::Boolean => json.as_bool().map(|b| Some(Value::Bool(b))).ok_or(InputError::Type),
        FieldType::Multichoice => codes(json, node.options.len()),
        FieldType::Attachment => files(json),
        FieldType::Static | FieldType::Group => Err(InputError::Type),
    }
}

/// NFC-normalized, trimmed text; `None` when empty.
fn text(json: &Json) -> Result<Option<Arc<str>>, InputError> {
    let s = json.as_str().ok_or(InputError::Type)?;
    if s.len() > MAX_TEXT_BYTES {
        return Err(InputError::TooLarge);
    }
    let normalized = nfc(s.trim());
    let trimmed = normalized.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.into()))
}

/// NFC normalization, borrowing when the text already is NFC (all ASCII is).
#[cfg(feature = "unicode-nfc")]
fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
}

/// Without the `unicode-nfc` feature the caller normalizes (the browser
/// widget does, with `String.prototype.normalize`).
#[cfg(not(feature = "unicode-nfc"))]
fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    std::borrow::Cow::Borrowed(text)
}

/// IBANs are compared and stored without spaces, in capitals. ASCII
/// capitals only: an IBAN is ASCII, anything else fails its check either
/// way, and full Unicode case mapping would put ~14 KB of tables into the
/// widget.
fn normalize_iban(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

fn integer(json: &Json) -> Result<Option<Value>, InputError> {
    let source = match json {
        Json::Number(n) => {
            // serde_json reads integers beyond 64 bits as floats: a whole one
            // is too large, one with a fraction is not an integer.
            return match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(Some(Value::Int(i))),
                (None, Some(f)) if f.fract() != 0.0 => Err(InputError::Format),
                _ => Err(InputError::TooLarge),
            };
        }
        Json::String(_) => match text(json)? {
            Some(s) => s.to_string(),
            None => return Ok(None),
        },
        _ => return Err(InputError::Type),
    };
    match source.parse::<i64>() {
        Ok(i) => Ok(Some(Value::Int(i))),
        Err(_) => Err(number_error(&source, false)),
    }
}

/// A well-formed number that does not fit is too large; anything else is
/// not a number at all.
fn number_error(source: &str, fraction_allowed: bool) -> InputError {
    let digits = source.strip_prefix(['-', '+']).unwrap_or(source);
    let mut parts = digits.splitn(2, ['.', ',']);
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let numeric = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    let well_formed = numeric(whole) && fraction.is_none_or(|f| fraction_allowed && numeric(f));
    if well_formed {
        InputError::TooLarge
    } else {
        InputError::Format
    }
}

fn decimal(json: &Json) -> Result<Option<Value>, InputError> {
    let source = match json {
        Json::Number(n) => exact_number_text(n).ok_or(InputError::Format)?,
        Json::String(_) => match text(json)? {
            Some(s) => s.to_string(),
            None => return Ok(None),
        },
        _ => return Err(InputError::Type),
    };
    Decimal::parse(&source).map(|d| Some(Value::Decimal(d))).ok_or_else(|| number_error(&source, true))
}

/// How a definition or tenant error says that a JSON number is too precise
/// for [`exact_number_text`].
pub(crate) const IMPRECISE_NUMBER: &str =
    "has more than 15 significant digits, more than a JSON number holds exactly; write it as a string";

/// Whether `json` is a number that [`exact_number_text`] refuses.
pub(crate) fn is_imprecise_number(json: &Json) -> bool {
    matches!(json, Json::Number(n) if exact_number_text(n).is_none())
}

/// The decimal text of a JSON number, or `None` when the number may already
/// have been rounded. serde_json holds a number with a fraction, or beyond
/// 64 bits, as an `f64`: every decimal of at most 15 significant digits
/// comes back exactly as the shortest text of its `f64`, longer ones may
/// not (`12345678901234567.89` would become `12345678901234568`, and
/// JavaScript's `0.1 + 0.2` arrives as `0.30000000000000004`). Refusing
/// them is better than storing an amount the citizen did not enter; such
/// values are exact when sent as strings, as the widget does.
pub(crate) fn exact_number_text(n: &serde_json::Number) -> Option<String> {
    let text = plain_decimal(&n.to_string())?;
    (!n.is_f64() || significant_digits(&text) <= 15).then_some(text)
}

/// `1.5e-7` → `0.00000015`. serde_json writes very small and very large
/// floats with an exponent, as JavaScript's `JSON.stringify` does; decimals
/// are read from plain text only. Exponents beyond ±40 are refused: no
/// amount needs them, and they would spell out hundreds of zeros.
fn plain_decimal(text: &str) -> Option<String> {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return Some(text.to_string());
    };
    let exponent: i32 = exponent.parse().ok().filter(|e: &i32| e.abs() <= 40)?;
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(unsigned) => ("-", unsigned),
        None => ("", mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    // Where the decimal point goes, counted in digits from the left.
    let point = whole.len() as i32 + exponent;
    let plain = match usize::try_from(point) {
        Err(_) | Ok(0) => format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
        Ok(point) if point >= digits.len() => format!("{digits}{}", "0".repeat(point - digits.len())),
        Ok(point) => format!("{}.{}", &digits[..point], &digits[point..]),
    };
    Some(format!("{sign}{plain}"))
}

/// Significant digits of a plain decimal text (no exponent).
fn significant_digits(text: &str) -> usize {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    let start = digits.iter().position(|&d| d != b'0');
    let end = digits.iter().rposition(|&d| d != b'0');
    match (start, end) {
        (Some(start), Some(end)) => end + 1 - start,
        _ => 0,
    }
}

fn codes(json: &Json, option_count: usize) -> Result<Option<Value>, InputError> {
    let items = json.as_array().ok_or(InputError::Type)?;
    if items.len() > option_count.max(1) {
        return Err(InputError::TooLarge);
    }
    let mut codes: Vec<Option<Value>> = Vec::with_capacity(items.len());
    for item in items {
        let code = text(item)?.ok_or(InputError::Format)?;
        let code = Some(Value::Text(code));
        if codes.contains(&code) {
            return Err(InputError::Format);
        }
        codes.push(code);
    }
    Ok((!codes.is_empty()).then(|| Value::List(codes.into())))
}

/// Attachment metadata: `[{"name": …, "type": …, "size": …}]`.
fn files(json: &Json) -> Result<Option<Value>, InputError> {
    let items = json.as_array().ok_or(InputError::Type)?;
    if items.len() > MAX_FILES {
        return Err(InputError::TooLarge);
    }
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let meta = file_meta(item)?;
        names.push(Some(Value::Text(meta.name.into())));
    }
    Ok((!names.is_empty()).then(|| Value::List(names.into())))
}

/// The metadata of one attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// File name as the citizen's system gave it.
    pub name: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// Reads one file's metadata object; other keys are a type error.
pub fn file_meta(json: &Json) -> Result<FileMeta, InputError> {
    let object = json.as_object().ok_or(InputError::Type)?;
    if object.keys().any(|k| !matches!(k.as_str(), "name" | "type" | "size")) {
        return Err(InputError::Type);
    }
    let name = object.get("name").and_then(Json::as_str).ok_or(InputError::Type)?.trim();
    let media_type = object.get("type").and_then(Json::as_str).ok_or(InputError::Type)?.trim();
    let size = object.get("size").and_then(Json::as_u64).ok_or(InputError::Type)?;
    if name.is_empty() || media_type.is_empty() {
        return Err(InputError::Format);
    }
    if name.chars().count() > MAX_FILE_NAME || media_type.len() > 255 {
        return Err(InputError::TooLarge);
    }
    Ok(FileMeta { name: nfc(name).into_owned(), media_type: media_type.to_ascii_lowercase(), size })
}

/// The canonical JSON of a present value, as it goes into the submission.
pub fn canonical(node: &Node, value: &Value, raw: &Json) -> Json {
    match (node.field_type(), value) {
        // Money is written with two places, but a value with more (an error,
        // money_precision) is shown exactly as it was entered: rounded, the
        // state would show "12.51" next to the message about "12.505".
        (Some(FieldType::Money), Value::Decimal(d)) if d.round_half_up(2) == Some(*d) => Json::String(d.to_fixed(2)),
        (Some(FieldType::Money), Value::Decimal(d)) => Json::String(d.to_fixed(d.scale())),
        (Some(FieldType::Money), Value::Int(i)) => Json::String(Decimal::from_i64(*i).to_fixed(2)),
        (Some(FieldType::Decimal), Value::Int(i)) => Json::String(i.to_string()),
        (Some(FieldType::Multichoice), Value::List(codes)) => {
            // Option order, not click order: the same answers give the same bytes.
            let chosen: Vec<Json> = node
                .options
                .iter()
                .filter(|o| codes.iter().any(|c| matches!(c, Some(Value::Text(t)) if **t == *o.code)))
                .map(|o| Json::String(o.code.clone()))
                .collect();
            Json::Array(chosen)
        }
        (Some(FieldType::Attachment), _) => {
            let files = raw.as_array().map(Vec::as_slice).unwrap_or_default();
            Json::Array(
                files
                    .iter()
                    .filter_map(|f| file_meta(f).ok())
                    .map(|f| json!({ "name": f.name, "type": f.media_type, "size": f.size }))
                    .collect(),
            )
        }
        _ => to_json(value),
    }
}

/// Plain JSON of a value (decimals as strings: no float ever carries a result).
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Decimal(d) => Json::String(d.to_string()),
        Value::Text(t) => Json::String(t.to_string()),
        Value::Date(d) => Json::String(d.to_iso()),
        Value::List(items) => Json::Array(items.iter().map(|i| i.as_ref().map_or(Json::Null, to_json)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::plain_decimal;

    #[test]
    fn exponents_become_plain_decimals() {
        for (exponent, plain) in [
            ("1e-7", "0.0000001"),
            ("1.5e-7", "0.00000015"),
            ("-2.5e-3", "-0.0025"),
            ("1.5e21", "1500000000000000000000"),
            ("1.5E+2", "150"),
            ("1.25e1", "12.5"),
            ("12.5e-1", "1.25"),
            ("7e0", "7"),
            ("12.50", "12.50"),
        ] {
            assert_eq!(plain_decimal(exponent).as_deref(), Some(plain), "{exponent}");
        }
        assert_eq!(plain_decimal("1e41"), None);
        assert_eq!(plain_decimal("1e-41"), None);
    }
}
