//! Pattern text → syntax tree.

use super::class::Class;
use super::{PatternError, MAX_NESTING, MAX_PROGRAM_LEN};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ast {
    /// Matches the empty text: `()`, an empty alternative.
    Empty,
    /// One character of the class; a literal is a class of one.
    Class(Class),
    Look(Look),
    Concat(Vec<Ast>),
    Alternate(Vec<Ast>),
    /// `min` to `max` times; no `max` is unbounded.
    Repeat {
        item: Box<Ast>,
        min: u32,
        max: Option<u32>,
    },
}

/// Assertions about the position between two characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    TextStart,
    TextEnd,
    LineStart,
    LineEnd,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    case_insensitive: bool,
    multi_line: bool,
    dot_matches_newline: bool,
}

type Result<T> = std::result::Result<T, PatternError>;

pub fn parse(pattern: &str) -> Result<Ast> {
    let mut parser = Parser { chars: pattern.chars().collect(), pos: 0, flags: Flags::default(), depth: 0 };
    let ast = parser.alternation()?;
    match parser.peek() {
        None => Ok(ast),
        Some(_) => Err(parser.error("')' without a matching '('", parser.pos)),
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    flags: Flags,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        let found = self.peek() == Some(expected);
        self.pos += usize::from(found);
        found
    }

    fn error(&self, message: &'static str, at: usize) -> PatternError {
        PatternError::Syntax { message, at }
    }

    fn alternation(&mut self) -> Result<Ast> {
        let mut branches = vec![self.concat()?];
        while self.eat('|') {
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 { branches.swap_remove(0) } else { Ast::Alternate(branches) })
    }

    fn concat(&mut self) -> Result<Ast> {
        let mut items = Vec::new();
        while !matches!(self.peek(), None | Some('|' | ')')) {
            if let Some(atom) = self.atom()? {
                items.push(self.quantified(atom)?);
            }
        }
        Ok(match items.len() {
            0 => Ast::Empty,
            1 => items.swap_remove(0),
            _ => Ast::Concat(items),
        })
    }

    /// One item before its quantifier; `None` for a flag change `(?i)`,
    /// which matches nothing itself.
    fn atom(&mut self) -> Result<Option<Ast>> {
        let at = self.pos;
        let Some(c) = self.next() else { return Ok(Some(Ast::Empty)) };
        let ast = match c {
            '(' => return self.group(at),
            '[' => Ast::Class(self.class(at)?),
            '.' if self.flags.dot_matches_newline => Ast::Class(Class::any()),
            '.' => Ast::Class(Class::any_but_newline()),
            '^' => Ast::Look(if self.flags.multi_line { Look::LineStart } else { Look::TextStart }),
            '$' => Ast::Look(if self.flags.multi_line { Look::LineEnd } else { Look::TextEnd }),
            '\\' => self.escape(at)?,
            '*' | '+' | '?' | '{' => return Err(self.error("a repetition needs something before it to repeat", at)),
            c => Ast::Class(self.literal(c)),
        };
        Ok(Some(ast))
    }

    fn literal(&self, c: char) -> Class {
        self.folded(Class::single(c))
    }

    fn folded(&self, class: Class) -> Class {
        if self.flags.case_insensitive {
            class.case_folded()
        } else {
            class
        }
    }

    fn quantified(&mut self, item: Ast) -> Result<Ast> {
        let at = self.pos;
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => self.counted(at)?,
            _ => return Ok(item),
        };
        self.pos += 1; // the quantifier, or the closing brace of {n,m}
                       // A lazy repetition (`*?`) matches the same texts as a greedy one,
                       // and only whole-text matching is asked for.
        self.eat('?');
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return Err(self.error("a repetition cannot be repeated; put the repeated part in (?: ) first", self.pos));
        }
        Ok(Ast::Repeat { item: Box::new(item), min, max })
    }

    /// `{n}`, `{n,}` or `{n,m}`; leaves the closing brace to the caller.
    fn counted(&mut self, at: usize) -> Result<(u32, Option<u32>)> {
        self.pos += 1;
        let malformed = "a counted repetition is written {n}, {n,} or {n,m} with whole numbers";
        let min = self.count().ok_or(self.error(malformed, at))?;
        let max = if self.eat(',') {
            match self.peek() {
                Some('}') => None,
                _ => Some(self.count().ok_or(self.error(malformed, at))?),
            }
        } else {
            Some(min)
        };
        if self.peek() != Some('}') {
            return Err(self.error(malformed, at));
        }
        if max.is_some_and(|max| max < min) {
            return Err(self.error("in {n,m} the first number must not be larger than the second", at));
        }
        Ok((min, max))
    }

    fn count(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(10)) {
            // Counts beyond the program limit are refused when compiling;
            // saturating keeps huge numbers from overflowing before that.
            value = value.saturating_mul(10).saturating_add(digit).min(MAX_PROGRAM_LEN as u32 + 1);
            self.pos += 1;
        }
        (self.pos > start).then_some(value)
    }

    fn group(&mut self, at: usize) -> Result<Option<Ast>> {
        let outer = self.flags;
        if self.eat('?') && !self.group_kind(at)? {
            return Ok(None);
        }
        if self.depth >= MAX_NESTING {
            return Err(PatternError::TooComplex);
        }
        self.depth += 1;
        let inner = self.alternation()?;
        self.depth -= 1;
        if !self.eat(')') {
            return Err(self.error("'(' without a matching ')'", at));
        }
        self.flags = outer;
        Ok(Some(inner))
    }

    /// After `(?`: reads a name, flags or `:`. True when a group body
    /// follows, false for a bare flag change `(?i)`.
    fn group_kind(&mut self, at: usize) -> Result<bool> {
        match (self.peek(), self.peek_at(1)) {
            (Some('=' | '!'), _) | (Some('<'), Some('=' | '!')) => {
                Err(self.error("look-around such as (?=…) or (?!…) is not supported", at))
            }
            (Some('P'), Some('<')) => {
                self.pos += 2;
                self.group_name(at).map(|()| true)
            }
            (Some('<'), _) => {
                self.pos += 1;
                self.group_name(at).map(|()| true)
            }
            _ => self.flag_change(at),
        }
    }

    fn group_name(&mut self, at: usize) -> Result<()> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']')) {
            self.pos += 1;
        }
        let valid_start = self.chars.get(start).is_some_and(|c| !c.is_ascii_digit());
        if self.pos == start || !valid_start || !self.eat('>') {
            return Err(self.error("a group name is written (?<name>…) with letters, digits and '_'", at));
        }
        Ok(())
    }

    /// `i`, `m`, `s`, negated after `-`, then `:` (a group with these
    /// flags follows) or `)` (they hold to the end of the enclosing group).
    fn flag_change(&mut self, at: usize) -> Result<bool> {
        let mut on = true;
        loop {
            let Some(c) = self.next() else { return Err(self.error("'(' without a matching ')'", at)) };
            match c {
                ':' => return Ok(true),
                ')' => return Ok(false),
                '-' if on => on = false,
                'i' => self.flags.case_insensitive = on,
                'm' => self.flags.multi_line = on,
                's' => self.flags.dot_matches_newline = on,
                _ => return Err(self.error("only the flags i, m and s are supported, e.g. (?i)", self.pos - 1)),
            }
        }
    }

    fn escape(&mut self, at: usize) -> Result<Ast> {
        let Some(c) = self.next() else { return Err(self.error("the pattern ends with a lone '\\'", at)) };
        Ok(match c {
            'b' => Ast::Look(Look::WordBoundary),
            'B' => Ast::Look(Look::NotWordBoundary),
            'A' => Ast::Look(Look::TextStart),
            'z' => Ast::Look(Look::TextEnd),
            c => match Class::perl(c) {
                Some(class) => Ast::Class(class),
                None => {
                    let c = self.escaped_char(c, at)?;
                    Ast::Class(self.literal(c))
                }
            },
        })
    }

    /// The character an escape `\c` stands for (the backslash is read).
    fn escaped_char(&mut self, c: char, at: usize) -> Result<char> {
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0C',
            'v' => '\x0B',
            'a' => '\x07',
            'x' => self.hex(2, at)?,
            'u' => self.hex(4, at)?,
            '0'..='9' => return Err(self.error("back-references such as \\1 are not supported", at)),
            'p' | 'P' => return Err(self.error("Unicode classes such as \\p{L} are not supported", at)),
            c if c.is_ascii_punctuation() || c == ' ' => c,
            _ => return Err(self.error("unknown escape; write \\\\ for a backslash", at)),
        })
    }

    /// `\xHH`, `\uHHHH`, or either with `{…}` around 1 to 6 hex digits.
    fn hex(&mut self, digits: usize, at: usize) -> Result<char> {
        let invalid = "a character escape is written \\xHH, \\uHHHH or \\x{H…} with hex digits";
        let braced = self.eat('{');
        let mut value: u32 = 0;
        let mut read = 0;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(16)) {
            if read == if braced { 6 } else { digits } {
                break;
            }
            value = value * 16 + digit;
            read += 1;
            self.pos += 1;
        }
        let complete = if braced { read > 0 && self.eat('}') } else { read == digits };
        if !complete {
            return Err(self.error(invalid, at));
        }
        char::from_u32(value).ok_or(self.error("the escape names no Unicode character", at))
    }

    /// A bracketed class `[…]`; the `[` is read.
    fn class(&mut self, at: usize) -> Result<Class> {
        let negated = self.eat('^');
        let mut class = Class::default();
        let mut first = true;
        loop {
            let item_at = self.pos;
            let Some(c) = self.next() else { return Err(self.error("'[' without a matching ']'", at)) };
            match c {
                ']' if !first => break,
                '[' if self.peek() == Some(':') => class.union(&self.posix_class(item_at)?),
                '[' => return Err(self.error("a '[' inside […] must be written \\[", item_at)),
                '&' | '~' | '-' if self.peek() == Some(c) && !first => {
                    return Err(self.error("set operations in […] (&&, --, ~~) are not supported", item_at));
                }
                '\\' => match self.peek().and_then(Class::perl) {
                    Some(perl) => {
                        self.pos += 1;
                        class.union(&perl);
                    }
                    None => {
                        let low = self.class_escape(item_at)?;
                        self.range(&mut class, low, item_at)?;
                    }
                },
                c => self.range(&mut class, c, item_at)?,
            }
            first = false;
        }
        let class = self.folded(class.canonical());
        Ok(if negated { class.negated() } else { class })
    }

    /// `[:alpha:]` and the like; the `[` is read.
    fn posix_class(&mut self, at: usize) -> Result<Class> {
        let rest: String = self.chars[self.pos..].iter().take(12).collect();
        let unknown =
            self.error("unknown class; the known ones are [:alpha:], [:digit:], [:alnum:], [:space:] and the other POSIX names", at);
        let end = rest[1..].find(":]").ok_or(unknown.clone())? + 1;
        let (negated, name) = match rest[1..end].strip_prefix('^') {
            Some(name) => (true, name),
            None => (false, &rest[1..end]),
        };
        let class = Class::posix(name).ok_or(unknown)?;
        self.pos += rest[..end + 2].chars().count();
        Ok(if negated { class.negated() } else { class })
    }

    fn class_escape(&mut self, at: usize) -> Result<char> {
        match self.next() {
            Some(c) if !matches!(c, 'b' | 'B' | 'A' | 'z') => self.escaped_char(c, at),
            _ => Err(self.error("only characters and \\d, \\s, \\w can be written inside […]", at)),
        }
    }

    /// `low` alone, or the range `low-high` when a `-` and an end follow.
    fn range(&mut self, class: &mut Class, low: char, at: usize) -> Result<()> {
        if self.peek() != Some('-') || matches!(self.peek_at(1), None | Some(']')) {
            class.push(low, low);
            return Ok(());
        }
        self.pos += 1;
        let high = match self.next() {
            Some('\\') if self.peek().and_then(Class::perl).is_none() => self.class_escape(at)?,
            Some(c) if c != '\\' && c != '[' => c,
            _ => return Err(self.error("a range in […] must end with a single character", at)),
        };
        if high < low {
            return Err(self.error("a range in […] must go from the smaller to the larger character", at));
        }
        class.push(low, high);
        Ok(())
    }
}
