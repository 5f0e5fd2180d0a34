//! Thompson NFA simulation: all threads advance together, one character at
//! a time, so no pattern takes more than pattern size × text length steps.

use super::class::is_word;
use super::compile::{Inst, Program};
use super::parse::Look;

/// Whether the program matches the whole text.
pub fn matches(program: &Program, text: &str) -> bool {
    let len = program.insts.len();
    let (mut current, mut next) = (Threads::new(len), Threads::new(len));
    let mut pending = Vec::new();
    let mut chars = text.chars();
    let mut ahead = chars.next();
    current.add(program, 0, Around { before: None, after: ahead }, &mut pending);
    while let Some(c) = ahead {
        if current.is_empty() {
            return false;
        }
        ahead = chars.next();
        let around = Around { before: Some(c), after: ahead };
        next.clear();
        for &pc in &current.dense {
            if let Inst::Class(class) = &program.insts[pc] {
                if class.contains(c) {
                    next.add(program, pc + 1, around, &mut pending);
                }
            }
        }
        std::mem::swap(&mut current, &mut next);
    }
    current.dense.iter().any(|&pc| matches!(program.insts[pc], Inst::Match))
}

/// The characters on either side of the current position.
#[derive(Clone, Copy)]
struct Around {
    before: Option<char>,
    after: Option<char>,
}

impl Around {
    fn holds(self, look: Look) -> bool {
        match look {
            Look::TextStart => self.before.is_none(),
            Look::TextEnd => self.after.is_none(),
            Look::LineStart => matches!(self.before, None | Some('\n')),
            Look::LineEnd => matches!(self.after, None | Some('\n')),
            Look::WordBoundary => is_word(self.before) != is_word(self.after),
            Look::NotWordBoundary => is_word(self.before) == is_word(self.after),
        }
    }
}

/// The program positions reached at one text position: a sparse set, so
/// adding and clearing cost nothing per position not in it.
struct Threads {
    dense: Vec<usize>,
    sparse: Vec<usize>,
}

impl Threads {
    fn new(len: usize) -> Threads {
        Threads { dense: Vec::with_capacity(len), sparse: vec![0; len] }
    }

    fn contains(&self, pc: usize) -> bool {
        self.sparse.get(pc).is_some_and(|&i| self.dense.get(i) == Some(&pc))
    }

    fn is_empty(&self) -> bool {
        self.dense.is_empty()
    }

    fn clear(&mut self) {
        self.dense.clear();
    }

    /// Adds `pc` and every position reachable from it without consuming a
    /// character. An explicit stack instead of recursion: programs can be
    /// thousands of steps long.
    fn add(&mut self, program: &Program, pc: usize, around: Around, pending: &mut Vec<usize>) {
        pending.push(pc);
        while let Some(pc) = pending.pop() {
            if self.contains(pc) {
                continue;
            }
            self.sparse[pc] = self.dense.len();
            self.dense.push(pc);
            match program.insts[pc] {
                Inst::Jump(to) => pending.push(to),
                Inst::Split(first, second) => pending.extend([second, first]),
                Inst::Look(look) if around.holds(look) => pending.push(pc + 1),
                _ => {}
            }
        }
    }
}
