//! The untyped syntax tree: what the author wrote, with positions for error
//! messages, before names are resolved and types checked.

use crate::value::Decimal;

/// A parsed, not yet type-checked expression; pass it to
/// [`check`](super::check).
#[derive(Debug, Clone)]
pub struct Ast {
    pub(crate) root: Node,
}

/// One syntax node.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Character offset used in error messages: the operator of a binary or
    /// unary node, the start of anything else.
    pub(crate) pos: usize,
    /// Height of the subtree (a leaf is 1), kept so the parser can enforce
    /// the depth limit without walking the tree again.
    pub(crate) depth: usize,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Int(i64),
    Decimal(Decimal),
    Text(String),
    Bool(bool),
    /// A dotted name split at the dots.
    Name(Vec<String>),
    Unary(UnOp, Box<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Call(Func, Vec<Node>),
    List(Vec<Node>),
}

impl Kind {
    /// The direct children, for depth bookkeeping.
    pub(crate) fn children(&self) -> Vec<&Node> {
        match self {
            Kind::Int(_) | Kind::Decimal(_) | Kind::Text(_) | Kind::Bool(_) | Kind::Name(_) => Vec::new(),
            Kind::Unary(_, x) => vec![x],
            Kind::Binary(_, a, b) => vec![a, b],
            Kind::If(c, a, b) => vec![c, a, b],
            Kind::Call(_, args) | Kind::List(args) => args.iter().collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// The built-in functions; the set is fixed so calls are checked at compile
/// time and evaluation cost stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Today,
    Age,
    DaysBetween,
    Year,
    AddDays,
    AddYears,
    Date,
    Len,
    Count,
    Sum,
    Min,
    Max,
    Any,
    All,
    Matches,
    IsEmpty,
    Round,
}

impl Func {
    pub(crate) const ALL: [Func; 17] = [
        Func::Today,
        Func::Age,
        Func::DaysBetween,
        Func::Year,
        Func::AddDays,
        Func::AddYears,
        Func::Date,
        Func::Len,
        Func::Count,
        Func::Sum,
        Func::Min,
        Func::Max,
        Func::Any,
        Func::All,
        Func::Matches,
        Func::IsEmpty,
        Func::Round,
    ];

    pub(crate) fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    pub(crate) fn name(self) -> &'static str {
        self.signature().split('(').next().unwrap_or("")
    }

    /// How to call it, for error messages.
    pub(crate) fn signature(self) -> &'static str {
        match self {
            Func::Today => "today()",
            Func::Age => "age(date)",
            Func::DaysBetween => "days_between(from_date, to_date)",
            Func::Year => "year(date)",
            Func::AddDays => "add_days(date, days)",
            Func::AddYears => "add_years(date, years)",
            Func::Date => "date('YYYY-MM-DD')",
            Func::Len => "len(text)",
            Func::Count => "count(list)",
            Func::Sum => "sum(list)",
            Func::Min => "min(a, b)",
            Func::Max => "max(a, b)",
            Func::Any => "any(list)",
            Func::All => "all(list)",
            Func::Matches => "matches(text, 'pattern')",
            Func::IsEmpty => "is_empty(value)",
            Func::Round => "round(number, places)",
        }
    }

    pub(crate) fn arity(self) -> usize {
        match self {
            Func::Today => 0,
            Func::DaysBetween | Func::AddDays | Func::AddYears | Func::Min | Func::Max | Func::Matches | Func::Round => 2,
            _ => 1,
        }
    }
}
