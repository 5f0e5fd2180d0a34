//! Splits source text into tokens, each with its character position.

use super::{ExprError, ExprErrorKind};
use crate::value::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// Character offset of the token's first character.
    pub(crate) pos: usize,
    pub(crate) tok: Tok,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Int(i64),
    Decimal(Decimal),
    Text(String),
    /// A possibly dotted name, split at the dots.
    Name(Vec<String>),
    True,
    False,
    If,
    Then,
    Else,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Bang,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    End,
}

impl Tok {
    /// How the token is named in error messages.
    pub(crate) fn describe(&self) -> String {
        let s = match self {
            Tok::Int(i) => return format!("the number {i}"),
            Tok::Decimal(d) => return format!("the number {d}"),
            Tok::Text(t) => return format!("the text '{t}'"),
            Tok::Name(path) => return format!("the name '{}'", path.join(".")),
            Tok::True => "'true'",
            Tok::False => "'false'",
            Tok::If => "'if'",
            Tok::Then => "'then'",
            Tok::Else => "'else'",
            Tok::In => "'in'",
            Tok::LParen => "'('",
            Tok::RParen => "')'",
            Tok::LBracket => "'['",
            Tok::RBracket => "']'",
            Tok::Comma => "','",
            Tok::Plus => "'+'",
            Tok::Minus => "'-'",
            Tok::Star => "'*'",
            Tok::Slash => "'/'",
            Tok::Bang => "'!'",
            Tok::EqEq => "'=='",
            Tok::NotEq => "'!='",
            Tok::Lt => "'<'",
            Tok::Le => "'<='",
            Tok::Gt => "'>'",
            Tok::Ge => "'>='",
            Tok::AndAnd => "'&&'",
            Tok::OrOr => "'||'",
            Tok::End => "the end of the expression",
        };
        s.to_string()
    }
}

/// Tokenizes the whole source; the last token is always [`Tok::End`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer { chars, i: 0 };
    let mut out = Vec::new();
    loop {
        let token = lexer.next()?;
        let end = token.tok == Tok::End;
        out.push(token);
        if end {
            return Ok(out);
        }
    }
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
}

