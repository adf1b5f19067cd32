//! The interpreter as threaded code: one handler per opcode and hook mode, each ending in a tail
//! call to the next instruction's handler, found in its mode's table by opcode. Optimised for
//! x86_64 or aarch64 (`wrt_tail_calls`, set by the build script), the tail calls are jumps, as in
//! wasmi 2.0; elsewhere (Miri, small-code embedded builds) each handler returns to a loop that
//! calls the next, the same handlers either way.
//!
//! The handlers are generic over the hook's few flags only, not over the hook: they are compiled
//! here, at this crate's optimisation level, whatever crate runs a thread, and a hook is called
//! through a trait object, only where its flags ask for it.

use core::cell::Cell;

use super::overlaps;
use super::{
    Clock, Frame, Hook, INSTR_SIZE, IntoRaw, Outcome, Thread, f32_, f64_, first_memory, i32_, i64_,
    index, linear_memory, rare, u32_, u64_,
};
use crate::error::Trap;
use crate::instr::{Instr, OPCODES, handler_table, instr_pat, op};
use crate::numeric::{self as num, Fault};
use crate::store::{FuncKind, Store};

/// A pointer to an instruction of the running function's code (or to where it ends).
type Ip = *const Cell<Instr>;

/// The hook calls before every instruction ([`Hook::ACTIVE`]).
pub(super) const ACTIVE: u8 = 1;
/// Loads, stores and bulk memory instructions are checked against watches ([`Hook::WATCH`]).
pub(super) const WATCH: u8 = 2;
/// A taken branch or call polls once the instruction count is due ([`Hook::POLL`]).
pub(super) const POLL: u8 = 4;
/// Instructions are accounted to functions at calls and returns ([`Hook::ACCOUNT`]).
pub(super) const ACCOUNT: u8 = 8;
/// Each straight run of instructions is reported ([`Hook::SPANS`]).
pub(super) const SPANS: u8 = 16;
/// Whether the handlers end in tail calls, which an optimised build for x86_64 or aarch64 makes
/// jumps (the build script's `wrt_tail_calls`), or return to a loop that calls the next.
const THREADED: bool = cfg!(all(wrt_tail_calls, not(miri)));
/// Every flag: the mode any stepping hook runs in.
const ALL: u8 = ACTIVE | WATCH | POLL | ACCOUNT | SPANS;
/// The other compiled modes: a session's `continue` with a watch, with a function profile, with
/// a line profile, and everything but stepping.
const WATCHING: u8 = POLL | WATCH;
const PROFILE: u8 = POLL | ACCOUNT;
const LINES: u8 = POLL | ACCOUNT | SPANS;
const UNSTEPPED: u8 = ALL & !ACTIVE;

/// The flags of hook `H`.
pub(super) const fn flags<H: Hook>() -> u8 {
    (H::ACTIVE as u8 * ACTIVE)
        | (H::WATCH as u8 * WATCH)
        | (H::POLL as u8 * POLL)
        | (H::ACCOUNT as u8 * ACCOUNT)
        | (H::SPANS as u8 * SPANS)
}

/// The mode a hook with `flags` runs in: the smallest compiled one that holds them all. A flag
/// a hook did not ask for costs it time, never behaviour: the hook is not asked (see [`Calls`]).
/// Where the handlers return to a loop (builds for size, embedded targets), three modes only:
/// each mode is a copy of every handler.
pub(super) const fn mode(flags: u8) -> u8 {
    match flags {
        0 => 0,
        f if f & ACTIVE != 0 => ALL,
        _ if !THREADED => UNSTEPPED,
        POLL => POLL,
        f if f & !WATCHING == 0 => WATCHING,
        f if f & !PROFILE == 0 => PROFILE,
        f if f & !LINES == 0 => LINES,
        _ => UNSTEPPED,
    }
}

/// [`Hook`]'s methods as a trait object, so that the handlers need not be generic over the hook.
/// Each asks the hook only where its flags do (a mode may hold more): the defaults otherwise.
pub(super) trait Calls {
    fn before(&mut self, frame: &Frame, depth: usize) -> bool;
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool;
    fn watched(&self, write: bool) -> (u64, u64);
    fn account(&mut self, func: u32, instructions: u64);
    fn enter(&mut self, func: u32, site: u32);
    fn leave(&mut self);
    fn span(&mut self, func: u32, start: u32, end: u32);
}

impl<H: Hook> Calls for H {
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        !H::ACTIVE || Hook::before(self, frame, depth)
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        H::WATCH && Hook::access(self, addr, len, write)
    }
    fn watched(&self, write: bool) -> (u64, u64) {
        match H::WATCH {
            true => Hook::watched(self, write),
            false => (u64::MAX, u64::MAX),
        }
    }
    fn account(&mut self, func: u32, instructions: u64) {
        if H::ACCOUNT {
            Hook::account(self, func, instructions);
        }
    }
    fn enter(&mut self, func: u32, site: u32) {
        if H::ACCOUNT {
            Hook::enter(self, func, site);
        }
    }
    fn leave(&mut self) {
        if H::ACCOUNT {
            Hook::leave(self);
        }
    }
    fn span(&mut self, func: u32, start: u32, end: u32) {
        if H::SPANS {
            Hook::span(self, func, start, end);
        }
    }
}

/// What every handler reaches through its first argument: the thread, the store, the hook, and
/// the running frame's state that only calls, returns, stops and the rarer instructions use.
/// What every instruction uses travels in the handlers' other arguments, in machine registers:
/// the instruction pointer, the frame's registers, the linear memory and its length, and the
/// accumulator: the last result, which the next instruction may take from there (its `...Acc`
/// form) rather than load back from the register it was also written to.
struct Ctx<'t> {
    thread: &'t mut Thread,
    store: &'t mut Store,
    hook: &'t mut dyn Calls,
    clock: &'t mut Clock,
    /// The running function (a store address), its registers' start on the value stack, its
    /// instance, and that instance's linear memory (a store address, `usize::MAX` for none).
    func: u32,
    fp: usize,
    inst: u32,
    mem: usize,
    /// The running function's code.
    code: Ip,
    /// Where the running straight run started (for [`Hook::SPANS`]).
    mark: Ip,
    /// Where in the code the instruction count reaches `due`, had the code run straight on (an
    /// address in bytes). Only a transfer of control moves it, so the count is the distance of
    /// the instruction pointer from it, and a poll is due once the pointer passes it.
    due_at: u64,
    /// The instruction count at `due_at`: when the next poll is due, for a polling hook.
    due: u64,
    /// Instructions already accounted to a function.
    accounted: u64,
    /// Per load (0) and store (1): the end past which an access could trip a watch or leave the
    /// memory (below it, an access costs a watch session the one compare it costs `run`), and
    /// the bytes it could trip one in ([`Hook::watched`], which does not change while it runs).
    watch_bound: [u64; 2],
    watched: [(u64, u64); 2],
    /// Why the handlers stopped, the instruction to resume at, and where the count ends.
    stop: Result<Outcome, Trap>,
    at: (Ip, Ip),
    /// The next handler's arguments, for the loop that calls the handlers in turn.
    #[cfg(not(all(wrt_tail_calls, not(miri))))]
    resume: Args,
}

