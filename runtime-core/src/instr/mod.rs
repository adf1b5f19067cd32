//! The internal instruction set. Wasm's operand stack is resolved at translation time into frame slots
//! ("registers", indices relative to the frame pointer: locals first, then one slot per operand stack
//! height), so an instruction names where it reads and writes. Branch targets are internal pcs.
//!
//! The set is described once, below: a line per instruction with its operands and their roles
//! (which is the destination, the branch target, the compare-and-branch or inverted branch it
//! becomes, the accumulator form and the operand that takes), from which `instructions!`
//! (`generate.rs`) makes [`Instr`], its accumulator forms, the opcodes ([`op`]) and the tables.
//! An accumulator form takes its first operand (an address, a stored value, a condition, a
//! copy's source) from the accumulator, the previous instruction's result, which that also
//! wrote to its register: chosen after translation for an instruction that uses the result of
//! the one before it and that no jump lands on (see [`Instr::acc_form`]).

#[macro_use]
mod generate;

/// `dst = a OP b` on registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R3 {
    /// Destination register.
    pub dst: u32,
    /// Left operand register.
    pub a: u32,
    /// Right operand register.
    pub b: u32,
}

/// `dst = a OP imm` with a sign-extended 32-bit immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RI {
    /// Destination register.
    pub dst: u32,
    /// Left operand register.
    pub a: u32,
    /// Right operand, immediate.
    pub imm: i32,
}

/// `dst = OP a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2 {
    /// Destination register.
    pub dst: u32,
    /// Operand register.
    pub a: u32,
}

/// A load (`reg` = destination) or store (`reg` = value) at `addr + offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mem {
    /// Value register: loaded into or stored from.
    pub reg: u32,
    /// Address register; in the `...At` forms (a constant address) the address the access starts at.
    pub addr: u32,
    /// Where the access ends past the address register: the memarg's offset plus the width, so
    /// the bounds check is one compare. In the `...At` forms, the address the access ends at.
    pub end: u32,
}

impl R3 {
    /// The compare-and-branch on these operands (see [`Instr::branch_form`]), its target not
    /// linked yet.
    pub(crate) fn branch(self) -> BrR {
        BrR {
            a: self.a,
            b: self.b,
            target: u32::MAX,
        }
    }
}

impl RI {
    /// The compare-and-branch on these operands (see [`Instr::branch_form`]), its target not
    /// linked yet.
    pub(crate) fn branch(self) -> BrI {
        BrI {
            a: self.a,
            imm: self.imm,
            target: u32::MAX,
        }
    }
}

/// A compare-and-branch on two registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrR {
    /// Left register.
    pub a: u32,
    /// Right register.
    pub b: u32,
    /// Internal pc to jump to when the comparison holds.
    pub target: u32,
}

/// A compare-and-branch of a register against an immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrI {
    /// Left register.
    pub a: u32,
    /// Right operand, immediate.
    pub imm: i32,
    /// Internal pc to jump to when the comparison holds.
    pub target: u32,
}

