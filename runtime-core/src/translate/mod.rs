//! Translation of a validated function body into register code. The Wasm operand stack is simulated at
//! translation time: each stack height is a frame slot, `local.get` and constants stay symbolic until an
//! instruction consumes them, results can be written straight into locals, and a comparison feeding a
//! branch becomes one compare-and-branch. In eager (debug) mode every operand is materialised in its
//! slot, so the frame mirrors the Wasm operand stack exactly at every instruction boundary.
//!
//! By concept:
//! - this file: the [`Translator`], what it keeps per body, and the order an operator goes
//!   through the rest;
//! - [`stack`]: the simulated operand stack, locals and materialisation;
//! - [`control`]: blocks, loops and `if`s, and their labels;
//! - [`transfer`]: branches, returns and calls;
//! - [`operators`]: the operators that compute, `select`, locals, globals and constants;
//! - [`memory`]: loads, stores and the memory and table instructions;
//! - [`forms`]: which instructions each Wasm operator becomes;
//! - [`peephole`]: comparisons fused into branches, shifts into masks and adds;
//! - [`accumulate`]: the pass that picks accumulator forms once a body is done.

mod accumulate;
mod control;
mod forms;
mod memory;
mod operators;
mod peephole;
mod stack;
mod transfer;

use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use wasmparser::{FunctionBody, Operator};

use crate::error::Error;
use crate::instr::Instr;
use crate::module::{FuncBody, FuncType, Module, Pending, Translation};
use crate::value::ValType;

pub(crate) use control::CTRL_BYTES;
use control::Ctrl;
use stack::Opd;

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
    /// Appends `i`, the start of the pending boundary if there is one; its pc.
    pub(super) fn emit(&mut self, i: Instr) -> u32 {
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

    /// The pc the next instruction gets.
    pub(super) fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    /// A signature the validator vouched for; `None` (an index it let through) is named here.
    pub(super) fn signature<'a>(
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

    /// The register of operand stack position `pos`.
    pub(super) fn slot(&self, pos: usize) -> u32 {
        self.num_locals + pos as u32
    }

    /// Translates `op` by what it is: structured control even in dead code, the rest only where
    /// it is reachable.
    fn translate(&mut self, op: Operator<'_>) -> Result<(), Error> {
        if self.structured(&op)?
            || !self.reachable
            || self.numeric(&op)
            || self.transfer(&op)?
            || self.memory(&op)?
        {
            return Ok(());
        }
        self.operand(op)
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
            ctrl: alloc::vec![Ctrl::body(results)],
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
        t.translate(op)
    }

    /// The translated body, once every operator is in.
    pub(crate) fn finish(mut self) -> FuncBody {
        accumulate::accumulate(&mut self.code);
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
