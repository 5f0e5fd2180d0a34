//! Syntax tree → program for the matcher in [`super::run`].

use super::class::Class;
use super::parse::{Ast, Look};
use super::{PatternError, MAX_PROGRAM_LEN};

#[derive(Debug, Clone)]
pub enum Inst {
    /// Consume one character of the class.
    Class(Class),
    /// Continue at both positions.
    Split(usize, usize),
    Jump(usize),
    /// Continue only if the assertion holds here.
    Look(Look),
    Match,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub insts: Vec<Inst>,
}

pub fn compile(ast: &Ast) -> Result<Program, PatternError> {
    let mut compiler = Compiler { insts: Vec::new() };
    compiler.ast(ast)?;
    compiler.push(Inst::Match)?;
    Ok(Program { insts: compiler.insts })
}

struct Compiler {
    insts: Vec<Inst>,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<usize, PatternError> {
        if self.insts.len() >= MAX_PROGRAM_LEN {
            return Err(PatternError::TooComplex);
        }
        self.insts.push(inst);
        Ok(self.insts.len() - 1)
    }

    fn ast(&mut self, ast: &Ast) -> Result<(), PatternError> {
        match ast {
            Ast::Empty => Ok(()),
            Ast::Class(class) => self.push(Inst::Class(class.clone())).map(drop),
            Ast::Look(look) => self.push(Inst::Look(*look)).map(drop),
            Ast::Concat(items) => items.iter().try_for_each(|item| self.ast(item)),
            Ast::Alternate(branches) => self.alternate(branches),
            Ast::Repeat { item, min, max } => self.repeat(item, *min, *max),
        }
    }

    /// `a|b|c` → split(a, split(b, c)), each branch jumping to the end.
    fn alternate(&mut self, branches: &[Ast]) -> Result<(), PatternError> {
        let mut jumps = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            if i + 1 == branches.len() {
                self.ast(branch)?;
                break;
            }
            let split = self.push(Inst::Split(0, 0))?;
            self.ast(branch)?;
            jumps.push(self.push(Inst::Jump(0))?);
            self.insts[split] = Inst::Split(split + 1, self.insts.len());
        }
        let end = self.insts.len();
        for jump in jumps {
            self.insts[jump] = Inst::Jump(end);
        }
        Ok(())
    }

    /// `x{2,4}` → `x x x? x?`; `x{2,}` → `x x x*`. Copies one after
    /// another rather than nested: the same texts match, and only that is
    /// asked.
    fn repeat(&mut self, item: &Ast, min: u32, max: Option<u32>) -> Result<(), PatternError> {
        let before = self.insts.len();
        for _ in 0..min {
            self.ast(item)?;
            if self.insts.len() == before {
                // The item only matches the empty text: repeating it adds
                // nothing (and `(){4000000000}` must not loop that often).
                return Ok(());
            }
        }
        match max {
            None => {
                let split = self.push(Inst::Split(0, 0))?;
                self.ast(item)?;
                self.push(Inst::Jump(split))?;
                self.insts[split] = Inst::Split(split + 1, self.insts.len());
            }
            Some(max) => {
                for _ in min..max {
                    let split = self.push(Inst::Split(0, 0))?;
                    self.ast(item)?;
                    self.insts[split] = Inst::Split(split + 1, self.insts.len());
                }
            }
        }
        Ok(())
    }
}
