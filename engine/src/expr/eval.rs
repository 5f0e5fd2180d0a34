//! The typed tree and its evaluation.
//!
//! Evaluation is total: an empty operand, a value of an unexpected shape,
//! overflow or division by zero all give `None` ("unknown"), and `&&`, `||`
//! follow three-valued logic. The checker already guaranteed the types, so
//! the shape checks here only keep a misbehaving [`Env`] from causing panics.
//!
//! Sessions re-evaluate hundreds of expressions per keystroke, so the common
//! paths avoid allocation: constants are compared by reference (see
//! [`Node::with`]) and text is an `Arc<str>` that is never rebuilt except by
//! `+` concatenation.

use std::cmp::Ordering;
use std::sync::Arc;

use super::{Env, Ref};
use crate::pattern::Pattern;
use crate::value::{Date, Decimal, Value};

/// A type-checked expression node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A literal, a resolved constant or a folded constant subexpression.
    Const(Option<Value>),
    /// A single-valued field.
    Field(Ref),
    /// A list- or instances-valued field.
    ListField(Ref),
    /// A list literal that is not constant.
    List(Box<[Node]>),
    /// Turns an integer into a decimal where types unify to decimal, so a
    /// value always has the shape of its static type.
    ToDecimal(Box<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Arith(Arith, Box<Node>, Box<Node>),
    Cmp(Cmp, Box<Node>, Box<Node>),
    In(Box<Node>, Box<Node>),
    If(Box<Node>, Box<Node>, Box<Node>),
    Call(Call, Box<[Node]>),
    Matches(Box<Node>, Box<Pattern>),
    /// `field <op> constant` with a constant that is not empty, the
    /// commonest condition: one read, no recursion (see [`Node::specialised`]).
    FieldCmp(Cmp, Ref, Value),
    /// `field == 'text'`, or `!=` when negated, for a short text: the
    /// commonest condition of all (a choice and one of its codes). The text
    /// is held in the node, so deciding it reads no other memory.
    FieldIsText(Ref, bool, ShortText),
    /// `is_empty(field)` of a single-valued field.
    FieldIsEmpty(Ref),
}

/// Arithmetic, already specialised by operand type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    AddInt,
    SubInt,
    MulInt,
    AddDec,
    SubDec,
    MulDec,
    Div,
    Concat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// The comparison with its operands swapped: `a < b` is `b > a`.
    fn mirrored(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Eq,
            Cmp::Ne => Cmp::Ne,
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
        }
    }
}

/// Built-in calls, already specialised by argument type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Today,
    Age,
    DaysBetween,
    Year,
    AddDays,
    AddYears,
    Len,
    Count,
    CountInstances,
    SumInt,
    SumDec,
    Min,
    Max,
    Any,
    All,
    IsEmpty,
    Round(u32),
}

impl Node {
    /// Evaluates; `None` means empty or unknown.
    pub(crate) fn eval(&self, env: &dyn Env) -> Option<Value> {
        match self {
            Node::Const(v) => v.clone(),
            Node::Field(r) => env.value(*r).cloned(),
            Node::ListField(r) => Some(Value::List(env.list(*r).into())),
            Node::List(items) => Some(Value::List(items.iter().map(|n| n.eval(env)).collect())),
            Node::ToDecimal(x) => x.with(env, |v| decimal(v?).map(Value::Decimal)),
            Node::Not(_) | Node::And(..) | Node::Or(..) | Node::FieldCmp(..) | Node::FieldIsText(..) | Node::FieldIsEmpty(_) => {
                self.truth(env).map(Value::Bool)
            }
            Node::Neg(x) => x.with(env, |v| match v? {
                Value::Int(i) => i.checked_neg().map(Value::Int),
                Value::Decimal(d) => Some(Value::Decimal(-*d)),
                _ => None,
            }),
            Node::Arith(op, a, b) => a.with(env, |x| b.with(env, |y| arith(*op, x?, y?))),
            Node::Cmp(..) => self.truth(env).map(Value::Bool),
            Node::In(x, list) => x.with(env, |x| {
                let x = x?;
                let hit = |v: &Value| equal(x, v) == Some(true);
                let found = match &**list {
                    // A literal with fields in it: no need to build the list.
                    Node::List(items) => Some(items.iter().any(|n| n.with(env, |v| v.is_some_and(hit)))),
                    _ => list.with_list(env, |items| items.iter().flatten().any(hit)),
                };
                found.map(Value::Bool)
            }),
            Node::If(c, a, b) => match c.truth(env)? {
                true => a.eval(env),
                false => b.eval(env),
            },
            Node::Call(call, args) => eval_call(*call, args, env),
            Node::Matches(x, re) => x.with(env, |v| match v? {
                Value::Text(s) => Some(Value::Bool(re.is_match(s))),
                _ => None,
            }),
        }
    }

