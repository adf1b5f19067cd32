//! The debugger engine every wrt-dbg front-end shares: DWARF, breakpoints, stepping, frames.
