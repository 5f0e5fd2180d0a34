//! Turns tokens into an [`Ast`].
//!
//! Binary operators are parsed by precedence climbing, prefix operators by a
//! loop, so the only recursion is through parentheses, brackets, call
//! arguments and `if` branches, and that recursion is counted: a hostile input
//! like 100 000 `(` hits the depth limit long before the stack runs out.
//! Every node also records its height, so the limit covers trees built by
//! loops (`a+a+a+…`, `!!!…a`) too, and later passes may recurse freely.

use super::ast::{Ast, BinOp, Func, Kind, Node, UnOp};
use super::lex::{lex, Tok, Token};
use super::{ExprError, ExprErrorKind, MAX_DEPTH, MAX_NODES, MAX_SOURCE_LEN};

/// Parses an expression into an untyped syntax tree.
pub fn parse(src: &str) -> Result<Ast, ExprError> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(error(0, format!("the expression is too long ({} bytes; at most {MAX_SOURCE_LEN} are allowed)", src.len())));
    }
    parse_unlimited(src)
}

/// Parses without the source length limit; the depth and node limits alone
/// must keep the parser safe on any input, which the tests check.
fn parse_unlimited(src: &str) -> Result<Ast, ExprError> {
    let tokens = lex(src)?;
    let mut parser = Parser { tokens, i: 0, nesting: 0, nodes: 0 };
    let root = parser.expr()?;
    let next = parser.peek();
    if next.tok != Tok::End {
        let message = match next.tok {
            Tok::RParen => "unexpected ')': there is no '(' to close".to_string(),
            Tok::RBracket => "unexpected ']': there is no '[' to close".to_string(),
            ref tok => {
                format!("unexpected {}: expected an operator such as '+', '==' or '&&', or the end of the expression", tok.describe())
            }
        };
        return Err(error(next.pos, message));
    }
    Ok(Ast { root })
}

fn error(pos: usize, message: impl Into<String>) -> ExprError {
    ExprError { position: pos, message: message.into(), kind: ExprErrorKind::Syntax }
}

