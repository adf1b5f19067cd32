//! Translation of a validated function body into register code. The Wasm operand stack is simulated at
//! translation time: each stack height is a frame slot, `local.get` and constants stay symbolic until an
//! instruction consumes them, results can be written straight into locals, and a comparison feeding a
//! branch becomes one compare-and-branch. In eager (debug) mode every operand is materialised in its
//! slot, so the frame mirrors the Wasm operand stack exactly at every instruction boundary.

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use wasmparser::{BlockType, FunctionBody, Operator};

use crate::error::Error;
use crate::instr::{BrI, BrR, Instr, Mem, R2, R3, RI};
use crate::module::{FuncBody, FuncType, Module, Pending, Translation};
use crate::value::ValType;

/// What sits at one operand stack position during translation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opd {
    /// In its own slot.
    Temp,
    /// The current value of a local, not copied yet.
    Local(u32),
    /// A constant (raw encoding), not materialised yet.
    Const(u64),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Loop,
    If,
}

/// Bytes of one open control construct, for the budget.
pub(crate) const CTRL_BYTES: usize = size_of::<Ctrl>();

/// One open control construct.
struct Ctrl {
    kind: Kind,
    /// Operand stack height below the construct's parameters.
    height: u32,
    params: u32,
    results: u32,
    /// Loop head pc (only for loops).
    start: u32,
    /// Branches to the construct's end, patched when it closes.
    fixups: Vec<u32>,
    /// The `if`'s jump-to-else, patched at `else` or `end`.
    else_fixup: Option<u32>,
    /// Whether the code at the construct's start was reachable.
    entry_reachable: bool,
}

impl Ctrl {
    fn label_arity(&self) -> u32 {
        if self.kind == Kind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

/// Constructors of a binary operator's forms: registers, `reg OP imm`, and `imm OP reg` rewritten
/// as `reg OP' imm` (the same op when commutative, the mirrored comparison, or reversed subtraction).
type BinForms = (
    fn(R3) -> Instr,
    Option<fn(RI) -> Instr>,
    Option<fn(RI) -> Instr>,
);

/// Translates one function body, operator by operator, as the admission pass validates it.
pub(crate) struct Translator<'m> {
    module: &'m Module,
    func_idx: u32,
    num_params: u32,
    /// Parameters, then declared locals.
    locals: Vec<ValType>,
    code: Vec<Instr>,
    offsets: Vec<u32>,
    /// The offset of the operator each instruction executes, kept with boundaries (where
    /// [`Translator::offsets`] may name the boundary the instruction starts instead).
    operators: Vec<u32>,
    heights: Vec<u32>,
    ctrl: Vec<Ctrl>,
    stack: Vec<Opd>,
    num_locals: u32,
    max_height: u32,
    reachable: bool,
    eager: bool,
    /// Module-file offsets where a debugger stops (line-table rows), sorted; empty without.
    boundaries: &'m [u32],
    /// A boundary passed (its offset and the stack height there) that no instruction starts yet:
    /// the next instruction emitted starts it.
    boundary: Option<(u32, u32)>,
    /// The operands not in their slots at that boundary (stack position, what it holds).
    unwritten: Vec<(u32, Pending)>,
    /// [`FuncBody::pending`] so far.
    pending: Vec<(u32, u32, Pending)>,
    offset: u32,
    height_before: u32,
    /// pc of the last instruction if it wrote the value now on top of the stack.
    last_result: Option<u32>,
}

impl Translator<'_> {
    fn emit(&mut self, i: Instr) -> u32 {
        let (offset, height) = match self.boundary.take() {
            Some(b) => {
                let pc = self.code.len() as u32;
                self.pending
                    .extend(self.unwritten.drain(..).map(|(pos, p)| (pc, pos, p)));
                b
            }
            None => (self.offset, self.height_before),
        };
        self.code.push(i);
        self.offsets.push(offset);
        if !self.boundaries.is_empty() {
            self.operators.push(self.offset);
        }
        self.heights.push(height);
        self.code.len() as u32 - 1
    }

    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    fn slot(&self, pos: usize) -> u32 {
        self.num_locals + pos as u32
    }

    fn push(&mut self, o: Opd) {
        self.stack.push(o);
        self.max_height = self.max_height.max(self.stack.len() as u32);
        if self.eager && o != Opd::Temp {
            self.materialize(self.stack.len() - 1);
        }
    }

    /// Pushes a result that instruction `pc` wrote into the new top slot.
    fn push_result(&mut self, pc: u32) {
        self.push(Opd::Temp);
        self.last_result = Some(pc);
    }

    fn pop(&mut self) -> Opd {
        self.last_result = None;
        self.stack.pop().unwrap_or(Opd::Temp)
    }

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
    fn reset_stack(&mut self, base: u32, values: u32) {
        self.stack.truncate(base as usize);
        self.stack.resize((base + values) as usize, Opd::Temp);
        self.max_height = self.max_height.max(base + values);
    }

    fn materialize_all(&mut self) {
        for pos in 0..self.stack.len() {
            self.materialize(pos);
        }
    }