/// The arguments a handler takes after the context.
#[cfg(not(all(wrt_tail_calls, not(miri))))]
#[derive(Clone, Copy)]
struct Args(Ip, *mut u64, *mut u8, u64, u64);

/// Whether the handlers stopped (or, for the loop, only returned to it for the next).
enum Done {
    Stop,
    #[cfg(not(all(wrt_tail_calls, not(miri))))]
    Next,
}

/// One instruction's handler (see [`handler`]).
type Handler = unsafe fn(&mut Ctx<'_>, Ip, *mut u64, *mut u8, u64, u64) -> Done;

/// The handlers of mode `F`, by opcode.
struct Table<const F: u8>;

impl<const F: u8> Table<F> {
    const HANDLERS: [Handler; OPCODES] = handler_table!();
}

impl Thread {
    /// Runs the top frame in hook mode `mode` (see [`mode`]) until the handlers stop, and leaves
    /// the frame where it stopped on [`Thread::frames`] unless the thread finished.
    pub(super) fn interpret(
        &mut self,
        store: &mut Store,
        hook: &mut dyn Calls,
        mode: u8,
        clock: &mut Clock,
    ) -> Result<Outcome, Trap> {
        let top = self.frames.pop().expect("a frame to run");
        // Bodies are `Rc`s owned by the store's function instances, which are never removed or
        // replaced while the store lives, so the pointer stays valid: the thread runs only on its
        // own store (checked on entry and after every host call, which could swap the store),
        // and code outside this crate can only swap break markers in and out.
        let code = store.func_body(top.func).expect("wasm frame").code.as_ptr();
        let ip = code.wrapping_add(top.pc as usize);
        // Translation only emits registers below `locals + max_height`, and `Thread::enter`
        // sized the stack to hold that many from the frame's start, so every register index a
        // handler uses is in bounds; `regs` is refreshed wherever the stack may move.
        let regs = self.stack.as_mut_ptr().wrapping_add(top.fp as usize);
        // A run resumed at an accumulator form loads the accumulator from where the instruction
        // before it also wrote its result.
        // SAFETY: the frame's pc is an instruction of its code; its registers as above.
        let acc = match unsafe { (*ip).get() }.acc_source() {
            Some(reg) => unsafe { *regs.add(reg as usize) },
            None => 0,
        };
        let mem = first_memory(store, top.instance);
        let (heap, len) = linear_memory(store, mem);
        let due = if mode & POLL != 0 {
            clock.due
        } else {
            clock.executed
        };
        let due_at = (ip.addr() as u64).wrapping_add(
            due.wrapping_sub(clock.executed)
                .wrapping_mul(INSTR_SIZE as u64),
        );
        let accounted = clock.executed;
        let mut ctx = Ctx {
            thread: self,
            store,
            hook,
            clock,
            func: top.func,
            fp: top.fp as usize,
            inst: top.instance,
            mem,
            code,
            mark: ip,
            due_at,
            due,
            accounted,
            watch_bound: [len; 2],
            watched: [(u64::MAX, u64::MAX); 2],
            stop: Ok(Outcome::Finished),
            at: (ip, ip),
            #[cfg(not(all(wrt_tail_calls, not(miri))))]
            resume: Args(ip, regs, heap, len, acc),
        };
        if mode & WATCH != 0 {
            watch(&mut ctx, len);
        }
        let c = &mut ctx;
        // SAFETY: the arguments are the running frame's, as the handlers require (see above).
        unsafe {
            match mode {
                0 => run::<0>(c, ip, regs, heap, len, acc),
                #[cfg(all(wrt_tail_calls, not(miri)))]
                POLL => run::<POLL>(c, ip, regs, heap, len, acc),
                #[cfg(all(wrt_tail_calls, not(miri)))]
                WATCHING => run::<WATCHING>(c, ip, regs, heap, len, acc),
                #[cfg(all(wrt_tail_calls, not(miri)))]
                PROFILE => run::<PROFILE>(c, ip, regs, heap, len, acc),
                #[cfg(all(wrt_tail_calls, not(miri)))]
                LINES => run::<LINES>(c, ip, regs, heap, len, acc),
                UNSTEPPED => run::<UNSTEPPED>(c, ip, regs, heap, len, acc),
                _ => run::<ALL>(c, ip, regs, heap, len, acc),
            }
        };
        ctx.finish(mode)
    }
}

impl Ctx<'_> {
    /// Accounts what ran up to the stop and leaves the frame where it stopped.
    fn finish(mut self, mode: u8) -> Result<Outcome, Trap> {
        let (pc, end) = self.at;
        if mode & SPANS != 0 {
            settle(&mut self, end);
        }
        if mode & ACCOUNT != 0 {
            account(&mut self, end);
        }
        if mode & (POLL | ACCOUNT) != 0 {
            self.clock.executed = executed(&self, end);
        }
        if !matches!(self.stop, Ok(Outcome::Finished)) {
            self.thread.frames.push(Frame {
                func: self.func,
                pc: index(self.code, pc) as u32,
                fp: self.fp as u32,
                instance: self.inst,
            });
        }
        self.stop
    }
}

/// Runs the handlers of mode `F` from `ip` until one stops.
///
/// # Safety
/// The arguments are the running frame's: `ip` an instruction of `ctx.code`, `regs` its
/// registers on `ctx.thread`'s stack, `heap` and `len` its instance's linear memory.
unsafe fn run<const F: u8>(
    ctx: &mut Ctx<'_>,
    ip: Ip,
    regs: *mut u64,
    heap: *mut u8,
    len: u64,
    acc: u64,
) {
    // SAFETY: the caller's promise.
    let done = unsafe { dispatch::<F>(ctx, ip, regs, heap, len, acc) };
    #[cfg(not(all(wrt_tail_calls, not(miri))))]
    {
        let mut done = done;
        while let Done::Next = done {
            let Args(ip, regs, heap, len, acc) = ctx.resume;
            // SAFETY: `dispatch` left the next instruction's arguments, in the state it requires.
            done = unsafe { handler_of::<F>(ip)(ctx, ip, regs, heap, len, acc) };
        }
    }
    #[cfg(all(wrt_tail_calls, not(miri)))]
    let Done::Stop = done;
}

/// The handler of the instruction at `ip`.
///
/// # Safety
/// `ip` points at an instruction.
#[inline(always)]
unsafe fn handler_of<const F: u8>(ip: Ip) -> Handler {
    // SAFETY: the caller's promise; `Cell::as_ptr` reads in place, as the code may hold markers.
    let op = unsafe { (*(*ip).as_ptr()).opcode() };
    let table: &'static [Handler; OPCODES] = &Table::<F>::HANDLERS;
    // SAFETY: an opcode is the index of its variant, below `OPCODES`.
    unsafe { *table.get_unchecked(op as usize) }
}

