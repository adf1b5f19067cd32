//! Translation of a validated function body into internal code: structured control flow becomes jumps
//! with resolved targets and stack adjustments; unreachable code is dropped.

use alloc::vec::Vec;
use core::cell::Cell;

use wasmparser::{
    BlockType, FuncValidator, FunctionBody, Operator, OperatorsReader, ValidatorResources,
};

use crate::error::Error;
use crate::instr::{DropKeep, Instr};
use crate::module::{FuncBody, Module, features};
use crate::value::ValType;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Block,
    Loop,
    If,
    Else,
}

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

struct Translator<'m> {
    module: &'m Module,
    code: Vec<Instr>,
    offsets: Vec<u32>,
    ctrl: Vec<Ctrl>,
    reachable: bool,
    offset: u32,
}

impl Translator<'_> {
    fn emit(&mut self, i: Instr) {
        self.code.push(i);
        self.offsets.push(self.offset);
    }

    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let f = self.module.type_at(t);
                (f.params.len() as u32, f.results.len() as u32)
            }
        }
    }

    fn push_ctrl(&mut self, kind: Kind, bt: BlockType, height: u32) {
        let (params, results) = self.block_arity(bt);
        self.ctrl.push(Ctrl {
            kind,
            height: height.saturating_sub(params),
            params,
            results,
            start: self.pc(),
            fixups: Vec::new(),
            else_fixup: None,
            entry_reachable: self.reachable,
        });
    }

    /// A branch to the label `depth` levels out, taken at operand height `height`.
    fn branch(&mut self, depth: u32, height: u32) -> (u32, DropKeep) {
        let pc = self.pc();
        let at = self.ctrl.len() - 1 - depth as usize;
        let frame = &mut self.ctrl[at];
        let keep = frame.label_arity();
        let dk = DropKeep {
            drop: height - frame.height - keep,
            keep,
        };
        if frame.kind == Kind::Loop {
            (frame.start, dk)
        } else {
            frame.fixups.push(pc);
            (u32::MAX, dk)
        }
    }

    fn patch(&mut self, at: u32, target: u32) {
        match &mut self.code[at as usize] {
            Instr::Br { target: t, .. }
            | Instr::BrIfNez { target: t, .. }
            | Instr::BrIfEqz { target: t } => *t = target,
            _ => {}
        }
    }
}

/// Validates and translates one function body.
pub(crate) fn translate(
    fv: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    module: &Module,
    func_idx: u32,
) -> Result<FuncBody, Error> {
    let ty = module.func_type(func_idx);
    let mut locals: Vec<ValType> = ty.params.to_vec();
    let mut lr = body.get_locals_reader()?;
    for _ in 0..lr.get_count() {
        let offset = lr.original_position();
        let (count, t) = lr.read()?;
        fv.define_locals(offset as u64, count, t)?;
        locals.extend(core::iter::repeat_n(ValType::from(t), count as usize));
    }
    let results = ty.results.len() as u32;
    let mut binary = body.get_binary_reader_for_operators()?;
    binary.set_features(features());
    let mut reader = OperatorsReader::new(binary);
    let mut t = Translator {
        module,
        code: Vec::new(),
        offsets: Vec::new(),
        ctrl: Vec::new(),
        reachable: true,
        offset: 0,
    };
    t.ctrl.push(Ctrl {
        kind: Kind::Block,
        height: 0,
        params: 0,
        results,
        start: 0,
        fixups: Vec::new(),
        else_fixup: None,
        entry_reachable: true,
    });
    let mut max_height = 0u32;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        let height = fv.operand_stack_height();
        fv.op(offset, &op)?;
        max_height = max_height.max(fv.operand_stack_height()).max(height);
        t.offset = offset as u32;
        op_to_instr(&mut t, op, height)?;
    }
    reader.finish()?;
    Ok(FuncBody {
        type_idx: module.func_types[func_idx as usize],
        locals: locals.into(),
        num_params: ty.params.len() as u32,
        max_height: max_height + 1,
        code: t.code.into_iter().map(Cell::new).collect(),
        offsets: t.offsets.into(),
    })
}

