//! The internal instruction set. Wasm's operand stack is resolved at translation time into frame slots
//! ("registers", indices relative to the frame pointer: locals first, then one slot per operand stack
//! height), so an instruction names where it reads and writes. Branch targets are internal pcs.

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

/// Defines [`Instr`] and, from the same list, the opcode of each variant ([`op`]), their number
/// ([`OPCODES`]) and `handler_table!`, which lists a handler per opcode for the interpreter.
macro_rules! instructions {
    (
        $(#[$meta:meta])*
        pub enum Instr {
            $(
                $(#[$vmeta:meta])*
                $v:ident $( ( $t:ty ) )? $( { $( $f:ident : $ft:ty ),* $(,)? } )?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum Instr {
            $( $(#[$vmeta])* $v $( ( $t ) )? $( { $( $f : $ft ),* } )? ),*
        }

        /// Each instruction's opcode: its tag, the index of its variant in [`Instr`].
        #[allow(non_upper_case_globals, missing_docs)]
        pub mod op {
            /// The variants of [`super::Instr`] without their fields, numbered as its tags are.
            #[repr(u16)]
            enum Opcode {
                $( $v ),*
            }
            $( pub const $v: u16 = Opcode::$v as u16; )*
        }

        /// How many opcodes there are.
        pub const OPCODES: usize = [$( op::$v ),*].len();

        /// `[handler::<F, { op::X }>, ...]`, one entry per opcode in order, with `handler` and `F`
        /// named where it is used: the interpreter's dispatch table.
        macro_rules! handler_table {
            () => {
                [$( handler::<F, { crate::instr::op::$v }> ),*]
            };
        }
        pub(crate) use handler_table;
    };
}

instructions! {
/// One internal instruction. Each maps back to the byte offset of the Wasm operator it came from.
#[allow(missing_docs)] // Variants mirror the Wasm operators of the same name.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(u16)]
pub enum Instr {
    /// A breakpoint patched over the original instruction; the id names the patch.
    Break(u32),
    Unreachable,
    /// A load or store whose offset and width pass 32 bits: it traps, whatever the address.
    OutOfBounds,
    /// Unconditional jump to an internal pc.
    Br {
        target: u32,
    },
    BrIfNez {
        cond: u32,
        target: u32,
    },
    BrIfEqz {
        cond: u32,
        target: u32,
    },
    /// The `len + 1` instructions that follow are `Br`s; the register picks one (the last is the default).
    BrTable {
        index: u32,
        len: u32,
    },
    /// Copies `n` consecutive registers (overlap-safe): branch results moving to their label's slots.
    CopyMany {
        dst: u32,
        src: u32,
        n: u32,
    },
    /// Returns the `keep` registers from `src` to the caller.
    Return {
        src: u32,
        keep: u32,
    },
    /// Calls module function `func`; arguments and then results occupy registers from `base`.
    Call {
        func: u32,
        base: u32,
    },
    /// Calls through a table; the index is in register `index`, arguments just below it.
    CallIndirect {
        ty: u32,
        table: u32,
        index: u32,
    },
    /// `dst = cond ? a : b` with the condition in register `dst + 2`: the form for operands past
    /// the `u16` registers [`Instr::SelectOn`] packs.
    Select {
        dst: u32,
        a: u32,
        b: u32,
    },
    /// `dst = cond ? a : b`, registers `a` and `b` packed as `a | b << 16`. Its condition named,
    /// the result can go straight to a local and a local condition needs no copy. (Bytes 2 and 3,
    /// beside the tag, stay unused: a field there costs every dispatch a narrower tag load.)
    SelectOn {
        cond: u32,
        dst: u32,
        a_b: u32,
    },
    Copy {
        dst: u32,
        src: u32,
    },
    Const32 {
        dst: u32,
        value: u32,
    },
    Const64 {
        dst: u32,
        value: u64,
    },
    GlobalGet {
        dst: u32,
        global: u32,
    },
    GlobalSet {
        src: u32,
        global: u32,
    },
    TableGet {
        dst: u32,
        index: u32,
        table: u32,
    },
    /// Index in `base`, reference in `base + 1`.
    TableSet {
        table: u32,
        base: u32,
    },
    TableSize {
        dst: u32,
        table: u32,
    },
    /// Init reference in `base`, delta in `base + 1`; the result replaces `base`.
    TableGrow {
        table: u32,
        base: u32,
    },
    /// Destination, value and count in `base..base + 3`.
    TableFill {
        table: u32,
        base: u32,
    },
    /// Destination, source and count in `base..base + 3`.
    TableCopy {
        dst_table: u32,
        src_table: u32,
        base: u32,
    },
    /// Destination, source and count in `base..base + 3`.
    TableInit {
        table: u32,
        elem: u32,
        base: u32,
    },
    ElemDrop(u32),
    MemorySize {
        dst: u32,
    },
    MemoryGrow {
        dst: u32,
        delta: u32,
    },
    /// Destination, source and count in `base..base + 3`.
    MemoryInit {
        data: u32,
        base: u32,
    },
    DataDrop(u32),
    /// Destination, source and count in `base..base + 3`.
    MemoryCopy {
        base: u32,
    },
    /// Destination, value and count in `base..base + 3`.
    MemoryFill {
        base: u32,
    },
    RefNull {
        dst: u32,
    },
    RefIsNull(R2),
    RefFunc {
        dst: u32,
        func: u32,
    },

    I32Load(Mem),
    I64Load(Mem),
    I32Load8S(Mem),
    I32Load8U(Mem),
    I32Load16S(Mem),
    I32Load16U(Mem),
    I64Load8S(Mem),
    I64Load8U(Mem),
    I64Load16S(Mem),
    I64Load16U(Mem),
    I64Load32S(Mem),
    I64Load32U(Mem),
    I32Store(Mem),
    I64Store(Mem),
    I32Store8(Mem),
    I32Store16(Mem),
    /// The loads and stores above at a constant address (`i32.const A` then the access with
    /// offset `O`): `A + O` is in `offset`, and `addr` is unused. A C program's globals in
    /// memory are read and written this way.
    I32LoadAt(Mem),
    I64LoadAt(Mem),
    I32Load8SAt(Mem),
    I32Load8UAt(Mem),
    I32Load16SAt(Mem),
    I32Load16UAt(Mem),
    I64Load8SAt(Mem),
    I64Load8UAt(Mem),
    I64Load16SAt(Mem),
    I64Load16UAt(Mem),
    I64Load32SAt(Mem),
    I64Load32UAt(Mem),
    I32StoreAt(Mem),
    I64StoreAt(Mem),
    I32Store8At(Mem),
    I32Store16At(Mem),

    I32BrEq(BrR),
    I32BrNe(BrR),
    I32BrLtS(BrR),
    I32BrLtU(BrR),
    I32BrGtS(BrR),
    I32BrGtU(BrR),
    I32BrLeS(BrR),
    I32BrLeU(BrR),
    I32BrGeS(BrR),
    I32BrGeU(BrR),
    I32BrEqImm(BrI),
    I32BrNeImm(BrI),
    I32BrLtSImm(BrI),
    I32BrLtUImm(BrI),
    I32BrGtSImm(BrI),
    I32BrGtUImm(BrI),
    I32BrLeSImm(BrI),
    I32BrLeUImm(BrI),
    I32BrGeSImm(BrI),
    I32BrGeUImm(BrI),
    I64BrEq(BrR),
    I64BrNe(BrR),
    I64BrLtS(BrR),
    I64BrLtU(BrR),
    I64BrGtS(BrR),
    I64BrGtU(BrR),
    I64BrLeS(BrR),
    I64BrLeU(BrR),
    I64BrGeS(BrR),
    I64BrGeU(BrR),

    I32Eqz(R2),
    I64Eqz(R2),
    I32Eq(R3),
    I32Ne(R3),
    I32LtS(R3),
    I32LtU(R3),
    I32GtS(R3),
    I32GtU(R3),
    I32LeS(R3),
    I32LeU(R3),
    I32GeS(R3),
    I32GeU(R3),
    I32EqImm(RI),
    I32NeImm(RI),
    I32LtSImm(RI),
    I32LtUImm(RI),
    I32GtSImm(RI),
    I32GtUImm(RI),
    I32LeSImm(RI),
    I32LeUImm(RI),
    I32GeSImm(RI),
    I32GeUImm(RI),
    I64Eq(R3),
    I64Ne(R3),
    I64LtS(R3),
    I64LtU(R3),
    I64GtS(R3),
    I64GtU(R3),
    I64LeS(R3),
    I64LeU(R3),
    I64GeS(R3),
    I64GeU(R3),
    F32Eq(R3),
    F32Ne(R3),
    F32Lt(R3),
    F32Gt(R3),
    F32Le(R3),
    F32Ge(R3),
    F64Eq(R3),
    F64Ne(R3),
    F64Lt(R3),
    F64Gt(R3),
    F64Le(R3),
    F64Ge(R3),

    I32Clz(R2),
    I32Ctz(R2),
    I32Popcnt(R2),
    I32Add(R3),
    I32Sub(R3),
    I32Mul(R3),
    I32DivS(R3),
    I32DivU(R3),
    I32RemS(R3),
    I32RemU(R3),
    I32And(R3),
    I32Or(R3),
    I32Xor(R3),
    I32Shl(R3),
    I32ShrS(R3),
    I32ShrU(R3),
    I32Rotl(R3),
    I32Rotr(R3),
    I32AddImm(RI),
    /// `dst = a + (b << shift)`, an array element's address (C's `p[i]`), with the shifted
    /// register and the shift packed as `b << 5 | shift`.
    I32AddShl {
        dst: u32,
        a: u32,
        b_shift: u32,
    },
    I32SubImm(RI),
    /// `dst = imm - a`.
    I32RSubImm(RI),
    I32MulImm(RI),
    I32AndImm(RI),
    I32OrImm(RI),
    I32XorImm(RI),
    I32ShlImm(RI),
    I32ShrSImm(RI),
    I32ShrUImm(RI),
    /// `dst = (a >> shift) & mask`, a bit field (C's `x >> s & m`) with the operand register
    /// and the shift packed as `a << 5 | shift`.
    I32ShrUAndImm {
        dst: u32,
        a_shift: u32,
        mask: u32,
    },
    I32RotlImm(RI),
    I32RotrImm(RI),
    I64Clz(R2),
    I64Ctz(R2),
    I64Popcnt(R2),
    I64Add(R3),
    I64Sub(R3),
    I64Mul(R3),
    I64DivS(R3),
    I64DivU(R3),
    I64RemS(R3),
    I64RemU(R3),
    I64And(R3),
    I64Or(R3),
    I64Xor(R3),
    I64Shl(R3),
    I64ShrS(R3),
    I64ShrU(R3),
    I64Rotl(R3),
    I64Rotr(R3),
    I64AddImm(RI),
    I64SubImm(RI),
    /// `dst = imm - a`.
    I64RSubImm(RI),
    I64MulImm(RI),
    I64AndImm(RI),
    I64OrImm(RI),
    I64XorImm(RI),
    I64ShlImm(RI),
    I64ShrSImm(RI),
    I64ShrUImm(RI),

    F32Abs(R2),
    F32Neg(R2),
    F32Ceil(R2),
    F32Floor(R2),
    F32Trunc(R2),
    F32Nearest(R2),
    F32Sqrt(R2),
    F32Add(R3),
    F32Sub(R3),
    F32Mul(R3),
    F32Div(R3),
    F32Min(R3),
    F32Max(R3),
    F32Copysign(R3),
    F64Abs(R2),
    F64Neg(R2),
    F64Ceil(R2),
    F64Floor(R2),
    F64Trunc(R2),
    F64Nearest(R2),
    F64Sqrt(R2),
    F64Add(R3),
    F64Sub(R3),
    F64Mul(R3),
    F64Div(R3),
    F64Min(R3),
    F64Max(R3),
    F64Copysign(R3),

    I32WrapI64(R2),
    I32TruncF32S(R2),
    I32TruncF32U(R2),
    I32TruncF64S(R2),
    I32TruncF64U(R2),
    I64ExtendI32S(R2),
    I64ExtendI32U(R2),
    I64TruncF32S(R2),
    I64TruncF32U(R2),
    I64TruncF64S(R2),
    I64TruncF64U(R2),
    F32ConvertI32S(R2),
    F32ConvertI32U(R2),
    F32ConvertI64S(R2),
    F32ConvertI64U(R2),
    F32DemoteF64(R2),
    F64ConvertI32S(R2),
    F64ConvertI32U(R2),
    F64ConvertI64S(R2),
    F64ConvertI64U(R2),
    F64PromoteF32(R2),
    I32Extend8S(R2),
    I32Extend16S(R2),
    I64Extend8S(R2),
    I64Extend16S(R2),
    I64Extend32S(R2),
    I32TruncSatF32S(R2),
    I32TruncSatF32U(R2),
    I32TruncSatF64S(R2),
    I32TruncSatF64U(R2),
    I64TruncSatF32S(R2),
    I64TruncSatF32U(R2),
    I64TruncSatF64S(R2),
    I64TruncSatF64U(R2),
    /// The forms above that take their first operand (an address, a stored value, a condition,
    /// a copy's source) from the accumulator, the previous instruction's result, which it also
    /// wrote to that register: chosen after translation for an instruction that uses the result
    /// of the one before it and that no jump lands on (see [`Instr::acc_form`]).
    I32AddAcc(R3),
    I32SubAcc(R3),
    I32MulAcc(R3),
    I32AndAcc(R3),
    I32OrAcc(R3),
    I32XorAcc(R3),
    I32ShlAcc(R3),
    I32ShrUAcc(R3),
    I32ShrSAcc(R3),
    I64AddAcc(R3),
    I64SubAcc(R3),
    I64MulAcc(R3),
    I64AndAcc(R3),
    I64OrAcc(R3),
    I64XorAcc(R3),
    I64ShlAcc(R3),
    I64ShrUAcc(R3),
    I32AddImmAcc(RI),
    I32SubImmAcc(RI),
    I32MulImmAcc(RI),
    I32AndImmAcc(RI),
    I32OrImmAcc(RI),
    I32XorImmAcc(RI),
    I32ShlImmAcc(RI),
    I32ShrUImmAcc(RI),
    I32ShrSImmAcc(RI),
    I64AddImmAcc(RI),
    I64SubImmAcc(RI),
    I64AndImmAcc(RI),
    I64ShlImmAcc(RI),
    I64ShrUImmAcc(RI),
    I64XorImmAcc(RI),
    I64MulImmAcc(RI),
    I32EqImmAcc(RI),
    I32NeImmAcc(RI),
    I32LtUImmAcc(RI),
    I32LtSImmAcc(RI),
    I32GtUImmAcc(RI),
    I32GtSImmAcc(RI),
    I32EqzAcc(R2),
    I64ExtendI32UAcc(R2),
    I64ExtendI32SAcc(R2),
    I32WrapI64Acc(R2),
    I32Extend8SAcc(R2),
    I32Extend16SAcc(R2),
    I32LoadAcc(Mem),
    I64LoadAcc(Mem),
    I32Load8UAcc(Mem),
    I32Load8SAcc(Mem),
    I32Load16UAcc(Mem),
    I32Load16SAcc(Mem),
    I32StoreAcc(Mem),
    I64StoreAcc(Mem),
    I32Store8Acc(Mem),
    I32Store16Acc(Mem),
    I32StoreAtAcc(Mem),
    I64StoreAtAcc(Mem),
    I32BrEqAcc(BrR),
    I32BrNeAcc(BrR),
    I32BrLtSAcc(BrR),
    I32BrLtUAcc(BrR),
    I32BrGtSAcc(BrR),
    I32BrGtUAcc(BrR),
    I32BrLeSAcc(BrR),
    I32BrLeUAcc(BrR),
    I32BrGeSAcc(BrR),
    I32BrGeUAcc(BrR),
    I64BrEqAcc(BrR),
    I64BrNeAcc(BrR),
    I64BrLtSAcc(BrR),
    I64BrLtUAcc(BrR),
    I64BrGtSAcc(BrR),
    I64BrGtUAcc(BrR),
    I64BrLeSAcc(BrR),
    I64BrLeUAcc(BrR),
    I64BrGeSAcc(BrR),
    I64BrGeUAcc(BrR),
    I32BrEqImmAcc(BrI),
    I32BrNeImmAcc(BrI),
    I32BrLtSImmAcc(BrI),
    I32BrLtUImmAcc(BrI),
    I32BrGtSImmAcc(BrI),
    I32BrGtUImmAcc(BrI),
    I32BrLeSImmAcc(BrI),
    I32BrLeUImmAcc(BrI),
    I32BrGeSImmAcc(BrI),
    I32BrGeUImmAcc(BrI),
    BrIfNezAcc {
        cond: u32,
        target: u32,
    },
    BrIfEqzAcc {
        cond: u32,
        target: u32,
    },
    CopyAcc {
        dst: u32,
        src: u32,
    },
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

    /// The destination register of an instruction that produces one value, to retarget it.
    pub fn dst_mut(&mut self) -> Option<&mut u32> {
        use Instr as I;
        match self {
            I::I32Eq(x)
            | I::I32Ne(x)
            | I::I32LtS(x)
            | I::I32LtU(x)
            | I::I32GtS(x)
            | I::I32GtU(x)
            | I::I32LeS(x)
            | I::I32LeU(x)
            | I::I32GeS(x)
            | I::I32GeU(x)
            | I::I64Eq(x)
            | I::I64Ne(x)
            | I::I64LtS(x)
            | I::I64LtU(x)
            | I::I64GtS(x)
            | I::I64GtU(x)
            | I::I64LeS(x)
            | I::I64LeU(x)
            | I::I64GeS(x)
            | I::I64GeU(x)
            | I::F32Eq(x)
            | I::F32Ne(x)
            | I::F32Lt(x)
            | I::F32Gt(x)
            | I::F32Le(x)
            | I::F32Ge(x)
            | I::F64Eq(x)
            | I::F64Ne(x)
            | I::F64Lt(x)
            | I::F64Gt(x)
            | I::F64Le(x)
            | I::F64Ge(x)
            | I::I32Add(x)
            | I::I32Sub(x)
            | I::I32Mul(x)
            | I::I32DivS(x)
            | I::I32DivU(x)
            | I::I32RemS(x)
            | I::I32RemU(x)
            | I::I32And(x)
            | I::I32Or(x)
            | I::I32Xor(x)
            | I::I32Shl(x)
            | I::I32ShrS(x)
            | I::I32ShrU(x)
            | I::I32Rotl(x)
            | I::I32Rotr(x)
            | I::I64Add(x)
            | I::I64Sub(x)
            | I::I64Mul(x)
            | I::I64DivS(x)
            | I::I64DivU(x)
            | I::I64RemS(x)
            | I::I64RemU(x)
            | I::I64And(x)
            | I::I64Or(x)
            | I::I64Xor(x)
            | I::I64Shl(x)
            | I::I64ShrS(x)
            | I::I64ShrU(x)
            | I::I64Rotl(x)
            | I::I64Rotr(x)
            | I::F32Add(x)
            | I::F32Sub(x)
            | I::F32Mul(x)
            | I::F32Div(x)
            | I::F32Min(x)
            | I::F32Max(x)
            | I::F32Copysign(x)
            | I::F64Add(x)
            | I::F64Sub(x)
            | I::F64Mul(x)
            | I::F64Div(x)
            | I::F64Min(x)
            | I::F64Max(x)
            | I::F64Copysign(x) => Some(&mut x.dst),
            I::I32EqImm(x)
            | I::I32NeImm(x)
            | I::I32LtSImm(x)
            | I::I32LtUImm(x)
            | I::I32GtSImm(x)
            | I::I32GtUImm(x)
            | I::I32LeSImm(x)
            | I::I32LeUImm(x)
            | I::I32GeSImm(x)
            | I::I32GeUImm(x)
            | I::I32AddImm(x)
            | I::I32SubImm(x)
            | I::I32RSubImm(x)
            | I::I32MulImm(x)
            | I::I32AndImm(x)
            | I::I32OrImm(x)
            | I::I32XorImm(x)
            | I::I32ShlImm(x)
            | I::I32ShrSImm(x)
            | I::I32ShrUImm(x)
            | I::I32RotlImm(x)
            | I::I32RotrImm(x)
            | I::I64AddImm(x)
            | I::I64SubImm(x)
            | I::I64RSubImm(x)
            | I::I64MulImm(x)
            | I::I64AndImm(x)
            | I::I64OrImm(x)
            | I::I64XorImm(x)
            | I::I64ShlImm(x)
            | I::I64ShrSImm(x)
            | I::I64ShrUImm(x) => Some(&mut x.dst),
            I::RefIsNull(x)
            | I::I32Eqz(x)
            | I::I64Eqz(x)
            | I::I32Clz(x)
            | I::I32Ctz(x)
            | I::I32Popcnt(x)
            | I::I64Clz(x)
            | I::I64Ctz(x)
            | I::I64Popcnt(x)
            | I::F32Abs(x)
            | I::F32Neg(x)
            | I::F32Ceil(x)
            | I::F32Floor(x)
            | I::F32Trunc(x)
            | I::F32Nearest(x)
            | I::F32Sqrt(x)
            | I::F64Abs(x)
            | I::F64Neg(x)
            | I::F64Ceil(x)
            | I::F64Floor(x)
            | I::F64Trunc(x)
            | I::F64Nearest(x)
            | I::F64Sqrt(x)
            | I::I32WrapI64(x)
            | I::I32TruncF32S(x)
            | I::I32TruncF32U(x)
            | I::I32TruncF64S(x)
            | I::I32TruncF64U(x)
            | I::I64ExtendI32S(x)
            | I::I64ExtendI32U(x)
            | I::I64TruncF32S(x)
            | I::I64TruncF32U(x)
            | I::I64TruncF64S(x)
            | I::I64TruncF64U(x)
            | I::F32ConvertI32S(x)
            | I::F32ConvertI32U(x)
            | I::F32ConvertI64S(x)
            | I::F32ConvertI64U(x)
            | I::F32DemoteF64(x)
            | I::F64ConvertI32S(x)
            | I::F64ConvertI32U(x)
            | I::F64ConvertI64S(x)
            | I::F64ConvertI64U(x)
            | I::F64PromoteF32(x)
            | I::I32Extend8S(x)
            | I::I32Extend16S(x)
            | I::I64Extend8S(x)
            | I::I64Extend16S(x)
            | I::I64Extend32S(x)
            | I::I32TruncSatF32S(x)
            | I::I32TruncSatF32U(x)
            | I::I32TruncSatF64S(x)
            | I::I32TruncSatF64U(x)
            | I::I64TruncSatF32S(x)
            | I::I64TruncSatF32U(x)
            | I::I64TruncSatF64S(x)
            | I::I64TruncSatF64U(x) => Some(&mut x.dst),
            I::I32Load(x)
            | I::I64Load(x)
            | I::I32Load8S(x)
            | I::I32Load8U(x)
            | I::I32Load16S(x)
            | I::I32Load16U(x)
            | I::I64Load8S(x)
            | I::I64Load8U(x)
            | I::I64Load16S(x)
            | I::I64Load16U(x)
            | I::I64Load32S(x)
            | I::I64Load32U(x)
            | I::I32LoadAt(x)
            | I::I64LoadAt(x)
            | I::I32Load8SAt(x)
            | I::I32Load8UAt(x)
            | I::I32Load16SAt(x)
            | I::I32Load16UAt(x)
            | I::I64Load8SAt(x)
            | I::I64Load8UAt(x)
            | I::I64Load16SAt(x)
            | I::I64Load16UAt(x)
            | I::I64Load32SAt(x)
            | I::I64Load32UAt(x) => Some(&mut x.reg),
            I::Copy { dst, .. }
            | I::SelectOn { dst, .. }
            | I::I32ShrUAndImm { dst, .. }
            | I::I32AddShl { dst, .. }
            | I::Const32 { dst, .. }
            | I::Const64 { dst, .. }
            | I::GlobalGet { dst, .. }
            | I::TableGet { dst, .. }
            | I::TableSize { dst, .. }
            | I::MemorySize { dst }
            | I::MemoryGrow { dst, .. }
            | I::RefNull { dst }
            | I::RefFunc { dst, .. }
            | I::CopyAcc { dst, .. } => Some(dst),
            I::I32AddAcc(x)
            | I::I32SubAcc(x)
            | I::I32MulAcc(x)
            | I::I32AndAcc(x)
            | I::I32OrAcc(x)
            | I::I32XorAcc(x)
            | I::I32ShlAcc(x)
            | I::I32ShrUAcc(x)
            | I::I32ShrSAcc(x)
            | I::I64AddAcc(x)
            | I::I64SubAcc(x)
            | I::I64MulAcc(x)
            | I::I64AndAcc(x)
            | I::I64OrAcc(x)
            | I::I64XorAcc(x)
            | I::I64ShlAcc(x)
            | I::I64ShrUAcc(x) => Some(&mut x.dst),
            I::I32AddImmAcc(x)
            | I::I32SubImmAcc(x)
            | I::I32MulImmAcc(x)
            | I::I32AndImmAcc(x)
            | I::I32OrImmAcc(x)
            | I::I32XorImmAcc(x)
            | I::I32ShlImmAcc(x)
            | I::I32ShrUImmAcc(x)
            | I::I32ShrSImmAcc(x)
            | I::I64AddImmAcc(x)
            | I::I64SubImmAcc(x)
            | I::I64AndImmAcc(x)
            | I::I64ShlImmAcc(x)
            | I::I64ShrUImmAcc(x)
            | I::I64XorImmAcc(x)
            | I::I64MulImmAcc(x)
            | I::I32EqImmAcc(x)
            | I::I32NeImmAcc(x)
            | I::I32LtUImmAcc(x)
            | I::I32LtSImmAcc(x)
            | I::I32GtUImmAcc(x)
            | I::I32GtSImmAcc(x) => Some(&mut x.dst),
            I::I32EqzAcc(x)
            | I::I64ExtendI32UAcc(x)
            | I::I64ExtendI32SAcc(x)
            | I::I32WrapI64Acc(x)
            | I::I32Extend8SAcc(x)
            | I::I32Extend16SAcc(x) => Some(&mut x.dst),
            I::I32LoadAcc(x)
            | I::I64LoadAcc(x)
            | I::I32Load8UAcc(x)
            | I::I32Load8SAcc(x)
            | I::I32Load16UAcc(x)
            | I::I32Load16SAcc(x) => Some(&mut x.reg),
            _ => None,
        }
    }

    /// The branch target of a jump, if this is one.
    pub fn target_mut(&mut self) -> Option<&mut u32> {
        use Instr as I;
        match self {
            I::Br { target } | I::BrIfNez { target, .. } | I::BrIfEqz { target, .. } => {
                Some(target)
            }
            I::I32BrEq(b)
            | I::I32BrNe(b)
            | I::I32BrLtS(b)
            | I::I32BrLtU(b)
            | I::I32BrGtS(b)
            | I::I32BrGtU(b)
            | I::I32BrLeS(b)
            | I::I32BrLeU(b)
            | I::I32BrGeS(b)
            | I::I32BrGeU(b) => Some(&mut b.target),
            I::I32BrEqImm(b)
            | I::I32BrNeImm(b)
            | I::I32BrLtSImm(b)
            | I::I32BrLtUImm(b)
            | I::I32BrGtSImm(b)
            | I::I32BrGtUImm(b)
            | I::I32BrLeSImm(b)
            | I::I32BrLeUImm(b)
            | I::I32BrGeSImm(b)
            | I::I32BrGeUImm(b) => Some(&mut b.target),
            I::I64BrEq(b)
            | I::I64BrNe(b)
            | I::I64BrLtS(b)
            | I::I64BrLtU(b)
            | I::I64BrGtS(b)
            | I::I64BrGtU(b)
            | I::I64BrLeS(b)
            | I::I64BrLeU(b)
            | I::I64BrGeS(b)
            | I::I64BrGeU(b) => Some(&mut b.target),
            I::I32BrEqAcc(b)
            | I::I32BrNeAcc(b)
            | I::I32BrLtSAcc(b)
            | I::I32BrLtUAcc(b)
            | I::I32BrGtSAcc(b)
            | I::I32BrGtUAcc(b)
            | I::I32BrLeSAcc(b)
            | I::I32BrLeUAcc(b)
            | I::I32BrGeSAcc(b)
            | I::I32BrGeUAcc(b)
            | I::I64BrEqAcc(b)
            | I::I64BrNeAcc(b)
            | I::I64BrLtSAcc(b)
            | I::I64BrLtUAcc(b)
            | I::I64BrGtSAcc(b)
            | I::I64BrGtUAcc(b)
            | I::I64BrLeSAcc(b)
            | I::I64BrLeUAcc(b)
            | I::I64BrGeSAcc(b)
            | I::I64BrGeUAcc(b) => Some(&mut b.target),
            I::I32BrEqImmAcc(b)
            | I::I32BrNeImmAcc(b)
            | I::I32BrLtSImmAcc(b)
            | I::I32BrLtUImmAcc(b)
            | I::I32BrGtSImmAcc(b)
            | I::I32BrGtUImmAcc(b)
            | I::I32BrLeSImmAcc(b)
            | I::I32BrLeUImmAcc(b)
            | I::I32BrGeSImmAcc(b)
            | I::I32BrGeUImmAcc(b) => Some(&mut b.target),
            I::BrIfNezAcc { target, .. } | I::BrIfEqzAcc { target, .. } => Some(target),
            _ => None,
        }
    }

    /// The register an instruction writes and also leaves in the accumulator for the next one:
    /// every instruction with a destination but the rare ones (run out of the handlers).
    pub fn result(&self) -> Option<u32> {
        use Instr as I;
        match self {
            I::TableGet { .. }
            | I::TableSize { .. }
            | I::MemorySize { .. }
            | I::MemoryGrow { .. }
            | I::RefNull { .. }
            | I::RefIsNull(_)
            | I::RefFunc { .. } => None,
            _ => self.clone().dst_mut().copied(),
        }
    }

    /// This instruction taking register `reg`, as its first operand (an address, a stored
    /// value, a condition, a copy's source), from the accumulator instead, where it has such a
    /// form: for an instruction that follows the one whose [`Instr::result`] `reg` is.
    pub fn acc_form(self, reg: u32) -> Option<Instr> {
        use Instr as I;
        Some(match self {
            I::I32Add(x) if x.a == reg => I::I32AddAcc(x),
            I::I32Sub(x) if x.a == reg => I::I32SubAcc(x),
            I::I32Mul(x) if x.a == reg => I::I32MulAcc(x),
            I::I32And(x) if x.a == reg => I::I32AndAcc(x),
            I::I32Or(x) if x.a == reg => I::I32OrAcc(x),
            I::I32Xor(x) if x.a == reg => I::I32XorAcc(x),
            I::I32Shl(x) if x.a == reg => I::I32ShlAcc(x),
            I::I32ShrU(x) if x.a == reg => I::I32ShrUAcc(x),
            I::I32ShrS(x) if x.a == reg => I::I32ShrSAcc(x),
            I::I64Add(x) if x.a == reg => I::I64AddAcc(x),
            I::I64Sub(x) if x.a == reg => I::I64SubAcc(x),
            I::I64Mul(x) if x.a == reg => I::I64MulAcc(x),
            I::I64And(x) if x.a == reg => I::I64AndAcc(x),
            I::I64Or(x) if x.a == reg => I::I64OrAcc(x),
            I::I64Xor(x) if x.a == reg => I::I64XorAcc(x),
            I::I64Shl(x) if x.a == reg => I::I64ShlAcc(x),
            I::I64ShrU(x) if x.a == reg => I::I64ShrUAcc(x),
            I::I32AddImm(x) if x.a == reg => I::I32AddImmAcc(x),
            I::I32SubImm(x) if x.a == reg => I::I32SubImmAcc(x),
            I::I32MulImm(x) if x.a == reg => I::I32MulImmAcc(x),
            I::I32AndImm(x) if x.a == reg => I::I32AndImmAcc(x),
            I::I32OrImm(x) if x.a == reg => I::I32OrImmAcc(x),
            I::I32XorImm(x) if x.a == reg => I::I32XorImmAcc(x),
            I::I32ShlImm(x) if x.a == reg => I::I32ShlImmAcc(x),
            I::I32ShrUImm(x) if x.a == reg => I::I32ShrUImmAcc(x),
            I::I32ShrSImm(x) if x.a == reg => I::I32ShrSImmAcc(x),
            I::I64AddImm(x) if x.a == reg => I::I64AddImmAcc(x),
            I::I64SubImm(x) if x.a == reg => I::I64SubImmAcc(x),
            I::I64AndImm(x) if x.a == reg => I::I64AndImmAcc(x),
            I::I64ShlImm(x) if x.a == reg => I::I64ShlImmAcc(x),
            I::I64ShrUImm(x) if x.a == reg => I::I64ShrUImmAcc(x),
            I::I64XorImm(x) if x.a == reg => I::I64XorImmAcc(x),
            I::I64MulImm(x) if x.a == reg => I::I64MulImmAcc(x),
            I::I32EqImm(x) if x.a == reg => I::I32EqImmAcc(x),
            I::I32NeImm(x) if x.a == reg => I::I32NeImmAcc(x),
            I::I32LtUImm(x) if x.a == reg => I::I32LtUImmAcc(x),
            I::I32LtSImm(x) if x.a == reg => I::I32LtSImmAcc(x),
            I::I32GtUImm(x) if x.a == reg => I::I32GtUImmAcc(x),
            I::I32GtSImm(x) if x.a == reg => I::I32GtSImmAcc(x),
            I::I32Eqz(x) if x.a == reg => I::I32EqzAcc(x),
            I::I64ExtendI32U(x) if x.a == reg => I::I64ExtendI32UAcc(x),
            I::I64ExtendI32S(x) if x.a == reg => I::I64ExtendI32SAcc(x),
            I::I32WrapI64(x) if x.a == reg => I::I32WrapI64Acc(x),
            I::I32Extend8S(x) if x.a == reg => I::I32Extend8SAcc(x),
            I::I32Extend16S(x) if x.a == reg => I::I32Extend16SAcc(x),
            I::I32Load(x) if x.addr == reg => I::I32LoadAcc(x),
            I::I64Load(x) if x.addr == reg => I::I64LoadAcc(x),
            I::I32Load8U(x) if x.addr == reg => I::I32Load8UAcc(x),
            I::I32Load8S(x) if x.addr == reg => I::I32Load8SAcc(x),
            I::I32Load16U(x) if x.addr == reg => I::I32Load16UAcc(x),
            I::I32Load16S(x) if x.addr == reg => I::I32Load16SAcc(x),
            I::I32Store(x) if x.reg == reg => I::I32StoreAcc(x),
            I::I64Store(x) if x.reg == reg => I::I64StoreAcc(x),
            I::I32Store8(x) if x.reg == reg => I::I32Store8Acc(x),
            I::I32Store16(x) if x.reg == reg => I::I32Store16Acc(x),
            I::I32StoreAt(x) if x.reg == reg => I::I32StoreAtAcc(x),
            I::I64StoreAt(x) if x.reg == reg => I::I64StoreAtAcc(x),
            I::I32BrEq(x) if x.a == reg => I::I32BrEqAcc(x),
            I::I32BrNe(x) if x.a == reg => I::I32BrNeAcc(x),
            I::I32BrLtS(x) if x.a == reg => I::I32BrLtSAcc(x),
            I::I32BrLtU(x) if x.a == reg => I::I32BrLtUAcc(x),
            I::I32BrGtS(x) if x.a == reg => I::I32BrGtSAcc(x),
            I::I32BrGtU(x) if x.a == reg => I::I32BrGtUAcc(x),
            I::I32BrLeS(x) if x.a == reg => I::I32BrLeSAcc(x),
            I::I32BrLeU(x) if x.a == reg => I::I32BrLeUAcc(x),
            I::I32BrGeS(x) if x.a == reg => I::I32BrGeSAcc(x),
            I::I32BrGeU(x) if x.a == reg => I::I32BrGeUAcc(x),
            I::I64BrEq(x) if x.a == reg => I::I64BrEqAcc(x),
            I::I64BrNe(x) if x.a == reg => I::I64BrNeAcc(x),
            I::I64BrLtS(x) if x.a == reg => I::I64BrLtSAcc(x),
            I::I64BrLtU(x) if x.a == reg => I::I64BrLtUAcc(x),
            I::I64BrGtS(x) if x.a == reg => I::I64BrGtSAcc(x),
            I::I64BrGtU(x) if x.a == reg => I::I64BrGtUAcc(x),
            I::I64BrLeS(x) if x.a == reg => I::I64BrLeSAcc(x),
            I::I64BrLeU(x) if x.a == reg => I::I64BrLeUAcc(x),
            I::I64BrGeS(x) if x.a == reg => I::I64BrGeSAcc(x),
            I::I64BrGeU(x) if x.a == reg => I::I64BrGeUAcc(x),
            I::I32BrEqImm(x) if x.a == reg => I::I32BrEqImmAcc(x),
            I::I32BrNeImm(x) if x.a == reg => I::I32BrNeImmAcc(x),
            I::I32BrLtSImm(x) if x.a == reg => I::I32BrLtSImmAcc(x),
            I::I32BrLtUImm(x) if x.a == reg => I::I32BrLtUImmAcc(x),
            I::I32BrGtSImm(x) if x.a == reg => I::I32BrGtSImmAcc(x),
            I::I32BrGtUImm(x) if x.a == reg => I::I32BrGtUImmAcc(x),
            I::I32BrLeSImm(x) if x.a == reg => I::I32BrLeSImmAcc(x),
            I::I32BrLeUImm(x) if x.a == reg => I::I32BrLeUImmAcc(x),
            I::I32BrGeSImm(x) if x.a == reg => I::I32BrGeSImmAcc(x),
            I::I32BrGeUImm(x) if x.a == reg => I::I32BrGeUImmAcc(x),
            I::BrIfNez { cond, target } if cond == reg => I::BrIfNezAcc { cond, target },
            I::BrIfEqz { cond, target } if cond == reg => I::BrIfEqzAcc { cond, target },
            I::Copy { dst, src } if src == reg => I::CopyAcc { dst, src },
            _ => return None,
        })
    }

    /// The register an accumulator form's accumulator holds (written by the instruction before
    /// it): what a run resumed at it loads the accumulator from.
    pub fn acc_source(&self) -> Option<u32> {
        use Instr as I;
        Some(match *self {
            I::I32AddAcc(x)
            | I::I32SubAcc(x)
            | I::I32MulAcc(x)
            | I::I32AndAcc(x)
            | I::I32OrAcc(x)
            | I::I32XorAcc(x)
            | I::I32ShlAcc(x)
            | I::I32ShrUAcc(x)
            | I::I32ShrSAcc(x)
            | I::I64AddAcc(x)
            | I::I64SubAcc(x)
            | I::I64MulAcc(x)
            | I::I64AndAcc(x)
            | I::I64OrAcc(x)
            | I::I64XorAcc(x)
            | I::I64ShlAcc(x)
            | I::I64ShrUAcc(x) => x.a,
            I::I32AddImmAcc(x)
            | I::I32SubImmAcc(x)
            | I::I32MulImmAcc(x)
            | I::I32AndImmAcc(x)
            | I::I32OrImmAcc(x)
            | I::I32XorImmAcc(x)
            | I::I32ShlImmAcc(x)
            | I::I32ShrUImmAcc(x)
            | I::I32ShrSImmAcc(x)
            | I::I64AddImmAcc(x)
            | I::I64SubImmAcc(x)
            | I::I64AndImmAcc(x)
            | I::I64ShlImmAcc(x)
            | I::I64ShrUImmAcc(x)
            | I::I64XorImmAcc(x)
            | I::I64MulImmAcc(x)
            | I::I32EqImmAcc(x)
            | I::I32NeImmAcc(x)
            | I::I32LtUImmAcc(x)
            | I::I32LtSImmAcc(x)
            | I::I32GtUImmAcc(x)
            | I::I32GtSImmAcc(x) => x.a,
            I::I32EqzAcc(x)
            | I::I64ExtendI32UAcc(x)
            | I::I64ExtendI32SAcc(x)
            | I::I32WrapI64Acc(x)
            | I::I32Extend8SAcc(x)
            | I::I32Extend16SAcc(x) => x.a,
            I::I32LoadAcc(x)
            | I::I64LoadAcc(x)
            | I::I32Load8UAcc(x)
            | I::I32Load8SAcc(x)
            | I::I32Load16UAcc(x)
            | I::I32Load16SAcc(x) => x.addr,
            I::I32StoreAcc(x)
            | I::I64StoreAcc(x)
            | I::I32Store8Acc(x)
            | I::I32Store16Acc(x)
            | I::I32StoreAtAcc(x)
            | I::I64StoreAtAcc(x) => x.reg,
            I::I32BrEqAcc(x)
            | I::I32BrNeAcc(x)
            | I::I32BrLtSAcc(x)
            | I::I32BrLtUAcc(x)
            | I::I32BrGtSAcc(x)
            | I::I32BrGtUAcc(x)
            | I::I32BrLeSAcc(x)
            | I::I32BrLeUAcc(x)
            | I::I32BrGeSAcc(x)
            | I::I32BrGeUAcc(x)
            | I::I64BrEqAcc(x)
            | I::I64BrNeAcc(x)
            | I::I64BrLtSAcc(x)
            | I::I64BrLtUAcc(x)
            | I::I64BrGtSAcc(x)
            | I::I64BrGtUAcc(x)
            | I::I64BrLeSAcc(x)
            | I::I64BrLeUAcc(x)
            | I::I64BrGeSAcc(x)
            | I::I64BrGeUAcc(x) => x.a,
            I::I32BrEqImmAcc(x)
            | I::I32BrNeImmAcc(x)
            | I::I32BrLtSImmAcc(x)
            | I::I32BrLtUImmAcc(x)
            | I::I32BrGtSImmAcc(x)
            | I::I32BrGtUImmAcc(x)
            | I::I32BrLeSImmAcc(x)
            | I::I32BrLeUImmAcc(x)
            | I::I32BrGeSImmAcc(x)
            | I::I32BrGeUImmAcc(x) => x.a,
            I::BrIfNezAcc { cond, .. } | I::BrIfEqzAcc { cond, .. } => cond,
            I::CopyAcc { src, .. } => src,
            _ => return None,
        })
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
}
