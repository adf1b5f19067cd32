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
use runtime_core::debug::profile::Clock;
use runtime_core::debug::{Checks, DebugSession, Debuggee, Profile, Watch, WatchKind};
use runtime_core::limits::{DebugLevel, PlatformLimits};
use runtime_core::{Error, Frame, Module, Outcome, Store, Trap};

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
    program: Debuggee,
    module: Rc<Module>,
    /// The module file, served for code reads (LLDB reads the DWARF through them).
    pub bytes: Rc<[u8]>,
    /// The module's name, as `qXfer:libraries:read` reports it.
    pub name: String,
    /// The breakpoint, watch, inspector and trace tables, sized by the limits.
    pub debug: DebugSession,
    /// The code offset the client asked for at each armed site (module function index, pc).
    asked: BTreeMap<(u32, u32), u32>,
    /// Where the program stands.
    pub exec: Exec,
    /// Set by the resume and step requests, taken by [`WasmTarget::run`].
    pub mode: Option<Mode>,
    /// The breakpoint the thread stands on, with the offset the client asked for.
    at_site: Option<u32>,
    /// The calling-context counters (module indices), while profiling is on (`monitor profile on`).
    pub profile: Option<Profile>,
    /// Makes the clock a profile takes time samples from, where the platform has one.
    pub clock: Option<fn() -> Clock>,
    /// Whether the profile goes to the client as console output when the program ends.
    pub profile_at_exit: bool,
    /// The last refusal, for `monitor budget` (error replies carry only a number).
    pub last_refusal: Option<String>,
}

