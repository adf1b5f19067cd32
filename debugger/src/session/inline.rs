//! The session's inlined frames hidden at a stop, entered by `step` as gdb does.

use crate::dwarf::SourceFrame;
use crate::error::Error;
use crate::inline::*;
use crate::session::Session;
use crate::step::Stop;

impl Session {
    /// Whether a breakpoint at `location` that lands on `addr` (with `stack` there) was set on
    /// inlined code itself: by the inlined function's name, or on a line of it. A stop there
    /// shows the inlined frame rather than its call site.
    pub(crate) fn names_inlined(&self, location: &str, addr: u64, stack: &[SourceFrame]) -> bool {
        let on_inlined = self
            .image
            .dwarf
            .inlined_named(location)
            .iter()
            .any(|f| f.low == addr);
        let line = location.rsplit(':').next().and_then(|l| l.parse().ok());
        on_inlined || line.is_some() && place(stack.first()).map(|p| p.1) == line
    }

    /// Hides the inlined frames whose first instruction the program stopped at (as gdb does),
    /// unless `step` entered one (`entered`) or the breakpoint stopped at was set on the inlined
    /// function itself (by name, or on a line of it). A trap hides none: it stands at the faulting
    /// operator, not at a statement.
    pub(crate) fn hide_inline_entries(
        &mut self,
        stop: &Stop,
        entered: Option<usize>,
    ) -> Result<(), Error> {
        self.process.hidden = 0;
        if matches!(stop, Stop::Trap(_)) {
            return Ok(());
        }
        let Some(top) = self.wasm_frames().last().copied() else {
            return Ok(());
        };
        let Some(off) = self.addr_of(top.func, top.pc) else {
            return Ok(());
        };
        let stack = self.image.dwarf.frames(off)?;
        let mut hidden = entered.unwrap_or_else(|| entries(&self.image.dwarf, off, &stack));
        if let Stop::Breakpoint { number, .. } = stop
            && let Some(b) = self.points.breakpoints.iter().find(|b| b.number == *number)
            && self.names_inlined(&b.location, off, &stack)
        {
            hidden = 0;
        }
        self.process.hidden = hidden;
        Ok(())
    }
}
