//! A debug session: one module, its DWARF, a running instance and the bounded debug tables. Every
//! front-end drives the program through it.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use runtime_core::admit::{Admitted, admit};
use runtime_core::budget::MemoryBudget;
use runtime_core::debug::DebugSession;
use runtime_core::limits::PlatformLimits;
use runtime_core::module::Translation;
use runtime_core::{Module, Trap};

use crate::breakpoint::{UserBreakpoint, UserWatch};
use crate::dwarf::{DwarfInfo, WasmState};
use crate::error::Error;
use crate::local::Local;
use crate::target::Target;

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
    /// Where the program's stderr goes when not with its stdout in `output`.
    pub errors: Option<SharedOutput>,
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
    /// The running program, local or remote.
    pub(crate) target: Option<Box<dyn Target>>,
    /// Whether the program runs behind a remote stub (it runs once; `run` only starts it going).
    pub(crate) attached: bool,
    /// Whether the program stands where it started, not yet resumed.
    pub(crate) fresh: bool,
    pub(crate) state: State,
    /// Module-file offset where code offsets start.
    pub(crate) code_start: u64,
    /// User breakpoints, by number.
    pub breakpoints: Vec<UserBreakpoint>,
    /// User watchpoints.
    pub watches: Vec<UserWatch>,
    /// Breakpoint sites armed in the target (module function index, pc).
    pub(crate) armed: Vec<(u32, u32)>,
    pub(crate) next_number: u32,
    /// Selected frame, 0 the innermost.
    pub selected: usize,
    /// Inlined frames hidden at the stop: the program stands at their first instruction, which
    /// is reported as their call site until `step` enters them.
    pub(crate) hidden: usize,
    /// Values printed so far: `$1`, `$2`, ...
    pub history: Vec<crate::value::Value>,
    /// Set from anywhere to stop the running program.
    pub(crate) interrupt: Arc<AtomicBool>,
    /// Instructions the program has run since it was last resumed, while it runs (local
    /// targets only; see [`Session::progress`]).
    pub(crate) executed: Arc<AtomicU64>,
    /// Whether `continue` polls [`Session::interrupter`] (a little slower) or runs at full speed.
    pub interruptible: bool,
    /// The calling-context counters while profiling is on.
    pub profile: Option<runtime_core::debug::Profile>,
    /// Wall time the program ran while profiled.
    pub(crate) profile_time: std::time::Duration,
    /// When the profile's last time sample was taken, while it samples time.
    pub(crate) profile_clock: Option<Rc<std::cell::Cell<std::time::Instant>>>,
    /// `display` expressions.
    pub(crate) displays: Vec<crate::history::DisplayExpr>,
    /// Source files read, and where to look for them.
    pub sources: crate::source::Sources,
    /// The module's code printed, once disassembly is asked for.
    pub(crate) listing: Option<crate::disasm::Listing>,
    /// The module's memory budget, from its admission.
    pub(crate) memory: runtime_core::budget::MemoryBudget,
    /// The global names of the module's `name` section, once asked for.
    pub(crate) global_names: std::cell::OnceCell<Vec<(u32, String)>>,
}

impl Session {
    /// Opens a session on a module's bytes under `limits`: the session tables are allocated now,
    /// the DWARF loaded within its budget; refused by the safety rules or when the module is bad.
    /// The program runs the speed translation with an instruction at every statement start.
    pub fn open(
        bytes: Vec<u8>,
        limits: &PlatformLimits,
        program: Program,
    ) -> Result<Session, Error> {
        Session::open_translated(bytes, limits, program, |bytes, rows| {
            Ok(admit(bytes, limits, Translation::Boundaries(rows))?)
        })
    }

