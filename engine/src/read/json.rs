//! A small JSON pull reader: the caller asks for the value it expects next
//! (a string, an object's members, a list's elements) and gets either that
//! or an error naming the JSON pointer and byte offset of the value.
//!
//! It exists so that the public formats need no derived `Deserialize`: the
//! derives' instances of serde_json's deserializer and visitors made the
//! browser widget much larger, and a pull reader gives pointers for free.
//! Nesting is bounded by [`MAX_DEPTH`], so recursion through it is too;
//! no input makes it panic.

use std::borrow::Cow;

use crate::error::DefinitionErrorKind;

/// Deepest nesting of lists and objects: serde_json's limit, so every file
/// that reads as a data value reads here too.
pub(crate) const MAX_DEPTH: usize = 127;

/// Longest text quoted in an error message.
const MAX_QUOTED_CHARS: usize = 60;

/// What the next value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    List,
    Object,
}

impl Kind {
    /// The kind in an author's words, for "found …".
    pub(crate) fn words(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "true or false",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::List => "a list",
            Kind::Object => "an object",
        }
    }
}

/// A value of the wrong shape, or text that is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    /// JSON pointer of the offending value or member.
    pub pointer: String,
    /// Byte offset in the text, for line and column.
    pub offset: usize,
    /// What is wrong, in an author's words.
    pub message: String,
    /// `Format`, or `LimitExceeded` for nesting beyond [`MAX_DEPTH`].
    pub kind: DefinitionErrorKind,
}

/// Boxed: results pass through every level of the reader, and a small error
/// keeps each `?` cheap.
pub(crate) type Result<T> = std::result::Result<T, Box<ReadError>>;

/// One step of the pointer to the value being read.
enum Segment<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

