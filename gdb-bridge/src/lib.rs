//! A GDB remote-protocol target (LLDB's Wasm extensions) for the wrt runtime. The target and the
//! protocol are `no_std` + `alloc`, so a device can serve them; the TCP and serial transports and
//! the event loop need the `std` feature.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
pub mod client;
#[cfg(feature = "std")]
#[doc(hidden)]
pub mod fuzzing;
pub mod monitor;
pub mod packet;
pub mod prefilter;
pub mod protocol;
#[cfg(feature = "std")]
pub mod remote;
#[cfg(feature = "std")]
pub mod serve;
pub mod stub;
pub mod target;

pub use target::WasmTarget;