instructions! {
// The `$` of the macros the description defines (which a macro cannot write itself).
$
/// One internal instruction. Each maps back to the byte offset of the Wasm operator it came from.
#[allow(missing_docs)] // Variants mirror the Wasm operators of the same name.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(u16)]
pub enum Instr {
    // Without operands.
    Unreachable,
    /// A load or store whose offset and width pass 32 bits: it traps, whatever the address.
    OutOfBounds;
    // With operands, and the roles of those (see `generate`).
    /// A breakpoint patched over the original instruction; the id names the patch.
    Break(u32),
    /// Unconditional jump to an internal pc.
    Br { target: u32 } target(target),
    BrIfNez { cond: u32, target: u32 } target(target) not(BrIfEqz) acc(cond => BrIfNezAcc),
    BrIfEqz { cond: u32, target: u32 } target(target) not(BrIfNez) acc(cond => BrIfEqzAcc),
    /// The `len + 1` instructions that follow are `Br`s; the register picks one (the last is the default).
    BrTable { index: u32, len: u32 },
    /// Copies `n` consecutive registers (overlap-safe): branch results moving to their label's slots.
    CopyMany { dst: u32, src: u32, n: u32 },
    /// Returns the `keep` registers from `src` to the caller.
    Return { src: u32, keep: u32 },
    /// Calls module function `func`; arguments and then results occupy registers from `base`.
    Call { func: u32, base: u32 },
    /// Calls through a table; the index is in register `index`, arguments just below it.
    CallIndirect { ty: u32, table: u32, index: u32 },
    /// `dst = cond ? a : b` with the condition in register `dst + 2`: the form for operands past
    /// the `u16` registers [`Instr::SelectOn`] packs.
    Select { dst: u32, a: u32, b: u32 },
    /// `dst = cond ? a : b`, registers `a` and `b` packed as `a | b << 16`. Its condition named,
    /// the result can go straight to a local and a local condition needs no copy. (Bytes 2 and 3,
    /// beside the tag, stay unused: a field there costs every dispatch a narrower tag load.)
    SelectOn { cond: u32, dst: u32, a_b: u32 } dst(dst),
    Copy { dst: u32, src: u32 } dst(dst) acc(src => CopyAcc),
    Const32 { dst: u32, value: u32 } dst(dst),
    Const64 { dst: u32, value: u64 } dst(dst),
    GlobalGet { dst: u32, global: u32 } dst(dst),
    GlobalSet { src: u32, global: u32 },
    TableGet { dst: u32, index: u32, table: u32 } rare(dst),
    /// Index in `base`, reference in `base + 1`.
    TableSet { table: u32, base: u32 } rare(),
    TableSize { dst: u32, table: u32 } rare(dst),
    /// Init reference in `base`, delta in `base + 1`; the result replaces `base`.
    TableGrow { table: u32, base: u32 } rare(),
    /// Destination, value and count in `base..base + 3`.
    TableFill { table: u32, base: u32 } rare(),
    /// Destination, source and count in `base..base + 3`.
    TableCopy { dst_table: u32, src_table: u32, base: u32 } rare(),
    /// Destination, source and count in `base..base + 3`.
    TableInit { table: u32, elem: u32, base: u32 } rare(),
    ElemDrop(u32) rare(),
    MemorySize { dst: u32 } rare(dst),
    MemoryGrow { dst: u32, delta: u32 } rare(dst),
    /// Destination, source and count in `base..base + 3`.
    MemoryInit { data: u32, base: u32 } rare(),
    DataDrop(u32) rare(),
    /// Destination, source and count in `base..base + 3`.
    MemoryCopy { base: u32 } rare(),
    /// Destination, value and count in `base..base + 3`.
    MemoryFill { base: u32 } rare(),
    RefNull { dst: u32 } rare(dst),
    RefIsNull(R2) rare(dst),
    RefFunc { dst: u32, func: u32 } rare(dst),

    I32Load(Mem) dst(reg) acc(addr => I32LoadAcc),
    I64Load(Mem) dst(reg) acc(addr => I64LoadAcc),
    I32Load8S(Mem) dst(reg) acc(addr => I32Load8SAcc),
    I32Load8U(Mem) dst(reg) acc(addr => I32Load8UAcc),
    I32Load16S(Mem) dst(reg) acc(addr => I32Load16SAcc),
    I32Load16U(Mem) dst(reg) acc(addr => I32Load16UAcc),
    I64Load8S(Mem) dst(reg),
    I64Load8U(Mem) dst(reg),
    I64Load16S(Mem) dst(reg),
    I64Load16U(Mem) dst(reg),
    I64Load32S(Mem) dst(reg),
    I64Load32U(Mem) dst(reg),
    I32Store(Mem) acc(reg => I32StoreAcc),
    I64Store(Mem) acc(reg => I64StoreAcc),
    I32Store8(Mem) acc(reg => I32Store8Acc),
    I32Store16(Mem) acc(reg => I32Store16Acc),
    /// The loads and stores above at a constant address (`i32.const A` then the access with
    /// offset `O`): `A + O` is in `offset`, and `addr` is unused. A C program's globals in
    /// memory are read and written this way.
    I32LoadAt(Mem) dst(reg),
    I64LoadAt(Mem) dst(reg),
    I32Load8SAt(Mem) dst(reg),
    I32Load8UAt(Mem) dst(reg),
    I32Load16SAt(Mem) dst(reg),
    I32Load16UAt(Mem) dst(reg),
    I64Load8SAt(Mem) dst(reg),
    I64Load8UAt(Mem) dst(reg),
    I64Load16SAt(Mem) dst(reg),
    I64Load16UAt(Mem) dst(reg),
    I64Load32SAt(Mem) dst(reg),
    I64Load32UAt(Mem) dst(reg),
    I32StoreAt(Mem) acc(reg => I32StoreAtAcc),
    I64StoreAt(Mem) acc(reg => I64StoreAtAcc),
    I32Store8At(Mem),
    I32Store16At(Mem),

    I32BrEq(BrR) target(target) not(I32BrNe) acc(a => I32BrEqAcc),
    I32BrNe(BrR) target(target) not(I32BrEq) acc(a => I32BrNeAcc),
    I32BrLtS(BrR) target(target) not(I32BrGeS) acc(a => I32BrLtSAcc),
    I32BrLtU(BrR) target(target) not(I32BrGeU) acc(a => I32BrLtUAcc),
    I32BrGtS(BrR) target(target) not(I32BrLeS) acc(a => I32BrGtSAcc),
    I32BrGtU(BrR) target(target) not(I32BrLeU) acc(a => I32BrGtUAcc),
    I32BrLeS(BrR) target(target) not(I32BrGtS) acc(a => I32BrLeSAcc),
    I32BrLeU(BrR) target(target) not(I32BrGtU) acc(a => I32BrLeUAcc),
    I32BrGeS(BrR) target(target) not(I32BrLtS) acc(a => I32BrGeSAcc),
    I32BrGeU(BrR) target(target) not(I32BrLtU) acc(a => I32BrGeUAcc),
    I32BrEqImm(BrI) target(target) not(I32BrNeImm) acc(a => I32BrEqImmAcc),
    I32BrNeImm(BrI) target(target) not(I32BrEqImm) acc(a => I32BrNeImmAcc),
    I32BrLtSImm(BrI) target(target) not(I32BrGeSImm) acc(a => I32BrLtSImmAcc),
    I32BrLtUImm(BrI) target(target) not(I32BrGeUImm) acc(a => I32BrLtUImmAcc),
    I32BrGtSImm(BrI) target(target) not(I32BrLeSImm) acc(a => I32BrGtSImmAcc),
    I32BrGtUImm(BrI) target(target) not(I32BrLeUImm) acc(a => I32BrGtUImmAcc),
    I32BrLeSImm(BrI) target(target) not(I32BrGtSImm) acc(a => I32BrLeSImmAcc),
    I32BrLeUImm(BrI) target(target) not(I32BrGtUImm) acc(a => I32BrLeUImmAcc),
    I32BrGeSImm(BrI) target(target) not(I32BrLtSImm) acc(a => I32BrGeSImmAcc),
    I32BrGeUImm(BrI) target(target) not(I32BrLtUImm) acc(a => I32BrGeUImmAcc),
    I64BrEq(BrR) target(target) not(I64BrNe) acc(a => I64BrEqAcc),
    I64BrNe(BrR) target(target) not(I64BrEq) acc(a => I64BrNeAcc),
    I64BrLtS(BrR) target(target) not(I64BrGeS) acc(a => I64BrLtSAcc),
    I64BrLtU(BrR) target(target) not(I64BrGeU) acc(a => I64BrLtUAcc),
    I64BrGtS(BrR) target(target) not(I64BrLeS) acc(a => I64BrGtSAcc),
    I64BrGtU(BrR) target(target) not(I64BrLeU) acc(a => I64BrGtUAcc),
    I64BrLeS(BrR) target(target) not(I64BrGtS) acc(a => I64BrLeSAcc),
    I64BrLeU(BrR) target(target) not(I64BrGtU) acc(a => I64BrLeUAcc),
    I64BrGeS(BrR) target(target) not(I64BrLtS) acc(a => I64BrGeSAcc),
    I64BrGeU(BrR) target(target) not(I64BrLtU) acc(a => I64BrGeUAcc),

    I32Eqz(R2) dst(dst) acc(a => I32EqzAcc),
    I64Eqz(R2) dst(dst),
    I32Eq(R3) dst(dst) br(I32BrEq),
    I32Ne(R3) dst(dst) br(I32BrNe),
    I32LtS(R3) dst(dst) br(I32BrLtS),
    I32LtU(R3) dst(dst) br(I32BrLtU),
    I32GtS(R3) dst(dst) br(I32BrGtS),
    I32GtU(R3) dst(dst) br(I32BrGtU),
    I32LeS(R3) dst(dst) br(I32BrLeS),
    I32LeU(R3) dst(dst) br(I32BrLeU),
    I32GeS(R3) dst(dst) br(I32BrGeS),
    I32GeU(R3) dst(dst) br(I32BrGeU),
    I32EqImm(RI) dst(dst) br(I32BrEqImm) acc(a => I32EqImmAcc),
    I32NeImm(RI) dst(dst) br(I32BrNeImm) acc(a => I32NeImmAcc),
    I32LtSImm(RI) dst(dst) br(I32BrLtSImm) acc(a => I32LtSImmAcc),
    I32LtUImm(RI) dst(dst) br(I32BrLtUImm) acc(a => I32LtUImmAcc),
    I32GtSImm(RI) dst(dst) br(I32BrGtSImm) acc(a => I32GtSImmAcc),
    I32GtUImm(RI) dst(dst) br(I32BrGtUImm) acc(a => I32GtUImmAcc),
    I32LeSImm(RI) dst(dst) br(I32BrLeSImm),
    I32LeUImm(RI) dst(dst) br(I32BrLeUImm),
    I32GeSImm(RI) dst(dst) br(I32BrGeSImm),
    I32GeUImm(RI) dst(dst) br(I32BrGeUImm),
    I64Eq(R3) dst(dst) br(I64BrEq),
    I64Ne(R3) dst(dst) br(I64BrNe),
    I64LtS(R3) dst(dst) br(I64BrLtS),
    I64LtU(R3) dst(dst) br(I64BrLtU),
    I64GtS(R3) dst(dst) br(I64BrGtS),
    I64GtU(R3) dst(dst) br(I64BrGtU),
    I64LeS(R3) dst(dst) br(I64BrLeS),
    I64LeU(R3) dst(dst) br(I64BrLeU),
    I64GeS(R3) dst(dst) br(I64BrGeS),
    I64GeU(R3) dst(dst) br(I64BrGeU),
    F32Eq(R3) dst(dst),
    F32Ne(R3) dst(dst),
    F32Lt(R3) dst(dst),
    F32Gt(R3) dst(dst),
    F32Le(R3) dst(dst),
    F32Ge(R3) dst(dst),
    F64Eq(R3) dst(dst),
    F64Ne(R3) dst(dst),
    F64Lt(R3) dst(dst),
    F64Gt(R3) dst(dst),
    F64Le(R3) dst(dst),
    F64Ge(R3) dst(dst),

    I32Clz(R2) dst(dst),
    I32Ctz(R2) dst(dst),
    I32Popcnt(R2) dst(dst),
    I32Add(R3) dst(dst) acc(a => I32AddAcc),
    I32Sub(R3) dst(dst) acc(a => I32SubAcc),
    I32Mul(R3) dst(dst) acc(a => I32MulAcc),
    I32DivS(R3) dst(dst),
    I32DivU(R3) dst(dst),
    I32RemS(R3) dst(dst),
    I32RemU(R3) dst(dst),
    I32And(R3) dst(dst) acc(a => I32AndAcc),
    I32Or(R3) dst(dst) acc(a => I32OrAcc),
    I32Xor(R3) dst(dst) acc(a => I32XorAcc),
    I32Shl(R3) dst(dst) acc(a => I32ShlAcc),
    I32ShrS(R3) dst(dst) acc(a => I32ShrSAcc),
    I32ShrU(R3) dst(dst) acc(a => I32ShrUAcc),
    I32Rotl(R3) dst(dst),
    I32Rotr(R3) dst(dst),
    I32AddImm(RI) dst(dst) acc(a => I32AddImmAcc),
    /// `dst = a + (b << shift)`, an array element's address (C's `p[i]`), with the shifted
    /// register and the shift packed as `b << 5 | shift`.
    I32AddShl { dst: u32, a: u32, b_shift: u32 } dst(dst),
    I32SubImm(RI) dst(dst) acc(a => I32SubImmAcc),
    /// `dst = imm - a`.
    I32RSubImm(RI) dst(dst),
    I32MulImm(RI) dst(dst) acc(a => I32MulImmAcc),
    I32AndImm(RI) dst(dst) acc(a => I32AndImmAcc),
    I32OrImm(RI) dst(dst) acc(a => I32OrImmAcc),
    I32XorImm(RI) dst(dst) acc(a => I32XorImmAcc),
    I32ShlImm(RI) dst(dst) acc(a => I32ShlImmAcc),
    I32ShrSImm(RI) dst(dst) acc(a => I32ShrSImmAcc),
    I32ShrUImm(RI) dst(dst) acc(a => I32ShrUImmAcc),
    /// `dst = (a >> shift) & mask`, a bit field (C's `x >> s & m`) with the operand register
    /// and the shift packed as `a << 5 | shift`.
    I32ShrUAndImm { dst: u32, a_shift: u32, mask: u32 } dst(dst),
    I32RotlImm(RI) dst(dst),
    I32RotrImm(RI) dst(dst),
    I64Clz(R2) dst(dst),
    I64Ctz(R2) dst(dst),
    I64Popcnt(R2) dst(dst),
    I64Add(R3) dst(dst) acc(a => I64AddAcc),
    I64Sub(R3) dst(dst) acc(a => I64SubAcc),
    I64Mul(R3) dst(dst) acc(a => I64MulAcc),
    I64DivS(R3) dst(dst),
    I64DivU(R3) dst(dst),
    I64RemS(R3) dst(dst),
    I64RemU(R3) dst(dst),
    I64And(R3) dst(dst) acc(a => I64AndAcc),
    I64Or(R3) dst(dst) acc(a => I64OrAcc),
    I64Xor(R3) dst(dst) acc(a => I64XorAcc),
    I64Shl(R3) dst(dst) acc(a => I64ShlAcc),
    I64ShrS(R3) dst(dst),
    I64ShrU(R3) dst(dst) acc(a => I64ShrUAcc),
    I64Rotl(R3) dst(dst),
    I64Rotr(R3) dst(dst),
    I64AddImm(RI) dst(dst) acc(a => I64AddImmAcc),
    I64SubImm(RI) dst(dst) acc(a => I64SubImmAcc),
    /// `dst = imm - a`.
    I64RSubImm(RI) dst(dst),
    I64MulImm(RI) dst(dst) acc(a => I64MulImmAcc),
    I64AndImm(RI) dst(dst) acc(a => I64AndImmAcc),
    I64OrImm(RI) dst(dst),
    I64XorImm(RI) dst(dst) acc(a => I64XorImmAcc),
    I64ShlImm(RI) dst(dst) acc(a => I64ShlImmAcc),
    I64ShrSImm(RI) dst(dst),
    I64ShrUImm(RI) dst(dst) acc(a => I64ShrUImmAcc),

    F32Abs(R2) dst(dst),
    F32Neg(R2) dst(dst),
    F32Ceil(R2) dst(dst),
    F32Floor(R2) dst(dst),
    F32Trunc(R2) dst(dst),
    F32Nearest(R2) dst(dst),
    F32Sqrt(R2) dst(dst),
    F32Add(R3) dst(dst),
    F32Sub(R3) dst(dst),
    F32Mul(R3) dst(dst),
    F32Div(R3) dst(dst),
    F32Min(R3) dst(dst),
    F32Max(R3) dst(dst),
    F32Copysign(R3) dst(dst),
    F64Abs(R2) dst(dst),
    F64Neg(R2) dst(dst),
    F64Ceil(R2) dst(dst),
    F64Floor(R2) dst(dst),
    F64Trunc(R2) dst(dst),
    F64Nearest(R2) dst(dst),
    F64Sqrt(R2) dst(dst),
    F64Add(R3) dst(dst),
    F64Sub(R3) dst(dst),
    F64Mul(R3) dst(dst),
    F64Div(R3) dst(dst),
    F64Min(R3) dst(dst),
    F64Max(R3) dst(dst),
    F64Copysign(R3) dst(dst),

    I32WrapI64(R2) dst(dst) acc(a => I32WrapI64Acc),
    I32TruncF32S(R2) dst(dst),
    I32TruncF32U(R2) dst(dst),
    I32TruncF64S(R2) dst(dst),
    I32TruncF64U(R2) dst(dst),
    I64ExtendI32S(R2) dst(dst) acc(a => I64ExtendI32SAcc),
    I64ExtendI32U(R2) dst(dst) acc(a => I64ExtendI32UAcc),
    I64TruncF32S(R2) dst(dst),
    I64TruncF32U(R2) dst(dst),
    I64TruncF64S(R2) dst(dst),
    I64TruncF64U(R2) dst(dst),
    F32ConvertI32S(R2) dst(dst),
    F32ConvertI32U(R2) dst(dst),
    F32ConvertI64S(R2) dst(dst),
    F32ConvertI64U(R2) dst(dst),
    F32DemoteF64(R2) dst(dst),
    F64ConvertI32S(R2) dst(dst),
    F64ConvertI32U(R2) dst(dst),
    F64ConvertI64S(R2) dst(dst),
    F64ConvertI64U(R2) dst(dst),
    F64PromoteF32(R2) dst(dst),
    I32Extend8S(R2) dst(dst) acc(a => I32Extend8SAcc),
    I32Extend16S(R2) dst(dst) acc(a => I32Extend16SAcc),
    I64Extend8S(R2) dst(dst),
    I64Extend16S(R2) dst(dst),
    I64Extend32S(R2) dst(dst),
    I32TruncSatF32S(R2) dst(dst),
    I32TruncSatF32U(R2) dst(dst),
    I32TruncSatF64S(R2) dst(dst),
    I32TruncSatF64U(R2) dst(dst),
    I64TruncSatF32S(R2) dst(dst),
    I64TruncSatF32U(R2) dst(dst),
    I64TruncSatF64S(R2) dst(dst),
    I64TruncSatF64U(R2) dst(dst),
}
}