/// The reader: a position in the text and the pointer to it.
pub(crate) struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// One segment per enclosing list or object (so its length is the depth).
    path: Vec<Segment<'a>>,
    /// Where the name of the member being read starts (unknown-member errors
    /// point there rather than at the value).
    key_at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0, path: Vec::new(), key_at: 0 }
    }

    /// An error at `offset` about the value being read.
    pub(crate) fn error_at(&self, offset: usize, message: impl Into<String>) -> Box<ReadError> {
        let mut pointer = String::new();
        for segment in &self.path {
            pointer = match segment {
                Segment::Key(key) => crate::error::pointer_push(&pointer, key),
                Segment::Index(index) => crate::error::pointer_push(&pointer, index),
            };
        }
        Box::new(ReadError { pointer, offset, message: message.into(), kind: DefinitionErrorKind::Format })
    }

    /// The byte offset of the next value.
    pub(crate) fn position(&mut self) -> usize {
        self.skip_whitespace();
        self.pos
    }

    /// An error about the value at the current position.
    pub(crate) fn error(&mut self, message: impl Into<String>) -> Box<ReadError> {
        self.skip_whitespace();
        self.error_at(self.pos, message)
    }

    /// An error about the name of the member being read.
    pub(crate) fn member_error(&self, message: impl Into<String>) -> Box<ReadError> {
        self.error_at(self.key_at, message)
    }

    /// "expected `what`, found …" about the next value.
    pub(crate) fn expected(&mut self, what: &str) -> Box<ReadError> {
        let found = match self.peek() {
            Ok(Kind::Bool) if self.byte() == Some(b't') => "true".to_string(),
            Ok(Kind::Bool) => "false".to_string(),
            Ok(Kind::String) => format!("the string {}", self.lookahead(Self::quoted).map_or_else(|_| String::new(), |s| quote(&s))),
            Ok(Kind::Number) => format!("the number {}", self.lookahead(Self::number).map_or("", shortened)),
            Ok(kind) => kind.words().to_string(),
            Err(error) => return error,
        };
        self.error(format!("expected {what}, found {found}"))
    }

    /// What `read` reads at the current position, leaving the position.
    fn lookahead<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let pos = self.pos;
        let value = read(self);
        self.pos = pos;
        value
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.byte() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// An error about text that is not JSON, at the current character.
    fn syntax(&mut self, expected: &str) -> Box<ReadError> {
        self.skip_whitespace();
        let found = match self.text.get(self.pos..).and_then(|rest| rest.chars().next()) {
            None => "the end of the text".to_string(),
            Some(c) if c.is_control() => format!("'{}'", c.escape_unicode()),
            Some(c) => format!("'{c}'"),
        };
        self.error_at(self.pos, format!("not valid JSON: expected {expected}, found {found}"))
    }

    /// The kind of the next value, without reading it.
    pub(crate) fn peek(&mut self) -> Result<Kind> {
        self.skip_whitespace();
        Ok(match self.byte() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::List,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            _ => return Err(self.syntax("a value")),
        })
    }

    /// Reads a string.
    pub(crate) fn string(&mut self) -> Result<String> {
        if self.peek()? != Kind::String {
            return Err(self.expected("a string"));
        }
        self.quoted().map(Cow::into_owned)
    }

    /// Reads `true` or `false`.
    pub(crate) fn boolean(&mut self) -> Result<bool> {
        if self.peek()? != Kind::Bool {
            return Err(self.expected("true or false"));
        }
        self.literal()
    }

    /// Reads a `null` if one comes next.
    pub(crate) fn null(&mut self) -> Result<bool> {
        let null = self.peek()? == Kind::Null;
        if null {
            self.literal()?;
        }
        Ok(null)
    }

    /// Reads a whole number from 0 to `max`.
    pub(crate) fn whole(&mut self, max: u64) -> Result<u64> {
        let expected = || format!("a whole number from 0 to {max}");
        if self.peek()? != Kind::Number {
            return Err(self.expected(&expected()));
        }
        let start = self.pos;
        let number = self.number()?;
        let digits = number.strip_prefix('-').filter(|digits| digits.bytes().all(|b| b == b'0')).unwrap_or(number);
        match digits.parse::<u64>() {
            Ok(value) if value <= max => Ok(value),
            _ => Err(self.error_at(start, format!("expected {}, found the number {}", expected(), shortened(number)))),
        }
    }

    /// Reads an object, calling `member` with each member's name while the
    /// reader stands at its value.
    pub(crate) fn members(&mut self, member: &mut dyn FnMut(&mut Self, &str) -> Result<()>) -> Result<()> {
        if self.peek()? != Kind::Object {
            return Err(self.expected("an object"));
        }
        self.enter()?;
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            self.skip_whitespace();
            if self.byte() != Some(b'"') {
                return Err(self.syntax("a member name in double quotes"));
            }
            let key_at = self.pos;
            let key = self.quoted()?;
            if !self.eat(b':') {
                return Err(self.syntax("':' after the member name"));
            }
            self.path.push(Segment::Key(key.clone()));
            self.key_at = key_at;
            member(self, &key)?;
            self.path.pop();
            if !self.eat(b',') {
                return if self.eat(b'}') { Ok(()) } else { Err(self.syntax("',' or '}'")) };
            }
        }
    }

    /// Reads an object whose members are `names` (at most 64), each at most
    /// once, with the `required` ones present: a typo is an error, never a
    /// silently ignored rule. `member` gets only names from the list.
    pub(crate) fn object(
        &mut self,
        names: &[&str],
        required: &[&str],
        member: &mut dyn FnMut(&mut Self, &str) -> Result<()>,
    ) -> Result<()> {
        self.skip_whitespace();
        let start = self.pos;
        let mut seen = 0u64;
        self.members(&mut |reader, key| {
            let Some(index) = names.iter().position(|name| *name == key) else {
                return Err(reader.member_error(unknown_member(key, names)));
            };
            let bit = 1u64.checked_shl(index as u32).unwrap_or(0);
            if seen & bit != 0 {
                return Err(reader.member_error(format!("member {} appears twice", quote(key))));
            }
            seen |= bit;
            member(reader, key)
        })?;
        let is_seen =
            |name: &&str| names.iter().position(|n| n == name).is_some_and(|i| seen & 1u64.checked_shl(i as u32).unwrap_or(0) != 0);
        match required.iter().find(|name| !is_seen(name)) {
            Some(missing) => Err(self.error_at(start, format!("missing member {}", quote(missing)))),
            None => Ok(()),
        }
    }

    /// Reads a list, calling `element` while the reader stands at each element.
    pub(crate) fn elements(&mut self, element: &mut dyn FnMut(&mut Self) -> Result<()>) -> Result<()> {
        if self.peek()? != Kind::List {
            return Err(self.expected("a list"));
        }
        self.enter()?;
        if self.eat(b']') {
            return Ok(());
        }
        for index in 0.. {
            self.path.push(Segment::Index(index));
            element(self)?;
            self.path.pop();
            if !self.eat(b',') {
                break;
            }
        }
        if self.eat(b']') {
            Ok(())
        } else {
            Err(self.syntax("',' or ']'"))
        }
    }

    /// Steps into a list or object, refusing nesting beyond [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<()> {
        if self.path.len() >= MAX_DEPTH {
            let mut error = self.error(format!("lists and objects nested more than {MAX_DEPTH} levels deep"));
            error.kind = DefinitionErrorKind::LimitExceeded;
            return Err(error);
        }
        self.pos += 1;
        Ok(())
    }

    /// Reads any value as a data value (`default`, `min`, parameter values,
    /// and all JSON the widget parses): the value `serde_json::from_str`
    /// gives, without serde_json's parser, whose generic error paths bring
    /// float formatting into the widget.
    pub(crate) fn json(&mut self) -> Result<serde_json::Value> {
        use serde_json::Value;
        Ok(match self.peek()? {
            Kind::Null => self.literal().map(|_| Value::Null)?,
            Kind::Bool => Value::Bool(self.literal()?),
            Kind::String => Value::String(self.quoted()?.into_owned()),
            Kind::Number => {
                let start = self.pos;
                let text = self.number()?;
                // serde_json's own number parser: the same number as from
                // serde_json::from_str, bit for bit, with a small table.
                let number = text.parse::<serde_json::Number>().ok();
                Value::Number(number.ok_or_else(|| self.error_at(start, "the number is out of range"))?)
            }
            Kind::List => {
                let mut items = Vec::new();
                self.elements(&mut |reader| reader.json().map(|item| items.push(item)))?;
                Value::Array(items)
            }
            Kind::Object => {
                let mut members = serde_json::Map::new();
                // A repeated name keeps its first place and its last value, as in serde_json.
                self.members(&mut |reader, name| reader.json().map(|value| drop(members.insert(name.to_string(), value))))?;
                Value::Object(members)
            }
        })
    }

    /// Checks that nothing but whitespace follows the value read.
    pub(crate) fn end(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(self.syntax("the end of the text"))
        }
    }

    /// `true`, `false` or `null` (as `false`).
    fn literal(&mut self) -> Result<bool> {
        for (word, value) in [("true", true), ("false", false), ("null", false)] {
            if self.text.get(self.pos..).is_some_and(|rest| rest.starts_with(word)) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err(self.syntax("true, false or null"))
    }

    /// The text of a number, checked against JSON's grammar.
    fn number(&mut self) -> Result<&'a str> {
        let text: &'a str = self.text;
        let bytes = text.as_bytes();
        let start = self.pos;
        let digits_from = |mut at: usize| {
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            at
        };
        let mut at = start + usize::from(bytes.get(start) == Some(&b'-'));
        let integer_end = match bytes.get(at) {
            Some(b'0') => at + 1,
            Some(b'1'..=b'9') => digits_from(at),
            _ => return Err(self.error_at(at, "not valid JSON: a number needs digits")),
        };
        at = integer_end;
        if bytes.get(at) == Some(&b'.') {
            let end = digits_from(at + 1);
            if end == at + 1 {
                return Err(self.error_at(end, "not valid JSON: a number needs digits after the '.'"));
            }
            at = end;
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1 + usize::from(matches!(bytes.get(at + 1), Some(b'+' | b'-')));
            let end = digits_from(at);
            if end == at {
                return Err(self.error_at(end, "not valid JSON: a number needs digits after the exponent"));
            }
            at = end;
        }
        self.pos = at;
        Ok(&text[start..at])
    }

    /// A string at the current position (which holds `"`), borrowed from the
    /// text when it has no escapes.
    fn quoted(&mut self) -> Result<Cow<'a, str>> {
        let text: &'a str = self.text;
        let start = self.pos + 1;
        let plain_end = text[start..].bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20).map_or(text.len(), |n| start + n);
        if text.as_bytes().get(plain_end) == Some(&b'"') {
            self.pos = plain_end + 1;
            return Ok(Cow::Borrowed(&text[start..plain_end]));
        }
        let mut decoded = String::from(&text[start..plain_end]);
        self.pos = plain_end;
        loop {
            let Some(c) = text.get(self.pos..).and_then(|rest| rest.chars().next()) else {
                return Err(self.error_at(self.pos, "not valid JSON: a string is not closed"));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(decoded));
                }
                '\\' => decoded.push(self.escape()?),
                c if c < ' ' => return Err(self.error_at(self.pos, "not valid JSON: a control character in a string must be escaped")),
                c => {
                    decoded.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// The character of the escape sequence at the current position.
    fn escape(&mut self) -> Result<char> {
        let at = self.pos;
        let simple = match self.text.as_bytes().get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(),
            _ => return Err(self.error_at(at, "not valid JSON: unknown escape sequence in a string")),
        };
        self.pos += 2;
        Ok(simple)
    }

    /// `\uXXXX`, or two of them for a character outside the basic plane.
    fn unicode_escape(&mut self) -> Result<char> {
        let at = self.pos;
        let invalid = |reader: &Self| reader.error_at(at, "not valid JSON: invalid \\u escape in a string");
        let first = self.hex4().ok_or_else(|| invalid(self))?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.text.get(self.pos..).is_some_and(|rest| rest.starts_with("\\u")) {
                return Err(invalid(self));
            }
            let second = self.hex4().ok_or_else(|| invalid(self))?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(invalid(self));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| invalid(self))
    }

    /// The four hex digits after a `\u` at the current position.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos + 2..self.pos + 6)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 6;
        u32::from_str_radix(digits, 16).ok()
    }
}

