//! A debug session: one module, its DWARF, a running instance and the bounded debug tables. Every
//! front-end drives the program through it.
//!
//! The session is made of parts, each in its own file with its own fields: the [`Image`] of the
//! module, the user's [`Points`] (breakpoints and watchpoints), the [`Process`] that runs the
//! program, the [`Inspector`] (selected frame, value history, displays) and the [`Profiler`]. The
//! files beside them (`step`, `breakpoint`, `frame`, ...) hold the session's operations, each on
//! the parts it needs.

mod breakpoint;
mod budget;
mod children;
mod disasm;
mod expr;
mod frame;
mod history;
mod image;
mod inline;
mod inspect;
mod machine;
mod memory;
mod points;
mod process;
mod profile;
mod profiler;
mod request;
mod source;
mod statics;
mod step;
mod stop;
mod value;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use runtime_core::admit::{Admitted, admit};
use runtime_core::budget::MemoryBudget;
use runtime_core::debug::DebugSession;
use runtime_core::limits::PlatformLimits;
use runtime_core::module::Translation;
use runtime_core::{Module, Trap};

pub use self::image::Image;
pub use self::inspect::Inspector;
pub use self::points::Points;
pub use self::process::Process;
pub use self::profiler::Profiler;
use crate::dwarf::DwarfInfo;
use crate::error::Error;
use crate::in_process::Local;
pub use crate::in_process::{Program, SharedOutput};
use crate::statics::FrameState;
use crate::target::Target;

/// Where the program stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum State {
    /// Not started, or killed.
    #[default]
    NotStarted,
    /// Stopped and able to go on.
    Stopped,
    /// Stopped by a trap at the faulting instruction; it cannot go on.
    Trapped(Trap),
    /// The program ended with this exit status.
    Exited(i32),
}

