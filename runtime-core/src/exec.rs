//! The interpreter and the resumable thread it runs on (the handlers themselves are in `dispatch`).
//! Wasm calls never recurse on the host stack:
//! frames live in [`Thread::frames`], so deep recursion traps with `call stack exhausted` instead.

mod config;
mod dispatch;
mod invoke;

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::error::{Error, Trap};
use crate::instr::Instr;
use crate::module::FuncBody;
use crate::store::{Caller, FuncKind, Store, range};
use crate::value::Val;

/// A suspended or active call frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Store address of the function.
    pub func: u32,
    /// Internal pc: of the next instruction for callers, of the current one for the top frame.
    pub pc: u32,
    /// Index of the first local in the value stack.
    pub fp: u32,
    /// Instance the function belongs to.
    pub instance: u32,
}

/// Whether bytes `first..end` and `addr..addr + len` overlap: the interpreter's test of an
/// access against [`Hook::watched`], and the watchpoints' own.
pub(crate) fn overlaps((first, end): (u64, u64), addr: u64, len: u64) -> bool {
    addr < end && first < addr + len
}

/// Why [`Thread::run`] returned without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The entry function returned; see [`Thread::results`].
    Finished,
    /// A patched-in [`Instr::Break`] was reached; the top frame's pc points at it.
    Breakpoint(u32),
    /// The hook asked to stop before the instruction at the top frame's pc.
    Paused,
    /// The hook asked to stop after a memory access; the top frame's pc is the next instruction.
    Watchpoint,
}

/// A per-instruction hook for stepping and a memory-access hook for watchpoints. The plain run is
/// compiled with [`NoHook`] and pays nothing for either.
pub trait Hook {
    /// Whether the interpreter calls [`Hook::before`] at all.
    const ACTIVE: bool;
    /// Whether loads, stores and bulk memory instructions call [`Hook::access`].
    const WATCH: bool = false;
    /// Called before each instruction with the current frame and the call depth; `false` pauses there.
    fn before(&mut self, frame: &Frame, depth: usize) -> bool;
    /// Called after linear memory bytes `addr..addr + len` were read or written (by a load or
    /// store, only if they overlap [`Hook::watched`]); `true` stops after the
    /// instruction with [`Outcome::Watchpoint`].
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        let _ = (addr, len, write);
        false
    }
    /// The bytes a store (`write`) or a load may trip a watch in, from the first to past the last
    /// (empty, first past end, where none can): the interpreter asks [`Hook::access`] only about an
    /// access that overlaps them, and one that ends at or before the first costs nothing, its
    /// test folded into the bounds check. Asked when a run starts and when memory moves, so it
    /// must not change while it runs. The default, all of memory, asks about every access.
    fn watched(&self, write: bool) -> (u64, u64) {
        let _ = write;
        (0, u64::MAX)
    }
    /// Whether the interpreter calls [`Hook::poll`] (and so counts the instructions it runs).
    const POLL: bool = false;
    /// Called at the first taken branch or Wasm call, then at the first after each further
    /// [`POLL_PERIOD`] instructions, with the instructions run so far, so a running program can
    /// be interrupted (and its progress shown) without a per-instruction hook; `true` pauses
    /// before the next instruction.
    fn poll(&mut self, executed: u64) -> bool {
        let _ = executed;
        false
    }
    /// Whether the interpreter counts instructions and reports them per function through
    /// [`Hook::account`] and [`Hook::enter`]: an exact function profile without a per-instruction hook.
    const ACCOUNT: bool = false;
    /// Wasm function `func` (a store address) ran `instructions` more instructions; reported when
    /// it calls, returns, or the run stops. An instruction counts once it starts, so a trapping
    /// one counts and a breakpoint's marker does not.
    fn account(&mut self, func: u32, instructions: u64) {
        let _ = (func, instructions);
    }
    /// A Wasm call at instruction `site` of the caller entered function `func` (a store address).
    fn enter(&mut self, func: u32, site: u32) {
        let _ = (func, site);
    }
    /// The running Wasm function returned to its Wasm caller (after its last [`Hook::account`]).
    fn leave(&mut self) {}
    /// Whether every straight run of instructions is reported through [`Hook::span`] (with
    /// [`Hook::ACCOUNT`]): what a per-instruction profile needs, at one call per transfer.
    const SPANS: bool = false;
    /// Instructions `start..end` of function `func` (a store address) ran once, in order.
    fn span(&mut self, func: u32, start: u32, end: u32) {
        let _ = (func, start, end);
    }
}

