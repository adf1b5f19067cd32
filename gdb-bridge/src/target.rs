//! The debug target: one instantiated module on the wrt runtime, seen through the GDB remote
//! protocol with LLDB's Wasm extensions. `no_std` + `alloc`, so a device can serve it too.
//!
//! Addresses are LLDB's: code (`Object` space, module 0) by module-file offset, linear memory
//! (`Memory` space, memory 0) by address. Reads outside the module or the memory are errors.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use gdbstub::common::Signal;
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::ext::breakpoints::WatchKind as GdbWatch;
use gdbstub_arch::wasm::addr::{WasmAddr, WasmAddrType};
use runtime_core::debug::{DebugSession, Profile, Watch, WatchKind, tripped};
use runtime_core::limits::PlatformLimits;
use runtime_core::module::FuncBody;
use runtime_core::{Error, Frame, Hook, Module, Outcome, Store, Thread, Trap};

/// How the program was last resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Until something stops it.
    Continue,
    /// One Wasm instruction.
    Step,
}

/// Where the program stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exec {
    /// Stopped, able to go on.
    Stopped,
    /// Ended with this status.
    Exited(i32),
    /// Stopped for good by a trap.
    Trapped(Trap),
}

/// A stop to report: the reason and the PC to expedite with it.
pub type Stop = (SingleThreadStopReason<u64>, u64);

/// The program under debug and its bounded debug tables.
pub struct WasmTarget {
    /// The store holding the instance.
    pub store: Store,
    thread: Thread,
    instance: u32,
    module: Rc<Module>,
    /// The module file, served for code reads (LLDB reads the DWARF through them).
    pub bytes: Rc<[u8]>,
    /// The module's name, as `qXfer:libraries:read` reports it.
    pub name: String,
    /// The breakpoint, watch, inspector and trace tables, sized by the limits.
    pub debug: DebugSession,
    /// Armed sites: (function, pc) to the table id and the code offset the client asked for.
    sites: BTreeMap<(u32, u32), (u32, u32)>,
    bodies: Vec<Option<Rc<FuncBody>>>,
    /// Where the program stands.
    pub exec: Exec,
    /// Set by the resume and step requests, taken by [`WasmTarget::run`].
    pub mode: Option<Mode>,
    /// The breakpoint the thread stands on, with the offset the client asked for.
    at_site: Option<u32>,
    /// Per-function counters, kept while the program runs.
    pub profile: Profile,
    /// The last refusal, for `monitor budget` (error replies carry only a number).
    pub last_refusal: Option<String>,
}

/// Stops after any access to a watched range, counts instructions for the profile while stepping,
/// and polls the client for an interrupt.
struct Monitor<'a, P> {
    watches: &'a [(u64, u64, WatchKind)],
    hit: Option<(u64, bool)>,
    poll: P,
    polls: u32,
    interrupted: bool,
    start: (u32, u32, usize),
    step: bool,
    bodies: &'a [Option<Rc<FuncBody>>],
    profile: &'a mut Profile,
}

/// Polls the client every this many calls and backward branches.
const POLL_EVERY: u32 = 4096;

impl<P: FnMut() -> bool> Hook for Monitor<'_, P> {
    const ACTIVE: bool = true;
    const WATCH: bool = true;
    const POLL: bool = true;
    fn before(&mut self, frame: &Frame, depth: usize) -> bool {
        self.profile.count(frame);
        if !self.step || (frame.func, frame.pc, depth) == self.start {
            return true;
        }
        let offset = |f: u32, pc: u32| {
            self.bodies
                .get(f as usize)
                .and_then(Option::as_ref)
                .and_then(|b| b.offsets.get(pc as usize).copied())
        };
        // Go on while still on the same Wasm operator of the same frame.
        depth == self.start.2 && offset(frame.func, frame.pc) == offset(self.start.0, self.start.1)
    }
    fn access(&mut self, addr: u64, len: u64, write: bool) -> bool {
        let hit = tripped(self.watches, addr, len, write);
        if let Some(i) = hit {
            self.hit = Some((self.watches[i].0, write));
        }
        hit.is_some()
    }
    fn poll(&mut self, _: u64) -> bool {
        self.polls = self.polls.wrapping_add(1);
        if self.polls.is_multiple_of(POLL_EVERY) && (self.poll)() {
            self.interrupted = true;
        }
        self.interrupted
    }
}

