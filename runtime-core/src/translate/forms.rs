//! Which instructions a Wasm operator becomes: the register and immediate forms of the binary
//! operators, the unary operators, and the loads' and stores' register and constant-address forms.

use wasmparser::Operator;

use crate::instr::{Instr, Mem, R2, R3, RI};

/// Constructors of a binary operator's forms: registers, `reg OP imm`, and `imm OP reg` rewritten
/// as `reg OP' imm` (the same op when commutative, the mirrored comparison, or reversed subtraction).
pub(super) type BinForms = (
    fn(R3) -> Instr,
    Option<fn(RI) -> Instr>,
    Option<fn(RI) -> Instr>,
);

/// A memory instruction's constructors: its address in a register, and constant.
pub(super) type MemForms = (fn(Mem) -> Instr, fn(Mem) -> Instr);

/// A memory instruction's constructors, whether it loads, its width in bytes and its offset.
pub(super) type MemOp = (MemForms, bool, u32, u64);

/// Register and immediate forms of the binary operators; `(forms, 64-bit)`. Each operator
/// becomes the instruction of its name; `Op(Ri, Rev)` names its `reg OP imm` form and the form
/// `imm OP reg` is rewritten to (`_` for none).
pub(super) fn binop(op: &Operator<'_>) -> Option<(BinForms, bool)> {
    macro_rules! imm {
        (_) => {
            None
        };
        ($f:ident) => {
            Some(Instr::$f as fn(RI) -> Instr)
        };
    }
    macro_rules! forms {
        ($o:ident) => {
            (Instr::$o as fn(R3) -> Instr, None, None)
        };
        ($o:ident ($ri:tt, $rev:tt)) => {
            (Instr::$o as fn(R3) -> Instr, imm!($ri), imm!($rev))
        };
    }
    // Whether the operands are 64-bit integers (an immediate must fit 32 bits signed).
    macro_rules! wide {
        (i32) => {
            false
        };
        (i64) => {
            true
        };
        (float) => {
            false
        };
    }
    macro_rules! table {
        ($($kind:ident: $($o:ident $(($ri:tt, $rev:tt))?),*;)*) => {
            match op {
                $($(Operator::$o => (forms!($o $(($ri, $rev))?), wide!($kind)),)*)*
                _ => return None,
            }
        };
    }
    Some(table! {
        i32:
        I32Add(I32AddImm, I32AddImm),
        I32Sub(I32SubImm, I32RSubImm),
        I32Mul(I32MulImm, I32MulImm),
        I32And(I32AndImm, I32AndImm),
        I32Or(I32OrImm, I32OrImm),
        I32Xor(I32XorImm, I32XorImm),
        I32Shl(I32ShlImm, _),
        I32ShrS(I32ShrSImm, _),
        I32ShrU(I32ShrUImm, _),
        I32Rotl(I32RotlImm, _),
        I32Rotr(I32RotrImm, _),
        I32Eq(I32EqImm, I32EqImm),
        I32Ne(I32NeImm, I32NeImm),
        I32LtS(I32LtSImm, I32GtSImm),
        I32LtU(I32LtUImm, I32GtUImm),
        I32GtS(I32GtSImm, I32LtSImm),
        I32GtU(I32GtUImm, I32LtUImm),
        I32LeS(I32LeSImm, I32GeSImm),
        I32LeU(I32LeUImm, I32GeUImm),
        I32GeS(I32GeSImm, I32LeSImm),
        I32GeU(I32GeUImm, I32LeUImm),
        I32DivS, I32DivU, I32RemS, I32RemU;
        i64:
        I64Add(I64AddImm, I64AddImm),
        I64Sub(I64SubImm, I64RSubImm),
        I64Mul(I64MulImm, I64MulImm),
        I64And(I64AndImm, I64AndImm),
        I64Or(I64OrImm, I64OrImm),
        I64Xor(I64XorImm, I64XorImm),
        I64Shl(I64ShlImm, _),
        I64ShrS(I64ShrSImm, _),
        I64ShrU(I64ShrUImm, _),
        I64DivS, I64DivU, I64RemS, I64RemU, I64Rotl, I64Rotr, I64Eq, I64Ne, I64LtS, I64LtU, I64GtS,
        I64GtU, I64LeS, I64LeU, I64GeS, I64GeU;
        float:
        F32Eq, F32Ne, F32Lt, F32Gt, F32Le, F32Ge, F64Eq, F64Ne, F64Lt, F64Gt, F64Le, F64Ge, F32Add,
        F32Sub, F32Mul, F32Div, F32Min, F32Max, F32Copysign, F64Add, F64Sub, F64Mul, F64Div, F64Min,
        F64Max, F64Copysign;
    })
}