/// Instructions between two [`Hook::poll`]s (at least; the poll waits for the next taken branch
/// or call, and a loop takes one each time round): often enough that an interrupt stops a program
/// within microseconds, seldom enough that polling costs nothing measurable.
pub const POLL_PERIOD: u64 = 8192;

/// The hook of the normal, full-speed run.
pub struct NoHook;

impl Hook for NoHook {
    const ACTIVE: bool = false;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        true
    }
}

impl<F: FnMut(&Frame, usize) -> bool> Hook for F {
    const ACTIVE: bool = true;
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        self(frame, depth)
    }
}

/// Runs one instruction: pauses before the second, with the memory-access checks of `inner`.
struct Once<'h, H> {
    inner: &'h mut H,
    first: bool,
}

impl<H: Hook> Hook for Once<'_, H> {
    const ACTIVE: bool = true;
    const WATCH: bool = H::WATCH;
    const ACCOUNT: bool = H::ACCOUNT;
    const SPANS: bool = H::SPANS;
    fn before(&mut self, _: &Frame, _: usize) -> bool {
        core::mem::replace(&mut self.first, false)
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        self.inner.access(addr, len, write)
    }
    fn watched(&self, write: bool) -> (u64, u64) {
        self.inner.watched(write)
    }
    fn account(&mut self, func: u32, instructions: u64) {
        self.inner.account(func, instructions);
    }
    fn enter(&mut self, func: u32, site: u32) {
        self.inner.enter(func, site);
    }
    fn leave(&mut self) {
        self.inner.leave();
    }
    fn span(&mut self, func: u32, start: u32, end: u32) {
        self.inner.span(func, start, end);
    }
}

/// One Wasm call in progress: value stack and frames. It can be run, paused, inspected and resumed.
///
/// The value stack holds each frame's registers: its locals, then one slot per operand stack height.
/// A callee's frame starts at the caller's argument registers, so arguments and results need no copying.
pub struct Thread {
    /// The identity of the store the thread was made for; running it on another is refused.
    store: Arc<()>,
    stack: Vec<u64>,
    frames: Vec<Frame>,
    entry: u32,
    done: bool,
    args: Vec<Val>,
    rets: Vec<Val>,
}

impl Thread {
    /// Prepares a call of function `addr` with `args`; nothing runs until [`Thread::run`].
    pub fn new(store: &Store, addr: u32, args: &[Val]) -> Result<Thread, Error> {
        let ty = store
            .funcs
            .get(addr as usize)
            .map(|f| &store.types[f.type_id as usize]);
        let ty = ty.ok_or_else(|| {
            Error::ArgumentMismatch(alloc::format!("no function at address {addr}"))
        })?;
        if ty.params.len() != args.len() || ty.params.iter().zip(args).any(|(t, a)| *t != a.ty()) {
            return Err(Error::ArgumentMismatch(alloc::format!(
                "expected {:?}, got {:?}",
                ty.params,
                args
            )));
        }
        let mut stack = alloc::vec![0; args.len().max(ty.results.len()).max(16)];
        for (slot, a) in stack.iter_mut().zip(args) {
            *slot = a.to_raw();
        }
        Ok(Thread {
            store: store.id.clone(),
            stack,
            frames: Vec::new(),
            entry: addr,
            done: false,
            args: Vec::new(),
            rets: Vec::new(),
        })
    }

    /// Allocates now the whole stack the store's limits allow, so that running never allocates: for
    /// debug sessions, whose hot path must not touch the allocator.
    pub fn preallocate(&mut self, store: &Store) {
        let (values, frames) = (store.config.max_values, store.config.max_frames);
        if self.stack.len() < values {
            self.stack.reserve_exact(values - self.stack.len());
            self.stack.resize(values, 0);
        }
        self.frames
            .reserve_exact(frames.saturating_sub(self.frames.len()));
    }