/// One debugging session: its parts, and the bounded breakpoint, watch, inspector and trace
/// tables of the runtime that the parts share.
pub struct Session {
    image: Image,
    points: Points,
    process: Process,
    inspect: Inspector,
    profiler: Profiler,
    debug: DebugSession,
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
            image: Image::new(bytes, admitted.module, dwarf, code_start, admitted.budget),
            points: Points::default(),
            process: Process {
                program,
                ..Process::default()
            },
            inspect: Inspector::default(),
            profiler: Profiler::default(),
            debug,
        })
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
        s.process.target = Some(connect(&s.image.module)?);
        s.process.attached = true;
        s.process.fresh = true;
        s.process.state = State::Stopped;
        Ok(s)
    }

    /// The module as the session sees it.
    pub fn image(&self) -> &Image {
        &self.image
    }

    /// The module file bytes (for disassembly and remote code reads).
    pub fn bytes(&self) -> &Rc<[u8]> {
        &self.image.bytes
    }

    /// The module's DWARF, within its budget.
    pub fn dwarf(&self) -> &DwarfInfo {
        &self.image.dwarf
    }

    /// The stop the program stands at: it counts each time the program runs or is dropped, and
    /// a [`crate::request::FrameRef`] read at another count is refused.
    pub fn stop_count(&self) -> u64 {
        self.process.stops
    }

    /// The level of the selected frame, 0 the innermost.
    pub fn selected(&self) -> usize {
        self.inspect.selected
    }

    /// The values printed so far: `$1` first.
    pub fn history(&self) -> &[crate::value::Value] {
        &self.inspect.history
    }

    /// Forgets the values printed and selects the innermost frame, as a new stop does.
    pub fn forget_values(&mut self) {
        self.inspect.history.clear();
        self.inspect.selected = 0;
    }

    /// The user's breakpoints and watchpoints.
    pub fn points(&self) -> &Points {
        &self.points
    }

    /// The bounded breakpoint, watch, inspector and trace tables.
    pub fn debug_tables(&self) -> &DebugSession {
        &self.debug
    }

    /// A flag that, once set (from a signal handler or another thread), stops the running program
    /// at its next call or backward branch with [`crate::step::Stop::Interrupted`]; `continue`
    /// watches it when the session is interruptible (stepping and watchpoints always do).
    /// Every stop clears it; one set before a run stops that run at once.
    pub fn interrupter(&self) -> Arc<AtomicBool> {
        self.process.interrupt.clone()
    }

    /// Makes `continue` poll `flag` (a little slower than running at full speed), which stops
    /// the program once set: what a front-end that can be interrupted asks for.
    pub fn interrupt_with(&mut self, flag: Arc<AtomicBool>) {
        self.process.interrupt = flag;
        self.process.interruptible = true;
    }

    /// Sends the program's stdout and stderr to `output` and `errors` from its next start.
    pub fn capture_output(&mut self, output: SharedOutput, errors: SharedOutput) {
        self.process.program.output = Some(output);
        self.process.program.errors = Some(errors);
    }

    /// A counter of the instructions the program has run since it was last resumed, updated
    /// while it runs at each poll (from any thread; local targets only,
    /// and only in interruptible or stepping runs).
    pub fn progress(&self) -> Arc<AtomicU64> {
        self.process.executed.clone()
    }

    /// Where the program stands.
    pub fn state(&self) -> &State {
        &self.process.state
    }

    /// The limits the session runs under.
    pub fn limits(&self) -> &PlatformLimits {
        &self.debug.limits
    }

    /// Instantiates the program afresh, stopped before its first instruction, with every enabled
    /// breakpoint armed. An attached program cannot start again; before its first resume it is
    /// already where a start leaves it.
    pub fn start(&mut self) -> Result<(), Error> {
        if self.process.attached {
            if self.process.fresh && self.process.target.is_some() {
                return self.rearm();
            }
            return Err(Error::Unsupported(
                "The remote program has run; it cannot be started again from here.".into(),
            ));
        }
        self.kill();
        let local = Local::start(
            &self.image.module,
            &self.debug.limits,
            &self.process.program,
        )?;
        if let Some(p) = &mut self.profiler.profile {
            p.reset();
            self.profiler.profile_time = std::time::Duration::ZERO;
        }
        self.process.target = Some(Box::new(local));
        self.process.state = State::Stopped;
        self.process.fresh = true;
        self.inspect.selected = 0;
        self.rearm()
    }

    /// Drops the running program; breakpoints stay, to be armed on the next start.
    pub fn kill(&mut self) {
        if let Some(mut target) = self.process.target.take() {
            target.kill();
            self.process.stops += 1;
        }
        self.debug.breakpoints.clear();
        self.points.armed.clear();
        self.process.hidden = 0;
        self.process.state = State::NotStarted;
    }

    /// Whether the program runs behind a remote stub ([`Session::attach`]).
    pub fn is_attached(&self) -> bool {
        self.process.attached
    }

    /// Leaves a remote program to its server, its breakpoints and watchpoints removed there; the
    /// server keeps it for the next client.
    pub fn detach(&mut self) -> Result<(), Error> {
        let target = self.process.target.as_mut().ok_or(Error::NotRunning)?;
        if self.process.attached {
            for site in std::mem::take(&mut self.points.armed) {
                target.disarm(&mut self.debug, site)?;
            }
            for w in &self.points.watches {
                target.watch(w.addr, w.len.into(), w.kind, false)?;
            }
        }
        target.detach()?;
        self.process.target = None;
        self.process.state = State::NotStarted;
        Ok(())
    }

    /// The running program.
    pub fn target(&self) -> Result<&dyn Target, Error> {
        self.process.target.as_deref().ok_or(Error::NotRunning)
    }

    /// Runs a command of the target's own (`monitor budget` on a remote stub).
    pub fn monitor(&mut self, cmd: &str) -> Result<String, Error> {
        self.process
            .target
            .as_mut()
            .ok_or(Error::NotRunning)?
            .monitor(cmd)
    }

    /// The module function index and pc of the instruction at code offset `addr`.
    pub fn site(&self, addr: u64) -> Option<(u32, u32)> {
        self.image.site(addr)
    }

    /// The code offset of internal `pc` of module function `func`.
    pub fn addr_of(&self, func: u32, pc: u32) -> Option<u64> {
        self.lines().offset(func, pc)
    }

    /// The link to the target, timed by one request when it is remote.
    pub fn link(&mut self) -> Result<crate::report::Link, Error> {
        let round_trip = match self.process.target.as_mut() {
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
        self.image.operator_addr(func, pc)
    }

    /// The module's name for function `func` (`func[N]` without one).
    pub fn func_label(&self, func: u32) -> String {
        self.image.func_label(func)
    }

    /// The running program's Wasm frames, outermost first.
    pub fn wasm_frames(&self) -> &[runtime_core::Frame] {
        self.process.target.as_ref().map_or(&[], |t| t.frames())
    }

    /// What location expressions and memory reads see of Wasm frame `i` (outermost 0).
    pub fn wasm_state(&self, i: usize) -> Option<FrameState<'_>> {
        let target = self.process.target.as_deref()?;
        (i < target.frames().len()).then_some(FrameState { target, frame: i })
    }

    /// `len` bytes of linear memory at `addr`, or an error naming the range.
    pub fn read_memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error> {
        self.target()?.memory(addr, len)
    }
}