fn op_to_instr(t: &mut Translator<'_>, op: Operator<'_>, height: u32) -> Result<(), Error> {
    use Instr as I;
    // Structured control is tracked even in dead code so `else`/`end` pair up.
    match op {
        Operator::Block { blockty } => {
            t.push_ctrl(Kind::Block, blockty, height);
            return Ok(());
        }
        Operator::Loop { blockty } => {
            t.push_ctrl(Kind::Loop, blockty, height);
            return Ok(());
        }
        Operator::If { blockty } => {
            t.push_ctrl(Kind::If, blockty, height.saturating_sub(1));
            if t.reachable {
                let at = t.pc();
                t.emit(I::BrIfEqz { target: u32::MAX });
                t.ctrl.last_mut().expect("if frame").else_fixup = Some(at);
            }
            return Ok(());
        }
        Operator::Else => {
            if t.reachable {
                let frame = t.ctrl.last_mut().expect("else frame");
                let keep = frame.results;
                frame.fixups.push(t.code.len() as u32);
                t.emit(I::Br {
                    target: u32::MAX,
                    dk: DropKeep { drop: 0, keep },
                });
            }
            let pc = t.pc();
            let frame = t.ctrl.last_mut().expect("else frame");
            frame.kind = Kind::Else;
            let fix = frame.else_fixup.take();
            t.reachable = frame.entry_reachable;
            if let Some(at) = fix {
                t.patch(at, pc);
            }
            return Ok(());
        }
        Operator::End => {
            let frame = t.ctrl.pop().expect("end frame");
            if t.ctrl.is_empty() {
                // Function end: every branch to the body label lands on the return.
                let pc = t.pc();
                for at in frame.fixups {
                    t.patch(at, pc);
                }
                t.emit(I::Return {
                    keep: frame.results,
                });
                return Ok(());
            }
            let pc = t.pc();
            for at in frame.fixups.iter().copied().chain(frame.else_fixup) {
                t.patch(at, pc);
            }
            t.reachable = frame.entry_reachable;
            return Ok(());
        }
        _ if !t.reachable => return Ok(()),
        _ => {}
    }
    let instr = match op {
        Operator::Unreachable => {
            t.emit(I::Unreachable);
            t.reachable = false;
            return Ok(());
        }
        Operator::Nop => return Ok(()),
        Operator::Br { relative_depth } => {
            let (target, dk) = t.branch(relative_depth, height);
            t.emit(I::Br { target, dk });
            t.reachable = false;
            return Ok(());
        }
        Operator::BrIf { relative_depth } => {
            let (target, dk) = t.branch(relative_depth, height - 1);
            I::BrIfNez { target, dk }
        }
        Operator::BrTable { targets } => {
            let len = targets.len();
            t.emit(I::BrTable { len });
            let default = targets.default();
            for depth in targets.targets() {
                let (target, dk) = t.branch(depth?, height - 1);
                t.emit(I::Br { target, dk });
            }
            let (target, dk) = t.branch(default, height - 1);
            t.emit(I::Br { target, dk });
            t.reachable = false;
            return Ok(());
        }
        Operator::Return => {
            let keep = t.ctrl[0].results;
            t.emit(I::Return { keep });
            t.reachable = false;
            return Ok(());
        }
        Operator::Call { function_index } => I::Call(function_index),
        Operator::CallIndirect {
            type_index,
            table_index,
        } => I::CallIndirect {
            ty: type_index,
            table: table_index,
        },
        Operator::Drop => I::Drop,
        Operator::Select | Operator::TypedSelect { .. } => I::Select,
        Operator::LocalGet { local_index } => I::LocalGet(local_index),
        Operator::LocalSet { local_index } => I::LocalSet(local_index),
        Operator::LocalTee { local_index } => I::LocalTee(local_index),
        Operator::GlobalGet { global_index } => I::GlobalGet(global_index),
        Operator::GlobalSet { global_index } => I::GlobalSet(global_index),
        Operator::TableGet { table } => I::TableGet(table),
        Operator::TableSet { table } => I::TableSet(table),
        Operator::I32Load { memarg } => I::I32Load(mem_offset(&memarg, t.offset)?),
        Operator::I64Load { memarg } => I::I64Load(mem_offset(&memarg, t.offset)?),
        Operator::F32Load { memarg } => I::F32Load(mem_offset(&memarg, t.offset)?),
        Operator::F64Load { memarg } => I::F64Load(mem_offset(&memarg, t.offset)?),
        Operator::I32Load8S { memarg } => I::I32Load8S(mem_offset(&memarg, t.offset)?),
        Operator::I32Load8U { memarg } => I::I32Load8U(mem_offset(&memarg, t.offset)?),
        Operator::I32Load16S { memarg } => I::I32Load16S(mem_offset(&memarg, t.offset)?),
        Operator::I32Load16U { memarg } => I::I32Load16U(mem_offset(&memarg, t.offset)?),
        Operator::I64Load8S { memarg } => I::I64Load8S(mem_offset(&memarg, t.offset)?),
        Operator::I64Load8U { memarg } => I::I64Load8U(mem_offset(&memarg, t.offset)?),
        Operator::I64Load16S { memarg } => I::I64Load16S(mem_offset(&memarg, t.offset)?),
        Operator::I64Load16U { memarg } => I::I64Load16U(mem_offset(&memarg, t.offset)?),
        Operator::I64Load32S { memarg } => I::I64Load32S(mem_offset(&memarg, t.offset)?),
        Operator::I64Load32U { memarg } => I::I64Load32U(mem_offset(&memarg, t.offset)?),
        Operator::I32Store { memarg } => I::I32Store(mem_offset(&memarg, t.offset)?),
        Operator::I64Store { memarg } => I::I64Store(mem_offset(&memarg, t.offset)?),
        Operator::F32Store { memarg } => I::F32Store(mem_offset(&memarg, t.offset)?),
        Operator::F64Store { memarg } => I::F64Store(mem_offset(&memarg, t.offset)?),
        Operator::I32Store8 { memarg } => I::I32Store8(mem_offset(&memarg, t.offset)?),
        Operator::I32Store16 { memarg } => I::I32Store16(mem_offset(&memarg, t.offset)?),
        Operator::I64Store8 { memarg } => I::I64Store8(mem_offset(&memarg, t.offset)?),
        Operator::I64Store16 { memarg } => I::I64Store16(mem_offset(&memarg, t.offset)?),
        Operator::I64Store32 { memarg } => I::I64Store32(mem_offset(&memarg, t.offset)?),
        Operator::MemorySize { .. } => I::MemorySize,
        Operator::MemoryGrow { .. } => I::MemoryGrow,
        Operator::I32Const { value } => I::I32Const(value),
        Operator::I64Const { value } => I::I64Const(value),
        Operator::F32Const { value } => I::F32Const(value.bits()),
        Operator::F64Const { value } => I::F64Const(value.bits()),
        Operator::I32Eqz => I::I32Eqz,
        Operator::I32Eq => I::I32Eq,
        Operator::I32Ne => I::I32Ne,
        Operator::I32LtS => I::I32LtS,
        Operator::I32LtU => I::I32LtU,
        Operator::I32GtS => I::I32GtS,
        Operator::I32GtU => I::I32GtU,
        Operator::I32LeS => I::I32LeS,
        Operator::I32LeU => I::I32LeU,
        Operator::I32GeS => I::I32GeS,
        Operator::I32GeU => I::I32GeU,
        Operator::I64Eqz => I::I64Eqz,
        Operator::I64Eq => I::I64Eq,
        Operator::I64Ne => I::I64Ne,
        Operator::I64LtS => I::I64LtS,
        Operator::I64LtU => I::I64LtU,
        Operator::I64GtS => I::I64GtS,
        Operator::I64GtU => I::I64GtU,
        Operator::I64LeS => I::I64LeS,
        Operator::I64LeU => I::I64LeU,
        Operator::I64GeS => I::I64GeS,
        Operator::I64GeU => I::I64GeU,
        Operator::F32Eq => I::F32Eq,
        Operator::F32Ne => I::F32Ne,
        Operator::F32Lt => I::F32Lt,
        Operator::F32Gt => I::F32Gt,
        Operator::F32Le => I::F32Le,
        Operator::F32Ge => I::F32Ge,
        Operator::F64Eq => I::F64Eq,
        Operator::F64Ne => I::F64Ne,
        Operator::F64Lt => I::F64Lt,
        Operator::F64Gt => I::F64Gt,
        Operator::F64Le => I::F64Le,
        Operator::F64Ge => I::F64Ge,
        Operator::I32Clz => I::I32Clz,
        Operator::I32Ctz => I::I32Ctz,
        Operator::I32Popcnt => I::I32Popcnt,
        Operator::I32Add => I::I32Add,
        Operator::I32Sub => I::I32Sub,
        Operator::I32Mul => I::I32Mul,
        Operator::I32DivS => I::I32DivS,
        Operator::I32DivU => I::I32DivU,
        Operator::I32RemS => I::I32RemS,
        Operator::I32RemU => I::I32RemU,
        Operator::I32And => I::I32And,
        Operator::I32Or => I::I32Or,
        Operator::I32Xor => I::I32Xor,
        Operator::I32Shl => I::I32Shl,
        Operator::I32ShrS => I::I32ShrS,
        Operator::I32ShrU => I::I32ShrU,
        Operator::I32Rotl => I::I32Rotl,
        Operator::I32Rotr => I::I32Rotr,
        Operator::I64Clz => I::I64Clz,
        Operator::I64Ctz => I::I64Ctz,
        Operator::I64Popcnt => I::I64Popcnt,
        Operator::I64Add => I::I64Add,
        Operator::I64Sub => I::I64Sub,
        Operator::I64Mul => I::I64Mul,
        Operator::I64DivS => I::I64DivS,
        Operator::I64DivU => I::I64DivU,
        Operator::I64RemS => I::I64RemS,
        Operator::I64RemU => I::I64RemU,
        Operator::I64And => I::I64And,
        Operator::I64Or => I::I64Or,
        Operator::I64Xor => I::I64Xor,
        Operator::I64Shl => I::I64Shl,
        Operator::I64ShrS => I::I64ShrS,
        Operator::I64ShrU => I::I64ShrU,
        Operator::I64Rotl => I::I64Rotl,
        Operator::I64Rotr => I::I64Rotr,
        Operator::F32Abs => I::F32Abs,
        Operator::F32Neg => I::F32Neg,
        Operator::F32Ceil => I::F32Ceil,
        Operator::F32Floor => I::F32Floor,
        Operator::F32Trunc => I::F32Trunc,
        Operator::F32Nearest => I::F32Nearest,
        Operator::F32Sqrt => I::F32Sqrt,
        Operator::F32Add => I::F32Add,
        Operator::F32Sub => I::F32Sub,
        Operator::F32Mul => I::F32Mul,
        Operator::F32Div => I::F32Div,
        Operator::F32Min => I::F32Min,
        Operator::F32Max => I::F32Max,
        Operator::F32Copysign => I::F32Copysign,
        Operator::F64Abs => I::F64Abs,
        Operator::F64Neg => I::F64Neg,
        Operator::F64Ceil => I::F64Ceil,
        Operator::F64Floor => I::F64Floor,
        Operator::F64Trunc => I::F64Trunc,
        Operator::F64Nearest => I::F64Nearest,
        Operator::F64Sqrt => I::F64Sqrt,
        Operator::F64Add => I::F64Add,
        Operator::F64Sub => I::F64Sub,
        Operator::F64Mul => I::F64Mul,
        Operator::F64Div => I::F64Div,
        Operator::F64Min => I::F64Min,
        Operator::F64Max => I::F64Max,
        Operator::F64Copysign => I::F64Copysign,
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
        // Reinterpretations are no-ops on the untyped stack.
        Operator::I32ReinterpretF32
        | Operator::I64ReinterpretF64
        | Operator::F32ReinterpretI32
        | Operator::F64ReinterpretI64 => return Ok(()),
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
        Operator::MemoryInit { data_index, .. } => I::MemoryInit(data_index),
        Operator::DataDrop { data_index } => I::DataDrop(data_index),
        Operator::MemoryCopy { .. } => I::MemoryCopy,
        Operator::MemoryFill { .. } => I::MemoryFill,
        Operator::TableInit { elem_index, table } => I::TableInit {
            table,
            elem: elem_index,
        },
        Operator::ElemDrop { elem_index } => I::ElemDrop(elem_index),
        Operator::TableCopy {
            dst_table,
            src_table,
        } => I::TableCopy {
            dst: dst_table,
            src: src_table,
        },
        Operator::TableGrow { table } => I::TableGrow(table),
        Operator::TableSize { table } => I::TableSize(table),
        Operator::TableFill { table } => I::TableFill(table),
        Operator::RefNull { .. } => I::RefNull,
        Operator::RefIsNull => I::RefIsNull,
        Operator::RefFunc { function_index } => I::RefFunc(function_index),
        other => {
            return Err(Error::Unsupported {
                offset: t.offset as u64,
                what: alloc::format!("operator {other:?}"),
            });
        }
    };
    t.emit(instr);
    Ok(())
}

fn mem_offset(m: &wasmparser::MemArg, at: u32) -> Result<u32, Error> {
    u32::try_from(m.offset).map_err(|_| Error::Invalid {
        offset: at as u64,
        message: "memarg offset out of range".into(),
    })
}