/// The unary operators, each the instruction of its name.
pub(super) fn unop(op: &Operator<'_>) -> Option<fn(R2) -> Instr> {
    macro_rules! table {
        ($($o:ident),*) => {
            match op {
                $(Operator::$o => Instr::$o,)*
                _ => return None,
            }
        };
    }
    Some(table!(
        I32Eqz,
        I64Eqz,
        I32Clz,
        I32Ctz,
        I32Popcnt,
        I64Clz,
        I64Ctz,
        I64Popcnt,
        F32Abs,
        F32Neg,
        F32Ceil,
        F32Floor,
        F32Trunc,
        F32Nearest,
        F32Sqrt,
        F64Abs,
        F64Neg,
        F64Ceil,
        F64Floor,
        F64Trunc,
        F64Nearest,
        F64Sqrt,
        I32WrapI64,
        I32TruncF32S,
        I32TruncF32U,
        I32TruncF64S,
        I32TruncF64U,
        I64ExtendI32S,
        I64ExtendI32U,
        I64TruncF32S,
        I64TruncF32U,
        I64TruncF64S,
        I64TruncF64U,
        F32ConvertI32S,
        F32ConvertI32U,
        F32ConvertI64S,
        F32ConvertI64U,
        F32DemoteF64,
        F64ConvertI32S,
        F64ConvertI32U,
        F64ConvertI64S,
        F64ConvertI64U,
        F64PromoteF32,
        I32Extend8S,
        I32Extend16S,
        I64Extend8S,
        I64Extend16S,
        I64Extend32S,
        I32TruncSatF32S,
        I32TruncSatF32U,
        I32TruncSatF64S,
        I32TruncSatF64U,
        I64TruncSatF32S,
        I64TruncSatF32U,
        I64TruncSatF64S,
        I64TruncSatF64U,
        RefIsNull
    ))
}

/// A load's constructors and memarg, or a store's: the Wasm operators, the instruction with its
/// address in a register, the one at a constant address, and the width in bytes.
pub(super) fn memop(op: &Operator<'_>) -> Option<MemOp> {
    macro_rules! loads {
        (load) => {
            true
        };
        (store) => {
            false
        };
    }
    macro_rules! table {
        ($($($o:ident)|* => $f:ident $at:ident $kind:ident $width:literal,)*) => {
            match *op {
                $($(Operator::$o { memarg })|* => (
                    (Instr::$f as fn(Mem) -> Instr, Instr::$at as fn(Mem) -> Instr),
                    loads!($kind),
                    $width,
                    memarg.offset,
                ),)*
                _ => return None,
            }
        };
    }
    Some(table! {
        I32Load | F32Load => I32Load I32LoadAt load 4,
        I64Load | F64Load => I64Load I64LoadAt load 8,
        I32Load8S => I32Load8S I32Load8SAt load 1,
        I32Load8U => I32Load8U I32Load8UAt load 1,
        I32Load16S => I32Load16S I32Load16SAt load 2,
        I32Load16U => I32Load16U I32Load16UAt load 2,
        I64Load8S => I64Load8S I64Load8SAt load 1,
        I64Load8U => I64Load8U I64Load8UAt load 1,
        I64Load16S => I64Load16S I64Load16SAt load 2,
        I64Load16U => I64Load16U I64Load16UAt load 2,
        I64Load32S => I64Load32S I64Load32SAt load 4,
        I64Load32U => I64Load32U I64Load32UAt load 4,
        I32Store | F32Store | I64Store32 => I32Store I32StoreAt store 4,
        I64Store | F64Store => I64Store I64StoreAt store 8,
        I32Store8 | I64Store8 => I32Store8 I32Store8At store 1,
        I32Store16 | I64Store16 => I32Store16 I32Store16At store 2,
    })
}