/// Binding strength of a binary operator; higher binds tighter.
fn binary_op(tok: &Tok) -> Option<(BinOp, u8)> {
    Some(match tok {
        Tok::OrOr => (BinOp::Or, 1),
        Tok::AndAnd => (BinOp::And, 2),
        Tok::EqEq => (BinOp::Eq, 3),
        Tok::NotEq => (BinOp::Ne, 3),
        Tok::Lt => (BinOp::Lt, 4),
        Tok::Le => (BinOp::Le, 4),
        Tok::Gt => (BinOp::Gt, 4),
        Tok::Ge => (BinOp::Ge, 4),
        Tok::In => (BinOp::In, 5),
        Tok::Plus => (BinOp::Add, 6),
        Tok::Minus => (BinOp::Sub, 6),
        Tok::Star => (BinOp::Mul, 7),
        Tok::Slash => (BinOp::Div, 7),
        _ => return None,
    })
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    /// Current recursion depth through [`Parser::expr`].
    nesting: usize,
    nodes: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // `lex` always ends with `End` and `advance` never moves past it.
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.i + 1 < self.tokens.len() {
            self.i += 1;
        }
        token
    }

    fn too_deep(pos: usize) -> ExprError {
        error(
            pos,
            format!(
                "the expression is nested too deeply (more than {MAX_DEPTH} levels); split it into smaller parts, e.g. computed fields"
            ),
        )
    }

    /// Builds a node, enforcing the node count and depth limits.
    fn node(&mut self, pos: usize, kind: Kind) -> Result<Node, ExprError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(error(pos, format!("the expression is too large (more than {MAX_NODES} parts)")));
        }
        let depth = 1 + kind.children().iter().map(|c| c.depth).max().unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(Parser::too_deep(pos));
        }
        Ok(Node { pos, depth, kind })
    }

    /// A full expression, `if` included: the only recursive entry point.
    fn expr(&mut self) -> Result<Node, ExprError> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(Parser::too_deep(self.peek().pos));
        }
        let result = if self.peek().tok == Tok::If { self.if_expr() } else { self.binary(1) };
        self.nesting -= 1;
        result
    }

    fn if_expr(&mut self) -> Result<Node, ExprError> {
        let pos = self.advance().pos;
        let cond = self.expr()?;
        self.expect(Tok::Then, || format!("expected 'then' after the condition of 'if' at column {}", pos + 1))?;
        let then = self.expr()?;
        self.expect(Tok::Else, || format!("expected 'else' for the 'if' at column {} (every 'if' needs 'then' and 'else')", pos + 1))?;
        let otherwise = self.expr()?;
        self.node(pos, Kind::If(Box::new(cond), Box::new(then), Box::new(otherwise)))
    }

    fn expect(&mut self, tok: Tok, message: impl FnOnce() -> String) -> Result<(), ExprError> {
        let next = self.peek();
        if next.tok == tok {
            self.advance();
            Ok(())
        } else {
            Err(error(next.pos, format!("{}, but found {}", message(), next.tok.describe())))
        }
    }

    /// Operators binding at least as tightly as `min`, left-associative.
    fn binary(&mut self, min: u8) -> Result<Node, ExprError> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = binary_op(&self.peek().tok) {
            if prec < min {
                break;
            }
            let pos = self.advance().pos;
            let rhs = self.binary(prec + 1)?;
            lhs = self.node(pos, Kind::Binary(op, Box::new(lhs), Box::new(rhs)))?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Node, ExprError> {
        let mut ops = Vec::new();
        loop {
            let op = match self.peek().tok {
                Tok::Bang => UnOp::Not,
                Tok::Minus => UnOp::Neg,
                _ => break,
            };
            ops.push((op, self.advance().pos));
        }
        let mut node = self.primary()?;
        for (op, pos) in ops.into_iter().rev() {
            node = self.node(pos, Kind::Unary(op, Box::new(node)))?;
        }
        Ok(node)
    }

    fn primary(&mut self) -> Result<Node, ExprError> {
        let Token { pos, tok } = self.advance();
        let kind = match tok {
            Tok::Int(i) => Kind::Int(i),
            Tok::Decimal(d) => Kind::Decimal(d),
            Tok::Text(s) => Kind::Text(s),
            Tok::True => Kind::Bool(true),
            Tok::False => Kind::Bool(false),
            Tok::Name(path) if self.peek().tok == Tok::LParen => return self.call(pos, path),
            Tok::Name(path) => Kind::Name(path),
            Tok::LParen => {
                let inner = self.expr()?;
                self.expect(Tok::RParen, || format!("expected ')' to close '(' opened at column {}", pos + 1))?;
                return Ok(inner);
            }
            Tok::LBracket => Kind::List(self.items(pos, Tok::RBracket, '[', ']')?),
            Tok::If => return Err(error(pos, "put 'if … then … else …' in parentheses when it is part of a larger expression")),
            tok => {
                return Err(error(
                    pos,
                    format!("expected a value (a number, text in quotes, a name, '(' or '['), but found {}", tok.describe()),
                ))
            }
        };
        self.node(pos, kind)
    }

    fn call(&mut self, pos: usize, path: Vec<String>) -> Result<Node, ExprError> {
        let name = path.join(".");
        let func = match path.as_slice() {
            [single] => Func::from_name(single),
            _ => None,
        };
        let Some(func) = func else {
            return Err(unknown_function(pos, &name));
        };
        let open = self.advance().pos;
        let args = self.items(open, Tok::RParen, '(', ')')?;
        self.node(pos, Kind::Call(func, args))
    }

    /// Comma-separated expressions up to `close`; the opening token is
    /// already consumed.
    fn items(&mut self, open: usize, close: Tok, o: char, c: char) -> Result<Vec<Node>, ExprError> {
        let mut items = Vec::new();
        if self.peek().tok == close {
            self.advance();
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            let next = self.peek();
            if next.tok == close {
                self.advance();
                return Ok(items);
            }
            if next.tok != Tok::Comma {
                return Err(error(
                    next.pos,
                    format!("expected ',' or '{c}' to close '{o}' opened at column {}, but found {}", open + 1, next.tok.describe()),
                ));
            }
            self.advance();
        }
    }
}