    /// The call frames, outermost first; the last is where execution stands.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// Values of frame `i`'s locals (parameters first).
    pub fn locals(&self, store: &Store, i: usize) -> &[u64] {
        &self.stack[self.locals_at(store, i)]
    }

    /// Frame `i`'s locals, to write (a debugger's assignment while the thread is stopped).
    pub fn locals_mut(&mut self, store: &Store, i: usize) -> &mut [u64] {
        let at = self.locals_at(store, i);
        &mut self.stack[at]
    }

    /// Where frame `i`'s locals are on the stack.
    fn locals_at(&self, store: &Store, i: usize) -> core::ops::Range<usize> {
        let f = &self.frames[i];
        let n = store.func_body(f.func).map_or(0, |b| b.locals.len());
        f.fp as usize..f.fp as usize + n
    }

    /// Operand stack values of frame `i`, bottom first. Exact for modules translated with
    /// [`crate::Module::new_for_debugging`], and at boundaries of
    /// [`crate::Module::new_with_boundaries`]; a caller's stack excludes the arguments it passed.
    pub fn operands(&self, store: &Store, i: usize) -> Vec<u64> {
        let f = &self.frames[i];
        let Some(body) = store.func_body(f.func) else {
            return Vec::new();
        };
        let start = f.fp as usize;
        match self.frames.get(i + 1) {
            None => body.operand_values(f.pc, &self.stack[start..]),
            Some(callee) => self.stack[start + body.locals.len()..callee.fp as usize].to_vec(),
        }
    }

    /// Value stack slot `i`: where a returning frame left its results (at its frame pointer).
    pub fn slot(&self, i: usize) -> Option<u64> {
        self.stack.get(i).copied()
    }

    /// Whether the entry function has returned.
    pub fn is_finished(&self) -> bool {
        self.done
    }

    /// The entry function's results, once finished.
    pub fn results(&self, store: &Store) -> Vec<Val> {
        let results = store
            .func_type(self.entry)
            .map_or(&[][..], |ty| &ty.results);
        results
            .iter()
            .zip(&self.stack)
            .map(|(t, raw)| Val::from_raw(*t, *raw))
            .collect()
    }

    /// Runs at full speed until the call finishes, traps or reaches a breakpoint.
    pub fn run(&mut self, store: &mut Store) -> Result<Outcome, Trap> {
        self.execute(store, &mut NoHook)
    }

    /// Runs with `hook` consulted before every instruction.
    pub fn run_with_hook<H: Hook>(
        &mut self,
        store: &mut Store,
        hook: &mut H,
    ) -> Result<Outcome, Trap> {
        self.execute(store, hook)
    }

    /// Executes exactly one instruction (stepping into calls), e.g. to step off a breakpoint.
    pub fn step(&mut self, store: &mut Store) -> Result<Outcome, Trap> {
        self.step_with_hook(store, &mut NoHook)
    }

    /// Executes exactly one instruction with `hook`'s memory-access checks: stepping off a
    /// breakpoint this way misses no watched access the instruction under it makes.
    pub fn step_with_hook<H: Hook>(
        &mut self,
        store: &mut Store,
        hook: &mut H,
    ) -> Result<Outcome, Trap> {
        self.execute(
            store,
            &mut Once {
                inner: hook,
                first: true,
            },
        )
    }

    /// Enters the entry function without running it, so a debugger can stop at its first
    /// instruction. A host entry function runs to completion here.
    pub fn start(&mut self, store: &mut Store) -> Result<(), Trap> {
        if !self.belongs_to(store) {
            return Err(Trap::ForeignStore);
        }
        if self.done || !self.frames.is_empty() {
            return Ok(());
        }
        match store.funcs[self.entry as usize].kind.clone() {
            FuncKind::Host(f) => {
                self.call_host(store, &f, self.entry, 0, None)?;
                if !self.belongs_to(store) {
                    return Err(Trap::ForeignStore);
                }
                self.done = true;
            }
            FuncKind::Wasm { instance, body, .. } => {
                self.enter(store, &body, 0)?;
                self.frames.push(Frame {
                    func: self.entry,
                    pc: 0,
                    fp: 0,
                    instance,
                });
            }
        }
        Ok(())
    }