impl WasmTarget {
    /// A target for `entry` of instance `instance` (of `module`, whose file is `bytes`), stopped
    /// before its first instruction, with debug tables sized by `limits`; refused by the safety
    /// rules like any debug session.
    pub fn new(
        mut store: Store,
        instance: u32,
        entry: u32,
        module: Rc<Module>,
        bytes: Rc<[u8]>,
        name: String,
        limits: &PlatformLimits,
    ) -> Result<WasmTarget, Error> {
        let debug = DebugSession::open(limits)?;
        let mut thread = Thread::new(&store, entry, &[])?;
        thread.preallocate(&store);
        thread.start(&mut store)?;
        let inst = store.instance(instance);
        let mut bodies = Vec::new();
        for idx in 0..module.num_funcs() {
            if let Some(addr) = inst.func_addr(idx) {
                if bodies.len() <= addr as usize {
                    bodies.resize(addr as usize + 1, None);
                }
                bodies[addr as usize] = store.func_body(addr).cloned();
            }
        }
        let profile = Profile::new(bodies.len());
        Ok(WasmTarget {
            store,
            thread,
            instance,
            module,
            bytes,
            name,
            debug,
            sites: BTreeMap::new(),
            bodies,
            exec: Exec::Stopped,
            mode: None,
            at_site: None,
            profile,
            last_refusal: None,
        })
    }

    /// The limits the tables were sized by.
    pub fn limits(&self) -> &PlatformLimits {
        &self.debug.limits
    }

    /// The code address (LLDB's `Object` space) of a module-file offset.
    pub fn code_addr(offset: u32) -> u64 {
        WasmAddr::new(WasmAddrType::Object, 0, offset).map_or(0, WasmAddr::as_raw)
    }

    fn offset_of(&self, func: u32, pc: u32) -> Option<u32> {
        self.bodies
            .get(func as usize)?
            .as_ref()?
            .offsets
            .get(pc as usize)
            .copied()
    }

    /// The PC of the innermost frame: the address a breakpoint was asked at when stopped on one.
    pub fn pc(&self) -> u64 {
        if let Some(offset) = self.at_site {
            return Self::code_addr(offset);
        }
        let top = self.thread.frames().last();
        Self::code_addr(top.and_then(|f| self.offset_of(f.func, f.pc)).unwrap_or(0))
    }

    /// The PCs of every frame, innermost first. A caller's PC is the end of its call instruction,
    /// where execution returns to.
    pub fn call_stack(&self) -> Vec<u64> {
        let frames = self.thread.frames();
        let mut out = Vec::with_capacity(frames.len());
        for (i, f) in frames.iter().enumerate().rev() {
            if i + 1 == frames.len() {
                out.push(self.pc());
                continue;
            }
            let call =
                f.pc.checked_sub(1)
                    .and_then(|pc| self.offset_of(f.func, pc));
            let end = call.map(|c| c + call_len(&self.bytes, c as usize));
            out.push(Self::code_addr(end.unwrap_or(0)));
        }
        out
    }

    /// Frame `i` counted from the innermost.
    fn frame(&self, i: usize) -> Option<usize> {
        self.thread.frames().len().checked_sub(i + 1)
    }

    /// Local `index` of frame `frame` (0 innermost), in its type's size.
    pub fn local(&self, frame: usize, index: usize) -> Option<Vec<u8>> {
        let i = self.frame(frame)?;
        let f = self.thread.frames()[i];
        let ty = *self.store.func_body(f.func)?.locals.get(index)?;
        let raw = *self.thread.locals(&self.store, i).get(index)?;
        Some(raw_bytes(raw, ty))
    }

    /// Global `index` of the instance.
    pub fn global(&self, index: usize) -> Option<Vec<u8>> {
        let addr = self
            .store
            .instance(self.instance)
            .global_addr(index as u32)?;
        let v = self.store.global(addr);
        Some(raw_bytes(v.to_raw(), v.ty()))
    }