    /// [`Session::open`] with the module admitted by `admit`, given the module and its statement
    /// starts (module-file offsets).
    fn open_translated(
        bytes: Vec<u8>,
        limits: &PlatformLimits,
        program: Program,
        admit: impl FnOnce(&[u8], &[u32]) -> Result<Admitted, Error>,
    ) -> Result<Session, Error> {
        let debug = DebugSession::open(limits)?;
        // The line table first: the code is translated with an instruction at each statement.
        let (sections, code) = Module::sections(&bytes)?;
        let dwarf = DwarfInfo::load(&sections, &bytes, limits)?;
        let code_start = code.map_or(0, |r| r.start as u64);
        let rows = dwarf.lines.boundaries(code_start);
        let admitted = admit(&bytes, &rows)?;
        Ok(Session {
            bytes: bytes.into(),
            module: Rc::new(admitted.module),
            memory: admitted.budget,
            dwarf,
            debug,
            program,
            target: None,
            attached: false,
            fresh: false,
            state: State::NotStarted,
            code_start,
            breakpoints: Vec::new(),
            watches: Vec::new(),
            armed: Vec::new(),
            next_number: 1,
            selected: 0,
            hidden: 0,
            history: Vec::new(),
            interrupt: Arc::new(AtomicBool::new(false)),
            executed: Arc::new(AtomicU64::new(0)),
            interruptible: false,
            profile: None,
            profile_time: std::time::Duration::ZERO,
            profile_clock: None,
            displays: Vec::new(),
            sources: Default::default(),
            listing: None,
            global_names: Default::default(),
        })
    }

