//! A debug session: one module, its DWARF, a running instance and the bounded debug tables. Every
//! front-end drives the program through it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use runtime_core::debug::DebugSession;
use runtime_core::limits::PlatformLimits;
use runtime_core::module::FuncBody;
use runtime_core::wasi::{self, WasiCtx};
use runtime_core::{Extern, Linker, Module, Store, Thread, Trap};

use crate::breakpoint::{UserBreakpoint, UserWatch};
use crate::dwarf::{DwarfInfo, WasmState};
use crate::error::Error;

/// Where the program stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Not started, or killed.
    NotStarted,
    /// Stopped and able to go on.
    Stopped,
    /// Stopped by a trap at the faulting instruction; it cannot go on.
    Trapped(Trap),
    /// The program ended with this exit status.
    Exited(i32),
}

/// What the program was given to run with.
#[derive(Clone, Default)]
pub struct Program {
    /// argv, the program name first.
    pub args: Vec<String>,
    /// `KEY=VALUE` environment.
    pub env: Vec<String>,
    /// Preopened directories: host path and guest name.
    pub dirs: Vec<(std::path::PathBuf, String)>,
    /// Where the program's stdout and stderr go; the host's stdout when `None`.
    pub output: Option<SharedOutput>,
}

/// A writer shared between the front-end and each run of the program.
#[derive(Clone)]
pub struct SharedOutput(pub Rc<RefCell<dyn Write>>);

impl Write for SharedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// The live parts of a started program.
pub(crate) struct Live {
    pub store: Store,
    pub thread: Thread,
    pub instance: u32,
    pub wasi: Rc<RefCell<WasiCtx>>,
}

/// One debugging session.
pub struct Session {
    /// The module file bytes (for disassembly and remote code reads).
    pub bytes: Rc<[u8]>,
    pub(crate) module: Rc<Module>,
    /// The module's DWARF, within its budget.
    pub dwarf: DwarfInfo,
    /// The bounded breakpoint, watch, inspector and trace tables.
    pub debug: DebugSession,
    pub(crate) program: Program,
    pub(crate) live: Option<Live>,
    pub(crate) state: State,
    /// Function bodies by store address, shared with the stepping hooks.
    pub(crate) bodies: Vec<Option<Rc<FuncBody>>>,
    /// Module-file offset where code offsets start.
    pub(crate) code_start: u64,
    /// User breakpoints, by number.
    pub breakpoints: Vec<UserBreakpoint>,
    /// User watchpoints.
    pub watches: Vec<UserWatch>,
    /// Armed sites: (function, pc) to the breakpoint table id.
    pub(crate) armed: HashMap<(u32, u32), u32>,
    pub(crate) next_number: u32,
    /// Selected frame, 0 the innermost.
    pub selected: usize,
    /// Values printed so far: `$1`, `$2`, ...
    pub history: Vec<crate::value::Value>,
    /// Set from anywhere to stop the running program.
    pub(crate) interrupt: Arc<AtomicBool>,
    /// Whether `continue` polls [`Session::interrupter`] (a little slower) or runs at full speed.
    pub interruptible: bool,
    /// Per-function counters while profiling is on.
    pub profile: Option<runtime_core::debug::Profile>,
}

impl Session {
    /// Opens a session on a module's bytes under `limits`: the session tables are allocated now,
    /// the DWARF loaded within its budget; refused by the safety rules or when the module is bad.
    pub fn open(
        bytes: Vec<u8>,
        limits: &PlatformLimits,
        program: Program,
    ) -> Result<Session, Error> {
        let debug = DebugSession::open(limits)?;
        let module = Rc::new(Module::new_for_debugging(&bytes)?);
        let dwarf = DwarfInfo::load(&module, &bytes, limits)?;
        let code_start = module.code_section().map_or(0, |r| r.start as u64);
        Ok(Session {
            bytes: bytes.into(),
            module,
            dwarf,
            debug,
            program,
            live: None,
            state: State::NotStarted,
            bodies: Vec::new(),
            code_start,
            breakpoints: Vec::new(),
            watches: Vec::new(),
            armed: HashMap::new(),
            next_number: 1,
            selected: 0,
            history: Vec::new(),
            interrupt: Arc::new(AtomicBool::new(false)),
            interruptible: false,
            profile: None,
        })
    }