    /// Operand stack slot `index` (from the bottom) of frame `frame`, as 8 bytes. Past the
    /// innermost frame's height it reads what was last left there: a returned call's results,
    /// which the code may have dropped already (what `finish` shows).
    pub fn stack_value(&self, frame: usize, index: usize) -> Option<Vec<u8>> {
        let i = self.frame(frame)?;
        let raw = if frame == 0 {
            let f = self.thread.frames()[i];
            let locals = self.store.func_body(f.func)?.locals.len();
            self.thread.slot(f.fp as usize + locals + index)?
        } else {
            *self.thread.operands(&self.store, i).get(index)?
        };
        Some(raw.to_le_bytes().to_vec())
    }

    /// The operand stack of frame `frame` (0 innermost), bottom first, as raw bits.
    pub fn operands(&self, frame: usize) -> Option<Vec<u64>> {
        let i = self.frame(frame)?;
        Some(self.thread.operands(&self.store, i).to_vec())
    }

    /// Bytes at an LLDB address: module bytes in the code space, linear memory in the memory
    /// space; `None` for anything else or past the end, never host memory.
    pub fn read(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let a = WasmAddr::from_raw(addr)?;
        let data: &[u8] = match (a.addr_type(), a.module_index()) {
            (WasmAddrType::Object, 0) => &self.bytes,
            (WasmAddrType::Memory, 0) => {
                let m = self.store.instance(self.instance).memory_addr()?;
                &self.store.memory(m).data
            }
            _ => return None,
        };
        let start = a.offset() as usize;
        let end = start.checked_add(len)?.min(data.len());
        data.get(start..end)
    }

    /// Bytes of linear memory 0.
    pub fn memory_len(&self) -> usize {
        let inst = self.store.instance(self.instance);
        inst.memory_addr()
            .map_or(0, |m| self.store.memory(m).data.len())
    }

    /// The module's name for the function at store address `func`.
    pub fn func_name(&self, func: u32) -> String {
        match self.store.func_origin(func) {
            Some((_, idx)) => self
                .module
                .func_name(idx)
                .map_or_else(|| format!("func[{idx}]"), String::from),
            None => format!("host function {func}"),
        }
    }

