//! Resolves names and checks types, turning an [`Ast`] into an [`Expr`].
//!
//! Everything that can be known before a citizen types anything is decided
//! here: names, operand types, function arities, `date()` and regex literals.
//! Integer operands meeting decimals get an explicit conversion node so that
//! evaluation never has to guess, and subexpressions made only of constants
//! are evaluated once here instead of on every keystroke.

use std::sync::Arc;

use super::ast::{self, Ast, BinOp, Func, Kind, UnOp};
use super::eval::{Arith, Call, Cmp, Node};
use super::{Expr, ExprError, ExprErrorKind, NoEnv, Resolved, Resolver};
use crate::pattern::Pattern;
use crate::value::{Date, Decimal, Type, Value};

/// Resolves names through `resolver` and type-checks the expression.
///
/// The result may have any type, lists included; the caller checks that it
/// fits where the expression is used (e.g. a condition must be boolean).
pub fn check(ast: &Ast, resolver: &dyn Resolver) -> Result<Expr, ExprError> {
    let (node, ty) = Checker { resolver }.any(&ast.root)?;
    Ok(Expr { node, ty })
}

type Typed = (Node, Type);

struct Checker<'a> {
    resolver: &'a dyn Resolver,
}

fn error(kind: ExprErrorKind, pos: usize, message: impl Into<String>) -> ExprError {
    ExprError { position: pos, message: message.into(), kind }
}

fn type_error(pos: usize, message: impl Into<String>) -> ExprError {
    error(ExprErrorKind::Type, pos, message)
}

fn is_number(t: &Type) -> bool {
    matches!(t, Type::Int | Type::Decimal)
}

/// The common type of two branches or list elements, if any.
fn unify(a: &Type, b: &Type) -> Option<Type> {
    if a == b {
        Some(a.clone())
    } else if is_number(a) && is_number(b) {
        Some(Type::Decimal)
    } else {
        None
    }
}

/// Converts an integer-typed node where a decimal is expected.
fn coerce(node: Node, from: &Type, to: &Type) -> Node {
    if *from == Type::Int && *to == Type::Decimal {
        fold(Node::ToDecimal(Box::new(node)))
    } else {
        node
    }
}

/// Evaluates constant subexpressions once, at check time.
fn fold(node: Node) -> Node {
    if node.is_foldable() {
        Node::Const(node.eval(&NoEnv))
    } else {
        node
    }
}

/// How a node is named in messages: its name if it is one.
fn describe(n: &ast::Node) -> String {
    match &n.kind {
        Kind::Name(path) => format!("'{}'", path.join(".")),
        _ => "this part".to_string(),
    }
}

/// A hint for the classic mistake of writing a date as text.
fn date_hint(a: &Type, b: &Type) -> &'static str {
    match (a, b) {
        (Type::Text, Type::Date) | (Type::Date, Type::Text) => "; write a fixed date as date('YYYY-MM-DD'), e.g. date('2024-12-31')",
        _ => "",
    }
}