    /// A flag that, once set (from a signal handler or another thread), stops the running program
    /// at its next call or backward branch with [`crate::step::Stop::Interrupted`]; `continue`
    /// watches it when [`Session::interruptible`] is set (stepping and watchpoints always do).
    pub fn interrupter(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Where the program stands.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The limits the session runs under.
    pub fn limits(&self) -> &PlatformLimits {
        &self.debug.limits
    }

    /// Instantiates the program afresh, stopped before its first instruction, with every enabled
    /// breakpoint armed.
    pub fn start(&mut self) -> Result<(), Error> {
        self.kill();
        let limits = self.debug.limits.clone();
        let mut store = Store::new(limits.store_config());
        let mut linker = Linker::new();
        let p = &self.program;
        let mut ctx = match &p.output {
            Some(out) => WasiCtx::with_stdio(
                p.args.clone(),
                p.env.clone(),
                Box::new(std::io::empty()),
                Box::new(out.clone()),
                Box::new(out.clone()),
            ),
            None => WasiCtx::new(p.args.clone(), p.env.clone()),
        };
        for (host, guest) in &p.dirs {
            ctx.preopen(host.clone(), guest)
                .map_err(|e| Error::Usage(format!("cannot preopen {}: {e}", host.display())))?;
        }
        let wasi = Rc::new(RefCell::new(ctx));
        wasi::link(&mut store, &mut linker, &self.module, wasi.clone())?;
        let instance = linker.instantiate(&mut store, self.module.clone())?;
        let entry = match store.instance(instance).export("_start") {
            Some(Extern::Func(f)) => f,
            _ => {
                return Err(Error::Usage(
                    "the module exports no `_start` function".into(),
                ));
            }
        };
        let mut thread = Thread::new(&store, entry, &[])?;
        thread.preallocate(&store);
        thread
            .start(&mut store)
            .map_err(runtime_core::Error::Trap)?;
        let inst = store.instance(instance);
        let mut bodies = Vec::new();
        for idx in 0..self.module.num_funcs() {
            let Some(addr) = inst.func_addr(idx) else {
                continue;
            };
            if bodies.len() <= addr as usize {
                bodies.resize(addr as usize + 1, None);
            }
            bodies[addr as usize] = store.func_body(addr).cloned();
        }
        if let Some(p) = &mut self.profile {
            *p = runtime_core::debug::Profile::new(bodies.len());
        }
        self.bodies = bodies;
        self.live = Some(Live {
            store,
            thread,
            instance,
            wasi,
        });
        self.state = State::Stopped;
        self.selected = 0;
        self.rearm()
    }

    /// Turns the profiling counters on (from zero) or off; they need debug level `profile`.
    pub fn set_profiling(&mut self, on: bool) -> Result<(), Error> {
        let level = self.debug.limits.debug_level;
        if on && level < runtime_core::limits::DebugLevel::BasicProfile {
            return Err(Error::Usage(format!(
                "profiling needs debug level profile or full; this session is at {level}"
            )));
        }
        self.profile = on.then(|| runtime_core::debug::Profile::new(self.bodies.len()));
        Ok(())
    }

    /// Drops the running program; breakpoints stay, to be armed on the next start.
    pub fn kill(&mut self) {
        if let Some(live) = self.live.take() {
            live.wasi.borrow_mut().flush();
        }
        self.debug.breakpoints.clear();
        self.armed.clear();
        self.state = State::NotStarted;
    }

    /// The store address of the function holding code offset `addr`, and the internal pc there.
    pub fn site(&self, addr: u64) -> Option<(u32, u32)> {
        let (idx, pc) = self.module.locate_offset((addr + self.code_start) as u32)?;
        let live = self.live.as_ref()?;
        Some((live.store.instance(live.instance).func_addr(idx)?, pc))
    }

    /// The code offset of internal `pc` of function `func`.
    pub fn addr_of(&self, func: u32, pc: u32) -> Option<u64> {
        let body = self.bodies.get(func as usize)?.as_ref()?;
        Some(*body.offsets.get(pc as usize)? as u64 - self.code_start)
    }

    /// The module's name for a function at store address `func` (`func[N]` without one).
    pub fn func_label(&self, func: u32) -> String {
        let live = self.live.as_ref();
        match live.and_then(|l| l.store.func_origin(func)) {
            Some((_, index)) => self
                .module
                .func_name(index)
                .map_or_else(|| format!("func[{index}]"), str::to_string),
            None => format!("func@{func}"),
        }
    }

    /// The running thread's Wasm frames, outermost first.
    pub fn wasm_frames(&self) -> &[runtime_core::Frame] {
        self.live.as_ref().map_or(&[], |l| l.thread.frames())
    }

    /// What location expressions and memory reads see of Wasm frame `i` (outermost 0).
    pub fn wasm_state(&self, i: usize) -> Option<FrameState<'_>> {
        let live = self.live.as_ref()?;
        (i < live.thread.frames().len()).then_some(FrameState { live, frame: i })
    }

    /// Linear memory 0 of the running program.
    pub fn memory(&self) -> Option<&[u8]> {
        let live = self.live.as_ref()?;
        let m = live.store.instance(live.instance).memory_addr()?;
        Some(&live.store.memory(m).data)
    }

    /// `len` bytes of linear memory at `addr`, or an error naming the range.
    pub fn read_memory(&self, addr: u64, len: usize) -> Result<&[u8], Error> {
        let mem = self.memory().ok_or(Error::NotRunning)?;
        let end = addr
            .checked_add(len as u64)
            .filter(|&e| e <= mem.len() as u64);
        end.map(|e| &mem[addr as usize..e as usize])
            .ok_or(Error::Memory {
                addr,
                len,
                size: mem.len() as u64,
            })
    }
}

/// One Wasm frame of a stopped program, as location expressions read it.
pub struct FrameState<'a> {
    live: &'a Live,
    frame: usize,
}

impl WasmState for FrameState<'_> {
    fn local(&self, index: u32) -> Option<u64> {
        self.live
            .thread
            .locals(&self.live.store, self.frame)
            .get(index as usize)
            .copied()
    }
    fn global(&self, index: u32) -> Option<u64> {
        let addr = self
            .live
            .store
            .instance(self.live.instance)
            .global_addr(index)?;
        Some(self.live.store.global(addr).to_raw())
    }
    fn stack(&self, index: u32) -> Option<u64> {
        self.live
            .thread
            .operands(&self.live.store, self.frame)
            .get(index as usize)
            .copied()
    }
    fn memory(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let store = &self.live.store;
        let data = &store
            .memory(store.instance(self.live.instance).memory_addr()?)
            .data;
        let end = addr.checked_add(len as u64)?;
        data.get(addr as usize..usize::try_from(end).ok()?)
            .map(<[u8]>::to_vec)
    }
}
