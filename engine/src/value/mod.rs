//! Runtime values of the expression language and of field states.
//!
//! Values are small and cheap to clone (`Arc` for text and lists) because the
//! evaluator passes them around by value on every recomputation.

mod date;
mod decimal;

use std::sync::Arc;

pub use date::Date;
pub use decimal::Decimal;

/// A present (non-empty) value. Emptiness is `Option::None` everywhere.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An exact integer.
    Int(i64),
    /// An exact decimal number (decimal and money fields).
    Decimal(Decimal),
    /// NFC-normalized, trimmed text (also choice codes).
    Text(Arc<str>),
    /// A civil date.
    Date(Date),
    /// A list: the codes of a multiple choice, or one entry per repeat instance
    /// (`None` where that instance's field is empty).
    List(Arc<[Option<Value>]>),
}

/// The static type of an expression or of a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// Boolean.
    Bool,
    /// Integer.
    Int,
    /// Decimal (also money). An `Int` is accepted where a `Decimal` is expected.
    Decimal,
    /// Text (also choice codes, email, phone, IBAN, postcode).
    Text,
    /// Civil date.
    Date,
    /// A list of values of the inner type.
    List(Box<Type>),
    /// The instances of a repeating group or the files of an attachment field:
    /// usable only with `count()` and `is_empty()`.
    Instances,
}

impl Type {
    /// The name used in error messages.
    pub fn name(&self) -> String {
        match self {
            Type::Bool => "boolean".into(),
            Type::Int => "integer".into(),
            Type::Decimal => "decimal".into(),
            Type::Text => "text".into(),
            Type::Date => "date".into(),
            Type::List(inner) => format!("list of {}", inner.name()),
            Type::Instances => "instances".into(),
        }
    }
}