fn error(pos: usize, message: impl Into<String>) -> ExprError {
    ExprError { position: pos, message: message.into(), kind: ExprErrorKind::Syntax }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn next(&mut self) -> Result<Token, ExprError> {
        while self.peek(0).is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        let pos = self.i;
        let Some(c) = self.peek(0) else {
            return Ok(Token { pos, tok: Tok::End });
        };
        let two = |second: char, yes: Tok, no: Tok| {
            if self.peek(1) == Some(second) {
                (2, yes)
            } else {
                (1, no)
            }
        };
        let (len, tok) = match c {
            '(' => (1, Tok::LParen),
            ')' => (1, Tok::RParen),
            '[' => (1, Tok::LBracket),
            ']' => (1, Tok::RBracket),
            ',' => (1, Tok::Comma),
            '+' => (1, Tok::Plus),
            '-' => (1, Tok::Minus),
            '*' => (1, Tok::Star),
            '/' => (1, Tok::Slash),
            '!' => two('=', Tok::NotEq, Tok::Bang),
            '<' => two('=', Tok::Le, Tok::Lt),
            '>' => two('=', Tok::Ge, Tok::Gt),
            '=' if self.peek(1) == Some('=') => (2, Tok::EqEq),
            '=' => return Err(error(pos, "use '==' to compare two values ('=' alone is not allowed)")),
            '&' if self.peek(1) == Some('&') => (2, Tok::AndAnd),
            '&' => return Err(error(pos, "use '&&' for 'and'")),
            '|' if self.peek(1) == Some('|') => (2, Tok::OrOr),
            '|' => return Err(error(pos, "use '||' for 'or'")),
            '\'' | '"' => return self.text(c),
            '.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => {
                return Err(error(pos, "write a leading zero, e.g. 0.5 instead of .5"))
            }
            c if c.is_ascii_digit() => return self.number(),
            c if is_name_start(c) => return self.name(),
            c => return Err(error(pos, format!("unexpected character '{c}'"))),
        };
        self.i += len;
        Ok(Token { pos, tok })
    }

    fn digits(&mut self) -> String {
        let start = self.i;
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.chars[start..self.i].iter().collect()
    }

    fn number(&mut self) -> Result<Token, ExprError> {
        let pos = self.i;
        let mut text = self.digits();
        let decimal = self.peek(0) == Some('.');
        if decimal {
            self.i += 1;
            if !self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                return Err(error(self.i, "expected digits after the decimal point"));
            }
            text.push('.');
            text.push_str(&self.digits());
        }
        if self.peek(0).is_some_and(is_name_char) {
            return Err(error(self.i, "unexpected letter after a number (names must not start with a digit)"));
        }
        let tok = if decimal {
            let too_many = || error(pos, format!("the number {text} has too many digits (at most 30, of them at most 28 after the point)"));
            Tok::Decimal(Decimal::parse(&text).ok_or_else(too_many)?)
        } else {
            let too_large = || error(pos, format!("the number {text} is too large (at most {})", i64::MAX));
            Tok::Int(text.parse().map_err(|_| too_large())?)
        };
        Ok(Token { pos, tok })
    }

    fn name(&mut self) -> Result<Token, ExprError> {
        let pos = self.i;
        let mut path = Vec::new();
        loop {
            let start = self.i;
            while self.peek(0).is_some_and(is_name_char) {
                self.i += 1;
            }
            path.push(self.chars[start..self.i].iter().collect::<String>());
            if self.peek(0) != Some('.') {
                break;
            }
            if !self.peek(1).is_some_and(is_name_start) {
                return Err(error(self.i + 1, "expected a name after '.'"));
            }
            self.i += 1;
        }
        let tok = match (path.len(), path[0].as_str()) {
            (1, "true") => Tok::True,
            (1, "false") => Tok::False,
            (1, "if") => Tok::If,
            (1, "then") => Tok::Then,
            (1, "else") => Tok::Else,
            (1, "in") => Tok::In,
            _ => Tok::Name(path),
        };
        Ok(Token { pos, tok })
    }

    fn text(&mut self, quote: char) -> Result<Token, ExprError> {
        let pos = self.i;
        self.i += 1;
        let mut s = String::new();
        loop {
            match self.peek(0) {
                None => return Err(error(pos, format!("the text starting here is not closed: add {quote} at its end"))),
                Some(c) if c == quote => {
                    self.i += 1;
                    return Ok(Token { pos, tok: Tok::Text(s) });
                }
                Some('\\') => {
                    let escaped = match self.peek(1) {
                        Some('\\') => '\\',
                        Some('\'') => '\'',
                        Some('"') => '"',
                        Some('n') => '\n',
                        _ => return Err(error(self.i, "unknown escape: after '\\' write \\, ', \" or n")),
                    };
                    s.push(escaped);
                    self.i += 2;
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn err(src: &str) -> (usize, String) {
        let e = lex(src).unwrap_err();
        assert_eq!(e.kind, ExprErrorKind::Syntax);
        (e.position, e.message)
    }

    #[test]
    fn tokens_and_positions() {
        let t = lex("a  >= 12.50").unwrap();
        let pos: Vec<usize> = t.iter().map(|t| t.pos).collect();
        assert_eq!(pos, vec![0, 3, 6, 11]);
        assert_eq!(
            toks("hund.name != 'x'"),
            vec![Tok::Name(vec!["hund".into(), "name".into()]), Tok::NotEq, Tok::Text("x".into()), Tok::End]
        );
        assert_eq!(
            toks("!a&&b||c<d<=e>f"),
            vec![
                Tok::Bang,
                Tok::Name(vec!["a".into()]),
                Tok::AndAnd,
                Tok::Name(vec!["b".into()]),
                Tok::OrOr,
                Tok::Name(vec!["c".into()]),
                Tok::Lt,
                Tok::Name(vec!["d".into()]),
                Tok::Le,
                Tok::Name(vec!["e".into()]),
                Tok::Gt,
                Tok::Name(vec!["f".into()]),
                Tok::End
            ]
        );
        assert_eq!(toks("if then else in true false")[..6], [Tok::If, Tok::Then, Tok::Else, Tok::In, Tok::True, Tok::False]);
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let t = lex("größe == 'ä' + x").unwrap();
        let pos: Vec<usize> = t.iter().map(|t| t.pos).collect();
        assert_eq!(pos, vec![0, 6, 9, 13, 15, 16]);
        assert_eq!(t[0].tok, Tok::Name(vec!["größe".into()]));
        assert_eq!(err("'ä' ? 1").0, 4);
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(toks(r#""it's""#)[0], Tok::Text("it's".into()));
        assert_eq!(toks(r#"'a\'b\\c\nd\"'"#)[0], Tok::Text("a'b\\c\nd\"".into()));
        assert_eq!(toks("''")[0], Tok::Text(String::new()));
        let (pos, msg) = err("x == 'abc");
        assert_eq!(pos, 5);
        assert!(msg.contains("not closed"), "{msg}");
        assert_eq!(err(r"'a\tb'").0, 2);
        assert_eq!(err("'\\").0, 1);
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("12")[0], Tok::Int(12));
        assert_eq!(toks("9223372036854775807")[0], Tok::Int(i64::MAX));
        assert_eq!(toks("12.50")[0], Tok::Decimal(Decimal::parse("12.5").unwrap()));
        assert!(err("9223372036854775808").1.contains("too large"));
        assert!(err(&format!("1.{}", "1".repeat(29))).1.contains("too many digits"));
        assert_eq!(err("12.").0, 3);
        assert_eq!(err("1 + 12abc").0, 6);
        assert!(err(".5").1.contains("0.5"));
    }

    #[test]
    fn bad_characters() {
        assert!(err("a = b").1.contains("=="));
        assert!(err("a & b").1.contains("&&"));
        assert!(err("a | b").1.contains("||"));
        assert_eq!(err("a ; b").0, 2);
        assert_eq!(err("a. b").0, 2);
        assert_eq!(err("a.").0, 2);
        assert_eq!(err("a.1").0, 2);
    }
}
