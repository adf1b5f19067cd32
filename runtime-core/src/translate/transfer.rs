//! Transfers of control: branches to a construct's label (moving the label's values into
//! place first), `br_table`, returns and calls.

use alloc::vec::Vec;

use wasmparser::Operator;

use crate::error::Error;
use crate::instr::Instr;

use super::Translator;
use super::control::Kind;
use super::peephole::invert;
use super::stack::Opd;

impl Translator<'_> {
    /// Translates `op` if it transfers control: a trap, a branch, a return or a call. Whether
    /// it was one.
    pub(super) fn transfer(&mut self, op: &Operator<'_>) -> Result<bool, Error> {
        use Instr as I;
        match *op {
            Operator::Unreachable => {
                self.emit(I::Unreachable);
                self.reachable = false;
            }
            Operator::Br { relative_depth } => {
                self.materialize_all();
                if relative_depth as usize == self.ctrl.len() - 1 {
                    self.ret();
                } else {
                    self.branch(relative_depth, I::Br { target: u32::MAX });
                }
                self.reachable = false;
            }
            Operator::BrIf { relative_depth } => {
                let jump = self.cond_branch(true);
                self.materialize_all();
                self.branch(relative_depth, jump);
                self.last_result = None;
            }
            Operator::BrTable { ref targets } => {
                let index = self.pop();
                let pos = self.stack.len();
                let index = self.reg(index, pos);
                self.materialize_all();
                let depths = targets
                    .targets()
                    .chain(core::iter::once(Ok(targets.default())))
                    .collect::<Result<Vec<_>, _>>()?;
                self.emit(I::BrTable {
                    index,
                    len: targets.len(),
                });
                let entries: Vec<u32> = depths
                    .iter()
                    .map(|_| self.emit(I::Br { target: u32::MAX }))
                    .collect();
                for (depth, entry) in depths.into_iter().zip(entries) {
                    let at = self.ctrl.len() - 1 - depth as usize;
                    let keep = self.ctrl[at].label_arity();
                    let src = self.slot(self.stack.len() - keep as usize);
                    let dst = self.num_locals + self.ctrl[at].height;
                    if keep == 0 || src == dst {
                        self.link(at, entry);
                    } else {
                        let here = self.pc();
                        self.patch(entry, here);
                        self.branch(depth, I::Br { target: u32::MAX });
                    }
                }
                self.reachable = false;
            }
            Operator::Return => {
                self.ret();
                self.reachable = false;
            }
            Operator::Call { function_index } => {
                let ty = self.signature(
                    self.module.func_type(function_index),
                    "function",
                    function_index,
                )?;
                let (p, r) = (ty.params.len(), ty.results.len());
                self.call(p, r, |base| I::Call {
                    func: function_index,
                    base,
                });
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = self.signature(self.module.type_at(type_index), "type", type_index)?;
                let (p, r) = (ty.params.len(), ty.results.len());
                self.call(p + 1, r, |base| I::CallIndirect {
                    ty: type_index,
                    table: table_index,
                    index: base + p as u32,
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Jumps (with `jump`, already carrying its condition) to the label `depth` levels out, moving the
    /// label's values into place first; a conditional jump that needs moves skips over them instead.
    fn branch(&mut self, depth: u32, jump: Instr) {
        let at = self.ctrl.len() - 1 - depth as usize;
        let keep = self.ctrl[at].label_arity();
        let src = self.slot(self.stack.len() - keep as usize);
        let dst = self.num_locals + self.ctrl[at].height;
        let conditional = !matches!(jump, Instr::Br { .. });
        if keep == 0 || src == dst {
            let pc = self.emit(jump);
            self.link(at, pc);
            return;
        }
        let skip = if conditional {
            Some(self.emit(invert(jump)))
        } else {
            None
        };
        self.emit(Instr::CopyMany { dst, src, n: keep });
        let pc = self.emit(Instr::Br { target: u32::MAX });
        self.link(at, pc);
        if let Some(skip) = skip {
            let here = self.pc();
            self.patch(skip, here);
        }
    }

    /// Points the jump at `pc` to the label of control frame `at`.
    fn link(&mut self, at: usize, pc: u32) {
        let frame = &mut self.ctrl[at];
        if frame.kind == Kind::Loop {
            let start = frame.start;
            self.patch(pc, start);
        } else {
            frame.fixups.push(pc);
        }
    }

    /// Returns the body's results from the top of the stack.
    fn ret(&mut self) {
        self.materialize_all();
        let keep = self.ctrl[0].results;
        let src = self.slot(self.stack.len() - keep as usize);
        self.emit(Instr::Return { src, keep });
    }

    /// Emits call `instr` (given where its arguments start) of `params` arguments on the stack,
    /// which leaves `results` results in their place.
    fn call(&mut self, params: usize, results: usize, instr: impl FnOnce(u32) -> Instr) {
        self.materialize_all();
        let base = self.stack.len() - params;
        self.emit(instr(self.slot(base)));
        self.stack.truncate(base);
        for _ in 0..results {
            self.push(Opd::Temp);
        }
        // A call's results land where the callee frame puts them: not retargetable.
        self.last_result = None;
    }
}