    /// The value, borrowed where it exists already (constants and fields)
    /// and otherwise evaluated into `owned`.
    fn operand<'v>(&'v self, env: &'v dyn Env, owned: &'v mut Option<Value>) -> Option<&'v Value> {
        match self.borrowed(env) {
            Some(value) => value,
            None => {
                *owned = self.eval(env);
                owned.as_ref()
            }
        }
    }

    /// Calls `f` with the value, borrowing constants instead of cloning them.
    fn with<R>(&self, env: &dyn Env, f: impl FnOnce(Option<&Value>) -> R) -> R {
        match self.borrowed(env) {
            Some(value) => f(value),
            None => f(self.eval(env).as_ref()),
        }
    }

    /// The value as a boolean; anything else is unknown. Logic and
    /// comparisons are decided here without building a [`Value`]: conditions
    /// are most of the work of every keystroke.
    pub(crate) fn truth(&self, env: &dyn Env) -> Option<bool> {
        match self {
            Node::FieldCmp(op, field, constant) => compare(*op, env.value(*field)?, constant),
            Node::FieldIsText(field, negated, text) => text.test(env.value(*field)?, *negated),
            Node::FieldIsEmpty(field) => Some(is_empty(env.value(*field))),
            Node::Field(field) => as_bool(env.value(*field)),
            Node::Not(x) => x.truth(env).map(|b| !b),
            Node::And(a, b) => three_valued::<false>(a, b, env),
            Node::Or(a, b) => three_valued::<true>(a, b, env),
            _ => self.general_truth(env),
        }
    }

    /// [`Node::truth`] of an operand of `&&` or `||`, with the commonest
    /// ones, field comparisons, decided without a further call.
    #[inline(always)]
    fn operand_truth(&self, env: &dyn Env) -> Option<bool> {
        match self {
            Node::FieldCmp(op, field, constant) => compare(*op, env.value(*field)?, constant),
            Node::FieldIsText(field, negated, text) => text.test(env.value(*field)?, *negated),
            _ => self.truth(env),
        }
    }

    /// [`Node::truth`] of the less common shapes. Kept apart so that the
    /// common ones above stay a small function, cheap to enter.
    #[inline(never)]
    fn general_truth(&self, env: &dyn Env) -> Option<bool> {
        match self {
            Node::Cmp(op, a, b) => match (a.borrowed(env), b.borrowed(env)) {
                (Some(x), Some(y)) => compare(*op, x?, y?),
                _ => compare_evaluated(*op, a, b, env),
            },
            _ => match self.borrowed(env) {
                Some(value) => as_bool(value),
                None => as_bool(self.eval(env).as_ref()),
            },
        }
    }

    /// The value of constants and fields, which exist already; `None` for
    /// anything that must be evaluated.
    fn borrowed<'v>(&'v self, env: &'v dyn Env) -> Option<Option<&'v Value>> {
        match self {
            Node::Const(v) => Some(v.as_ref()),
            Node::Field(r) => Some(env.value(*r)),
            _ => None,
        }
    }

    /// Calls `f` with the entries of a list value, without building an
    /// `Arc` for list fields and list literals; `None` if not a list.
    fn with_list<R>(&self, env: &dyn Env, f: impl FnOnce(&[Option<Value>]) -> R) -> Option<R> {
        match self {
            Node::ListField(r) => Some(f(&env.list(*r))),
            Node::List(items) => {
                let values: Vec<Option<Value>> = items.iter().map(|n| n.eval(env)).collect();
                Some(f(&values))
            }
            _ => self.with(env, |v| match v {
                Some(Value::List(items)) => Some(f(items)),
                _ => None,
            }),
        }
    }

    /// The node in a specialised form where one exists, for the shapes most
    /// conditions have; it evaluates exactly like the general form (tested
    /// below), only with fewer steps.
    pub(crate) fn specialised(self) -> Node {
        match self {
            Node::Cmp(op, a, b) => match (*a, *b) {
                (Node::Field(field), Node::Const(Some(constant))) => field_compared(op, field, constant),
                (Node::Const(Some(constant)), Node::Field(field)) => field_compared(op.mirrored(), field, constant),
                (a, b) => Node::Cmp(op, Box::new(a), Box::new(b)),
            },
            Node::Call(Call::IsEmpty, args) => match *args {
                [Node::Field(field)] => Node::FieldIsEmpty(field),
                _ => Node::Call(Call::IsEmpty, args),
            },
            node => node,
        }
    }

    /// Visits the direct children in source order.
    fn children(&self, f: &mut dyn FnMut(&Node)) {
        match self {
            Node::Const(_) | Node::Field(_) | Node::ListField(_) => {}
            Node::FieldCmp(..) | Node::FieldIsText(..) | Node::FieldIsEmpty(_) => {}
            Node::ToDecimal(x) | Node::Not(x) | Node::Neg(x) | Node::Matches(x, _) => f(x),
            Node::And(a, b) | Node::Or(a, b) | Node::Arith(_, a, b) | Node::Cmp(_, a, b) | Node::In(a, b) => {
                f(a);
                f(b);
            }
            Node::If(c, a, b) => {
                f(c);
                f(a);
                f(b);
            }
            Node::List(items) | Node::Call(_, items) => items.iter().for_each(f),
        }
    }

    /// Appends every field reference, in source order.
    pub(crate) fn collect_refs(&self, out: &mut Vec<Ref>) {
        match self {
            Node::Field(r) | Node::ListField(r) | Node::FieldCmp(_, r, _) | Node::FieldIsText(r, ..) | Node::FieldIsEmpty(r) => {
                out.push(*r)
            }
            _ => self.children(&mut |c| c.collect_refs(out)),
        }
    }

    /// Whether the value depends on today's date (`today()` or `age()`).
    pub(crate) fn uses_today(&self) -> bool {
        if let Node::Call(Call::Today | Call::Age, _) = self {
            return true;
        }
        let mut found = false;
        self.children(&mut |c| found = found || c.uses_today());
        found
    }

    /// Whether the node can be replaced by its value at check time: all its
    /// children are constants and it reads neither fields nor the date.
    pub(crate) fn is_foldable(&self) -> bool {
        match self {
            Node::Const(_) | Node::Field(_) | Node::ListField(_) => false,
            Node::FieldCmp(..) | Node::FieldIsText(..) | Node::FieldIsEmpty(_) => false,
            Node::Call(Call::Today | Call::Age, _) => false,
            _ => {
                let mut all_const = true;
                self.children(&mut |c| all_const = all_const && matches!(c, Node::Const(_)));
                all_const
            }
        }
    }
}

