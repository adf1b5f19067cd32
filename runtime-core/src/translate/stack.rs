//! The simulated operand stack: what sits at each height ([`Opd`]: a value in its slot, a local
//! not read yet, a constant not written yet), pushing and popping, putting an operand into its
//! slot, and the writes to locals, which may retarget the instruction that made the value.

use crate::instr::Instr;

use super::Translator;

/// What sits at one operand stack position during translation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Opd {
    /// In its own slot.
    Temp,
    /// The current value of a local, not copied yet.
    Local(u32),
    /// A constant (raw encoding), not materialised yet.
    Const(u64),
}

impl Translator<'_> {
    /// Pushes `o`, written to its slot at once in eager (debug) mode.
    pub(super) fn push(&mut self, o: Opd) {
        self.stack.push(o);
        self.max_height = self.max_height.max(self.stack.len() as u32);
        if self.eager && o != Opd::Temp {
            self.materialize(self.stack.len() - 1);
        }
    }

    /// Pushes a result that instruction `pc` wrote into the new top slot.
    pub(super) fn push_result(&mut self, pc: u32) {
        self.push(Opd::Temp);
        self.last_result = Some(pc);
    }

    /// Pops the top operand (`Temp` if there is none).
    pub(super) fn pop(&mut self) -> Opd {
        self.last_result = None;
        self.stack.pop().unwrap_or(Opd::Temp)
    }

    /// Writes constant `v` to register `dst`.
    fn emit_const(&mut self, dst: u32, v: u64) {
        match u32::try_from(v) {
            Ok(value) => self.emit(Instr::Const32 { dst, value }),
            Err(_) => self.emit(Instr::Const64 { dst, value: v }),
        };
    }

    /// Puts the operand at `pos` into its own slot.
    fn materialize(&mut self, pos: usize) {
        let dst = self.slot(pos);
        match self.stack[pos] {
            Opd::Temp => return,
            Opd::Local(x) => {
                self.emit(Instr::Copy { dst, src: x });
            }
            Opd::Const(v) => self.emit_const(dst, v),
        }
        self.stack[pos] = Opd::Temp;
    }

    /// After `else`/`end`: the frame's (materialised) prefix below `base`, then `values` in their slots.
    pub(super) fn reset_stack(&mut self, base: u32, values: u32) {
        self.stack.truncate(base as usize);
        self.stack.resize((base + values) as usize, Opd::Temp);
        self.max_height = self.max_height.max(base + values);
    }

    /// Puts every operand into its own slot.
    pub(super) fn materialize_all(&mut self) {
        for pos in 0..self.stack.len() {
            self.materialize(pos);
        }
    }

    /// The register holding operand `o`, which was at `pos`; a constant is first written to that slot.
    pub(super) fn reg(&mut self, o: Opd, pos: usize) -> u32 {
        match o {
            Opd::Temp => self.slot(pos),
            Opd::Local(x) => x,
            Opd::Const(v) => {
                let dst = self.slot(pos);
                self.emit_const(dst, v);
                dst
            }
        }
    }

    /// Writes the top operand into local `x`, first copying out any pending reads of `x`.
    pub(super) fn set_local(&mut self, x: u32) {
        let producer = self.last_result;
        let v = self.pop();
        let pos = self.stack.len();
        let mut copied = false;
        for j in 0..pos {
            if self.stack[j] == Opd::Local(x) {
                self.materialize(j);
                copied = true;
            }
        }
        match v {
            Opd::Temp => match producer.filter(|_| !copied && !self.eager) {
                Some(pc) if self.code[pc as usize].dst_mut().is_some() => {
                    *self.code[pc as usize].dst_mut().expect("checked") = x;
                }
                _ => {
                    let src = self.slot(pos);
                    self.emit(Instr::Copy { dst: x, src });
                }
            },
            Opd::Local(y) if y == x => {}
            Opd::Local(y) => {
                self.emit(Instr::Copy { dst: x, src: y });
            }
            Opd::Const(c) => self.emit_const(x, c),
        }
    }

    /// Materialises everything and pops `n` operands that now sit in consecutive slots from the returned one.
    pub(super) fn consecutive(&mut self, n: usize) -> u32 {
        self.materialize_all();
        let base = self.stack.len() - n;
        self.stack.truncate(base);
        self.last_result = None;
        self.slot(base)
    }
}