/// Goes on to the instruction at `ip`: asks a stepping hook first, then calls its handler, last
/// (a jump, where tail calls are), or leaves its arguments for the loop of [`run`].
///
/// # Safety
/// As for [`run`].
#[inline(always)]
unsafe fn dispatch<const F: u8>(
    ctx: &mut Ctx<'_>,
    ip: Ip,
    regs: *mut u64,
    heap: *mut u8,
    len: u64,
    acc: u64,
) -> Done {
    if F & ACTIVE != 0 && !before(ctx, ip) {
        return stop(ctx, ip, ip, Ok(Outcome::Paused));
    }
    #[cfg(all(wrt_tail_calls, not(miri)))]
    // SAFETY: the caller's promise.
    unsafe {
        handler_of::<F>(ip)(ctx, ip, regs, heap, len, acc)
    }
    #[cfg(not(all(wrt_tail_calls, not(miri))))]
    {
        ctx.resume = Args(ip, regs, heap, len, acc);
        Done::Next
    }
}

/// Stops the handlers: why, the instruction the frame resumes at, and where the instruction
/// count ends (past an instruction that started, at one that did not). Out of line, so that no
/// handler saves a register for it.
#[cold]
#[inline(never)]
fn stop(ctx: &mut Ctx<'_>, pc: Ip, end: Ip, why: Result<Outcome, Trap>) -> Done {
    ctx.stop = why;
    ctx.at = (pc, end);
    Done::Stop
}

/// Asks a stepping hook whether to run the instruction at `ip`.
#[inline(never)]
fn before(ctx: &mut Ctx<'_>, ip: Ip) -> bool {
    let frame = Frame {
        func: ctx.func,
        pc: index(ctx.code, ip) as u32,
        fp: ctx.fp as u32,
        instance: ctx.inst,
    };
    ctx.hook.before(&frame, ctx.thread.frames.len() + 1)
}

/// Instructions run so far, had the count ended at `end`.
fn executed(ctx: &Ctx<'_>, end: Ip) -> u64 {
    let past = (end.addr() as u64).wrapping_sub(ctx.due_at) as i64;
    ctx.due.wrapping_add((past / INSTR_SIZE as i64) as u64)
}

/// Reports the straight run from `ctx.mark` to `end` (for [`Hook::SPANS`]).
#[inline(never)]
fn settle(ctx: &mut Ctx<'_>, end: Ip) {
    let (start, end) = (index(ctx.code, ctx.mark), index(ctx.code, end));
    ctx.hook.span(ctx.func, start as u32, end as u32);
}

/// Accounts to the running function what it ran up to `end` (for [`Hook::ACCOUNT`]).
#[inline(never)]
fn account(ctx: &mut Ctx<'_>, end: Ip) {
    let now = executed(ctx, end);
    ctx.hook.account(ctx.func, now - ctx.accounted);
    ctx.accounted = now;
}

/// Asks the hook which bytes loads and stores could trip a watch in, and sets their bounds for
/// a memory of `len` bytes.
#[inline(never)]
fn watch(ctx: &mut Ctx<'_>, len: u64) {
    ctx.watched = [false, true].map(|write| ctx.hook.watched(write));
    ctx.watch_bound = ctx.watched.map(|(first, _)| len.min(first));
}

// The handlers' calls below stop the handlers themselves where they fail, and return whether
// they did: a handler that received a `Result` would give it a place on its stack, and a
// function whose stack's address is taken before a call cannot make that call a tail call.

/// Whether `done`, the outcome of the instruction at `ip`, is a trap: then the handlers stop.
fn trapped(ctx: &mut Ctx<'_>, ip: Ip, done: Result<(), Trap>) -> bool {
    let Err(t) = done else { return false };
    stop(ctx, ip, ip.wrapping_add(1), Err(t));
    true
}

/// Runs the rare instruction at `ip` (tables, bulk memory, memory size and growth, references),
/// out of the handlers; with `watch`, asks the hook about every access it made (the last hit is
/// reported). Whether it stopped.
///
/// # Safety
/// `regs` holds the registers of the running frame, which runs the instruction at `ip`.
#[inline(never)]
unsafe fn rare_step(ctx: &mut Ctx<'_>, ip: Ip, regs: *mut u64, watch: bool) -> bool {
    // SAFETY: the caller's promise; the instruction is copied before any other code runs.
    let instr = unsafe { (*ip).get() };
    // SAFETY: the caller's promise.
    let accesses = match unsafe { rare(ctx.store, ctx.inst, ctx.mem, regs, instr) } {
        Ok(accesses) => accesses,
        Err(t) => return trapped(ctx, ip, Err(t)),
    };
    let mut hit = false;
    for a in accesses.iter().flatten().filter(|_| watch) {
        hit |= ctx.hook.access(a.0, a.1, a.2);
    }
    if hit {
        let next = ip.wrapping_add(1);
        stop(ctx, next, next, Ok(Outcome::Watchpoint));
    }
    hit
}

/// Calls host function `callee` with its arguments in the registers from `base`, for the call
/// instruction at `ip`. Whether it stopped (a trap).
#[inline(never)]
fn host_call(ctx: &mut Ctx<'_>, ip: Ip, callee: u32, base: u32) -> bool {
    let FuncKind::Host(f) = &ctx.store.funcs[callee as usize].kind else {
        unreachable!("a host function")
    };
    let f = f.clone();
    let at = ctx.fp + base as usize;
    let mut done = ctx
        .thread
        .call_host(ctx.store, &f, callee, at, Some(ctx.inst));
    // A host function holds the store mutably and could swap it for another, whose code the
    // frames do not belong to.
    if done.is_ok() && !ctx.thread.belongs_to(ctx.store) {
        done = Err(Trap::ForeignStore);
    }
    trapped(ctx, ip, done)
}

/// Makes room for a frame of Wasm function `callee` at `fp`, for the call instruction at `ip`.
/// Whether it stopped (the stack's limit).
#[inline(never)]
fn enter(ctx: &mut Ctx<'_>, ip: Ip, callee: u32, fp: usize) -> bool {
    let body = ctx.store.func_body(callee).expect("a wasm function");
    let done = ctx.thread.enter(ctx.store, body, fp);
    trapped(ctx, ip, done)
}