impl Instr {
    /// The instruction's opcode (see [`op`]): what the interpreter dispatches on.
    #[inline(always)]
    pub fn opcode(&self) -> u16 {
        // SAFETY: `Instr` is `repr(u16)`, so it starts with its `u16` tag (the primitive
        // representation of an enum with fields, RFC 2195), and the tags are the variants' indices.
        unsafe { *(self as *const Instr).cast::<u16>() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_small() {
        assert!(
            core::mem::size_of::<Instr>() <= 16,
            "Instr grew to {}",
            core::mem::size_of::<Instr>()
        );
    }

    #[test]
    fn branch_targets_are_patchable() {
        let mut i = Instr::I32BrLtSImm(BrI {
            a: 1,
            imm: 5,
            target: 0,
        });
        *i.target_mut().unwrap() = 42;
        assert_eq!(
            i,
            Instr::I32BrLtSImm(BrI {
                a: 1,
                imm: 5,
                target: 42
            })
        );
        assert!(
            Instr::Copy { dst: 0, src: 1 }
                .clone()
                .target_mut()
                .is_none()
        );
    }

    #[test]
    fn accumulator_forms_keep_their_roles() {
        let add = Instr::I32Add(R3 { dst: 3, a: 1, b: 2 });
        let acc = add.acc_form(1).expect("an accumulator form");
        assert_eq!(acc, Instr::I32AddAcc(R3 { dst: 3, a: 1, b: 2 }));
        assert_eq!(
            add.acc_form(2),
            None,
            "only the first operand is taken from there"
        );
        assert_eq!((acc.acc_source(), acc.result()), (Some(1), Some(3)));
        assert_eq!(op::base_of(op::I32AddAcc), op::I32Add);
        assert!(op::is_acc(op::I32AddAcc) && !op::is_acc(op::I32Add));
        let store = Instr::I32Store(Mem {
            reg: 4,
            addr: 5,
            end: 4,
        });
        assert_eq!(store.acc_form(4).and_then(|i| i.acc_source()), Some(4));
        assert_eq!(store.result(), None);
        assert!(op::acc_takes(op::I32Load, "addr") && !op::acc_takes(op::I32Load, "reg"));
        assert!(
            op::acc_takes(op::I32DivS, "a"),
            "no accumulator form: any operand"
        );
        let copy = Instr::Copy { dst: 2, src: 7 }.acc_form(7);
        assert_eq!(copy, Some(Instr::CopyAcc { dst: 2, src: 7 }));
        let mut br = Instr::BrIfNez { cond: 1, target: 9 }.acc_form(1).unwrap();
        assert_eq!(
            (br.target_mut().copied(), br.acc_source()),
            (Some(9), Some(1))
        );
    }

    #[test]
    fn rare_instructions_leave_no_result() {
        let mut size = Instr::MemorySize { dst: 4 };
        assert!(op::is_rare(op::MemorySize) && !op::is_rare(op::I32Add));
        assert_eq!((size.result(), size.dst_mut().copied()), (None, Some(4)));
    }

    #[test]
    fn comparisons_become_branches_that_invert() {
        let (a, b, target) = (1, 2, u32::MAX);
        let br = Instr::I32LtS(R3 { dst: 3, a, b }).branch_form();
        assert_eq!(br, Some(Instr::I32BrLtS(BrR { a, b, target })));
        let not = br.and_then(Instr::inverted);
        assert_eq!(not, Some(Instr::I32BrGeS(BrR { a, b, target })));
        assert_eq!(not.and_then(Instr::inverted), br);
        assert_eq!(Instr::F32Lt(R3 { dst: 3, a, b }).branch_form(), None);
    }
}
