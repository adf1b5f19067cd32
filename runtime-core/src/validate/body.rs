//! One function body in the streaming pass: its operators validated, measured against the limits
//! (locals, block nesting, operand stack height, instructions translation will emit) and, when
//! the pass admits a module to run, translated as they go by.

use wasmparser::{FuncValidator, FunctionBody, OperatorsReader, ValidatorResources};

use super::{ModuleRequirements, invalid, shifted, within};
use crate::error::Error;
use crate::limits::PlatformLimits;
use crate::module::{FuncBody, Module, Translation};
use crate::translate::Translator;

/// What one body asks.
pub(super) struct BodyCount {
    operators: u64,
    instructions: u64,
    locals: u64,
    height: u32,
    nesting: u32,
}

impl BodyCount {
    /// Adds the body to the module's requirements.
    pub(super) fn add_to(&self, req: &mut ModuleRequirements) {
        req.operators += self.operators;
        req.instructions += self.instructions;
        req.max_function_locals = req.max_function_locals.max(self.locals);
        req.max_block_nesting = req.max_block_nesting.max(u64::from(self.nesting));
        req.locals += self.locals;
        req.max_frame_bytes = req
            .max_frame_bytes
            .max((self.locals + u64::from(self.height) + 1) * 8);
    }
}

/// Validates `body` with `fv`, checking its locals and nesting against `limits` (the body starts
/// at module offset `at`; `dropped` maps the parser's offsets to the file's), and translates it
/// as `translating` says when it says (into a body of that module, whose types are read).
/// The locals are counted and checked before translation expands them into slots.
pub(super) fn measure(
    fv: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    limits: &PlatformLimits,
    at: u64,
    dropped: u64,
    translating: Option<(&Module, &Translation<'_>)>,
) -> Result<(BodyCount, Option<FuncBody>), Error> {
    let mut reader = body.get_binary_reader();
    fv.read_locals(&mut reader)
        .map_err(|e| invalid(e, dropped))?;
    let locals = u64::from(fv.len_locals());
    within(
        "max_function_locals",
        locals,
        limits.max_function_locals,
        at,
    )?;
    let mut translator = match translating {
        Some((module, translation)) => Some(
            Translator::new(module, fv.index(), body, translation)
                .map_err(|e| shifted(e, dropped))?,
        ),
        None => None,
    };
    let mut ops = OperatorsReader::new(reader);
    let (code, start) = (body.as_bytes(), body.range().start);
    // The body's closing `end` emits its return.
    let mut count = BodyCount {
        operators: 0,
        instructions: 1,
        locals,
        height: 0,
        nesting: 1,
    };
    let mut prev = 0u8;
    while !ops.eof() {
        let pos = ops.original_position();
        let at = (pos - start) as usize;
        let opcode = code[at];
        let kind = OPCODES[usize::from(opcode)];
        count.instructions += emitted(opcode, kind, prev, &code[at + 1..]);
        prev = kind;
        // Only translation needs the operator built; validating alone visits it in place.
        let op = match translator {
            None => {
                ops.visit_operator(&mut fv.visitor(pos))
                    .and_then(|r| r)
                    .map_err(|e| invalid(e, dropped))?;
                None
            }
            Some(_) => {
                let op = ops.read().map_err(|e| invalid(e, dropped))?;
                fv.op(pos, &op).map_err(|e| invalid(e, dropped))?;
                Some(op)
            }
        };
        if kind & RAISES != 0 {
            count.height = count.height.max(fv.operand_stack_height());
        }
        if kind & OPENS != 0 && fv.control_stack_height() > count.nesting {
            count.nesting = fv.control_stack_height();
            within(
                "max_block_nesting",
                u64::from(count.nesting),
                limits.max_block_nesting,
                pos + dropped,
            )?;
        }
        if let (Some(t), Some(op)) = (translator.as_mut(), op) {
            t.operator(op, (pos + dropped) as u32)?;
        }
        count.operators += 1;
    }
    ops.finish().map_err(|e| invalid(e, dropped))?;
    Ok((count, translator.map(Translator::finish)))
}

/// What the streaming pass notes of an operator, by its opcode byte.
const FOLDED: u8 = 1;
/// The operator may raise the operand stack above its previous height (pushes more than it pops).
const RAISES: u8 = 2;
/// The operator opens a control construct (`block`, `loop`, `if`).
const OPENS: u8 = 4;
/// An `i32` comparison, which a following `br_if` or `if` fuses into a compare-and-branch.
const COMPARES: u8 = 8;
/// A load or a numeric operator, whose instruction writes its result into the local a following
/// `local.tee` names.
const PRODUCES: u8 = 16;

/// Internal instructions translation emits for an operator: none for the folded ones, none for a
/// `br_if`/`if` after a comparison (merged into it), none for a `local.tee` of a load's or a numeric
/// operator's result (written in place) or a `drop`, two for a call (most copy an argument) or a
/// `select`, a jump per target for `br_table` (`rest`: the bytes after its opcode), one otherwise.
fn emitted(opcode: u8, kind: u8, prev: u8, rest: &[u8]) -> u64 {
    match opcode {
        _ if kind & FOLDED != 0 => 0,
        0x0d | 0x04 if prev & COMPARES != 0 => 0,
        0x22 if prev & PRODUCES != 0 => 0,
        0x10 | 0x11 | 0x1b | 0x1c => 2,
        0x1a => 0,
        0x0e => {
            let mut r = wasmparser::BinaryReader::new(rest, 0);
            2 + u64::from(r.read_var_u32().unwrap_or(0))
        }
        _ => 1,
    }
}

/// [`FOLDED`] marks the operators translation folds into the instructions that use them instead of
/// emitting one (constants, `local.get`, `nop`, block structure); [`RAISES`] those after which the
/// operand stack height is worth reading: `local.get`, `global.get`, constants, calls, `memory.size`,
/// `ref.null`, `ref.func` and the `0xfc` prefix (`table.size`).
const OPCODES: [u8; 256] = {
    let mut t = [0u8; 256];
    let folded = [0x20, 0x41, 0x42, 0x43, 0x44, 0x01, 0x02, 0x03, 0x0b];
    let raises = [
        0x20, 0x23, 0x41, 0x42, 0x43, 0x44, 0x10, 0x11, 0x3f, 0xd0, 0xd2, 0xfc,
    ];
    let mut i = 0;
    while i < folded.len() {
        t[folded[i]] |= FOLDED;
        i += 1;
    }
    t[0x02] |= OPENS;
    t[0x03] |= OPENS;
    t[0x04] |= OPENS;
    i = 0x45;
    while i <= 0x4f {
        t[i] |= COMPARES;
        i += 1;
    }
    i = 0x28;
    while i <= 0x35 {
        t[i] |= PRODUCES;
        i += 1;
    }
    i = 0x45;
    while i <= 0xc4 {
        t[i] |= PRODUCES;
        i += 1;
    }
    i = 0;
    while i < raises.len() {
        t[raises[i]] |= RAISES;
        i += 1;
    }
    t
};