/// The handler of opcode `OP` in hook mode `F`: runs the instruction at `ip` and goes on to the
/// next (see [`dispatch`]). `match OP` keeps only the opcode's arm in each instance.
///
/// # Safety
/// As for [`run`], and the instruction at `ip` has opcode `OP`.
#[allow(clippy::too_many_lines)]
unsafe fn handler<const F: u8, const OP: u16>(
    ctx: &mut Ctx<'_>,
    ip: Ip,
    mut regs: *mut u64,
    mut heap: *mut u8,
    mut len: u64,
    mut acc: u64,
) -> Done {
    // SAFETY: the caller's promise. Fields are read from the code in place; no arm uses the
    // reference after it lets other code run (a host call, which could patch the code).
    let instr: &Instr = unsafe { &*(*ip).as_ptr() };
    let next = ip.wrapping_add(1);
    macro_rules! r {
        ($x:expr) => {
            // SAFETY: register indices are below the frame size the stack holds (see `interpret`).
            *unsafe { &mut *regs.add($x as usize) }
        };
    }
    macro_rules! go {
        ($to:expr) => {
            // SAFETY: `$to` is an instruction of the running function, the rest its state.
            return unsafe { dispatch::<F>(ctx, $to, regs, heap, len, acc) }
        };
    }
    macro_rules! trap {
        ($t:expr) => {
            return stop(ctx, ip, next, Err($t))
        };
    }
    macro_rules! remap {
        () => {{
            (heap, len) = linear_memory(ctx.store, ctx.mem);
            if F & WATCH != 0 {
                watch(ctx, len);
            }
        }};
    }
    macro_rules! refresh {
        () => {
            regs = ctx.thread.stack.as_mut_ptr().wrapping_add(ctx.fp)
        };
    }
    macro_rules! set_instance {
        ($i:expr) => {{
            if $i != ctx.inst {
                ctx.inst = $i;
                ctx.mem = first_memory(ctx.store, ctx.inst);
                remap!();
            }
        }};
    }
    // Moves the count's `due` by a transfer from `next` to `$to`, in the same or another function.
    macro_rules! moved {
        ($to:expr) => {{
            let to: Ip = $to;
            if F & (POLL | ACCOUNT) != 0 {
                ctx.due_at = ctx
                    .due_at
                    .wrapping_add(to.addr() as u64)
                    .wrapping_sub(next.addr() as u64);
            }
            if F & SPANS != 0 {
                ctx.mark = to;
            }
            to
        }};
    }
    // At a taken branch or call to `$to`: a due poll stops before it, for `execute` to poll.
    macro_rules! poll {
        ($to:expr) => {
            if F & POLL != 0 && ($to.addr() as u64).wrapping_sub(ctx.due_at) as i64 >= 0 {
                ctx.clock.polled = true;
                return stop(ctx, $to, $to, Ok(Outcome::Paused));
            }
        };
    }
    macro_rules! jump {
        ($target:expr) => {{
            if F & SPANS != 0 {
                settle(ctx, next);
            }
            let to = moved!(ctx.code.wrapping_add($target as usize));
            poll!(to);
            go!(to)
        }};
    }
    // A result: written to its register and left in the accumulator.
    macro_rules! put {
        ($dst:expr, $v:expr) => {{
            let v: u64 = $v;
            r!($dst) = v;
            acc = v;
        }};
    }
    // The first operand, `$x.$f` or `$f`: from its register, or in an accumulator form from the
    // accumulator, which holds the same value. Checked as it compiles: the operand is the one
    // the description says the accumulator form of the arm's instruction (`ARM`) takes.
    macro_rules! first {
        (@ $f:ident, $reg:expr) => {{
            const {
                assert!(
                    op::acc_takes(ARM, stringify!($f)),
                    "the accumulator form takes another operand from the accumulator"
                )
            };
            if const { op::is_acc(OP) } { acc } else { $reg }
        }};
        ($x:ident . $f:ident) => {
            first!(@ $f, r!($x.$f))
        };
        ($f:ident) => {
            first!(@ $f, r!($f))
        };
    }
    macro_rules! un {
        ($x:expr, $from:ident, $e:expr) => {{
            let x = $x;
            put!(x.dst, IntoRaw::raw($e($from(first!(x.a)))))
        }};
    }
    macro_rules! bin {
        ($x:expr, $from:ident, $e:expr) => {{
            let x = $x;
            put!(x.dst, IntoRaw::raw($e($from(first!(x.a)), $from(r!(x.b)))))
        }};
    }
    macro_rules! bin_imm {
        ($x:expr, $from:ident, $e:expr) => {{
            let x = $x;
            put!(
                x.dst,
                IntoRaw::raw($e($from(first!(x.a)), $from(x.imm as i64 as u64)))
            )
        }};
    }
    macro_rules! bin_trap {
        ($x:expr, $from:ident, $e:expr) => {{
            let x = $x;
            match $e($from(first!(x.a)), $from(r!(x.b))) {
                Ok(v) => put!(x.dst, IntoRaw::raw(v)),
                Err(f) => trap!(Trap::from(f)),
            }
        }};
    }
    macro_rules! un_trap {
        ($x:expr, $from:ident, $e:expr) => {{
            let x = $x;
            match $e($from(first!(x.a))) {
                Ok(v) => put!(x.dst, IntoRaw::raw(v)),
                Err(f) => trap!(Trap::from(f)),
            }
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
            br_if!($from(first!(x.a)) $op $from(r!(x.b)), x.target)
        }};
    }
    macro_rules! br_cmp_imm {
        ($x:expr, $from:ident, $op:tt) => {{
            let x = $x;
            br_if!($from(first!(x.a)) $op $from(x.imm as u32 as u64), x.target)
        }};
    }
    // Whether an access of bytes `$start..$end` past its bound (the memory's length, or in a
    // watch session the first byte it could trip a watch at, when that comes first) could trip
    // a watch; past the memory it traps. Below its bound an access costs the one compare.
    macro_rules! near {
        ($start:expr, $end:expr, $write:expr) => {{
            let bound = if F & WATCH != 0 {
                ctx.watch_bound[usize::from($write)]
            } else {
                len
            };
            $end > bound && {
                if $end > len {
                    trap!(Trap::MemoryOutOfBounds);
                }
                F & WATCH != 0 && overlaps(ctx.watched[usize::from($write)], $start, $end - $start)
            }
        }};
    }
    // An access near a watch stops after it, for `execute` to ask the hook whether it trips one
    // (and resume if not).
    macro_rules! watched {
        ($near:expr, $addr:expr, $n:expr, $write:expr) => {
            if F & WATCH != 0 && $near {
                ctx.clock.touched = Some(($addr, $n, $write));
                return stop(ctx, next, next, Ok(Outcome::Paused));
            }
        };
    }
    // Where a load or store of `n` bytes starts and ends: the address (`$addr`, a register's
    // value) plus `m.end` is the end; at a constant address `m.addr` and `m.end` are the start
    // and the end.
    macro_rules! bounds {
        (at $m:expr, $n:literal) => {
            ($m.addr as u64, $m.end as u64)
        };
        ($m:expr, $addr:expr, $n:literal) => {{
            let end = $addr as u32 as u64 + $m.end as u64;
            (end - $n, end)
        }};
    }
    macro_rules! load {
        (at $m:expr, $n:literal, $conv:expr) => {{
            let m = $m;
            load!(m, bounds!(at m, $n), $n, $conv)
        }};
        ($m:expr, $n:literal, $conv:expr) => {{
            let m = $m;
            load!(m, bounds!(m, first!(m.addr), $n), $n, $conv)
        }};
        ($m:expr, $bounds:expr, $n:literal, $conv:expr) => {{
            let (start, end) = $bounds;
            let near = near!(start, end, false);
            // SAFETY: `heap` holds `len` bytes (see `remap!`), and the access ends within them
            // (`near!` traps past them): translation makes every access end `n` past its start.
            // Bytes need no alignment, and are read without a copy through the stack (which,
            // where the standard library checks its preconditions, kept handlers from tail calls).
            let b: [u8; $n] = unsafe { *heap.add(start as usize).cast::<[u8; $n]>() };
            put!($m.reg, $conv(b));
            watched!(near, start, $n, false);
        }};
    }
    macro_rules! store {
        (at $m:expr, $n:literal, $conv:expr) => {{
            let m = $m;
            store!(m, bounds!(at m, $n), $n, $conv, first!(m.reg))
        }};
        ($m:expr, $n:literal, $conv:expr) => {{
            let m = $m;
            store!(m, bounds!(m, r!(m.addr), $n), $n, $conv, first!(m.reg))
        }};
        ($m:expr, $bounds:expr, $n:literal, $conv:expr, $v:expr) => {{
            let (start, end) = $bounds;
            let b: [u8; $n] = $conv($v);
            let near = near!(start, end, true);
            // SAFETY: as for `load!`.
            unsafe { *heap.add(start as usize).cast::<[u8; $n]>() = b };
            watched!(near, start, $n, true);
        }};
    }
    macro_rules! rare {
        () => {{
            // SAFETY: `regs` holds the running frame's registers (see `interpret`).
            if unsafe { rare_step(ctx, ip, regs, F & WATCH != 0) } {
                return Done::Stop;
            }
            remap!();
        }};
    }
    // A call of `$callee` with its arguments in the registers from `$base`.
    macro_rules! call {
        ($callee:expr, $base:expr) => {{
            let (callee, base) = ($callee, $base);
            let fp = ctx.fp + base as usize;
            let FuncKind::Wasm { instance, body, .. } = &ctx.store.funcs[callee as usize].kind
            else {
                if host_call(ctx, ip, callee, base) {
                    return Done::Stop;
                }
                refresh!();
                remap!();
                go!(next)
            };
            let (instance, code) = (*instance, body.code.as_ptr());
            if enter(ctx, ip, callee, fp) {
                return Done::Stop;
            }
            let pc = index(ctx.code, next) as u32;
            ctx.thread.frames.push(Frame {
                func: ctx.func,
                pc,
                fp: ctx.fp as u32,
                instance: ctx.inst,
            });
            if F & SPANS != 0 {
                settle(ctx, next);
            }
            if F & ACCOUNT != 0 {
                account(ctx, next);
                // The call instruction's own pc.
                ctx.hook.enter(callee, pc - 1);
            }
            ctx.fp = fp;
            refresh!();
            ctx.func = callee;
            ctx.code = code;
            let to = moved!(code);
            set_instance!(instance);
            poll!(to);
            go!(to)
        }};
    }
    // The arm of opcode `OP`: the instruction's fields, then its body. An instruction's arm also
    // runs its accumulator form (`instr_pat!` matches both, `first!` picks the operand), and the
    // rare instructions (the description's `rare`) run out of the handlers. Checked as it
    // compiles: every opcode is handled one way, and only one.
    macro_rules! arms {
        ($( $v:ident $( ( $($tp:pat),* ) )? $( { $($sp:tt)* } )? => $body:expr ),* $(,)?) => {{
            const {
                let handled = matches!(op::base_of(OP), $(op::$v)|*);
                assert!(
                    handled != op::is_rare(OP),
                    "an opcode without a handler, or a rare one with one"
                );
            };
            match const { op::base_of(OP) } {
                $(op::$v => {
                    #[allow(dead_code)] // Used by `first!`, where the arm takes a first operand.
                    const ARM: u16 = op::$v;
                    let instr_pat!($v $( ( $($tp),* ) )? $( { $($sp)* } )?) = *instr else {
                        // SAFETY: the caller's promise: the instruction has opcode `OP`.
                        unsafe { core::hint::unreachable_unchecked() }
                    };
                    $body
                })*
                _ if const { op::is_rare(OP) } => rare!(),
                // SAFETY: checked above: `OP` has an arm or is rare.
                _ => unsafe { core::hint::unreachable_unchecked() },
            }
        }};
    }
    arms! {
        Break(id) => return stop(ctx, ip, ip, Ok(Outcome::Breakpoint(id))),
        Unreachable => trap!(Trap::Unreachable),
        OutOfBounds => trap!(Trap::MemoryOutOfBounds),
        Br { target } => jump!(target),
        BrIfNez { cond, target } => br_if!(first!(cond) as u32 != 0, target),
        BrIfEqz { cond, target } => br_if!(first!(cond) as u32 == 0, target),
        BrTable { index: sel, len: n } => {
            let entry = index(ctx.code, next) + (r!(sel) as u32).min(n) as usize;
            // SAFETY: translation puts the table's `n + 1` entries right after it.
            match unsafe { (*ctx.code.wrapping_add(entry)).get() } {
                // Entries are jumps: one is taken here, not dispatched (a marker is).
                Instr::Br { target } => jump!(target),
                _ => {
                    if F & SPANS != 0 {
                        settle(ctx, next);
                    }
                    let to = moved!(ctx.code.wrapping_add(entry));
                    go!(to)
                }
            }
        },
        CopyMany { dst, src, n } => {
            // SAFETY: both ranges are registers of this frame (see `r!`); `copy` allows overlap.
            unsafe { core::ptr::copy(regs.add(src as usize), regs.add(dst as usize), n as usize) };
        },
        Return { src, keep } => {
            // One result or none is the common case: moved without a call to `memmove`.
            if keep == 1 {
                r!(0) = r!(src);
            } else {
                // SAFETY: as for `CopyMany`: registers of this frame, overlap allowed.
                unsafe { core::ptr::copy(regs.add(src as usize), regs, keep as usize) };
            }
            // The thread is done: its pc is not kept.
            let Some(f) = ctx.thread.frames.pop() else {
                return stop(ctx, ip, next, Ok(Outcome::Finished));
            };
            if F & SPANS != 0 {
                settle(ctx, next);
            }
            if F & ACCOUNT != 0 {
                account(ctx, next);
                ctx.hook.leave();
            }
            set_instance!(f.instance);
            ctx.func = f.func;
            ctx.fp = f.fp as usize;
            refresh!();
            ctx.code = ctx.store.func_body(f.func).expect("wasm caller").code.as_ptr();
            let to = moved!(ctx.code.wrapping_add(f.pc as usize));
            go!(to)
        },
        Call { func, base } => call!(ctx.store.instances[ctx.inst as usize].funcs[func as usize], base),
        CallIndirect { ty, table, index: at } => {
            let i = r!(at) as u32;
            let store = &*ctx.store;
            let t = &store.tables[store.instances[ctx.inst as usize].tables[table as usize] as usize];
            let Some(&r) = t.elems.get(i as usize) else {
                trap!(Trap::UndefinedElement);
            };
            if r == 0 {
                trap!(Trap::UninitializedElement);
            }
            let addr = (r - 1) as u32;
            let f = &store.funcs[addr as usize];
            if f.type_id != store.instances[ctx.inst as usize].types[ty as usize] {
                trap!(Trap::IndirectCallTypeMismatch);
            }
            let params = store.types[f.type_id as usize].params.len() as u32;
            call!(addr, at - params)
        },
        Select { dst, a, b } => {
            let v = if r!(dst + 2) as u32 != 0 { r!(a) } else { r!(b) };
            put!(dst, v)
        },
        SelectOn { cond, dst, a_b } => {
            let v = if r!(cond) as u32 != 0 { r!(a_b & 0xffff) } else { r!(a_b >> 16) };
            put!(dst, v)
        },
        Copy { dst, src } => put!(dst, first!(src)),
        Const32 { dst, value } => put!(dst, value as u64),
        Const64 { dst, value } => put!(dst, value),
        GlobalGet { dst, global } => {
            let store = &*ctx.store;
            let g = store.instances[ctx.inst as usize].globals[global as usize];
            put!(dst, store.globals[g as usize].value)
        },
        GlobalSet { src, global } => {
            let g = ctx.store.instances[ctx.inst as usize].globals[global as usize];
            ctx.store.globals[g as usize].value = r!(src)
        },
        I64Load8S(m) => load!(m, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
        I64Load8U(m) => load!(m, 1, |b: [u8; 1]| b[0] as u64),
        I64Load16S(m) => load!(m, 2, |b| i16::from_le_bytes(b) as i64 as u64),
        I64Load16U(m) => load!(m, 2, |b| u16::from_le_bytes(b) as u64),
        I64Load32S(m) => load!(m, 4, |b| i32::from_le_bytes(b) as i64 as u64),
        I64Load32U(m) => load!(m, 4, |b| u32::from_le_bytes(b) as u64),
        I32LoadAt(m) => load!(at m, 4, |b| u32::from_le_bytes(b) as u64),
        I64LoadAt(m) => load!(at m, 8, u64::from_le_bytes),
        I32Load8SAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
        I32Load8UAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as u64),
        I32Load16SAt(m) => load!(at m, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
        I32Load16UAt(m) => load!(at m, 2, |b| u16::from_le_bytes(b) as u64),
        I64Load8SAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
        I64Load8UAt(m) => load!(at m, 1, |b: [u8; 1]| b[0] as u64),
        I64Load16SAt(m) => load!(at m, 2, |b| i16::from_le_bytes(b) as i64 as u64),
        I64Load16UAt(m) => load!(at m, 2, |b| u16::from_le_bytes(b) as u64),
        I64Load32SAt(m) => load!(at m, 4, |b| i32::from_le_bytes(b) as i64 as u64),
        I64Load32UAt(m) => load!(at m, 4, |b| u32::from_le_bytes(b) as u64),
        I32Store8At(m) => store!(at m, 1, |v: u64| [v as u8]),
        I32Store16At(m) => store!(at m, 2, |v: u64| (v as u16).to_le_bytes()),
        I64Eqz(x) => un!(x, u64_, |a: u64| a == 0),
        I32Eq(x) => bin!(x, u32_, |a, b| a == b),
        I32Ne(x) => bin!(x, u32_, |a, b| a != b),
        I32LtS(x) => bin!(x, i32_, |a, b| a < b),
        I32LtU(x) => bin!(x, u32_, |a, b| a < b),
        I32GtS(x) => bin!(x, i32_, |a, b| a > b),
        I32GtU(x) => bin!(x, u32_, |a, b| a > b),
        I32LeS(x) => bin!(x, i32_, |a, b| a <= b),
        I32LeU(x) => bin!(x, u32_, |a, b| a <= b),
        I32GeS(x) => bin!(x, i32_, |a, b| a >= b),
        I32GeU(x) => bin!(x, u32_, |a, b| a >= b),
        I32LeSImm(x) => bin_imm!(x, i32_, |a, b| a <= b),
        I32LeUImm(x) => bin_imm!(x, u32_, |a, b| a <= b),
        I32GeSImm(x) => bin_imm!(x, i32_, |a, b| a >= b),
        I32GeUImm(x) => bin_imm!(x, u32_, |a, b| a >= b),
        I64Eq(x) => bin!(x, u64_, |a, b| a == b),
        I64Ne(x) => bin!(x, u64_, |a, b| a != b),
        I64LtS(x) => bin!(x, i64_, |a, b| a < b),
        I64LtU(x) => bin!(x, u64_, |a, b| a < b),
        I64GtS(x) => bin!(x, i64_, |a, b| a > b),
        I64GtU(x) => bin!(x, u64_, |a, b| a > b),
        I64LeS(x) => bin!(x, i64_, |a, b| a <= b),
        I64LeU(x) => bin!(x, u64_, |a, b| a <= b),
        I64GeS(x) => bin!(x, i64_, |a, b| a >= b),
        I64GeU(x) => bin!(x, u64_, |a, b| a >= b),
        F32Eq(x) => bin!(x, f32_, |a, b| a == b),
        F32Ne(x) => bin!(x, f32_, |a, b| a != b),
        F32Lt(x) => bin!(x, f32_, |a, b| a < b),
        F32Gt(x) => bin!(x, f32_, |a, b| a > b),
        F32Le(x) => bin!(x, f32_, |a, b| a <= b),
        F32Ge(x) => bin!(x, f32_, |a, b| a >= b),
        F64Eq(x) => bin!(x, f64_, |a, b| a == b),
        F64Ne(x) => bin!(x, f64_, |a, b| a != b),
        F64Lt(x) => bin!(x, f64_, |a, b| a < b),
        F64Gt(x) => bin!(x, f64_, |a, b| a > b),
        F64Le(x) => bin!(x, f64_, |a, b| a <= b),
        F64Ge(x) => bin!(x, f64_, |a, b| a >= b),
        I32Clz(x) => un!(x, u32_, u32::leading_zeros),
        I32Ctz(x) => un!(x, u32_, u32::trailing_zeros),
        I32Popcnt(x) => un!(x, u32_, u32::count_ones),
        I32DivS(x) => bin_trap!(x, i32_, |a: i32, b: i32| match b {
            0 => Err(Fault::DivideByZero),
            -1 if a == i32::MIN => Err(Fault::Overflow),
            _ => Ok(a / b),
        }),
        I32DivU(x) => bin_trap!(x, u32_, |a: u32, b: u32| a.checked_div(b).ok_or(Fault::DivideByZero)),
        I32RemS(x) => bin_trap!(x, i32_, |a: i32, b: i32| if b == 0 {
            Err(Fault::DivideByZero)
        } else {
            Ok(a.wrapping_rem(b))
        }),
        I32RemU(x) => bin_trap!(x, u32_, |a: u32, b: u32| a.checked_rem(b).ok_or(Fault::DivideByZero)),
        I32Rotl(x) => bin!(x, u32_, u32::rotate_left),
        I32Rotr(x) => bin!(x, u32_, u32::rotate_right),
        I32RSubImm(x) => bin_imm!(x, u32_, |a: u32, b: u32| b.wrapping_sub(a)),
        I32AddShl { dst, a, b_shift } => {
            let b = (r!(b_shift >> 5) as u32) << (b_shift & 31);
            put!(dst, (r!(a) as u32).wrapping_add(b).into())
        },
        I32ShrUAndImm { dst, a_shift, mask } => {
            put!(dst, ((r!(a_shift >> 5) as u32 >> (a_shift & 31)) & mask).into())
        },
        I32RotlImm(x) => bin_imm!(x, u32_, u32::rotate_left),
        I32RotrImm(x) => bin_imm!(x, u32_, u32::rotate_right),
        I64Clz(x) => un!(x, u64_, |a: u64| a.leading_zeros() as u64),
        I64Ctz(x) => un!(x, u64_, |a: u64| a.trailing_zeros() as u64),
        I64Popcnt(x) => un!(x, u64_, |a: u64| a.count_ones() as u64),
        I64DivS(x) => bin_trap!(x, i64_, |a: i64, b: i64| match b {
            0 => Err(Fault::DivideByZero),
            -1 if a == i64::MIN => Err(Fault::Overflow),
            _ => Ok(a / b),
        }),
        I64DivU(x) => bin_trap!(x, u64_, |a: u64, b: u64| a.checked_div(b).ok_or(Fault::DivideByZero)),
        I64RemS(x) => bin_trap!(x, i64_, |a: i64, b: i64| if b == 0 {
            Err(Fault::DivideByZero)
        } else {
            Ok(a.wrapping_rem(b))
        }),
        I64RemU(x) => bin_trap!(x, u64_, |a: u64, b: u64| a.checked_rem(b).ok_or(Fault::DivideByZero)),
        I64ShrS(x) => bin!(x, i64_, |a: i64, b: i64| a.wrapping_shr(b as u32)),
        I64Rotl(x) => bin!(x, u64_, |a: u64, b: u64| a.rotate_left(b as u32)),
        I64Rotr(x) => bin!(x, u64_, |a: u64, b: u64| a.rotate_right(b as u32)),
        I64RSubImm(x) => bin_imm!(x, u64_, |a: u64, b: u64| b.wrapping_sub(a)),
        I64OrImm(x) => bin_imm!(x, u64_, |a, b| a | b),
        I64ShrSImm(x) => bin_imm!(x, i64_, |a: i64, b: i64| a.wrapping_shr(b as u32)),
        F32Abs(x) => un!(x, u32_, |a: u32| a & 0x7fff_ffff),
        F32Neg(x) => un!(x, u32_, |a: u32| a ^ 0x8000_0000),
        F32Ceil(x) => un!(x, f32_, num::f32_ceil),
        F32Floor(x) => un!(x, f32_, num::f32_floor),
        F32Trunc(x) => un!(x, f32_, num::f32_trunc),
        F32Nearest(x) => un!(x, f32_, num::f32_nearest),
        F32Sqrt(x) => un!(x, f32_, num::f32_sqrt),
        F32Add(x) => bin!(x, f32_, |a, b| a + b),
        F32Sub(x) => bin!(x, f32_, |a, b| a - b),
        F32Mul(x) => bin!(x, f32_, |a, b| a * b),
        F32Div(x) => bin!(x, f32_, |a, b| a / b),
        F32Min(x) => bin!(x, f32_, num::f32_min),
        F32Max(x) => bin!(x, f32_, num::f32_max),
        F32Copysign(x) => bin!(x, u32_, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
        F64Abs(x) => un!(x, u64_, |a: u64| a & 0x7fff_ffff_ffff_ffff),
        F64Neg(x) => un!(x, u64_, |a: u64| a ^ 0x8000_0000_0000_0000),
        F64Ceil(x) => un!(x, f64_, num::f64_ceil),
        F64Floor(x) => un!(x, f64_, num::f64_floor),
        F64Trunc(x) => un!(x, f64_, num::f64_trunc),
        F64Nearest(x) => un!(x, f64_, num::f64_nearest),
        F64Sqrt(x) => un!(x, f64_, num::f64_sqrt),
        F64Add(x) => bin!(x, f64_, |a, b| a + b),
        F64Sub(x) => bin!(x, f64_, |a, b| a - b),
        F64Mul(x) => bin!(x, f64_, |a, b| a * b),
        F64Div(x) => bin!(x, f64_, |a, b| a / b),
        F64Min(x) => bin!(x, f64_, num::f64_min),
        F64Max(x) => bin!(x, f64_, num::f64_max),
        F64Copysign(x) => bin!(x, u64_, |a: u64, b: u64| (a & 0x7fff_ffff_ffff_ffff)
            | (b & 0x8000_0000_0000_0000)),
        I32TruncF32S(x) => un_trap!(x, f32_, num::i32_trunc_f32_s),
        I32TruncF32U(x) => un_trap!(x, f32_, num::i32_trunc_f32_u),
        I32TruncF64S(x) => un_trap!(x, f64_, num::i32_trunc_f64_s),
        I32TruncF64U(x) => un_trap!(x, f64_, num::i32_trunc_f64_u),
        I64TruncF32S(x) => un_trap!(x, f32_, num::i64_trunc_f32_s),
        I64TruncF32U(x) => un_trap!(x, f32_, num::i64_trunc_f32_u),
        I64TruncF64S(x) => un_trap!(x, f64_, num::i64_trunc_f64_s),
        I64TruncF64U(x) => un_trap!(x, f64_, num::i64_trunc_f64_u),
        F32ConvertI32S(x) => un!(x, i32_, |a: i32| a as f32),
        F32ConvertI32U(x) => un!(x, u32_, |a: u32| a as f32),
        F32ConvertI64S(x) => un!(x, i64_, |a: i64| a as f32),
        F32ConvertI64U(x) => un!(x, u64_, |a: u64| a as f32),
        F32DemoteF64(x) => un!(x, f64_, |a: f64| a as f32),
        F64ConvertI32S(x) => un!(x, i32_, |a: i32| a as f64),
        F64ConvertI32U(x) => un!(x, u32_, |a: u32| a as f64),
        F64ConvertI64S(x) => un!(x, i64_, |a: i64| a as f64),
        F64ConvertI64U(x) => un!(x, u64_, |a: u64| a as f64),
        F64PromoteF32(x) => un!(x, f32_, |a: f32| a as f64),
        I64Extend8S(x) => un!(x, u64_, |a: u64| a as i8 as i64),
        I64Extend16S(x) => un!(x, u64_, |a: u64| a as i16 as i64),
        I64Extend32S(x) => un!(x, u64_, |a: u64| a as i32 as i64),
        I32TruncSatF32S(x) => un!(x, f32_, |a: f32| a as i32),
        I32TruncSatF32U(x) => un!(x, f32_, |a: f32| a as u32),
        I32TruncSatF64S(x) => un!(x, f64_, |a: f64| a as i32),
        I32TruncSatF64U(x) => un!(x, f64_, |a: f64| a as u32),
        I64TruncSatF32S(x) => un!(x, f32_, |a: f32| a as i64),
        I64TruncSatF32U(x) => un!(x, f32_, |a: f32| a as u64),
        I64TruncSatF64S(x) => un!(x, f64_, |a: f64| a as i64),
        I64TruncSatF64U(x) => un!(x, f64_, |a: f64| a as u64),
        I32Add(x) => bin!(x, u32_, u32::wrapping_add),
        I32Sub(x) => bin!(x, u32_, u32::wrapping_sub),
        I32Mul(x) => bin!(x, u32_, u32::wrapping_mul),
        I32And(x) => bin!(x, u32_, |a, b| a & b),
        I32Or(x) => bin!(x, u32_, |a, b| a | b),
        I32Xor(x) => bin!(x, u32_, |a, b| a ^ b),
        I32Shl(x) => bin!(x, u32_, u32::wrapping_shl),
        I32ShrU(x) => bin!(x, u32_, u32::wrapping_shr),
        I32ShrS(x) => bin!(x, i32_, |a: i32, b: i32| a.wrapping_shr(b as u32)),
        I64Add(x) => bin!(x, u64_, u64::wrapping_add),
        I64Sub(x) => bin!(x, u64_, u64::wrapping_sub),
        I64Mul(x) => bin!(x, u64_, u64::wrapping_mul),
        I64And(x) => bin!(x, u64_, |a, b| a & b),
        I64Or(x) => bin!(x, u64_, |a, b| a | b),
        I64Xor(x) => bin!(x, u64_, |a, b| a ^ b),
        I64Shl(x) => bin!(x, u64_, |a: u64, b: u64| a.wrapping_shl(b as u32)),
        I64ShrU(x) => bin!(x, u64_, |a: u64, b: u64| a.wrapping_shr(b as u32)),
        I32AddImm(x) => bin_imm!(x, u32_, u32::wrapping_add),
        I32SubImm(x) => bin_imm!(x, u32_, u32::wrapping_sub),
        I32MulImm(x) => bin_imm!(x, u32_, u32::wrapping_mul),
        I32AndImm(x) => bin_imm!(x, u32_, |a, b| a & b),
        I32OrImm(x) => bin_imm!(x, u32_, |a, b| a | b),
        I32XorImm(x) => bin_imm!(x, u32_, |a, b| a ^ b),
        I32ShlImm(x) => bin_imm!(x, u32_, u32::wrapping_shl),
        I32ShrUImm(x) => bin_imm!(x, u32_, u32::wrapping_shr),
        I32ShrSImm(x) => bin_imm!(x, i32_, |a: i32, b: i32| a.wrapping_shr(b as u32)),
        I64AddImm(x) => bin_imm!(x, u64_, u64::wrapping_add),
        I64SubImm(x) => bin_imm!(x, u64_, u64::wrapping_sub),
        I64AndImm(x) => bin_imm!(x, u64_, |a, b| a & b),
        I64ShlImm(x) => bin_imm!(x, u64_, |a: u64, b: u64| a.wrapping_shl(b as u32)),
        I64ShrUImm(x) => bin_imm!(x, u64_, |a: u64, b: u64| a.wrapping_shr(b as u32)),
        I64XorImm(x) => bin_imm!(x, u64_, |a, b| a ^ b),
        I64MulImm(x) => bin_imm!(x, u64_, u64::wrapping_mul),
        I32EqImm(x) => bin_imm!(x, u32_, |a, b| a == b),
        I32NeImm(x) => bin_imm!(x, u32_, |a, b| a != b),
        I32LtUImm(x) => bin_imm!(x, u32_, |a, b| a < b),
        I32LtSImm(x) => bin_imm!(x, i32_, |a, b| a < b),
        I32GtUImm(x) => bin_imm!(x, u32_, |a, b| a > b),
        I32GtSImm(x) => bin_imm!(x, i32_, |a, b| a > b),
        I32Eqz(x) => un!(x, u32_, |a: u32| a == 0),
        I64ExtendI32U(x) => un!(x, u32_, |a: u32| a as u64),
        I64ExtendI32S(x) => un!(x, i32_, |a: i32| a as i64),
        I32WrapI64(x) => un!(x, u32_, |a: u32| a),
        I32Extend8S(x) => un!(x, u32_, |a: u32| a as i8 as i32),
        I32Extend16S(x) => un!(x, u32_, |a: u32| a as i16 as i32),
        I32Load(m) => load!(m, 4, |b| u32::from_le_bytes(b) as u64),
        I64Load(m) => load!(m, 8, u64::from_le_bytes),
        I32Load8U(m) => load!(m, 1, |b: [u8; 1]| b[0] as u64),
        I32Load8S(m) => load!(m, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
        I32Load16U(m) => load!(m, 2, |b| u16::from_le_bytes(b) as u64),
        I32Load16S(m) => load!(m, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
        I32Store(m) => store!(m, 4, |v: u64| (v as u32).to_le_bytes()),
        I64Store(m) => store!(m, 8, |v: u64| v.to_le_bytes()),
        I32Store8(m) => store!(m, 1, |v: u64| [v as u8]),
        I32Store16(m) => store!(m, 2, |v: u64| (v as u16).to_le_bytes()),
        I32StoreAt(m) => store!(at m, 4, |v: u64| (v as u32).to_le_bytes()),
        I64StoreAt(m) => store!(at m, 8, |v: u64| v.to_le_bytes()),
        I32BrEq(x) => br_cmp!(x, u32_, ==),
        I32BrNe(x) => br_cmp!(x, u32_, !=),
        I32BrLtS(x) => br_cmp!(x, i32_, <),
        I32BrLtU(x) => br_cmp!(x, u32_, <),
        I32BrGtS(x) => br_cmp!(x, i32_, >),
        I32BrGtU(x) => br_cmp!(x, u32_, >),
        I32BrLeS(x) => br_cmp!(x, i32_, <=),
        I32BrLeU(x) => br_cmp!(x, u32_, <=),
        I32BrGeS(x) => br_cmp!(x, i32_, >=),
        I32BrGeU(x) => br_cmp!(x, u32_, >=),
        I64BrEq(x) => br_cmp!(x, u64_, ==),
        I64BrNe(x) => br_cmp!(x, u64_, !=),
        I64BrLtS(x) => br_cmp!(x, i64_, <),
        I64BrLtU(x) => br_cmp!(x, u64_, <),
        I64BrGtS(x) => br_cmp!(x, i64_, >),
        I64BrGtU(x) => br_cmp!(x, u64_, >),
        I64BrLeS(x) => br_cmp!(x, i64_, <=),
        I64BrLeU(x) => br_cmp!(x, u64_, <=),
        I64BrGeS(x) => br_cmp!(x, i64_, >=),
        I64BrGeU(x) => br_cmp!(x, u64_, >=),
        I32BrEqImm(x) => br_cmp_imm!(x, u32_, ==),
        I32BrNeImm(x) => br_cmp_imm!(x, u32_, !=),
        I32BrLtSImm(x) => br_cmp_imm!(x, i32_, <),
        I32BrLtUImm(x) => br_cmp_imm!(x, u32_, <),
        I32BrGtSImm(x) => br_cmp_imm!(x, i32_, >),
        I32BrGtUImm(x) => br_cmp_imm!(x, u32_, >),
        I32BrLeSImm(x) => br_cmp_imm!(x, i32_, <=),
        I32BrLeUImm(x) => br_cmp_imm!(x, u32_, <=),
        I32BrGeSImm(x) => br_cmp_imm!(x, i32_, >=),
        I32BrGeUImm(x) => br_cmp_imm!(x, u32_, >=),
    }
    go!(next)
}
