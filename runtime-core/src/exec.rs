//! The interpreter loop and the resumable thread it runs on. Wasm calls never recurse on the host stack:
//! frames live in [`Thread::frames`], so deep recursion traps with `call stack exhausted` instead.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::debug::watch::overlaps;
use crate::error::{Error, Trap};
use crate::instr::Instr;
use crate::module::FuncBody;
use crate::numeric::{self as num, Fault};
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

/// A per-instruction hook for stepping and a memory-access hook for watchpoints. The plain loop is
/// compiled with [`NoHook`] and pays nothing for either.
pub trait Hook {
    /// Whether the loop calls [`Hook::before`] at all.
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
    /// (empty, first past end, where none can): the loop asks [`Hook::access`] only about an
    /// access that overlaps them, and one that ends at or before the first costs nothing, its
    /// test folded into the bounds check. Asked when the loop starts and when memory moves, so it
    /// must not change while the loop runs. The default, all of memory, asks about every access.
    fn watched(&self, write: bool) -> (u64, u64) {
        let _ = write;
        (0, u64::MAX)
    }
    /// Whether the loop calls [`Hook::poll`] (and so counts the instructions it runs).
    const POLL: bool = false;
    /// Called at the first taken branch or Wasm call, then at the first after each further
    /// [`POLL_PERIOD`] instructions, with the instructions run so far, so a running program can
    /// be interrupted (and its progress shown) without a per-instruction hook; `true` pauses
    /// before the next instruction.
    fn poll(&mut self, executed: u64) -> bool {
        let _ = executed;
        false
    }
    /// Whether the loop counts instructions and reports them per function through
    /// [`Hook::account`] and [`Hook::enter`]: an exact function profile without a per-instruction hook.
    const ACCOUNT: bool = false;
    /// Wasm function `func` (a store address) ran `instructions` more instructions; reported when
    /// it calls, returns, or the loop stops. An instruction counts once it starts, so a trapping
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

/// The hook of the normal, full-speed loop.
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
        let f = &self.frames[i];
        let n = store.func_body(f.func).map_or(0, |b| b.locals.len());
        &self.stack[f.fp as usize..f.fp as usize + n]
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
        let ty = store.func_type(self.entry);
        ty.results
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
        let mut clock = Clock {
            executed: 0,
            due: 0,
            polled: false,
            touched: None,
        };
        let out = loop {
            let out = self.interpret(store, hook, &mut clock);
            // An access near a watch: whether it trips one is asked here, out of the loop.
            if let Some((addr, len, write)) = clock.touched.take() {
                if !hook.access(addr, len, write) {
                    continue;
                }
                break Ok(Outcome::Watchpoint);
            }
            // A poll is due: made here, outside the loop, so that its call does not shape the
            // registers of the loop's dispatch (see `poll!`).
            if H::POLL && core::mem::take(&mut clock.polled) {
                clock.due = clock.executed + POLL_PERIOD;
                if !hook.poll(clock.executed) {
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

    // Never inlined: inlined into a debugger's resume, each hooked loop spilled its registers.
    #[allow(clippy::too_many_lines)]
    #[inline(never)]
    fn interpret<H: Hook>(
        &mut self,
        store: &mut Store,
        hook: &mut H,
        clock: &mut Clock,
    ) -> Result<Outcome, Trap> {
        let top = self.frames.pop().expect("a frame to run");
        let inst = top.instance;
        // The running frame's state that only calls, returns and the rarer instructions use. It
        // stays in memory (the optimiser is not shown where `c` points), so that it does not
        // compete for registers with what every instruction uses: a hooked loop holds more than
        // the plain one, and the register allocator had been moving it about on every branch.
        let mut cold = Cold {
            func: top.func,
            fp: top.fp as usize,
            inst,
            mem: first_memory(store, inst),
            accounted: 0,
            due: 0,
        };
        let c = core::hint::black_box(&mut cold);
        // The running instance's linear memory, held here so that a load or store does not index
        // `store.mems` again. Only code given the store mutably can move or resize it: `remap!`
        // runs after each such place (rare instructions, host calls) and when the instance changes.
        let (mut heap, mut heap_len) = linear_memory(store, c.mem);
        // A load or store that ends past its bound goes the slow way (`slow!`): past the memory
        // it traps, and in a watch session, where the bound is the first byte it could trip a
        // watch at when that comes first, it is tested against the watched bytes. So an access
        // below every watch costs the one compare it costs in `run`. No bound is past `heap_len`.
        let watch_bounds = |heap_len: u64, hook: &H| {
            [false, true].map(|write| heap_len.min(hook.watched(write).0))
        };
        let mut watch_bound = watch_bounds(heap_len, hook);
        macro_rules! bound {
            ($write:expr) => {
                if H::WATCH {
                    watch_bound[usize::from($write)]
                } else {
                    heap_len
                }
            };
        }
        macro_rules! remap {
            () => {{
                (heap, heap_len) = linear_memory(store, c.mem);
                if H::WATCH {
                    watch_bound = watch_bounds(heap_len, hook);
                }
            }};
        }
        // The running function's code. Bodies are `Rc`s owned by the store's function instances, which
        // are never removed or replaced while the store lives, so the pointer stays valid: the thread
        // runs only on its own store (checked on entry and after every host call, which could swap
        // the store), and code outside this crate can only swap break markers in and out.
        let mut code: *const Cell<Instr> =
            store.func_body(c.func).expect("wasm frame").code.as_ptr();
        // The next instruction to run. Only jumps, calls and returns set it (to an instruction of
        // `code`), and it moves on by one after each instruction; `pc!` tells its index.
        let mut ip = code.wrapping_add(top.pc as usize);
        macro_rules! pc {
            () => {
                index(code, ip)
            };
        }

        // Registers of the running frame. Translation only emits registers below
        // `locals + max_height`, and `enter` sized the stack to hold that many from `fp`,
        // so every register index is in bounds; `regs` is refreshed whenever the stack may move.
        let mut regs: *mut u64 = self.stack.as_mut_ptr().wrapping_add(c.fp);
        macro_rules! r {
            ($x:expr) => {
                // SAFETY: see `regs` above: register indices are below the frame size the stack holds.
                *unsafe { &mut *regs.add($x as usize) }
            };
        }
        macro_rules! refresh {
            () => {
                regs = self.stack.as_mut_ptr().wrapping_add(c.fp)
            };
        }
        macro_rules! un {
            ($x:expr, $from:ident, $e:expr) => {{
                let x = $x;
                let v = IntoRaw::raw($e($from(r!(x.a))));
                r!(x.dst) = v;
            }};
        }
        macro_rules! bin {
            ($x:expr, $from:ident, $e:expr) => {{
                let x = $x;
                let v = IntoRaw::raw($e($from(r!(x.a)), $from(r!(x.b))));
                r!(x.dst) = v;
            }};
        }
        macro_rules! bin_imm {
            ($x:expr, $from:ident, $e:expr) => {{
                let x = $x;
                let v = IntoRaw::raw($e($from(r!(x.a)), $from(x.imm as i64 as u64)));
                r!(x.dst) = v;
            }};
        }
        macro_rules! bin_trap {
            ($x:expr, $from:ident, $e:expr) => {{
                let x = $x;
                match $e($from(r!(x.a)), $from(r!(x.b))) {
                    Ok(v) => r!(x.dst) = IntoRaw::raw(v),
                    Err(f) => exit!(Err(Trap::from(f))),
                }
            }};
        }
        macro_rules! un_trap {
            ($x:expr, $from:ident, $e:expr) => {{
                let x = $x;
                match $e($from(r!(x.a))) {
                    Ok(v) => r!(x.dst) = IntoRaw::raw(v),
                    Err(f) => exit!(Err(Trap::from(f))),
                }
            }};
        }
        // Instructions run since the run began, counted only for a polling or accounting hook,
        // and how many of them were already accounted to a function (all, on entry: the loop
        // accounts before it exits). The count is kept as its distance from `c.due` (the count
        // at which the next poll is due, for a polling hook; the count on entry otherwise).
        // Code runs straight on between transfers of control, so one address tells it: `due_at`,
        // where in the running straight run the count reaches `c.due`. Only a transfer moves
        // it, and a poll is due once `ip` has passed it: one register for the count and the poll.
        c.due = if H::POLL { clock.due } else { clock.executed };
        let mut due_at = (ip.addr() as u64).wrapping_add(
            c.due
                .wrapping_sub(clock.executed)
                .wrapping_mul(INSTR_SIZE as u64),
        );
        c.accounted = clock.executed;
        macro_rules! past_due {
            () => {
                (ip.addr() as u64).wrapping_sub(due_at) as i64
            };
        }
        macro_rules! executed {
            () => {
                c.due.wrapping_add((past_due!() / INSTR_SIZE as i64) as u64)
            };
        }
        // Where the running straight run started, kept only for a hook that is given the runs.
        let mut mark = ip;
        macro_rules! settle {
            () => {{
                if H::SPANS {
                    hook.span(c.func, index(code, mark) as u32, pc!() as u32);
                }
            }};
        }
        macro_rules! goto {
            ($to:expr) => {{
                let next = code.wrapping_add($to as usize);
                if H::POLL || H::ACCOUNT {
                    due_at = due_at
                        .wrapping_add(next.addr() as u64)
                        .wrapping_sub(ip.addr() as u64);
                }
                ip = next;
                mark = ip;
            }};
        }
        macro_rules! transfer {
            ($to:expr) => {{
                settle!();
                goto!($to);
            }};
        }
        macro_rules! account {
            () => {
                if H::ACCOUNT {
                    hook.account(c.func, executed!() - c.accounted);
                    c.accounted = executed!();
                }
            };
        }
        // At a taken branch or call, whether a poll is due. Then the loop exits (accounting
        // first, so a profile's time samples see every instruction run so far) and `execute`
        // polls: a call in the loop would cost every dispatch register moves. Without a
        // per-instruction hook the branch does not exit itself: it goes on (a conditional move,
        // no branch) to the `Instr::Poll` of `detour`, which exits and resumes where the branch
        // went. An exit on the branch had the register allocator move registers about on every
        // taken branch.
        let detour = Detour {
            poll: Cell::new(Instr::Poll),
            resume: Cell::new(ip),
        };
        macro_rules! poll {
            () => {
                let due = past_due!() >= 0;
                if H::POLL && H::ACTIVE && due {
                    clock.polled = true;
                    exit!(Ok(Outcome::Paused));
                }
                if H::POLL && !H::ACTIVE {
                    detour.resume.set(ip);
                    ip = if due { &raw const detour.poll } else { ip };
                }
            };
        }
        macro_rules! jump {
            ($target:expr) => {{
                transfer!($target);
                poll!();
            }};
        }
        macro_rules! br_if {
            ($cond:expr, $target:expr) => {
                if $cond {
                    jump!($target);
                }
            };
        }
        macro_rules! br_cmp {
            ($x:expr, $from:ident, $op:tt) => {{
                let x = $x;
                br_if!($from(r!(x.a)) $op $from(r!(x.b)), x.target)
            }};
        }
        macro_rules! br_cmp_imm {
            ($x:expr, $from:ident, $op:tt) => {{
                let x = $x;
                br_if!($from(r!(x.a)) $op $from(x.imm as u32 as u64), x.target)
            }};
        }
        // Whether an access of bytes `$start..$end` past its `$bound` (see `bound!`) overlaps the
        // watched bytes; past the memory it traps.
        macro_rules! slow {
            ($start:expr, $end:expr, $bound:expr, $write:expr) => {
                $end > $bound && {
                    if $end > heap_len {
                        exit!(Err(Trap::MemoryOutOfBounds));
                    }
                    H::WATCH && overlaps(hook.watched($write), $start, $end - $start)
                }
            };
        }
        // An access near a watch leaves the loop, for `execute` to ask the hook whether it trips
        // one (and come back if not): as for a poll, a call here would cost every dispatch, and
        // without a per-instruction hook it leaves by the detour.
        macro_rules! watched {
            ($near:expr, $addr:expr, $len:expr, $write:expr) => {
                if H::WATCH && $near {
                    clock.touched = Some(($addr as u64, $len as u64, $write));
                    if H::ACTIVE {
                        exit!(Ok(Outcome::Watchpoint));
                    }
                    detour.resume.set(ip);
                    ip = &raw const detour.poll;
                }
            };
        }
        // Where a load or store of `n` bytes starts and ends: a register's address plus `m.end`
        // is the end; at a constant address `m.addr` and `m.end` are the start and the end (the
        // access's own address then has two parts, not three: a third costs a load a cycle, and
        // c-spin's counter chains its loads through its stores). In bounds when the end is.
        macro_rules! bounds {
            ($m:expr, $n:literal) => {{
                let end = r!($m.addr) as u32 as u64 + $m.end as u64;
                (end - $n, end)
            }};
            (at $m:expr, $n:literal) => {
                ($m.addr as u64, $m.end as u64)
            };
        }
        macro_rules! load {
            (at $m:expr, $n:literal, $conv:expr) => {{
                let m = $m;
                load!(m, bounds!(at m, $n), $n, $conv)
            }};
            ($m:expr, $n:literal, $conv:expr) => {{
                let m = $m;
                load!(m, bounds!(m, $n), $n, $conv)
            }};
            ($m:expr, $bounds:expr, $n:literal, $conv:expr) => {{
                let (start, end) = $bounds;
                let near = slow!(start, end, bound!(false), false);
                // SAFETY: `heap` holds `heap_len` bytes (see `remap!`), and the access ends within
                // them (its bound is not past them, `slow!` tests past it): translation makes
                // every access end `n` bytes past its start.
                let b: [u8; $n] =
                    unsafe { core::ptr::read_unaligned(heap.add(start as usize).cast()) };
                r!($m.reg) = $conv(b);
                watched!(near, start, $n, false);
            }};
        }
        macro_rules! store {
            (at $m:expr, $n:literal, $conv:expr) => {{
                let m = $m;
                store!(m, bounds!(at m, $n), $n, $conv)
            }};
            ($m:expr, $n:literal, $conv:expr) => {{
                let m = $m;
                store!(m, bounds!(m, $n), $n, $conv)
            }};
            ($m:expr, $bounds:expr, $n:literal, $conv:expr) => {{
                let (start, end) = $bounds;
                let b: [u8; $n] = $conv(r!($m.reg));
                let near = slow!(start, end, bound!(true), true);
                // SAFETY: as for `load!`.
                unsafe { core::ptr::write_unaligned(heap.add(start as usize).cast(), b) };
                watched!(near, start, $n, true);
            }};
        }
        macro_rules! set_instance {
            ($i:expr) => {{
                if $i != c.inst {
                    c.inst = $i;
                    c.mem = first_memory(store, c.inst);
                    remap!();
                }
            }};
        }

        // Why the loop stopped, written where it stops. It stays in memory like `cold`: as the
        // loop's value it was a phi, which the register allocator preloaded on every dispatch.
        let mut stop: Result<Outcome, Trap> = Ok(Outcome::Finished);
        let stop_at = core::hint::black_box(&mut stop);
        macro_rules! exit {
            ($why:expr) => {{
                *stop_at = $why;
                break;
            }};
        }
        loop {
            if H::ACTIVE {
                let frame = Frame {
                    func: c.func,
                    pc: pc!() as u32,
                    fp: c.fp as u32,
                    instance: c.inst,
                };
                if !hook.before(&frame, self.frames.len() + 1) {
                    exit!(Ok(Outcome::Paused));
                }
            }
            // SAFETY: translation ends every body with `Return` and only emits branch targets inside it,
            // so `ip` never leaves the running function's code, which `code` points to (see above),
            // but for a detour to `detour.poll`, which lives as long as the loop.
            // The instruction is read in place, its fields straight from the code: no arm uses the
            // reference after it lets other code run (a host call, which could patch the code).
            let instr: &Instr = unsafe { &*(*ip).as_ptr() };
            ip = ip.wrapping_add(1);
            match *instr {
                Instr::Break(id) => {
                    ip = ip.wrapping_sub(1);
                    exit!(Ok(Outcome::Breakpoint(id)));
                }
                Instr::Poll if (H::POLL || H::WATCH) && !H::ACTIVE => {
                    ip = detour.resume.get();
                    clock.polled = clock.touched.is_none();
                    exit!(Ok(Outcome::Paused));
                }
                Instr::Poll | Instr::Unreachable => exit!(Err(Trap::Unreachable)),
                Instr::OutOfBounds => exit!(Err(Trap::MemoryOutOfBounds)),
                Instr::Br { target } => jump!(target),
                Instr::BrIfNez { cond, target } => br_if!(r!(cond) as u32 != 0, target),
                Instr::BrIfEqz { cond, target } => br_if!(r!(cond) as u32 == 0, target),
                Instr::BrTable { index, len } => {
                    let entry = pc!() + (r!(index) as u32).min(len) as usize;
                    // SAFETY: translation puts the table's `len + 1` entries right after it.
                    match unsafe { (*code.wrapping_add(entry)).get() } {
                        // Entries are jumps: one is taken here, not dispatched (a marker is).
                        Instr::Br { target } => jump!(target),
                        _ => transfer!(entry),
                    }
                }
                Instr::CopyMany { dst, src, n } => {
                    // SAFETY: both ranges are registers of this frame (see `regs`); `copy` allows overlap.
                    unsafe {
                        core::ptr::copy(regs.add(src as usize), regs.add(dst as usize), n as usize)
                    };
                }
                Instr::Return { src, keep } => {
                    // One result or none is the common case: moved without a call to `memmove`.
                    if keep == 1 {
                        r!(0) = r!(src);
                    } else {
                        // SAFETY: as for `CopyMany`: registers of this frame, overlap allowed.
                        unsafe { core::ptr::copy(regs.add(src as usize), regs, keep as usize) };
                    }
                    match self.frames.pop() {
                        // The thread is done: its pc is not kept.
                        None => exit!(Ok(Outcome::Finished)),
                        Some(f) => {
                            settle!();
                            account!();
                            if H::ACCOUNT {
                                hook.leave();
                            }
                            set_instance!(f.instance);
                            c.func = f.func;
                            c.fp = f.fp as usize;
                            refresh!();
                            code = store.func_body(c.func).expect("wasm caller").code.as_ptr();
                            goto!(f.pc);
                        }
                    }
                }
                Instr::Call { .. } | Instr::CallIndirect { .. } => {
                    let (callee, base) = match *instr {
                        Instr::Call { func, base } => {
                            (store.instances[c.inst as usize].funcs[func as usize], base)
                        }
                        Instr::CallIndirect { ty, table, index } => {
                            let i = r!(index) as u32;
                            let t = &store.tables
                                [store.instances[c.inst as usize].tables[table as usize] as usize];
                            let Some(&r) = t.elems.get(i as usize) else {
                                exit!(Err(Trap::UndefinedElement));
                            };
                            if r == 0 {
                                exit!(Err(Trap::UninitializedElement));
                            }
                            let addr = (r - 1) as u32;
                            let f = &store.funcs[addr as usize];
                            if f.type_id != store.instances[c.inst as usize].types[ty as usize] {
                                exit!(Err(Trap::IndirectCallTypeMismatch));
                            }
                            (
                                addr,
                                index - store.types[f.type_id as usize].params.len() as u32,
                            )
                        }
                        _ => unreachable!("only calls reach here"),
                    };
                    match &store.funcs[callee as usize].kind {
                        FuncKind::Wasm {
                            instance,
                            body: callee_body,
                            ..
                        } => {
                            let instance = *instance;
                            let new_fp = c.fp + base as usize;
                            if let Err(t) = self.enter(store, callee_body, new_fp) {
                                exit!(Err(t));
                            }
                            let pc = pc!() as u32;
                            self.frames.push(Frame {
                                func: c.func,
                                pc,
                                fp: c.fp as u32,
                                instance: c.inst,
                            });
                            // The call instruction's own pc: `ip` has moved past it.
                            let site = pc - 1;
                            settle!();
                            account!();
                            if H::ACCOUNT {
                                hook.enter(callee, site);
                            }
                            c.fp = new_fp;
                            refresh!();
                            c.func = callee;
                            code = callee_body.code.as_ptr();
                            goto!(0);
                            set_instance!(instance);
                            poll!();
                        }
                        FuncKind::Host(f) => {
                            let f = f.clone();
                            if let Err(t) = self.call_host(
                                store,
                                &f,
                                callee,
                                c.fp + base as usize,
                                Some(c.inst),
                            ) {
                                exit!(Err(t));
                            }
                            // A host function holds the store mutably and could swap it for
                            // another, whose code the frames do not belong to.
                            if !self.belongs_to(store) {
                                exit!(Err(Trap::ForeignStore));
                            }
                            refresh!();
                            remap!();
                        }
                    }
                }
                Instr::Select { dst, a, b } => {
                    let v = if r!(dst + 2) as u32 != 0 {
                        r!(a)
                    } else {
                        r!(b)
                    };
                    r!(dst) = v;
                }
                Instr::SelectOn { cond, dst, a_b } => {
                    let v = if r!(cond) as u32 != 0 {
                        r!(a_b & 0xffff)
                    } else {
                        r!(a_b >> 16)
                    };
                    r!(dst) = v;
                }
                Instr::Copy { dst, src } => r!(dst) = r!(src),
                Instr::Const32 { dst, value } => r!(dst) = value as u64,
                Instr::Const64 { dst, value } => r!(dst) = value,
                Instr::GlobalGet { dst, global } => {
                    r!(dst) = store.globals
                        [store.instances[c.inst as usize].globals[global as usize] as usize]
                        .value
                }
                Instr::GlobalSet { src, global } => {
                    store.globals
                        [store.instances[c.inst as usize].globals[global as usize] as usize]
                        .value = r!(src)
                }
                Instr::TableGet { .. }
                | Instr::TableSet { .. }
                | Instr::TableSize { .. }
                | Instr::TableGrow { .. }
                | Instr::TableFill { .. }
                | Instr::TableCopy { .. }
                | Instr::TableInit { .. }
                | Instr::ElemDrop(_)
                | Instr::MemorySize { .. }
                | Instr::MemoryGrow { .. }
                | Instr::MemoryInit { .. }
                | Instr::DataDrop(_)
                | Instr::MemoryCopy { .. }
                | Instr::MemoryFill { .. }
                | Instr::RefNull { .. }
                | Instr::RefIsNull(_)
                | Instr::RefFunc { .. } => {
                    // SAFETY: `regs` holds the running frame's registers (see above).
                    let done = unsafe { rare(store, c.inst, c.mem, regs, *instr) };
                    remap!();
                    match done {
                        Ok(accesses) => {
                            if H::WATCH {
                                // Every access is checked: the last one hit is the one reported.
                                let mut hit = false;
                                for a in accesses.iter().flatten() {
                                    hit |= hook.access(a.0, a.1, a.2);
                                }
                                if hit {
                                    exit!(Ok(Outcome::Watchpoint));
                                }
                            }
                        }
                        Err(t) => exit!(Err(t)),
                    }
                }
                Instr::I32Load(m) => load!(m, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::I64Load(m) => load!(m, 8, u64::from_le_bytes),
                Instr::I32Load8S(m) => load!(m, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
                Instr::I32Load8U(m) => load!(m, 1, |b: [u8; 1]| b[0] as u64),
                Instr::I32Load16S(m) => load!(m, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
                Instr::I32Load16U(m) => load!(m, 2, |b| u16::from_le_bytes(b) as u64),
                Instr::I64Load8S(m) => load!(m, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
                Instr::I64Load8U(m) => load!(m, 1, |b: [u8; 1]| b[0] as u64),
                Instr::I64Load16S(m) => load!(m, 2, |b| i16::from_le_bytes(b) as i64 as u64),
                Instr::I64Load16U(m) => load!(m, 2, |b| u16::from_le_bytes(b) as u64),
                Instr::I64Load32S(m) => load!(m, 4, |b| i32::from_le_bytes(b) as i64 as u64),
                Instr::I64Load32U(m) => load!(m, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::I32Store(m) => store!(m, 4, |v: u64| (v as u32).to_le_bytes()),
                Instr::I64Store(m) => store!(m, 8, |v: u64| v.to_le_bytes()),
                Instr::I32Store8(m) => store!(m, 1, |v: u64| [v as u8]),
                Instr::I32Store16(m) => store!(m, 2, |v: u64| (v as u16).to_le_bytes()),
                Instr::I32LoadAt(m) => load!(at m, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::I64LoadAt(m) => load!(at m, 8, u64::from_le_bytes),
                Instr::I32Load8SAt(m) => {
                    load!(at m, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64)
                }
                Instr::I32Load8UAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as u64),
                Instr::I32Load16SAt(m) => {
                    load!(at m, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64)
                }
                Instr::I32Load16UAt(m) => load!(at m, 2, |b| u16::from_le_bytes(b) as u64),
                Instr::I64Load8SAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
                Instr::I64Load8UAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as u64),
                Instr::I64Load16SAt(m) => load!(at m, 2, |b| i16::from_le_bytes(b) as i64 as u64),
                Instr::I64Load16UAt(m) => load!(at m, 2, |b| u16::from_le_bytes(b) as u64),
                Instr::I64Load32SAt(m) => load!(at m, 4, |b| i32::from_le_bytes(b) as i64 as u64),
                Instr::I64Load32UAt(m) => load!(at m, 4, |b| u32::from_le_bytes(b) as u64),
                Instr::I32StoreAt(m) => store!(at m, 4, |v: u64| (v as u32).to_le_bytes()),
                Instr::I64StoreAt(m) => store!(at m, 8, |v: u64| v.to_le_bytes()),
                Instr::I32Store8At(m) => store!(at m, 1, |v: u64| [v as u8]),
                Instr::I32Store16At(m) => store!(at m, 2, |v: u64| (v as u16).to_le_bytes()),

                Instr::I32BrEq(x) => br_cmp!(x, u32_, ==),
                Instr::I32BrNe(x) => br_cmp!(x, u32_, !=),
                Instr::I32BrLtS(x) => br_cmp!(x, i32_, <),
                Instr::I32BrLtU(x) => br_cmp!(x, u32_, <),
                Instr::I32BrGtS(x) => br_cmp!(x, i32_, >),
                Instr::I32BrGtU(x) => br_cmp!(x, u32_, >),
                Instr::I32BrLeS(x) => br_cmp!(x, i32_, <=),
                Instr::I32BrLeU(x) => br_cmp!(x, u32_, <=),
                Instr::I32BrGeS(x) => br_cmp!(x, i32_, >=),
                Instr::I32BrGeU(x) => br_cmp!(x, u32_, >=),
                Instr::I32BrEqImm(x) => br_cmp_imm!(x, u32_, ==),
                Instr::I32BrNeImm(x) => br_cmp_imm!(x, u32_, !=),
                Instr::I32BrLtSImm(x) => br_cmp_imm!(x, i32_, <),
                Instr::I32BrLtUImm(x) => br_cmp_imm!(x, u32_, <),
                Instr::I32BrGtSImm(x) => br_cmp_imm!(x, i32_, >),
                Instr::I32BrGtUImm(x) => br_cmp_imm!(x, u32_, >),
                Instr::I32BrLeSImm(x) => br_cmp_imm!(x, i32_, <=),
                Instr::I32BrLeUImm(x) => br_cmp_imm!(x, u32_, <=),
                Instr::I32BrGeSImm(x) => br_cmp_imm!(x, i32_, >=),
                Instr::I32BrGeUImm(x) => br_cmp_imm!(x, u32_, >=),
                Instr::I64BrEq(x) => br_cmp!(x, u64_, ==),
                Instr::I64BrNe(x) => br_cmp!(x, u64_, !=),
                Instr::I64BrLtS(x) => br_cmp!(x, i64_, <),
                Instr::I64BrLtU(x) => br_cmp!(x, u64_, <),
                Instr::I64BrGtS(x) => br_cmp!(x, i64_, >),
                Instr::I64BrGtU(x) => br_cmp!(x, u64_, >),
                Instr::I64BrLeS(x) => br_cmp!(x, i64_, <=),
                Instr::I64BrLeU(x) => br_cmp!(x, u64_, <=),
                Instr::I64BrGeS(x) => br_cmp!(x, i64_, >=),
                Instr::I64BrGeU(x) => br_cmp!(x, u64_, >=),

                Instr::I32Eqz(x) => un!(x, u32_, |a: u32| a == 0),
                Instr::I64Eqz(x) => un!(x, u64_, |a: u64| a == 0),
                Instr::I32Eq(x) => bin!(x, u32_, |a, b| a == b),
                Instr::I32Ne(x) => bin!(x, u32_, |a, b| a != b),
                Instr::I32LtS(x) => bin!(x, i32_, |a, b| a < b),
                Instr::I32LtU(x) => bin!(x, u32_, |a, b| a < b),
                Instr::I32GtS(x) => bin!(x, i32_, |a, b| a > b),
                Instr::I32GtU(x) => bin!(x, u32_, |a, b| a > b),
                Instr::I32LeS(x) => bin!(x, i32_, |a, b| a <= b),
                Instr::I32LeU(x) => bin!(x, u32_, |a, b| a <= b),
                Instr::I32GeS(x) => bin!(x, i32_, |a, b| a >= b),
                Instr::I32GeU(x) => bin!(x, u32_, |a, b| a >= b),
                Instr::I32EqImm(x) => bin_imm!(x, u32_, |a, b| a == b),
                Instr::I32NeImm(x) => bin_imm!(x, u32_, |a, b| a != b),
                Instr::I32LtSImm(x) => bin_imm!(x, i32_, |a, b| a < b),
                Instr::I32LtUImm(x) => bin_imm!(x, u32_, |a, b| a < b),
                Instr::I32GtSImm(x) => bin_imm!(x, i32_, |a, b| a > b),
                Instr::I32GtUImm(x) => bin_imm!(x, u32_, |a, b| a > b),
                Instr::I32LeSImm(x) => bin_imm!(x, i32_, |a, b| a <= b),
                Instr::I32LeUImm(x) => bin_imm!(x, u32_, |a, b| a <= b),
                Instr::I32GeSImm(x) => bin_imm!(x, i32_, |a, b| a >= b),
                Instr::I32GeUImm(x) => bin_imm!(x, u32_, |a, b| a >= b),
                Instr::I64Eq(x) => bin!(x, u64_, |a, b| a == b),
                Instr::I64Ne(x) => bin!(x, u64_, |a, b| a != b),
                Instr::I64LtS(x) => bin!(x, i64_, |a, b| a < b),
                Instr::I64LtU(x) => bin!(x, u64_, |a, b| a < b),
                Instr::I64GtS(x) => bin!(x, i64_, |a, b| a > b),
                Instr::I64GtU(x) => bin!(x, u64_, |a, b| a > b),
                Instr::I64LeS(x) => bin!(x, i64_, |a, b| a <= b),
                Instr::I64LeU(x) => bin!(x, u64_, |a, b| a <= b),
                Instr::I64GeS(x) => bin!(x, i64_, |a, b| a >= b),
                Instr::I64GeU(x) => bin!(x, u64_, |a, b| a >= b),
                Instr::F32Eq(x) => bin!(x, f32_, |a, b| a == b),
                Instr::F32Ne(x) => bin!(x, f32_, |a, b| a != b),
                Instr::F32Lt(x) => bin!(x, f32_, |a, b| a < b),
                Instr::F32Gt(x) => bin!(x, f32_, |a, b| a > b),
                Instr::F32Le(x) => bin!(x, f32_, |a, b| a <= b),
                Instr::F32Ge(x) => bin!(x, f32_, |a, b| a >= b),
                Instr::F64Eq(x) => bin!(x, f64_, |a, b| a == b),
                Instr::F64Ne(x) => bin!(x, f64_, |a, b| a != b),
                Instr::F64Lt(x) => bin!(x, f64_, |a, b| a < b),
                Instr::F64Gt(x) => bin!(x, f64_, |a, b| a > b),
                Instr::F64Le(x) => bin!(x, f64_, |a, b| a <= b),
                Instr::F64Ge(x) => bin!(x, f64_, |a, b| a >= b),

                Instr::I32Clz(x) => un!(x, u32_, u32::leading_zeros),
                Instr::I32Ctz(x) => un!(x, u32_, u32::trailing_zeros),
                Instr::I32Popcnt(x) => un!(x, u32_, u32::count_ones),
                Instr::I32Add(x) => bin!(x, u32_, u32::wrapping_add),
                Instr::I32Sub(x) => bin!(x, u32_, u32::wrapping_sub),
                Instr::I32Mul(x) => bin!(x, u32_, u32::wrapping_mul),
                Instr::I32DivS(x) => bin_trap!(x, i32_, |a: i32, b: i32| match b {
                    0 => Err(Fault::DivideByZero),
                    -1 if a == i32::MIN => Err(Fault::Overflow),
                    _ => Ok(a / b),
                }),
                Instr::I32DivU(x) => bin_trap!(x, u32_, |a: u32, b: u32| a
                    .checked_div(b)
                    .ok_or(Fault::DivideByZero)),
                Instr::I32RemS(x) => {
                    bin_trap!(x, i32_, |a: i32, b: i32| if b == 0 {
                        Err(Fault::DivideByZero)
                    } else {
                        Ok(a.wrapping_rem(b))
                    })
                }
                Instr::I32RemU(x) => bin_trap!(x, u32_, |a: u32, b: u32| a
                    .checked_rem(b)
                    .ok_or(Fault::DivideByZero)),
                Instr::I32And(x) => bin!(x, u32_, |a, b| a & b),
                Instr::I32Or(x) => bin!(x, u32_, |a, b| a | b),
                Instr::I32Xor(x) => bin!(x, u32_, |a, b| a ^ b),
                Instr::I32Shl(x) => bin!(x, u32_, u32::wrapping_shl),
                Instr::I32ShrS(x) => bin!(x, i32_, |a: i32, b: i32| a.wrapping_shr(b as u32)),
                Instr::I32ShrU(x) => bin!(x, u32_, u32::wrapping_shr),
                Instr::I32Rotl(x) => bin!(x, u32_, u32::rotate_left),
                Instr::I32Rotr(x) => bin!(x, u32_, u32::rotate_right),
                Instr::I32AddImm(x) => bin_imm!(x, u32_, u32::wrapping_add),
                Instr::I32SubImm(x) => bin_imm!(x, u32_, u32::wrapping_sub),
                Instr::I32RSubImm(x) => bin_imm!(x, u32_, |a: u32, b: u32| b.wrapping_sub(a)),
                Instr::I32MulImm(x) => bin_imm!(x, u32_, u32::wrapping_mul),
                Instr::I32AndImm(x) => bin_imm!(x, u32_, |a, b| a & b),
                Instr::I32OrImm(x) => bin_imm!(x, u32_, |a, b| a | b),
                Instr::I32XorImm(x) => bin_imm!(x, u32_, |a, b| a ^ b),
                Instr::I32ShlImm(x) => bin_imm!(x, u32_, u32::wrapping_shl),
                Instr::I32ShrSImm(x) => {
                    bin_imm!(x, i32_, |a: i32, b: i32| a.wrapping_shr(b as u32))
                }
                Instr::I32ShrUImm(x) => bin_imm!(x, u32_, u32::wrapping_shr),
                Instr::I32AddShl { dst, a, b_shift } => {
                    let b = (r!(b_shift >> 5) as u32) << (b_shift & 31);
                    r!(dst) = (r!(a) as u32).wrapping_add(b).into();
                }
                Instr::I32ShrUAndImm { dst, a_shift, mask } => {
                    r!(dst) = ((r!(a_shift >> 5) as u32 >> (a_shift & 31)) & mask).into();
                }
                Instr::I32RotlImm(x) => bin_imm!(x, u32_, u32::rotate_left),
                Instr::I32RotrImm(x) => bin_imm!(x, u32_, u32::rotate_right),
                Instr::I64Clz(x) => un!(x, u64_, |a: u64| a.leading_zeros() as u64),
                Instr::I64Ctz(x) => un!(x, u64_, |a: u64| a.trailing_zeros() as u64),
                Instr::I64Popcnt(x) => un!(x, u64_, |a: u64| a.count_ones() as u64),
                Instr::I64Add(x) => bin!(x, u64_, u64::wrapping_add),
                Instr::I64Sub(x) => bin!(x, u64_, u64::wrapping_sub),
                Instr::I64Mul(x) => bin!(x, u64_, u64::wrapping_mul),
                Instr::I64DivS(x) => bin_trap!(x, i64_, |a: i64, b: i64| match b {
                    0 => Err(Fault::DivideByZero),
                    -1 if a == i64::MIN => Err(Fault::Overflow),
                    _ => Ok(a / b),
                }),
                Instr::I64DivU(x) => bin_trap!(x, u64_, |a: u64, b: u64| a
                    .checked_div(b)
                    .ok_or(Fault::DivideByZero)),
                Instr::I64RemS(x) => {
                    bin_trap!(x, i64_, |a: i64, b: i64| if b == 0 {
                        Err(Fault::DivideByZero)
                    } else {
                        Ok(a.wrapping_rem(b))
                    })
                }
                Instr::I64RemU(x) => bin_trap!(x, u64_, |a: u64, b: u64| a
                    .checked_rem(b)
                    .ok_or(Fault::DivideByZero)),
                Instr::I64And(x) => bin!(x, u64_, |a, b| a & b),
                Instr::I64Or(x) => bin!(x, u64_, |a, b| a | b),
                Instr::I64Xor(x) => bin!(x, u64_, |a, b| a ^ b),
                Instr::I64Shl(x) => bin!(x, u64_, |a: u64, b: u64| a.wrapping_shl(b as u32)),
                Instr::I64ShrS(x) => bin!(x, i64_, |a: i64, b: i64| a.wrapping_shr(b as u32)),
                Instr::I64ShrU(x) => bin!(x, u64_, |a: u64, b: u64| a.wrapping_shr(b as u32)),
                Instr::I64Rotl(x) => bin!(x, u64_, |a: u64, b: u64| a.rotate_left(b as u32)),
                Instr::I64Rotr(x) => bin!(x, u64_, |a: u64, b: u64| a.rotate_right(b as u32)),
                Instr::I64AddImm(x) => bin_imm!(x, u64_, u64::wrapping_add),
                Instr::I64SubImm(x) => bin_imm!(x, u64_, u64::wrapping_sub),
                Instr::I64RSubImm(x) => bin_imm!(x, u64_, |a: u64, b: u64| b.wrapping_sub(a)),
                Instr::I64MulImm(x) => bin_imm!(x, u64_, u64::wrapping_mul),
                Instr::I64AndImm(x) => bin_imm!(x, u64_, |a, b| a & b),
                Instr::I64OrImm(x) => bin_imm!(x, u64_, |a, b| a | b),
                Instr::I64XorImm(x) => bin_imm!(x, u64_, |a, b| a ^ b),
                Instr::I64ShlImm(x) => bin_imm!(x, u64_, |a: u64, b: u64| a.wrapping_shl(b as u32)),
                Instr::I64ShrSImm(x) => {
                    bin_imm!(x, i64_, |a: i64, b: i64| a.wrapping_shr(b as u32))
                }
                Instr::I64ShrUImm(x) => {
                    bin_imm!(x, u64_, |a: u64, b: u64| a.wrapping_shr(b as u32))
                }

                Instr::F32Abs(x) => un!(x, u32_, |a: u32| a & 0x7fff_ffff),
                Instr::F32Neg(x) => un!(x, u32_, |a: u32| a ^ 0x8000_0000),
                Instr::F32Ceil(x) => un!(x, f32_, num::f32_ceil),
                Instr::F32Floor(x) => un!(x, f32_, num::f32_floor),
                Instr::F32Trunc(x) => un!(x, f32_, num::f32_trunc),
                Instr::F32Nearest(x) => un!(x, f32_, num::f32_nearest),
                Instr::F32Sqrt(x) => un!(x, f32_, num::f32_sqrt),
                Instr::F32Add(x) => bin!(x, f32_, |a, b| a + b),
                Instr::F32Sub(x) => bin!(x, f32_, |a, b| a - b),
                Instr::F32Mul(x) => bin!(x, f32_, |a, b| a * b),
                Instr::F32Div(x) => bin!(x, f32_, |a, b| a / b),
                Instr::F32Min(x) => bin!(x, f32_, num::f32_min),
                Instr::F32Max(x) => bin!(x, f32_, num::f32_max),
                Instr::F32Copysign(x) => bin!(x, u32_, |a: u32, b: u32| (a & 0x7fff_ffff)
                    | (b & 0x8000_0000)),
                Instr::F64Abs(x) => un!(x, u64_, |a: u64| a & 0x7fff_ffff_ffff_ffff),
                Instr::F64Neg(x) => un!(x, u64_, |a: u64| a ^ 0x8000_0000_0000_0000),
                Instr::F64Ceil(x) => un!(x, f64_, num::f64_ceil),
                Instr::F64Floor(x) => un!(x, f64_, num::f64_floor),
                Instr::F64Trunc(x) => un!(x, f64_, num::f64_trunc),
                Instr::F64Nearest(x) => un!(x, f64_, num::f64_nearest),
                Instr::F64Sqrt(x) => un!(x, f64_, num::f64_sqrt),
                Instr::F64Add(x) => bin!(x, f64_, |a, b| a + b),
                Instr::F64Sub(x) => bin!(x, f64_, |a, b| a - b),
                Instr::F64Mul(x) => bin!(x, f64_, |a, b| a * b),
                Instr::F64Div(x) => bin!(x, f64_, |a, b| a / b),
                Instr::F64Min(x) => bin!(x, f64_, num::f64_min),
                Instr::F64Max(x) => bin!(x, f64_, num::f64_max),
                Instr::F64Copysign(x) => {
                    bin!(x, u64_, |a: u64, b: u64| (a & 0x7fff_ffff_ffff_ffff)
                        | (b & 0x8000_0000_0000_0000))
                }

                Instr::I32WrapI64(x) => un!(x, u32_, |a: u32| a),
                Instr::I32TruncF32S(x) => un_trap!(x, f32_, num::i32_trunc_f32_s),
                Instr::I32TruncF32U(x) => un_trap!(x, f32_, num::i32_trunc_f32_u),
                Instr::I32TruncF64S(x) => un_trap!(x, f64_, num::i32_trunc_f64_s),
                Instr::I32TruncF64U(x) => un_trap!(x, f64_, num::i32_trunc_f64_u),
                Instr::I64ExtendI32S(x) => un!(x, i32_, |a: i32| a as i64),
                Instr::I64ExtendI32U(x) => un!(x, u32_, |a: u32| a as u64),
                Instr::I64TruncF32S(x) => un_trap!(x, f32_, num::i64_trunc_f32_s),
                Instr::I64TruncF32U(x) => un_trap!(x, f32_, num::i64_trunc_f32_u),
                Instr::I64TruncF64S(x) => un_trap!(x, f64_, num::i64_trunc_f64_s),
                Instr::I64TruncF64U(x) => un_trap!(x, f64_, num::i64_trunc_f64_u),
                Instr::F32ConvertI32S(x) => un!(x, i32_, |a: i32| a as f32),
                Instr::F32ConvertI32U(x) => un!(x, u32_, |a: u32| a as f32),
                Instr::F32ConvertI64S(x) => un!(x, i64_, |a: i64| a as f32),
                Instr::F32ConvertI64U(x) => un!(x, u64_, |a: u64| a as f32),
                Instr::F32DemoteF64(x) => un!(x, f64_, |a: f64| a as f32),
                Instr::F64ConvertI32S(x) => un!(x, i32_, |a: i32| a as f64),
                Instr::F64ConvertI32U(x) => un!(x, u32_, |a: u32| a as f64),
                Instr::F64ConvertI64S(x) => un!(x, i64_, |a: i64| a as f64),
                Instr::F64ConvertI64U(x) => un!(x, u64_, |a: u64| a as f64),
                Instr::F64PromoteF32(x) => un!(x, f32_, |a: f32| a as f64),
                Instr::I32Extend8S(x) => un!(x, u32_, |a: u32| a as i8 as i32),
                Instr::I32Extend16S(x) => un!(x, u32_, |a: u32| a as i16 as i32),
                Instr::I64Extend8S(x) => un!(x, u64_, |a: u64| a as i8 as i64),
                Instr::I64Extend16S(x) => un!(x, u64_, |a: u64| a as i16 as i64),
                Instr::I64Extend32S(x) => un!(x, u64_, |a: u64| a as i32 as i64),
                Instr::I32TruncSatF32S(x) => un!(x, f32_, |a: f32| a as i32),
                Instr::I32TruncSatF32U(x) => un!(x, f32_, |a: f32| a as u32),
                Instr::I32TruncSatF64S(x) => un!(x, f64_, |a: f64| a as i32),
                Instr::I32TruncSatF64U(x) => un!(x, f64_, |a: f64| a as u32),
                Instr::I64TruncSatF32S(x) => un!(x, f32_, |a: f32| a as i64),
                Instr::I64TruncSatF32U(x) => un!(x, f32_, |a: f32| a as u64),
                Instr::I64TruncSatF64S(x) => un!(x, f64_, |a: f64| a as i64),
                Instr::I64TruncSatF64U(x) => un!(x, f64_, |a: f64| a as u64),
            }
        }
        let result = stop;
        settle!();
        account!();
        if H::POLL || H::ACCOUNT {
            clock.executed = executed!();
        }
        if result.is_err() {
            ip = ip.wrapping_sub(1);
        }
        if !matches!(result, Ok(Outcome::Finished)) {
            self.frames.push(Frame {
                func: c.func,
                pc: pc!() as u32,
                fp: c.fp as u32,
                instance: c.inst,
            });
        }
        result
    }
}

/// The running frame's state that the loop keeps out of registers (see `interpret`).
struct Cold {
    /// The running function (a store address).
    func: u32,
    /// Where its registers start on the value stack.
    fp: usize,
    /// Its instance.
    inst: u32,
    /// The instance's linear memory (a store address, `usize::MAX` for none).
    mem: usize,
    /// Instructions already accounted to a function, for an accounting hook.
    accounted: u64,
    /// Where the loop counts instructions from (see `due_at` in `interpret`).
    due: u64,
}

/// Where a taken branch goes when a poll is due (see `poll!` in `interpret`), and a load or
/// store near a watch (`watched!`): the instruction that leaves the loop, and where the program
/// goes on.
struct Detour {
    poll: Cell<Instr>,
    resume: Cell<*const Cell<Instr>>,
}

/// What a hooked run counts across the loop's exits for a poll.
struct Clock {
    /// Instructions run so far (for a polling or accounting hook).
    executed: u64,
    /// The count at which a poll is due, at the next taken branch or call.
    due: u64,
    /// Whether the loop exited for a poll.
    polled: bool,
    /// An access the loop exited after for [`Hook::access`] to tell: address, length, write.
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
/// the loop, so that their code does not take the registers its hot path needs; returns the
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
