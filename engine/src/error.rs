//! Definition errors: every authoring mistake, with the JSON pointer of the
//! place in the definition (or tenant, or code list) and a message a form
//! author can act on.

use std::fmt;

use serde::Serialize;

/// Classes of definition errors. The `code()` strings are stable: tools and
/// tests match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionErrorKind {
    /// Not valid JSON, or a key/value of the wrong shape.
    Format,
    /// An id used twice among siblings (or steps, rules).
    DuplicateId,
    /// An expression that does not parse.
    ExpressionSyntax,
    /// A name in an expression that does not resolve.
    UnknownReference,
    /// Operand or result types that do not fit.
    TypeMismatch,
    /// Computed values or relevance that depend on themselves.
    Cycle,
    /// A regular expression that does not compile (or is too large).
    BadRegex,
    /// A required field that can never be visible.
    RequiredNeverVisible,
    /// A step that can never be reached.
    UnreachableStep,
    /// A text without a translation for a declared language.
    MissingTranslation,
    /// A parameter that neither the tenant nor the form gives a value.
    MissingParameterValue,
    /// A choice that names a code list that is not there.
    UnknownCodeList,
    /// A property that does not fit the field type, or an invalid value in it.
    InvalidProperty,
    /// A size limit of the format exceeded (nesting, fields, options).
    LimitExceeded,
    /// A tenant problem: colour contrast, URL scheme, parameter value.
    Tenant,
}

impl DefinitionErrorKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "format",
            Self::DuplicateId => "duplicate_id",
            Self::ExpressionSyntax => "expression_syntax",
            Self::UnknownReference => "unknown_reference",
            Self::TypeMismatch => "type_mismatch",
            Self::Cycle => "cycle",
            Self::BadRegex => "bad_regex",
            Self::RequiredNeverVisible => "required_never_visible",
            Self::UnreachableStep => "unreachable_step",
            Self::MissingTranslation => "missing_translation",
            Self::MissingParameterValue => "missing_parameter_value",
            Self::UnknownCodeList => "unknown_codelist",
            Self::InvalidProperty => "invalid_property",
            Self::LimitExceeded => "limit_exceeded",
            Self::Tenant => "tenant",
        }
    }
}

/// One authoring mistake.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DefinitionError {
    /// JSON pointer into the file, e.g. `/steps/0/fields/2/visible`.
    pub pointer: String,
    /// The class of mistake.
    pub kind: DefinitionErrorKind,
    /// What is wrong and, where possible, how to fix it (English).
    pub message: String,
}

impl DefinitionError {
    /// Creates an error.
    pub fn new(pointer: impl Into<String>, kind: DefinitionErrorKind, message: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), kind, message: message.into() }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "{pointer}: {} [{}]", self.message, self.kind.code())
    }
}

/// Appends a reference token to a JSON pointer, escaping `~` and `/`.
pub fn pointer_push(base: &str, token: impl fmt::Display) -> String {
    push_token(base, &token.to_string())
}

/// The body of [`pointer_push`], apart so that it is one function in the
/// widget rather than one per type of token.
fn push_token(base: &str, token: &str) -> String {
    let mut pointer = String::with_capacity(base.len() + token.len() + 1);
    pointer.push_str(base);
    pointer.push('/');
    if token.contains(['~', '/']) {
        pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
    } else {
        pointer.push_str(token);
    }
    pointer
}

/// Decodes one JSON pointer reference token (`~1` → `/`, `~0` → `~`),
/// borrowing in the common case of a token without escapes.
pub fn pointer_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        std::borrow::Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}