    /// A flag that, once set (from a signal handler or another thread), stops the running program
    /// at its next call or backward branch with [`crate::step::Stop::Interrupted`]; `continue`
    /// watches it when [`Session::interruptible`] is set (stepping and watchpoints always do).
    /// Every stop clears it; one set before a run stops that run at once.
    pub fn interrupter(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// A counter of the instructions the program has run since it was last resumed, updated
    /// while it runs at each poll (from any thread; local targets only,
    /// and only in interruptible or stepping runs).
    pub fn progress(&self) -> Arc<AtomicU64> {
        self.executed.clone()
    }

    /// Where the program stands.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The limits the session runs under.
    pub fn limits(&self) -> &PlatformLimits {
        &self.debug.limits
    }

    /// Opens a session on a program that already runs elsewhere (behind a remote stub), stopped
    /// where it is: `bytes` is its module as read from there, and `connect` makes the target
    /// given the module parsed here.
    pub fn attach(
        bytes: Vec<u8>,
        limits: &PlatformLimits,
        connect: impl FnOnce(&Rc<Module>) -> Result<Box<dyn Target>, Error>,
    ) -> Result<Session, Error> {
        // The stub translated the module as this does: code offsets and pcs mean the same here.
        // The program runs already, within its own platform's limits: these only measure it.
        let mut s = Session::open_translated(bytes, limits, Program::default(), |bytes, _| {
            let admitted = crate::translate::translate(bytes, &PlatformLimits::unbounded())?;
            let budget = MemoryBudget::new(&admitted.requirements, limits);
            Ok(Admitted { budget, ..admitted })
        })?;
        s.target = Some(connect(&s.module)?);
        s.attached = true;
        s.fresh = true;
        s.state = State::Stopped;
        Ok(s)
    }

    /// Instantiates the program afresh, stopped before its first instruction, with every enabled
    /// breakpoint armed. An attached program cannot start again; before its first resume it is
    /// already where a start leaves it.
    pub fn start(&mut self) -> Result<(), Error> {
        if self.attached {
            if self.fresh && self.target.is_some() {
                return self.rearm();
            }
            return Err(Error::Usage(
                "The remote program has run; it cannot be started again from here.".into(),
            ));
        }
        self.kill();
        let local = Local::start(&self.module, &self.debug.limits, &self.program)?;
        if let Some(p) = &mut self.profile {
            p.reset();
            self.profile_time = std::time::Duration::ZERO;
        }
        self.target = Some(Box::new(local));
        self.state = State::Stopped;
        self.fresh = true;
        self.selected = 0;
        self.rearm()
    }

    /// Drops the running program; breakpoints stay, to be armed on the next start.
    pub fn kill(&mut self) {
        if let Some(mut target) = self.target.take() {
            target.kill();
        }
        self.debug.breakpoints.clear();
        self.armed.clear();
        self.hidden = 0;
        self.state = State::NotStarted;
    }

    /// Whether the program runs behind a remote stub ([`Session::attach`]).
    pub fn is_attached(&self) -> bool {
        self.attached
    }

    /// Leaves a remote program to its server, its breakpoints and watchpoints removed there; the
    /// server keeps it for the next client.
    pub fn detach(&mut self) -> Result<(), Error> {
        let target = self.target.as_mut().ok_or(Error::NotRunning)?;
        if self.attached {
            for site in std::mem::take(&mut self.armed) {
                target.disarm(&mut self.debug, site)?;
            }
            for w in &self.watches {
                target.watch(w.addr, w.len.into(), w.kind, false)?;
            }
        }
        target.detach()?;
        self.target = None;
        self.state = State::NotStarted;
        Ok(())
    }

    /// The running program.
    pub fn target(&self) -> Result<&dyn Target, Error> {
        self.target.as_deref().ok_or(Error::NotRunning)
    }

    /// Runs a command of the target's own (`monitor budget` on a remote stub).
    pub fn monitor(&mut self, cmd: &str) -> Result<String, Error> {
        self.target.as_mut().ok_or(Error::NotRunning)?.monitor(cmd)
    }

    /// The module function index and pc of the instruction at code offset `addr`.
    pub fn site(&self, addr: u64) -> Option<(u32, u32)> {
        let offset = u32::try_from(addr.checked_add(self.code_start)?).ok()?;
        self.module.locate_offset(offset)
    }

    /// The code offset of internal `pc` of module function `func`.
    pub fn addr_of(&self, func: u32, pc: u32) -> Option<u64> {
        self.lines().offset(func, pc)
    }

    /// The link to the target, timed by one request when it is remote.
    pub fn link(&mut self) -> Result<crate::report::Link, Error> {
        let round_trip = match self.target.as_mut() {
            Some(t) => t.ping()?,
            None => None,
        };
        Ok(crate::report::Link {
            remote: self.is_attached(),
            round_trip_us: round_trip.map(|d| d.as_micros() as u64),
        })
    }

    /// The code offset of the Wasm operator instruction `pc` of `func` executes.
    pub fn operator_addr(&self, func: u32, pc: u32) -> Option<u64> {
        Some(u64::from(self.module.operator_offset(func, pc)?) - self.code_start)
    }

    /// The module's name for function `func` (`func[N]` without one).
    pub fn func_label(&self, func: u32) -> String {
        self.module
            .func_name(func)
            .map_or_else(|| format!("func[{func}]"), str::to_string)
    }

    /// The running program's Wasm frames, outermost first.
    pub fn wasm_frames(&self) -> &[runtime_core::Frame] {
        self.target.as_ref().map_or(&[], |t| t.frames())
    }

    /// What location expressions and memory reads see of Wasm frame `i` (outermost 0).
    pub fn wasm_state(&self, i: usize) -> Option<FrameState<'_>> {
        let target = self.target.as_deref()?;
        (i < target.frames().len()).then_some(FrameState { target, frame: i })
    }

    /// `len` bytes of linear memory at `addr`, or an error naming the range.
    pub fn read_memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        self.target()?.memory(addr, len)
    }
}

/// One Wasm frame of a stopped program, as location expressions read it.
pub struct FrameState<'a> {
    target: &'a dyn Target,
    frame: usize,
}

impl WasmState for FrameState<'_> {
    fn local(&self, index: u32) -> Result<Option<u64>, Error> {
        self.target.local(self.frame, index)
    }
    fn global(&self, index: u32) -> Result<Option<u64>, Error> {
        self.target.global(index)
    }
    fn stack(&self, index: u32) -> Result<Option<u64>, Error> {
        self.target.stack(self.frame, index)
    }
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        self.target.memory(addr, len)
    }
}
