//! Regular expressions for `pattern` and `matches()`: a small engine that
//! only answers "does the whole text match?".
//!
//! Split like the expression language: [`parse`] turns the pattern into a
//! syntax tree, [`compile`] turns the tree into a program for a Thompson
//! NFA, and [`run`] simulates that program over the text, one character at a
//! time. The simulation keeps each program position at most once per
//! character, so matching takes time proportional to pattern size times
//! text length whatever the pattern: no pattern can make a citizen's
//! browser or the server hang.
//!
//! The syntax is the common core of the `regex` crate and JavaScript
//! (docs/FORMAT.md lists it). Character classes `\d`, `\w`, `\s`, word
//! boundaries and case-insensitive matching follow ASCII, the same on every
//! platform. Look-around and back-references are not supported, since they
//! cannot be matched in linear time.

pub(crate) mod class;
pub(crate) mod compile;
mod ecma;
pub(crate) mod parse;
mod run;

use std::fmt;

use compile::Program;

/// Patterns longer than this, in characters, are refused.
const MAX_PATTERN_LEN: usize = 1000;

/// Groups nested deeper than this are refused; it bounds the recursion of
/// the parser and the compiler.
const MAX_NESTING: usize = 64;

/// The largest program a pattern may compile to. Counted repetitions
/// multiply (`(a{100}){100}` is 10 000 steps), and matching time grows with
/// the program, so the limit keeps every match fast.
const MAX_PROGRAM_LEN: usize = 10_000;

/// A compiled pattern, anchored to the whole text.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub(crate) program: Program,
    /// The pattern as written.
    pub(crate) source: Box<str>,
}

/// Why a pattern was refused. Displayed to follow "the pattern is ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// Not valid syntax.
    Syntax {
        /// What is wrong, in words for a form author.
        message: &'static str,
        /// Where: the position of the character, counted from 0.
        at: usize,
    },
    /// Longer than [`MAX_PATTERN_LEN`] characters.
    TooLong,
    /// Valid, but nested too deeply or too large once repetitions are
    /// expanded.
    TooComplex,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { message, at } => {
                write!(f, "not a valid regular expression: {message} (at character {} of the pattern)", at + 1)
            }
            Self::TooLong => write!(f, "too long (at most {MAX_PATTERN_LEN} characters)"),
            Self::TooComplex => f.write_str("too complex or too deeply nested; simplify it"),
        }
    }
}

impl Pattern {
    /// Compiles `pattern`, which must then match the whole text (as if it
    /// were written `^(?:pattern)$`).
    pub fn new(pattern: &str) -> Result<Pattern, PatternError> {
        let program = compile::compile(&parse_within_limits(pattern)?)?;
        Ok(Pattern { program, source: pattern.into() })
    }

    /// The pattern as the author wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        run::matches(&self.program, text)
    }
}

/// `pattern` in ECMA-262 syntax, anchored to the whole text (`^(?:…)$`),
/// as JSON Schema's `pattern` (which matches anywhere in the text and is
/// read by JavaScript, Python and Rust validators alike) needs it.
pub fn ecma_anchored(pattern: &str) -> Result<String, PatternError> {
    parse_within_limits(pattern).map(|ast| ecma::anchored(&ast))
}

/// The syntax tree of a pattern no longer than [`MAX_PATTERN_LEN`].
fn parse_within_limits(pattern: &str) -> Result<parse::Ast, PatternError> {
    if pattern.chars().count() > MAX_PATTERN_LEN {
        return Err(PatternError::TooLong);
    }
    parse::parse(pattern)
}

#[cfg(test)]
mod tests;