fn unknown_function(pos: usize, name: &str) -> ExprError {
    let similar: Vec<&str> = Func::ALL
        .iter()
        .map(|f| f.signature())
        .filter(|sig| {
            let candidate = sig.split('(').next().unwrap_or("");
            edit_distance(candidate, name) <= 2 || (name.len() >= 3 && (candidate.contains(name) || name.contains(candidate)))
        })
        .collect();
    let all: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
    let hint = if similar.is_empty() {
        format!("the functions are: {}", all.join(", "))
    } else {
        format!("did you mean {}?", similar.join(" or "))
    };
    error(pos, format!("unknown function '{name}'; {hint}"))
}

/// Levenshtein distance over characters, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur.push(substitute.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the tree in prefix form, to check shape and precedence.
    fn show(n: &Node) -> String {
        let list = |xs: &[Node]| xs.iter().map(show).collect::<Vec<_>>().join(" ");
        match &n.kind {
            Kind::Int(i) => i.to_string(),
            Kind::Decimal(d) => d.to_string(),
            Kind::Text(s) => format!("{s:?}"),
            Kind::Bool(b) => b.to_string(),
            Kind::Name(p) => p.join("."),
            Kind::Unary(UnOp::Not, x) => format!("(! {})", show(x)),
            Kind::Unary(UnOp::Neg, x) => format!("(neg {})", show(x)),
            Kind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), show(a), show(b)),
            Kind::If(c, a, b) => format!("(if {} {} {})", show(c), show(a), show(b)),
            Kind::Call(f, args) => format!("({} {})", f.name(), list(args)),
            Kind::List(xs) => format!("[{}]", list(xs)),
        }
    }

    fn p(src: &str) -> String {
        match parse(src) {
            Ok(ast) => show(&ast.root),
            Err(e) => panic!("{src}: {e:?}"),
        }
    }

    fn err(src: &str) -> ExprError {
        let e = parse(src).expect_err(src);
        assert_eq!(e.kind, ExprErrorKind::Syntax, "{src}: {e:?}");
        e
    }

    #[test]
    fn precedence() {
        assert_eq!(p("a || b && c"), "(|| a (&& b c))");
        assert_eq!(p("a && b == c"), "(&& a (== b c))");
        assert_eq!(p("a == b < c"), "(== a (< b c))");
        assert_eq!(p("a < b in c"), "(< a (in b c))");
        assert_eq!(p("a in b + c"), "(in a (+ b c))");
        assert_eq!(p("a + b * c"), "(+ a (* b c))");
        assert_eq!(p("-a * !b"), "(* (neg a) (! b))");
        assert_eq!(p("a - b - c"), "(- (- a b) c)");
        assert_eq!(p("a / b / c"), "(/ (/ a b) c)");
        assert_eq!(p("(a + b) * c"), "(* (+ a b) c)");
        assert_eq!(p("!!a"), "(! (! a))");
        assert_eq!(p("- -1"), "(neg (neg 1))");
    }

    #[test]
    fn forms() {
        assert_eq!(p("if a then 1 else if b then 2 else 3"), "(if a 1 (if b 2 3))");
        assert_eq!(p("if a || b then x + 1 else y"), "(if (|| a b) (+ x 1) y)");
        assert_eq!(p("x in ['a', \"b\"]"), "(in x [\"a\" \"b\"])");
        assert_eq!(p("f.g.h == 1.50"), "(== f.g.h 1.5)");
        assert_eq!(p("age(geburt) >= 18"), "(>= (age geburt) 18)");
        assert_eq!(p("today()"), "(today )");
        assert_eq!(p("count([])"), "(count [])");
        assert_eq!(p("min(a, max(b, c))"), "(min a (max b c))");
        assert_eq!(p("true && false"), "(&& true false)");
        assert_eq!(p("  größe  "), "größe");
    }

    #[test]
    fn error_positions_and_messages() {
        let e = err("1 + (2 * 3");
        assert_eq!(e.position, 10);
        assert!(e.message.contains("expected ')' to close '(' opened at column 5"), "{}", e.message);
        let e = err("a +");
        assert_eq!(e.position, 3);
        assert!(e.message.contains("the end of the expression"), "{}", e.message);
        assert_eq!(err("a b").position, 2);
        assert!(err("a)").message.contains("no '('"));
        assert_eq!(err("").position, 0);
        assert_eq!(err("if a then b").position, 11);
        assert!(err("if a then b").message.contains("'else'"));
        assert_eq!(err("if a b").position, 5);
        assert_eq!(err("1 + if a then 1 else 2").position, 4);
        assert_eq!(err("[1, 2").position, 5);
        assert_eq!(err("f(1 2)").kind, ExprErrorKind::Syntax);
        assert_eq!(err("(1,2)").position, 2);
        assert_eq!(err("then").position, 0);
        assert_eq!(err("ä == 'x' ==").position, 11);
    }

    #[test]
    fn unknown_functions_get_suggestions() {
        let e = err("x + agee(d)");
        assert_eq!(e.position, 4);
        assert!(e.message.contains("unknown function 'agee'"), "{}", e.message);
        assert!(e.message.contains("age(date)"), "{}", e.message);
        assert!(err("isempty(x)").message.contains("is_empty(value)"));
        assert!(err("foo(x)").message.contains("the functions are: today, age"));
        assert!(err("a.len(x)").message.contains("'a.len'"));
    }

    #[test]
    fn limits_do_not_overflow_the_stack() {
        // Beyond the source limit.
        for src in ["(".repeat(100_000), "!".repeat(100_000) + "a", "a+".repeat(50_000) + "a", "[".repeat(100_000), "f(".repeat(50_000)] {
            assert!(err(&src).message.contains("too long"));
        }
        // Without the source limit, the depth limit catches each shape.
        for src in [
            "(".repeat(100_000),
            "(".repeat(50_000) + "a" + &")".repeat(50_000),
            "!".repeat(100_000) + "a",
            "-".repeat(100_000) + "a",
            "a+".repeat(50_000) + "a",
            "a&&".repeat(30_000) + "a",
            "[".repeat(100_000),
            "count(".repeat(20_000),
            "if a then 1 else ".repeat(10_000) + "2",
        ] {
            let e = parse_unlimited(&src).expect_err("too deep");
            assert!(e.message.contains("nested too deeply"), "{}", e.message);
        }
        // Within the source limit too.
        for src in [
            "(".repeat(4000),
            "(".repeat(2000) + "a" + &")".repeat(2000),
            "!".repeat(4000) + "a",
            "-".repeat(4000) + "a",
            "a+".repeat(2000) + "a",
            "a*".repeat(2000) + "a",
            "[".repeat(4000),
            "count(".repeat(600),
            "if a then 1 else ".repeat(200) + "2",
        ] {
            let e = err(&src);
            assert!(e.message.contains("nested too deeply"), "{}", e.message);
        }
        // Just inside the limits.
        let ok = "(".repeat(MAX_DEPTH - 1) + "a" + &")".repeat(MAX_DEPTH - 1);
        assert_eq!(p(&ok), "a");
        assert!(parse(&("!".repeat(MAX_DEPTH - 1) + "a")).is_ok());
    }

    #[test]
    fn node_limit() {
        let many = vec!["1"; 1100].join(",");
        let e = err(&format!("x in [{many}]"));
        assert!(e.message.contains("too large"), "{}", e.message);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("age", "agee"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
