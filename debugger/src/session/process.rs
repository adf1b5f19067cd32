//! The session's process: the program run (local or behind a remote stub), where it stands, and
//! what stops it from outside.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use super::{Program, State};
use crate::target::Target;

/// The running program and how it is run.
#[derive(Default)]
pub struct Process {
    pub(super) program: Program,
    /// The running program, local or remote.
    pub(super) target: Option<Box<dyn Target>>,
    /// Whether the program runs behind a remote stub (it runs once; `run` only starts it going).
    pub(super) attached: bool,
    /// Whether the program stands where it started, not yet resumed.
    pub(super) fresh: bool,
    pub(super) state: State,
    /// Counts the times the program ran or was dropped: frames read at another count are gone.
    pub(super) stops: u64,
    /// Inlined frames hidden at the stop: the program stands at their first instruction, which
    /// is reported as their call site until `step` enters them.
    pub(super) hidden: usize,
    /// Set from anywhere to stop the running program.
    pub(super) interrupt: Arc<AtomicBool>,
    /// Instructions the program has run since it was last resumed, while it runs (local
    /// targets only; see [`super::Session::progress`]).
    pub(super) executed: Arc<AtomicU64>,
    /// Whether `continue` polls the interrupt flag (a little slower) or runs at full speed.
    pub(super) interruptible: bool,
}