    /// The register holding operand `o`, which was at `pos`; a constant is first written to that slot.
    fn reg(&mut self, o: Opd, pos: usize) -> u32 {
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

    /// Emits `i`, or fuses it into the instruction just emitted (`producer`), a shift whose
    /// result is one of `i`'s operands: a shift right then a mask become one bit-field extract,
    /// a shift left then an add one scaled add (an array element's address). Not across a
    /// boundary (a debugger stops between them) nor for stepping.
    fn emit_fused(&mut self, i: Instr, producer: Option<u32>) -> u32 {
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

    /// Writes the top operand into local `x`, first copying out any pending reads of `x`.
    fn set_local(&mut self, x: u32) {
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

    /// A signature the validator vouched for; `None` (an index it let through) is named here.
    fn signature<'a>(
        &self,
        ty: Option<&'a FuncType>,
        what: &str,
        idx: u32,
    ) -> Result<&'a FuncType, Error> {
        ty.ok_or_else(|| Error::Invalid {
            offset: u64::from(self.offset),
            message: alloc::format!("unknown {what} {idx}"),
        })
    }

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

    /// Takes the condition off the stack as a branch taken when it is non-zero (`when` true) or zero:
    /// a comparison just computed into it is fused into the branch.
    fn cond_branch(&mut self, when: bool) -> Instr {
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

    fn patch(&mut self, at: u32, target: u32) {
        if let Some(t) = self.code[at as usize].target_mut() {
            *t = target;
        }
    }

    fn ret(&mut self) {
        self.materialize_all();
        let keep = self.ctrl[0].results;
        let src = self.slot(self.stack.len() - keep as usize);
        self.emit(Instr::Return { src, keep });
    }

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

    /// Materialises everything and pops `n` operands that now sit in consecutive slots from the returned one.
    fn consecutive(&mut self, n: usize) -> u32 {
        self.materialize_all();
        let base = self.stack.len() - n;
        self.stack.truncate(base);
        self.last_result = None;
        self.slot(base)
    }
}

/// A compare-and-branch for a just-emitted comparison, taken when the comparison is `when`.
fn fuse(cmp: Instr, when: bool) -> Option<Instr> {
    use Instr as I;
    let r = |r: R3| BrR {
        a: r.a,
        b: r.b,
        target: u32::MAX,
    };
    let i = |r: RI| BrI {
        a: r.a,
        imm: r.imm,
        target: u32::MAX,
    };
    let fused = match cmp {
        I::I32Eqz(x) => I::BrIfEqz {
            cond: x.a,
            target: u32::MAX,
        },
        I::I32Eq(x) => I::I32BrEq(r(x)),
        I::I32Ne(x) => I::I32BrNe(r(x)),
        I::I32LtS(x) => I::I32BrLtS(r(x)),
        I::I32LtU(x) => I::I32BrLtU(r(x)),
        I::I32GtS(x) => I::I32BrGtS(r(x)),
        I::I32GtU(x) => I::I32BrGtU(r(x)),
        I::I32LeS(x) => I::I32BrLeS(r(x)),
        I::I32LeU(x) => I::I32BrLeU(r(x)),
        I::I32GeS(x) => I::I32BrGeS(r(x)),
        I::I32GeU(x) => I::I32BrGeU(r(x)),
        I::I32EqImm(x) => I::I32BrEqImm(i(x)),
        I::I32NeImm(x) => I::I32BrNeImm(i(x)),
        I::I32LtSImm(x) => I::I32BrLtSImm(i(x)),
        I::I32LtUImm(x) => I::I32BrLtUImm(i(x)),
        I::I32GtSImm(x) => I::I32BrGtSImm(i(x)),
        I::I32GtUImm(x) => I::I32BrGtUImm(i(x)),
        I::I32LeSImm(x) => I::I32BrLeSImm(i(x)),
        I::I32LeUImm(x) => I::I32BrLeUImm(i(x)),
        I::I32GeSImm(x) => I::I32BrGeSImm(i(x)),
        I::I32GeUImm(x) => I::I32BrGeUImm(i(x)),
        I::I64Eq(x) => I::I64BrEq(r(x)),
        I::I64Ne(x) => I::I64BrNe(r(x)),
        I::I64LtS(x) => I::I64BrLtS(r(x)),
        I::I64LtU(x) => I::I64BrLtU(r(x)),
        I::I64GtS(x) => I::I64BrGtS(r(x)),
        I::I64GtU(x) => I::I64BrGtU(r(x)),
        I::I64LeS(x) => I::I64BrLeS(r(x)),
        I::I64LeU(x) => I::I64BrLeU(r(x)),
        I::I64GeS(x) => I::I64BrGeS(r(x)),
        I::I64GeU(x) => I::I64BrGeU(r(x)),
        _ => return None,
    };
    Some(if when { fused } else { invert(fused) })
}

/// The branch taken exactly when `b` is not.
fn invert(b: Instr) -> Instr {
    use Instr as I;
    match b {
        I::BrIfNez { cond, target } => I::BrIfEqz { cond, target },
        I::BrIfEqz { cond, target } => I::BrIfNez { cond, target },
        I::I32BrEq(x) => I::I32BrNe(x),
        I::I32BrNe(x) => I::I32BrEq(x),
        I::I32BrLtS(x) => I::I32BrGeS(x),
        I::I32BrGeS(x) => I::I32BrLtS(x),
        I::I32BrLtU(x) => I::I32BrGeU(x),
        I::I32BrGeU(x) => I::I32BrLtU(x),
        I::I32BrGtS(x) => I::I32BrLeS(x),
        I::I32BrLeS(x) => I::I32BrGtS(x),
        I::I32BrGtU(x) => I::I32BrLeU(x),
        I::I32BrLeU(x) => I::I32BrGtU(x),
        I::I32BrEqImm(x) => I::I32BrNeImm(x),
        I::I32BrNeImm(x) => I::I32BrEqImm(x),
        I::I32BrLtSImm(x) => I::I32BrGeSImm(x),
        I::I32BrGeSImm(x) => I::I32BrLtSImm(x),
        I::I32BrLtUImm(x) => I::I32BrGeUImm(x),
        I::I32BrGeUImm(x) => I::I32BrLtUImm(x),
        I::I32BrGtSImm(x) => I::I32BrLeSImm(x),
        I::I32BrLeSImm(x) => I::I32BrGtSImm(x),
        I::I32BrGtUImm(x) => I::I32BrLeUImm(x),
        I::I32BrLeUImm(x) => I::I32BrGtUImm(x),
        I::I64BrEq(x) => I::I64BrNe(x),
        I::I64BrNe(x) => I::I64BrEq(x),
        I::I64BrLtS(x) => I::I64BrGeS(x),
        I::I64BrLtU(x) => I::I64BrGeU(x),
        I::I64BrGtS(x) => I::I64BrLeS(x),
        I::I64BrGtU(x) => I::I64BrLeU(x),
        I::I64BrLeS(x) => I::I64BrGtS(x),
        I::I64BrLeU(x) => I::I64BrGtU(x),
        I::I64BrGeS(x) => I::I64BrLtS(x),
        I::I64BrGeU(x) => I::I64BrLtU(x),
        other => other,
    }
}

impl<'m> Translator<'m> {
    /// Starts translating the body of function `func_idx` of `module` (its types, imports and
    /// globals read so far), whose locals `body` declares; validation is the caller's.
    pub(crate) fn new(
        module: &'m Module,
        func_idx: u32,
        body: &FunctionBody<'_>,
        translation: &Translation<'m>,
    ) -> Result<Self, Error> {
        let ty = module.func_type(func_idx).ok_or_else(|| Error::Invalid {
            offset: 0,
            message: alloc::format!("no signature for function {func_idx}"),
        })?;
        let mut locals: Vec<ValType> = ty.params.to_vec();
        for declared in body.get_locals_reader()? {
            let (count, t) = declared?;
            locals.extend(core::iter::repeat_n(ValType::from(t), count as usize));
        }
        let (eager, boundaries) = match *translation {
            Translation::Speed => (false, &[][..]),
            Translation::Debugging => (true, &[][..]),
            Translation::Boundaries(b) => (false, b),
        };
        let results = ty.results.len() as u32;
        Ok(Translator {
            module,
            func_idx,
            num_params: ty.params.len() as u32,
            num_locals: locals.len() as u32,
            locals,
            code: Vec::new(),
            offsets: Vec::new(),
            operators: Vec::new(),
            heights: Vec::new(),
            ctrl: alloc::vec![Ctrl {
                kind: Kind::Block,
                height: 0,
                params: 0,
                results,
                start: 0,
                fixups: Vec::new(),
                else_fixup: None,
                entry_reachable: true,
            }],
            stack: Vec::new(),
            max_height: 0,
            reachable: true,
            eager,
            boundaries,
            boundary: None,
            unwritten: Vec::new(),
            pending: Vec::new(),
            offset: 0,
            height_before: 0,
            last_result: None,
        })
    }

    /// Translates the next operator, already validated, found at module-file `offset`.
    pub(crate) fn operator(&mut self, op: Operator<'_>, offset: u32) -> Result<(), Error> {
        let t = self;
        let boundary = t.boundaries.binary_search(&offset).is_ok();
        // A boundary with no instruction yet whose operators only named locals and constants:
        // writing them to their slots is its instruction, so a debugger can stop there.
        if boundary && t.boundary.is_some() && t.stack.iter().any(|o| *o != Opd::Temp) {
            t.materialize_all();
            t.last_result = None;
        }
        t.offset = offset;
        t.height_before = t.stack.len() as u32;
        // Branches land after a loop, else or end: a boundary before one is not where they are.
        if matches!(op, Operator::Loop { .. } | Operator::Else | Operator::End) {
            t.boundary = None;
            t.unwritten.clear();
        }
        if boundary {
            // The operands a debugger stopped here reads that the code has not written yet.
            t.boundary = Some((t.offset, t.height_before));
            t.unwritten.clear();
            t.unwritten
                .extend(t.stack.iter().enumerate().filter_map(|(pos, o)| match *o {
                    Opd::Temp => None,
                    Opd::Local(x) => Some((pos as u32, Pending::Local(x))),
                    Opd::Const(c) => Some((pos as u32, Pending::Const(c))),
                }));
        }
        op_to_instr(t, op)
    }

    /// The translated body, once every operator is in.
    pub(crate) fn finish(mut self) -> FuncBody {
        accumulate(&mut self.code);
        FuncBody {
            type_idx: self.module.func_types[self.func_idx as usize],
            locals: self.locals.into(),
            num_params: self.num_params,
            max_height: self.max_height + 1,
            code: self.code.into_iter().map(Cell::new).collect(),
            covered: RefCell::default(),
            offsets: self.offsets.into(),
            heights: self.heights.into(),
            operators: self.operators.into(),
            pending: self.pending.into(),
        }
    }
}

/// Rewrites each instruction that uses the result of the one before it, and that no jump lands
/// on, to its form that takes that result from the interpreter's accumulator (a machine register)
/// instead of loading it back from the frame ([`Instr::acc_form`]). Every result is still
/// written to its register, so a debugger reads the frame as before, and a run resumed at such
/// an instruction loads the accumulator from there ([`Instr::acc_source`]).
fn accumulate(code: &mut [Instr]) {
    let mut landed = alloc::vec![false; code.len()];
    for mut i in code.iter().copied() {
        if let Some(&mut t) = i.target_mut()
            && let Some(l) = landed.get_mut(t as usize)
        {
            *l = true;
        }
    }
    for pc in 1..code.len() {
        if let (false, Some(reg)) = (landed[pc], code[pc - 1].result())
            && let Some(form) = code[pc].acc_form(reg)
        {
            code[pc] = form;
        }
    }
}

/// Register and immediate forms of the binary operators; `(forms, 64-bit)`.
fn binop(op: &Operator<'_>) -> Option<(BinForms, bool)> {
    use Instr as I;
    Some(match op {
        Operator::I32Add => ((I::I32Add, Some(I::I32AddImm), Some(I::I32AddImm)), false),
        Operator::I32Sub => ((I::I32Sub, Some(I::I32SubImm), Some(I::I32RSubImm)), false),
        Operator::I32Mul => ((I::I32Mul, Some(I::I32MulImm), Some(I::I32MulImm)), false),
        Operator::I32DivS => ((I::I32DivS, None, None), false),
        Operator::I32DivU => ((I::I32DivU, None, None), false),
        Operator::I32RemS => ((I::I32RemS, None, None), false),
        Operator::I32RemU => ((I::I32RemU, None, None), false),
        Operator::I32And => ((I::I32And, Some(I::I32AndImm), Some(I::I32AndImm)), false),
        Operator::I32Or => ((I::I32Or, Some(I::I32OrImm), Some(I::I32OrImm)), false),
        Operator::I32Xor => ((I::I32Xor, Some(I::I32XorImm), Some(I::I32XorImm)), false),
        Operator::I32Shl => ((I::I32Shl, Some(I::I32ShlImm), None), false),
        Operator::I32ShrS => ((I::I32ShrS, Some(I::I32ShrSImm), None), false),
        Operator::I32ShrU => ((I::I32ShrU, Some(I::I32ShrUImm), None), false),
        Operator::I32Rotl => ((I::I32Rotl, Some(I::I32RotlImm), None), false),
        Operator::I32Rotr => ((I::I32Rotr, Some(I::I32RotrImm), None), false),
        Operator::I32Eq => ((I::I32Eq, Some(I::I32EqImm), Some(I::I32EqImm)), false),
        Operator::I32Ne => ((I::I32Ne, Some(I::I32NeImm), Some(I::I32NeImm)), false),
        Operator::I32LtS => ((I::I32LtS, Some(I::I32LtSImm), Some(I::I32GtSImm)), false),
        Operator::I32LtU => ((I::I32LtU, Some(I::I32LtUImm), Some(I::I32GtUImm)), false),
        Operator::I32GtS => ((I::I32GtS, Some(I::I32GtSImm), Some(I::I32LtSImm)), false),
        Operator::I32GtU => ((I::I32GtU, Some(I::I32GtUImm), Some(I::I32LtUImm)), false),
        Operator::I32LeS => ((I::I32LeS, Some(I::I32LeSImm), Some(I::I32GeSImm)), false),
        Operator::I32LeU => ((I::I32LeU, Some(I::I32LeUImm), Some(I::I32GeUImm)), false),
        Operator::I32GeS => ((I::I32GeS, Some(I::I32GeSImm), Some(I::I32LeSImm)), false),
        Operator::I32GeU => ((I::I32GeU, Some(I::I32GeUImm), Some(I::I32LeUImm)), false),
        Operator::I64Add => ((I::I64Add, Some(I::I64AddImm), Some(I::I64AddImm)), true),
        Operator::I64Sub => ((I::I64Sub, Some(I::I64SubImm), Some(I::I64RSubImm)), true),
        Operator::I64Mul => ((I::I64Mul, Some(I::I64MulImm), Some(I::I64MulImm)), true),
        Operator::I64DivS => ((I::I64DivS, None, None), true),
        Operator::I64DivU => ((I::I64DivU, None, None), true),
        Operator::I64RemS => ((I::I64RemS, None, None), true),
        Operator::I64RemU => ((I::I64RemU, None, None), true),
        Operator::I64And => ((I::I64And, Some(I::I64AndImm), Some(I::I64AndImm)), true),
        Operator::I64Or => ((I::I64Or, Some(I::I64OrImm), Some(I::I64OrImm)), true),
        Operator::I64Xor => ((I::I64Xor, Some(I::I64XorImm), Some(I::I64XorImm)), true),
        Operator::I64Shl => ((I::I64Shl, Some(I::I64ShlImm), None), true),
        Operator::I64ShrS => ((I::I64ShrS, Some(I::I64ShrSImm), None), true),
        Operator::I64ShrU => ((I::I64ShrU, Some(I::I64ShrUImm), None), true),
        Operator::I64Rotl => ((I::I64Rotl, None, None), true),
        Operator::I64Rotr => ((I::I64Rotr, None, None), true),
        Operator::I64Eq => ((I::I64Eq, None, None), true),
        Operator::I64Ne => ((I::I64Ne, None, None), true),
        Operator::I64LtS => ((I::I64LtS, None, None), true),
        Operator::I64LtU => ((I::I64LtU, None, None), true),
        Operator::I64GtS => ((I::I64GtS, None, None), true),
        Operator::I64GtU => ((I::I64GtU, None, None), true),
        Operator::I64LeS => ((I::I64LeS, None, None), true),
        Operator::I64LeU => ((I::I64LeU, None, None), true),
        Operator::I64GeS => ((I::I64GeS, None, None), true),
        Operator::I64GeU => ((I::I64GeU, None, None), true),
        Operator::F32Eq => ((I::F32Eq, None, None), false),
        Operator::F32Ne => ((I::F32Ne, None, None), false),
        Operator::F32Lt => ((I::F32Lt, None, None), false),
        Operator::F32Gt => ((I::F32Gt, None, None), false),
        Operator::F32Le => ((I::F32Le, None, None), false),
        Operator::F32Ge => ((I::F32Ge, None, None), false),
        Operator::F64Eq => ((I::F64Eq, None, None), false),
        Operator::F64Ne => ((I::F64Ne, None, None), false),
        Operator::F64Lt => ((I::F64Lt, None, None), false),
        Operator::F64Gt => ((I::F64Gt, None, None), false),
        Operator::F64Le => ((I::F64Le, None, None), false),
        Operator::F64Ge => ((I::F64Ge, None, None), false),
        Operator::F32Add => ((I::F32Add, None, None), false),
        Operator::F32Sub => ((I::F32Sub, None, None), false),
        Operator::F32Mul => ((I::F32Mul, None, None), false),
        Operator::F32Div => ((I::F32Div, None, None), false),
        Operator::F32Min => ((I::F32Min, None, None), false),
        Operator::F32Max => ((I::F32Max, None, None), false),
        Operator::F32Copysign => ((I::F32Copysign, None, None), false),
        Operator::F64Add => ((I::F64Add, None, None), false),
        Operator::F64Sub => ((I::F64Sub, None, None), false),
        Operator::F64Mul => ((I::F64Mul, None, None), false),
        Operator::F64Div => ((I::F64Div, None, None), false),
        Operator::F64Min => ((I::F64Min, None, None), false),
        Operator::F64Max => ((I::F64Max, None, None), false),
        Operator::F64Copysign => ((I::F64Copysign, None, None), false),
        _ => return None,
    })
}

fn unop(op: &Operator<'_>) -> Option<fn(R2) -> Instr> {
    use Instr as I;
    Some(match op {
        Operator::I32Eqz => I::I32Eqz,
        Operator::I64Eqz => I::I64Eqz,
        Operator::I32Clz => I::I32Clz,
        Operator::I32Ctz => I::I32Ctz,
        Operator::I32Popcnt => I::I32Popcnt,
        Operator::I64Clz => I::I64Clz,
        Operator::I64Ctz => I::I64Ctz,
        Operator::I64Popcnt => I::I64Popcnt,
        Operator::F32Abs => I::F32Abs,
        Operator::F32Neg => I::F32Neg,
        Operator::F32Ceil => I::F32Ceil,
        Operator::F32Floor => I::F32Floor,
        Operator::F32Trunc => I::F32Trunc,
        Operator::F32Nearest => I::F32Nearest,
        Operator::F32Sqrt => I::F32Sqrt,
        Operator::F64Abs => I::F64Abs,
        Operator::F64Neg => I::F64Neg,
        Operator::F64Ceil => I::F64Ceil,
        Operator::F64Floor => I::F64Floor,
        Operator::F64Trunc => I::F64Trunc,
        Operator::F64Nearest => I::F64Nearest,
        Operator::F64Sqrt => I::F64Sqrt,
        Operator::I32WrapI64 => I::I32WrapI64,
        Operator::I32TruncF32S => I::I32TruncF32S,
        Operator::I32TruncF32U => I::I32TruncF32U,
        Operator::I32TruncF64S => I::I32TruncF64S,
        Operator::I32TruncF64U => I::I32TruncF64U,
        Operator::I64ExtendI32S => I::I64ExtendI32S,
        Operator::I64ExtendI32U => I::I64ExtendI32U,
        Operator::I64TruncF32S => I::I64TruncF32S,
        Operator::I64TruncF32U => I::I64TruncF32U,
        Operator::I64TruncF64S => I::I64TruncF64S,
        Operator::I64TruncF64U => I::I64TruncF64U,
        Operator::F32ConvertI32S => I::F32ConvertI32S,
        Operator::F32ConvertI32U => I::F32ConvertI32U,
        Operator::F32ConvertI64S => I::F32ConvertI64S,
        Operator::F32ConvertI64U => I::F32ConvertI64U,
        Operator::F32DemoteF64 => I::F32DemoteF64,
        Operator::F64ConvertI32S => I::F64ConvertI32S,
        Operator::F64ConvertI32U => I::F64ConvertI32U,
        Operator::F64ConvertI64S => I::F64ConvertI64S,
        Operator::F64ConvertI64U => I::F64ConvertI64U,
        Operator::F64PromoteF32 => I::F64PromoteF32,
        Operator::I32Extend8S => I::I32Extend8S,
        Operator::I32Extend16S => I::I32Extend16S,
        Operator::I64Extend8S => I::I64Extend8S,
        Operator::I64Extend16S => I::I64Extend16S,
        Operator::I64Extend32S => I::I64Extend32S,
        Operator::I32TruncSatF32S => I::I32TruncSatF32S,
        Operator::I32TruncSatF32U => I::I32TruncSatF32U,
        Operator::I32TruncSatF64S => I::I32TruncSatF64S,
        Operator::I32TruncSatF64U => I::I32TruncSatF64U,
        Operator::I64TruncSatF32S => I::I64TruncSatF32S,
        Operator::I64TruncSatF32U => I::I64TruncSatF32U,
        Operator::I64TruncSatF64S => I::I64TruncSatF64S,
        Operator::I64TruncSatF64U => I::I64TruncSatF64U,
        Operator::RefIsNull => I::RefIsNull,
        _ => return None,
    })
}

/// A memory instruction's constructors: its address in a register, and constant.
type MemForms = (fn(Mem) -> Instr, fn(Mem) -> Instr);

/// A memory instruction's constructors, whether it loads, its width in bytes and its offset.
type MemOp = (MemForms, bool, u32, u64);

/// Where a memory access ends, as [`Mem::end`] holds it.
enum End {
    /// Past a constant address: the instruction's own.
    Constant(u32),
    /// Past the address in a register.
    Register(u32),
    /// The offset and the width pass 32 bits: the access traps, whatever the address.
    Past32Bits,
}

/// A load's constructors and memarg, or a store's (`false`).
fn memop(op: &Operator<'_>) -> Option<MemOp> {
    use Instr as I;
    Some(match *op {
        Operator::I32Load { memarg } | Operator::F32Load { memarg } => {
            ((I::I32Load, I::I32LoadAt), true, 4, memarg.offset)
        }
        Operator::I64Load { memarg } | Operator::F64Load { memarg } => {
            ((I::I64Load, I::I64LoadAt), true, 8, memarg.offset)
        }
        Operator::I32Load8S { memarg } => ((I::I32Load8S, I::I32Load8SAt), true, 1, memarg.offset),
        Operator::I32Load8U { memarg } => ((I::I32Load8U, I::I32Load8UAt), true, 1, memarg.offset),
        Operator::I32Load16S { memarg } => {
            ((I::I32Load16S, I::I32Load16SAt), true, 2, memarg.offset)
        }
        Operator::I32Load16U { memarg } => {
            ((I::I32Load16U, I::I32Load16UAt), true, 2, memarg.offset)
        }
        Operator::I64Load8S { memarg } => ((I::I64Load8S, I::I64Load8SAt), true, 1, memarg.offset),
        Operator::I64Load8U { memarg } => ((I::I64Load8U, I::I64Load8UAt), true, 1, memarg.offset),
        Operator::I64Load16S { memarg } => {
            ((I::I64Load16S, I::I64Load16SAt), true, 2, memarg.offset)
        }
        Operator::I64Load16U { memarg } => {
            ((I::I64Load16U, I::I64Load16UAt), true, 2, memarg.offset)
        }
        Operator::I64Load32S { memarg } => {
            ((I::I64Load32S, I::I64Load32SAt), true, 4, memarg.offset)
        }
        Operator::I64Load32U { memarg } => {
            ((I::I64Load32U, I::I64Load32UAt), true, 4, memarg.offset)
        }
        Operator::I32Store { memarg }
        | Operator::F32Store { memarg }
        | Operator::I64Store32 { memarg } => {
            ((I::I32Store, I::I32StoreAt), false, 4, memarg.offset)
        }
        Operator::I64Store { memarg } | Operator::F64Store { memarg } => {
            ((I::I64Store, I::I64StoreAt), false, 8, memarg.offset)
        }
        Operator::I32Store8 { memarg } | Operator::I64Store8 { memarg } => {
            ((I::I32Store8, I::I32Store8At), false, 1, memarg.offset)
        }
        Operator::I32Store16 { memarg } | Operator::I64Store16 { memarg } => {
            ((I::I32Store16, I::I32Store16At), false, 2, memarg.offset)
        }
        _ => return None,
    })
}

fn op_to_instr(t: &mut Translator<'_>, op: Operator<'_>) -> Result<(), Error> {
    use Instr as I;
    // Structured control is tracked even in dead code so `else`/`end` pair up.
    match op {
        Operator::Block { blockty } => {
            t.materialize_all();
            t.last_result = None;
            t.push_ctrl(Kind::Block, blockty)?;
            return Ok(());
        }
        Operator::Loop { blockty } => {
            t.materialize_all();
            t.last_result = None;
            t.push_ctrl(Kind::Loop, blockty)?;
            return Ok(());
        }
        Operator::If { blockty } => {
            let jump = if t.reachable {
                Some(t.cond_branch(false))
            } else {
                None
            };
            t.materialize_all();
            t.push_ctrl(Kind::If, blockty)?;
            if let Some(jump) = jump {
                let at = t.emit(jump);
                t.ctrl.last_mut().expect("if frame").else_fixup = Some(at);
            }
            return Ok(());
        }
        Operator::Else => {
            let frame = t.ctrl.last().expect("else frame");
            let (height, params) = (frame.height, frame.params);
            if t.reachable {
                t.materialize_all();
                let pc = t.emit(I::Br { target: u32::MAX });
                t.ctrl.last_mut().expect("else frame").fixups.push(pc);
            }
            let pc = t.pc();
            let frame = t.ctrl.last_mut().expect("else frame");
            let fix = frame.else_fixup.take();
            t.reachable = frame.entry_reachable;
            if let Some(at) = fix {
                t.patch(at, pc);
            }
            t.reset_stack(height, params);
            t.last_result = None;
            return Ok(());
        }
        Operator::End => {
            if t.reachable {
                t.materialize_all();
            }
            t.last_result = None;
            if t.ctrl.len() == 1 {
                // Function end: every branch to the body label lands on the return.
                let frame = t.ctrl.pop().expect("function frame");
                let pc = t.pc();
                for at in frame.fixups {
                    t.patch(at, pc);
                }
                let src = t.num_locals;
                t.emit(I::Return {
                    src,
                    keep: frame.results,
                });
                return Ok(());
            }
            let frame = t.ctrl.pop().expect("end frame");
            let pc = t.pc();
            for at in frame.fixups.iter().copied().chain(frame.else_fixup) {
                t.patch(at, pc);
            }
            t.reachable = frame.entry_reachable;
            t.reset_stack(frame.height, frame.results);
            return Ok(());
        }
        _ if !t.reachable => return Ok(()),
        _ => {}
    }
    if let Some((forms, wide)) = binop(&op) {
        t.binop(forms, wide);
        return Ok(());
    }
    if let Some(f) = unop(&op) {
        t.unop(f);
        return Ok(());
    }
    if let Some((forms, is_load, width, offset)) = memop(&op) {
        let offset = u32::try_from(offset).map_err(|_| Error::Invalid {
            offset: t.offset as u64,
            message: "memarg offset out of range".into(),
        })?;
        if is_load {
            t.load(forms, offset, width)
        } else {
            t.store(forms, offset, width)
        }
        return Ok(());
    }
    match op {
        Operator::Unreachable => {
            t.emit(I::Unreachable);
            t.reachable = false;
        }
        Operator::Nop => {}
        Operator::Br { relative_depth } => {
            t.materialize_all();
            if relative_depth as usize == t.ctrl.len() - 1 {
                t.ret();
            } else {
                t.branch(relative_depth, I::Br { target: u32::MAX });
            }
            t.reachable = false;
        }
        Operator::BrIf { relative_depth } => {
            let jump = t.cond_branch(true);
            t.materialize_all();
            t.branch(relative_depth, jump);
            t.last_result = None;
        }
        Operator::BrTable { targets } => {
            let index = t.pop();
            let pos = t.stack.len();
            let index = t.reg(index, pos);
            t.materialize_all();
            let depths = targets
                .targets()
                .chain(core::iter::once(Ok(targets.default())))
                .collect::<Result<Vec<_>, _>>()?;
            t.emit(I::BrTable {
                index,
                len: targets.len(),
            });
            let entries: Vec<u32> = depths
                .iter()
                .map(|_| t.emit(I::Br { target: u32::MAX }))
                .collect();
            for (depth, entry) in depths.into_iter().zip(entries) {
                let at = t.ctrl.len() - 1 - depth as usize;
                let keep = t.ctrl[at].label_arity();
                let src = t.slot(t.stack.len() - keep as usize);
                let dst = t.num_locals + t.ctrl[at].height;
                if keep == 0 || src == dst {
                    t.link(at, entry);
                } else {
                    let here = t.pc();
                    t.patch(entry, here);
                    t.branch(depth, I::Br { target: u32::MAX });
                }
            }
            t.reachable = false;
        }
        Operator::Return => {
            t.ret();
            t.reachable = false;
        }
        Operator::Call { function_index } => {
            let ty = t.signature(
                t.module.func_type(function_index),
                "function",
                function_index,
            )?;
            let (p, r) = (ty.params.len(), ty.results.len());
            t.call(p, r, |base| I::Call {
                func: function_index,
                base,
            });
        }
        Operator::CallIndirect {
            type_index,
            table_index,
        } => {
            let ty = t.signature(t.module.type_at(type_index), "type", type_index)?;
            let (p, r) = (ty.params.len(), ty.results.len());
            t.call(p + 1, r, |base| I::CallIndirect {
                ty: type_index,
                table: table_index,
                index: base + p as u32,
            });
        }
        Operator::Drop => {
            t.pop();
        }
        Operator::Select | Operator::TypedSelect { .. } => {
            let c = t.pop();
            let b = t.pop();
            let a = t.pop();
            let pos = t.stack.len();
            let cond = t.reg(c, pos + 2);
            let a = t.reg(a, pos);
            let b = t.reg(b, pos + 1);
            let dst = t.slot(pos);
            let select = match (u16::try_from(a), u16::try_from(b)) {
                (Ok(a), Ok(b)) => I::SelectOn {
                    cond,
                    dst,
                    a_b: u32::from(a) | u32::from(b) << 16,
                },
                _ => {
                    if cond != t.slot(pos + 2) {
                        t.emit(I::Copy {
                            dst: t.slot(pos + 2),
                            src: cond,
                        });
                    }
                    I::Select { dst, a, b }
                }
            };
            let pc = t.emit(select);
            t.push_result(pc);
        }
        Operator::LocalGet { local_index } => t.push(Opd::Local(local_index)),
        Operator::LocalSet { local_index } => t.set_local(local_index),
        Operator::LocalTee { local_index } => {
            t.set_local(local_index);
            t.push(Opd::Local(local_index));
        }
        Operator::GlobalGet { global_index } => {
            let pc = t.emit(I::GlobalGet {
                dst: t.slot(t.stack.len()),
                global: global_index,
            });
            t.push_result(pc);
        }
        Operator::GlobalSet { global_index } => {
            let v = t.pop();
            let pos = t.stack.len();
            let src = t.reg(v, pos);
            t.emit(I::GlobalSet {
                src,
                global: global_index,
            });
        }
        Operator::I32Const { value } => t.push(Opd::Const(value as u32 as u64)),
        Operator::I64Const { value } => t.push(Opd::Const(value as u64)),
        Operator::F32Const { value } => t.push(Opd::Const(value.bits() as u64)),
        Operator::F64Const { value } => t.push(Opd::Const(value.bits())),
        Operator::RefNull { .. } => t.push(Opd::Const(0)),
        Operator::RefFunc { function_index } => {
            let pc = t.emit(I::RefFunc {
                dst: t.slot(t.stack.len()),
                func: function_index,
            });
            t.push_result(pc);
        }
        // Reinterpretations are no-ops on untyped slots.
        Operator::I32ReinterpretF32
        | Operator::I64ReinterpretF64
        | Operator::F32ReinterpretI32
        | Operator::F64ReinterpretI64 => {}
        Operator::MemorySize { .. } => {
            let pc = t.emit(I::MemorySize {
                dst: t.slot(t.stack.len()),
            });
            t.push_result(pc);
        }
        Operator::MemoryGrow { .. } => {
            let delta = t.pop();
            let pos = t.stack.len();
            let delta = t.reg(delta, pos);
            let pc = t.emit(I::MemoryGrow {
                dst: t.slot(pos),
                delta,
            });
            t.push_result(pc);
        }
        Operator::TableGet { table } => {
            let index = t.pop();
            let pos = t.stack.len();
            let index = t.reg(index, pos);
            let pc = t.emit(I::TableGet {
                dst: t.slot(pos),
                index,
                table,
            });
            t.push_result(pc);
        }
        Operator::TableSize { table } => {
            let pc = t.emit(I::TableSize {
                dst: t.slot(t.stack.len()),
                table,
            });
            t.push_result(pc);
        }
        Operator::TableSet { table } => {
            let base = t.consecutive(2);
            t.emit(I::TableSet { table, base });
        }
        Operator::TableGrow { table } => {
            let base = t.consecutive(2);
            t.emit(I::TableGrow { table, base });
            t.push(Opd::Temp);
        }
        Operator::TableFill { table } => {
            let base = t.consecutive(3);
            t.emit(I::TableFill { table, base });
        }
        Operator::TableCopy {
            dst_table,
            src_table,
        } => {
            let base = t.consecutive(3);
            t.emit(I::TableCopy {
                dst_table,
                src_table,
                base,
            });
        }
        Operator::TableInit { elem_index, table } => {
            let base = t.consecutive(3);
            t.emit(I::TableInit {
                table,
                elem: elem_index,
                base,
            });
        }
        Operator::ElemDrop { elem_index } => {
            t.emit(I::ElemDrop(elem_index));
        }
        Operator::MemoryInit { data_index, .. } => {
            let base = t.consecutive(3);
            t.emit(I::MemoryInit {
                data: data_index,
                base,
            });
        }
        Operator::DataDrop { data_index } => {
            t.emit(I::DataDrop(data_index));
        }
        Operator::MemoryCopy { .. } => {
            let base = t.consecutive(3);
            t.emit(I::MemoryCopy { base });
        }
        Operator::MemoryFill { .. } => {
            let base = t.consecutive(3);
            t.emit(I::MemoryFill { base });
        }
        other => {
            return Err(Error::Unsupported {
                offset: t.offset as u64,
                what: alloc::format!("operator {other:?}"),
            });
        }
    }
    Ok(())
}
