//! The debugger engine every wrt-dbg front-end shares: DWARF, breakpoints, stepping, frames,
//! variables, expressions and the command language.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod argument;
mod bits;
pub mod breakpoint;
mod budget;
pub mod children;
pub mod command;
pub mod disasm;
pub mod dwarf;
pub mod engine;
pub mod error;
pub mod expr;
pub mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod in_process;
mod inline;
pub mod input;
pub mod location;
mod memory;
pub mod pack;
pub mod print;
pub mod profile;
pub mod report;
pub mod request;
pub mod session;
pub mod source;
mod statics;
pub mod step;
mod stop;
pub mod target;
pub mod translate;
pub mod value;
pub mod varref;

pub use command::{Debugger, Reply};
pub use error::Error;
pub use in_process::{Program, SharedOutput};
pub use session::{Session, State};
