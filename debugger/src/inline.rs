//! Inlined calls as gdb steps through them. A stop at the first instruction of an inlined call
//! reports the caller at the call site (the inlined frames there are *hidden*), and `step` then
//! enters them one at a time without running; `next` steps over inlined calls as over real ones;
//! `next` and `step` inside an inlined frame run until a line of that frame or of its callers.

use std::cell::Cell;

use crate::dwarf::{DwarfInfo, SourceFrame};
use crate::step::Resume;
use crate::target::Verdict;

/// A frame's source position: file and line.
pub(crate) type Place = Option<(Option<String>, u32)>;

/// Where a line step (`step`, `next`, `until`) started, in source-frame terms.
pub(crate) struct LineStep {
    /// Which of the three.
    how: Resume,
    /// Code offset it started at.
    start_off: u64,
    /// The function of each source frame from the user's frame out, outermost last.
    chain: Vec<Option<String>>,
    /// The user's frame's position at the start.
    start: Place,
    /// Set when `step` stops at the entry of an inlined call on the line it started on: the
    /// frames to keep hidden, one fewer than are there (it enters one).
    pub(crate) entered: Cell<Option<usize>>,
}

pub(crate) fn place(f: Option<&SourceFrame>) -> Place {
    f.and_then(|f| f.loc.as_ref().map(|l| (l.file.clone(), l.line)))
}

impl LineStep {
    /// A line step of kind `how` from code offset `start_off`, where `hidden` inlined frames are
    /// hidden.
    pub(crate) fn new(dwarf: &DwarfInfo, how: Resume, start_off: u64, hidden: usize) -> LineStep {
        let stack = dwarf.frames(start_off).unwrap_or_default();
        let hidden = hidden.min(stack.len().saturating_sub(1));
        LineStep {
            how,
            start_off,
            chain: stack
                .iter()
                .skip(hidden)
                .map(|s| s.function.clone())
                .collect(),
            start: place(stack.get(hidden)),
            entered: Cell::new(None),
        }
    }

    /// The verdict at a statement at code offset `off` in the Wasm frame the step started in.
    pub(crate) fn at_statement(&self, dwarf: &DwarfInfo, off: u64) -> Verdict {
        let stack = dwarf.frames(off).unwrap_or_default();
        let cur = self.chain.len();
        let common = stack
            .iter()
            .rev()
            .zip(self.chain.iter().rev())
            .take_while(|(s, f)| s.function == **f)
            .count();
        if common < cur {
            // The user's frame is left: an inlined call returned to its caller.
            return Verdict::Stop;
        }
        let extra = stack.len() - cur;
        let new_line = place(stack.get(extra)) != self.start;
        let back = off <= self.start_off;
        let entries = entries(dwarf, off, &stack);
        let stop = |b: bool| if b { Verdict::Stop } else { Verdict::Go };
        match self.how {
            Resume::Until if extra == 0 || entries >= extra => stop(!back && new_line),
            Resume::Next | Resume::Until if extra > 0 && entries < extra => Verdict::Go,
            Resume::Step if extra > 0 && entries >= extra && !new_line => {
                self.entered.set(Some(extra - 1));
                Verdict::Stop
            }
            Resume::Step if extra > 0 => Verdict::Stop,
            // A jump back into the line it started on (a loop on one line) goes on, as in LLDB.
            _ => stop(new_line),
        }
    }
}

/// How many of the innermost frames of `stack`, the frames at code offset `addr`, are inlined
/// calls at their first instruction (never the function they are inlined into).
pub(crate) fn entries(dwarf: &DwarfInfo, addr: u64, stack: &[SourceFrame]) -> usize {
    dwarf
        .inline_entries(addr)
        .min(stack.len().saturating_sub(1))
}
