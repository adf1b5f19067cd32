//! The operators that compute: unary and binary operators (with an immediate operand where
//! one is a constant), `select`, locals, globals and constants (kept symbolic until used).

use wasmparser::Operator;

use crate::error::Error;
use crate::instr::{Instr, R2, R3, RI};

use super::Translator;
use super::forms::{BinForms, binop, unop};
use super::stack::Opd;

impl Translator<'_> {
    /// Translates `op` if it is a unary or binary operator. Whether it was one.
    pub(super) fn numeric(&mut self, op: &Operator<'_>) -> bool {
        if let Some((forms, wide)) = binop(op) {
            self.binop(forms, wide);
        } else if let Some(f) = unop(op) {
            self.unop(f);
        } else {
            return false;
        }
        true
    }

    /// Translates any other operator: `select`, locals, globals, constants; an error for one
    /// this interpreter does not support.
    pub(super) fn operand(&mut self, op: Operator<'_>) -> Result<(), Error> {
        use Instr as I;
        match op {
            Operator::Nop => {}
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                let pos = self.stack.len();
                let cond = self.reg(c, pos + 2);
                let a = self.reg(a, pos);
                let b = self.reg(b, pos + 1);
                let dst = self.slot(pos);
                let select = match (u16::try_from(a), u16::try_from(b)) {
                    (Ok(a), Ok(b)) => I::SelectOn {
                        cond,
                        dst,
                        a_b: u32::from(a) | u32::from(b) << 16,
                    },
                    _ => {
                        if cond != self.slot(pos + 2) {
                            self.emit(I::Copy {
                                dst: self.slot(pos + 2),
                                src: cond,
                            });
                        }
                        I::Select { dst, a, b }
                    }
                };
                let pc = self.emit(select);
                self.push_result(pc);
            }
            Operator::LocalGet { local_index } => self.push(Opd::Local(local_index)),
            Operator::LocalSet { local_index } => self.set_local(local_index),
            Operator::LocalTee { local_index } => {
                self.set_local(local_index);
                self.push(Opd::Local(local_index));
            }
            Operator::GlobalGet { global_index } => {
                let pc = self.emit(I::GlobalGet {
                    dst: self.slot(self.stack.len()),
                    global: global_index,
                });
                self.push_result(pc);
            }
            Operator::GlobalSet { global_index } => {
                let v = self.pop();
                let pos = self.stack.len();
                let src = self.reg(v, pos);
                self.emit(I::GlobalSet {
                    src,
                    global: global_index,
                });
            }
            Operator::I32Const { value } => self.push(Opd::Const(value as u32 as u64)),
            Operator::I64Const { value } => self.push(Opd::Const(value as u64)),
            Operator::F32Const { value } => self.push(Opd::Const(value.bits() as u64)),
            Operator::F64Const { value } => self.push(Opd::Const(value.bits())),
            Operator::RefNull { .. } => self.push(Opd::Const(0)),
            Operator::RefFunc { function_index } => {
                let pc = self.emit(I::RefFunc {
                    dst: self.slot(self.stack.len()),
                    func: function_index,
                });
                self.push_result(pc);
            }
            // Reinterpretations are no-ops on untyped slots.
            Operator::I32ReinterpretF32
            | Operator::I64ReinterpretF64
            | Operator::F32ReinterpretI32
            | Operator::F64ReinterpretI64 => {}
            other => {
                return Err(Error::Unsupported {
                    offset: self.offset as u64,
                    what: alloc::format!("operator {other:?}"),
                });
            }
        }
        Ok(())
    }

    /// Emits unary operator `f` on the top operand.
    fn unop(&mut self, f: fn(R2) -> Instr) {
        let a = self.pop();
        let pos = self.stack.len();
        let a = self.reg(a, pos);
        let pc = self.emit(f(R2 {
            dst: self.slot(pos),
            a,
        }));
        self.push_result(pc);
    }

    /// Emits a binary operator on the two top operands: with one immediate operand where one is
    /// a constant that fits and the operator has that form (`wide`: 64-bit operands).
    fn binop(&mut self, (rr, ri, rev): BinForms, wide: bool) {
        let producer = self.last_result;
        let b = self.pop();
        let a = self.pop();
        let pos = self.stack.len();
        let dst = self.slot(pos);
        let imm = |o: Opd| match o {
            Opd::Const(v) if !wide => Some(v as u32 as i32),
            Opd::Const(v) => i32::try_from(v as i64).ok(),
            _ => None,
        };
        let pc = match (ri, rev, imm(a), imm(b)) {
            (Some(ri), _, _, Some(imm)) if !matches!(a, Opd::Const(_)) => {
                let a = self.reg(a, pos);
                self.emit_fused(ri(RI { dst, a, imm }), producer)
            }
            (_, Some(rev), Some(imm), None) => {
                let b = self.reg(b, pos + 1);
                self.emit_fused(rev(RI { dst, a: b, imm }), producer)
            }
            _ => {
                let a = self.reg(a, pos);
                let b = self.reg(b, pos + 1);
                self.emit_fused(rr(R3 { dst, a, b }), producer)
            }
        };
        self.push_result(pc);
    }
}