/// Line and column (both from 1, the column in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// `"text"` for a message: double quotes, shortened, control characters
/// escaped. (Not `{:?}`: its escaping pulls Unicode tables into the widget.)
pub(crate) fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len().min(MAX_QUOTED_CHARS) + 2);
    quoted.push('"');
    for c in text.chars().take(MAX_QUOTED_CHARS) {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_control() => quoted.extend(c.escape_unicode()),
            c => quoted.push(c),
        }
    }
    if text.chars().nth(MAX_QUOTED_CHARS).is_some() {
        quoted.push('…');
    }
    quoted.push('"');
    quoted
}

/// `unknown member "lable" (did you mean "label"?)`, or with the whole list
/// when no name is close.
fn unknown_member(key: &str, names: &[&str]) -> String {
    let distance = |name: &&&str| {
        let longest = key.chars().count().max(name.chars().count());
        // Close means a slip of a letter or two, not a different short word.
        Some(crate::compile::edit_distance(key, name)).filter(|&d| d <= 2 && 2 * d < longest)
    };
    let close = if key.len() > 64 { None } else { names.iter().filter_map(|name| Some((distance(&name)?, name))).min() };
    match close {
        Some((_, name)) => format!("unknown member {} (did you mean {}?)", quote(key), quote(name)),
        None => format!("unknown member {} (expected one of: {})", quote(key), names.join(", ")),
    }
}

