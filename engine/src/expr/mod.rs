//! The expression language: small, total and typed.
//!
//! The pipeline is `lex` → `parse` → `check` → `eval`, one module each:
//! - [`parse`] turns source text into an untyped [`Ast`] (syntax errors carry the
//!   character position).
//! - [`check`] resolves names through a [`Resolver`] supplied by the compiler,
//!   checks types and produces a typed [`Expr`].
//! - [`Expr::eval`] evaluates against an [`Env`] supplied by the session; it
//!   never fails: overflow, division by zero or an empty operand yield `None`
//!   ("unknown"), which a `check` treats as "does not fire".
//!
//! Cost is bounded: source length, nesting depth and node count are limited,
//! and the language has no loops or recursion.

mod ast;
mod check;
pub(crate) mod eval;
mod lex;
mod parse;

pub use ast::Ast;
pub use check::check;
pub use parse::parse;

use crate::value::{Date, Type, Value};

/// Longest accepted expression source, in bytes.
pub const MAX_SOURCE_LEN: usize = 4096;
/// Deepest accepted nesting of sub-expressions.
pub const MAX_DEPTH: usize = 64;
/// Most AST nodes in one expression.
pub const MAX_NODES: usize = 1024;

/// A parse or type error inside one expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// Character (not byte) offset into the source, 0-based.
    pub position: usize,
    /// What is wrong, for a form author (English).
    pub message: String,
    /// The kind, so the compiler can map it to a definition error code.
    pub kind: ExprErrorKind,
}

/// Classes of expression errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprErrorKind {
    /// Lexical or syntax error, or a limit exceeded.
    Syntax,
    /// A name that the resolver does not know.
    UnknownReference,
    /// Operand or argument types do not fit.
    Type,
    /// An invalid regular expression literal in `matches()`.
    Regex,
}

/// An opaque handle for a resolved field reference; the compiler decides what
/// it means, the session's [`Env`] answers for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref(pub u32);

/// What a (possibly dotted) name resolves to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A field value. `ty` is the type the expression sees: for a reference
    /// that fans out over repeat instances it is already `Type::List(..)`.
    Field {
        /// The handle to pass back to [`Env`].
        r: Ref,
        /// The type seen by the expression.
        ty: Type,
    },
    /// A constant, e.g. a form parameter valued by the tenant.
    Constant {
        /// The value (`None` for an empty parameter).
        value: Option<Value>,
        /// Its type.
        ty: Type,
    },
}

/// Resolves names while type checking. Names are dotted paths split at the
/// dots: `hund.name` → `["hund", "name"]`, `param.gebuehr` → `["param", "gebuehr"]`.
pub trait Resolver {
    /// Resolves a name or explains why it cannot (that text becomes the error).
    fn resolve(&self, path: &[&str]) -> Result<Resolved, String>;
}

/// Supplies values during evaluation.
pub trait Env {
    /// The value of a non-list reference; `None` when empty or not relevant.
    /// Borrowed, because expressions mostly compare it: cloning each read
    /// would cost two atomic operations on shared text.
    fn value(&self, r: Ref) -> Option<&Value>;
    /// The value of a reference whose type is `Type::List` or `Type::Instances`
    /// as a list: one entry per repeat instance or per selected code or file.
    /// Entries of non-relevant instances are `None`.
    fn list(&self, r: Ref) -> Vec<Option<Value>>;
    /// Today's civil date, from the caller's context.
    fn today(&self) -> Date;
}

/// A type-checked expression, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Expr {
    pub(crate) node: eval::Node,
    pub(crate) ty: Type,
}

impl Expr {
    /// The result type.
    pub fn ty(&self) -> &Type {
        &self.ty
    }

    /// Evaluates; `None` means empty/unknown.
    pub fn eval(&self, env: &dyn Env) -> Option<Value> {
        self.node.eval(env)
    }

    /// Evaluates a condition: `Some(true)` only when it holds, `None` when
    /// unknown or not a boolean.
    pub fn holds(&self, env: &dyn Env) -> Option<bool> {
        self.node.truth(env)
    }

    /// Every field reference in the expression, in source order, duplicates
    /// included. The compiler builds the dependency graph from this.
    pub fn refs(&self) -> Vec<Ref> {
        let mut out = Vec::new();
        self.node.collect_refs(&mut out);
        out
    }

    /// Whether the expression calls `today()`.
    pub fn uses_today(&self) -> bool {
        self.node.uses_today()
    }

    /// The value if the expression depends on no field and not on `today()`:
    /// `Some(None)` for a constant empty, `None` if not constant.
    pub fn constant(&self) -> Option<Option<Value>> {
        if self.refs().is_empty() && !self.uses_today() {
            Some(self.node.eval(&NoEnv))
        } else {
            None
        }
    }
}

/// An environment where every field is empty: for constant expressions
/// (never asked for a field) and for what a step condition sees before its
/// fields are filled.
pub(crate) struct NoEnv;

impl Env for NoEnv {
    fn value(&self, _: Ref) -> Option<&Value> {
        None
    }
    fn list(&self, _: Ref) -> Vec<Option<Value>> {
        Vec::new()
    }
    fn today(&self) -> Date {
        Date::EPOCH
    }
}