    /// Whether `store` is the one this thread was made for: its frames name that store's code.
    fn belongs_to(&self, store: &Store) -> bool {
        Arc::ptr_eq(&self.store, &store.id)
    }

    fn execute<H: Hook>(&mut self, store: &mut Store, hook: &mut H) -> Result<Outcome, Trap> {
        self.start(store)?;
        if self.done {
            return Ok(Outcome::Finished);
        }
        let mode = dispatch::mode(dispatch::flags::<H>());
        let mut clock = Clock {
            executed: 0,
            due: 0,
            polled: false,
            touched: None,
        };
        let out = loop {
            let out = self.interpret(store, hook, mode, &mut clock);
            // An access near a watch: whether it trips one is asked here, out of the handlers.
            if let Some((addr, len, write)) = clock.touched.take() {
                if !hook.access(addr, len, write) {
                    continue;
                }
                break Ok(Outcome::Watchpoint);
            }
            // A poll is due: made here, outside the handlers, so that no handler holds a
            // register for its call.
            if mode & dispatch::POLL != 0 && core::mem::take(&mut clock.polled) {
                clock.due = clock.executed + POLL_PERIOD;
                if !H::POLL || !hook.poll(clock.executed) {
                    continue;
                }
            }
            break out;
        };
        if matches!(out, Ok(Outcome::Finished)) {
            self.done = true;
        }
        out
    }

    /// Makes room for a frame at `fp` and one more entry in [`Thread::frames`], within the store's
    /// limits, and zeroes the frame's declared (non-parameter) locals. Both stacks grow by doubling
    /// capped at their limit, so their capacity never passes it.
    fn enter(&mut self, store: &Store, body: &FuncBody, fp: usize) -> Result<(), Trap> {
        let need = fp + body.locals.len() + body.max_height as usize;
        let (max_values, max_frames) = (store.config.max_values, store.config.max_frames);
        if need > max_values || self.frames.len() >= max_frames {
            return Err(Trap::CallStackExhausted);
        }
        if need > self.stack.len() {
            let new_len = need.max(self.stack.len() * 2).min(max_values);
            self.stack.reserve_exact(new_len - self.stack.len());
            self.stack.resize(new_len, 0);
        }
        if self.frames.len() == self.frames.capacity() {
            let grow = self
                .frames
                .len()
                .max(16)
                .min(max_frames - self.frames.len());
            self.frames.reserve_exact(grow);
        }
        self.stack[fp + body.num_params as usize..fp + body.locals.len()].fill(0);
        Ok(())
    }

    /// Calls a host function with its arguments in the registers from `base`; results replace them.
    fn call_host(
        &mut self,
        store: &mut Store,
        f: &crate::store::HostFn,
        addr: u32,
        base: usize,
        instance: Option<u32>,
    ) -> Result<(), Trap> {
        let ty = &store.types[store.funcs[addr as usize].type_id as usize];
        self.args.clear();
        self.args.extend(
            ty.params
                .iter()
                .zip(&self.stack[base..])
                .map(|(t, raw)| Val::from_raw(*t, *raw)),
        );
        self.rets.clear();
        self.rets
            .extend(ty.results.iter().map(|t| Val::default_of(*t)));
        f(&mut Caller { store, instance }, &self.args, &mut self.rets)?;
        if base + self.rets.len() > self.stack.len() {
            self.stack.resize(base + self.rets.len(), 0);
        }
        for (slot, v) in self.stack[base..].iter_mut().zip(&self.rets) {
            *slot = v.to_raw();
        }
        Ok(())
    }
}

/// What a hooked run counts across the handlers' stops for a poll.
struct Clock {
    /// Instructions run so far (for a polling or accounting hook).
    executed: u64,
    /// The count at which a poll is due, at the next taken branch or call.
    due: u64,
    /// Whether the handlers stopped for a poll.
    polled: bool,
    /// An access the handlers stopped after for [`Hook::access`] to tell: address, length, write.
    touched: Option<(u64, u64, bool)>,
}

/// The bytes of code one instruction takes.
const INSTR_SIZE: usize = core::mem::size_of::<Cell<Instr>>();