impl Checker<'_> {
    /// Checks a node in a position where a list or instances would be
    /// misused: operands, conditions, branches, most arguments.
    fn scalar(&self, n: &ast::Node) -> Result<Typed, ExprError> {
        let typed = self.any(n)?;
        match typed.1 {
            Type::List(_) => Err(type_error(
                n.pos,
                format!(
                    "{} is a list (one entry per repeat or per selected option); use it with count(), sum(), any(), all(), is_empty() or on the right of 'in'",
                    describe(n)
                ),
            )),
            Type::Instances => Err(type_error(
                n.pos,
                format!(
                    "{} is a repeating group or a set of files; use it with count() or is_empty()",
                    describe(n)
                ),
            )),
            _ => Ok(typed),
        }
    }

    /// Checks a node that must have type `want`.
    fn expect(&self, n: &ast::Node, want: &Type, what: &str) -> Result<Node, ExprError> {
        let (node, ty) = self.scalar(n)?;
        if ty == *want || (*want == Type::Decimal && ty == Type::Int) {
            return Ok(coerce(node, &ty, want));
        }
        Err(type_error(n.pos, format!("{what} must be {}, but {} is {}{}", article(want), describe(n), article(&ty), date_hint(want, &ty))))
    }

    fn any(&self, n: &ast::Node) -> Result<Typed, ExprError> {
        let (node, ty) = match &n.kind {
            Kind::Int(i) => (Node::Const(Some(Value::Int(*i))), Type::Int),
            Kind::Decimal(d) => (Node::Const(Some(Value::Decimal(*d))), Type::Decimal),
            Kind::Text(s) => (Node::Const(Some(Value::Text(Arc::from(s.as_str())))), Type::Text),
            Kind::Bool(b) => (Node::Const(Some(Value::Bool(*b))), Type::Bool),
            Kind::Name(path) => self.name(n.pos, path)?,
            Kind::Unary(UnOp::Not, x) => {
                let x = self.expect(x, &Type::Bool, "the value after '!'")?;
                (Node::Not(Box::new(x)), Type::Bool)
            }
            Kind::Unary(UnOp::Neg, x) => {
                let (x_node, ty) = self.scalar(x)?;
                if !is_number(&ty) {
                    return Err(type_error(n.pos, format!("'-' needs a number, but {} is {}", describe(x), article(&ty))));
                }
                (Node::Neg(Box::new(x_node)), ty)
            }
            Kind::Binary(op, a, b) => self.binary(n.pos, *op, a, b)?,
            Kind::If(c, a, b) => {
                let c = self.expect(c, &Type::Bool, "the condition after 'if'")?;
                let (a_node, a_ty) = self.scalar(a)?;
                let (b_node, b_ty) = self.scalar(b)?;
                let Some(ty) = unify(&a_ty, &b_ty) else {
                    return Err(type_error(
                        b.pos,
                        format!(
                            "'then' and 'else' must give the same type of value, but 'then' gives {} and 'else' gives {}",
                            article(&a_ty),
                            article(&b_ty)
                        ),
                    ));
                };
                let a_node = coerce(a_node, &a_ty, &ty);
                let b_node = coerce(b_node, &b_ty, &ty);
                (Node::If(Box::new(c), Box::new(a_node), Box::new(b_node)), ty)
            }
            Kind::Call(f, args) => self.call(n.pos, *f, args)?,
            Kind::List(items) => self.list(n.pos, items)?,
        };
        Ok((fold(node).specialised(), ty))
    }

    fn name(&self, pos: usize, path: &[String]) -> Result<Typed, ExprError> {
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        match self.resolver.resolve(&parts) {
            Ok(Resolved::Field { r, ty }) => match ty {
                Type::List(_) | Type::Instances => Ok((Node::ListField(r), ty)),
                _ => Ok((Node::Field(r), ty)),
            },
            Ok(Resolved::Constant { value, ty }) => {
                let value = match (value, &ty) {
                    (Some(Value::Int(i)), Type::Decimal) => Some(Value::Decimal(Decimal::from_i64(i))),
                    (value, _) => value,
                };
                Ok((Node::Const(value), ty))
            }
            Err(message) => {
                let hint = match path {
                    [single] if Func::from_name(single).is_some() => {
                        format!(" (to call the function, write '{single}(…)')")
                    }
                    _ => String::new(),
                };
                Err(error(ExprErrorKind::UnknownReference, pos, format!("{message}{hint}")))
            }
        }
    }

    fn list(&self, pos: usize, items: &[ast::Node]) -> Result<Typed, ExprError> {
        let mut typed = Vec::with_capacity(items.len());
        let mut elem: Option<Type> = None;
        for item in items {
            let (node, ty) = self.scalar(item)?;
            elem = Some(match elem {
                None => ty.clone(),
                Some(prev) => unify(&prev, &ty).ok_or_else(|| {
                    type_error(
                        item.pos,
                        format!(
                            "all entries of a list must have the same type, but this one is {} and the ones before are {}",
                            article(&ty),
                            article(&prev)
                        ),
                    )
                })?,
            });
            typed.push((node, ty));
        }
        let Some(elem) = elem else {
            return Err(type_error(pos, "an empty list [] is not allowed here"));
        };
        let nodes = typed.into_iter().map(|(node, ty)| coerce(node, &ty, &elem)).collect();
        Ok((Node::List(nodes), Type::List(Box::new(elem))))
    }

    fn binary(&self, pos: usize, op: BinOp, a: &ast::Node, b: &ast::Node) -> Result<Typed, ExprError> {
        let sym = op.symbol();
        match op {
            BinOp::And | BinOp::Or => {
                let what = format!("each side of '{sym}'");
                let x = Box::new(self.expect(a, &Type::Bool, &what)?);
                let y = Box::new(self.expect(b, &Type::Bool, &what)?);
                let node = if op == BinOp::And { Node::And(x, y) } else { Node::Or(x, y) };
                return Ok((node, Type::Bool));
            }
            BinOp::In => return self.membership(pos, a, b),
            _ => {}
        }
        let (x, xt) = self.scalar(a)?;
        let (y, yt) = self.scalar(b)?;
        let mismatch = |verb: &str, hint: &str| type_error(pos, format!("cannot {verb} {} and {}{hint}", article(&xt), article(&yt)));
        let cmp = |c: Cmp, x: Node, y: Node| Ok((Node::Cmp(c, Box::new(x), Box::new(y)), Type::Bool));
        match op {
            BinOp::Eq | BinOp::Ne => {
                if unify(&xt, &yt).is_none() {
                    return Err(type_error(pos, format!("cannot compare {} with {}{}", article(&xt), article(&yt), date_hint(&xt, &yt))));
                }
                cmp(if op == BinOp::Eq { Cmp::Eq } else { Cmp::Ne }, x, y)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ok = (is_number(&xt) && is_number(&yt)) || (xt == Type::Date && yt == Type::Date);
                if !ok {
                    let hint = date_hint(&xt, &yt);
                    let message = if hint.is_empty() {
                        format!("'{sym}' compares numbers or dates, but here it gets {} and {}", article(&xt), article(&yt))
                    } else {
                        format!("cannot compare {} with {}{hint}", article(&xt), article(&yt))
                    };
                    return Err(type_error(pos, message));
                }
                let c = match op {
                    BinOp::Lt => Cmp::Lt,
                    BinOp::Le => Cmp::Le,
                    BinOp::Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                cmp(c, x, y)
            }
            _ => {
                let (verb, int_op, dec_op) = match op {
                    BinOp::Add => ("add", Some(Arith::AddInt), Arith::AddDec),
                    BinOp::Sub => ("subtract", Some(Arith::SubInt), Arith::SubDec),
                    BinOp::Mul => ("multiply", Some(Arith::MulInt), Arith::MulDec),
                    _ => ("divide", None, Arith::Div),
                };
                let arith = |a: Arith, ty: Type| Ok((Node::Arith(a, Box::new(x), Box::new(y)), ty));
                match (&xt, &yt, int_op) {
                    (Type::Text, Type::Text, _) if op == BinOp::Add => arith(Arith::Concat, Type::Text),
                    (Type::Int, Type::Int, Some(int_op)) => arith(int_op, Type::Int),
                    _ if is_number(&xt) && is_number(&yt) => arith(dec_op, Type::Decimal),
                    (Type::Date, _, _) if op == BinOp::Add || op == BinOp::Sub => {
                        Err(mismatch(verb, "; use add_days(date, days) or days_between(from_date, to_date)"))
                    }
                    (Type::Text, _, _) | (_, Type::Text, _) if op == BinOp::Add => {
                        Err(mismatch(verb, " (to join text, both sides must be text)"))
                    }
                    _ => Err(mismatch(verb, "")),
                }
            }
        }
    }

    /// `x in list`: the list is a list literal or a list-valued expression.
    fn membership(&self, pos: usize, a: &ast::Node, b: &ast::Node) -> Result<Typed, ExprError> {
        let (x, xt) = self.scalar(a)?;
        let (list, lt) = self.any(b)?;
        let Type::List(elem) = &lt else {
            return Err(type_error(
                b.pos,
                format!(
                    "the right side of 'in' must be a list such as ['a', 'b'] or a multiple-choice field, but {} is {}",
                    describe(b),
                    article(&lt)
                ),
            ));
        };
        if unify(&xt, elem).is_none() {
            return Err(type_error(pos, format!("cannot look for {} in a list of {}{}", article(&xt), elem.name(), date_hint(&xt, elem))));
        }
        Ok((Node::In(Box::new(x), Box::new(list)), Type::Bool))
    }

    fn call(&self, pos: usize, f: Func, args: &[ast::Node]) -> Result<Typed, ExprError> {
        if args.len() != f.arity() {
            let want = f.arity();
            return Err(type_error(
                pos,
                format!(
                    "{}() takes {want} argument{}, but {} {} given; write {}",
                    f.name(),
                    if want == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" },
                    f.signature()
                ),
            ));
        }
        let what = |i: usize| {
            let ordinal = ["first", "second"].get(i).copied().unwrap_or("each");
            if f.arity() == 1 {
                format!("the argument of {}()", f.name())
            } else {
                format!("the {ordinal} argument of {}()", f.name())
            }
        };
        let arg = |i: usize, ty: Type| self.expect(&args[i], &ty, &what(i));
        let call = |c: Call, nodes: Vec<Node>, ty: Type| Ok((Node::Call(c, nodes.into()), ty));
        match f {
            Func::Today => call(Call::Today, vec![], Type::Date),
            Func::Age => call(Call::Age, vec![arg(0, Type::Date)?], Type::Int),
            Func::Year => call(Call::Year, vec![arg(0, Type::Date)?], Type::Int),
            Func::DaysBetween => call(Call::DaysBetween, vec![arg(0, Type::Date)?, arg(1, Type::Date)?], Type::Int),
            Func::AddDays => call(Call::AddDays, vec![arg(0, Type::Date)?, arg(1, Type::Int)?], Type::Date),
            Func::AddYears => call(Call::AddYears, vec![arg(0, Type::Date)?, arg(1, Type::Int)?], Type::Date),
            Func::Len => call(Call::Len, vec![arg(0, Type::Text)?], Type::Int),
            Func::Date => date_literal(&args[0]),
            Func::Count => {
                let (node, ty) = self.any(&args[0])?;
                let c = match ty {
                    Type::List(_) => Call::Count,
                    Type::Instances => Call::CountInstances,
                    _ => {
                        return Err(type_error(
                            args[0].pos,
                            format!(
                                "count() needs a list, a repeating group or a file field, but {} is {}",
                                describe(&args[0]),
                                article(&ty)
                            ),
                        ))
                    }
                };
                call(c, vec![node], Type::Int)
            }
            Func::Sum => {
                let (node, ty) = self.any(&args[0])?;
                match ty {
                    Type::List(elem) if *elem == Type::Int => call(Call::SumInt, vec![node], Type::Int),
                    Type::List(elem) if *elem == Type::Decimal => call(Call::SumDec, vec![node], Type::Decimal),
                    _ => Err(type_error(
                        args[0].pos,
                        format!("sum() needs a list of numbers, but {} is {}", describe(&args[0]), article(&ty)),
                    )),
                }
            }
            Func::Any | Func::All => {
                let node = self.expect_list(&args[0], f)?;
                call(if f == Func::Any { Call::Any } else { Call::All }, vec![node], Type::Bool)
            }
            Func::Min | Func::Max => {
                let (a, at) = self.scalar(&args[0])?;
                let (b, bt) = self.scalar(&args[1])?;
                for (n, t) in [(&args[0], &at), (&args[1], &bt)] {
                    if !is_number(t) {
                        return Err(type_error(n.pos, format!("{}() compares numbers, but {} is {}", f.name(), describe(n), article(t))));
                    }
                }
                let ty = unify(&at, &bt).unwrap_or(Type::Decimal);
                let nodes = vec![coerce(a, &at, &ty), coerce(b, &bt, &ty)];
                call(if f == Func::Min { Call::Min } else { Call::Max }, nodes, ty)
            }
            Func::IsEmpty => {
                let (node, _) = self.any(&args[0])?;
                call(Call::IsEmpty, vec![node], Type::Bool)
            }
            Func::Round => {
                let x = arg(0, Type::Decimal)?;
                let places = match args[1].kind {
                    Kind::Int(p @ 0..=10) => p as u32,
                    _ => {
                        return Err(type_error(
                            args[1].pos,
                            "round() needs the number of decimal places as a whole number from 0 to 10, e.g. round(x, 2)",
                        ))
                    }
                };
                call(Call::Round(places), vec![x], Type::Decimal)
            }
            Func::Matches => {
                let text = arg(0, Type::Text)?;
                let regex = regex_literal(&args[1])?;
                Ok((Node::Matches(Box::new(text), Box::new(regex)), Type::Bool))
            }
        }
    }

    /// The argument of `any()` / `all()`: a list of booleans.
    fn expect_list(&self, n: &ast::Node, f: Func) -> Result<Node, ExprError> {
        let (node, ty) = self.any(n)?;
        if ty == Type::List(Box::new(Type::Bool)) {
            return Ok(node);
        }
        Err(type_error(n.pos, format!("{}() needs a list of true/false values, but {} is {}", f.name(), describe(n), article(&ty))))
    }
}

