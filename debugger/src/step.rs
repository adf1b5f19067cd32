//! Run control: continue, step, next, finish, stepi, nexti, until and advance. Continuing runs at
//! full speed (breakpoints are patched in); only watchpoints add a check on memory accesses, and
//! only the stepping commands consult the per-instruction hook.

use runtime_core::{Module, Trap};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::dwarf::DwarfInfo;
use crate::frame::FrameInfo;
use crate::value::Value;

/// How to resume a stopped program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resume {
    /// Until a breakpoint, watchpoint, trap or exit.
    Continue,
    /// To the next source line, into calls.
    Step,
    /// To the next source line of this frame, over calls.
    Next,
    /// Until the selected frame returns.
    Finish,
    /// One Wasm instruction, into calls.
    StepInstr,
    /// One Wasm instruction, over calls.
    NextInstr,
    /// Like `Next`, but never back to an earlier line of a loop.
    Until,
    /// Until one of these code offsets, or the current frame returns.
    Advance(Vec<u64>),
}

/// Why the program stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// At user breakpoint `number`.
    Breakpoint {
        /// The breakpoint's number.
        number: u32,
        /// Whether it was temporary (and is now deleted).
        temporary: bool,
        /// Why its condition could not be tested, when it could not (the program stops then, as
        /// in gdb).
        condition_error: Option<String>,
    },
    /// A watchpoint saw an access.
    Watch {
        /// The watchpoint's number.
        number: u32,
        /// The expression watched.
        expr: String,
        /// The value before, for a change.
        old: Option<String>,
        /// The value now.
        new: String,
    },
    /// The frame a watchpoint's expression uses returned, and the watchpoint was deleted.
    WatchScope {
        /// The watchpoint's number.
        number: u32,
    },
    /// A step, next, stepi, until or advance ended.
    Step,
    /// `finish` returned to the caller, with the value the function returned.
    Finish {
        /// The returned value as printed, if the function returns one.
        value: Option<Value>,
        /// The frame that returned.
        from: Box<FrameInfo>,
    },
    /// A trap stopped the program at the faulting instruction.
    Trap(Trap),
    /// [`Session::interrupter`](crate::session::Session::interrupter) asked the running program to stop.
    Interrupted,
    /// The program exited with this status.
    Exited(i32),
}

/// The line-table view the stepping hooks need, readable while the store runs.
pub(crate) struct Lines<'a> {
    pub(crate) dwarf: &'a DwarfInfo,
    pub(crate) module: &'a Module,
    pub(crate) code_start: u64,
}

impl Lines<'_> {
    /// The code offset of internal `pc` of module function `func`.
    pub(crate) fn offset(&self, func: u32, pc: u32) -> Option<u64> {
        Some(u64::from(self.module.offset(func, pc)?) - self.code_start)
    }

    /// The (file, line) a statement starting at this instruction begins, if one does.
    pub(crate) fn stmt(&self, func: u32, pc: u32) -> Option<(u32, u32)> {
        let here = self.offset(func, pc)?;
        let from = match pc.checked_sub(1).and_then(|p| self.offset(func, p)) {
            Some(prev) if prev < here => prev + 1,
            Some(_) => return None,
            None => here,
        };
        let row = self.dwarf.lines.stmts_in(from..here + 1).last()?;
        (row.line != 0).then_some((row.file, row.line))
    }

    /// Whether the function has line information at all.
    pub(crate) fn has_lines(&self, func: u32) -> bool {
        self.offset(func, 0)
            .and_then(|a| self.dwarf.lines.row_at(a))
            .is_some_and(|r| r.line != 0)
    }
}