/// How many instructions `to` is past `from`, both in one function's code.
fn index(from: *const Cell<Instr>, to: *const Cell<Instr>) -> usize {
    (to.addr() - from.addr()) / INSTR_SIZE
}

/// The store address of instance `inst`'s linear memory, `usize::MAX` where it has none.
fn first_memory(store: &Store, inst: u32) -> usize {
    store.instances[inst as usize]
        .mems
        .first()
        .map_or(usize::MAX, |&m| m as usize)
}

/// The start and length of linear memory `mem` of the store, or an empty memory where there is none.
fn linear_memory(store: &mut Store, mem: usize) -> (*mut u8, u64) {
    match store.mems.get_mut(mem) {
        Some(m) => (m.data.as_mut_ptr(), m.data.len() as u64),
        None => (core::ptr::NonNull::dangling().as_ptr(), 0),
    }
}

/// A linear memory access a bulk instruction made: address, length, and whether it wrote.
type Access = (u64, u64, bool);

/// Runs the rare instructions (tables, bulk memory, memory size and growth, references) out of
/// the handlers, so that their code is not copied into every hook mode's; returns the
/// linear memory ranges read and written, for the watch checks.
///
/// # Safety
/// `regs` points at the registers of the running frame of `instr`'s function, which hold every
/// register index the instruction names (as in [`Thread::interpret`]).
#[inline(never)]
unsafe fn rare(
    store: &mut Store,
    inst: u32,
    mem: usize,
    regs: *mut u64,
    instr: Instr,
) -> Result<[Option<Access>; 2], Trap> {
    macro_rules! r {
        ($x:expr) => {
            // SAFETY: the caller's promise: register indices are within the running frame.
            *unsafe { &mut *regs.add($x as usize) }
        };
    }
    macro_rules! operands3 {
        ($base:expr) => {{
            let b = $base;
            (r!(b) as u32, r!(b + 1), r!(b + 2) as u32)
        }};
    }
    let mut accesses = [None; 2];
    match instr {
        Instr::TableGet { dst, index, table } => {
            let i = r!(index) as u32;
            let t = &store.tables[store.instances[inst as usize].tables[table as usize] as usize];
            match t.elems.get(i as usize) {
                Some(&v) => r!(dst) = v,
                None => return Err(Trap::TableOutOfBounds),
            }
        }
        Instr::TableSet { table, base } => {
            let (i, v) = (r!(base) as u32, r!(base + 1));
            let t =
                &mut store.tables[store.instances[inst as usize].tables[table as usize] as usize];
            match t.elems.get_mut(i as usize) {
                Some(slot) => *slot = v,
                None => return Err(Trap::TableOutOfBounds),
            }
        }
        Instr::TableSize { dst, table } => {
            r!(dst) = store.tables[store.instances[inst as usize].tables[table as usize] as usize]
                .elems
                .len() as u64
        }
        Instr::TableGrow { table, base } => {
            let (init, n) = (r!(base), r!(base + 1) as u32 as u64);
            let limit = store.config.max_table_elems;
            let t =
                &mut store.tables[store.instances[inst as usize].tables[table as usize] as usize];
            let old = t.elems.len() as u64;
            let max = t.ty.limits.max.unwrap_or(u32::MAX as u64).min(limit);
            r!(base) = match old.checked_add(n).filter(|&new| new <= max) {
                Some(new) if t.elems.try_reserve_exact(n as usize).is_ok() => {
                    t.elems.resize(new as usize, init);
                    old
                }
                _ => u32::MAX as u64,
            };
        }
        Instr::TableFill { table, base } => {
            let (dst, v, n) = operands3!(base);
            let t =
                &mut store.tables[store.instances[inst as usize].tables[table as usize] as usize];
            let Some(d) = range(dst, n, t.elems.len()) else {
                return Err(Trap::TableOutOfBounds);
            };
            t.elems[d].fill(v);
        }
        Instr::TableCopy {
            dst_table,
            src_table,
            base,
        } => {
            let (dst, src, n) = operands3!(base);
            let i = &store.instances[inst as usize];
            let (td, ts) = (
                i.tables[dst_table as usize] as usize,
                i.tables[src_table as usize] as usize,
            );
            let (Some(s), Some(d)) = (
                range(src as u32, n, store.tables[ts].elems.len()),
                range(dst, n, store.tables[td].elems.len()),
            ) else {
                return Err(Trap::TableOutOfBounds);
            };
            if td == ts {
                store.tables[td].elems.copy_within(s, d.start);
            } else {
                let (lo, hi) = store.tables.split_at_mut(td.max(ts));
                let (dt, st) = if td < ts {
                    (&mut lo[td], &hi[0])
                } else {
                    (&mut hi[0], &lo[ts])
                };
                dt.elems[d].copy_from_slice(&st.elems[s]);
            }
        }
        Instr::TableInit { table, elem, base } => {
            let (dst, src, n) = operands3!(base);
            let i = &store.instances[inst as usize];
            let (t, e) = (i.tables[table as usize], i.elems[elem as usize]);
            store.table_init(t, e, dst, src as u32, n)?;
        }
        Instr::ElemDrop(e) => {
            let e = store.instances[inst as usize].elems[e as usize];
            store.elems[e as usize] = Vec::new();
        }
        Instr::MemorySize { dst } => r!(dst) = store.mems[mem].pages(),
        Instr::MemoryGrow { dst, delta } => {
            let delta = r!(delta) as u32 as u64;
            let limit = store.config.max_memory_bytes;
            r!(dst) = store.mems[mem]
                .grow(delta, limit)
                .unwrap_or(u32::MAX as u64);
        }
        Instr::MemoryInit { data, base } => {
            let (dst, src, n) = operands3!(base);
            let data = store.instances[inst as usize].datas[data as usize];
            store.memory_init(mem as u32, data, dst, src as u32, n)?;
            accesses[0] = Some((dst as u64, n as u64, true));
        }
        Instr::DataDrop(d) => {
            let data = store.instances[inst as usize].datas[d as usize];
            store.datas[data as usize] = Vec::new();
        }
        Instr::MemoryCopy { base } => {
            let (dst, src, n) = operands3!(base);
            let data = &mut store.mems[mem].data;
            let (Some(s), Some(_)) = (range(src as u32, n, data.len()), range(dst, n, data.len()))
            else {
                return Err(Trap::MemoryOutOfBounds);
            };
            data.copy_within(s, dst as usize);
            accesses = [
                Some((src as u32 as u64, n as u64, false)),
                Some((dst as u64, n as u64, true)),
            ];
        }
        Instr::MemoryFill { base } => {
            let (dst, v, n) = operands3!(base);
            let data = &mut store.mems[mem].data;
            let Some(d) = range(dst, n, data.len()) else {
                return Err(Trap::MemoryOutOfBounds);
            };
            data[d].fill(v as u8);
            accesses[0] = Some((dst as u64, n as u64, true));
        }
        Instr::RefNull { dst } => r!(dst) = 0,
        Instr::RefIsNull(x) => r!(x.dst) = u64::from(r!(x.a) == 0),
        Instr::RefFunc { dst, func } => {
            r!(dst) = store.instances[inst as usize].funcs[func as usize] as u64 + 1
        }
        _ => unreachable!("only the rare instructions come here"),
    }
    Ok(accesses)
}

#[inline(always)]
fn i32_(x: u64) -> i32 {
    x as u32 as i32
}
#[inline(always)]
fn u32_(x: u64) -> u32 {
    x as u32
}
#[inline(always)]
fn i64_(x: u64) -> i64 {
    x as i64
}
#[inline(always)]
fn u64_(x: u64) -> u64 {
    x
}
#[inline(always)]
fn f32_(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64_(x: u64) -> f64 {
    f64::from_bits(x)
}

/// Encoding of a typed result back into a stack slot.
trait IntoRaw {
    fn raw(self) -> u64;
}
impl IntoRaw for bool {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u64
    }
}
impl IntoRaw for i32 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u32 as u64
    }
}
impl IntoRaw for u32 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u64
    }
}
impl IntoRaw for i64 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self as u64
    }
}
impl IntoRaw for u64 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self
    }
}
impl IntoRaw for f32 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self.to_bits() as u64
    }
}
impl IntoRaw for f64 {
    #[inline(always)]
    fn raw(self) -> u64 {
        self.to_bits()
    }
}

#[cfg(test)]
mod tests;