    /// Writes linear memory (code is not writable: breakpoints are set by `Z0`).
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> bool {
        let Some(a) = WasmAddr::from_raw(addr) else {
            return false;
        };
        if (a.addr_type(), a.module_index()) != (WasmAddrType::Memory, 0) {
            return false;
        }
        let Some(m) = self.store.instance(self.instance).memory_addr() else {
            return false;
        };
        let data = &mut self.store.memory_mut(m).data;
        let start = a.offset() as usize;
        match data.get_mut(start..start + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                true
            }
            None => false,
        }
    }

    /// Arms a breakpoint at a code address; a full table is refused with the limit named.
    pub fn add_breakpoint(&mut self, addr: u64) -> Result<bool, String> {
        let Some(a) = WasmAddr::from_raw(addr).filter(|a| a.addr_type() == WasmAddrType::Object)
        else {
            return Ok(false);
        };
        let Some((idx, pc)) = self.module.locate_offset(a.offset()) else {
            return Ok(false);
        };
        let Some(func) = self.store.instance(self.instance).func_addr(idx) else {
            return Ok(false);
        };
        if self.sites.contains_key(&(func, pc)) {
            return Ok(true);
        }
        let limits = self.debug.limits.clone();
        match self
            .debug
            .breakpoints
            .arm(&mut self.store, func, pc, &limits)
        {
            Ok(id) => {
                self.sites.insert((func, pc), (id, a.offset()));
                Ok(true)
            }
            Err(e) => Err(self.refuse(e)),
        }
    }

    /// Disarms the breakpoint at a code address.
    pub fn remove_breakpoint(&mut self, addr: u64) -> bool {
        let Some(a) = WasmAddr::from_raw(addr) else {
            return false;
        };
        let found = self
            .sites
            .iter()
            .find(|(_, s)| s.1 == a.offset())
            .map(|(k, v)| (*k, v.0));
        match found {
            Some((site, id)) => {
                self.debug.breakpoints.disarm(&mut self.store, id);
                self.sites.remove(&site);
                true
            }
            None => false,
        }
    }

    /// Sets a watchpoint on linear memory; a full table is refused with the limit named.
    pub fn add_watch(&mut self, addr: u64, len: u64, kind: GdbWatch) -> Result<bool, String> {
        let Some(a) = WasmAddr::from_raw(addr).filter(|a| a.addr_type() == WasmAddrType::Memory)
        else {
            return Ok(false);
        };
        let kind = match kind {
            GdbWatch::Write => WatchKind::Write,
            GdbWatch::Read => WatchKind::Read,
            GdbWatch::ReadWrite => WatchKind::Access,
        };
        let limits = self.debug.limits.clone();
        let watch = Watch {
            addr: a.offset(),
            len: len as u32,
            kind,
            old: [0; 8],
        };
        match self.debug.watches.insert(watch, &limits) {
            Ok(_) => Ok(true),
            Err(e) => Err(self.refuse(e)),
        }
    }

    /// Removes a watchpoint.
    pub fn remove_watch(&mut self, addr: u64, len: u64) -> bool {
        let Some(a) = WasmAddr::from_raw(addr) else {
            return false;
        };
        let id = self
            .debug
            .watches
            .iter()
            .find(|(_, w)| w.addr == a.offset() && u64::from(w.len) == len)
            .map(|(id, _)| id);
        id.and_then(|id| self.debug.watches.remove(id)).is_some()
    }

    /// Disarms every breakpoint and removes every watchpoint: a client that went away without
    /// detaching leaves none for the next one, which sets its own.
    pub fn forget_client(&mut self) {
        for (_, (id, _)) in core::mem::take(&mut self.sites) {
            self.debug.breakpoints.disarm(&mut self.store, id);
        }
        let watches: Vec<_> = self.debug.watches.iter().map(|(id, _)| id).collect();
        for id in watches {
            self.debug.watches.remove(id);
        }
    }

    fn refuse(&mut self, e: Error) -> String {
        let msg = format!("{e}");
        self.last_refusal = Some(msg.clone());
        msg
    }

    /// Runs the program as [`WasmTarget::mode`] says until it stops; `poll` is asked now and then
    /// whether the client wants to interrupt.
    pub fn run(&mut self, poll: impl FnMut() -> bool) -> Stop {
        let mode = self.mode.take().unwrap_or(Mode::Continue);
        match &self.exec {
            Exec::Exited(code) => return (SingleThreadStopReason::Exited(*code as u8), self.pc()),
            Exec::Trapped(t) => return (stopped_by(signal(t)), self.pc()),
            Exec::Stopped => {}
        }
        self.at_site = None;
        let Some(top) = self.thread.frames().last().copied() else {
            return self.finished(Ok(Outcome::Finished));
        };
        let watches: Vec<(u64, u64, WatchKind)> = self
            .debug
            .watches
            .iter()
            .map(|(_, w)| (u64::from(w.addr), u64::from(w.len), w.kind))
            .collect();
        let mut m = Monitor {
            watches: &watches,
            hit: None,
            poll,
            polls: 0,
            interrupted: false,
            start: (top.func, top.pc, self.thread.frames().len()),
            step: mode == Mode::Step,
            bodies: &self.bodies,
            profile: &mut self.profile,
        };
        // Move off a breakpoint marker first, watching what that instruction touches.
        let stepped_off = match self.sites.get(&(top.func, top.pc)) {
            Some(&(id, _)) => {
                let out =
                    self.debug
                        .breakpoints
                        .step_over(&mut self.store, &mut self.thread, id, &mut m);
                match out {
                    Ok(Outcome::Paused) if mode == Mode::Step => None,
                    Ok(Outcome::Paused) => Some(None),
                    other => Some(Some(other)),
                }
            }
            None => Some(None),
        };
        let out = match stepped_off {
            None => return self.stopped_step(),
            Some(Some(out)) => out,
            Some(None) => {
                let top = *self.thread.frames().last().expect("a frame");
                m.start = (top.func, top.pc, self.thread.frames().len());
                self.thread.run_with_hook(&mut self.store, &mut m)
            }
        };
        let (hit, interrupted) = (m.hit, m.interrupted);
        match out {
            Ok(Outcome::Paused) if interrupted => (stopped_by(Signal::SIGINT), self.pc()),
            Ok(Outcome::Paused) => self.stopped_step(),
            Ok(Outcome::Watchpoint) => {
                let (addr, write) = hit.unwrap_or((0, true));
                let kind = if write {
                    GdbWatch::Write
                } else {
                    GdbWatch::Read
                };
                let addr =
                    WasmAddr::new(WasmAddrType::Memory, 0, addr as u32).map_or(0, WasmAddr::as_raw);
                (
                    SingleThreadStopReason::Watch {
                        tid: (),
                        kind,
                        addr,
                    },
                    self.pc(),
                )
            }
            other => self.finished(other),
        }
    }

    /// A finished step, reported as a SIGTRAP with the thread so that the PC is expedited with it
    /// (LLDB reads nothing else before deciding where the step ended).
    fn stopped_step(&mut self) -> Stop {
        (stopped_by(Signal::SIGTRAP), self.pc())
    }

    fn finished(&mut self, out: Result<Outcome, Trap>) -> Stop {
        match out {
            Ok(Outcome::Breakpoint(id)) => {
                self.debug.breakpoints.hit(id);
                let top = self.thread.frames().last().copied();
                self.at_site = top
                    .and_then(|f| self.sites.get(&(f.func, f.pc)))
                    .map(|s| s.1);
                let frames = self.thread.frames().to_vec();
                self.debug.traces.capture(&frames);
                (SingleThreadStopReason::SwBreak(()), self.pc())
            }
            Ok(Outcome::Finished) => {
                self.exec = Exec::Exited(0);
                (SingleThreadStopReason::Exited(0), self.pc())
            }
            Err(Trap::Exit(code)) => {
                self.exec = Exec::Exited(code);
                (SingleThreadStopReason::Exited(code as u8), self.pc())
            }
            Err(t) => {
                let s = signal(&t);
                self.exec = Exec::Trapped(t);
                (stopped_by(s), self.pc())
            }
            Ok(_) => self.stopped_step(),
        }
    }
}