/// A number's text for a message, shortened.
fn shortened(number: &str) -> &str {
    number.get(..MAX_QUOTED_CHARS).unwrap_or(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string read from `text`, or the error in words.
    fn string(text: &str) -> std::result::Result<String, String> {
        let mut reader = Reader::new(text);
        reader.string().and_then(|s| reader.end().map(|()| s)).map_err(|e| e.message)
    }

    fn read_value(text: &str) -> std::result::Result<(), String> {
        let mut reader = Reader::new(text);
        reader.json().and_then(|_| reader.end()).map_err(|e| format!("{} at {}", e.message, e.offset))
    }

    #[test]
    fn strings_decode_every_escape() {
        assert_eq!(string(r#""plain""#).unwrap(), "plain");
        assert_eq!(string(r#""a\"b\\c\/d\b\f\n\r\t""#).unwrap(), "a\"b\\c/d\u{8}\u{c}\n\r\t");
        assert_eq!(string(r#""\u00fc \ud83d\ude00 ü""#).unwrap(), "ü 😀 ü");
        for bad in [r#""\ud83d""#, r#""\ude00""#, r#""\ud83d\u0041""#, r#""\x""#, r#""\u12""#, "\"a\nb\"", r#""open"#, r#""\"#] {
            assert!(string(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        for good in ["0", "-0", "12", "-1.5", "1e3", "1E+3", "2.5e-3"] {
            assert_eq!(read_value(good), Ok(()), "{good}");
        }
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "1.5.2"] {
            assert!(read_value(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn whole_numbers_are_checked_against_their_range() {
        let whole = |text: &str| Reader::new(text).whole(u32::MAX.into()).map_err(|e| e.message);
        assert_eq!(whole("4294967295"), Ok(4_294_967_295));
        assert_eq!(whole("-0"), Ok(0));
        assert_eq!(whole("4294967296"), Err("expected a whole number from 0 to 4294967295, found the number 4294967296".into()));
        assert_eq!(whole("1.0"), Err("expected a whole number from 0 to 4294967295, found the number 1.0".into()));
        assert_eq!(whole("-1"), Err("expected a whole number from 0 to 4294967295, found the number -1".into()));
        assert_eq!(whole(r#""10""#), Err("expected a whole number from 0 to 4294967295, found the string \"10\"".into()));
    }

    #[test]
    fn syntax_errors_name_what_was_expected_and_where() {
        assert_eq!(read_value(r#"{"a" 1}"#), Err("not valid JSON: expected ':' after the member name, found '1' at 5".into()));
        assert_eq!(read_value("[1, 2"), Err("not valid JSON: expected ',' or ']', found the end of the text at 5".into()));
        assert_eq!(read_value("[1,]"), Err("not valid JSON: expected a value, found ']' at 3".into()));
        assert_eq!(read_value("{a: 1}"), Err("not valid JSON: expected a member name in double quotes, found 'a' at 1".into()));
        assert_eq!(read_value("tru"), Err("not valid JSON: expected true, false or null, found 't' at 0".into()));
        assert_eq!(read_value("[] []"), Err("not valid JSON: expected the end of the text, found '[' at 3".into()));
        assert_eq!(read_value(""), Err("not valid JSON: expected a value, found the end of the text at 0".into()));
        assert_eq!(line_column("{\n  \"ä\": x", 10), (2, 8));
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(read_value(&nested(MAX_DEPTH)), Ok(()));
        let error = read_value(&nested(MAX_DEPTH + 1)).unwrap_err();
        assert!(error.starts_with("lists and objects nested more than 127 levels deep"), "{error}");
        assert!(read_value(&nested(1_000_000)).is_err(), "no stack overflow");
    }

    #[test]
    fn errors_point_at_the_offending_member() {
        let mut reader = Reader::new(r#"{"a~b": [0, {"c/d": "x"}]}"#);
        let error = reader.members(&mut |r, _| {
            r.elements(&mut |r| if r.peek()? == Kind::Object { r.members(&mut |r, _| Err(r.error("no"))) } else { r.json().map(drop) })
        });
        assert_eq!(error.unwrap_err().pointer, "/a~0b/1/c~1d");
    }

    #[test]
    fn quoted_texts_are_short_and_escaped() {
        assert_eq!(quote("lable"), r#""lable""#);
        assert_eq!(quote("a\"b\u{7}"), r#""a\"b\u{7}""#);
        assert_eq!(quote(&"x".repeat(100)), format!("\"{}…\"", "x".repeat(MAX_QUOTED_CHARS)));
    }
}