/// `field <op> constant` in its specialised form: a test for a short text
/// where it is one.
fn field_compared(op: Cmp, field: Ref, constant: Value) -> Node {
    let short = match &constant {
        Value::Text(text) => ShortText::new(text),
        _ => None,
    };
    match (op, short) {
        (Cmp::Eq | Cmp::Ne, Some(text)) => Node::FieldIsText(field, op == Cmp::Ne, text),
        _ => Node::FieldCmp(op, field, constant),
    }
}

/// A text of at most [`ShortText::CAPACITY`] bytes, held inline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShortText {
    pub(crate) len: u8,
    pub(crate) bytes: [u8; ShortText::CAPACITY],
}

// A node holding a short text is no larger than any other node.
const _: () = assert!(std::mem::size_of::<Node>() <= 64);

impl ShortText {
    /// Room for option codes and short answers, within the size of a node.
    pub(crate) const CAPACITY: usize = 40;

    pub(crate) fn new(text: &str) -> Option<ShortText> {
        if text.len() > Self::CAPACITY {
            return None;
        }
        let mut bytes = [0; Self::CAPACITY];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(ShortText { len: text.len() as u8, bytes })
    }

    /// `value == self` (`!=` when `negated`) as [`compare`] decides it: a
    /// value that is not text cannot be compared with text. Inlined: it is
    /// the commonest test, and a call costs more than it does.
    #[inline(always)]
    fn test(&self, value: &Value, negated: bool) -> Option<bool> {
        match value {
            Value::Text(text) => Some(self.is(text) != negated),
            _ => None,
        }
    }

    /// Compared byte by byte: for a few bytes a loop is cheaper than a call
    /// of the C library's `memcmp`.
    fn is(&self, text: &str) -> bool {
        text.len() == usize::from(self.len) && text.bytes().zip(self.bytes).all(|(a, b)| a == b)
    }
}

/// `a && b` (`DECISIVE` is `false`) or `a || b` (`DECISIVE` is `true`) in
/// three-valued logic: the decisive value on either side decides, even when
/// the other side is unknown; otherwise both must be known.
#[inline(always)]
fn three_valued<const DECISIVE: bool>(a: &Node, b: &Node, env: &dyn Env) -> Option<bool> {
    match a.operand_truth(env) {
        Some(left) if left == DECISIVE => Some(DECISIVE),
        left => match (left, b.operand_truth(env)) {
            (_, Some(right)) if right == DECISIVE => Some(DECISIVE),
            (Some(_), Some(_)) => Some(!DECISIVE),
            _ => None,
        },
    }
}

fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Int(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn date(v: &Value) -> Option<Date> {
    match v {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}

fn arith(op: Arith, a: &Value, b: &Value) -> Option<Value> {
    Some(match op {
        Arith::AddInt => Value::Int(int(a)?.checked_add(int(b)?)?),
        Arith::SubInt => Value::Int(int(a)?.checked_sub(int(b)?)?),
        Arith::MulInt => Value::Int(int(a)?.checked_mul(int(b)?)?),
        Arith::AddDec => Value::Decimal(decimal(a)?.checked_add(decimal(b)?)?),
        Arith::SubDec => Value::Decimal(decimal(a)?.checked_sub(decimal(b)?)?),
        Arith::MulDec => Value::Decimal(decimal(a)?.checked_mul(decimal(b)?)?),
        Arith::Div => Value::Decimal(decimal(a)?.checked_div(decimal(b)?)?),
        Arith::Concat => match (a, b) {
            (Value::Text(x), Value::Text(y)) => {
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                Value::Text(Arc::from(s))
            }
            _ => return None,
        },
    })
}

/// Numeric-aware ordering; `None` for values that cannot be compared.
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Decimal(_), Value::Int(_) | Value::Decimal(_)) => Some(decimal(a)?.cmp(&decimal(b)?)),
        _ => None,
    }
}

/// Numeric-aware equality; `None` for values of different kinds.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        _ => order(a, b).map(Ordering::is_eq),
    }
}

/// `is_empty()` of a single value.
fn is_empty(value: Option<&Value>) -> bool {
    match value {
        None => true,
        Some(Value::Text(t)) => t.is_empty(),
        Some(Value::List(items)) => items.iter().all(Option::is_none),
        Some(_) => false,
    }
}

