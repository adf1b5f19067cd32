//! The debugger engine every wrt-dbg front-end shares: DWARF, breakpoints, stepping, frames.
#![warn(missing_docs)]

pub mod dwarf;
pub mod error;

pub use error::Error;
