//! `runtime-core`: a bounded, debuggable WebAssembly 2.0 interpreter.
//!
//! Modules are decoded and validated with `wasmparser`, translated into a compact internal code with
//! resolved branches ([`instr`]), and run by a non-recursive loop ([`exec`]) whose frames, locals and
//! operand stacks can be inspected while paused. Every internal instruction keeps the byte offset of the
//! Wasm operator it came from, so debuggers can map back to DWARF and to the module file.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod admit;
pub mod asil;
pub mod budget;
pub mod debug;
mod deployment;
pub mod error;
pub mod exec;
#[cfg(feature = "std")]
#[doc(hidden)]
pub mod fuzzing;
pub mod instr;
pub mod limits;
pub mod module;
mod numeric;
mod requirements;
pub mod store;
mod translate;
pub mod validate;
pub mod value;
mod violation;
#[cfg(feature = "std")]
pub mod wasi;

pub use error::{Error, Trap};
pub use exec::{Frame, Hook, Outcome, Thread};
pub use module::{FuncType, Module};
pub use store::{Caller, Config, Extern, HostFn, Linker, Store};
pub use value::{Val, ValType};