/// The type's name with an indefinite article, for messages.
fn article(t: &Type) -> String {
    match t {
        Type::Bool => "a true/false value".to_string(),
        Type::Text => "text".to_string(),
        Type::Int => "a whole number".to_string(),
        Type::Decimal => "a decimal number".to_string(),
        Type::Instances => "a repeating group or a set of files".to_string(),
        other => {
            let name = other.name();
            format!("{} {name}", if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" })
        }
    }
}

/// `date('YYYY-MM-DD')`: validated now, a constant afterwards.
fn date_literal(arg: &ast::Node) -> Result<Typed, ExprError> {
    let Kind::Text(s) = &arg.kind else {
        return Err(type_error(arg.pos, "date() needs the date written in quotes, e.g. date('2024-12-31')"));
    };
    let date = Date::parse(s)
        .ok_or_else(|| type_error(arg.pos, format!("'{s}' is not a valid date; write it as 'YYYY-MM-DD', e.g. date('2024-12-31')")))?;
    Ok((Node::Const(Some(Value::Date(date))), Type::Date))
}

/// The pattern of `matches()`, compiled once, matched against the whole text.
fn regex_literal(arg: &ast::Node) -> Result<Pattern, ExprError> {
    let Kind::Text(pattern) = &arg.kind else {
        return Err(type_error(arg.pos, "matches() needs the pattern written in quotes, e.g. matches(plz, '[0-9]{5}')"));
    };
    Pattern::new(pattern).map_err(|e| error(ExprErrorKind::Regex, arg.pos, format!("the pattern is {e}")))
}

#[cfg(test)]
mod tests {
    use super::super::eval::tests::compile;
    use super::*;

    fn ty(src: &str) -> Type {
        match compile(src) {
            Ok(e) => e.ty().clone(),
            Err(e) => panic!("{src}: {e:?}"),
        }
    }

    fn err(src: &str, kind: ExprErrorKind) -> ExprError {
        let e = compile(src).expect_err(src);
        assert_eq!(e.kind, kind, "{src}: {e:?}");
        e
    }

    fn type_err(src: &str) -> (usize, String) {
        let e = err(src, ExprErrorKind::Type);
        (e.position, e.message)
    }

    fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    #[test]
    fn result_types() {
        for (src, want) in [
            ("n + n2", Type::Int),
            ("n + d", Type::Decimal),
            ("n / n2", Type::Decimal),
            ("t + 'x'", Type::Text),
            ("n * 1.5", Type::Decimal),
            ("-n", Type::Int),
            ("n == d", Type::Bool),
            ("if b then n else d", Type::Decimal),
            ("if b then t else 'x'", Type::Text),
            ("[1, 2.5]", list(Type::Decimal)),
            ("tags", list(Type::Text)),
            ("hunde", Type::Instances),
            ("param.gebuehr", Type::Decimal),
            ("today()", Type::Date),
            ("age(dt)", Type::Int),
            ("days_between(dt, today())", Type::Int),
            ("year(dt)", Type::Int),
            ("add_days(dt, 1)", Type::Date),
            ("add_years(dt, n)", Type::Date),
            ("date('2024-12-31')", Type::Date),
            ("len(t)", Type::Int),
            ("count(tags)", Type::Int),
            ("count(hunde)", Type::Int),
            ("sum(nums)", Type::Int),
            ("sum(decs)", Type::Decimal),
            ("min(n, n2)", Type::Int),
            ("max(n, d)", Type::Decimal),
            ("any(flags)", Type::Bool),
            ("all([b, b2])", Type::Bool),
            ("matches(t, '[0-9]+')", Type::Bool),
            ("is_empty(hunde)", Type::Bool),
            ("is_empty(n)", Type::Bool),
            ("round(n, 0)", Type::Decimal),
            ("round(d, 10)", Type::Decimal),
            ("t in tags", Type::Bool),
            ("n in [1, 2.5]", Type::Bool),
            ("dt in dates", Type::Bool),
        ] {
            assert_eq!(ty(src), want, "{src}");
        }
    }

    #[test]
    fn unknown_names() {
        let e = err("n + hnd", ExprErrorKind::UnknownReference);
        assert_eq!(e.position, 4);
        assert_eq!(e.message, "unknown name 'hnd'");
        let e = err("hunde.alter > 3", ExprErrorKind::UnknownReference);
        assert_eq!((e.position, e.message.as_str()), (0, "unknown name 'hunde.alter'"));
        let e = err("today == dt", ExprErrorKind::UnknownReference);
        assert!(e.message.contains("write 'today(…)'"), "{}", e.message);
    }

    #[test]
    fn operator_type_errors() {
        let (pos, msg) = type_err("t + 1");
        assert_eq!(pos, 2);
        assert_eq!(msg, "cannot add text and a whole number (to join text, both sides must be text)");
        assert!(type_err("dt + 1").1.contains("add_days"));
        assert!(type_err("dt - dt").1.contains("days_between"));
        assert!(type_err("b * 2").1.contains("cannot multiply a true/false value and a whole number"));
        assert!(type_err("t / t").1.contains("cannot divide"));
        assert_eq!(type_err("1 + -t").0, 4);
        assert!(type_err("!n").1.contains("the value after '!' must be a true/false value"));
        assert!(type_err("b && n").1.contains("each side of '&&'"));
        assert_eq!(type_err("b || 'x'").0, 5);
    }

    #[test]
    fn comparison_type_errors() {
        let (pos, msg) = type_err("dt < '2024-01-01'");
        assert_eq!(pos, 3);
        assert!(msg.contains("date('YYYY-MM-DD')"), "{msg}");
        assert!(type_err("dt == '2024-01-01'").1.contains("date('YYYY-MM-DD')"));
        assert!(type_err("t < 'b'").1.contains("compares numbers or dates"));
        assert!(type_err("b >= b2").1.contains("compares numbers or dates"));
        assert!(type_err("t == 1").1.contains("cannot compare text with a whole number"));
        assert!(type_err("b == 1").1.contains("cannot compare"));
    }

    #[test]
    fn conditional_and_list_type_errors() {
        assert!(type_err("if n then 1 else 2").1.contains("condition after 'if'"));
        let (pos, msg) = type_err("if b then 1 else 'x'");
        assert_eq!(pos, 17);
        assert!(msg.contains("'then' gives a whole number"), "{msg}");
        let (pos, msg) = type_err("[1, 'a']");
        assert_eq!(pos, 4);
        assert!(msg.contains("same type"), "{msg}");
        assert!(type_err("[]").1.contains("empty list"));
        assert!(type_err("n in t").1.contains("right side of 'in'"));
        assert!(type_err("t in nums").1.contains("cannot look for text in a list of integer"));
        assert!(type_err("dt in ['2024-01-01']").1.contains("date('YYYY-MM-DD')"));
        assert!(type_err("n in hunde").1.contains("right side of 'in'"));
        assert!(type_err("tags in tags").1.contains("'tags' is a list"));
    }

    #[test]
    fn lists_and_instances_only_where_allowed() {
        for src in ["tags == 'a'", "hunde.name + 'x'", "if b then tags else tags", "[tags]", "len(tags)", "-nums", "!flags", "min(nums, 1)"]
        {
            let (_, msg) = type_err(src);
            assert!(msg.contains("is a list"), "{src}: {msg}");
        }
        for src in ["hunde > 0", "hunde + 1", "if b then hunde else hunde", "any(hunde) || b", "hunde == hunde"] {
            let (_, msg) = type_err(src);
            assert!(msg.contains("repeating group"), "{src}: {msg}");
        }
    }

    #[test]
    fn function_type_errors() {
        let (pos, msg) = type_err("n + age()");
        assert_eq!(pos, 4);
        assert_eq!(msg, "age() takes 1 argument, but 0 were given; write age(date)");
        assert!(type_err("today(1)").1.contains("takes 0 arguments, but 1 was given"));
        assert!(type_err("min(1)").1.contains("min(a, b)"));
        let (pos, msg) = type_err("age(t)");
        assert_eq!(pos, 4);
        assert!(msg.contains("the argument of age() must be a date, but 't' is text"), "{msg}");
        assert!(msg.contains("date('YYYY-MM-DD')"), "{msg}");
        assert!(type_err("add_days(dt, 1.5)").1.contains("second argument of add_days()"));
        assert!(type_err("days_between(n, dt)").1.contains("first argument"));
        assert!(type_err("year(n)").1.contains("must be a date"));
        assert!(type_err("len(n)").1.contains("must be text"));
        assert!(type_err("count(n)").1.contains("count() needs a list"));
        assert!(type_err("sum(tags)").1.contains("sum() needs a list of numbers"));
        assert!(type_err("sum(hunde)").1.contains("sum() needs a list of numbers"));
        assert!(type_err("any(tags)").1.contains("any() needs a list of true/false"));
        assert!(type_err("all(b)").1.contains("all() needs a list"));
        assert!(type_err("min(t, 1)").1.contains("min() compares numbers"));
        assert!(type_err("round(t, 1)").1.contains("must be a decimal number"));
        for bad in ["round(d, 11)", "round(d, n)", "round(d, -1)", "round(d, 1.0)"] {
            assert!(type_err(bad).1.contains("from 0 to 10"), "{bad}");
        }
    }

    #[test]
    fn date_literals_are_checked_at_compile_time() {
        let (pos, msg) = type_err("dt < date('2024-02-30')");
        assert_eq!(pos, 10);
        assert!(msg.contains("'2024-02-30' is not a valid date"), "{msg}");
        assert!(type_err("date(t)").1.contains("written in quotes"));
        assert!(type_err("date('24-1-1')").1.contains("YYYY-MM-DD"));
    }

    #[test]
    fn regex_literals_are_checked_at_compile_time() {
        let e = err("matches(t, '[0-9')", ExprErrorKind::Regex);
        assert_eq!(e.position, 11);
        assert!(e.message.contains("not a valid regular expression"), "{}", e.message);
        // An unbalanced pattern must not escape the anchors.
        err("matches(t, 'a)|(b')", ExprErrorKind::Regex);
        err("matches(t, ')|.*|(')", ExprErrorKind::Regex);
        let long = format!("matches(t, '{}')", "a".repeat(1001));
        assert!(err(&long, ExprErrorKind::Regex).message.contains("too long"));
        compile(&format!("matches(t, '{}')", "a".repeat(1000))).unwrap();
        assert!(type_err("matches(t, t2)").1.contains("written in quotes"));
        assert!(type_err("matches(n, 'x')").1.contains("must be text"));
        // Deeply nested or huge patterns are refused, not compiled slowly.
        let nested = format!("matches(t, '{}a{}')", "(".repeat(100), ")".repeat(100));
        err(&nested, ExprErrorKind::Regex);
        err("matches(t, '(a{1000}){1000}')", ExprErrorKind::Regex);
    }

    /// Random token soup through parse, check and eval: errors are fine,
    /// panics are not.
    #[test]
    fn random_expressions_never_panic() {
        use super::super::eval::tests::{date, dec, text, TestEnv};
        const VOCAB: [&str; 48] = [
            "n",
            "d",
            "t",
            "b",
            "dt",
            "tags",
            "nums",
            "decs",
            "flags",
            "hunde",
            "hunde.name",
            "dates",
            "param.leer",
            "(",
            ")",
            "[",
            "]",
            ",",
            "+",
            "-",
            "*",
            "/",
            "!",
            "==",
            "!=",
            "<",
            ">=",
            "&&",
            "||",
            "in",
            "if",
            "then",
            "else",
            "0",
            "1",
            "2.5",
            "'x'",
            "9223372036854775807",
            "count(",
            "sum(",
            "age(",
            "is_empty(",
            "min(",
            "round(",
            "matches(",
            "all(",
            "date('2024-02-29')",
            "today()",
        ];
        let env = TestEnv::new()
            .set("n", Value::Int(i64::MAX))
            .set("d", dec("-0.5"))
            .set("t", text("x"))
            .set("b", Value::Bool(true))
            .set("dt", date("9999-12-31"))
            .list("nums", vec![Some(Value::Int(i64::MAX)), None])
            .list("flags", vec![None, Some(Value::Bool(false))])
            .today("0001-01-01");
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut compiled = 0;
        for _ in 0..20_000 {
            let len = 1 + next(12);
            let src: Vec<&str> = (0..len).map(|_| VOCAB[next(VOCAB.len())]).collect();
            if let Ok(e) = compile(&src.join(" ")) {
                compiled += 1;
                let _ = e.eval(&env);
                let _ = e.refs();
                let _ = e.constant();
            }
        }
        assert!(compiled > 100, "only {compiled} compiled");
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for src in [
            "",
            "(",
            ")",
            "[",
            "]",
            ",",
            "'",
            "\"",
            "\\",
            "if",
            "if b then",
            "a.",
            "1.",
            "..",
            "count(",
            "count(,)",
            "x in",
            "in x",
            "!",
            "-",
            "date(",
            "date('')",
            "matches(t,",
            "round(d,",
            "ÿ",
            "\u{0}",
            "n +\n 1",
            "🙂 == 1",
            "t == '🙂'",
        ] {
            let _ = compile(src);
        }
    }
}