/// A stop by `signal`, naming the thread so the PC goes with it.
pub fn stopped_by(signal: Signal) -> SingleThreadStopReason<u64> {
    SingleThreadStopReason::SignalWithThread { tid: (), signal }
}

/// The signal a trap is reported as.
pub fn signal(t: &Trap) -> Signal {
    match t {
        Trap::IntegerDivideByZero | Trap::IntegerOverflow | Trap::InvalidConversionToInteger => {
            Signal::SIGFPE
        }
        Trap::MemoryOutOfBounds | Trap::TableOutOfBounds | Trap::CallStackExhausted => {
            Signal::SIGSEGV
        }
        Trap::Unreachable
        | Trap::UndefinedElement
        | Trap::UninitializedElement
        | Trap::IndirectCallTypeMismatch => Signal::SIGILL,
        Trap::Exit(_) | Trap::Host(_) | Trap::ForeignStore => Signal::SIGABRT,
    }
}

fn raw_bytes(raw: u64, ty: runtime_core::ValType) -> Vec<u8> {
    let n = match ty {
        runtime_core::ValType::I32 | runtime_core::ValType::F32 => 4,
        _ => 8,
    };
    raw.to_le_bytes()[..n].to_vec()
}

/// The length of the `call` or `call_indirect` instruction at `at` in the module file.
fn call_len(bytes: &[u8], at: usize) -> u32 {
    let leb = |from: usize| {
        bytes
            .get(from..)
            .and_then(|b| b.iter().position(|&x| x & 0x80 == 0))
            .map_or(1, |n| n + 1)
    };
    match bytes.get(at) {
        Some(0x10) => 1 + leb(at + 1) as u32,
        Some(0x11) => {
            let ty = leb(at + 1);
            1 + ty as u32 + leb(at + 1 + ty) as u32
        }
        _ => 1,
    }
}