impl WasmTarget {
    /// A target for `entry` of instance `instance` (of `module`, whose file is `bytes`), stopped
    /// before its first instruction, with debug tables sized by `limits`; refused by the safety
    /// rules like any debug session.
    pub fn new(
        store: Store,
        instance: u32,
        entry: u32,
        module: Rc<Module>,
        bytes: Rc<[u8]>,
        name: String,
        limits: &PlatformLimits,
    ) -> Result<WasmTarget, Error> {
        let debug = DebugSession::open(limits)?;
        let program = Debuggee::start(store, &module, instance, entry)?;
        Ok(WasmTarget {
            program,
            module,
            bytes,
            name,
            debug,
            asked: BTreeMap::new(),
            exec: Exec::Stopped,
            mode: None,
            at_site: None,
            profile: None,
            clock: None,
            profile_at_exit: false,
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

    /// The PC of the innermost frame: the address a breakpoint was asked at when stopped on one.
    pub fn pc(&self) -> u64 {
        if let Some(offset) = self.at_site {
            return Self::code_addr(offset);
        }
        let top = self.program.frames().last();
        Self::code_addr(
            top.and_then(|f| self.module.offset(f.func, f.pc))
                .unwrap_or(0),
        )
    }

    /// The PCs of every frame, innermost first. A caller's PC is the end of its call instruction,
    /// where execution returns to.
    pub fn call_stack(&self) -> Vec<u64> {
        let frames: Vec<Frame> = self.program.frames().collect();
        let mut out = Vec::with_capacity(frames.len());
        for (i, f) in frames.iter().enumerate().rev() {
            if i + 1 == frames.len() {
                out.push(self.pc());
                continue;
            }
            let call =
                f.pc.checked_sub(1)
                    .and_then(|pc| self.module.operator_offset(f.func, pc));
            let end = call.map(|c| c + call_len(&self.bytes, c as usize));
            out.push(Self::code_addr(end.unwrap_or(0)));
        }
        out
    }

    /// Frame `i` counted from the innermost.
    fn frame(&self, i: usize) -> Option<usize> {
        self.program
            .thread
            .frames()
            .len()
            .checked_sub(1)?
            .checked_sub(i)
    }

    /// Local `index` of frame `frame` (0 innermost), in its type's size.
    pub fn local(&self, frame: usize, index: usize) -> Option<Vec<u8>> {
        let (raw, ty) = self.program.local(self.frame(frame)?, index)?;
        Some(raw_bytes(raw, ty))
    }

    /// Sets local `index` of frame `frame` (0 innermost) to the raw bits of a value of its type;
    /// `None` when there is no such local, or it holds no number.
    pub fn set_local(&mut self, frame: usize, index: usize, raw: u64) -> Option<()> {
        let frame = self.frame(frame)?;
        self.program.set_local(frame, index, raw)
    }

    /// Global `index` of the instance.
    pub fn global(&self, index: usize) -> Option<Vec<u8>> {
        let v = self.program.global(u32::try_from(index).ok()?)?;
        Some(raw_bytes(v.to_raw(), v.ty()))
    }

    /// Operand stack slot `index` (from the bottom) of frame `frame`, as 8 bytes. Past the
    /// innermost frame's height it reads what was last left there: a returned call's results,
    /// which the code may have dropped already (what `finish` shows); past the highest height
    /// its function reaches there is none.
    pub fn stack_value(&self, frame: usize, index: usize) -> Option<Vec<u8>> {
        let raw = self.program.stack_slot(self.frame(frame)?, index)?;
        Some(raw.to_le_bytes().to_vec())
    }

    /// The operand stack of frame `frame` (0 innermost), bottom first, as raw bits.
    pub fn operands(&self, frame: usize) -> Option<Vec<u64>> {
        self.program.operands(self.frame(frame)?)
    }

    /// Bytes at an LLDB address: module bytes in the code space, linear memory in the memory
    /// space; `None` for anything else or past the end, never host memory.
    pub fn read(&self, addr: u64, len: usize) -> Option<&[u8]> {
        let a = WasmAddr::from_raw(addr)?;
        let data: &[u8] = match (a.addr_type(), a.module_index()) {
            (WasmAddrType::Object, 0) => &self.bytes,
            (WasmAddrType::Memory, 0) => self.program.memory()?,
            _ => return None,
        };
        let start = a.offset() as usize;
        let end = start.checked_add(len)?.min(data.len());
        data.get(start..end)
    }

    /// Bytes of linear memory 0.
    pub fn memory_len(&self) -> usize {
        self.program.memory().map_or(0, <[u8]>::len)
    }

    /// Turns the calling-context counters on (from zero) or off; they need debug level `profile`.
    pub fn set_profiling(&mut self, on: bool) -> Result<(), String> {
        let level = self.debug.limits.debug_level;
        if on && level < DebugLevel::BasicProfile {
            return Err(format!(
                "profiling needs debug level profile or full; this server runs at {level}"
            ));
        }
        self.profile = on.then(|| {
            let funcs = u64::from(self.module.num_funcs());
            let mut p = Profile::new(runtime_core::debug::profile::device_contexts(funcs));
            if let Some(clock) = self.clock {
                p = p.with_clock(clock());
            }
            p.descend_frames(self.program.frames());
            p
        });
        Ok(())
    }

    /// The module's name for its function `idx`.
    pub fn func_name(&self, idx: u32) -> String {
        self.module
            .func_name(idx)
            .map_or_else(|| format!("func[{idx}]"), String::from)
    }

    /// Writes linear memory (code is not writable: breakpoints are set by `Z0`).
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> bool {
        let Some(a) = WasmAddr::from_raw(addr) else {
            return false;
        };
        if (a.addr_type(), a.module_index()) != (WasmAddrType::Memory, 0) {
            return false;
        }
        let Some(data) = self.program.memory_mut() else {
            return false;
        };
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
        let Some((func, pc)) = self.module.locate_offset(a.offset()) else {
            return Ok(false);
        };
        match self.program.arm(&mut self.debug, func, pc) {
            Ok(()) => {
                self.asked.entry((func, pc)).or_insert(a.offset());
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
        let site = self
            .asked
            .iter()
            .find(|(_, offset)| **offset == a.offset())
            .map(|(site, _)| *site);
        match site {
            Some((func, pc)) => {
                self.asked.remove(&(func, pc));
                self.program.disarm(&mut self.debug, func, pc)
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
        self.program.disarm_all(&mut self.debug);
        self.asked.clear();
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
    /// whether the client wants to interrupt. A `continue` with no watchpoint and no profiling
    /// runs the interpreter's full-speed loop.
    pub fn run(&mut self, mut poll: impl FnMut() -> bool) -> Stop {
        let mode = self.mode.take().unwrap_or(Mode::Continue);
        match &self.exec {
            Exec::Exited(code) => return (SingleThreadStopReason::Exited(*code as u8), self.pc()),
            Exec::Trapped(t) => return (stopped_by(signal(t)), self.pc()),
            Exec::Stopped => {}
        }
        self.at_site = None;
        let Some(top) = self.program.frames().last() else {
            return self.finished(Ok(Outcome::Finished));
        };
        let watches: Vec<(u64, u64, WatchKind)> = self
            .debug
            .watches
            .iter()
            .map(|(_, w)| (u64::from(w.addr), u64::from(w.len), w.kind))
            .collect();
        // A step runs while it stays on the Wasm operator it started on, in the same frame.
        let depth = self.program.thread.frames().len();
        let module = self.module.clone();
        let start = module.offset(top.func, top.pc);
        let step = (mode == Mode::Step).then_some(move |f: &Frame, d: usize| {
            d == depth && module.offset(f.func, f.pc) == start
        });
        // The interpreter polls about every `POLL_PERIOD` instructions.
        let mut interrupted = false;
        let checks = Checks {
            step,
            watches: &watches,
            profile: self.profile.as_mut(),
            poll: Some(|_| {
                interrupted = interrupted || poll();
                interrupted
            }),
        };
        let resumed = self.program.resume(&mut self.debug, checks);
        match resumed.outcome {
            Ok(Outcome::Paused) if interrupted => (stopped_by(Signal::SIGINT), self.pc()),
            Ok(Outcome::Paused) => self.stopped_step(),
            Ok(Outcome::Watchpoint) => {
                let (i, write) = resumed.watch.unwrap_or((0, true));
                let kind = if write {
                    GdbWatch::Write
                } else {
                    GdbWatch::Read
                };
                let at = watches.get(i).map_or(0, |w| w.0 as u32);
                let addr = WasmAddr::new(WasmAddrType::Memory, 0, at).map_or(0, WasmAddr::as_raw);
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
                self.at_site = self
                    .program
                    .site_of(&self.debug, id)
                    .and_then(|site| self.asked.get(&site).copied());
                let frames = self.program.thread.frames().to_vec();
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