fn as_bool(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// A comparison with at least one operand that must be evaluated first.
#[inline(never)]
fn compare_evaluated(op: Cmp, a: &Node, b: &Node, env: &dyn Env) -> Option<bool> {
    let (mut left, mut right) = (None, None);
    compare(op, a.operand(env, &mut left)?, b.operand(env, &mut right)?)
}

fn compare(op: Cmp, a: &Value, b: &Value) -> Option<bool> {
    Some(match op {
        Cmp::Eq => equal(a, b)?,
        Cmp::Ne => !equal(a, b)?,
        Cmp::Lt => order(a, b)?.is_lt(),
        Cmp::Le => order(a, b)?.is_le(),
        Cmp::Gt => order(a, b)?.is_gt(),
        Cmp::Ge => order(a, b)?.is_ge(),
    })
}

fn eval_call(call: Call, args: &[Node], env: &dyn Env) -> Option<Value> {
    match (call, args) {
        (Call::Today, []) => Some(Value::Date(env.today())),
        (Call::Age, [d]) => {
            let birth = d.with(env, |v| date(v?))?;
            Some(Value::Int(Date::age_on(birth, env.today())))
        }
        (Call::DaysBetween, [a, b]) => {
            let from = a.with(env, |v| date(v?))?;
            let to = b.with(env, |v| date(v?))?;
            Some(Value::Int(to.days_since_epoch() - from.days_since_epoch()))
        }
        (Call::Year, [d]) => d.with(env, |v| Some(Value::Int(date(v?)?.year().into()))),
        (Call::AddDays, [d, n]) => {
            let days = n.with(env, |v| int(v?))?;
            d.with(env, |v| date(v?)?.add_days(days).map(Value::Date))
        }
        (Call::AddYears, [d, n]) => {
            let years = i32::try_from(n.with(env, |v| int(v?))?).ok()?;
            d.with(env, |v| date(v?)?.add_years(years).map(Value::Date))
        }
        (Call::Len, [s]) => s.with(env, |v| match v? {
            Value::Text(t) => i64::try_from(t.chars().count()).ok().map(Value::Int),
            _ => None,
        }),
        (Call::Count, [l]) => l.with_list(env, |items| items.iter().flatten().count()).and_then(|n| i64::try_from(n).ok()).map(Value::Int),
        (Call::CountInstances, [l]) => l.with_list(env, <[Option<Value>]>::len).and_then(|n| i64::try_from(n).ok()).map(Value::Int),
        (Call::SumInt, [l]) => {
            l.with_list(env, |items| items.iter().flatten().try_fold(0i64, |acc, v| acc.checked_add(int(v)?)))?.map(Value::Int)
        }
        (Call::SumDec, [l]) => l
            .with_list(env, |items| items.iter().flatten().try_fold(Decimal::ZERO, |acc, v| acc.checked_add(decimal(v)?)))?
            .map(Value::Decimal),
        (Call::Min | Call::Max, [a, b]) => a.with(env, |x| {
            b.with(env, |y| {
                let (x, y) = (x?, y?);
                let pick_first = match call {
                    Call::Min => order(x, y)?.is_le(),
                    _ => order(x, y)?.is_ge(),
                };
                Some(if pick_first { x.clone() } else { y.clone() })
            })
        }),
        // Kleene disjunction, the mirror of `all`: unknown entries keep the
        // answer unknown unless one entry is true.
        (Call::Any, [l]) => l
            .with_list(env, |items| {
                if items.iter().any(|v| matches!(v, Some(Value::Bool(true)))) {
                    Some(true)
                } else if items.iter().any(|v| !matches!(v, Some(Value::Bool(false)))) {
                    None
                } else {
                    Some(false)
                }
            })?
            .map(Value::Bool),
        (Call::All, [l]) => l
            .with_list(env, |items| {
                if items.iter().any(|v| matches!(v, Some(Value::Bool(false)))) {
                    Some(false)
                } else if items.iter().any(|v| !matches!(v, Some(Value::Bool(true)))) {
                    None
                } else {
                    Some(true)
                }
            })?
            .map(Value::Bool),
        (Call::IsEmpty, [x]) => {
            let empty = match x {
                Node::ListField(_) | Node::List(_) => x.with_list(env, |items| items.iter().all(Option::is_none)).unwrap_or(true),
                _ => x.with(env, is_empty),
            };
            Some(Value::Bool(empty))
        }
        (Call::Round(places), [x]) => x.with(env, |v| decimal(v?)?.round_half_up(places).map(Value::Decimal)),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    //! Also the test fixtures for `check`: a small form with one field of each
    //! type and an environment that answers for it.

    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::expr::{check, parse, Expr, ExprError, Resolved, Resolver, Type};

    /// The fields of the test form: name, handle, type.
    fn field(name: &str) -> Option<(u32, Type)> {
        let list = |t: Type| Type::List(Box::new(t));
        Some(match name {
            "t" => (0, Type::Text),
            "n" => (1, Type::Int),
            "d" => (2, Type::Decimal),
            "b" => (3, Type::Bool),
            "dt" => (4, Type::Date),
            "b2" => (5, Type::Bool),
            "n2" => (6, Type::Int),
            "t2" => (7, Type::Text),
            "tags" => (10, list(Type::Text)),
            "nums" => (11, list(Type::Int)),
            "decs" => (12, list(Type::Decimal)),
            "flags" => (13, list(Type::Bool)),
            "hunde" => (14, Type::Instances),
            "hunde.name" => (15, list(Type::Text)),
            "dates" => (16, list(Type::Date)),
            _ => return None,
        })
    }

    pub(crate) struct TestResolver;

    impl Resolver for TestResolver {
        fn resolve(&self, path: &[&str]) -> Result<Resolved, String> {
            let name = path.join(".");
            match name.as_str() {
                "param.gebuehr" => return Ok(Resolved::Constant { value: Decimal::parse("12.50").map(Value::Decimal), ty: Type::Decimal }),
                "param.zahl" => return Ok(Resolved::Constant { value: Some(Value::Int(3)), ty: Type::Decimal }),
                "param.leer" => return Ok(Resolved::Constant { value: None, ty: Type::Int }),
                _ => {}
            }
            match field(&name) {
                Some((r, ty)) => Ok(Resolved::Field { r: Ref(r), ty }),
                None => Err(format!("unknown name '{name}'")),
            }
        }
    }

    /// Values indexed by handle: a plain vector keeps the timing test about
    /// the evaluator rather than about hashing.
    #[derive(Default)]
    pub(crate) struct TestEnv {
        values: Vec<Option<Value>>,
        lists: HashMap<u32, Vec<Option<Value>>>,
        today: Option<Date>,
    }

    impl TestEnv {
        pub(crate) fn new() -> TestEnv {
            TestEnv::default()
        }

        pub(crate) fn set(mut self, name: &str, v: Value) -> TestEnv {
            let (r, _) = field(name).expect("test field");
            let i = r as usize;
            if self.values.len() <= i {
                self.values.resize(i + 1, None);
            }
            self.values[i] = Some(v);
            self
        }

        pub(crate) fn list(mut self, name: &str, items: Vec<Option<Value>>) -> TestEnv {
            let (r, _) = field(name).expect("test field");
            self.lists.insert(r, items);
            self
        }

        pub(crate) fn today(mut self, d: &str) -> TestEnv {
            self.today = Date::parse(d);
            self
        }
    }

    impl Env for TestEnv {
        fn value(&self, r: Ref) -> Option<&Value> {
            self.values.get(r.0 as usize)?.as_ref()
        }
        fn list(&self, r: Ref) -> Vec<Option<Value>> {
            self.lists.get(&r.0).cloned().unwrap_or_default()
        }
        fn today(&self) -> Date {
            self.today.unwrap_or(Date::EPOCH)
        }
    }

    pub(crate) fn compile(src: &str) -> Result<Expr, ExprError> {
        check(&parse(src)?, &TestResolver)
    }

    pub(crate) fn run(src: &str, env: &TestEnv) -> Option<Value> {
        match compile(src) {
            Ok(e) => e.eval(env),
            Err(e) => panic!("{src}: {e:?}"),
        }
    }

    pub(crate) fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    pub(crate) fn dec(s: &str) -> Value {
        Value::Decimal(Decimal::parse(s).expect("test decimal"))
    }

    pub(crate) fn date(s: &str) -> Value {
        Value::Date(Date::parse(s).expect("test date"))
    }

    fn bool3(v: Option<bool>) -> Option<Value> {
        v.map(Value::Bool)
    }

    fn with_bools(a: Option<bool>, b: Option<bool>) -> TestEnv {
        let mut env = TestEnv::new();
        if let Some(a) = a {
            env = env.set("b", Value::Bool(a));
        }
        if let Some(b) = b {
            env = env.set("b2", Value::Bool(b));
        }
        env
    }

    #[test]
    fn three_valued_logic() {
        let (t, f, u) = (Some(true), Some(false), None);
        let cases =
            [(t, t, t, t), (t, f, f, t), (t, u, u, t), (f, t, f, t), (f, f, f, f), (f, u, f, u), (u, t, u, t), (u, f, f, u), (u, u, u, u)];
        for (a, b, and, or) in cases {
            let env = with_bools(a, b);
            assert_eq!(run("b && b2", &env), bool3(and), "{a:?} && {b:?}");
            assert_eq!(run("b || b2", &env), bool3(or), "{a:?} || {b:?}");
            assert_eq!(run("!b", &env), bool3(a.map(|x| !x)), "!{a:?}");
        }
    }

    #[test]
    fn conditionals() {
        let env = with_bools(Some(true), None);
        assert_eq!(run("if b then 1 else 2", &env), Some(Value::Int(1)));
        assert_eq!(run("if !b then 1 else 2", &env), Some(Value::Int(2)));
        assert_eq!(run("if b2 then 1 else 2", &env), None);
        // Unified to decimal: both branches give decimals.
        assert_eq!(run("if b then 1 else 2.5", &env), Some(dec("1")));
        assert!(matches!(run("if b then 1 else 2.5", &env), Some(Value::Decimal(_))));
    }

    #[test]
    fn arithmetic() {
        let env = TestEnv::new().set("n", Value::Int(7)).set("d", dec("0.1"));
        assert_eq!(run("n + 1", &env), Some(Value::Int(8)));
        assert_eq!(run("n - 10", &env), Some(Value::Int(-3)));
        assert_eq!(run("n * n", &env), Some(Value::Int(49)));
        assert_eq!(run("n / 2", &env), Some(dec("3.5")));
        assert_eq!(run("d + 0.2 == 0.3", &env), Some(Value::Bool(true)));
        assert_eq!(run("d * n", &env), Some(dec("0.7")));
        assert_eq!(run("-n", &env), Some(Value::Int(-7)));
        assert_eq!(run("-d", &env), Some(dec("-0.1")));
        assert_eq!(run("n / 0", &env), None);
        assert_eq!(run("n2 + 1", &env), None);
        assert_eq!(run("9223372036854775807 + n", &env), None);
        assert_eq!(run("-9223372036854775807 - 1 - n", &env), None);
        assert_eq!(run("-(-9223372036854775807 - 1)", &env), None);
        assert_eq!(run("'a' + \"b\"", &env), Some(text("ab")));
        let env = env.set("t", text("Bello")).set("t2", text(" ja"));
        assert_eq!(run("t + t2", &env), Some(text("Bello ja")));
        assert_eq!(run("param.gebuehr * n", &env), Some(dec("87.5")));
        assert_eq!(run("param.zahl / 2", &env), Some(dec("1.5")));
        assert_eq!(run("param.leer + 1", &env), None);
    }

    #[test]
    fn comparisons() {
        let env = TestEnv::new().set("n", Value::Int(1)).set("d", dec("1.00")).set("t", text("ja")).set("dt", date("2024-02-29"));
        for (src, want) in [
            ("n == d", true),
            ("n != d", false),
            ("d == 1", true),
            ("n < 1.5", true),
            ("d >= 1", true),
            ("d > 1", false),
            ("n <= 0", false),
            ("t == 'ja'", true),
            ("t == 'Ja'", false),
            ("t != 'nein'", true),
            ("dt == date('2024-02-29')", true),
            ("dt < date('2024-03-01')", true),
            ("dt > date('2024-03-01')", false),
            ("true == (n == 1)", true),
        ] {
            assert_eq!(run(src, &env), Some(Value::Bool(want)), "{src}");
        }
        assert_eq!(run("n2 == 1", &env), None);
        assert_eq!(run("t2 != 'x'", &env), None);
        assert_eq!(run("dt < dt", &env), Some(Value::Bool(false)));
    }

    #[test]
    fn membership() {
        let env = TestEnv::new()
            .set("n", Value::Int(2))
            .set("t", text("b"))
            .list("tags", vec![Some(text("a")), None, Some(text("b"))])
            .list("hunde.name", vec![None]);
        assert_eq!(run("t in ['a', 'b']", &env), Some(Value::Bool(true)));
        assert_eq!(run("t in ['x']", &env), Some(Value::Bool(false)));
        assert_eq!(run("n in [1, 2.0]", &env), Some(Value::Bool(true)));
        assert_eq!(run("2.0 in [n, n2]", &env), Some(Value::Bool(true)));
        assert_eq!(run("t in tags", &env), Some(Value::Bool(true)));
        assert_eq!(run("'c' in tags", &env), Some(Value::Bool(false)));
        assert_eq!(run("'c' in hunde.name", &env), Some(Value::Bool(false)));
        assert_eq!(run("t2 in tags", &env), None);
        assert_eq!(run("t2 in ['a']", &env), None);
    }

    #[test]
    fn date_functions() {
        let env = TestEnv::new().today("2024-03-01").set("dt", date("2004-02-29"));
        assert_eq!(run("today()", &env), Some(date("2024-03-01")));
        assert_eq!(run("age(dt)", &env), Some(Value::Int(20)));
        assert_eq!(run("age(date('2006-03-01'))", &env), Some(Value::Int(18)));
        assert_eq!(run("age(date('2006-03-02'))", &env), Some(Value::Int(17)));
        assert_eq!(run("age(date('2030-01-01'))", &env), Some(Value::Int(-6)));
        assert_eq!(run("age(dt)", &TestEnv::new()), None);
        let env2 = TestEnv::new().today("2023-02-28").set("dt", date("2004-02-29"));
        assert_eq!(run("age(dt)", &env2), Some(Value::Int(18)));
        let env3 = TestEnv::new().today("2023-03-01").set("dt", date("2004-02-29"));
        assert_eq!(run("age(dt)", &env3), Some(Value::Int(19)));
        assert_eq!(run("days_between(dt, today())", &env), Some(Value::Int(7306)));
        assert_eq!(run("days_between(today(), dt)", &env), Some(Value::Int(-7306)));
        assert_eq!(run("year(dt)", &env), Some(Value::Int(2004)));
        assert_eq!(run("add_days(dt, 1)", &env), Some(date("2004-03-01")));
        assert_eq!(run("add_days(dt, -60)", &env), Some(date("2003-12-31")));
        assert_eq!(run("add_days(dt, 9223372036854775807)", &env), None);
        assert_eq!(run("add_years(dt, 1)", &env), Some(date("2005-02-28")));
        assert_eq!(run("add_years(dt, 9223372036854775807)", &env), None);
        assert_eq!(run("add_years(dt, n)", &env), None);
    }

    #[test]
    fn text_and_number_functions() {
        let env = TestEnv::new().set("t", text("Größe")).set("d", dec("2.345")).set("n", Value::Int(3));
        assert_eq!(run("len(t)", &env), Some(Value::Int(5)));
        assert_eq!(run("len('')", &env), Some(Value::Int(0)));
        assert_eq!(run("len(t2)", &env), None);
        assert_eq!(run("round(d, 2)", &env), Some(dec("2.35")));
        assert_eq!(run("round(-d, 2)", &env), Some(dec("-2.35")));
        assert_eq!(run("round(d, 0)", &env), Some(dec("2")));
        assert_eq!(run("round(n, 2)", &env), Some(dec("3")));
        assert_eq!(run("min(n, d)", &env), Some(dec("2.345")));
        assert_eq!(run("max(n, d)", &env), Some(dec("3")));
        assert!(matches!(run("max(n, d)", &env), Some(Value::Decimal(_))));
        assert_eq!(run("min(n, 10)", &env), Some(Value::Int(3)));
        assert_eq!(run("max(n, n2)", &env), None);
    }

    #[test]
    fn list_functions() {
        let env = TestEnv::new()
            .list("tags", vec![Some(text("a")), None, Some(text("b"))])
            .list("nums", vec![Some(Value::Int(2)), None, Some(Value::Int(5))])
            .list("decs", vec![Some(dec("0.1")), Some(dec("0.2"))])
            .list("hunde", vec![None, None, None]);
        assert_eq!(run("count(tags)", &env), Some(Value::Int(2)));
        assert_eq!(run("count(hunde)", &env), Some(Value::Int(3)));
        assert_eq!(run("count(hunde.name)", &env), Some(Value::Int(0)));
        assert_eq!(run("count([n, 1, 2])", &env), Some(Value::Int(2)));
        assert_eq!(run("sum(nums)", &env), Some(Value::Int(7)));
        assert_eq!(run("sum(decs) == 0.3", &env), Some(Value::Bool(true)));
        assert_eq!(run("sum(decs)", &TestEnv::new()), Some(dec("0")));
        assert_eq!(run("sum(nums)", &TestEnv::new()), Some(Value::Int(0)));
        assert_eq!(run("sum([n, 1, 2.5])", &env), Some(dec("3.5")));
        let big = TestEnv::new().list("nums", vec![Some(Value::Int(i64::MAX)), Some(Value::Int(1))]);
        assert_eq!(run("sum(nums)", &big), None);
    }

    #[test]
    fn any_and_all() {
        let t = Some(Value::Bool(true));
        let f = Some(Value::Bool(false));
        // (entries, any, all)
        type Case = (Vec<Option<Value>>, Option<bool>, Option<bool>);
        let cases: [Case; 6] = [
            (vec![], Some(false), Some(true)),
            (vec![t.clone(), t.clone()], Some(true), Some(true)),
            (vec![t.clone(), f.clone()], Some(true), Some(false)),
            (vec![t.clone(), None], Some(true), None),
            (vec![f.clone(), None], None, Some(false)),
            (vec![None], None, None),
        ];
        for (items, any, all) in cases {
            let env = TestEnv::new().list("flags", items.clone());
            assert_eq!(run("any(flags)", &env), bool3(any), "any {items:?}");
            assert_eq!(run("all(flags)", &env), bool3(all), "all {items:?}");
        }
        let env = TestEnv::new().set("b", Value::Bool(true));
        assert_eq!(run("any([b, b2])", &env), Some(Value::Bool(true)));
        assert_eq!(run("all([b, b2])", &env), None);
    }

    #[test]
    fn is_empty_is_never_unknown() {
        let env = TestEnv::new()
            .set("t", text(""))
            .set("t2", text("x"))
            .set("n", Value::Int(0))
            .list("tags", vec![None, None])
            .list("nums", vec![None, Some(Value::Int(1))]);
        for (src, want) in [
            ("is_empty(t)", true),
            ("is_empty(t2)", false),
            ("is_empty(n)", false),
            ("is_empty(n2)", true),
            ("is_empty(tags)", true),
            ("is_empty(nums)", false),
            ("is_empty(hunde)", true),
            ("is_empty(decs)", true),
            ("is_empty([n2])", true),
            ("is_empty([n2, n])", false),
            ("is_empty(n2 + 1)", true),
            ("is_empty(b)", true),
            ("is_empty(param.leer)", true),
            ("is_empty(param.gebuehr)", false),
        ] {
            assert_eq!(run(src, &env), Some(Value::Bool(want)), "{src}");
        }
    }

    #[test]
    fn matches_is_anchored() {
        let env = TestEnv::new().set("t", text("12345")).set("t2", text("abc\n"));
        for (src, want) in [
            ("matches(t, '[0-9]{5}')", true),
            ("matches(t, '[0-9]{4}')", false),
            ("matches(t, '234')", false),
            ("matches(t, '1|12345')", true),
            ("matches(t, '1|2')", false),
            ("matches(t, '(?m)[0-9]+')", true),
            ("matches(t2, 'abc')", false),
            ("matches(t2, '(?m)abc$')", false),
            ("matches('x', '')", false),
            ("matches('', '')", true),
        ] {
            assert_eq!(run(src, &env), Some(Value::Bool(want)), "{src}");
        }
        assert_eq!(run("matches(t2 + 'x', 'x')", &TestEnv::new()), None);
    }

    #[test]
    fn refs_today_and_constants() {
        let e = compile("n + n2 > sum(nums) && t in tags || age(dt) > 1 && n > 0").unwrap();
        assert_eq!(e.refs(), vec![Ref(1), Ref(6), Ref(11), Ref(0), Ref(10), Ref(4), Ref(1)]);
        assert!(e.uses_today());
        assert!(!compile("n > 1").unwrap().uses_today());
        assert!(compile("year(today()) > 2000").unwrap().uses_today());
        assert_eq!(compile("1 + 2 * 3").unwrap().constant(), Some(Some(Value::Int(7))));
        assert_eq!(compile("1 / 0").unwrap().constant(), Some(None));
        assert_eq!(compile("param.leer").unwrap().constant(), Some(None));
        assert_eq!(compile("n + 1").unwrap().constant(), None);
        assert_eq!(compile("today()").unwrap().constant(), None);
        // Constant parts are folded at check time.
        let e = compile("n in [1, -2, 3 + 1]").unwrap();
        let Node::In(_, list) = &e.node else { panic!("{:?}", e.node) };
        assert!(matches!(**list, Node::Const(Some(Value::List(_)))));
        assert!(matches!(
            compile("date('2024-01-01') < add_days(date('2024-01-01'), 1)").unwrap().node,
            Node::Const(Some(Value::Bool(true)))
        ));
    }

    /// An environment with one value (or none) for every reference: it may
    /// hold values of any kind, also kinds the checker would not allow.
    struct OneValue(Option<Value>);

    impl Env for OneValue {
        fn value(&self, _: Ref) -> Option<&Value> {
            self.0.as_ref()
        }
        fn list(&self, _: Ref) -> Vec<Option<Value>> {
            Vec::new()
        }
        fn today(&self) -> Date {
            Date::EPOCH
        }
    }

    /// Values of every kind, empty ones and equal ones of different kinds included.
    fn sample_values() -> Vec<Option<Value>> {
        let list = |items: Vec<Option<Value>>| Some(Value::List(Arc::from(items)));
        vec![
            None,
            Some(Value::Int(-1)),
            Some(Value::Int(5)),
            Some(Value::Int(7)),
            Some(dec("5.0")),
            Some(dec("5.5")),
            Some(text("")),
            Some(text("a")),
            Some(text("b")),
            Some(text("Größe")),
            // Longer than a short text: compared in the general way.
            Some(text(&"x".repeat(41))),
            Some(text(&"x".repeat(40))),
            Some(Value::Bool(true)),
            Some(Value::Bool(false)),
            Some(date("1990-05-17")),
            Some(date("2000-01-01")),
            list(vec![]),
            list(vec![None]),
            list(vec![Some(text("a"))]),
        ]
    }

    /// Evaluates `general` and its specialised form (which must differ)
    /// with every sample value in the field: both must agree.
    fn assert_same_as_specialised(general: Node) {
        let specialised = general.clone().specialised();
        assert!(
            matches!(specialised, Node::FieldCmp(..) | Node::FieldIsText(..) | Node::FieldIsEmpty(_)),
            "{general:?} was not specialised"
        );
        for value in sample_values() {
            let env = OneValue(value.clone());
            assert_eq!(specialised.eval(&env), general.eval(&env), "{general:?} with {value:?}");
            assert_eq!(specialised.truth(&env), general.truth(&env), "{general:?} with {value:?}");
        }
    }

    #[test]
    fn specialised_comparisons_agree_with_the_general_form() {
        let field = || Box::new(Node::Field(Ref(0)));
        for op in [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge] {
            for constant in sample_values().into_iter().flatten() {
                let constant = || Box::new(Node::Const(Some(constant.clone())));
                assert_same_as_specialised(Node::Cmp(op, field(), constant()));
                assert_same_as_specialised(Node::Cmp(op, constant(), field()));
            }
        }
    }

    #[test]
    fn specialised_is_empty_agrees_with_the_general_form() {
        assert_same_as_specialised(Node::Call(Call::IsEmpty, Box::new([Node::Field(Ref(0))])));
    }

    #[test]
    fn checker_emits_specialised_forms_for_common_conditions() {
        let node = |src: &str| compile(src).unwrap().node;
        assert!(matches!(node("n > 5"), Node::FieldCmp(Cmp::Gt, Ref(1), Value::Int(5))));
        assert!(matches!(node("5 > n"), Node::FieldCmp(Cmp::Lt, Ref(1), Value::Int(5))));
        assert!(matches!(node("t == 'ja'"), Node::FieldIsText(Ref(0), false, _)));
        assert!(matches!(node("'ja' != t"), Node::FieldIsText(Ref(0), true, _)));
        assert!(matches!(node(&format!("t == '{}'", "x".repeat(41))), Node::FieldCmp(Cmp::Eq, Ref(0), _)));
        assert!(matches!(node("dt < date('2000-01-01')"), Node::FieldCmp(Cmp::Lt, Ref(4), Value::Date(_))));
        assert!(matches!(node("is_empty(t)"), Node::FieldIsEmpty(Ref(0))));
        // Not these: an empty constant, a computed operand, a list.
        assert!(matches!(node("n > param.leer"), Node::Cmp(..)));
        assert!(matches!(node("n + 1 > 5"), Node::Cmp(..)));
        assert!(matches!(node("is_empty(tags)"), Node::Call(Call::IsEmpty, _)));
    }

    /// An environment whose values do not fit the declared types: evaluation
    /// must stay total.
    struct Liar(Value);

    impl Env for Liar {
        fn value(&self, _: Ref) -> Option<&Value> {
            Some(&self.0)
        }
        fn list(&self, _: Ref) -> Vec<Option<Value>> {
            vec![Some(Value::Bool(true)), Some(text("x")), None]
        }
        fn today(&self) -> Date {
            Date::EPOCH
        }
    }

    #[test]
    fn ill_typed_values_give_unknown_not_panics() {
        for src in [
            "n + 1",
            "d * 2",
            "n / n2",
            "t + t2",
            "-n",
            "!b",
            "b && b2",
            "b || b2",
            "n == 1",
            "n < 2",
            "dt < dt",
            "t in tags",
            "if b then 1 else 2",
            "age(dt)",
            "year(dt)",
            "days_between(dt, dt)",
            "add_days(dt, n)",
            "add_years(dt, n)",
            "len(t)",
            "count(tags)",
            "count(hunde)",
            "sum(nums)",
            "sum(decs)",
            "min(n, d)",
            "any(flags)",
            "all(flags)",
            "is_empty(t)",
            "round(d, 2)",
            "matches(t, 'x')",
            "[n, n2] == [n]",
        ] {
            if let Ok(e) = compile(src) {
                let _ = e.eval(&Liar(Value::List(Arc::from(vec![Some(Value::Int(1))]))));
            }
        }
    }

    /// Rough timing for the hot path; run with
    /// `cargo test --release -p efa-engine --lib -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        let env = TestEnv::new().set("t", text("ja")).set("n", Value::Int(20));
        for src in ["t == 'ja'", "n >= 18 && t in ['ja', 'vielleicht']", "n * 2 + 1"] {
            let e = compile(src).unwrap();
            let rounds = 2_000_000u32;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                std::hint::black_box(e.eval(std::hint::black_box(&env)));
            }
            println!("{src}: {:?} per eval", start.elapsed() / rounds);
        }
    }
}
