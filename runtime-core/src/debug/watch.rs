//! Watchpoints on linear memory and memory inspectors: address ranges the debugger keeps an eye on.

use super::table::Table;

/// Which accesses a watchpoint stops on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchKind {
    /// Stores that change the watched bytes (`watch`).
    Write,
    /// Loads (`rwatch`).
    Read,
    /// Loads and stores (`awatch`).
    Access,
}

/// The first of `watches` (address, length, kind) that an access of `len` bytes at `addr` (a
/// store when `write`) trips, as the memory-access hook sees it.
pub fn tripped(
    watches: &[(u64, u64, WatchKind)],
    addr: u64,
    len: u64,
    write: bool,
) -> Option<usize> {
    watches.iter().position(|&(a, n, kind)| {
        let wanted = match kind {
            WatchKind::Write => write,
            WatchKind::Read => !write,
            WatchKind::Access => true,
        };
        wanted && addr < a + n && a < addr + len
    })
}

/// The bytes from the first of `watches` to past the last (empty without watches): an access
/// outside them trips none, a test cheap enough for the interpreter's loop ([`crate::Hook::near`]).
pub fn span(watches: &[(u64, u64, WatchKind)]) -> (u64, u64) {
    let first = watches.iter().map(|w| w.0).min().unwrap_or(0);
    let end = watches.iter().map(|w| w.0 + w.1).max().unwrap_or(0);
    (first, end)
}

/// Most bytes one watchpoint covers, so its old value fits without allocating.
pub const MAX_WATCH_LEN: u32 = 8;

/// One watchpoint: a range of linear memory and its last seen value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    /// Memory address of the first byte.
    pub addr: u32,
    /// Bytes watched, 1 to [`MAX_WATCH_LEN`].
    pub len: u32,
    /// Which accesses stop.
    pub kind: WatchKind,
    /// The watched bytes when last checked.
    pub old: [u8; MAX_WATCH_LEN as usize],
}

/// A memory region shown on every stop (`x`, `display`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspector {
    /// Memory address of the first byte.
    pub addr: u32,
    /// Bytes shown.
    pub len: u32,
}

/// The watch table, sized by `max_variable_watches`.
pub type Watches = Table<Watch>;

/// The inspector table, sized by `max_memory_inspectors`.
pub type Inspectors = Table<Inspector>;
