//! User breakpoints and watchpoints: locations (`FILE:LINE`, `FUNCTION`, `*OFFSET`) resolved to code
//! offsets through the DWARF, armed in the runtime's bounded breakpoint table, with conditions,
//! ignore counts and temporary breakpoints; watchpoints on linear memory in the watch table.

use runtime_core::debug::WatchKind;

use crate::dwarf::Ty;

/// A breakpoint as the user set it.
#[derive(Debug, Clone)]
pub struct UserBreakpoint {
    /// Its number (shared with watchpoints).
    pub number: u32,
    /// The location as typed.
    pub location: String,
    /// Code offsets it is armed at.
    pub addrs: Vec<u64>,
    /// Stop only when this expression is non-zero.
    pub condition: Option<String>,
    /// Hits still to pass over without stopping.
    pub ignore: u64,
    /// Times reached (conditions true).
    pub hits: u64,
    /// Whether it is armed.
    pub enabled: bool,
    /// Deleted after its first stop (`tbreak`).
    pub temporary: bool,
}

/// A watchpoint as the user set it.
#[derive(Debug, Clone)]
pub struct UserWatch {
    /// Its number.
    pub number: u32,
    /// The expression or `-l` address as typed.
    pub expr: String,
    /// First byte watched.
    pub addr: u64,
    /// Bytes watched.
    pub len: u32,
    /// Which accesses stop.
    pub kind: WatchKind,
    /// The value's type, for showing it.
    pub ty: Ty,
    /// The watched bytes when last seen.
    pub old: Vec<u8>,
    /// Times it stopped.
    pub hits: u64,
    /// Its slot in the runtime's watch table.
    pub(crate) slot: u32,
    /// The frame whose variables its expression uses, when it uses any: it is deleted when
    /// that frame returns, as gdb deletes it.
    pub scope: Option<WatchScope>,
}

/// The frame a watchpoint's expression is valid in, and where its return is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchScope {
    /// The Wasm frames there were, that frame the innermost, when the watchpoint was set.
    pub frames: usize,
    /// Where its caller goes on once it returns (module function index, pc).
    pub site: (u32, u32),
}

/// Parses an integer as C writes it: `0x1f`, `017` (octal), `0b101`, `42`, `42u`; `None` for
/// anything else and for one past 64 bits.
pub fn parse_number(s: &str) -> Option<u64> {
    crate::expr::literal(s.trim()).ok().map(|l| l.value)
}
