//! Syntax tree → an ECMA-262 pattern with the same matches, for JSON
//! Schema's `pattern` (case-handling systems validate submissions with
//! JavaScript, Python or Rust validators, none of which read every form of
//! our syntax: `(?i)`, `\A`, `\z`, POSIX classes, `\x{…}`).
//!
//! Everything is written out: classes as explicit ranges (so `\d`, `\s`,
//! `\w` and case folding stay ASCII, whatever the validator's Unicode
//! rules), every group non-capturing, no flags. The result is valid with
//! and without JavaScript's `u` flag for characters below U+10000.

use super::class::Class;
use super::parse::{Ast, Look};

/// The ECMA-262 text of `ast`, anchored to the whole text: `^(?:…)$`.
pub fn anchored(ast: &Ast) -> String {
    let mut out = String::from("^(?:");
    write(ast, &mut out);
    out.push_str(")$");
    out
}

fn write(ast: &Ast, out: &mut String) {
    match ast {
        Ast::Empty => {}
        Ast::Class(class) => write_class(class, out),
        Ast::Look(look) => out.push_str(match look {
            Look::TextStart => "^",
            Look::TextEnd => "$",
            // ECMA's `^` and `$` see lines only with the `m` flag, which a
            // JSON Schema pattern cannot set.
            Look::LineStart => r"(?:^|(?<=\n))",
            Look::LineEnd => r"(?:$|(?=\n))",
            Look::WordBoundary => r"\b",
            Look::NotWordBoundary => r"\B",
        }),
        Ast::Concat(items) => items.iter().for_each(|item| write(item, out)),
        Ast::Alternate(branches) => {
            out.push_str("(?:");
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write(branch, out);
            }
            out.push(')');
        }
        Ast::Repeat { item, min, max } => {
            // A quantifier applies to one atom: anything longer is grouped.
            let atom = matches!(**item, Ast::Class(_));
            out.push_str(if atom { "" } else { "(?:" });
            write(item, out);
            out.push_str(if atom { "" } else { ")" });
            match (min, max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (min, None) => out.push_str(&format!("{{{min},}}")),
                (min, Some(max)) if min == max => out.push_str(&format!("{{{min}}}")),
                (min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
            }
        }
    }
}

fn write_class(class: &Class, out: &mut String) {
    let ranges = scalar_ranges(class.ranges());
    let negated = scalar_ranges(class.clone().negated().ranges());
    match (ranges.as_slice(), negated.as_slice()) {
        ([], _) => out.push_str(r"[^\s\S]"),
        (_, []) => out.push_str(r"[\s\S]"),
        ([(low, high)], _) if low == high => escaped(*low, SYNTAX, out),
        _ => {
            // The shorter of the class and its complement (`.` is `[^\n]`).
            let (prefix, ranges) = if negated.len() < ranges.len() { ("[^", negated) } else { ("[", ranges) };
            out.push_str(prefix);
            for (low, high) in ranges {
                escaped(low, CLASS_SYNTAX, out);
                if high != low {
                    if u32::from(high) > u32::from(low) + 1 {
                        out.push('-');
                    }
                    escaped(high, CLASS_SYNTAX, out);
                }
            }
            out.push(']');
        }
    }
}

/// The ranges as characters, without the surrogate code points (no text
/// holds them, and validators refuse them in a pattern).
fn scalar_ranges(ranges: &[(u32, u32)]) -> Vec<(char, char)> {
    let pieces = ranges.iter().flat_map(|&(low, high)| [(low, high.min(0xD7FF)), (low.max(0xE000), high)]);
    pieces.filter_map(|(low, high)| Some((char::from_u32(low)?, char::from_u32(high)?)).filter(|(l, h)| l <= h)).collect()
}

/// Characters that mean something outside and inside `[…]`.
const SYNTAX: &str = "^$\\.*+?()[]{}|";
const CLASS_SYNTAX: &str = "\\]^-[";

fn escaped(c: char, syntax: &str, out: &mut String) {
    if syntax.contains(c) {
        out.push('\\');
        out.push(c);
    } else {
        escaped_or_plain(c, out);
    }
}

/// Control characters (and the two line separators JavaScript treats
/// specially) as `\uXXXX`, which every dialect reads; the rest as is.
fn escaped_or_plain(c: char, out: &mut String) {
    if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
        out.push_str(&format!("\\u{:04X}", u32::from(c)));
    } else {
        out.push(c);
    }
}
