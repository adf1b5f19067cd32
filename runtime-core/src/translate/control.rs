//! Structured control: the open constructs ([`Ctrl`]) that blocks, loops and `if`s make, what
//! their labels hold, and where `else` and `end` point the branches to them.

use alloc::vec::Vec;

use wasmparser::{BlockType, Operator};

use crate::error::Error;
use crate::instr::Instr;

use super::Translator;

/// What opened a construct.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Block,
    Loop,
    If,
}

/// Bytes of one open control construct, for the budget.
pub(crate) const CTRL_BYTES: usize = size_of::<Ctrl>();

/// One open control construct.
pub(super) struct Ctrl {
    pub(super) kind: Kind,
    /// Operand stack height below the construct's parameters.
    pub(super) height: u32,
    pub(super) params: u32,
    pub(super) results: u32,
    /// Loop head pc (only for loops).
    pub(super) start: u32,
    /// Branches to the construct's end, patched when it closes.
    pub(super) fixups: Vec<u32>,
    /// The `if`'s jump-to-else, patched at `else` or `end`.
    pub(super) else_fixup: Option<u32>,
    /// Whether the code at the construct's start was reachable.
    pub(super) entry_reachable: bool,
}

impl Ctrl {
    /// The function body's construct, with `results` results.
    pub(super) fn body(results: u32) -> Ctrl {
        Ctrl {
            kind: Kind::Block,
            height: 0,
            params: 0,
            results,
            start: 0,
            fixups: Vec::new(),
            else_fixup: None,
            entry_reachable: true,
        }
    }

    /// How many values a branch to the construct's label carries: a loop's parameters, or
    /// the results.
    pub(super) fn label_arity(&self) -> u32 {
        if self.kind == Kind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

impl Translator<'_> {
    /// Translates `op` if it opens or closes a construct (`block`, `loop`, `if`, `else`, `end`):
    /// tracked even in dead code, so that `else` and `end` pair up. Whether it was one.
    pub(super) fn structured(&mut self, op: &Operator<'_>) -> Result<bool, Error> {
        use Instr as I;
        match *op {
            Operator::Block { blockty } => {
                self.materialize_all();
                self.last_result = None;
                self.push_ctrl(Kind::Block, blockty)?;
            }
            Operator::Loop { blockty } => {
                self.materialize_all();
                self.last_result = None;
                self.push_ctrl(Kind::Loop, blockty)?;
            }
            Operator::If { blockty } => {
                let jump = if self.reachable {
                    Some(self.cond_branch(false))
                } else {
                    None
                };
                self.materialize_all();
                self.push_ctrl(Kind::If, blockty)?;
                if let Some(jump) = jump {
                    let at = self.emit(jump);
                    self.ctrl.last_mut().expect("if frame").else_fixup = Some(at);
                }
            }
            Operator::Else => {
                let frame = self.ctrl.last().expect("else frame");
                let (height, params) = (frame.height, frame.params);
                if self.reachable {
                    self.materialize_all();
                    let pc = self.emit(I::Br { target: u32::MAX });
                    self.ctrl.last_mut().expect("else frame").fixups.push(pc);
                }
                let pc = self.pc();
                let frame = self.ctrl.last_mut().expect("else frame");
                let fix = frame.else_fixup.take();
                self.reachable = frame.entry_reachable;
                if let Some(at) = fix {
                    self.patch(at, pc);
                }
                self.reset_stack(height, params);
                self.last_result = None;
            }
            Operator::End => {
                if self.reachable {
                    self.materialize_all();
                }
                self.last_result = None;
                if self.ctrl.len() == 1 {
                    // Function end: every branch to the body label lands on the return.
                    let frame = self.ctrl.pop().expect("function frame");
                    let pc = self.pc();
                    for at in frame.fixups {
                        self.patch(at, pc);
                    }
                    let src = self.num_locals;
                    self.emit(I::Return {
                        src,
                        keep: frame.results,
                    });
                    return Ok(true);
                }
                let frame = self.ctrl.pop().expect("end frame");
                let pc = self.pc();
                for at in frame.fixups.iter().copied().chain(frame.else_fixup) {
                    self.patch(at, pc);
                }
                self.reachable = frame.entry_reachable;
                self.reset_stack(frame.height, frame.results);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A construct's parameters and results.
    fn block_arity(&self, bt: BlockType) -> Result<(u32, u32), Error> {
        Ok(match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let f = self.signature(self.module.type_at(t), "type", t)?;
                (f.params.len() as u32, f.results.len() as u32)
            }
        })
    }

    /// Opens a construct of `kind` and type `bt` here.
    fn push_ctrl(&mut self, kind: Kind, bt: BlockType) -> Result<(), Error> {
        let (params, results) = self.block_arity(bt)?;
        self.ctrl.push(Ctrl {
            kind,
            height: (self.stack.len() as u32).saturating_sub(params),
            params,
            results,
            start: self.pc(),
            fixups: Vec::new(),
            else_fixup: None,
            entry_reachable: self.reachable,
        });
        Ok(())
    }

    /// Points the jump at `at` to `target`.
    pub(super) fn patch(&mut self, at: u32, target: u32) {
        if let Some(t) = self.code[at as usize].target_mut() {
            *t = target;
        }
    }
}
