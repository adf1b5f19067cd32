//! Fusing instructions as they are emitted: a comparison and the branch on its result become
//! one compare-and-branch (inverted as a branch needs), a shift and the mask or add that uses it
//! one bit-field extract or scaled add.

use crate::instr::{Instr, RI};

use super::Translator;
use super::stack::Opd;

impl Translator<'_> {
    /// Emits `i`, or fuses it into the instruction just emitted (`producer`), a shift whose
    /// result is one of `i`'s operands: a shift right then a mask become one bit-field extract,
    /// a shift left then an add one scaled add (an array element's address). Not across a
    /// boundary (a debugger stops between them) nor for stepping.
    pub(super) fn emit_fused(&mut self, i: Instr, producer: Option<u32>) -> u32 {
        let last =
            producer.filter(|&pc| !self.eager && self.boundary.is_none() && pc + 1 == self.pc());
        // The shift's operand and amount as `a << 5 | amount`, when its result is `temp`.
        let shifted = |shift: RI, temp: u32| {
            (shift.dst == temp && temp >= self.num_locals && shift.a < 1 << 27)
                .then_some(shift.a << 5 | (shift.imm & 31) as u32)
        };
        let fused = match (i, last.map(|pc| self.code[pc as usize])) {
            (Instr::I32AndImm(and), Some(Instr::I32ShrUImm(shr))) => {
                shifted(shr, and.a).map(|a_shift| Instr::I32ShrUAndImm {
                    dst: and.dst,
                    a_shift,
                    mask: and.imm as u32,
                })
            }
            (Instr::I32Add(add), Some(Instr::I32ShlImm(shl))) => {
                let scaled = |a, b_shift| Instr::I32AddShl {
                    dst: add.dst,
                    a,
                    b_shift,
                };
                (shifted(shl, add.b).map(|b_shift| scaled(add.a, b_shift)))
                    .or_else(|| shifted(shl, add.a).map(|b_shift| scaled(add.b, b_shift)))
            }
            _ => None,
        };
        match (fused, last) {
            (Some(fused), Some(pc)) => {
                self.code[pc as usize] = fused;
                pc
            }
            _ => self.emit(i),
        }
    }

    /// Takes the condition off the stack as a branch taken when it is non-zero (`when` true) or zero:
    /// a comparison just computed into it is fused into the branch.
    pub(super) fn cond_branch(&mut self, when: bool) -> Instr {
        let producer = self.last_result;
        let cond = self.pop();
        let pos = self.stack.len();
        let last = self.code.len() as u32;
        if let (Opd::Temp, Some(pc), false) = (cond, producer, self.eager)
            && pc + 1 == last
            && let Some(fused) = fuse(self.code[pc as usize], when)
        {
            self.code.pop();
            let offset = self.offsets.pop().unwrap_or(self.offset);
            let height = self.heights.pop().unwrap_or(self.height_before);
            // The fused branch starts the boundary the comparison started.
            self.operators.pop();
            if self.boundaries.binary_search(&offset).is_ok() {
                self.boundary = Some((offset, height));
                let pc = self.code.len() as u32;
                let from = self.pending.partition_point(|p| p.0 < pc);
                self.unwritten
                    .extend(self.pending.drain(from..).map(|(_, pos, p)| (pos, p)));
            }
            return fused;
        }
        let cond = self.reg(cond, pos);
        if when {
            Instr::BrIfNez {
                cond,
                target: u32::MAX,
            }
        } else {
            Instr::BrIfEqz {
                cond,
                target: u32::MAX,
            }
        }
    }
}

/// A compare-and-branch for a just-emitted comparison, taken when the comparison is `when`
/// ([`Instr::branch_form`]; `i32.eqz` is a branch on zero).
fn fuse(cmp: Instr, when: bool) -> Option<Instr> {
    let fused = match cmp {
        Instr::I32Eqz(x) => Instr::BrIfEqz {
            cond: x.a,
            target: u32::MAX,
        },
        cmp => cmp.branch_form()?,
    };
    Some(if when { fused } else { invert(fused) })
}

/// The branch taken exactly when `b` is not ([`Instr::inverted`]); `b` itself if it is not a
/// conditional branch.
pub(super) fn invert(b: Instr) -> Instr {
    b.inverted().unwrap_or(b)
}
