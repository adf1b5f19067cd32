//! The target interface: what the engine needs of a running program, whether it runs in this
//! process ([`crate::in_process::Local`]) or behind a remote stub (the RSP client of `gdb-bridge`).
//!
//! Frames are [`Frame`]s whose `func` is the *module's* function index and whose `pc` is an
//! instruction of the module's debug translation (for callers: the instruction after the call),
//! so both kinds of target describe a stop the same way.

use std::sync::atomic::{AtomicBool, AtomicU64};

use runtime_core::debug::{DebugSession, WatchKind};
use runtime_core::{Frame, Trap};

use crate::error::Error;

/// What a stepping test says of the instruction about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Run it and ask again at the next one.
    Go,
    /// Stop before it.
    Stop,
    /// Nothing stops until the call stack is back to this depth (a call to step over); the
    /// instruction reached then is asked about again.
    Return(usize),
}

/// The per-instruction stepping test: the frame about to run and the call depth.
pub type Test<'a> = &'a mut dyn FnMut(&Frame, usize) -> Verdict;

/// How to run a stopped target.
pub struct Run<'a> {
    /// The stepping test; `None` runs at full speed until a breakpoint, watch, trap or exit.
    pub test: Option<Test<'a>>,
    /// The watched ranges of linear memory: address, length and what access stops.
    pub watches: &'a [(u64, u64, WatchKind)],
    /// Per-function counters of every instruction run, while profiling (local targets).
    pub profile: Option<&'a mut runtime_core::debug::Profile>,
    /// Whether a full-speed run polls `interrupt` (stepping always does).
    pub interruptible: bool,
    /// Set from elsewhere to stop the running program.
    pub interrupt: &'a AtomicBool,
    /// Where a local target publishes the instructions it has run since it was resumed, at
    /// each poll, for a front-end to show while it runs.
    pub executed: &'a AtomicU64,
}

/// Why a resumed target stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// At an armed breakpoint site: module function index and pc.
    Breakpoint(u32, u32),
    /// Watch `index` of [`Run::watches`] saw an access (`write` or read).
    Watch {
        /// Index into [`Run::watches`].
        index: usize,
        /// Whether the access was a write.
        write: bool,
    },
    /// The stepping test said stop.
    Stepped,
    /// [`Run::interrupt`] stopped it.
    Interrupted,
    /// The program exited with this status.
    Exited(i32),
    /// A trap at the faulting instruction.
    Trap(Trap),
}

/// A running program the engine can inspect and drive.
pub trait Target {
    /// The Wasm frames, outermost first.
    fn frames(&self) -> &[Frame];
    /// Local `index` of frame `frame` (outermost 0), as raw bits; `None` if there is no such
    /// local, an error if the target could not be asked.
    fn local(&self, frame: usize, index: u32) -> Result<Option<u64>, Error>;
    /// Global `index` of the module's instance, as raw bits (`None` and errors as for `local`).
    fn global(&self, index: u32) -> Result<Option<u64>, Error>;
    /// Operand stack slot `index` (from the bottom) of frame `frame` (outermost 0). For the
    /// innermost frame, slots past the operand stack's height read what was last left there: the
    /// results of a call just returned, which the code may already have dropped.
    fn stack(&self, frame: usize, index: u32) -> Result<Option<u64>, Error>;
    /// The operand stack of frame `frame` (outermost 0), bottom first, as raw bits; a caller's
    /// excludes the arguments it passed. `None` if there is no such frame.
    fn operands(&self, frame: usize) -> Result<Option<Vec<u64>>, Error>;
    /// `len` bytes of linear memory at `addr`; an error names the range.
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, Error>;
    /// Writes `bytes` to linear memory at `addr`; an error names the range, and nothing is
    /// written then.
    fn write_memory(&mut self, addr: u64, bytes: &[u8]) -> Result<(), Error>;
    /// Sets local `index` of frame `frame` (outermost 0) to the raw bits of a value of its type
    /// (the low 32 bits for `i32` and `f32`); an error when there is no such local.
    fn set_local(&mut self, frame: usize, index: u32, raw: u64) -> Result<(), Error>;
    /// Arms a breakpoint at `site` (module function index, pc); a full breakpoint table is an
    /// error naming its limit.
    fn arm(&mut self, debug: &mut DebugSession, site: (u32, u32)) -> Result<(), Error>;
    /// Disarms the breakpoint at `site`.
    fn disarm(&mut self, debug: &mut DebugSession, site: (u32, u32)) -> Result<(), Error>;
    /// Tells the target about a watched range (`on`) or that it is gone; a refusal names the limit.
    fn watch(&mut self, addr: u64, len: u64, kind: WatchKind, on: bool) -> Result<(), Error>;
    /// Runs until the program stops again.
    fn resume(&mut self, debug: &mut DebugSession, run: Run<'_>) -> Result<Event, Error>;
    /// The time one request takes to be answered over the link to a remote target; `None` for a
    /// local one. An error when the link is gone.
    fn ping(&mut self) -> Result<Option<std::time::Duration>, Error> {
        Ok(None)
    }
    /// Runs a command of the target's own (`monitor`); local targets have none.
    fn monitor(&mut self, cmd: &str) -> Result<String, Error>;
    /// What a remote stub printed as console output while the program last ran, taken.
    fn console(&mut self) -> String {
        String::new()
    }
    /// Leaves the program to its server, which keeps it for the next client; the target is
    /// dropped after. Only a remote program can be left so.
    fn detach(&mut self) -> Result<(), Error>;
    /// Ends the program (its output flushed); the target is dropped after.
    fn kill(&mut self);
}
