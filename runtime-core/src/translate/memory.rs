//! Linear memory and tables: loads and stores (at a constant address where the address is
//! one), and the instructions that size, grow, fill, copy and initialise memories and tables.

use wasmparser::Operator;

use crate::error::Error;
use crate::instr::{Instr, Mem};

use super::Translator;
use super::forms::{MemForms, memop};
use super::stack::Opd;

/// Where a memory access ends, as [`Mem::end`] holds it.
enum End {
    /// Past a constant address: the instruction's own.
    Constant(u32),
    /// Past the address in a register.
    Register(u32),
    /// The offset and the width pass 32 bits: the access traps, whatever the address.
    Past32Bits,
}

impl Translator<'_> {
    /// Translates `op` if it is a memory or table instruction. Whether it was one.
    pub(super) fn memory(&mut self, op: &Operator<'_>) -> Result<bool, Error> {
        use Instr as I;
        if let Some((forms, is_load, width, offset)) = memop(op) {
            let offset = u32::try_from(offset).map_err(|_| Error::Invalid {
                offset: self.offset as u64,
                message: "memarg offset out of range".into(),
            })?;
            if is_load {
                self.load(forms, offset, width)
            } else {
                self.store(forms, offset, width)
            }
            return Ok(true);
        }
        match *op {
            Operator::MemorySize { .. } => {
                let pc = self.emit(I::MemorySize {
                    dst: self.slot(self.stack.len()),
                });
                self.push_result(pc);
            }
            Operator::MemoryGrow { .. } => {
                let delta = self.pop();
                let pos = self.stack.len();
                let delta = self.reg(delta, pos);
                let pc = self.emit(I::MemoryGrow {
                    dst: self.slot(pos),
                    delta,
                });
                self.push_result(pc);
            }
            Operator::TableGet { table } => {
                let index = self.pop();
                let pos = self.stack.len();
                let index = self.reg(index, pos);
                let pc = self.emit(I::TableGet {
                    dst: self.slot(pos),
                    index,
                    table,
                });
                self.push_result(pc);
            }
            Operator::TableSize { table } => {
                let pc = self.emit(I::TableSize {
                    dst: self.slot(self.stack.len()),
                    table,
                });
                self.push_result(pc);
            }
            Operator::TableSet { table } => {
                let base = self.consecutive(2);
                self.emit(I::TableSet { table, base });
            }
            Operator::TableGrow { table } => {
                let base = self.consecutive(2);
                self.emit(I::TableGrow { table, base });
                self.push(Opd::Temp);
            }
            Operator::TableFill { table } => {
                let base = self.consecutive(3);
                self.emit(I::TableFill { table, base });
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let base = self.consecutive(3);
                self.emit(I::TableCopy {
                    dst_table,
                    src_table,
                    base,
                });
            }
            Operator::TableInit { elem_index, table } => {
                let base = self.consecutive(3);
                self.emit(I::TableInit {
                    table,
                    elem: elem_index,
                    base,
                });
            }
            Operator::ElemDrop { elem_index } => {
                self.emit(I::ElemDrop(elem_index));
            }
            Operator::MemoryInit { data_index, .. } => {
                let base = self.consecutive(3);
                self.emit(I::MemoryInit {
                    data: data_index,
                    base,
                });
            }
            Operator::DataDrop { data_index } => {
                self.emit(I::DataDrop(data_index));
            }
            Operator::MemoryCopy { .. } => {
                let base = self.consecutive(3);
                self.emit(I::MemoryCopy { base });
            }
            Operator::MemoryFill { .. } => {
                let base = self.consecutive(3);
                self.emit(I::MemoryFill { base });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Emits a load (`f`) of `width` bytes from the address on top plus `offset`; from a
    /// constant address (`at`) when the address is a constant the offset can be added to.
    fn load(&mut self, (f, at): MemForms, offset: u32, width: u32) {
        let addr = self.pop();
        let pos = self.stack.len();
        let reg = self.slot(pos);
        let instr = match self.end(addr, offset, width) {
            End::Constant(end) => at(Mem {
                reg,
                addr: end - width,
                end,
            }),
            End::Register(end) => f(Mem {
                reg,
                addr: self.reg(addr, pos),
                end,
            }),
            End::Past32Bits => Instr::OutOfBounds,
        };
        let pc = self.emit(instr);
        self.push_result(pc);
    }

    /// Emits a store (`f`, or `at` at a constant address) of the top operand, `width` bytes, to
    /// the address below it plus `offset`.
    fn store(&mut self, (f, at): MemForms, offset: u32, width: u32) {
        let v = self.pop();
        let addr = self.pop();
        let pos = self.stack.len();
        let instr = match self.end(addr, offset, width) {
            End::Constant(end) => at(Mem {
                reg: self.reg(v, pos + 1),
                addr: end - width,
                end,
            }),
            End::Register(end) => {
                let addr = self.reg(addr, pos);
                let reg = self.reg(v, pos + 1);
                f(Mem { reg, addr, end })
            }
            End::Past32Bits => Instr::OutOfBounds,
        };
        self.emit(instr);
    }

    /// Where an access of `width` bytes at `addr` plus `offset` ends: at a constant address when
    /// `addr` is a constant and the sum fits 32 bits (past them it traps, as the register form
    /// finds) and code is not translated for stepping, where every operand is in its slot.
    fn end(&self, addr: Opd, offset: u32, width: u32) -> End {
        let Some(end) = offset.checked_add(width) else {
            return End::Past32Bits;
        };
        match addr {
            Opd::Const(c) if !self.eager => match (c as u32).checked_add(end) {
                Some(end) => End::Constant(end),
                None => End::Register(end),
            },
            _ => End::Register(end),
        }
    }
}
